package cli

import (
	"errors"
	"fmt"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// measureScreen asks the display server the primary monitor's size, in
// pixels and millimetres, through GLFW, the library Fyne draws with, once
// Fyne started it (its first window) and before a window shows: the scale
// is read when one does. It must run on the main thread, as every GLFW
// call (Fyne's driver locks the main goroutine to it).
func measureScreen() (_ screen, err error) {
	// Fyne only logs a failed connection to the display; go-gl's next
	// call then panics with NotInitialized. The kiosk must start anyway,
	// on the toolkit's own scale: the panic becomes an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("measure the screen: %v", r)
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return screen{}, errors.New("measure the screen: no monitor")
	}
	mode := m.GetVideoMode()
	if mode == nil {
		return screen{}, errors.New("measure the screen: the monitor has no video mode")
	}
	wmm, hmm := m.GetPhysicalSize()
	s := screen{WidthPx: mode.Width, HeightPx: mode.Height, WidthMM: float64(wmm), HeightMM: float64(hmm)}
	if glfwGuessed(s) {
		if w, h := xScreenMM(s.WidthPx, s.HeightPx); w > 0 && h > 0 {
			s.WidthMM, s.HeightMM = w, h
		}
	}
	return s, nil
}

// glfwGuessed reports whether s's millimetres are GLFW's own guess: when
// the monitor reports no size (XRandR's 0 mm, a virtual screen), GLFW
// gives it 96 dots per inch, to the truncated millimetre. The X screen's
// size is then a better answer (xScreenMM).
func glfwGuessed(s screen) bool {
	guess := func(px int) float64 { return float64(int(float32(px) * 25.4 / 96)) }
	return s.WidthMM == guess(s.WidthPx) && s.HeightMM == guess(s.HeightPx)
}
