package ui_test

import (
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"passerelle/app/ui"
)

// press sends a key to the window's canvas, where the driver sends the
// keys no widget takes, a second after the last action.
func (r *rig) press(key fyne.KeyName) {
	r.t.Helper()
	r.clock.Add(time.Second)
	if r.keyed == nil {
		r.keyed = map[*ui.Screen]bool{}
	}
	r.keyed[r.k.Screen()] = true
	r.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: key})
	r.note()
}

// keyTo moves the focus onto tile with the arrow keys, checking at each
// press what a person who cannot see the screen relies on: one control
// has the ring, and the kiosk said its name; the first key on a screen
// said how many controls there are.
func (r *rig) keyTo(tile *ui.Tile) {
	r.t.Helper()
	s := r.k.Screen()
	if tile == nil {
		r.t.Fatalf("no such tile on screen %s", r.where())
	}
	controls := s.Controls()
	enabled := 0
	for _, c := range controls {
		if !c.Disabled() {
			enabled++
		}
	}
	// The green arrow is last: "previous" from nothing reaches it.
	key := fyne.KeyDown
	if tile == s.Next {
		key = fyne.KeyUp
	}
	for i := 0; !tile.Focused(); i++ {
		if i > len(controls) {
			r.t.Fatalf("%s: the keys never reach the tile %q", r.where(), tile.ID)
		}
		first := !r.keyed[s]
		n := r.asked.count()
		r.press(key)
		said := r.asked.since(n)
		var focused []*ui.Tile
		for _, c := range controls {
			if c.Focused() {
				focused = append(focused, c)
			}
		}
		if len(focused) != 1 {
			r.t.Fatalf("%s: %d controls have the focus ring after %s, want 1", r.where(), len(focused), key)
		}
		f := focused[0]
		switch {
		case f.Disabled():
			r.t.Errorf("%s: the focus is on the disabled %q", r.where(), f.ID)
		case len(said) == 0 || said[len(said)-1].Text == "":
			r.t.Errorf("%s: the focus reached %q in silence: %+v", r.where(), f.ID, said)
		case f.Label != "" && f != s.Sign && said[len(said)-1].Text != f.Label:
			r.t.Errorf("%s: the focus reached %q and said %q, want its label", r.where(), f.ID, said[len(said)-1].Text)
		}
		if first && (len(said) < 3 || said[1].Text != strconv.Itoa(enabled)) {
			r.t.Errorf("%s: the first key said %+v, want how many controls (%d) and how to move", r.where(), said, enabled)
		}
		if !first && len(said) != 1 {
			r.t.Errorf("%s: a focus move said %+v, want the control's name only", r.where(), said)
		}
	}
}

// TestWalkEveryProcedureByKeys is the touch walk with the keys alone:
// the same screens, the same step prompts, the same events.
func TestWalkEveryProcedureByKeys(t *testing.T) {
	walkEveryProcedure(t, true)
}
