package procedure

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestSnapshotKey: a snapshot serves only a load asked the same way by the
// same build: another program file (a new build or an upgrade), folder,
// working folder, day, source age limit or hints setting is a full load.
func TestSnapshotKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "catalog-snapshot")
	l := Loader{Snapshot: file}
	if _, err := l.Load(context.Background(), "testdata/catalog"); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	key, err := l.keyFor("testdata/catalog", l.today())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := readSnapshot(file, key); !ok {
		t.Fatal("the snapshot does not serve the load it was kept for")
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
		{"day", func(k *snapshotKey) { k.Today += int64(24 * time.Hour / time.Second) }},
		{"source age limit", func(k *snapshotKey) { k.MaxAge = time.Hour }},
		{"hints", func(k *snapshotKey) { k.NoHints = !k.NoHints }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := key
			tt.change(&other)
			if _, ok := readSnapshot(file, other); ok {
				t.Error("the snapshot served a load asked another way")
			}
		})
	}
}
