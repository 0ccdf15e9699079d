package procedure

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fyne-io/oksvg"

	"passerelle/app/audio"
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
	media, err := decodeMedia(path, info.Size(), kind)
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

var pictogramExts = []string{".svg", ".png"}

const (
	// maxPictogramBytes is the largest pictogram file read: a drawing for a
	// big button needs far less, and a photo dropped in by mistake is
	// refused before it is decoded.
	maxPictogramBytes = 2 << 20
	// maxPictogramSide is the largest width or height of a PNG pictogram, in
	// pixels, checked from its header before it is decoded: a small file
	// can announce an image big enough to exhaust the memory.
	maxPictogramSide = 4096
)

// decodeMedia checks a file as the kiosk will use it. Recordings go through
// audio.Check, which decodes with the very code the kiosk plays with: what
// passes here is what plays.
func decodeMedia(path string, size int64, kind mediaKind) (passerelle.Media, error) {
	if kind == recording {
		info, err := audio.Check(path)
		if err != nil {
			return passerelle.Media{}, err
		}
		return passerelle.Media{Path: path, Duration: info.Duration}, nil
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".svg" && ext != ".png" {
		return passerelle.Media{}, fmt.Errorf("a pictogram must be %s", strings.Join(pictogramExts, " or "))
	}
	if size > maxPictogramBytes {
		return passerelle.Media{}, fmt.Errorf("the image is %.1f MB; a pictogram may be at most %d MB: save it smaller (about 512 × 512 pixels is plenty)",
			float64(size)/(1<<20), maxPictogramBytes>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return passerelle.Media{}, err
	}
	if len(data) == 0 {
		return passerelle.Media{}, errors.New("the file is empty")
	}
	if ext == ".svg" {
		if err := decodeSVG(data); err != nil {
			return passerelle.Media{}, err
		}
		return passerelle.Media{Path: path, Data: data}, nil
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return passerelle.Media{}, fmt.Errorf("not a readable PNG image (%v)", err)
	}
	if cfg.Width > maxPictogramSide || cfg.Height > maxPictogramSide {
		return passerelle.Media{}, fmt.Errorf("the image is %d × %d pixels; a pictogram may be at most %d × %d: save it smaller (about 512 × 512 pixels is plenty)",
			cfg.Width, cfg.Height, maxPictogramSide, maxPictogramSide)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		return passerelle.Media{}, fmt.Errorf("not a readable PNG image (%v)", err)
	}
	return passerelle.Media{Path: path, Data: data}, nil
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
