// Package sqlite keeps Passerelle's data in SQLite files: the kiosk's
// session log and outbox (DB: passerelle.Store and passerelle.Outbox) and
// the hub's kiosks, events and catalogs (HubDB: passerelle.HubStore). It
// holds every SQL statement of Passerelle; each kind of file has its own
// embedded migrations, run by the same code.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, pure Go
)

//go:embed migrations/*.sql
var kioskMigrations embed.FS

//go:embed hubmigrations/*.sql
var hubMigrations embed.FS

// schema is one kind of Passerelle database: the kiosk's or the hub's.
// Both are migrated and checked by the same code.
type schema struct {
	role       string   // who runs on the file, in messages: "kiosk" or "hub"
	migrations embed.FS // the migrations, in dir, applied in name order
	dir        string
	table      string // a table only this kind of database has
	keeps      string // what the file holds, for the advice on a damaged one
}

var (
	kioskSchema = &schema{role: "kiosk", migrations: kioskMigrations, dir: "migrations",
		table: "personal_values", keeps: "it holds the saved answers: keep a copy for the hub"}
	hubSchema = &schema{role: "hub", migrations: hubMigrations, dir: "hubmigrations",
		table: "kiosks", keeps: "it holds the events the kiosks sent: keep a copy"}
	schemas = []*schema{kioskSchema, hubSchema}
)

// The pragmas of every connection. database/sql opens and reopens
// connections as it likes, and a PRAGMA run with db.Exec reaches only one of
// them, so they go in the DSN, which the driver applies to each connection.
//
// journal_mode(wal): readers never block the writer nor the reverse, and a
// commit appends to one file instead of rewriting pages in place.
//
// synchronous(full): in WAL mode, FULL syncs the WAL to disk at every commit,
// so a committed event survives a power cut, as the Store contract promises.
// NORMAL syncs only at checkpoints: the file stays consistent but the last
// commits before a power cut can vanish, i.e. the last answers of a user.
//
// busy_timeout(5000): another process holding the file (an operator's
// sqlite3 shell, a backup) makes us wait up to 5 s instead of failing.
//
// foreign_keys(on): a personal value always has its event.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(on)" +
	"&_pragma=journal_mode(wal)&_pragma=synchronous(full)"

// DB is the kiosk's database: one SQLite file in WAL mode.
//
// It holds two pools. Writes go through a single connection, so writers
// queue in Go, in order. With several writing connections SQLite arbitrates
// instead: a transaction that reads then writes (CloseInterrupted) fails at
// once with SQLITE_BUSY when another commit slipped in, and waiting for the
// lock means sleeping in steps of up to 100 ms, felt at the next tap. Its
// transactions begin IMMEDIATE, so that a writer in another process (an
// operator's sqlite3 shell) is waited for at BEGIN, never halfway. Reads go
// through a pool of query_only connections, so a long read (the hub sync)
// never delays a tap: in WAL mode readers and the writer do not block each
// other.
type DB struct {
	path string
	pools

	// migrations, when not 0, applies only the first migrations: tests use
	// it to build a database as an older Passerelle left it.
	migrations int

	// Now returns the current time. It stamps applied migrations; tests
	// replace it. The event log takes its times from the events.
	Now func() time.Time
}

// NewDB returns a database stored at path, to be opened with Open.
func NewDB(path string) *DB {
	return &DB{path: path, Now: time.Now}
}

// Path returns the file the database is stored in.
func (db *DB) Path() string { return db.path }

