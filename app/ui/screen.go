package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/passerelle"
)

// The names of the screens.
const (
	ScreenWelcome    = "welcome"
	ScreenLanguages  = "languages"
	ScreenProcedures = "procedures"
	ScreenStep       = "step"
	ScreenStillThere = "still-there"
	ScreenHelp       = "help"
)

// Screen is what the kiosk shows, with its controls by name, so that the
// kiosk and its tests reach them without walking the widget tree.
type Screen struct {
	Name   string
	StepID string
	Prompt []passerelle.Prompt

	// Tiles are the things to choose or tick, in order: languages,
	// procedures, options, documents.
	Tiles []*Tile
	// Keys is the keypad of a number step: "0" to "9" and "erase".
	Keys map[string]*Tile
	// Display shows the digits typed on the keypad.
	Display *canvas.Text

	// The bottom bar, at the same place on every screen but welcome.
	Home, Back, Listen, Help, Next *Tile
	// Paging of the procedure grid.
	PrevPage, NextPage *Tile
	// Start covers the welcome screen; Yes answers "are you still there?".
	Start, Yes *Tile

	root     fyne.CanvasObject
	banner   *fyne.Container // where a "the kiosk has a problem" message appears
	selected *Tile
	digits   string
	under    *Screen // the screen an overlay (help, still there) covers
}

// Tile returns the choice tile with the given id, or nil.
func (s *Screen) Tile(id string) *Tile {
	for _, t := range s.Tiles {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// select1 highlights one tile among the screen's tiles.
func (s *Screen) select1(t *Tile) {
	for _, other := range s.Tiles {
		other.SetSelected(other == t)
	}
	s.selected = t
}

// bar builds the bottom bar of controls for lang.
func (k *Kiosk) bar(s *Screen, lang passerelle.Lang) fyne.CanvasObject {
	s.Home = NewTile("home", say(lang, phraseHome), uiIcon("home"), k.onHome)
	s.Back = NewTile("back", say(lang, phraseBack), uiIcon("back"), k.onBack)
	s.Listen = NewTile("listen", say(lang, phraseListen), uiIcon("replay"), k.onListen)
	s.Help = NewTile("help", say(lang, phraseHelp), uiIcon("help"), k.onHelp)
	s.Next = NewTile("next", say(lang, phraseNext), uiIcon("next"), k.onNext)
	s.Next.primary = true
	for _, t := range []*Tile{s.Home, s.Back, s.Listen, s.Help, s.Next} {
		t.minSide = barHeight
	}
	return container.NewGridWithColumns(5, s.Home, s.Back, s.Listen, s.Help, s.Next)
}

// barHeight leaves room for the pictogram and its label on each control.
const barHeight = 120

// frame puts content above the bottom bar, under an empty banner slot.
func (k *Kiosk) frame(s *Screen, lang passerelle.Lang, content fyne.CanvasObject) fyne.CanvasObject {
	s.banner = container.NewVBox()
	return container.NewBorder(s.banner, k.bar(s, lang), nil, nil, container.NewPadded(content))
}

// header is a step's pictogram beside its sentence.
func header(pic []byte, text string, lang passerelle.Lang, side float32) fyne.CanvasObject {
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	label.TextStyle = fyne.TextStyle{Bold: true}
	if l, _ := passerelle.LookupLanguage(lang); l.RTL {
		label.Alignment = fyne.TextAlignTrailing
	}
	img := container.NewGridWrap(fyne.NewSquareSize(side), picture(pic))
	return container.NewBorder(nil, nil, container.NewCenter(img), nil, container.NewVBox(layout.NewSpacer(), label, layout.NewSpacer()))
}

// grid lays out 1 to 4 tiles (or up to 6 documents) in rows of at most 3,
// 2 by 2 for four: big targets, no scrolling.
func grid(tiles []*Tile) fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(tiles))
	for i, t := range tiles {
		objs[i] = t
	}
	cols := len(tiles)
	switch {
	case cols == 4:
		cols = 2
	case cols > 3:
		cols = 3
	case cols == 0:
		cols = 1
	}
	return container.NewGridWithColumns(cols, objs...)
}
