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
	"slices"

	"passerelle/app/passerelle"
)

// ReadStats reads the counts and the sync state of a Passerelle database
// file, a kiosk's or a hub's, told apart by their tables. It opens the file
// read-only and takes no lock, so it works while the kiosk or the hub runs
// on it; it never writes to it. A file that is not a Passerelle database is
// refused with an *OpenError in plain words.
func ReadStats(ctx context.Context, path string) (passerelle.DatabaseStats, error) {
	var stats passerelle.DatabaseStats
	if err := looksLikeDatabase(path); err != nil {
		return stats, err
	}
	// mode=ro: never a write, not even the checkpoint of a closing
	// connection. In WAL mode a reader does not wait for the writer.
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(on)")
	if err != nil {
		return stats, statsProblem(path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// One read transaction: every count comes from the same moment.
	conn, err := db.Conn(ctx)
	if err != nil {
		return stats, statsProblem(path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return stats, statsProblem(path, err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	tables, err := tableNames(ctx, conn)
	if err != nil {
		return stats, statsProblem(path, err)
	}
	is := func(names ...string) bool {
		for _, n := range names {
			if !slices.Contains(tables, n) {
				return false
			}
		}
		return true
	}
	switch {
	case is("schema_migrations", hubSchema.table, "events"):
		stats.Kind = passerelle.KindHub
		err = readHubStats(ctx, conn, &stats)
	case is("schema_migrations", "events"):
		stats.Kind = passerelle.KindKiosk
		err = readKioskStats(ctx, conn, &stats, is("sync_marks"))
	default:
		return stats, &OpenError{Path: path, Kind: ErrNotPasserelle,
			Message: fmt.Sprintf("%s is not a Passerelle database (a kiosk's or a hub's): give -db the file the kiosk or the hub runs on", path)}
	}
	if err != nil {
		return stats, statsProblem(path, err)
	}
	return stats, nil
}

// looksLikeDatabase refuses, before SQLite sees it, what is not a database
// file at all: SQLite would take an empty file for a new database.
func looksLikeDatabase(path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &OpenError{Path: path, Kind: ErrNotDatabase, Err: err,
			Message: fmt.Sprintf("there is no database at %s: give -db the file the kiosk or the hub runs on", path)}
	case err != nil:
		return statsProblem(path, err)
	case !info.Mode().IsRegular():
		return &OpenError{Path: path, Kind: ErrNotDatabase,
			Message: fmt.Sprintf("%s is not a database file (a folder?): give -db the file the kiosk or the hub runs on", path)}
	}
	f, err := os.Open(path)
	if err != nil {
		return statsProblem(path, err)
	}
	defer f.Close()
	header := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, header); err != nil || !bytes.Equal(header, sqliteMagic) {
		return &OpenError{Path: path, Kind: ErrNotDatabase,
			Message: fmt.Sprintf("%s is not a Passerelle database (not a database at all): give -db the file the kiosk or the hub runs on", path)}
	}
	return nil
}

// statsProblem says in plain words why a file's stats cannot be read.
func statsProblem(path string, err error) error {
	var oe *OpenError
	switch {
	case errors.As(err, &oe):
		return err
	case errors.Is(err, fs.ErrPermission), sqliteCode(err) == codePerm, sqliteCode(err) == codeCantOpen, sqliteCode(err) == codeReadOnly:
		return &OpenError{Path: path, Kind: ErrCannotWrite, Err: err,
			Message: fmt.Sprintf("cannot read the database %s (%s): run stats as the user the kiosk or the hub runs as", path, plainCause(err))}
	case sqliteCode(err) == codeCorrupt, sqliteCode(err) == codeNotADB:
		return &OpenError{Path: path, Kind: ErrDamaged, Err: err,
			Message: fmt.Sprintf("the database file %s is damaged: its stats cannot be read", path)}
	}
	return fmt.Errorf("read stats of %s: %w", path, err)
}

func readKioskStats(ctx context.Context, conn *sql.Conn, s *passerelle.DatabaseStats, synced bool) error {
	// Both counts read the (session_id, seq) index, smaller than the table.
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(kind = 'session_started'), 0) FROM events`).
		Scan(&s.Events, &s.Sessions); err != nil {
		return fmt.Errorf("count events: %w", err)
	}
	if !synced {
		// An older Passerelle's file: it has sent nothing yet.
		s.Pending = s.Events
		return nil
	}
	if err := conn.QueryRowContext(ctx, `
		SELECT (SELECT COUNT(*) FROM sync_marks WHERE sent_at IS NULL AND conflict IS NULL),
		       (SELECT COUNT(*) FROM sync_marks WHERE conflict IS NOT NULL)`).
		Scan(&s.Pending, &s.Conflicts); err != nil {
		return fmt.Errorf("count pending events: %w", err)
	}
	err := conn.QueryRowContext(ctx, `SELECT url, kiosk FROM hub_link`).Scan(&s.HubURL, &s.Kiosk)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("hub link: %w", err)
	}
	var success int64
	err = conn.QueryRowContext(ctx, `SELECT last_success, last_error, catalog_version FROM sync_status`).
		Scan(&success, &s.LastSyncError, &s.CatalogVersion)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sync status: %w", err)
	}
	s.LastSyncSuccess = fromMillisOrZero(success)
	return nil
}

func readHubStats(ctx context.Context, conn *sql.Conn, s *passerelle.DatabaseStats) error {
	t, err := hubTotals(ctx, conn)
	if err != nil {
		return err
	}
	s.Events, s.Sessions = t.Events, t.Sessions
	if s.Kiosks, err = kiosks(ctx, conn); err != nil {
		return err
	}
	err = conn.QueryRowContext(ctx, `SELECT hash FROM catalog_publications ORDER BY seq DESC LIMIT 1`).Scan(&s.LatestCatalog)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("latest catalog: %w", err)
	}
	return nil
}
