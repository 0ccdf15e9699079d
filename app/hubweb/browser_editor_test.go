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
	ctx := newBrowser(t)
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
		for _, want := range []string{"id: mairie-rdv\nversion: 1\n", "kind: info", "kind: choice", "kind: end",
			"next: has-email", "Avez-vous une adresse email ?", "Do you have an email address?", "It is done."} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", what, want, text)
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
