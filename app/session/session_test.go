package session_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/session"
	"passerelle/app/sqlite"
)

// demo loads the test fixture procedure: hello (info) → ask-email (choice:
// yes → papers, no → mediator) → papers (checklist) → caf-number (number,
// 7 digits, not stored) → done (end); mediator is a handoff.
func demo(t *testing.T) *passerelle.Procedure {
	t.Helper()
	res, err := procedure.Load(context.Background(), "../procedure/testdata/catalog")
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load fixture: %v %v", err, res.Problems)
	}
	return res.Procedures[0]
}

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// clock returns a clock that moves one second per call.
func clock() func() time.Time {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	return func() time.Time { now = now.Add(time.Second); return now }
}

// summary is the log of a session as "kind:step:answer:outcome" lines.
func summary(t *testing.T, db *sqlite.DB, id string) string {
	t.Helper()
	evs, err := db.SessionEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i, e := range evs {
		if e.Seq != i+1 {
			t.Errorf("event %d has seq %d", i+1, e.Seq)
		}
		line := string(e.Kind) + ":" + e.StepID
		if e.Answer != "" || e.Outcome != "" {
			line += ":" + e.Answer
		}
		if e.Outcome != "" {
			line += ":" + string(e.Outcome)
		}
		if e.Personal != "" {
			line += ":personal=" + e.Personal
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func TestWalkToTheEnd(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s, err := session.Start(ctx, db, demo(t), "ar", clock())
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { return s.Next(ctx) },
		func() error { return s.Choose(ctx, "yes") },
		func() error { return s.Tick(ctx, []string{"payslip", "not-a-document"}) },
		func() error { return s.Enter(ctx, "1234567") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if out, ended := s.Ended(); !ended || out != passerelle.OutcomeFinished {
		t.Errorf("ended = %v %q, want finished", ended, out)
	}
	want := strings.Join([]string{
		"session_started:",
		"step_shown:hello",
		"step_shown:ask-email",
		"answer_given:ask-email:yes",
		"step_shown:papers",
		"answer_given:papers:payslip",
		"step_shown:caf-number",
		"answer_given:caf-number:valid",
		"step_shown:done",
		"session_ended:done::finished",
	}, "\n")
	if got := summary(t, db, s.ID); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
	evs, _ := db.SessionEvents(ctx, s.ID)
	if evs[0].Lang != "ar" || evs[0].ProcedureID != "demo" || evs[0].ProcedureVersion != 2 {
		t.Errorf("session_started = %+v, want lang ar, demo v2", evs[0])
	}
	if err := s.Next(ctx); !errors.Is(err, session.ErrEnded) {
		t.Errorf("acting after the end: %v, want ErrEnded", err)
	}
}

func TestHandoffEndsTheSession(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s, _ := session.Start(ctx, db, demo(t), "fr", clock())
	s.Next(ctx)
	if err := s.Choose(ctx, "no"); err != nil {
		t.Fatal(err)
	}
	if s.Step().ID != "mediator" {
		t.Fatalf("step = %s, want mediator", s.Step().ID)
	}
	if out, _ := s.Ended(); out != passerelle.OutcomeHandedOff {
		t.Errorf("outcome = %q, want handed_off", out)
	}
	// Going home after a handoff is not an abandon.
	if err := s.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(summary(t, db, s.ID), "session_ended:mediator::handed_off") {
		t.Errorf("log:\n%s", summary(t, db, s.ID))
	}
}

func TestRefusedActionsSaveNothing(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s, _ := session.Start(ctx, db, demo(t), "en", clock())
	before := summary(t, db, s.ID)
	tests := []struct {
		name string
		act  func() error
		want error
	}{
		{"choose on an info step", func() error { return s.Choose(ctx, "yes") }, session.ErrWrongKind},
		{"number on an info step", func() error { return s.Enter(ctx, "1234567") }, session.ErrWrongKind},
		{"back on the first step", func() error { return s.Back(ctx) }, session.ErrFirstStep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.act(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	s.Next(ctx)
	if err := s.Choose(ctx, "maybe"); !errors.Is(err, session.ErrUnknownOption) {
		t.Errorf("unknown option: %v", err)
	}
	s.Choose(ctx, "yes")
	s.Tick(ctx, nil)
	for _, digits := range []string{"", "123456", "12345678", "12a4567"} {
		if err := s.Enter(ctx, digits); !errors.Is(err, session.ErrInvalidNumber) {
			t.Errorf("Enter(%q) = %v, want ErrInvalidNumber", digits, err)
		}
	}
	after := summary(t, db, s.ID)
	if !strings.HasPrefix(after, before) || strings.Count(after, "\n") != strings.Count(before, "\n")+5 {
		t.Errorf("refused actions were saved; log:\n%s", after)
	}
}

func TestBackRecordsTheStepShownAgain(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s, _ := session.Start(ctx, db, demo(t), "fr", clock())
	s.Next(ctx)
	s.Choose(ctx, "yes")
	if err := s.Back(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Step().ID != "ask-email" || !s.CanGoBack() {
		t.Fatalf("after back: step %s", s.Step().ID)
	}
	s.Back(ctx)
	if s.Step().ID != "hello" || s.CanGoBack() {
		t.Fatalf("after two backs: step %s, can go back %v", s.Step().ID, s.CanGoBack())
	}
	if !strings.HasSuffix(summary(t, db, s.ID), "step_shown:ask-email:back\nstep_shown:hello:back") {
		t.Errorf("log:\n%s", summary(t, db, s.ID))
	}
}

func TestStoredNumberIsPersonal(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	proc := demo(t)
	num, _ := proc.Step("caf-number")
	rule := *num.Number
	rule.Store = true
	num.Number = &rule
	s, _ := session.Start(ctx, db, proc, "fr", clock())
	s.Next(ctx)
	s.Choose(ctx, "yes")
	s.Tick(ctx, nil)
	if err := s.Enter(ctx, "7654321"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary(t, db, s.ID), "answer_given:caf-number:valid:personal=7654321") {
		t.Errorf("stored number missing:\n%s", summary(t, db, s.ID))
	}
}

func TestFailedSaveKeepsTheUserOnTheScreen(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s, _ := session.Start(ctx, db, demo(t), "fr", clock())
	db.Close() // the disk is gone
	if err := s.Next(ctx); err == nil {
		t.Fatal("Next succeeded with a closed database")
	}
	if s.Step().ID != "hello" {
		t.Errorf("the session moved on without saving: step %s", s.Step().ID)
	}
}

// TestStopIsAskedThenAnswered: a control that loses work asks first; both
// answers are in the log, in order, and the end is the last event.
func TestStopIsAskedThenAnswered(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s, _ := session.Start(ctx, db, demo(t), "fr", clock())
	s.Next(ctx)
	if err := s.StopAsked(ctx, "home"); err != nil {
		t.Fatal(err)
	}
	if err := s.StopCancelled(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Step().ID != "ask-email" {
		t.Fatalf("a cancelled stop moved the session to %s", s.Step().ID)
	}
	if err := s.StopAsked(ctx, "back"); err != nil {
		t.Fatal(err)
	}
	if err := s.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"session_started:",
		"step_shown:hello",
		"step_shown:ask-email",
		"stop_asked:ask-email:home",
		"stop_cancelled:ask-email",
		"stop_asked:ask-email:back",
		"session_ended:ask-email::abandoned",
	}, "\n")
	if got := summary(t, db, s.ID); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

// TestNothingIsRecordedAfterTheEnd: the end screen's Listen and Help do
// not write after session_ended.
func TestNothingIsRecordedAfterTheEnd(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s, _ := session.Start(ctx, db, demo(t), "fr", clock())
	s.Next(ctx)
	s.Choose(ctx, "no") // handoff: the session ends
	before := summary(t, db, s.ID)
	for name, act := range map[string]func() error{
		"replay":      func() error { return s.Replayed(ctx) },
		"help":        func() error { return s.HelpAsked(ctx) },
		"stop asked":  func() error { return s.StopAsked(ctx, "home") },
		"stop denied": func() error { return s.StopCancelled(ctx) },
	} {
		if err := act(); !errors.Is(err, session.ErrEnded) {
			t.Errorf("%s after the end: %v, want ErrEnded", name, err)
		}
	}
	if after := summary(t, db, s.ID); after != before || !strings.HasSuffix(after, "session_ended:mediator::handed_off") {
		t.Errorf("log after the end:\n%s\nwant:\n%s", after, before)
	}
}

// TestSocialSecurityNumbers: a NIR step accepts the Corsican 2A and 2B
// with their key, and refuses a wrong key or a letter elsewhere.
func TestSocialSecurityNumbers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		typed string
		ok    bool
	}{
		{"13 digits, no key", "1840675123456", true},
		{"15 with the right key", "184067512345641", true},
		{"15 with a wrong key", "184067512345642", false},
		{"born in Corse-du-Sud", "184062A12345601", true},
		{"born in Haute-Corse", "295112B04507806", true},
		{"2A with a wrong key", "184062A12345602", false},
		{"A not after a 2", "184063A12345601", false},
		{"A in another place", "18406A212345601", false},
		{"14 characters", "18406751234564", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			proc := demo(t)
			num, _ := proc.Step("caf-number")
			// 13 digits, or 15 with the key: the pattern says so, as staff write it.
			rule, err := passerelle.NewNumberRule(13, 15, `[0-9]{13}([0-9]{2})?`, true)
			if err != nil {
				t.Fatal(err)
			}
			rule.Check, rule.Personal = passerelle.CheckNIR, true
			num.Number = rule
			s, _ := session.Start(ctx, db, proc, "fr", clock())
			s.Next(ctx)
			s.Choose(ctx, "yes")
			s.Tick(ctx, nil)
			err = s.Enter(ctx, tc.typed)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, session.ErrInvalidNumber) {
				t.Fatalf("Enter = %v, want ErrInvalidNumber", err)
			}
			stored := strings.Contains(summary(t, db, s.ID), "personal="+tc.typed)
			if stored != tc.ok {
				t.Errorf("stored %v, want %v:\n%s", stored, tc.ok, summary(t, db, s.ID))
			}
		})
	}
}
