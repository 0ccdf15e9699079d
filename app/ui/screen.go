package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

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
	// ScreenStop asks "stop this procedure?" before a control loses the
	// session: home, or back on the first step.
	ScreenStop = "stop"
	// ScreenOutOfService asks users to go to the desk: the catalog has no
	// procedure, or (shown by ShowOutOfService) the kiosk cannot start.
	ScreenOutOfService = "out-of-service"
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
	// Keys is the keypad of a number step: "0" to "9" and "erase", and
	// "A" and "B" for a social security number (Corsica's 2A and 2B).
	Keys map[string]*Tile
	// Display shows the digits typed on the keypad, a box for each.
	Display *Digits
	// Sketch is the drawing of what to look for on the other screen, when
	// the step has one.
	Sketch *canvas.Raster
	// Places are the help places of a handoff step, open ones first.
	Places []*PlaceCard
	// QR is the end screen's code carrying the summary; Print prints the
	// summary, when the kiosk has a printer.
	QR    *QRCode
	Print *Tile

	// The bottom bar, at the same place on every screen but welcome.
	Home, Back, Listen, Volume, Help, Next *Tile
	// Paging of the procedure grid.
	PrevPage, NextPage *Tile
	// Start covers the welcome screen; Yes answers "are you still there?"
	// and, with No, "stop this procedure?".
	Start, Yes, No *Tile
	// Wait and GoOn answer "a person is coming": wait here, or go on.
	Wait, GoOn *Tile
	// Sign is the whole out-of-service screen: touching it says the
	// sentence again.
	Sign *Tile

	root     fyne.CanvasObject
	banner   *fyne.Container // where a "the kiosk has a problem" message appears
	selected *Tile
	digits   string
	under    *Screen // the screen an overlay (help, still there, stop) covers
	onStop   func()  // what "yes" does on the stop question

	personal  bool      // the keypad types a personal number (privacy.go)
	focus     focusable // where the keys' focus ring is (keys.go)
	keysHeard bool      // the first key on the screen said how keys work
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

// Controls returns every tile of the screen a user can touch: choices,
// keys (in keypad order), the bar, paging, start, yes, the out-of-service
// sign.
func (s *Screen) Controls() []*Tile {
	all := append([]*Tile{}, s.Tiles...)
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "A", "B"} {
		all = append(all, s.Keys[k])
	}
	all = append(all, s.Print, s.Home, s.Back, s.Listen, s.Volume, s.Help, s.Next, s.PrevPage, s.NextPage, s.Start, s.Yes, s.No, s.Wait, s.GoOn, s.Sign)
	var controls []*Tile
	for _, t := range all {
		if t != nil {
			controls = append(controls, t)
		}
	}
	return controls
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
	s.Back = NewTile("back", say(lang, phraseBack), arrow("back", lang), k.onBack)
	s.Listen = NewTile("listen", say(lang, phraseListen), uiIcon("replay"), k.onListen)
	s.Volume = NewTile("volume", say(lang, phraseVolume), uiIcon("volume"), func() { k.changeVolume(1, true) })
	s.Help = NewTile("help", say(lang, phraseHelp), uiIcon("help"), k.onHelp)
	s.Next = NewTile("next", say(lang, phraseNext), arrow("next", lang), k.onNext)
	s.Next.primary = true
	for _, t := range []*Tile{s.Home, s.Back, s.Listen, s.Help, s.Next} {
		t.labelShare = 0.4 // a label of 4.8 mm fits a bar of 130 units
	}
	if rtl(lang) { // next on the side the language reads towards
		return container.NewGridWithColumns(6, s.Next, s.Help, s.Volume, s.Listen, s.Back, s.Home)
	}
	return container.NewGridWithColumns(6, s.Home, s.Back, s.Listen, s.Volume, s.Help, s.Next)
}

// frame puts content above the bottom bar, under an empty banner slot.
func (k *Kiosk) frame(s *Screen, lang passerelle.Lang, content fyne.CanvasObject) fyne.CanvasObject {
	s.banner = container.NewStack()
	return container.New(frameLayout{}, s.banner, content, k.bar(s, lang))
}

// header is a step's pictogram beside its sentence; the pictogram is at
// most side, the sentence wraps and shrinks to the space left.
func header(pic []byte, text string, lang passerelle.Lang, side float32) fyne.CanvasObject {
	return headerWith(pic, newSentence(text, lang), lang, side)
}

// headerWith is a pictogram beside any text.
func headerWith(pic []byte, text fyne.CanvasObject, lang passerelle.Lang, side float32) fyne.CanvasObject {
	return container.New(headerLayout{maxSide: side, rtl: rtl(lang)}, picture(pic), text)
}

// rtl reports whether lang is written right to left.
func rtl(lang passerelle.Lang) bool {
	l, _ := passerelle.LookupLanguage(lang)
	return l.RTL
}

// newSentence is a sentence of the kiosk in lang: bold, aligned to the
// side the language reads from.
func newSentence(text string, lang passerelle.Lang) *fitText {
	align := fyne.TextAlignLeading
	if rtl(lang) {
		align = fyne.TextAlignTrailing
	}
	return newFitText(text, textSize(), textFloor(), fyne.TextStyle{Bold: true}, align)
}

// grid lays out 1 to 6 tiles as big as the space allows, in the reading
// direction of lang: big targets, no scrolling.
func grid(tiles []*Tile, lang passerelle.Lang) fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(tiles))
	for i, t := range tiles {
		objs[i] = t
	}
	return container.New(tileGrid{rtl: rtl(lang)}, objs...)
}
