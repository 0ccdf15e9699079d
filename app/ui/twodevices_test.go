package ui_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// vitale is a procedure done on two devices: a step on the person's phone
// with a sketch of what to look for, their social security number typed
// on the kiosk, a choice, an end and a handoff.
func vitale(t testing.TB, personal bool) passerelle.CatalogSource {
	t.Helper()
	rule, err := passerelle.NewNumberRule(13, 15, `[12][0-9]{12}([0-9]{2})?`, false)
	if err != nil {
		t.Fatal(err)
	}
	rule.Personal, rule.Check = personal, passerelle.CheckNIR
	text := func(fr, en string) passerelle.Text { return passerelle.Text{"fr": fr, "en": en} }
	p := &passerelle.Procedure{
		ID: "vitale", Version: 1, Langs: []passerelle.Lang{"fr", "en"},
		Title: text("Carte Vitale", "Carte Vitale"), Intro: text("Avec votre numéro.", "With your number."),
		Steps: []*passerelle.Step{
			{ID: "open-site", Kind: passerelle.KindInfo, Next: "nir", Elsewhere: true,
				Say:    text("Sur votre téléphone, ouvrez le site ameli.", "On your phone, open the ameli site."),
				Screen: passerelle.Media{Path: "sketch.svg", Data: testSketches[1]}},
			{ID: "nir", Kind: passerelle.KindNumber, Next: "has-code", Number: rule,
				Say: text("Tapez votre numéro de sécurité sociale.", "Type your social security number.")},
			{ID: "has-code", Kind: passerelle.KindChoice,
				Say: text("Avez-vous reçu le code ?", "Did you get the code?"),
				Options: []*passerelle.Option{
					{ID: "yes", Label: text("Oui", "Yes"), Next: "done"},
					{ID: "no", Label: text("Non", "No"), Next: "desk"},
				}},
			{ID: "done", Kind: passerelle.KindEnd, Say: text("C'est fini.", "It is done.")},
			{ID: "desk", Kind: passerelle.KindHandoff, Say: text("Allez à l'accueil.", "Go to the front desk.")},
		},
	}
	p.Index()
	return static{passerelle.NewCatalog([]*passerelle.Procedure{p})}
}

// kinds is a session's log as "kind step answer outcome" lines, from the
// first event of the given kinds on.
func kinds(t testing.TB, r *rig, sessionID string) []string {
	t.Helper()
	var lines []string
	for _, e := range sessionEvents(t, r.db, sessionID) {
		lines = append(lines, strings.TrimSpace(strings.Join([]string{string(e.Kind), e.StepID, e.Answer, string(e.Outcome)}, " ")))
	}
	return lines
}

