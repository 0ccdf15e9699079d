package audio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"passerelle/app/passerelle"
)

var errClosed = errors.New("the sound player is closed")

// Player implements passerelle.Player: it plays a prompt's recording when
// there is one, otherwise its text spoken by espeak-ng through a Speech
// cache, on a Sink. It is safe for concurrent use; when prompts are played
// in quick succession, the last one asked for is the one heard.
type Player struct {
	sink    Sink
	speech  *Speech
	log     *slog.Logger
	workers int
	started func(passerelle.Prompt, time.Time)
	volume  *volume

	mu        sync.Mutex // guards rate, gen, closed, preparing, prepared
	rate      int
	gen       uint64 // counts Play and Stop calls: a Play started before the last one gives way
	closed    bool
	preparing int           // Prepare batches under way
	prepared  chan struct{} // closed when preparing falls to 0

	sinkMu sync.Mutex // serialises the sink and guards queue
	queue  *queue     // what the sink plays

	ctx    context.Context // bounds background rendering; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sem    chan struct{} // one token per espeak-ng run of Prepare
}

var _ passerelle.Player = (*Player)(nil)

// Option sets up a Player.
type Option func(*Player)

// WithVolume sets the volume, from 0 (silent) to 1 (as recorded, the
// default).
func WithVolume(v float64) Option { return func(p *Player) { p.volume.set(v) } }

// WithRate sets the speech rate in words per minute (espeak-ng's -s), from
// MinRate to MaxRate; DefaultRate when not set.
func WithRate(wpm int) Option { return func(p *Player) { p.rate = clampRate(wpm) } }

// WithWorkers sets how many espeak-ng programs Prepare runs at once
// (2 when not set).
func WithWorkers(n int) Option { return func(p *Player) { p.workers = max(n, 1) } }

// WithLogger sets where the staff log goes (slog.Default when not set).
func WithLogger(l *slog.Logger) Option {
	return func(p *Player) {
		if l != nil {
			p.log = l
		}
	}
}

// WithStarted sets a function called when the sink first reads a sound,
// with the time it did: the moment the sound reached the backend. It runs on
// the sink's goroutine and must return quickly. Benchmarks measure the delay
// between a tap and sound with it.
func WithStarted(fn func(p passerelle.Prompt, at time.Time)) Option {
	return func(p *Player) { p.started = fn }
}

