//go:build linux && cgo

package audio

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Without a sound card, probing the devices prints nothing on the standard
// error of the process: the staff log holds only Passerelle's lines. The
// probe runs in a child process (this test binary again), as oto opens the
// device once per process.
func TestNoDeviceProbeIsSilent(t *testing.T) {
	if os.Getenv("PASSERELLE_PROBE_CHILD") == "1" {
		_, backend := OpenSink(newLogger(os.Stdout))
		os.Stderr.WriteString("passerelle: the line after the probe\n")
		os.Stdout.WriteString("backend=" + string(backend) + "\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoDeviceProbeIsSilent$")
	// No PulseAudio, no JACK: ALSA finds no device and its plugins complain.
	cmd.Env = append(os.Environ(), "PASSERELLE_PROBE_CHILD=1", "XDG_RUNTIME_DIR=/nonexistent", "PULSE_SERVER=/nonexistent")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "backend=null") {
		t.Skipf("a sound device answered without PulseAudio: %s", stdout.String())
	}
	if got := stderr.String(); got != "passerelle: the line after the probe\n" {
		t.Errorf("standard error:\n%s\nwant only the program's own line", got)
	}
}
