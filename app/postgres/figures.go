package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"passerelle/app/passerelle"
)

var _ passerelle.FiguresSource = (*HubDB)(nil)

// The statistics' SQL: the SQLite hub's (app/sqlite/figures.go), with
// PostgreSQL's types. Each events alias is bounded on id_time, the
// partition key, as well as on at: PostgreSQL then reads only the months
// of the range (and the default partition, where an id that is not a
// UUIDv7 lives). For Passerelle's ids id_time is at, to the millisecond,
// so the bound removes nothing the SQLite hub would count.
//
// $1 and $2 are the range, $3 the kiosk when one is asked; $DAY(s.at)
// numbers the local day; $MS(col) is a time in unix milliseconds.
const (
	figuresSessions = `
		SELECT $DAY(s.at), k.name, s.procedure_id, s.lang, coalesce(e.outcome, ''),
			CASE WHEN e.outcome IN ('abandoned', 'timed_out') THEN e.step_id ELSE '' END, count(*)
		FROM events s JOIN kiosks k ON k.id = s.kiosk_id
		LEFT JOIN events e ON e.session_id = s.session_id AND e.kind = 'session_ended' AND e.kiosk_id = s.kiosk_id
			AND e.at >= s.at AND e.at < s.at + $MAXLEN
			AND e.at >= $1 AND e.at < $2::timestamptz + $MAXLEN
			AND (e.id_time >= $1 AND e.id_time < $2::timestamptz + $MAXLEN OR e.id_time = '-infinity')
		WHERE s.kind = 'session_started' AND s.at >= $1 AND s.at < $2
			AND (s.id_time >= $1 AND s.id_time < $2 OR s.id_time = '-infinity') $FILTER
		GROUP BY 1, 2, 3, 4, 5, 6`

	figuresHelpCalls = `
		SELECT $DAY(s.at), k.name, s.procedure_id, s.step_id, count(*)
		FROM events s JOIN kiosks k ON k.id = s.kiosk_id
		WHERE s.kind = 'help_asked' AND s.at >= $1 AND s.at < $2
			AND (s.id_time >= $1 AND s.id_time < $2 OR s.id_time = '-infinity') $FILTER
		GROUP BY 1, 2, 3, 4`

	// A help_handled answers the calls of its session made since the one
	// before it (previous): the wait runs from the first of them.
	figuresHelpAnswered = `
		WITH handled AS (
			SELECT id, id_time, at, session_id, kiosk_id,
				lag(at) OVER (PARTITION BY session_id ORDER BY at) AS previous
			FROM events
			WHERE kind = 'help_handled' AND at >= $1::timestamptz - $MAXLEN AND at < $2
				AND (id_time >= $1::timestamptz - $MAXLEN AND id_time < $2 OR id_time = '-infinity'))
		SELECT $DAY(s.at), k.name, $MS(s.at) - min($MS(e.at))
		FROM handled s JOIN kiosks k ON k.id = s.kiosk_id
		JOIN events e ON e.session_id = s.session_id AND e.kind = 'help_asked' AND e.kiosk_id = s.kiosk_id
			AND e.at <= s.at AND e.at >= s.at - $MAXLEN AND (s.previous IS NULL OR e.at > s.previous)
			AND e.at >= $1::timestamptz - $MAXLEN AND e.at < $2
			AND (e.id_time >= $1::timestamptz - $MAXLEN AND e.id_time < $2 OR e.id_time = '-infinity')
		WHERE s.at >= $1 AND s.at < $2 $FILTER
		GROUP BY s.id, s.id_time, s.at, k.name`
)

// figuresSQL fills a query of the statistics.
func figuresSQL(query string, q passerelle.FiguresQuery) string {
	filter := ""
	if q.Kiosk != "" {
		filter = "AND k.name = $3"
	}
	query = strings.NewReplacer("$FILTER", filter,
		"$MAXLEN", fmt.Sprintf("interval '%d milliseconds'", passerelle.MaxSessionLength.Milliseconds())).Replace(query)
	query = strings.ReplaceAll(query, "$DAY(s.at)", localDay(millis("s.at"), q.Spans()))
	return strings.NewReplacer("$MS(s.at)", millis("s.at"), "$MS(e.at)", millis("e.at")).Replace(query)
}