// TestElsewhereStepOutlivesTheInactivityDelay: on a step done on the
// person's phone, the kiosk says to take their time and waits
// ElsewhereWait, not the 90 s + 30 s that wipe an abandoned screen; then
// the usual question and its timeout apply. A step on the kiosk itself
// keeps the short delay.
func TestElsewhereStepOutlivesTheInactivityDelay(t *testing.T) {
	r := newRig(t, vitale(t, true))
	r.chooseLanguage("fr")
	r.startProcedure("vitale")
	if r.where() != "step:open-site" {
		t.Fatalf("at %s, want the step done elsewhere", r.where())
	}
	played := r.played()
	if n := len(played); n < 2 || played[n-2].Prompt.Text != "Sur votre téléphone, ouvrez le site ameli." || !strings.HasPrefix(played[n-1].Prompt.Text, "Prenez votre temps.") {
		t.Fatalf("played %+v, want the step's sentence then \"take your time\"", played)
	}
	sessionID := r.k.Session().ID

	// A mediator called over this step may be helping on the phone: the
	// help screen waits as long.
	r.tap(r.k.Screen().Help)
	r.clock.Add(ui.DefaultSettings.Inactivity)
	r.k.CheckIdle()
	if r.where() != ui.ScreenHelp {
		t.Fatalf("help over a step done elsewhere, after Inactivity: %s, want help still", r.where())
	}
	r.tap(r.k.Screen().Next)

	// Well past the normal wipe: still on the step, the session goes on.
	// The help call is still open: the longer of the two waits applies.
	s := ui.DefaultSettings
	s.ElsewhereWait = max(s.ElsewhereWait, ui.HelpWait)
	r.clock.Add(s.Inactivity + s.StillThereWait + s.TapGuard)
	r.k.CheckIdle()
	r.clock.Add(s.ElsewhereWait - s.Inactivity - s.StillThereWait - s.TapGuard - 1e9)
	r.k.CheckIdle()
	if r.where() != "step:open-site" {
		t.Fatalf("a second before ElsewhereWait: %s, want the step", r.where())
	}
	if _, ended := r.k.Session().Ended(); ended {
		t.Fatal("the session ended while the person worked on their phone")
	}
	// ElsewhereWait: the question; StillThereWait later, the end.
	r.clock.Add(1e9)
	r.k.CheckIdle()
	if r.where() != ui.ScreenStillThere {
		t.Fatalf("after ElsewhereWait: %s, want still-there", r.where())
	}
	r.clock.Add(s.StillThereWait - 1e9)
	r.k.CheckIdle()
	if r.where() != ui.ScreenStillThere {
		t.Fatalf("the question did not wait StillThereWait: %s", r.where())
	}
	r.clock.Add(1e9)
	r.k.CheckIdle()
	if r.where() != ui.ScreenWelcome {
		t.Fatalf("no answer: %s, want welcome", r.where())
	}
	evs := kinds(t, r, sessionID)
	if last := evs[len(evs)-1]; last != "session_ended open-site  timed_out" {
		t.Errorf("last event %q, want the session timed out on open-site", last)
	}

	// The next step is on the kiosk: the usual delay.
	r.chooseLanguage("fr")
	r.startProcedure("vitale")
	r.tap(r.k.Screen().Next)
	r.clock.Add(s.Inactivity)
	r.k.CheckIdle()
	if r.where() != ui.ScreenStillThere {
		t.Fatalf("on a kiosk step after Inactivity: %s, want still-there", r.where())
	}
}

