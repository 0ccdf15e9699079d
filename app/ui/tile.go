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
	touchable // touch tolerance (touch.go)

	ID       string // what the tile stands for: option id, language code, key...
	Label    string
	OnTapped func()

	picture []byte
	primary bool // the "continue" control: a green frame
	// choosable: the tile is highlighted when touched, its label bold,
	// which takes more width (see fitness).
	choosable bool
	selected  bool
	ticked    bool
	disabled  bool
	focused   bool // the keys' focus ring is on it (focus.go)
	// minSide is the smallest side the tile accepts; layouts make it
	// bigger whenever the screen allows.
	minSide float32
	// labelShare is the part of the height the label may take under the
	// pictogram; 0 is the default, 0.35.
	labelShare float32
	// labelSize is the label's text size; 0 is the caption size. A tile
	// without a pictogram (a keypad digit) shows its label in the middle.
	labelSize float32
}

// NewTile returns a tile showing the pictogram with label under it.
func NewTile(id, label string, pictogram []byte, tapped func()) *Tile {
	t := &Tile{ID: id, Label: label, picture: pictogram, OnTapped: tapped, minSide: tileFloor}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped is a touch: the tile acts unless touch tolerance ignores it.
func (t *Tile) Tapped(*fyne.PointEvent) {
	if t.takesTouch() {
		t.act()
	}
}

// act runs the tile's action unless it is disabled: a touch taken, a key
// or the switch.
func (t *Tile) act() {
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
		tick:  picture(uiIcon("check-tick")),
		ring:  newFocusRing(),
	}
	if len(t.picture) > 0 {
		r.pic = picture(t.picture)
	}
	r.frame.CornerRadius = 18
	r.label = textBlock{text: t.Label, max: labelSize(), floor: textFloor(), align: fyne.TextAlignCenter, wrap: true}
	if t.labelSize > 0 {
		r.label.max = max(t.labelSize, r.label.floor)
	}
	r.refreshState()
	return r
}

// A tile's label is never under textFloor: a tile with a pictogram too
// small for it hides its label, the pictogram carries the meaning.

// maxLabelShare is the most of a tile's height a long label takes: the
// pictogram keeps 40%, still recognisable.
const maxLabelShare = 0.65

// barLabelShare is the most a label takes on a tile whose share is set
// (the bottom bar, the stop question's answers): below one line, the
// pictogram shows alone.
const barLabelShare = 0.5

type tileRenderer struct {
	tile  *Tile
	frame *canvas.Rectangle
	pic   *canvas.Raster
	label textBlock
	tick  *canvas.Raster
	ring  focusRing
}

// Layout scales everything to the tile: the label takes at most
// labelShare of the height (all of it without a pictogram), shrinking to
// fit; the pictogram takes the rest.
func (r *tileRenderer) Layout(size fyne.Size) {
	r.frame.Resize(size)
	pad := tilePad(size)
	w := max(0, size.Width-2*pad)
	if r.pic == nil {
		r.label.fit(w, max(0, size.Height-2*pad))
		r.label.place(fyne.NewPos(pad, 0), size.Height)
	} else {
		labelH := r.label.fit(w, r.tile.labelRoom(&r.label, size))
		r.label.place(fyne.NewPos(pad, size.Height-labelH-pad/2), labelH)
		side := min(size.Width-2*pad, size.Height-labelH-2*pad)
		side = max(side, 0)
		r.pic.Move(fyne.NewPos((size.Width-side)/2, pad+(size.Height-labelH-2*pad-side)/2))
		r.pic.Resize(fyne.NewSquareSize(side))
	}
	tick := min(size.Width, size.Height) / 3
	r.tick.Move(fyne.NewPos(size.Width-tick-pad/2, pad/2))
	r.tick.Resize(fyne.NewSquareSize(tick))
	r.ring.layout(size)
}

// tilePad is a tile's margin: it shrinks with the tile, so a small tile
// keeps its pictogram.
func tilePad(size fyne.Size) float32 {
	return clamp(min(size.Width, size.Height)/10, 4, theme.InnerPadding())
}

