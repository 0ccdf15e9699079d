package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"passerelle/app/procedure"
)

// maxNameBytes bounds an entry's path, and maxPartBytes one of its names
// (the limit of most file systems).
const (
	maxNameBytes = 1024
	maxPartBytes = 255
)

// Unpack extracts an archive made by Pack into dir, a folder it creates,
// and returns the hash of what it wrote. The archive may come from anyone:
// it must hold only files and folders, under names that stay inside dir,
// that a catalog can hold and that no file system can confuse, within the
// limits of a catalog. A bomb is stopped as soon as it expands too much,
// reading with bounded memory. On any error dir is removed with whatever
// was written in it.
func Unpack(archive []byte, dir string) (hash string, err error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("unpack into %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if err := extract(archive, dir); err != nil {
		return "", fmt.Errorf("unpack the catalog archive: %w", err)
	}
	hash, err = Hash(dir)
	if err != nil {
		return "", fmt.Errorf("unpack the catalog archive: %w", err)
	}
	return hash, nil
}

// extract reads the archive twice: once to check all of it, so that a
// hostile or damaged archive is refused before anything is written (even a
// checksum error at its very end), then to write it.
func extract(archive []byte, dir string) error {
	if err := read(archive, nil); err != nil {
		return err
	}
	// Every file is made through root: even a name the checks let through
	// by mistake cannot reach outside dir.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return read(archive, func(name string, isDir bool, content io.Reader, size int64) error {
		if isDir {
			if err := root.MkdirAll(name, 0o755); err != nil {
				return fmt.Errorf("make the folder %s: %w", name, err)
			}
			return nil
		}
		return writeFile(root, name, content, size)
	})
}

// read checks every entry of the archive and, if write is not nil, calls
// it with each one.
func read(archive []byte, write func(name string, isDir bool, content io.Reader, size int64) error) error {
	src := bytes.NewReader(archive)
	zr, err := gzip.NewReader(src)
	if err != nil {
		return errors.New("it is not a catalog archive (not a gzip file), or it is damaged")
	}
	zr.Multistream(false)
	expanded := &budget{r: zr, left: expandLimit(len(archive))}
	tr := tar.NewReader(expanded)
	var seen names
	var count int
	var total int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return damaged(err)
		}
		if count++; count > MaxEntries {
			return fmt.Errorf("it holds more than %d files and folders", MaxEntries)
		}
		isDir := hdr.Typeflag == tar.TypeDir
		if !isDir && hdr.Typeflag != tar.TypeReg {
			return fmt.Errorf("it holds %q, which is %s: a catalog holds only files and folders", printable(hdr.Name), kind(hdr.Typeflag))
		}
		name, err := checkName(hdr.Name, isDir)
		if err != nil {
			return err
		}
		if err := seen.add(name, isDir); err != nil {
			return err
		}
		if !isDir {
			if hdr.Size > MaxFileBytes {
				return fmt.Errorf("the file %s is %s; at most %s is allowed in a catalog", name, size(hdr.Size), size(MaxFileBytes))
			}
			if total += hdr.Size; total > MaxTotalBytes {
				return fmt.Errorf("its files together are more than %s", size(MaxTotalBytes))
			}
			if total > expandLimit(len(archive)) {
				return errExpands // the holes of a sparse file expand without bytes to read
			}
		}
		if write != nil {
			if err := write(name, isDir, tr, hdr.Size); err != nil {
				return err
			}
		}
	}
	// The gzip checksum is checked only at the end of its stream: read up
	// to it, so a damaged archive is refused even past the last file.
	if _, err := io.Copy(io.Discard, expanded); err != nil {
		return damaged(err)
	}
	if src.Len() > 0 {
		return errors.New("it has data after its end: it is not an archive made by the hub")
	}
	return nil
}

func writeFile(root *os.Root, name string, content io.Reader, size int64) error {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("make the folder %s: %w", dir, err)
		}
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	n, err := io.Copy(f, content)
	if err == nil && n != size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		f.Close()
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, errExpands) {
			return damaged(err)
		}
		return fmt.Errorf("write %s: %w", name, err) // the disk is full, say
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func damaged(err error) error {
	if errors.Is(err, errExpands) {
		return err
	}
	return fmt.Errorf("it is damaged or cut short (%v)", err)
}

