package bundle_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"passerelle/app/bundle"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

const (
	editedFile    = "create-email/procedure.yaml"
	shippedTitle  = "fr: Créer une adresse email"
	editedProcID  = "create-email"
	shippedTitleV = "Créer une adresse email"
)

// kiosk is a kiosk's data folder serving the shipped catalog through the
// link, watched by the real watcher as the running kiosk watches it.
type kiosk struct {
	dataDir, shipped string
	watcher          *procedure.Watcher
	updates          <-chan passerelle.CatalogUpdate
}

func newKiosk(t *testing.T) *kiosk {
	t.Helper()
	root := t.TempDir()
	k := &kiosk{dataDir: filepath.Join(root, "data"), shipped: filepath.Join(root, "shipped")}
	copyTree(t, shipped, k.shipped)
	errorsFatal(t, os.Mkdir(k.dataDir, 0o755))
	dir, err := bundle.EnsureLink(k.dataDir, k.shipped)
	if err != nil {
		t.Fatal(err)
	}
	k.watcher = procedure.NewWatcher(dir)
	k.watcher.Debounce = 50 * time.Millisecond
	k.watcher.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := k.watcher.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.watcher.Close() })
	updates, cancel := k.watcher.Subscribe()
	t.Cleanup(cancel)
	k.updates = updates
	if got := k.title(t); got != shippedTitleV {
		t.Fatalf("the shipped catalog's title is %q", got)
	}
	return k
}

// title is the French title of the edited procedure in the live catalog.
func (k *kiosk) title(t *testing.T) string {
	t.Helper()
	return titleIn(t, k.watcher.Catalog())
}

func titleIn(t *testing.T, c *passerelle.Catalog) string {
	t.Helper()
	p, ok := c.Procedure(editedProcID)
	if !ok {
		t.Fatalf("no procedure %s in the catalog", editedProcID)
	}
	return p.Title["fr"]
}

// nextUpdate waits for the watcher's next reload.
func (k *kiosk) nextUpdate(t *testing.T) passerelle.CatalogUpdate {
	t.Helper()
	select {
	case u, ok := <-k.updates:
		if !ok {
			t.Fatal("the watcher closed its updates")
		}
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher saw no change within 5 s")
	}
	return passerelle.CatalogUpdate{}
}

// install installs a version and waits until the watcher serves it.
func (k *kiosk) install(t *testing.T, v version) {
	t.Helper()
	if err := bundle.Install(context.Background(), k.dataDir, v.archive, v.hash); err != nil {
		t.Fatal(err)
	}
	u := k.nextUpdate(t)
	if len(u.Problems) > 0 {
		t.Fatalf("the watcher found problems: %v", u.Problems)
	}
	if got := titleIn(t, u.Catalog); got != v.title {
		t.Fatalf("live title %q, want %q", got, v.title)
	}
	if live, err := bundle.Live(k.dataDir); err != nil || live != v.hash {
		t.Fatalf("Live = %s, %v; want %s", live, err, v.hash)
	}
}

