package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"passerelle/app/passerelle"
	"passerelle/app/session"
)

// perPage is the number of procedures on one page of the grid: no more
// than 4 choices on a screen.
const perPage = 4

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
	for _, l := range c.Langs() {
		s.Prompt = append(s.Prompt, prompt(l, phraseTouch))
		lines = append(lines, say(l, phraseTouch))
	}
	text := newFitText(strings.Join(lines, "\n"), headingSize, fyne.TextStyle{Bold: true}, fyne.TextAlignCenter)
	s.Start = NewTile("start", "", uiIcon("touch"), k.onStart)
	s.root = container.NewPadded(container.New(underLayout{share: 0.4, textMax: float32(len(lines)) * headingSize * 1.6}, s.Start, text))
	k.show(s)
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
	for _, l := range k.catalog.Load().Langs() {
		lang, _ := passerelle.LookupLanguage(l)
		s.Prompt = append(s.Prompt, prompt(l, phraseChooseLanguage))
		// The name, large, in its own script is the tile's picture: it is
		// what tells one language from another at a glance.
		t := NewTile(string(l), lang.Native, nil, nil)
		t.labelSize = 64
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
	pages := max(1, (len(procs)+perPage-1)/perPage)
	k.page = min(k.page, pages-1)
	if len(procs) == 0 {
		// A reload took away every procedure in this language (or all of
		// them): the person chooses again, or learns to ask at the desk.
		k.showLanguages()
		return
	}
	s := &Screen{Name: ScreenProcedures, Prompt: []passerelle.Prompt{prompt(lang, phraseChooseProcedure)}}
	for _, p := range procs[k.page*perPage : min(len(procs), (k.page+1)*perPage)] {
		t := NewTile(p.ID, p.Title[lang], p.Pictogram.Data, nil)
		t.OnTapped = k.onPick(s, t, procedurePrompts(p, lang)...)
		s.Tiles = append(s.Tiles, t)
	}
	content := grid(s.Tiles, lang)
	if pages > 1 {
		s.PrevPage = NewTile("prev-page", "", uiIcon("page-prev"), func() { k.touched(); k.page--; k.showProcedures() })
		s.NextPage = NewTile("next-page", say(lang, phraseMore), uiIcon("page-next"), func() { k.touched(); k.page++; k.showProcedures() })
		if k.page == 0 {
			s.PrevPage.Disable()
		}
		if k.page == pages-1 {
			s.NextPage.Disable()
		}
		content = container.New(pagerLayout{}, s.PrevPage, content, s.NextPage)
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
	side := float32(180)
	switch st.Kind {
	case passerelle.KindInfo:
		side = 300
	case passerelle.KindChoice:
		s.Prompt = append(s.Prompt, prompt(lang, phraseChooseHint))
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
		side = 120
	case passerelle.KindHandoff:
		side = 220
		if st.Phone != "" {
			phone := newFitText(st.Phone, 72, fyne.TextStyle{Bold: true, Monospace: true}, fyne.TextAlignCenter)
			phone.block.wrap = false // a number cut in two is misread
			body = headerWith(uiIcon("help"), phone, lang, 120)
		}
	case passerelle.KindEnd:
		for _, id := range st.Bring {
			d := k.session.Proc.Documents[id]
			t := NewTile(id, d.Label[lang], d.Pictogram.Data, nil)
			t.OnTapped = func() { k.touched(); k.play(passerelle.Prompt{Text: d.Label[lang], Lang: lang}) }
			s.Tiles = append(s.Tiles, t)
		}
		body = grid(s.Tiles, lang)
	}
	top := header(st.Pictogram.Data, st.Say[lang], lang, side)
	var content fyne.CanvasObject = top
	if body != nil {
		content = container.New(stepLayout{headMax: side, rtl: rtl(lang)}, top, body)
	}
	s.root = k.frame(s, lang, content)
	if _, ended := k.session.Ended(); ended {
		s.Back.Disable()
		s.Next.Label = say(lang, phraseDone)
		s.Next.picture = uiIcon("confirm")
	}
	k.show(s)
}

// keypad builds the digits keypad of a number step.
func (k *Kiosk) keypad(s *Screen, rule *passerelle.NumberRule, lang passerelle.Lang) fyne.CanvasObject {
	s.Display = canvas.NewText(displayDigits("", rule.Max), colorForeground)
	s.Display.TextSize = 56
	s.Display.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	s.Display.Alignment = fyne.TextAlignCenter
	s.Keys = map[string]*Tile{}
	var keys []fyne.CanvasObject
	for _, label := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0"} {
		var t *Tile
		if label == "erase" {
			t = NewTile(label, "", uiIcon("erase"), nil)
		} else {
			t = NewTile(label, label, nil, nil)
			t.labelSize = headingSize
		}
		t.OnTapped = func() { k.onKey(s, rule, lang, t.ID) }
		s.Keys[label] = t
		keys = append(keys, t)
	}
	pad := container.NewGridWithColumns(3, keys...)
	box := canvas.NewRectangle(colorBackground)
	box.StrokeColor = colorForeground
	box.StrokeWidth = 3
	box.CornerRadius = 12
	return container.New(keypadLayout{}, container.New(displayLayout{}, box, s.Display), pad)
}

