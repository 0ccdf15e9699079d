package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// TestHintsSayTheGestureUsed: a person who touches hears "touch" in the
// hints; once they press a key, the hints of the screens that follow say
// the keys instead, and the next person, who touches, hears "touch"
// again.
func TestHintsSayTheGestureUsed(t *testing.T) {
	for _, lang := range []passerelle.Lang{"fr", "en", "ar"} {
		t.Run(string(lang), func(t *testing.T) {
			r := newRig(t, openCatalog(t, shipped))
			// choiceHint walks to the first choice step of create-email,
			// by touch, and returns the hint said after its sentence.
			choiceHint := func() string {
				t.Helper()
				r.tap(r.k.Screen().Start)
				r.tap(r.k.Screen().Tile(string(lang)))
				r.tap(r.k.Screen().Next)
				for r.k.Screen().Tile("create-email") == nil {
					r.tap(r.k.Screen().NextPage)
				}
				r.tap(r.k.Screen().Tile("create-email"))
				r.tap(r.k.Screen().Next)
				for r.k.Session().Step().Kind != passerelle.KindChoice {
					r.tap(r.k.Screen().Next)
				}
				p := r.k.Screen().Prompt
				return p[len(p)-1].Text
			}
			if got := choiceHint(); got != heardChooseByTouch[lang] {
				t.Errorf("by touch: %q, want %q", got, heardChooseByTouch[lang])
			}
			r.press(fyne.KeyRight) // one key: the ring moves
			r.tap(r.k.Screen().Next)
			r.tap(r.k.Screen().Home)
			r.tap(r.k.Screen().Yes)
			if r.where() != ui.ScreenWelcome {
				t.Fatalf("home then yes led to %s", r.where())
			}
			// The next person touches: "touch" again.
			if got := choiceHint(); got != heardChooseByTouch[lang] {
				t.Errorf("the next person, by touch: %q, want %q", got, heardChooseByTouch[lang])
			}
			r.press(fyne.KeyLeft)
			r.tap(r.k.Screen().Back)
			r.tap(r.k.Screen().Next)
			p := r.k.Screen().Prompt
			if got := p[len(p)-1].Text; got != heardChooseByKeys[lang] {
				t.Errorf("after a key: %q, want %q", got, heardChooseByKeys[lang])
			}
		})
	}
}
