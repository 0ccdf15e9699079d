package ui_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// comingSentence is what the help screen must say, in each language.
var comingSentence = map[passerelle.Lang]string{
	"fr": "Une personne va venir vous aider. Vous pouvez attendre ici, ou continuer.",
	"en": "A person is coming to help you. You can wait here, or go on.",
	"ar": "سيأتي شخص لمساعدتك. يمكنك الانتظار هنا، أو المتابعة.",
}

// helpCatalog is one procedure in French, English and Arabic: a number
// step (what is typed must survive a call for help), then the end.
func helpCatalog(t testing.TB) passerelle.CatalogSource {
	t.Helper()
	rule, err := passerelle.NewNumberRule(6, 6, `[0-9]{6}`, false)
	if err != nil {
		t.Fatal(err)
	}
	text := func(fr, en, ar string) passerelle.Text { return passerelle.Text{"fr": fr, "en": en, "ar": ar} }
	p := &passerelle.Procedure{
		ID: "caf", Version: 1, Langs: []passerelle.Lang{"fr", "en", "ar"},
		Title: text("Déclaration CAF", "CAF declaration", "تصريح CAF"),
		Intro: text("Votre déclaration.", "Your declaration.", "تصريحك."),
		Steps: []*passerelle.Step{
			{ID: "code", Kind: passerelle.KindNumber, Next: "done", Number: rule,
				Say: text("Tapez votre code.", "Type your code.", "اكتب رمزك.")},
			{ID: "done", Kind: passerelle.KindEnd, Say: text("C'est fini.", "It is done.", "انتهى.")},
		},
	}
	p.Index()
	return static{passerelle.NewCatalog([]*passerelle.Procedure{p})}
}

// askHelpOnCode starts the procedure in lang, types 184 and calls for
// help; it returns the session's id.
func askHelpOnCode(r *staffRig, lang passerelle.Lang) string {
	r.t.Helper()
	r.chooseLanguage(lang)
	r.startProcedure("caf")
	for _, d := range "184" {
		r.tap(r.k.Screen().Keys[string(d)])
	}
	r.tap(r.k.Screen().Help)
	if r.where() != ui.ScreenHelp {
		r.t.Fatalf("help led to %s", r.where())
	}
	return r.k.Session().ID
}

// assertSignal checks the desk signal is on the window, shown or hidden,
// and when shown that it covers none of the user's controls.
func assertSignal(t testing.TB, r *staffRig, shown bool) {
	t.Helper()
	sig := r.k.HelpSignal()
	if sig.Visible() != shown {
		t.Fatalf("desk signal visible %v on %s, want %v", sig.Visible(), r.where(), shown)
	}
	if !onWindow(r.w.Content(), sig) {
		t.Fatalf("the desk signal is not on the window on %s", r.where())
	}
	if !shown {
		return
	}
	d := fyne.CurrentApp().Driver()
	sp, ss := d.AbsolutePositionForObject(sig), sig.Size()
	// Across the screen: a stripe of its colour on a short window, a band
	// with the hand and the count from 600 px up.
	minHeight := float32(30)
	if r.w.Canvas().Size().Height < 600 {
		minHeight = 8
	}
	if ss.Height < minHeight || ss.Width < r.w.Canvas().Size().Width*0.9 {
		t.Errorf("desk signal %v: too small to see from the desk", ss)
	}
	for _, c := range r.k.Screen().Controls() {
		cp, cs := d.AbsolutePositionForObject(c), c.Size()
		if cp.X < sp.X+ss.Width && sp.X < cp.X+cs.Width && cp.Y < sp.Y+ss.Height && sp.Y < cp.Y+cs.Height {
			t.Errorf("the desk signal (%v %v) covers control %s (%v %v)", sp, ss, c.ID, cp, cs)
		}
	}
}

func onWindow(o, want fyne.CanvasObject) bool {
	if o == want {
		return true
	}
	var children []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		children = c.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(c).Objects()
	}
	for _, ch := range children {
		if onWindow(ch, want) {
			return true
		}
	}
	return false
}

