package audio

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture copies a file of testdata to a temporary folder under name.
func fixture(tb testing.TB, src, name string) string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", src))
	if err != nil {
		tb.Fatal(err)
	}
	return write(tb, name, data)
}

func write(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// wavHeader is the 44-byte header of a 16-bit mono 44.1 kHz WAV file whose
// sound part says it holds dataSize bytes.
func wavHeaderFor(dataSize uint32) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + dataSize))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))
	le(uint16(1))
	le(uint32(44100))
	le(uint32(88200))
	le(uint16(2))
	le(uint16(16))
	b.WriteString("data")
	le(dataSize)
	return b.Bytes()
}

// Formats the kiosk cannot play are named for what they really are, with
// the command that converts them, whatever their file is called.
func TestOpenRefusesWithTheConversionCommand(t *testing.T) {
	for _, tc := range []struct {
		src, name string
		want      string
	}{
		{"opus.ogg", "bonjour.ogg", "it is an Opus recording in an Ogg file"},
		{"opus.webm", "bonjour.webm", "it is a WebM or Matroska file"},
		{"aac.m4a", "bonjour.m4a", "it is an MP4 file (M4A, usually AAC sound)"},
		{"aac-named.mp3", "bonjour.mp3", "it is an MP4 file (M4A, usually AAC sound)"},
		{"aac-adts.aac", "bonjour.aac", "it is an AAC recording"},
		{"phone.3gp", "bonjour.3gp", "it is a 3GP phone recording"},
		{"flac.flac", "bonjour.flac", "it is a FLAC recording"},
		{"wav-adpcm.wav", "bonjour.wav", "it is a compressed (ADPCM) WAV recording"},
		{"vorbis-chained.ogg", "bonjour.ogg", "it is an Ogg file of several recordings one after the other (chained)"},
		{"mp3-8k.mp3", "bonjour.mp3", "it is an MP3 at 8000 Hz (MPEG 2.5)"},
		// go-mp3 reads these frames one byte short and plays noise.
		{"mp3-garbled-22k.mp3", "bonjour.mp3", "it is an MP3 at 22050 Hz and 32 kbit/s (its decoder would play noise)"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			path := fixture(t, tc.src, tc.name)
			_, err := Check(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check: %v, want %q", err, tc.want)
			}
			out := strings.TrimSuffix(tc.name, filepath.Ext(tc.name)) + ".wav"
			if out == tc.name {
				out = strings.TrimSuffix(tc.name, ".wav") + "-converted.wav"
			}
			if cmd := "to convert it, in its folder, run: ffmpeg -i '" + tc.name + "' -ar 44100 '" + out + "'"; !strings.HasSuffix(err.Error(), cmd) {
				t.Errorf("Check: %v\nwant it to end with %q", err, cmd)
			}
		})
	}
}

// A path with a quote in it is quoted for a shell.
func TestConversionCommandQuotesThePath(t *testing.T) {
	path := fixture(t, "opus.ogg", "l'accueil (2).ogg")
	_, err := Check(path)
	want := `ffmpeg -i 'l'\''accueil (2).ogg' -ar 44100 'l'\''accueil (2).wav'`
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Check: %v\nwant it to end with %s", err, want)
	}
}

// A file under a wrong name plays for what it is.
func TestOpenFindsTheFormatFromTheBytes(t *testing.T) {
	for _, tc := range []struct{ src, name, kind string }{
		{"mp3-id3-44k.mp3", "bonjour.wav", "MP3"},
		{"wav-s16-mono-22k.wav", "bonjour.mp3", "WAV"},
		{"vorbis-mono-22k.ogg", "bonjour.oga", "Ogg Vorbis"},
		{"mp3-mono-48k.mp3", "bonjour", "MP3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Check(fixture(t, tc.src, tc.name))
			if err != nil || info.Kind != tc.kind || info.Duration != 300*time.Millisecond {
				t.Errorf("Check = %+v, %v; want 300ms of %s", info, err, tc.kind)
			}
		})
	}
}

