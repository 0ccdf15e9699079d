//go:build !((linux || freebsd || netbsd || openbsd) && !wayland)

package cli

// xScreenMM: there is no X server to ask.
func xScreenMM(widthPx, heightPx int) (widthMM, heightMM float64) { return 0, 0 }
