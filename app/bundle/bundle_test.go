package bundle_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"passerelle/app/bundle"
	"passerelle/app/procedure"
)

// shipped is the catalog the kiosk ships with: the real files staff write.
const shipped = "../../data/procedures"

// copyTree copies the files and folders of src into dst (made if missing).
func copyTree(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// shippedCopy returns a fresh copy of the shipped catalog.
func shippedCopy(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "procedures")
	copyTree(tb, shipped, dir)
	return dir
}

// writeTree makes the files given (path → content; a path ending in / is a folder).
func writeTree(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if name[len(name)-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

func mustHash(tb testing.TB, dir string) string {
	tb.Helper()
	h, err := bundle.Hash(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// sameTree fails unless a and b hold the same files with the same bytes.
func sameTree(tb testing.TB, a, b string) {
	tb.Helper()
	files := func(root string) map[string]string {
		out := map[string]string{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() {
				out[rel+"/"] = ""
				return nil
			}
			data, err := os.ReadFile(p)
			out[rel] = string(data)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
		return out
	}
	fa, fb := files(a), files(b)
	if len(fa) != len(fb) {
		tb.Fatalf("%s has %d entries, %s has %d", a, len(fa), b, len(fb))
	}
	for name, content := range fa {
		if other, ok := fb[name]; !ok || other != content {
			tb.Fatalf("%s differs between %s and %s", name, a, b)
		}
	}
}

func TestPackUnpackGivesTheSameCatalog(t *testing.T) {
	src := shippedCopy(t)
	archive, hash, err := bundle.Pack(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustHash(t, src); got != hash {
		t.Fatalf("Pack's hash %s, Hash of the folder %s", hash, got)
	}
	out := filepath.Join(t.TempDir(), "out")
	got, err := bundle.Unpack(archive, out)
	if err != nil {
		t.Fatal(err)
	}
	if got != hash {
		t.Fatalf("Unpack's hash %s, Pack's %s", got, hash)
	}
	sameTree(t, src, out)
	res, err := procedure.Load(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := procedure.Load(context.Background(), src)
	if len(res.Problems) > 0 || len(res.Procedures) != len(want.Procedures) || len(want.Procedures) == 0 {
		t.Fatalf("unpacked catalog: %d procedures (shipped %d), problems %v", len(res.Procedures), len(want.Procedures), res.Problems)
	}
}

func TestPackIsDeterministic(t *testing.T) {
	a := shippedCopy(t)
	b := shippedCopy(t) // other inodes, times and creation order
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	err := filepath.WalkDir(b, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = errors.Join(os.Chtimes(p, old, old), os.Chmod(p, 0o600))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	archiveA, hashA, err := bundle.Pack(a)
	if err != nil {
		t.Fatal(err)
	}
	archiveB, hashB, err := bundle.Pack(b)
	if err != nil {
		t.Fatal(err)
	}
	if hashA != hashB || !bytes.Equal(archiveA, archiveB) {
		t.Fatalf("the same files packed twice differ: hashes %s and %s, %d and %d bytes", hashA, hashB, len(archiveA), len(archiveB))
	}
}

// TestHashTellsTreesApart: two trees a kiosk would serve differently never
// hash alike, and two it serves alike always do.
func TestHashTellsTreesApart(t *testing.T) {
	base := map[string]string{"a/procedure.yaml": "id: a\n", "pictograms/x.svg": "<svg/>", "README.md": "hello"}
	with := func(changes map[string]string, drop ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for _, k := range drop {
			delete(out, k)
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	different := []struct {
		name string
		tree map[string]string
	}{
		{"one byte changed", with(map[string]string{"README.md": "hellO"})},
		{"one byte added", with(map[string]string{"README.md": "hello\n"})},
		{"a file renamed", with(map[string]string{"README.txt": "hello"}, "README.md")},
		{"a file moved into a folder", with(map[string]string{"a/README.md": "hello"}, "README.md")},
		{"an empty file added", with(map[string]string{"empty": ""})},
		{"an empty folder added", with(map[string]string{"empty/": ""})},
		{"content moved between name and body", with(map[string]string{"README.mdh": "ello"}, "README.md")},
		{"a file without its content", with(map[string]string{"README.md": ""})},
	}
	baseHash := mustHash(t, treeDir(t, base))
	seen := map[string]string{"base": baseHash}
	for _, c := range different {
		t.Run(c.name, func(t *testing.T) {
			h := mustHash(t, treeDir(t, c.tree))
			for other, oh := range seen {
				if oh == h {
					t.Fatalf("hashes like %q", other)
				}
			}
			seen[c.name] = h
		})
	}
	// A folder and an empty file of the same name differ.
	if mustHash(t, treeDir(t, map[string]string{"x/": ""})) == mustHash(t, treeDir(t, map[string]string{"x": ""})) {
		t.Error("an empty folder hashes like an empty file")
	}

	same := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"editor and system noise added", func(t *testing.T, dir string) {
			writeTree(t, dir, map[string]string{".DS_Store": "x", "a/procedure.yaml~": "old", "a/.procedure.yaml.swp": "x",
				".git/HEAD": "ref", "a/4913": "", "Thumbs.db": "x", "__MACOSX/a/._x": "x"})
		}},
		{"times and modes changed", func(t *testing.T, dir string) {
			old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
			errorsFatal(t, os.Chtimes(filepath.Join(dir, "README.md"), old, old), os.Chmod(filepath.Join(dir, "README.md"), 0o600))
		}},
		{"a named pipe added", func(t *testing.T, dir string) {
			errorsFatal(t, syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644))
		}},
		{"a link leading nowhere added", func(t *testing.T, dir string) {
			errorsFatal(t, os.Symlink("/nowhere/at/all", filepath.Join(dir, "dangling")))
		}},
		{"the procedure folder a link to the same files", func(t *testing.T, dir string) {
			elsewhere := filepath.Join(t.TempDir(), "a")
			errorsFatal(t, os.Rename(filepath.Join(dir, "a"), elsewhere), os.Symlink(elsewhere, filepath.Join(dir, "a")))
		}},
		{"a link back up to the catalog", func(t *testing.T, dir string) {
			errorsFatal(t, os.Symlink("..", filepath.Join(dir, "a", "loop")))
		}},
	}
	for _, c := range same {
		t.Run(c.name, func(t *testing.T) {
			dir := treeDir(t, base)
			c.setup(t, dir)
			if h := mustHash(t, dir); h != baseHash {
				t.Fatalf("hash changed: %s, want %s", h, baseHash)
			}
			archive, h, err := bundle.Pack(dir)
			if err != nil || h != baseHash {
				t.Fatalf("Pack: hash %s, error %v; want %s", h, err, baseHash)
			}
			if h, err := bundle.Unpack(archive, filepath.Join(t.TempDir(), "out")); err != nil || h != baseHash {
				t.Fatalf("Unpack: hash %s, error %v; want %s", h, err, baseHash)
			}
		})
	}
}

func treeDir(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "catalog")
	writeTree(tb, dir, files)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func errorsFatal(tb testing.TB, errs ...error) {
	tb.Helper()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func TestHashRefusesWhatIsNoCatalog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	errorsFatal(t, os.WriteFile(file, nil, 0o644))
	big := treeDir(t, nil)
	f, err := os.Create(filepath.Join(big, "huge.ogg"))
	errorsFatal(t, err, f.Truncate(bundle.MaxFileBytes+1), f.Close())
	for name, dir := range map[string]string{"missing": filepath.Join(t.TempDir(), "nothing"), "a file": file, "a file too big": big} {
		t.Run(name, func(t *testing.T) {
			if h, err := bundle.Hash(dir); err == nil {
				t.Fatalf("hash %s, want an error", h)
			}
			if _, _, err := bundle.Pack(dir); err == nil {
				t.Fatal("Pack: no error")
			} else {
				t.Log(err)
			}
		})
	}
}

// TestPackRefusesNamesKiosksWouldRefuse: a hub on Linux may hold names a
// kiosk's Unpack refuses; Pack says so, so the hub never publishes a
// catalog no kiosk can install.
func TestPackRefusesNamesKiosksWouldRefuse(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"two names a capital apart", map[string]string{"pictograms/Photo.svg": "a", "pictograms/photo.svg": "b"}, "twice"},
		{"two folders a capital apart", map[string]string{"CAF/procedure.yaml": "a", "caf/procedure.yaml": "b"}, "twice"},
		{"two spellings of é", map[string]string{"pictograms/\u00e9.svg": "a", "pictograms/e\u0301.svg": "b"}, "twice"},
		{"a name that is not UTF-8", map[string]string{"pictograms/caf\xe9.svg": "a"}, "not valid text"},
		{"a backslash", map[string]string{`pictograms/a\b.svg`: "a"}, "backslash"},
		{"a newline", map[string]string{"pictograms/a\nb.svg": "a"}, "invisible"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := treeDir(t, c.files)
			if _, _, err := bundle.Pack(dir); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Pack: %v, want an error saying %q", err, c.want)
			}
			if _, err := bundle.Hash(dir); err == nil {
				t.Fatal("Hash: no error")
			}
		})
	}
}
