package hubstoretest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// helpHub is a store with kiosks "a" and "b" joined, and the steps of a
// help call case.
type helpHub struct {
	t *testing.T
	s passerelle.HubStore
}

// helpEvents returns events of a session, seq from first, one a minute
// from start, each given as "kind step".
func helpEvents(sessionID string, first int, start time.Time, kinds ...string) []passerelle.Event {
	events := make([]passerelle.Event, len(kinds))
	for i, k := range kinds {
		kind, step, _ := strings.Cut(k, " ")
		at := start.Add(time.Duration(i) * time.Minute)
		events[i] = passerelle.Event{ID: passerelle.NewID(at), SessionID: sessionID, Seq: first + i,
			Kind: passerelle.EventKind(kind), At: at, Lang: "ar", ProcedureID: "caf", ProcedureVersion: 2, StepID: step}
	}
	return events
}

// log puts a session's events, as helpEvents makes them, and returns them.
func (h helpHub) log(kiosk, sessionID string, first int, start time.Time, kinds ...string) []passerelle.Event {
	h.t.Helper()
	events := helpEvents(sessionID, first, start, kinds...)
	if _, conflicts := put(h.t, h.s, kiosk, events); len(conflicts) != 0 {
		h.t.Fatalf("put %s on %s: conflicts %+v", sessionID, kiosk, conflicts)
	}
	return events
}

func (h helpHub) mark(kiosk, sessionID, by string, at time.Time) {
	h.t.Helper()
	if err := h.s.MarkHelpHandled(context.Background(), kiosk, sessionID, by, at); err != nil {
		h.t.Fatalf("MarkHelpHandled %s on %s by %s: %v", sessionID, kiosk, by, err)
	}
}

// call is an open call of the cases: procedure caf version 2.
func call(kiosk, sessionID, step string, asked time.Time, by string, marked time.Time) passerelle.HubHelpCall {
	return passerelle.HubHelpCall{Kiosk: kiosk, HelpCall: passerelle.HelpCall{SessionID: sessionID, ProcedureID: "caf",
		ProcedureVersion: 2, StepID: step, AskedAt: asked}, MarkedBy: by, MarkedAt: marked}
}

