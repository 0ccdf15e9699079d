//go:build linux && cgo

package audio

/*
#cgo pkg-config: libpulse-simple
#include <stdlib.h>
#include <pulse/simple.h>
#include <pulse/error.h>

// openStream connects to the sound server and opens a playback stream of
// 32-bit float stereo at rate, on the default sink (PULSE_SINK when set).
static pa_simple *openStream(int rate, unsigned int tlength, unsigned int chunk, int *err) {
	pa_sample_spec spec = { .format = PA_SAMPLE_FLOAT32LE, .rate = rate, .channels = 2 };
	pa_buffer_attr attr = {
		.maxlength = (unsigned int) -1,
		.tlength = tlength,
		.prebuf = chunk,
		.minreq = chunk,
		.fragsize = (unsigned int) -1,
	};
	return pa_simple_new(NULL, "Passerelle", PA_STREAM_PLAYBACK, NULL, "prompts", &spec, NULL, &attr, err);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	"github.com/gopxl/beep/v2"
)

const (
	// pulseBuffer is what the sound server holds ahead of the loudspeaker
	// while a sound plays, as otoDriverBuffer: the margin against a busy
	// CPU. A new sound does not wait behind it: the sink flushes it.
	pulseBuffer = otoDriverBuffer
	// pulseChunk is what the sink writes at a time, and what the server
	// needs buffered to start playing: a new sound waits for the write in
	// progress, this much at most, then for its own first chunk.
	pulseChunk = 10 * time.Millisecond
	// pulsePrime is the silence played when the stream opens.
	pulsePrime = 100 * time.Millisecond
	// pulseRetry is how often the sink tries to reach a server that
	// stopped answering (restarted, or crashed and started again by
	// systemd's socket).
	pulseRetry = 2 * time.Second
	// pulseOpenTimeout bounds the wait for the server at start-up.
	pulseOpenTimeout = 5 * time.Second
)

// PulseSink plays through the sound server (PulseAudio, or PipeWire's
// PulseAudio service) over its own protocol, with one stream for the life
// of the process. Unlike oto on ALSA, it can drop what the server holds
// when a sound starts: a touch during a prompt is heard at once, not after
// the prompt's last pulseBuffer (BenchmarkSinkHeard/running). When nothing
// plays the sink writes nothing: the stream runs dry and costs nothing,
// and plays the next sound as soon as it is written.
type PulseSink struct {
	s    *C.pa_simple // the stream: only the writer uses it, then reconnect
	rate beep.SampleRate

	mu   sync.Mutex
	wake *sync.Cond // the writer waits on it for a sound or a flush
	cur  *pcmReader
	// flush asks the writer to drop what the server holds before it writes
	// again: a sound was started or stopped.
	flush bool
	err   error         // the server failed: Start returns it until reconnect succeeds
	retry time.Duration // pulseRetry; shorter in tests
	log   *slog.Logger  // the staff log: the server lost and found again
	// trace, when set, gets a line for every sound played: see OpenSink.
	trace *slog.Logger
	// onDry, when set, is called once the last sound has been written
	// (tests).
	onDry func()
}

// The kiosk keeps one stream per process, as oto one context: it is opened
// once.
var pulseOnce struct {
	sync.Once
	sink *PulseSink
	err  error
}

// OpenPulse returns the sink on the sound server, or an error saying why
// there is none. The stream is opened once per process, and every call
// returns the same sink.
func OpenPulse() (*PulseSink, error) {
	pulseOnce.Do(func() {
		pulseOnce.sink, pulseOnce.err = openPulse()
	})
	if pulseOnce.err != nil {
		return nil, fmt.Errorf("cannot play through the sound server: %w", pulseOnce.err)
	}
	return pulseOnce.sink, nil
}

func openPulse() (*PulseSink, error) {
	s, err := connectPulse()
	if err != nil {
		return nil, err
	}
	p := &PulseSink{s: s, rate: deviceRate, log: slog.Default(), retry: pulseRetry}
	p.wake = sync.NewCond(&p.mu)
	go p.write()
	return p, nil
}

// connectPulse opens a stream to the sound server and primes it, within
// pulseOpenTimeout.
func connectPulse() (*C.pa_simple, error) {
	if !pulseServerListens() {
		return nil, errNoServer
	}
	type opened struct {
		s   *C.pa_simple
		err error
	}
	done := make(chan opened, 1)
	go func() {
		var code C.int
		bytes := func(d time.Duration) C.uint { return C.uint(deviceRate.N(d) * frameBytes) }
		s := C.openStream(C.int(deviceRate), bytes(pulseBuffer), bytes(pulseChunk), &code)
		if s == nil {
			done <- opened{err: errors.New(C.GoString(C.pa_strerror(code)))}
			return
		}
		// A stream just opened played the first prompt written to it with
		// a hole of 0.4 s (packaging/soundcheck.sh, the welcome prompts, 1
		// run in 2): silence played to its end first settles it, as the
		// oto sink's prime does.
		silence := make([]byte, deviceRate.N(pulsePrime)*frameBytes)
		if C.pa_simple_write(s, unsafe.Pointer(&silence[0]), C.size_t(len(silence)), &code) < 0 ||
			C.pa_simple_drain(s, &code) < 0 {
			C.pa_simple_free(s)
			done <- opened{err: errors.New(C.GoString(C.pa_strerror(code)))}
			return
		}
		done <- opened{s: s}
	}()
	select {
	case o := <-done:
		return o.s, o.err
	case <-time.After(pulseOpenTimeout):
		// Closed if it ever opens: one stream plays, the one given.
		go func() {
			if o := <-done; o.s != nil {
				C.pa_simple_free(o.s)
			}
		}()
		return nil, fmt.Errorf("the sound server did not answer within %s", pulseOpenTimeout)
	}
}

// pulseServerListens reports whether a sound server may answer: one is
// named (PULSE_SERVER), or the user's runtime folder has its socket. Asking
// without one would let libpulse start a server of its own.
func pulseServerListens() bool {
	if os.Getenv("PULSE_SERVER") != "" {
		return true
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return false
	}
	info, err := os.Stat(filepath.Join(dir, "pulse", "native"))
	return err == nil && info.Mode()&os.ModeSocket != 0
}

// write is the sink's goroutine, the only one that talks to the server: it
// reads the sound playing a chunk at a time and writes it, which waits
// while the server holds pulseBuffer. Flushing here, between two writes,
// rather than from Start keeps the end of the chunk being written from
// being heard after the flush.
func (p *PulseSink) write() {
	chunk := make([]byte, p.rate.N(pulseChunk)*frameBytes)
	for {
		p.mu.Lock()
		for p.cur == nil && !p.flush && p.err == nil {
			p.wake.Wait()
		}
		if p.err != nil {
			p.mu.Unlock()
			return
		}
		src, flush := p.cur, p.flush
		p.flush = false
		p.mu.Unlock()

		var code C.int
		if flush && C.pa_simple_flush(p.s, &code) < 0 {
			p.fail(code)
			return
		}
		if src == nil {
			continue
		}
		n, err := src.Read(chunk)
		if n > 0 && C.pa_simple_write(p.s, unsafe.Pointer(&chunk[0]), C.size_t(n), &code) < 0 {
			p.fail(code)
			return
		}
		if errors.Is(err, io.EOF) {
			// The end of what was written plays out; then the stream runs
			// dry until the next sound.
			p.mu.Lock()
			if p.cur == src {
				p.cur = nil
				if p.onDry != nil {
					p.onDry()
				}
			}
			p.mu.Unlock()
		}
	}
}

// fail records that the server stopped answering, ends the sound, and
// starts reconnecting. It is called by the writer, which then returns.
func (p *PulseSink) fail(code C.int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err = errors.New(C.GoString(C.pa_strerror(code)))
	if p.cur != nil {
		p.cur.end()
		p.cur = nil
	}
	p.log.Warn("sound: the sound server stopped answering; the kiosk is silent until it answers again", "reason", p.err.Error())
	go p.reconnect()
}

// reconnect opens a new stream every p.retry until the server answers,
// then plays through it. The old stream is closed first: the writer that
// used it has returned.
func (p *PulseSink) reconnect() {
	C.pa_simple_free(p.s)
	for {
		time.Sleep(p.retry)
		s, err := connectPulse()
		if err != nil {
			continue
		}
		p.mu.Lock()
		p.s, p.err = s, nil
		p.log.Info("sound: the sound server answers again")
		p.mu.Unlock()
		go p.write()
		return
	}
}

// Start implements Sink.
func (p *PulseSink) Start(snd Sound) error {
	src := &pcmReader{rate: p.rate}
	src.set(snd)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return fmt.Errorf("the sound server stopped working: %w", p.err)
	}
	p.endCurrent()
	if p.trace != nil {
		p.trace.Info("sound started", "source", snd.Source)
		src.started = func(next Sound) { p.trace.Info("sound started", "source", next.Source) }
		src.ended = func(snd Sound, lv Levels) { traceSound(p.trace, snd, lv, src.began, false) }
	}
	p.cur, p.flush = src, true
	p.wake.Signal()
	return nil
}

// endCurrent ends the sound playing, if any. p.mu must be held: the
// writer reads the sound without it, and end waits for its read.
func (p *PulseSink) endCurrent() {
	if p.cur == nil {
		return
	}
	snd, lv, began, cut := p.cur.end()
	if cut && p.trace != nil {
		traceSound(p.trace, snd, lv, began, true)
	}
	p.cur = nil
}

// Stop implements Sink: what the server holds is dropped too.
func (p *PulseSink) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil {
		return
	}
	p.endCurrent()
	p.flush = true
	p.wake.Signal()
}

// Close implements Sink. The stream stays open, as oto's device: a later
// OpenPulse returns this sink again.
func (p *PulseSink) Close() error {
	p.Stop()
	return nil
}
