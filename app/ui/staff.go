package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/passerelle"
)

// The screens of staff mode.
const (
	// ScreenStaffPIN is the PIN pad a long press in the corner opens.
	ScreenStaffPIN = "staff-pin"
	// ScreenStaffFirstPIN asks staff to choose the first PIN: a kiosk has
	// no default one.
	ScreenStaffFirstPIN = "staff-first-pin"
	// ScreenStaff is staff mode itself: catalog, sync, settings,
	// statistics, leave kiosk mode.
	ScreenStaff = "staff"
)

// staffIdleLock is how long staff mode stays open untouched before it
// locks itself: staff called away leave no open door.
const staffIdleLock = 2 * time.Minute

// staffMode is the state of staff mode while it is open.
type staffMode struct {
	// under is the screen staff mode covers, given back as it was when
	// staff mode ends: a user's session in progress is not disturbed.
	under     *Screen
	lastTouch time.Time
	view      *StaffView
	pin       string // typed on the PIN pad
	first     string // the first PIN chosen, waiting to be typed again
}

// StaffView holds the controls of staff mode by name, for the kiosk and
// its tests.
type StaffView struct {
	// The PIN pad.
	Keys    map[string]*Tile // "0" to "9", "erase", "ok"
	Display *Digits          // one star per digit typed
	Cancel  *Tile
	Title   *widget.Label
	Message *widget.Label

	// Staff mode.
	Tabs      *container.AppTabs
	Catalog   *widget.Label // live version, procedures, last reload's problems
	Sync      *widget.Label // hub, last success, last error, pending events
	Durations map[string]*widget.Entry
	Retention *widget.Entry // in days
	Volume    *widget.Slider
	Rate      *widget.Slider
	Scan      *widget.Check // one-switch scanning; its interval is in Durations
	LargeText *widget.Check // text half as large again
	Langs     map[passerelle.Lang]*widget.Check
	// Headphones names them; Output says where the prompts go now.
	Headphones *widget.Entry
	Output     *widget.Label
	Save       *widget.Button
	Saved      *widget.Label // what saving did, or what to correct
	form       *widget.Form
	// Statistics is the statistics tab's content; Stats its controls.
	Statistics *fyne.Container
	Stats      *StatsView
	// The help calls tab (help.go): open calls by session id, each with
	// its "Handled" button, then the handled ones.
	HelpCalls   *fyne.Container
	HelpOpen    map[string]*widget.Label
	HelpHandle  map[string]*widget.Button
	HelpDone    []*widget.Label
	HelpMessage *widget.Label
	Lock        *widget.Button
	Leave       *widget.Button
}

// Staff returns the controls of staff mode, or nil outside it.
func (k *Kiosk) Staff() *StaffView {
	if k.staff == nil {
		return nil
	}
	return k.staff.view
}

// StaffCorner returns the corner to hold to open staff mode, or nil when
// the kiosk has no staff store.
func (k *Kiosk) StaffCorner() *LongPress { return k.corner }

// startStaff sets up the corner; on a kiosk without a PIN yet, it asks
// staff to choose one at once.
func (k *Kiosk) startStaff() {
	if k.deps.Staff == nil {
		return
	}
	k.corner = NewLongPress(staffHold, k.deps.Now, k.openStaff)
	k.win.SetContent(k.withCorner(k.withSignal(k.screen.root)))
	if has, err := k.pinLock().HasPIN(k.ctx); err == nil && !has {
		k.deps.Logger.Warn("kiosk: no staff PIN yet: choose one on the kiosk's screen, or run passerelle pin -db FILE with the kiosk stopped")
		k.openStaff()
	}
}

func (k *Kiosk) pinLock() *passerelle.PINLock {
	return &passerelle.PINLock{Store: k.deps.Staff, Events: k.deps.Store, Now: k.deps.Now, Params: k.deps.PINParams}
}

// withCorner lays the staff corner over a user's screen.
func (k *Kiosk) withCorner(root fyne.CanvasObject) fyne.CanvasObject {
	if k.corner == nil || k.staff != nil {
		return root
	}
	return container.NewStack(root, container.New(cornerLayout{}, k.corner))
}

// openStaff opens the PIN pad over the screen on show, or the first-start
// screen when no PIN was set.
func (k *Kiosk) openStaff() {
	if k.staff != nil || k.deps.Staff == nil {
		return
	}
	has, err := k.pinLock().HasPIN(k.ctx)
	if err != nil {
		k.deps.Logger.Error("kiosk: staff mode cannot open", "err", err)
		return
	}
	k.deps.Player.Stop()
	k.staff = &staffMode{under: k.screen, lastTouch: k.deps.Now()}
	if !has {
		k.showPINPad(ScreenStaffFirstPIN, fmt.Sprintf("Choose a staff PIN: %d to %d digits, then OK.",
			passerelle.MinPINDigits, passerelle.MaxPINDigits), "Later", k.chooseFirstPIN)
		k.staff.view.Message.SetText("Or, with the kiosk stopped: passerelle pin -db FILE")
		return
	}
	k.showPINPad(ScreenStaffPIN, "Staff PIN", "Cancel", k.tryPIN)
	k.refreshPINWait()
}

