package procedure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"passerelle/app/passerelle"
)

// DefaultDebounce is how long the watcher waits after the last change on
// disk before reloading: editors save a file in several writes and renames.
const DefaultDebounce = 300 * time.Millisecond

// retryEvery is how often the watcher looks again for a folder it must
// watch but cannot (the catalog's parent folder is gone, a drive unmounted).
const retryEvery = time.Second

// maxWatched bounds the folders watched: a catalog is a few hundred.
const maxWatched = 5000

// Watcher serves the catalog in a folder and reloads it when files change.
// A reload that finds a problem in a procedure keeps that procedure's last
// good version live, so a typo never takes a procedure away from users; a
// catalog folder that is missing or empty keeps the whole last good catalog.
//
// It watches the catalog's parent folder too, so it sees the catalog folder
// deleted, created, renamed or swapped (mv, ln -sfn), and at each reload it
// compares every watched folder with what is on disk now, so a folder
// renamed, swapped or reached through a link is watched where it is.
type Watcher struct {
	Dir      string
	Debounce time.Duration
	Logger   *slog.Logger
	// Snapshot, when set, is the file where the catalog loaded is kept
	// for the next start (see Loader.Snapshot); every reload refreshes it.
	Snapshot string

	loader Loader
	fsw    *fsnotify.Watcher

	// Owned by the goroutine that reloads (Open, then run).
	abs     string                 // Dir made absolute: the name events carry
	roots   map[string]bool        // the catalog's path and, when it is a link, its target
	parents map[string]bool        // the folders holding the roots
	watched map[string]os.FileInfo // each folder watched, as it was when added
	retry   *time.Timer
	// stale says the folders on disk may no longer be those watched (a
	// folder created, removed, renamed or swapped; a lost event): the next
	// reload walks the tree again. An edit inside a file needs no walk.
	stale    bool
	unusable string          // why the catalog folder gave nothing at the last reload
	warned   map[string]bool // the warnings logged, so each is logged once

	mu      sync.Mutex
	update  passerelle.CatalogUpdate         // live catalog and the last load's problems
	byDir   map[string]*passerelle.Procedure // live procedures by folder
	subs    map[chan passerelle.CatalogUpdate]struct{}
	closed  bool
	reloads int

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ passerelle.CatalogSource = (*Watcher)(nil)

// NewWatcher returns a watcher of the catalog in dir. Call Open to start it.
func NewWatcher(dir string) *Watcher {
	return &Watcher{Dir: dir, Debounce: DefaultDebounce, Logger: slog.Default()}
}

// Open loads the catalog and starts watching the folder. Problems in the
// files are not an error: the procedures without problems are served and
// the problems are listed by Problems. A missing catalog folder is not an
// error either: the catalog is empty, Problems says why, and the watcher
// loads the folder when it appears. Open fails only when the system cannot
// watch files at all.
func (w *Watcher) Open() error {
	abs, err := filepath.Abs(w.Dir)
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.Dir, err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.Dir, err)
	}
	w.fsw, w.abs = fsw, abs
	w.loader.noHints = true // the kiosk shows no hints; validate and the editor do
	w.loader.Snapshot, w.loader.Logger = w.Snapshot, w.Logger
	w.watched = map[string]os.FileInfo{}
	w.subs = map[chan passerelle.CatalogUpdate]struct{}{}
	w.update.Catalog = passerelle.NewCatalog(nil)
	w.retry = time.NewTimer(time.Hour)
	w.stale = true // nothing watched yet
	w.retry.Stop()
	w.ctx, w.cancel = context.WithCancel(context.Background())
	if err := w.reload(); err != nil {
		fsw.Close()
		return err
	}
	w.wg.Add(1)
	go func() { defer w.wg.Done(); w.run() }()
	return nil
}

// Close stops watching, waits for a reload in progress, and closes every
// subscriber's channel.
func (w *Watcher) Close() error {
	if w.cancel == nil {
		return nil
	}
	w.cancel()
	err := w.fsw.Close()
	w.wg.Wait()
	w.loader.Wait() // a snapshot cut short would be a full load at the next start
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	for ch := range w.subs {
		close(ch)
		delete(w.subs, ch)
	}
	return err
}

// Catalog returns the live catalog.
func (w *Watcher) Catalog() *passerelle.Catalog {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.update.Catalog
}

// Problems returns the problems found at the last load.
func (w *Watcher) Problems() []passerelle.Problem {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.update.Problems
}

// Reloads returns how many times the catalog was loaded, for tests and the
// staff screen.
func (w *Watcher) Reloads() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reloads
}

