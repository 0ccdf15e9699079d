//go:build cgo || darwin || windows

package audio

import (
	"slices"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"
)

// deviceTone is a sound at the device's rate that notes when it has been
// read past mark frames.
type deviceTone struct {
	left, read, mark int
	past             chan time.Time
}

func (t *deviceTone) Stream(s [][2]float64) (int, bool) {
	if t.read >= t.mark && t.past != nil {
		t.past <- time.Now()
		t.past = nil
	}
	n := min(len(s), t.left)
	for i := range s[:n] {
		s[i] = [2]float64{0.1, 0.1}
	}
	t.left -= n
	t.read += n
	return n, n > 0
}

func (t *deviceTone) Err() error { return nil }

// BenchmarkOtoFirstSample measures how soon the sound device plays a sound
// after Start, with the device stream running and after it was suspended
// for being idle, as p50-ns and p95-ns. oto's player reads the first
// otoPlayerBuffer (100 ms) within Start, then one more each time the device
// has played as much: the read past twice that is when the device has
// played the sound's first 100 ms, so the first sample is heard about 100 ms
// before. It needs a sound device: a PulseAudio null sink will do (see
// packaging/soundcheck.sh).
func BenchmarkOtoFirstSample(b *testing.B) {
	sink, err := OpenOto()
	if err != nil {
		b.Skip("no sound device:", err)
	}
	format := beep.Format{SampleRate: deviceRate, NumChannels: 2, Precision: 4}
	for _, idle := range []bool{false, true} {
		b.Run(map[bool]string{false: "running", true: "after-idle"}[idle], func(b *testing.B) {
			delays := make([]time.Duration, 0, b.N)
			for range b.N {
				if idle {
					sink.Stop()
					waitSuspended(b, sink)
					// Nobody at the kiosk for a while: the device's
					// buffers run dry.
					time.Sleep(time.Second)
				} else {
					// A sound playing keeps the stream running.
					sink.Start(Sound{Streamer: &deviceTone{left: deviceRate.N(time.Minute)}, Format: format})
				}
				tn := &deviceTone{left: deviceRate.N(time.Second), mark: 2 * deviceRate.N(otoPlayerBuffer), past: make(chan time.Time, 1)}
				past := tn.past
				start := time.Now()
				if err := sink.Start(Sound{Streamer: tn, Format: format}); err != nil {
					b.Fatal(err)
				}
				delays = append(delays, (<-past).Sub(start))
			}
			sink.Stop()
			slices.Sort(delays)
			b.ReportMetric(float64(delays[len(delays)/2]), "p50-ns")
			b.ReportMetric(float64(delays[(len(delays)*95)/100]), "p95-ns")
		})
	}
}

// waitSuspended returns once the oto sink has suspended the device for
// being idle, which it then does after 100 ms of silence.
func waitSuspended(tb testing.TB, sink *OtoSink) {
	tb.Helper()
	suspended := make(chan struct{})
	sink.mu.Lock()
	sink.idleAfterSilence = 100 * time.Millisecond
	if sink.suspended {
		sink.mu.Unlock()
		return
	}
	sink.onSuspend = func() { close(suspended) }
	sink.gen++ // a fresh idle timer, whatever the last call was
	sink.idleLater()
	sink.mu.Unlock()
	select {
	case <-suspended:
	case <-time.After(5 * time.Second):
		tb.Fatal("the idle sink did not suspend the device")
	}
	sink.mu.Lock()
	sink.onSuspend = nil
	sink.mu.Unlock()
}
