package bundle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// Publisher is the hub's side: it publishes the catalog folder Dir to the
// Store when the hub starts and whenever staff change the folder. Each
// time, it takes a snapshot (Pack the folder, Unpack it into a temporary
// folder) and runs the validator on the snapshot, so what is validated is
// exactly what kiosks receive, even if staff are still editing. A snapshot
// with problems is not published: the problems are logged and listed by
// Problems, and the last good version stays published.
type Publisher struct {
	Dir   string
	Store interface {
		PublishCatalog(context.Context, passerelle.CatalogVersion) (bool, error)
	}
	Logger *slog.Logger     // nil means slog.Default()
	Now    func() time.Time // nil means time.Now

	watcher  *procedure.Watcher
	attempts chan string
	last     string // the hash of the last version published; only the publishing goroutine uses it

	mu       sync.Mutex
	problems []passerelle.Problem
	titles   map[string]passerelle.Text

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// attemptsKept bounds the attempts waiting to be read from Attempts: the
// hub never waits for a reader.
const attemptsKept = 16

// Open publishes the folder's catalog (unless it has problems) and starts
// watching the folder. It fails when the folder cannot be watched or the
// store refuses the version; problems in the catalog are not an error
// (see Problems).
func (p *Publisher) Open() error {
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	p.attempts = make(chan string, attemptsKept)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	// The watcher is only the change notice: the debounce and the follow
	// of a folder renamed or swapped are its job already.
	p.watcher = procedure.NewWatcher(p.Dir)
	p.watcher.Logger = slog.New(slog.DiscardHandler) // the publisher logs what matters: what it published or refused, and why
	if err := p.watcher.Open(); err != nil {
		p.cancel, p.watcher = nil, nil
		return fmt.Errorf("publish the catalog %s: %w", p.Dir, err)
	}
	changes, unsubscribe := p.watcher.Subscribe()
	if err := p.publish(); err != nil {
		unsubscribe()
		p.watcher.Close()
		p.cancel()
		p.cancel, p.watcher = nil, nil
		return err
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer unsubscribe()
		for range changes { // closed by the watcher's Close
			if err := p.publish(); err != nil && !errors.Is(err, context.Canceled) {
				p.Logger.Error("catalog: publishing failed; the last version published stays", "folder", p.Dir, "err", err)
			}
		}
	}()
	return nil
}

// Close stops watching and waits for a publication in progress.
func (p *Publisher) Close() error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	err := p.watcher.Close()
	p.wg.Wait()
	return err
}

// Problems lists what the validator found in the last snapshot of the
// folder, with the files' paths in Dir; empty when it was published.
func (p *Publisher) Problems() []passerelle.Problem {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.problems
}

// Attempts receives the hash of each snapshot once it was published or
// refused ("" when the folder could not even be packed); Problems then
// says why it was refused. Attempts not read are dropped beyond a few.
func (p *Publisher) Attempts() <-chan string { return p.attempts }

// Titles returns the titles of the procedures of the version this
// publisher published last, by procedure id; nil before the first. It
// keeps only the titles, not the catalog's pictograms: the hub's staff
// page names the procedures of help calls with them. Do not change the
// map: every caller shares it.
func (p *Publisher) Titles() map[string]passerelle.Text {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.titles
}

// publish snapshots the folder and publishes the snapshot if it has no
// problem. The error is the store's, or a cancelled context.
func (p *Publisher) publish() error {
	v, procs, problems, err := p.snapshot()
	if err != nil {
		return err
	}
	defer func() {
		select {
		case p.attempts <- v.Hash:
		default:
		}
	}()
	p.mu.Lock()
	p.problems = problems
	p.mu.Unlock()
	if len(problems) > 0 {
		p.Logger.Warn("catalog: the catalog folder has problems; it is not published, the last good version stays",
			"folder", p.Dir, "problems", len(problems))
		for _, pr := range problems {
			p.Logger.Warn("catalog: " + pr.String())
		}
		return nil
	}
	if v.Hash == p.last {
		return nil // touched, not changed
	}
	published, err := p.Store.PublishCatalog(p.ctx, v)
	if err != nil {
		return fmt.Errorf("publish the catalog folder %s: %w", p.Dir, err)
	}
	p.last = v.Hash
	titles := make(map[string]passerelle.Text, len(procs))
	for _, pr := range procs {
		titles[pr.ID] = pr.Title
	}
	p.mu.Lock()
	p.titles = titles
	p.mu.Unlock()
	if published {
		p.Logger.Info("catalog: published", "version", short(v.Hash), "bytes", len(v.Archive), "folder", p.Dir)
	}
	return nil
}

// snapshot packs the folder, unpacks the archive into a temporary folder
// and validates what it unpacked. The problems name files in Dir; the
// procedures are those loaded, nil when hash is the version published
// last (nothing to load again).
func (p *Publisher) snapshot() (passerelle.CatalogVersion, []*passerelle.Procedure, []passerelle.Problem, error) {
	archive, hash, err := Pack(p.Dir)
	if err != nil {
		return passerelle.CatalogVersion{}, nil, []passerelle.Problem{{File: p.Dir, Message: plain(errors.Unwrap(err))}}, nil
	}
	v := passerelle.CatalogVersion{Hash: hash, Archive: archive, PublishedAt: p.Now()}
	if hash == p.last {
		return v, nil, nil, nil // validated when it was published
	}
	tmp, err := os.MkdirTemp("", "passerelle-publish-")
	if err != nil {
		return v, nil, nil, fmt.Errorf("snapshot the catalog: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, "catalog")
	if _, err := Unpack(archive, snap); err != nil {
		return v, nil, []passerelle.Problem{{File: p.Dir, Message: err.Error()}}, nil
	}
	res, err := procedure.Load(p.ctx, snap)
	if err != nil {
		return v, nil, nil, err
	}
	for i, pr := range res.Problems {
		if rel, err := filepath.Rel(snap, pr.File); err == nil {
			res.Problems[i].File = filepath.Join(p.Dir, rel)
		}
	}
	return v, res.Procedures, res.Problems, nil
}