// Subscribe returns a channel that receives an update after each reload.
func (w *Watcher) Subscribe() (<-chan passerelle.CatalogUpdate, func()) {
	ch := make(chan passerelle.CatalogUpdate, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		close(ch)
		return ch, func() {}
	}
	w.subs[ch] = struct{}{}
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if _, ok := w.subs[ch]; ok {
			delete(w.subs, ch)
			close(ch)
		}
	}
}

// run waits for changes on disk and reloads once they settle.
func (w *Watcher) run() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	defer w.retry.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod || !w.concerns(ev.Name) {
				continue
			}
			if ev.Op.Has(fsnotify.Create) || ev.Op.Has(fsnotify.Remove) || ev.Op.Has(fsnotify.Rename) {
				w.stale = true
			}
			timer.Reset(w.Debounce)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// An overflow means changes were lost: read everything again.
			w.Logger.Warn("catalog: watching the folder failed; reading it all again", "folder", w.Dir, "err", err)
			w.stale = true
			timer.Reset(w.Debounce)
		case <-w.retry.C:
			if !w.parentsExist() || !isDir(w.abs) {
				w.retry.Reset(retryEvery) // nothing new to say: no update
				continue
			}
			w.reloadLogged()
		case <-timer.C:
			w.reloadLogged()
		}
	}
}

func (w *Watcher) reloadLogged() {
	if err := w.reload(); err != nil && !errors.Is(err, context.Canceled) {
		w.Logger.Error("catalog: reload", "err", err)
	}
}

// parentsExist reports whether every parent folder of the catalog is there.
func (w *Watcher) parentsExist() bool {
	for dir := range w.parents {
		if !isDir(dir) {
			return false
		}
	}
	return true
}

// concerns reports whether an event may change the catalog: anything in the
// catalog's tree, and in the parent folders only the catalog itself.
func (w *Watcher) concerns(name string) bool {
	if w.roots[name] {
		return true
	}
	return !w.parents[filepath.Dir(name)] && !noise(filepath.Base(name))
}

// Ignored reports whether a file or folder's name is editor, system or
// hidden noise (see noise): the watcher does not reload for it, and a
// catalog archive (app/bundle) leaves it out.
func Ignored(name string) bool { return noise(name) }

// noise reports whether a file's name is one that editors, file managers
// and operating systems write beside the files they touch, and that the
// loader never reads: swap, backup, lock and probe files, macOS's
// .DS_Store and ._ files (USB sticks), Windows' Thumbs.db, a .git folder.
// A change to them alone must not reload the catalog (and reset what a
// subscriber shows) at every keystroke of an editor.
func noise(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case systemFolder(name): // hidden ones too: swap files, .DS_Store, ._x, .git, .#x, .~lock.x#
		return true
	case strings.HasSuffix(name, "~"), // backups (vim, gedit, emacs)
		strings.HasPrefix(name, "~$"),                                // Office lock files
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"), // emacs autosave
		lower == "thumbs.db", lower == "desktop.ini", lower == "ehthumbs.db",
		strings.HasSuffix(lower, ".swp"), strings.HasSuffix(lower, ".swx"), strings.HasSuffix(lower, ".tmp"),
		strings.HasSuffix(lower, ".kate-swp"):
		return true
	}
	// vim probes whether it may write a folder with a file named 4913 (or
	// 5036, 5159... if taken). Other names of digits may be procedures.
	n, err := strconv.Atoi(name)
	return err == nil && n >= 4913 && (n-4913)%123 == 0
}

// syncWatches makes the watched folders those on disk now: the parents of
// the catalog, the catalog, every folder under it, following links. A
// folder whose path is watched but which is another folder now (swapped by
// a rename or a link) is watched again. It reports false when a parent
// folder cannot be watched: only polling can then see it come back.
func (w *Watcher) syncWatches() bool {
	want := map[string]os.FileInfo{}
	w.roots = map[string]bool{w.abs: true}
	w.parents = map[string]bool{filepath.Dir(w.abs): true}
	if target, err := filepath.EvalSymlinks(w.abs); err == nil && target != w.abs {
		w.roots[target] = true
		w.parents[filepath.Dir(target)] = true
	}
	complete := true
	for dir := range w.parents {
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			want[dir] = info
		} else {
			complete = false
		}
	}
	if info, err := os.Stat(w.abs); err == nil && info.IsDir() {
		collectFolders(w.abs, info, want, map[fileID]bool{})
	}

	current := map[string]bool{}
	for _, path := range w.fsw.WatchList() {
		current[path] = true
	}
	for path := range current {
		now, ok := want[path]
		if before := w.watched[path]; ok && before != nil && os.SameFile(before, now) {
			continue
		}
		// Gone, or another folder under the same name: inotify watches the
		// folder, not the name, so the old watch would report the old one.
		_ = w.fsw.Remove(path) // may already be gone with its folder
		delete(w.watched, path)
		delete(current, path)
	}
	for path, info := range want {
		if current[path] {
			continue
		}
		if err := w.fsw.Add(path); err != nil {
			if w.parents[path] {
				complete = false
			}
			if !errors.Is(err, fs.ErrNotExist) {
				w.Logger.Warn("catalog: cannot watch a folder; changes in it are seen at the next reload", "folder", path, "err", err)
			}
			continue
		}
		w.watched[path] = info
	}
	return complete
}

// collectFolders adds dir and every folder under it, following links to
// folders; seen stops a link that leads back up.
func collectFolders(dir string, info os.FileInfo, want map[string]os.FileInfo, seen map[fileID]bool) {
	if id := idOf(info); id != (fileID{}) {
		if seen[id] {
			return
		}
		seen[id] = true
	}
	if len(want) >= maxWatched {
		return
	}
	want[dir] = info
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // removed meanwhile: the next event reloads
	}
	for _, e := range entries {
		if !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		if systemFolder(e.Name()) {
			continue // a .git folder holds hundreds of folders the loader never reads
		}
		child := filepath.Join(dir, e.Name())
		if ci, err := os.Stat(child); err == nil && ci.IsDir() {
			collectFolders(child, ci, want, seen)
		}
	}
}

// reload watches what is on disk now, loads the folder and makes the
// result live, keeping the last good version of each procedure that now
// has a problem, or the whole last good catalog when the folder gave none.
func (w *Watcher) reload() error {
	// A folder that cannot be watched, or a catalog that is not there, is
	// looked for again every second: inotify cannot tell when a link's
	// deleted target, or an unmounted drive, comes back.
	if w.stale {
		w.stale = !w.syncWatches()
	}
	if w.stale || !isDir(w.abs) {
		w.stale = true
		w.retry.Reset(retryEvery)
	}
	res, err := w.loader.Load(w.ctx, w.Dir)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reloads++
	if res.Unusable != "" {
		w.keepLastGood(res)
	} else {
		w.apply(res)
	}
	w.unusable = res.Unusable
	for ch := range w.subs {
		select { // replace an update the subscriber has not read yet
		case <-ch:
		default:
		}
		ch <- w.update // cannot block: the buffer is empty and only reload sends
	}
	return nil
}

// keepLastGood keeps the live catalog when the catalog folder gave nothing:
// a folder deleted by mistake or in the middle of a swap must not take every
// procedure away. Without a last good catalog the kiosk has nothing to offer
// and shows that it is out of service.
func (w *Watcher) keepLastGood(res Result) {
	n := len(w.update.Catalog.Procedures)
	consequence := "the kiosk has no procedure to offer and shows \"out of service\" until it is mended"
	if n > 0 {
		consequence = fmt.Sprintf("the last good catalog (%d procedures) stays live until it is mended", n)
	}
	problems := make([]passerelle.Problem, len(res.Problems))
	for i, p := range res.Problems {
		if p.Message == res.Unusable {
			p.Message += "; " + consequence
		}
		problems[i] = p
	}
	w.update = passerelle.CatalogUpdate{Catalog: w.update.Catalog, Problems: problems}
	if res.Unusable != w.unusable { // said once, not at every retry
		w.Logger.Warn("catalog: " + res.Unusable + "; " + consequence)
	}
}

// apply makes a loaded catalog live.
func (w *Watcher) apply(res Result) {
	live := make(map[string]*passerelle.Procedure, len(res.Procedures))
	ids := map[string]bool{}
	for _, p := range res.Procedures {
		live[p.Dir] = p
		ids[p.ID] = true
	}
	for dir, prev := range w.byDir {
		if res.Broken[dir] && !ids[prev.ID] {
			live[dir] = prev
			ids[prev.ID] = true
		}
	}
	procs := make([]*passerelle.Procedure, 0, len(live))
	for _, p := range live {
		procs = append(procs, p)
	}
	w.byDir = live
	cat := passerelle.NewCatalog(procs)
	cat.Places = res.Places
	if res.PlacesBroken { // as for a broken procedure, the last good places stay
		cat.Places = w.update.Catalog.Places
	}
	w.update = passerelle.CatalogUpdate{Catalog: cat, Problems: res.Problems}
	if w.unusable != "" {
		w.Logger.Info("catalog: the catalog folder is back", "folder", w.Dir)
	}
	if len(res.Problems) > 0 {
		w.Logger.Warn("catalog: problems found; the last good version of each broken procedure stays live",
			"folder", w.Dir, "problems", len(res.Problems))
		for _, p := range res.Problems {
			w.Logger.Warn("catalog: " + p.String())
		}
	} else {
		w.Logger.Info("catalog: loaded", "folder", w.Dir, "procedures", len(procs))
	}
	w.warned = logNewWarnings(w.Logger, res.Warnings, w.warned)
}
