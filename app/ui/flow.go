package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"passerelle/app/passerelle"
	"passerelle/app/session"
)

// perPage is the number of procedures on one page of the grid: no more
// than 4 choices on a screen, 2 with large text, so that their titles
// have the room of twice as large letters.
func (k *Kiosk) perPage() int {
	if k.LargeText {
		return 2
	}
	return 4
}

// showWelcome wipes the previous user and invites the next one, in every
// language of the catalog.
func (k *Kiosk) showWelcome() {
	k.reset()
	c := k.catalog.Load()
	if !hasProcedures(c) {
		k.showOutOfService(k.emptyReason())
		return
	}
	s := &Screen{Name: ScreenWelcome}
	var lines []string
	for _, l := range k.Offered(c) {
		s.Prompt = append(s.Prompt, prompt(l, phraseTouch))
		lines = append(lines, say(l, phraseTouch))
	}
	text := newFitText(strings.Join(lines, "\n"), headingSize(), headingFloor(), fyne.TextStyle{Bold: true}, fyne.TextAlignCenter)
	s.Start = NewTile("start", "", uiIcon("touch"), k.onStart)
	s.root = container.NewPadded(container.New(underLayout{share: 0.4, textMax: float32(len(lines)) * headingSize() * 1.6}, s.Start, text))
	k.show(s)
	k.releaseMemorySoon()
}

func (k *Kiosk) onStart() {
	k.touched()
	k.showLanguages()
}

// showLanguages offers the catalog's languages, each tile named in its
// own language and script, the way a person recognises their language.
func (k *Kiosk) showLanguages() {
	if !hasProcedures(k.catalog.Load()) {
		k.showOutOfService(k.emptyReason())
		return
	}
	s := &Screen{Name: ScreenLanguages}
	for _, l := range k.Offered(k.catalog.Load()) {
		lang, _ := passerelle.LookupLanguage(l)
		s.Prompt = append(s.Prompt, prompt(l, phraseChooseLanguage))
		// The name, large, in its own script is the tile's picture: it is
		// what tells one language from another at a glance.
		t := NewTile(string(l), lang.Native, nil, nil)
		t.labelSize = headingSize() * 1.6
		t.OnTapped = k.onPick(s, t, passerelle.Prompt{Text: lang.Native, Lang: l})
		s.Tiles = append(s.Tiles, t)
	}
	s.root = k.frame(s, "fr", grid(s.Tiles, "fr"))
	s.Back.Disable() // nothing before: "home" already goes to welcome
	k.show(s)
}

// onPick makes a tile speak and highlight: the first gesture. Choosing is
// the second one, on the green "next" control.
func (k *Kiosk) onPick(s *Screen, t *Tile, speak ...passerelle.Prompt) func() {
	t.choosable = true // its label turns bold when highlighted
	return func() {
		k.touched()
		s.select1(t)
		k.play(speak...)
	}
}

// showProcedures offers the procedures of the chosen language, 4 a page.
func (k *Kiosk) showProcedures() {
	lang := k.lang
	procs := k.catalog.Load().In(lang)
	perPage := k.perPage()
	pages := max(1, (len(procs)+perPage-1)/perPage)
	k.page = min(k.page, pages-1)
	if len(procs) == 0 {
		// A reload took away every procedure in this language (or all of
		// them): the person chooses again, or learns to ask at the desk.
		k.showLanguages()
		return
	}
	s := &Screen{Name: ScreenProcedures, Prompt: []passerelle.Prompt{k.hint(lang, phraseChooseProcedure)}}
	for _, p := range procs[k.page*perPage : min(len(procs), (k.page+1)*perPage)] {
		t := NewTile(p.ID, p.Title[lang], p.Pictogram.Data, nil)
		t.OnTapped = k.onPick(s, t, procedurePrompts(p, lang)...)
		s.Tiles = append(s.Tiles, t)
	}
	content := grid(s.Tiles, lang)
	if pages > 1 {
		s.PrevPage = NewTile("prev-page", "", arrow("page-prev", lang), func() { k.touched(); k.page--; k.showProcedures() })
		s.NextPage = NewTile("next-page", say(lang, phraseMore), arrow("page-next", lang), func() { k.touched(); k.page++; k.showProcedures() })
		if k.page == 0 {
			s.PrevPage.Disable()
		}
		if k.page == pages-1 {
			s.NextPage.Disable()
		}
		content = container.New(pagerLayout{rtl: rtl(lang)}, s.PrevPage, content, s.NextPage)
	}
	s.root = k.frame(s, lang, content)
	k.show(s)
}