// TestStopAsksBeforeLosingWork: home in the middle of a procedure asks
// "stop this procedure?"; "no" gives the step back as it was, "yes" ends
// the session as abandoned; both are in the log, in order. Back on the
// first step asks too. A double tap on home never answers the question.
func TestStopAsksBeforeLosingWork(t *testing.T) {
	r := newRig(t, vitale(t, true))
	r.chooseLanguage("fr")
	r.startProcedure("vitale")
	sessionID := r.k.Session().ID
	r.tap(r.k.Screen().Next)
	for _, d := range "18406" {
		r.tap(r.k.Screen().Keys[string(d)])
	}
	step := r.k.Screen()

	r.tap(r.k.Screen().Home)
	if r.where() != ui.ScreenStop {
		t.Fatalf("home mid-procedure led to %s, want the stop question", r.where())
	}
	asked := r.asked.since(0)
	if last := asked[len(asked)-1]; !strings.HasPrefix(last.Text, "Voulez-vous arrêter ?") {
		t.Errorf("the question said %q", last.Text)
	}
	test.Tap(r.k.Screen().Yes) // the second half of a double tap on home
	test.Tap(r.k.Screen().No)
	if r.where() != ui.ScreenStop {
		t.Fatalf("a double tap answered the question: at %s", r.where())
	}
	r.tap(r.k.Screen().No)
	if r.k.Screen() != step || step.Display.Text() != "18406" {
		t.Fatalf("after no: %s with %q typed, want the same step with 18406", r.where(), step.Display.Text())
	}
	for _, d := range "2A12345601" {
		r.tap(r.k.Screen().Keys[string(d)])
	}
	r.tap(r.k.Screen().Next)
	if r.where() != "step:has-code" {
		t.Fatalf("the number typed over the question was not taken: at %s", r.where())
	}

	// A highlighted answer is kept too.
	r.tap(r.k.Screen().Tile("no"))
	r.tap(r.k.Screen().Home)
	r.tap(r.k.Screen().No)
	if !r.k.Screen().Tile("no").Selected() {
		t.Error("after no, the highlighted answer was lost")
	}
	r.tap(r.k.Screen().Home)
	r.tap(r.k.Screen().Yes)
	if r.where() != ui.ScreenWelcome || r.k.Session() != nil {
		t.Fatalf("after yes: %s, session %v; want welcome and no session", r.where(), r.k.Session())
	}
	want := []string{
		"session_started", "step_shown open-site", "step_shown nir",
		"stop_asked nir home", "stop_cancelled nir",
		"answer_given nir valid", "step_shown has-code",
		"stop_asked has-code home", "stop_cancelled has-code",
		"stop_asked has-code home", "session_ended has-code  abandoned",
	}
	if got := kinds(t, r, sessionID); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Back on the first step leaves the procedure: it asks too, and
	// "yes" goes back to the procedures.
	r.chooseLanguage("fr")
	r.startProcedure("vitale")
	sessionID = r.k.Session().ID
	r.tap(r.k.Screen().Back)
	if r.where() != ui.ScreenStop {
		t.Fatalf("back on the first step led to %s, want the stop question", r.where())
	}
	r.tap(r.k.Screen().Yes)
	if r.where() != ui.ScreenProcedures {
		t.Errorf("after yes: %s, want the procedures", r.where())
	}
	got := kinds(t, r, sessionID)
	if tail := strings.Join(got[len(got)-2:], "\n"); tail != "stop_asked open-site back\nsession_ended open-site  abandoned" {
		t.Errorf("log ends:\n%s", tail)
	}

	// Nothing to lose, nothing asked: home on the procedures.
	r.tap(r.k.Screen().Home)
	if r.where() != ui.ScreenWelcome {
		t.Errorf("home with no session led to %s, want welcome", r.where())
	}
}

