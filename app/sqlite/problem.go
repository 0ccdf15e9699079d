package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// The kinds of problem that keep the kiosk from using its database. Open
// returns them inside an *OpenError, which says in plain words what is
// wrong and what to do; test for a kind with errors.Is.
var (
	// ErrInUse: another kiosk holds the database. Only one may use it: two
	// would close each other's sessions and collide on the event log.
	ErrInUse = errors.New("another Passerelle kiosk is using the database")
	// ErrBusy: another program (an sqlite3 shell, a backup) holds a lock
	// on the file longer than the kiosk waits.
	ErrBusy = errors.New("the database is busy")
	// ErrCannotWrite: the file or its folder cannot be written.
	ErrCannotWrite = errors.New("the database cannot be written")
	// ErrDiskFull: the disk holding the database is full.
	ErrDiskFull = errors.New("the disk is full")
	// ErrNotDatabase: the file is not a SQLite database at all.
	ErrNotDatabase = errors.New("the file is not a database")
	// ErrNotPasserelle: the file is another program's SQLite database.
	ErrNotPasserelle = errors.New("the file is not a Passerelle database")
	// ErrDamaged: the file is a SQLite database that is truncated or
	// malformed.
	ErrDamaged = errors.New("the database file is damaged")
	// ErrOtherKind: the file is a Passerelle database of the other kind: a
	// hub's given to a kiosk, or a kiosk's given to a hub.
	ErrOtherKind = errors.New("the file is the other kind of Passerelle database")
	// ErrNewerSchema: a newer Passerelle migrated the file to a schema this
	// program does not know; writing into it could lose what it keeps.
	ErrNewerSchema = errors.New("the database was written by a newer Passerelle")
)

// OpenError says why the database at Path cannot be used: Error is a
// sentence for staff saying what is wrong and what to do. Kind is one of
// the Err values of this package (nil when the cause is unforeseen), Err
// the underlying cause for the log.
type OpenError struct {
	Path    string
	Kind    error
	Message string
	Err     error
}

func (e *OpenError) Error() string { return e.Message }

func (e *OpenError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Kind, e.Err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// inUseError is what lockFile returns when another process holds the lock.
type inUseError struct{ pid int }

func (e *inUseError) Error() string { return ErrInUse.Error() }
func (e *inUseError) Unwrap() error { return ErrInUse }

// untouched ends the sentences about a file the kiosk (or hub) refused to
// change.
func (s *schema) untouched() string { return "the " + s.role + " did not change it" }

func (db *DB) problem(err error) error { return kioskSchema.problem(db.path, err) }

// problem turns an error met while opening the database at p into an
// *OpenError. The file, when it exists, has not been written to unless the
// error says otherwise (a full disk during a migration rolls back).
func (s *schema) problem(p string, err error) error {
	var oe *OpenError
	if errors.As(err, &oe) {
		return err
	}
	e := &OpenError{Path: p, Err: err}
	var inUse *inUseError
	switch {
	case errors.As(err, &inUse):
		e.Kind = ErrInUse
		who := ""
		if inUse.pid > 0 {
			who = fmt.Sprintf(" (process %d)", inUse.pid)
		}
		e.Message = fmt.Sprintf("another Passerelle %s is already running on %s%s: only one %s may use a database; stop the other one, or give this one another -db file", s.role, p, who, s.role)
	case errors.Is(err, syscall.ENOTDIR):
		e.Kind = ErrCannotWrite
		e.Message = fmt.Sprintf("the database %s cannot be made: a part of its path is a file, not a folder; give -db a path in a folder", p)
	case errors.Is(err, syscall.ENOSPC), sqliteCode(err) == codeFull:
		e.Kind = ErrDiskFull
		e.Message = fmt.Sprintf("the disk holding %s is full: free some space, then start the %s again (what it saved is kept)", p, s.role)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS),
		sqliteCode(err) == codeReadOnly, sqliteCode(err) == codePerm, sqliteCode(err) == codeCantOpen:
		e.Kind = ErrCannotWrite
		e.Message = fmt.Sprintf("the %s cannot write its database %s or its folder (%s): give the %s's user the right to write both, or choose another -db file; %s", s.role, p, plainCause(err), s.role, s.untouched())
	case sqliteCode(err) == codeBusy, sqliteCode(err) == codeLocked:
		e.Kind = ErrBusy
		e.Message = fmt.Sprintf("another program (an sqlite3 shell, a backup?) holds the database %s: close it, then start the %s again", p, s.role)
	case sqliteCode(err) == codeCorrupt, sqliteCode(err) == codeNotADB:
		e.Kind = ErrDamaged
		e.Message = s.damaged(p, "malformed")
	default:
		e.Message = fmt.Sprintf("the database %s cannot be used (%v): check the disk and the file, then start the %s again", p, err, s.role)
	}
	return e
}

func (s *schema) damaged(p, how string) string {
	return fmt.Sprintf("the database file %s is damaged (%s): %s; move it aside (%s), then start the %s again on a new file", p, how, s.untouched(), s.keeps, s.role)
}

// plainCause is the system's reason, without the path and operation that
// the sentence already gives.
func plainCause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if sqliteCode(err) != 0 {
		return "permission denied or read-only"
	}
	return err.Error()
}

// SQLite's primary result codes that Open tells apart.
const (
	codePerm     = 3
	codeBusy     = 5
	codeLocked   = 6
	codeReadOnly = 8
	codeCorrupt  = 11
	codeFull     = 13
	codeCantOpen = 14
	codeNotADB   = 26
)