// checkName returns an entry's path if a catalog may hold it: a relative
// slash path, already clean, of printable UTF-8 names that the kiosk's
// loader would read (no hidden or editor file).
func checkName(name string, isDir bool) (string, error) {
	shownName := printable(name)
	if isDir {
		name = strings.TrimSuffix(name, "/")
	} else if strings.HasSuffix(name, "/") {
		return "", fmt.Errorf("the catalog holds a file named like a folder (%q)", shownName)
	}
	switch {
	case name == "":
		return "", errors.New("the catalog holds an entry without a name")
	case !utf8.ValidString(name):
		return "", fmt.Errorf("the catalog holds a name that is not valid text (%q)", shownName)
	case len(name) > maxNameBytes:
		return "", fmt.Errorf("the catalog holds a path longer than %d bytes (%q)", maxNameBytes, shownName)
	case strings.HasPrefix(name, "/"):
		return "", fmt.Errorf("the catalog holds an absolute path (%q): every path must stay inside the catalog", shownName)
	}
	for _, r := range name {
		if r == '\\' || (!unicode.IsGraphic(r) && r != ' ') {
			return "", fmt.Errorf("the catalog holds a name with a backslash or an invisible character (%q)", shownName)
		}
	}
	for part := range strings.SplitSeq(name, "/") {
		switch {
		case part == "" || part == ".":
			return "", fmt.Errorf("the catalog holds a path that is not clean (%q)", shownName)
		case part == "..":
			return "", fmt.Errorf("the catalog holds a path leading outside the catalog (%q)", shownName)
		case len(part) > maxPartBytes:
			return "", fmt.Errorf("the catalog holds a name longer than %d bytes (%q)", maxPartBytes, shownName)
		case procedure.Ignored(part):
			return "", fmt.Errorf("the catalog holds a hidden or editor file (%q), which a catalog never holds", shownName)
		}
	}
	return name, nil
}

// names remembers the entries of an archive, so that no two of them land
// on the same file: not twice the same path, nor two paths that differ only
// by case or Unicode form (one file on macOS or Windows), nor a file where
// a folder must be.
type names struct {
	entries map[string]bool // folded path → is a folder
	parents map[string]bool // folded paths of every folder holding an entry
}

func (n *names) add(name string, isDir bool) error {
	if n.entries == nil {
		n.entries, n.parents = map[string]bool{}, map[string]bool{}
	}
	key := fold(name)
	if _, dup := n.entries[key]; dup {
		return fmt.Errorf("the catalog holds %q twice (maybe with other capitals or accents)", printable(name))
	}
	if !isDir && n.parents[key] {
		return fmt.Errorf("the catalog holds %q both as a file and as a folder", printable(name))
	}
	for dir := path.Dir(key); dir != "." && !n.parents[dir]; dir = path.Dir(dir) {
		if folder, ok := n.entries[dir]; ok && !folder {
			return fmt.Errorf("the catalog holds %q inside %q, which is a file", printable(name), printable(dir))
		}
		n.parents[dir] = true // and so are its own parents, when it was seen before
	}
	n.entries[key] = isDir
	return nil
}

// fold maps a path to one key for all its spellings that a case-insensitive
// or normalizing file system takes for the same name.
func fold(name string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, norm.NFC.String(name))
}

func kind(flag byte) string {
	switch flag {
	case tar.TypeSymlink, tar.TypeLink:
		return "a link"
	case tar.TypeChar, tar.TypeBlock:
		return "a device"
	case tar.TypeFifo:
		return "a named pipe"
	}
	return fmt.Sprintf("an entry of kind %q", flag)
}

// printable cuts a very long name from an archive before it is shown
// (with %q, which escapes invisible and invalid bytes).
func printable(name string) string {
	if len(name) > 200 {
		return name[:200] + "..."
	}
	return name
}

var errExpands = fmt.Errorf("it expands more than %d times, or past the size of a catalog: refused as a compression bomb", MaxRatio)

// budget reads at most left bytes, then fails: a bomb stops early.
type budget struct {
	r    io.Reader
	left int64
}

func (b *budget) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errExpands
	}
	// Up to one byte more than allowed: a stream that ends exactly at the
	// limit is not a bomb, one that goes on is.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errExpands
	}
	return n, err
}
