package procedure_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

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
