package ui

import (
	"time"

	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/driver/mobile"

	"passerelle/app/passerelle"
)

// Touch tolerance, for a hand that trembles (as AAC apps offer it): a
// touch held less than MinPress, and one coming less than IgnoreRepeat
// after the last one taken, do nothing. Every touchable control of the
// kiosk embeds a touchable, and its Tapped asks it first. Keys and the
// switch call act directly: they are never ignored.

// touchGate is the kiosk's one judge of touches: a repeat is a repeat on
// any control, as a trembling finger lands beside the first.
type touchGate struct {
	now      func() time.Time
	settings *passerelle.KioskSettings // the kiosk's, as staff change them
	last     time.Time                 // when the last touch taken was
}

// takes reports whether a touch lifted now, pressed at down (zero when
// the driver did not say), is taken, and notes it if so.
func (g *touchGate) takes(down time.Time) bool {
	now := g.now()
	if p := g.settings.MinPress; p > 0 && !down.IsZero() && now.Sub(down) < p {
		return false
	}
	if r := g.settings.IgnoreRepeat; r > 0 && !g.last.IsZero() && now.Sub(g.last) < r {
		return false
	}
	g.last = now
	return true
}

// touchable times a control's presses: a desktop (and a touch screen
// under X11) reports mouse down, a phone or tablet touch down; Fyne calls
// Tapped after the finger lifts. A control without a gate (staff mode's)
// takes every touch.
type touchable struct {
	gate *touchGate
	down time.Time // when the press now lifting began
}

// MouseDown is part of desktop.Mouseable.
func (t *touchable) MouseDown(*desktop.MouseEvent) { t.pressed() }

// MouseUp is part of desktop.Mouseable: Tapped follows it.
func (t *touchable) MouseUp(*desktop.MouseEvent) {}

// TouchDown is part of mobile.Touchable.
func (t *touchable) TouchDown(*mobile.TouchEvent) { t.pressed() }

// TouchUp is part of mobile.Touchable: Tapped follows it.
func (t *touchable) TouchUp(*mobile.TouchEvent) {}

// TouchCancel is part of mobile.Touchable.
func (t *touchable) TouchCancel(*mobile.TouchEvent) { t.down = time.Time{} }

func (t *touchable) pressed() {
	if t.gate != nil {
		t.down = t.gate.now()
	}
}

// takesTouch reports whether the touch now lifting is taken.
func (t *touchable) takesTouch() bool {
	down := t.down
	t.down = time.Time{}
	return t.gate == nil || t.gate.takes(down)
}

// gateTouches puts the screen's touchable controls behind the kiosk's
// touch tolerance.
func (k *Kiosk) gateTouches(s *Screen) {
	for _, c := range s.Controls() {
		c.gate = &k.touch
	}
	for _, c := range s.Places {
		c.gate = &k.touch
	}
}
