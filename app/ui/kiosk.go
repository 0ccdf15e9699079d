// Package ui draws the kiosk with Fyne: the screens a user walks through,
// the theme, the big pictogram tiles. It talks to the rest only through
// the domain's interfaces (catalog source, store, player) and the session
// engine; it never touches SQL, audio backends or the network.
package ui

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"passerelle/app/passerelle"
	"passerelle/app/session"
)

// Settings tune the kiosk's behaviour. Those staff may change in staff
// mode (the delays, the languages offered...) apply at once: the kiosk
// reads them as it goes.
type Settings struct {
	passerelle.KioskSettings
	// TapGuard is how long touches on "continue" are ignored after a screen
	// appears, so that a double tap never answers two screens.
	TapGuard time.Duration
	// UnitMM is how long one unit of the toolkit is on the screen, in
	// millimetres: it sets the text sizes (theme.go). 0: unknown, taken
	// as 1/120 inch.
	UnitMM float64
}

// DefaultSettings are the settings of a kiosk in a public place.
var DefaultSettings = Settings{
	KioskSettings: passerelle.DefaultKioskSettings,
	TapGuard:      500 * time.Millisecond,
}

// Deps are what the kiosk needs from the other packages.
type Deps struct {
	Catalog passerelle.CatalogSource
	Store   passerelle.Store
	Player  passerelle.Player
	Logger  *slog.Logger
	Now     func() time.Time

	// Staff, when set, opens staff mode (staff.go) to a long press in the
	// top left corner, behind the staff PIN.
	Staff passerelle.StaffStore
	// Sync is what staff mode shows of the hub; nil: not joined.
	Sync passerelle.SyncState
	// Pinned names the settings given on the command line: they win over
	// staff mode's, which shows them and cannot change them.
	Pinned map[string]bool
	// OnSettings applies the settings the kiosk does not hold itself
	// (volume, speech rate, retention) after staff changed them.
	OnSettings func(passerelle.KioskSettings)
	// SetVolume sets the player's volume, 0 to 1, heard at once; nil:
	// the person cannot change it.
	SetVolume func(float64)
	// SoundOutput says where the prompts are heard now; nil: the
	// default output, never headphones.
	SoundOutput func() passerelle.SoundOutput
	// Quit closes the application: staff leave kiosk mode for the desktop.
	Quit func()
	// PINParams are the costs of the hash of a PIN set on the kiosk; zero:
	// passerelle.DefaultPINParams.
	PINParams passerelle.PINParams
	// Printer prints the end screen's summary; nil when the kiosk has
	// none, and the end screen offers no printing.
	Printer passerelle.Printer
	// Help keeps the help calls for the desk signal and staff mode; nil:
	// no signal, no list. HelpNotifier, when set, learns of every call
	// opened or handled (the hub push).
	Help         passerelle.HelpDesk
	HelpNotifier passerelle.HelpNotifier
	// Figures gives staff mode's statistics tab its figures; nil: the tab
	// says there are none.
	Figures passerelle.FiguresSource
	// DataDir is the kiosk's data folder, where the statistics' CSV goes
	// when no USB stick is plugged in; "": USB sticks only.
	DataDir string
	// USBRoots are the folders holding a folder per mounted USB stick;
	// nil: /media/$USER and /run/media/$USER, where desktops mount them.
	USBRoots []string
}

