package ui_test

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// TestWithoutSpeechTheKioskStillWorks: espeak-ng is missing. A person can
// still go through a procedure by the pictograms, and staff read why the
// kiosk is silent in the log.
func TestWithoutSpeechTheKioskStillWorks(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.Theme())
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	sink := audio.NewNullSink(0)
	player := audio.NewPlayer(sink, audio.NewSpeech(t.TempDir(), "/nonexistent/espeak-ng"), audio.WithLogger(logger))
	defer player.Close()
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(1024, 768))
	r := &rig{t: t, w: w, db: db, sink: sink, player: player, clock: &clock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}}
	r.k = ui.New(w, ui.Deps{Catalog: openCatalog(t, shipped), Store: db, Player: player, Logger: logger, Now: r.clock.Now}, ui.DefaultSettings)
	r.note()

	r.chooseLanguage("en")
	r.startProcedure("create-email")
	r.walk()
	if out, ended := r.k.Session().Ended(); !ended {
		t.Fatalf("the session did not end: %q", out)
	}
	for _, p := range r.played() {
		if p.Prompt.Recording == "" {
			t.Errorf("a synthesised prompt was played without espeak-ng: %+v", p)
		}
	}
	if !strings.Contains(log.String(), "cannot speak") || !strings.Contains(log.String(), "espeak-ng") {
		t.Errorf("the staff log does not say the kiosk cannot speak:\n%s", log.String())
	}
	var shown int
	for _, e := range sessionEvents(t, db, r.k.Session().ID) {
		if e.Kind == passerelle.EventStepShown {
			shown++
		}
	}
	if shown < 5 {
		t.Errorf("%d steps saved, want the whole walk", shown)
	}
}
