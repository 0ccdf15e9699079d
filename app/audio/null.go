package audio

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/passerelle"
)

// Record is what the null sink played: the domain's Played, with Duration
// the length actually played, whether the sound was cut short, and the
// levels of the samples that would have reached the device.
type Record struct {
	passerelle.Played
	Stopped bool  // a new sound or Stop cut it before its end
	Err     error // the stream failed (a damaged file)
	Levels        // at the device's rate, as the oto sink would have played it
}

// NullSink plays without a sound device. It runs the pipeline the oto sink
// runs (resampling to the device's rate, float32 encoding, clamping) and
// reads the bytes as oto's player does, then records every sound, in order,
// with the levels of what would have reached the device. Pace sets how fast
// it reads: 0 (the zero value) reads as fast as the decoder goes, 1 in real
// time, 2 twice as fast. Waiting between chunks sleeps on a timer: the CPU
// stays idle.
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
	src  *pcmReader
	// Of the sound being read, guarded by NullSink.mu:
	index int  // in records
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
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	cur.src = &pcmReader{
		rate: deviceRate,
		started: func(next Sound) {
			n.mu.Lock()
			defer n.mu.Unlock()
			cur.index, cur.ended = len(n.records), false
			n.records = append(n.records, newRecord(next))
		},
		ended: func(snd Sound, lv Levels) {
			n.mu.Lock()
			defer n.mu.Unlock()
			cur.ended = true
			r := &n.records[cur.index]
			r.Levels, r.Duration, r.Err = lv, deviceRate.D(lv.Frames), snd.Streamer.Err()
		},
	}
	cur.src.set(snd)
	n.records = append(n.records, newRecord(snd))
	n.cur = cur
	n.mu.Unlock()
	n.finish(old)
	go n.run(cur)
	return nil
}

// run reads the sound, then the sounds that follow it, to their end or until
// they are stopped, in chunks of bytes as oto's player reads, at the sink's
// pace.
func (n *NullSink) run(cur *nullSound) {
	defer close(cur.done)
	buf := make([]byte, deviceRate.N(nullChunk)*frameBytes)
	var (
		timer  *time.Timer
		start  = time.Now()
		frames int
	)
	for {
		got, err := cur.src.Read(buf)
		frames += got / frameBytes
		if err == io.EOF {
			return
		}
		var wait time.Duration
		if n.pace > 0 {
			wait = time.Duration(float64(deviceRate.D(frames))/n.pace) - time.Since(start)
		}
		if wait <= 0 {
			select {
			case <-cur.stop:
				return
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
			return
		case <-timer.C:
		}
	}
}

// rateOf is the sample rate of snd, 44.1 kHz when it does not say.
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
	_, lv, _, _ := cur.src.end()
	n.mu.Lock()
	defer n.mu.Unlock()
	if !cur.ended {
		cur.ended = true
		r := &n.records[cur.index]
		r.Stopped = true
		r.Levels, r.Duration = lv, deviceRate.D(lv.Frames)
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
