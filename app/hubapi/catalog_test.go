package hubapi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passerelle/app/bundle"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

const shippedCatalog = "../../data/procedures"

// hubCatalog copies the shipped catalog into a folder of the test's,
// without the procedure named drop, so a kiosk can tell it from the
// shipped one.
func hubCatalog(tb testing.TB, drop string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "catalog")
	if err := os.CopyFS(dir, os.DirFS(shippedCatalog)); err != nil {
		tb.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, drop)); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// publish packs dir and publishes it on the hub's store.
func publish(tb testing.TB, store passerelle.HubStore, dir string) passerelle.CatalogVersion {
	tb.Helper()
	archive, hash, err := bundle.Pack(dir)
	if err != nil {
		tb.Fatal(err)
	}
	v := passerelle.CatalogVersion{Hash: hash, Archive: archive, PublishedAt: time.Now()}
	if _, err := store.PublishCatalog(context.Background(), v); err != nil {
		tb.Fatal(err)
	}
	return v
}

// watchKiosk starts the kiosk's watcher on its data folder's catalog, as
// the kiosk does.
func watchKiosk(tb testing.TB, dataDir string) *procedure.Watcher {
	tb.Helper()
	dir, err := bundle.EnsureLink(dataDir, shippedCatalog)
	if err != nil {
		tb.Fatal(err)
	}
	w := procedure.NewWatcher(dir)
	w.Logger = quietLogger()
	if err := w.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close() })
	return w
}

func procedureIDs(c *passerelle.Catalog) []string {
	var ids []string
	for _, p := range c.Procedures {
		ids = append(ids, p.ID)
	}
	return ids
}

// waitCatalog waits until the watcher serves a catalog without the
// procedure gone.
func waitCatalog(tb testing.TB, w *procedure.Watcher, updates <-chan passerelle.CatalogUpdate, gone string) {
	tb.Helper()
	deadline := time.After(10 * time.Second)
	for slices.Contains(procedureIDs(w.Catalog()), gone) {
		select {
		case <-updates:
		case <-deadline:
			tb.Fatalf("the running kiosk still serves %q 10 s after the sync: %v", gone, procedureIDs(w.Catalog()))
		}
	}
}

// countCatalogAnswers counts the hub's catalog answers by status.
type countCatalogAnswers struct {
	ok, notModified atomic.Int32
}

func (c *countCatalogAnswers) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if r.URL.Path == PathCatalog {
			switch sw.status {
			case http.StatusOK:
				c.ok.Add(1)
			case http.StatusNotModified:
				c.notModified.Add(1)
			}
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	w.status = s
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// TestPublishedCatalogGoesLive: a catalog published on the hub reaches a
// running kiosk: installed in its data folder, served by its watcher,
// reported to the hub; the next sync does not download it again.
func TestPublishedCatalogGoesLive(t *testing.T) {
	ctx := context.Background()
	var answers countCatalogAnswers
	hub := startHub(t, openHubStore(t, filepath.Join(t.TempDir(), "hub.db")), answers.wrap)
	kiosk, dataDir := newKiosk(t)
	join(t, hub.Store, kiosk, "mairie-1", hub.URL)
	w := watchKiosk(t, dataDir)
	updates, cancel := w.Subscribe()
	defer cancel()
	if !slices.Contains(procedureIDs(w.Catalog()), "create-email") {
		t.Fatalf("the shipped catalog is not live: %v", procedureIDs(w.Catalog()))
	}

	s := &Syncer{Outbox: kiosk, DataDir: dataDir, AppVersion: "test"}
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatalf("sync with no catalog published: %v", err)
	}
	v := publish(t, hub.Store, hubCatalog(t, "create-email"))
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	waitCatalog(t, w, updates, "create-email")
	if live, err := bundle.Live(dataDir); err != nil || live != v.Hash {
		t.Fatalf("live catalog %q (%v), want %q", live, err, v.Hash)
	}
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, nm := answers.ok.Load(), answers.notModified.Load(); ok != 1 || nm != 1 {
		t.Fatalf("catalog answers: %d downloads and %d not modified, want 1 and 1", ok, nm)
	}
	status, _ := kiosk.SyncStatus(ctx)
	kiosks, _ := hub.Store.Kiosks(ctx)
	if status.CatalogVersion != v.Hash || kiosks[0].Report.CatalogVersion != v.Hash {
		t.Fatalf("catalog version in the kiosk's status %q, in its report to the hub %q, want %q",
			status.CatalogVersion, kiosks[0].Report.CatalogVersion, v.Hash)
	}
}

