//go:build cgo || darwin || windows

package audio

import (
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"
	"github.com/gopxl/beep/v2"
)

const (
	otoRate = deviceRate
	// otoDriverBuffer is what the sound device holds ahead: the delay between
	// a sound reaching oto and reaching the loudspeaker while the device
	// plays (a prompt, or the silence at its end: BenchmarkSinkHeard/oto/running,
	// p50/p95 on a PulseAudio null sink: 60 ms buffer 74/75 ms, 40 ms
	// 43-53/55, 30 ms 34/35, 20 ms 23/26). A suspended device (the kiosk
	// between touches) plays a sound at once whatever the buffer
	// (waitMixed). ALSA's pulse
	// plugin cuts it in 3 periods, oto writes one at a time: a smaller one
	// runs dry sooner when the CPU is busy. Measured with the machine
	// loaded 2-7 on 2 cores: at 20 ms packaging/soundcheck.sh heard a
	// prompt with gaps in 2 runs of 2, at 30 ms TestHeadphones heard gaps
	// in 1 case of 54; at 40 ms, 1 soundcheck run in 3 (60 ms: 1 in 3).
	otoDriverBuffer = 40 * time.Millisecond
	// otoPlayerBuffer is what oto reads ahead from a sound before mixing it.
	// It does not delay the start, but oto fills it before the first sample
	// is mixed: a small one keeps the decoding before the start short.
	otoPlayerBuffer = 100 * time.Millisecond
	// otoMixWait bounds the wait for oto to read the start of a sound
	// before the device resumes (waitMixed): a decoder slower than that
	// is heard after a period of silence rather than holding the touch.
	otoMixWait = 20 * time.Millisecond
	// otoReadyTimeout bounds the wait for the device at start-up.
	otoReadyTimeout = 5 * time.Second
	// otoPrimeTimeout bounds the wait for the device to play at start-up.
	otoPrimeTimeout = 3 * time.Second
	// otoIdle is how long after the last sound was read the device is
	// suspended, once oto's player has given it all to the device (checked
	// again every otoIdle until then). An open stream costs CPU while
	// nothing is heard (oto writes silence every period: 3.2-4.9 % of a
	// core for this process alone, BenchmarkOtoIdleCPU, against 0.03 %
	// suspended), and the next sound waits behind the silence it holds.
	// Where the device plays again at once after a suspend
	// (keepPulseStream), nothing is gained by keeping it open.
	otoIdle = 50 * time.Millisecond
	// otoIdleSlow is otoIdle where a device may be slow to play after a
	// suspend: before keepPulseStream, ALSA's pulse plugin made a new
	// server stream at each resume, heard about 1.9 s late. Only a long
	// silence, when nobody is at the kiosk, suspends such a device.
	otoIdleSlow = time.Minute
)

// Oto allows one context per process: it is created once, with the one
// OtoSink that plays through it (suspending and resuming the context is the
// business of a single owner).
var otoOnce struct {
	sync.Once
	sink *OtoSink
	err  error
}

func openOtoContext() (ctx *oto.Context, quickResume bool, err error) {
	quickResume = keepPulseStream()
	ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate:   int(otoRate),
		ChannelCount: 2,
		Format:       oto.FormatFloat32LE,
		BufferSize:   otoDriverBuffer,
	})
	if err != nil {
		return nil, false, err
	}
	select {
	case <-ready:
	case <-time.After(otoReadyTimeout):
		return nil, false, fmt.Errorf("the sound device did not answer within %s", otoReadyTimeout)
	}
	// Without a sound card NewContext succeeds: the failure shows here.
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	return ctx, quickResume, nil
}

// OtoSink plays through the machine's sound device with oto. Each sound gets
// its own oto player, closed when the next one starts: what the old one had
// buffered is dropped, so a tap is heard at once.
type OtoSink struct {
	ctx  *oto.Context
	rate beep.SampleRate

	mu               sync.Mutex
	cur              *otoSound
	gen              uint64        // counts Start and Stop calls: an idle timer of an older one does nothing
	idleAfterSilence time.Duration // otoIdle or otoIdleSlow; shorter in tests
	idle             *time.Timer   // suspends the device when nothing has played for idleAfterSilence
	suspended        bool
	// onSuspend, when set, is called after the device is suspended (tests).
	onSuspend func()
	// trace, when set, gets a line for every sound played: see OpenSink.
	trace *slog.Logger
}

type otoSound struct {
	player *oto.Player
	src    *pcmReader
	trace  *slog.Logger
}

// OpenOto returns the sink on the sound device, or an error saying why there
// is no sound. The device is opened once per process, and every call returns
// the same sink; the error of a failed attempt is returned again by later
// calls.
func OpenOto() (*OtoSink, error) {
	otoOnce.Do(func() {
		var (
			ctx   *oto.Context
			quick bool
		)
		withoutDeviceNoise(func() { ctx, quick, otoOnce.err = openOtoContext() })
		if otoOnce.err != nil {
			return
		}
		o := &OtoSink{ctx: ctx, rate: otoRate, idleAfterSilence: otoIdleSlow}
		if quick {
			o.idleAfterSilence = otoIdle
		}
		o.prime()
		otoOnce.sink = o
	})
	if otoOnce.err != nil {
		return nil, fmt.Errorf("cannot open the sound device: %w", otoOnce.err)
	}
	return otoOnce.sink, nil
}

