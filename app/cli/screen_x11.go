//go:build (linux || freebsd || netbsd || openbsd) && !wayland

package cli

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
*/
import "C"

import (
	"unsafe"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// xScreenMM returns the size the X server gives its screen, in
// millimetres, when that screen is widthPx×heightPx (one monitor): the
// size an administrator sets (Xorg's DisplaySize, Xvfb's -dpi), which X
// keeps when the monitor's own report is missing. 0 when the screen is
// another size or X says nothing. GLFW must be running.
func xScreenMM(widthPx, heightPx int) (widthMM, heightMM float64) {
	d := (*C.Display)(unsafe.Pointer(glfw.GetX11Display()))
	if d == nil {
		return 0, 0
	}
	s := C.XDefaultScreen(d)
	if int(C.XDisplayWidth(d, s)) != widthPx || int(C.XDisplayHeight(d, s)) != heightPx {
		return 0, 0
	}
	return float64(C.XDisplayWidthMM(d, s)), float64(C.XDisplayHeightMM(d, s))
}
