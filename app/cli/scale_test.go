package cli

import (
	"math"
	"strings"
	"testing"

	"passerelle/app/ui"
)

// TestScreenSize: -screen-size reads a size as written on a screen's box
// or data sheet, refuses one no kiosk has and anything else in a plain
// sentence, and shares a diagonal out along the pixels.
func TestScreenSize(t *testing.T) {
	tenInch := ui.Display{WidthPx: 1280, HeightPx: 800}
	for _, tc := range []struct {
		name         string
		value        string
		wantW, wantH float64 // on a 1280×800 screen, ±0.5 mm
		refused      string  // a part of the error; "" accepted
		leavesSystem bool    // no size given: the system's counts
	}{
		{"nothing: the system's size", "", 0, 0, "", true},
		{"a diagonal in inches", "10.1in", 217.5, 135.9, "", false},
		{"a diagonal with the inch sign", `10.1"`, 217.5, 135.9, "", false},
		{"spaces and capitals", " 10.1 IN ", 217.5, 135.9, "", false},
		{"a diagonal in centimetres", "25.65cm", 217.5, 135.9, "", false},
		{"width and height in millimetres", "217x136mm", 217, 136, "", false},
		{"width and height in centimetres", "21.7x13.6cm", 217, 136, "", false},
		{"a diagonal in millimetres, a typo", "256mm", 0, 0, "like 10.1in", false},
		{"no unit", "10.1", 0, 0, "like 10.1in", false},
		{"width and height in inches", "8x5in", 0, 0, "like 217x136mm", false},
		{"a phone", "4in", 0, 0, "from 5in to 100in", false},
		{"a wall", "120in", 0, 0, "from 5in to 100in", false},
		{"too narrow", "30x136mm", 0, 0, "from 50 to 2500 mm", false},
		{"not a number", "tenin", 0, 0, "like 10.1in", false},
		{"not a number at all", "NaNin", 0, 0, "like 10.1in", false},
		{"negative", "-10in", 0, 0, "from 5in to 100in", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePhysicalSize(tc.value)
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("%q: error %v, want one saying %q", tc.value, err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q refused: %v", tc.value, err)
			}
			if p.given() == tc.leavesSystem {
				t.Fatalf("%q: given %v", tc.value, p.given())
			}
			if tc.leavesSystem {
				return
			}
			s := p.on(tenInch)
			if math.Abs(s.WidthMM-tc.wantW) > 0.5 || math.Abs(s.HeightMM-tc.wantH) > 0.5 {
				t.Errorf("%q on 1280×800: %.1f×%.1f mm, want %.1f×%.1f", tc.value, s.WidthMM, s.HeightMM, tc.wantW, tc.wantH)
			}
		})
	}
}

// TestScreenSizeSetsTheScale: a screen that reports no size (Xvfb's
// placeholder, a projector) gets the scale of the size given, the 10.1-
// inch panel's 1.3 with targets of 15 mm.
func TestScreenSizeSetsTheScale(t *testing.T) {
	reported := ui.Display{WidthPx: 1280, HeightPx: 800}
	if scale, target := kioskScale(reported); scale != 1 || target != 0 {
		t.Fatalf("no size reported: scale %v, targets %v mm; want 1 and unknown", scale, target)
	}
	p, err := parsePhysicalSize("10.1in")
	if err != nil {
		t.Fatal(err)
	}
	scale, target := kioskScale(p.on(reported))
	if scale != 1.3 || target < minTargetMM {
		t.Errorf("10.1in given: scale %v, targets %.1f mm; want 1.3 and at least %d mm", scale, target, minTargetMM)
	}
}

// TestGLFWGuessedSize: GLFW's 96 dots per inch for a monitor that reports
// no size is told apart from a real size, so that the X screen's own
// size (Xvfb's -dpi, Xorg's DisplaySize) is asked instead.
func TestGLFWGuessedSize(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       ui.Display
		guessed bool
	}{
		{"Xvfb 1280×800, no size on its output", ui.Display{WidthPx: 1280, HeightPx: 800, WidthMM: 338, HeightMM: 211}, true},
		{"Xvfb 1024×768", ui.Display{WidthPx: 1024, HeightPx: 768, WidthMM: 270, HeightMM: 203}, true},
		{"a 10-inch panel's EDID", ui.Display{WidthPx: 1280, HeightPx: 800, WidthMM: 217, HeightMM: 136}, false},
		{"a 15.6-inch laptop's", ui.Display{WidthPx: 1920, HeightPx: 1080, WidthMM: 344, HeightMM: 194}, false},
		{"one side a real size", ui.Display{WidthPx: 1280, HeightPx: 800, WidthMM: 338, HeightMM: 212}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := glfwGuessed(tc.s); got != tc.guessed {
				t.Errorf("glfwGuessed(%+v) = %v, want %v", tc.s, got, tc.guessed)
			}
		})
	}
}
