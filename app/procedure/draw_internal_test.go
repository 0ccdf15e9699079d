package procedure

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

// drawsSomethingFully is what drawsSomething was: every shape laid on the
// image, then the image looked at.
func drawsSomethingFully(icon *oksvg.SvgIcon) bool {
	img := image.NewRGBA(image.Rect(0, 0, drawSide, drawSide))
	icon.SetTarget(0, 0, drawSide, drawSide)
	scanner := rasterx.NewScannerGV(drawSide, drawSide, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(drawSide, drawSide, scanner), 1)
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 0 {
			return true
		}
	}
	return false
}

// TestDrawsSomethingAsAFullDrawing: drawsSomething, which stops laying
// shapes on the image once a pixel is painted, answers as the full drawing
// does, on every shipped pictogram and on drawings whose first shapes paint
// nothing. FuzzDecodeSVG compares the two on more.
func TestDrawsSomethingAsAFullDrawing(t *testing.T) {
	const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">`
	cases := map[string]string{
		"nothing, then a square":          head + `<rect width="40" height="40" fill="none"/><rect width="40" height="40" fill="red"/></svg>`,
		"transparent, then a line":        head + `<rect width="40" height="40" fill-opacity="0"/><path d="M10 10L90 90" stroke="black" stroke-width="2" fill="none"/></svg>`,
		"outside the viewBox, then a dot": head + `<rect x="200" y="200" width="40" height="40"/><circle cx="50" cy="50" r="1"/></svg>`,
		"only outside the viewBox":        head + `<rect x="200" y="200" width="40" height="40"/><rect x="-90" width="40" height="40"/></svg>`,
		"only transparent shapes":         head + `<rect width="40" height="40" fill="none"/><circle cx="50" cy="50" r="20" opacity="0"/></svg>`,
		"a gradient":                      head + `<defs><linearGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#000"/></linearGradient></defs><rect width="100" height="100" fill="url(#g)"/></svg>`,
		"a shape too small to paint":      head + `<rect x="50" y="50" width="0.001" height="0.001"/></svg>`,
	}
	for _, d := range []string{"../../data/procedures/pictograms", "testdata/catalog/pictograms", "testdata/catalog/demo"} {
		files, _ := filepath.Glob(filepath.Join(d, "*.svg"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cases[f] = string(data)
		}
	}
	if len(cases) < 50 {
		t.Fatalf("only %d drawings to compare: the shipped pictograms are missing", len(cases))
	}
	for name, svg := range cases {
		checkDrawsSomething(t, name, []byte(svg))
	}
}

func checkDrawsSomething(t *testing.T, name string, data []byte) {
	t.Helper()
	answer := func(draw func(*oksvg.SvgIcon) bool) (painted, panicked bool) {
		defer func() {
			if recover() != nil {
				panicked = true
			}
		}()
		icon, err := oksvg.ReadIconStream(bytes.NewReader(data))
		if err != nil {
			return false, false
		}
		return draw(icon), false
	}
	got, gotPanic := answer(drawsSomething)
	want, wantPanic := answer(drawsSomethingFully)
	if got != want || gotPanic != wantPanic {
		t.Errorf("%s: drawsSomething says painted %v (panic %v); the full drawing says %v (panic %v)", name, got, gotPanic, want, wantPanic)
	}
}