func (k *Kiosk) onKey(s *Screen, rule *passerelle.NumberRule, lang passerelle.Lang, key string) {
	k.touched()
	if key == "erase" {
		if s.digits != "" {
			s.digits = s.digits[:len(s.digits)-1]
		}
		k.play(prompt(lang, phraseErase))
	} else if len(s.digits) < rule.Max {
		s.digits += key
		k.play(passerelle.Prompt{Text: key, Lang: lang})
	}
	s.Display.Text = displayDigits(s.digits, rule.Max)
	s.Display.Color = colorForeground
	s.Display.Refresh()
}

// displayDigits shows typed digits in groups of 3, with a mark for each
// digit still to type: a person who cannot read can still count.
func displayDigits(digits string, max int) string {
	var b strings.Builder
	for i := range max {
		if i > 0 && i%3 == 0 {
			b.WriteByte(' ')
		}
		if i < len(digits) {
			b.WriteByte(digits[i])
		} else {
			b.WriteString("_")
		}
	}
	return b.String()
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
			k.play(prompt(k.lang, phraseChooseProcedure))
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
			k.play(prompt(k.lang, phraseChooseHint))
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
			s.Display.Color = colorError
			s.Display.Refresh()
			k.play(prompt(k.lang, phraseNumberIncomplete))
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
			if err := k.session.Abandon(k.ctx); err != nil {
				k.deps.Logger.Error("kiosk: save an abandoned session", "err", err)
			}
			k.session = nil
			k.showProcedures()
			return
		}
		if err := k.session.Back(k.ctx); err != nil {
			k.saveFailed(err)
			return
		}
		k.showStep()
	}
}

func (k *Kiosk) onHome() {
	k.touched()
	if k.session != nil {
		if err := k.session.Abandon(k.ctx); err != nil {
			k.deps.Logger.Error("kiosk: save an abandoned session", "err", err)
		}
	}
	k.showWelcome()
}

func (k *Kiosk) onListen() {
	k.touched()
	k.play(k.screen.Prompt...)
	if k.session != nil && k.screen.Name == ScreenStep {
		if err := k.session.Replayed(k.ctx); err != nil {
			k.deps.Logger.Error("kiosk: save a replay", "err", err)
		}
	}
}

// onHelp calls a mediator: it is recorded, and staff hear and see it.
func (k *Kiosk) onHelp() {
	k.touched()
	lang := k.lang
	if lang == "" {
		lang = "fr"
	}
	if k.session != nil {
		if err := k.session.HelpAsked(k.ctx); err != nil {
			k.deps.Logger.Error("kiosk: save a help request", "err", err)
		}
	}
	k.deps.Logger.Warn("kiosk: a user asks for help", "screen", k.screen.Name, "step", k.screen.StepID)
	s := &Screen{Name: ScreenHelp, Prompt: []passerelle.Prompt{prompt(lang, phraseMediatorComing)}, under: k.screen}
	s.root = k.frame(s, lang, header(uiIcon("mediator"), say(lang, phraseMediatorComing), lang, 300))
	s.Help.Disable()
	s.Back.Disable()
	k.show(s)
}

// showStillThere asks whether the user is still there.
func (k *Kiosk) showStillThere() {
	lang := k.lang
	if lang == "" {
		lang = "fr"
	}
	s := &Screen{Name: ScreenStillThere, Prompt: []passerelle.Prompt{prompt(lang, phraseStillThere)}, under: k.screen}
	s.Yes = NewTile("yes", say(lang, phraseYes), uiIcon("confirm"), func() { k.touched(); k.restore(s.under) })
	s.Yes.primary = true
	q := header(uiIcon("still-there"), say(lang, phraseStillThere), lang, 200)
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
