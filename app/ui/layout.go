package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The kiosk's layouts share one rule: their minimum size is small, and
// they share out the space they get. A Fyne window grows to the minimum
// size of its content, so a screen that asked for more than 800×480 would
// push its controls off a small screen; instead, pictograms, tiles and
// text scale down with the window.

// Bar heights: a fifth of the window, between these.
const (
	barHeight   = 130 // room for a pictogram and its label (4.8 mm high) on each control
	barMinimum  = 64
	shortScreen = 480 // below this content height, a step's sentence goes beside its answers
)

// frameLayout places a screen's banner (when it shows something) at the
// top, the bottom bar at the bottom, and the content between them.
// Objects: banner, content, bar.
type frameLayout struct{}

func (frameLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	banner, content, bar := objs[0], objs[1], objs[2]
	pad := theme.Padding()
	barH := clamp(size.Height/5, barMinimum, barHeight)
	bar.Move(fyne.NewPos(0, size.Height-barH))
	bar.Resize(fyne.NewSize(size.Width, barH))
	top := float32(0)
	if c, ok := banner.(*fyne.Container); ok && len(c.Objects) > 0 {
		top = clamp(size.Height/6, 0, 100)
	}
	banner.Move(fyne.NewPos(0, 0))
	banner.Resize(fyne.NewSize(size.Width, top))
	content.Move(fyne.NewPos(pad, top+pad))
	content.Resize(fyne.NewSize(size.Width-2*pad, max(0, size.Height-barH-top-3*pad)))
}

func (frameLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(5*tileFloor, barMinimum+tileFloor)
}

// headerLayout places a pictogram and its sentence: side by side, or the
// pictogram above the sentence when the space is tall and narrow. The
// pictogram is at most maxSide, on the side the language reads from.
// Objects: pictogram, text.
type headerLayout struct {
	maxSide float32
	rtl     bool
}

func (l headerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pic, text := objs[0], objs[1]
	if l.rtl {
		defer mirror(size, objs...)
	}
	above, _ := l.choose(text, size)
	picBox, textBox := l.arrange(text, size, above)
	picBox.apply(pic)
	textBox.apply(text)
}

// choose says whether the pictogram goes above the sentence: when the
// space is tall and narrow, or when the sentence fits whole only so; and
// the sentence's fitness so.
func (l headerLayout) choose(text fyne.CanvasObject, size fyne.Size) (bool, fitness) {
	above := size.Height > size.Width*0.9
	i, f := bestOf(2, func(i int) fitness {
		_, textBox := l.arrange(text, size, above == (i == 0))
		return fitnessOf(text, textBox.size)
	})
	return above == (i == 0), f
}

func (l headerLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	_, f := l.choose(objs[1], size)
	return f
}

// arrange places the pictogram above the sentence or beside it. A
// sentence that needs more room than the pictogram leaves, at the
// smallest text allowed, takes it from the pictogram, down to
// minHeaderPicture: words cut with "…" are lost to a reader.
func (l headerLayout) arrange(text fyne.CanvasObject, size fyne.Size, above bool) (pic, txt box) {
	pad := theme.Padding()
	need := func(w float32) float32 {
		if t, ok := text.(*fitText); ok {
			return t.block.heightAtFloor(w)
		}
		return 0
	}
	if above {
		side := min(l.maxSide, size.Width, size.Height/2)
		if room := size.Height - side - pad; need(size.Width) > room {
			side = max(min(side, minHeaderPicture), size.Height-pad-need(size.Width))
		}
		return box{fyne.NewPos((size.Width-side)/2, 0), fyne.NewSquareSize(side)},
			box{fyne.NewPos(0, side+pad), fyne.NewSize(size.Width, max(0, size.Height-side-pad))}
	}
	side := min(l.maxSide, size.Height, size.Width*0.4)
	for side > minHeaderPicture && need(size.Width-side-2*pad) > size.Height {
		side = max(minHeaderPicture, side-10)
	}
	return box{fyne.NewPos(0, (size.Height-side)/2), fyne.NewSquareSize(side)},
		box{fyne.NewPos(side+2*pad, 0), fyne.NewSize(max(0, size.Width-side-2*pad), size.Height)}
}

// minHeaderPicture is the smallest a step's pictogram gets to leave room
// for its sentence: about 17 mm, still recognisable.
const minHeaderPicture = 80

