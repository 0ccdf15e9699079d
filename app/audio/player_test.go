package audio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

func TestPlayRecording(t *testing.T) {
	for _, rec := range recordings {
		t.Run(rec.name, func(t *testing.T) {
			tp := newTestPlayer(t, 0)
			prompt := recording(rec.name)
			if err := tp.Play(context.Background(), prompt); err != nil {
				t.Fatal(err)
			}
			tp.waitStarted(t)
			tp.waitEnd(t)
			got := tp.only(t)
			if got.Source != prompt.Recording || got.Prompt != prompt {
				t.Errorf("played %+v, want the recording %s", got.Played, prompt.Recording)
			}
			if !near(got.Duration, rec.length) || got.Stopped || got.Err != nil {
				t.Errorf("played %s (stopped %v, error %v), want %s to its end", got.Duration, got.Stopped, got.Err, rec.length)
			}
			if tp.speech.Renders() != 0 {
				t.Error("a recording ran espeak-ng")
			}
		})
	}
}

func TestPlaySpeech(t *testing.T) {
	requireEspeak(t)
	for lang, text := range sentences {
		t.Run(string(lang), func(t *testing.T) {
			tp := newTestPlayer(t, 0)
			prompt := passerelle.Prompt{Text: text, Lang: lang}
			if err := tp.Play(context.Background(), prompt); err != nil {
				t.Fatal(err)
			}
			tp.waitEnd(t)
			first := tp.only(t)
			if filepath.Dir(first.Source) != tp.speech.Dir() || filepath.Ext(first.Source) != ".wav" {
				t.Fatalf("played %s, want a WAV file of %s", first.Source, tp.speech.Dir())
			}
			length, rms := measure(t, first.Source)
			// The sink plays at the device's rate, and finds the last sample
			// heard after resampling: the length differs by less than two of
			// its samples.
			if d := first.Duration - length; d < -deviceRate.D(2) || d > deviceRate.D(2) || length < 300*time.Millisecond {
				t.Errorf("played %s of a %s file, want all of it and more than 0.3 s", first.Duration, length)
			}
			if rms < 0.01 {
				t.Errorf("the speech is silent: RMS amplitude %.4f", rms)
			}
			t.Logf("%s: %s, RMS %.3f", lang, length, rms)
			info, err := os.Stat(first.Source)
			if err != nil {
				t.Fatal(err)
			}

			if err := tp.Play(context.Background(), prompt); err != nil {
				t.Fatal(err)
			}
			tp.waitEnd(t)
			again, err := os.Stat(first.Source)
			if err != nil {
				t.Fatal(err)
			}
			if n := tp.speech.Renders(); n != 1 || !again.ModTime().Equal(info.ModTime()) {
				t.Errorf("espeak-ng ran %d times and the file changed %v, want once and unchanged", n, !again.ModTime().Equal(info.ModTime()))
			}
			if records := tp.sink.Records(); len(records) != 2 || records[1].Source != first.Source {
				t.Errorf("second play: %+v, want %s again", records, first.Source)
			}
		})
	}
}

