package editor_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"passerelle/app/editor"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

const shippedCatalog = "../../data/procedures"

// TestRoundTripShippedCatalog: every shipped procedure file, read and
// written back by the editor, loads to the same procedure (steps, texts,
// links, documents, sources, recordings), with no problem: the files stay
// the format, and what the editor does not edit is kept.
func TestRoundTripShippedCatalog(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, shippedCatalog, dir)
	before := load(t, dir)
	for _, p := range before {
		src, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		d, err := editor.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", p.File, err)
		}
		out, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p.File, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	after := load(t, dir)
	if len(after) != len(before) {
		t.Fatalf("%d procedures after, %d before", len(after), len(before))
	}
	for i := range before {
		if !reflect.DeepEqual(before[i], after[i]) {
			t.Errorf("%s changed when the editor wrote it back", before[i].ID)
		}
	}
}

func load(t testing.TB, dir string) []*passerelle.Procedure {
	t.Helper()
	res, err := procedure.Load(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Errorf("problem: %s", p)
	}
	return res.Procedures
}

// copyDir copies a folder tree of regular files.
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
