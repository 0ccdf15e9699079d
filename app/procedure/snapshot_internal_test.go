package procedure

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestSnapshotKey: a snapshot serves only a load asked the same way by the
// same build: another program file (a new build or an upgrade), folder,
// working folder, source age limit or hints setting is a full load, and so
// is a day before the load's (TestSnapshotDays has the days after).
func TestSnapshotKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "catalog-snapshot")
	l := Loader{Snapshot: file}
	if _, err := l.Load(context.Background(), "testdata/catalog"); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	key, err := l.keyFor("testdata/catalog")
	if err != nil {
		t.Fatal(err)
	}
	today := l.today()
	if _, ok := readSnapshot(file, key, today); !ok {
		t.Fatal("the snapshot does not serve the load it was kept for")
	}
	if _, ok := readSnapshot(file, key, today.AddDate(0, 0, -1)); ok {
		t.Error("the snapshot served a load on the day before its own (a clock put back)")
	}
	tests := []struct {
		name   string
		change func(k *snapshotKey)
	}{
		{"program rebuilt, same size and time", func(k *snapshotKey) { k.Program.CTime++ }},
		{"program replaced", func(k *snapshotKey) { k.Program.ID.Ino++ }},
		{"format", func(k *snapshotKey) { k.Format++ }},
		{"folder", func(k *snapshotKey) { k.Dir = "testdata/other" }},
		{"working folder", func(k *snapshotKey) { k.WorkDir = "/elsewhere" }},
		{"source age limit", func(k *snapshotKey) { k.MaxAge = time.Hour }},
		{"hints", func(k *snapshotKey) { k.NoHints = !k.NoHints }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := key
			tt.change(&other)
			if _, ok := readSnapshot(file, other, today); ok {
				t.Error("the snapshot served a load asked another way")
			}
		})
	}
}
