package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"passerelle/app/passerelle"
)

var _ passerelle.HubStore = (*HubDB)(nil)

// HubDB is the hub's database: one SQLite file in WAL mode, holding the
// kiosks, their events and the published catalogs. It is built like the
// kiosk's DB: one writing connection, so that the uploads of hundreds of
// kiosks queue in Go instead of failing with SQLITE_BUSY, and a pool of
// read-only connections; one hub per file (the same lock file), and the
// same checks before anything writes to an existing file.
type HubDB struct {
	path string
	pools

	// Now returns the current time. It stamps applied migrations.
	Now func() time.Time
}

// NewHubDB returns a hub database stored at path, to be opened with Open.
func NewHubDB(path string) *HubDB {
	return &HubDB{path: path, Now: time.Now}
}

// Path returns the file the database is stored in.
func (db *HubDB) Path() string { return db.path }

// Open opens the hub's database, creating it and its directory if needed,
// and migrates its schema to the latest version. Like the kiosk's, it
// takes the file's lock first and refuses, untouched, a file that is not a
// hub's Passerelle database (a kiosk's included), a damaged one or one a
// newer Passerelle migrated, with an *OpenError saying so in plain words.
func (db *HubDB) Open() error { return db.open(true) }

// OpenBesideHub opens the database for a short staff command (hub enroll,
// hub revoke) while the hub may be running on it: it takes no lock, and
// SQLite orders its few writes with the hub's. Everything else is as Open.
// Only the hub server holds the lock: two servers on one file would each
// believe they own it.
func (db *HubDB) OpenBesideHub() error { return db.open(false) }

func (db *HubDB) open(lock bool) (err error) {
	if db.path == "" {
		return errors.New("open hub database: no path")
	}
	defer func() {
		if err != nil {
			db.Close()
			err = hubSchema.problem(db.path, err)
		}
	}()
	ctx := context.Background()
	// The file holds the hashes of the kiosks' credentials.
	if err := os.MkdirAll(filepath.Dir(db.path), 0o700); err != nil {
		return err
	}
	if lock {
		if db.lock, err = lockFile(db.path + ".lock"); err != nil {
			return err
		}
	}
	if err := hubSchema.check(ctx, db.path); err != nil {
		return err
	}
	if db.wdb, err = sql.Open("sqlite", dsn(db.path, "_txlock=immediate")); err != nil {
		return err
	}
	db.wdb.SetMaxOpenConns(1)
	db.wdb.SetMaxIdleConns(1)
	if err := hubSchema.migrate(ctx, db.wdb, 0, db.Now()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if db.rdb, err = sql.Open("sqlite", dsn(db.path, "_pragma=query_only(on)")); err != nil {
		return err
	}
	return db.rdb.Ping()
}

// Close closes the database; closing twice is harmless.
func (db *HubDB) Close() error {
	if err := db.pools.close(); err != nil {
		return fmt.Errorf("close hub database: %w", err)
	}
	return nil
}

// Times that may be "never" are stored as 0.
func toMillisOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillisOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return fromMillis(ms)
}

