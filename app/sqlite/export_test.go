package sqlite

import (
	"context"
	"fmt"
	"testing"
)

// OpenMigrated opens the database with only its first n migrations, as an
// older Passerelle would have left it.
func (db *DB) OpenMigrated(n int) error {
	db.migrations = n
	defer func() { db.migrations = 0 }()
	return db.Open()
}

// WriterPragma returns the value of a pragma on the connection that writes.
func (db *DB) WriterPragma(tb testing.TB, name string) string {
	tb.Helper()
	var v string
	if err := db.wdb.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// FillDisk caps the file at its current size, as a full disk would.
func (db *DB) FillDisk(tb testing.TB) {
	tb.Helper()
	pages := db.WriterPragma(tb, "page_count")
	if _, err := db.wdb.ExecContext(context.Background(), fmt.Sprintf("PRAGMA max_page_count = %s", pages)); err != nil {
		tb.Fatal(err)
	}
}

// LockFd is the file descriptor of the database's lock, for a test that
// hands it down to a program as a kiosk starting espeak-ng does.
func (db *DB) LockFd() uintptr { return db.lock.Fd() }

// WriterPragma returns the value of a pragma on the hub's writing connection.
func (db *HubDB) WriterPragma(tb testing.TB, name string) string {
	tb.Helper()
	var v string
	if err := db.wdb.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}
