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
	// Silence read and not yet given: held frames (a sound's end, perhaps),
	// then, once sound follows, owed frames and the pending sound read
	// after them. The silence a last sound ends with is never given: the
	// device goes idle at the end of what is heard, and a touch right
	// after is heard at once (a device still playing holds a new sound
	// back by its buffer, otoDriverBuffer). espeak-ng ends each sentence
	// with 0.4 s of silence: between prompts it is kept, as a pause.
	held, owed int
	pending    [][2]float64
	zeros      [][2]float64
	next       *Sound // to start once the owed silence is given
}

const (
	// silenceLevel is the magnitude below which a sample is silence: -60
	// dBFS, under the noise of a phone's recording and far under what a
	// kiosk's loudspeaker lets anyone hear in a public room.
	silenceLevel = 0.001
	// maxHeldSilence bounds the silence read ahead: a longer pause
	// inside a sound is given as read, past this much.
	maxHeldSilence = int(deviceRate) // frames: 1 s
)

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
	for want > 0 {
		// What was held back goes first, once sound follows it.
		if r.owed > 0 {
			n := min(r.owed, want)
			r.encode(p, r.silence(n))
			r.owed -= n
			return n * frameBytes, nil
		}
		if len(r.pending) > 0 {
			n := min(len(r.pending), want)
			r.encode(p, r.pending[:n])
			r.pending = r.pending[n:]
			return n * frameBytes, nil
		}
		if r.next != nil {
			// The silence that ended the last sound has been given.
			r.startNext()
		}
		if r.eof {
			break
		}
		if cap(r.buf) < want {
			r.buf = make([][2]float64, want)
		}
		buf := r.buf[:want]
		// The resampler ends a sound only when its source has ended: it
		// answers nothing only then.
		got, _ := r.s.Stream(buf)
		if got > 0 {
			heard := got
			if !r.snd.keepSilence {
				heard = heardUpTo(buf[:got])
			}
			if heard == 0 {
				if r.held+got <= maxHeldSilence {
					r.held += got
					continue
				}
				heard = got // a long pause: given as it is
			}
			if r.held > 0 {
				r.owed = r.held
				r.pending = append(r.pending[:0], buf[:heard]...)
				r.held = got - heard
				continue
			}
			r.encode(p, buf[:heard])
			r.held = got - heard
			return heard * frameBytes, nil
		}
		// This sound is over: the next one follows without a gap, after
		// the silence this one ended with.
		next, ok := Sound{}, false
		if r.snd.Next != nil {
			next, ok = r.snd.Next()
		}
		if !ok {
			// Nothing follows: the silence held back is not worth playing.
			r.held = 0
			if r.ended != nil {
				r.ended(r.snd, r.levels)
			}
			r.eof = true
			if r.drained != nil {
				r.drained()
			}
			break
		}
		r.owed, r.held, r.next = r.held, 0, &next
	}
	if r.eof {
		return 0, io.EOF
	}
	return 0, nil
}

// startNext ends the sound read and starts r.next.
func (r *pcmReader) startNext() {
	if r.ended != nil {
		r.ended(r.snd, r.levels)
	}
	r.set(*r.next)
	if r.started != nil {
		r.started(*r.next)
	}
	r.next = nil
}

// silence returns n frames of silence.
func (r *pcmReader) silence(n int) [][2]float64 {
	if cap(r.zeros) < n {
		r.zeros = make([][2]float64, n)
	}
	return r.zeros[:n]
}

// heardUpTo returns the number of frames up to the last one heard, at or
// above silenceLevel: 0 when all are silence.
func heardUpTo(frames [][2]float64) int {
	for i := len(frames) - 1; i >= 0; i-- {
		if math.Abs(frames[i][0]) >= silenceLevel || math.Abs(frames[i][1]) >= silenceLevel {
			return i + 1
		}
	}
	return 0
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
	r.eof, r.held, r.owed, r.pending, r.next = true, 0, 0, nil, nil
	return r.snd, r.levels, r.began, cut
}
