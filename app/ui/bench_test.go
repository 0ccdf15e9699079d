package ui_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
)

// BenchmarkTapToNextScreen measures a tap on the green control until the
// next step's screen is built and laid out, on a catalog of 500
// procedures. Target: p95 under 50 ms. The answer is committed to the
// SQLite file in the same tap, as in the kiosk.
func BenchmarkTapToNextScreen(b *testing.B) {
	base := openCatalog(b, shipped).Catalog()
	var procs []*passerelle.Procedure
	for i := range 100 {
		for _, p := range base.Procedures {
			clone := *p
			clone.ID = fmt.Sprintf("%s-%03d", p.ID, i)
			procs = append(procs, &clone)
		}
	}
	cat := passerelle.NewCatalog(procs)
	r := newRig(b, static{cat})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := r.player.WaitPrepared(ctx); err != nil {
		b.Fatal(err)
	}
	r.chooseLanguage("fr")
	r.startProcedure("create-email-042")
	// create-email starts with an information step; back and next move
	// between it and the choice that follows, each a new screen.
	var durations []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r.clock.Add(time.Second)
		tile := r.k.Screen().Next
		if i%2 == 1 {
			tile = r.k.Screen().Back
		}
		start := time.Now()
		test.Tap(tile)
		r.w.Content().Resize(r.w.Canvas().Size()) // lay out the new screen
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
	if r.k.Session() == nil {
		b.Fatal("no session")
	}
}

// static serves a catalog built in memory: 500 procedures on disk would
// measure the loader, which has its own benchmark.
type static struct{ c *passerelle.Catalog }

func (s static) Catalog() *passerelle.Catalog   { return s.c }
func (s static) Problems() []passerelle.Problem { return nil }
func (s static) Subscribe() (<-chan passerelle.CatalogUpdate, func()) {
	return make(chan passerelle.CatalogUpdate), func() {}
}
