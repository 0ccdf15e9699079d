package ui

import (
	"image/color"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// textBlock is text drawn as lines that fit a box: it wraps at spaces
// (when wrap is set) and shrinks from size max down to floor. Its minimum
// size is nothing: the space decides, so text never pushes a control off
// the window. Paragraphs are separated by "\n".
type textBlock struct {
	text       string
	max, floor float32
	style      fyne.TextStyle
	align      fyne.TextAlign
	color      color.Color
	wrap       bool

	// lines are the fitted lines, each drawn as pieces of one direction
	// from left to right (see drawOrder); made holds every piece made so
	// far, reused at the next fit.
	lines [][]*canvas.Text
	made  []*canvas.Text
	used  fyne.Size // the space the lines take after the last fit
	fitIn fyne.Size // the box of the last fit, to skip the same work again
	dirty bool      // text or style changed since the last fit
}

// fit arranges the text for a w×h box, at the largest size that fits, and
// reports the height the lines take.
func (b *textBlock) fit(w, h float32) float32 {
	box := fyne.NewSize(w, h)
	if !b.dirty && box == b.fitIn && b.lines != nil {
		return b.used.Height
	}
	b.fitIn, b.dirty = box, false
	lines, size := fitLines(b.text, b.max, max(b.floor, 1), b.style, b.wrap, w, h)
	var lineH float32
	if len(lines) > 0 { // no text, no font: a tile without a label loads none
		lineH = fyne.MeasureText("Mg", size, b.style).Height
	}
	b.used = fyne.NewSize(w, lineH*float32(len(lines)))
	// Lines break in the order the text is written; then each line is
	// put in the order it is drawn.
	b.lines = b.lines[:0]
	n := 0
	for _, l := range lines {
		var drawn []*canvas.Text
		for _, piece := range drawOrder(l.text, l.rtl) {
			if n == len(b.made) {
				b.made = append(b.made, canvas.NewText("", b.color))
			}
			t := b.made[n]
			n++
			t.Text, t.TextSize, t.TextStyle, t.Color, t.Alignment = piece, size, b.style, b.color, fyne.TextAlignLeading
			t.Resize(fyne.NewSize(fyne.MeasureText(piece, size, b.style).Width, lineH))
			drawn = append(drawn, t)
		}
		b.lines = append(b.lines, drawn)
	}
	return b.used.Height
}

// place puts the fitted lines at pos, centred vertically in height h,
// each line aligned in the box's width.
func (b *textBlock) place(pos fyne.Position, h float32) {
	y := pos.Y + max(0, (h-b.used.Height)/2)
	lineH := b.used.Height / float32(max(1, len(b.lines)))
	for _, line := range b.lines {
		width := float32(0)
		for _, t := range line {
			width += t.Size().Width
		}
		x := pos.X
		switch b.align {
		case fyne.TextAlignCenter:
			x += (b.used.Width - width) / 2
		case fyne.TextAlignTrailing:
			x += b.used.Width - width
		}
		for _, t := range line {
			t.Move(fyne.NewPos(x, y))
			x += t.Size().Width
			t.Refresh()
		}
		y += lineH
	}
}

// lineHeight is the height of one line at the floor size: a box lower
// than that shows no text.
func (b *textBlock) lineHeight() float32 {
	return fyne.MeasureText("Mg", b.floor, b.style).Height
}

// heightAtFloor is the height the whole text takes at the floor size in
// a box w wide.
func (b *textBlock) heightAtFloor(w float32) float32 {
	if b.text == "" || w <= 0 {
		return 0
	}
	return b.lineHeight() * float32(atFloor(b.text, b.floor, b.style, b.wrap, w).n)
}

func (b *textBlock) objects() []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, line := range b.lines {
		for _, t := range line {
			objs = append(objs, t)
		}
	}
	return objs
}

// line is one line of text, in the order it is written, and the way its
// paragraph reads.
type line struct {
	text string
	rtl  bool // the paragraph holds a right-to-left letter (see rtlText)
}

// fitLines returns text broken into lines at the largest size between
// floor and max that fits w×h. When even floor does not fit, it returns
// the lines that fit at floor, the last one cut with "…".
func fitLines(text string, maxSize, floor float32, style fyne.TextStyle, wrap bool, w, h float32) ([]line, float32) {
	if text == "" || w <= 0 || h <= 0 {
		return nil, floor
	}
	fits := func(size float32) ([]line, bool) {
		lines := breakLines(text, size, style, wrap, w)
		lineH := fyne.MeasureText("Mg", size, style).Height
		if float32(len(lines))*lineH > h {
			return lines, false
		}
		for _, l := range lines {
			if fyne.MeasureText(l.text, size, style).Width > w {
				return lines, false
			}
		}
		return lines, true
	}
	if lines, ok := fits(maxSize); ok {
		return lines, maxSize
	}
	// Smaller text takes fewer and shorter lines: search the largest size
	// that fits, in whole units, between floor and max.
	lo, hi := int(floor), int(maxSize)-1
	best := -1
	var bestLines []line
	for lo <= hi {
		mid := (lo + hi) / 2
		if lines, ok := fits(float32(mid)); ok {
			best, bestLines = mid, lines
			lo = mid + 1
		} else {
			hi = mid - 1
		}
	}
	if best >= 0 {
		return bestLines, float32(best)
	}
	lines := breakLines(text, floor, style, wrap, w)
	lineH := fyne.MeasureText("Mg", floor, style).Height
	keep := max(1, int(h/lineH))
	if keep < len(lines) {
		lines = lines[:keep]
		lines[keep-1].text += "…"
	}
	for i, l := range lines {
		lines[i].text = clip(l.text, floor, style, w)
	}
	return lines, floor
}

