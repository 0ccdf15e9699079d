package ui

import (
	"image"
	"testing"
)

// The drawn pictograms kept stay under their bound in bytes whatever the
// sizes asked, and the one used last is the one kept: a day of walks
// through a large catalog must not keep every pictogram at every size.
func TestRasterCacheKeepsTheRecentUnderItsBound(t *testing.T) {
	home, next := uiIcon("home"), uiIcon("next")
	const side = 100 // 40,000 bytes a drawing
	tests := []struct {
		name  string
		limit int
		// draw: the pictograms asked, in order, at side×side.
		draw [][]byte
		// kept: those still drawn after, as the same image.
		kept, dropped [][]byte
	}{
		{"room for both", 2 * side * side * 4, [][]byte{home, next}, [][]byte{home, next}, nil},
		{"room for one: the last", side * side * 4, [][]byte{home, next}, [][]byte{next}, [][]byte{home}},
		{"used again: kept over the newer", 2 * side * side * 4, [][]byte{home, next, home, uiIcon("help")}, [][]byte{home}, [][]byte{next}},
		{"one larger than the bound: kept alone", 100, [][]byte{home, next}, [][]byte{next}, [][]byte{home}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := rasters
			rasters = newRasterCache(tt.limit)
			t.Cleanup(func() { rasters = saved })
			drawn := map[uint64]image.Image{}
			for _, data := range tt.draw {
				drawn[hashOf(data)] = rasterise(hashOf(data), data, side, side)
			}
			if rasters.bytes > max(tt.limit, side*side*4) {
				t.Errorf("%d bytes kept, bound %d", rasters.bytes, tt.limit)
			}
			for _, data := range tt.kept {
				if got := rasterise(hashOf(data), data, side, side); got != drawn[hashOf(data)] {
					t.Errorf("a pictogram used last was drawn again")
				}
			}
			for _, data := range tt.dropped {
				if _, ok := rasters.get(rasterKey{hashOf(data), side, side}); ok {
					t.Errorf("the pictogram used least recently is still kept")
				}
			}
		})
	}
}

// A pictogram is drawn premultiplied, the form the GL painter uploads
// without a copy, and with the same colours as before: an opaque pixel of
// the drawing is the pictogram's own colour.
func TestPictogramIsDrawnOnPremultipliedRGBA(t *testing.T) {
	img, ok := rasterise(hashOf(uiIcon("home")), uiIcon("home"), 64, 64).(*image.RGBA)
	if !ok {
		t.Fatalf("drawn as %T, want *image.RGBA", img)
	}
	opaque := 0
	for i := 0; i < len(img.Pix); i += 4 {
		r, g, b, a := img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]
		if r > a || g > a || b > a {
			t.Fatalf("pixel %d is not premultiplied: %v", i/4, img.Pix[i:i+4])
		}
		if a == 0xFF {
			opaque++
		}
	}
	if opaque == 0 {
		t.Error("nothing drawn")
	}
}

// BenchmarkDrawPictogram is what a pictogram the cache no longer holds
// costs the frame that shows it: drawn at 256 px, as a tile of 1280×800.
func BenchmarkDrawPictogram(b *testing.B) {
	data := uiIcon("touch")
	for b.Loop() {
		drawPictogram(data, 256, 256)
	}
}