// TestHelpSaysSomeoneIsComing: help records help_asked, then says, in the
// user's language through the real player, that a person is coming; the
// desk signal comes on; "wait" keeps the screen and says it again; "go
// on" gives the step back with the digits typed.
func TestHelpSaysSomeoneIsComing(t *testing.T) {
	for _, lang := range []passerelle.Lang{"fr", "en", "ar"} {
		t.Run(string(lang), func(t *testing.T) {
			r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), helpCatalog(t), staffPIN, newClock())
			assertSignal(t, r, false)
			id := askHelpOnCode(r, lang)

			played := r.played()
			last := played[len(played)-1]
			if last.Prompt.Text != comingSentence[lang] || last.Prompt.Lang != lang || last.Duration <= 0 {
				t.Fatalf("the help screen said %+v, want %q in %s, spoken", last, comingSentence[lang], lang)
			}
			s := r.k.Screen()
			if s.Wait == nil || s.GoOn == nil || s.Wait.Label == "" || s.GoOn.Label == "" {
				t.Fatal("the help screen lacks its two choices")
			}
			assertSignal(t, r, true)
			if calls := r.k.OpenHelpCalls(); len(calls) != 1 || calls[0].SessionID != id || calls[0].StepID != "code" {
				t.Fatalf("open calls %+v, want the session's on step code", calls)
			}
			evs := sessionEvents(t, r.db, id)
			if e := evs[len(evs)-1]; e.Kind != passerelle.EventHelpAsked || e.StepID != "code" {
				t.Fatalf("last event %+v, want help_asked on code", e)
			}

			before := r.asked.count()
			r.tap(s.Wait)
			if r.where() != ui.ScreenHelp {
				t.Fatalf("wait led to %s, want the help screen still", r.where())
			}
			if again := r.asked.since(before); len(again) != 1 || again[0].Text != comingSentence[lang] {
				t.Errorf("wait said %+v, want the sentence again", again)
			}

			r.tap(s.GoOn)
			if r.where() != "step:code" || r.k.Screen().Display.Text() != "184" {
				t.Fatalf("go on led to %s with %q typed, want step code with 184", r.where(), r.k.Screen().Display.Text())
			}
			assertSignal(t, r, true) // nobody came yet
			// The band takes its room: the keypad still fits, big enough,
			// on every window, and the band covers none of its keys.
			for _, size := range windowSizes {
				assertFits(t, r.w, r.k.Screen(), size, string(lang)+" step with the desk signal")
				assertSignal(t, r, true)
			}
		})
	}
}

// openHelpTab opens staff mode on the help calls tab.
func openHelpTab(r *staffRig) *ui.StaffView {
	r.t.Helper()
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	v := r.k.Staff()
	if v == nil || v.Tabs == nil {
		r.t.Fatalf("staff mode did not open: %s", r.where())
	}
	for i, item := range v.Tabs.Items {
		if item.Text == "Help calls" {
			v.Tabs.SelectIndex(i)
			return v
		}
	}
	r.t.Fatal("staff mode has no Help calls tab")
	return nil
}

// TestStaffMarkHelpCallHandled: the open call is listed with its
// procedure, step and wait; "Handled" appends help_handled to the live
// session (next Seq, the call's step, now), the signal goes, the call
// moves to the handled list, the statistics count one answer with the
// right wait, and the person's session goes on with its own Seq.
func TestStaffMarkHelpCallHandled(t *testing.T) {
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), helpCatalog(t), staffPIN, newClock())
	id := askHelpOnCode(r, "en")
	asked := sessionEvents(t, r.db, id)
	askedAt := asked[len(asked)-1].At
	r.tap(r.k.Screen().GoOn)
	r.clock.Add(4 * time.Minute)

	v := openHelpTab(r)
	l := v.HelpOpen[id]
	if l == nil || !strings.Contains(l.Text, "Déclaration CAF") || !strings.Contains(l.Text, "step code") || !strings.Contains(l.Text, "waiting for 4 min") {
		t.Fatalf("open call row %v, want the procedure, the step and 4 min", l)
	}
	assertSignal(t, r, true)
	test.Tap(v.HelpHandle[id])
	handledAt := r.clock.Now()

	evs := sessionEvents(t, r.db, id)
	e := evs[len(evs)-1]
	if e.Kind != passerelle.EventHelpHandled || e.SessionID != id || e.Seq != len(asked)+1 || e.StepID != "code" || !e.At.Equal(handledAt) {
		t.Fatalf("last event %+v, want help_handled, seq %d, step code, at %v", e, len(asked)+1, handledAt)
	}
	assertSignal(t, r, false)
	if len(v.HelpOpen) != 0 || len(v.HelpDone) != 1 || !strings.Contains(v.HelpDone[0].Text, "answered in 4 min") {
		t.Fatalf("after handled: %d open, handled rows %v", len(v.HelpOpen), v.HelpDone)
	}

	f, err := r.db.Figures(context.Background(), passerelle.FiguresQuery{From: askedAt.Add(-time.Hour), To: handledAt.Add(time.Hour), Period: passerelle.PeriodDay})
	if err != nil {
		t.Fatal(err)
	}
	want := handledAt.Sub(askedAt).Seconds()
	if len(f.HelpAnswered) != 1 || f.HelpAnswered[0].Answered != 1 || f.HelpAnswered[0].MedianSeconds != want {
		t.Fatalf("figures answered %+v, want one call answered in %v s", f.HelpAnswered, want)
	}

	// The person goes on: their next answer takes the Seq after staff's.
	test.Tap(v.Lock)
	for _, d := range "123" {
		r.tap(r.k.Screen().Keys[string(d)])
	}
	r.tap(r.k.Screen().Next)
	if r.where() != "step:done" {
		t.Fatalf("after the call, the session did not go on: %s", r.where())
	}
	for i, e := range sessionEvents(t, r.db, id) {
		if e.Seq != i+1 {
			t.Fatalf("event %d has seq %d: %+v", i+1, e.Seq, e)
		}
	}
}