// versions lists the folders in catalogs/, staging ones included.
func (k *kiosk) versions(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(k.dataDir, bundle.VersionsDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func (k *kiosk) link(t *testing.T, name string) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(k.dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// version is a catalog as the hub publishes it.
type version struct {
	title, hash string
	archive     []byte
}

// edited packs the shipped catalog with the title of one procedure
// changed, and with edit applied to that procedure's file if given.
func edited(t testing.TB, title string, edit ...func(string) string) version {
	t.Helper()
	dir := shippedCopy(t)
	file := filepath.Join(dir, editedFile)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), shippedTitle, "fr: "+title, 1)
	for _, e := range edit {
		text = e(text)
	}
	errorsFatal(t, os.WriteFile(file, []byte(text), 0o644))
	archive, hash, err := bundle.Pack(dir)
	if err != nil {
		t.Fatal(err)
	}
	return version{title: title, hash: hash, archive: archive}
}

func TestInstallMakesTheCatalogLiveAndKeepsThePrevious(t *testing.T) {
	k := newKiosk(t)
	v1, v2, v3 := edited(t, "Version un"), edited(t, "Version deux"), edited(t, "Version trois")
	shippedAbs, _ := filepath.Abs(k.shipped)

	k.install(t, v1)
	if got := k.link(t, bundle.PreviousName); got != shippedAbs {
		t.Errorf("previous = %s, want the shipped catalog %s", got, shippedAbs)
	}
	k.install(t, v2)
	if got := k.link(t, bundle.PreviousName); got != filepath.Join(bundle.VersionsDir, v1.hash) {
		t.Errorf("previous = %s, want version 1", got)
	}
	k.install(t, v3)
	want := []string{v2.hash, v3.hash}
	slices.Sort(want)
	if got := k.versions(t); !slices.Equal(got, want) {
		t.Errorf("catalogs/ holds %v, want the live and previous versions %v", got, want)
	}
	sameTree(t, shipped, k.shipped) // never touched, though it was once previous

	// The version already live: nothing to do, not even reading the archive.
	if err := bundle.Install(context.Background(), k.dataDir, []byte("not read"), v3.hash); err != nil {
		t.Fatalf("installing the live version again: %v", err)
	}
	if got := k.link(t, bundle.PreviousName); got != filepath.Join(bundle.VersionsDir, v2.hash) {
		t.Errorf("previous = %s after installing the live version again, want version 2", got)
	}
}

func TestInstallRefusesWhatIsNotTheValidCatalogAnnounced(t *testing.T) {
	k := newKiosk(t)
	v1 := edited(t, "Version un")
	k.install(t, v1)
	good := edited(t, "Version deux")
	flipped := bytes.Clone(good.archive)
	flipped[len(flipped)/2] ^= 0x01
	broken := edited(t, "Version cassée", func(s string) string {
		return strings.Replace(s, "next: has-phone", "next: no-such-step", 1)
	})
	empty := func() version {
		archive, hash, err := bundle.Pack(treeDir(t, map[string]string{"README.md": "nothing"}))
		errorsFatal(t, err)
		return version{archive: archive, hash: hash}
	}()
	cases := []struct {
		name, hash string
		archive    []byte
		want       []string // what the error must say
	}{
		{"a corrupt archive", good.hash, flipped, []string{"damaged"}},
		{"a truncated archive", good.hash, good.archive[:len(good.archive)*2/3], []string{"cut short"}},
		{"an empty archive", good.hash, nil, []string{"not a gzip"}},
		{"a hash mismatch", strings.Repeat("ab", 32), good.archive, []string{"not the one announced"}},
		{"not a hash", "latest", good.archive, []string{"does not name a catalog version"}},
		{"a broken link between steps", broken.hash, broken.archive, []string{"refused", editedFile + ":", "no-such-step"}},
		{"a catalog without procedures", empty.hash, empty.archive, []string{"refused", "no procedure"}},
	}
	beforeVersions := k.versions(t)
	beforePrevious := k.link(t, bundle.PreviousName)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := bundle.Install(context.Background(), k.dataDir, c.archive, c.hash)
			if err == nil {
				t.Fatal("installed")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if live, _ := bundle.Live(k.dataDir); live != v1.hash {
				t.Errorf("Live = %s, want version 1 still", live)
			}
			if got := k.title(t); got != v1.title {
				t.Errorf("the watcher serves %q, want %q still", got, v1.title)
			}
			if got := k.versions(t); !slices.Equal(got, beforeVersions) {
				t.Errorf("catalogs/ holds %v, want %v as before (no staging left)", got, beforeVersions)
			}
			if got := k.link(t, bundle.PreviousName); got != beforePrevious {
				t.Errorf("previous = %s, want %s as before", got, beforePrevious)
			}
		})
	}
	// The watcher's next update is the good version: no refused one ever
	// reached it.
	k.install(t, good)
}

func TestInvalidCatalogErrorListsTheValidatorsMessages(t *testing.T) {
	k := newKiosk(t)
	broken := edited(t, "Cassé", func(s string) string { return strings.Replace(s, "next: has-phone", "next: no-such-step", 1) })
	err := bundle.Install(context.Background(), k.dataDir, broken.archive, broken.hash)
	var invalid *bundle.InvalidCatalogError
	if !errors.As(err, &invalid) {
		t.Fatalf("error %v is not an InvalidCatalogError", err)
	}
	if len(invalid.Problems) == 0 || invalid.Problems[0].File != editedFile || invalid.Problems[0].Line == 0 {
		t.Fatalf("problems %v, want one in %s with its line", invalid.Problems, editedFile)
	}
	if !strings.Contains(err.Error(), invalid.Problems[0].String()) {
		t.Errorf("error %q does not list %q", err, invalid.Problems[0])
	}
}

