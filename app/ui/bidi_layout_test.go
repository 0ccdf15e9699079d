package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"

	"passerelle/app/passerelle"
)

// In a right-to-left language the screen reads from the right: the green
// arrow and the paging arrow to the next page are on the left, home on
// the right, the first answer on the right; the keypad stays a phone's,
// its digits left to right, as numbers are written in Arabic too.
func TestRightToLeftMirrorsTheLayout(t *testing.T) {
	tests := []struct {
		name string
		lang passerelle.Lang
		rtl  bool
	}{
		{"French reads from the left", "fr", false},
		{"Arabic reads from the right", "ar", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, openCatalog(t, shipped))
			// leftOf reports whether a is on the left of b, and says
			// so when it is not what the language wants.
			leftOf := func(what string, a, b fyne.CanvasObject, want bool) {
				t.Helper()
				if got := x(a) < x(b); got != want {
					t.Errorf("%s: %s on the left is %v, want %v (%.0f, %.0f)", tt.lang, what, got, want, x(a), x(b))
				}
			}

			r.chooseLanguage(tt.lang)
			s := r.k.Screen()
			if s.NextPage == nil {
				t.Fatal("the shipped catalog fits one page of procedures: no paging arrows to check")
			}
			leftOf("the next page arrow, the previous page arrow", s.NextPage, s.PrevPage, tt.rtl)
			leftOf("the first procedure, the second", s.Tiles[0], s.Tiles[1], !tt.rtl)
			r.goHome()

			r.goToStep(tt.lang, "create-email", "has-phone")
			s = r.k.Screen()
			leftOf("next, home", s.Next, s.Home, tt.rtl)
			leftOf("back, listen again", s.Back, s.Listen, !tt.rtl)
			leftOf("the first answer, the second", s.Tiles[0], s.Tiles[1], !tt.rtl)
			r.goHome()

			r.goToStep(tt.lang, "ameli-attestation", "ssn-check")
			s = r.k.Screen()
			leftOf("key 1, key 3", s.Keys["1"], s.Keys["3"], true)
			leftOf("next, home", s.Next, s.Home, tt.rtl)
		})
	}
}

// x is where o starts on the window, from the left.
func x(o fyne.CanvasObject) float32 {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).X
}