// Kiosk is the whole user interface. All its methods run on Fyne's main
// goroutine (or the test goroutine).
type Kiosk struct {
	Settings
	deps Deps
	win  fyne.Window
	ctx  context.Context

	catalog atomic.Pointer[passerelle.Catalog] // what the next user gets

	// One user's state, wiped by reset.
	lang      passerelle.Lang
	session   *session.Session
	screen    *Screen
	page      int
	shownAt   time.Time
	lastTouch time.Time
	askedAt   time.Time // when "are you still there?" appeared, zero if not shown
	keysUsed  bool      // the person pressed keys: the hints say "press" (phrases.go)
	// userVolume is the volume step the person chose, from 1; 0: the
	// staff's volume (volume.go).
	userVolume int

	staff  *staffMode // nil outside staff mode
	corner *LongPress // staff's way in; nil without deps.Staff

	openCalls  []passerelle.HelpCall // what the desk signal shows (help.go)
	signal     *fyne.Container
	signalText *canvas.Text
	loneCall   string // the session of the last call made outside a session

	keyDown bool      // the canvas reports key down: a desktop's (keys.go)
	scan    scanState // one-switch scanning (keys_scan.go)
	touch   touchGate // touch tolerance (touch.go)

	running bool // Run was called: the kiosk keeps its own time

	// onWindow is the root of the screen on the window, whose textures
	// the next screen frees (picture.go).
	onWindow fyne.CanvasObject
	// release gives memory back after a walk, if welcome is still on
	// screen: onWelcome, read on the timer's goroutine (memory.go).
	release   *time.Timer
	onWelcome atomic.Bool

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds the kiosk in win and shows the welcome screen.
func New(win fyne.Window, deps Deps, settings Settings) *Kiosk {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	k := &Kiosk{Settings: settings, deps: deps, win: win}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	k.touch = touchGate{now: deps.Now, settings: &k.KioskSettings}
	k.catalog.Store(deps.Catalog.Catalog())
	k.prepareSpeech(k.catalog.Load())
	k.applyTheme()
	k.signal = k.newSignal()
	k.refreshHelpCalls() // calls left open before a restart
	k.showWelcome()
	k.startStaff()
	k.listenKeys()
	return k
}

// applyTheme gives the application the kiosk's theme: text sized for the
// screen's millimetres, large or not. Screens made after take its sizes.
func (k *Kiosk) applyTheme() {
	fyne.CurrentApp().Settings().SetTheme(ThemeFor(k.UnitMM, k.LargeText))
}

// Run follows catalog changes and checks inactivity every second until
// Close. Tests leave it off and call CheckIdle and UseCatalog themselves.
func (k *Kiosk) Run() {
	updates, stop := k.deps.Catalog.Subscribe()
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		defer stop()
		for {
			select {
			case <-k.ctx.Done():
				return
			case u, ok := <-updates:
				if !ok {
					return
				}
				k.UseCatalog(u.Catalog)
			}
		}
	}()
	k.every(k.ctx, time.Second, k.CheckIdle)
	k.running = true
	k.followScanning()
}

// every runs f on the UI goroutine every d, until ctx ends.
func (k *Kiosk) every(ctx context.Context, d time.Duration, f func()) {
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				fyne.Do(f)
			}
		}
	}()
}

// Close stops Run's goroutines and waits for them.
func (k *Kiosk) Close() {
	k.cancel()
	k.wg.Wait()
}

// UseCatalog makes c the catalog of the next user. The current user's
// session keeps the procedure version it started with. Safe from any
// goroutine.
func (k *Kiosk) UseCatalog(c *passerelle.Catalog) {
	k.catalog.Store(c)
	k.prepareSpeech(c)
	fyne.Do(func() {
		if k.staff != nil { // caught up with when staff mode ends
			k.refreshStaff()
			return
		}
		k.catalogChanged()
	})
}

// Screen returns what is on screen now.
func (k *Kiosk) Screen() *Screen { return k.screen }

// Session returns the current user's session, or nil.
func (k *Kiosk) Session() *session.Session { return k.session }

// Lang returns the language the current user chose, or "".
func (k *Kiosk) Lang() passerelle.Lang { return k.lang }

// CheckIdle asks "are you still there?" after Inactivity without a touch
// (ElsewhereWait on a step done on another device), and ends the session
// StillThereWait later without an answer.
func (k *Kiosk) CheckIdle() {
	now := k.deps.Now()
	if k.staffIdle(now) {
		return
	}
	if k.screen == nil || k.screen.Name == ScreenWelcome || k.screen.Name == ScreenOutOfService {
		return
	}
	switch {
	case k.askedAt.IsZero() && now.Sub(k.lastTouch) >= k.idleDelay():
		k.askedAt = now
		k.showStillThere()
	case !k.askedAt.IsZero() && now.Sub(k.askedAt) >= k.StillThereWait:
		if k.session != nil {
			if err := k.session.TimeOut(k.ctx); err != nil {
				k.deps.Logger.Error("kiosk: save the end of a timed-out session", "err", err)
			}
		}
		k.showWelcome()
	}
}

// idleDelay is how long the screen on show may stay untouched before the
// kiosk asks whether the person is still there.
func (k *Kiosk) idleDelay() time.Duration {
	// Help over such a step: a mediator may be helping on the phone.
	if (k.screen.Name == ScreenStep || k.screen.Name == ScreenHelp) && k.session != nil {
		if _, ended := k.session.Ended(); !ended && k.session.Step().Elsewhere {
			return k.helpDelay(max(k.ElsewhereWait, k.Inactivity))
		}
	}
	return k.helpDelay(k.Inactivity)
}

