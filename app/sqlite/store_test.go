package sqlite_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// The contract of passerelle.Store, written against the interface so that
// it can move to a shared package when a second implementation appears.

// t0 is when test sessions start. Test times are whole milliseconds: the
// precision a Store keeps.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// visit returns the events of a short session on the CAF declaration: it
// starts, shows a step, gets an answer with a personal value, and ends
// (finished) when ended.
func visit(session string, start time.Time, ended bool) []passerelle.Event {
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }
	e := func(seq int, kind passerelle.EventKind) passerelle.Event {
		return passerelle.Event{
			ID: passerelle.NewID(at(seq)), SessionID: session, Seq: seq, Kind: kind, At: at(seq),
			ProcedureID: "caf-quarterly-declaration", ProcedureVersion: 3,
		}
	}
	started := e(1, passerelle.EventSessionStarted)
	started.Lang = "ar"
	shown := e(2, passerelle.EventStepShown)
	shown.StepID = "income"
	answer := e(3, passerelle.EventAnswerGiven)
	answer.StepID, answer.Answer, answer.Personal = "income", "valid", "1 234,56"
	events := []passerelle.Event{started, shown, answer}
	if ended {
		end := e(4, passerelle.EventSessionEnded)
		end.Outcome = passerelle.OutcomeFinished
		events = append(events, end)
	}
	return events
}

// tap returns an answer to a yes/no step.
func tap(session string, seq int, at time.Time) passerelle.Event {
	return passerelle.Event{
		ID: passerelle.NewID(at), SessionID: session, Seq: seq, Kind: passerelle.EventAnswerGiven,
		At: at, ProcedureID: "caf-quarterly-declaration", ProcedureVersion: 3, StepID: "has-income", Answer: "yes",
	}
}

// assertSession fails unless the session holds exactly want, in seq order.
func assertSession(tb testing.TB, s passerelle.Store, session string, want []passerelle.Event) {
	tb.Helper()
	got, err := s.SessionEvents(context.Background(), session)
	if len(want) == 0 {
		if !errors.Is(err, passerelle.ErrNotFound) {
			tb.Errorf("SessionEvents(%s) = %d events, %v; want ErrNotFound", session, len(got), err)
		}
		return
	}
	if err != nil {
		tb.Fatalf("SessionEvents(%s): %v", session, err)
	}
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b passerelle.Event) int { return a.Seq - b.Seq })
	if len(got) != len(want) {
		tb.Fatalf("SessionEvents(%s) = %d events, want %d", session, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.At.Equal(w.At) {
			tb.Errorf("event %d: At = %v, want %v", w.Seq, g.At, w.At)
		}
		g.At, w.At = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			tb.Errorf("event %d:\n got %+v\nwant %+v", w.Seq, g, w)
		}
	}
}

func testStore(t *testing.T, open func(testing.TB) passerelle.Store) {
	t.Run("Append", func(t *testing.T) { testAppend(t, open) })
	t.Run("AppendRejects", func(t *testing.T) { testAppendRejects(t, open) })
	t.Run("CloseInterrupted", func(t *testing.T) { testCloseInterrupted(t, open) })
	t.Run("PurgePersonal", func(t *testing.T) { testPurgePersonal(t, open) })
}

