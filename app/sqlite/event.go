package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"passerelle/app/passerelle"
)

var _ passerelle.Store = (*DB)(nil)

// Times are stored as unix milliseconds, like the time part of the UUIDv7
// ids: an event's At comes back truncated to the millisecond, in UTC.
func toMillis(t time.Time) int64    { return t.UnixMilli() }
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// Append saves events in one transaction and returns once it is committed
// and synced to disk. Personal values go to their own table.
func (db *DB) Append(ctx context.Context, events ...passerelle.Event) error {
	for i, e := range events {
		if err := validate(e); err != nil {
			return fmt.Errorf("append events: event %d of %d: %w", i+1, len(events), err)
		}
	}
	if len(events) == 0 {
		return nil
	}

	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	defer tx.Rollback()
	for _, e := range events {
		if err := insertEvent(ctx, tx, e); err != nil {
			return fmt.Errorf("append events: %w", err)
		}
	}
	// A full disk or a failed sync shows here, and nothing of the batch
	// is kept.
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append events: commit: %w", err)
	}
	return nil
}

// validate checks what the database needs to keep an event findable.
func validate(e passerelle.Event) error {
	switch {
	case e.ID == "":
		return errors.New("no id")
	case e.SessionID == "":
		return fmt.Errorf("event %s: no session id", e.ID)
	case e.Kind == "":
		return fmt.Errorf("event %s: no kind", e.ID)
	}
	return nil
}

func insertEvent(ctx context.Context, tx *sql.Tx, e passerelle.Event) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO events (id, session_id, seq, kind, at, lang, procedure_id,
			procedure_version, step_id, answer, outcome)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.SessionID, e.Seq, string(e.Kind), toMillis(e.At), string(e.Lang), e.ProcedureID,
		e.ProcedureVersion, e.StepID, e.Answer, string(e.Outcome))
	if err != nil {
		var serr *sqlite.Error
		if errors.As(err, &serr) {
			switch serr.Code() {
			case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
				return fmt.Errorf("event %s: id already stored: %w", e.ID, err)
			case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
				return fmt.Errorf("event %s: session %s already has seq %d: %w", e.ID, e.SessionID, e.Seq, err)
			}
		}
		return fmt.Errorf("event %s: %w", e.ID, err)
	}
	if e.Personal == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO personal_values (event_id, value, at) VALUES (?, ?, ?)`,
		e.ID, e.Personal, toMillis(e.At)); err != nil {
		return fmt.Errorf("event %s: personal value: %w", e.ID, err)
	}
	return nil
}

// SessionEvents returns a session's events in seq order, with their
// personal values unless purged, or ErrNotFound.
func (db *DB) SessionEvents(ctx context.Context, sessionID string) ([]passerelle.Event, error) {
	rows, err := db.rdb.QueryContext(ctx, `
		SELECT e.id, e.session_id, e.seq, e.kind, e.at, e.lang, e.procedure_id,
			e.procedure_version, e.step_id, e.answer, e.outcome, COALESCE(p.value, '')
		FROM events e
		LEFT JOIN personal_values p ON p.event_id = e.id
		WHERE e.session_id = ?
		ORDER BY e.seq`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("session events %s: %w", sessionID, err)
	}
	defer rows.Close()

	var events []passerelle.Event
	for rows.Next() {
		var e passerelle.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.SessionID, &e.Seq, &e.Kind, &at, &e.Lang, &e.ProcedureID,
			&e.ProcedureVersion, &e.StepID, &e.Answer, &e.Outcome, &e.Personal); err != nil {
			return nil, fmt.Errorf("session events %s: %w", sessionID, err)
		}
		e.At = fromMillis(at)
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session events %s: %w", sessionID, err)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("session events %s: %w", sessionID, passerelle.ErrNotFound)
	}
	return events, nil
}

// CloseInterrupted appends, in one transaction, a session_ended event with
// outcome "interrupted" to every session that has none, and returns the ids
// of those sessions in order. A second call finds nothing to close.
func (db *DB) CloseInterrupted(ctx context.Context, now time.Time) ([]string, error) {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("close interrupted sessions: %w", err)
	}
	defer tx.Rollback()

	// The last event of every session without a session_ended one. In
	// SQLite, the bare columns of a MAX() aggregate come from the row that
	// holds the maximum: the procedure is the one of the last event. Only
	// users' sessions end: staff events, and a help call made outside a
	// procedure (help_asked, then help_handled), are each alone under an id
	// that never was a user's session.
	rows, err := tx.QueryContext(ctx, `
		SELECT session_id, MAX(seq), procedure_id, procedure_version
		FROM events
		WHERE kind NOT LIKE ? ESCAPE '\'
		GROUP BY session_id
		HAVING SUM(kind = ?) = 0 AND SUM(kind NOT IN (?, ?)) > 0
		ORDER BY session_id`, `staff\_%`, string(passerelle.EventSessionEnded),
		string(passerelle.EventHelpAsked), string(passerelle.EventHelpHandled))
	if err != nil {
		return nil, fmt.Errorf("close interrupted sessions: %w", err)
	}
	var ends []passerelle.Event
	for rows.Next() {
		e := passerelle.Event{
			ID:      passerelle.NewID(now),
			Kind:    passerelle.EventSessionEnded,
			At:      now,
			Outcome: passerelle.OutcomeInterrupted,
		}
		if err := rows.Scan(&e.SessionID, &e.Seq, &e.ProcedureID, &e.ProcedureVersion); err != nil {
			rows.Close()
			return nil, fmt.Errorf("close interrupted sessions: %w", err)
		}
		e.Seq++
		ends = append(ends, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("close interrupted sessions: %w", err)
	}

	ids := make([]string, 0, len(ends))
	for _, e := range ends {
		if err := insertEvent(ctx, tx, e); err != nil {
			return nil, fmt.Errorf("close interrupted sessions: %w", err)
		}
		ids = append(ids, e.SessionID)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("close interrupted sessions: commit: %w", err)
	}
	return ids, nil
}

// PurgePersonal deletes the personal values of events older than before
// and returns how many it deleted. The events stay.
//
// The rows are overwritten with zeros (secure_delete), then the WAL, which
// still holds copies of the pages as they were, is checkpointed and
// truncated, so the values leave the files, not only the tables.
func (db *DB) PurgePersonal(ctx context.Context, before time.Time) (int, error) {
	res, err := db.wdb.ExecContext(ctx, `DELETE FROM personal_values WHERE at < ?`, toMillis(before))
	if err != nil {
		return 0, fmt.Errorf("purge personal values: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge personal values: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var busy, walPages, checkpointed int
	if err := db.wdb.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &walPages, &checkpointed); err != nil {
		return int(n), fmt.Errorf("purge personal values: %d deleted, but the WAL keeps copies: %w", n, err)
	}
	if busy != 0 {
		return int(n), fmt.Errorf("purge personal values: %d deleted, but the WAL keeps copies: readers kept it busy", n)
	}
	return int(n), nil
}
