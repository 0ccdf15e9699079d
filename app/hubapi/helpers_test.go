package hubapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// kioskDB is what a kiosk's database is to these tests: the Outbox the
// Syncer reads, and the log the kiosk appends to.
type kioskDB interface {
	passerelle.Outbox
	passerelle.HelpDesk
	Append(ctx context.Context, events ...passerelle.Event) error
	Close() error
}

// testHub is a hub serving on a real loopback listener.
type testHub struct {
	Store passerelle.HubStore
	URL   string
	Addr  string
}

// startHub serves store on 127.0.0.1 until the test ends, through Serve as
// the hub command does. wrap, when not nil, wraps the handler.
func startHub(tb testing.TB, store passerelle.HubStore, wrap func(http.Handler) http.Handler) *testHub {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var h http.Handler = (&Server{Store: store, Logger: quietLogger()}).Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ServeConfig{Listener: ln, Handler: h, Logger: quietLogger()}) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
	addr := ln.Addr().String()
	return &testHub{Store: store, URL: "http://" + addr, Addr: addr}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newHub opens a hub database in a temporary folder and serves it.
func newHub(tb testing.TB) *testHub {
	tb.Helper()
	return startHub(tb, openHubStore(tb, filepath.Join(tb.TempDir(), "hub.db")), nil)
}

// newKiosk opens a kiosk database in its own data folder.
func newKiosk(tb testing.TB) (kioskDB, string) {
	tb.Helper()
	dir := tb.TempDir()
	return openKioskDB(tb, filepath.Join(dir, "kiosk.db")), dir
}

// join enrolls a kiosk named name on the hub's store and joins it through
// url (the hub's, or a proxy's in front of it), as staff and the join
// command do.
func join(tb testing.TB, store passerelle.HubStore, kiosk passerelle.Outbox, name, url string) passerelle.HubLink {
	tb.Helper()
	ctx := context.Background()
	token, err := Enroll(ctx, store, name, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	link, err := Join(ctx, url, token, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := kiosk.SaveHubLink(ctx, link); err != nil {
		tb.Fatal(err)
	}
	return link
}

// appendSessions appends n sessions of size events each to the kiosk's
// log, as a kiosk in use does, and returns their ids.
func appendSessions(tb testing.TB, kiosk kioskDB, sessions, size int) []string {
	tb.Helper()
	start := time.Now().Add(-time.Duration(sessions) * time.Minute)
	var ids []string
	for s := range sessions {
		at := start.Add(time.Duration(s) * time.Minute)
		events := sessionEvents(at, size)
		if err := kiosk.Append(context.Background(), events...); err != nil {
			tb.Fatal(err)
		}
		for _, e := range events {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// sessionEvents is one session: started, steps shown and answered, ended.
func sessionEvents(at time.Time, size int) []passerelle.Event {
	session := passerelle.NewID(at)
	events := make([]passerelle.Event, size)
	for i := range events {
		e := passerelle.Event{
			ID: passerelle.NewID(at), SessionID: session, Seq: i + 1, At: at.Add(time.Duration(i) * time.Second),
			ProcedureID: "caf-quarterly-declaration", ProcedureVersion: 1,
			Kind: passerelle.EventStepShown, StepID: fmt.Sprintf("step-%d", i/2),
		}
		switch {
		case i == 0:
			e.Kind, e.Lang, e.StepID = passerelle.EventSessionStarted, "fr", ""
		case i == size-1:
			e.Kind, e.Outcome = passerelle.EventSessionEnded, passerelle.OutcomeFinished
		case i%2 == 0:
			e.Kind, e.Answer = passerelle.EventAnswerGiven, "yes"
		}
		events[i] = e
	}
	return events
}

// assertHubHolds checks that the hub holds exactly the kiosk's events: the
// same set, none lost, none twice.
func assertHubHolds(tb testing.TB, store passerelle.HubStore, name string, want []string) {
	tb.Helper()
	got, err := store.EventIDs(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	assertSameIDs(tb, got, want)
}

func assertSameIDs(tb testing.TB, got, want []string) {
	tb.Helper()
	want = slices.Sorted(slices.Values(want))
	got = slices.Sorted(slices.Values(got))
	if slices.Equal(got, want) {
		return
	}
	inGot := map[string]int{}
	for _, id := range got {
		inGot[id]++
	}
	lost, twice := 0, 0
	for _, id := range want {
		if inGot[id] == 0 {
			lost++
		}
	}
	for _, n := range inGot {
		if n > 1 {
			twice++
		}
	}
	tb.Fatalf("the hub holds %d events, the kiosk has %d: %d lost, %d held twice, %d unknown to the kiosk",
		len(got), len(want), lost, twice, len(got)-(len(want)-lost))
}

// syncUntilDone runs SyncOnce until a sync succeeds with nothing pending,
// as the background loop would, and fails after attempts tries.
func syncUntilDone(tb testing.TB, s *Syncer, attempts int) {
	tb.Helper()
	ctx := context.Background()
	var err error
	for range attempts {
		if err = s.SyncOnce(ctx); err == nil {
			pending, perr := s.Outbox.Pending(ctx)
			if perr != nil {
				tb.Fatal(perr)
			}
			if pending == 0 {
				return
			}
		}
	}
	tb.Fatalf("no complete sync in %d attempts; last error: %v", attempts, err)
}
