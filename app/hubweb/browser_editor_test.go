package hubweb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passerelle/app/procedure"
)

// TestBrowserEditor drives the editor in Debian's chromium, against the
// real handler on loopback with a real catalog folder and the hub's
// Publisher: sign in, create a procedure in French and English, see a
// FALC hint appear while typing, make its steps an info, a choice and an
// end, write every text in both languages, publish; then the catalog
// folder holds the new procedure.yaml and the publisher's new bundle has it.
func TestBrowserEditor(t *testing.T) {
	hub := startEditorHub(t)
	old := hub.latestBundle(t).Hash
	// The microphone says a 2-second tone: the recorder records it.
	capture := filepath.Join(t.TempDir(), "voice.wav")
	if err := os.WriteFile(capture, toneWAV(2000), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowserWith(t,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", capture),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
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
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil && os.Getenv("PASSERELLE_DEBUG_SHOT") != "" {
				os.WriteFile(os.Getenv("PASSERELLE_DEBUG_SHOT"), png, 0o644)
			}
			t.Fatalf("%s: %v", what, err)
		}
	}
	do("sign in",
		chromedp.Navigate(hub.URL+"/procedures"),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.SendKeys(chromedp.ID("name"), staffName),
		chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("live")),
		chromedp.Navigate(hub.URL+"/procedures"),
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
	// The hint comes from the hub while typing, before any save.
	do("a FALC hint while typing",
		chromedp.SendKeys(field("s0.say.fr"), "Ne venez pas sans la CAF."),
		chromedp.WaitVisible(chromedp.Search(`//ul[@data-for="s0.say.fr"]/li[contains(., "is negative")]`)),
		chromedp.WaitVisible(chromedp.Search(`//ul[@data-for="s0.say.fr"]/li[contains(., "abbreviation CAF")]`)),
		set("s0.say.fr", ""),
	)
	do("write the welcome and add a step after it",
		chromedp.SendKeys(field("pictogram"), "calendar.svg"),
		chromedp.SendKeys(field("intro.fr"), "Ce guide vous aide à prendre un rendez-vous."),
		chromedp.SendKeys(field("intro.en"), "This guide helps you make an appointment."),
		chromedp.SendKeys(field("s0.pictogram"), "calendar.svg"),
		chromedp.SendKeys(field("s0.say.fr"), "Bonjour. Prenez un rendez-vous à la mairie."),
		chromedp.SendKeys(field("s0.say.en"), "Hello. Make an appointment at the town hall."),
		chromedp.Click(chromedp.CSS(`button[value="add-step:0"]`)),
		chromedp.WaitVisible(field("s2.say.fr")),
	)
	do("make the new step a choice",
		set("s1.kind", "choice"),
		set("s1.id", "has-email"),
		chromedp.SendKeys(field("s1.pictogram"), "email.svg"),
		chromedp.SendKeys(field("s1.say.fr"), "Avez-vous une adresse email ?"),
		chromedp.SendKeys(field("s1.say.en"), "Do you have an email address?"),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(field("s1.o1.label.en")),
	)
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
		chromedp.SendKeys(field("s2.pictogram"), "check.svg"),
		chromedp.SendKeys(field("s2.say.fr"), "C'est fini. Venez à la mairie avec votre email."),
		chromedp.SendKeys(field("s2.say.en"), "It is done. Come to the town hall with your email."),
	)
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

	file := readText(t, filepath.Join(hub.Catalog, "mairie-rdv", "procedure.yaml"))
	inBundle := hub.waitPublished(t, old, "mairie-rdv")
	for what, text := range map[string]string{"the catalog's file": file, "the published bundle": inBundle} {
		for _, want := range []string{"id: mairie-rdv\nversion: 1\n", "kind: info", "kind: choice", "kind: end", "audio: {fr: audio/fr/welcome.wav}",
			"next: has-email", "Avez-vous une adresse email ?", "Do you have an email address?", "It is done."} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", what, want, text)
			}
		}
	}
	// The recording is in the catalog's folder, where the kiosk's loader
	// plays it for the welcome: about as long as it was recorded.
	res, err := procedure.Load(t.Context(), hub.Catalog)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load the catalog: %v %v", err, res.Problems)
	}
	for _, p := range res.Procedures {
		if p.ID == "mairie-rdv" {
			if a, ok := p.Steps[0].Audio["fr"]; !ok || a.Duration < time.Second || a.Duration > 1700*time.Millisecond {
				t.Errorf("the welcome's French recording: %+v (%v); want about 1.2 s", a.Path, a.Duration)
			}
		}
	}
	if msg, err := chromedp.Run(step, chromedp.Text(chromedp.CSS("table.versions tbody"))); err != nil || !strings.Contains(msg, staffName) {
		t.Errorf("the versions table says %q, %v; want who published", msg, err)
	}
	editorScreenshot(t, step, hub)
}

// editorScreenshot writes the procedures list above the editor of the
// procedure just published, with a hint under a text, to the file
// PASSERELLE_EDITOR_SCREENSHOT names (packaging/screenshots/editor.png).
func editorScreenshot(t *testing.T, ctx context.Context, hub *editorHub) {
	t.Helper()
	path := os.Getenv("PASSERELLE_EDITOR_SCREENSHOT")
	if path == "" {
		return
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hub.URL+"/procedures"),
		chromedp.WaitVisible(chromedp.ID("proc-mairie-rdv")),
	); err != nil {
		t.Fatal(err)
	}
	list, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("table.procedures")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hub.URL+"/procedures/mairie-rdv"),
		chromedp.WaitVisible(chromedp.CSS(`[name="s1.say.fr"]`)),
		// Typed at the end of the text, as staff would add a sentence.
		chromedp.Evaluate[chromedp.Void](`(function () {
			const a = document.querySelector('[name="s1.say.fr"]');
			a.value += " Ne fermez pas la page de la CAF.";
			a.dispatchEvent(new Event("input", { bubbles: true }));
		})()`),
		chromedp.WaitVisible(chromedp.Search(`//ul[@data-for="s1.say.fr"]/li`)),
	); err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, stack(t, list, page), 0o644); err != nil {
		t.Fatal(err)
	}
}