func TestPlayStopsPrevious(t *testing.T) {
	requireEspeak(t)
	tp := newTestPlayer(t, 1)
	long := passerelle.Prompt{Text: sentences["fr"], Lang: "fr"}
	if err := tp.Play(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	tp.waitStarted(t)
	next := recording("hello.wav")
	if err := tp.Play(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	tp.waitStarted(t)
	tp.waitEnd(t)

	records := tp.sink.Records()
	if len(records) != 2 || records[0].Prompt != long || records[1].Prompt != next {
		t.Fatalf("played %+v, want the sentence then the recording", records)
	}
	full, _ := measure(t, records[0].Source)
	if cut := records[0]; !cut.Stopped || cut.Duration >= full {
		t.Errorf("the sentence played %s of %s (stopped %v), want it cut short", cut.Duration, full, cut.Stopped)
	}
	if rec := records[1]; rec.Stopped || !near(rec.Duration, 300*time.Millisecond) {
		t.Errorf("the recording played %s (stopped %v), want all of it", rec.Duration, rec.Stopped)
	}
}

func TestStop(t *testing.T) {
	requireEspeak(t)
	tp := newTestPlayer(t, 1)
	if err := tp.Play(context.Background(), passerelle.Prompt{Text: sentences["en"], Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	tp.waitStarted(t)
	tp.Stop()
	if got := tp.only(t); !got.Stopped || got.Duration > time.Second {
		t.Errorf("after Stop: played %s, stopped %v; want cut short", got.Duration, got.Stopped)
	}
	tp.Stop() // stopping a silent player does nothing
}

func TestPrepare(t *testing.T) {
	requireEspeak(t)
	logs := &strings.Builder{}
	tp := newTestPlayer(t, 0, WithLogger(newLogger(logs)), WithWorkers(2))
	var prompts []passerelle.Prompt
	for lang, text := range sentences {
		prompts = append(prompts, passerelle.Prompt{Text: text, Lang: lang})
	}
	prompts = append(prompts,
		prompts[0],            // asked twice, rendered once
		recording("done.mp3"), // a recording needs no speech
		passerelle.Prompt{Text: "", Lang: "fr"},
	)
	tp.Prepare(prompts)
	if err := tp.WaitPrepared(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := tp.speech.Renders(); n != len(sentences) {
		t.Errorf("espeak-ng ran %d times, want %d", n, len(sentences))
	}
	files, _ := filepath.Glob(filepath.Join(tp.speech.Dir(), "*.wav"))
	if len(files) != len(sentences) {
		t.Errorf("the cache holds %v, want %d files", files, len(sentences))
	}
	if strings.Contains(logs.String(), "WARN") {
		t.Errorf("log: %s", logs)
	}

	// A kiosk started later plays from the cache without synthesis.
	later := NewPlayer(NewNullSink(0), NewSpeech(tp.speech.Dir(), ""))
	defer later.Close()
	for _, pr := range prompts[:len(sentences)] {
		if err := later.Play(context.Background(), pr); err != nil {
			t.Fatal(err)
		}
	}
	if n := later.speech.Renders(); n != 0 {
		t.Errorf("espeak-ng ran %d times for prepared speech", n)
	}
}

// TestPrepareStopsWhenTheCacheIsFull: a catalog bigger than the speech
// cache is prepared most useful first, until the cache is full; the rest
// is left to be rendered when used, nothing is evicted, staff are told once.
func TestPrepareStopsWhenTheCacheIsFull(t *testing.T) {
	requireEspeak(t)
	speech := NewSpeech(filepath.Join(t.TempDir(), "speech"), "")
	one := fileSize(t, mustRender(t, speech, step(0)))
	speech.SetLimit(one * 9 / 2) // room for four and a half
	logs := &strings.Builder{}
	tp := newTestPlayerSpeech(t, 0, speech, WithLogger(newLogger(logs)), WithWorkers(1))
	var prompts []passerelle.Prompt
	for n := range 12 {
		prompts = append(prompts, passerelle.Prompt{Text: step(n), Lang: "fr"})
	}
	tp.Prepare(prompts)
	if err := tp.WaitPrepared(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := cacheSize(t, speech.Dir()); got > speech.Limit() {
		t.Errorf("the cache holds %d bytes, over its limit of %d", got, speech.Limit())
	}
	if n := speech.Renders(); n > 6 {
		t.Errorf("espeak-ng ran %d times for a cache with room for 4: preparing did not stop", n)
	}
	// The first prompts, the most useful, are ready without synthesis.
	before := speech.Renders()
	if err := tp.Play(context.Background(), prompts[1]); err != nil {
		t.Fatal(err)
	}
	if speech.Renders() != before {
		t.Error("the second prompt of the catalog was not prepared")
	}
	if got := strings.Count(logs.String(), "the speech cache is full"); got != 1 {
		t.Errorf("staff were told %d times that the cache is full, want once:\n%s", got, logs)
	}
	if strings.Contains(logs.String(), "WARN") {
		t.Errorf("a full cache is not a failure: %s", logs)
	}
}

func TestPrepareWithoutEspeak(t *testing.T) {
	logs := &strings.Builder{}
	sink := NewNullSink(0)
	p := NewPlayer(sink, NewSpeech(t.TempDir(), "/nonexistent/espeak-ng"), WithLogger(newLogger(logs)))
	p.Prepare([]passerelle.Prompt{{Text: "Bonjour", Lang: "fr"}, {Text: "Hello", Lang: "en"}})
	p.WaitPrepared(context.Background())
	p.Close()
	if !strings.Contains(logs.String(), "some spoken prompts could not be prepared") ||
		!strings.Contains(logs.String(), "install the espeak-ng package") {
		t.Errorf("log: %s", logs)
	}
}

func TestPlayErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.wav")
	notAudio := filepath.Join(t.TempDir(), "notes.txt")
	damaged := filepath.Join(t.TempDir(), "damaged.ogg")
	os.WriteFile(notAudio, []byte("hello"), 0o644)
	os.WriteFile(damaged, []byte("OggS this is not vorbis"), 0o644)
	for _, tc := range []struct {
		name    string
		espeak  string
		prompt  passerelle.Prompt
		want    string
		noSpeak bool // errors.Is(err, ErrNoSpeech)
	}{
		{"espeak-ng missing", "/nonexistent/espeak-ng", passerelle.Prompt{Text: "Bonjour", Lang: "fr"},
			"the program /nonexistent/espeak-ng was not found; install the espeak-ng package", true},
		{"unknown language", "", passerelle.Prompt{Text: "Hallo", Lang: "xx"}, `no voice for the language "xx"`, false},
		{"no text", "", passerelle.Prompt{Text: "  ", Lang: "fr"}, "there is no text to say", false},
		{"missing recording", "", passerelle.Prompt{Lang: "fr", Recording: missing}, "missing.wav: the file is missing", false},
		{"not a recording", "", passerelle.Prompt{Lang: "fr", Recording: notAudio}, "it is not a recording the kiosk knows (a recording must be a WAV, MP3 or Ogg Vorbis file", false},
		{"damaged recording", "", passerelle.Prompt{Lang: "fr", Recording: damaged}, "the Ogg file is damaged", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := NewNullSink(0)
			p := NewPlayer(sink, NewSpeech(t.TempDir(), tc.espeak))
			defer p.Close()
			err := p.Play(context.Background(), tc.prompt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Play: %v, want an error saying %q", err, tc.want)
			}
			if errors.Is(err, ErrNoSpeech) != tc.noSpeak {
				t.Errorf("errors.Is(%v, ErrNoSpeech) = %v", err, !tc.noSpeak)
			}
			if n := len(sink.Records()); n != 0 {
				t.Errorf("the sink played %d sounds", n)
			}
			t.Log(err)
		})
	}
}

func TestRecordingPlaysWithoutEspeak(t *testing.T) {
	sink := NewNullSink(0)
	p := NewPlayer(sink, NewSpeech(t.TempDir(), "/nonexistent/espeak-ng"))
	defer p.Close()
	if err := p.Play(context.Background(), passerelle.Prompt{Text: "Bonjour", Lang: "fr"}); !errors.Is(err, ErrNoSpeech) {
		t.Fatalf("speech: %v, want ErrNoSpeech", err)
	}
	if err := p.Play(context.Background(), recording("hello.wav")); err != nil {
		t.Fatal(err)
	}
	sink.Wait(context.Background())
	if got := sink.Played(); len(got) != 1 || !near(got[0].Duration, 300*time.Millisecond) {
		t.Errorf("played %+v, want the recording", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	requireEspeak(t)
	tp := newTestPlayer(t, 1)
	prompts := []passerelle.Prompt{recording("hello.wav"), recording("done.mp3"), {Text: sentences["fr"], Lang: "fr"}}
	tp.Prepare(prompts)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				if (i+j)%4 == 3 {
					tp.Stop()
					continue
				}
				if err := tp.Play(context.Background(), prompts[(i+j)%len(prompts)]); err != nil {
					t.Error(err)
				}
				tp.SetVolume(float64(j) / 10)
			}
		}()
	}
	wg.Wait()
	tp.Close()
	for _, r := range tp.sink.Records() {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Source, r.Err)
		}
	}
	if err := tp.Play(context.Background(), prompts[0]); !errors.Is(err, errClosed) {
		t.Errorf("Play after Close: %v", err)
	}
}

func TestVolume(t *testing.T) {
	for _, tc := range []struct {
		set, want float64
	}{
		{1, 1}, {0.5, 0.5}, {0, 0}, {-1, 0}, {3, 1},
	} {
		v := &volume{}
		v.set(tc.set)
		tn := newTone(t, 10*time.Millisecond)
		in := make([][2]float64, 8)
		tn.Stream(in)
		tn = newTone(t, 10*time.Millisecond)
		out := make([][2]float64, 8)
		gain{s: tn, v: v}.Stream(out)
		for i := range out {
			if diff := out[i][0] - in[i][0]*tc.want; diff > 1e-12 || diff < -1e-12 {
				t.Errorf("volume %v: sample %d is %v, want %v", tc.set, i, out[i][0], in[i][0]*tc.want)
				break
			}
		}
	}
}

func TestPlaySequence(t *testing.T) {
	requireEspeak(t)
	missing := passerelle.Prompt{Lang: "fr", Recording: filepath.Join(t.TempDir(), "missing.wav")}
	speech := passerelle.Prompt{Text: "Deuxième phrase.", Lang: "fr"}
	for _, tc := range []struct {
		name    string
		prompts []passerelle.Prompt
		want    []passerelle.Prompt
		err     string // returned by Play
		log     string // in the staff log
	}{
		{"one after the other",
			[]passerelle.Prompt{recording("hello.wav"), speech, recording("done.mp3")},
			[]passerelle.Prompt{recording("hello.wav"), speech, recording("done.mp3")}, "", ""},
		{"a broken prompt is skipped",
			[]passerelle.Prompt{recording("hello.wav"), missing, recording("intro.ogg")},
			[]passerelle.Prompt{recording("hello.wav"), recording("intro.ogg")}, "", "missing.wav: the file is missing"},
		{"a broken first prompt is reported, the others play",
			[]passerelle.Prompt{missing, speech},
			[]passerelle.Prompt{speech}, "missing.wav: the file is missing", ""},
		{"nothing to say",
			[]passerelle.Prompt{missing},
			nil, "missing.wav: the file is missing", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, pace := range []float64{0, 4} {
				logs := &strings.Builder{}
				tp := newTestPlayer(t, pace, WithLogger(newLogger(logs)))
				err := tp.Play(context.Background(), tc.prompts...)
				if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Play: %v, want an error saying %q", err, tc.err)
				}
				tp.waitEnd(t)
				records := tp.sink.Records()
				var got []passerelle.Prompt
				for _, r := range records {
					got = append(got, r.Prompt)
					if r.Stopped || r.Duration == 0 || r.Err != nil {
						t.Errorf("pace %v: %s played %s (stopped %v, error %v), want all of it", pace, r.Source, r.Duration, r.Stopped, r.Err)
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("pace %v: played %v, want %v", pace, got, tc.want)
				}
				if !strings.Contains(logs.String(), tc.log) {
					t.Errorf("staff log: %s, want %q", logs, tc.log)
				}
				tp.Close()
			}
		})
	}
}

