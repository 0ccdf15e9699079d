package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"passerelle/app/passerelle"
)

// orNull stores a time that may be "never" as NULL.
func orNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// orZero reads a NULL time back as "never".
func orZero(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// EnrollKiosk creates a kiosk waiting to join, or gives a new token to one
// that has not joined yet, in one statement: two staff enrolling the same
// name at once cannot both create it.
func (db *HubDB) EnrollKiosk(ctx context.Context, name string, tokenHash []byte, expires, now time.Time) error {
	if name == "" || len(tokenHash) == 0 {
		return fmt.Errorf("enroll kiosk %q: no name or no token", name)
	}
	tag, err := db.pool.Exec(ctx, `
		INSERT INTO kiosks (name, enrolled_at, token_hash, token_expires) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE
			SET enrolled_at = excluded.enrolled_at, token_hash = excluded.token_hash, token_expires = excluded.token_expires
			WHERE kiosks.joined_at IS NULL AND kiosks.revoked_at IS NULL`,
		name, now, tokenHash, expires)
	if err != nil {
		return fmt.Errorf("enroll kiosk %s: %w", name, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var revoked bool
	if err := db.pool.QueryRow(ctx, `SELECT revoked_at IS NOT NULL FROM kiosks WHERE name = $1`, name).Scan(&revoked); err != nil {
		return fmt.Errorf("enroll kiosk %s: %w", name, err)
	}
	if revoked {
		return fmt.Errorf("enroll kiosk %s: it was revoked: %w", name, passerelle.ErrExists)
	}
	return fmt.Errorf("enroll kiosk %s: it has joined already: %w", name, passerelle.ErrExists)
}

const kioskColumns = `name, enrolled_at, joined_at, revoked_at, last_seen,
	app_version, catalog_version, pending_events, free_disk_bytes, last_error`

func scanKiosk(row pgx.Row) (passerelle.Kiosk, error) {
	var k passerelle.Kiosk
	var enrolled time.Time
	var joined, revoked, seen pgtype.Timestamptz
	var pending int64
	err := row.Scan(&k.Name, &enrolled, &joined, &revoked, &seen, &k.Report.AppVersion,
		&k.Report.CatalogVersion, &pending, &k.Report.FreeDiskBytes, &k.Report.LastError)
	k.EnrolledAt, k.JoinedAt, k.RevokedAt, k.LastSeen = enrolled.UTC(), orZero(joined), orZero(revoked), orZero(seen)
	k.Report.PendingEvents = int(pending)
	return k, err
}

// JoinKiosk exchanges an enrollment token for a credential. The token's
// row is locked: of two joins with one token, the second finds it used.
func (db *HubDB) JoinKiosk(ctx context.Context, tokenHash, credentialHash []byte, now time.Time) (passerelle.Kiosk, error) {
	if len(tokenHash) == 0 || len(credentialHash) == 0 {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: no token: %w", passerelle.ErrUnauthorized)
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: %w", err)
	}
	defer tx.Rollback(context.Background())
	var id int64
	var expires time.Time
	var revoked bool
	err = tx.QueryRow(ctx, `SELECT id, token_expires, revoked_at IS NOT NULL FROM kiosks WHERE token_hash = $1 FOR UPDATE`,
		tokenHash).Scan(&id, &expires, &revoked)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: unknown or used token: %w", passerelle.ErrUnauthorized)
	case err != nil:
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: %w", err)
	case now.After(expires):
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: the token expired at %s: %w",
			expires.UTC().Format(time.RFC3339), passerelle.ErrUnauthorized)
	case revoked:
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: the kiosk was revoked: %w", passerelle.ErrUnauthorized)
	}
	k, err := scanKiosk(tx.QueryRow(ctx, `
		UPDATE kiosks SET token_hash = NULL, token_expires = NULL, credential_hash = $1, joined_at = $2
		WHERE id = $3
		RETURNING `+kioskColumns, credentialHash, now, id))
	if err != nil {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return passerelle.Kiosk{}, fmt.Errorf("join kiosk %s: commit: %w", k.Name, err)
	}
	return k, nil
}

// Authenticate finds the kiosk of a credential and records it as seen.
func (db *HubDB) Authenticate(ctx context.Context, credentialHash []byte, now time.Time) (passerelle.Kiosk, error) {
	if len(credentialHash) == 0 {
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: no credential: %w", passerelle.ErrUnauthorized)
	}
	k, err := scanKiosk(db.pool.QueryRow(ctx, `
		UPDATE kiosks SET last_seen = $1
		WHERE credential_hash = $2 AND revoked_at IS NULL
		RETURNING `+kioskColumns, now, credentialHash))
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: %w", err)
	}
	k, err = scanKiosk(db.pool.QueryRow(ctx, `SELECT `+kioskColumns+` FROM kiosks WHERE credential_hash = $1`, credentialHash))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: unknown credential: %w", passerelle.ErrUnauthorized)
	case err != nil:
		return passerelle.Kiosk{}, fmt.Errorf("authenticate: %w", err)
	}
	return k, fmt.Errorf("authenticate %s: %w", k.Name, passerelle.ErrRevoked)
}

