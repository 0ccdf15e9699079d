package ui

import (
	"bytes"
	"container/list"
	"hash/fnv"
	"image"
	"image/draw"
	_ "image/png" // PNG pictograms
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
	xdraw "golang.org/x/image/draw"
	"passerelle/assets"
)

// picture returns a canvas object drawing a pictogram (SVG or PNG bytes)
// as large as its space allows. SVGs are rasterised here rather than by
// canvas.Image because oksvg keeps stroke widths in viewBox units whatever
// the output size: a pictogram drawn 250 px wide would get the thin lines
// of a 96 px one.
func picture(data []byte) *canvas.Raster {
	key := hashOf(data)
	r := canvas.NewRaster(func(w, h int) image.Image { return rasterise(key, data, w, h) })
	r.ScaleMode = canvas.ImageScaleSmooth
	return r
}

type rasterKey struct {
	data uint64
	w, h int
}

// rasterCacheBytes bounds the drawn pictograms kept: the bottom bar's and
// a few screens' (1 to 4 MB a screen, from 1024×768 to full HD), enough
// for going back, and for the screen under "are you still there?". A
// drawn pictogram is w×h×4 bytes (260 KB at 256 px); kept up to 2000 of
// them, they were most of what the Go heap kept after 10 walks
// (packaging/bench/walks.sh), and a catalog of 500 procedures would have
// kept gigabytes. One no longer kept is drawn again in about 3 ms
// (BenchmarkDrawPictogram), as at its first showing.
const rasterCacheBytes = 16 << 20

// rasters caches drawn pictograms, the least recently used dropped first:
// the same few (the bar's controls) appear on every screen, and a tile
// highlighted is drawn again at the same size.
var rasters = newRasterCache(rasterCacheBytes)

type rasterCache struct {
	mu    sync.Mutex
	limit int
	bytes int
	order *list.List // of *rasterEntry, the most recently used first
	m     map[rasterKey]*list.Element
}

type rasterEntry struct {
	key rasterKey
	img *image.RGBA
}

func newRasterCache(limit int) *rasterCache {
	return &rasterCache{limit: limit, order: list.New(), m: map[rasterKey]*list.Element{}}
}

func (c *rasterCache) get(k rasterKey) (*image.RGBA, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*rasterEntry).img, true
}

func (c *rasterCache) put(k rasterKey, img *image.RGBA) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return // drawn twice at once: keep the first
	}
	c.m[k] = c.order.PushFront(&rasterEntry{k, img})
	c.bytes += len(img.Pix)
	for c.bytes > c.limit && c.order.Len() > 1 {
		old := c.order.Remove(c.order.Back()).(*rasterEntry)
		delete(c.m, old.key)
		c.bytes -= len(old.img.Pix)
	}
}

// rasterise returns the pictogram drawn at w×h pixels. It is premultiplied
// RGBA, the form Fyne's GL painter uploads as it is: any other it copies
// into a new RGBA image at every upload, on the UI goroutine.
func rasterise(key uint64, data []byte, w, h int) image.Image {
	if w <= 0 || h <= 0 {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	k := rasterKey{key, w, h}
	if img, ok := rasters.get(k); ok {
		return img
	}
	img := drawPictogram(data, w, h)
	rasters.put(k, img)
	return img
}

// drawPictogram draws SVG or PNG bytes centred in a w×h image, on RGBA:
// the rasteriser's fast path, and what the GL painter takes.
func drawPictogram(data []byte, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if bytes.HasPrefix(data, []byte("\x89PNG")) {
		src, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return dst
		}
		sb := src.Bounds()
		scale := min(float64(w)/float64(sb.Dx()), float64(h)/float64(sb.Dy()))
		dw, dh := int(float64(sb.Dx())*scale), int(float64(sb.Dy())*scale)
		at := image.Rect((w-dw)/2, (h-dh)/2, (w-dw)/2+dw, (h-dh)/2+dh)
		xdraw.CatmullRom.Scale(dst, at, src, sb, draw.Over, nil)
		return dst
	}
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data))
	if err != nil || icon.ViewBox.W <= 0 || icon.ViewBox.H <= 0 {
		return dst // the validator rejects such files; draw nothing rather than crash
	}
	scale := min(float64(w)/icon.ViewBox.W, float64(h)/icon.ViewBox.H)
	iw, ih := icon.ViewBox.W*scale, icon.ViewBox.H*scale
	icon.SetTarget((float64(w)-iw)/2, (float64(h)-ih)/2, iw, ih)
	for i := range icon.SVGPaths {
		icon.SVGPaths[i].LineWidth *= scale
	}
	scanner := rasterx.NewScannerGV(w, h, dst, dst.Bounds())
	icon.Draw(rasterx.NewDasher(w, h, scanner), 1)
	return dst
}

// freeTextures has the GL painter free, at its next frame, the textures
// of a screen that left the window: Fyne frees those of objects no longer
// drawn only after a minute, and on a kiosk without a graphics card (Mesa
// draws in memory) a minute of walking kept tens of megabytes of
// pictograms the person will not see again (packaging/bench/walks.sh). A screen shown
// again (the one under "are you still there?") is drawn anew, its
// pictograms from rasters.
func freeTextures(c fyne.Canvas, gone fyne.CanvasObject) {
	c.Refresh(gone) // the painter frees a refreshed object's textures, and its children's
}

func hashOf(data []byte) uint64 {
	h := fnv.New64a()
	h.Write(data)
	return h.Sum64()
}

// uiIcon returns the pictogram of one of the kiosk's own controls.
func uiIcon(name string) []byte { return assets.UI(name) }
