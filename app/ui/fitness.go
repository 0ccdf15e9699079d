package ui

import (
	"math"
	"sync"

	"fyne.io/fyne/v2"
)

// A layout that can arrange a screen in more than one way (the sentence
// beside the answers or above them, more or fewer columns of tiles, a
// smaller QR code) measures each way before it chooses: how many texts
// would be cut with "…" at the smallest size allowed, and how big the
// smallest control would be. A word cut is lost to a person who reads a
// little; the sentence is spoken, but the screen must show it whole when
// it can.

// fitness is how well a part of a screen fits a space.
type fitness struct {
	cuts   int     // texts that would end with "…"
	target float32 // the smallest side of a control in it; noTarget if none
	// small counts pictures drawn too small to be read: a QR code a
	// phone does not read, a sketch nobody recognises.
	small int
}

// noTarget is the target of a part with no control.
const noTarget = math.MaxFloat32

func (f fitness) plus(g fitness) fitness {
	return fitness{cuts: f.cuts + g.cuts, target: min(f.target, g.target), small: f.small + g.small}
}

// measurer is a widget that knows its fitness at a size.
type measurer interface {
	fitness(size fyne.Size) fitness
}

// measuredLayout is a layout that knows the fitness of its objects at a size.
type measuredLayout interface {
	fitness(objs []fyne.CanvasObject, size fyne.Size) fitness
}

// fitnessOf measures o at size; a part the kiosk does not measure cuts
// nothing and holds no control.
func fitnessOf(o fyne.CanvasObject, size fyne.Size) fitness {
	switch o := o.(type) {
	case measurer:
		return o.fitness(size)
	case *fyne.Container:
		if l, ok := o.Layout.(measuredLayout); ok {
			return l.fitness(o.Objects, size)
		}
	}
	return fitness{target: noTarget}
}

// bestOf chooses among n arrangements, the first being the usual one:
// it, when it cuts nothing; otherwise the one that cuts fewest texts (the
// first of equals) among those whose controls stay at least as big as the
// usual one's, or MinTarget (15 mm), whichever is less, and that draw no
// more pictures too small than it. It returns the choice and its fitness.
func bestOf(n int, measure func(i int) fitness) (int, fitness) {
	base := measure(0)
	if base.cuts == 0 || n == 1 {
		return 0, base
	}
	least := min(base.target, MinTarget)
	best, bestFit := 0, base
	for i := 1; i < n; i++ {
		f := measure(i)
		if f.target < least || f.small > base.small || f.cuts >= bestFit.cuts {
			continue
		}
		best, bestFit = i, f
		if f.cuts == 0 {
			break
		}
	}
	return best, bestFit
}

// bestWay returns, among the ways two objects may share size (the usual
// way first), the one that shows them best (bestOf), and its fitness: the
// choice and the measure of the layouts that place two objects in two
// boxes.
func bestWay[W any](objs []fyne.CanvasObject, size fyne.Size, ways []W, arrange func(fyne.Size, W) (box, box)) (W, fitness) {
	i, f := bestOf(len(ways), func(i int) fitness {
		a, b := arrange(size, ways[i])
		return fitnessOf(objs[0], a.size).plus(fitnessOf(objs[1], b.size))
	})
	return ways[i], f
}

// cutsIn reports whether the block's text would be cut in a w×h box: at
// the smallest size it still takes more lines than the box holds, or a
// word wider than the box.
func (b *textBlock) cutsIn(w, h float32) bool {
	if b.text == "" {
		return false
	}
	if w <= 0 || h <= 0 {
		return true
	}
	floor := max(b.floor, 1)
	lines := atFloor(b.text, floor, b.style, b.wrap, w)
	return float32(lines.n)*fyne.MeasureText("Mg", floor, b.style).Height > h || lines.widest > w
}

// floorLines is a text broken into lines at a size: how many, and the
// widest one.
type floorLines struct {
	n      int
	widest float32
}

type floorKey struct {
	text  string
	size  float32
	style fyne.TextStyle
	wrap  bool
	w     float32
}

// floorCache keeps the texts measured while a layout tries its ways: the
// same labels are broken at the same widths again and again.
var floorCache struct {
	sync.Mutex
	m map[floorKey]floorLines
}

// atFloor breaks text as breakLines does, remembering the result.
func atFloor(text string, size float32, style fyne.TextStyle, wrap bool, w float32) floorLines {
	key := floorKey{text, size, style, wrap, w}
	floorCache.Lock()
	got, ok := floorCache.m[key]
	floorCache.Unlock()
	if ok {
		return got
	}
	lines := breakLines(text, size, style, wrap, w)
	got.n = len(lines)
	for _, l := range lines {
		got.widest = max(got.widest, fyne.MeasureText(l.text, size, style).Width)
	}
	floorCache.Lock()
	if floorCache.m == nil || len(floorCache.m) > 20000 {
		floorCache.m = map[floorKey]floorLines{} // a bound: texts change with the catalog
	}
	floorCache.m[key] = got
	floorCache.Unlock()
	return got
}

func boolCut(cut bool) int {
	if cut {
		return 1
	}
	return 0
}

// fitness of a sentence: cut or whole.
func (t *fitText) fitness(size fyne.Size) fitness {
	return fitness{cuts: boolCut(t.block.cutsIn(size.Width, size.Height)), target: noTarget}
}

// box is a place and a size in a layout.
type box struct {
	pos  fyne.Position
	size fyne.Size
}

func (b box) apply(o fyne.CanvasObject) {
	o.Move(b.pos)
	o.Resize(b.size)
}
