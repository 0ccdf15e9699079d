package ui_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// TestInactivityEndsTheSessionAndLeavesNoTrace: a user walks away in the
// middle of typing their social security number. The kiosk asks whether
// they are still there, then ends the session; the next person sees the
// welcome screen and nothing of the previous user.
func TestInactivityEndsTheSessionAndLeavesNoTrace(t *testing.T) {
	r := newRig(t, openCatalog(t, shipped))
	r.chooseLanguage("fr")
	r.startProcedure("ameli-attestation")
	r.tap(r.k.Screen().Tile("yes")) // "does your number start with 1 or 2?"
	r.tap(r.k.Screen().Next)
	if r.where() != "step:ssn-check" {
		t.Fatalf("at %s, want the number step", r.where())
	}
	const secret = "2840675123"
	for _, d := range secret {
		r.tap(r.k.Screen().Keys[string(d)])
	}
	sessionID := r.k.Session().ID
	procTexts := textsOf(r.k.Session().Proc)

	// 89 s: nothing happens yet.
	r.clock.Add(ui.DefaultSettings.Inactivity - ui.DefaultSettings.TapGuard - 1e9)
	r.k.CheckIdle()
	if r.where() != "step:ssn-check" {
		t.Fatalf("asked too early: %s", r.where())
	}
	// 90 s: "are you still there?", spoken.
	r.clock.Add(ui.DefaultSettings.TapGuard + 1e9)
	r.k.CheckIdle()
	if r.where() != ui.ScreenStillThere {
		t.Fatalf("after the inactivity delay: %s, want still-there", r.where())
	}
	played := r.played()
	if last := played[len(played)-1].Prompt; last.Lang != "fr" || !strings.Contains(last.Text, "toujours là") {
		t.Errorf("last prompt %+v, want the question in French", last)
	}
	// Answering yes gives the screen back as it was.
	r.tap(r.k.Screen().Yes)
	if r.where() != "step:ssn-check" || !strings.Contains(r.k.Screen().Display.Text(), "284") {
		t.Fatalf("after yes: %s, display %q", r.where(), r.k.Screen().Display.Text())
	}

	if shown := strings.Join(visibleTexts(r.w.Canvas().Content()), ""); !strings.Contains(shown, secret) {
		t.Fatalf("the typed number is not in the boxes: %q", shown)
	}

	// Away again: question, then no answer.
	r.clock.Add(ui.DefaultSettings.Inactivity)
	r.k.CheckIdle()
	r.clock.Add(ui.DefaultSettings.StillThereWait)
	r.k.CheckIdle()
	if r.where() != ui.ScreenWelcome {
		t.Fatalf("after no answer: %s, want welcome", r.where())
	}
	if r.k.Session() != nil || r.k.Lang() != "" {
		t.Errorf("the kiosk still holds the user: session %v, language %q", r.k.Session(), r.k.Lang())
	}
	// The number is drawn a character per box: look at all the texts
	// together.
	if shown := strings.Join(visibleTexts(r.w.Canvas().Content()), ""); strings.Contains(strings.ReplaceAll(shown, " ", ""), "2840") {
		t.Errorf("the typed number is still visible: %q", shown)
	}
	for _, text := range visibleTexts(r.w.Canvas().Content()) {
		if procTexts[text] {
			t.Errorf("a text of the procedure is still visible: %q", text)
		}
	}
	evs := sessionEvents(t, r.db, sessionID)
	if last := evs[len(evs)-1]; last.Kind != passerelle.EventSessionEnded || last.Outcome != passerelle.OutcomeTimedOut {
		t.Errorf("last event %+v, want session_ended timed_out", last)
	}
	for _, e := range evs {
		if strings.Contains(e.Answer+e.Personal, "2840") {
			t.Errorf("the number not yet validated was saved: %+v", e)
		}
	}
	if n, _ := r.db.PurgePersonal(context.Background(), r.clock.Now()); n != 0 {
		t.Errorf("%d personal values stored", n)
	}
}

// textsOf returns every text of a procedure in every language.
func textsOf(p *passerelle.Procedure) map[string]bool {
	texts := map[string]bool{}
	add := func(t passerelle.Text) {
		for _, s := range t {
			texts[s] = true
		}
	}
	add(p.Title)
	add(p.Intro)
	for _, d := range p.Documents {
		add(d.Label)
	}
	for _, s := range p.Steps {
		add(s.Say)
		for _, o := range s.Options {
			add(o.Label)
		}
	}
	return texts
}

// visibleTexts returns the texts drawn under o, widgets included.
func visibleTexts(o fyne.CanvasObject) []string {
	var texts []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			if l, ok := v.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
			return
		}
		if ct, ok := o.(*canvas.Text); ok {
			texts = append(texts, ct.Text)
		}
	}
	walk(o)
	return texts
}