// labelRoom is the height the label of a tile with a pictogram takes: at
// most labelShare of the height, shrinking to fit; a label that needs
// more lines than its share at the smallest size allowed takes up to
// maxLabelShare: the pictogram shrinks before a word is cut. 0 when a
// readable line does not fit: the pictogram alone.
func (t *Tile) labelRoom(label *textBlock, size fyne.Size) float32 {
	if label.text == "" {
		return 0 // measuring nothing would load a font the screen may not use
	}
	pad := tilePad(size)
	share := t.labelShare
	if share == 0 {
		share = 0.35
	}
	room := (size.Height - pad) * share
	most := float32(maxLabelShare)
	if t.labelShare != 0 {
		most = max(share, barLabelShare) // the bar: pictograms alone rather than words cut
	}
	if need := label.heightAtFloor(max(0, size.Width-2*pad)); need > room {
		room = max(room, min(need, (size.Height-pad)*most))
	}
	if room < label.lineHeight() {
		return 0
	}
	return room
}

// fitness of a tile: its smallest side, and whether its label would be
// cut, in bold if it turns bold when chosen.
func (t *Tile) fitness(size fyne.Size) fitness {
	f := fitness{target: min(size.Width, size.Height)}
	if t.Label == "" {
		return f
	}
	label := textBlock{text: t.Label, max: labelSize(), floor: textFloor(), wrap: true}
	if t.choosable || t.primary {
		label.style.Bold = true
	}
	pad := tilePad(size)
	w := max(0, size.Width-2*pad)
	if len(t.picture) == 0 {
		f.cuts = boolCut(label.cutsIn(w, max(0, size.Height-2*pad)))
		return f
	}
	f.cuts = boolCut(label.cutsIn(w, t.labelRoom(&label, size)))
	return f
}

// MinSize is small: a tile scales up to the space the screen gives it,
// so that on a small screen tiles shrink before anything leaves the window.
func (r *tileRenderer) MinSize() fyne.Size {
	return fyne.NewSquareSize(r.tile.minSide)
}

// Refresh redraws what a change of state changed. A raster refreshed is
// drawn again and its texture uploaded again on the UI goroutine before
// the next frame: a tile highlighted by a touch keeps its pictogram's
// (a raster resized draws itself again).
func (r *tileRenderer) Refresh() {
	r.label.text = r.tile.Label
	var faded float64
	if r.pic != nil {
		faded = r.pic.Translucency
	}
	ticked := r.tick.Visible()
	r.refreshState()
	r.Layout(r.tile.Size())
	r.frame.Refresh()
	if r.pic != nil && r.pic.Translucency != faded {
		r.pic.Refresh()
	}
	if r.tick.Visible() != ticked {
		r.tick.Refresh()
	}
	r.ring.outer.Refresh()
	r.ring.inner.Refresh()
}

func (r *tileRenderer) refreshState() {
	t := r.tile
	r.frame.FillColor = colorBackground
	r.frame.StrokeColor = colorTileBorder
	r.frame.StrokeWidth = 3
	r.label.dirty = true
	r.label.color = colorForeground
	r.label.style = fyne.TextStyle{}
	switch {
	case t.disabled:
		r.frame.StrokeColor = color.NRGBA{0xBB, 0xBB, 0xBB, 0xFF}
		r.label.color = colorDisabled
	case t.selected:
		r.frame.FillColor = colorSelected
		r.frame.StrokeColor = colorPrimary
		r.frame.StrokeWidth = 10
		r.label.style = fyne.TextStyle{Bold: true}
	case t.primary:
		r.frame.StrokeColor = colorGo
		r.frame.StrokeWidth = 8
		r.label.style = fyne.TextStyle{Bold: true}
	}
	if r.pic != nil {
		r.pic.Translucency = 0
		if t.disabled {
			r.pic.Translucency = 0.75 // greyed out, still recognisable
		}
	}
	r.ring.show(t.focused)
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
	objs = append(objs, r.label.objects()...)
	return append(append(objs, r.tick), r.ring.objects()...)
}

func (r *tileRenderer) Destroy() {}