// staffTouched notes staff activity: staff mode locks 2 minutes after.
func (k *Kiosk) staffTouched() {
	if k.staff != nil {
		k.staff.lastTouch = k.deps.Now()
	}
}

// staffIdle runs in CheckIdle: it checks the corner held, and while staff
// mode is open, locks it after staffIdleLock untouched and updates the
// wait on the PIN pad. It reports whether staff mode is open: the user's
// inactivity checks wait for it to end.
func (k *Kiosk) staffIdle(now time.Time) bool {
	if k.corner != nil {
		k.corner.Check()
	}
	if k.staff == nil {
		return false
	}
	if now.Sub(k.staff.lastTouch) >= staffIdleLock {
		k.closeStaff()
		return true
	}
	if k.screen.Name == ScreenStaffPIN {
		k.refreshPINWait()
	}
	return true
}

// closeStaff locks staff mode and gives back the screen it covered.
func (k *Kiosk) closeStaff() {
	st := k.staff
	if st == nil {
		return
	}
	k.staff = nil
	switch {
	case st.under == nil || st.under.Name == ScreenWelcome || st.under.Name == ScreenOutOfService:
		k.showWelcome() // with the languages and catalog as they are now
	default:
		k.restore(st.under)
		k.catalogChanged()
	}
}

// showPINPad shows a keypad for a PIN: the number step's boxes and keys,
// a star per digit, nothing spoken. ok runs on the OK key.
func (k *Kiosk) showPINPad(name, title, cancel string, ok func()) {
	v := &StaffView{Keys: map[string]*Tile{}, Title: widget.NewLabel(title), Message: widget.NewLabel("")}
	v.Title.Wrapping, v.Title.TextStyle = fyne.TextWrapWord, fyne.TextStyle{Bold: true}
	v.Message.Wrapping = fyne.TextWrapWord
	v.Display = newDigits(&passerelle.NumberRule{Min: passerelle.MinPINDigits, Max: passerelle.MaxPINDigits})
	var keys []fyne.CanvasObject
	for _, label := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "ok"} {
		var t *Tile
		switch label {
		case "erase":
			t = NewTile(label, "", uiIcon("erase"), nil)
		case "ok":
			t = NewTile(label, "OK", uiIcon("confirm"), nil)
			t.primary = true
		default:
			t = NewTile(label, label, nil, nil)
			t.labelSize = headingSize()
		}
		t.OnTapped = func() { k.onPINKey(t.ID, ok) }
		v.Keys[label] = t
		keys = append(keys, t)
	}
	v.Cancel = NewTile("cancel", cancel, uiIcon("back"), func() { k.closeStaff() })
	v.Cancel.labelShare = 0.3
	pad := container.New(keypadLayout{cols: 3}, v.Display, container.NewGridWithColumns(3, keys...))
	// Fixed heights: a wrapped label asks for the height of its text
	// wrapped at no width at all, which grew the window past the screen
	// and pushed OK and Cancel out of reach. The title is one line; the
	// message (a wrong PIN, the wait) sits beside Cancel, below the pad.
	top := container.New(fixedHeight{pinPadTop}, v.Title)
	bottom := container.New(besideCancel{}, v.Cancel, v.Message)
	s := &Screen{Name: name}
	s.root = container.NewPadded(container.NewBorder(top, container.New(fixedHeight{120}, bottom), nil, nil, pad))
	k.staff.view = v
	k.staff.pin = ""
	k.show(s)
}

func (k *Kiosk) onPINKey(key string, ok func()) {
	k.staffTouched()
	st := k.staff
	switch key {
	case "ok":
		ok()
		return
	case "erase":
		if st.pin != "" {
			st.pin = st.pin[:len(st.pin)-1]
		}
	default:
		if len(st.pin) < passerelle.MaxPINDigits {
			st.pin += key
		}
	}
	st.view.Display.set(strings.Repeat("*", len(st.pin)), digitsTyping)
}