// TestPersonalNumberIsNeverSpoken: typing a social security number in a
// public room, the kiosk says the place of each character, never the
// character; A and B work only as Corsica's 2A and 2B. A number that is
// complete but wrong is said to be wrong, not incomplete. The same keypad
// on a number that is not personal says each digit, which shows the check
// can fail.
func TestPersonalNumberIsNeverSpoken(t *testing.T) {
	for _, tc := range []struct {
		name     string
		personal bool
	}{{"personal", true}, {"not personal", false}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, vitale(t, tc.personal))
			r.chooseLanguage("fr")
			r.startProcedure("vitale")
			r.tap(r.k.Screen().Next)
			s := r.k.Screen()
			if s.Display.Boxes() != 15 {
				t.Errorf("%d boxes, want one per character of a NIR with its key", s.Display.Boxes())
			}
			before := r.asked.count()
			typeKeys := func(keys string) {
				t.Helper()
				for _, k := range keys {
					r.tap(s.Keys[string(k)])
				}
			}
			if !s.Keys["A"].Disabled() || !s.Keys["B"].Disabled() {
				t.Fatal("A and B are usable on the first character")
			}
			typeKeys("184062")
			if s.Keys["A"].Disabled() || s.Keys["B"].Disabled() {
				t.Fatal("A and B are not usable after 18406 2 (born in Corsica)")
			}
			typeKeys("A1234")
			if !s.Keys["A"].Disabled() {
				t.Fatal("A is usable after the département")
			}
			r.tap(s.Next)
			if r.where() != "step:nir" || !s.Display.Incomplete() {
				t.Fatalf("11 characters: at %s, incomplete shown %v", r.where(), s.Display.Incomplete())
			}
			typeKeys("5602") // 15 characters, the key should be 01
			for _, size := range windowSizes {
				assertFits(t, r.w, s, size, "15 characters typed")
			}
			r.w.Resize(windowSizes[1])
			r.tap(s.Next)
			if r.where() != "step:nir" || !s.Display.Wrong() {
				t.Fatalf("a wrong key: at %s, wrong shown %v", r.where(), s.Display.Wrong())
			}
			typeKeys("A") // a disabled key: nothing happens
			r.tap(s.Keys["erase"])
			typeKeys("1")
			r.tap(s.Next)
			if r.where() != "step:has-code" {
				t.Fatalf("the right number was refused: at %s, typed %q", r.where(), s.Display.Text())
			}

			said := map[string]bool{}
			for _, p := range r.asked.since(before) {
				said[p.Text] = true
			}
			var spoken []string
			for _, p := range r.played() {
				spoken = append(spoken, p.Prompt.Text)
			}
			var digits []string
			for _, text := range spoken {
				if len(text) == 1 {
					digits = append(digits, text)
				}
			}
			for text := range said {
				if len(text) == 1 && !strings.Contains(strings.Join(digits, ""), text) {
					digits = append(digits, text) // asked for, cut before the sink played it
				}
			}
			if tc.personal {
				if len(digits) > 0 {
					t.Errorf("the kiosk said the characters %v of a personal number", digits)
				}
				for _, want := range []string{"Chiffre 1.", "Chiffre 6.", "Lettre 7.", "Chiffre 15."} {
					if !said[want] {
						t.Errorf("the kiosk did not say %q", want)
					}
				}
				var all []string
				for _, p := range r.asked.since(0) {
					all = append(all, p.Text)
				}
				if !strings.Contains(strings.Join(all, " "), "ne dit pas vos chiffres") {
					t.Error("the step did not say why the digits are not spoken")
				}
			} else if !said["A"] || !said["8"] {
				t.Errorf("a number that is not personal: said %v, want each character", said)
			}
			for _, want := range []string{"Le numéro n'est pas complet.", "Ce numéro n'est pas bon."} {
				found := false
				for text := range said {
					found = found || strings.HasPrefix(text, want)
				}
				if !found {
					t.Errorf("the kiosk did not say %q", want)
				}
			}
			for _, e := range sessionEvents(t, r.db, r.k.Session().ID) {
				if strings.Contains(e.Answer+e.Personal, "2A") {
					t.Errorf("a number the procedure does not keep was saved: %+v", e)
				}
			}
		})
	}
}

// TestEndScreenLogEndsWithTheEnd: on the end screen, Listen says the
// sentence again and Help calls a person, but the session's log still
// ends with session_ended; home then goes straight to welcome.
func TestEndScreenLogEndsWithTheEnd(t *testing.T) {
	r := newRig(t, vitale(t, true))
	r.chooseLanguage("fr")
	r.startProcedure("vitale")
	sessionID := r.k.Session().ID
	r.tap(r.k.Screen().Next)
	for _, d := range "1840675123456" {
		r.tap(r.k.Screen().Keys[string(d)])
	}
	r.tap(r.k.Screen().Next)
	r.tap(r.k.Screen().Tile("yes"))
	r.tap(r.k.Screen().Next)
	if r.where() != "step:done" {
		t.Fatalf("at %s, want the end", r.where())
	}
	before := r.asked.count()
	r.tap(r.k.Screen().Listen)
	if again := r.asked.since(before); len(again) == 0 || again[0].Text != "C'est fini." {
		t.Errorf("listen on the end screen said %+v, want the end's sentence", again)
	}
	r.tap(r.k.Screen().Help)
	if r.where() != ui.ScreenHelp {
		t.Fatalf("help on the end screen led to %s", r.where())
	}
	r.tap(r.k.Screen().Next)
	got := kinds(t, r, sessionID)
	if last := got[len(got)-1]; last != "session_ended done  finished" {
		t.Errorf("the log ends with %q, want the end:\n%s", last, strings.Join(got, "\n"))
	}
	r.tap(r.k.Screen().Home)
	if r.where() != ui.ScreenWelcome {
		t.Errorf("home after the end led to %s, want welcome without a question", r.where())
	}
}
