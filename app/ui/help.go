package ui

import (
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/passerelle"
)

// HelpWait is how long a session with an open help call may stay
// untouched before the kiosk asks "are you still there?". A mediator
// busy with another person at the desk can take a quarter of an hour:
// the person who was told "someone is coming" must not find their
// procedure wiped meanwhile. It still ends: after 20 minutes untouched
// the person has most likely gone, and the next walk-in must not find
// someone else's half-done procedure. The call itself stays open, and
// the desk signal on, until staff mark it handled.
const HelpWait = 20 * time.Minute

// helpCallsShown is how far back open calls keep the desk signal on and
// fill the staff list: a call forgotten yesterday must not light today's.
const helpCallsShown = 12 * time.Hour

// signalHeight is the desk signal's height: its colour across the whole
// width is what the desk sees, so it can be thin, and the keypad of a
// number step on an 800×480 screen keeps keys big enough to touch.
const signalHeight = 32

// signalColor is the desk signal's band: a calm blue, not a warning
// colour, so the person waiting does not think something went wrong.
var signalColor = color.NRGBA{R: 0xDC, G: 0xEB, B: 0xFA, A: 0xFF}

// onHelp calls a mediator: it is recorded, the desk signal comes on, and
// the person hears and sees that someone is coming.
func (k *Kiosk) onHelp() {
	k.touched()
	lang := k.lang
	if lang == "" {
		lang = "fr"
	}
	if k.sessionGoesOn() {
		if err := k.session.HelpAsked(k.ctx); err != nil {
			k.deps.Logger.Error("kiosk: save a help request", "err", err)
		} else {
			k.notifyHelp(k.sessionCall())
		}
	} else {
		k.callOutsideSession()
	}
	k.deps.Logger.Warn("kiosk: a user asks for help", "screen", k.screen.Name, "step", k.screen.StepID)
	k.refreshHelpCalls()
	k.showHelpComing(lang, k.screen)
}

// callOutsideSession records a call made before a procedure started or
// after it ended: the person was told someone is coming, so staff must
// see it. It is a session of its own (a help_asked alone, Seq 1), so a
// finished session's log still ends with its end. While the last such
// call is open, another touch adds nothing: the signal is on already.
func (k *Kiosk) callOutsideSession() {
	if k.deps.Help == nil {
		return
	}
	for _, c := range k.openCalls {
		if c.SessionID == k.loneCall {
			return
		}
	}
	now := k.deps.Now()
	e := passerelle.Event{ID: passerelle.NewID(now), SessionID: passerelle.NewID(now), Seq: 1,
		Kind: passerelle.EventHelpAsked, At: now, StepID: k.screen.Name}
	if k.session != nil { // ended: the call is about its procedure
		e.ProcedureID, e.ProcedureVersion, e.StepID = k.session.Proc.ID, k.session.Proc.Version, k.session.Step().ID
	}
	if err := k.deps.Store.Append(k.ctx, e); err != nil {
		k.deps.Logger.Error("kiosk: save a help request", "err", err)
		return
	}
	k.loneCall = e.SessionID
	k.notifyHelp(passerelle.HelpCall{SessionID: e.SessionID, ProcedureID: e.ProcedureID,
		ProcedureVersion: e.ProcedureVersion, StepID: e.StepID, AskedAt: now})
}

// showHelpComing says someone is coming, by pictogram and voice, and
// offers two big choices: wait here (the screen stays, and says it
// again), or go on with the procedure where it was.
func (k *Kiosk) showHelpComing(lang passerelle.Lang, under *Screen) {
	s := &Screen{Name: ScreenHelp, Prompt: []passerelle.Prompt{prompt(lang, phraseMediatorComing)}, under: under}
	s.Wait = NewTile("wait", say(lang, phraseHelpWait), uiIcon("wait"), func() {
		k.touched()
		k.play(s.Prompt...)
	})
	s.GoOn = NewTile("go-on", say(lang, phraseHelpGoOn), arrow("next", lang), func() {
		k.touched()
		if !k.guarded() {
			k.restore(s.under)
		}
	})
	for _, t := range []*Tile{s.Wait, s.GoOn} {
		t.labelShare = 0.3
		t.labelSize = textSize()
	}
	s.GoOn.primary = true
	top := header(uiIcon("mediator"), say(lang, phraseMediatorComing), lang, 240)
	body := container.New(stepLayout{headMax: 240, rtl: rtl(lang)}, top, grid([]*Tile{s.Wait, s.GoOn}, lang))
	s.root = k.frame(s, lang, body)
	s.Help.Disable()
	s.Back.Disable()
	k.show(s)
}

// sessionCall is the open call of the user's session as the kiosk knows
// it, for the hub push.
func (k *Kiosk) sessionCall() passerelle.HelpCall {
	return passerelle.HelpCall{SessionID: k.session.ID, ProcedureID: k.session.Proc.ID,
		ProcedureVersion: k.session.Proc.Version, StepID: k.session.Step().ID, AskedAt: k.deps.Now()}
}