func TestStopSequence(t *testing.T) {
	tp := newTestPlayer(t, 1)
	if err := tp.Play(context.Background(), recording("hello.wav"), recording("intro.ogg"), recording("done.mp3")); err != nil {
		t.Fatal(err)
	}
	tp.waitStarted(t)
	tp.Stop()
	if got := tp.only(t); got.Prompt != recording("hello.wav") || !got.Stopped {
		t.Errorf("played %+v, stopped %v; want the first, cut short", got.Played, got.Stopped)
	}
}

func TestCloseCancelsPrepare(t *testing.T) {
	requireEspeak(t)
	tp := newTestPlayer(t, 0, WithWorkers(1))
	var prompts []passerelle.Prompt
	for i := range 200 {
		prompts = append(prompts, passerelle.Prompt{Text: fmt.Sprintf("Phrase numéro %d.", i), Lang: "fr"})
	}
	tp.Prepare(prompts)
	start := time.Now()
	tp.Close()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %s: it should not render the whole batch", took)
	}
	done := tp.speech.Renders()
	if done >= len(prompts) {
		t.Errorf("Close let all %d renders run", done)
	}
	if err := tp.WaitPrepared(context.Background()); err != nil {
		t.Fatal(err)
	}
	if tp.speech.Renders() != done {
		t.Error("espeak-ng ran after Close returned")
	}
}