// NewPlayer returns a player on sink that synthesises speech with speech.
// The player owns the sink: Close closes it.
func NewPlayer(sink Sink, speech *Speech, opts ...Option) *Player {
	p := &Player{
		sink:    sink,
		speech:  speech,
		log:     slog.Default(),
		workers: 2,
		volume:  &volume{},
		rate:    DefaultRate,
	}
	p.volume.set(1)
	for _, opt := range opts {
		opt(p)
	}
	p.sem = make(chan struct{}, p.workers)
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

func clampRate(wpm int) int {
	if wpm == 0 {
		return DefaultRate
	}
	return min(max(wpm, MinRate), MaxRate)
}

// SetVolume changes the volume (0 to 1), heard at once.
func (p *Player) SetVolume(v float64) { p.volume.set(v) }

// Volume returns the volume, from 0 to 1.
func (p *Player) Volume() float64 { return p.volume.get() }

// SetRate changes the speech rate in words per minute for the prompts
// synthesised from now on. Speech already in the cache at another rate is
// not used: Prepare again to render it.
func (p *Player) SetRate(wpm int) {
	p.mu.Lock()
	p.rate = clampRate(wpm)
	p.mu.Unlock()
}

// Play implements passerelle.Player. It silences the sound playing at once,
// then says the prompts one after the other, each by its recording or by its
// text spoken in its language. The first is ready when Play returns: when
// its speech is not in the cache, espeak-ng renders it first (tens of
// milliseconds). The others are rendered while it plays.
//
// An error says in plain words why a prompt cannot be heard; the others
// still play, and the kiosk can go on silently. A prompt after the first
// that fails is logged and skipped. Play with no prompt is Stop.
func (p *Player) Play(ctx context.Context, prompts ...passerelle.Prompt) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return errClosed
	}
	p.gen++
	gen, rate := p.gen, p.rate
	p.mu.Unlock()

	// What plays belongs to the screen the user just left.
	p.silence()

	// The first prompt that can be said starts now.
	var (
		errs  []error
		first Sound
		file  io.Closer
		rest  []passerelle.Prompt
	)
	for i, pr := range prompts {
		snd, f, err := p.open(ctx, pr, rate)
		if err == nil {
			first, file, rest = snd, f, prompts[i+1:]
			break
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	err := errors.Join(errs...)
	if file == nil {
		return err
	}

	p.sinkMu.Lock()
	defer p.sinkMu.Unlock()
	p.mu.Lock()
	if p.closed || p.gen != gen {
		// A Stop, Close or later Play came while this one was getting ready.
		p.mu.Unlock()
		file.Close()
		return err
	}
	p.wg.Add(1) // for q.fill
	p.mu.Unlock()
	q := newQueue(p.ctx, p.log, first, file, rest)
	go func() {
		defer p.wg.Done()
		q.fill(func(ctx context.Context, pr passerelle.Prompt) (Sound, io.Closer, error) {
			return p.open(ctx, pr, rate)
		})
	}()
	old := p.queue
	if old != nil {
		old.stop()
	}
	startErr := p.sink.Start(q.first())
	if old != nil {
		old.release()
	}
	if startErr != nil {
		q.release()
		p.queue = nil
		return errors.Join(err, fmt.Errorf("say %s: %w", describe(first.Prompt), startErr))
	}
	p.queue = q
	return err
}

// open readies pr to play: its file, opened for streaming, at the volume. A
// recording that cannot be played (deleted since the catalog loaded,
// damaged) gives way to the prompt's text spoken by espeak-ng, so the user
// is not left in silence; the staff log says why.
func (p *Player) open(ctx context.Context, pr passerelle.Prompt, rate int) (Sound, io.Closer, error) {
	if pr.Recording != "" {
		snd, file, err := p.openSource(pr, pr.Recording)
		if err == nil || strings.TrimSpace(pr.Text) == "" {
			return snd, file, err
		}
		p.log.Warn("kiosk: cannot play a recording; its text is spoken instead",
			"recording", pr.Recording, "reason", err.Error())
		source, speechErr := p.speak(ctx, pr, rate)
		if speechErr != nil {
			return Sound{}, nil, errors.Join(err, fmt.Errorf("say %s: %w", describe(pr), speechErr))
		}
		return p.openSource(pr, source)
	}
	source, err := p.speak(ctx, pr, rate)
	if err != nil {
		return Sound{}, nil, fmt.Errorf("say %s: %w", describe(pr), err)
	}
	return p.openSource(pr, source)
}

// openSource opens the file that says pr.
func (p *Player) openSource(pr passerelle.Prompt, source string) (Sound, io.Closer, error) {
	s, format, err := Open(source)
	if err != nil {
		return Sound{}, nil, fmt.Errorf("say %s: %w", describe(pr), err)
	}
	snd := Sound{Prompt: pr, Source: source, Format: format, Streamer: gain{s: s, v: p.volume}}
	if p.started != nil {
		snd.Streamer = &firstRead{s: snd.Streamer, fn: func() { p.started(pr, time.Now()) }}
	}
	return snd, s, nil
}

// speak returns the file of pr's text spoken in its language.
func (p *Player) speak(ctx context.Context, pr passerelle.Prompt, rate int) (string, error) {
	lang, ok := passerelle.LookupLanguage(pr.Lang)
	if !ok || lang.Voice == "" {
		return "", fmt.Errorf("no voice for the language %q", pr.Lang)
	}
	return p.speech.Render(ctx, pr.Text, lang.Voice, rate)
}

// describe names a prompt in an error for staff.
func describe(pr passerelle.Prompt) string {
	if pr.Recording != "" {
		return fmt.Sprintf("the recording %s", pr.Recording)
	}
	text := []rune(pr.Text)
	if len(text) > 40 {
		text = append(text[:40], '…')
	}
	return fmt.Sprintf("%q in %s", string(text), pr.Lang)
}

// Stop implements passerelle.Player. A Play still getting ready gives way.
func (p *Player) Stop() {
	p.mu.Lock()
	p.gen++
	p.mu.Unlock()
	p.silence()
}

// silence stops the sink and closes the files it was reading.
func (p *Player) silence() {
	p.sinkMu.Lock()
	defer p.sinkMu.Unlock()
	if p.queue != nil {
		p.queue.stop()
	}
	p.sink.Stop()
	if p.queue != nil {
		p.queue.release()
		p.queue = nil
	}
}

// Prepare implements passerelle.Player: it renders, in the background, the
// speech of the prompts that have no recording, a few espeak-ng programs at
// a time. Failures are logged for staff; the prompts are tried again when
// played. WaitPrepared waits for the work to end; Close cancels it.
func (p *Player) Prepare(prompts []passerelle.Prompt) {
	type job struct {
		text, voice string
	}
	var jobs []job
	seen := make(map[job]bool)
	for _, pr := range prompts {
		lang, ok := passerelle.LookupLanguage(pr.Lang)
		j := job{text: pr.Text, voice: lang.Voice}
		if pr.Recording != "" || pr.Text == "" || !ok || seen[j] {
			continue
		}
		seen[j] = true
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	rate := p.rate
	p.wg.Add(1)
	if p.preparing == 0 {
		p.prepared = make(chan struct{})
	}
	p.preparing++
	p.mu.Unlock()

	go func() {
		defer p.wg.Done()
		defer func() {
			p.mu.Lock()
			if p.preparing--; p.preparing == 0 {
				close(p.prepared)
			}
			p.mu.Unlock()
		}()
		start := time.Now()
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			failed int
			first  error
			full   atomic.Bool // the cache has no room left: the rest is rendered when used
		)
	loop:
		for _, j := range jobs {
			select {
			case p.sem <- struct{}{}:
			case <-p.ctx.Done():
				break loop
			}
			if full.Load() {
				<-p.sem
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-p.sem }()
				// The prompts come most useful first (the kiosk's own
				// phrases, then titles, then steps): when the cache is
				// full, what is left is rendered when it is needed.
				err := p.speech.Prerender(p.ctx, j.text, j.voice, rate)
				switch {
				case errors.Is(err, ErrCacheFull):
					full.Store(true)
				case err != nil && p.ctx.Err() == nil:
					mu.Lock()
					failed++
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if full.Load() && p.ctx.Err() == nil {
			p.log.Info("the speech cache is full: the other prompts will be spoken when they are needed (about 20 ms each)",
				"limit_bytes", p.speech.Limit())
		}
		switch {
		case p.ctx.Err() != nil:
		case failed > 0:
			p.log.Warn("some spoken prompts could not be prepared: they will be tried again when needed",
				"failed", failed, "prompts", len(jobs), "reason", first.Error())
		default:
			p.log.Debug("spoken prompts prepared", "prompts", len(jobs),
				"took", time.Since(start).Round(time.Millisecond).String())
		}
	}()
}

// WaitPrepared returns when the speech asked for by Prepare so far is
// rendered (or failed to), or when ctx is done.
func (p *Player) WaitPrepared(ctx context.Context) error {
	p.mu.Lock()
	prepared := p.prepared
	p.mu.Unlock()
	if prepared == nil {
		return nil
	}
	select {
	case <-prepared:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the sound, cancels the speech Prepare has not started, waits
// for the espeak-ng programs running, and closes the sink: a kiosk shutting
// down does not wait for a whole catalog. Closing twice does nothing.
func (p *Player) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.gen++
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	p.silence()
	return p.sink.Close()
}
