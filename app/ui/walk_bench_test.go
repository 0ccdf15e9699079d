package ui_test

import (
	"context"
	"runtime"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// BenchmarkWalkMemory walks the shipped procedures one after the other,
// welcome to welcome, each screen drawn (Capture runs the software
// painter, which draws every pictogram as the GL one does), and reports
// the Go heap in use after a collection at the end, and how much it grew
// per walk after the first: a kiosk walked all day must stay flat (issue
// 14; packaging/bench/walks.sh measures the real process's RSS).
//
//	go test ./app/ui -run '^$' -bench WalkMemory -benchtime 100x
func BenchmarkWalkMemory(b *testing.B) {
	source := openCatalog(b, shipped)
	r := newRig(b, source)
	procs := source.Catalog().In("fr")
	r.w.Canvas().Capture()
	walk := func(i int) {
		r.chooseLanguage("fr")
		r.startProcedure(procs[i%len(procs)].ID)
		r.w.Canvas().Capture()
		r.walkDrawn()
		r.tap(r.k.Screen().Next) // done: welcome
		r.w.Canvas().Capture()
	}
	walk(0)
	first := heapInUse()
	walks := 1
	for b.Loop() {
		walk(walks)
		walks++
	}
	last := heapInUse()
	b.ReportMetric(last/(1<<20), "heap-MB")
	b.ReportMetric((last-first)/float64(walks-1)/(1<<10), "grown-KB/walk")
}

// walkDrawn is walk with each screen drawn: the first answer of each
// question, a valid number, until the end.
func (r *rig) walkDrawn() {
	r.t.Helper()
	for range 60 {
		sess := r.k.Session()
		st := sess.Step()
		if _, ended := sess.Ended(); ended {
			return
		}
		s := r.k.Screen()
		switch st.Kind {
		case passerelle.KindChoice:
			r.tap(s.Tile(st.Options[0].ID))
		case passerelle.KindNumber:
			for _, d := range validNumber(r.t, st.Number) {
				r.tap(s.Keys[string(d)])
			}
		}
		r.tap(s.Next)
		r.w.Canvas().Capture()
	}
	r.t.Fatalf("the walk does not end: at %s", r.where())
}

func heapInUse() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse)
}

// BenchmarkTouchHighlight measures what a touch on an answer does on the
// UI goroutine before the frame that shows it can be drawn: the tile
// highlighted (and the one before put back) and its name asked of the
// real player, on the language screen, as packaging/bench.sh touches it.
func BenchmarkTouchHighlight(b *testing.B) {
	r := newRig(b, openCatalog(b, shipped))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := r.player.WaitPrepared(ctx); err != nil {
		b.Fatal(err)
	}
	r.tap(r.k.Screen().Start)
	if r.k.Screen().Name != ui.ScreenLanguages {
		b.Fatalf("on %s, want the languages", r.where())
	}
	tiles := r.k.Screen().Tiles
	var durations []time.Duration
	for i := 0; b.Loop(); i++ {
		tile := tiles[i%len(tiles)]
		start := time.Now()
		test.Tap(tile)
		durations = append(durations, time.Since(start))
	}
	if !tiles[(len(durations)-1)%len(tiles)].Selected() {
		b.Fatal("the last tile touched is not highlighted")
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(durations[len(durations)*95/100].Microseconds())/1000, "p95-ms")
}