// TestOpenHelpCallSurvivesARestart: a call left open when the kiosk
// stops is open after the restart (the signal on at welcome), and staff
// mark it handled on the session the restart closed as interrupted.
func TestOpenHelpCallSurvivesARestart(t *testing.T) {
	catalog := helpCatalog(t)
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), catalog, staffPIN, newClock())
	id := askHelpOnCode(r, "fr")
	r = r.restart(catalog)
	if _, err := r.db.CloseInterrupted(context.Background(), r.clock.Now()); err != nil { // as the kiosk's start does
		t.Fatal(err)
	}
	// The signal's state is read at start; the interrupted end does not
	// close the call.
	if r.where() != ui.ScreenWelcome {
		t.Fatalf("after a restart: %s", r.where())
	}
	assertSignal(t, r, true)
	r.clock.Add(2 * time.Minute)
	v := openHelpTab(r)
	if v.HelpHandle[id] == nil {
		t.Fatalf("the call of %s is not listed after the restart", id)
	}
	before := sessionEvents(t, r.db, id)
	if before[len(before)-1].Outcome != passerelle.OutcomeInterrupted {
		t.Fatalf("the session was not closed: %+v", before[len(before)-1])
	}
	test.Tap(v.HelpHandle[id])
	evs := sessionEvents(t, r.db, id)
	e := evs[len(evs)-1]
	if e.Kind != passerelle.EventHelpHandled || e.Seq != len(before)+1 || e.StepID != "code" || !e.At.Equal(r.clock.Now()) {
		t.Fatalf("last event %+v, want help_handled seq %d on code now", e, len(before)+1)
	}
	assertSignal(t, r, false)
	// A second mark (another tab, a stale list) finds no open call.
	if _, err := r.db.HandleHelpCall(context.Background(), id, r.clock.Now()); !errors.Is(err, passerelle.ErrNoOpenCall) {
		t.Errorf("a second mark: %v, want ErrNoOpenCall", err)
	}
}

