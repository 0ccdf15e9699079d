package ui

import (
	"fmt"
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"
)

// QR codes are drawn for cheap phones: their cameras read a code of up to
// about 69 modules a side (version 13) from a screen at arm's length, if
// each module is a few clear pixels (the end screen gives it 300 pixels
// and more from 1024×768 up). The summary is cut to fit (see
// summaryFor), and the code is drawn with whole pixels per module and the
// quiet border of 4 modules the standard asks for.
const (
	maxQRVersion = 13
	qrQuiet      = 4
)

// qrLevel is the error correction. L (7% of the code may be unreadable)
// is enough for a code on a clean screen, and leaves the most room for
// the text: a smaller code has bigger modules, which cheap cameras need
// more than correction.
const qrLevel = qrcode.Low

// QRCode shows a text as a QR code, as big as its space allows.
type QRCode struct {
	widget.BaseWidget

	// Text is what the code carries.
	Text string

	modules [][]bool // true is black, without the quiet border
}

// newQRCode encodes text; it fails when the text does not fit a code a
// cheap phone reads.
func newQRCode(text string) (*QRCode, error) {
	code, err := encodeQR(text)
	if err != nil {
		return nil, err
	}
	q := &QRCode{Text: text, modules: code}
	q.ExtendBaseWidget(q)
	return q, nil
}

// encodeQR encodes text at qrLevel, refusing codes bigger than
// maxQRVersion. The encoder picks the mask that avoids patterns a camera
// could take for the code's corners, as the standard asks.
func encodeQR(text string) ([][]bool, error) {
	code, err := qrcode.New(text, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("encode a QR code of %d bytes: %w", len(text), err)
	}
	if code.VersionNumber > maxQRVersion {
		return nil, fmt.Errorf("encode a QR code of %d bytes: version %d, more than the %d a cheap phone reads", len(text), code.VersionNumber, maxQRVersion)
	}
	code.DisableBorder = true // drawn by Image, at a whole number of pixels
	return code.Bitmap(), nil
}

// Modules is the number of modules on a side of the code, without its
// quiet border.
func (q *QRCode) Modules() int { return len(q.modules) }

// Image draws the code in a w×h image: white, the code centred, each
// module a whole number of pixels so its edges stay sharp.
func (q *QRCode) Image(w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, max(w, 1), max(h, 1)))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	size := len(q.modules)
	n := size + 2*qrQuiet
	scale := min(w, h) / n
	if scale < 1 {
		return img // too small to be read: white rather than a blur
	}
	x0 := (w-scale*n)/2 + qrQuiet*scale
	y0 := (h-scale*n)/2 + qrQuiet*scale
	for y, row := range q.modules {
		for x, black := range row {
			if !black {
				continue
			}
			for dy := range scale {
				line := img.Pix[(y0+y*scale+dy)*img.Stride:]
				for dx := range scale {
					line[x0+x*scale+dx] = 0
				}
			}
		}
	}
	return img
}

// CreateRenderer is part of fyne.Widget.
func (q *QRCode) CreateRenderer() fyne.WidgetRenderer {
	q.ExtendBaseWidget(q)
	r := canvas.NewRaster(q.Image)
	r.ScaleMode = canvas.ImageScalePixels
	back := canvas.NewRectangle(color.White)
	return &qrRenderer{q: q, raster: r, back: back}
}

type qrRenderer struct {
	q      *QRCode
	raster *canvas.Raster
	back   *canvas.Rectangle
}

func (r *qrRenderer) Layout(size fyne.Size) {
	r.back.Resize(size)
	r.raster.Resize(size)
}

func (r *qrRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(tileFloor) }

func (r *qrRenderer) Refresh() { r.raster.Refresh() }

func (r *qrRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.back, r.raster} }

func (r *qrRenderer) Destroy() {}
