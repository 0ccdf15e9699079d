package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"passerelle/app/figurestest"
	"passerelle/app/passerelle"
	"passerelle/app/postgres/postgrestest"
)

// TestFiguresReadOnlyTheMonthsAsked guards the statistics' cost on a
// national hub: a month's figures must read that month's partition (and
// the next day's, where a session's end may fall, and the default one),
// never the year's.
func TestFiguresReadOnlyTheMonthsAsked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := NewHubDB(postgrestest.NewDatabase(t))
	db.Logger = slog.New(slog.DiscardHandler)
	db.Now = func() time.Time { return time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.EnrollKiosk(ctx, "k", []byte("t"), db.Now().Add(time.Hour), db.Now()); err != nil {
		t.Fatal(err)
	}
	for m := time.January; m <= time.October; m++ {
		start := time.Date(2026, m, 10, 9, 0, 0, 0, time.UTC)
		evs := figurestest.Session(fmt.Sprint("s", m), "caf", "fr", start).Show("income", time.Second).
			Help(time.Second).Handled(time.Minute).End(passerelle.OutcomeAbandoned, time.Second).Events()
		if _, _, err := db.PutEvents(ctx, "k", evs); err != nil {
			t.Fatal(err)
		}
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	q := passerelle.FiguresQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 4, 1, 0, 0, 0, 0, paris),
		Period: passerelle.PeriodDay, Location: paris}
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	partition := regexp.MustCompile(`on (events_\w+)`)
	for _, c := range []struct{ name, query string }{
		{"sessions", figuresSessions}, {"help calls", figuresHelpCalls}, {"help answered", figuresHelpAnswered},
	} {
		rows, err := conn.Query(ctx, "EXPLAIN (COSTS off) "+figuresSQL(c.query, q), q.From, q.To)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		var read []string
		for _, m := range partition.FindAllStringSubmatch(plan, -1) {
			if !slices.Contains(read, m[1]) {
				read = append(read, m[1])
			}
		}
		slices.Sort(read)
		// February's last day for a call answered on March 1, April's first
		// for a session ended on March 31.
		allowed := []string{"events_2026_02", "events_2026_03", "events_2026_04", "events_default"}
		if !slices.Contains(read, "events_2026_03") || slices.ContainsFunc(read, func(p string) bool { return !slices.Contains(allowed, p) }) {
			t.Errorf("%s of March read the partitions %v, want March's and its neighbours' only:\n%s", c.name, read, plan)
		}
		if testing.Verbose() {
			t.Logf("%s:\n%s", c.name, plan)
		}
	}
}
