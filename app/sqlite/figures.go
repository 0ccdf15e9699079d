package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"passerelle/app/passerelle"
)

var (
	_ passerelle.FiguresSource = (*DB)(nil)
	_ passerelle.FiguresSource = (*HubDB)(nil)
)

// The statistics' SQL, shared by the kiosk's database and the hub's: the
// events tables are the same but for the hub's kiosk_id. In each query
// $KIOSK is the kiosk's name, $JOIN what finds it and $SAME what keeps a
// join within one kiosk; $DAY(col) numbers the local day of a time.
//
// Every query reads the events of the range only, through the index on
// (kind, at) (migration 0005, hub 0002). A session's outcome is its
// session_ended within MaxSessionLength of its start.
const (
	figuresSessions = `
		SELECT $DAY(s.at), $KIOSK, s.procedure_id, s.lang, COALESCE(e.outcome, ''),
			CASE WHEN e.outcome IN ('abandoned', 'timed_out') THEN e.step_id ELSE '' END, COUNT(*)
		FROM events s $JOIN
		LEFT JOIN events e ON e.session_id = s.session_id AND e.kind = 'session_ended'
			AND e.at >= s.at AND e.at < s.at + $MAXLEN $SAME
		WHERE s.kind = 'session_started' AND s.at >= ?1 AND s.at < ?2 $FILTER
		GROUP BY 1, 2, 3, 4, 5, 6`

	figuresHelpCalls = `
		SELECT $DAY(s.at), $KIOSK, s.procedure_id, s.step_id, COUNT(*)
		FROM events s $JOIN
		WHERE s.kind = 'help_asked' AND s.at >= ?1 AND s.at < ?2 $FILTER
		GROUP BY 1, 2, 3, 4`

	// A help_handled answers the calls of its session made since the one
	// before it (previous): the wait runs from the first of them.
	figuresHelpAnswered = `
		WITH handled AS (
			SELECT id, at, session_id, $KIOSKCOL
				lag(at) OVER (PARTITION BY session_id ORDER BY at) AS previous
			FROM events
			WHERE kind = 'help_handled' AND at >= ?1 - $MAXLEN AND at < ?2)
		SELECT $DAY(s.at), $KIOSK, s.at - MIN(e.at)
		FROM handled s $JOIN
		JOIN events e ON e.session_id = s.session_id AND e.kind = 'help_asked'
			AND e.at <= s.at AND e.at >= s.at - $MAXLEN AND (s.previous IS NULL OR e.at > s.previous) $SAME
		WHERE s.at >= ?1 AND s.at < ?2 $FILTER
		GROUP BY s.id, s.at, 2`
)

// figuresSQL fills a query of the statistics for one kind of database.
func figuresSQL(query string, q passerelle.FiguresQuery, hub bool) string {
	// The kiosk's own name is ?3; on a hub, ?3 is the kiosk asked for.
	kiosk, kioskCol, join, same, filter := "?3", "", "", "", ""
	if hub {
		kiosk, kioskCol, join, same = "k.name", "kiosk_id,", "JOIN kiosks k ON k.id = s.kiosk_id", "AND e.kiosk_id = s.kiosk_id"
		if q.Kiosk != "" {
			filter = "AND k.name = ?3"
		}
	}
	query = strings.NewReplacer("$KIOSKCOL", kioskCol, "$KIOSK", kiosk, "$JOIN", join, "$SAME", same, "$FILTER", filter,
		"$MAXLEN", strconv.FormatInt(passerelle.MaxSessionLength.Milliseconds(), 10)).Replace(query)
	return strings.ReplaceAll(query, "$DAY(s.at)", localDay("s.at", q.Spans()))
}

// localDay is the SQL numbering the local day of col (unix milliseconds):
// the time zone's offsets over the range are a CASE of a few branches.
// Only integers computed here go into the text.
func localDay(col string, spans []passerelle.ZoneSpan) string {
	last := spans[len(spans)-1]
	if len(spans) == 1 {
		return fmt.Sprintf("((%s + %d) / %d)", col, last.Offset, passerelle.LocalDayMillis)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "((%s + CASE", col)
	for _, s := range spans[:len(spans)-1] {
		fmt.Fprintf(&b, " WHEN %s < %d THEN %d", col, s.Until, s.Offset)
	}
	fmt.Fprintf(&b, " ELSE %d END) / %d)", last.Offset, passerelle.LocalDayMillis)
	return b.String()
}

