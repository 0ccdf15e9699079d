package procedure_test

import (
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

// openWatcher watches a fresh copy of the fixture catalog.
func openWatcher(t *testing.T) (*procedure.Watcher, string) {
	t.Helper()
	return openWatcherDebounce(t, 50*time.Millisecond)
}

func openWatcherDebounce(t *testing.T, debounce time.Duration) (*procedure.Watcher, string) {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	w := procedure.NewWatcher(dir)
	w.Debounce = debounce
	w.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := w.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, dir
}

// next waits for the next update, failing the test after a deadline.
func next(t *testing.T, updates <-chan passerelle.CatalogUpdate) passerelle.CatalogUpdate {
	t.Helper()
	select {
	case u, ok := <-updates:
		if !ok {
			t.Fatal("updates channel closed")
		}
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("no update within 5s")
	}
	return passerelle.CatalogUpdate{}
}

// quiet asserts that no update arrives for a while.
func quiet(t *testing.T, updates <-chan passerelle.CatalogUpdate, d time.Duration) {
	t.Helper()
	select {
	case u := <-updates:
		t.Fatalf("unexpected update: %d procedures, problems %v", len(u.Catalog.Procedures), u.Problems)
	case <-time.After(d):
	}
}

func title(t *testing.T, c *passerelle.Catalog, id string) string {
	t.Helper()
	p, ok := c.Procedure(id)
	if !ok {
		t.Fatalf("procedure %q not in catalog", id)
	}
	return p.Title["fr"]
}

func TestWatcherAppliesGoodChange(t *testing.T) {
	w, dir := openWatcher(t)
	updates, cancel := w.Subscribe()
	defer cancel()
	before := w.Catalog()

	replace("demo/procedure.yaml", "fr: Démonstration", "fr: Essai")(t, dir)

	u := next(t, updates)
	if len(u.Problems) > 0 {
		t.Fatalf("problems: %v", u.Problems)
	}
	if got := title(t, u.Catalog, "demo"); got != "Essai" {
		t.Errorf("new title = %q, want Essai", got)
	}
	if w.Catalog() != u.Catalog {
		t.Errorf("Catalog() is not the catalog just published")
	}
	if got := title(t, before, "demo"); got != "Démonstration" {
		t.Errorf("the old catalog changed under its reader: title %q", got)
	}
}

func TestWatcherKeepsLastGoodOnBadChange(t *testing.T) {
	w, dir := openWatcher(t)
	updates, cancel := w.Subscribe()
	defer cancel()
	good, _ := w.Catalog().Procedure("demo")

	replace("demo/procedure.yaml", "next: ask-email", "next: nowhere")(t, dir)

	u := next(t, updates)
	path := filepath.Join(dir, "demo/procedure.yaml")
	line, col := position(t, readFile(t, path), "nowhere")
	if len(u.Problems) != 1 || !hasProblem(u.Problems, path, line, col, `next "nowhere" in step "hello" leads to no step`) {
		t.Fatalf("problems = %v, want one about next \"nowhere\" at %d:%d", u.Problems, line, col)
	}
	if p, _ := u.Catalog.Procedure("demo"); p != good {
		t.Fatalf("the last good demo was not kept")
	}
	if len(w.Problems()) != 1 {
		t.Errorf("Problems() = %v, want the staff list of one problem", w.Problems())
	}

	// Mending the file makes the new version live and clears the list.
	replace("demo/procedure.yaml", "next: nowhere", "next: ask-email")(t, dir)
	replace("demo/procedure.yaml", "fr: Démonstration", "fr: Réparée")(t, dir)
	u = waitFor(t, updates, func(u passerelle.CatalogUpdate) bool { return len(u.Problems) == 0 })
	if got := title(t, u.Catalog, "demo"); got != "Réparée" {
		t.Errorf("the fixed version is not live: title %q", got)
	}
}

func TestWatcherKeepsOtherProceduresLiveWhenOneBreaks(t *testing.T) {
	w, dir := openWatcher(t)
	updates, cancel := w.Subscribe()
	defer cancel()

	// A second procedure arrives in a new folder: the folder, then its file.
	copyTree(t, filepath.Join(dir, "demo"), filepath.Join(dir, "other"))
	replace("other/procedure.yaml", "id: demo", "id: other")(t, dir)
	waitFor(t, updates, func(u passerelle.CatalogUpdate) bool {
		_, ok := u.Catalog.Procedure("other")
		return ok && len(u.Problems) == 0
	})

	// Breaking demo keeps demo's last good version and lets other change.
	write("demo/procedure.yaml", "id: demo\nversion: [")(t, dir)
	replace("other/procedure.yaml", "fr: Démonstration", "fr: Autre")(t, dir)
	u := waitFor(t, updates, func(u passerelle.CatalogUpdate) bool { return title(t, u.Catalog, "other") == "Autre" })
	if title(t, u.Catalog, "demo") != "Démonstration" {
		t.Errorf("broken demo was not kept at its last good version")
	}
	if len(u.Problems) != 1 || !strings.HasSuffix(u.Problems[0].File, filepath.Join("demo", "procedure.yaml")) {
		t.Errorf("problems = %v, want one in demo/procedure.yaml", u.Problems)
	}

	// Removing a folder removes its procedure.
	if err := os.RemoveAll(filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, updates, func(u passerelle.CatalogUpdate) bool { _, ok := u.Catalog.Procedure("other"); return !ok })
}

func TestWatcherWatchesNewSubfolders(t *testing.T) {
	w, dir := openWatcher(t)
	updates, cancel := w.Subscribe()
	defer cancel()

	// A recording added in a folder created after the watcher started.
	wav := readFile(t, filepath.Join(dir, "demo/audio/fr/hello.wav"))
	writeFile(t, filepath.Join(dir, "demo/audio/en/hello.wav"), wav)
	next(t, updates)
	replace("demo/procedure.yaml", "      fr: audio/fr/hello.wav\n", "      fr: audio/fr/hello.wav\n      en: audio/en/hello.wav\n")(t, dir)
	u := waitFor(t, updates, func(u passerelle.CatalogUpdate) bool {
		p, _ := u.Catalog.Procedure("demo")
		return p.Steps[0].Audio["en"].Path != ""
	})
	if len(u.Problems) != 0 {
		t.Fatalf("problems: %v", u.Problems)
	}

	// Damaging the file in the new folder is noticed: the folder is watched.
	truncate("demo/audio/en/hello.wav", 30)(t, dir)
	u = next(t, updates)
	if len(u.Problems) != 1 || !strings.Contains(u.Problems[0].Message, `"audio/en/hello.wav" cannot be used`) {
		t.Fatalf("problems = %v, want the damaged recording", u.Problems)
	}
}

func TestWatcherDebouncesBurstsOfWrites(t *testing.T) {
	w, dir := openWatcherDebounce(t, 400*time.Millisecond)
	updates, cancel := w.Subscribe()
	defer cancel()

	// An editor saving in steps: truncate, write half, write the rest.
	path := filepath.Join(dir, "demo/procedure.yaml")
	src := strings.Replace(readFile(t, path), "fr: Démonstration", "fr: Enregistré", 1)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	half := len(src) / 2
	for _, part := range []string{src[:half], src[half:]} {
		if _, err := f.WriteString(part); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()

	u := next(t, updates)
	if len(u.Problems) != 0 || title(t, u.Catalog, "demo") != "Enregistré" {
		t.Fatalf("first update after a burst: problems %v; the half-written file was loaded", u.Problems)
	}
	quiet(t, updates, 2*w.Debounce)
	if got := w.Reloads(); got != 2 {
		t.Errorf("reloads = %d, want 2 (open + one for the burst)", got)
	}
}

func TestWatcherSlowSubscriberGetsLatest(t *testing.T) {
	w, dir := openWatcher(t)
	slow, cancelSlow := w.Subscribe()
	defer cancelSlow()
	fast, cancelFast := w.Subscribe()
	defer cancelFast()

	replace("demo/procedure.yaml", "fr: Démonstration", "fr: Premier")(t, dir)
	next(t, fast)
	replace("demo/procedure.yaml", "fr: Premier", "fr: Second")(t, dir)
	next(t, fast)

	u := next(t, slow)
	if got := title(t, u.Catalog, "demo"); got != "Second" {
		t.Errorf("slow subscriber got %q, want the latest, Second", got)
	}
	select {
	case u := <-slow:
		t.Errorf("slow subscriber got a stale update too: %q", title(t, u.Catalog, "demo"))
	default:
	}
}

func TestWatcherCloseEndsSubscriptions(t *testing.T) {
	w, _ := openWatcher(t)
	updates, _ := w.Subscribe()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-updates:
		if ok {
			t.Error("got an update after Close")
		}
	case <-time.After(time.Second):
		t.Error("channel not closed by Close")
	}
	if after, _ := w.Subscribe(); after == nil {
		t.Error("Subscribe after Close returned nil")
	}
}

// waitFor reads updates until one satisfies ok.
func waitFor(t *testing.T, updates <-chan passerelle.CatalogUpdate, ok func(passerelle.CatalogUpdate) bool) passerelle.CatalogUpdate {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case u := <-updates:
			if ok(u) {
				return u
			}
		case <-deadline:
			t.Fatal("no matching update within 5s")
		}
	}
}

