package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
)

// BenchmarkPutEvents measures the ingest rate: batches of 500 new events,
// as many kiosks uploading at once as the machine has room for (a kiosk's
// own batches take turns by design).
//
//	go test ./app/postgres/ -run '^$' -bench PutEvents -benchtime 400x
func BenchmarkPutEvents(b *testing.B) {
	const batchSize = 500
	for _, kiosks := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("kiosks=%d", kiosks), func(b *testing.B) {
			ctx := context.Background()
			db := openHub(b)
			for k := range kiosks {
				joinKiosk(b, db, fmt.Sprint("k", k))
			}
			// The batches are made before the clock starts: one per
			// iteration, sessions of 20 events in the current month.
			start := time.Now().Add(-time.Hour)
			batches := make([][]passerelle.Event, b.N)
			for i := range batches {
				for s := range batchSize / 20 {
					batches[i] = append(batches[i], events(start.Add(time.Duration(i*batchSize+s*20)*time.Millisecond), 20)...)
				}
			}
			var next atomic.Int64
			b.ResetTimer()
			began := time.Now()
			errs := make(chan error, kiosks)
			for k := range kiosks {
				go func() {
					for i := next.Add(1) - 1; i < int64(b.N); i = next.Add(1) - 1 {
						held, _, err := db.PutEvents(ctx, fmt.Sprint("k", k), batches[i])
						if err == nil && len(held) != batchSize {
							err = fmt.Errorf("held %d of %d", len(held), batchSize)
						}
						if err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			for range kiosks {
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*batchSize)/time.Since(began).Seconds(), "events/s")
		})
	}
}

// BenchmarkStats10M loads ten million events (a month of 10 000 kiosks'
// sessions spread over a year of partitions) with COPY, then times each
// query of `passerelle stats`. The load takes a few minutes: it runs only
// with PASSERELLE_BENCH_10M=1.
//
//	PASSERELLE_BENCH_10M=1 go test ./app/postgres/ -run '^$' -bench Stats10M -benchtime 5x -timeout 30m
func BenchmarkStats10M(b *testing.B) {
	if os.Getenv("PASSERELLE_BENCH_10M") != "1" {
		b.Skip("set PASSERELLE_BENCH_10M=1 to load 10 million events")
	}
	const (
		total      = 10_000_000
		kiosks     = 1000
		perSession = 20
		monthsSpan = 12
	)
	ctx := context.Background()
	now := time.Now().UTC()
	db := openHub(b)
	first := now.AddDate(0, -monthsSpan+1, 0)
	for k := range kiosks {
		joinKiosk(b, db, fmt.Sprintf("kiosk-%04d", k))
	}
	// One event per month through the hub: it creates the months'
	// partitions as it would for a backlog.
	for m := range monthsSpan {
		if _, _, err := db.PutEvents(ctx, "kiosk-0000", events(first.AddDate(0, m, 0), 1)); err != nil {
			b.Fatal(err)
		}
	}
	loadEvents(b, db, total-monthsSpan, kiosks, perSession, first, now)
	if _, err := db.PublishCatalog(ctx, passerelle.CatalogVersion{Hash: "c0ffee", Archive: make([]byte, 1<<20), PublishedAt: now}); err != nil {
		b.Fatal(err)
	}

	conn := connect(b, db.DSN())
	explain := query[string](b, conn, `EXPLAIN SELECT count(*) FROM events`)
	b.Logf("EXPLAIN SELECT count(*) FROM events:\n%s", joinLines(explain))
	explain = query[string](b, conn, `EXPLAIN SELECT coalesce(sum(events_held), 0), coalesce(sum(sessions_held), 0) FROM kiosks`)
	b.Logf("EXPLAIN of Totals:\n%s", joinLines(explain))

	for _, q := range []struct {
		name string
		run  func() error
	}{
		{"ReadStats", func() error {
			s, err := postgres.ReadStats(ctx, db.DSN())
			if err == nil && (s.Events != total || len(s.Kiosks) != kiosks) {
				err = fmt.Errorf("ReadStats: %d events, %d kiosks; want %d, %d", s.Events, len(s.Kiosks), total, kiosks)
			}
			return err
		}},
		{"Totals", func() error { _, err := db.Totals(ctx); return err }},
		{"Kiosks", func() error { _, err := db.Kiosks(ctx); return err }},
		{"LatestCatalog", func() error { _, err := db.LatestCatalog(ctx); return err }},
		// What the counts spare: the same figures counted from the rows.
		{"COUNT(*) from the rows", func() error { return conn.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(new(int64)) }},
		{"COUNT(DISTINCT session_id) from the rows", func() error {
			return conn.QueryRow(ctx, `SELECT count(DISTINCT session_id) FROM events`).Scan(new(int64))
		}},
		{"EventIDs of one kiosk", func() error { _, err := db.EventIDs(ctx, "kiosk-0001"); return err }},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if err := q.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// loadEvents writes n events with COPY, sessions of perSession events
// spread evenly from first to last over the kiosks, then the sessions and
// the kiosks' counts as uploads would have kept them.
func loadEvents(b *testing.B, db *postgres.HubDB, n, kiosks, perSession int, first, last time.Time) {
	b.Helper()
	ctx := context.Background()
	conn := connect(b, db.DSN())
	began := time.Now()
	step := last.Sub(first) / time.Duration(n)
	i := 0
	var sid string
	var kiosk int64
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		at := first.Add(time.Duration(i) * step).Truncate(time.Millisecond)
		if i%perSession == 0 {
			sid, kiosk = passerelle.NewID(at), int64(i/perSession%kiosks+1)
		}
		id := passerelle.NewID(at)
		i++
		return []any{id, at, kiosk, sid, int64(i%perSession + 1), "step_shown", at, "fr", "caf-quarterly-declaration",
			int64(3), fmt.Sprint("step-", i%perSession), "", ""}, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"id", "id_time", "kiosk_id", "session_id", "seq",
		"kind", "at", "lang", "procedure_id", "procedure_version", "step_id", "answer", "outcome"}, rows); err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{
		`INSERT INTO sessions (id, kiosk_id) SELECT session_id, min(kiosk_id) FROM events GROUP BY session_id ON CONFLICT DO NOTHING`,
		`UPDATE kiosks k SET events_held = e.n, sessions_held = coalesce(s.n, 0)
		 FROM (SELECT kiosk_id, count(*) AS n FROM events GROUP BY kiosk_id) e
		 LEFT JOIN (SELECT kiosk_id, count(*) AS n FROM sessions GROUP BY kiosk_id) s USING (kiosk_id)
		 WHERE k.id = e.kiosk_id`,
		`VACUUM ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	b.Logf("loaded %d events with COPY in %s", n, time.Since(began).Round(time.Second))
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
