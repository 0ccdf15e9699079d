//go:build !cgo && !darwin && !windows

package audio

import (
	"errors"
	"log/slog"

	"github.com/gopxl/beep/v2"
)

// OtoSink is the no-op twin of the oto sink for builds without cgo, which
// oto needs on Linux to reach ALSA: such a kiosk is always silent.
type OtoSink struct {
	rate  beep.SampleRate
	trace *slog.Logger
}

// OpenOto always fails: this build has no sound support.
func OpenOto() (*OtoSink, error) {
	return nil, errors.New("this program was built without sound support (cgo disabled)")
}

// Start implements Sink.
func (o *OtoSink) Start(Sound) error { return errors.New("no sound support in this build") }

// Stop implements Sink.
func (o *OtoSink) Stop() {}

// Close implements Sink.
func (o *OtoSink) Close() error { return nil }
