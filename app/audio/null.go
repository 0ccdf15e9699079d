package audio

import (
	"context"
	"sync"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/passerelle"
)

// Record is what the null sink played: the domain's Played, with Duration
// the length actually played, and whether the sound was cut short.
type Record struct {
	passerelle.Played
	Stopped bool  // a new sound or Stop cut it before its end
	Err     error // the stream failed (a damaged file)
}

// NullSink plays without a sound device. It reads every sound as a device
// would and records it, in order. Pace sets how fast it reads: 0 (the zero
// value) reads as fast as the decoder goes, 1 in real time, 2 twice as fast.
// Waiting between chunks sleeps on a timer: the CPU stays idle.
type NullSink struct {
	pace float64

	mu      sync.Mutex
	records []Record
	cur     *nullSound
	closed  bool
}

// nullChunk is how much sound the null sink reads at a time. At real time it
// is also how far reading runs ahead of the clock.
const nullChunk = 20 * time.Millisecond

// nullSound is a sound started on the null sink, and those following it.
type nullSound struct {
	stop chan struct{} // closed to stop the reading goroutine
	done chan struct{} // closed when the reading goroutine has returned
	// Of the sound being read, guarded by NullSink.mu:
	index int // in records
	rate  beep.SampleRate
	read  int  // samples read so far
	ended bool // the record is final
}

// NewNullSink returns a null sink reading at the given pace (0: at once,
// 1: real time).
func NewNullSink(pace float64) *NullSink {
	if pace < 0 {
		pace = 0
	}
	return &NullSink{pace: pace}
}

// Start implements Sink.
func (n *NullSink) Start(snd Sound) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return errClosed
	}
	old := n.detachLocked()
	cur := &nullSound{
		index: len(n.records),
		rate:  rateOf(snd),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	n.records = append(n.records, newRecord(snd))
	n.cur = cur
	n.mu.Unlock()
	n.finish(old)
	go n.run(cur, snd)
	return nil
}

// run reads snd, then the sounds that follow it, to their end or until
// they are stopped.
func (n *NullSink) run(cur *nullSound, snd Sound) {
	defer close(cur.done)
	for {
		if !n.read(cur, snd.Streamer) {
			return
		}
		n.mu.Lock()
		if !cur.ended {
			cur.ended = true
			r := &n.records[cur.index]
			r.Duration = cur.rate.D(cur.read)
			r.Err = snd.Streamer.Err()
		}
		n.mu.Unlock()
		if snd.Next == nil {
			return
		}
		next, ok := snd.Next()
		if !ok {
			return
		}
		n.mu.Lock()
		select {
		case <-cur.stop:
			n.mu.Unlock()
			return
		default:
		}
		cur.index, cur.rate, cur.read, cur.ended = len(n.records), rateOf(next), 0, false
		n.records = append(n.records, newRecord(next))
		n.mu.Unlock()
		snd = next
	}
}

// read reads s to its end at the sink's pace. It returns false when the
// sound was stopped first.
func (n *NullSink) read(cur *nullSound, s beep.Streamer) bool {
	buf := make([][2]float64, max(1, cur.rate.N(nullChunk)))
	var timer *time.Timer
	start := time.Now()
	for {
		got, ok := s.Stream(buf)
		n.mu.Lock()
		cur.read += got
		read := cur.read
		n.mu.Unlock()
		if !ok || got == 0 {
			return true
		}
		var wait time.Duration
		if n.pace > 0 {
			wait = time.Duration(float64(cur.rate.D(read))/n.pace) - time.Since(start)
		}
		if wait <= 0 {
			select {
			case <-cur.stop:
				return false
			default:
				continue
			}
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case <-cur.stop:
			return false
		case <-timer.C:
		}
	}
}

func rateOf(snd Sound) beep.SampleRate {
	if snd.Format.SampleRate <= 0 {
		return 44100
	}
	return snd.Format.SampleRate
}

func newRecord(snd Sound) Record {
	return Record{Played: passerelle.Played{Prompt: snd.Prompt, Source: snd.Source, At: time.Now()}}
}

// detachLocked takes the current sound away from the sink and tells its
// goroutine to stop. n.mu must be held.
func (n *NullSink) detachLocked() *nullSound {
	cur := n.cur
	n.cur = nil
	if cur != nil {
		close(cur.stop)
	}
	return cur
}

// finish waits until the goroutine of a detached sound has returned, and
// records the sound as cut short unless it had reached its end.
func (n *NullSink) finish(cur *nullSound) {
	if cur == nil {
		return
	}
	<-cur.done
	n.mu.Lock()
	defer n.mu.Unlock()
	if !cur.ended {
		cur.ended = true
		r := &n.records[cur.index]
		r.Stopped = true
		r.Duration = cur.rate.D(cur.read)
	}
}

// Stop implements Sink.
func (n *NullSink) Stop() {
	n.mu.Lock()
	cur := n.detachLocked()
	n.mu.Unlock()
	n.finish(cur)
}

// Close implements Sink. The records stay readable.
func (n *NullSink) Close() error {
	n.Stop()
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	return nil
}

// Records returns what the sink played so far, oldest first. The sound still
// playing, if any, comes last, with a Duration of 0 until it ends.
func (n *NullSink) Records() []Record {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Record(nil), n.records...)
}

// Played returns the records as the domain sees them.
func (n *NullSink) Played() []passerelle.Played {
	records := n.Records()
	played := make([]passerelle.Played, len(records))
	for i, r := range records {
		played[i] = r.Played
	}
	return played
}

// Wait returns when the sound playing, and those following it, have ended
// or were stopped, or when ctx is done.
func (n *NullSink) Wait(ctx context.Context) error {
	n.mu.Lock()
	cur := n.cur
	n.mu.Unlock()
	if cur == nil {
		return nil
	}
	select {
	case <-cur.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
