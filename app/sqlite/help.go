package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passerelle/app/passerelle"
)

var _ passerelle.HelpDesk = (*DB)(nil)

// A call is the help_asked events of a session after its last
// help_handled (or all of them, with none): open when there are some.
// The indexes of migration 0005 find the calls of the range (kind, at)
// and the last help_handled of each session (kind, session_id, at):
// BenchmarkOpenHelpCalls, 20,000 calls, 27 ms before, 0.1 ms after.
const (
	openHelpCalls = `
		WITH asked AS (
			SELECT a.session_id, MIN(a.at) AS first_at, MAX(a.seq) AS last_seq
			FROM events a
			WHERE a.kind = 'help_asked' AND a.at >= ?1 AND a.seq > COALESCE((SELECT MAX(h.seq) FROM events h
				WHERE h.kind = 'help_handled' AND h.session_id = a.session_id), 0)
			GROUP BY a.session_id)
		SELECT c.session_id, e.procedure_id, e.procedure_version, e.step_id, c.first_at, 0,
			COALESCE((SELECT MAX(h.seq) FROM events h
				WHERE h.kind = 'help_handled' AND h.session_id = c.session_id), 0)
		FROM asked c JOIN events e ON e.session_id = c.session_id AND e.seq = c.last_seq
		ORDER BY c.first_at, c.session_id`

	// A help_handled answers the calls of its session made since the one
	// before it: the wait runs from the first of them, as in figures.go.
	handledHelpCalls = `
		WITH handled AS (
			SELECT session_id, seq, at, procedure_id, procedure_version, step_id,
				COALESCE((SELECT MAX(p.seq) FROM events p WHERE p.session_id = h.session_id
					AND p.kind = 'help_handled' AND p.seq < h.seq), 0) AS previous
			FROM events h
			WHERE kind = 'help_handled' AND at >= ?1)
		SELECT h.session_id, h.procedure_id, h.procedure_version, h.step_id, MIN(a.at), h.at, h.previous
		FROM handled h JOIN events a ON a.session_id = h.session_id AND a.kind = 'help_asked'
			AND a.seq < h.seq AND a.seq > h.previous
		GROUP BY h.session_id, h.seq
		ORDER BY h.at DESC, h.session_id`
)

// OpenHelpCalls returns the calls asked since since that nobody marked
// handled, oldest first.
func (db *DB) OpenHelpCalls(ctx context.Context, since time.Time) ([]passerelle.HelpCall, error) {
	calls, err := helpCalls(ctx, db.rdb, openHelpCalls, since)
	if err != nil {
		return nil, fmt.Errorf("open help calls: %w", err)
	}
	return calls, nil
}

// HandledHelpCalls returns the calls handled since since, latest first.
func (db *DB) HandledHelpCalls(ctx context.Context, since time.Time) ([]passerelle.HelpCall, error) {
	calls, err := helpCalls(ctx, db.rdb, handledHelpCalls, since)
	if err != nil {
		return nil, fmt.Errorf("handled help calls: %w", err)
	}
	return calls, nil
}

func helpCalls(ctx context.Context, q *sql.DB, query string, since time.Time) ([]passerelle.HelpCall, error) {
	rows, err := q.QueryContext(ctx, query, toMillis(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var calls []passerelle.HelpCall
	for rows.Next() {
		var c passerelle.HelpCall
		var asked, handled int64
		if err := rows.Scan(&c.SessionID, &c.ProcedureID, &c.ProcedureVersion, &c.StepID, &asked, &handled, &c.AfterSeq); err != nil {
			return nil, err
		}
		c.AskedAt = fromMillis(asked)
		if handled != 0 {
			c.HandledAt = fromMillis(handled)
		}
		calls = append(calls, c)
	}
	return calls, rows.Err()
}

// HandleHelpCall appends help_handled to the session of an open call, in
// one transaction with the reading of its last Seq, so two marks never
// take the same Seq and a second mark finds no open call.
func (db *DB) HandleHelpCall(ctx context.Context, sessionID string, now time.Time) (passerelle.Event, error) {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return passerelle.Event{}, fmt.Errorf("handle help call %s: %w", sessionID, err)
	}
	defer tx.Rollback()
	e := passerelle.Event{ID: passerelle.NewID(now), SessionID: sessionID, Kind: passerelle.EventHelpHandled, At: now}
	var lastKind string
	err = tx.QueryRowContext(ctx, `
		SELECT (SELECT MAX(seq) FROM events WHERE session_id = ?1),
			procedure_id, procedure_version, step_id, kind
		FROM events
		WHERE session_id = ?1 AND kind IN ('help_asked', 'help_handled')
		ORDER BY seq DESC LIMIT 1`, sessionID).Scan(&e.Seq, &e.ProcedureID, &e.ProcedureVersion, &e.StepID, &lastKind)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && lastKind != string(passerelle.EventHelpAsked)) {
		return passerelle.Event{}, fmt.Errorf("handle help call %s: %w", sessionID, passerelle.ErrNoOpenCall)
	}
	if err != nil {
		return passerelle.Event{}, fmt.Errorf("handle help call %s: %w", sessionID, err)
	}
	e.Seq++
	if err := insertEvent(ctx, tx, e); err != nil {
		return passerelle.Event{}, fmt.Errorf("handle help call %s: %w", sessionID, err)
	}
	if err := tx.Commit(); err != nil {
		return passerelle.Event{}, fmt.Errorf("handle help call %s: commit: %w", sessionID, err)
	}
	return e, nil
}