// EnrollKiosk creates a kiosk waiting to join, or gives a new token to one
// that has not joined yet.
func (db *HubDB) EnrollKiosk(ctx context.Context, name string, tokenHash []byte, expires, now time.Time) error {
	if name == "" || len(tokenHash) == 0 {
		return fmt.Errorf("enroll kiosk %q: no name or no token", name)
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("enroll kiosk %s: %w", name, err)
	}
	defer tx.Rollback()
	var joined, revoked int64
	err = tx.QueryRowContext(ctx, `SELECT joined_at, revoked_at FROM kiosks WHERE name = ?`, name).Scan(&joined, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO kiosks (name, enrolled_at, token_hash, token_expires) VALUES (?, ?, ?, ?)`,
			name, now.UnixMilli(), tokenHash, expires.UnixMilli())
	case err != nil:
	case revoked != 0:
		return fmt.Errorf("enroll kiosk %s: it was revoked: %w", name, passerelle.ErrExists)
	case joined != 0:
		return fmt.Errorf("enroll kiosk %s: it has joined already: %w", name, passerelle.ErrExists)
	default:
		_, err = tx.ExecContext(ctx, `UPDATE kiosks SET enrolled_at = ?, token_hash = ?, token_expires = ? WHERE name = ?`,
			now.UnixMilli(), tokenHash, expires.UnixMilli(), name)
	}
	if err != nil {
		return fmt.Errorf("enroll kiosk %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("enroll kiosk %s: commit: %w", name, err)
	}
	return nil
}

const kioskColumns = `name, enrolled_at, joined_at, revoked_at, last_seen,
	app_version, catalog_version, pending_events, free_disk_bytes, last_error`

type scanner interface{ Scan(dest ...any) error }

// querier is a pool or one connection: ReadStats reads on one connection,
// inside one transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func scanKiosk(row scanner) (passerelle.Kiosk, error) {
	var k passerelle.Kiosk
	var enrolled, joined, revoked, seen int64
	err := row.Scan(&k.Name, &enrolled, &joined, &revoked, &seen, &k.Report.AppVersion,
		&k.Report.CatalogVersion, &k.Report.PendingEvents, &k.Report.FreeDiskBytes, &k.Report.LastError)
	k.EnrolledAt, k.JoinedAt = fromMillisOrZero(enrolled), fromMillisOrZero(joined)
	k.RevokedAt, k.LastSeen = fromMillisOrZero(revoked), fromMillisOrZero(seen)
	return k, err
}

// JoinKiosk exchanges an enrollment token for a credential.
func (db *HubDB) JoinKiosk(ctx context.Context, tokenHash, credentialHash []byte, now time.Time) (passerelle.Kiosk, error) {
	if len(tokenHash) == 0 || len(credentialHash) == 0 {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: no token: %w", passerelle.ErrUnauthorized)
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: %w", err)
	}
	defer tx.Rollback()
	var id, expires, revoked int64
	err = tx.QueryRowContext(ctx, `SELECT id, token_expires, revoked_at FROM kiosks WHERE token_hash = ?`, tokenHash).
		Scan(&id, &expires, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: unknown or used token: %w", passerelle.ErrUnauthorized)
	case err != nil:
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: %w", err)
	case now.UnixMilli() > expires:
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: the token expired at %s: %w",
			fromMillis(expires).Format(time.RFC3339), passerelle.ErrUnauthorized)
	case revoked != 0:
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: the kiosk was revoked: %w", passerelle.ErrUnauthorized)
	}
	k, err := scanKiosk(tx.QueryRowContext(ctx, `
		UPDATE kiosks SET token_hash = NULL, token_expires = 0, credential_hash = ?, joined_at = ?
		WHERE id = ?
		RETURNING `+kioskColumns, credentialHash, now.UnixMilli(), id))
	if err != nil {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk %s: commit: %w", k.Name, err)
	}
	return k, nil
}

// Authenticate finds the kiosk of a credential and records it as seen.
func (db *HubDB) Authenticate(ctx context.Context, credentialHash []byte, now time.Time) (passerelle.Kiosk, error) {
	if len(credentialHash) == 0 {
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: no credential: %w", passerelle.ErrUnauthorized)
	}
	k, err := scanKiosk(db.wdb.QueryRowContext(ctx, `
		UPDATE kiosks SET last_seen = ?
		WHERE credential_hash = ? AND revoked_at = 0
		RETURNING `+kioskColumns, now.UnixMilli(), credentialHash))
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: %w", err)
	}
	k, err = scanKiosk(db.rdb.QueryRowContext(ctx, `SELECT `+kioskColumns+` FROM kiosks WHERE credential_hash = ?`, credentialHash))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: unknown credential: %w", passerelle.ErrUnauthorized)
	case err != nil:
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: %w", err)
	}
	return k, fmt.Errorf("authenticate %s: %w", k.Name, passerelle.ErrRevoked)
}

// RevokeKiosk refuses a kiosk from now on; its first revocation time stays.
func (db *HubDB) RevokeKiosk(ctx context.Context, name string, now time.Time) error {
	res, err := db.wdb.ExecContext(ctx, `
		UPDATE kiosks SET revoked_at = CASE revoked_at WHEN 0 THEN ? ELSE revoked_at END
		WHERE name = ?`, now.UnixMilli(), name)
	if err != nil {
		return fmt.Errorf("revoke kiosk %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("revoke kiosk %s: %w", name, orNotFound(err))
	}
	return nil
}

// orNotFound returns err, or ErrNotFound when err is nil (no row changed).
func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return passerelle.ErrNotFound
}

// SaveReport keeps a kiosk's latest report.
func (db *HubDB) SaveReport(ctx context.Context, kiosk string, r passerelle.KioskReport, now time.Time) error {
	res, err := db.wdb.ExecContext(ctx, `
		UPDATE kiosks SET app_version = ?, catalog_version = ?, pending_events = ?,
			free_disk_bytes = ?, last_error = ?, reported_at = ?
		WHERE name = ?`,
		r.AppVersion, r.CatalogVersion, r.PendingEvents, r.FreeDiskBytes, r.LastError, now.UnixMilli(), kiosk)
	if err != nil {
		return fmt.Errorf("save report of %s: %w", kiosk, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("save report of %s: %w", kiosk, orNotFound(err))
	}
	return nil
}

// Kiosks returns every kiosk, sorted by name.
func (db *HubDB) Kiosks(ctx context.Context) ([]passerelle.Kiosk, error) {
	return kiosks(ctx, db.rdb)
}

func kiosks(ctx context.Context, q querier) ([]passerelle.Kiosk, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+kioskColumns+` FROM kiosks ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list kiosks: %w", err)
	}
	defer rows.Close()
	var ks []passerelle.Kiosk
	for rows.Next() {
		k, err := scanKiosk(rows)
		if err != nil {
			return nil, fmt.Errorf("list kiosks: %w", err)
		}
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list kiosks: %w", err)
	}
	return ks, nil
}

