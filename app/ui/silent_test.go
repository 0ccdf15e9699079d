package ui_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
)

// TestWithoutSpeechTheKioskStillWorks: espeak-ng is missing. A person can
// still go through a procedure by the pictograms, and staff read why the
// kiosk is silent in the log.
func TestWithoutSpeechTheKioskStillWorks(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	r := newRigWith(t, openCatalog(t, shipped), audio.NewSpeech(t.TempDir(), "/nonexistent/espeak-ng"), logger)
	db := r.db

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
