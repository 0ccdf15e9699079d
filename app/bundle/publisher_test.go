package bundle_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/bundle"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// logBuffer collects a log written from the publisher's goroutine.
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

// hub is a hub publishing a catalog folder to its real database.
type hub struct {
	dir string
	db  *sqlite.HubDB
	pub *bundle.Publisher
	log *logBuffer
}

var publishedAt = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func newHub(t *testing.T, dir string) *hub {
	t.Helper()
	db := sqlite.NewHubDB(filepath.Join(t.TempDir(), "hub.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := &hub{dir: dir, db: db, log: &logBuffer{}}
	h.pub = &bundle.Publisher{Dir: dir, Store: db, Logger: slog.New(slog.NewTextHandler(h.log, nil)),
		Now: func() time.Time { return publishedAt }}
	if err := h.pub.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.pub.Close() })
	return h
}

// attempt waits for the publisher's next snapshot and returns its hash.
func (h *hub) attempt(t *testing.T) string {
	t.Helper()
	select {
	case hash := <-h.pub.Attempts():
		return hash
	case <-time.After(waitLimit):
		t.Fatalf("no publish attempt within %v", waitLimit)
	}
	return ""
}

func (h *hub) latest(t *testing.T) passerelle.CatalogVersion {
	t.Helper()
	v, err := h.db.LatestCatalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// edit changes the edited procedure's file in the hub's folder as staff do.
func (h *hub) edit(t *testing.T, old, new string) {
	t.Helper()
	file := filepath.Join(h.dir, editedFile)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not hold %q", editedFile, old)
	}
	errorsFatal(t, os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
}

// TestPublishedCatalogGoesLiveOnAKiosk follows a catalog from the hub's
// folder to a running kiosk: published at start and after an edit, stored
// in the hub's database, installed on the kiosk, seen by its watcher.
func TestPublishedCatalogGoesLiveOnAKiosk(t *testing.T) {
	t.Parallel()
	h := newHub(t, shippedCopy(t))
	if got, want := h.attempt(t), mustHash(t, h.dir); got != want {
		t.Fatalf("first snapshot %s, the folder hashes %s", got, want)
	}
	first := h.latest(t)
	if first.Hash != mustHash(t, h.dir) || !first.PublishedAt.Equal(publishedAt) || len(h.pub.Problems()) > 0 {
		t.Fatalf("published %s at %v (problems %v)", first.Hash, first.PublishedAt, h.pub.Problems())
	}

	h.edit(t, shippedTitle, "fr: Créer son adresse email")
	second := h.attempt(t)
	if second == first.Hash || second != mustHash(t, h.dir) {
		t.Fatalf("snapshot after the edit %s; before %s; the folder hashes %s", second, first.Hash, mustHash(t, h.dir))
	}
	v := h.latest(t)
	if v.Hash != second {
		t.Fatalf("latest %s, want the edited version %s", v.Hash, second)
	}
	// What kiosks receive is exactly the folder.
	out := filepath.Join(t.TempDir(), "received")
	if got, err := bundle.Unpack(v.Archive, out); err != nil || got != v.Hash {
		t.Fatalf("unpack the published archive: %s, %v", got, err)
	}
	sameTree(t, h.dir, out)

	k := newKiosk(t)
	k.install(t, version{title: "Créer son adresse email", hash: v.Hash, archive: v.Archive})
	if !strings.Contains(h.log.String(), "catalog: published") {
		t.Errorf("the hub's log does not say it published:\n%s", h.log)
	}
}

func TestPublisherKeepsTheLastGoodVersionWhenTheFolderHasProblems(t *testing.T) {
	t.Parallel()
	h := newHub(t, shippedCopy(t))
	good := h.attempt(t)

	h.edit(t, "next: has-phone", "next: no-such-step")
	if got := h.attempt(t); got == good {
		t.Fatal("no new snapshot after the edit")
	}
	problems := h.pub.Problems()
	wantFile := filepath.Join(h.dir, editedFile)
	if len(problems) == 0 || problems[0].File != wantFile || problems[0].Line == 0 || !strings.Contains(problems[0].Message, "no-such-step") {
		t.Fatalf("problems %v, want one at a line of %s about no-such-step", problems, wantFile)
	}
	if latest := h.latest(t); latest.Hash != good {
		t.Fatalf("latest %s, want the last good %s still", latest.Hash, good)
	}
	where := fmt.Sprintf("%s:%d:%d: ", problems[0].File, problems[0].Line, problems[0].Col)
	if log := h.log.String(); !strings.Contains(log, where) || !strings.Contains(log, "last good version stays") {
		t.Errorf("the log does not give the problem at %q and what happens:\n%s", where, log)
	}

	h.edit(t, "next: no-such-step", "next: has-phone") // mended: the very version published before
	if got := h.attempt(t); got != good {
		t.Fatalf("snapshot %s after mending, want %s", got, good)
	}
	if len(h.pub.Problems()) > 0 {
		t.Fatalf("problems after mending: %v", h.pub.Problems())
	}
	h.edit(t, shippedTitle, "fr: Nouvelle adresse email")
	if got := h.attempt(t); h.latest(t).Hash != got || got == good {
		t.Fatalf("latest %s, want the new snapshot %s", h.latest(t).Hash, got)
	}
}

func TestPublisherStartsWithABrokenOrMissingFolder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T) string
		want  string
	}{
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nothing") }, "missing"},
		{"no procedure", func(t *testing.T) string { return treeDir(t, map[string]string{"README.md": "x"}) }, "no procedure"},
		{"a broken procedure", func(t *testing.T) string {
			dir := shippedCopy(t)
			file := filepath.Join(dir, editedFile)
			data, err := os.ReadFile(file)
			errorsFatal(t, err, os.WriteFile(file, bytes.Replace(data, []byte("next: has-phone"), []byte("next: nowhere"), 1), 0o644))
			return dir
		}, "nowhere"},
		{"two pictograms a capital apart", func(t *testing.T) string {
			dir := shippedCopy(t)
			writeTree(t, dir, map[string]string{"pictograms/Email.svg": "<svg/>"})
			return dir
		}, "twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHub(t, c.setup(t))
			h.attempt(t)
			if ps := h.pub.Problems(); len(ps) == 0 || !strings.Contains(ps[0].Message, c.want) {
				t.Fatalf("problems %v, want one saying %q", ps, c.want)
			}
			if _, err := h.db.LatestCatalog(context.Background()); !errors.Is(err, passerelle.ErrNotFound) {
				t.Fatalf("something was published: %v", err)
			}
		})
	}
}

