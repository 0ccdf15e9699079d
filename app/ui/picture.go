package ui

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/draw"
	_ "image/png" // PNG pictograms
	"sync"

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

// rasters caches drawn pictograms: the same few appear on every screen.
var rasters = struct {
	sync.Mutex
	m map[rasterKey]image.Image
}{m: map[rasterKey]image.Image{}}

func rasterise(key uint64, data []byte, w, h int) image.Image {
	if w <= 0 || h <= 0 {
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	}
	k := rasterKey{key, w, h}
	rasters.Lock()
	img, ok := rasters.m[k]
	rasters.Unlock()
	if ok {
		return img
	}
	img = drawPictogram(data, w, h)
	rasters.Lock()
	if len(rasters.m) > 2000 { // a window resize would otherwise keep every size
		clear(rasters.m)
	}
	rasters.m[k] = img
	rasters.Unlock()
	return img
}

// drawPictogram draws SVG or PNG bytes centred in a w×h image.
func drawPictogram(data []byte, w, h int) image.Image {
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
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

func hashOf(data []byte) uint64 {
	h := fnv.New64a()
	h.Write(data)
	return h.Sum64()
}

// uiIcon returns the pictogram of one of the kiosk's own controls.
func uiIcon(name string) []byte { return assets.UI(name) }