func (headerLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// stepLayout places a header above a body, the header at most headMax
// high and a third of the space; on a short, wide space (800×480) it puts
// the header beside the body instead, so the body keeps its height. When
// that cuts a text, it takes the share, above or beside, that shows the
// texts whole (splits, bestOf). In a right-to-left language the header
// goes on the right.
// Objects: header, body.
type stepLayout struct {
	headMax float32
	rtl     bool
	// headShare is the part of the height the header may take, 0 for a
	// third; a step with a sketch of the other screen takes more.
	headShare float32
}

func (l stepLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	head, body := objs[0], objs[1]
	if l.rtl {
		defer mirror(size, objs...)
	}
	headBox, bodyBox := l.arrange(size, l.choose(objs, size))
	headBox.apply(head)
	bodyBox.apply(body)
}

// split is one way of sharing a step's space: the header beside the body
// or above it, taking share of the width or of the height.
type split struct {
	beside bool
	share  float32
}

// splits are the ways tried, the usual one first: the header beside the
// body on a short, wide space (800×480), else above it, at most headMax
// high and a third of the height (headShare). The others, nearest first,
// give the sentence more room or the answers more, above or beside.
func (l stepLayout) splits(size fyne.Size) []split {
	share := l.headShare
	if share == 0 {
		share = 1.0 / 3
	}
	above := split{share: min(l.headMax, size.Height*share) / max(size.Height, 1)}
	beside := split{beside: true, share: 0.38}
	first, other := above, beside
	if size.Height < shortScreen && size.Width > size.Height*1.4 {
		first, other = beside, above
	}
	out := []split{first}
	around := func(s split, lo, hi float32) {
		for d := float32(0.01); d <= 0.5; d += 0.01 {
			for _, v := range []float32{s.share + d, s.share - d} {
				if v >= lo && v <= hi {
					out = append(out, split{s.beside, v})
				}
			}
		}
	}
	around(first, 0.12, 0.7)
	if size.Width > size.Height*1.2 || !other.beside {
		out = append(out, other)
		around(other, 0.12, 0.7)
	}
	return out
}

// choose returns the split to use: the usual one, unless another shows
// more of the texts whole (see bestOf).
func (l stepLayout) choose(objs []fyne.CanvasObject, size fyne.Size) split {
	sp, _ := bestWay(objs, size, l.splits(size), l.arrange)
	return sp
}

func (l stepLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	_, f := bestWay(objs, size, l.splits(size), l.arrange)
	return f
}

func (l stepLayout) arrange(size fyne.Size, sp split) (head, body box) {
	pad := theme.Padding()
	if sp.beside {
		w := size.Width * sp.share
		return box{fyne.NewPos(0, 0), fyne.NewSize(w, size.Height)},
			box{fyne.NewPos(w+pad, 0), fyne.NewSize(max(0, size.Width-w-pad), size.Height)}
	}
	h := size.Height * sp.share
	return box{fyne.NewPos(0, 0), fyne.NewSize(size.Width, h)},
		box{fyne.NewPos(0, h+pad), fyne.NewSize(size.Width, max(0, size.Height-h-pad))}
}

func (stepLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(tileFloor, tileFloor) }

// underLayout places a main object above a text that takes share of the
// height at most, and no more than textMax. Objects: main, text.
type underLayout struct{ share, textMax float32 }

func (l underLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	main, text := l.arrange(size, l.choose(objs, size))
	main.apply(objs[0])
	text.apply(objs[1])
}

// underShares are the text's shares of the height tried, over the usual
// one: text that does not fit takes height from the main object.
var underShares = []float32{1, 1.25, 1.5, 1.75}

func (l underLayout) choose(objs []fyne.CanvasObject, size fyne.Size) float32 {
	more, _ := bestWay(objs, size, underShares, l.arrange)
	return more
}

func (l underLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	_, f := bestWay(objs, size, underShares, l.arrange)
	return f
}

func (l underLayout) arrange(size fyne.Size, more float32) (main, text box) {
	pad := theme.Padding()
	h := min(size.Height*l.share*more, l.textMax*more)
	return box{fyne.NewPos(0, 0), fyne.NewSize(size.Width, max(0, size.Height-h-pad))},
		box{fyne.NewPos(0, size.Height-h), fyne.NewSize(size.Width, h)}
}

func (underLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(tileFloor, tileFloor) }

// tileGrid places 1 to 6 tiles in the number of columns that makes them
// biggest (four tiles go 2×2 on a 4:3 screen, 1 column in portrait), no
// longer than tileAspect times their width or height, centred, an
// incomplete last row centred too. In a right-to-left language the first
// tile is on the right.
type tileGrid struct{ rtl bool }

// tileAspect bounds how elongated a grid tile gets.
const tileAspect = 1.6

func (g tileGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	n := len(objs)
	if n == 0 {
		return
	}
	if g.rtl {
		defer mirror(size, objs...)
	}
	pad := theme.Padding()
	cols, _ := g.choose(objs, size)
	cellW, cellH := gridCell(n, cols, size)
	rows := (n + cols - 1) / cols
	gridH := float32(rows)*cellH + float32(rows-1)*pad
	y := (size.Height - gridH) / 2
	for r := range rows {
		inRow := min(cols, n-r*cols)
		rowW := float32(inRow)*cellW + float32(inRow-1)*pad
		x := (size.Width - rowW) / 2
		for c := range inRow {
			o := objs[r*cols+c]
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(cellW, cellH))
			x += cellW + pad
		}
		y += cellH + pad
	}
}