// millis is a time column in unix milliseconds, as SQLite stores it.
func millis(col string) string {
	return fmt.Sprintf("(extract(epoch FROM %s) * 1000)::bigint", col)
}

// localDay numbers the local day of ms, as app/sqlite does: floor
// division, with the zone's offsets over the range as a CASE.
func localDay(ms string, spans []passerelle.ZoneSpan) string {
	last := spans[len(spans)-1]
	if len(spans) == 1 {
		return fmt.Sprintf("div(%s + %d, %d)", ms, last.Offset, passerelle.LocalDayMillis)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "div(%s + CASE", ms)
	for _, s := range spans[:len(spans)-1] {
		fmt.Fprintf(&b, " WHEN %s < %d THEN %d", ms, s.Until, s.Offset)
	}
	fmt.Fprintf(&b, " ELSE %d END, %d)", last.Offset, passerelle.LocalDayMillis)
	return b.String()
}

// Figures counts the sessions of every kiosk, or of q.Kiosk, in the
// range, in one read-only snapshot so that the three queries count the
// same events.
func (db *HubDB) Figures(ctx context.Context, q passerelle.FiguresQuery) (passerelle.Figures, error) {
	if err := q.Validate(); err != nil {
		return passerelle.Figures{}, fmt.Errorf("figures: %w", err)
	}
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return passerelle.Figures{}, fmt.Errorf("figures: %w", err)
	}
	defer tx.Rollback(context.Background())
	b := passerelle.NewFiguresBuilder(q)
	if err := figures(ctx, tx, q, b); err != nil {
		return passerelle.Figures{}, err
	}
	return b.Figures(), nil
}

func figures(ctx context.Context, tx querier, q passerelle.FiguresQuery, b *passerelle.FiguresBuilder) error {
	args := []any{q.From, q.To}
	if q.Kiosk != "" {
		args = append(args, q.Kiosk)
	}
	each := func(what, query string, scan func(pgx.Rows) error) error {
		rows, err := tx.Query(ctx, figuresSQL(query, q), args...)
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
		day, n, wait                          int64
		kiosk, procedure, step, lang, outcome string
	)
	if err := each("sessions", figuresSessions, func(r pgx.Rows) error {
		if err := r.Scan(&day, &kiosk, &procedure, &lang, &outcome, &step, &n); err != nil {
			return err
		}
		b.AddSessions(day, kiosk, procedure, passerelle.Lang(lang), passerelle.Outcome(outcome), step, int(n))
		return nil
	}); err != nil {
		return err
	}
	if err := each("help calls", figuresHelpCalls, func(r pgx.Rows) error {
		if err := r.Scan(&day, &kiosk, &procedure, &step, &n); err != nil {
			return err
		}
		b.AddHelpCalls(day, kiosk, procedure, step, int(n))
		return nil
	}); err != nil {
		return err
	}
	return each("help answered", figuresHelpAnswered, func(r pgx.Rows) error {
		if err := r.Scan(&day, &kiosk, &wait); err != nil {
			return err
		}
		b.AddHelpAnswer(day, kiosk, wait)
		return nil
	})
}

// ReadFigures reads the figures of the hub database at dsn, for
// `passerelle stats`, while hubs serve: one connection, one read-only
// snapshot, never a write.
func ReadFigures(ctx context.Context, dsn string, q passerelle.FiguresQuery) (passerelle.Figures, error) {
	if err := q.Validate(); err != nil {
		return passerelle.Figures{}, fmt.Errorf("figures: %w", err)
	}
	where := describe(dsn)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return passerelle.Figures{}, fmt.Errorf("read figures of %s: %w", where, err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return passerelle.Figures{}, fmt.Errorf("read figures of %s: %w", where, err)
	}
	defer tx.Rollback(context.Background())
	b := passerelle.NewFiguresBuilder(q)
	if err := figures(ctx, tx, q, b); err != nil {
		return passerelle.Figures{}, fmt.Errorf("read figures of %s: %w", where, err)
	}
	return b.Figures(), nil
}
