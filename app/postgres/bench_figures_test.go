package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"passerelle/app/figurestest"
	"passerelle/app/passerelle"
	"passerelle/app/postgres"
)

// BenchmarkHubFigures times the hub's statistics on PostgreSQL over
// 1 000 000 events: about 52 000 sessions of 20 kiosks spread over the
// last 13 months (one month in the default partition, as a backlog older
// than the hub's window), loaded with COPY. The figures of the last month
// (by day) and of the last year (by month), every kiosk and one.
//
//	go test ./app/postgres/ -run '^$' -bench HubFigures -benchtime 5x
func BenchmarkHubFigures(b *testing.B) {
	ctx := context.Background()
	db := openHub(b)
	const kiosks = 20
	for k := range kiosks {
		joinKiosk(b, db, fmt.Sprintf("kiosk-%02d", k))
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	first := now.AddDate(0, -13, 0)
	// One event per month through the hub: it creates the partitions.
	for m := range 14 {
		at := first.AddDate(0, m, 0)
		if at.After(now) {
			break
		}
		s := figurestest.Session(passerelle.NewID(at), "caf", "fr", at).End(passerelle.OutcomeFinished, 0)
		if _, _, err := db.PutEvents(ctx, "kiosk-00", s.Events()); err != nil {
			b.Fatal(err)
		}
	}
	n := copySessions(b, db, 1_000_000, kiosks, first, now)
	b.Logf("%d events loaded", n)

	paris, err := time.LoadLocation(passerelle.ParisTime)
	if err != nil {
		b.Fatal(err)
	}
	today := now.In(paris)
	lastDay := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, paris)
	for _, c := range []struct {
		name   string
		from   time.Time
		period passerelle.Period
		kiosk  string
	}{
		{"month by day", lastDay.AddDate(0, -1, 0), passerelle.PeriodDay, ""},
		{"year by month", lastDay.AddDate(-1, 0, 0), passerelle.PeriodMonth, ""},
		{"year by month, one kiosk", lastDay.AddDate(-1, 0, 0), passerelle.PeriodMonth, "kiosk-07"},
	} {
		q := passerelle.FiguresQuery{From: c.from, To: lastDay, Period: c.period, Location: paris, Kiosk: c.kiosk}
		b.Run(c.name, func(b *testing.B) {
			var f passerelle.Figures
			for b.Loop() {
				if f, err = db.Figures(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/screen")
			b.ReportMetric(float64(f.TotalSessions()), "sessions")
		})
	}
}

// copySessions writes sessions of made-up but plausible walks (5 to 30
// screens, help calls, every outcome) until n events, with COPY, and
// returns how many events it wrote.
func copySessions(b *testing.B, db *postgres.HubDB, n, kiosks int, first, last time.Time) int {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	procs := []string{"caf-quarterly-declaration", "ants-id-card", "ameli-attestation", "create-email", "france-travail-update"}
	langs := []passerelle.Lang{"fr", "ar", "en"}
	outcomes := []passerelle.Outcome{passerelle.OutcomeFinished, passerelle.OutcomeFinished, passerelle.OutcomeHandedOff,
		passerelle.OutcomeHandedOff, passerelle.OutcomeAbandoned, passerelle.OutcomeTimedOut, passerelle.OutcomeInterrupted}
	var rows [][]any
	span := last.Sub(first).Milliseconds()
	for len(rows) < n {
		start := first.Add(time.Duration(rng.Int64N(span)) * time.Millisecond)
		s := figurestest.Session(passerelle.NewID(start), procs[rng.IntN(len(procs))], langs[rng.IntN(len(langs))], start)
		for step := range 5 + rng.IntN(25) {
			s.Show(fmt.Sprint("step-", step), time.Duration(3+rng.IntN(37))*time.Second)
			if rng.Float64() < 0.03 {
				s.Help(time.Second)
				if rng.Float64() < 0.7 {
					s.Handled(time.Duration(30+rng.IntN(300)) * time.Second)
				}
			}
		}
		s.End(outcomes[rng.IntN(len(outcomes))], 5*time.Second)
		kiosk := int64(1 + rng.IntN(kiosks))
		for _, e := range s.Events() {
			rows = append(rows, []any{e.ID, e.At, kiosk, e.SessionID, int64(e.Seq), string(e.Kind), e.At, string(e.Lang),
				e.ProcedureID, int64(e.ProcedureVersion), e.StepID, "", string(e.Outcome)})
		}
	}
	conn := connect(b, db.DSN())
	defer conn.Close(context.Background())
	if _, err := conn.CopyFrom(context.Background(), pgx.Identifier{"events"}, []string{"id", "id_time", "kiosk_id", "session_id", "seq",
		"kind", "at", "lang", "procedure_id", "procedure_version", "step_id", "answer", "outcome"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return len(rows)
}