func testAppend(t *testing.T, open func(testing.TB) passerelle.Store) {
	ctx := context.Background()
	noPersonal := visit("s1", t0, true)
	noPersonal[2].Personal = ""
	withPersonal := visit("s1", t0, true)
	reversed := visit("s1", t0, true)
	slices.Reverse(reversed)

	for _, tc := range []struct {
		name    string
		batches [][]passerelle.Event
		want    []passerelle.Event // what SessionEvents("s1") returns
	}{
		{"without personal values", [][]passerelle.Event{noPersonal}, noPersonal},
		{"with a personal value", [][]passerelle.Event{withPersonal}, withPersonal},
		{"one event per call", split(visit("s1", t0, true)), nil},
		{"batch out of seq order", [][]passerelle.Event{reversed}, nil},
		{"other sessions apart", [][]passerelle.Event{visit("s0", t0, true), visit("s1", t0, false), visit("s2", t0, false)}, nil},
		{"empty batch", [][]passerelle.Event{{}, visit("s1", t0, false)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			var all []passerelle.Event
			for _, b := range tc.batches {
				if err := s.Append(ctx, b...); err != nil {
					t.Fatal(err)
				}
				all = append(all, b...)
			}
			want := tc.want
			if want == nil {
				want = ofSession(all, "s1")
			}
			assertSession(t, s, "s1", want)
		})
	}

	t.Run("unknown session", func(t *testing.T) {
		s := open(t)
		if err := s.Append(ctx, visit("s1", t0, true)...); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionEvents(ctx, "nobody"); !errors.Is(err, passerelle.ErrNotFound) {
			t.Errorf("SessionEvents(nobody): %v, want ErrNotFound", err)
		}
	})
}

func testAppendRejects(t *testing.T, open func(testing.TB) passerelle.Store) {
	ctx := context.Background()
	stored := visit("s1", t0, false)
	later := t0.Add(time.Minute)
	with := func(e passerelle.Event, change func(*passerelle.Event)) passerelle.Event {
		change(&e)
		return e
	}

	for _, tc := range []struct {
		name    string
		batch   []passerelle.Event
		wantErr string // in the message
	}{
		{"no id", []passerelle.Event{with(tap("s2", 1, later), func(e *passerelle.Event) { e.ID = "" })}, "no id"},
		{"no session", []passerelle.Event{with(tap("s2", 1, later), func(e *passerelle.Event) { e.SessionID = "" })}, "no session"},
		{"no kind", []passerelle.Event{with(tap("s2", 1, later), func(e *passerelle.Event) { e.Kind = "" })}, "no kind"},
		{"id already stored", []passerelle.Event{
			with(tap("s2", 1, later), func(e *passerelle.Event) { e.ID = stored[0].ID }),
		}, stored[0].ID},
		{"id already stored, in a personal value event", []passerelle.Event{
			with(tap("s2", 1, later), func(e *passerelle.Event) { e.ID, e.Personal = stored[2].ID, "x" }),
		}, stored[2].ID},
		{"id twice in the batch", []passerelle.Event{
			tap("s2", 1, later),
			with(tap("s2", 2, later), func(e *passerelle.Event) { e.ID = "0195f1e2-0000-7000-8000-000000000001" }),
			with(tap("s2", 3, later), func(e *passerelle.Event) { e.ID = "0195f1e2-0000-7000-8000-000000000001" }),
		}, "0195f1e2-0000-7000-8000-000000000001"},
		{"3rd of 3 already stored: none kept", []passerelle.Event{
			tap("s2", 1, later),
			with(tap("s2", 2, later), func(e *passerelle.Event) { e.Personal = "kept?" }),
			with(tap("s2", 3, later), func(e *passerelle.Event) { e.ID = stored[1].ID }),
		}, stored[1].ID},
		{"seq already used in the session", []passerelle.Event{tap("s1", 4, later), tap("s1", 2, later)}, "seq 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if err := s.Append(ctx, stored...); err != nil {
				t.Fatal(err)
			}
			err := s.Append(ctx, tc.batch...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Append: %v, want an error mentioning %q", err, tc.wantErr)
			}
			// Nothing of the batch is kept.
			assertSession(t, s, "s1", stored)
			assertSession(t, s, "s2", nil)
		})
	}
}

