package audio

import (
	"bufio"
	"context"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/passerelle"
)

// reference is what an independent decoder (ffmpeg, or sox for Ogg) found in
// a fixture: testdata/make.sh wrote testdata/reference.tsv.
type reference struct {
	name       string // of the test case
	file       string
	duration   time.Duration
	peak, rms  float64
	channels   int
	sampleRate int
}

func readReferences(tb testing.TB) []reference {
	tb.Helper()
	f, err := os.Open("testdata/reference.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var refs []reference
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		cols := strings.Split(lines.Text(), "\t")
		if strings.HasPrefix(cols[0], "#") || cols[0] == "file" {
			continue
		}
		num := func(i int) float64 {
			v, err := strconv.ParseFloat(cols[i], 64)
			if err != nil {
				tb.Fatalf("reference.tsv: %s: %v", cols[0], err)
			}
			return v
		}
		refs = append(refs, reference{
			name:       cols[0],
			file:       cols[0],
			sampleRate: int(num(1)),
			channels:   int(num(2)),
			duration:   time.Duration(num(4) * float64(time.Millisecond)),
			peak:       num(5),
			rms:        num(6),
		})
	}
	if len(refs) < 15 {
		tb.Fatalf("reference.tsv lists %d files", len(refs))
	}
	return refs
}

// Every kind of file a prompt can be plays, through the pipeline a sound
// card gets (resampled to 48 kHz, float32, clamped), for its whole length,
// at the level an independent decoder finds in it, without clipping.
func TestPipelinePlaysWholeFilesAtTheirLevel(t *testing.T) {
	refs := readReferences(t)
	if os.Getenv("CI") != "" || hasEspeak() {
		refs = append(refs, speechReference(t))
	}
	for _, ref := range refs {
		t.Run(ref.name, func(t *testing.T) {
			tp := newTestPlayer(t, 0)
			path := ref.file
			if !filepath.IsAbs(path) {
				path = filepath.Join("testdata", ref.file)
			}
			if err := tp.Play(context.Background(), passerelle.Prompt{Text: "x", Lang: "fr", Recording: path}); err != nil {
				t.Fatal(err)
			}
			tp.waitEnd(t)
			got := tp.only(t)
			if got.Stopped || got.Err != nil {
				t.Fatalf("stopped %v, error %v", got.Stopped, got.Err)
			}
			t.Logf("played %s at 48 kHz, peak %.4f, RMS %.4f; reference %s, peak %.4f, RMS %.4f",
				got.Duration, got.Peak, got.RMS(), ref.duration, ref.peak, ref.rms)
			if d := got.Duration - ref.duration; d < -20*time.Millisecond || d > 20*time.Millisecond {
				t.Errorf("played %s of a %s file", got.Duration, ref.duration)
			}
			// Resampling moves the peak a little between the samples of the
			// source; a decoder out of step changes it a lot.
			if math.Abs(got.Peak-ref.peak) > 0.03*ref.peak+0.01 {
				t.Errorf("peak %.4f, the reference decoder finds %.4f", got.Peak, ref.peak)
			}
			if math.Abs(got.RMS()-ref.rms) > 0.03*ref.rms {
				t.Errorf("RMS %.4f, the reference decoder finds %.4f", got.RMS(), ref.rms)
			}
			if got.Clipped != 0 {
				t.Errorf("%d samples clipped; the source has none", got.Clipped)
			}
		})
	}
}

func hasEspeak() bool {
	_, err := exec.LookPath("espeak-ng")
	return err == nil
}

// speechReference renders a sentence with espeak-ng into a speech cache and
// measures it with a WAV reader written for the test, apart from beep's.
func speechReference(t *testing.T) reference {
	t.Helper()
	requireEspeak(t)
	path, err := NewSpeech(t.TempDir(), "").Render(context.Background(), sentences["fr"], "fr", DefaultRate)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference{name: "cached speech", file: path}
	var samples []int16
	for off := 12; off+8 <= len(data); {
		id, n := string(data[off:off+4]), int(binary.LittleEndian.Uint32(data[off+4:]))
		body := data[off+8 : min(off+8+n, len(data))]
		switch id {
		case "fmt ":
			ref.channels = int(binary.LittleEndian.Uint16(body[2:]))
			ref.sampleRate = int(binary.LittleEndian.Uint32(body[4:]))
			if bits := binary.LittleEndian.Uint16(body[14:]); bits != 16 || ref.channels != 1 {
				t.Fatalf("espeak-ng wrote %d-bit sound on %d channels, want 16-bit mono", bits, ref.channels)
			}
		case "data":
			for i := 0; i+1 < len(body); i += 2 {
				samples = append(samples, int16(binary.LittleEndian.Uint16(body[i:])))
			}
		}
		off += 8 + n + n&1
	}
	if ref.sampleRate == 0 || len(samples) == 0 {
		t.Fatalf("%s: no sound in the speech file", path)
	}
	// The sinks skip the silence the last sound ends with.
	for len(samples) > 0 && math.Abs(float64(samples[len(samples)-1])/(1<<15)) < silenceLevel {
		samples = samples[:len(samples)-1]
	}
	var sum float64
	for _, s := range samples {
		v := float64(s) / (1 << 15)
		ref.peak = max(ref.peak, math.Abs(v))
		sum += v * v
	}
	ref.rms = math.Sqrt(sum / float64(len(samples)))
	ref.duration = beep.SampleRate(ref.sampleRate).D(len(samples))
	return ref
}

// choppy is a decoder that answers in small, uneven pieces, sometimes with
// nothing at all, as beep's decoders do at buffer and frame boundaries.
type choppy struct {
	left, calls int
}

func (c *choppy) Stream(samples [][2]float64) (int, bool) {
	if c.left == 0 {
		return 0, false
	}
	c.calls++
	n := min(len(samples), c.left, []int{0, 1, 37, 511, 5}[c.calls%5])
	for i := range samples[:n] {
		samples[i] = [2]float64{0.5, -0.5}
	}
	c.left -= n
	return n, true
}

func (c *choppy) Err() error { return nil }

// A short read, or an empty one, in the middle of a sound is not its end,
// at any rate, on either sink's pipeline.
func TestShortReadsDoNotEndTheSound(t *testing.T) {
	for _, rate := range []beep.SampleRate{8000, 22050, 44100, 48000} {
		t.Run(strconv.Itoa(int(rate)), func(t *testing.T) {
			sink := NewNullSink(0)
			defer sink.Close()
			src := &choppy{left: rate.N(time.Second)}
			if err := sink.Start(Sound{Source: "choppy", Streamer: src, Format: beep.Format{SampleRate: rate, NumChannels: 2, Precision: 2}}); err != nil {
				t.Fatal(err)
			}
			sink.Wait(context.Background())
			got := sink.Records()[0]
			if d := got.Duration - time.Second; d < -time.Millisecond || d > time.Millisecond || got.Stopped {
				t.Errorf("played %s of 1s (stopped %v)", got.Duration, got.Stopped)
			}
			if math.Abs(got.Peak-0.5) > 0.01 || got.Clipped != 0 {
				t.Errorf("peak %.3f, %d clipped; want 0.5 and none", got.Peak, got.Clipped)
			}
		})
	}
}
