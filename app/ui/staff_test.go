package ui_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// cheapPIN keeps the tests fast: the stored hash carries its own costs.
var cheapPIN = passerelle.PINParams{Memory: 64, Time: 1, Threads: 1}

const staffPIN = "480613"

// staffRig is a kiosk with staff mode on a real database file, which a
// test may close and open again as a restart does.
type staffRig struct {
	*rig
	path    string
	applied []passerelle.KioskSettings // what OnSettings received
	quit    int
	told    []passerelle.HelpCall // what the HelpNotifier was told
}

// HelpCallChanged records what the kiosk tells its hub push.
func (r *staffRig) HelpCallChanged(c passerelle.HelpCall) { r.told = append(r.told, c) }

// newStaffRig opens a kiosk on the database at path (made if needed),
// with the staff PIN set first when pin is not "".
func newStaffRig(t *testing.T, path string, source passerelle.CatalogSource, pin string, clk *clock) *staffRig {
	t.Helper()
	return newStaffRigPinned(t, path, source, pin, clk, nil)
}

// newStaffRigPinned is newStaffRig with the settings pinned given on the
// command line.
func newStaffRigPinned(t *testing.T, path string, source passerelle.CatalogSource, pin string, clk *clock, pinned map[string]bool) *staffRig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.Theme())
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if pin != "" {
		lock := &passerelle.PINLock{Store: db, Events: db, Params: cheapPIN, Now: clk.Now}
		if err := lock.SetPIN(context.Background(), pin); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sink := audio.NewNullSink(0)
	player := audio.NewPlayer(sink, audio.NewSpeech(speechCache, ""), audio.WithLogger(logger))
	t.Cleanup(func() { player.Close() })
	asked := &promptLog{Player: player}
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1024, 768))
	t.Cleanup(w.Close)
	r := &staffRig{rig: &rig{t: t, w: w, db: db, sink: sink, player: player, asked: asked, clock: clk}, path: path}
	r.k = ui.New(w, ui.Deps{Catalog: source, Store: db, Player: asked, Logger: logger, Now: clk.Now,
		Staff: db, Sync: db, Help: db, HelpNotifier: r, PINParams: cheapPIN, Pinned: pinned,
		OnSettings: func(s passerelle.KioskSettings) { r.applied = append(r.applied, s) },
		Quit:       func() { r.quit++ },
	}, ui.DefaultSettings)
	r.note()
	return r
}

// restart closes the kiosk's database and opens a new kiosk on it.
func (r *staffRig) restart(source passerelle.CatalogSource) *staffRig {
	r.t.Helper()
	// No speech synthesis may be starting: a program being started holds
	// a copy of the kiosk's files, its lock included, for a moment.
	// Close waits for those running.
	r.player.Close()
	if err := r.db.Close(); err != nil {
		r.t.Fatal(err)
	}
	return newStaffRig(r.t.(*testing.T), r.path, source, "", r.clock)
}

// hold presses the staff corner for d, through the real widget's mouse
// events, the kiosk checking every second as it does when running.
func (r *staffRig) hold(d time.Duration) {
	r.t.Helper()
	corner := r.k.StaffCorner()
	corner.MouseDown(&desktop.MouseEvent{})
	for held := time.Duration(0); held < d; held += time.Second {
		r.clock.Add(time.Second)
		r.k.CheckIdle()
	}
	corner.MouseUp(&desktop.MouseEvent{})
	r.note()
}

// typePIN types pin on the PIN pad and touches OK.
func (r *staffRig) typePIN(pin string) {
	r.t.Helper()
	v := r.k.Staff()
	if v == nil || v.Keys == nil {
		r.t.Fatalf("no PIN pad on %s", r.where())
	}
	for _, d := range pin {
		r.tap(v.Keys[string(d)])
	}
	r.tap(v.Keys["ok"])
}

// staffEvents returns "kind:answer" for every staff event, in order.
func (r *staffRig) staffEvents() []string {
	r.t.Helper()
	events, err := r.db.Unsent(context.Background(), 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Kind.IsStaff() {
			got = append(got, string(e.Kind)+":"+e.Answer)
		}
	}
	return got
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)} }