// notifyHelp tells the hub push, when there is one, of a call opened or
// handled.
func (k *Kiosk) notifyHelp(c passerelle.HelpCall) {
	if k.deps.HelpNotifier != nil {
		k.deps.HelpNotifier.HelpCallChanged(c)
	}
}

// helpDelay lengthens the inactivity delay d while the user's session
// waits for a mediator.
func (k *Kiosk) helpDelay(d time.Duration) time.Duration {
	if k.session != nil && k.session.HelpWaiting() {
		return max(d, HelpWait)
	}
	return d
}

// OpenHelpCalls returns the open calls the desk signal shows.
func (k *Kiosk) OpenHelpCalls() []passerelle.HelpCall { return k.openCalls }

// HelpSignal returns the desk signal: visible while a call is open.
func (k *Kiosk) HelpSignal() fyne.CanvasObject { return k.signal }

// refreshHelpCalls reads the open calls again from the event log and
// shows or hides the desk signal.
func (k *Kiosk) refreshHelpCalls() {
	if k.deps.Help == nil {
		return
	}
	calls, err := k.deps.Help.OpenHelpCalls(k.ctx, k.deps.Now().Add(-helpCallsShown))
	if err != nil {
		k.deps.Logger.Error("kiosk: read the open help calls", "err", err)
		return
	}
	k.openCalls = calls
	k.updateSignal()
}

// newSignal builds the desk signal: a calm band along the top of every
// screen with a raised hand and the number of calls, big enough to see
// from the desk. It takes its own room above the screen: it covers none
// of the user's controls.
func (k *Kiosk) newSignal() *fyne.Container {
	k.signalText = canvas.NewText("", color.NRGBA{R: 0x1F, G: 0x5F, B: 0xBF, A: 0xFF})
	// The count is read from the desk: the smallest text, whatever the
	// users' text size, in a band as high as it needs (signalLayout).
	k.signalText.TextSize = sizesFor(k.UnitMM, false).floor
	k.signalText.TextStyle = fyne.TextStyle{Bold: true}
	hand := picture(uiIcon("raised-hand"))
	hand.SetMinSize(fyne.NewSquareSize(signalHeight))
	band := container.NewStack(canvas.NewRectangle(signalColor),
		container.NewHBox(hand, container.NewCenter(k.signalText)))
	band.Hide()
	return band
}

func (k *Kiosk) updateSignal() {
	n := len(k.openCalls)
	if n == 0 {
		k.signal.Hide()
		return
	}
	k.signalText.Text = fmt.Sprintf("%d", n)
	k.signalText.Refresh()
	k.signal.Show()
	if k.screen != nil {
		k.win.Content().Refresh() // the band takes its room
	}
}

// withSignal puts the desk signal above a screen.
func (k *Kiosk) withSignal(root fyne.CanvasObject) fyne.CanvasObject {
	return container.New(signalLayout{}, k.signal, root)
}

// signalLayout gives the desk signal, when shown, a band above the
// screen: signalHeight, or on a window under signalTallEnough only a
// thin stripe of its colour, so that the keypad of a number step keeps
// keys big enough to touch. Objects: the signal, the screen.
type signalLayout struct{}

// signalTallEnough is the window height from which the band has room for
// its hand and count; below, it is a stripe.
const signalTallEnough = 600

const signalStripe = 8

func (signalLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	band, root := objs[0].(*fyne.Container), objs[1]
	h := float32(0)
	if band.Visible() {
		h = max(signalHeight, band.Objects[1].MinSize().Height)
		if size.Height < signalTallEnough {
			h = signalStripe
		}
		content := band.Objects[1]
		if h == signalStripe {
			content.Hide()
		} else {
			content.Show()
		}
	}
	band.Move(fyne.NewPos(0, 0))
	band.Resize(fyne.NewSize(size.Width, h))
	root.Move(fyne.NewPos(0, h))
	root.Resize(fyne.NewSize(size.Width, size.Height-h))
}

func (signalLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return objs[1].MinSize()
}

