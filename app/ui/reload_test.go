package ui_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// TestReloadDuringASession: staff publish a new version of a procedure
// while a user is in the middle of it. The user finishes on the version
// they started; the next user gets the new one.
func TestReloadDuringASession(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(shipped)); err != nil {
		t.Fatal(err)
	}
	w := procedure.NewWatcher(dir)
	w.Debounce = 50 * time.Millisecond
	w.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := w.Open(); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	updates, cancel := w.Subscribe()
	defer cancel()

	r := newRig(t, w)
	r.chooseLanguage("fr")
	r.startProcedure("create-email")
	old := r.k.Session().Proc
	first := old.First()
	r.tap(r.k.Screen().Next)

	// Staff change the first sentence and publish the next version.
	was, now := old.Version, old.Version+1
	path := filepath.Join(dir, "create-email", "procedure.yaml")
	src, _ := os.ReadFile(path)
	edited := strings.Replace(string(src), fmt.Sprintf("version: %d", was), fmt.Sprintf("version: %d", now), 1)
	edited = strings.Replace(edited, "fr: "+first.Say["fr"], "fr: Bienvenue, version deux.", 1)
	edited = strings.Replace(edited, `fr: "`+first.Say["fr"]+`"`, `fr: "Bienvenue, version deux."`, 1)
	if edited == string(src) {
		t.Fatal("the edit changed nothing")
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	var u passerelle.CatalogUpdate
	select {
	case u = <-updates:
	case <-time.After(5 * time.Second):
		t.Fatal("no reload")
	}
	if len(u.Problems) > 0 {
		t.Fatalf("the edit broke the file: %v", u.Problems)
	}
	r.k.UseCatalog(u.Catalog)

	// The current user goes on, on the old version, back to the first screen too.
	r.tap(r.k.Screen().Back)
	if got := r.k.Session().Step().Say["fr"]; got != first.Say["fr"] {
		t.Errorf("the session's first step now says %q: the reload reached it", got)
	}
	sessionID := r.k.Session().ID
	r.walk()
	for _, e := range sessionEvents(t, r.db, sessionID) {
		if e.ProcedureVersion != was {
			t.Fatalf("event %s on version %d, want %d: the session changed version", e.Kind, e.ProcedureVersion, was)
		}
	}
	r.tap(r.k.Screen().Next) // done: back to welcome

	// The next user gets the new version.
	r.chooseLanguage("fr")
	r.startProcedure("create-email")
	if v := r.k.Session().Proc.Version; v != now {
		t.Errorf("next user's version = %d, want %d", v, now)
	}
	played := r.played()
	if last := played[len(played)-1].Prompt.Text; last != "Bienvenue, version deux." {
		t.Errorf("next user heard %q, want the new sentence", last)
	}
}
