package ui

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Series is one kind of count in a chart: one outcome, say. Values has one
// value per category of the chart.
type Series struct {
	Name   string
	Color  color.Color
	Values []float64
}

// Bar is one bar (or one piece of a stacked bar) as the chart drew it.
type Bar struct {
	Category string
	Series   string
	Value    float64
	Rect     *canvas.Rectangle
}

// Chart is a bar chart drawn with the toolkit's own rectangles, lines and
// text: no image, no library, readable on the smallest kiosk screen. Bars
// go up from a baseline (one per category, the series stacked) or, with
// Horizontal, to the right from a column of names, which suits long
// procedure names. Line, when set, is a percentage per category drawn
// over the bars against 0-100 %.
type Chart struct {
	widget.BaseWidget
	Title      string
	Categories []string
	Series     []Series
	Line       []float64 // percentages, one per category; NaN: no point
	LineName   string
	Horizontal bool
	// Empty is what the chart says when it has nothing to show.
	Empty string

	r *chartRenderer // the renderer the toolkit made, for Bars
}

// NewChart makes a chart; set its fields and call Refresh to change it.
func NewChart(title string) *Chart {
	c := &Chart{Title: title, Empty: "No sessions in this period."}
	c.ExtendBaseWidget(c)
	return c
}

// Bars returns the bars as last laid out, for the chart's tests and
// anyone who wants to read what it shows.
func (c *Chart) Bars() []Bar {
	if c.r == nil {
		return nil
	}
	return c.r.bars
}

// LinePoints returns the ends of the line's segments as last laid out.
func (c *Chart) LinePoints() []*canvas.Line {
	if c.r == nil {
		return nil
	}
	return c.r.line
}

// Total is the sum of a category's values.
func (c *Chart) total(i int) float64 {
	t := 0.0
	for _, s := range c.Series {
		if i < len(s.Values) {
			t += s.Values[i]
		}
	}
	return t
}

// CreateRenderer builds the canvas objects of the chart's data as it is.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c}
	r.rebuild()
	c.r = r
	return r
}

// chartRenderer holds the chart's objects: rebuilt when the data changes,
// placed by Layout.
type chartRenderer struct {
	c       *Chart
	title   *canvas.Text
	empty   *canvas.Text
	axis    *canvas.Line
	bars    []Bar
	values  []*canvas.Text // a category's total, at its bar's end
	labels  []*canvas.Text // the categories' names
	line    []*canvas.Line
	legend  []legendEntry
	objects []fyne.CanvasObject
}

const (
	chartText  = 12 // the size of labels: readable at 800×480
	chartTitle = 14
	chartGap   = 4
	// scrollBarRoom keeps a total clear of the scroll bar the toolkit
	// draws over the right edge of a scrolled tab.
	scrollBarRoom = 12
	chartHeight   = 210 // bars of a few pixels a session on a 480-pixel screen
	legendSwatch  = 10
)

func (r *chartRenderer) rebuild() {
	c := r.c
	fg := theme.Color(theme.ColorNameForeground)
	r.title = canvas.NewText(c.Title, fg)
	r.title.TextSize, r.title.TextStyle = chartTitle, fyne.TextStyle{Bold: true}
	r.empty = canvas.NewText(c.Empty, theme.Color(theme.ColorNamePlaceHolder))
	r.empty.TextSize = chartText
	r.axis = canvas.NewLine(theme.Color(theme.ColorNameDisabled))
	r.bars, r.values, r.labels, r.line, r.legend = nil, nil, nil, nil, nil
	r.objects = []fyne.CanvasObject{r.title, r.axis}
	hasData := false
	for i, cat := range c.Categories {
		for _, s := range c.Series {
			v := 0.0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			if v > 0 {
				hasData = true
			}
			rect := canvas.NewRectangle(s.Color)
			r.bars = append(r.bars, Bar{Category: cat, Series: s.Name, Value: v, Rect: rect})
			r.objects = append(r.objects, rect)
		}
		label := canvas.NewText(cat, fg)
		label.TextSize = chartText
		r.labels = append(r.labels, label)
		value := canvas.NewText(formatCount(c.total(i)), fg)
		value.TextSize = chartText
		r.values = append(r.values, value)
		r.objects = append(r.objects, label, value)
	}
	if len(c.Line) > 1 {
		for range len(c.Line) - 1 {
			l := canvas.NewLine(lineColor)
			l.StrokeWidth = 3
			r.line = append(r.line, l)
			r.objects = append(r.objects, l)
		}
	}
	if len(c.Series) > 1 || c.LineName != "" {
		for _, s := range c.Series {
			r.legend = append(r.legend, legendItem(s.Name, s.Color))
		}
		if c.LineName != "" {
			r.legend = append(r.legend, legendItem(c.LineName, lineColor))
		}
		for _, e := range r.legend {
			r.objects = append(r.objects, e.swatch, e.text)
		}
	}
	r.empty.Hidden = hasData
	r.objects = append(r.objects, r.empty)
}

// lineColor is the completion rate's line: dark, over the bars' colours.
var lineColor = color.NRGBA{R: 0x21, G: 0x21, B: 0x21, A: 0xff}

// legendItem is a swatch and a name, laid out by the chart.
func legendItem(name string, col color.Color) legendEntry {
	t := canvas.NewText(name, theme.Color(theme.ColorNameForeground))
	t.TextSize = chartText
	return legendEntry{swatch: canvas.NewRectangle(col), text: t}
}

