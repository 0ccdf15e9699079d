package procedure

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
)

// mediaCache remembers files already decoded, keyed by path and stamp
// (size, times, identity: a same-size edit with its time put back is seen
// by its change time), so that a reload after a one-line edit does not decode
// every recording of the catalog again. A file being decoded is decoded
// once: the procedures read at the same time that use it wait for it.
type mediaCache struct {
	mu sync.Mutex
	m  map[string]*cachedMedia
}

type cachedMedia struct {
	stamp stamp
	done  chan struct{} // closed once media and err are set
	media passerelle.Media
	err   error
}

// decode reads and fully decodes a pictogram or an audio file. The error is
// a plain sentence for staff.
func (c *mediaCache) decode(path string, info os.FileInfo, kind mediaKind) (passerelle.Media, error) {
	if info.IsDir() {
		return passerelle.Media{}, errors.New("is a folder, not a file")
	}
	c.mu.Lock()
	hit, ok := c.m[path]
	now := stampOf(path, info, nil)
	if ok && hit.stamp == now {
		c.mu.Unlock()
		<-hit.done
		return hit.media, hit.err
	}
	if c.m == nil {
		c.m = make(map[string]*cachedMedia)
	}
	// Until decoded, the file is not usable: so it stays if decoding panics.
	entry := &cachedMedia{stamp: now, done: make(chan struct{}),
		err: errors.New("it could not be decoded")}
	c.m[path] = entry
	c.mu.Unlock()
	defer close(entry.done) // even if decoding panics: no one waits forever
	entry.media, entry.err = decodeMedia(path, info.Size(), kind)
	return entry.media, entry.err
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
		if what := imageKind(ext); what != "" {
			return passerelle.Media{}, fmt.Errorf("it is %s; a pictogram must be %s: %s", what, strings.Join(pictogramExts, " or "), convertImage(path, ext))
		}
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
	// Staff rename files: what the bytes are says what to do with them.
	if real := sniffImage(data); real != "" && real != ext {
		if real == ".svg" || real == ".png" {
			return passerelle.Media{}, fmt.Errorf("it is %s named %s: rename it to %s", imageKind(real), ext,
				strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+real)
		}
		return passerelle.Media{}, fmt.Errorf("it is %s named %s; a pictogram must be %s: %s", imageKind(real), ext,
			strings.Join(pictogramExts, " or "), convertImage(path, real))
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

// sniffImage names the kind of image data is by its extension, from its
// first bytes; "" when it is none the kiosk knows.
func sniffImage(data []byte) string {
	head := string(data[:min(len(data), 512)])
	switch {
	case strings.HasPrefix(head, "\x89PNG"):
		return ".png"
	case strings.HasPrefix(head, "\xff\xd8\xff"):
		return ".jpg"
	case strings.HasPrefix(head, "GIF8"):
		return ".gif"
	case strings.HasPrefix(head, "RIFF") && len(head) >= 12 && head[8:12] == "WEBP":
		return ".webp"
	case strings.HasPrefix(head, "BM"):
		return ".bmp"
	case strings.HasPrefix(head, "\x1f\x8b"):
		return ".svgz"
	case strings.HasPrefix(head, "%PDF"):
		return ".pdf"
	case len(head) >= 12 && head[4:8] == "ftyp" && strings.Contains("heic heix mif1 avif", head[8:12]):
		return ".heic" // as iPhones take photos
	case strings.Contains(head, "<svg"):
		return ".svg"
	}
	return ""
}

// imageKind names an image format for staff, by its extension.
func imageKind(ext string) string {
	return map[string]string{
		".png": "a PNG image", ".svg": "an SVG image",
		".jpg": "a JPEG photo", ".jpeg": "a JPEG photo", ".gif": "a GIF image",
		".webp": "a WebP image", ".bmp": "a BMP image", ".svgz": "a compressed SVG image (SVGZ)",
		".pdf": "a PDF document", ".heic": "an HEIC or AVIF photo",
	}[ext]
}

// convertImage tells staff how to turn the image at path into a pictogram,
// with file names, not full paths, to keep the problem line short enough to
// be read whole.
func convertImage(path, ext string) string {
	in := audio.ShellQuote(filepath.Base(path))
	switch ext {
	case ".svgz":
		return fmt.Sprintf("to uncompress it, in its folder, run: gunzip -c %s > %s", in, audio.ShellQuote(audio.ConvertedName(path, ".svg")))
	case ".pdf":
		return "export the drawing as SVG from the program that made it"
	case ".heic": // ffmpeg 5 cannot read these
		return "open it in a photo editor and save it as PNG"
	}
	return fmt.Sprintf("to convert it, in its folder, run: ffmpeg -i %s %s", in, audio.ShellQuote(audio.ConvertedName(path, ".png")))
}

// decodeSVG parses the file as the kiosk's Fyne widgets do (oksvg, which
// skips what it does not know: Inkscape's and Illustrator's own elements,
// metadata), then draws it small, as they would: a pictogram that passes
// here is one the kiosk draws, and one that draws nothing (text not turned
// into paths, a photo inside an SVG) is refused, not shown blank.
func decodeSVG(data []byte) (err error) {
	defer func() {
		// The SVG reader is third-party code fed with staff files: a bug in
		// it must become a problem line, not a crashed kiosk.
		if r := recover(); r != nil {
			err = fmt.Errorf("not a readable SVG image (%v)", r)
		}
	}()
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data))
	switch {
	case err != nil && strings.Contains(err.Error(), "entity"):
		return fmt.Errorf("the SVG image uses XML entities, which the kiosk cannot read (%v): export it again without a DTD (Illustrator: SVG 1.1, no 'Preserve Illustrator Editing')", err)
	case err != nil && strings.Contains(err.Error(), "ParseFloat"):
		return fmt.Errorf("the SVG image has a number the kiosk cannot read (%v): give it a viewBox and sizes without %% or units", err)
	case err != nil:
		return fmt.Errorf("not a readable SVG image (%v)", err)
	}
	if icon.ViewBox.W <= 0 || icon.ViewBox.H <= 0 {
		return errors.New("the SVG image has no size: give it a viewBox")
	}
	if !drawsSomething(icon) {
		return errors.New("the SVG image draws nothing the kiosk can show: its text must be turned into paths (Inkscape: Path > Object to Path), a picture inside it is not drawn, and its shapes must lie inside its viewBox")
	}
	return nil
}