// TestStaffCornerOpensOnlyToAHoldAndLeavesTheUserAsTheyWere: a user is
// typing a number; a touch in the corner, even a long one, does nothing;
// 3 seconds opens the PIN pad; a wrong PIN and cancel give the user back
// their screen as it was, their session without a trace of it.
func TestStaffCornerOpensOnlyToAHoldAndLeavesTheUserAsTheyWere(t *testing.T) {
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, shipped), staffPIN, newClock())
	// On welcome the whole screen starts, but for the corner: a touch
	// there, through the canvas as a finger lands, does nothing.
	test.TapCanvas(r.w.Canvas(), fyne.NewPos(20, 20))
	if r.where() != ui.ScreenWelcome {
		t.Fatalf("a touch in the corner of welcome led to %s", r.where())
	}
	test.TapCanvas(r.w.Canvas(), fyne.NewPos(200, 200))
	if r.where() != ui.ScreenLanguages {
		t.Fatalf("a touch in the middle of welcome led to %s, want languages", r.where())
	}
	r.tap(r.k.Screen().Tile("fr"))
	r.tap(r.k.Screen().Next)
	r.startProcedure("ameli-attestation")
	r.tap(r.k.Screen().Tile("yes"))
	r.tap(r.k.Screen().Next)
	for _, d := range "284" {
		r.tap(r.k.Screen().Keys[string(d)])
	}
	user := r.k.Screen()
	before := len(sessionEvents(t, r.db, r.k.Session().ID))

	r.hold(2 * time.Second)
	if r.k.Screen() != user {
		t.Fatalf("a touch of 2 s in the corner led to %s", r.where())
	}
	// Held 3 s: the PIN pad opens while the finger is still down.
	r.hold(3 * time.Second)
	if r.where() != ui.ScreenStaffPIN {
		t.Fatalf("after 3 s held: %s, want the PIN pad", r.where())
	}
	r.typePIN("111999")
	if msg := r.k.Staff().Message.Text; !strings.Contains(msg, "Wrong PIN") {
		t.Errorf("after a wrong PIN the pad says %q", msg)
	}
	r.tap(r.k.Staff().Cancel)
	if r.k.Screen() != user || r.k.Screen().Display.Text() != "284" {
		t.Fatalf("after cancel: %s with %q typed, want the user's number step with 284", r.where(), r.k.Screen().Display.Text())
	}
	if after := len(sessionEvents(t, r.db, r.k.Session().ID)); after != before {
		t.Errorf("the user's session got %d events from staff mode", after-before)
	}
	if got := strings.Join(r.staffEvents(), " "); got != "staff_pin_refused:1" {
		t.Errorf("staff events %q, want the wrong PIN", got)
	}
}

// TestWrongPINDelaysSurviveARestartAndTheRightPINOpens drives the PIN pad:
// after the free tries, the keys are off for the delay, a restart keeps
// them off, and the right PIN after the delay opens staff mode.
func TestWrongPINDelaysSurviveARestartAndTheRightPINOpens(t *testing.T) {
	catalog := openCatalog(t, shipped)
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), catalog, staffPIN, newClock())
	r.hold(3 * time.Second)
	for _, wrong := range []string{"111999", "222888", "333777"} {
		r.typePIN(wrong)
	}
	v := r.k.Staff()
	if !v.Keys["5"].Disabled() || !strings.Contains(v.Message.Text, "Try again in 5s") {
		t.Fatalf("after 3 wrong PINs: key disabled %v, message %q; want the keys off, 5 s left", v.Keys["5"].Disabled(), v.Message.Text)
	}

	r = r.restart(catalog)
	r.hold(3 * time.Second)
	v = r.k.Staff()
	if !v.Keys["5"].Disabled() {
		t.Fatalf("after a restart the keys are on during the wait (%q)", v.Message.Text)
	}
	r.clock.Add(2 * time.Second)
	r.k.CheckIdle()
	if v.Keys["5"].Disabled() {
		t.Fatalf("after the delay the keys are still off: %q", v.Message.Text)
	}
	r.typePIN(staffPIN)
	if r.where() != ui.ScreenStaff {
		t.Fatalf("the right PIN led to %s, want staff mode", r.where())
	}
	want := "staff_pin_refused:1 staff_pin_refused:2 staff_pin_refused:3 staff_unlocked:pin"
	if got := strings.Join(r.staffEvents(), " "); got != want {
		t.Errorf("staff events\n%s\nwant\n%s", got, want)
	}
}

// TestStaffModeLocksItselfAfterTwoMinutes, and leaving it gives back the
// welcome screen; the lock button locks at once.
func TestStaffModeLocksItselfAfterTwoMinutes(t *testing.T) {
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, shipped), staffPIN, newClock())
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	r.clock.Add(time.Minute)
	r.k.Staff().Tabs.SelectIndex(1) // staff read the sync tab: a touch
	r.clock.Add(time.Minute + 59*time.Second)
	r.k.CheckIdle()
	if r.where() != ui.ScreenStaff {
		t.Fatalf("1:59 after the last touch: %s, want staff mode still", r.where())
	}
	r.clock.Add(time.Second)
	r.k.CheckIdle()
	if r.where() != ui.ScreenWelcome || r.k.Staff() != nil {
		t.Fatalf("2 minutes untouched: %s, want welcome, staff mode locked", r.where())
	}
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	test.Tap(r.k.Staff().Lock)
	if r.where() != ui.ScreenWelcome {
		t.Errorf("lock led to %s", r.where())
	}
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	test.Tap(r.k.Staff().Leave)
	if r.quit != 1 {
		t.Errorf("leave kiosk mode quit %d times", r.quit)
	}
}

