package procedure

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fyne-io/oksvg"
	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/mp3"
	"github.com/gopxl/beep/v2/vorbis"
	"github.com/gopxl/beep/v2/wav"

	"passerelle/app/passerelle"
)

// mediaCache remembers files already decoded, keyed by path, size and
// modification time, so that a reload after a one-line edit does not decode
// every recording of the catalog again.
type mediaCache struct {
	mu sync.Mutex
	m  map[string]cachedMedia
}

type cachedMedia struct {
	size    int64
	modTime time.Time
	media   passerelle.Media
	err     error
}

// decode reads and fully decodes a pictogram or an audio file. The error is
// a plain sentence for staff.
func (c *mediaCache) decode(path string, info os.FileInfo, kind mediaKind) (passerelle.Media, error) {
	if info.IsDir() {
		return passerelle.Media{}, errors.New("is a folder, not a file")
	}
	c.mu.Lock()
	hit, ok := c.m[path]
	c.mu.Unlock()
	if ok && hit.size == info.Size() && hit.modTime.Equal(info.ModTime()) {
		return hit.media, hit.err
	}
	media, err := decodeMedia(path, kind)
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]cachedMedia)
	}
	c.m[path] = cachedMedia{size: info.Size(), modTime: info.ModTime(), media: media, err: err}
	c.mu.Unlock()
	return media, err
}

type mediaKind int

const (
	pictogram mediaKind = iota
	recording
)

var (
	pictogramExts = []string{".svg", ".png"}
	recordingExts = []string{".wav", ".ogg", ".mp3"}
)

func decodeMedia(path string, kind mediaKind) (passerelle.Media, error) {
	ext := strings.ToLower(filepath.Ext(path))
	data, err := os.ReadFile(path)
	if err != nil {
		return passerelle.Media{}, err
	}
	if len(data) == 0 {
		return passerelle.Media{}, errors.New("the file is empty")
	}
	switch {
	case kind == pictogram && ext == ".svg":
		if err := decodeSVG(data); err != nil {
			return passerelle.Media{}, err
		}
		return passerelle.Media{Path: path, Data: data}, nil
	case kind == pictogram && ext == ".png":
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			return passerelle.Media{}, fmt.Errorf("not a readable PNG image (%v)", err)
		}
		return passerelle.Media{Path: path, Data: data}, nil
	case kind == recording && (ext == ".wav" || ext == ".ogg" || ext == ".mp3"):
		d, err := decodeAudio(data, ext)
		if err != nil {
			return passerelle.Media{}, err
		}
		return passerelle.Media{Path: path, Duration: d}, nil
	case kind == pictogram:
		return passerelle.Media{}, fmt.Errorf("a pictogram must be %s", strings.Join(pictogramExts, " or "))
	default:
		return passerelle.Media{}, fmt.Errorf("a recording must be %s", strings.Join(recordingExts, ", "))
	}
}

// decodeSVG parses the file with the SVG reader Fyne draws pictograms with,
// in strict mode, so a pictogram that passes here is one the kiosk can draw.
func decodeSVG(data []byte) (err error) {
	defer func() {
		// The SVG reader is third-party code fed with staff files: a bug in
		// it must become a problem line, not a crashed kiosk.
		if r := recover(); r != nil {
			err = fmt.Errorf("not a readable SVG image (%v)", r)
		}
	}()
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.StrictErrorMode)
	if err != nil {
		return fmt.Errorf("not a readable SVG image (%v)", err)
	}
	if icon.ViewBox.W <= 0 || icon.ViewBox.H <= 0 {
		return errors.New("the SVG image has no size: give it a viewBox")
	}
	return nil
}

// decodeAudio decodes every sample, so a truncated or corrupt recording is
// found now and not when a user is waiting for it.
func decodeAudio(data []byte, ext string) (_ time.Duration, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not a readable %s recording (%v)", strings.TrimPrefix(ext, "."), r)
		}
	}()
	rc := io.NopCloser(bytes.NewReader(data))
	var (
		s      beep.StreamSeekCloser
		format beep.Format
	)
	switch ext {
	case ".wav":
		s, format, err = wav.Decode(rc)
	case ".ogg":
		s, format, err = vorbis.Decode(rc)
	case ".mp3":
		s, format, err = mp3.Decode(rc)
	}
	if err != nil {
		return 0, fmt.Errorf("not a readable %s recording (%v)", strings.TrimPrefix(ext, "."), err)
	}
	defer s.Close()
	var buf [512][2]float64
	samples := 0
	for {
		n, ok := s.Stream(buf[:])
		samples += n
		if !ok {
			break
		}
	}
	if err := s.Err(); err != nil {
		return 0, fmt.Errorf("the recording is damaged after %s (%v)", format.SampleRate.D(samples).Round(time.Millisecond), err)
	}
	if samples == 0 {
		return 0, errors.New("the recording has no sound in it")
	}
	return format.SampleRate.D(samples), nil
}
