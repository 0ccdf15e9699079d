package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"passerelle/app/passerelle"
)

// keyAction is what a key does, whatever keyboard or keypad sent it: a
// person who cannot see or touch the screen moves a focus ring over the
// controls, hears each one named, and acts on it.
type keyAction int

const (
	keyNone     keyAction = iota
	keyPrevious           // the focus goes to the control before
	keyNext               // the focus goes to the control after
	keySelect             // the focused control acts, as if touched
	keyListen             // the screen's prompt again, as the listen control
)

// keyActions maps keys to actions. A 4-key keypad for blind users sends
// one key of each row (the README's "Using the kiosk" has the table);
// a full keyboard has them all. Left and right swap for a language
// written right to left, where the grid runs right to left.
var keyActions = map[fyne.KeyName]keyAction{
	fyne.KeyLeft: keyPrevious, fyne.KeyUp: keyPrevious, fyne.KeyPageUp: keyPrevious,
	fyne.KeyRight: keyNext, fyne.KeyDown: keyNext, fyne.KeyPageDown: keyNext, fyne.KeyTab: keyNext,
	fyne.KeyReturn: keySelect, fyne.KeyEnter: keySelect, fyne.KeySpace: keySelect,
	fyne.KeyF1: keyListen,
}

// listenKeys hooks the kiosk's keys on the window's canvas: they reach
// it whenever no widget has Fyne's focus, which in the user's screens is
// always (staff mode's fields take the keys while it is open).
func (k *Kiosk) listenKeys() {
	c := k.win.Canvas()
	c.SetOnTypedKey(k.typedKey)
	// The desktop driver gives Tab to its own focus chain and never to
	// OnTypedKey; key down sees it.
	if dc, ok := c.(desktop.Canvas); ok {
		// Key down comes once a press, where typed keys repeat while a
		// key is held: a held switch must act once.
		k.keyDown = true
		dc.SetOnKeyDown(func(ev *fyne.KeyEvent) {
			switch {
			case k.Scanning && k.staff == nil:
				k.switchPressed()
			case ev.Name == fyne.KeyTab:
				k.typedKey(ev)
			}
		})
	}
}

// shifted reports whether a shift key is down, which turns Tab back.
func shifted() bool {
	d, ok := fyne.CurrentApp().Driver().(desktop.Driver)
	return ok && d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
}

// typedKey turns a key into its action on the screen on show.
func (k *Kiosk) typedKey(ev *fyne.KeyEvent) {
	if k.staff != nil || k.screen == nil {
		return
	}
	if k.Scanning {
		if !k.keyDown { // a desktop's switch is taken at key down
			k.switchPressed()
		}
		return
	}
	k.keysUsed = true
	if k.screen.Name == ScreenStillThere {
		// "Press any key": the person is there.
		k.touched()
		k.restore(k.screen.under)
		return
	}
	switch ev.Name {
	case fyne.KeyPlus, fyne.KeyEqual: // "+": the keypad's, or the main row's (shift =)
		k.changeVolume(1, false)
		return
	case fyne.KeyMinus:
		k.changeVolume(-1, false)
		return
	}
	if t := k.typedOnKeypad(ev.Name); t != nil {
		t.act()
		return
	}
	act := keyActions[ev.Name]
	switch {
	case ev.Name == fyne.KeyTab && shifted():
		act = keyPrevious
	case (ev.Name == fyne.KeyLeft || ev.Name == fyne.KeyRight) && rtl(k.lang):
		act = keyPrevious + keyNext - act
	}
	if act == keyNone {
		return
	}
	k.keyAct(k.screen, act)
}

// typedOnKeypad is the key of a number step's keypad a keyboard key
// stands for: a digit (either keyboard's), A or B, Backspace for erase.
// The keypad tile does the rest, disabled or not, said or not.
func (k *Kiosk) typedOnKeypad(name fyne.KeyName) *Tile {
	if k.screen.Keys == nil {
		return nil
	}
	if name == fyne.KeyBackspace {
		return k.screen.Keys["erase"]
	}
	if len(name) == 1 && (name >= fyne.Key0 && name <= fyne.Key9 || name == fyne.KeyA || name == fyne.KeyB) {
		return k.screen.Keys[string(name)]
	}
	return nil
}

// keyAct does act on screen s. Keys follow the rule touches follow: a
// choice says itself and lights up at the first press of select, and
// only the green arrow, reached and selected, moves on.
func (k *Kiosk) keyAct(s *Screen, act keyAction) {
	k.touched()
	if act == keyListen {
		k.onListen()
		return
	}
	if act == keySelect && s.focus != nil {
		s.focus.act() // a disabled tile ignores it
		return
	}
	// A first press of select, with nothing focused yet, only shows where
	// the focus is: acting on an unheard control would be a guess.
	step := 1
	if act == keyPrevious {
		step = -1
	}
	to := s.moveFocus(step)
	if to == nil {
		return
	}
	speak := k.spokenName(s, to)
	if !s.keysHeard {
		// The first key on a screen: how many controls, how to move. The
		// name comes first, so a person who knows already moves on at once.
		s.keysHeard = true
		lang := k.speechLang()
		speak = append(speak, prompt(lang, phraseKeysCount), passerelle.Prompt{Text: strconv.Itoa(enabledCount(focusOrder(s))), Lang: lang}, prompt(lang, phraseKeysHow))
		if k.keysPrivate(s) {
			speak = append(speak, prompt(lang, phraseKeysPrivate))
		}
	}
	k.play(speak...)
}

