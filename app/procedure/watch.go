package procedure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"passerelle/app/passerelle"
)

// DefaultDebounce is how long the watcher waits after the last change on
// disk before reloading: editors save a file in several writes and renames.
const DefaultDebounce = 300 * time.Millisecond

// Watcher serves the catalog in a folder and reloads it when files change.
// A reload that finds a problem in a procedure keeps that procedure's last
// good version live, so a typo never takes a procedure away from users.
type Watcher struct {
	Dir      string
	Debounce time.Duration
	Logger   *slog.Logger

	loader Loader
	fsw    *fsnotify.Watcher

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
// the problems are listed by Problems. Open fails when the folder cannot
// be watched at all.
func (w *Watcher) Open() error {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.Dir, err)
	}
	w.fsw = fsw
	w.subs = map[chan passerelle.CatalogUpdate]struct{}{}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	if err := w.addTree(w.Dir); err != nil {
		fsw.Close()
		return fmt.Errorf("watch %s: %w", w.Dir, err)
	}
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
	for {
		select {
		case <-w.ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue
			}
			if ev.Op.Has(fsnotify.Create) {
				// A new folder (a new procedure, its audio/) must be watched
				// too: fsnotify does not watch subfolders by itself.
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					if err := w.addTree(ev.Name); err != nil {
						w.Logger.Warn("catalog: cannot watch new folder", "folder", ev.Name, "err", err)
					}
				}
			}
			timer.Reset(w.Debounce)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// An overflow means changes were lost: reload to be sure.
			w.Logger.Warn("catalog: watching the folder", "err", err)
			timer.Reset(w.Debounce)
		case <-timer.C:
			if err := w.reload(); err != nil && !errors.Is(err, context.Canceled) {
				w.Logger.Error("catalog: reload", "err", err)
			}
		}
	}
}

// addTree watches root and every folder under it.
func (w *Watcher) addTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != root && errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		return w.fsw.Add(path)
	})
}

// reload loads the folder and makes the result live, keeping the last good
// version of each procedure that now has a problem.
func (w *Watcher) reload() error {
	res, err := w.loader.Load(w.ctx, w.Dir)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
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
	w.update = passerelle.CatalogUpdate{Catalog: passerelle.NewCatalog(procs), Problems: res.Problems}
	w.reloads++

	if len(res.Problems) > 0 {
		w.Logger.Warn("catalog: problems found; the last good version of each broken procedure stays live",
			"folder", w.Dir, "problems", len(res.Problems))
		for _, p := range res.Problems {
			w.Logger.Warn("catalog: " + p.String())
		}
	} else {
		w.Logger.Info("catalog: loaded", "folder", w.Dir, "procedures", len(procs))
	}
	for ch := range w.subs {
		select { // replace an update the subscriber has not read yet
		case <-ch:
		default:
		}
		ch <- w.update // cannot block: the buffer is empty and only reload sends
	}
	return nil
}
