package ui

import (
	"math"
	"testing"
)

// TestDisplayScale: on real screens, targets get 15 mm when the smallest
// layout (800×480 units) still fits the screen, and the screen is filled
// by that layout when it does not.
func TestDisplayScale(t *testing.T) {
	for _, tc := range []struct {
		name      string
		s         Display
		scale     float32
		targetMM  float64 // ±0.1; 0: the size is unknown
		fullWidth bool    // the scale stops where 800×480 units fill the screen
	}{
		{"15.6-inch laptop, 1920×1080", Display{1920, 1080, 344, 194}, 1.2, 15.3, false},
		{"21.5-inch office monitor, 1920×1080", Display{1920, 1080, 476, 268}, 1, 17.6, false},
		{"old 19-inch 1280×1024", Display{1280, 1024, 376, 301}, 1, 20.9, false},
		{"24-inch 4K monitor", Display{3840, 2160, 527, 296}, 1.6, 15.6, false},
		{"10-inch tablet-sized touch panel, 1280×800", Display{1280, 800, 217, 136}, 1.3, 15.6, false},
		{"7-inch 1024×600 panel: the layout fills it, targets are smaller", Display{1024, 600, 154, 86}, 1.2, 12.2, true},
		{"8-inch portrait panel 800×1280: one unit a pixel", Display{800, 1280, 108, 172}, 1, 9.6, true},
		{"a screen under 800×480 pixels: never under 1", Display{640, 480, 130, 98}, 1, 14.4, true},
		{"Xvfb's default screen", Display{1280, 800, 338, 211}, 1, 18.7, false},
		{"pixels not square: the denser direction counts", Display{1920, 1080, 344, 150}, 1.6, 15.8, false},
		{"the screen says no size (XWayland headless, projectors)", Display{1280, 720, 0, 0}, 1, 0, false},
		{"a width but no height", Display{1280, 720, 300, 0}, 1, 0, false},
		{"a size no screen has (1 mm wide)", Display{1920, 1080, 1, 1}, 1, 0, false},
		{"a size no screen has (a wall)", Display{1920, 1080, 20000, 12000}, 1, 0, false},
		{"no pixels", Display{0, 0, 300, 200}, 1, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scale, unitMM := tc.s.Scale()
			targetMM := float64(MinTarget) * unitMM
			if scale != tc.scale {
				t.Errorf("scale %v, want %v", scale, tc.scale)
			}
			if math.Abs(targetMM-tc.targetMM) > 0.1 {
				t.Errorf("targets of %.2f mm, want %.1f", targetMM, tc.targetMM)
			}
			if tc.targetMM == 0 {
				return
			}
			units := [2]float64{float64(tc.s.WidthPx) / float64(scale), float64(tc.s.HeightPx) / float64(scale)}
			if scale > 1 && (units[0] < smallestWidth || units[1] < smallestHeight) {
				t.Errorf("the screen is %.0f×%.0f units: the smallest layout, 800×480, does not fit", units[0], units[1])
			}
			if !tc.fullWidth && targetMM < minTargetMM {
				t.Errorf("targets of %.2f mm on a screen big enough for %d mm", targetMM, minTargetMM)
			}
		})
	}
}
