package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// TestHelpCallsFromTheEventLog: calls are what the log says, on a real
// file: a session's help_asked since its last help_handled make one open
// call, timed from the first of them, on the step of the last; a handled
// call is listed with its answer time; a session asking again after
// being helped has a new open call; a call asked before since is left out.
func TestHelpCallsFromTheEventLog(t *testing.T) {
	ctx := context.Background()
	db := passqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	// session s: a "kind step" list, one event a minute.
	log := func(session string, start time.Time, kinds ...string) {
		t.Helper()
		var evs []passerelle.Event
		for i, k := range kinds {
			kind, step, _ := strings.Cut(k, " ")
			at := start.Add(time.Duration(i) * time.Minute)
			evs = append(evs, passerelle.Event{ID: passerelle.NewID(at), SessionID: session, Seq: i + 1, Kind: passerelle.EventKind(kind),
				At: at, ProcedureID: "caf", ProcedureVersion: 2, StepID: step})
		}
		if err := db.Append(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	log("old", t0.Add(-24*time.Hour), "session_started", "help_asked a")
	log("twice", t0, "session_started", "help_asked a", "step_shown b", "help_asked b")
	log("helped", t0.Add(time.Minute), "session_started", "help_asked a", "help_handled a", "help_asked c")
	log("none", t0, "session_started", "step_shown a", "session_ended a")

	open, err := db.OpenHelpCalls(ctx, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []passerelle.HelpCall{
		{SessionID: "twice", ProcedureID: "caf", ProcedureVersion: 2, StepID: "b", AskedAt: t0.Add(time.Minute)},
		{SessionID: "helped", ProcedureID: "caf", ProcedureVersion: 2, StepID: "c", AskedAt: t0.Add(4 * time.Minute), AfterSeq: 3},
	}
	if len(open) != len(want) || open[0] != want[0] || open[1] != want[1] {
		t.Fatalf("open calls\n%+v\nwant\n%+v", open, want)
	}
	done, err := db.HandledHelpCalls(ctx, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0].SessionID != "helped" || done[0].StepID != "a" || done[0].AfterSeq != 0 || done[0].Wait(time.Time{}) != time.Minute {
		t.Fatalf("handled calls %+v, want helped's, answered in a minute", done)
	}

	e, err := db.HandleHelpCall(ctx, "twice", t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if e.Seq != 5 || e.StepID != "b" || e.Kind != passerelle.EventHelpHandled || e.ProcedureVersion != 2 {
		t.Fatalf("handled event %+v, want seq 5 on step b", e)
	}
	for _, c := range []struct{ name, session string }{{"handled already", "twice"}, {"never asked", "none"}, {"no such session", "nobody"}} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := db.HandleHelpCall(ctx, c.session, t0.Add(11*time.Minute)); !errors.Is(err, passerelle.ErrNoOpenCall) {
				t.Fatalf("HandleHelpCall(%s): %v, want ErrNoOpenCall", c.session, err)
			}
		})
	}
}

// BenchmarkOpenHelpCalls reads the open calls (the desk signal, at every
// call and every staff tab refresh) on a kiosk with a year of calls:
// 20,000 sessions that called, all but 3 handled.
// TestCloseInterruptedLeavesHelpCallsAlone: a help call made outside a
// procedure is alone under an id of its own; a restart closes the users'
// sessions left open, never such a call (nor a staff event).
func TestCloseInterruptedLeavesHelpCallsAlone(t *testing.T) {
	ctx := context.Background()
	db := passqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	event := func(session string, seq int, kind passerelle.EventKind) passerelle.Event {
		return passerelle.Event{ID: passerelle.NewID(at), SessionID: session, Seq: seq, Kind: kind, At: at, StepID: "languages"}
	}
	help, user, staff := passerelle.NewID(at), passerelle.NewID(at), passerelle.NewID(at)
	if err := db.Append(ctx, event(help, 1, passerelle.EventHelpAsked), event(user, 1, passerelle.EventSessionStarted),
		event(user, 2, passerelle.EventHelpAsked), event(staff, 1, passerelle.EventStaffUnlocked)); err != nil {
		t.Fatal(err)
	}
	closed, err := db.CloseInterrupted(ctx, at.Add(time.Hour))
	if err != nil || len(closed) != 1 || closed[0] != user {
		t.Fatalf("CloseInterrupted = %v, %v; want only the user's session %s", closed, err, user)
	}
}

func BenchmarkOpenHelpCalls(b *testing.B) {
	ctx := context.Background()
	db := passqlite.NewDB(filepath.Join(b.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	t0 := time.Date(2025, 11, 24, 9, 0, 0, 0, time.UTC)
	const sessions = 20000
	var evs []passerelle.Event
	for i := range sessions {
		at := t0.Add(time.Duration(i) * 26 * time.Minute)
		id := passerelle.NewID(at)
		kinds := []passerelle.EventKind{passerelle.EventSessionStarted, passerelle.EventHelpAsked, passerelle.EventHelpHandled, passerelle.EventSessionEnded}
		if i >= sessions-3 {
			kinds = kinds[:2]
		}
		for j, k := range kinds {
			evs = append(evs, passerelle.Event{ID: passerelle.NewID(at), SessionID: id, Seq: j + 1, Kind: k,
				At: at.Add(time.Duration(j) * time.Minute), ProcedureID: "caf", StepID: "code"})
		}
	}
	if err := db.Append(ctx, evs...); err != nil {
		b.Fatal(err)
	}
	now := t0.Add(sessions * 26 * time.Minute)
	b.ResetTimer()
	for b.Loop() {
		calls, err := db.OpenHelpCalls(ctx, now.Add(-12*time.Hour))
		if err != nil || len(calls) != 3 {
			b.Fatalf("%d calls, %v", len(calls), err)
		}
	}
}