// staffHelpCalls is the "Help calls" tab: the open calls, oldest first,
// each with its "Handled" button, then those handled in the last hours
// with their time to answer.
func (k *Kiosk) staffHelpCalls(v *StaffView) {
	if v.HelpCalls == nil {
		return
	}
	v.HelpOpen = map[string]*widget.Label{}
	v.HelpHandle = map[string]*widget.Button{}
	v.HelpDone = nil
	rows := []fyne.CanvasObject{widget.NewLabelWithStyle("Open calls", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	if k.deps.Help == nil {
		v.HelpCalls.Objects = []fyne.CanvasObject{widget.NewLabel("This kiosk keeps no help calls.")}
		v.HelpCalls.Refresh()
		return
	}
	now := k.deps.Now()
	since := now.Add(-helpCallsShown)
	k.refreshHelpCalls()
	if len(k.openCalls) == 0 {
		rows = append(rows, widget.NewLabel("Nobody is waiting."))
	}
	for _, c := range k.openCalls {
		l := widget.NewLabel(fmt.Sprintf("%s — %s — step %s — waiting for %s",
			c.AskedAt.In(now.Location()).Format("15:04"), k.procedureTitle(c.ProcedureID), c.StepID, minutes(c.Wait(now))))
		b := widget.NewButton("Handled", func() { k.staffTouched(); k.handleHelpCall(v, c) })
		v.HelpOpen[c.SessionID], v.HelpHandle[c.SessionID] = l, b
		rows = append(rows, container.NewBorder(nil, nil, nil, b, l))
	}
	rows = append(rows, widget.NewSeparator(), widget.NewLabelWithStyle("Handled in the last 12 hours", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	done, err := k.deps.Help.HandledHelpCalls(k.ctx, since)
	if err != nil {
		k.deps.Logger.Error("kiosk: read the handled help calls", "err", err)
		rows = append(rows, widget.NewLabel("The handled calls cannot be read: the kiosk's log says why."))
	}
	for _, c := range done {
		l := widget.NewLabel(fmt.Sprintf("%s — %s — step %s — answered in %s",
			c.AskedAt.In(now.Location()).Format("15:04"), k.procedureTitle(c.ProcedureID), c.StepID, minutes(c.Wait(now))))
		v.HelpDone = append(v.HelpDone, l)
		rows = append(rows, l)
	}
	v.HelpCalls.Objects = rows
	v.HelpCalls.Refresh()
}

// handleHelpCall marks a call handled. The live session records it
// itself, so its next event keeps the right Seq; any other (ended, or
// before a restart) through the help desk.
func (k *Kiosk) handleHelpCall(v *StaffView, c passerelle.HelpCall) {
	err := k.markHandled(c.SessionID)
	switch {
	case errors.Is(err, passerelle.ErrNoOpenCall):
		v.HelpMessage.SetText("Someone already marked this call handled.")
	case err != nil:
		k.deps.Logger.Error("kiosk: mark a help call handled", "err", err)
		v.HelpMessage.SetText("The call cannot be marked handled: the kiosk's log says why.")
	default:
		v.HelpMessage.SetText("")
		c.HandledAt = k.deps.Now()
		k.notifyHelp(c)
	}
	k.staffHelpCalls(v)
}

// markHandled records help_handled in the session's open call: the live
// session records it itself, so its next event keeps the right Seq; any
// other (ended, or before a restart) through the help desk.
func (k *Kiosk) markHandled(sessionID string) error {
	if k.session != nil && k.session.ID == sessionID && k.session.HelpWaiting() {
		_, err := k.session.HelpHandled(k.ctx)
		return err
	}
	_, err := k.deps.Help.HandleHelpCall(k.ctx, sessionID, k.deps.Now())
	return err
}

// RecordHubMarks records the calls staff marked handled on the hub's page,
// as the "Handled" button of staff mode does, and tells the hub push, so
// the calls close on the hub too. A call handled here already
// (ErrNoOpenCall) stays as it is: its help_handled is on its way; so does
// a later call of the same session, which a mark of the call before it
// (another AfterSeq) must not close: the person asked again. The
// person waiting is not disturbed: the "someone is coming" screen stays
// until they go on; only the desk signal goes out. It runs on the UI
// goroutine (fyne.Do).
func (k *Kiosk) RecordHubMarks(marks []passerelle.HelpMark) {
	if k.deps.Help == nil || len(marks) == 0 {
		return
	}
	// Every open call, however old: a mark may come long after its call
	// (a kiosk offline), and it is rare, so reading them all is cheap.
	open, err := k.deps.Help.OpenHelpCalls(k.ctx, time.Time{})
	if err != nil {
		k.deps.Logger.Error("kiosk: read the open help calls for the hub's marks", "err", err)
		return
	}
	callOf := map[string]int{} // session → the AfterSeq of its open call
	for _, c := range open {
		callOf[c.SessionID] = c.AfterSeq
	}
	for _, m := range marks {
		if after, ok := callOf[m.SessionID]; !ok || after != m.AfterSeq {
			continue // handled here already, or asked again since
		}
		err := k.markHandled(m.SessionID)
		switch {
		case errors.Is(err, passerelle.ErrNoOpenCall):
		case err != nil:
			k.deps.Logger.Error("kiosk: record a help call marked handled on the hub", "session", m.SessionID, "err", err)
		default:
			k.deps.Logger.Info("kiosk: a help call was marked handled on the hub", "session", m.SessionID)
			k.notifyHelp(passerelle.HelpCall{SessionID: m.SessionID, HandledAt: k.deps.Now()})
		}
	}
	k.refreshHelpCalls()
	if v := k.Staff(); v != nil {
		k.staffHelpCalls(v) // the list staff may be reading
	}
}

// procedureTitle names a procedure for staff, in French if it can, or by its id
// when the catalog no longer has it.
func (k *Kiosk) procedureTitle(id string) string {
	c := k.catalog.Load()
	if id == "" {
		return "no procedure chosen yet"
	}
	if c == nil {
		return id
	}
	if p, ok := c.Procedure(id); ok {
		if t := p.Title["fr"]; t != "" {
			return t
		}
		for _, l := range p.Langs {
			return p.Title[l]
		}
	}
	return id
}

// minutes says a wait in whole minutes, the way staff count them.
func minutes(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 1 {
		return "less than 1 min"
	}
	return fmt.Sprintf("%d min", m)
}
