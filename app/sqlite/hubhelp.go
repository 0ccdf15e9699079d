package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passerelle/app/passerelle"
)

var _ passerelle.HubHelpDesk = (*HubDB)(nil)

// The hub's help calls are the kiosk's (help.go), per kiosk: a session id
// is the kiosk's own, so every statement matches kiosk and session
// together. A call is named by the seq of its session's last help_handled
// before it, 0 when none (migration 0004 says why): its marks are keyed
// so.
//
// hubOpenHelpCalls finds the sessions that asked since ?1 on the (kind, at)
// index, then each one's last help_handled and the help_asked after it on
// the (kind, session_id, at) index. The range is read INDEXED BY: after
// an ANALYZE, SQLite preferred to read every help_asked of the year in
// session order (DISTINCT's) over the last hours' range. calls is
// MATERIALIZED, or SQLite runs its subquery for each of its three uses.
// A call is in range when one of its help_asked is; its wait runs from
// its first help_asked, even an earlier one. The step is the last
// help_asked's, taken by id: two events of one seq (a kiosk's bug) cannot
// list a call twice.
const hubOpenHelpCalls = `
	WITH asking AS (
		SELECT DISTINCT kiosk_id, session_id FROM events INDEXED BY events_kind_at
		WHERE kind = 'help_asked' AND at >= ?1),
	calls AS MATERIALIZED (
		SELECT s.kiosk_id, s.session_id,
			COALESCE((SELECT MAX(h.seq) FROM events h WHERE h.kind = 'help_handled'
				AND h.kiosk_id = s.kiosk_id AND h.session_id = s.session_id), 0) AS after_seq
		FROM asking s),
	open AS (
		SELECT c.kiosk_id, c.session_id, c.after_seq, MIN(a.at) AS first_at,
			(SELECT l.id FROM events l WHERE l.kind = 'help_asked' AND l.kiosk_id = c.kiosk_id
				AND l.session_id = c.session_id ORDER BY l.seq DESC, l.id DESC LIMIT 1) AS last_id
		FROM calls c JOIN events a ON a.kind = 'help_asked' AND a.kiosk_id = c.kiosk_id
			AND a.session_id = c.session_id AND a.seq > c.after_seq
		GROUP BY c.kiosk_id, c.session_id, c.after_seq
		HAVING MAX(a.at) >= ?1)
	SELECT k.name, o.session_id, e.procedure_id, e.procedure_version, e.step_id, o.first_at,
		COALESCE(m.marked_by, ''), COALESCE(m.marked_at, 0)
	FROM open o
	JOIN kiosks k ON k.id = o.kiosk_id
	JOIN events e ON e.id = o.last_id
	LEFT JOIN help_marks m ON m.kiosk_id = o.kiosk_id AND m.session_id = o.session_id AND m.after_seq = o.after_seq
	ORDER BY o.first_at, k.name, o.session_id`

// HubOpenHelpCalls returns every kiosk's calls asked since since that no
// help_handled held answers, oldest first, with the hub's marks.
func (db *HubDB) HubOpenHelpCalls(ctx context.Context, since time.Time) ([]passerelle.HubHelpCall, error) {
	rows, err := db.rdb.QueryContext(ctx, hubOpenHelpCalls, toMillis(since))
	if err != nil {
		return nil, fmt.Errorf("open help calls: %w", err)
	}
	defer rows.Close()
	var calls []passerelle.HubHelpCall
	for rows.Next() {
		var c passerelle.HubHelpCall
		var asked, marked int64
		if err := rows.Scan(&c.Kiosk, &c.SessionID, &c.ProcedureID, &c.ProcedureVersion, &c.StepID, &asked,
			&c.MarkedBy, &marked); err != nil {
			return nil, fmt.Errorf("open help calls: %w", err)
		}
		c.AskedAt, c.MarkedAt = fromMillis(asked), fromMillisOrZero(marked)
		calls = append(calls, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open help calls: %w", err)
	}
	return calls, nil
}

// MarkHelpHandled records a staff member's mark on the open call of a
// kiosk's session. The call is read and the mark written in one
// transaction on the hub's one writing connection, so two staff marking
// at once are one first, one told ErrNoOpenCall.
func (db *HubDB) MarkHelpHandled(ctx context.Context, kiosk, sessionID, by string, now time.Time) error {
	if by == "" {
		return fmt.Errorf("mark help call of %s on %s: no staff name", sessionID, kiosk)
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, err)
	}
	defer tx.Rollback()
	var kioskID, after int64
	var open bool
	err = tx.QueryRowContext(ctx, `
		SELECT c.id, c.after_seq, EXISTS (SELECT 1 FROM events a WHERE a.kind = 'help_asked'
			AND a.kiosk_id = c.id AND a.session_id = ?2 AND a.seq > c.after_seq)
		FROM (SELECT k.id, COALESCE((SELECT MAX(h.seq) FROM events h WHERE h.kind = 'help_handled'
			AND h.kiosk_id = k.id AND h.session_id = ?2), 0) AS after_seq
			FROM kiosks k WHERE k.name = ?1) c`, kiosk, sessionID).Scan(&kioskID, &after, &open)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !open) {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, passerelle.ErrNoOpenCall)
	}
	if err != nil {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, err)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO help_marks (kiosk_id, session_id, after_seq, marked_by, marked_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, kioskID, sessionID, after, by, toMillis(now))
	if err != nil {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, err)
	} else if n == 0 {
		return fmt.Errorf("mark help call of %s on %s: marked already: %w", sessionID, kiosk, passerelle.ErrNoOpenCall)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark help call of %s on %s: commit: %w", sessionID, kiosk, err)
	}
	return nil
}

// HelpMarks returns the kiosk's marks whose call no help_handled held
// answers yet, oldest first. The settled flag (PutEvents) keeps the
// answered ones out of the index read; the NOT EXISTS is the rule itself.
func (db *HubDB) HelpMarks(ctx context.Context, kiosk string) ([]passerelle.HelpMark, error) {
	rows, err := db.rdb.QueryContext(ctx, `
		SELECT m.session_id, m.marked_at
		FROM help_marks m JOIN kiosks k ON k.id = m.kiosk_id
		WHERE k.name = ?1 AND m.settled = 0
			AND NOT EXISTS (SELECT 1 FROM events h WHERE h.kind = 'help_handled'
				AND h.kiosk_id = m.kiosk_id AND h.session_id = m.session_id AND h.seq > m.after_seq)
		ORDER BY m.marked_at, m.session_id`, kiosk)
	if err != nil {
		return nil, fmt.Errorf("help marks of %s: %w", kiosk, err)
	}
	defer rows.Close()
	var marks []passerelle.HelpMark
	for rows.Next() {
		var m passerelle.HelpMark
		var at int64
		if err := rows.Scan(&m.SessionID, &at); err != nil {
			return nil, fmt.Errorf("help marks of %s: %w", kiosk, err)
		}
		m.MarkedAt = fromMillis(at)
		marks = append(marks, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("help marks of %s: %w", kiosk, err)
	}
	return marks, nil
}

// settleHelpMarks is run by PutEvents for each help_handled it stores: the
// marks of the session's calls before it are answered for good.
const settleHelpMarks = `
	UPDATE help_marks SET settled = 1
	WHERE kiosk_id = ? AND session_id = ? AND after_seq < ? AND settled = 0`
