package ui_test

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// TestGestures checks the promises a person who cannot read relies on.
func TestGestures(t *testing.T) {
	r := newRig(t, openCatalog(t, shipped))

	// The very first screen speaks by itself, in every language.
	played := r.played()
	if len(played) != 3 || played[0].Prompt.Text != "Touchez l'écran pour commencer." || played[2].Prompt.Lang != "ar" {
		t.Fatalf("first screen played %+v, want \"touch the screen\" in fr, en, ar", played)
	}

	r.chooseLanguage("fr")
	r.startProcedure("create-email")
	r.tap(r.k.Screen().Next) // information → the choice "do you have a phone?"
	if r.where() != "step:has-phone" {
		t.Fatalf("at %s, want the choice has-phone", r.where())
	}
	sessionID := r.k.Session().ID
	answers := func() int {
		n := 0
		for _, e := range sessionEvents(t, r.db, sessionID) {
			if e.Kind == passerelle.EventAnswerGiven {
				n++
			}
		}
		return n
	}

	// Touching an answer says it and highlights it, and answers nothing.
	yes := r.k.Screen().Tile("yes")
	r.tap(yes)
	played = r.played()
	if last := played[len(played)-1].Prompt; last.Text != "Oui, à moi" {
		t.Errorf("touching the answer said %q, want its label", last.Text)
	}
	if !yes.Selected() || r.where() != "step:has-phone" || answers() != 0 {
		t.Errorf("after one touch: selected %v, screen %s, %d answers; want highlighted, same screen, none", yes.Selected(), r.where(), answers())
	}
	// Touching another answer moves the highlight.
	r.tap(r.k.Screen().Tile("no"))
	if yes.Selected() || !r.k.Screen().Tile("no").Selected() {
		t.Error("the highlight did not move to the second answer")
	}
	r.tap(yes)

	// The green arrow chooses; a second tap at once (a double tap) is the
	// half-second guard's to ignore, even though the next screen has its
	// own green arrow at the same place.
	r.clock.Add(1e9)
	test.Tap(r.k.Screen().Next)
	test.Tap(r.k.Screen().Next)
	r.note()
	if r.where() != "step:prepare" || answers() != 1 {
		t.Errorf("after a double tap: screen %s with %d answers, want step:prepare with 1", r.where(), answers())
	}

	// A disabled control does nothing, even touched.
	r.goHome()
	r.tap(r.k.Screen().Start)
	if back := r.k.Screen().Back; !back.Disabled() {
		t.Fatal("back is enabled on the language screen")
	}
	r.tap(r.k.Screen().Back)
	if r.where() != ui.ScreenLanguages {
		t.Errorf("a disabled back moved to %s", r.where())
	}
}
