package procedure_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// loadFull loads dir as validate does: every file read, no snapshot.
func loadFull(t *testing.T, dir string, now time.Time) procedure.Result {
	t.Helper()
	l := procedure.Loader{Now: func() time.Time { return now }}
	res, err := l.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// loadKept loads dir with a snapshot in file, and says whether the
// snapshot served it.
func loadKept(t *testing.T, dir, file string, now time.Time) (procedure.Result, bool) {
	t.Helper()
	l := procedure.Loader{Now: func() time.Time { return now }, Snapshot: file}
	var log bytes.Buffer
	l.Logger = slog.New(slog.NewTextHandler(&log, nil))
	res, err := l.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	l.Wait()
	if log.Len() > 0 {
		t.Errorf("the snapshot was not kept: %s", log.String())
	}
	return res, l.SnapshotHits() == 1
}

// sameResult fails unless got is the full load's result, field by field.
func sameResult(t *testing.T, got, want procedure.Result) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the catalog differs from a full load:\n got %d procedures, problems:\n%swarnings:\n%s\nwant %d procedures, problems:\n%swarnings:\n%s",
			len(got.Procedures), problemLines(got.Problems), problemLines(got.Warnings),
			len(want.Procedures), problemLines(want.Problems), problemLines(want.Warnings))
	}
}

// TestSnapshotGivesTheFullLoad: a kiosk restarting on an unchanged catalog
// takes it from the snapshot, and gets what reading every file gives:
// procedures, problems, warnings, places, the pictograms' bytes.
func TestSnapshotGivesTheFullLoad(t *testing.T) {
	tests := []struct {
		name    string
		catalog func(t *testing.T) string
	}{
		{"shipped catalog", func(t *testing.T) string { return shipped }},
		{"fixture", func(t *testing.T) string { return fixture }},
		{"catalog with broken files", brokenCatalog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.catalog(t)
			file := filepath.Join(t.TempDir(), "catalog-snapshot")
			want := loadFull(t, dir, testNow)
			if first, hit := loadKept(t, dir, file, testNow); hit {
				t.Fatal("a snapshot served the first load: there was none")
			} else {
				sameResult(t, first, want)
			}
			got, hit := loadKept(t, dir, file, testNow)
			if !hit {
				t.Fatal("the snapshot did not serve a load of the unchanged catalog")
			}
			sameResult(t, got, want)
		})
	}
}

// brokenCatalog is a copy of the fixture with a second procedure that has
// problems (a file named with other capitals, a pictogram that is not one,
// a link out of the catalog, a name written with other code points), a
// link that leads nowhere, and a folder holding a Procedure.yml.
func brokenCatalog(t *testing.T) string {
	t.Helper()
	return editedFixture(t, []edit{
		copyFolder("demo", "broken"),
		replace("broken/procedure.yaml", "id: demo", "id: broken"),
		replace("broken/procedure.yaml", "screen: sketch.svg", "screen: Sketch.svg"),
		replace("broken/procedure.yaml", "pictogram: square.png", "pictogram: bad.svg"),
		write("broken/bad.svg", "<svg"),
		replace("broken/procedure.yaml", "pictogram: yes.svg", "pictogram: out.svg"),
		linkOut("broken/out.svg"),
		replace("broken/procedure.yaml", "pictogram: no.svg", "pictogram: r\u00e9.svg"),
		copyPictogram("broken/re\u0301.svg"),
		symlink("nowhere", "gone"),
		write("notes/Procedure.yml", "id: notes"),
	})
}

// keepTimes makes an edit that puts the file's modification time back, as
// cp -p, touch -d or an archive would: only its change time tells.
func keepTimes(file string, e edit) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, file)
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		e(t, dir)
		if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
			t.Fatal(err)
		}
		if after, err := os.Stat(path); err != nil || after.Size() != info.Size() || !after.ModTime().Equal(info.ModTime()) {
			t.Fatalf("the edit changed the size or time of %s: %v", file, err)
		}
	}
}

func retarget(target, link string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		remove(link)(t, dir)
		symlink(target, link)(t, dir)
	}
}

