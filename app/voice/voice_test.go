package voice_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/audio"
	"passerelle/app/voice"
)

// audioTestdata holds real files of every format the kiosk plays and of
// those it refuses, made by app/audio/testdata/make.sh.
const audioTestdata = "../audio/testdata"

// part is a piece of a test recording: a tone of freq Hz at amp, or
// silence (amp 0), lasting d.
type part struct {
	d    time.Duration
	freq float64
	amp  float64
}

// makeWAV writes a 16-bit PCM WAV file of the parts, as the browser's
// recorder.js uploads it, and returns its path.
func makeWAV(tb testing.TB, dir string, rate, channels int, parts ...part) string {
	tb.Helper()
	var samples []int16
	n := 0
	for _, p := range parts {
		for i := range int(p.d.Seconds() * float64(rate)) {
			v := int16(math.Round(p.amp * 32767 * math.Sin(2*math.Pi*p.freq*float64(n+i)/float64(rate))))
			for range channels {
				samples = append(samples, v)
			}
		}
		n += int(p.d.Seconds() * float64(rate))
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+2*len(samples)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(channels), uint32(rate),
		uint32(rate * channels * 2), uint16(channels * 2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(2*len(samples)))
	binary.Write(&b, binary.LittleEndian, samples)
	path := filepath.Join(dir, "upload.wav")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// measure decodes a stored file with the kiosk's decoder and returns its
// length and the RMS of its middle (mono mix).
func measure(tb testing.TB, path string) (time.Duration, float64, int) {
	tb.Helper()
	info, err := audio.Check(path)
	if err != nil {
		tb.Fatalf("the kiosk's decoder refuses the stored file: %v", err)
	}
	frames, format := decode(tb, path)
	return info.Duration, rms(frames), format.NumChannels
}

// decode reads the whole of a stored recording as the kiosk's player does.
func decode(tb testing.TB, path string) ([][2]float64, beep.Format) {
	tb.Helper()
	s, format, err := audio.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	var frames [][2]float64
	buf := make([][2]float64, 1024)
	for {
		n, ok := s.Stream(buf)
		frames = append(frames, buf[:n]...)
		if !ok {
			return frames, format
		}
	}
}

func rms(frames [][2]float64) float64 {
	sum := 0.0
	for _, f := range frames {
		m := (f[0] + f[1]) / 2
		sum += m * m
	}
	return math.Sqrt(sum / float64(max(1, len(frames))))
}

func near(got, want, tolerance time.Duration) bool {
	return got >= want-tolerance && got <= want+tolerance
}

// TestStoreTrimsTheSilence: a recording as the browser uploads it, with
// silence before and after the voice, is stored with margins of 250 ms
// before and 350 ms after, whole in between, in as many channels.
func TestStoreTrimsTheSilence(t *testing.T) {
	cases := []struct {
		name     string
		rate     int
		channels int
		parts    []part
		want     time.Duration
	}{
		{"the browser's 48 kHz mono", 48000, 1, []part{{time.Second, 0, 0}, {1500 * time.Millisecond, 440, 0.3}, {2 * time.Second, 0, 0}}, 2100 * time.Millisecond},
		{"44.1 kHz stereo", 44100, 2, []part{{700 * time.Millisecond, 0, 0}, {time.Second, 440, 0.3}, {time.Second, 0, 0}}, 1600 * time.Millisecond},
		{"8 kHz, a quiet voice over room noise", 8000, 1, []part{{time.Second, 50, 0.002}, {time.Second, 300, 0.05}, {time.Second, 50, 0.002}}, 1600 * time.Millisecond},
		{"no silence at all", 16000, 1, []part{{2 * time.Second, 440, 0.5}}, 2 * time.Second},
		{"a soft start kept", 48000, 1, []part{{time.Second, 0, 0}, {300 * time.Millisecond, 440, 0.02}, {time.Second, 440, 0.5}, {time.Second, 0, 0}}, 1900 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := makeWAV(t, t.TempDir(), c.rate, c.channels, c.parts...)
			dir := t.TempDir()
			rec, err := voice.Store(src, dir, "audio/fr/welcome")
			if err != nil {
				t.Fatal(err)
			}
			if rec.File != "audio/fr/welcome.wav" || rec.Kind != "WAV" {
				t.Errorf("stored as %s (%s), want audio/fr/welcome.wav (WAV)", rec.File, rec.Kind)
			}
			d, level, channels := measure(t, filepath.Join(dir, rec.File))
			if !near(d, c.want, 25*time.Millisecond) || rec.Duration != d {
				t.Errorf("stored %v (said %v), want %v", d, rec.Duration, c.want)
			}
			if channels != c.channels {
				t.Errorf("stored with %d channels, want %d", channels, c.channels)
			}
			if level < 0.01 {
				t.Errorf("the stored voice has an RMS of %.4f", level)
			}
		})
	}
}

// TestStoreEveryFormatTheKioskPlays stores the real files of app/audio's
// test data: WAV of every encoding is written again as 16-bit PCM with
// the same sound; MP3 and Ogg Vorbis are kept byte for byte.
func TestStoreEveryFormatTheKioskPlays(t *testing.T) {
	cases := []struct {
		file string
		ext  string
		same bool // kept as it is
	}{
		{"wav-s16-stereo-48k.wav", ".wav", false},
		{"wav-s24-mono-44k.wav", ".wav", false},
		{"wav-f32-mono-44k.wav", ".wav", false},
		{"wav-alaw-8k.wav", ".wav", false},
		{"wav-u8-stereo-22k.wav", ".wav", false},
		{"wav-5.1-16k.wav", ".wav", false},
		{"wav-ext-s24-mono-11k.wav", ".wav", false},
		{"wav-streamed-8k.wav", ".wav", false}, // its header does not say its length
		{"mp3-id3-44k.mp3", ".mp3", true},
		{"mp3-vbr-44k.mp3", ".mp3", true},
		{"mp3-named.wav", ".mp3", true}, // an MP3 named .wav is stored as .mp3
		{"vorbis-stereo-44k.ogg", ".ogg", true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			src := filepath.Join(audioTestdata, c.file)
			_, wantRMS, _ := measure(t, src)
			dir := t.TempDir()
			rec, err := voice.Store(src, dir, "intro")
			if err != nil {
				t.Fatal(err)
			}
			if rec.File != "intro"+c.ext {
				t.Errorf("stored as %s, want intro%s", rec.File, c.ext)
			}
			stored := filepath.Join(dir, rec.File)
			d, level, _ := measure(t, stored)
			if !near(d, 300*time.Millisecond, 30*time.Millisecond) {
				t.Errorf("stored %v, want the 300 ms of the file", d)
			}
			if math.Abs(level-wantRMS) > 0.02*wantRMS+0.002 {
				t.Errorf("stored RMS %.4f, the file's %.4f", level, wantRMS)
			}
			if c.same {
				a, _ := os.ReadFile(src)
				b, _ := os.ReadFile(stored)
				if !bytes.Equal(a, b) {
					t.Errorf("the %s file was changed", rec.Kind)
				}
			}
		})
	}
}

