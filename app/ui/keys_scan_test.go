package ui_test

import (
	"time"

	"testing"

	"fyne.io/fyne/v2"

	"passerelle/app/ui"
)

// switchKeys are what a switch may send: scanning takes any key.
var switchKeys = []fyne.KeyName{fyne.KeySpace, fyne.KeyA, fyne.KeyF5, fyne.Key7, fyne.KeyEscape}

// scanTo waits, moving the rig's clock, for the scanning ring to reach
// tile, checking at each move that one control has it and that the move
// said nothing over the screen's prompt.
func (r *rig) scanTo(tile *ui.Tile) {
	r.t.Helper()
	s := r.k.Screen()
	if tile == nil {
		r.t.Fatalf("no such tile on screen %s", r.where())
	}
	controls := s.Controls()
	r.k.CheckScan() // the kiosk notes a new screen at its first check
	for i := 0; !tile.Focused(); i++ {
		if i > len(controls)+len(s.Places) {
			r.t.Fatalf("%s: the ring never reaches the tile %q", r.where(), tile.ID)
		}
		n := r.asked.count()
		r.clock.Add(r.k.ScanEvery)
		r.k.CheckScan()
		if focused := focusedCount(s); focused != 1 {
			r.t.Fatalf("%s: %d controls have the ring after a scanning move, want 1", r.where(), focused)
		}
		if said := r.asked.since(n); len(said) > 0 {
			r.t.Errorf("%s: a scanning move said %+v, want silence", r.where(), said)
		}
	}
}

// pressSwitch presses the next of switchKeys.
func (r *rig) pressSwitch() {
	r.t.Helper()
	r.switches++
	r.press(switchKeys[r.switches%len(switchKeys)])
}

// TestWalkEveryProcedureByScanning is the touch walk with one switch:
// the ring moves by itself and any key acts.
func TestWalkEveryProcedureByScanning(t *testing.T) {
	walkEveryProcedure(t, byScan)
}

// TestScanning checks the promises of one-switch scanning, each from a
// fresh kiosk on the language screen.
func TestScanning(t *testing.T) {
	cases := []struct {
		name  string
		check func(t *testing.T, r *rig, s *ui.Screen)
	}{
		{"the ring waits a whole interval on a new screen", func(t *testing.T, r *rig, s *ui.Screen) {
			r.clock.Add(r.k.ScanEvery - time.Millisecond)
			r.k.CheckScan()
			if focusedCount(s) != 0 {
				t.Error("the ring moved before the interval was over")
			}
			r.clock.Add(time.Millisecond)
			r.k.CheckScan()
			if !s.Tiles[0].Focused() {
				t.Error("the ring is not on the first tile after one interval")
			}
		}},
		{"a switch before the ring does nothing", func(t *testing.T, r *rig, s *ui.Screen) {
			r.pressSwitch()
			if r.k.Screen() != s || focusedCount(s) != 0 || s.Tiles[0].Selected() {
				t.Error("a switch pressed before the ring moved did something")
			}
		}},
		{"after a press the ring stays a whole interval", func(t *testing.T, r *rig, s *ui.Screen) {
			r.scanTo(s.Tiles[1])
			r.pressSwitch() // a second later: two thirds of the way
			r.clock.Add(r.k.ScanEvery - time.Millisecond)
			r.k.CheckScan()
			if !s.Tiles[1].Selected() || !s.Tiles[1].Focused() {
				t.Error("the ring left the tile just selected before a whole interval")
			}
		}},
		{"moving by itself is not activity", func(t *testing.T, r *rig, s *ui.Screen) {
			for r.k.Screen() == s {
				if r.clock.Now().Sub(r.start) > 2*r.k.Inactivity {
					t.Fatal("\"are you still there?\" never came while the ring moved alone")
				}
				r.clock.Add(r.k.ScanEvery)
				r.k.CheckScan()
				r.k.CheckIdle()
			}
			if r.k.Screen().Name != ui.ScreenStillThere {
				t.Errorf("the ring moving alone led to %s, want still-there", r.k.Screen().Name)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, openCatalog(t, shipped))
			r.how = byScan
			r.k.Scanning = true
			r.act(r.k.Screen().Start)
			s := r.k.Screen()
			r.k.CheckScan() // the kiosk notes the screen
			r.start = r.clock.Now()
			c.check(t, r, s)
		})
	}
}

// focusedCount is how many of the screen's controls and help places'
// cards have the ring.
func focusedCount(s *ui.Screen) int {
	n := 0
	for _, c := range s.Controls() {
		if c.Focused() {
			n++
		}
	}
	for _, c := range s.Places {
		if c.Focused() {
			n++
		}
	}
	return n
}