// TestWatcherIgnoresFilesEditorsAndSystemsWriteBeside: editors, file
// managers and USB sticks from a Mac leave files beside the procedures;
// they alone must not reload the catalog, and a real save among them
// reloads once.
func TestWatcherIgnoresFilesEditorsAndSystemsWriteBeside(t *testing.T) {
	w, dir := openWatcherDebounce(t, 30*time.Millisecond)
	updates, cancel := w.Subscribe()
	defer cancel()
	appleDouble := "\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\xff\xfe"
	noise := map[string]string{
		"demo/.procedure.yaml.swp":       "b0VIM 9.0\x00\x00",
		"demo/procedure.yaml~":           "id: old\n",
		"demo/4913":                      "",
		"demo/#procedure.yaml#":          "id: autosave\n",
		"demo/.DS_Store":                 "\x00\x00\x00\x01Bud1\x00",
		"demo/._procedure.yaml":          appleDouble,
		"._demo":                         appleDouble,
		"demo/Thumbs.db":                 "\xd0\xcf\x11\xe0",
		"demo/~$ocedure.docx":            "lock",
		".git/objects/ab/cdef":           "blob",
		".DS_Store":                      "\x00\x00\x00\x01Bud1\x00",
		"__MACOSX/demo/._procedure.yaml": appleDouble,
	}
	for name, content := range noise {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, content)
	}
	quiet(t, updates, 10*w.Debounce)
	if got := w.Reloads(); got != 1 {
		t.Errorf("reloads after editor and system files = %d, want 1 (the open)", got)
	}

	// Save as vim, rsync or a deployment tool does: write a hidden file,
	// rename it over the old one. The rename is seen though the name is not.
	path := filepath.Join(dir, "demo/procedure.yaml")
	tmp := filepath.Join(dir, "demo/.procedure.yaml.tmp")
	writeFile(t, tmp, strings.Replace(readFile(t, path), "fr: Démonstration", "fr: Enregistré", 1))
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	u := next(t, updates)
	if len(u.Problems) != 0 || title(t, u.Catalog, "demo") != "Enregistré" {
		t.Fatalf("after a save: problems %v", u.Problems)
	}
	if got := w.Reloads(); got != 2 {
		t.Errorf("reloads = %d, want 2 (open + the save)", got)
	}
	// Files in the ignored folders are not watched either.
	writeFile(t, filepath.Join(dir, ".git/objects/ab/other"), "blob")
	writeFile(t, filepath.Join(dir, "__MACOSX/demo/._other.svg"), appleDouble)
	quiet(t, updates, 10*w.Debounce)
}
