package cli

import (
	"log/slog"
	"math"
	"os"
	"strconv"

	"passerelle/app/ui"
)

// The screen's physical size decides the scale (pixels per Fyne unit).
// The kiosk's layouts give every target at least ui.MinTarget units on
// every window from 800×480 units up; the scale makes those units at
// least minTargetMM millimetres on the screen at hand. Fyne's own guess
// (the dots per inch over 120, never under 1) leaves a tiny high-density
// screen (a 7-inch 1024×600 panel) under 800×480 units: its layouts would
// not fit, so there the scale stops where 800×480 units fill the screen,
// and the log says how big targets are.
const minTargetMM = 15

// screen is a monitor as the display server reports it. A size of 0 mm
// means the screen did not say (a projector, a virtual screen).
type screen struct {
	widthPx, heightPx int
	widthMM, heightMM int
}

// kioskScale returns the scale for s and the side, in millimetres, a
// target of ui.MinTarget units gets with it; 0 when s does not say its
// size, and the scale is then 1 (one unit a pixel). The scale is in tenths,
// as Fyne rounds it, never under 1.
func kioskScale(s screen) (scale float32, targetMM float64) {
	if s.widthPx <= 0 || s.heightPx <= 0 || s.widthMM <= 0 || s.heightMM <= 0 {
		return 1, 0
	}
	// The denser of the two directions, so that targets are big enough
	// both ways on a screen whose pixels are not square.
	pxPerMM := max(float64(s.widthPx)/float64(s.widthMM), float64(s.heightPx)/float64(s.heightMM))
	if dpi := pxPerMM * 25.4; dpi < 10 || dpi > 1000 {
		return 1, 0 // a size no screen has: a display server's placeholder
	}
	need := math.Ceil(minTargetMM*pxPerMM/float64(ui.MinTarget)*10-1e-9) / 10
	fit := math.Floor(min(float64(s.widthPx)/minWidth, float64(s.heightPx)/minHeight)*10+1e-9) / 10
	sc := max(1, min(need, fit))
	return float32(sc), float64(ui.MinTarget) * sc / pxPerMM
}

// applyScale gives the toolkit the kiosk's scale for the screen, through
// Fyne's environment, before the first window opens. FYNE_SCALE set by
// the administrator wins. A screen that does not say its size keeps
// Fyne's own guess.
func applyScale(logger *slog.Logger) {
	if v := os.Getenv("FYNE_SCALE"); v != "" {
		logger.Info("kiosk: the scale is FYNE_SCALE's", "scale", v)
		return
	}
	s, err := measureScreen()
	if err != nil {
		logger.Warn("kiosk: the screen's size is unknown: the toolkit's own scale", "err", err)
		return
	}
	scale, targetMM := kioskScale(s)
	size := strconv.Itoa(s.widthPx) + "x" + strconv.Itoa(s.heightPx)
	mm := strconv.Itoa(s.widthMM) + "x" + strconv.Itoa(s.heightMM)
	if targetMM == 0 {
		logger.Info("kiosk: the screen does not say its size: one unit a pixel", "pixels", size, "millimetres", mm)
	}
	os.Setenv("FYNE_DISABLE_DPI_DETECTION", "1")
	os.Setenv("FYNE_SCALE", strconv.FormatFloat(float64(scale), 'f', 1, 32))
	switch {
	case targetMM == 0:
	case targetMM < minTargetMM:
		logger.Warn("kiosk: the screen is too small for targets of 15 mm at the smallest layout: they are smaller",
			"pixels", size, "millimetres", mm, "scale", scale, "target_mm", math.Round(targetMM*10)/10)
	default:
		logger.Info("kiosk: scale from the screen's size", "pixels", size, "millimetres", mm,
			"scale", scale, "target_mm", math.Round(targetMM*10)/10)
	}
}