// A recording that cannot be played when its prompt comes (deleted since
// the catalog loaded, damaged) gives way to its text, spoken; staff read why.
func TestRecordingThatFailsIsSpoken(t *testing.T) {
	requireEspeak(t)
	damaged := filepath.Join(t.TempDir(), "bonjour.wav")
	os.WriteFile(damaged, []byte("RIFF\x10\x00\x00\x00WAVEfmt \x10\x00"), 0o644)
	for _, tc := range []struct {
		name, path, reason string
	}{
		{"deleted", filepath.Join(t.TempDir(), "bonjour.wav"), "the file is missing"},
		{"damaged", damaged, "the WAV file is damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &strings.Builder{}
			tp := newTestPlayer(t, 0, WithLogger(newLogger(logs)))
			prompt := passerelle.Prompt{Text: sentences["fr"], Lang: "fr", Recording: tc.path}
			if err := tp.Play(context.Background(), prompt); err != nil {
				t.Fatal(err)
			}
			tp.waitEnd(t)
			got := tp.only(t)
			if got.Prompt != prompt || filepath.Dir(got.Source) != tp.speech.Dir() || got.Duration < time.Second || got.RMS() < 0.01 {
				t.Errorf("played %s of %s (RMS %.3f), want the sentence spoken", got.Duration, got.Source, got.RMS())
			}
			if !strings.Contains(logs.String(), "cannot play a recording; its text is spoken instead") ||
				!strings.Contains(logs.String(), tc.reason) || !strings.Contains(logs.String(), tc.path) {
				t.Errorf("staff log: %s", logs)
			}
		})
	}
}
