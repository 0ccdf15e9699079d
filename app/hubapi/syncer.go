package hubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode"

	"passerelle/app/bundle"
	"passerelle/app/passerelle"
)

// DefaultSyncInterval is how often a joined kiosk syncs when all is well.
const DefaultSyncInterval = time.Minute

// The backoff while the hub is unreachable or failing: the delay doubles
// from backoffMin up to backoffMax, and each wait is drawn at random below
// it ("full jitter"), so a thousand kiosks cut off together by a hub
// restart do not all come back in the same second.
const (
	backoffMin = 2 * time.Second
	backoffMax = 5 * time.Minute
)

// Syncer sends a kiosk's events to its hub and brings back the hub's
// catalog, in the background (Open/Close) or once (SyncOnce). The kiosk
// never waits on it: events are saved locally first and sync later.
type Syncer struct {
	Outbox     passerelle.Outbox
	DataDir    string // the kiosk's data folder, where the hub catalog is installed
	AppVersion string
	Logger     *slog.Logger
	Now        func() time.Time
	// Interval between syncs when all is well; DefaultSyncInterval if 0.
	Interval time.Duration

	// backoffMin and backoffMax replace the package's in tests.
	backoffMin, backoffMax time.Duration

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Syncer) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// SyncOnce does one whole sync: it reports to the hub, uploads every
// unsent event batch after batch, and installs the hub's catalog if it
// changed. The outcome is saved (Outbox.SaveSyncStatus) whatever it is.
func (s *Syncer) SyncOnce(ctx context.Context) error {
	status, err := s.Outbox.SyncStatus(ctx)
	if err != nil {
		return fmt.Errorf("read the sync status: %w", err)
	}
	lastError := status.LastError
	status.LastAttempt = s.now().UTC()
	syncErr := s.sync(ctx, lastError, &status)
	if ctx.Err() != nil && syncErr != nil {
		return syncErr // stopped (the kiosk closes): not a failure to report
	}
	status.LastError = ""
	if syncErr != nil {
		status.LastError = syncErr.Error()
	} else {
		status.LastSuccess = s.now().UTC()
	}
	if err := s.Outbox.SaveSyncStatus(ctx, status); err != nil {
		return errors.Join(syncErr, fmt.Errorf("save the sync status: %w", err))
	}
	return syncErr
}

func (s *Syncer) sync(ctx context.Context, lastError string, status *passerelle.SyncStatus) error {
	link, err := s.Outbox.HubLink(ctx)
	if errors.Is(err, passerelle.ErrNotFound) {
		return &hubError{"this kiosk has not joined a hub: run passerelle join", err}
	}
	if err != nil {
		return fmt.Errorf("read the hub link: %w", err)
	}
	c, err := newClient(link.URL, link.Credential, link.CACert)
	if err != nil {
		return err
	}
	defer c.close()

	// What the kiosk cannot tell about itself is reported as unknown ("",
	// 0), not logged: it would be at every sync.
	live, err := bundle.Live(s.DataDir)
	if err != nil {
		s.logger().Debug("sync: the live catalog's version is unknown", "err", err)
	}
	status.CatalogVersion = live
	pending, err := s.Outbox.Pending(ctx)
	if err != nil {
		return fmt.Errorf("count the unsent events: %w", err)
	}
	free, err := freeDisk(s.DataDir)
	if err != nil {
		s.logger().Debug("sync: the free disk space is unknown", "err", err)
	}
	report := Report{
		AppVersion: s.AppVersion, CatalogVersion: live, PendingEvents: pending,
		FreeDiskBytes: free, LastError: oneLine(lastError, maxErrorLen),
	}
	if err := c.report(ctx, report); err != nil {
		return err
	}
	if err := s.upload(ctx, c); err != nil {
		return err
	}
	archive, hash, changed, err := c.catalog(ctx, live)
	if err != nil {
		return err
	}
	if changed {
		if err := bundle.Install(ctx, s.DataDir, archive, hash); err != nil {
			return fmt.Errorf("the catalog from the hub was refused, the current one stays: %w", err)
		}
		s.logger().Info("sync: a new catalog from the hub is live", "version", hash)
		status.CatalogVersion = hash
	}
	// The first report told the hub where the kiosk stood before this
	// sync; staff reading the hub's stats want where it stands after:
	// the backlog just sent, the catalog just installed, no error.
	if pending == 0 && !changed && lastError == "" {
		return nil
	}
	if report.PendingEvents, err = s.Outbox.Pending(ctx); err != nil {
		return fmt.Errorf("count the unsent events: %w", err)
	}
	report.CatalogVersion, report.LastError = status.CatalogVersion, ""
	return c.report(ctx, report)
}

