package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/passerelle"
)

// Digits shows a number being typed as a row of boxes, one per character
// the number may have, each holding a typed character or empty. A person
// who cannot read counts the empty boxes to see what is left; the box
// the next character goes in has a thick blue frame. Boxes past the
// shortest valid length have a thin grey frame: they may stay empty.
type Digits struct {
	widget.BaseWidget

	typed    string
	min, max int
	groups   []int // sizes of the groups of boxes, in reading order
	state    digitsState
}

type digitsState int

const (
	digitsTyping     digitsState = iota
	digitsIncomplete             // the empty boxes that must be filled turn red
	digitsWrong                  // complete but not right: every box turns red
)

// newDigits returns the boxes of a number that rule accepts. A NIR is
// grouped as printed on the carte Vitale (1 84 06 75 123 456 78); other
// numbers in threes.
func newDigits(rule *passerelle.NumberRule) *Digits {
	d := &Digits{min: rule.Min, max: rule.Max}
	if rule.Check == passerelle.CheckNIR {
		// 13 characters without the key, 15 with it.
		for _, g := range []int{1, 2, 2, 2, 3, 3, 2} {
			if sum(d.groups)+g > d.max {
				break
			}
			d.groups = append(d.groups, g)
		}
	}
	for sum(d.groups) < d.max {
		d.groups = append(d.groups, min(3, d.max-sum(d.groups)))
	}
	d.ExtendBaseWidget(d)
	return d
}

func sum(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}

// Text returns what was typed.
func (d *Digits) Text() string { return d.typed }

// Boxes returns the number of boxes shown.
func (d *Digits) Boxes() int { return d.max }

// Incomplete reports whether the boxes show that characters are missing.
func (d *Digits) Incomplete() bool { return d.state == digitsIncomplete }

// Wrong reports whether the boxes show a complete number that is not right.
func (d *Digits) Wrong() bool { return d.state == digitsWrong }

func (d *Digits) set(typed string, state digitsState) {
	d.typed, d.state = typed, state
	d.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (d *Digits) CreateRenderer() fyne.WidgetRenderer {
	r := &digitsRenderer{d: d}
	for range d.max {
		box := canvas.NewRectangle(colorBackground)
		box.CornerRadius = 6
		r.boxes = append(r.boxes, box)
		t := canvas.NewText("", colorForeground)
		t.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
		t.Alignment = fyne.TextAlignCenter
		r.chars = append(r.chars, t)
	}
	r.refreshState()
	return r
}

type digitsRenderer struct {
	d     *Digits
	boxes []*canvas.Rectangle
	chars []*canvas.Text
	// fitted is the box size textSize was measured for: a layout at the
	// same size (every typed digit) measures nothing again.
	fitted   fyne.Size
	textSize float32
}

// Gaps between boxes, and between groups of boxes, in units.
const (
	boxGap   = 4
	groupGap = 14
)

// Layout makes the boxes as big as the width allows, no wider than their
// height, and the characters as big as their box.
func (r *digitsRenderer) Layout(size fyne.Size) {
	n := r.d.max
	if n == 0 {
		return
	}
	w, h, gaps := r.d.box(size)
	if box := fyne.NewSize(w, h); box != r.fitted || r.textSize == 0 {
		r.fitted = box
		r.textSize = fitChar(w*0.7, h*0.7) // a margin inside the box: a digit touching the frame is misread
	}
	textSize := r.textSize
	x := (size.Width - (float32(n)*w + gaps)) / 2
	y := (size.Height - h) / 2
	i := 0
	for _, g := range r.d.groups {
		for range g {
			r.boxes[i].Move(fyne.NewPos(x, y))
			r.boxes[i].Resize(fyne.NewSize(w, h))
			r.chars[i].TextSize = textSize
			r.chars[i].Move(fyne.NewPos(x, y))
			r.chars[i].Resize(fyne.NewSize(w, h))
			x += w + boxGap
			i++
		}
		x += groupGap - boxGap
	}
}

// box is the size of a box and the width of the gaps between them.
func (d *Digits) box(size fyne.Size) (w, h, gaps float32) {
	n, groups := d.max, len(d.groups)
	gaps = float32(n-groups)*boxGap + float32(max(groups-1, 0))*groupGap
	w = max(0, min((size.Width-gaps)/float32(max(n, 1)), size.Height*0.75))
	return w, min(size.Height, w*1.5), gaps
}

// fitness of the boxes: a character at the smallest text size wider than
// its box spills over its neighbours, which reads as a cut number.
func (d *Digits) fitness(size fyne.Size) fitness {
	w, h, _ := d.box(size)
	char := fyne.MeasureText("8", textFloor(), fyne.TextStyle{Monospace: true, Bold: true})
	return fitness{cuts: boolCut(d.max > 0 && (char.Width > w*0.85 || char.Height > h)), target: noTarget}
}

// fitChar is the largest text size, down to the floor, at which one bold
// monospace character fits w×h.
func fitChar(w, h float32) float32 {
	style := fyne.TextStyle{Monospace: true, Bold: true}
	floor := textFloor()
	size := max(floor, min(h*0.9, 72))
	for size > floor {
		m := fyne.MeasureText("8", size, style)
		if m.Width <= w && m.Height <= h {
			break
		}
		size--
	}
	return size
}

func (r *digitsRenderer) MinSize() fyne.Size { return fyne.NewSize(tileFloor, tileFloor) }

func (r *digitsRenderer) Refresh() {
	r.refreshState()
	r.Layout(r.d.Size())
	for i := range r.boxes {
		r.boxes[i].Refresh()
		r.chars[i].Refresh()
	}
}

func (r *digitsRenderer) refreshState() {
	d := r.d
	for i, box := range r.boxes {
		box.FillColor = colorBackground
		box.StrokeColor = colorForeground
		box.StrokeWidth = 3
		switch {
		case d.state == digitsWrong:
			box.StrokeColor, box.StrokeWidth = colorError, 5
		case i >= len(d.typed) && i < d.min && d.state == digitsIncomplete:
			box.StrokeColor, box.StrokeWidth = colorError, 5
			box.FillColor = colorErrorLight
		case i == len(d.typed):
			box.StrokeColor, box.StrokeWidth = colorPrimary, 6 // where the next one goes
			box.FillColor = colorSelected
		case i >= d.min:
			box.StrokeColor, box.StrokeWidth = colorDisabled, 2 // may stay empty
		}
		r.chars[i].Text = ""
		if i < len(d.typed) {
			r.chars[i].Text = d.typed[i : i+1]
		}
		r.chars[i].Color = colorForeground
		if d.state == digitsWrong {
			r.chars[i].Color = colorError
		}
	}
}

func (r *digitsRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, 2*len(r.boxes))
	for _, b := range r.boxes {
		objs = append(objs, b)
	}
	for _, c := range r.chars {
		objs = append(objs, c)
	}
	return objs
}

func (r *digitsRenderer) Destroy() {}