// breakLines breaks text into lines no wider than w at size, at spaces
// when wrap is set; each "\n" starts a new paragraph, which reads right
// to left or left to right on its own (a sign may show one sentence in
// several languages).
func breakLines(text string, size float32, style fyne.TextStyle, wrap bool, w float32) []line {
	var lines []line
	for _, para := range strings.Split(text, "\n") {
		rtl := rtlText(para)
		if !wrap {
			lines = append(lines, line{para, rtl})
			continue
		}
		cur := ""
		for _, word := range wrapWords(para) {
			if cur == "" {
				cur = word
				continue
			}
			if fyne.MeasureText(cur+" "+word, size, style).Width <= w {
				cur += " " + word
				continue
			}
			lines = append(lines, line{cur, rtl})
			cur = word
		}
		lines = append(lines, line{cur, rtl})
	}
	return lines
}

// wrapWords cuts a paragraph at its spaces, but not at a space between
// two digits: a number written in groups ("36 46", "01 23 45 67 89") is
// never cut across two lines (see joinNumberGroups); nor at a space that
// French puts before "?", "!", ":", ";" and "»" or after "«" (a line
// never starts with "?"); nor at a no-break space, which says so.
func wrapWords(para string) []string {
	runes := []rune(para)
	joined := joinNumberGroups(runes)
	holdPunctuation(joined)
	var words []string
	start := -1
	for i, r := range joined {
		space := unicode.IsSpace(r) && r != '\u00a0'
		switch {
		case space && start >= 0:
			words = append(words, string(runes[start:i]))
			start = -1
		case !space && start < 0:
			start = i
		}
	}
	if start >= 0 {
		words = append(words, string(runes[start:]))
	}
	return words
}

// holdPunctuation turns into no-break spaces the spaces French writes
// inside its quotes and before its high punctuation, as staff type them.
func holdPunctuation(runes []rune) {
	for i, r := range runes {
		if r != ' ' {
			continue
		}
		before := i > 0 && i+1 < len(runes) && strings.ContainsRune("?!:;»", runes[i+1])
		after := i > 0 && runes[i-1] == '«'
		if before || after {
			runes[i] = '\u00a0'
		}
	}
}

// clip cuts a line that is too wide, ending it with "…".
func clip(line string, size float32, style fyne.TextStyle, w float32) string {
	if fyne.MeasureText(line, size, style).Width <= w {
		return line
	}
	r := []rune(strings.TrimSuffix(line, "…"))
	for len(r) > 0 && fyne.MeasureText(string(r)+"…", size, style).Width > w {
		r = r[:len(r)-1]
	}
	if len(r) == 0 {
		return ""
	}
	return string(r) + "…"
}

// fitText is a widget showing a textBlock: a sentence that wraps and
// shrinks to the space it gets.
type fitText struct {
	widget.BaseWidget
	block textBlock
}

// newFitText returns text of size maxSize that may shrink to floor: below
// it, a sentence is cut with "…" rather than shrunk further (every
// sentence is also spoken). The floor is textFloor or headingFloor, never
// under 4.8 mm (theme.go).
func newFitText(text string, maxSize, floor float32, style fyne.TextStyle, align fyne.TextAlign) *fitText {
	t := &fitText{block: textBlock{text: text, max: max(maxSize, floor), floor: floor, style: style, align: align, color: colorForeground, wrap: true}}
	t.ExtendBaseWidget(t)
	return t
}

// Text returns what the widget shows.
func (t *fitText) Text() string { return t.block.text }

func (t *fitText) CreateRenderer() fyne.WidgetRenderer { return &fitTextRenderer{t: t} }

type fitTextRenderer struct{ t *fitText }

func (r *fitTextRenderer) Layout(size fyne.Size) {
	b := &r.t.block
	b.fit(size.Width, size.Height)
	b.place(fyne.NewPos(0, 0), size.Height)
}

// MinSize is nothing: the text adapts to the space it is given.
func (r *fitTextRenderer) MinSize() fyne.Size { return fyne.NewSize(0, 0) }

func (r *fitTextRenderer) Refresh() {
	r.t.block.dirty = true
	r.Layout(r.t.Size())
}

func (r *fitTextRenderer) Objects() []fyne.CanvasObject { return r.t.block.objects() }

func (r *fitTextRenderer) Destroy() {}
