package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// errNoDisplay starts the sentence said when no window can open.
var errNoDisplay = errors.New("no display found")

// findDisplay returns an error, in one sentence, when the X display the
// kiosk's window needs is missing or does not answer; GLFW would panic
// there with a stack trace. It only checks X11, which Fyne uses on Linux
// and the BSDs (a Wayland session runs it through XWayland); elsewhere it
// says nothing.
func findDisplay() error {
	switch runtime.GOOS {
	case "darwin", "windows", "android", "ios", "js":
		return nil
	}
	advice := "run the kiosk in a desktop session, or under xvfb-run to try it without a screen"
	display := os.Getenv("DISPLAY")
	if display == "" {
		return fmt.Errorf("%w (DISPLAY is not set): %s", errNoDisplay, advice)
	}
	network, address, ok := xAddress(display)
	if !ok {
		return nil // a form we do not know: let the toolkit try
	}
	conn, err := net.DialTimeout(network, address, 2*time.Second)
	if err != nil && network == "unix" && runtime.GOOS == "linux" {
		// X servers on Linux listen in the abstract namespace too, and
		// some (in containers) only there.
		conn, err = net.DialTimeout(network, "@"+address, 2*time.Second)
	}
	if err != nil {
		return fmt.Errorf("%w (nothing answers on DISPLAY=%s): %s", errNoDisplay, display, advice)
	}
	conn.Close()
	return nil
}

// xAddress returns where the X server of a DISPLAY value listens:
// ":0", "unix:0.0" are a local socket, "host:10.0" TCP port 6010.
func xAddress(display string) (network, address string, ok bool) {
	i := strings.LastIndex(display, ":")
	if i < 0 || strings.HasPrefix(display, "/") {
		return "", "", false
	}
	host, rest := display[:i], display[i+1:]
	number, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(number)
	if err != nil || n < 0 {
		return "", "", false
	}
	if host == "" || host == "unix" {
		return "unix", "/tmp/.X11-unix/X" + number, true
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return "tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)), true
}