// TestWaitingForAMediatorOutlivesTheInactivityDelay: while the call is
// open, the session is not wiped after Inactivity; after HelpWait
// untouched the kiosk asks "are you still there?" and ends it
// StillThereWait later. The call stays open for staff. Once handled, the
// usual delay is back.
func TestWaitingForAMediatorOutlivesTheInactivityDelay(t *testing.T) {
	cases := []struct {
		name string
		goOn bool // the person went back to the step, or waits on the help screen
	}{
		{"waiting on the help screen", false},
		{"gone on with the step", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), helpCatalog(t), staffPIN, newClock())
			id := askHelpOnCode(r, "fr")
			where := ui.ScreenHelp
			if c.goOn {
				r.tap(r.k.Screen().GoOn)
				where = "step:code"
			}
			s := ui.DefaultSettings
			for waited := time.Duration(0); waited < ui.HelpWait-time.Second; waited += s.Inactivity {
				r.clock.Add(min(s.Inactivity, ui.HelpWait-time.Second-waited))
				r.k.CheckIdle()
			}
			if r.where() != where {
				t.Fatalf("a second before HelpWait: %s, want %s", r.where(), where)
			}
			r.clock.Add(time.Second)
			r.k.CheckIdle()
			if r.where() != ui.ScreenStillThere {
				t.Fatalf("after HelpWait: %s, want still-there", r.where())
			}
			r.clock.Add(s.StillThereWait)
			r.k.CheckIdle()
			if r.where() != ui.ScreenWelcome {
				t.Fatalf("no answer: %s, want welcome", r.where())
			}
			evs := sessionEvents(t, r.db, id)
			if e := evs[len(evs)-1]; e.Outcome != passerelle.OutcomeTimedOut {
				t.Fatalf("last event %+v, want the session timed out", e)
			}
			assertSignal(t, r, true) // the mediator who comes still marks it
		})
	}
}

// TestHandledCallGivesBackTheUsualDelay: once staff mark the call
// handled, the session's inactivity delay is the usual one again.
func TestHandledCallGivesBackTheUsualDelay(t *testing.T) {
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), helpCatalog(t), staffPIN, newClock())
	id := askHelpOnCode(r, "fr")
	r.tap(r.k.Screen().GoOn)
	v := openHelpTab(r)
	test.Tap(v.HelpHandle[id])
	test.Tap(v.Lock)
	if r.where() != "step:code" {
		t.Fatalf("staff mode gave back %s", r.where())
	}
	r.clock.Add(ui.DefaultSettings.Inactivity)
	r.k.CheckIdle()
	if r.where() != ui.ScreenStillThere {
		t.Fatalf("after Inactivity with the call handled: %s, want still-there", r.where())
	}
}

// TestHelpOutsideASessionReachesTheDesk: the person told "someone is
// coming" before choosing a procedure, or after the end, is seen at the
// desk: a call of its own (the finished session's log still ends with
// its end), listed, marked handled like any other; a second touch while
// it is open makes no second call.
func TestHelpOutsideASessionReachesTheDesk(t *testing.T) {
	cases := []struct {
		name     string
		reach    func(r *staffRig)
		wantStep string
		wantProc string
	}{
		{"on the languages screen", func(r *staffRig) { r.tap(r.k.Screen().Start) }, "languages", ""},
		{"after the end", func(r *staffRig) {
			r.chooseLanguage("fr")
			r.startProcedure("caf")
			for _, d := range "123456" {
				r.tap(r.k.Screen().Keys[string(d)])
			}
			r.tap(r.k.Screen().Next)
		}, "done", "caf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), helpCatalog(t), staffPIN, newClock())
			c.reach(r)
			var ended []passerelle.Event
			if s := r.k.Session(); s != nil {
				ended = sessionEvents(t, r.db, s.ID)
			}
			r.tap(r.k.Screen().Help)
			if r.where() != ui.ScreenHelp {
				t.Fatalf("help led to %s", r.where())
			}
			assertSignal(t, r, true)
			r.tap(r.k.Screen().GoOn)
			r.tap(r.k.Screen().Help) // again, while the call is open
			calls := r.k.OpenHelpCalls()
			if len(calls) != 1 || calls[0].StepID != c.wantStep || calls[0].ProcedureID != c.wantProc {
				t.Fatalf("open calls %+v, want one on %s of %q", calls, c.wantStep, c.wantProc)
			}
			if s := r.k.Session(); s != nil {
				if got := sessionEvents(t, r.db, s.ID); len(got) != len(ended) {
					t.Fatalf("the ended session's log grew: %d events, was %d", len(got), len(ended))
				}
			}
			id := calls[0].SessionID
			r.tap(r.k.Screen().GoOn)
			v := openHelpTab(r)
			test.Tap(v.HelpHandle[id])
			evs := sessionEvents(t, r.db, id)
			if len(evs) != 2 || evs[1].Kind != passerelle.EventHelpHandled || evs[1].Seq != 2 || evs[1].StepID != c.wantStep {
				t.Fatalf("the call's log %+v, want help_asked then help_handled on %s", evs, c.wantStep)
			}
			assertSignal(t, r, false)
		})
	}
}