// startSession begins the chosen procedure, pinned to this version.
func (k *Kiosk) startSession(p *passerelle.Procedure) {
	sess, err := session.Start(k.ctx, k.deps.Store, p, k.lang, k.deps.Now)
	if err != nil {
		k.saveFailed(err)
		return
	}
	k.session = sess
	k.showStep()
}

// showStep shows the session's current step.
func (k *Kiosk) showStep() {
	st := k.session.Step()
	lang := k.lang
	s := &Screen{Name: ScreenStep, StepID: st.ID, Prompt: []passerelle.Prompt{stepPrompt(st, lang)}}
	var body fyne.CanvasObject
	var aside fyne.CanvasObject // a handoff's phone number, beside or under the sentence
	side := float32(180)
	switch st.Kind {
	case passerelle.KindInfo:
		side = 300
	case passerelle.KindChoice:
		s.Prompt = append(s.Prompt, k.hint(lang, phraseChooseHint))
		for _, o := range st.Options {
			t := NewTile(o.ID, o.Label[lang], o.Pictogram.Data, nil)
			t.OnTapped = k.onPick(s, t, passerelle.Prompt{Text: o.Label[lang], Lang: lang})
			s.Tiles = append(s.Tiles, t)
		}
		body = grid(s.Tiles, lang)
	case passerelle.KindChecklist:
		for _, id := range st.Items {
			d := k.session.Proc.Documents[id]
			t := NewTile(id, d.Label[lang], d.Pictogram.Data, nil)
			t.OnTapped = func() {
				k.touched()
				t.SetTicked(!t.Ticked())
				k.play(passerelle.Prompt{Text: d.Label[lang], Lang: lang})
			}
			s.Tiles = append(s.Tiles, t)
		}
		body = grid(s.Tiles, lang)
	case passerelle.KindNumber:
		body = k.keypad(s, st.Number, lang)
		s.personal = st.Number.Personal
		side = 120
		if st.Number.Personal {
			// The keypad will not say the digits: the person must know
			// it is on purpose.
			s.Prompt = append(s.Prompt, prompt(lang, phraseDigitsSilent))
		}
	case passerelle.KindHandoff:
		side = 220
		if st.Phone != "" {
			phone := newFitText(st.Phone, 72, textFloor(), fyne.TextStyle{Bold: true, Monospace: true}, fyne.TextAlignCenter)
			phone.block.wrap = false // a number cut in two is misread
			body = headerWith(uiIcon("help"), phone, lang, 120)
		}
		if places := shownPlaces(k.catalog.Load(), k.session.Proc.ID, k.deps.Now()); len(places) > 0 {
			side = 160 // the places need the height
			aside = body
			body = k.placesBody(s, places, lang)
		}
	case passerelle.KindEnd:
		for _, id := range st.Bring {
			d := k.session.Proc.Documents[id]
			t := NewTile(id, d.Label[lang], d.Pictogram.Data, nil)
			t.OnTapped = func() { k.touched(); k.play(passerelle.Prompt{Text: d.Label[lang], Lang: lang}) }
			s.Tiles = append(s.Tiles, t)
		}
		if len(s.Tiles) > 0 {
			body = grid(s.Tiles, lang)
		}
		body = k.endBody(s, st, body, lang)
	}
	if st.Elsewhere {
		s.Prompt = append(s.Prompt, k.hint(lang, phraseTakeYourTime))
	}
	top := header(st.Pictogram.Data, st.Say[lang], lang, side)
	if aside != nil {
		top = container.New(asideLayout{rtl: rtl(lang)}, top, aside)
	}
	layout := stepLayout{headMax: side, rtl: rtl(lang)}
	var sketch fyne.CanvasObject
	if len(st.Screen.Data) > 0 {
		sketch, s.Sketch = newSketch(st.Screen.Data)
	}
	var content fyne.CanvasObject
	switch aspect := aspectOf(st.Screen.Data); {
	case sketch != nil && st.Kind == passerelle.KindNumber:
		// The keys need the height: the sketch takes the width the
		// keypad leaves.
		content = container.New(numberSketchLayout{headMax: side, rtl: rtl(lang), aspect: aspect}, top, body, sketch)
	case sketch != nil:
		// The sketch goes with the sentence, and the header grows to give
		// it room.
		top = container.New(sketchHeadLayout{rtl: rtl(lang), aspect: aspect}, top, sketch)
		layout.headMax, layout.headShare = side+200, 0.45
		fallthrough
	default:
		content = top
		if body != nil {
			content = container.New(layout, top, body)
		}
	}
	s.root = k.frame(s, lang, content)
	if _, ended := k.session.Ended(); ended {
		s.Back.Disable()
		s.Next.Label = say(lang, phraseDone)
		s.Next.picture = uiIcon("confirm")
	}
	k.show(s)
}

