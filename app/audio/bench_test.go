package audio

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/passerelle"
)

// BenchmarkTapToAudio measures the delay between Play (a tap) and the
// backend's first read of the sound, reported as p50-ns and p95-ns; ns/op
// also counts waiting for that read. The target is under 100 ms.
func BenchmarkTapToAudio(b *testing.B) {
	cases := []struct {
		name   string
		prompt passerelle.Prompt
		espeak bool
	}{
		{"wav", recording("hello.wav"), false},
		{"ogg", recording("intro.ogg"), false},
		{"mp3", recording("done.mp3"), false},
		{"speech-cached", passerelle.Prompt{Text: sentences["fr"], Lang: "fr"}, true},
		{"speech-uncached", passerelle.Prompt{Lang: "fr"}, true}, // a new text every time
	}
	sinks := []struct {
		name string
		open func(b *testing.B) Sink
	}{
		{"null", func(*testing.B) Sink { return NewNullSink(0) }},
		{"oto", func(b *testing.B) Sink {
			sink, err := OpenOto()
			if err != nil {
				b.Skip("no sound device:", err)
			}
			return sink
		}},
	}
	for _, s := range sinks {
		for _, tc := range cases {
			b.Run(s.name+"/"+tc.name, func(b *testing.B) {
				if tc.espeak {
					requireEspeak(b)
				}
				started := make(chan time.Time, 1)
				p := NewPlayer(s.open(b), NewSpeech(filepath.Join(b.TempDir(), "speech"), ""),
					WithStarted(func(_ passerelle.Prompt, at time.Time) { started <- at }))
				defer p.Close()
				ctx := context.Background()
				prompt := tc.prompt
				if tc.name == "speech-cached" {
					if err := p.Play(ctx, prompt); err != nil {
						b.Fatal(err)
					}
					<-started
				}
				delays := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := range b.N {
					if tc.name == "speech-uncached" {
						prompt.Text = fmt.Sprintf("Vous êtes la personne numéro %d aujourd'hui.", i)
					}
					tap := time.Now()
					if err := p.Play(ctx, prompt); err != nil {
						b.Fatal(err)
					}
					delays = append(delays, (<-started).Sub(tap))
				}
				b.StopTimer()
				slices.Sort(delays)
				b.ReportMetric(float64(delays[len(delays)/2]), "p50-ns")
				b.ReportMetric(float64(delays[(len(delays)*95)/100]), "p95-ns")
			})
		}
	}
}

// deviceTone is a sound at the device's rate that notes when the device
// took its first samples: the first read after oto's player has filled its
// buffer, which it does within Start.
type deviceTone struct {
	left, read, prefill int
	mixed               chan time.Time
}

func (t *deviceTone) Stream(s [][2]float64) (int, bool) {
	if t.read >= t.prefill && t.mixed != nil {
		t.mixed <- time.Now()
		t.mixed = nil
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

// BenchmarkOtoFirstSample measures the delay between Start and the moment
// the sound device takes the sound's first samples, with the device stream
// running and after it was suspended for being idle, reported as p50-ns and
// p95-ns. It needs a sound device: a PulseAudio null sink will do (see
// packaging/soundcheck.sh).
func BenchmarkOtoFirstSample(b *testing.B) {
	sink, err := OpenOto()
	if err != nil {
		b.Skip("no sound device:", err)
	}
	suspended := make(chan struct{}, 1)
	sink.mu.Lock()
	sink.onSuspend = func() {
		select {
		case suspended <- struct{}{}:
		default:
		}
	}
	sink.mu.Unlock()
	format := beep.Format{SampleRate: deviceRate, NumChannels: 2, Precision: 4}
	for _, idle := range []bool{false, true} {
		b.Run(map[bool]string{false: "running", true: "after-idle"}[idle], func(b *testing.B) {
			delays := make([]time.Duration, 0, b.N)
			for range b.N {
				if idle {
					sink.Stop()
					<-suspended
				} else {
					// A sound playing keeps the stream running.
					sink.Start(Sound{Streamer: &deviceTone{left: deviceRate.N(time.Minute)}, Format: format})
				}
				tn := &deviceTone{left: deviceRate.N(time.Second), prefill: deviceRate.N(otoPlayerBuffer), mixed: make(chan time.Time, 1)}
				mixed := tn.mixed
				start := time.Now()
				if err := sink.Start(Sound{Streamer: tn, Format: format}); err != nil {
					b.Fatal(err)
				}
				delays = append(delays, (<-mixed).Sub(start))
			}
			sink.Stop()
			slices.Sort(delays)
			b.ReportMetric(float64(delays[len(delays)/2]), "p50-ns")
			b.ReportMetric(float64(delays[(len(delays)*95)/100]), "p95-ns")
		})
	}
}
