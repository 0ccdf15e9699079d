package ui

import "math"

// The screen's physical size decides the scale (pixels per Fyne unit).
// The kiosk's layouts give every target at least MinTarget units on every
// window from 800×480 units up; the scale makes those units at least
// minTargetMM millimetres on the screen at hand. Fyne's own guess (the
// dots per inch over 120, never under 1) leaves a tiny high-density
// screen (a 7-inch 1024×600 panel) under 800×480 units: its layouts would
// not fit, so there the scale stops where 800×480 units fill the screen.

// The smallest window the layouts fit, in units.
const smallestWidth, smallestHeight = 800, 480

// Display is a screen as the display server reports it, or as the
// administrator gives its size. A size of 0 mm means the screen did not
// say (a projector, a virtual screen).
type Display struct {
	WidthPx, HeightPx int
	WidthMM, HeightMM float64
}

// PxPerMM is the display's density, the denser of its two directions, so
// that targets are big enough both ways on a screen whose pixels are not
// square; 0 when the display does not say its size, or says one no
// screen has (a display server's placeholder).
func (d Display) PxPerMM() float64 {
	if d.WidthPx <= 0 || d.HeightPx <= 0 || d.WidthMM <= 0 || d.HeightMM <= 0 {
		return 0
	}
	density := max(float64(d.WidthPx)/d.WidthMM, float64(d.HeightPx)/d.HeightMM)
	if dpi := density * 25.4; dpi < 10 || dpi > 1000 {
		return 0
	}
	return density
}

// Scale returns the scale for the display and how long a unit is on it,
// in millimetres (ThemeFor and Settings.UnitMM take it); unitMM is 0 when
// the display does not say its size, and the scale is then 1 (one unit a
// pixel). The scale is in tenths, as Fyne rounds it, never under 1.
func (d Display) Scale() (scale float32, unitMM float64) {
	pxPerMM := d.PxPerMM()
	if pxPerMM == 0 {
		return 1, 0
	}
	need := math.Ceil(minTargetMM*pxPerMM/float64(MinTarget)*10-1e-9) / 10
	fit := math.Floor(min(float64(d.WidthPx)/smallestWidth, float64(d.HeightPx)/smallestHeight)*10+1e-9) / 10
	sc := max(1, min(need, fit))
	return float32(sc), sc / pxPerMM
}