// RevokeKiosk refuses a kiosk from now on; its first revocation time stays.
func (db *HubDB) RevokeKiosk(ctx context.Context, name string, now time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE kiosks SET revoked_at = coalesce(revoked_at, $1) WHERE name = $2`, now, name)
	if err != nil {
		return fmt.Errorf("revoke kiosk %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoke kiosk %s: %w", name, passerelle.ErrNotFound)
	}
	return nil
}

// SaveReport keeps a kiosk's latest report.
func (db *HubDB) SaveReport(ctx context.Context, kiosk string, r passerelle.KioskReport, now time.Time) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE kiosks SET app_version = $1, catalog_version = $2, pending_events = $3,
			free_disk_bytes = $4, last_error = $5, reported_at = $6
		WHERE name = $7`,
		r.AppVersion, r.CatalogVersion, r.PendingEvents, r.FreeDiskBytes, r.LastError, now, kiosk)
	if err != nil {
		return fmt.Errorf("save report of %s: %w", kiosk, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save report of %s: %w", kiosk, passerelle.ErrNotFound)
	}
	return nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Kiosks returns every kiosk, sorted by name (byte order, as SQLite's).
func (db *HubDB) Kiosks(ctx context.Context) ([]passerelle.Kiosk, error) {
	return kiosks(ctx, db.pool)
}

func kiosks(ctx context.Context, q querier) ([]passerelle.Kiosk, error) {
	rows, err := q.Query(ctx, `SELECT `+kioskColumns+` FROM kiosks ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list kiosks: %w", err)
	}
	ks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (passerelle.Kiosk, error) { return scanKiosk(row) })
	if err != nil {
		return nil, fmt.Errorf("list kiosks: %w", err)
	}
	return ks, nil
}

// validate refuses what the hub never stores: an event without an id, a
// session or a kind, or with a personal value (as SQLite's hub), and what
// PostgreSQL cannot keep (a NUL character, bytes that are not UTF-8, a
// year beyond its calendar), in plain words rather than as the server's
// encoding error.
func validate(e passerelle.Event) error {
	switch {
	case e.ID == "":
		return errors.New("no id")
	case e.SessionID == "":
		return fmt.Errorf("event %s: no session id", e.ID)
	case e.Kind == "":
		return fmt.Errorf("event %s: no kind", e.ID)
	case e.Personal != "":
		return fmt.Errorf("event %s carries a personal value: the hub never keeps one, the batch is refused", e.ID)
	case e.At.Year() < 1 || e.At.Year() > 9999:
		// PostgreSQL keeps years up to 294276; a kiosk's clock never
		// reads beyond 9999.
		return fmt.Errorf("event %s: its time %s is not a date (a broken clock?): the batch is refused", e.ID, e.At.UTC().Format(time.RFC3339))
	}
	for _, f := range []struct{ name, value string }{
		{"id", e.ID}, {"session", e.SessionID}, {"kind", string(e.Kind)}, {"language", string(e.Lang)},
		{"procedure", e.ProcedureID}, {"step", e.StepID}, {"answer", string(e.Answer)}, {"outcome", string(e.Outcome)},
	} {
		if !utf8.ValidString(f.value) || strings.ContainsRune(f.value, 0) {
			return fmt.Errorf("event %q: its %s is not text (a NUL character or bytes that are not UTF-8): the batch is refused",
				strings.ToValidUTF8(e.ID, "?"), f.name)
		}
	}
	return nil
}

// batchColumns are the columns of an upload, sent as one array each and
// read back as rows with unnest: a batch of any size is one statement.
const batchColumns = `unnest($2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[],
		$8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[])
	AS b (id, id_time, session_id, seq, kind, at, lang, procedure_id, procedure_version, step_id, answer, outcome)`

// insertBatch stores the batch's new events and sessions, adds them to
// the kiosk's counts, and settles the help marks its help_handled answer.
const insertBatch = `
		WITH k AS (SELECT id FROM kiosks WHERE name = $1),
		inserted AS (
			INSERT INTO events (id, id_time, kiosk_id, session_id, seq, kind, at, lang, procedure_id,
				procedure_version, step_id, answer, outcome)
			SELECT b.id, b.id_time, k.id, b.session_id, b.seq, b.kind, b.at, b.lang, b.procedure_id,
				b.procedure_version, b.step_id, b.answer, b.outcome
			FROM ` + batchColumns + `, k
			ON CONFLICT (id, id_time) DO NOTHING
			RETURNING session_id, seq, kind),
		new_sessions AS (
			INSERT INTO sessions (id, kiosk_id)
			SELECT DISTINCT i.session_id, k.id FROM inserted i, k
			WHERE i.kind = 'session_started' -- a user's session, not a staff event
			ORDER BY 1
			ON CONFLICT (id) DO NOTHING
			RETURNING 1),
		-- A help_handled stored answers the marks of its session's calls
		-- before it (help.go).
		settled AS (
			UPDATE help_marks m SET settled = true
			FROM inserted i, k
			WHERE i.kind = 'help_handled' AND m.kiosk_id = k.id AND m.session_id = i.session_id
				AND m.after_seq < i.seq AND NOT m.settled)
		UPDATE kiosks SET events_held = events_held + (SELECT count(*) FROM inserted),
			sessions_held = sessions_held + (SELECT count(*) FROM new_sessions)
		WHERE name = $1`

// selectConflicts reads back the stored events of the batch's ids whose
// content differs from what was sent.
const selectConflicts = `
		SELECT b.id, e.kiosk_id = k.id, e.session_id, e.seq, e.kind, e.at, e.lang, e.procedure_id,
			e.procedure_version, e.step_id, e.answer, e.outcome
		FROM ` + batchColumns + `
		CROSS JOIN (SELECT id FROM kiosks WHERE name = $1) k
		-- One primary key lookup per id, in its one partition (pruned at
		-- run time on id_time): never a join that scans the events. The
		-- OFFSET 0 keeps the planner from flattening the lookup into one.
		CROSS JOIN LATERAL (
			SELECT * FROM events e WHERE e.id = b.id AND e.id_time = b.id_time OFFSET 0) e
		WHERE (e.kiosk_id, e.session_id, e.seq, e.kind, e.at, e.lang, e.procedure_id,
				e.procedure_version, e.step_id, e.answer, e.outcome)
			IS DISTINCT FROM (k.id, b.session_id, b.seq, b.kind, b.at, b.lang, b.procedure_id,
				b.procedure_version, b.step_id, b.answer, b.outcome)`

// PutEvents stores a kiosk's events in one transaction and one round trip
// to the server: three statements sent together (a pipeline, run by
// PostgreSQL as one implicit transaction, all or nothing):
//
//  1. lock the kiosk's row: a kiosk's uploads (retries in flight
//     included) take turns, whichever hub received them;
//  2. insert the batch, skipping ids already stored (ON CONFLICT DO
//     NOTHING), record the new sessions, and add what was new to the
//     kiosk's counts;
//  3. read back the stored events whose id is in the batch and whose
//     content differs from what was sent: those are the conflicts. This
//     statement sees what 2 wrote and what other kiosks committed
//     meanwhile, so every id is either held or a conflict.
//
// The rules are SQLite's: the same id with the same content is held again,
// never stored twice; with another content or from another kiosk, it is a
// conflict and the stored event stays as it was; the first of an id sent
// twice in one batch counts.
func (db *HubDB) PutEvents(ctx context.Context, kiosk string, events []passerelle.Event) (held []string, conflicts []passerelle.EventConflict, err error) {
	for i, e := range events {
		if err := validate(e); err != nil {
			return nil, nil, fmt.Errorf("put events of %s: event %d of %d: %w", kiosk, i+1, len(events), err)
		}
	}
	if len(events) == 0 {
		return nil, nil, nil
	}
	batch := make([]passerelle.Event, 0, len(events))
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if !seen[e.ID] { // twice in the batch: held or refused once
			seen[e.ID] = true
			batch = append(batch, e)
		}
	}
	// Sorted, so that uploads sharing ids lock them in the same order.
	slices.SortFunc(batch, func(a, b passerelle.Event) int { return strings.Compare(a.ID, b.ID) })

	n := len(batch)
	var (
		ids, sessions, kinds, langs, procedures, steps, answers, outcomes = make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		idTimes, ats   = make([]pgtype.Timestamptz, n), make([]time.Time, n)
		seqs, versions = make([]int64, n), make([]int64, n)
		monthsOfBatch  = map[time.Time]bool{}
		first, last    = window(db.Now())
	)
	for i, e := range batch {
		ids[i], sessions[i], kinds[i], langs[i] = e.ID, e.SessionID, string(e.Kind), string(e.Lang)
		procedures[i], steps[i], answers[i], outcomes[i] = e.ProcedureID, e.StepID, e.Answer, string(e.Outcome)
		idTimes[i], ats[i] = idTime(e.ID), atPrecision(e.At)
		seqs[i], versions[i] = int64(e.Seq), int64(e.ProcedureVersion)
		if t := idTimes[i]; t.InfinityModifier == pgtype.Finite {
			if m := month(t.Time); !m.Before(first) && !m.After(last) {
				monthsOfBatch[m] = true
			}
		}
	}
	months := monthsFrom(month(db.Now()), last) // the months ahead, as time goes by
	for m := range monthsOfBatch {
		months = append(months, m)
	}
	db.ensureMonths(ctx, months)

	args := []any{kiosk, ids, idTimes, sessions, seqs, kinds, ats, langs, procedures, versions, steps, answers, outcomes}
	b := &pgx.Batch{}
	b.Queue(`SELECT id FROM kiosks WHERE name = $1 FOR UPDATE`, kiosk)
	b.Queue(insertBatch, args...)
	b.Queue(selectConflicts, args...)

	results := db.pool.SendBatch(ctx, b)
	defer results.Close()
	var kioskID int64
	if err := results.QueryRow().Scan(&kioskID); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			err = passerelle.ErrNotFound
		}
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	if _, err := results.Exec(); err != nil {
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	rows, err := results.Query()
	if err != nil {
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	stored := map[string]passerelle.Event{}
	sameKiosk := map[string]bool{}
	for rows.Next() {
		var s passerelle.Event
		var same bool
		var seq, version int64
		if err := rows.Scan(&s.ID, &same, &s.SessionID, &seq, &s.Kind, &s.At, &s.Lang, &s.ProcedureID,
			&version, &s.StepID, &s.Answer, &s.Outcome); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
		}
		s.Seq, s.ProcedureVersion = int(seq), int(version)
		stored[s.ID], sameKiosk[s.ID] = s, same
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("put events of %s: %w", kiosk, err)
	}
	// Close ends the implicit transaction: the batch is committed once it
	// returns without error, and only then acknowledged.
	if err := results.Close(); err != nil {
		return nil, nil, fmt.Errorf("put events of %s: commit: %w", kiosk, err)
	}
	for _, e := range events {
		if !seen[e.ID] {
			continue // already answered for
		}
		seen[e.ID] = false
		if s, ok := stored[e.ID]; ok {
			conflicts = append(conflicts, passerelle.EventConflict{ID: e.ID, Reason: difference(sameKiosk[e.ID], s, e)})
			continue
		}
		held = append(held, e.ID)
	}
	return held, conflicts, nil
}

// atPrecision is an event's time as stored: to the millisecond, as the
// kiosk and the SQLite hub keep it, so both hubs tell a conflict alike.
func atPrecision(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// difference says in plain words how the event sent differs from the one
// stored under its id.
func difference(sameKiosk bool, stored, sent passerelle.Event) string {
	if !sameKiosk {
		return "the hub holds an event with this id from another kiosk"
	}
	sent.At = atPrecision(sent.At)
	for _, f := range []struct {
		name       string
		held, sent any
	}{
		{"session", stored.SessionID, sent.SessionID},
		{"sequence number", stored.Seq, sent.Seq},
		{"kind", stored.Kind, sent.Kind},
		{"time", stored.At.UnixMilli(), sent.At.UnixMilli()},
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
	// Equal field by field in Go, different for PostgreSQL: cannot happen
	// with the columns above, but a conflict never goes without a reason.
	return "the hub holds an event with this id and another content: it keeps the one it has"
}

// EventIDs returns the ids of a kiosk's events, sorted. It reads every
// partition: it serves audits and the fault tests' comparisons, not the
// hub's hot path, and an index for it would slow every upload.
func (db *HubDB) EventIDs(ctx context.Context, kiosk string) ([]string, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT e.id FROM events e JOIN kiosks k ON k.id = e.kiosk_id
		WHERE k.name = $1 ORDER BY e.id COLLATE "C"`, kiosk)
	if err != nil {
		return nil, fmt.Errorf("event ids of %s: %w", kiosk, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("event ids of %s: %w", kiosk, err)
	}
	return ids, nil
}

// Totals counts the events and sessions held, from the kiosks' counts.
func (db *HubDB) Totals(ctx context.Context) (passerelle.HubTotals, error) {
	return hubTotals(ctx, db.pool)
}

func hubTotals(ctx context.Context, q querier) (passerelle.HubTotals, error) {
	var events, sessions int64
	if err := q.QueryRow(ctx, `SELECT coalesce(sum(events_held), 0), coalesce(sum(sessions_held), 0) FROM kiosks`).
		Scan(&events, &sessions); err != nil {
		return passerelle.HubTotals{}, fmt.Errorf("count events: %w", err)
	}
	return passerelle.HubTotals{Events: int(events), Sessions: int(sessions)}, nil
}

// PublishCatalog makes v the latest catalog, unless it is already. Hubs
// sharing the database each watch their catalog folder: an advisory lock
// makes their publications take turns, so "already latest" is true.
func (db *HubDB) PublishCatalog(ctx context.Context, v passerelle.CatalogVersion) (bool, error) {
	if v.Hash == "" {
		return false, errors.New("publish catalog: no hash")
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, publishLock); err != nil {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	var latest string
	err = tx.QueryRow(ctx, `SELECT hash FROM catalog_publications ORDER BY seq DESC LIMIT 1`).Scan(&latest)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	if latest == v.Hash {
		return false, nil
	}
	// A version published before keeps its archive: same hash, same content.
	if _, err := tx.Exec(ctx, `INSERT INTO catalog_versions (hash, archive) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`,
		v.Hash, v.Archive); err != nil {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO catalog_publications (hash, published_at) VALUES ($1, $2)`,
		v.Hash, v.PublishedAt); err != nil {
		return false, fmt.Errorf("publish catalog %s: %w", v.Hash, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("publish catalog %s: commit: %w", v.Hash, err)
	}
	return true, nil
}

// LatestCatalogHash returns the hash of the catalog published last, or
// ErrNotFound.
func (db *HubDB) LatestCatalogHash(ctx context.Context) (string, error) {
	var hash string
	err := db.pool.QueryRow(ctx, `SELECT hash FROM catalog_publications ORDER BY seq DESC LIMIT 1`).Scan(&hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", fmt.Errorf("latest catalog: none published: %w", passerelle.ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("latest catalog: %w", err)
	}
	return hash, nil
}

// LatestCatalog returns the catalog published last, or ErrNotFound.
func (db *HubDB) LatestCatalog(ctx context.Context) (passerelle.CatalogVersion, error) {
	var v passerelle.CatalogVersion
	err := db.pool.QueryRow(ctx, `
		SELECT p.hash, v.archive, p.published_at
		FROM catalog_publications p JOIN catalog_versions v ON v.hash = p.hash
		ORDER BY p.seq DESC LIMIT 1`).Scan(&v.Hash, &v.Archive, &v.PublishedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return v, fmt.Errorf("latest catalog: none published: %w", passerelle.ErrNotFound)
	case err != nil:
		return v, fmt.Errorf("latest catalog: %w", err)
	}
	v.PublishedAt = v.PublishedAt.UTC()
	return v, nil
}