// prime plays silence until the device has really taken some, or for
// otoPrimeTimeout at most. A PulseAudio stream just opened (or run dry)
// holds the first sound written to it back for about 1.7 s, then plays it:
// without this, the kiosk's first prompt was heard as 0.1 s, a silence of
// 1.7 s, then the rest (packaging/soundcheck.sh). Once the device plays,
// sounds start within tens of milliseconds (BenchmarkOtoFirstSample).
func (o *OtoSink) prime() {
	p := &primer{mark: 3 * o.rate.N(otoPlayerBuffer), past: make(chan struct{})}
	err := o.Start(Sound{Source: "silence", Streamer: p, Format: beep.Format{SampleRate: o.rate, NumChannels: 2, Precision: 4}, keepSilence: true})
	if err == nil {
		select {
		case <-p.past:
		case <-time.After(otoPrimeTimeout):
		}
	}
	o.Stop()
}

// primer is endless silence that says when it has been read past mark
// frames: oto's player reads otoPlayerBuffer ahead of the device, so past
// three of them the device has played two.
type primer struct {
	read, mark int
	past       chan struct{}
}

func (p *primer) Stream(samples [][2]float64) (int, bool) {
	if p.read < p.mark && p.read+len(samples) >= p.mark {
		close(p.past)
	}
	clear(samples)
	p.read += len(samples)
	return len(samples), true
}

func (p *primer) Err() error { return nil }

// Start implements Sink.
func (o *OtoSink) Start(snd Sound) error {
	if err := o.ctx.Err(); err != nil {
		o.Stop()
		return fmt.Errorf("the sound device stopped working: %w", err)
	}
	src := &pcmReader{rate: o.rate}
	src.set(snd)
	player := o.ctx.NewPlayer(src)
	player.SetBufferSize(o.rate.N(otoPlayerBuffer) * frameBytes)

	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur != nil {
		o.cur.close()
	}
	o.gen++
	gen := o.gen
	src.drained = func() { o.idleAfter(gen) }
	if o.trace != nil {
		o.trace.Info("sound started", "source", snd.Source)
		src.started = func(next Sound) { o.trace.Info("sound started", "source", next.Source) }
		src.ended = func(snd Sound, lv Levels) { traceSound(o.trace, snd, lv, src.began, false) }
	}
	o.cur = &otoSound{player: player, src: src, trace: o.trace}
	player.Play()
	// Only a suspended context is resumed: Resume waits for the device's
	// write in progress, up to a period (a third of otoDriverBuffer).
	if o.suspended {
		waitMixed(player)
		if err := o.ctx.Resume(); err != nil {
			return fmt.Errorf("the sound device stopped working: %w", err)
		}
		o.suspended = false
	}
	return nil
}

// waitMixed waits until oto's mixer has player, otoMixWait at most. oto's
// Play reads the start of the sound on a goroutine of its own, then gives
// the player to the mixer. A device resumed before that writes a period
// of silence first, and the sound waits behind it: on PulseAudio, which
// plays a stream that ran dry the moment it is written to again (it
// rewinds the sink), the sound was heard at once when it came first,
// 40-50 ms later behind the silence (BenchmarkSinkHeard/oto/idle: half
// the sounds before this wait). The player has buffered the start of
// the sound only once its read is over, just before it joins the mixer;
// a sound that is empty or failed never joins.
func waitMixed(player *oto.Player) {
	deadline := time.Now().Add(otoMixWait)
	for player.BufferedSize() == 0 && player.IsPlaying() && player.Err() == nil && time.Now().Before(deadline) {
		runtime.Gosched()
	}
}

// idleAfter suspends the device after a silence of o.idleAfterSilence
// unless a sound started since Start number gen. It is called on oto's goroutine when the last sound of
// a Start ends: it must not wait for o.mu, which a Start closing that very
// player may hold.
func (o *OtoSink) idleAfter(gen uint64) {
	go func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.gen == gen {
			o.idleLater()
		}
	}()
}

// idleLater starts the idle timer. o.mu must be held.
func (o *OtoSink) idleLater() {
	gen := o.gen
	if o.idle != nil {
		o.idle.Stop()
	}
	o.idle = time.AfterFunc(o.idleAfterSilence, func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.gen != gen || o.suspended {
			return
		}
		if o.cur != nil && o.cur.player.IsPlaying() {
			// oto's player still holds the end of the sound: suspending
			// now would keep it from the device.
			o.idleLater()
			return
		}
		if err := o.ctx.Suspend(); err != nil {
			return // the device failed: the next Start says so
		}
		o.suspended = true
		if o.onSuspend != nil {
			o.onSuspend()
		}
	})
}

// Stop implements Sink.
func (o *OtoSink) Stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur != nil {
		o.cur.close()
		o.cur = nil
		o.gen++
		o.idleLater()
	}
}

// Close implements Sink. The device itself stays open: oto cannot close it,
// and a later OpenOto returns this sink again.
func (o *OtoSink) Close() error {
	o.Stop()
	return nil
}

func (s *otoSound) close() {
	// Ending the source first: oto may be reading it right now, outside the
	// player's lock, and the streamer must not be read after Stop returns.
	snd, lv, began, cut := s.src.end()
	if cut && s.trace != nil {
		traceSound(s.trace, snd, lv, began, true)
	}
	s.player.Pause()
	// Close only reports an error the player met earlier (a broken stream):
	// closing it is all there is to do either way.
	_ = s.player.Close()
}
