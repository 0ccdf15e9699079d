package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passerelle/app/passerelle"
)

var _ passerelle.Outbox = (*DB)(nil)

// Unsent returns the oldest events the hub has not acknowledged, without
// their personal values: personal_values is not even read.
func (db *DB) Unsent(ctx context.Context, limit int) ([]passerelle.Event, error) {
	events, err := db.unsent(ctx, unsentEvents, limit)
	if err != nil {
		return nil, fmt.Errorf("unsent events: %w", err)
	}
	return events, nil
}

// UnsentHelp returns the oldest help events (help_asked, help_handled) the
// hub has not acknowledged, as Unsent does.
func (db *DB) UnsentHelp(ctx context.Context, limit int) ([]passerelle.Event, error) {
	events, err := db.unsent(ctx, unsentHelpEvents, limit)
	if err != nil {
		return nil, fmt.Errorf("unsent help events: %w", err)
	}
	return events, nil
}

// The unsent events, and the unsent help events alone. Both read the
// pending marks through their partial index, then each pending event by
// its id: a kiosk long offline reads its backlog without the sent events
// (BenchmarkUnsentHelp).
const (
	unsentColumns = `
		SELECT e.id, e.session_id, e.seq, e.kind, e.at, e.lang, e.procedure_id,
			e.procedure_version, e.step_id, e.answer, e.outcome
		FROM sync_marks m JOIN events e ON e.id = m.event_id
		WHERE m.sent_at IS NULL AND m.conflict IS NULL`
	unsentEvents = unsentColumns + `
		ORDER BY m.seq
		LIMIT ?`
	unsentHelpEvents = unsentColumns + ` AND e.kind IN ('help_asked', 'help_handled')
		ORDER BY m.seq
		LIMIT ?`
)

func (db *DB) unsent(ctx context.Context, query string, limit int) ([]passerelle.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.rdb.QueryContext(ctx, query, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []passerelle.Event
	for rows.Next() {
		var e passerelle.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.SessionID, &e.Seq, &e.Kind, &at, &e.Lang, &e.ProcedureID,
			&e.ProcedureVersion, &e.StepID, &e.Answer, &e.Outcome); err != nil {
			return nil, err
		}
		e.At = fromMillis(at)
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return events, nil
}

// MarkSent records that the hub holds these events. An event marked
// already keeps its first time; an unknown id changes nothing.
func (db *DB) MarkSent(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark events sent: %w", err)
	}
	defer tx.Rollback()
	mark, err := tx.PrepareContext(ctx, `UPDATE sync_marks SET sent_at = ? WHERE event_id = ? AND sent_at IS NULL AND conflict IS NULL`)
	if err != nil {
		return fmt.Errorf("mark events sent: %w", err)
	}
	defer mark.Close()
	for _, id := range ids {
		if _, err := mark.ExecContext(ctx, toMillis(at), id); err != nil {
			return fmt.Errorf("mark event %s sent: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark events sent: commit: %w", err)
	}
	return nil
}

// MarkConflicts records events the hub refused: they are not sent again.
func (db *DB) MarkConflicts(ctx context.Context, conflicts []passerelle.EventConflict, at time.Time) error {
	if len(conflicts) == 0 {
		return nil
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark conflicts: %w", err)
	}
	defer tx.Rollback()
	mark, err := tx.PrepareContext(ctx, `
		UPDATE sync_marks SET conflict = ?, conflict_at = ?
		WHERE event_id = ? AND sent_at IS NULL AND conflict IS NULL`)
	if err != nil {
		return fmt.Errorf("mark conflicts: %w", err)
	}
	defer mark.Close()
	for _, c := range conflicts {
		reason := c.Reason
		if reason == "" {
			reason = "refused by the hub"
		}
		if _, err := mark.ExecContext(ctx, reason, toMillis(at), c.ID); err != nil {
			return fmt.Errorf("mark event %s in conflict: %w", c.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark conflicts: commit: %w", err)
	}
	return nil
}

// Pending counts the events neither sent nor in conflict.
func (db *DB) Pending(ctx context.Context) (int, error) {
	var n int
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_marks WHERE sent_at IS NULL AND conflict IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending events: %w", err)
	}
	return n, nil
}

// HubLink returns how to reach the hub, or ErrNotFound before joining.
func (db *DB) HubLink(ctx context.Context) (passerelle.HubLink, error) {
	var l passerelle.HubLink
	var joined int64
	err := db.rdb.QueryRowContext(ctx, `SELECT url, kiosk, credential, ca_cert, joined_at FROM hub_link`).
		Scan(&l.URL, &l.Kiosk, &l.Credential, &l.CACert, &joined)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return l, fmt.Errorf("hub link: the kiosk has joined no hub: %w", passerelle.ErrNotFound)
	case err != nil:
		return l, fmt.Errorf("hub link: %w", err)
	}
	if len(l.CACert) == 0 {
		l.CACert = nil
	}
	l.JoinedAt = fromMillisOrZero(joined)
	return l, nil
}

// SaveHubLink stores the link to the hub, replacing any previous one.
func (db *DB) SaveHubLink(ctx context.Context, l passerelle.HubLink) error {
	if l.URL == "" || l.Kiosk == "" || l.Credential == "" {
		return errors.New("save hub link: the hub's address, the kiosk's name and its credential are all needed")
	}
	_, err := db.wdb.ExecContext(ctx, `
		INSERT INTO hub_link (one, url, kiosk, credential, ca_cert, joined_at) VALUES (1, ?, ?, ?, ?, ?)
		ON CONFLICT (one) DO UPDATE SET url = excluded.url, kiosk = excluded.kiosk,
			credential = excluded.credential, ca_cert = excluded.ca_cert, joined_at = excluded.joined_at`,
		l.URL, l.Kiosk, l.Credential, append([]byte{}, l.CACert...), toMillisOrZero(l.JoinedAt))
	if err != nil {
		return fmt.Errorf("save hub link: %w", err)
	}
	return nil
}

// SyncStatus returns the last sync's outcome, zero before any.
func (db *DB) SyncStatus(ctx context.Context) (passerelle.SyncStatus, error) {
	return syncStatus(ctx, db.rdb)
}

func syncStatus(ctx context.Context, q *sql.DB) (passerelle.SyncStatus, error) {
	var s passerelle.SyncStatus
	var attempt, success int64
	err := q.QueryRowContext(ctx, `SELECT last_attempt, last_success, last_error, catalog_version FROM sync_status`).
		Scan(&attempt, &success, &s.LastError, &s.CatalogVersion)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("sync status: %w", err)
	}
	s.LastAttempt, s.LastSuccess = fromMillisOrZero(attempt), fromMillisOrZero(success)
	return s, nil
}

// SaveSyncStatus stores the last sync's outcome.
func (db *DB) SaveSyncStatus(ctx context.Context, s passerelle.SyncStatus) error {
	_, err := db.wdb.ExecContext(ctx, `
		INSERT INTO sync_status (one, last_attempt, last_success, last_error, catalog_version) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (one) DO UPDATE SET last_attempt = excluded.last_attempt, last_success = excluded.last_success,
			last_error = excluded.last_error, catalog_version = excluded.catalog_version`,
		toMillisOrZero(s.LastAttempt), toMillisOrZero(s.LastSuccess), s.LastError, s.CatalogVersion)
	if err != nil {
		return fmt.Errorf("save sync status: %w", err)
	}
	return nil
}
