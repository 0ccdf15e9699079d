package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passerelle/app/bundle"
)

// item is one entry of a hand-made archive.
type item struct {
	name    string
	flag    byte // tar.TypeReg when zero
	content string
	size    int64  // the size announced, when it is not the content's
	link    string // a link's target
	pax     map[string]string
}

func file(name, content string) item { return item{name: name, content: content} }
func folder(name string) item        { return item{name: name, flag: tar.TypeDir} }

// rawTar writes the entries as they are, whatever they are: what a hostile
// hub or a man in the middle could send. A size announced bigger than the
// content ends the archive there, cut short.
func rawTar(tb testing.TB, items ...item) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, it := range items {
		flag := it.flag
		if flag == 0 {
			flag = tar.TypeReg
		}
		size := int64(len(it.content))
		if it.size != 0 {
			size = it.size
		}
		hdr := &tar.Header{Name: it.name, Typeflag: flag, Mode: 0o644, Linkname: it.link, PAXRecords: it.pax, Format: tar.FormatPAX}
		if flag == tar.TypeXGlobalHeader {
			hdr = &tar.Header{Typeflag: flag, PAXRecords: it.pax}
		}
		if flag == tar.TypeReg {
			hdr.Size = size
		}
		if err := tw.WriteHeader(hdr); err != nil {
			tb.Fatalf("write %q: %v", it.name, err)
		}
		if _, err := tw.Write([]byte(it.content)); err != nil {
			tb.Fatal(err)
		}
		if size != int64(len(it.content)) {
			return buf.Bytes() // cut short: no end
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func gz(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func archiveOf(tb testing.TB, items ...item) []byte {
	tb.Helper()
	return gz(tb, rawTar(tb, items...))
}

// unpackRefused unpacks an archive that must be refused, into a folder in
// a box, and checks that nothing is left in the box, and so nothing in dir.
func unpackRefused(t *testing.T, archive []byte, wantInError string) {
	t.Helper()
	box := t.TempDir()
	h, err := bundle.Unpack(archive, filepath.Join(box, "out"))
	if err == nil {
		t.Fatalf("Unpack accepted it (hash %s)", h)
	}
	if !strings.Contains(err.Error(), wantInError) {
		t.Errorf("error %q does not say %q", err, wantInError)
	}
	if left, _ := os.ReadDir(box); len(left) > 0 {
		t.Errorf("left %d entries behind, first %s", len(left), left[0].Name())
	}
}

func TestUnpackRefusesHostileArchives(t *testing.T) {
	good := []item{folder("a/"), file("a/procedure.yaml", "id: a\n")}
	plus := func(extra ...item) []item { return append(append([]item{}, good...), extra...) }
	many := make([]item, bundle.MaxEntries+1)
	for i := range many {
		many[i] = file(fmt.Sprintf("f%05d", i), "")
	}
	cases := []struct {
		name  string
		items []item
		want  string
	}{
		{"a symbolic link", plus(item{name: "a/evil", flag: tar.TypeSymlink, link: "/etc"}), "a link"},
		{"a hard link", plus(item{name: "a/evil", flag: tar.TypeLink, link: "a/procedure.yaml"}), "a link"},
		{"a character device", plus(item{name: "a/zero", flag: tar.TypeChar}), "a device"},
		{"a block device", plus(item{name: "a/disk", flag: tar.TypeBlock}), "a device"},
		{"a named pipe", plus(item{name: "a/pipe", flag: tar.TypeFifo}), "a named pipe"},
		{"a global header", plus(item{name: "g", flag: tar.TypeXGlobalHeader, pax: map[string]string{"comment": "x"}}), "only files and folders"},
		{"an absolute path", plus(file("/tmp/evil", "x")), "absolute"},
		{"a path going up", plus(file("../evil", "x")), "outside"},
		{"a path going up after a folder", plus(file("a/../../evil", "x")), "outside"},
		{"a path going up in a folder's name", plus(folder("a/../../b/")), "outside"},
		{"a path with a dot", plus(file("./a/x", "x")), "not clean"},
		{"a path with two slashes", plus(file("a//x", "x")), "not clean"},
		{"a backslash", plus(file(`a\..\..\evil`, "x")), "backslash"},
		{"a control character", plus(file("a/x\x01y", "x")), "invisible"},
		{"a newline", plus(file("a/x\ny", "x")), "invisible"},
		{"a right-to-left override", plus(file("a/gpj\u202e.svg", "x")), "invisible"},
		{"invalid UTF-8", plus(file("a/\xff\xfe", "x")), "not valid text"},
		{"a hidden file", plus(file("a/.hidden", "x")), "hidden"},
		{"a hidden folder", plus(file(".git/config", "x")), "hidden"},
		{"an editor backup", plus(file("a/procedure.yaml~", "x")), "editor"},
		{"the same file twice", plus(file("a/procedure.yaml", "id: b\n")), "twice"},
		{"the same folder twice", plus(folder("a/")), "twice"},
		{"names differing by case", plus(file("A/procedure.yaml", "x")), "twice"},
		{"names differing by Unicode case", plus(file("a/ÉTAPE.svg", "x"), file("a/étape.svg", "y")), "twice"},
		{"names differing by Unicode form", plus(file("a/\u00e9.svg", "x"), file("a/e\u0301.svg", "y")), "twice"},
		{"a file inside a file", plus(file("a/procedure.yaml/x", "x")), "which is a file"},
		{"a file where a folder is", plus(file("a", "x")), "twice"},
		{"an empty name", plus(file("", "x")), "without a name"},
		{"a name too long", plus(file("a/"+strings.Repeat("x", 256), "x")), "longer than"},
		{"a path too long", plus(file(strings.Repeat("abcdefgh/", 120)+"x", "x")), "longer than"},
		{"too many entries", many, "more than"},
		{"a file too big", plus(item{name: "a/big.ogg", content: "x", size: bundle.MaxFileBytes + 1}), "at most"},
		{"a file cut short", plus(item{name: "a/cut.svg", content: "<svg", size: 100}), "cut short"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			unpackRefused(t, archiveOf(t, c.items...), c.want)
		})
	}
}

// rawHeader makes a ustar header by hand, for what tar.Writer refuses to write.
func rawHeader(name string, flag byte, size int) []byte {
	h := make([]byte, 512)
	copy(h[0:100], name)
	copy(h[100:108], "0000644\x00")
	copy(h[108:116], "0000000\x00")
	copy(h[116:124], "0000000\x00")
	copy(h[124:136], fmt.Sprintf("%011o\x00", size))
	copy(h[136:148], "00000000000\x00")
	h[156] = flag
	copy(h[257:265], "ustar\x0000")
	copy(h[148:156], "        ")
	sum := 0
	for _, b := range h {
		sum += int(b)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return h
}

// block pads data to tar's 512-byte blocks.
func block(data string) []byte {
	return append([]byte(data), make([]byte, (512-len(data)%512)%512)...)
}

func paxRecord(k, v string) string {
	n := len(k) + len(v) + 3
	for len(fmt.Sprint(n))+len(k)+len(v)+3 != n {
		n++
	}
	return fmt.Sprintf("%d %s=%s\n", n, k, v)
}

// TestUnpackRefusesCraftedHeaders: headers no honest tar writer makes.
func TestUnpackRefusesCraftedHeaders(t *testing.T) {
	end := make([]byte, 1024)
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	sparse := paxRecord("GNU.sparse.size", fmt.Sprint(60<<20)) + paxRecord("GNU.sparse.numblocks", "1") +
		paxRecord("GNU.sparse.map", "0,1") + paxRecord("GNU.sparse.name", "a/sparse.ogg")
	cases := []struct {
		name string
		tar  []byte
		want string
	}{
		{"a file named like a folder", join(rawHeader("a/x/", '0', 0), end), "named like a folder"},
		{"an old GNU sparse file", join(rawHeader("a/sparse", 'S', 0), end), "damaged"},
		{"a PAX sparse file of 60 MB holding one byte", join(rawHeader("pax", 'x', len(sparse)), block(sparse),
			rawHeader("a/sparse.ogg", '0', 1), block("x"), end), "compression bomb"},
		{"a name with a NUL byte in a PAX record", join(rawHeader("pax", 'x', len(paxRecord("path", "a/x\x00y"))),
			block(paxRecord("path", "a/x\x00y")), rawHeader("a/x", '0', 1), block("x"), end), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			unpackRefused(t, gz(t, c.tar), c.want)
		})
	}
}

func TestUnpackRefusesDamagedArchives(t *testing.T) {
	archive, _, err := bundle.Pack(shippedCopy(t))
	if err != nil {
		t.Fatal(err)
	}
	flipped := func(at int) []byte {
		b := bytes.Clone(archive)
		b[at] ^= 0x40
		return b
	}
	cases := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"empty", nil, "not a gzip"},
		{"not gzip", []byte("procedure.yaml\nid: x\n"), "not a gzip"},
		{"a tar without gzip", rawTar(t, good()...), "not a gzip"},
		{"gzip of no tar", gz(t, []byte("hello, this is not a tar")), "damaged"},
		{"cut after 10 bytes", archive[:10], "damaged"},
		{"cut in the middle", archive[:len(archive)/2], "damaged"},
		{"cut before the checksum", archive[:len(archive)-4], "damaged"},
		{"a byte changed at the start", flipped(40), "damaged"},
		{"a byte changed in the middle", flipped(len(archive) / 2), "damaged"},
		{"the checksum changed", flipped(len(archive) - 6), "damaged"},
		{"data after the end", append(bytes.Clone(archive), "junk"...), "after its end"},
		{"a second archive after the end", append(bytes.Clone(archive), archiveOf(t, file("b/x", "y"))...), "after its end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			unpackRefused(t, c.archive, c.want)
		})
	}
}