// TestStoreRefusesAndLosesNothing: each file is refused with a sentence
// saying what is wrong, and the recording stored before stays as it was.
func TestStoreRefusesAndLosesNothing(t *testing.T) {
	testdata := func(name string) func(t *testing.T, dir string) string {
		return func(*testing.T, string) string { return filepath.Join(audioTestdata, name) }
	}
	write := func(data []byte) func(t *testing.T, dir string) string {
		return func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "upload.bin")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
	}
	tone := func(parts ...part) func(t *testing.T, dir string) string {
		return func(t *testing.T, dir string) string { return makeWAV(t, dir, 8000, 1, parts...) }
	}
	tooBig := func(t *testing.T, dir string) string {
		path := filepath.Join(dir, "big.wav")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(voice.MaxUploadBytes + 1) // sparse: costs no disk
		f.Close()
		return path
	}
	cases := []struct {
		name string
		file func(t *testing.T, dir string) string
		want string
	}{
		{"the browser's own WebM Opus", testdata("opus.webm"), "record it with the Record button"},
		{"Ogg Opus", testdata("opus.ogg"), "Opus"},
		{"a phone's M4A", testdata("aac.m4a"), "record it with the Record button"},
		{"FLAC", testdata("flac.flac"), "FLAC"},
		{"a PNG image", write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")), "not"},
		{"an empty file", write(nil), "empty"},
		{"random bytes", write(bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 4096)), "not"},
		{"a cut WAV header", write([]byte("RIFF\x24\x00\x00\x00WAVEfmt ")), "WAV"},
		{"silence", tone(part{3 * time.Second, 0, 0}), "silent"},
		{"hiss", tone(part{3 * time.Second, 3000, 0.001}), "silent"},
		{"a click", tone(part{100 * time.Millisecond, 440, 0.5}), "lasts 0.1 s"},
		{"too long", tone(part{voice.MaxDuration + 5*time.Second, 440, 0.3}), "at most 60.0 s"},
		{"a recorder left running", tone(part{time.Second, 440, 0.3}, part{2*voice.MaxDuration + time.Second, 0, 0}), "record the sentence alone"},
		{"over the size limit", tooBig, "at most 8 MB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			good := makeWAV(t, t.TempDir(), 16000, 1, part{time.Second, 440, 0.3})
			before, err := voice.Store(good, dir, "audio/ar/end")
			if err != nil {
				t.Fatal(err)
			}
			kept, _ := os.ReadFile(filepath.Join(dir, before.File))
			_, err = voice.Store(c.file(t, t.TempDir()), dir, "audio/ar/end")
			if !errors.Is(err, voice.ErrRefused) {
				t.Fatalf("error %v, want a refusal", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("refusal %q does not say %q", err, c.want)
			}
			if strings.Contains(err.Error(), "ffmpeg") || strings.Contains(err.Error(), "/tmp") {
				t.Errorf("refusal %q speaks of commands or the hub's folders", err)
			}
			after, _ := os.ReadFile(filepath.Join(dir, before.File))
			if !bytes.Equal(kept, after) {
				t.Error("the recording stored before was changed")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "audio", "ar", "*")); len(left) != 1 {
				t.Errorf("the folder holds %v, want only the recording", left)
			}
		})
	}
}

