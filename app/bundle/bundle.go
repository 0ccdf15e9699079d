// Package bundle turns a catalog folder into one archive and back, the way
// catalogs travel from the hub to kiosks: Pack on the hub, then Unpack into
// a staging folder, the validator, and an atomic swap on the kiosk
// (Install). A version is named by the hash of its content, which both ends
// compute the same way from the files.
//
// A catalog is made of regular files and folders only. Hidden names and the
// noise editors and systems leave beside files (procedure.Ignored) are left
// out; a link inside the catalog counts as the file or folder it leads to,
// since the loader follows it too; anything else (a device, a named pipe, a
// link leading nowhere) is left out.
//
// On a kiosk, the data folder (the folder of its database) holds:
//
//	catalog           a link to the catalog served: the shipped one until a hub sends one
//	catalogs/<hash>   the hub versions kept: the live one and the one before
//	catalog.previous  a link to the version catalog replaced
//
// Going back to the previous version (staff): Rollback swaps catalog and
// catalog.previous, each by renaming a new link over the old one. By hand,
// in the kiosk's data folder, with the kiosk running:
//
//	cur=$(readlink catalog) prev=$(readlink catalog.previous)
//	ln -sfn "$prev" catalog.new && mv -T catalog.new catalog
//	ln -sfn "$cur" catalog.previous.new && mv -T catalog.previous.new catalog.previous
//
// (never "ln -sfn" on catalog itself: it removes the link before making
// the new one, and the kiosk may look in between). The running kiosk's
// watcher picks the swap up; sessions in progress keep their version. The
// next sync installs the hub's latest version again: to keep an older one
// everywhere, publish it again on the hub.
package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"passerelle/app/procedure"
)

// Limits of a catalog, checked by Pack and Unpack alike, so the hub never
// publishes an archive kiosks would refuse. A catalog is a few dozen
// procedures, their pictograms and recordings: a few megabytes.
const (
	MaxEntries    = 10000     // files and folders
	MaxFileBytes  = 64 << 20  // one file (a long recording)
	MaxTotalBytes = 512 << 20 // every file together
	// MaxRatio bounds how much an archive may expand: text and drawings
	// compress 3 to 10 times, recordings not at all; a compression bomb
	// expands thousands of times.
	MaxRatio = 200
)

// fixedTime is the modification time of every archive entry: the same
// files must give the same bytes whenever and wherever they are packed.
var fixedTime = time.Unix(0, 0).UTC()

// hashVersion starts every hash: a change of the canonical form changes it.
const hashVersion = "passerelle catalog v1\n"

// entry is a file or a folder of a catalog.
type entry struct {
	name string // slash path relative to the catalog folder
	abs  string // where it is on disk
	dir  bool
}

// Hash returns the hex SHA-256 of the catalog in dir: its files and folders
// sorted by path, each framed with its kind, path and size, so that no two
// different trees hash alike.
func Hash(dir string) (string, error) {
	entries, err := list(dir)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", dir, err)
	}
	h := newHasher()
	err = readEach(entries, func(e entry, content []byte) error {
		h.add(e.name, e.dir, content)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", dir, err)
	}
	return h.sum(), nil
}

// Pack returns the catalog in dir as a gzip'd tar and its hash, both made
// from the same read of each file. The same tree gives the same bytes.
func Pack(dir string) (archive []byte, hash string, err error) {
	entries, err := list(dir)
	if err != nil {
		return nil, "", fmt.Errorf("pack %s: %w", dir, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf) // no name, no time in the header: deterministic
	counted := &countingWriter{w: zw}
	tw := tar.NewWriter(counted)
	h := newHasher()
	err = readEach(entries, func(e entry, content []byte) error {
		h.add(e.name, e.dir, content)
		hdr := &tar.Header{Name: e.name, ModTime: fixedTime, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content))}
		if e.dir {
			hdr = &tar.Header{Name: e.name + "/", ModTime: fixedTime, Typeflag: tar.TypeDir, Mode: 0o755}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(content)
		return err
	})
	if err == nil {
		err = errors.Join(tw.Close(), zw.Close())
	}
	if err != nil {
		return nil, "", fmt.Errorf("pack %s: %w", dir, err)
	}
	if counted.n > expandLimit(buf.Len()) {
		return nil, "", fmt.Errorf("pack %s: the catalog compresses more than %d times; kiosks would refuse it as a compression bomb: remove the files made of repeated bytes", dir, MaxRatio)
	}
	return buf.Bytes(), h.sum(), nil
}

// expandLimit is how many bytes of tar an archive of n bytes may hold.
func expandLimit(n int) int64 {
	const headers = MaxEntries*2048 + 64<<10 // a header, a long name's and padding per entry; the end
	const slack = 1 << 20                    // a small catalog's headers compress far more than its content
	return min(MaxTotalBytes+headers, int64(n)*MaxRatio+slack)
}

