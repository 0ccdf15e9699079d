package sqlite

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// Errors SQLite really returns, turned into sentences: the ones a test
// cannot provoke through Open (a full disk, a lock held by another program)
// are made on a raw connection.
func TestProblemSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, raw, other *sql.DB) error
		kind error
		says string
	}{
		{"disk full", func(t *testing.T, raw, _ *sql.DB) error {
			mustExec(t, raw, `CREATE TABLE t (b BLOB)`)
			mustExec(t, raw, `PRAGMA max_page_count = 3`) // as a full disk would
			_, err := raw.Exec(`INSERT INTO t VALUES (randomblob(100000))`)
			return err
		}, ErrDiskFull, "is full: free some space"},
		{"held by another program", func(t *testing.T, raw, other *sql.DB) error {
			mustExec(t, raw, `CREATE TABLE t (x)`)
			tx, err := other.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
				t.Fatal(err)
			}
			_, err = raw.Exec(`INSERT INTO t VALUES (2)`)
			return err
		}, ErrBusy, "another program"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			open := func() *sql.DB {
				db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
				if err != nil {
					t.Fatal(err)
				}
				db.SetMaxOpenConns(1)
				t.Cleanup(func() { db.Close() })
				return db
			}
			err := tc.make(t, open(), open())
			if err == nil {
				t.Fatal("SQLite did not fail")
			}
			got := (&DB{path: path}).problem(err)
			if !errors.Is(got, tc.kind) || !strings.Contains(got.Error(), tc.says) || !strings.Contains(got.Error(), path) {
				t.Errorf("%v became %q; want %v saying %q", err, got, tc.kind, tc.says)
			}
		})
	}
}

func mustExec(tb testing.TB, db *sql.DB, query string) {
	tb.Helper()
	if _, err := db.Exec(query); err != nil {
		tb.Fatal(err)
	}
}
