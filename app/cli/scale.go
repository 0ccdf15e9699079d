package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"

	"passerelle/app/ui"
)

// minTargetMM is the side the scale gives targets when the screen allows
// (ui.Display.Scale).
const minTargetMM = 15

// screen is a monitor as the display server reports it.
type screen = ui.Display

// physicalSize is the screen's size as the administrator gives it with
// -screen-size: a diagonal, or a width and a height; zero when not given.
type physicalSize struct {
	diagonalMM        float64
	widthMM, heightMM float64
}

// The sizes -screen-size accepts: from a 5-inch panel to a 100-inch wall.
const (
	minDiagonalMM, maxDiagonalMM = 5 * 25.4, 100 * 25.4
	minSideMM, maxSideMM         = 50, 2500
)

// parsePhysicalSize reads a screen's size as staff find it on the box or
// the data sheet: a diagonal in inches (10.1in, 10.1") or centimetres
// (25.7cm), or WIDTHxHEIGHT in millimetres or centimetres (217x136mm,
// 21.7x13.6cm). "" is no size: the system's is used.
func parsePhysicalSize(v string) (physicalSize, error) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(v), " ", ""))
	if t == "" {
		return physicalSize{}, nil
	}
	bad := errors.New("give the screen's diagonal, like 10.1in, or its width and height, like 217x136mm")
	unit := 0.0
	for _, u := range []struct {
		suffix string
		mm     float64
	}{{"mm", 1}, {"cm", 10}, {"in", 25.4}, {"\"", 25.4}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, unit = rest, u.mm
			break
		}
	}
	if unit == 0 {
		return physicalSize{}, bad
	}
	number := func(s string) (float64, bool) {
		n, err := strconv.ParseFloat(s, 64)
		return n * unit, err == nil && !math.IsNaN(n) && !math.IsInf(n, 0)
	}
	if ws, hs, ok := strings.Cut(t, "x"); ok {
		w, okW := number(ws)
		h, okH := number(hs)
		if !okW || !okH || unit == 25.4 {
			return physicalSize{}, bad
		}
		if w < minSideMM || h < minSideMM || w > maxSideMM || h > maxSideMM {
			return physicalSize{}, fmt.Errorf("a screen %.0f×%.0f mm is no kiosk's: give a width and a height from %d to %d mm", w, h, minSideMM, maxSideMM)
		}
		return physicalSize{widthMM: w, heightMM: h}, nil
	}
	d, ok := number(t)
	if !ok || unit == 1 { // a diagonal in millimetres is nobody's habit: a typo for WxH
		return physicalSize{}, bad
	}
	if d < minDiagonalMM || d > maxDiagonalMM {
		return physicalSize{}, fmt.Errorf("a screen of %.1f inches is no kiosk's: give a diagonal from 5in to 100in", d/25.4)
	}
	return physicalSize{diagonalMM: d}, nil
}

// given reports whether the administrator gave a size.
func (p physicalSize) given() bool { return p.diagonalMM > 0 || p.widthMM > 0 }

// on returns s with its millimetres replaced by p's: a diagonal is shared
// out along the pixels' width and height (square pixels).
func (p physicalSize) on(s screen) screen {
	if p.widthMM > 0 {
		s.WidthMM, s.HeightMM = p.widthMM, p.heightMM
		return s
	}
	diagonalPx := math.Hypot(float64(s.WidthPx), float64(s.HeightPx))
	if diagonalPx > 0 {
		s.WidthMM = p.diagonalMM * float64(s.WidthPx) / diagonalPx
		s.HeightMM = p.diagonalMM * float64(s.HeightPx) / diagonalPx
	}
	return s
}

// kioskScale returns the scale for s and the side, in millimetres, a
// target of ui.MinTarget units gets with it; 0 when s does not say its
// size, and the scale is then 1 (one unit a pixel).
func kioskScale(s screen) (scale float32, targetMM float64) {
	scale, unitMM := s.Scale()
	return scale, float64(ui.MinTarget) * unitMM
}

// applyScale gives the toolkit the kiosk's scale for the screen, through
// Fyne's environment, before the first window shows (GLFW must be
// running: measureScreen), and returns how long a unit is on the screen,
// in millimetres, for the text sizes (0 when the screen's size is
// unknown). FYNE_SCALE set by the administrator wins
// over the scale; -screen-size (given) over the size the screen reports.
// A screen whose size is unknown keeps Fyne's own guess.
func applyScale(logger *slog.Logger, given physicalSize) (unitMM float64) {
	s, err := measureScreen()
	if err != nil {
		logger.Warn("kiosk: the screen cannot be measured: the toolkit's own scale", "err", err)
		return 0
	}
	size := strconv.Itoa(s.WidthPx) + "x" + strconv.Itoa(s.HeightPx)
	reported := mmText(s)
	if given.given() {
		s = given.on(s)
		logger.Info("kiosk: the screen's size is -screen-size's", "pixels", size, "millimetres", mmText(s), "reported", reported)
	}
	mm := mmText(s)
	if v := os.Getenv("FYNE_SCALE"); v != "" {
		scale, err := strconv.ParseFloat(v, 64)
		if err != nil || !(scale > 0) || s.PxPerMM() == 0 {
			logger.Info("kiosk: the scale is FYNE_SCALE's", "scale", v)
			return 0
		}
		unitMM = scale / s.PxPerMM()
		logger.Info("kiosk: the scale is FYNE_SCALE's", "scale", v, "pixels", size, "millimetres", mm,
			"target_mm", round1(float64(ui.MinTarget)*unitMM))
		return unitMM
	}
	scale, targetMM := kioskScale(s)
	os.Setenv("FYNE_DISABLE_DPI_DETECTION", "1")
	os.Setenv("FYNE_SCALE", strconv.FormatFloat(float64(scale), 'f', 1, 32))
	switch {
	case targetMM == 0:
		logger.Warn("kiosk: the screen does not say its size: one unit a pixel; give it with -screen-size (like 10.1in) for targets and text of the right millimetres",
			"pixels", size, "millimetres", mm)
		return 0
	case targetMM < minTargetMM:
		logger.Warn("kiosk: the screen is too small for targets of 15 mm at the smallest layout: they are smaller",
			"pixels", size, "millimetres", mm, "scale", round1(float64(scale)), "target_mm", round1(targetMM))
	default:
		logger.Info("kiosk: scale from the screen's size", "pixels", size, "millimetres", mm,
			"scale", round1(float64(scale)), "target_mm", round1(targetMM))
	}
	return float64(scale) / s.PxPerMM()
}

// mmText writes a screen's size in whole millimetres, as logs show it.
func mmText(s screen) string {
	return strconv.Itoa(int(math.Round(s.WidthMM))) + "x" + strconv.Itoa(int(math.Round(s.HeightMM)))
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