// Open opens the database, creating it and its directory if needed, and
// migrates its schema to the latest version.
//
// Before anything writes to the file, Open takes the lock that makes this
// kiosk the only one on the database (the file path + ".lock", held until
// Close) and checks an existing file read-only: a file that is not a
// Passerelle database, a damaged one or one a newer Passerelle migrated is
// refused and left as it was. Every failure is an *OpenError whose message
// says in plain words what is wrong and what to do.
func (db *DB) Open() (err error) {
	if db.path == "" {
		return errors.New("open database: no path")
	}
	defer func() {
		if err != nil {
			db.Close()
			err = db.problem(err)
		}
	}()
	ctx := context.Background()
	// The file holds personal values: only the kiosk's user may read it.
	if err := os.MkdirAll(filepath.Dir(db.path), 0o700); err != nil {
		return err
	}
	if db.lock, err = lockFile(db.path + ".lock"); err != nil {
		return err
	}
	if err := db.check(ctx); err != nil {
		return err
	}

	// secure_delete(on): deleted rows are overwritten with zeros, so a
	// purged personal value does not linger in free pages. The log is
	// append-only, so this costs nothing but on purges.
	if db.wdb, err = sql.Open("sqlite", dsn(db.path, "_pragma=secure_delete(on)&_txlock=immediate")); err != nil {
		return err
	}
	// One connection, kept open (no idle timeout, no lifetime) until Close.
	db.wdb.SetMaxOpenConns(1)
	db.wdb.SetMaxIdleConns(1)
	if err := db.migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	if db.rdb, err = sql.Open("sqlite", dsn(db.path, "_pragma=query_only(on)")); err != nil {
		return err
	}
	return db.rdb.Ping()
}

// Close closes the database. Appends that returned are already on disk;
// later calls fail with an error (the pools stay, closed, so that a call
// racing with Close gets "database is closed", not a nil pointer).
func (db *DB) Close() error {
	if err := db.pools.close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// pools are a database file's two connection pools and its lock, shared by
// the kiosk's DB and the hub's HubDB.
type pools struct {
	wdb    *sql.DB  // one connection, the only one that writes
	rdb    *sql.DB  // query_only connections
	lock   *os.File // held open while the database is: one process per file
	closed bool
}

// close closes the pools, then releases the lock; a second call does
// nothing.
func (p *pools) close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	var errs []error
	if p.rdb != nil {
		errs = append(errs, p.rdb.Close())
	}
	// Last: the last connection to close checkpoints the WAL into the file.
	if p.wdb != nil {
		errs = append(errs, p.wdb.Close())
	}
	// After the file is closed: the next process may open it.
	if p.lock != nil {
		errs = append(errs, p.lock.Close())
	}
	return errors.Join(errs...)
}

// dsn returns the modernc.org/sqlite DSN for the file at path, with the
// common pragmas and extra parameters. The path is a URI path: characters
// that would end it are escaped.
func dsn(path, extra string) string {
	return "file:" + escapePath(path) + "?" + pragmas + "&" + extra
}

// escapePath escapes the characters that would end the path of a URI.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// embedded returns the names of the migrations this program knows, in
// the order they apply.
func (s *schema) embedded() ([]string, error) {
	names, err := fs.Glob(s.migrations, s.dir+"/*.sql")
	for i := range names {
		names[i] = path.Base(names[i])
	}
	return names, err
}

func (db *DB) migrate(ctx context.Context) error {
	return kioskSchema.migrate(ctx, db.wdb, db.migrations, db.Now())
}

// migrate applies, in name order, every embedded migration the database has
// not seen yet, each in its own transaction with its bookkeeping row, so a
// crash leaves the schema at one version or the next, never between. When
// limit is not 0, only the first limit migrations apply (tests build older
// files with it).
func (s *schema) migrate(ctx context.Context, wdb *sql.DB, limit int, now time.Time) error {
	if _, err := wdb.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS schema_migrations (
			name       TEXT    PRIMARY KEY,
			applied_at INTEGER NOT NULL -- unix milliseconds
		) STRICT`); err != nil {
		return err
	}
	names, err := s.embedded()
	if err != nil {
		return err
	}
	if limit > 0 {
		names = names[:limit]
	}
	for _, name := range names {
		if err := s.migrateFile(ctx, wdb, name, now); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func (s *schema) migrateFile(ctx context.Context, wdb *sql.DB, name string, now time.Time) error {
	tx, err := wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	// Checked inside the transaction: two processes opening the same new
	// file take turns, and the second sees the first one's work.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	script, err := fs.ReadFile(s.migrations, s.dir+"/"+name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(script)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
		name, now.UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}