// keypad builds the keypad of a number step: the phone's 3×4 digits,
// and for a social security number a column with A and B (2A and 2B,
// Corsica), usable only where they may go.
func (k *Kiosk) keypad(s *Screen, rule *passerelle.NumberRule, lang passerelle.Lang) fyne.CanvasObject {
	s.Display = newDigits(rule)
	s.Keys = map[string]*Tile{}
	labels := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", ""}
	cols := 3
	if rule.Check == passerelle.CheckNIR {
		labels = []string{"1", "2", "3", "A", "4", "5", "6", "B", "7", "8", "9", "", "erase", "0", "", ""}
		cols = 4
	}
	var keys []fyne.CanvasObject
	for _, label := range labels {
		var t *Tile
		switch label {
		case "":
			keys = append(keys, layout.NewSpacer())
			continue
		case "erase":
			t = NewTile(label, "", uiIcon("erase"), nil)
		default:
			t = NewTile(label, label, nil, nil)
			t.labelSize = headingSize()
		}
		t.OnTapped = func() { k.onKey(s, rule, lang, t.ID) }
		s.Keys[label] = t
		keys = append(keys, t)
	}
	k.refreshKeys(s, rule)
	pad := container.NewGridWithColumns(cols, keys...)
	return container.New(keypadLayout{cols: cols}, s.Display, pad)
}

// refreshKeys enables the letter keys only where a letter may go.
func (k *Kiosk) refreshKeys(s *Screen, rule *passerelle.NumberRule) {
	for _, letter := range []string{"A", "B"} {
		if t := s.Keys[letter]; t != nil {
			if passerelle.CorsicaLetterAt(s.digits, rune(letter[0])) && len(s.digits) < rule.Max {
				t.Enable()
			} else {
				t.Disable()
			}
		}
	}
}

func (k *Kiosk) onKey(s *Screen, rule *passerelle.NumberRule, lang passerelle.Lang, key string) {
	k.touched()
	switch {
	case key == "erase":
		if s.digits != "" {
			s.digits = s.digits[:len(s.digits)-1]
		}
		k.play(prompt(lang, phraseErase))
	case len(s.digits) >= rule.Max:
		return // the boxes are full: nothing to say, nothing changes
	case key == "A" || key == "B":
		if !passerelle.CorsicaLetterAt(s.digits, rune(key[0])) {
			return // a disabled key: the tile ignores it already
		}
		fallthrough
	default:
		s.digits += key
		if rule.Personal {
			// In a public room the number is the person's own: say
			// where the character went, never the character.
			// In headphones, the character too: only the person hears it.
			speak := []passerelle.Prompt{positionPrompt(lang, key == "A" || key == "B", len(s.digits), rule)}
			if k.soundOutput().Headphones {
				speak = append(speak, passerelle.Prompt{Text: key, Lang: lang})
			}
			k.play(speak...)
		} else {
			k.play(passerelle.Prompt{Text: key, Lang: lang})
		}
	}
	s.Display.set(s.digits, digitsTyping)
	k.refreshKeys(s, rule)
}