func testCloseInterrupted(t *testing.T, open func(testing.TB) passerelle.Store) {
	ctx := context.Background()
	now := t0.Add(2 * time.Hour)
	// Sessions on another procedure, to see it copied.
	otherProcedure := func(events []passerelle.Event) []passerelle.Event {
		for i := range events {
			events[i].ProcedureID, events[i].ProcedureVersion = "ants-carte-grise", 1
		}
		return events
	}

	for _, tc := range []struct {
		name       string
		sessions   [][]passerelle.Event
		wantClosed []string
	}{
		{"empty log", nil, []string{}},
		{"every session ended", [][]passerelle.Event{visit("a", t0, true), visit("b", t0, true)}, []string{}},
		{"only the open ones, sorted", [][]passerelle.Event{
			visit("c", t0, false),
			visit("a", t0, true),
			otherProcedure(visit("b", t0, false)),
			visit("d", t0, false)[:1], // started only
		}, []string{"b", "c", "d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			for _, events := range tc.sessions {
				if err := s.Append(ctx, events...); err != nil {
					t.Fatal(err)
				}
			}

			closed, err := s.CloseInterrupted(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(closed, tc.wantClosed) {
				t.Fatalf("closed %v, want %v", closed, tc.wantClosed)
			}
			for _, events := range tc.sessions {
				id := events[0].SessionID
				if !slices.Contains(closed, id) {
					assertSession(t, s, id, events)
					continue
				}
				last := events[len(events)-1]
				got, err := s.SessionEvents(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				end := got[len(got)-1]
				if end.ID == "" || end.ID == last.ID {
					t.Errorf("session %s: end id %q, want a new one", id, end.ID)
				}
				want := passerelle.Event{
					ID: end.ID, SessionID: id, Seq: last.Seq + 1, Kind: passerelle.EventSessionEnded, At: now,
					ProcedureID: last.ProcedureID, ProcedureVersion: last.ProcedureVersion,
					Outcome: passerelle.OutcomeInterrupted,
				}
				assertSession(t, s, id, append(slices.Clone(events), want))
			}

			again, err := s.CloseInterrupted(ctx, now.Add(time.Minute))
			if err != nil || len(again) != 0 {
				t.Errorf("second CloseInterrupted = %v, %v; want none", again, err)
			}
		})
	}
}

func testPurgePersonal(t *testing.T, open func(testing.TB) passerelle.Store) {
	ctx := context.Background()
	day := 24 * time.Hour
	// Three sessions a day apart, each with a personal value.
	sessions := [][]passerelle.Event{visit("d0", t0, true), visit("d1", t0.Add(day), true), visit("d2", t0.Add(2*day), true)}
	answerAt := func(i int) time.Time { return sessions[i][2].At }

	for _, tc := range []struct {
		name   string
		before time.Time
		purged []string // sessions whose value goes
	}{
		{"none older", answerAt(0), nil},
		{"strictly older only", answerAt(1), []string{"d0"}},
		{"a millisecond later", answerAt(1).Add(time.Millisecond), []string{"d0", "d1"}},
		{"all", t0.Add(30 * day), []string{"d0", "d1", "d2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			for _, events := range sessions {
				if err := s.Append(ctx, events...); err != nil {
					t.Fatal(err)
				}
			}

			n, err := s.PurgePersonal(ctx, tc.before)
			if err != nil || n != len(tc.purged) {
				t.Fatalf("PurgePersonal = %d, %v; want %d", n, err, len(tc.purged))
			}
			for _, events := range sessions {
				want := slices.Clone(events)
				if slices.Contains(tc.purged, want[0].SessionID) {
					want[2].Personal = ""
				}
				assertSession(t, s, want[0].SessionID, want) // the events stay
			}
			if n, err := s.PurgePersonal(ctx, tc.before); err != nil || n != 0 {
				t.Errorf("second PurgePersonal = %d, %v; want 0", n, err)
			}
		})
	}
}

// split returns one batch per event.
func split(events []passerelle.Event) [][]passerelle.Event {
	var batches [][]passerelle.Event
	for _, e := range events {
		batches = append(batches, []passerelle.Event{e})
	}
	return batches
}

func ofSession(events []passerelle.Event, session string) []passerelle.Event {
	var out []passerelle.Event
	for _, e := range events {
		if e.SessionID == session {
			out = append(out, e)
		}
	}
	return out
}
