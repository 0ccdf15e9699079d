package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Tile is a big touchable pictogram with a short label under it: a choice,
// a document, a language, a key or a control of the bottom bar. Fyne calls
// Tapped when the finger is lifted on the tile, so a finger that slips off
// before lifting cancels the touch.
type Tile struct {
	widget.BaseWidget

	ID       string // what the tile stands for: option id, language code, key...
	Label    string
	OnTapped func()

	picture  []byte
	primary  bool // the "continue" control: a green frame
	selected bool
	ticked   bool
	disabled bool
	minSide  float32
	// labelSize is the label's text size; 0 is the caption size. A tile
	// without a pictogram (a keypad digit) shows its label in the middle.
	labelSize float32
}

// NewTile returns a tile showing the pictogram with label under it.
func NewTile(id, label string, pictogram []byte, tapped func()) *Tile {
	t := &Tile{ID: id, Label: label, picture: pictogram, OnTapped: tapped, minSide: MinTarget}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped runs the tile's action unless it is disabled.
func (t *Tile) Tapped(*fyne.PointEvent) {
	if t.disabled || t.OnTapped == nil {
		return
	}
	t.OnTapped()
}

// Selected reports whether the tile is highlighted as the current choice.
func (t *Tile) Selected() bool { return t.selected }

// SetSelected highlights the tile or not.
func (t *Tile) SetSelected(on bool) {
	if t.selected != on {
		t.selected = on
		t.Refresh()
	}
}

// Ticked reports whether a checklist tile is ticked.
func (t *Tile) Ticked() bool { return t.ticked }

// SetTicked shows or hides the tick of a checklist tile.
func (t *Tile) SetTicked(on bool) {
	if t.ticked != on {
		t.ticked = on
		t.Refresh()
	}
}

// Disabled reports whether the tile ignores touches.
func (t *Tile) Disabled() bool { return t.disabled }

// Enable lets the tile be touched.
func (t *Tile) Enable() { t.setDisabled(false) }

// Disable greys the tile out; touches do nothing.
func (t *Tile) Disable() { t.setDisabled(true) }

func (t *Tile) setDisabled(on bool) {
	if t.disabled != on {
		t.disabled = on
		t.Refresh()
	}
}

// CreateRenderer is part of fyne.Widget.
func (t *Tile) CreateRenderer() fyne.WidgetRenderer {
	t.ExtendBaseWidget(t)
	r := &tileRenderer{
		tile:  t,
		frame: canvas.NewRectangle(colorBackground),
		label: canvas.NewText(t.Label, colorForeground),
		tick:  picture(uiIcon("check-tick")),
	}
	if len(t.picture) > 0 {
		r.pic = picture(t.picture)
	}
	r.frame.CornerRadius = 18
	r.label.Alignment = fyne.TextAlignCenter
	r.label.TextSize = theme.CaptionTextSize()
	if t.labelSize > 0 {
		r.label.TextSize = t.labelSize
	}
	r.refreshState()
	return r
}

type tileRenderer struct {
	tile  *Tile
	frame *canvas.Rectangle
	pic   *canvas.Raster
	label *canvas.Text
	tick  *canvas.Raster
}

func (r *tileRenderer) Layout(size fyne.Size) {
	r.frame.Resize(size)
	pad := theme.InnerPadding()
	labelH := float32(0)
	if r.label.Text != "" {
		labelH = r.label.MinSize().Height
		y := size.Height - labelH - pad/2
		if r.pic == nil {
			y = (size.Height - labelH) / 2
		}
		r.label.Move(fyne.NewPos(pad/2, y))
		r.label.Resize(fyne.NewSize(size.Width-pad, labelH))
	}
	if r.pic != nil {
		side := min(size.Width-2*pad, size.Height-labelH-2*pad)
		side = max(side, 0)
		r.pic.Move(fyne.NewPos((size.Width-side)/2, pad))
		r.pic.Resize(fyne.NewSquareSize(side))
	}
	tick := min(size.Width, size.Height) / 3
	r.tick.Move(fyne.NewPos(size.Width-tick-pad/2, pad/2))
	r.tick.Resize(fyne.NewSquareSize(tick))
}

func (r *tileRenderer) MinSize() fyne.Size {
	side := r.tile.minSide
	w := max(side, r.label.MinSize().Width+theme.InnerPadding())
	return fyne.NewSize(w, side)
}

func (r *tileRenderer) Refresh() {
	r.label.Text = r.tile.Label
	r.refreshState()
	r.frame.Refresh()
	r.label.Refresh()
	if r.pic != nil {
		r.pic.Refresh()
	}
	r.tick.Refresh()
}

func (r *tileRenderer) refreshState() {
	t := r.tile
	r.frame.FillColor = colorBackground
	r.frame.StrokeColor = colorTileBorder
	r.frame.StrokeWidth = 3
	r.label.Color = colorForeground
	r.label.TextStyle = fyne.TextStyle{}
	switch {
	case t.disabled:
		r.frame.StrokeColor = color.NRGBA{0xBB, 0xBB, 0xBB, 0xFF}
		r.label.Color = colorDisabled
	case t.selected:
		r.frame.FillColor = colorSelected
		r.frame.StrokeColor = colorPrimary
		r.frame.StrokeWidth = 10
		r.label.TextStyle = fyne.TextStyle{Bold: true}
	case t.primary:
		r.frame.StrokeColor = colorGo
		r.frame.StrokeWidth = 8
		r.label.TextStyle = fyne.TextStyle{Bold: true}
	}
	if r.pic != nil {
		r.pic.Translucency = 0
		if t.disabled {
			r.pic.Translucency = 0.75 // greyed out, still recognisable
		}
	}
	if t.ticked {
		r.tick.Show()
	} else {
		r.tick.Hide()
	}
}

func (r *tileRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.frame}
	if r.pic != nil {
		objs = append(objs, r.pic)
	}
	return append(objs, r.label, r.tick)
}

func (r *tileRenderer) Destroy() {}
