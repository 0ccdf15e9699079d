//go:build cgo || darwin || windows

package audio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"
	"github.com/gopxl/beep/v2"
)

const (
	otoRate = beep.SampleRate(48000)
	// otoDriverBuffer is what the sound device holds ahead: the delay between
	// a sound reaching oto and reaching the loudspeaker.
	otoDriverBuffer = 60 * time.Millisecond
	// otoPlayerBuffer is what oto reads ahead from a sound before mixing it.
	// It does not delay the start, but oto fills it before the first sample
	// is mixed: a small one keeps the decoding before the start short.
	otoPlayerBuffer = 100 * time.Millisecond
	// otoReadyTimeout bounds the wait for the device at start-up.
	otoReadyTimeout = 5 * time.Second
	otoSampleBytes  = 2 * 4 // two float32 channels
)

// Oto allows one context per process: it is created once, and every OtoSink
// plays through it.
var otoOnce struct {
	sync.Once
	ctx *oto.Context
	err error
}

func otoContext() (*oto.Context, error) {
	otoOnce.Do(func() {
		ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
			SampleRate:   int(otoRate),
			ChannelCount: 2,
			Format:       oto.FormatFloat32LE,
			BufferSize:   otoDriverBuffer,
		})
		if err != nil {
			otoOnce.err = err
			return
		}
		select {
		case <-ready:
		case <-time.After(otoReadyTimeout):
			otoOnce.err = fmt.Errorf("the sound device did not answer within %s", otoReadyTimeout)
			return
		}
		// Without a sound card NewContext succeeds: the failure shows here.
		if err := ctx.Err(); err != nil {
			otoOnce.err = err
			return
		}
		otoOnce.ctx = ctx
	})
	return otoOnce.ctx, otoOnce.err
}

// OtoSink plays through the machine's sound device with oto. Each sound gets
// its own oto player, closed when the next one starts: what the old one had
// buffered is dropped, so a tap is heard at once.
type OtoSink struct {
	ctx  *oto.Context
	rate beep.SampleRate

	mu  sync.Mutex
	cur *otoSound
}

type otoSound struct {
	player *oto.Player
	src    *pcmReader
}

// OpenOto returns a sink on the sound device, or an error saying why there is
// no sound. The device is opened once per process; the error of a failed
// attempt is returned again by later calls.
func OpenOto() (*OtoSink, error) {
	ctx, err := otoContext()
	if err != nil {
		return nil, fmt.Errorf("cannot open the sound device: %w", err)
	}
	return &OtoSink{ctx: ctx, rate: otoRate}, nil
}

// Start implements Sink.
func (o *OtoSink) Start(snd Sound) error {
	if err := o.ctx.Err(); err != nil {
		o.Stop()
		return fmt.Errorf("the sound device stopped working: %w", err)
	}
	src := &pcmReader{rate: o.rate}
	src.set(snd)
	player := o.ctx.NewPlayer(src)
	player.SetBufferSize(o.rate.N(otoPlayerBuffer) * otoSampleBytes)

	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur != nil {
		o.cur.close()
	}
	o.cur = &otoSound{player: player, src: src}
	player.Play()
	return nil
}

// Stop implements Sink.
func (o *OtoSink) Stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur != nil {
		o.cur.close()
		o.cur = nil
	}
}

// Close implements Sink. The device itself stays open: oto cannot close it,
// and a later OpenOto reuses it.
func (o *OtoSink) Close() error {
	o.Stop()
	return nil
}

func (s *otoSound) close() {
	// Ending the source first: oto may be reading it right now, outside the
	// player's lock, and the streamer must not be read after Stop returns.
	s.src.end()
	s.player.Pause()
	// Close only reports an error the player met earlier (a broken stream):
	// closing it is all there is to do either way.
	_ = s.player.Close()
}

// pcmReader encodes a sound, then those its Next gives, as the interleaved
// little-endian float32 stereo that the oto context was opened with.
type pcmReader struct {
	rate beep.SampleRate

	mu    sync.Mutex
	snd   Sound
	s     beep.Streamer // snd.Streamer at the device's rate
	buf   [][2]float64
	ended bool
}

// set makes snd the sound read. r.mu must be held, or r not yet shared.
func (r *pcmReader) set(snd Sound) {
	r.snd, r.s = snd, snd.Streamer
	if snd.Format.SampleRate != r.rate {
		r.s = beep.Resample(4, snd.Format.SampleRate, r.rate, snd.Streamer)
	}
}

func (r *pcmReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	want := len(p) / otoSampleBytes
	for !r.ended && want > 0 {
		if cap(r.buf) < want {
			r.buf = make([][2]float64, want)
		}
		buf := r.buf[:want]
		got, _ := r.s.Stream(buf)
		if got > 0 {
			for i, frame := range buf[:got] {
				for c, v := range frame {
					v = math.Max(-1, math.Min(1, v))
					binary.LittleEndian.PutUint32(p[i*otoSampleBytes+c*4:], math.Float32bits(float32(v)))
				}
			}
			return got * otoSampleBytes, nil
		}
		// This sound is over: the next one follows without a gap.
		next, ok := Sound{}, false
		if r.snd.Next != nil {
			next, ok = r.snd.Next()
		}
		if !ok {
			r.ended = true
			break
		}
		r.set(next)
	}
	if r.ended {
		return 0, io.EOF
	}
	return 0, nil
}

// end makes the reader return io.EOF from now on. It waits for a read in
// progress.
func (r *pcmReader) end() {
	r.mu.Lock()
	r.ended = true
	r.mu.Unlock()
}