// Figures counts the kiosk's sessions of the range. The kiosk is named as
// the hub knows it ("" before it joined one), so that its figures and the
// hub's compare; asked for another kiosk, it has no sessions.
func (db *DB) Figures(ctx context.Context, q passerelle.FiguresQuery) (passerelle.Figures, error) {
	if err := q.Validate(); err != nil {
		return passerelle.Figures{}, fmt.Errorf("figures: %w", err)
	}
	var name string
	err := db.rdb.QueryRowContext(ctx, `SELECT kiosk FROM hub_link`).Scan(&name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return passerelle.Figures{}, fmt.Errorf("figures: hub link: %w", err)
	}
	b := passerelle.NewFiguresBuilder(q)
	if q.Kiosk != "" && q.Kiosk != name {
		return b.Figures(), nil
	}
	if err := figures(ctx, db.rdb, q, false, b, toMillis(q.From), toMillis(q.To), name); err != nil {
		return passerelle.Figures{}, err
	}
	return b.Figures(), nil
}

// Figures counts the sessions of every kiosk, or of q.Kiosk, in the range.
func (db *HubDB) Figures(ctx context.Context, q passerelle.FiguresQuery) (passerelle.Figures, error) {
	if err := q.Validate(); err != nil {
		return passerelle.Figures{}, fmt.Errorf("figures: %w", err)
	}
	args := []any{toMillis(q.From), toMillis(q.To)}
	if q.Kiosk != "" {
		args = append(args, q.Kiosk)
	}
	b := passerelle.NewFiguresBuilder(q)
	if err := figures(ctx, db.rdb, q, true, b, args...); err != nil {
		return passerelle.Figures{}, err
	}
	return b.Figures(), nil
}

// figures runs the three queries, in one read transaction so that they
// count the same events, and feeds their rows to b.
func figures(ctx context.Context, pool *sql.DB, q passerelle.FiguresQuery, hub bool, b *passerelle.FiguresBuilder, args ...any) error {
	tx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	defer tx.Rollback()
	each := func(what, query string, scan func(*sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, figuresSQL(query, q, hub), args...)
		if err != nil {
			return fmt.Errorf("figures: %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("figures: %s: %w", what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("figures: %s: %w", what, err)
		}
		return nil
	}
	var (
		day, n, wait                 int64
		kiosk, procedure, step, lang string
		outcome                      string
	)
	if err := each("sessions", figuresSessions, func(r *sql.Rows) error {
		if err := r.Scan(&day, &kiosk, &procedure, &lang, &outcome, &step, &n); err != nil {
			return err
		}
		b.AddSessions(day, kiosk, procedure, passerelle.Lang(lang), passerelle.Outcome(outcome), step, int(n))
		return nil
	}); err != nil {
		return err
	}
	if err := each("help calls", figuresHelpCalls, func(r *sql.Rows) error {
		if err := r.Scan(&day, &kiosk, &procedure, &step, &n); err != nil {
			return err
		}
		b.AddHelpCalls(day, kiosk, procedure, step, int(n))
		return nil
	}); err != nil {
		return err
	}
	return each("help answered", figuresHelpAnswered, func(r *sql.Rows) error {
		if err := r.Scan(&day, &kiosk, &wait); err != nil {
			return err
		}
		b.AddHelpAnswer(day, kiosk, wait)
		return nil
	})
}

// ReadFigures reads the figures of a database file, a kiosk's or a hub's,
// for `passerelle stats`: read-only and without the lock, like ReadStats,
// so it works while the kiosk or the hub runs on the file. A file that is
// not a Passerelle database is refused with an *OpenError in plain words.
func ReadFigures(ctx context.Context, path string, q passerelle.FiguresQuery) (passerelle.Figures, error) {
	if err := q.Validate(); err != nil {
		return passerelle.Figures{}, fmt.Errorf("figures: %w", err)
	}
	if err := looksLikeDatabase(path); err != nil {
		return passerelle.Figures{}, err
	}
	pool, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(on)")
	if err != nil {
		return passerelle.Figures{}, statsProblem(path, err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	tables, err := tableNames(ctx, pool)
	if err != nil {
		return passerelle.Figures{}, statsProblem(path, err)
	}
	b := passerelle.NewFiguresBuilder(q)
	switch {
	case slices.Contains(tables, hubSchema.table) && slices.Contains(tables, "events"):
		args := []any{toMillis(q.From), toMillis(q.To)}
		if q.Kiosk != "" {
			args = append(args, q.Kiosk)
		}
		err = figures(ctx, pool, q, true, b, args...)
	case slices.Contains(tables, "events") && slices.Contains(tables, "schema_migrations"):
		var name string
		if slices.Contains(tables, "hub_link") {
			err = pool.QueryRowContext(ctx, `SELECT kiosk FROM hub_link`).Scan(&name)
			if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
		if err == nil && (q.Kiosk == "" || q.Kiosk == name) {
			err = figures(ctx, pool, q, false, b, toMillis(q.From), toMillis(q.To), name)
		}
	default:
		return passerelle.Figures{}, &OpenError{Path: path, Kind: ErrNotPasserelle,
			Message: fmt.Sprintf("%s is not a Passerelle database (a kiosk's or a hub's): give -db the file the kiosk or the hub runs on", path)}
	}
	if err != nil {
		return passerelle.Figures{}, statsProblem(path, err)
	}
	return b.Figures(), nil
}