// TestHubMarkIsRecorded: a call staff marked handled on the hub's page is
// recorded on the kiosk as the "Handled" button records it (the live
// session with its own Seq, any other through the help desk), the desk
// signal goes out, the hub push is told, and the person waiting sees
// nothing alarming: the "someone is coming" screen stays. A call handled
// here already records nothing more.
func TestHubMarkIsRecorded(t *testing.T) {
	for _, c := range []struct {
		name string
		// call opens a call and returns its session and the screen the
		// person should still see once the hub's mark is recorded.
		call func(r *staffRig) (session, screen string)
		// before runs between the call and the mark.
		before   func(r *staffRig, session string)
		recorded bool
	}{
		{"the live session waits on the help screen", func(r *staffRig) (string, string) {
			return askHelpOnCode(r, "ar"), ui.ScreenHelp
		}, nil, true},
		{"the person went on with the procedure", func(r *staffRig) (string, string) {
			id := askHelpOnCode(r, "fr")
			r.tap(r.k.Screen().GoOn)
			return id, "step:code"
		}, nil, true},
		{"a call made on the languages screen", func(r *staffRig) (string, string) {
			r.tap(r.k.Screen().Start)
			r.tap(r.k.Screen().Help)
			return r.k.OpenHelpCalls()[0].SessionID, ui.ScreenHelp
		}, nil, true},
		{"staff read the help calls tab", func(r *staffRig) (string, string) {
			id := askHelpOnCode(r, "en")
			openHelpTab(r)
			return id, ui.ScreenStaff
		}, nil, true},
		{"handled on the kiosk already", func(r *staffRig) (string, string) {
			id := askHelpOnCode(r, "en")
			r.tap(r.k.Screen().GoOn)
			return id, "step:code"
		}, func(r *staffRig, id string) {
			v := openHelpTab(r)
			test.Tap(v.HelpHandle[id])
			test.Tap(v.Lock)
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), helpCatalog(t), staffPIN, newClock())
			id, screen := c.call(r)
			if c.before != nil {
				c.before(r, id)
			}
			before := sessionEvents(t, r.db, id)
			told := len(r.told)
			r.clock.Add(2 * time.Minute)

			r.k.RecordHubMarks([]passerelle.HelpMark{{SessionID: id, MarkedAt: r.clock.Now().Add(-time.Second)}})

			after := sessionEvents(t, r.db, id)
			if !c.recorded {
				if len(after) != len(before) || len(r.told) != told {
					t.Fatalf("a call handled already: %d events added, the push told %d times", len(after)-len(before), len(r.told)-told)
				}
				return
			}
			e := after[len(after)-1]
			if len(after) != len(before)+1 || e.Kind != passerelle.EventHelpHandled || e.Seq != len(before)+1 || !e.At.Equal(r.clock.Now()) {
				t.Fatalf("the call's log ends with %+v, want help_handled, seq %d, at %v", e, len(before)+1, r.clock.Now())
			}
			if e.StepID != before[len(before)-1].StepID {
				t.Errorf("help_handled on step %q, want the call's %q", e.StepID, before[len(before)-1].StepID)
			}
			if len(r.told) != told+1 || r.told[told].SessionID != id || r.told[told].Open() {
				t.Fatalf("the push was told %+v, want the call handled", r.told[told:])
			}
			if len(r.k.OpenHelpCalls()) != 0 {
				t.Errorf("open calls %+v after the hub's mark", r.k.OpenHelpCalls())
			}
			if r.where() != screen {
				t.Errorf("the mark moved the person to %s, want %s", r.where(), screen)
			}
			if v := r.k.Staff(); v != nil && v.HelpOpen != nil {
				if len(v.HelpOpen) != 0 || len(v.HelpDone) != 1 {
					t.Errorf("staff's list after the hub's mark: %d open, %d handled", len(v.HelpOpen), len(v.HelpDone))
				}
				test.Tap(v.Lock)
			}
			assertSignal(t, r, false)
			// The same mark again (the hub answers it until it holds the
			// kiosk's help_handled) records nothing more.
			r.k.RecordHubMarks([]passerelle.HelpMark{{SessionID: id}})
			if again := sessionEvents(t, r.db, id); len(again) != len(after) {
				t.Errorf("the same mark twice: %d events, want %d", len(again), len(after))
			}
		})
	}
}