// upload sends every unsent event, batch after batch, until none is left.
// An event is marked sent only once the hub said it holds it: an answer
// lost on the way means the batch is sent again, and the hub acknowledges
// it again without counting it twice.
func (s *Syncer) upload(ctx context.Context, c *client) error {
	var last string // the last event acknowledged
	for {
		events, err := s.Outbox.Unsent(ctx, MaxBatchEvents)
		if err != nil {
			return fmt.Errorf("read the unsent events: %w", err)
		}
		if len(events) == 0 {
			return nil
		}
		if events[len(events)-1].ID == last {
			// The marks did not take: sending again would never end.
			return fmt.Errorf("the events acknowledged by the hub are still unsent in the kiosk's database")
		}
		for _, b := range batches(events) {
			if err := s.send(ctx, c, b); err != nil {
				return err
			}
		}
		last = events[len(events)-1].ID
	}
}

// batch is a request body and the ids it carries.
type batch struct {
	body []byte
	ids  map[string]bool
}

// batches encodes events in requests of at most MaxBatchBytes, in order.
func batches(events []passerelle.Event) []batch {
	wire := make([]Event, len(events))
	for i, e := range events {
		wire[i] = toWire(e)
	}
	var out []batch
	var split func(w []Event)
	split = func(w []Event) {
		body, _ := json.Marshal(EventsRequest{Events: w}) // plain strings and numbers: cannot fail
		if len(body) > MaxBatchBytes && len(w) > 1 {
			split(w[:len(w)/2])
			split(w[len(w)/2:])
			return
		}
		b := batch{body: body, ids: make(map[string]bool, len(w))}
		for _, e := range w {
			b.ids[e.ID] = true
		}
		out = append(out, b)
	}
	split(wire)
	return out
}

func (s *Syncer) send(ctx context.Context, c *client, b batch) error {
	resp, err := c.events(ctx, b.body)
	if err != nil {
		return err
	}
	return acknowledge(ctx, s.Outbox, s.logger(), s.now(), c.base, b, resp.Held, resp.Conflicts)
}

// acknowledge records the hub's answer to batch b: the events it holds are
// marked sent, those it refused marked refused.
func acknowledge(ctx context.Context, outbox passerelle.Outbox, logger *slog.Logger, now time.Time,
	hub string, b batch, heldIDs []string, refused []Conflict) error {
	// Only ids of this batch: a confused hub cannot mark other events.
	var held []string
	for _, id := range heldIDs {
		if b.ids[id] {
			held = append(held, id)
		}
	}
	var conflicts []passerelle.EventConflict
	for _, cf := range refused {
		if b.ids[cf.ID] {
			conflicts = append(conflicts, passerelle.EventConflict{ID: cf.ID, Reason: cf.Reason})
			logger.Warn("sync: the hub refused an event", "event", cf.ID, "reason", cf.Reason)
		}
	}
	now = now.UTC()
	if err := outbox.MarkSent(ctx, held, now); err != nil {
		return fmt.Errorf("mark %d events sent: %w", len(held), err)
	}
	if len(conflicts) > 0 {
		if err := outbox.MarkConflicts(ctx, conflicts, now); err != nil {
			return fmt.Errorf("mark %d events refused: %w", len(conflicts), err)
		}
	}
	if len(held)+len(conflicts) < len(b.ids) {
		// Sending again would loop on the same events.
		return fmt.Errorf("the hub at %s acknowledged %d of %d events", hub, len(held)+len(conflicts), len(b.ids))
	}
	return nil
}

// oneLine gives an error for the hub's list of kiosks: its lines joined,
// no control character, at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 { // not in the middle of a character
		n--
	}
	return s[:n]
}

// Open starts syncing in the background: at once, then every Interval, and
// with a capped, jittered backoff while the hub fails. Close stops it.
func (s *Syncer) Open() error {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(ctx)
	}()
	return nil
}

// Close stops the background sync, interrupting a sync in flight (what it
// did not finish is done at the next one), and waits for it to end.
func (s *Syncer) Close() error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return nil
}

func (s *Syncer) run(ctx context.Context) {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultSyncInterval
	}
	minB, maxB := backoffMin, backoffMax
	if s.backoffMin > 0 {
		minB, maxB = s.backoffMin, s.backoffMax
	}
	failures := 0
	state := "" // logged once per change, not at every retry
	for {
		err := s.SyncOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := interval
		now := syncState(err)
		if err == nil {
			failures = 0
		} else {
			failures++
			wait = backoff(failures, minB, maxB)
		}
		if now != state {
			if err == nil {
				s.logger().Info("sync: the hub is in sync", "interval", interval)
			} else {
				s.logger().Warn("sync failed, retrying with backoff until it succeeds", "err", err)
			}
			state = now
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// syncState names an outcome for the log: the same failure retried is
// the same state.
func syncState(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrUnreachable):
		return "unreachable"
	case errors.Is(err, passerelle.ErrRevoked), errors.Is(err, passerelle.ErrUnauthorized):
		return "refused"
	}
	return err.Error()
}

// backoff draws the wait after the n-th failure in a row: at random below
// min·2^(n-1), capped at max.
func backoff(n int, min, max time.Duration) time.Duration {
	ceiling := max
	if n < 30 {
		if d := min << (n - 1); d < max {
			ceiling = d
		}
	}
	return rand.N(ceiling) + 1
}