func (r *chartRenderer) Layout(size fyne.Size) {
	c := r.c
	th := fyne.MeasureText("0", chartText, fyne.TextStyle{}).Height
	r.title.Move(fyne.NewPos(0, 0))
	r.title.Resize(fyne.NewSize(size.Width, th+4))
	top := th + 4 + chartGap

	// The legend: under the title, in as many rows as the width needs.
	x := float32(0)
	if len(r.legend) > 0 {
		for _, e := range r.legend {
			w := legendSwatch + 4 + fyne.MeasureText(e.text.Text, chartText, fyne.TextStyle{}).Width + 12
			if x > 0 && x+w-12 > size.Width {
				x, top = 0, top+th
			}
			e.place(fyne.NewPos(x, top), th)
			x += w
		}
		top += th + chartGap
	}
	r.empty.Move(fyne.NewPos(0, top))
	area := fyne.NewSize(size.Width, size.Height-top)
	if area.Height <= 0 || len(c.Categories) == 0 {
		for _, b := range r.bars {
			b.Rect.Resize(fyne.NewSize(0, 0))
		}
		return
	}
	top_ := top
	maxTotal := 0.0
	for i := range c.Categories {
		maxTotal = math.Max(maxTotal, c.total(i))
	}
	scale := func(v float64, length float32) float32 {
		if maxTotal == 0 {
			return 0
		}
		return float32(v / maxTotal * float64(length))
	}
	n := len(c.Categories)
	perCat := len(c.Series)
	if c.Horizontal {
		// Names on the left, at most 40 % of the width; bars to the right.
		nameW := float32(0)
		for _, l := range r.labels {
			nameW = max(nameW, fyne.MeasureText(l.Text, chartText, fyne.TextStyle{}).Width)
		}
		nameW = min(nameW, area.Width*0.4) + chartGap
		valueW := fyne.MeasureText(formatCount(maxTotal), chartText, fyne.TextStyle{}).Width + chartGap
		barLen := area.Width - nameW - valueW - scrollBarRoom
		row := area.Height / float32(n)
		barH := min(row*0.75, 2*th)
		r.axis.Position1 = fyne.NewPos(nameW, top_)
		r.axis.Position2 = fyne.NewPos(nameW, top_+area.Height)
		for i := range c.Categories {
			y := top_ + float32(i)*row + (row-barH)/2
			x := nameW
			for j := range perCat {
				b := r.bars[i*perCat+j]
				w := scale(b.Value, barLen)
				b.Rect.Move(fyne.NewPos(x, y))
				b.Rect.Resize(fyne.NewSize(w, barH))
				x += w
			}
			l := r.labels[i]
			l.Text = chartFit(c.Categories[i], nameW-chartGap)
			l.Move(fyne.NewPos(0, y+(barH-th)/2))
			v := r.values[i]
			v.Move(fyne.NewPos(x+chartGap, y+(barH-th)/2))
		}
		return
	}
	// Vertical: names under the bars, the totals above them.
	bottom := top_ + area.Height - th - chartGap
	barArea := bottom - top_ - th // room for the totals above the tallest bar
	col := area.Width / float32(n)
	barW := min(col*0.7, 80)
	r.axis.Position1 = fyne.NewPos(0, bottom)
	r.axis.Position2 = fyne.NewPos(area.Width, bottom)
	for i := range c.Categories {
		x := float32(i)*col + (col-barW)/2
		y := bottom
		for j := range perCat {
			b := r.bars[i*perCat+j]
			h := scale(b.Value, barArea)
			y -= h
			b.Rect.Move(fyne.NewPos(x, y))
			b.Rect.Resize(fyne.NewSize(barW, h))
		}
		v := r.values[i]
		vw := fyne.MeasureText(v.Text, chartText, fyne.TextStyle{}).Width
		v.Move(fyne.NewPos(x+(barW-vw)/2, y-th))
		v.Hidden = c.total(i) == 0
		l := r.labels[i]
		l.Text = chartFit(c.Categories[i], col)
		lw := fyne.MeasureText(l.Text, chartText, fyne.TextStyle{}).Width
		l.Move(fyne.NewPos(float32(i)*col+(col-lw)/2, bottom+chartGap))
	}
	for i, seg := range r.line {
		a, b := c.Line[i], c.Line[i+1]
		seg.Hidden = math.IsNaN(a) || math.IsNaN(b)
		y := func(p float64) float32 { return bottom - float32(p/100)*barArea }
		if !seg.Hidden {
			seg.Position1 = fyne.NewPos(float32(i)*col+col/2, y(a))
			seg.Position2 = fyne.NewPos(float32(i+1)*col+col/2, y(b))
		}
	}
}

// chartFit cuts s with an ellipsis to fit width.
func chartFit(s string, width float32) string {
	if fyne.MeasureText(s, chartText, fyne.TextStyle{}).Width <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if fyne.MeasureText(string(r)+"…", chartText, fyne.TextStyle{}).Width <= width {
			break
		}
	}
	return string(r) + "…"
}

func formatCount(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return fmt.Sprintf("%.1f", v)
}

func (r *chartRenderer) MinSize() fyne.Size {
	th := fyne.MeasureText("0", chartText, fyne.TextStyle{}).Height
	h := float32(chartHeight)
	if r.c.Horizontal {
		h = max(h, 2*th+4*chartGap+float32(len(r.c.Categories))*(th+6))
	}
	return fyne.NewSize(160, h)
}

func (r *chartRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *chartRenderer) Destroy()                     {}

// legendEntry is a swatch and its name.
type legendEntry struct {
	swatch *canvas.Rectangle
	text   *canvas.Text
}

func (e *legendEntry) place(pos fyne.Position, th float32) {
	e.swatch.Move(fyne.NewPos(pos.X, pos.Y+(th-legendSwatch)/2))
	e.swatch.Resize(fyne.NewSize(legendSwatch, legendSwatch))
	e.text.Move(fyne.NewPos(pos.X+legendSwatch+4, pos.Y))
}