// choose returns the number of columns: the one that makes the tiles
// biggest, unless another shows more labels whole (see bestOf); and the
// tiles' fitness so.
func (g tileGrid) choose(objs []fyne.CanvasObject, size fyne.Size) (int, fitness) {
	i, f := bestOf(len(objs), func(i int) fitness { return g.measure(objs, size, g.columns(len(objs), size, i)) })
	return g.columns(len(objs), size, i), f
}

// columns is the i-th number of columns tried: first the one that makes
// tiles biggest, then the others from 1 up.
func (tileGrid) columns(n int, size fyne.Size, i int) int {
	pad := theme.Padding()
	first, best := 1, float32(-1)
	for c := 1; c <= n; c++ {
		rows := (n + c - 1) / c
		w := (size.Width - float32(c-1)*pad) / float32(c)
		h := (size.Height - float32(rows-1)*pad) / float32(rows)
		if side := min(w, h); side > best {
			best, first = side, c
		}
	}
	if i == 0 {
		return first
	}
	if i <= first-1 {
		return i
	}
	return i + 1
}

func (tileGrid) measure(objs []fyne.CanvasObject, size fyne.Size, cols int) fitness {
	w, h := gridCell(len(objs), cols, size)
	f := fitness{target: noTarget}
	for _, o := range objs {
		f = f.plus(fitnessOf(o, fyne.NewSize(w, h)))
	}
	return f
}

func (g tileGrid) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	if len(objs) == 0 {
		return fitness{target: noTarget}
	}
	_, f := g.choose(objs, size)
	return f
}

// gridCell is the size of a tile in cols columns: as much as the space
// gives, no longer than tileAspect times its width or height.
func gridCell(n, cols int, size fyne.Size) (w, h float32) {
	pad := theme.Padding()
	rows := (n + cols - 1) / cols
	w = (size.Width - float32(cols-1)*pad) / float32(cols)
	h = (size.Height - float32(rows-1)*pad) / float32(rows)
	return min(w, h*tileAspect), min(h, min(w, h*tileAspect)*tileAspect)
}