func minutes(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// testHelpCalls checks the hub's side of help calls (HubHelpDesk): the
// calls are computed from the events the kiosks sent, kiosk by kiosk; the
// marks staff make on the hub's page join them until the kiosk's
// help_handled arrives.
func testHelpCalls(t *testing.T, open opener) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// run puts events and marks; the calls since t0 and each kiosk's
		// marks are then compared with want.
		run       func(h helpHub)
		wantCalls []passerelle.HubHelpCall
		wantMarks map[string][]passerelle.HelpMark
	}{
		{"no call: nothing", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "step_shown x", "session_ended")
		}, nil, nil},
		{"open: the step of the last ask, the wait from the first", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x", "step_shown y", "help_asked y")
		}, []passerelle.HubHelpCall{call("a", "s1", "y", minutes(1), "", time.Time{})}, nil},
		{"handled on the kiosk: closed", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x", "help_handled x")
		}, nil, nil},
		{"asked again after being handled: a new call, from the new ask", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x", "help_handled x", "step_shown y", "help_asked y")
		}, []passerelle.HubHelpCall{call("a", "s1", "y", minutes(4), "", time.Time{})}, nil},
		{"a call outside a procedure, alone in its session", func(h helpHub) {
			events := helpEvents("s1", 1, minutes(2), "help_asked languages")
			events[0].ProcedureID, events[0].ProcedureVersion = "", 0
			put(h.t, h.s, "a", events)
		}, []passerelle.HubHelpCall{{Kiosk: "a", HelpCall: passerelle.HelpCall{SessionID: "s1", StepID: "languages", AskedAt: minutes(2)}}}, nil},
		{"since: an older call left out, a call asked again in range waits from its first ask", func(h helpHub) {
			h.log("a", "old", 1, minutes(-120), "session_started", "help_asked x")
			h.log("a", "long", 1, minutes(-30), "session_started", "help_asked x")
			h.log("a", "long", 3, minutes(5), "help_asked x")
		}, []passerelle.HubHelpCall{call("a", "long", "x", minutes(-29), "", time.Time{})}, nil},
		{"every kiosk's calls, oldest first", func(h helpHub) {
			h.log("a", "late", 1, minutes(9), "session_started", "help_asked x")
			h.log("b", "first", 1, minutes(0), "session_started", "help_asked y")
			h.log("a", "second", 1, minutes(2), "session_started", "help_asked z")
		}, []passerelle.HubHelpCall{
			call("b", "first", "y", minutes(1), "", time.Time{}),
			call("a", "second", "z", minutes(3), "", time.Time{}),
			call("a", "late", "x", minutes(10), "", time.Time{}),
		}, nil},
		{"a session id of two kiosks: two calls, each kiosk's own", func(h helpHub) {
			h.log("a", "same", 1, minutes(0), "session_started", "help_asked x", "help_handled x")
			h.log("b", "same", 1, minutes(1), "session_started", "help_asked y")
		}, []passerelle.HubHelpCall{call("b", "same", "y", minutes(2), "", time.Time{})}, nil},
		{"marked: the mark joins the call and waits for its kiosk", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x")
			h.log("b", "s2", 1, minutes(1), "session_started", "help_asked y")
			h.mark("a", "s1", "amina", minutes(5))
		}, []passerelle.HubHelpCall{
			call("a", "s1", "x", minutes(1), "amina", minutes(5)),
			call("b", "s2", "y", minutes(2), "", time.Time{}),
		}, map[string][]passerelle.HelpMark{"a": {{SessionID: "s1", MarkedAt: minutes(5)}}}},
		{"a mark is of its kiosk's session only", func(h helpHub) {
			h.log("a", "same", 1, minutes(0), "session_started", "help_asked x")
			h.log("b", "same", 1, minutes(1), "session_started", "help_asked y")
			h.mark("b", "same", "amina", minutes(5))
		}, []passerelle.HubHelpCall{
			call("a", "same", "x", minutes(1), "", time.Time{}),
			call("b", "same", "y", minutes(2), "amina", minutes(5)),
		}, map[string][]passerelle.HelpMark{"b": {{SessionID: "same", MarkedAt: minutes(5)}}}},
		{"another kiosk's help_handled in a session of the same id answers nothing here", func(h helpHub) {
			h.log("a", "same", 1, minutes(0), "session_started", "help_asked x")
			h.log("b", "same", 1, minutes(0), "session_started", "help_asked y", "help_handled y", "help_asked z")
			h.mark("a", "same", "amina", minutes(5))
			h.log("b", "same", 5, minutes(6), "help_handled z")
		}, []passerelle.HubHelpCall{call("a", "same", "x", minutes(1), "amina", minutes(5))}, map[string][]passerelle.HelpMark{"a": {{SessionID: "same", MarkedAt: minutes(5)}}}},
		{"the first mark stays", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x")
			h.mark("a", "s1", "amina", minutes(5))
			if err := h.s.MarkHelpHandled(ctx, "a", "s1", "bruno", minutes(6)); !errors.Is(err, passerelle.ErrNoOpenCall) {
				h.t.Errorf("second mark: %v; want ErrNoOpenCall", err)
			}
		}, []passerelle.HubHelpCall{call("a", "s1", "x", minutes(1), "amina", minutes(5))},
			map[string][]passerelle.HelpMark{"a": {{SessionID: "s1", MarkedAt: minutes(5)}}}},
		{"marks oldest first", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x")
			h.log("a", "s2", 1, minutes(1), "session_started", "help_asked y")
			h.mark("a", "s2", "amina", minutes(5))
			h.mark("a", "s1", "bruno", minutes(7))
		}, []passerelle.HubHelpCall{
			call("a", "s1", "x", minutes(1), "bruno", minutes(7)),
			call("a", "s2", "y", minutes(2), "amina", minutes(5)),
		}, map[string][]passerelle.HelpMark{"a": {{SessionID: "s2", MarkedAt: minutes(5)}, {SessionID: "s1", MarkedAt: minutes(7)}}}},
		{"the kiosk's help_handled held: the mark is recorded, the call closed", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x")
			h.log("a", "s2", 1, minutes(0), "session_started", "help_asked y")
			h.mark("a", "s1", "amina", minutes(5))
			h.mark("a", "s2", "amina", minutes(5))
			h.log("a", "s1", 3, minutes(6), "help_handled x")
		}, []passerelle.HubHelpCall{call("a", "s2", "y", minutes(1), "amina", minutes(5))},
			map[string][]passerelle.HelpMark{"a": {{SessionID: "s2", MarkedAt: minutes(5)}}}},
		{"asked again after the marked call was handled: a new call, unmarked, markable", func(h helpHub) {
			h.log("a", "s1", 1, minutes(0), "session_started", "help_asked x")
			h.mark("a", "s1", "amina", minutes(5))
			h.log("a", "s1", 3, minutes(6), "help_handled x", "step_shown y", "help_asked y")
			if calls, err := h.s.HubOpenHelpCalls(ctx, t0); err != nil || len(calls) != 1 || calls[0].MarkedBy != "" {
				h.t.Errorf("the new call: %+v, %v; want it unmarked", calls, err)
			}
			if marks, err := h.s.HelpMarks(ctx, "a"); err != nil || len(marks) != 0 {
				h.t.Errorf("HelpMarks: %+v, %v; want none: the new call is not marked", marks, err)
			}
			h.mark("a", "s1", "bruno", minutes(10))
		}, []passerelle.HubHelpCall{call("a", "s1", "y", minutes(8), "bruno", minutes(10))},
			map[string][]passerelle.HelpMark{"a": {{SessionID: "s1", MarkedAt: minutes(10)}}}},
		{"an ask of the call arriving late: the mark stays on the call", func(h helpHub) {
			events := helpEvents("s1", 1, minutes(0), "session_started", "help_asked x", "step_shown y", "help_asked y")
			put(h.t, h.s, "a", events[3:]) // pushed at once
			h.mark("a", "s1", "amina", minutes(5))
			put(h.t, h.s, "a", events[:3]) // its first ask, synced later
		}, []passerelle.HubHelpCall{call("a", "s1", "y", minutes(1), "amina", minutes(5))},
			map[string][]passerelle.HelpMark{"a": {{SessionID: "s1", MarkedAt: minutes(5)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			joined(t, s, "a")
			joined(t, s, "b")
			tc.run(helpHub{t, s})
			calls, err := s.HubOpenHelpCalls(ctx, t0)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(calls), fmt.Sprint(tc.wantCalls); !equalCalls(calls, tc.wantCalls) {
				t.Errorf("HubOpenHelpCalls\n got %s\nwant %s", got, want)
			}
			for _, k := range []string{"a", "b"} {
				marks, err := s.HelpMarks(ctx, k)
				if err != nil {
					t.Fatal(err)
				}
				if want := tc.wantMarks[k]; !equalMarks(marks, want) {
					t.Errorf("HelpMarks %s = %+v; want %+v", k, marks, want)
				}
			}
		})
	}

	t.Run("no open call: ErrNoOpenCall, nothing marked", func(t *testing.T) {
		s := open(t)
		joined(t, s, "a")
		joined(t, s, "b")
		h := helpHub{t, s}
		h.log("a", "handled", 1, minutes(0), "session_started", "help_asked x", "help_handled x")
		h.log("a", "never", 1, minutes(0), "session_started", "step_shown x")
		h.log("b", "of-b", 1, minutes(0), "session_started", "help_asked x")
		for _, c := range []struct{ name, kiosk, session string }{
			{"handled on the kiosk", "a", "handled"},
			{"never asked", "a", "never"},
			{"no such session", "a", "nobody"},
			{"another kiosk's call", "a", "of-b"},
			{"no such kiosk", "nowhere", "of-b"},
			{"a session id that is not text", "a", "handled\x00"},
			{"a kiosk name that is not text", "a\xff", "of-b"},
		} {
			if err := s.MarkHelpHandled(ctx, c.kiosk, c.session, "amina", minutes(5)); !errors.Is(err, passerelle.ErrNoOpenCall) {
				t.Errorf("%s: MarkHelpHandled(%s, %s) = %v; want ErrNoOpenCall", c.name, c.kiosk, c.session, err)
			}
		}
		if err := s.MarkHelpHandled(ctx, "b", "of-b", "", minutes(5)); err == nil {
			t.Error("a mark by nobody (no staff name) was recorded")
		}
		for _, k := range []string{"a", "b", "nowhere", "b\x00"} {
			if marks, err := s.HelpMarks(ctx, k); err != nil || len(marks) != 0 {
				t.Errorf("HelpMarks %s = %+v, %v; want none", k, marks, err)
			}
		}
		if calls, err := s.HubOpenHelpCalls(ctx, t0); err != nil || len(calls) != 1 || calls[0].MarkedBy != "" {
			t.Errorf("HubOpenHelpCalls = %+v, %v; want b's call, unmarked", calls, err)
		}
	})

	t.Run("staff marking at once: one mark", func(t *testing.T) {
		s := open(t)
		joined(t, s, "a")
		helpHub{t, s}.log("a", "s1", 1, minutes(0), "session_started", "help_asked x")
		const staff = 8
		errs := make(chan error, staff)
		var wg sync.WaitGroup
		for i := range staff {
			wg.Go(func() { errs <- s.MarkHelpHandled(ctx, "a", "s1", fmt.Sprintf("staff-%d", i), minutes(5+i)) })
		}
		wg.Wait()
		close(errs)
		marked := 0
		for err := range errs {
			switch {
			case err == nil:
				marked++
			case !errors.Is(err, passerelle.ErrNoOpenCall):
				t.Errorf("MarkHelpHandled: %v; want nil or ErrNoOpenCall", err)
			}
		}
		calls, err := s.HubOpenHelpCalls(ctx, t0)
		if marked != 1 || err != nil || len(calls) != 1 || calls[0].MarkedBy == "" {
			t.Errorf("%d marks succeeded, calls %+v, %v; want one, shown", marked, calls, err)
		}
	})
}

func equalCalls(got, want []passerelle.HubHelpCall) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Kiosk != w.Kiosk || g.SessionID != w.SessionID || g.ProcedureID != w.ProcedureID ||
			g.ProcedureVersion != w.ProcedureVersion || g.StepID != w.StepID || !g.AskedAt.Equal(w.AskedAt) ||
			!g.HandledAt.Equal(w.HandledAt) || g.MarkedBy != w.MarkedBy || !g.MarkedAt.Equal(w.MarkedAt) {
			return false
		}
	}
	return true
}

func equalMarks(got, want []passerelle.HelpMark) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].SessionID != want[i].SessionID || !got[i].MarkedAt.Equal(want[i].MarkedAt) {
			return false
		}
	}
	return true
}