// tryPIN checks the PIN typed: the right one opens staff mode; a wrong one
// says so and how long before the next try, with the keys off meanwhile.
func (k *Kiosk) tryPIN() {
	st := k.staff
	pin := st.pin
	st.pin = ""
	ok, wait, err := k.pinLock().Unlock(k.ctx, pin)
	switch {
	case ok:
		if err != nil {
			k.deps.Logger.Error("kiosk: staff mode opened, but the unlock is not recorded", "err", err)
		}
		k.showStaff()
		return
	case errors.Is(err, passerelle.ErrPINWait):
	case err != nil:
		k.deps.Logger.Error("kiosk: a staff PIN could not be checked", "err", err)
		st.view.Message.SetText("The PIN cannot be checked now: the kiosk's log says why.")
		st.view.Display.set("", digitsTyping)
		return
	}
	k.deps.Logger.Warn("kiosk: a wrong staff PIN was typed", "wait", wait)
	st.view.Display.set("", digitsWrong)
	k.refreshPINWait()
}

// refreshPINWait turns the keys off while a wrong PIN's delay runs, and
// says how long is left.
func (k *Kiosk) refreshPINWait() {
	v := k.staff.view
	wait, err := k.pinLock().Wait(k.ctx)
	if err != nil {
		k.deps.Logger.Error("kiosk: the wrong staff PINs cannot be read", "err", err)
	}
	for _, t := range v.Keys {
		if wait > 0 {
			t.Disable()
		} else {
			t.Enable()
		}
	}
	switch {
	case wait > 0:
		v.Message.SetText(fmt.Sprintf("Wrong PIN. Try again in %s.", wait.Round(time.Second)))
	case v.Display.Wrong():
		v.Message.SetText("Wrong PIN. Try again.")
	}
}

// chooseFirstPIN takes the first PIN, then the same again, and opens
// staff mode.
func (k *Kiosk) chooseFirstPIN() {
	st := k.staff
	pin := st.pin
	st.pin = ""
	st.view.Display.set("", digitsTyping)
	if st.first == "" {
		if err := passerelle.CheckNewPIN(pin); err != nil {
			st.view.Message.SetText(sentence(err.Error()))
			return
		}
		st.first = pin
		st.view.Title.SetText("Type the same PIN again, then OK.")
		st.view.Message.SetText("")
		return
	}
	if pin != st.first {
		st.first = ""
		st.view.Title.SetText("Choose a staff PIN, 4 to 8 digits, then OK.")
		st.view.Message.SetText("The two PINs differ: choose one again.")
		return
	}
	lock := k.pinLock()
	if err := lock.SetPIN(k.ctx, pin); err != nil {
		k.deps.Logger.Error("kiosk: the staff PIN cannot be saved", "err", err)
		st.view.Message.SetText("The PIN cannot be saved: the kiosk's log says why.")
		return
	}
	if err := lock.RecordFirstUnlock(k.ctx); err != nil {
		k.deps.Logger.Error("kiosk: staff mode opened, but the unlock is not recorded", "err", err)
	}
	k.deps.Logger.Info("kiosk: the staff PIN is set")
	k.showStaff()
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.TrimSuffix(s[1:], ".") + "."
}