// TestSnapshotIsNotUsedOnceAnythingChanged: after any change a full load
// could see, the snapshot serves nothing and the load is the full load's.
func TestSnapshotIsNotUsedOnceAnythingChanged(t *testing.T) {
	elsewhere := t.TempDir() // a procedure folder outside the catalog, linked in
	copyTree(t, filepath.Join(fixture, "demo"), filepath.Join(elsewhere, "a"))
	copyTree(t, filepath.Join(fixture, "demo"), filepath.Join(elsewhere, "b"))
	replace("a/procedure.yaml", "id: demo", "id: linked")(t, elsewhere)
	replace("b/procedure.yaml", "id: demo", "id: other")(t, elsewhere)
	linked := symlink(filepath.Join(elsewhere, "a"), "linked")

	// A link outside the catalog leading back into it, to a pictogram
	// that also has a hard link outside: retargeting it changes no file's
	// stamp, only where the link leads.
	alias := filepath.Join(t.TempDir(), "alias")
	outside := t.TempDir()
	aliasInside := func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Link(filepath.Join(dir, "pictograms", "dot.svg"), filepath.Join(outside, "dot.svg")); err != nil {
			t.Fatal(err)
		}
		os.Remove(alias)
		if err := os.Symlink(filepath.Join(dir, "pictograms"), alias); err != nil {
			t.Fatal(err)
		}
		symlink(filepath.Join(alias, "dot.svg"), "demo/aliased.svg")(t, dir)
		replace("demo/procedure.yaml", "screen: sketch.svg", "screen: aliased.svg")(t, dir)
	}

	tests := []struct {
		name    string
		setup   []edit
		change  []edit
		later   time.Duration // the day of the second load
		changed bool          // the catalog loaded differs: the case is not a no-op
	}{
		{name: "procedure.yaml edited, same size, time put back",
			change:  []edit{keepTimes("demo/procedure.yaml", replace("demo/procedure.yaml", "version: 2", "version: 3"))},
			changed: true},
		{name: "shared pictogram broken, same size, time put back",
			change:  []edit{keepTimes("pictograms/dot.svg", replace("pictograms/dot.svg", "<svg", "<sv "))},
			changed: true},
		{name: "file only touched",
			change: []edit{keepTimes("demo/procedure.yaml", func(*testing.T, string) {})}},
		{name: "file reported missing added",
			change:  []edit{copyPictogram("broken/Sketch.svg")},
			changed: true},
		{name: "file added beside a pictogram found in the shared folder",
			change:  []edit{write("demo/yes.svg", "<svg")},
			changed: true},
		{name: "procedure folder added",
			change:  []edit{copyFolder("demo", "demo2"), replace("demo2/procedure.yaml", "id: demo", "id: demo2")},
			changed: true},
		{name: "procedure folder removed",
			change:  []edit{func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, "broken")) }},
			changed: true},
		{name: "linked procedure folder retargeted",
			change:  []edit{retarget(filepath.Join(elsewhere, "b"), "linked")},
			changed: true},
		{name: "pictogram link retargeted inside the folder",
			change:  []edit{retarget("sketch.svg", "broken/out.svg")},
			changed: true},
		{name: "link outside the catalog retargeted to the same file elsewhere",
			setup: []edit{aliasInside},
			change: []edit{func(t *testing.T, dir string) {
				os.Remove(alias)
				if err := os.Symlink(outside, alias); err != nil {
					t.Fatal(err)
				}
			}},
			changed: true},
		{name: "link that led nowhere mended",
			change:  []edit{retarget(filepath.Join(elsewhere, "b"), "gone")},
			changed: true},
		{name: "places file added",
			change:  []edit{write("places.yaml", readFile(t, filepath.Join(shipped, "places.yaml")))},
			changed: true},
		{name: "catalog swapped for a copy",
			change: []edit{func(t *testing.T, dir string) {
				if err := os.Rename(dir, dir+".old"); err != nil {
					t.Fatal(err)
				}
				copyTree(t, dir+".old", dir)
				os.Symlink(filepath.Join(elsewhere, "a"), filepath.Join(dir, "linked"))
				os.Symlink("nowhere", filepath.Join(dir, "gone"))
				os.Remove(filepath.Join(dir, "broken", "out.svg"))
				os.Symlink(filepath.Join(elsewhere, "a", "sketch.svg"), filepath.Join(dir, "broken", "out.svg"))
			}}},
		{name: "a year later", later: 365 * 24 * time.Hour, changed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := brokenCatalog(t)
			linked(t, dir)
			for _, e := range tt.setup {
				e(t, dir)
			}
			file := filepath.Join(t.TempDir(), "catalog-snapshot")
			before, _ := loadKept(t, dir, file, testNow)
			for _, e := range tt.change {
				e(t, dir)
			}
			now := testNow.Add(tt.later)
			want := loadFull(t, dir, now)
			if changed := !reflect.DeepEqual(want, before); changed != tt.changed {
				t.Fatalf("the change changed the catalog loaded: %v, want %v", changed, tt.changed)
			}
			got, hit := loadKept(t, dir, file, now)
			if hit {
				t.Error("the snapshot served a load after the change")
			}
			sameResult(t, got, want)
			if again, hit := loadKept(t, dir, file, now); !hit {
				t.Error("the full load did not keep a new snapshot")
			} else {
				sameResult(t, again, want)
			}
		})
	}
}

