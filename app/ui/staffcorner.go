package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// staffHold is how long staff press the corner to open the PIN pad: far
// longer than any touch a user makes.
const staffHold = 3 * time.Second

// LongPress is an invisible square that runs OnLongPress when it is held
// for Hold: the kiosk's top left corner, staff's way in. A shorter touch
// does nothing, and a finger that slides out before lifting cancels. The
// kiosk checks a press still held every second (Check), so the PIN pad
// opens while staff still hold; lifting after Hold opens it too.
type LongPress struct {
	widget.BaseWidget

	Hold        time.Duration
	OnLongPress func()

	now       func() time.Time
	pressedAt time.Time // zero when not pressed
}

// NewLongPress returns a corner that reads the time from now.
func NewLongPress(hold time.Duration, now func() time.Time, pressed func()) *LongPress {
	l := &LongPress{Hold: hold, OnLongPress: pressed, now: now}
	l.ExtendBaseWidget(l)
	return l
}

// MouseDown starts a press (a finger on a touch screen is a mouse).
func (l *LongPress) MouseDown(*desktop.MouseEvent) { l.pressedAt = l.now() }

// MouseUp ends it: long enough, it opens.
func (l *LongPress) MouseUp(*desktop.MouseEvent) {
	l.Check()
	l.pressedAt = time.Time{}
}

// Tapped swallows a short touch: it neither opens nor reaches the screen
// under the corner.
func (l *LongPress) Tapped(*fyne.PointEvent) {}

// MouseIn is part of desktop.Hoverable.
func (l *LongPress) MouseIn(*desktop.MouseEvent) {}

// MouseMoved is part of desktop.Hoverable.
func (l *LongPress) MouseMoved(*desktop.MouseEvent) {}

// MouseOut cancels a press: the finger slid away.
func (l *LongPress) MouseOut() { l.pressedAt = time.Time{} }

// Check runs OnLongPress if the corner has been held for Hold.
func (l *LongPress) Check() {
	if l.pressedAt.IsZero() || l.now().Sub(l.pressedAt) < l.Hold {
		return
	}
	l.pressedAt = time.Time{}
	if l.OnLongPress != nil {
		l.OnLongPress()
	}
}

// CreateRenderer is part of fyne.Widget.
func (l *LongPress) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// cornerLayout puts the corner at the top left, a fingertip wide.
type cornerLayout struct{}

func (cornerLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	side := clamp(min(size.Width, size.Height)/12, 40, 72)
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSquareSize(side))
	}
}

func (cornerLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }
