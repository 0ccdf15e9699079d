package ui_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// pressFor touches tile the way a desktop driver (and a touch screen
// under X11) reports it: mouse down, hold, mouse up, then Tapped.
func (r *rig) pressFor(tile *ui.Tile, hold time.Duration) {
	r.t.Helper()
	tile.MouseDown(&desktop.MouseEvent{})
	r.clock.Add(hold)
	tile.MouseUp(&desktop.MouseEvent{})
	test.Tap(tile)
	r.note()
}

// userEvents counts the events of users' sessions in the kiosk's store.
func (r *rig) userEvents() int {
	r.t.Helper()
	events, err := r.db.Unsent(context.Background(), 10000)
	if err != nil {
		r.t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if !e.Kind.IsStaff() {
			n++
		}
	}
	return n
}

// TestTouchTolerance: staff set touch tolerance in staff mode; on a
// choice step, a touch on the green arrow too short, or too soon after
// the choice, records nothing and leaves the step; a touch held long
// enough, one after the window, a phone's touch and a key are taken.
func TestTouchTolerance(t *testing.T) {
	cases := []struct {
		name             string
		minPress, repeat string
		// touchNext touches the green arrow after the choice was touched
		// (held 200 ms) and the rig's clock moved by a second.
		touchNext func(r *rig, next *ui.Tile)
		taken     bool
	}{
		{"a press held long enough", "150ms", "0s", func(r *rig, next *ui.Tile) { r.pressFor(next, 200*time.Millisecond) }, true},
		{"a press too short", "150ms", "0s", func(r *rig, next *ui.Tile) { r.pressFor(next, 100*time.Millisecond) }, false},
		{"a short press with tolerance off", "0s", "0s", func(r *rig, next *ui.Tile) { r.pressFor(next, 10*time.Millisecond) }, true},
		{"a repeat within the window", "0s", "1500ms", func(r *rig, next *ui.Tile) { r.pressFor(next, 100*time.Millisecond) }, false},
		{"a touch after the window", "0s", "800ms", func(r *rig, next *ui.Tile) { r.pressFor(next, 100*time.Millisecond) }, true},
		{"a phone's touch too short", "150ms", "0s", func(r *rig, next *ui.Tile) {
			next.TouchDown(&mobile.TouchEvent{})
			r.clock.Add(50 * time.Millisecond)
			next.TouchUp(&mobile.TouchEvent{})
			test.Tap(next)
		}, false},
		{"a touch whose press the driver never told", "150ms", "0s", func(r *rig, next *ui.Tile) { test.Tap(next) }, true},
		{"a key within the repeat window", "150ms", "3s", func(r *rig, next *ui.Tile) {
			r.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyUp}) // "previous" from nothing: the green arrow
			if !next.Focused() {
				r.t.Fatal("the up key did not reach the green arrow")
			}
			r.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, shipped), staffPIN, newClock())
			r.chooseLanguage("fr")
			r.startProcedure("create-email")
			for i := 0; len(r.k.Screen().Tiles) == 0; i++ {
				if i > 5 {
					t.Fatalf("no choice step in the first steps of create-email: %v", r.screens)
				}
				r.act(r.k.Screen().Next)
			}
			// Staff set the tolerance while the user is on the step: it
			// applies at once.
			r.hold(3 * time.Second)
			r.typePIN(staffPIN)
			v := r.k.Staff()
			v.Durations[passerelle.SettingMinPress].SetText(tc.minPress)
			v.Durations[passerelle.SettingRepeat].SetText(tc.repeat)
			test.Tap(v.Save)
			if v.Saved.Text != "Saved: the kiosk uses these settings now." {
				t.Fatalf("saving %s and %s said %q", tc.minPress, tc.repeat, v.Saved.Text)
			}
			test.Tap(v.Lock)
			step := r.where()
			s := r.k.Screen()
			if len(s.Tiles) == 0 || s.Next == nil {
				t.Fatalf("staff mode gave back %s, not the choice step", step)
			}
			r.clock.Add(time.Second)
			r.pressFor(s.Tiles[0], 200*time.Millisecond)
			if !s.Tiles[0].Selected() {
				t.Fatalf("a touch held 200 ms did not choose; tolerance %s, %s", tc.minPress, tc.repeat)
			}
			before := r.userEvents()
			r.clock.Add(time.Second)
			tc.touchNext(r.rig, s.Next)
			moved := r.where() != step
			recorded := r.userEvents() > before
			if moved != tc.taken || recorded != tc.taken {
				t.Errorf("the touch on the green arrow moved on %v and recorded an event %v; want %v", moved, recorded, tc.taken)
			}
		})
	}
}
