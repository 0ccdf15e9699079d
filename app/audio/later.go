package audio

import (
	"log/slog"
	"sync"
)

// LaterSink is a sink usable at once whose device opens in the background.
// Opening the sound device takes about a second on PulseAudio (its stream
// must be primed: see connectPulse, OtoSink.prime), as long as the rest of the kiosk's
// start: the window shows meanwhile, and a sound started before the device
// is open plays as soon as it is.
type LaterSink struct {
	ready chan struct{} // closed once sink is set

	mu      sync.Mutex
	sink    Sink
	pending *Sound // started before the device opened, not stopped since
	closed  bool
}

// OpenSinkLater returns at once a sink that plays through the one OpenSink
// chooses, opened in the background.
func OpenSinkLater(logger *slog.Logger) *LaterSink {
	return openLater(func() Sink {
		sink, _ := OpenSink(logger)
		return sink
	})
}

// openLater returns a LaterSink playing through what open returns.
func openLater(open func() Sink) *LaterSink {
	l := &LaterSink{ready: make(chan struct{})}
	go func() {
		sink := open()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.sink = sink
		close(l.ready)
		if l.closed {
			sink.Close()
			return
		}
		if l.pending != nil {
			// A sound the sink refuses now is lost as one the device refused.
			sink.Start(*l.pending)
			l.pending = nil
		}
	}()
	return l
}

// Start implements Sink: before the device is open, the sound waits for it
// (the last one started only).
func (l *LaterSink) Start(snd Sound) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errClosed
	}
	if l.sink == nil {
		l.pending = &snd
		return nil
	}
	return l.sink.Start(snd)
}

// Stop implements Sink.
func (l *LaterSink) Stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = nil
	if l.sink != nil {
		l.sink.Stop()
	}
}

// Close implements Sink. A device still opening is closed once it is open.
func (l *LaterSink) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = nil
	if l.closed {
		return nil
	}
	l.closed = true
	if l.sink == nil {
		return nil
	}
	return l.sink.Close()
}

// Opened is closed once the device is open (or known to be missing).
func (l *LaterSink) Opened() <-chan struct{} { return l.ready }