// onNext is the green control: choose, continue, or finish.
func (k *Kiosk) onNext() {
	k.touched()
	if k.guarded() {
		return
	}
	s := k.screen
	switch s.Name {
	case ScreenLanguages:
		if s.selected == nil {
			k.play(s.Prompt...) // "choose your language", in each of them
			return
		}
		k.lang = passerelle.Lang(s.selected.ID)
		k.page = 0
		k.showProcedures()
		return
	case ScreenProcedures:
		if s.selected == nil {
			k.play(k.hint(k.lang, phraseChooseProcedure))
			return
		}
		if p, ok := k.catalog.Load().Procedure(s.selected.ID); ok {
			k.startSession(p)
			return
		}
		k.showProcedures() // a reload took it away: show what is left
		return
	case ScreenHelp:
		k.restore(s.under)
		return
	}
	if k.session == nil {
		return
	}
	if _, ended := k.session.Ended(); ended {
		k.showWelcome()
		return
	}
	var err error
	switch st := k.session.Step(); st.Kind {
	case passerelle.KindInfo:
		err = k.session.Next(k.ctx)
	case passerelle.KindChoice:
		if s.selected == nil {
			k.play(k.hint(k.lang, phraseChooseHint))
			return
		}
		err = k.session.Choose(k.ctx, s.selected.ID)
	case passerelle.KindChecklist:
		var have []string
		for _, t := range s.Tiles {
			if t.Ticked() {
				have = append(have, t.ID)
			}
		}
		err = k.session.Tick(k.ctx, have)
	case passerelle.KindNumber:
		err = k.session.Enter(k.ctx, s.digits)
		if errors.Is(err, session.ErrInvalidNumber) {
			// Too short: the empty boxes turn red. Complete but wrong (a
			// key or pattern that does not match): say it is not right
			// and how to check it.
			if st.Number.Fit(s.digits) == passerelle.NumberIncomplete {
				s.Display.set(s.digits, digitsIncomplete)
				k.play(prompt(k.lang, phraseNumberIncomplete))
			} else {
				s.Display.set(s.digits, digitsWrong)
				k.play(prompt(k.lang, phraseNumberWrong))
			}
			return
		}
	}
	if err != nil {
		k.saveFailed(err)
		return
	}
	k.showStep()
}

func (k *Kiosk) onBack() {
	k.touched()
	switch k.screen.Name {
	case ScreenLanguages:
		k.showWelcome()
	case ScreenProcedures:
		k.showLanguages()
	case ScreenStep:
		if !k.session.CanGoBack() {
			// Back from the first step leaves the procedure: ask first.
			k.askStop("back", func() {
				k.abandon()
				k.showProcedures()
			})
			return
		}
		if err := k.session.Back(k.ctx); err != nil {
			k.saveFailed(err)
			return
		}
		k.showStep()
	}
}

// onHome goes back to welcome. In the middle of a procedure it would
// lose the person's work: it asks first.
func (k *Kiosk) onHome() {
	k.touched()
	if k.sessionGoesOn() {
		k.askStop("home", func() {
			k.abandon()
			k.showWelcome()
		})
		return
	}
	k.showWelcome()
}

// sessionGoesOn reports whether a session is under way: there is work a
// control could lose.
func (k *Kiosk) sessionGoesOn() bool {
	if k.session == nil {
		return false
	}
	_, ended := k.session.Ended()
	return !ended
}

// abandon ends the session: the person chose to stop.
func (k *Kiosk) abandon() {
	if err := k.session.Abandon(k.ctx); err != nil {
		k.deps.Logger.Error("kiosk: save an abandoned session", "err", err)
	}
	k.session = nil
}