// PutEvents stores a kiosk's events in one transaction: each is inserted
// unless its id is there already, and then what is stored is compared with
// what came, to tell an event sent again (held) from a conflict.
func (db *HubDB) PutEvents(ctx context.Context, kiosk string, events []passerelle.Event) (held []string, conflicts []passerelle.EventConflict, err error) {
	for i, e := range events {
		if err := validate(e); err != nil {
			return nil, nil, fmt.Errorf("put events of %s: event %d of %d: %w", kiosk, i+1, len(events), err)
		}
		if e.Personal != "" {
			return nil, nil, fmt.Errorf("put events of %s: event %s carries a personal value: the hub never keeps one, the batch is refused", kiosk, e.ID)
		}
	}
	if len(events) == 0 {
		return nil, nil, nil
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	defer tx.Rollback()
	var kioskID int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM kiosks WHERE name = ?`, kiosk).Scan(&kioskID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = passerelle.ErrNotFound
		}
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	insert, err := tx.PrepareContext(ctx, `
		INSERT INTO events (id, kiosk_id, session_id, seq, kind, at, lang, procedure_id,
			procedure_version, step_id, answer, outcome)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	defer insert.Close()
	stored, err := tx.PrepareContext(ctx, `
		SELECT kiosk_id, session_id, seq, kind, at, lang, procedure_id,
			procedure_version, step_id, answer, outcome
		FROM events WHERE id = ?`)
	if err != nil {
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	defer stored.Close()
	settle, err := tx.PrepareContext(ctx, settleHelpMarks)
	if err != nil {
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	defer settle.Close()

	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if seen[e.ID] {
			continue // twice in the batch: held or refused once
		}
		seen[e.ID] = true
		res, err := insert.ExecContext(ctx, e.ID, kioskID, e.SessionID, e.Seq, string(e.Kind), toMillis(e.At),
			string(e.Lang), e.ProcedureID, e.ProcedureVersion, e.StepID, e.Answer, string(e.Outcome))
		if err != nil {
			return nil, nil, fmt.Errorf("put events of %s: event %s: %w", kiosk, e.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, nil, fmt.Errorf("put events of %s: event %s: %w", kiosk, e.ID, err)
		} else if n == 1 {
			if e.Kind == passerelle.EventHelpHandled {
				if _, err := settle.ExecContext(ctx, kioskID, e.SessionID, e.Seq); err != nil {
					return nil, nil, fmt.Errorf("put events of %s: event %s: settle help marks: %w", kiosk, e.ID, err)
				}
			}
			held = append(held, e.ID)
			continue
		}
		var s passerelle.Event
		var owner, at int64
		if err := stored.QueryRowContext(ctx, e.ID).Scan(&owner, &s.SessionID, &s.Seq, &s.Kind, &at, &s.Lang,
			&s.ProcedureID, &s.ProcedureVersion, &s.StepID, &s.Answer, &s.Outcome); err != nil {
			return nil, nil, fmt.Errorf("put events of %s: event %s: %w", kiosk, e.ID, err)
		}
		s.ID, s.At = e.ID, fromMillis(at)
		if reason := difference(owner == kioskID, s, e); reason != "" {
			conflicts = append(conflicts, passerelle.EventConflict{ID: e.ID, Reason: reason})
			continue
		}
		held = append(held, e.ID)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fmt.Errorf("put events of %s: commit: %w", kiosk, err)
	}
	return held, conflicts, nil
}

// difference says in plain words how the event sent differs from the one
// stored under its id, or "" when they are the same.
func difference(sameKiosk bool, stored, sent passerelle.Event) string {
	if !sameKiosk {
		return "the hub holds an event with this id from another kiosk"
	}
	sent.At = fromMillis(toMillis(sent.At)) // the precision stored
	for _, f := range []struct {
		name       string
		held, sent any
	}{
		{"session", stored.SessionID, sent.SessionID},
		{"sequence number", stored.Seq, sent.Seq},
		{"kind", stored.Kind, sent.Kind},
		{"time", stored.At, sent.At},
		{"language", stored.Lang, sent.Lang},
		{"procedure", stored.ProcedureID, sent.ProcedureID},
		{"procedure version", stored.ProcedureVersion, sent.ProcedureVersion},
		{"step", stored.StepID, sent.StepID},
		{"answer", stored.Answer, sent.Answer},
		{"outcome", stored.Outcome, sent.Outcome},
	} {
		if f.held != f.sent {
			return fmt.Sprintf("the hub holds an event with this id and another %s: it keeps the one it has", f.name)
		}
	}
	return ""
}

// EventIDs returns the ids of a kiosk's events, sorted.
func (db *HubDB) EventIDs(ctx context.Context, kiosk string) ([]string, error) {
	rows, err := db.rdb.QueryContext(ctx, `
		SELECT e.id FROM events e JOIN kiosks k ON k.id = e.kiosk_id
		WHERE k.name = ? ORDER BY e.id`, kiosk)
	if err != nil {
		return nil, fmt.Errorf("event ids of %s: %w", kiosk, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("event ids of %s: %w", kiosk, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("event ids of %s: %w", kiosk, err)
	}
	return ids, nil
}

// Totals counts the events and sessions held.
func (db *HubDB) Totals(ctx context.Context) (passerelle.HubTotals, error) {
	return hubTotals(ctx, db.rdb)
}

func hubTotals(ctx context.Context, q querier) (passerelle.HubTotals, error) {
	var t passerelle.HubTotals
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(kind = 'session_started'), 0) FROM events`).Scan(&t.Events, &t.Sessions); err != nil {
		return t, fmt.Errorf("count events: %w", err)
	}
	return t, nil
}

// PublishCatalog makes v the latest catalog, unless it is already.
func (db *HubDB) PublishCatalog(ctx context.Context, v passerelle.CatalogVersion) (bool, error) {
	if v.Hash == "" {
		return false, errors.New("publish catalog: no hash")
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	defer tx.Rollback()
	var latest string
	err = tx.QueryRowContext(ctx, `SELECT hash FROM catalog_publications ORDER BY seq DESC LIMIT 1`).Scan(&latest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	if latest == v.Hash {
		return false, nil
	}
	// A version published before keeps its archive: same hash, same content.
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_versions (hash, archive) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING`,
		v.Hash, v.Archive); err != nil {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_publications (hash, published_at) VALUES (?, ?)`,
		v.Hash, v.PublishedAt.UnixMilli()); err != nil {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("publish catalog %s: commit: %w", v.Hash, err)
	}
	return true, nil
}

// LatestCatalogHash returns the hash of the catalog published last, or
// ErrNotFound.
func (db *HubDB) LatestCatalogHash(ctx context.Context) (string, error) {
	var hash string
	err := db.rdb.QueryRowContext(ctx, `SELECT hash FROM catalog_publications ORDER BY seq DESC LIMIT 1`).Scan(&hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("latest catalog: none published: %w", passerelle.ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("latest catalog: %w", err)
	}
	return hash, nil
}

// LatestCatalog returns the catalog published last, or ErrNotFound.
func (db *HubDB) LatestCatalog(ctx context.Context) (passerelle.CatalogVersion, error) {
	var v passerelle.CatalogVersion
	var at int64
	err := db.rdb.QueryRowContext(ctx, `
		SELECT p.hash, v.archive, p.published_at
		FROM catalog_publications p JOIN catalog_versions v ON v.hash = p.hash
		ORDER BY p.seq DESC LIMIT 1`).Scan(&v.Hash, &v.Archive, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return v, fmt.Errorf("latest catalog: none published: %w", passerelle.ErrNotFound)
	case err != nil:
		return v, fmt.Errorf("latest catalog: %w", err)
	}
	v.PublishedAt = fromMillis(at)
	return v, nil
}
