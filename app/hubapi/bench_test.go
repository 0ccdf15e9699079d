package hubapi

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// fillKiosk appends sessions of 40 events to a kiosk's log, many sessions
// per transaction (a backlog of weeks, written fast).
func fillKiosk(tb testing.TB, kiosk kioskDB, events int) {
	tb.Helper()
	start := time.Now().Add(-30 * 24 * time.Hour)
	var batch []passerelle.Event
	for i := 0; i < events; i += 40 {
		batch = append(batch, sessionEvents(start.Add(time.Duration(i)*time.Second), min(40, events-i))...)
		if len(batch) >= 4000 {
			if err := kiosk.Append(context.Background(), batch...); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := kiosk.Append(context.Background(), batch...); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSync100kEvents: a kiosk's backlog of 100 000 events synced to a
// hub on loopback, both on SQLite files. Run with -benchtime=1x.
func BenchmarkSync100kEvents(b *testing.B) {
	const events = 100_000
	for b.Loop() {
		b.StopTimer()
		hub := newHub(b)
		kiosk, dir := newKiosk(b)
		join(b, hub.Store, kiosk, "mairie-1", hub.URL)
		fillKiosk(b, kiosk, events)
		s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "bench"}
		b.StartTimer()

		start := time.Now()
		if err := s.SyncOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(events/time.Since(start).Seconds(), "events/s")

		b.StopTimer()
		if totals, err := hub.Store.Totals(context.Background()); err != nil || totals.Events != events {
			b.Fatalf("the hub holds %d events (%v), want %d", totals.Events, err, events)
		}
		b.StartTimer()
	}
}

// latencies records how long the hub takes to answer each request.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		l.mu.Lock()
		l.d = append(l.d, time.Since(start))
		l.mu.Unlock()
	})
}

func (l *latencies) p95() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	d := slices.Sorted(slices.Values(l.d))
	return d[len(d)*95/100]
}

// BenchmarkSync200Kiosks: 200 kiosks, 500 events each, sync to one hub at
// once. Reports the events stored per second, the 95th percentile of the
// hub's answer times (measured at the hub: what a kiosk waits, less the
// loopback), and the syncs that failed (target 0). Run with -benchtime=1x.
func BenchmarkSync200Kiosks(b *testing.B) {
	const kiosks, perKiosk = 200, 500
	for b.Loop() {
		b.StopTimer()
		var lat latencies
		hub := startHub(b, openHubStore(b, filepath.Join(b.TempDir(), "hub.db")), lat.wrap)
		syncers := make([]*Syncer, kiosks)
		for i := range syncers {
			kiosk, dir := newKiosk(b)
			join(b, hub.Store, kiosk, fmt.Sprint("kiosk-", i), hub.URL)
			fillKiosk(b, kiosk, perKiosk)
			syncers[i] = &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "bench"}
		}
		lat.d = nil
		b.StartTimer()

		start := time.Now()
		errs := make(chan error, kiosks)
		var wg sync.WaitGroup
		for _, s := range syncers {
			wg.Go(func() { errs <- s.SyncOnce(context.Background()) })
		}
		wg.Wait()
		elapsed := time.Since(start)
		close(errs)
		failed := 0
		for err := range errs {
			if err != nil {
				failed++
				b.Log(err)
			}
		}
		b.ReportMetric(kiosks*perKiosk/elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(lat.p95().Milliseconds()), "p95-ms")
		b.ReportMetric(float64(failed), "errors")

		b.StopTimer()
		if totals, err := hub.Store.Totals(context.Background()); err != nil || totals.Events != kiosks*perKiosk {
			b.Fatalf("the hub holds %d events (%v), want %d", totals.Events, err, kiosks*perKiosk)
		}
		b.StartTimer()
	}
}