// sqliteCode returns the primary result code of a SQLite error, 0 for any
// other error.
func sqliteCode(err error) int {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code() & 0xff // extended codes keep the primary in the low byte
	}
	return 0
}

// sqliteMagic begins every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

func (db *DB) check(ctx context.Context) error { return kioskSchema.check(ctx, db.path) }

// check looks at an existing database file at p without writing to it,
// before anything else may: it refuses a file that is not a database,
// another program's, the other kind of Passerelle database (a hub's for a
// kiosk, a kiosk's for a hub), a damaged one, or one a newer Passerelle
// migrated. A missing or empty file is a new database.
func (s *schema) check(ctx context.Context, p string) error {
	info, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return s.problem(p, err)
	case info.IsDir():
		return &OpenError{Path: p, Kind: ErrNotDatabase,
			Message: fmt.Sprintf("%s is a folder, not a database file: give -db a file name, like %s", p, filepath.Join(p, s.role+".db"))}
	case !info.Mode().IsRegular():
		return &OpenError{Path: p, Kind: ErrNotDatabase,
			Message: fmt.Sprintf("%s is not a file (a device, a pipe?): give -db a file name, like %s", p, filepath.Join(filepath.Dir(p), s.role+".db"))}
	case info.Size() == 0:
		return nil
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return s.problem(p, err)
	}
	header := make([]byte, 100)
	n, err := io.ReadFull(f, header)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return s.problem(p, err)
	}
	if !bytes.HasPrefix(header[:n], sqliteMagic) {
		if n < len(sqliteMagic) && bytes.HasPrefix(sqliteMagic, header[:n]) {
			return &OpenError{Path: p, Kind: ErrDamaged, Message: s.damaged(p, "cut short")}
		}
		return &OpenError{Path: p, Kind: ErrNotDatabase,
			Message: fmt.Sprintf("%s is not a database (another file given by mistake?): %s; check -db, or move the file aside to start on a new database", p, s.untouched())}
	}
	if n < len(header) {
		return &OpenError{Path: p, Kind: ErrDamaged, Message: s.damaged(p, "cut short")}
	}

	// Read only: a read-only connection never writes the file, not even
	// the checkpoint a closing connection does.
	ro, err := sql.Open("sqlite", "file:"+escapePath(p)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return s.problem(p, err)
	}
	defer ro.Close()
	if err := quickCheck(ctx, ro); err != nil {
		var oe *OpenError
		if errors.As(err, &oe) {
			oe.Path, oe.Message = p, s.damaged(p, oe.Message)
			return oe
		}
		return s.problem(p, err)
	}
	return s.checkSchema(ctx, p, ro)
}

// quickCheck runs SQLite's quick_check: it reads every page and checks the
// b-trees, so a truncated or overwritten file is found before a write.
func quickCheck(ctx context.Context, ro *sql.DB) error {
	rows, err := ro.QueryContext(ctx, `PRAGMA quick_check(1)`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var result string
	for rows.Next() {
		if err := rows.Scan(&result); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if result != "ok" {
		return &OpenError{Kind: ErrDamaged, Message: "malformed", Err: fmt.Errorf("quick_check: %s", result)}
	}
	return nil
}

// checkSchema refuses another program's database, the other kind of
// Passerelle database, and one migrated by a newer Passerelle: its
// migrations are not all embedded in this program.
func (s *schema) checkSchema(ctx context.Context, p string, ro *sql.DB) error {
	tables, err := tableNames(ctx, ro)
	if err != nil {
		return s.problem(p, err)
	}
	if len(tables) == 0 {
		return nil
	}
	if !slices.Contains(tables, "schema_migrations") {
		return &OpenError{Path: p, Kind: ErrNotPasserelle,
			Message: fmt.Sprintf("%s is another program's database (its tables: %s): %s; give -db another file", p, strings.Join(tables, ", "), s.untouched())}
	}
	for _, other := range schemas {
		if other != s && slices.Contains(tables, other.table) {
			return &OpenError{Path: p, Kind: ErrOtherKind,
				Message: fmt.Sprintf("%s is the database of a Passerelle %s, not of a %s: %s; give -db the %s's own file", p, other.role, s.role, s.untouched(), s.role)}
		}
	}
	known, err := s.embedded()
	if err != nil {
		return s.problem(p, err)
	}
	var unknown []string
	rows, err := ro.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return s.problem(p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return s.problem(p, err)
		}
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if err := rows.Err(); err != nil {
		return s.problem(p, err)
	}
	if len(unknown) > 0 {
		return &OpenError{Path: p, Kind: ErrNewerSchema,
			Message: fmt.Sprintf("the database %s was written by a newer Passerelle (schema %s; this program knows up to %s): %s; install the newer Passerelle again, or move the file aside (%s) to start on a new database",
				p, schemaName(unknown[len(unknown)-1]), schemaName(known[len(known)-1]), s.untouched(), s.keeps)}
	}
	return nil
}

// tableNames returns the names of the database's tables, sorted.
func tableNames(ctx context.Context, ro querier) ([]string, error) {
	var tables []string
	rows, err := ro.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		tables = append(tables, name)
	}
	return tables, rows.Err()
}

// schemaName is a migration's name as staff read it: 0002_personal_values.
func schemaName(migration string) string { return strings.TrimSuffix(migration, ".sql") }
