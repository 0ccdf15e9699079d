package audio

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/gopxl/beep/v2"
)

// volume is a gain between 0 and 1 shared by the player and its sounds, so
// that a change is heard at once, even in the middle of a prompt.
type volume struct{ bits atomic.Uint64 }

func (v *volume) set(g float64) {
	if math.IsNaN(g) {
		g = 1
	}
	v.bits.Store(math.Float64bits(min(max(g, 0), 1)))
}

func (v *volume) get() float64 { return math.Float64frombits(v.bits.Load()) }

// gain scales the samples by a volume: a plain amplitude factor, so 0.5 is
// half the amplitude (about 6 dB quieter).
type gain struct {
	s beep.Streamer
	v *volume
}

func (g gain) Stream(samples [][2]float64) (int, bool) {
	n, ok := g.s.Stream(samples)
	if v := g.v.get(); v != 1 {
		for i := range samples[:n] {
			samples[i][0] *= v
			samples[i][1] *= v
		}
	}
	return n, ok
}

func (g gain) Err() error { return g.s.Err() }

// firstRead calls fn when the sink reads the sound for the first time: the
// moment the sound reaches the backend.
type firstRead struct {
	s    beep.Streamer
	once sync.Once
	fn   func()
}

func (f *firstRead) Stream(samples [][2]float64) (int, bool) {
	f.once.Do(f.fn)
	return f.s.Stream(samples)
}

func (f *firstRead) Err() error { return f.s.Err() }
