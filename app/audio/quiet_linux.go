//go:build linux && cgo

package audio

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>

// quietALSA drops ALSA's error messages: without a sound card, probing the
// devices prints pages of them, and oto reports the failure itself.
static void quietALSA(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

static void silenceALSA(void) { snd_lib_error_set_handler(quietALSA); }
*/
import "C"

import (
	"bufio"
	"os"
	"strings"
	"syscall"
)

// withoutDeviceNoise runs probe, which opens the sound device, with ALSA's
// error messages silenced at their source and the standard error of the
// process filtered: ALSA's plugins (JACK, OSS) write their complaints there
// directly. The staff log sees only Passerelle's lines; any other line
// written meanwhile is passed on.
func withoutDeviceNoise(probe func()) {
	C.silenceALSA()
	saved, err := syscall.Dup(2)
	if err != nil {
		probe()
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		syscall.Close(saved)
		probe()
		return
	}
	if err := syscall.Dup3(int(w.Fd()), 2, 0); err != nil {
		r.Close()
		w.Close()
		syscall.Close(saved)
		probe()
		return
	}
	w.Close() // fd 2 is now the pipe's only writer
	out := os.NewFile(uintptr(saved), "stderr")
	done := make(chan struct{})
	go func() {
		defer close(done)
		lines := bufio.NewScanner(r)
		for lines.Scan() {
			if !isDeviceNoise(lines.Text()) {
				out.WriteString(lines.Text() + "\n")
			}
		}
	}()
	defer func() {
		syscall.Dup3(saved, 2, 0) // closes the pipe's last writer: the filter reads its end
		<-done
		r.Close()
		out.Close()
	}()
	probe()
}

// isDeviceNoise reports whether a line of standard error comes from ALSA or
// one of its plugins probing for a device.
func isDeviceNoise(line string) bool {
	line = strings.TrimSpace(line)
	for _, prefix := range []string{"ALSA lib ", "Cannot connect to server", "jack server", "Jack", "JackShm"} {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return line == ""
}
