package cli

import (
	"errors"
	"fmt"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// measureScreen asks the display server the primary monitor's size, in
// pixels and millimetres, before Fyne opens its window: GLFW, the library
// Fyne draws with, is started, asked, and stopped again. It must run on
// the main thread, as every GLFW call (Fyne's driver locks the main
// goroutine to it).
func measureScreen() (screen, error) {
	if err := glfw.Init(); err != nil {
		return screen{}, fmt.Errorf("measure the screen: %w", err)
	}
	defer glfw.Terminate()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return screen{}, errors.New("measure the screen: no monitor")
	}
	mode := m.GetVideoMode()
	if mode == nil {
		return screen{}, errors.New("measure the screen: the monitor has no video mode")
	}
	wmm, hmm := m.GetPhysicalSize()
	return screen{WidthPx: mode.Width, HeightPx: mode.Height, WidthMM: float64(wmm), HeightMM: float64(hmm)}, nil
}