// showStaff opens staff mode: tabs for the catalog, the sync, the
// settings and the statistics, and the ways out. Staff read: the text is
// plain, in the toolkit's own sizes.
func (k *Kiosk) showStaff() {
	v := &StaffView{Catalog: widget.NewLabel(""), Sync: widget.NewLabel("")}
	v.Catalog.Wrapping, v.Sync.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	k.staff.view = v
	k.staff.first = ""
	k.refreshStaff()
	v.Statistics = container.NewStack(k.staffStatistics())
	v.HelpCalls, v.HelpMessage = container.NewVBox(), widget.NewLabel("")
	k.staffHelpCalls(v)
	v.Tabs = container.NewAppTabs(
		container.NewTabItem("Catalog", container.NewVScroll(v.Catalog)),
		container.NewTabItem("Sync", container.NewVScroll(v.Sync)),
		container.NewTabItem("Settings", container.NewScroll(k.settingsForm(v))),
		container.NewTabItem("Statistics", v.Statistics),
		container.NewTabItem("Help calls", container.NewVScroll(container.NewBorder(nil, v.HelpMessage, nil, nil, v.HelpCalls))),
	)
	var themed *container.ThemeOverride
	v.Tabs.OnSelected = func(item *container.TabItem) {
		k.staffTouched()
		k.refreshStaff()
		themed.Refresh() // the tab's content joins the staff theme
		v.form.Refresh() // and its hints, made before
		if item.Content == v.Statistics && v.Stats != nil {
			k.loadStats(v.Stats) // read when looked at, fresh each time
		}
	}
	v.Lock = widget.NewButtonWithIcon("Lock staff mode", theme.LogoutIcon(), func() { k.closeStaff() })
	v.Leave = widget.NewButtonWithIcon("Leave kiosk mode (close Passerelle)", theme.CancelIcon(), func() {
		k.deps.Logger.Warn("kiosk: staff left kiosk mode")
		k.closeStaff()
		k.deps.Quit()
	})
	if k.deps.Quit == nil {
		v.Leave.Disable()
	}
	title := widget.NewLabelWithStyle("Staff mode — locks itself after 2 minutes untouched", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	bar := container.NewHBox(v.Lock, layout.NewSpacer(), v.Leave)
	s := &Screen{Name: ScreenStaff}
	themed = container.NewThemeOverride(container.NewBorder(title, bar, nil, nil, v.Tabs), staffTheme{})
	s.root = themed
	k.show(s)
}

// refreshStaff reads again what the catalog and sync tabs show.
func (k *Kiosk) refreshStaff() {
	if k.staff == nil || k.staff.view == nil || k.staff.view.Catalog == nil {
		return
	}
	ctx, cancel := context.WithTimeout(k.ctx, 2*time.Second)
	defer cancel()
	var status passerelle.SyncStatus
	var syncErr error
	if k.deps.Sync != nil {
		status, syncErr = k.deps.Sync.SyncStatus(ctx)
	}
	k.staff.view.Catalog.SetText(k.catalogReport(status.CatalogVersion))
	k.staff.view.Sync.SetText(k.syncReport(ctx, status, syncErr))
	k.staffHelpCalls(k.staff.view)
}

// catalogReport says which catalog is live, its procedures, and the
// problems of the last reload, with file and line.
func (k *Kiosk) catalogReport(hubVersion string) string {
	var b strings.Builder
	if hubVersion == "" {
		b.WriteString("Catalog: the one shipped with the kiosk.\n")
	} else {
		fmt.Fprintf(&b, "Catalog: from the hub, version %s.\n", hubVersion[:min(12, len(hubVersion))])
	}
	c := k.catalog.Load()
	fmt.Fprintf(&b, "\n%d procedures:\n", len(c.Procedures))
	for _, p := range c.Procedures {
		langs := make([]string, len(p.Langs))
		for i, l := range p.Langs {
			langs[i] = string(l)
		}
		fmt.Fprintf(&b, "  %s (version %d, %s): %s\n", p.ID, p.Version, strings.Join(langs, ", "), p.Title["fr"])
	}
	problems := k.deps.Catalog.Problems()
	if len(problems) == 0 {
		b.WriteString("\nThe last reload had no problem.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "\nThe last reload was refused: %d problem(s) to fix in the catalog folder; the procedures above stay as they were.\n", len(problems))
	for _, p := range problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// syncReport says what the kiosk knows of its hub.
func (k *Kiosk) syncReport(ctx context.Context, status passerelle.SyncStatus, statusErr error) string {
	if k.deps.Sync == nil {
		return "This kiosk is not joined to a hub: it keeps everything on its own disk."
	}
	link, err := k.deps.Sync.HubLink(ctx)
	if errors.Is(err, passerelle.ErrNotFound) {
		return "This kiosk is not joined to a hub: it keeps everything on its own disk (passerelle join, with the kiosk stopped, joins one)."
	}
	if err == nil {
		err = statusErr
	}
	if err != nil {
		return "The sync state cannot be read: " + err.Error()
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.Local().Format("Monday 2 January 2006, 15:04")
	}
	lastError := status.LastError
	if lastError == "" {
		lastError = "none"
	}
	pending := "unknown"
	if n, err := k.deps.Sync.Pending(ctx); err == nil {
		pending = strconv.Itoa(n)
	}
	return fmt.Sprintf("Hub: %s\nThis kiosk's name there: %s\nLast sync that succeeded: %s\nLast attempt: %s\nLast error: %s\nEvents waiting to be sent: %s",
		link.URL, link.Kiosk, when(status.LastSuccess), when(status.LastAttempt), lastError, pending)
}

// besideCancel lays out the PIN pad's Cancel key over the first fifth of
// the width, as the kiosk's bottom bar does, and the message in the rest.
type besideCancel struct{}

func (besideCancel) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	cancel, message := objs[0], objs[1]
	pad := theme.Padding()
	w := (size.Width - 4*pad) / 5
	cancel.Move(fyne.NewPos(0, 0))
	cancel.Resize(fyne.NewSize(w, size.Height))
	message.Move(fyne.NewPos(w+pad, 0))
	message.Resize(fyne.NewSize(size.Width-w-pad, size.Height))
}

func (besideCancel) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// pinPadTop is the height of the PIN pad's title: one line.
const pinPadTop = 60

// fixedHeight gives its content a fixed height, the whole width.
type fixedHeight struct{ h float32 }

func (l fixedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l fixedHeight) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, l.h) }

// staffTheme is the toolkit's own light theme: staff read plain text at
// the usual sizes, not the kiosk's big pictograms.
type staffTheme struct{}

func (staffTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}
func (staffTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (staffTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (staffTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }
