package bundle

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// Names in a kiosk's data folder.
const (
	LinkName     = "catalog"          // the link to the catalog served
	PreviousName = "catalog.previous" // the link to the version it replaced
	VersionsDir  = "catalogs"         // the hub versions kept, one folder per hash
	// stagingPrefix names the folders an Install unpacks into, inside
	// VersionsDir (the same file system, so the final rename is atomic).
	stagingPrefix = ".staging-"
	// staleStaging is when a staging folder is surely left by an install
	// that died (a power cut): one in progress lasts seconds.
	staleStaging = time.Hour
)

// InvalidCatalogError is an archive refused because the validator found
// problems in the catalog it holds.
type InvalidCatalogError struct {
	Hash     string
	Problems []passerelle.Problem // File is relative to the catalog folder
}

func (e *InvalidCatalogError) Error() string {
	const shown = 20
	var b strings.Builder
	fmt.Fprintf(&b, "the catalog %s is refused: the validator found %d problems in it:", short(e.Hash), len(e.Problems))
	for i, p := range e.Problems {
		if i == shown {
			fmt.Fprintf(&b, "\n  and %d more", len(e.Problems)-shown)
			break
		}
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// Install makes the catalog in archive live in dataDir, if it is the
// version wantHash names and the validator finds no problem in it: it
// unpacks it into a staging folder, checks it, moves it to
// catalogs/<hash>, points catalog.previous at the catalog live until now,
// and swaps the catalog link to it at once (a new link renamed over the
// old one: a reader sees the old catalog or the new, never none). It keeps
// the live and previous versions and removes older ones. Installing the
// version already live does nothing. On any error nothing live changes and
// nothing of the attempt is left.
func Install(ctx context.Context, dataDir string, archive []byte, wantHash string) error {
	if !isHash(wantHash) {
		return fmt.Errorf("install a catalog: %q does not name a catalog version", wantHash)
	}
	live, err := Live(dataDir)
	if err != nil {
		return fmt.Errorf("install catalog %s: %w", short(wantHash), err)
	}
	if live == wantHash {
		return nil
	}
	if err := install(ctx, dataDir, archive, wantHash); err != nil {
		return fmt.Errorf("install catalog %s: %w", short(wantHash), err)
	}
	return nil
}

func install(ctx context.Context, dataDir string, archive []byte, wantHash string) error {
	link := filepath.Join(dataDir, LinkName)
	if info, err := os.Lstat(link); err == nil && info.Mode()&fs.ModeSymlink == 0 {
		return fmt.Errorf("%s is not a link but a real folder or file: move it away (the kiosk serves the hub's catalog through a link there)", link)
	}
	versions := filepath.Join(dataDir, VersionsDir)
	if err := os.MkdirAll(versions, 0o755); err != nil {
		return err
	}
	removeStaleStaging(versions)
	staging, err := os.MkdirTemp(versions, stagingPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)

	staged := filepath.Join(staging, "catalog")
	got, err := Unpack(archive, staged)
	if err != nil {
		return err
	}
	if got != wantHash {
		return fmt.Errorf("the archive received holds version %s, not the one announced: it was damaged or replaced on the way", short(got))
	}
	res, err := procedure.Load(ctx, staged)
	if err != nil {
		return err
	}
	if len(res.Problems) > 0 {
		problems := make([]passerelle.Problem, len(res.Problems))
		for i, p := range res.Problems {
			if rel, err := filepath.Rel(staged, p.File); err == nil {
				p.File = filepath.ToSlash(rel)
			}
			problems[i] = p
		}
		return &InvalidCatalogError{Hash: wantHash, Problems: problems}
	}
	if err := syncTree(staged); err != nil { // a power cut after the swap must not serve empty files
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	final := filepath.Join(versions, wantHash)
	if _, err := os.Lstat(final); err == nil {
		// Kept from before (the previous version) or left by a swap that
		// never happened: the staged copy, just checked, replaces it.
		if err := os.RemoveAll(final); err != nil {
			return err
		}
	}
	if err := os.Rename(staged, final); err != nil {
		return err
	}
	if err := syncDir(versions); err != nil {
		return err
	}
	target := filepath.Join(VersionsDir, wantHash) // relative: the data folder may move
	old, err := os.Readlink(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = ""
	case err != nil:
		return err
	}
	if old != "" && old != target {
		if err := setLink(dataDir, PreviousName, old); err != nil {
			return err
		}
	}
	if err := setLink(dataDir, LinkName, target); err != nil {
		return err
	}
	prune(dataDir)
	return nil
}

// Live returns the hash of the hub catalog dataDir serves, or "" when it
// serves another (the shipped catalog, a folder staff put there) or none.
func Live(dataDir string) (string, error) {
	return versionOf(dataDir, LinkName)
}

// versionOf returns the hub version the link name in dataDir leads to, ""
// if it leads to none that is there.
func versionOf(dataDir, name string) (string, error) {
	link := filepath.Join(dataDir, name)
	info, err := os.Lstat(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("read the link %s: %w", link, err)
	case info.Mode()&fs.ModeSymlink == 0:
		return "", nil // a real folder: not a hub version
	}
	target, err := os.Readlink(link)
	if err != nil {
		return "", fmt.Errorf("read the link %s: %w", link, err)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(dataDir, target)
	}
	hash := filepath.Base(target)
	if filepath.Clean(filepath.Dir(target)) != filepath.Clean(filepath.Join(dataDir, VersionsDir)) || !isHash(hash) {
		return "", nil
	}
	if info, err := os.Stat(target); err != nil || !info.IsDir() {
		return "", nil // removed by hand: nothing of it is served
	}
	return hash, nil
}

// EnsureLink returns the catalog folder a kiosk serves, dataDir/catalog,
// made a link to the shipped catalog when it does not exist yet. A link to
// a shipped catalog that has moved (the kiosk installed elsewhere) is
// pointed at the new one; a hub version, or a real folder staff put there,
// is left alone.
func EnsureLink(dataDir, shipped string) (string, error) {
	link := filepath.Join(dataDir, LinkName)
	abs, err := filepath.Abs(shipped)
	if err != nil {
		return "", fmt.Errorf("link the shipped catalog %s: %w", shipped, err)
	}
	info, err := os.Lstat(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", fmt.Errorf("link the shipped catalog: %w", err)
	case info.Mode()&fs.ModeSymlink == 0:
		return link, nil
	default:
		hash, err := Live(dataDir)
		if err != nil {
			return "", err
		}
		if target, err := os.Readlink(link); hash != "" || (err == nil && target == abs) {
			return link, nil
		}
	}
	if err := setLink(dataDir, LinkName, abs); err != nil {
		return "", fmt.Errorf("link the shipped catalog %s: %w", shipped, err)
	}
	return link, nil
}

// Rollback swaps dataDir's catalog and catalog.previous: the version
// installed before becomes live again, and the one live until now becomes
// the previous one (Rollback again undoes it).
func Rollback(dataDir string) error {
	cur, err := os.Readlink(filepath.Join(dataDir, LinkName))
	if err != nil {
		return fmt.Errorf("roll the catalog back: %s is not a link to a catalog (%w)", filepath.Join(dataDir, LinkName), err)
	}
	prev, err := os.Readlink(filepath.Join(dataDir, PreviousName))
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("roll the catalog back: there is no previous catalog to go back to")
	}
	if err != nil {
		return fmt.Errorf("roll the catalog back: %w", err)
	}
	resolved := prev
	if !filepath.IsAbs(prev) {
		resolved = filepath.Join(dataDir, prev)
	}
	if info, err := os.Stat(resolved); err != nil || !info.IsDir() {
		return fmt.Errorf("roll the catalog back: the previous catalog %s is gone", resolved)
	}
	if err := setLink(dataDir, LinkName, prev); err != nil {
		return fmt.Errorf("roll the catalog back: %w", err)
	}
	if err := setLink(dataDir, PreviousName, cur); err != nil {
		return fmt.Errorf("roll the catalog back: %w", err)
	}
	return nil
}

// setLink makes dataDir/name a link to target at once: a new link made
// under a temporary name, then renamed over the old one (rename(2) is
// atomic, ln -sf is not: it removes the old link first).
func setLink(dataDir, name, target string) error {
	tmp, err := os.MkdirTemp(dataDir, "."+name+".new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	newLink := filepath.Join(tmp, name)
	if err := os.Symlink(target, newLink); err != nil {
		return err
	}
	if err := os.Rename(newLink, filepath.Join(dataDir, name)); err != nil {
		return err
	}
	return syncDir(dataDir)
}

// prune removes the hub versions neither live nor previous. It removes
// only folders named by a hash inside catalogs/: never what a link leads
// to elsewhere (the shipped catalog).
func prune(dataDir string) {
	live, _ := versionOf(dataDir, LinkName)
	previous, _ := versionOf(dataDir, PreviousName)
	versions := filepath.Join(dataDir, VersionsDir)
	entries, _ := os.ReadDir(versions)
	for _, e := range entries {
		if name := e.Name(); isHash(name) && name != live && name != previous {
			os.RemoveAll(filepath.Join(versions, name))
		}
	}
}

// removeStaleStaging removes what installs that died left.
func removeStaleStaging(versions string) {
	entries, _ := os.ReadDir(versions)
	for _, e := range entries {
		info, err := e.Info()
		if strings.HasPrefix(e.Name(), stagingPrefix) && err == nil && time.Since(info.ModTime()) > staleStaging {
			os.RemoveAll(filepath.Join(versions, e.Name()))
		}
	}
}

// syncTree makes every file and folder under dir durable.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

func isHash(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32 && s == strings.ToLower(s)
}

// short is a version as staff read it in messages: its first 12 digits.
func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
