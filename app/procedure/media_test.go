package procedure

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pngHeader is the start of a PNG file announcing an image of w × h pixels,
// with no pixels after it.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// Media are checked as the kiosk uses them: sizes first, before anything is
// decoded, then recordings through the kiosk's own decoding.
func TestDecodeMedia(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	copyOf := func(src, name string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("../audio/testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		return file(name, data)
	}
	bigPNG := file("photo.png", append(pngHeader(800, 600), make([]byte, maxPictogramBytes)...))
	for _, tc := range []struct {
		name   string
		path   string
		kind   mediaKind
		want   string        // in the error, "" when accepted
		length time.Duration // of an accepted recording
	}{
		{"pictogram too big a file", bigPNG, pictogram, "the image is 2.0 MB; a pictogram may be at most 2 MB", 0},
		{"pictogram announcing a huge image", file("bomb.png", pngHeader(100000, 100000)), pictogram,
			"the image is 100000 × 100000 pixels; a pictogram may be at most 4096 × 4096", 0},
		{"opus from a phone", copyOf("opus.ogg", "message.ogg"), recording,
			"it is an Opus recording in an Ogg file (as phones and browsers record), which the kiosk cannot play; convert it with: ffmpeg -i '" + dir + "/message.ogg' -ar 44100 '" + dir + "/message.wav'", 0},
		{"m4a", copyOf("aac.m4a", "message.m4a"), recording, "it is an MP4 file (M4A, usually AAC sound)", 0},
		{"an image given as a recording", file("dot.wav", pngHeader(10, 10)), recording, "it is an image, not a recording", 0},
		{"MP3 named .wav", copyOf("mp3-id3-22k.mp3", "bonjour.wav"), recording, "", 300 * time.Millisecond},
		{"24-bit stereo WAV", copyOf("wav-s24-stereo-48k.wav", "bonjour.wav"), recording, "", 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := os.Stat(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			media, err := (&mediaCache{}).decode(tc.path, info, tc.kind)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "" && media.Duration != tc.length:
				t.Errorf("duration %s, want %s", media.Duration, tc.length)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("decode: %v\nwant %q", err, tc.want)
			}
		})
	}
}