func (tileGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	// The smallest arrangement: as square as possible.
	n := len(objs)
	if n == 0 {
		return fyne.NewSize(0, 0)
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	pad := theme.Padding()
	return fyne.NewSize(float32(cols)*tileFloor+float32(cols-1)*pad, float32(rows)*tileFloor+float32(rows-1)*pad)
}

// pagerLayout places the paging tiles on each side of the grid of
// procedures, or under it in portrait, next on the side the language
// reads towards. Objects: previous, grid, next.
type pagerLayout struct{ rtl bool }

func (l pagerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if l.rtl {
		defer mirror(size, objs...)
	}
	wider, _ := l.choose(objs, size)
	prev, grid, next := l.arrange(size, wider)
	prev.apply(objs[0])
	grid.apply(objs[1])
	next.apply(objs[2])
}

// pagerWidths are the paging tiles' widths tried, over the usual one: a
// label ("more") that does not fit takes width from the grid.
var pagerWidths = []float32{1, 1.2, 1.4, 1.6}

func (l pagerLayout) choose(objs []fyne.CanvasObject, size fyne.Size) (float32, fitness) {
	i, f := bestOf(len(pagerWidths), func(i int) fitness { return l.measure(objs, size, pagerWidths[i]) })
	return pagerWidths[i], f
}

func (l pagerLayout) measure(objs []fyne.CanvasObject, size fyne.Size, wider float32) fitness {
	f := fitness{target: noTarget}
	prev, grid, next := l.arrange(size, wider)
	for i, at := range []box{prev, grid, next} {
		f = f.plus(fitnessOf(objs[i], at.size))
	}
	return f
}

func (l pagerLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	_, f := l.choose(objs, size)
	return f
}

func (pagerLayout) arrange(size fyne.Size, wider float32) (prev, grid, next box) {
	pad := theme.Padding()
	if size.Height > size.Width*1.2 { // portrait: the paging tiles go under the grid
		h := clamp(size.Height*0.12, tileFloor, 140)
		w := (size.Width - pad) / 2
		return box{fyne.NewPos(0, size.Height-h), fyne.NewSize(w, h)},
			box{fyne.NewPos(0, 0), fyne.NewSize(size.Width, max(0, size.Height-h-pad))},
			box{fyne.NewPos(w+pad, size.Height-h), fyne.NewSize(w, h)}
	}
	side := clamp(size.Width*0.14, tileFloor, 140) * wider
	return box{fyne.NewPos(0, 0), fyne.NewSize(side, size.Height)},
		box{fyne.NewPos(side+pad, 0), fyne.NewSize(max(0, size.Width-2*side-2*pad), size.Height)},
		box{fyne.NewPos(size.Width-side, 0), fyne.NewSize(side, size.Height)}
}

func (pagerLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(4*tileFloor, 2*tileFloor)
}

// asideLayout places a step's header and a note that goes with it (a
// handoff step's phone number, above its help places): the note under the
// header, or beside it on the side the language reads towards when the
// sentence shows whole only so. Objects: header, note.
type asideLayout struct{ rtl bool }

// asideWays are the note's shares tried: of the height under the header,
// then of the width beside it.
var asideWays = []split{{false, 0.4}, {false, 0.3}, {true, 0.2}, {true, 0.25}, {true, 0.3}, {true, 0.35}, {true, 0.15}}

func (l asideLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if l.rtl {
		defer mirror(size, objs...)
	}
	head, note := l.arrange(size, l.choose(objs, size))
	head.apply(objs[0])
	note.apply(objs[1])
}

func (l asideLayout) choose(objs []fyne.CanvasObject, size fyne.Size) split {
	way, _ := bestWay(objs, size, asideWays, l.arrange)
	return way
}

func (l asideLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	_, f := bestWay(objs, size, asideWays, l.arrange)
	return f
}

func (asideLayout) arrange(size fyne.Size, way split) (head, note box) {
	pad := theme.Padding()
	if way.beside {
		w := size.Width * way.share
		return box{fyne.NewPos(0, 0), fyne.NewSize(max(0, size.Width-w-pad), size.Height)},
			box{fyne.NewPos(size.Width-w, 0), fyne.NewSize(w, size.Height)}
	}
	h := size.Height * way.share
	return box{fyne.NewPos(0, 0), fyne.NewSize(size.Width, max(0, size.Height-h-pad))},
		box{fyne.NewPos(0, size.Height-h), fyne.NewSize(size.Width, h)}
}

func (asideLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// keypadLayout places the boxes of a number across the whole width, above
// its keys, 4 rows of cols. Objects: boxes, keys.
type keypadLayout struct{ cols int }

func (l keypadLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	display, keys := objs[0], objs[1]
	displayBox, keysBox := l.arrange(size)
	displayBox.apply(display)
	keysBox.apply(keys)
}

func (l keypadLayout) arrange(size fyne.Size) (display, keys box) {
	pad := theme.Padding()
	h := clamp(size.Height/5, 44, 90)
	keysH := max(0, size.Height-h-pad)
	// Keys no more elongated than grid tiles: on a wide screen the keypad
	// is centred rather than stretched.
	cols := float32(max(3, l.cols))
	w := min(size.Width, cols*(keysH-3*pad)/4*tileAspect+(cols-1)*pad)
	x := (size.Width - w) / 2
	return box{fyne.NewPos(0, 0), fyne.NewSize(size.Width, h)}, box{fyne.NewPos(x, h+pad), fyne.NewSize(w, keysH)}
}

// fitness of a keypad: its keys' smallest side (4 rows of cols), and
// whether the typed characters fit their boxes.
func (l keypadLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	display, keys := l.arrange(size)
	pad := theme.Padding()
	cols := float32(max(3, l.cols))
	f := fitness{target: min((keys.size.Width-(cols-1)*pad)/cols, (keys.size.Height-3*pad)/4)}
	return f.plus(fitnessOf(objs[0], display.size))
}

func (keypadLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(3*tileFloor, 5*tileFloor)
}

// mirror flips the places of objs left to right in a space of size.
func mirror(size fyne.Size, objs ...fyne.CanvasObject) {
	for _, o := range objs {
		o.Move(fyne.NewPos(size.Width-o.Position().X-o.Size().Width, o.Position().Y))
	}
}

func clamp(v, lo, hi float32) float32 { return max(lo, min(v, hi)) }