func TestRollbackSwapsLiveAndPrevious(t *testing.T) {
	k := newKiosk(t)
	if err := bundle.Rollback(k.dataDir); err == nil || !strings.Contains(err.Error(), "no previous catalog") {
		t.Fatalf("rollback with no previous version: %v", err)
	}
	v1, v2 := edited(t, "Version un"), edited(t, "Version deux")
	k.install(t, v1)
	k.install(t, v2)
	for i, want := range []version{v1, v2, v1} {
		if err := bundle.Rollback(k.dataDir); err != nil {
			t.Fatal(err)
		}
		if got := titleIn(t, k.nextUpdate(t).Catalog); got != want.title {
			t.Fatalf("after rollback %d the watcher serves %q, want %q", i+1, got, want.title)
		}
		if live, _ := bundle.Live(k.dataDir); live != want.hash {
			t.Fatalf("after rollback %d Live = %s, want %s", i+1, live, want.hash)
		}
	}
	// Back to the shipped catalog, which is no hub version.
	shippedKiosk := newKiosk(t)
	shippedKiosk.install(t, v1)
	errorsFatal(t, bundle.Rollback(shippedKiosk.dataDir))
	if got := titleIn(t, shippedKiosk.nextUpdate(t).Catalog); got != shippedTitleV {
		t.Fatalf("after rollback to the shipped catalog the watcher serves %q", got)
	}
	if live, err := bundle.Live(shippedKiosk.dataDir); live != "" || err != nil {
		t.Fatalf("Live = %q, %v on the shipped catalog, want \"\"", live, err)
	}
}

func TestEnsureLink(t *testing.T) {
	shippedDir, _ := filepath.Abs(shipped)
	cases := []struct {
		name   string
		before func(t *testing.T, dataDir string)
		want   func(t *testing.T, dataDir string) string // the link's target wanted; "" for a real folder
	}{
		{"missing: linked to the shipped catalog", func(*testing.T, string) {}, func(*testing.T, string) string { return shippedDir }},
		{"a link to a shipped catalog moved away: linked again", func(t *testing.T, dataDir string) {
			errorsFatal(t, os.Symlink("/opt/old-install/data/procedures", filepath.Join(dataDir, bundle.LinkName)))
		}, func(*testing.T, string) string { return shippedDir }},
		{"a hub version: left alone", func(t *testing.T, dataDir string) {
			v := edited(t, "Hub")
			errorsFatal(t, bundle.Install(context.Background(), dataDir, v.archive, v.hash))
		}, func(t *testing.T, dataDir string) string {
			live, _ := bundle.Live(dataDir)
			if live == "" {
				t.Fatal("no hub version live")
			}
			return filepath.Join(bundle.VersionsDir, live)
		}},
		{"a real folder: left alone", func(t *testing.T, dataDir string) {
			copyTree(t, shipped, filepath.Join(dataDir, bundle.LinkName))
		}, func(*testing.T, string) string { return "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dataDir := t.TempDir()
			c.before(t, dataDir)
			want := c.want(t, dataDir)
			dir, err := bundle.EnsureLink(dataDir, shipped)
			if err != nil {
				t.Fatal(err)
			}
			if dir != filepath.Join(dataDir, bundle.LinkName) {
				t.Errorf("dir = %s", dir)
			}
			target, err := os.Readlink(dir)
			if want == "" {
				if err == nil {
					t.Errorf("the real folder became a link to %s", target)
				}
				return
			}
			if err != nil || target != want {
				t.Errorf("link to %s (%v), want %s", target, err, want)
			}
		})
	}
}

func TestInstallRefusesToReplaceARealFolder(t *testing.T) {
	dataDir := t.TempDir()
	real := filepath.Join(dataDir, bundle.LinkName)
	copyTree(t, shipped, real)
	v := edited(t, "Hub")
	err := bundle.Install(context.Background(), dataDir, v.archive, v.hash)
	if err == nil || !strings.Contains(err.Error(), "not a link") {
		t.Fatalf("Install over a real folder: %v", err)
	}
	sameTree(t, shipped, real)
}
