package ui_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/ui"
)

// outOfService is the sentence of the out-of-service screen, by language.
var outOfService = map[passerelle.Lang]string{
	"fr": "Le kiosque ne marche pas pour le moment. Demandez à l'accueil, s'il vous plaît.",
	"en": "The kiosk does not work for now. Please ask at the front desk.",
	"ar": "الجهاز لا يعمل الآن. من فضلك اسأل في الاستقبال.",
}

// TestAnEmptyCatalogPutsTheKioskOutOfService: staff start the kiosk on a
// catalog with nothing a user can do. The first screen already says, in
// writing and aloud in every language, to ask at the desk; touching it
// says it again and leads nowhere blank; the staff log says what to fix.
func TestAnEmptyCatalogPutsTheKioskOutOfService(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string // the catalog folder
		wantLog string            // what the staff log must name
	}{
		{"an empty folder", nil, "no procedure"},
		{"only a broken procedure", map[string]string{"broken/procedure.yaml": "id: broken\nversion: [\n"}, "broken/procedure.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range c.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var log bytes.Buffer
			r := newRigWith(t, openCatalog(t, dir), audio.NewSpeech(speechCache, ""), slog.New(slog.NewTextHandler(&log, nil)))

			if r.where() != ui.ScreenOutOfService {
				t.Fatalf("first screen %s, want out of service", r.where())
			}
			assertOutOfService(t, r.w, r.played())
			if !strings.Contains(log.String(), "out of service") || !strings.Contains(log.String(), c.wantLog) {
				t.Errorf("the staff log does not say why the kiosk is out of service (%q):\n%s", c.wantLog, log.String())
			}

			// A touch says it again, and stays on the screen.
			before := len(r.played())
			r.tap(r.k.Screen().Sign)
			if r.where() != ui.ScreenOutOfService {
				t.Fatalf("a touch led to %s", r.where())
			}
			if again := r.played()[before:]; len(again) != 3 || again[0].Prompt.Text != outOfService["fr"] {
				t.Errorf("a touch played %+v, want the sentence again in fr, en, ar", again)
			}
			// Nobody there: the screen stays, silent.
			r.clock.Add(ui.DefaultSettings.Inactivity + ui.DefaultSettings.StillThereWait)
			r.k.CheckIdle()
			if r.where() != ui.ScreenOutOfService {
				t.Errorf("inactivity led to %s", r.where())
			}
		})
	}
}

// TestAReloadEmptiesTheCatalogThenFillsIt: a catalog with no procedure
// arrives while one person is in the middle of a procedure (the watcher
// keeps the last good catalog when its folder empties, but a source may
// still send one, e.g. every procedure withdrawn), then procedures come back.
// The person finishes; the kiosk is then out of service, and back in
// service by itself when the procedures return.
func TestAReloadEmptiesTheCatalogThenFillsIt(t *testing.T) {
	res, err := procedure.Load(context.Background(), shipped)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load the shipped catalog: %v %v", err, res.Problems)
	}
	full := passerelle.NewCatalog(res.Procedures)
	r := newRig(t, static{full})
	r.chooseLanguage("fr")
	r.startProcedure("create-email")

	r.k.UseCatalog(passerelle.NewCatalog(nil))
	if r.where() == ui.ScreenOutOfService {
		t.Fatal("the reload took the screen from a person in the middle of a procedure")
	}
	r.walk()
	r.tap(r.k.Screen().Next) // done
	if r.where() != ui.ScreenOutOfService {
		t.Fatalf("after the last person: %s, want out of service", r.where())
	}
	assertOutOfService(t, r.w, r.played())

	var two []*passerelle.Procedure
	for _, id := range []string{"create-email", "ameli-attestation"} {
		p, _ := full.Procedure(id)
		two = append(two, p)
	}
	r.k.UseCatalog(passerelle.NewCatalog(two))
	if r.where() != ui.ScreenWelcome {
		t.Fatalf("procedures are back, the kiosk shows %s, want welcome", r.where())
	}
	r.chooseLanguage("en")
	r.startProcedure("ameli-attestation")
}

// TestShowOutOfService is the screen the command line shows when the kiosk
// cannot start at all, with or without sound.
func TestShowOutOfService(t *testing.T) {
	for _, sound := range []bool{true, false} {
		name := map[bool]string{true: "with sound", false: "without sound"}[sound]
		t.Run(name, func(t *testing.T) {
			a := test.NewTempApp(t)
			a.Settings().SetTheme(ui.Theme())
			win := test.NewWindow(nil)
			defer win.Close()
			win.Resize(fyne.NewSize(800, 480))
			var log bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&log, nil))
			sink := audio.NewNullSink(0)
			var player passerelle.Player // nil: no sound at all
			if sound {
				p := audio.NewPlayer(sink, audio.NewSpeech(speechCache, ""), audio.WithLogger(logger))
				defer p.Close()
				player = p
			}

			ui.ShowOutOfService(win, player, logger, "open kiosk.db: disk full")

			if !strings.Contains(log.String(), "disk full") {
				t.Errorf("the staff log does not give the reason:\n%s", log.String())
			}
			for _, text := range visibleTexts(win.Content()) {
				if strings.Contains(text, "disk") || strings.Contains(text, "kiosk.db") {
					t.Errorf("the reason for staff is shown to users: %q", text)
				}
			}
			var played []passerelle.Played
			if sound {
				played = waitPlayed(t, sink, 3)
			}
			assertOutOfService(t, win, played)
			test.Tap(findTile(t, win.Content(), "out-of-service"))
			if sound {
				if again := waitPlayed(t, sink, 6); again[3].Prompt.Text != outOfService["fr"] {
					t.Errorf("a touch played %+v, want the sentence again", again[3:])
				}
			}
		})
	}
}

// assertOutOfService checks the out-of-service screen: the sentence in
// every language on screen, its pictogram, and (when played is not nil)
// the sentence spoken in each language, with sound.
func assertOutOfService(t *testing.T, w fyne.Window, played []passerelle.Played) {
	t.Helper()
	shown := strings.Join(visibleTexts(w.Content()), " ")
	for _, lang := range []passerelle.Lang{"fr", "en", "ar"} {
		for _, word := range strings.Fields(outOfService[lang]) {
			// An Arabic line is drawn as pieces, its full stop apart.
			word = strings.TrimRight(word, ".")
			if !strings.Contains(shown, word) {
				t.Errorf("the %s sentence is not on screen (%q missing): %q", lang, word, shown)
			}
		}
	}
	sign := findTile(t, w.Content(), "out-of-service")
	if s := sign.Size(); s.Width < 200 || s.Height < 200 {
		t.Errorf("the out-of-service sign is %v: not the big pictogram of the screen", s)
	}
	if played == nil {
		return
	}
	if len(played) < 3 {
		t.Fatalf("played %+v, want the sentence in fr, en, ar", played)
	}
	for i, lang := range []passerelle.Lang{"fr", "en", "ar"} {
		p := played[len(played)-3+i]
		if p.Prompt.Lang != lang || p.Prompt.Text != outOfService[lang] || p.Duration <= 0 {
			t.Errorf("prompt %d: %+v, want %q in %s with sound", i, p, outOfService[lang], lang)
		}
	}
}

// waitPlayed waits until the sink has played n prompts and returns them.
func waitPlayed(t *testing.T, sink *audio.NullSink, n int) []passerelle.Played {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sink.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	played := sink.Played()
	if len(played) != n {
		t.Fatalf("played %d prompts, want %d: %+v", len(played), n, played)
	}
	return played
}
