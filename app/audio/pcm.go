package audio

import (
	"encoding/binary"
	"io"
	"math"
	"sync"
	"time"

	"github.com/gopxl/beep/v2"
)

// deviceRate is the rate both sinks play at: the oto device is opened at it,
// and the null sink resamples to it as well, so that it runs the resampler a
// sound card needs.
const deviceRate = beep.SampleRate(48000)

// frameBytes is the size of one frame of device sound: two float32 channels.
const frameBytes = 2 * 4

// Levels measures the sound a sink sent to its device, at the device's rate,
// before the samples were clamped to ±1.
type Levels struct {
	Frames  int     // frames played, at the device's rate
	Peak    float64 // the largest magnitude of a sample
	Clipped int     // samples beyond ±1, clamped on their way to the device
	sumSq   float64
}

// RMS is the root mean square of the samples, both channels.
func (l Levels) RMS() float64 {
	if l.Frames == 0 {
		return 0
	}
	return math.Sqrt(l.sumSq / float64(2*l.Frames))
}

// pcmReader is the one pipeline from a Sound to the device's sample buffer,
// for every sink: it resamples a sound, then those its Next gives, to the
// device's rate, and encodes them as interleaved little-endian float32
// stereo clamped to ±1, the format the oto context is opened with. The oto
// sink gives it to oto's player; the null sink reads it as that player does.
type pcmReader struct {
	rate beep.SampleRate
	// started is called when a sound after the first starts, and ended when
	// a sound has been read to its end, with what went to the device. Both
	// run on the reading goroutine with the reader locked.
	started func(Sound)
	ended   func(Sound, Levels)
	// drained is called, the same way, once the last sound has ended.
	drained func()

	mu     sync.Mutex
	snd    Sound
	s      beep.Streamer // snd.Streamer at the device's rate
	buf    [][2]float64
	levels Levels    // of snd so far
	began  time.Time // when the first samples of snd went to the device
	eof    bool
}

// set makes snd the sound read. r.mu must be held, or r not yet shared.
func (r *pcmReader) set(snd Sound) {
	// Filled reads up to the resampler: it takes a short read for the end.
	var s beep.Streamer = fullStreamer{s: snd.Streamer}
	if rate := rateOf(snd); rate != r.rate {
		s = beep.Resample(4, rate, r.rate, s)
	}
	r.snd, r.s, r.levels, r.began = snd, s, Levels{}, time.Time{}
}

func (r *pcmReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	want := len(p) / frameBytes
	for !r.eof && want > 0 {
		if cap(r.buf) < want {
			r.buf = make([][2]float64, want)
		}
		buf := r.buf[:want]
		// The resampler ends a sound only when its source has ended: it
		// answers nothing only then.
		got, _ := r.s.Stream(buf)
		if got > 0 {
			r.encode(p, buf[:got])
			return got * frameBytes, nil
		}
		if r.ended != nil {
			r.ended(r.snd, r.levels)
		}
		// This sound is over: the next one follows without a gap.
		next, ok := Sound{}, false
		if r.snd.Next != nil {
			next, ok = r.snd.Next()
		}
		if !ok {
			r.eof = true
			if r.drained != nil {
				r.drained()
			}
			break
		}
		r.set(next)
		if r.started != nil {
			r.started(next)
		}
	}
	if r.eof {
		return 0, io.EOF
	}
	return 0, nil
}

// encode writes frames to p as the device takes them, and measures them.
func (r *pcmReader) encode(p []byte, frames [][2]float64) {
	lv := &r.levels
	if lv.Frames == 0 {
		r.began = time.Now()
	}
	for i, frame := range frames {
		for c, v := range frame {
			if math.IsNaN(v) { // a broken decoder: silence, not noise
				v = 0
			}
			a := math.Abs(v)
			lv.sumSq += v * v
			if a > lv.Peak {
				lv.Peak = a
			}
			if a > 1 {
				lv.Clipped++
				v = math.Copysign(1, v)
			}
			binary.LittleEndian.PutUint32(p[i*frameBytes+c*4:], math.Float32bits(float32(v)))
		}
	}
	lv.Frames += len(frames)
}

// end makes the reader return io.EOF from now on. It waits for a read in
// progress. When a sound was still being read, it returns it, what of it
// was read and when that began, and cut is true.
func (r *pcmReader) end() (snd Sound, lv Levels, began time.Time, cut bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cut = !r.eof
	r.eof = true
	return r.snd, r.levels, r.began, cut
}
