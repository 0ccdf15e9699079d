package cli

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passerelle/app/audio"
	"passerelle/app/hubweb/chromiumtest"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// The staff account the browser signs in with.
const (
	staffName     = "amina"
	staffPassword = "un cheval bleu 42"
)

// toneLevel is the amplitude of the tone the fake microphone says
// (toneWAV), and toneRMS its root mean square on a scale of 0 to 1.
const (
	toneLevel = 12000
	toneRMS   = toneLevel / 32768.0 / math.Sqrt2
)

// TestEditorInTheBrowserReachesTheKiosk is the editor's whole chain, as
// staff and a walk-in user meet it. The hub runs as passerelle hub wires
// it (serveHub: its store, Publisher, editor and page) over a copy of the
// shipped catalog. In Debian's chromium, staff sign in, create a
// procedure in French and English, see a FALC hint while typing, make
// its steps an info, a choice and an end, pick pictograms by searching
// their names (by click and by keyboard), write every text, record the
// welcome's French prompt with the fake microphone saying a tone this
// test made, and publish. Then a kiosk joined to that hub (passerelle
// hub enroll, passerelle join) syncs, offers the new procedure on its
// real Fyne screens, and a person who touches it and goes on hears the
// recorded prompt played whole through the null sink, at the tone's level.
func TestEditorInTheBrowserReachesTheKiosk(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	cat := filepath.Join(root, "procedures")
	if err := os.CopyFS(cat, os.DirFS("../../data/procedures")); err != nil {
		t.Fatal(err)
	}
	hubURL, hubDB := runTestHub(t, root, cat)

	// The microphone says a 2-second tone: the recorder records part of it.
	capture := filepath.Join(root, "voice.wav")
	if err := os.WriteFile(capture, toneWAV(2000), 0o644); err != nil {
		t.Fatal(err)
	}
	browser := chromiumtest.Start(t, chromiumtest.Microphone(capture)...)
	writeProcedureInBrowser(t, browser, hubURL)

	file := readFile(t, filepath.Join(cat, "mairie-rdv", "procedure.yaml"))
	for _, want := range []string{"id: mairie-rdv\nversion: 1\n", "kind: info", "kind: choice", "kind: end",
		"audio: {fr: audio/fr/welcome.wav}", "next: has-email", "pictogram: email.svg", "pictogram: check.svg"} {
		if !strings.Contains(file, want) {
			t.Errorf("the catalog's procedure.yaml lacks %q:\n%s", want, file)
		}
	}

	// A kiosk joined to the hub, as staff join one, syncs the catalog the
	// hub's Publisher published after the editor's publish.
	var out, errOut strings.Builder
	if code := Run(ctx, []string{"hub", "enroll", "-db", hubDB, "mairie-1"}, &out, &errOut); code != 0 {
		t.Fatalf("hub enroll: exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	db := filepath.Join(root, "kiosk.db")
	if code := Run(ctx, []string{"join", "-db", db, "-hub", hubURL, "-token", token}, &out, &errOut); code != 0 {
		t.Fatalf("join: exit %d: %s", code, errOut.String())
	}
	withStaffPIN(t, db)
	c := testConfig(db)
	c.syncEvery = 50 * time.Millisecond
	c.tapGuard = time.Nanosecond // the test taps faster than a person
	// A machine busy with chromium must not send the kiosk to its "still
	// there?" screen between two taps.
	c.inactivity = time.Hour
	sink := audio.NewNullSink(0)
	k, err := openKiosk(ctx, c, test.NewTempApp(t), sink, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	updates, cancel := k.watcher.Subscribe()
	defer cancel()
	deadline := time.After(30 * time.Second)
	for version(k.watcher.Catalog(), "mairie-rdv") != 1 {
		select {
		case <-updates:
		case <-deadline:
			t.Fatal("the procedure published in the browser did not reach the kiosk within 30 s")
		}
	}
	p, _ := k.watcher.Catalog().Procedure("mairie-rdv")
	checkWritten(t, p)
	recorded := p.Steps[0].Audio["fr"]
	// The recorder ran 1.2 s; the hub trims the silence at the ends.
	if recorded.Duration < 900*time.Millisecond || recorded.Duration > 1700*time.Millisecond {
		t.Fatalf("the kiosk's welcome recording lasts %v; want about the 1.2 s recorded", recorded.Duration)
	}

	// The kiosk's own goroutine (ui.Kiosk.Run) gives its screens the new
	// catalog a moment after the watcher has it: given here as it gives
	// it, the taps below do not race it.
	kiosk := k.ui
	kiosk.UseCatalog(k.watcher.Catalog())

	// A person chooses French, then the new procedure, then goes on: the
	// welcome's recorded prompt is played, whole.
	tap := func(tile *ui.Tile) {
		t.Helper()
		if tile == nil {
			t.Fatalf("no such tile on %s", kiosk.Screen().Name)
		}
		test.Tap(tile)
	}
	tap(kiosk.Screen().Start)
	tap(kiosk.Screen().Tile("fr"))
	tap(kiosk.Screen().Next)
	for kiosk.Screen().Tile("mairie-rdv") == nil {
		if next := kiosk.Screen().NextPage; next == nil || next.Disabled() {
			t.Fatalf("the kiosk does not offer the new procedure on any page of %s", kiosk.Screen().Name)
		}
		tap(kiosk.Screen().NextPage)
	}
	tap(kiosk.Screen().Tile("mairie-rdv"))
	tap(kiosk.Screen().Next)
	wait, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	defer cancelWait()
	if err := sink.Wait(wait); err != nil {
		t.Fatal(err)
	}
	var played *audio.Record
	for _, r := range sink.Records() {
		if strings.HasSuffix(filepath.ToSlash(r.Source), "mairie-rdv/audio/fr/welcome.wav") {
			played = &r
		}
	}
	if played == nil {
		t.Fatalf("the kiosk never played the recorded prompt; it played %+v", sink.Played())
	}
	stored, hz := measureFile(t, recorded.Path)
	t.Logf("played %v of a %v recording, RMS %.3f, peak %.3f; the stored file: RMS %.3f, %.0f Hz; the microphone's tone: RMS %.3f, 440 Hz",
		played.Duration, recorded.Duration, played.RMS(), played.Peak, stored, hz, toneRMS)
	if played.Stopped || played.Err != nil || played.Duration < recorded.Duration-20*time.Millisecond {
		t.Errorf("the recorded prompt played %v of %v (stopped %v, %v); want it whole", played.Duration, recorded.Duration, played.Stopped, played.Err)
	}
	// What reached the sound card is the stored recording at its level...
	if rms := played.RMS(); math.Abs(rms-stored) > 0.03*stored {
		t.Errorf("the recorded prompt played at RMS %.3f; the stored file's is %.3f", rms, stored)
	}
	// ...and the stored recording is the tone the microphone said: its
	// pitch, and its level or louder, as the browser's gain control
	// (recorder.js asks for it, for voices far from the microphone) may
	// raise it but not lower it.
	if math.Abs(hz-440) > 22 || stored < 0.8*toneRMS {
		t.Errorf("the stored recording is %.0f Hz at RMS %.3f; the microphone said 440 Hz at RMS %.3f", hz, stored, toneRMS)
	}
}

// measureFile decodes an audio file as the kiosk does and returns the
// root mean square of its samples (0 to 1) and, for a tone, its pitch:
// half the rate at which its first channel swings from below -0.05 to
// above 0.05 and back (the margins of near silence the hub keeps around
// a voice cross zero at random, and do not count).
func measureFile(t *testing.T, path string) (rms, hz float64) {
	t.Helper()
	s, format, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	buf := make([][2]float64, 4096)
	sum, frames, crossings, positive := 0.0, 0, 0, false
	for {
		got, ok := s.Stream(buf)
		for _, f := range buf[:got] {
			sum += f[0]*f[0] + f[1]*f[1]
			if (positive && f[0] < -0.05) || (!positive && f[0] > 0.05) {
				positive = !positive
				crossings++
			}
		}
		frames += got
		if !ok {
			break
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if frames == 0 {
		t.Fatalf("%s holds no sound", path)
	}
	seconds := float64(frames) / float64(format.SampleRate)
	return math.Sqrt(sum / float64(2*frames)), float64(crossings) / 2 / seconds
}

// runTestHub runs the hub as passerelle hub does, from its flags, on a
// loopback port, over the catalog folder cat, with one staff account; it
// stops at the test's end. It returns the hub's URL and database.
func runTestHub(t *testing.T, root, cat string) (url, db string) {
	t.Helper()
	db = filepath.Join(root, "hub.db")
	store := sqlite.NewHubDB(db)
	if err := store.Open(); err != nil {
		t.Fatal(err)
	}
	err := store.AddStaffUser(context.Background(), staffName, passerelle.HashPassword(staffPassword, passerelle.PINParams{Memory: 64, Time: 1, Threads: 1}), time.Now())
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseHub(newCommand("hub", hubSynopsis), []string{"-db", db, "-catalog", cat})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.listener, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuilder
	served := make(chan error, 1)
	go func() { served <- serveHub(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("the hub: %v", err)
		}
		if t.Failed() {
			t.Logf("the hub's log:\n%s", logs.String())
		}
	})
	return "http://" + cfg.listener.Addr().String(), db
}

// syncBuilder is a strings.Builder the hub's goroutines may write to.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// writeProcedureInBrowser is staff's work in the browser: sign in, create
// mairie-rdv, write it, record the welcome's French text, publish.
func writeProcedureInBrowser(t *testing.T, browser context.Context, hubURL string) {
	t.Helper()
	step, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()
	field := func(name string) chromedp.CSS { return chromedp.CSS(`[name="` + name + `"]`) }
	// set gives a field a value as a choice in a list or a cleared box
	// does: SetValue does not take textareas.
	set := func(name, value string) chromedp.Action[chromedp.Void] {
		js := fmt.Sprintf(`document.querySelector('[name=%q]').value = %q`, name, value)
		return chromedp.Evaluate[chromedp.Void](js)
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(step, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	value := func(name string) string {
		t.Helper()
		v, err := chromedp.Run(step, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('[name=%q]').value`, name)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	do("sign in",
		chromedp.Navigate(hubURL+"/procedures"),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.SendKeys(chromedp.ID("name"), staffName),
		chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("live")),
		chromedp.Navigate(hubURL+"/procedures"),
		chromedp.WaitVisible(chromedp.ID("create")),
	)
	do("create a procedure",
		chromedp.SendKeys(chromedp.ID("new-id"), "mairie-rdv"),
		chromedp.Click(chromedp.ID("new-lang-fr")),
		chromedp.SendKeys(chromedp.ID("new-title-fr"), "Rendez-vous à la mairie"),
		chromedp.Click(chromedp.ID("new-lang-en")),
		chromedp.SendKeys(chromedp.ID("new-title-en"), "Appointment at the town hall"),
		chromedp.Click(chromedp.ID("create")),
		chromedp.WaitVisible(field("s0.say.fr")),
	)
	// Enter in a text box saves the draft, and does nothing else (the
	// form's first button would add a language, or remove a source).
	do("Enter in a text box",
		set("title.en", ""),
		chromedp.SendKeys(field("title.en"), "Appointment at the town hall now"+kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="notice" and starts-with(., "Draft saved")]`)),
	)
	if got, err := chromedp.Run(step, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[name^="title."]')).map(i => i.name + "=" + i.value)`)); err != nil ||
		strings.Join(got, " ") != "title.fr=Rendez-vous à la mairie title.en=Appointment at the town hall now" {
		t.Fatalf("after Enter in the English title the titles are %q, %v; want the two, saved", got, err)
	}
	do("the title as it was", set("title.en", "Appointment at the town hall"))
	// The hint comes from the hub while typing, before any save.
	do("a FALC hint while typing",
		chromedp.SendKeys(field("s0.say.fr"), "Ne venez pas sans la CAF."),
		chromedp.WaitVisible(chromedp.Search(`//ul[@data-for="s0.say.fr"]/li[contains(., "is negative")]`)),
		chromedp.WaitVisible(chromedp.Search(`//ul[@data-for="s0.say.fr"]/li[contains(., "abbreviation CAF")]`)),
		set("s0.say.fr", ""),
	)
	// Enter in a picker's search box picks the first pictogram found, and
	// does not send the form (the marker on the page's window stays).
	do("pick the procedure's pictogram by Enter in the search box",
		chromedp.Evaluate[chromedp.Void](`window.notSent = true`),
		chromedp.SendKeys(chromedp.CSS(`input[type=search][data-search-for="pictogram"]`), "calend"),
		chromedp.WaitVisible(chromedp.CSS(`[data-results-for="pictogram"] button[data-file="calendar.svg"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[type=search][data-search-for="pictogram"]`), kb.Enter),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-results-for="pictogram"]`)),
	)
	if got, err := chromedp.Run(step, chromedp.Evaluate[[]any](`[document.querySelector('[name="pictogram"]').value, window.notSent === true]`)); err != nil || fmt.Sprint(got) != "[calendar.svg true]" {
		t.Fatalf("after Enter in the search box, the field and the page: %v, %v; want calendar.svg and the page not sent", got, err)
	}
	do("write the welcome and add a step after it",
		chromedp.SendKeys(field("intro.fr"), "Ce guide vous aide à prendre un rendez-vous."),
		chromedp.SendKeys(field("intro.en"), "This guide helps you make an appointment."),
		chromedp.SendKeys(field("s0.pictogram"), "calendar.svg"),
		chromedp.SendKeys(field("s0.say.fr"), "Bonjour. Prenez un rendez-vous à la mairie."),
		chromedp.SendKeys(field("s0.say.en"), "Hello. Make an appointment at the town hall."),
		chromedp.Click(chromedp.CSS(`button[value="add-step:0"]`)),
		chromedp.WaitVisible(field("s2.say.fr")),
	)
	// Every button says its action in words, and draws its symbol: a
	// staff browser may lack the fonts of symbols and emoji.
	glyphs, err := chromedp.Run(step, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("button"))
		.map(b => b.textContent.trim()).filter(t => /[^\u0020-\u00ff]/.test(t) || !/[a-z]/i.test(t))`))
	if err != nil || len(glyphs) > 0 {
		t.Errorf("buttons that need a font's symbols, or say no word: %q %v", glyphs, err)
	}
	// The picker: a name typed in the search box beside a pictogram
	// field shows the shared pictograms that match; a click on one puts
	// its file in the field.
	search := func(name string) chromedp.CSS {
		return chromedp.CSS(`input[type=search][data-search-for="` + name + `"]`)
	}
	found := func(name, file string) chromedp.CSS {
		return chromedp.CSS(`[data-results-for="` + name + `"] button[data-file="` + file + `"]`)
	}
	do("make the new step a choice, its pictogram picked by name",
		set("s1.kind", "choice"),
		set("s1.id", "has-email"),
		chromedp.SendKeys(search("s1.pictogram"), "mail"),
		chromedp.WaitVisible(found("s1.pictogram", "email.svg")),
		chromedp.Click(found("s1.pictogram", "email.svg")),
	)
	if got := value("s1.pictogram"); got != "email.svg" {
		t.Fatalf("after a click on the email pictogram the field holds %q", got)
	}
	do("save, to write the choice's answers",
		chromedp.SendKeys(field("s1.say.fr"), "Avez-vous une adresse email ?"),
		chromedp.SendKeys(field("s1.say.en"), "Do you have an email address?"),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(field("s1.o1.label.en")),
	)
	if got := value("s1.pictogram"); got != "email.svg" {
		t.Fatalf("the draft saved the picked pictogram as %q", got)
	}
	// By keyboard alone: type, go down into the results, Enter.
	do("pick the end's pictogram by keyboard",
		chromedp.SendKeys(search("s2.pictogram"), "check"),
		chromedp.WaitVisible(found("s2.pictogram", "check.svg")),
		chromedp.SendKeys(search("s2.pictogram"), kb.ArrowDown), // to the first result
		chromedp.WaitReady(chromedp.CSS(`[data-results-for="s2.pictogram"] button:focus`)),
		chromedp.KeyEvent(kb.Enter),
	)
	if got := value("s2.pictogram"); got != "check.svg" {
		t.Fatalf("after Enter on the first result for check the field holds %q", got)
	}
	do("write the answers, the links and the end",
		set("s0.next", "has-email"),
		chromedp.SendKeys(field("s1.o0.pictogram"), "yes.svg"),
		chromedp.SendKeys(field("s1.o0.label.fr"), "Oui"),
		chromedp.SendKeys(field("s1.o0.label.en"), "Yes"),
		set("s1.o0.next", "done"),
		chromedp.SendKeys(field("s1.o1.pictogram"), "no.svg"),
		chromedp.SendKeys(field("s1.o1.label.fr"), "Non"),
		chromedp.SendKeys(field("s1.o1.label.en"), "No"),
		set("s1.o1.next", "done"),
		chromedp.SendKeys(field("s2.say.fr"), "C'est fini. Venez à la mairie avec votre email."),
		chromedp.SendKeys(field("s2.say.en"), "It is done. Come to the town hall with your email."),
	)
	// The choice drawn as the kiosk will show it, with its answers typed
	// but not saved yet.
	typed := `step=has-email&lang=fr`
	do("draw the choice as typed",
		chromedp.Click(chromedp.Search(`//details[@class="preview"][.//img[contains(@src, "`+typed+`")]]/summary`)),
		chromedp.Click(chromedp.CSS(`button[data-preview-typed*="`+typed+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`details[open] img[data-drawn="typed"]`)),
	)
	if w, err := chromedp.Run(step, chromedp.Evaluate[int](`document.querySelector('img[data-drawn="typed"]').naturalWidth`)); err != nil || w != int(ui.DefaultPreviewSize.Width) {
		t.Errorf("the choice drawn as typed is %d pixels wide, %v; want the kiosk's %v", w, err, ui.DefaultPreviewSize.Width)
	}
	// The welcome's French text, recorded in the browser and kept: the
	// draft names it; the page's texts are not saved yet.
	rec := `[data-recorder][data-upload-url*="step=welcome&lang=fr"]`
	do("record the welcome in French",
		chromedp.Click(chromedp.CSS(rec+` button[data-action="record"]`)),
		chromedp.WaitVisible(chromedp.CSS(rec+`[data-state="recording"]`)),
	)
	<-time.After(1200 * time.Millisecond) // the length of the recording, not a wait for something
	do("stop and keep the recording",
		chromedp.Click(chromedp.CSS(rec+` button[data-action="stop"]`)),
		chromedp.WaitVisible(chromedp.CSS(rec+`[data-state="recorded"]`)),
		chromedp.Click(chromedp.CSS(rec+` button[data-action="keep"]`)),
		chromedp.WaitVisible(chromedp.CSS(rec+`[data-state="kept"]`)),
		chromedp.WaitVisible(chromedp.Search(`//div[@class="recording" and @data-step="welcome" and @data-lang="fr"]/code[text()="audio/fr/welcome.wav"]`)),
	)
	do("publish",
		chromedp.Click(chromedp.ID("publish")),
		// The next page: published, or refused with the validator's messages.
		chromedp.WaitVisible(chromedp.Search(`//p[@class="notice" and starts-with(., "Published")] | //div[@id="refused"]`)),
	)
	if msg, err := chromedp.Run(step, chromedp.Text(chromedp.Search(`//p[@class="notice"] | //div[@id="refused"]`))); err != nil || !strings.HasPrefix(msg, "Published") {
		t.Fatalf("after publish the page says %q, %v", msg, err)
	}
	if msg, err := chromedp.Run(step, chromedp.Text(chromedp.CSS("table.versions tbody"))); err != nil || !strings.Contains(msg, staffName) {
		t.Errorf("the versions table says %q, %v; want who published", msg, err)
	}
	editorScreenshot(t, step, hubURL)
}

// checkWritten checks the procedure the kiosk loaded is the one written
// in the browser: its steps, links, pictograms and texts in both languages.
func checkWritten(t *testing.T, p *passerelle.Procedure) {
	t.Helper()
	if len(p.Steps) != 3 {
		t.Fatalf("the kiosk's mairie-rdv has %d steps; want the 3 written", len(p.Steps))
	}
	welcome, choice, end := p.Steps[0], p.Steps[1], p.Steps[2]
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"the steps", fmt.Sprintf("%s %s, %s %s, %s %s", welcome.ID, welcome.Kind, choice.ID, choice.Kind, end.ID, end.Kind), "welcome info, has-email choice, done end"},
		{"the welcome's link", welcome.Next, "has-email"},
		{"the title", p.Title["en"], "Appointment at the town hall"},
		{"the welcome in French", welcome.Say["fr"], "Bonjour. Prenez un rendez-vous à la mairie."},
		{"the question in English", choice.Say["en"], "Do you have an email address?"},
		{"the answers", fmt.Sprintf("%d: %s, %s, then %s", len(choice.Options), choice.Options[0].Label["fr"], choice.Options[1].Label["en"], choice.Options[0].Next), "2: Oui, No, then done"},
		{"the end in English", end.Say["en"], "It is done. Come to the town hall with your email."},
		{"the picked pictograms", filepath.Base(choice.Pictogram.Path) + " " + filepath.Base(end.Pictogram.Path), "email.svg check.svg"},
	} {
		if c.got != c.want {
			t.Errorf("%s on the kiosk: %v; want %v", c.what, c.got, c.want)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// editorScreenshot writes the procedures list above the editor of the
// procedure just published, with a hint under a text and a search in a
// pictogram picker, to the file
// PASSERELLE_EDITOR_SCREENSHOT names (packaging/screenshots/editor.png).
func editorScreenshot(t *testing.T, ctx context.Context, hubURL string) {
	t.Helper()
	path := os.Getenv("PASSERELLE_EDITOR_SCREENSHOT")
	if path == "" {
		return
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hubURL+"/procedures"),
		chromedp.WaitVisible(chromedp.ID("proc-mairie-rdv")),
	); err != nil {
		t.Fatal(err)
	}
	// The list, at the page's width, down to its end (the form for a new
	// procedure under it is left out).
	list, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	end, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("table.procedures").getBoundingClientRect().bottom + window.scrollY + 16`))
	if err != nil {
		t.Fatal(err)
	}
	list = chromiumtest.Top(t, list, int(end))
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hubURL+"/procedures/mairie-rdv"),
		chromedp.WaitVisible(chromedp.CSS(`[name="s1.say.fr"]`)),
		// Typed at the end of the text, as staff would add a sentence.
		chromedp.Evaluate[chromedp.Void](`(function () {
			const a = document.querySelector('[name="s1.say.fr"]');
			a.value += " Ne fermez pas la page de la CAF.";
			a.dispatchEvent(new Event("input", { bubbles: true }));
		})()`),
		chromedp.WaitVisible(chromedp.Search(`//ul[@data-for="s1.say.fr"]/li`)),
		// And a search in the pictogram picker.
		chromedp.SendKeys(chromedp.CSS(`input[type=search][data-search-for="s1.pictogram"]`), "mail"),
		chromedp.WaitVisible(chromedp.CSS(`[data-results-for="s1.pictogram"] button[data-file="email.svg"]`)),
	); err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, chromiumtest.Stack(t, list, page), 0o644); err != nil {
		t.Fatal(err)
	}
}
