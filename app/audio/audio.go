// Package audio speaks prompts: it implements passerelle.Player with a
// recording when staff made one, otherwise with speech synthesised offline by
// espeak-ng and kept in a cache of WAV files.
//
// Sound goes to a Sink: a stream to the sound server (PulseAudio, PipeWire)
// when one runs, otherwise the sound device through ALSA (oto), otherwise a
// null sink that plays nothing but records what it would have played, so
// the kiosk works silently and tests can check what was said.
package audio

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/passerelle"
)

// Sound is one prompt on its way to a sink: the samples and what they are.
type Sound struct {
	Prompt   passerelle.Prompt
	Source   string // the file played: the recording or the synthesised speech
	Streamer beep.Streamer
	Format   beep.Format // of Streamer: sinks resample if they need another rate

	// Next, when set, is called on the sink's goroutine once Streamer has
	// been read to its end, and returns the sound that follows it without a
	// gap, or false when none does. It may wait while the next sound gets
	// ready, so whoever stops the sink makes Next return false first.
	Next func() (Sound, bool)

	// keepSilence makes the sinks play the silence that ends the sound,
	// which they otherwise skip when nothing follows (pcmReader.held).
	keepSilence bool
}

// Sink is where sound goes. Implementations are safe for concurrent use.
type Sink interface {
	// Start stops the sound playing, if any, and starts snd, then the sounds
	// its Next gives. It returns once the sink owns snd.Streamer, not when
	// the sound ends. From then on only the sink reads the streamer, and it
	// stops reading it when the sound is stopped: the first read is the
	// moment the sound reaches the backend.
	Start(snd Sound) error
	// Stop silences the sink. It returns once the sink no longer reads the
	// streamer of the stopped sound. Stopping a silent sink does nothing.
	Stop()
	// Close stops the sound and releases what the sink holds. The sink must
	// not be used afterwards.
	Close() error
}

// Backend names the kind of sink playing.
type Backend string

const (
	Pulse Backend = "pulse" // the sound server (PulseAudio, PipeWire)
	Oto   Backend = "oto"   // the sound device, through ALSA
	Null  Backend = "null"  // no sound device: nothing is heard
)

// errNoServer says no sound server runs for the kiosk's user, or this build
// cannot reach one: the sound device is the only way.
var errNoServer = errors.New("no sound server runs for this user")

// TraceVariable names the environment variable that, set to 1, makes the
// device sinks (the sound server's, oto's) log a line for every sound they
// play: its source, when its first samples reached the device, how long it
// played at the device's rate, whether it was cut short, its peak and
// clipped samples. packaging/soundcheck.sh compares these with what a
// PulseAudio null sink recorded.
const TraceVariable = "PASSERELLE_SOUND_TRACE"

// OpenSink returns the sound server's sink when one runs, otherwise the oto
// sink when a sound device works, otherwise a null sink that plays in real
// time without a sound, and says which one it chose. The choice is logged in
// plain words for staff.
func OpenSink(logger *slog.Logger) (Sink, Backend) {
	if logger == nil {
		logger = slog.Default()
	}
	start := time.Now()
	trace := os.Getenv(TraceVariable) == "1"
	ready := func(backend Backend) {
		logger.Info("sound device ready", "backend", string(backend), "sample_rate", int(deviceRate),
			"took", time.Since(start).Round(time.Millisecond).String())
	}
	server, err := OpenPulse()
	if err == nil {
		ready(Pulse)
		server.mu.Lock()
		server.log = logger
		if trace {
			server.trace = logger
		}
		server.mu.Unlock()
		return server, Pulse
	}
	if !errors.Is(err, errNoServer) {
		logger.Info("sound: the sound server refused the kiosk's stream; the kiosk tries the sound device directly", "reason", err.Error())
	}
	sink, err := OpenOto()
	if err != nil {
		logger.Warn("no sound device: the kiosk works silently", "reason", soundReason(err))
		return NewNullSink(1), Null
	}
	ready(Oto)
	if trace {
		sink.trace = logger
	}
	return sink, Oto
}

// traceSound logs a sound played, for TraceVariable.
func traceSound(log *slog.Logger, snd Sound, lv Levels, began time.Time, stopped bool) {
	log.Info("sound played", "source", snd.Source,
		"began", began.UTC().Format("15:04:05.000000"),
		"seconds", fmt.Sprintf("%.3f", deviceRate.D(lv.Frames).Seconds()),
		"stopped", stopped, "peak", fmt.Sprintf("%.3f", lv.Peak), "clipped", lv.Clipped)
}

// soundReason says in a few words why there is no sound: ALSA's answer
// lists every device it tried, of which the first, the default one, is
// the one that matters.
func soundReason(err error) string {
	msg := err.Error()
	const tried = "snd_pcm_open: "
	i := strings.Index(msg, tried)
	if i < 0 {
		return msg
	}
	first := msg[i+len(tried):]
	if j := strings.Index(first, `, "`); j >= 0 {
		first = first[:j]
	}
	return "no sound card answered (" + first + ")"
}