// askStop asks "stop this procedure?", spoken, with two big answers: yes
// runs stop; no gives back the screen as it was, typed digits and the
// highlighted answer kept. control ("home", "back") is recorded with the
// question, and either answer after it.
func (k *Kiosk) askStop(control string, stop func()) {
	if err := k.session.StopAsked(k.ctx, control); err != nil {
		k.deps.Logger.Error("kiosk: save a stop question", "err", err)
	}
	lang := k.lang
	s := &Screen{Name: ScreenStop, Prompt: []passerelle.Prompt{k.hint(lang, phraseStopQuestion)}, under: k.screen, onStop: stop}
	// Both answers ignore the second half of a double tap on the control
	// that asked: stopping takes two gestures.
	s.Yes = NewTile("yes", say(lang, phraseStopYes), uiIcon("confirm"), func() {
		k.touched()
		if !k.guarded() {
			s.onStop()
		}
	})
	s.No = NewTile("no", say(lang, phraseStopNo), uiIcon("no"), func() {
		k.touched()
		if k.guarded() {
			return
		}
		if err := k.session.StopCancelled(k.ctx); err != nil {
			k.deps.Logger.Error("kiosk: save a stop cancelled", "err", err)
		}
		k.restore(s.under)
	})
	for _, t := range []*Tile{s.Yes, s.No} {
		t.labelShare = 0.3
		t.labelSize = textSize()
	}
	q := header(uiIcon("stop-question"), k.hint(lang, phraseStopQuestion).Text, lang, 200)
	answers := grid([]*Tile{s.Yes, s.No}, lang)
	s.root = container.NewPadded(container.New(stepLayout{headMax: 200, rtl: rtl(lang)}, q, answers))
	k.show(s)
}

// onListen says the screen's prompt again. On a step it is recorded,
// unless the session has ended: a session's log ends with its end.
func (k *Kiosk) onListen() {
	k.touched()
	k.play(k.screen.Prompt...)
	if k.sessionGoesOn() && k.screen.Name == ScreenStep {
		if err := k.session.Replayed(k.ctx); err != nil {
			k.deps.Logger.Error("kiosk: save a replay", "err", err)
		}
	}
}

// showStillThere asks whether the user is still there.
func (k *Kiosk) showStillThere() {
	lang := k.lang
	if lang == "" {
		lang = "fr"
	}
	s := &Screen{Name: ScreenStillThere, Prompt: []passerelle.Prompt{k.hint(lang, phraseStillThere)}, under: k.screen}
	s.Yes = NewTile("yes", say(lang, phraseYes), uiIcon("confirm"), func() { k.touched(); k.restore(s.under) })
	s.Yes.primary = true
	q := header(uiIcon("still-there"), k.hint(lang, phraseStillThere).Text, lang, 200)
	s.root = container.NewPadded(container.New(stepLayout{headMax: 200, rtl: rtl(lang)}, q, s.Yes))
	asked := k.askedAt
	k.show(s)
	k.askedAt = asked // show resets it: the question is still pending
}

// restore puts back the screen an overlay covered, as the user left it.
func (k *Kiosk) restore(s *Screen) {
	if s == nil {
		k.showWelcome()
		return
	}
	k.show(s)
}

// saveFailed tells the user, by pictogram and voice, to call a person: the
// answer was not saved, so the screen does not move on.
func (k *Kiosk) saveFailed(err error) {
	k.deps.Logger.Error("kiosk: an answer could not be saved; the user stays on the screen", "err", err)
	lang := k.lang
	if lang == "" {
		lang = "fr"
	}
	k.play(prompt(lang, phraseSaveFailed))
	msg := newSentence(say(lang, phraseSaveFailed), lang)
	msg.block.color = colorError
	if k.screen.banner != nil {
		k.screen.banner.Objects = []fyne.CanvasObject{headerWith(uiIcon("error"), msg, lang, 96)}
		k.screen.root.Refresh() // the frame makes room for the banner
	}
}