// TestSnapshotDamagedIsALoad: a snapshot file cut short, garbage, empty
// or a folder gives a full load, silently, and is replaced by a good one.
func TestSnapshotDamagedIsALoad(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, file string)
	}{
		{"cut short", func(t *testing.T, file string) {
			info, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(file, info.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage", func(t *testing.T, file string) { writeFile(t, file, strings.Repeat("\xff\x00garbage", 1000)) }},
		{"empty", func(t *testing.T, file string) { writeFile(t, file, "") }},
		{"last byte changed", flipByte(func(n int) int { return n - 1 })},
		{"a byte of a text changed", flipText("Démonstration")},
		{"a byte of a pictogram changed", flipText("<svg")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := brokenCatalog(t)
			file := filepath.Join(t.TempDir(), "catalog-snapshot")
			want, _ := loadKept(t, dir, file, testNow)
			tt.damage(t, file)
			got, hit := loadKept(t, dir, file, testNow)
			if hit {
				t.Error("a damaged snapshot served the load")
			}
			sameResult(t, got, want)
			if _, hit := loadKept(t, dir, file, testNow); !hit {
				t.Error("the damaged snapshot was not replaced")
			}
		})
	}
}

// flipByte changes the byte at(size) of a file.
func flipByte(at func(size int) int) func(t *testing.T, file string) {
	return func(t *testing.T, file string) {
		t.Helper()
		b := mustRead(t, file)
		b[at(len(b))] ^= 0x01
		writeFile(t, file, string(b))
	}
}

// flipText changes a byte inside the last occurrence of text in a file:
// the snapshot still decodes, as another catalog.
func flipText(text string) func(t *testing.T, file string) {
	return func(t *testing.T, file string) {
		t.Helper()
		i := strings.LastIndex(readFile(t, file), text)
		if i < 0 {
			t.Fatalf("%q is not in the snapshot", text)
		}
		flipByte(func(int) int { return i + 1 })(t, file)
	}
}

// TestSnapshotWriteFailureIsLogged: a snapshot that cannot be written (a
// full disk, a read-only folder) is said in the log; the catalog loads.
func TestSnapshotWriteFailureIsLogged(t *testing.T) {
	notAFolder := filepath.Join(t.TempDir(), "file")
	writeFile(t, notAFolder, "")
	var log bytes.Buffer
	l := procedure.Loader{Now: func() time.Time { return testNow }, Snapshot: filepath.Join(notAFolder, "catalog-snapshot"),
		Logger: slog.New(slog.NewTextHandler(&log, nil))}
	res, err := l.Load(context.Background(), fixture)
	if err != nil {
		t.Fatal(err)
	}
	l.Wait()
	sameResult(t, res, loadFull(t, fixture, testNow))
	if !strings.Contains(log.String(), "snapshot could not be kept") {
		t.Errorf("log = %q, want the snapshot's failure", log.String())
	}
}

// TestWatcherKeepsSnapshot: the kiosk's watcher keeps a snapshot at its
// start and refreshes it at each reload, so a restart after staff edited
// the catalog takes the edited catalog from the snapshot.
func TestWatcherKeepsSnapshot(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	file := filepath.Join(t.TempDir(), "kiosk.db.catalog-snapshot")
	open := func() *procedure.Watcher {
		t.Helper()
		w := procedure.NewWatcher(dir)
		w.Debounce = 30 * time.Millisecond
		w.Snapshot = file
		w.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if err := w.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return w
	}
	first := open()
	if first.SnapshotHits() != 0 {
		t.Fatal("a snapshot served the first start: there was none")
	}
	updates, cancel := first.Subscribe()
	defer cancel()
	replace("demo/procedure.yaml", "fr: Démonstration", "fr: Essai")(t, dir)
	waitFor(t, updates, func(u passerelle.CatalogUpdate) bool { return title(t, u.Catalog, "demo") == "Essai" })
	first.Close()

	again := open()
	if again.SnapshotHits() != 1 {
		t.Error("the restart on an unchanged catalog did not take it from the snapshot")
	}
	if got := title(t, again.Catalog(), "demo"); got != "Essai" {
		t.Errorf("after a restart the title is %q, want the edited Essai", got)
	}
	if names, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "*")); len(names) != 1 || names[0] != file {
		t.Errorf("beside the database: %q, want the snapshot alone", names)
	}
}