// moveFocus puts the ring on the next enabled control going by step
// (1 or -1), round the ends, and returns it; nil when there is none.
// From nothing, 1 reaches the first control and -1 the green arrow.
func (s *Screen) moveFocus(step int) focusable {
	order := focusOrder(s)
	at := -1
	for i, t := range order {
		if t == s.focus {
			at = i
		}
	}
	if at < 0 && step < 0 {
		at = len(order)
	}
	to := nextEnabled(order, at, step)
	if to == nil {
		return nil
	}
	if s.focus != nil {
		s.focus.setFocused(false)
	}
	s.focus = to
	to.setFocused(true)
	return to
}

// nextEnabled returns the first enabled tile after index at going by
// step, round the end of the list, or nil when every tile is disabled.
func nextEnabled(order []focusable, at, step int) focusable {
	n := len(order)
	for i := 1; i <= n; i++ {
		t := order[((at+step*i)%n+n)%n]
		if !t.Disabled() {
			return t
		}
	}
	return nil
}

func enabledCount(order []focusable) int {
	n := 0
	for _, t := range order {
		if !t.Disabled() {
			n++
		}
	}
	return n
}

// keypadOrder is the keys of a number step as they are drawn, row by row.
var keypadOrder = []string{"1", "2", "3", "A", "4", "5", "6", "B", "7", "8", "9", "erase", "0"}

// focusOrder is the screen's controls in the order the keys visit them:
// the order they are read in, the screen's content first and the bottom
// bar last, so that "previous" from nothing reaches the green arrow.
func focusOrder(s *Screen) []focusable {
	tiles := []*Tile{s.Start, s.Sign, s.Yes, s.No, s.Wait, s.GoOn, s.PrevPage}
	tiles = append(tiles, s.Tiles...)
	tiles = append(tiles, s.NextPage)
	for _, key := range keypadOrder {
		tiles = append(tiles, s.Keys[key])
	}
	var order []focusable
	add := func(tiles ...*Tile) {
		for _, t := range tiles {
			if t != nil { // a nil *Tile would be a non-nil focusable
				order = append(order, t)
			}
		}
	}
	add(tiles...)
	for _, c := range s.Places {
		order = append(order, c)
	}
	add(s.Print, s.Home, s.Back, s.Listen, s.Volume, s.Help, s.Next)
	return order
}

// speechLang is the language the kiosk speaks its own phrases in now:
// the user's; on the language screen, the one highlighted, which the
// person just heard and is about to confirm; before that, French (the
// bar of the language screen is in French too).
func (k *Kiosk) speechLang() passerelle.Lang {
	switch s := k.screen; {
	case k.lang != "":
		return k.lang
	case s != nil && s.Name == ScreenLanguages && s.selected != nil:
		return passerelle.Lang(s.selected.ID)
	}
	return "fr"
}

// spokenName is what the kiosk says when the focus reaches f: a tile's
// label, in the language it is written in, or for a control without
// one, what it does; a help place's card, what touching it says.
func (k *Kiosk) spokenName(s *Screen, f focusable) []passerelle.Prompt {
	lang := k.speechLang()
	if c, ok := f.(*PlaceCard); ok {
		return []passerelle.Prompt{placePrompt(lang, placeNow{c.Place, c.Open})}
	}
	t := f.(*Tile)
	switch {
	case t == s.Start || t == s.Sign:
		return s.Prompt // a whole screen, in every language
	case s.Name == ScreenLanguages && s.Tile(t.ID) == t:
		return []passerelle.Prompt{{Text: t.Label, Lang: passerelle.Lang(t.ID)}}
	case s.Name == ScreenLanguages:
		// The bar is written in French here, but speaks the language
		// highlighted: its names, not its labels.
		bar := map[*Tile]phrase{s.Home: phraseHome, s.Back: phraseBack, s.Listen: phraseListen, s.Volume: phraseVolume, s.Help: phraseHelp, s.Next: phraseNext}
		if p, ok := bar[t]; ok {
			return []passerelle.Prompt{prompt(lang, p)}
		}
	case s.Keys[t.ID] == t && t.ID != "erase" && k.keysPrivate(s):
		return []passerelle.Prompt{prompt(lang, phraseKeyPrivate)}
	case t.ID == "erase" && s.Keys["erase"] == t:
		return []passerelle.Prompt{prompt(lang, phraseEraseKey)}
	case t == s.PrevPage:
		return []passerelle.Prompt{prompt(lang, phrasePreviousPage)}
	}
	return []passerelle.Prompt{{Text: t.Label, Lang: lang}}
}

// keySpeech is what the keys may say of a catalog beyond what touches
// say, rendered ahead of time: the procedures' titles alone.
func keySpeech(c *passerelle.Catalog) []passerelle.Prompt {
	var prompts []passerelle.Prompt
	for _, p := range c.Procedures {
		for _, l := range p.Langs {
			prompts = append(prompts, passerelle.Prompt{Text: p.Title[l], Lang: l})
		}
	}
	return prompts
}