// list returns the files and folders of the catalog in dir, sorted by
// path, within the limits.
func list(dir string) ([]entry, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("the folder is missing")
	}
	if err != nil {
		return nil, fmt.Errorf("the folder cannot be read: %s", plain(err))
	}
	if !info.IsDir() {
		return nil, errors.New("it is not a folder")
	}
	var out []entry
	var total int64
	var seen names
	var walk func(abs, name string, ancestors []os.FileInfo) error
	walk = func(abs, name string, ancestors []os.FileInfo) error {
		children, err := os.ReadDir(abs)
		if err != nil {
			if name == "" {
				return fmt.Errorf("the folder cannot be read: %s", plain(err))
			}
			return fmt.Errorf("the folder %s cannot be read: %s", name, plain(err))
		}
		for _, c := range children {
			if procedure.Ignored(c.Name()) {
				continue
			}
			childAbs, childName := filepath.Join(abs, c.Name()), path.Join(name, c.Name())
			info, err := os.Stat(childAbs) // follows links, as the loader does
			switch {
			case err != nil && c.Type()&fs.ModeSymlink != 0:
				continue // a link leading nowhere: the loader reports it where it matters
			case err != nil:
				return fmt.Errorf("%s cannot be read: %s", childName, plain(err))
			case !info.IsDir() && !info.Mode().IsRegular():
				continue // a device, a named pipe, a socket: never part of a catalog
			}
			// The names Unpack would refuse (a name that is not valid
			// text, two names one letter's case apart...) are refused
			// here, so the hub never publishes what kiosks cannot install.
			if _, err := checkName(childName, info.IsDir()); err != nil {
				return err
			}
			if err := seen.add(childName, info.IsDir()); err != nil {
				return err
			}
			if len(out) >= MaxEntries {
				return fmt.Errorf("it holds more than %d files and folders: is it the right folder?", MaxEntries)
			}
			if info.IsDir() {
				if loops(info, ancestors) {
					continue // a link back up: its content is already there
				}
				out = append(out, entry{name: childName, abs: childAbs, dir: true})
				if err := walk(childAbs, childName, append(ancestors, info)); err != nil {
					return err
				}
				continue
			}
			if info.Size() > MaxFileBytes {
				return fmt.Errorf("the file %s is %s; at most %s is allowed in a catalog", childName, size(info.Size()), size(MaxFileBytes))
			}
			if total += info.Size(); total > MaxTotalBytes {
				return fmt.Errorf("its files together are more than %s: is it the right folder?", size(MaxTotalBytes))
			}
			out = append(out, entry{name: childName, abs: childAbs})
		}
		return nil
	}
	if err := walk(dir, "", []os.FileInfo{info}); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func loops(info os.FileInfo, ancestors []os.FileInfo) bool {
	for _, a := range ancestors {
		if os.SameFile(a, info) {
			return true
		}
	}
	return false
}

// readEach calls fn with each entry and the content of each file, read
// once, at most MaxFileBytes (a file may grow while it is read).
func readEach(entries []entry, fn func(entry, []byte) error) error {
	var total int64
	for _, e := range entries {
		var content []byte
		if !e.dir {
			var err error
			if content, err = readFile(e.abs); err != nil {
				return fmt.Errorf("%s cannot be read: %s", e.name, plain(err))
			}
			if total += int64(len(content)); total > MaxTotalBytes {
				return fmt.Errorf("its files together are more than %s", size(MaxTotalBytes))
			}
		}
		if err := fn(e, content); err != nil {
			return err
		}
	}
	return nil
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(content) > MaxFileBytes {
		return nil, fmt.Errorf("it grew past %s while it was read", size(MaxFileBytes))
	}
	return content, nil
}

// hasher computes a catalog's hash from its entries in path order. Every
// field is framed by its length: "a" + "bc" and "ab" + "c" differ.
type hasher struct{ h hash.Hash }

func newHasher() hasher {
	h := hasher{sha256.New()}
	h.h.Write([]byte(hashVersion))
	return h
}

func (h hasher) add(name string, dir bool, content []byte) {
	kind := byte('f')
	if dir {
		kind = 'd'
	}
	var n [8]byte
	h.h.Write([]byte{kind})
	binary.BigEndian.PutUint64(n[:], uint64(len(name)))
	h.h.Write(n[:])
	h.h.Write([]byte(name))
	binary.BigEndian.PutUint64(n[:], uint64(len(content)))
	h.h.Write(n[:])
	h.h.Write(content)
}

func (h hasher) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// plain drops the Go operation prefix of file errors ("open x: ").
func plain(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