// TestSnapshotDays: a kiosk switched on every morning takes its catalog
// from the snapshot for as long as the sources' dates give the same
// messages. From the day a source grows too old, or on any day after one
// dated in the future (its message names the day), it reads every file;
// and so does a loader kept running across that day.
func TestSnapshotDays(t *testing.T) {
	// The fixture's source was checked on 2026-11-01: with the default
	// limit of 4380 hours (2027-05-02 at noon), it is too old from
	// 2027-05-03 on.
	older := []edit{
		copyFolder("demo", "older"),
		replace("older/procedure.yaml", "id: demo", "id: older"),
		replace("older/procedure.yaml", "checked: 2026-11-01", "checked: 2026-06-01"), // too old from 2026-12-01
	}
	future := []edit{replace("demo/procedure.yaml", "checked: 2026-11-01", "checked: 2026-12-24")}
	tests := []struct {
		name  string
		setup []edit
		on    string // the day of the second load
		hit   bool   // the snapshot serves it
	}{
		{"the next morning", nil, "2026-11-25", true},
		{"the last day the source is recent enough", nil, "2027-05-02", true},
		{"the day the source is too old", nil, "2027-05-03", false},
		{"a year later", nil, "2027-11-24", false},
		{"the day before (a clock put back)", nil, "2026-11-23", false},
		{"the last day the older of two sources is recent enough", older, "2026-11-30", true},
		{"the day the older of two sources is too old", older, "2026-12-01", false},
		{"the next morning, a source dated in the future", future, "2026-11-25", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			on, err := time.Parse(time.DateOnly, tt.on)
			if err != nil {
				t.Fatal(err)
			}
			on = on.Add(7 * time.Hour) // switched on at 7
			dir := editedFixture(t, tt.setup)
			file := filepath.Join(t.TempDir(), "catalog-snapshot")
			loadKept(t, dir, file, testNow)
			want := loadFull(t, dir, on)
			got, hit := loadKept(t, dir, file, on)
			if hit != tt.hit {
				t.Errorf("the snapshot served the load on %s: %v, want %v", tt.on, hit, tt.hit)
			}
			sameResult(t, got, want)

			now := testNow
			running := procedure.Loader{Now: func() time.Time { return now }}
			if _, err := running.Load(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			now = on
			again, err := running.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			sameResult(t, again, want)
		})
	}
}