// TestBadCatalogDownloadChangesNothing: a hostile or broken server sends a
// corrupt, cut, mislabelled or invalid catalog; the kiosk refuses it, says
// so in its sync status, and its live catalog stays as it was.
func TestBadCatalogDownloadChangesNothing(t *testing.T) {
	ctx := context.Background()
	good := hubCatalog(t, "create-email")
	goodArchive, goodHash, err := bundle.Pack(good)
	if err != nil {
		t.Fatal(err)
	}
	other := hubCatalog(t, "ants-id-card")
	otherArchive, otherHash, err := bundle.Pack(other)
	if err != nil {
		t.Fatal(err)
	}
	invalid := hubCatalog(t, "ants-id-card")
	os.WriteFile(filepath.Join(invalid, "ameli-attestation", "procedure.yaml"), []byte("id: ameli-attestation\nsteps: [\n"), 0o644)
	invalidArchive, invalidHash, err := bundle.Pack(invalid)
	if err != nil {
		t.Fatal(err)
	}
	// One kiosk meets every bad download in turn, the good catalog live.
	var hostile atomic.Pointer[badCatalog]
	store := openHubStore(t, filepath.Join(t.TempDir(), "hub.db"))
	publish(t, store, good)
	hub := startHub(t, store, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bad := hostile.Load()
			if r.URL.Path != PathCatalog || bad == nil {
				h.ServeHTTP(w, r)
				return
			}
			w.Header().Set("ETag", `"`+bad.hash+`"`)
			w.Header().Set("Catalog-Hash", bad.hash)
			w.Header().Set("Content-Type", "application/gzip")
			w.Write(bad.archive)
		})
	})
	kiosk, dataDir := newKiosk(t)
	join(t, hub.Store, kiosk, "mairie-1", hub.URL)
	w := watchKiosk(t, dataDir)
	updates, cancel := w.Subscribe()
	defer cancel()
	s := &Syncer{Outbox: kiosk, DataDir: dataDir, AppVersion: "test"}
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	waitCatalog(t, w, updates, "create-email")
	before := procedureIDs(w.Catalog())

	for _, c := range []struct {
		name string
		bad  badCatalog
	}{
		{"corrupt archive", badCatalog{[]byte(strings.Repeat("not a gzip stream ", 100)), otherHash}},
		{"cut archive", badCatalog{otherArchive[:len(otherArchive)/2], otherHash}},
		{"hash mismatch", badCatalog{otherArchive, strings.Repeat("ab", 32)}},
		{"another catalog's hash", badCatalog{goodArchive, otherHash}},
		{"invalid catalog", badCatalog{invalidArchive, invalidHash}},
		{"hash naming a path", badCatalog{otherArchive, "../../escape"}},
		{"empty archive", badCatalog{nil, otherHash}},
	} {
		t.Run(c.name, func(t *testing.T) {
			hostile.Store(&c.bad)
			err := s.SyncOnce(ctx)
			if err == nil || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("sync of a bad catalog = %v, want it refused", err)
			}
			if live, err := bundle.Live(dataDir); err != nil || live != goodHash {
				t.Fatalf("live catalog %q (%v) after a bad download, want the old %q", live, err, goodHash)
			}
			if got := procedureIDs(w.Catalog()); !slices.Equal(got, before) {
				t.Fatalf("the kiosk serves %v after a bad download, want %v", got, before)
			}
			status, _ := kiosk.SyncStatus(ctx)
			if status.LastError != err.Error() || status.CatalogVersion != goodHash {
				t.Fatalf("sync status after a bad download: %+v", status)
			}
		})
	}

	// The server behaves again: the kiosk syncs, and its report after the
	// sync tells the hub's staff all is well again.
	hostile.Store(nil)
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatalf("sync once the server behaves: %v", err)
	}
	kiosks, _ := hub.Store.Kiosks(ctx)
	if r := kiosks[0].Report; r.LastError != "" || r.CatalogVersion != goodHash || r.PendingEvents != 0 {
		t.Fatalf("the hub's view of the kiosk after a good sync: %+v", r)
	}
}

// badCatalog is what a hostile server sends as the catalog.
type badCatalog struct {
	archive []byte
	hash    string
}

// archiveReads counts the archives a store reads: the real store, with a
// counter at its boundary.
type archiveReads struct {
	passerelle.HubStore
	n atomic.Int32
}

func (s *archiveReads) LatestCatalog(ctx context.Context) (passerelle.CatalogVersion, error) {
	s.n.Add(1)
	return s.HubStore.LatestCatalog(ctx)
}

// Every kiosk asks for the catalog at every sync: a hub reads the archive
// from its database once per version, not once per question.
func TestCatalogArchiveReadOncePerVersion(t *testing.T) {
	store := &archiveReads{HubStore: openHubStore(t, filepath.Join(t.TempDir(), "hub.db"))}
	hub := startHub(t, store, nil)
	v1 := publish(t, store, hubCatalog(t, "create-email"))
	ctx := context.Background()
	for i := range 3 {
		kiosk, dir := newKiosk(t)
		join(t, store, kiosk, fmt.Sprintf("mairie-%d", i), hub.URL)
		s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "test"}
		for range 2 { // a download, then "not modified"
			if err := s.SyncOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if live, _ := bundle.Live(dir); live != v1.Hash {
			t.Fatalf("kiosk %d: live catalog %q, want %q", i, live, v1.Hash)
		}
	}
	if n := store.n.Load(); n != 1 {
		t.Fatalf("the archive was read %d times for 3 kiosks syncing twice, want once", n)
	}

	// A new version, published by this hub or another on the same
	// database, is read once more and served.
	v2 := publish(t, store, hubCatalog(t, "ameli-attestation"))
	kiosk, dir := newKiosk(t)
	join(t, store, kiosk, "mairie-new", hub.URL)
	if err := (&Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "test"}).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if live, _ := bundle.Live(dir); live != v2.Hash {
		t.Fatalf("live catalog %q after a new version, want %q", live, v2.Hash)
	}
	if n := store.n.Load(); n != 2 {
		t.Fatalf("the archive was read %d times after a new version, want twice in all", n)
	}
}
