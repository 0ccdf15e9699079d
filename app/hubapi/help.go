package hubapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"passerelle/app/passerelle"
)

// DefaultHelpPoll is how often a kiosk with an open help call asks the hub
// whether staff marked it handled: the person waiting sees the desk signal
// go out within seconds of the mark.
const DefaultHelpPoll = 3 * time.Second

// helpBackoffMax caps the wait between two pushes while the hub fails:
// lower than the sync's, since someone is waiting for help.
const helpBackoffMax = time.Minute

// helpPollWindow is how far back an open call keeps the pusher asking: as
// long as the kiosk's desk signal shows it (ui.helpCallsShown), so that a
// call forgotten yesterday does not keep it asking forever.
const helpPollWindow = 12 * time.Hour

// HelpPusher pushes a kiosk's help calls to its hub as soon as they open
// or are handled, ahead of the sync, and brings back the calls staff
// marked handled on the hub's page (OnMarks). It runs in the background
// (Open/Close) next to the Syncer. It only ever sends events the Outbox
// holds unsent, and marks them sent once the hub holds them: an event
// pushed is not sent again by the sync, one whose push failed is sent by
// the next push or the sync, and the hub never holds one twice.
type HelpPusher struct {
	Outbox passerelle.Outbox
	// Help is the kiosk's help desk: while it has an open call, the pusher
	// asks the hub for marks every Poll.
	Help   passerelle.HelpDesk
	Logger *slog.Logger
	Now    func() time.Time
	// OnMarks receives the marks of the kiosk's calls that the hub holds
	// open still, after each exchange that brought some: the kiosk
	// records them (help_handled) and tells the pusher (HelpCallChanged).
	// It runs on the pusher's goroutine: it hands the marks over and
	// returns.
	OnMarks func([]passerelle.HelpMark)
	// Poll is the time between two asks while a call is open;
	// DefaultHelpPoll if 0.
	Poll time.Duration

	// backoffMin and backoffMax replace the package's in tests.
	backoffMin, backoffMax time.Duration

	wakeOnce sync.Once
	wake     chan struct{} // a push is wanted; buffered: never blocks the kiosk

	mu     sync.Mutex // guards the client
	client *client
	link   passerelle.HubLink // the client's

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ passerelle.HelpNotifier = (*HelpPusher)(nil)

func (p *HelpPusher) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *HelpPusher) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (p *HelpPusher) wakeup() chan struct{} {
	p.wakeOnce.Do(func() { p.wake = make(chan struct{}, 1) })
	return p.wake
}

// HelpCallChanged asks for a push at once. It never blocks: a push already
// asked for sends this call's events too.
func (p *HelpPusher) HelpCallChanged(passerelle.HelpCall) {
	select {
	case p.wakeup() <- struct{}{}:
	default:
	}
}

// PushOnce sends every unsent help event to the hub, marks them sent, and
// hands the hub's marks to OnMarks. With nothing to send it still asks for
// the marks.
func (p *HelpPusher) PushOnce(ctx context.Context) error {
	link, err := p.Outbox.HubLink(ctx)
	if errors.Is(err, passerelle.ErrNotFound) {
		return &hubError{"this kiosk has not joined a hub: run passerelle join", err}
	}
	if err != nil {
		return fmt.Errorf("read the hub link: %w", err)
	}
	c, err := p.clientFor(link)
	if err != nil {
		return err
	}
	var marks []HelpMark
	var last string // the last event acknowledged
	for {
		events, err := p.Outbox.UnsentHelp(ctx, MaxBatchEvents)
		if err != nil {
			return fmt.Errorf("read the unsent help events: %w", err)
		}
		if len(events) > 0 && events[len(events)-1].ID == last {
			return errors.New("the help events acknowledged by the hub are still unsent in the kiosk's database")
		}
		for _, b := range batches(events) { // none: one empty batch, to ask for the marks
			resp, err := c.help(ctx, b.body)
			if err != nil {
				return err
			}
			if err := acknowledge(ctx, p.Outbox, p.logger(), p.now(), c.base, b, resp.Held, resp.Conflicts); err != nil {
				return err
			}
			marks = resp.Marks
		}
		if len(events) < MaxBatchEvents {
			break
		}
		last = events[len(events)-1].ID
	}
	if got := p.marks(marks); len(got) > 0 && p.OnMarks != nil {
		p.OnMarks(got)
	}
	return nil
}