// Damaged and hostile files are refused in plain words before a decoder
// trusts them, or play what they hold: none crashes or freezes.
func TestOpenDamagedFiles(t *testing.T) {
	mp3, err := os.ReadFile("testdata/mp3-id3-44k.mp3")
	if err != nil {
		t.Fatal(err)
	}
	mono, err := os.ReadFile("testdata/mp3-mono-44k.mp3")
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]byte, 4410*2) // 100 ms of silence
	for i := range pcm {
		pcm[i] = byte(i)
	}
	hugeChunk := append(wavHeaderFor(8820)[:36], []byte("LIST\xff\xff\xff\x7f")...)
	oversize := filepath.Join(t.TempDir(), "long.wav")
	if err := os.WriteFile(oversize, wavHeaderFor(MaxRecordingBytes), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(oversize, MaxRecordingBytes+1<<20); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		path string
		want string        // in the error; "" when it plays
		play time.Duration // what plays when it does, within 50 ms
	}{
		{"empty", write(t, "empty.wav", nil), "the file is empty", 0},
		{"missing", filepath.Join(t.TempDir(), "missing.wav"), "the file is missing", 0},
		{"a folder", t.TempDir(), "is a folder, not a file", 0},
		{"too big", oversize, "the file is 33.0 MB; a recording may be at most 32.0 MB: shorten it, or make it smaller: in its folder, run: ffmpeg -i", 0},
		{"iPhone photo", write(t, "photo.wav", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")), "it is an image (a phone photo), not a recording", 0},
		{"text", write(t, "notes.wav", []byte("Bonjour, ceci est un texte.")), "it is not a recording the kiosk knows", 0},
		{"image", write(t, "photo.mp3", []byte("\x89PNG\r\n\x1a\n0000IHDR")), "it is an image, not a recording", 0},
		{"WAV part bigger than the file", write(t, "huge.wav", hugeChunk), "the WAV file is damaged or cut short", 0},
		{"WAV without sound part", write(t, "nodata.wav", wavHeaderFor(0)[:36]), "it has no sound part", 0},
		{"WAV with no sound", write(t, "silent.wav", wavHeaderFor(0)), "the recording has no sound in it", 0},
		{"WAV cut short", write(t, "cut.wav", append(wavHeaderFor(88200), pcm...)), "", 100 * time.Millisecond},
		{"ID3 tag longer than the file", write(t, "tag.mp3", []byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7fabc")), "the file's ID3 tag is longer than the file", 0},
		{"MP3 cut short", write(t, "half.mp3", mp3[:len(mp3)-1500]), "", 130 * time.Millisecond},
		// Taggers that write the tag's size wrong: the sound is found after it.
		{"ID3 size not syncsafe", write(t, "badsize.mp3", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x8aTIT2\x00\x00\x00\x00\x00\x00"), mono...)), "", 300 * time.Millisecond},
		{"ID3 size too long", write(t, "toolong.mp3", append([]byte("ID3\x03\x00\x00\x00\x00\x01\x00TIT2\x00\x00\x00\x00\x00\x00"), mono...)), "", 300 * time.Millisecond},
		{"Ogg header only", write(t, "head.ogg", []byte("OggS\x00\x02")), "the Ogg file is damaged", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Check(tc.path)
			t.Logf("%+v, %v", info, err)
			switch {
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Check: %v, want %q", err, tc.want)
			case tc.want == "" && err != nil:
				t.Errorf("Check: %v, want %s played", err, tc.play)
			case tc.want == "" && (info.Duration < tc.play-50*time.Millisecond || info.Duration > tc.play+50*time.Millisecond):
				t.Errorf("played %s, want %s", info.Duration, tc.play)
			}
		})
	}
}

// FuzzCheck feeds Check damaged versions of every fixture: it must answer,
// with an error or a length, and never panic or hang.
//
//	go test -run XXX -fuzz FuzzCheck -fuzztime 1m ./app/audio/
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := write(t, "fuzz", data)
		var (
			info Info
			err  error
		)
		done := make(chan struct{})
		go func() { info, err = Check(path); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Check did not answer within 5 s for %d bytes", len(data))
		}
		if err == nil && info.Duration <= 0 {
			t.Errorf("Check accepted a file with no sound: %+v", info)
		}
	})
}
