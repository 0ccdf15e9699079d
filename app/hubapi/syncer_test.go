package hubapi

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBackgroundSyncResumesByItself: a kiosk whose hub is down retries
// with backoff, logs the failure once (not at every retry), and syncs by
// itself once the hub is back; Close stops it.
func TestBackgroundSyncResumesByItself(t *testing.T) {
	// An address where nothing listens: the hub is down.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close()

	store := openHubStore(t, filepath.Join(t.TempDir(), "hub.db"))
	hub := startHub(t, store, nil)
	p := startProxy(t, down, 0, 0)
	kiosk, dir := newKiosk(t)
	link := join(t, store, kiosk, "mairie-1", hub.URL)
	link.URL = p.URL
	if err := kiosk.SaveHubLink(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	ids := appendSessions(t, kiosk, 40, 40) // 1600 events: a backlog of 4 batches

	const retries = 4
	attempts := make(chan struct{}, 100)
	p.mu.Lock()
	p.onAccept = func() {
		select {
		case attempts <- struct{}{}:
		default: // counted enough
		}
	}
	p.mu.Unlock()
	var mu sync.Mutex
	var warnings, infos []string
	synced := make(chan struct{}, 10)
	logger := slog.New(recordHandler(func(r slog.Record) {
		mu.Lock()
		defer mu.Unlock()
		switch r.Level {
		case slog.LevelWarn:
			warnings = append(warnings, r.Message)
		case slog.LevelInfo:
			infos = append(infos, r.Message)
			if strings.Contains(r.Message, "in sync") {
				synced <- struct{}{}
			}
		}
	}))
	s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "test", Logger: logger, Interval: time.Hour,
		backoffMin: time.Millisecond, backoffMax: 20 * time.Millisecond}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	deadline := time.After(10 * time.Second)
	for range retries {
		select {
		case <-attempts:
		case <-deadline:
			t.Fatalf("the kiosk did not retry %d times in 10 s", retries)
		}
	}
	p.setUpstream(hub.Addr) // the hub is back
	select {
	case <-synced:
	case <-deadline:
		t.Fatal("the kiosk did not sync by itself within 10 s of the hub's return")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertHubHolds(t, store, "mairie-1", ids)
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 1 {
		t.Fatalf("%d warnings over %d failed attempts, want one per change of state: %q", len(warnings), retries, warnings)
	}
	status, _ := kiosk.SyncStatus(context.Background())
	if status.LastSuccess.IsZero() || status.LastError != "" {
		t.Fatalf("sync status after resuming: %+v", status)
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	for _, c := range []struct {
		failures int
		ceiling  time.Duration
	}{
		{1, 2 * time.Second},
		{2, 4 * time.Second},
		{5, 32 * time.Second},
		{9, 5 * time.Minute},
		{200, 5 * time.Minute},
	} {
		distinct := map[time.Duration]bool{}
		for range 50 {
			d := backoff(c.failures, backoffMin, backoffMax)
			if d <= 0 || d > c.ceiling {
				t.Fatalf("backoff after %d failures = %v, want in (0, %v]", c.failures, d, c.ceiling)
			}
			distinct[d] = true
		}
		if len(distinct) < 40 {
			t.Fatalf("backoff after %d failures drew %d distinct waits of 50: not jittered", c.failures, len(distinct))
		}
	}
}
