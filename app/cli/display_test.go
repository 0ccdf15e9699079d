package cli

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestFindDisplay(t *testing.T) {
	// An X server stand-in: something that accepts connections on
	// loopback, at TCP port 6000+N for DISPLAY=127.0.0.1:N.
	live, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	go func() {
		for {
			c, err := live.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := live.Addr().(*net.TCPAddr).Port
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := dead.Addr().(*net.TCPAddr).Port
	dead.Close() // nothing answers there now

	for _, tc := range []struct {
		name, display string
		says          string // "" when the display is found
	}{
		{"not set", "", "no display found (DISPLAY is not set)"},
		{"a server that answers", "127.0.0.1:" + strconv.Itoa(port-6000) + ".0", ""},
		{"a server that is gone", "127.0.0.1:" + strconv.Itoa(deadPort-6000), "no display found (nothing answers on DISPLAY=127.0.0.1:"},
		{"a local socket nobody listens on", ":4711", "no display found (nothing answers on DISPLAY=:4711)"},
		{"a form the check does not know", "/private/tmp/launchd/org.xquartz:0", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DISPLAY", tc.display)
			err := findDisplay()
			if tc.says == "" {
				if err != nil {
					t.Fatalf("findDisplay: %v", err)
				}
				return
			}
			if !errors.Is(err, errNoDisplay) || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "xvfb-run") {
				t.Errorf("findDisplay: %v; want %q and the advice to use xvfb-run", err, tc.says)
			}
		})
	}
}