// touched notes activity: every user action calls it first.
func (k *Kiosk) touched() {
	k.lastTouch = k.deps.Now()
}

// guarded reports whether a "continue" touch must be ignored because the
// screen has only just appeared: the second half of a double tap.
func (k *Kiosk) guarded() bool {
	return k.deps.Now().Sub(k.shownAt) < k.TapGuard
}

// show puts a screen on the window and speaks its prompt.
func (k *Kiosk) show(s *Screen) {
	k.screen = s
	k.gateTouches(s)
	now := k.deps.Now()
	k.shownAt = now
	k.lastTouch = now
	k.askedAt = time.Time{}
	k.win.SetContent(k.withCorner(k.withSignal(s.root)))
	if k.onWindow != nil && k.onWindow != s.root {
		freeTextures(k.win.Canvas(), k.onWindow)
	}
	k.onWindow = s.root
	k.onWelcome.Store(s.Name == ScreenWelcome)
	k.play(s.Prompt...)
}

// play speaks prompts one after the other, stopping whatever was playing.
// A kiosk without sound still works: the failure goes to the staff log.
func (k *Kiosk) play(prompts ...passerelle.Prompt) {
	if len(prompts) == 0 {
		return
	}
	k.keepVolume()
	if err := k.deps.Player.Play(k.ctx, prompts...); err != nil {
		k.deps.Logger.Warn("kiosk: cannot speak", "err", err)
	}
}

// reset forgets everything about the current user.
func (k *Kiosk) reset() {
	k.deps.Player.Stop()
	k.lang = ""
	k.keysUsed = false
	k.staffVolume()
	k.session = nil
	k.page = 0
	k.screen = nil
}

// prepareSpeech renders the speech of a catalog ahead of time, in the
// background, so no user waits for synthesis.
func (k *Kiosk) prepareSpeech(c *passerelle.Catalog) {
	var prompts []passerelle.Prompt
	for _, l := range outOfServiceLangs {
		prompts = append(prompts, prompt(l, phraseOutOfService))
	}
	if c == nil {
		k.deps.Player.Prepare(prompts)
		return
	}
	for _, l := range c.Langs() {
		for p := range phrases["fr"] {
			if !formatted[p] {
				prompts = append(prompts, prompt(l, p))
			}
		}
		lang, _ := passerelle.LookupLanguage(l)
		prompts = append(prompts, passerelle.Prompt{Text: lang.Native, Lang: l})
		for d := '0'; d <= '9'; d++ {
			prompts = append(prompts, passerelle.Prompt{Text: string(d), Lang: l})
		}
	}
	for _, p := range c.Procedures {
		for _, l := range p.Langs {
			prompts = append(prompts, procedurePrompts(p, l)...)
			for _, d := range p.Documents {
				prompts = append(prompts, passerelle.Prompt{Text: d.Label[l], Lang: l})
			}
			for _, s := range p.Steps {
				prompts = append(prompts, stepPrompt(s, l))
				if s.Number != nil && s.Number.Personal {
					for n := 1; n <= s.Number.Max; n++ {
						prompts = append(prompts, positionPrompt(l, false, n, s.Number))
					}
					if s.Number.Check == passerelle.CheckNIR {
						prompts = append(prompts, positionPrompt(l, true, 7, s.Number))
					}
				}
				for _, o := range s.Options {
					prompts = append(prompts, passerelle.Prompt{Text: o.Label[l], Lang: l})
				}
			}
		}
	}
	prompts = append(prompts, placeSpeech(c)...)
	prompts = append(prompts, keySpeech(c)...)
	prompts = append(prompts, volumeSpeech(c)...)
	k.deps.Player.Prepare(prompts)
}

// stepPrompt is what the kiosk says on arrival at a step.
func stepPrompt(s *passerelle.Step, l passerelle.Lang) passerelle.Prompt {
	return passerelle.Prompt{Text: s.Say[l], Lang: l, Recording: s.Audio[l].Path}
}

// procedurePrompts is what the kiosk says when a procedure is touched.
func procedurePrompts(p *passerelle.Procedure, l passerelle.Lang) []passerelle.Prompt {
	title := passerelle.Prompt{Text: p.Title[l], Lang: l}
	if rec := p.IntroAudio[l].Path; rec != "" {
		return []passerelle.Prompt{title, {Text: p.Intro[l], Lang: l, Recording: rec}}
	}
	return []passerelle.Prompt{{Text: p.Title[l] + ". " + p.Intro[l], Lang: l}}
}