// TestPublisherOpenFailsWhenTheStoreRefuses: a hub whose database cannot
// write does not start as if it served a catalog.
func TestPublisherOpenFailsWhenTheStoreRefuses(t *testing.T) {
	t.Parallel()
	db := sqlite.NewHubDB(filepath.Join(t.TempDir(), "hub.db"))
	errorsFatal(t, db.Open(), db.Close()) // closed: every write fails
	p := &bundle.Publisher{Dir: shippedCopy(t), Store: db, Logger: slog.New(slog.DiscardHandler)}
	err := p.Open()
	if err == nil {
		p.Close()
		t.Fatal("Open succeeded")
	}
	if !strings.Contains(err.Error(), "publish catalog") {
		t.Fatalf("error %q does not say what failed", err)
	}
	t.Log(err)
	if err := p.Close(); err != nil {
		t.Fatalf("Close after a failed Open: %v", err)
	}
}

// TestPublisherKeepsThePublishedTitles: the hub's staff page names the
// procedures of help calls by the titles of the version kiosks run, not
// by those of a folder with problems that was refused.
func TestPublisherKeepsThePublishedTitles(t *testing.T) {
	t.Parallel()
	h := newHub(t, shippedCopy(t))
	h.attempt(t)
	title := func() string { t.Helper(); return h.pub.Titles()[editedProcID]["fr"] }
	if got := title(); got != shippedTitleV {
		t.Fatalf("title %q after the first publication, want %q", got, shippedTitleV)
	}
	// One write, both changes: a new title in a version with a problem.
	file := filepath.Join(h.dir, editedFile)
	data, err := os.ReadFile(file)
	errorsFatal(t, err)
	edited := strings.Replace(strings.Replace(string(data), shippedTitle, "fr: Créer son adresse email", 1), "next: has-phone", "next: no-such-step", 1)
	errorsFatal(t, os.WriteFile(file, []byte(edited), 0o644))
	h.attempt(t)
	if len(h.pub.Problems()) == 0 {
		t.Fatal("the broken edit has no problem")
	}
	if got := title(); got != shippedTitleV {
		t.Fatalf("title %q after a refused edit, want the published %q", got, shippedTitleV)
	}
	h.edit(t, "next: no-such-step", "next: has-phone")
	h.attempt(t)
	if got := title(); got != "Créer son adresse email" {
		t.Fatalf("title %q after the mended edit was published, want %q", got, "Créer son adresse email")
	}
}