func good() []item { return []item{folder("a/"), file("a/procedure.yaml", "id: a\n")} }

// TestUnpackStopsBombs: an archive that expands far more than a catalog
// ever does is refused as soon as it does, before it fills the disk.
func TestUnpackStopsBombs(t *testing.T) {
	zeros := make([]byte, 40<<20) // compresses about 1000 times
	cases := []struct {
		name    string
		items   []item
		trailer []byte // after the tar's end
	}{
		{"one file of zeros", []item{folder("a/"), file("a/big.ogg", string(zeros))}, nil},
		{"many files of zeros", []item{file("a/1.ogg", string(zeros[:10<<20])), file("a/2.ogg", string(zeros[:10<<20])),
			file("a/3.ogg", string(zeros[:10<<20])), file("a/4.ogg", string(zeros[:10<<20]))}, nil},
		{"zeros after the end", good(), zeros}, // the reader must not swallow the flood after the end
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			unpackRefused(t, gz(t, append(rawTar(t, c.items...), c.trailer...)), "compression bomb")
		})
	}
}

func TestUnpackIntoAnExistingFolderChangesNothing(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"keep": "mine"})
	if _, err := bundle.Unpack(archiveOf(t, good()...), dir); err == nil {
		t.Fatal("Unpack into an existing folder: no error")
	}
	if data, err := os.ReadFile(filepath.Join(dir, "keep")); err != nil || string(data) != "mine" {
		t.Fatalf("the folder's file: %q, %v", data, err)
	}
}

func TestUnpackAcceptsWhatPackMakes(t *testing.T) {
	cases := map[string]map[string]string{
		"accents and spaces":   {"démarche caf/procedure.yaml": "id: x\n", "pictograms/carte vitale.svg": "<svg/>"},
		"a long path":          {strings.Repeat("dossier/", 20) + "f.txt": "x"},
		"empty files":          {"a/empty": "", "b/": ""},
		"a name of digits":     {"2024/procedure.yaml": "x"},
		"an empty catalog":     {},
		"a name with a colon":  {"a/x:y.svg": "<svg/>"},
		"non-Latin names":      {"وثيقة/procedure.yaml": "x", "证件/x.svg": "y"},
		"capitals, no clashes": {"A/procedure.yaml": "x", "B/procedure.yaml": "y"},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			src := treeDir(t, files)
			archive, hash, err := bundle.Pack(src)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			got, err := bundle.Unpack(archive, out)
			if err != nil {
				t.Fatal(err)
			}
			if got != hash {
				t.Fatalf("hash %s, want %s", got, hash)
			}
			sameTree(t, src, out)
		})
	}
}
