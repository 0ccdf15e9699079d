package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"passerelle/app/passerelle"
)

var _ passerelle.HubHelpDesk = (*HubDB)(nil)

// The help calls are the SQLite hub's (app/sqlite/hubhelp.go says the
// rules): every statement matches kiosk and session together, and a call
// is named by the seq of its session's last help_handled before it.
//
// hubOpenHelpCalls reads the sessions that asked since $1 on the
// statistics' index (events_figures: kind, at, with kiosk and session),
// then each one's last help_handled, its help_asked after it and the last
// of them on events_help (migration 0004), one lookup per partition: a
// session's events may lie in any month. Sessions are ordered as SQLite
// orders them, byte by byte.
const hubOpenHelpCalls = `
	WITH asking AS (
		SELECT DISTINCT kiosk_id, session_id FROM events
		WHERE kind = 'help_asked' AND at >= $1),
	calls AS (
		SELECT s.kiosk_id, s.session_id, coalesce(h.seq, 0) AS after_seq
		FROM asking s CROSS JOIN LATERAL (
			SELECT max(h.seq) AS seq FROM events h
			WHERE h.kind = 'help_handled' AND h.kiosk_id = s.kiosk_id AND h.session_id = s.session_id) h)
	SELECT k.name, c.session_id, l.procedure_id, l.procedure_version, l.step_id, a.first_at,
		coalesce(m.marked_by, ''), m.marked_at
	FROM calls c
	CROSS JOIN LATERAL (
		SELECT min(a.at) AS first_at, max(a.at) AS last_at FROM events a
		WHERE a.kind = 'help_asked' AND a.kiosk_id = c.kiosk_id AND a.session_id = c.session_id
			AND a.seq > c.after_seq) a
	CROSS JOIN LATERAL (
		SELECT l.procedure_id, l.procedure_version, l.step_id FROM events l
		WHERE l.kind = 'help_asked' AND l.kiosk_id = c.kiosk_id AND l.session_id = c.session_id
		ORDER BY l.seq DESC, l.id DESC LIMIT 1) l
	JOIN kiosks k ON k.id = c.kiosk_id
	LEFT JOIN help_marks m ON m.kiosk_id = c.kiosk_id AND m.session_id = c.session_id AND m.after_seq = c.after_seq
	WHERE a.last_at >= $1
	ORDER BY a.first_at, k.name COLLATE "C", c.session_id COLLATE "C"`

// HubOpenHelpCalls returns every kiosk's calls asked since since that no
// help_handled held answers, oldest first, with the hub's marks.
func (db *HubDB) HubOpenHelpCalls(ctx context.Context, since time.Time) ([]passerelle.HubHelpCall, error) {
	rows, err := db.pool.Query(ctx, hubOpenHelpCalls, since)
	if err != nil {
		return nil, fmt.Errorf("open help calls: %w", err)
	}
	calls, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (passerelle.HubHelpCall, error) {
		var c passerelle.HubHelpCall
		var version int64
		var marked pgtype.Timestamptz
		err := row.Scan(&c.Kiosk, &c.SessionID, &c.ProcedureID, &version, &c.StepID, &c.AskedAt, &c.MarkedBy, &marked)
		c.ProcedureVersion, c.AskedAt, c.MarkedAt = int(version), c.AskedAt.UTC(), orZero(marked)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("open help calls: %w", err)
	}
	return calls, nil
}

// isText tells the strings PostgreSQL can compare with what it holds: no
// event was stored with a NUL character or bytes that are not UTF-8
// (validate), so a name or session id of that sort has no call.
func isText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// MarkHelpHandled records a staff member's mark on the open call of a
// kiosk's session. The kiosk's row is locked FOR SHARE, so that the
// kiosk's uploads (which lock it FOR UPDATE) wait for the mark, or the
// mark for them: a help_handled stored meanwhile is seen, or settles the
// mark. Two staff marking at once: the primary key makes one first.
func (db *HubDB) MarkHelpHandled(ctx context.Context, kiosk, sessionID, by string, now time.Time) error {
	if by == "" || !isText(by) {
		return fmt.Errorf("mark help call of %s on %s: the staff name %q is not a name", sessionID, kiosk, by)
	}
	if !isText(kiosk) || !isText(sessionID) {
		return fmt.Errorf("mark help call of %q on %q: %w", sessionID, kiosk, passerelle.ErrNoOpenCall)
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, err)
	}
	defer tx.Rollback(context.Background())
	var kioskID, after int64
	var open bool
	err = tx.QueryRow(ctx, `SELECT id FROM kiosks WHERE name = $1 FOR SHARE`, kiosk).Scan(&kioskID)
	if err == nil {
		err = tx.QueryRow(ctx, `
			SELECT c.after_seq, EXISTS (SELECT 1 FROM events a WHERE a.kind = 'help_asked'
				AND a.kiosk_id = $1 AND a.session_id = $2 AND a.seq > c.after_seq)
			FROM (SELECT coalesce(max(h.seq), 0) AS after_seq FROM events h
				WHERE h.kind = 'help_handled' AND h.kiosk_id = $1 AND h.session_id = $2) c`,
			kioskID, sessionID).Scan(&after, &open)
	}
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !open) {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, passerelle.ErrNoOpenCall)
	}
	if err != nil {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, err)
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO help_marks (kiosk_id, session_id, after_seq, marked_by, marked_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, kioskID, sessionID, after, by, now)
	if err != nil {
		return fmt.Errorf("mark help call of %s on %s: %w", sessionID, kiosk, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mark help call of %s on %s: marked already: %w", sessionID, kiosk, passerelle.ErrNoOpenCall)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("mark help call of %s on %s: commit: %w", sessionID, kiosk, err)
	}
	return nil
}

// HelpMarks returns the kiosk's marks whose call no help_handled held
// answers yet, oldest first. The settled flag (PutEvents) keeps the
// answered ones out of the index read; the NOT EXISTS is the rule itself.
func (db *HubDB) HelpMarks(ctx context.Context, kiosk string) ([]passerelle.HelpMark, error) {
	if !isText(kiosk) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT m.session_id, m.marked_at
		FROM help_marks m JOIN kiosks k ON k.id = m.kiosk_id
		WHERE k.name = $1 AND NOT m.settled
			AND NOT EXISTS (SELECT 1 FROM events h WHERE h.kind = 'help_handled'
				AND h.kiosk_id = m.kiosk_id AND h.session_id = m.session_id AND h.seq > m.after_seq)
		ORDER BY m.marked_at, m.session_id COLLATE "C"`, kiosk)
	if err != nil {
		return nil, fmt.Errorf("help marks of %s: %w", kiosk, err)
	}
	marks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (passerelle.HelpMark, error) {
		var m passerelle.HelpMark
		err := row.Scan(&m.SessionID, &m.MarkedAt)
		m.MarkedAt = m.MarkedAt.UTC()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("help marks of %s: %w", kiosk, err)
	}
	return marks, nil
}