// TestSettingsChangedInStaffModeApplyAtOnce: staff shorten the inactivity
// delay and offer only French; the running kiosk asks "are you still
// there?" after the new delay and welcomes in French alone, and a restart
// keeps both.
func TestSettingsChangedInStaffModeApplyAtOnce(t *testing.T) {
	catalog := openCatalog(t, shipped)
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), catalog, staffPIN, newClock())
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	v := r.k.Staff()

	// A value out of range is refused, and nothing is saved.
	test.Type(v.Durations[passerelle.SettingInactivity], "")
	v.Durations[passerelle.SettingInactivity].SetText("5s")
	test.Tap(v.Save)
	if !strings.Contains(v.Saved.Text, "Nothing was saved") || !strings.Contains(v.Saved.Text, "20s to 30m") {
		t.Fatalf("5s saved: %q", v.Saved.Text)
	}
	v.Durations[passerelle.SettingInactivity].SetText("25s")
	v.Langs["en"].SetChecked(false)
	v.Langs["ar"].SetChecked(false)
	v.Volume.SetValue(0.5)
	test.Tap(v.Save)
	if !strings.Contains(v.Saved.Text, "Saved") {
		t.Fatalf("saving said %q", v.Saved.Text)
	}
	if n := len(r.applied); n != 1 || r.applied[0].Volume != 0.5 {
		t.Errorf("the player got %+v, want volume 0.5 once", r.applied)
	}
	test.Tap(r.k.Staff().Lock)

	welcome := r.k.Screen()
	if len(welcome.Prompt) != 1 || welcome.Prompt[0].Lang != "fr" {
		t.Errorf("welcome says %+v, want French alone", welcome.Prompt)
	}
	r.tap(welcome.Start)
	if n := len(r.k.Screen().Tiles); n != 1 {
		t.Errorf("%d languages offered, want 1", n)
	}
	r.tap(r.k.Screen().Tile("fr"))
	r.tap(r.k.Screen().Next)
	r.startProcedure("create-email")
	r.clock.Add(25 * time.Second)
	r.k.CheckIdle()
	if r.where() != ui.ScreenStillThere {
		t.Fatalf("25 s untouched: %s, want still-there", r.where())
	}

	saved, err := r.db.SavedSettings(context.Background())
	if err != nil || saved[passerelle.SettingInactivity] != "25s" || saved[passerelle.SettingLangs] != "fr" {
		t.Errorf("saved %v, %v", saved, err)
	}
}

// TestFirstStartAsksStaffForAPIN: a kiosk without a PIN asks for one at
// start; an easy one is refused in a sentence; the same PIN twice opens
// staff mode, and the next start goes to welcome.
func TestFirstStartAsksStaffForAPIN(t *testing.T) {
	catalog := openCatalog(t, shipped)
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), catalog, "", newClock())
	if r.where() != ui.ScreenStaffFirstPIN {
		t.Fatalf("first start shows %s, want the first PIN screen", r.where())
	}
	// The whole pad, OK and "Later" included, fits the smallest screen.
	if min := r.w.Content().MinSize(); min.Width > 800 || min.Height > 480 {
		t.Errorf("the first PIN screen needs %v, more than 800x480", min)
	}
	r.typePIN("1234")
	if msg := r.k.Staff().Message.Text; !strings.Contains(msg, "too easy to guess") {
		t.Errorf("1234 said %q", msg)
	}
	r.typePIN("4806")
	r.typePIN("4860")
	if msg := r.k.Staff().Message.Text; !strings.Contains(msg, "differ") {
		t.Errorf("two PINs that differ said %q", msg)
	}
	r.typePIN("4806")
	r.typePIN("4806")
	if r.where() != ui.ScreenStaff {
		t.Fatalf("after the PIN twice: %s, want staff mode", r.where())
	}
	if got := strings.Join(r.staffEvents(), " "); got != "staff_unlocked:pin_set" {
		t.Errorf("staff events %q", got)
	}
	r = r.restart(catalog)
	if r.where() != ui.ScreenWelcome {
		t.Errorf("the next start shows %s, want welcome", r.where())
	}
}

// TestStaffSeeTheCatalogProblemsWithFileAndLine: a procedure with a
// mistake; staff mode says which file and line.
func TestStaffSeeTheCatalogProblemsWithFileAndLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(shipped)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "ameli-attestation", "procedure.yaml")
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(body), "next: ssn-check", "next: ssn-chek", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, dir), staffPIN, newClock())
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	text := r.k.Staff().Catalog.Text
	for _, want := range []string{"the one shipped", "create-email", "ameli-attestation/procedure.yaml:86:", "ssn-chek"} {
		if !strings.Contains(text, want) {
			t.Errorf("the catalog tab does not say %q:\n%s", want, text)
		}
	}
	if sync := r.k.Staff().Sync.Text; !strings.Contains(sync, "not joined") {
		t.Errorf("the sync tab says %q", sync)
	}
	// Every tab fits the kiosk's smallest screen: nothing, not the way
	// out, leaves the window.
	for i, tab := range r.k.Staff().Tabs.Items {
		r.k.Staff().Tabs.SelectIndex(i)
		if min := r.w.Content().MinSize(); min.Width > 800 || min.Height > 480 {
			t.Errorf("with the %s tab, staff mode needs %v, more than 800x480", tab.Text, min)
		}
	}
}
