package audio

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"passerelle/app/passerelle"
)

// queue is what one Play call says: its prompts, one after the other. The
// first is opened before Play returns; the others are synthesised and opened
// in the background while the first plays, and the sink reaches them through
// Sound.Next.
type queue struct {
	ctx    context.Context // cancelled when the queue is stopped or replaced
	cancel context.CancelFunc
	log    *slog.Logger

	mu       sync.Mutex
	parts    []*part
	cur      int  // index of the part the sink is reading
	released bool // the sink no longer reads the queue: files are closed
}

type part struct {
	prompt passerelle.Prompt
	ready  chan struct{} // closed once snd, file and err are set
	snd    Sound
	file   io.Closer // closed when the sink moves past the part
	err    error
}

// newQueue returns a queue whose first part is snd, read from file, and
// whose other parts are the prompts of rest, to fill with fill.
func newQueue(parent context.Context, log *slog.Logger, snd Sound, file io.Closer, rest []passerelle.Prompt) *queue {
	q := &queue{log: log}
	q.ctx, q.cancel = context.WithCancel(parent)
	first := &part{prompt: snd.Prompt, ready: make(chan struct{}), snd: snd, file: file}
	close(first.ready)
	q.parts = append(q.parts, first)
	for _, pr := range rest {
		q.parts = append(q.parts, &part{prompt: pr, ready: make(chan struct{})})
	}
	return q
}

// first returns the sound that starts the queue.
func (q *queue) first() Sound {
	snd := q.parts[0].snd
	snd.Next = q.next
	return snd
}

// fill opens the parts after the first, in order, with open. It returns
// when all are ready or the queue is stopped.
func (q *queue) fill(open func(context.Context, passerelle.Prompt) (Sound, io.Closer, error)) {
	for _, pt := range q.parts[1:] {
		var (
			snd  Sound
			file io.Closer
			err  = q.ctx.Err()
		)
		if err == nil {
			snd, file, err = open(q.ctx, pt.prompt)
		}
		q.mu.Lock()
		if q.released && file != nil {
			file.Close()
			snd, file, err = Sound{}, nil, errClosed
		}
		pt.snd, pt.file, pt.err = snd, file, err
		q.mu.Unlock()
		close(pt.ready)
	}
}

// next is Sound.Next for every part: it closes the part the sink finished,
// and returns the next one that could be opened, waiting for it if needed.
// A prompt that cannot be said is logged and skipped: the others are still
// heard.
func (q *queue) next() (Sound, bool) {
	for {
		q.mu.Lock()
		if done := q.parts[q.cur]; done.file != nil {
			done.file.Close()
			done.file = nil
		}
		q.cur++
		if q.cur >= len(q.parts) || q.released {
			q.mu.Unlock()
			return Sound{}, false
		}
		pt := q.parts[q.cur]
		q.mu.Unlock()
		select {
		case <-pt.ready:
		case <-q.ctx.Done():
			return Sound{}, false
		}
		if pt.err != nil {
			if q.ctx.Err() == nil {
				q.log.Warn("kiosk: cannot speak", "err", "say "+describe(pt.prompt)+": "+pt.err.Error())
			}
			continue
		}
		snd := pt.snd
		snd.Next = q.next
		return snd, true
	}
}

// stop makes next return false from now on, at once.
func (q *queue) stop() { q.cancel() }

// release closes the files of the queue. The sink must no longer read it.
func (q *queue) release() {
	q.cancel()
	q.mu.Lock()
	defer q.mu.Unlock()
	q.released = true
	for _, pt := range q.parts {
		if pt.file != nil {
			pt.file.Close()
			pt.file = nil
		}
	}
}
