package audio

import (
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/passerelle"
)

// fixtures are the recordings of the demo catalog, with their length as
// soxi reports it.
const fixtures = "../procedure/testdata/catalog/demo/audio/fr"

var recordings = []struct {
	name   string
	length time.Duration
}{
	{"hello.wav", 300 * time.Millisecond},
	{"intro.ogg", 300 * time.Millisecond},
	{"done.mp3", 360 * time.Millisecond},
}

func recording(name string) passerelle.Prompt {
	return passerelle.Prompt{Text: name, Lang: "fr", Recording: filepath.Join(fixtures, name)}
}

// sentences are prompts long enough to be cut short in real time.
var sentences = map[passerelle.Lang]string{
	"fr": "Bonjour. Touchez le grand bouton vert pour commencer votre déclaration.",
	"en": "Hello. Touch the big green button to start your declaration.",
	"ar": "مرحبا. المس الزر الأخضر الكبير لبدء تصريحك.",
}

// requireEspeak skips the test where espeak-ng is not installed, except in
// CI, where it must be.
func requireEspeak(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("espeak-ng is not installed")
		}
		tb.Skip("espeak-ng is not installed")
	}
}

// testPlayer is a player on a null sink reading at pace, with a speech cache
// in a temporary folder. It is closed when the test ends.
type testPlayer struct {
	*Player
	sink    *NullSink
	speech  *Speech
	started chan time.Time
}

func newTestPlayer(tb testing.TB, pace float64, opts ...Option) *testPlayer {
	tb.Helper()
	return newTestPlayerSpeech(tb, pace, NewSpeech(filepath.Join(tb.TempDir(), "speech"), ""), opts...)
}

// newTestPlayerSpeech is newTestPlayer with the given speech cache.
func newTestPlayerSpeech(tb testing.TB, pace float64, speech *Speech, opts ...Option) *testPlayer {
	tb.Helper()
	tp := &testPlayer{
		sink:    NewNullSink(pace),
		speech:  speech,
		started: make(chan time.Time, 16),
	}
	opts = append([]Option{WithStarted(func(_ passerelle.Prompt, at time.Time) {
		select {
		case tp.started <- at:
		default:
		}
	})}, opts...)
	tp.Player = NewPlayer(tp.sink, tp.speech, opts...)
	tb.Cleanup(func() { tp.Close() })
	return tp
}

// waitStarted returns when the sink has read the sound started last.
func (tp *testPlayer) waitStarted(tb testing.TB) time.Time {
	tb.Helper()
	select {
	case at := <-tp.started:
		return at
	case <-time.After(5 * time.Second):
		tb.Fatal("the sink never read the sound")
		return time.Time{}
	}
}

// waitEnd returns when the sound playing has ended.
func (tp *testPlayer) waitEnd(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tp.sink.Wait(ctx); err != nil {
		tb.Fatal("the sound never ended")
	}
}

// only returns the single record of the sink.
func (tp *testPlayer) only(tb testing.TB) Record {
	tb.Helper()
	records := tp.sink.Records()
	if len(records) != 1 {
		tb.Fatalf("the sink played %d sounds, want 1: %+v", len(records), records)
	}
	return records[0]
}

// measure decodes a sound file and returns how long it is heard, up to
// its last sample at or above silenceLevel (the silence after it is not
// played when nothing follows), and the RMS of the first channel over that.
func measure(tb testing.TB, path string) (time.Duration, float64) {
	tb.Helper()
	s, format, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	var (
		buf   [512][2]float64
		n     int // frames read
		heard int // frames up to the last one heard
		total float64
		upTo  float64 // total at heard
	)
	for {
		got, ok := s.Stream(buf[:])
		for i, frame := range buf[:got] {
			total += frame[0] * frame[0]
			if math.Abs(frame[0]) >= silenceLevel || math.Abs(frame[1]) >= silenceLevel {
				heard, upTo = n+i+1, total
			}
		}
		n += got
		if !ok {
			break
		}
	}
	if err := s.Err(); err != nil {
		tb.Fatal(err)
	}
	if heard == 0 {
		return 0, 0
	}
	return format.SampleRate.D(heard), math.Sqrt(upTo / float64(heard))
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// near reports whether got is within 10% of want.
func near(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) <= 0.1*float64(want)
}

// tone is a sound of n samples that counts its reads and fails the test if
// it is read after forbid is set.
type tone struct {
	tb     testing.TB
	left   int
	reads  chan struct{} // receives on the first read
	forbid chan struct{} // closed when reading is no longer allowed
	first  bool
}

func newTone(tb testing.TB, d time.Duration) *tone {
	return &tone{
		tb:     tb,
		left:   beep.SampleRate(44100).N(d),
		reads:  make(chan struct{}, 1),
		forbid: make(chan struct{}),
	}
}

func (t *tone) Stream(samples [][2]float64) (int, bool) {
	select {
	case <-t.forbid:
		t.tb.Error("the sink read a sound after stopping it")
		return 0, false
	default:
	}
	if !t.first {
		t.first = true
		t.reads <- struct{}{}
	}
	if t.left == 0 {
		return 0, false
	}
	n := min(len(samples), t.left)
	for i := range samples[:n] {
		v := 0.2 * math.Sin(float64(t.left-i)/10)
		samples[i] = [2]float64{v, v}
	}
	t.left -= n
	return n, true
}

func (t *tone) Err() error { return nil }

func (t *tone) sound(name string) Sound {
	return Sound{
		Prompt:   passerelle.Prompt{Text: name, Lang: "fr"},
		Source:   name,
		Streamer: t,
		Format:   beep.Format{SampleRate: 44100, NumChannels: 2, Precision: 2},
	}
}
