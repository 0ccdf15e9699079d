//go:build !linux || !cgo

package audio

import (
	"errors"
	"log/slog"
	"sync"
)

// PulseSink is the no-op twin of the sound server's sink where there is
// no libpulse: OpenPulse fails, and the oto sink plays.
type PulseSink struct {
	mu         sync.Mutex
	log, trace *slog.Logger
}

// OpenPulse always fails in this build.
func OpenPulse() (*PulseSink, error) {
	return nil, errNoServer
}

// Start implements Sink.
func (p *PulseSink) Start(Sound) error { return errors.New("no sound server support in this build") }

// Stop implements Sink.
func (p *PulseSink) Stop() {}

// Close implements Sink.
func (p *PulseSink) Close() error { return nil }