// marks reads the hub's marks, leaving out any that names no session a
// kiosk writes.
func (p *HelpPusher) marks(wire []HelpMark) []passerelle.HelpMark {
	var marks []passerelle.HelpMark
	for _, m := range wire {
		if !isUUID(m.SessionID) {
			p.logger().Warn("help push: the hub marked handled a call that is not a session id", "session", clip(m.SessionID))
			continue
		}
		marks = append(marks, passerelle.HelpMark{SessionID: m.SessionID, MarkedAt: time.UnixMilli(m.MarkedAt).UTC()})
	}
	return marks
}

// clientFor returns a client for the link, kept from one push to the next
// (one push every few seconds while a call is open: the connection stays
// open), and made again when the kiosk joined again.
func (p *HelpPusher) clientFor(link passerelle.HubLink) (*client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil && p.link.URL == link.URL && p.link.Credential == link.Credential && bytes.Equal(p.link.CACert, link.CACert) {
		return p.client, nil
	}
	c, err := newClient(link.URL, link.Credential, link.CACert)
	if err != nil {
		return nil, err
	}
	if p.client != nil {
		p.client.close()
	}
	p.client, p.link = c, link
	return c, nil
}

// Open starts pushing in the background: once at once (calls left open or
// unsent before a restart, marks made meanwhile), then at each
// HelpCallChanged, every Poll while a call is open, and with a capped,
// jittered backoff while the hub fails. Close stops it.
func (p *HelpPusher) Open() error {
	p.wakeup()
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.run(ctx)
	}()
	return nil
}

// Close stops the pusher, interrupting a push in flight (the next push or
// the sync sends what it did not), and waits for it to end.
func (p *HelpPusher) Close() error {
	if p.cancel != nil {
		p.cancel()
	}
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil {
		p.client.close()
		p.client = nil
	}
	return nil
}

func (p *HelpPusher) run(ctx context.Context) {
	poll := p.Poll
	if poll <= 0 {
		poll = DefaultHelpPoll
	}
	minB, maxB := backoffMin, helpBackoffMax
	if p.backoffMin > 0 {
		minB, maxB = p.backoffMin, p.backoffMax
	}
	failures := 0
	state := "ok" // logged once per change, not at every retry
	for ctx.Err() == nil {
		err := p.PushOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		now := syncState(err)
		if now != state {
			if err == nil {
				p.logger().Info("help push: the hub has the help calls again")
			} else {
				p.logger().Warn("help push failed, retrying with backoff while a call needs it (the sync sends the calls too)", "err", err)
			}
			state = now
		}
		// No wait: until the next call opened or handled.
		var wait time.Duration
		if err == nil {
			failures = 0
		} else {
			failures++
		}
		if p.needed(ctx) {
			wait = poll
			if err != nil {
				wait = backoff(failures, minB, maxB)
			}
		}
		var timer <-chan time.Time // nil: never fires
		var t *time.Timer
		if wait > 0 {
			t = time.NewTimer(wait)
			timer = t.C
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// needed says whether the pusher has work without being asked: a call
// open on the kiosk, whose mark it waits for, or help events unsent.
func (p *HelpPusher) needed(ctx context.Context) bool {
	unsent, err := p.Outbox.UnsentHelp(ctx, 1)
	if err != nil || len(unsent) > 0 {
		return true // in doubt, ask again
	}
	if p.Help == nil {
		return false
	}
	open, err := p.Help.OpenHelpCalls(ctx, p.now().Add(-helpPollWindow))
	return err != nil || len(open) > 0
}