// drawSide is the size, in pixels, of the test drawing of an SVG pictogram.
const drawSide = 64

// drawsSomething draws icon as Fyne does and says whether a pixel was
// painted. It draws on premultiplied RGBA, where Fyne draws on NRGBA: the
// same pixels are painted (a pixel's alpha is the same in both), and the
// rasterizer has a fast path for RGBA that it has not for NRGBA, which
// made this test 85 % of the time a catalog took to load. Every shape is
// still traced, as Fyne would (a shape the drawing code cannot trace must
// be found here, not on the kiosk's screen), but once a pixel is painted
// the shapes after it are not laid on the image any more: painting over a
// painted pixel never makes it transparent again, and laying each shape
// over all the image's pixels was half the CPU time of loading the
// shipped catalog.
func drawsSomething(icon *oksvg.SvgIcon) bool {
	img := image.NewRGBA(image.Rect(0, 0, drawSide, drawSide))
	icon.SetTarget(0, 0, drawSide, drawSide)
	scanner := &paintCheck{ScannerGV: rasterx.NewScannerGV(drawSide, drawSide, img, img.Bounds()), img: img}
	icon.Draw(rasterx.NewDasher(drawSide, drawSide, scanner), 1)
	return scanner.painted
}

// paintCheck is the rasterizer's scanner, which lays each traced shape
// on img until one paints a pixel.
type paintCheck struct {
	*rasterx.ScannerGV
	img     *image.RGBA
	painted bool
}

func (p *paintCheck) Draw() {
	if p.painted {
		return
	}
	p.ScannerGV.Draw()
	for i := 3; i < len(p.img.Pix); i += 4 {
		if p.img.Pix[i] != 0 {
			p.painted = true
			return
		}
	}
}
