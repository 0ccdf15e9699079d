package cli

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// BenchmarkKioskFigures times the statistics screen of a busy kiosk: a
// database of 1 000 000 events made by the simulator (about 3.6 years of
// 40 sessions a day), the figures of the last month and of the last year.
// The target is under 200 ms a screen. Filling the file takes about half a
// minute, once per run.
//
//	go test ./app/cli -run '^$' -bench KioskFigures -benchtime 10x
func BenchmarkKioskFigures(b *testing.B) {
	ctx := context.Background()
	cat, err := loadCatalog(ctx, "../../data/procedures")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "kiosk.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	end := time.Now().UTC().Truncate(24 * time.Hour)
	sim := simulator{catalog: cat, rng: rand.New(rand.NewPCG(1, 1)), end: end}
	var done tally
	// About 19 events a session.
	if err := sim.run(ctx, db, 1_000_000/19, done.add); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events in %d sessions", done.events, done.sessions)

	paris, err := time.LoadLocation(passerelle.ParisTime)
	if err != nil {
		b.Fatal(err)
	}
	lastDay := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, paris)
	for _, c := range []struct {
		name   string
		from   time.Time
		period passerelle.Period
	}{
		{"month by day", lastDay.AddDate(0, -1, 0), passerelle.PeriodDay},
		{"year by month", lastDay.AddDate(-1, 0, 0), passerelle.PeriodMonth},
	} {
		q := passerelle.FiguresQuery{From: c.from, To: lastDay, Period: c.period, Location: paris}
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
		b.Run(c.name+" (stats command)", func(b *testing.B) {
			for b.Loop() {
				if _, err := sqlite.ReadFigures(ctx, path, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/screen")
		})
	}
}
