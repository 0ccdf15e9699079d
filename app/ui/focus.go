package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// The focus ring is two bands: black outside, yellow inside. One of the
// two stands out against any tile, white or dark, selected or not, and
// together they are unlike the blue frame of a selected tile and the
// green frame of "continue", so the focus is never taken for a choice.
var (
	colorFocusOuter = color.NRGBA{0x00, 0x00, 0x00, 0xFF}
	colorFocusInner = color.NRGBA{0xFF, 0xD5, 0x00, 0xFF}
)

// focusBand is the width of each band of the ring: 2 × 8 px is thicker
// than any frame a tile has, seen from across a room.
const focusBand = 8

// focusRing is drawn over a tile the keys have reached.
type focusRing struct {
	outer, inner *canvas.Rectangle
}

func newFocusRing() focusRing {
	r := focusRing{outer: canvas.NewRectangle(color.Transparent), inner: canvas.NewRectangle(color.Transparent)}
	r.outer.StrokeColor, r.outer.StrokeWidth, r.outer.CornerRadius = colorFocusOuter, focusBand, 18
	r.inner.StrokeColor, r.inner.StrokeWidth, r.inner.CornerRadius = colorFocusInner, focusBand, 12
	r.show(false)
	return r
}

// focusOut is how far the ring reaches beyond the tile: half the gap
// between tiles, so it covers less of the tile's own label and no
// neighbour (drawn after) covers it.
const focusOut = 5

// layout places the ring around a tile of the given size.
func (r focusRing) layout(size fyne.Size) {
	r.outer.Move(fyne.NewPos(-focusOut, -focusOut))
	r.outer.Resize(fyne.NewSize(size.Width+2*focusOut, size.Height+2*focusOut))
	in := float32(focusBand - focusOut)
	r.inner.Move(fyne.NewPos(in, in))
	r.inner.Resize(fyne.NewSize(max(0, size.Width-2*in), max(0, size.Height-2*in)))
}

func (r focusRing) show(on bool) {
	for _, b := range []*canvas.Rectangle{r.outer, r.inner} {
		if on {
			b.Show()
		} else {
			b.Hide()
		}
	}
}

func (r focusRing) objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.outer, r.inner} }

// focusable is what the keys' ring can be on: a tile, a help place's card.
type focusable interface {
	fyne.Tappable
	act() // what a key or the switch does: never ignored as a touch may be
	Disabled() bool
	Focused() bool
	setFocused(bool)
}

// Focused reports whether the keys' focus ring is on the tile.
func (t *Tile) Focused() bool { return t.focused }

func (t *Tile) setFocused(on bool) {
	if t.focused != on {
		t.focused = on
		t.Refresh()
	}
}

// Focused reports whether the keys' focus ring is on the card.
func (c *PlaceCard) Focused() bool { return c.focused }

// Disabled is false: a card can always be touched, to hear it again.
func (c *PlaceCard) Disabled() bool { return false }

func (c *PlaceCard) setFocused(on bool) {
	if c.focused != on {
		c.focused = on
		c.Refresh()
	}
}
