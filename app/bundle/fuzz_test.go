package bundle_test

import (
	"archive/tar"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passerelle/app/bundle"
)

// FuzzUnpack feeds Unpack any bytes: it must never panic, never write
// outside its folder, leave nothing on error, and on success have written
// only files and folders whose hash it returned. With wrap set, the bytes
// are gzip'd first, so the fuzzer works on the tar inside.
func FuzzUnpack(f *testing.F) {
	for _, files := range []map[string]string{
		{"a/procedure.yaml": "id: a\n", "pictograms/x.svg": "<svg/>"},
		{"démarche/procedure.yaml": "x", "b/": ""},
	} {
		archive, _, err := bundle.Pack(treeDir(f, files))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(archive, false)
	}
	// A real procedure with real pictograms; the whole shipped catalog
	// would slow every run of the fuzzer down.
	real := filepath.Join(f.TempDir(), "real")
	copyTree(f, filepath.Join(shipped, "create-email"), filepath.Join(real, "create-email"))
	copyTree(f, filepath.Join(shipped, "pictograms", "email.svg"), filepath.Join(real, "pictograms", "email.svg"))
	archive, _, err := bundle.Pack(real)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(archive, false)
	f.Add(archive[:len(archive)/3], false)
	for _, hostile := range [][]item{
		{item{name: "a/evil", flag: tar.TypeSymlink, link: "../../.."}, file("a/evil/x", "x")},
		{file("../evil", "x")},
		{file("/tmp/evil", "x")},
		{folder("a/"), file("A/x", "x"), file("a/x", "y")},
		{file("a", "x"), file("a/b", "y")},
		{item{name: "a/big", content: "x", size: 1 << 30}},
	} {
		f.Add(rawTar(f, hostile...), true)
		f.Add(archiveOf(f, hostile...), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, wrap bool) {
		if wrap {
			data = gz(t, data)
		}
		box := t.TempDir()
		out := filepath.Join(box, "out")
		hash, err := bundle.Unpack(data, out)
		left, _ := os.ReadDir(box)
		if err != nil {
			if len(left) > 0 {
				t.Fatalf("refused (%v) but left %s behind", err, left[0].Name())
			}
			return
		}
		if len(left) != 1 || left[0].Name() != "out" {
			t.Fatalf("wrote %d entries beside its folder", len(left))
		}
		err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !d.Type().IsRegular() {
				t.Errorf("wrote %s, of type %v", p, d.Type())
			}
			if rel, _ := filepath.Rel(out, p); strings.HasPrefix(rel, "..") {
				t.Errorf("wrote %s outside its folder", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if again, err := bundle.Hash(out); err != nil || again != hash {
			t.Fatalf("Unpack said %s; the folder hashes %s (%v)", hash, again, err)
		}
	})
}
