package audio

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

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

// BenchmarkCheck decodes whole recordings as validation does, one of each
// decoder: the WAV decoder must stay far faster than the compressed ones.
func BenchmarkCheck(b *testing.B) {
	for _, file := range []string{"wav-s16-stereo-48k.wav", "wav-5.1-16k.wav", "mp3-id3-44k.mp3", "vorbis-stereo-44k.ogg"} {
		b.Run(file, func(b *testing.B) {
			path := filepath.Join("testdata", file)
			for b.Loop() {
				if _, err := Check(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
