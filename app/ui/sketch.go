package ui

import (
	"bytes"
	"image"
	_ "image/png" // PNG sketches

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"github.com/fyne-io/oksvg"
)

// newSketch draws a step's sketch of the other screen (a button, a line
// of a payslip) inside a frame like a screen's, so it reads as "look for
// this over there" and not as one more thing to touch.
// It returns the framed sketch and the picture in it.
func newSketch(data []byte) (*fyne.Container, *canvas.Raster) {
	frame := canvas.NewRectangle(colorBackground)
	frame.StrokeColor = colorForeground
	frame.StrokeWidth = 4
	frame.CornerRadius = 10
	pic := picture(data)
	return container.New(sketchLayout{aspect: aspectOf(data)}, frame, pic), pic
}

// aspectOf is the width over the height of an SVG or PNG picture, 1 when
// it cannot be read (the validator reports such files).
func aspectOf(data []byte) float32 {
	if bytes.HasPrefix(data, []byte("\x89PNG")) {
		c, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || c.Width <= 0 || c.Height <= 0 {
			return 1
		}
		return float32(c.Width) / float32(c.Height)
	}
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data))
	if err != nil || icon.ViewBox.W <= 0 || icon.ViewBox.H <= 0 {
		return 1
	}
	return float32(icon.ViewBox.W / icon.ViewBox.H)
}

// sketchLayout draws the picture as large as the space allows at its own
// aspect, centred, in a frame hugging it. Objects: frame, picture.
type sketchLayout struct{ aspect float32 }

func (l sketchLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	frame, pic := objs[0], objs[1]
	pad := theme.InnerPadding()
	w, h := l.drawn(size)
	x, y := (size.Width-w)/2, (size.Height-h)/2
	frame.Move(fyne.NewPos(x-pad, y-pad))
	frame.Resize(fyne.NewSize(w+2*pad, h+2*pad))
	pic.Move(fyne.NewPos(x, y))
	pic.Resize(fyne.NewSize(w, h))
}

// drawn is the size of the picture in a space of size.
func (l sketchLayout) drawn(size fyne.Size) (w, h float32) {
	pad := theme.InnerPadding()
	w = max(0, min(size.Width-2*pad, (size.Height-2*pad)*l.aspect))
	return w, w / l.aspect
}

// fitness of a sketch: one drawn smaller than minSketchSide is too small
// (a drawn button or payslip line is no longer recognised): the layouts
// around it do not shrink it to show a sentence whole.
func (l sketchLayout) fitness(_ []fyne.CanvasObject, size fyne.Size) fitness {
	w, h := l.drawn(size)
	return fitness{small: boolCut(max(w, h) < minSketchSide), target: noTarget}
}

// minSketchSide is the long side under which a sketch is hard to
// recognise, in units.
const minSketchSide = 150

func (sketchLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// sketchHeadLayout places a step's header (pictogram and sentence) and
// the sketch of the other screen: the sketch beside the sentence, on the
// side the language reads towards, or under it, whichever draws the
// sketch bigger at its own shape. Objects: header, sketch.
type sketchHeadLayout struct {
	rtl    bool
	aspect float32 // of the sketch, width over height
}

// sketchShare is the part of the width (beside) or height (under) the
// sketch takes from the header.
const sketchShare = 0.45

func (l sketchHeadLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	head, sketch := objs[0], objs[1]
	if l.rtl {
		defer mirror(size, objs...)
	}
	headBox, sketchBox := l.arrange(size)
	headBox.apply(head)
	sketchBox.apply(sketch)
}

func (l sketchHeadLayout) arrange(size fyne.Size) (head, sketch box) {
	pad := theme.Padding()
	w, h := size.Width*sketchShare, size.Height*sketchShare
	if drawnArea(w, size.Height, l.aspect) >= drawnArea(size.Width, h, l.aspect) {
		return box{fyne.NewPos(0, 0), fyne.NewSize(size.Width-w-pad, size.Height)},
			box{fyne.NewPos(size.Width-w, 0), fyne.NewSize(w, size.Height)}
	}
	return box{fyne.NewPos(0, 0), fyne.NewSize(size.Width, size.Height-h-pad)},
		box{fyne.NewPos(0, size.Height-h), fyne.NewSize(size.Width, h)}
}

func (l sketchHeadLayout) fitness(objs []fyne.CanvasObject, size fyne.Size) fitness {
	head, sketch := l.arrange(size)
	return fitnessOf(objs[0], head.size).plus(fitnessOf(objs[1], sketch.size))
}

// drawnArea is the area of a picture of the given aspect drawn as large
// as a w×h box allows.
func drawnArea(w, h, aspect float32) float32 {
	dw := min(w, h*aspect)
	return dw * dw / aspect
}

func (sketchHeadLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// numberSketchLayout places a number step with a sketch (where the number
// is on the card or the page): the sketch goes beside the keypad, where
// the keypad leaves the width unused, so the keys keep their height. On a
// short, wide screen (800×480) the header and the sketch share a column
// beside the keypad instead. Objects: header, keypad, sketch.
type numberSketchLayout struct {
	headMax float32
	rtl     bool
	aspect  float32
}

func (l numberSketchLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	head, keypad, sketch := objs[0], objs[1], objs[2]
	if l.rtl {
		defer mirror(size, objs...)
	}
	pad := theme.Padding()
	if size.Height < shortScreen && size.Width > size.Height*1.4 {
		w := size.Width * 0.38
		column := sketchHeadLayout{aspect: l.aspect}
		column.Layout([]fyne.CanvasObject{head, sketch}, fyne.NewSize(w, size.Height))
		keypad.Move(fyne.NewPos(w+pad, 0))
		keypad.Resize(fyne.NewSize(size.Width-w-pad, size.Height))
		return
	}
	h := min(l.headMax, size.Height/3)
	head.Move(fyne.NewPos(0, 0))
	head.Resize(fyne.NewSize(size.Width, h))
	restH := max(0, size.Height-h-pad)
	w := size.Width * 0.4
	keypad.Move(fyne.NewPos(0, h+pad))
	keypad.Resize(fyne.NewSize(size.Width-w-pad, restH))
	sketch.Move(fyne.NewPos(size.Width-w, h+pad))
	sketch.Resize(fyne.NewSize(w, restH))
}

func (numberSketchLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(tileFloor, tileFloor)
}