// TestStoreStaysInTheFolder: the name comes from the editor; one that
// leaves the procedure's folder is refused and nothing is written.
func TestStoreStaysInTheFolder(t *testing.T) {
	src := makeWAV(t, t.TempDir(), 8000, 1, part{time.Second, 440, 0.3})
	root := t.TempDir()
	dir := filepath.Join(root, "draft")
	for _, name := range []string{"../outside", "/tmp/abs", "audio/../../up", ".hidden", "audio/.x", "", "a\\..\\b", "audio//fr"} {
		if _, err := voice.Store(src, dir, name); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		t.Errorf("something was written: %v", entries)
	}
}

// FuzzStore: whatever bytes are uploaded, Store refuses them or stores a
// file the kiosk's decoder plays, within the bounds.
func FuzzStore(f *testing.F) {
	for _, name := range []string{"wav-s16-mono-16k.wav", "wav-alaw-8k.wav", "mp3-mono-22k.mp3", "vorbis-mono-22k.ogg", "opus.webm"} {
		data, err := os.ReadFile(filepath.Join(audioTestdata, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src := filepath.Join(t.TempDir(), "upload")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		rec, err := voice.Store(src, dir, "x")
		if err != nil {
			if !errors.Is(err, voice.ErrRefused) {
				t.Fatalf("not a refusal: %v", err)
			}
			return
		}
		info, err := audio.Check(filepath.Join(dir, rec.File))
		if err != nil {
			t.Fatalf("stored a file the kiosk refuses: %v", err)
		}
		if info.Duration > voice.MaxDuration || info.Duration < voice.MinDuration {
			t.Fatalf("stored %v", info.Duration)
		}
	})
}

// BenchmarkStore measures what keeping a 10-second recording from the
// browser costs the hub: check, trim, write, check again.
func BenchmarkStore(b *testing.B) {
	src := makeWAV(b, b.TempDir(), 48000, 1, part{time.Second, 0, 0}, part{8 * time.Second, 440, 0.3}, part{time.Second, 0, 0})
	dir := b.TempDir()
	for b.Loop() {
		if _, err := voice.Store(src, dir, "audio/fr/step"); err != nil {
			b.Fatal(err)
		}
	}
}
