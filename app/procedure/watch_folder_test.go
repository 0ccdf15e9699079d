package procedure_test

import (
	"bytes"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// settled is how soon after a change on disk settles the kiosk must serve
// the right catalog.
const settled = time.Second

// retryEveryForTest is how often the watcher looks for a catalog folder
// that is missing, where no change notification can tell it came back.
const retryEveryForTest = time.Second

// logBuffer collects a watcher's log lines for a test to read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// watchFolder opens a watcher on dir, which may be missing, and subscribes.
func watchFolder(t *testing.T, dir string) (*procedure.Watcher, <-chan passerelle.CatalogUpdate, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	w := procedure.NewWatcher(dir)
	w.Debounce = 50 * time.Millisecond
	w.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if err := w.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	updates, cancel := w.Subscribe()
	t.Cleanup(cancel)
	return w, updates, logs
}

// within reads updates until one satisfies ok, failing after d.
func within(t *testing.T, d time.Duration, updates <-chan passerelle.CatalogUpdate, what string, ok func(passerelle.CatalogUpdate) bool) passerelle.CatalogUpdate {
	t.Helper()
	deadline := time.After(d)
	var last passerelle.CatalogUpdate
	for {
		select {
		case u, open := <-updates:
			if !open {
				t.Fatal("updates channel closed")
			}
			if ok(u) {
				return u
			}
			last = u
		case <-deadline:
			procs := 0
			if last.Catalog != nil {
				procs = len(last.Catalog.Procedures)
			}
			t.Fatalf("not within %v: %s; last update: %d procedures, problems:\n%s", d, what, procs, problemLines(last.Problems))
		}
	}
}

// titled reports whether procedure id is live with the French title want.
func titled(id, want string) func(passerelle.CatalogUpdate) bool {
	return func(u passerelle.CatalogUpdate) bool {
		p, ok := u.Catalog.Procedure(id)
		return ok && p.Title["fr"] == want
	}
}

// catalogCopy writes a copy of the fixture at dir with demo's French title set.
func catalogCopy(t *testing.T, dir, title string) {
	t.Helper()
	copyTree(t, fixture, dir)
	replace("demo/procedure.yaml", "fr: Démonstration", "fr: "+title)(t, dir)
}

func retitle(t *testing.T, dir, from, to string) {
	t.Helper()
	replace("demo/procedure.yaml", "fr: "+from, "fr: "+to)(t, dir)
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// lnSfn points link at target with ln -sfn, as deployments do.
func lnSfn(t *testing.T, target, link string) {
	t.Helper()
	if out, err := exec.Command("ln", "-sfn", target, link).CombinedOutput(); err != nil {
		t.Fatalf("ln -sfn: %v %s", err, out)
	}
}

func hasMessage(ps []passerelle.Problem, msg string) bool {
	for _, p := range ps {
		if strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

func TestWatcherKeepsLastGoodWhenCatalogDeletedAndRecoversWhenRecreated(t *testing.T) {
	cat := filepath.Join(t.TempDir(), "cat")
	catalogCopy(t, cat, "Premier")
	w, updates, logs := watchFolder(t, cat)

	if err := os.RemoveAll(cat); err != nil {
		t.Fatal(err)
	}
	missing := "the catalog folder " + cat + " cannot be read: it is missing"
	u := within(t, settled, updates, "the deletion reported", func(u passerelle.CatalogUpdate) bool { return hasMessage(u.Problems, missing) })
	if !titled("demo", "Premier")(u) || len(u.Catalog.Procedures) != 1 {
		t.Errorf("the last good catalog is not live after the folder was deleted: %d procedures", len(u.Catalog.Procedures))
	}
	if !hasMessage(w.Problems(), "the last good catalog (1 procedures) stays live") {
		t.Errorf("Problems() does not say the last good catalog stays live: %v", w.Problems())
	}
	if !strings.Contains(logs.String(), missing) {
		t.Errorf("the log does not say the folder is missing:\n%s", logs)
	}

	// Recreated empty first, as a copy does: still the last good one.
	if err := os.Mkdir(cat, 0o755); err != nil {
		t.Fatal(err)
	}
	u = within(t, settled, updates, "the empty folder reported", func(u passerelle.CatalogUpdate) bool { return hasMessage(u.Problems, "has no procedure in it") })
	if !titled("demo", "Premier")(u) {
		t.Error("an empty catalog folder took the last good catalog away")
	}

	copyTree(t, fixture, cat)
	within(t, settled, updates, "the recreated catalog live", func(u passerelle.CatalogUpdate) bool {
		return titled("demo", "Démonstration")(u) && len(u.Problems) == 0
	})
	retitle(t, cat, "Démonstration", "Modifié")
	within(t, settled, updates, "an edit in the recreated folder live", titled("demo", "Modifié"))
	if !strings.Contains(logs.String(), "the catalog folder is back") {
		t.Errorf("the log does not say the folder is back:\n%s", logs)
	}
}

func TestWatcherFollowsCatalogSwappedByRename(t *testing.T) {
	base := t.TempDir()
	cat, next := filepath.Join(base, "cat"), filepath.Join(base, "new")
	catalogCopy(t, cat, "Ancien")
	catalogCopy(t, next, "Nouveau")
	_, updates, _ := watchFolder(t, cat)

	rename(t, cat, cat+".old")
	rename(t, next, cat)
	within(t, settled, updates, "the swapped-in catalog live", titled("demo", "Nouveau"))

	retitle(t, cat+".old", "Ancien", "Ignoré")
	quiet(t, updates, 3*settled/10)
	retitle(t, cat, "Nouveau", "Modifié")
	within(t, settled, updates, "an edit in the swapped-in catalog live", titled("demo", "Modifié"))

	// A broken catalog swapped in: the last good demo stays, and says why.
	broken := filepath.Join(base, "broken")
	catalogCopy(t, broken, "Cassé")
	replace("demo/procedure.yaml", "next: ask-email", "next: nowhere")(t, broken)
	rename(t, cat, cat+".older")
	rename(t, broken, cat)
	u := within(t, settled, updates, "the broken procedure reported", func(u passerelle.CatalogUpdate) bool {
		return hasMessage(u.Problems, `next "nowhere" in step "hello" leads to no step`)
	})
	if !titled("demo", "Modifié")(u) {
		t.Error("a broken procedure swapped in replaced the last good one")
	}
}

func TestWatcherFollowsCatalogLinkSwapped(t *testing.T) {
	base := t.TempDir()
	v1, v2 := filepath.Join(base, "releases", "v1"), filepath.Join(base, "releases", "v2")
	catalogCopy(t, v1, "Version 1")
	catalogCopy(t, v2, "Version 2")
	cat := filepath.Join(base, "cat")
	if err := os.Symlink(v1, cat); err != nil {
		t.Fatal(err)
	}
	w, updates, _ := watchFolder(t, cat)
	if !titled("demo", "Version 1")(passerelle.CatalogUpdate{Catalog: w.Catalog()}) {
		t.Fatal("the catalog behind the link is not live at start")
	}

	lnSfn(t, v2, cat)
	within(t, settled, updates, "the new link target live", titled("demo", "Version 2"))
	retitle(t, v2, "Version 2", "Modifié")
	within(t, settled, updates, "an edit in the new target live", titled("demo", "Modifié"))
	retitle(t, v1, "Version 1", "Ignoré")
	quiet(t, updates, 3*settled/10)

	// And back again, as a rollback does.
	lnSfn(t, v1, cat)
	within(t, settled, updates, "the rolled-back target live", titled("demo", "Ignoré"))
}

// TestWatcherRecoversWhenALinkedCatalogComesBack: the catalog is a link
// whose target is deleted, then put back. Nothing in the link's folder
// changes, so only looking again can see it.
func TestWatcherRecoversWhenALinkedCatalogComesBack(t *testing.T) {
	base := t.TempDir()
	target := filepath.Join(base, "releases", "v1")
	catalogCopy(t, target, "Avant")
	cat := filepath.Join(base, "cat")
	if err := os.Symlink(target, cat); err != nil {
		t.Fatal(err)
	}
	_, updates, _ := watchFolder(t, cat)

	if err := os.RemoveAll(target); err != nil {
		t.Fatal(err)
	}
	u := within(t, settled, updates, "the deletion reported", func(u passerelle.CatalogUpdate) bool { return hasMessage(u.Problems, "it is missing") })
	if !titled("demo", "Avant")(u) {
		t.Error("the last good catalog is not live after the link's target was deleted")
	}
	catalogCopy(t, target, "Après")
	within(t, settled+retryEveryForTest, updates, "the recreated target live", titled("demo", "Après"))
	retitle(t, target, "Après", "Modifié")
	within(t, settled, updates, "an edit in the recreated target live", titled("demo", "Modifié"))
}

func TestWatcherFollowsRenamedProcedureFolder(t *testing.T) {
	cat := filepath.Join(t.TempDir(), "cat")
	catalogCopy(t, cat, "Avant")
	_, updates, _ := watchFolder(t, cat)

	rename(t, filepath.Join(cat, "demo"), filepath.Join(cat, "renamed"))
	within(t, settled, updates, "the procedure read from its new folder", func(u passerelle.CatalogUpdate) bool {
		p, ok := u.Catalog.Procedure("demo")
		return ok && filepath.Base(p.Dir) == "renamed"
	})
	replace("renamed/procedure.yaml", "fr: Avant", "fr: Après")(t, cat)
	within(t, settled, updates, "an edit in the renamed folder live", titled("demo", "Après"))

	// Renamed again, back and forth, then a recording in its subfolder damaged.
	rename(t, filepath.Join(cat, "renamed"), filepath.Join(cat, "again"))
	rename(t, filepath.Join(cat, "again"), filepath.Join(cat, "demo"))
	within(t, settled, updates, "the procedure read from its first folder again", func(u passerelle.CatalogUpdate) bool {
		p, ok := u.Catalog.Procedure("demo")
		return ok && filepath.Base(p.Dir) == "demo"
	})
	truncate("demo/audio/fr/hello.wav", 30)(t, cat)
	within(t, settled, updates, "a damaged recording in a subfolder noticed", func(u passerelle.CatalogUpdate) bool {
		return hasMessage(u.Problems, `"audio/fr/hello.wav" cannot be used`)
	})
}

func TestWatcherFollowsLinkedProcedureFolder(t *testing.T) {
	base := t.TempDir()
	cat := filepath.Join(base, "cat")
	catalogCopy(t, cat, "Démo")
	shared := filepath.Join(base, "shared")
	for _, v := range []string{"a", "b"} {
		copyTree(t, filepath.Join(fixture, "demo"), filepath.Join(shared, v))
		replace(filepath.Join(v, "procedure.yaml"), "id: demo", "id: linked")(t, shared)
		replace(filepath.Join(v, "procedure.yaml"), "fr: Démonstration", "fr: Lien "+v)(t, shared)
	}
	if err := os.Symlink(filepath.Join(shared, "a"), filepath.Join(cat, "linked")); err != nil {
		t.Fatal(err)
	}
	w, updates, _ := watchFolder(t, cat)
	if c := w.Catalog(); len(c.Procedures) != 2 || !titled("linked", "Lien a")(passerelle.CatalogUpdate{Catalog: c}) {
		t.Fatalf("the linked procedure folder is not served at start: problems %v", w.Problems())
	}

	replace("a/procedure.yaml", "fr: Lien a", "fr: Lien a modifié")(t, shared)
	within(t, settled, updates, "an edit behind the link live", titled("linked", "Lien a modifié"))
	lnSfn(t, filepath.Join(shared, "b"), filepath.Join(cat, "linked"))
	within(t, settled, updates, "the new link target live", titled("linked", "Lien b"))
	replace("b/procedure.yaml", "fr: Lien b", "fr: Lien b modifié")(t, shared)
	within(t, settled, updates, "an edit behind the new link live", titled("linked", "Lien b modifié"))
}

func TestWatcherStartsEmptyOnMissingFolderAndLoadsItWhenItAppears(t *testing.T) {
	tests := []struct {
		name   string
		parent string // made under the test's folder; the catalog is parent/cat
		wait   time.Duration
	}{
		{"catalog folder missing", ".", settled},
		// Without the parent nothing can be watched: the watcher looks again every second.
		{"parent folder missing too", "usb/drive", settled + time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := filepath.Join(t.TempDir(), tt.parent)
			cat := filepath.Join(parent, "cat")
			w, updates, logs := watchFolder(t, cat)
			if n := len(w.Catalog().Procedures); n != 0 {
				t.Fatalf("%d procedures from a missing folder", n)
			}
			want := "the catalog folder " + cat + " cannot be read: it is missing; the kiosk has no procedure to offer"
			if !hasMessage(w.Problems(), want) || !strings.Contains(logs.String(), want) {
				t.Fatalf("Problems() and the log do not say %q:\n%v\n%s", want, w.Problems(), logs)
			}

			quiet(t, updates, tt.wait-settled+300*time.Millisecond) // no news while nothing changes

			// Made elsewhere and moved in, whole.
			staging := filepath.Join(t.TempDir(), "cat")
			catalogCopy(t, staging, "Arrivé")
			if err := os.MkdirAll(parent, 0o755); err != nil {
				t.Fatal(err)
			}
			rename(t, staging, cat)
			within(t, tt.wait, updates, "the catalog live once it appears", titled("demo", "Arrivé"))
			retitle(t, cat, "Arrivé", "Modifié")
			within(t, settled, updates, "an edit in it live", titled("demo", "Modifié"))
		})
	}
}

// TestWatcherIgnoresTheParentsOtherEntries: watching the catalog's parent
// folder must not reload the catalog each time something else there changes
// (the parent may hold the kiosk's database or a user's files).
func TestWatcherIgnoresTheParentsOtherEntries(t *testing.T) {
	base := t.TempDir()
	cat := filepath.Join(base, "cat")
	catalogCopy(t, cat, "Démo")
	w, updates, _ := watchFolder(t, cat)

	writeFile(t, filepath.Join(base, "kiosk.db"), "data")
	writeFile(t, filepath.Join(base, "other", "file.txt"), "text")
	rename(t, filepath.Join(base, "kiosk.db"), filepath.Join(base, "kiosk.db.bak"))
	quiet(t, updates, 5*w.Debounce)
	if got := w.Reloads(); got != 1 {
		t.Errorf("reloads = %d, want 1: changes beside the catalog reloaded it", got)
	}
}
