package audio

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"passerelle/app/passerelle"
)

// Headphones: the prompts go to the output staff named (a headset, or the
// jack on the kiosk's front) when it is plugged in, otherwise to the
// default output.
//
// Oto opens ALSA's "default" device once per process, so the choice is
// made before it opens, in the environment the sound libraries read:
//
//   - With a sound server (PulseAudio, or PipeWire's pulse server, which
//     desktops run), ALSA's default device is the server, and PULSE_SINK
//     names the sink its stream goes to. The name is a sink's, as
//     pactl list short sinks writes it.
//   - Without one (bare ALSA), ALSA_CARD names the card ALSA's default
//     device plays on: a card's id as aplay -l writes it (the word after
//     "card 1:").
//
// A sink that is not there when the stream opens fails it, and the kiosk
// would be silent: the router names it only when it is listed.
//
// While the kiosk runs, the sound server moves the stream to another sink
// by itself when the headphones' sink goes (a USB headset unplugged), but
// never back when it returns: Follow listens to the server's events and
// moves it back, and Output always says where the sound goes now, so that
// a personal step says the keys only into headphones. Headphones on a jack
// of the same card are a port of one sink: the server switches the port
// by itself. On bare ALSA the choice made at start stays until a restart.

// Router decides where the prompts go and follows the headphones as they
// are plugged in and out. Its methods are safe for concurrent use.
type Router struct {
	log   *slog.Logger
	pactl string // the pactl program; "" when there is no sound server
	pid   string // this process, as the server names its streams' owner

	mu   sync.Mutex
	name string // the headphones staff named; "" for none
	out  passerelle.SoundOutput
	// changed, when set, is called after the output changed (tests).
	changed func(passerelle.SoundOutput)
	// wake asks the follower to look again; cancel and done stop it.
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// NewRouter decides where the sound goes, before the sound device opens:
// to the headphones called name when they are there, otherwise to the
// default output; it says which in the log. It sets PULSE_SINK or
// ALSA_CARD in the process's environment for the device to come.
func NewRouter(name string, log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	r := &Router{log: log, pid: strconv.Itoa(os.Getpid()), name: name, wake: make(chan struct{}, 1)}
	var sinks []sink
	if p, err := exec.LookPath("pactl"); err == nil {
		var err error
		if sinks, err = r.sinks(p); err == nil {
			r.pactl = p
		}
	}
	r.out = r.decide(sinks)
	r.log.Info("sound output: "+r.out.Says, "headphones", r.out.Headphones)
	return r
}

// decide sets the environment for a sound device not yet open, and says
// where the sound will go; sinks are the sound server's, when r.pactl
// reached it.
func (r *Router) decide(sinks []sink) passerelle.SoundOutput {
	// An empty PULSE_SINK names no sink, and the server refuses the
	// stream: the sound device would not open.
	if v, ok := os.LookupEnv("PULSE_SINK"); ok && v == "" {
		os.Unsetenv("PULSE_SINK")
	}
	switch {
	case r.name == "":
		return passerelle.SoundOutput{Says: "the default output (no headphones are set)"}
	case r.pactl != "":
		if hasSink(sinks, r.name) {
			os.Setenv("PULSE_SINK", r.name)
			return headphonesOn(r.name)
		}
		r.logSinks(sinks)
	case alsaCard(r.name):
		os.Setenv("ALSA_CARD", r.name)
		return headphonesOn(r.name)
	}
	return notPlugged(r.name)
}

func headphonesOn(name string) passerelle.SoundOutput {
	return passerelle.SoundOutput{Headphones: true, Says: fmt.Sprintf("the headphones %q", name)}
}

func notPlugged(name string) passerelle.SoundOutput {
	return passerelle.SoundOutput{Says: fmt.Sprintf("the default output: the headphones %q are not plugged in", name)}
}

// alsaCard reports whether ALSA has a card with this id (or number):
// /proc/asound holds a link or a folder of that name for each.
func alsaCard(name string) bool {
	if strings.ContainsAny(name, "/.") {
		return false
	}
	if _, err := strconv.Atoi(name); err == nil {
		name = "card" + name
	}
	_, err := os.Stat(filepath.Join("/proc/asound", name))
	return err == nil
}

// Output says where the prompts are heard now.
func (r *Router) Output() passerelle.SoundOutput {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out
}

// SetHeadphones follows a new name staff saved. With a sound server the
// sound moves at once (on the follower's goroutine); on bare ALSA the
// kiosk must restart.
func (r *Router) SetHeadphones(name string) {
	r.mu.Lock()
	changed := name != r.name
	r.name = name
	r.mu.Unlock()
	switch {
	case !changed:
	case r.pactl == "":
		out := r.Output()
		out.Says += "; the new headphones setting applies when the kiosk restarts (without a sound server the sound cannot move)"
		r.set(out)
	case r.done != nil:
		select {
		case r.wake <- struct{}{}:
		default: // a look is due already
		}
	default:
		r.look()
	}
}

// Follow starts following the sound server's events: when sinks come and
// go, the kiosk's stream is put back on the headphones, and Output says
// where it is. A server that goes (restarted, crashed) is asked again every
// followRetry until it answers. Without a sound server it does nothing.
// Close stops it.
func (r *Router) Follow() {
	if r.pactl == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		lost := false
		for {
			// Subscribed only to a server that answers, so that an outage
			// is said once, not at every try.
			if _, err := r.sinks(r.pactl); err == nil {
				if ended, err := r.subscribe(ctx); err == nil {
					if lost {
						r.log.Info("kiosk: the sound server answers again: headphones plugged in or out are followed")
						lost = false
					}
					// The stream may have opened (or opened again) before
					// the subscription: look once.
					r.look()
					r.follow(ended)
				}
			}
			if ctx.Err() != nil {
				return
			}
			if !lost {
				r.log.Warn("kiosk: the sound server stopped sending events: headphones plugged in or out are not followed until it answers again")
				lost = true
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(followRetry):
			}
		}
	}()
}

// followRetry is how long the router waits before asking a sound server
// that went away again.
const followRetry = 2 * time.Second

// subscribe runs pactl subscribe until ctx ends: the events that may move
// the sound wake the router. The channel returned is closed when pactl
// ends.
func (r *Router) subscribe(ctx context.Context) (<-chan struct{}, error) {
	cmd := exec.CommandContext(ctx, r.pactl, "subscribe")
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		return nil, err
	}
	ended := make(chan struct{})
	go func() {
		// Events come in bursts (a sink, its monitor, its module): one
		// look after each burst is enough, so they only wake the router.
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if soundEvent(sc.Text()) {
				select {
				case r.wake <- struct{}{}:
				default:
				}
			}
		}
		cmd.Wait()
		close(ended)
	}()
	return ended, nil
}

// follow looks where the sound goes at each wake, until ended is closed.
func (r *Router) follow(ended <-chan struct{}) {
	for {
		select {
		case <-ended:
			return
		case <-r.wake:
			r.look()
		}
	}
}

// soundEvent reports whether a line of pactl subscribe may change where
// the kiosk's sound goes: a sink or a stream coming or going. The kiosk's
// own moves are changes, not new streams: they wake nothing.
func soundEvent(line string) bool {
	return (strings.HasPrefix(line, "Event 'new' on ") || strings.HasPrefix(line, "Event 'remove' on ")) &&
		(strings.Contains(line, " on sink #") || strings.Contains(line, " on sink-input #"))
}

// Close stops following the sound server.
func (r *Router) Close() {
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
}

// look finds where the kiosk's streams play, moves them to the
// headphones when they are there and the streams elsewhere (or back to
// the default output when staff named none), and updates Output.
func (r *Router) look() {
	r.mu.Lock()
	name := r.name
	r.mu.Unlock()
	sinks, err := r.sinks(r.pactl)
	var streams []stream
	if err == nil {
		streams, err = r.streams()
	}
	if err != nil {
		r.log.Warn("kiosk: cannot ask the sound server where the sound goes", "err", err)
		return
	}
	target := name
	if name == "" {
		// The sink PULSE_SINK named at start, when staff named one then.
		target = "@DEFAULT_SINK@"
		if def, err := pactlText(r.pactl, "get-default-sink"); err == nil {
			target = def
		}
	}
	if !hasSink(sinks, target) && target != "@DEFAULT_SINK@" {
		if out := notPlugged(name); out != r.Output() {
			r.logSinks(sinks)
			r.set(out)
		}
		return
	}
	for _, s := range streams {
		if sinkName(sinks, s.Sink) == target {
			continue
		}
		if _, err := pactlText(r.pactl, "move-sink-input", strconv.Itoa(s.Index), target); err != nil {
			r.log.Warn("kiosk: cannot move the sound", "to", target, "err", err)
			if name != "" {
				r.set(passerelle.SoundOutput{Says: fmt.Sprintf("the default output: the sound could not be moved to the headphones %q", name)})
			}
			return
		}
	}
	if name == "" {
		r.set(passerelle.SoundOutput{Says: "the default output (no headphones are set)"})
		return
	}
	r.set(headphonesOn(name))
}

// logSinks lists the sound server's sinks for staff, when the
// headphones named are not among them: a name mistyped, or a card's id
// given where the server wants a sink's name.
func (r *Router) logSinks(sinks []sink) {
	names := make([]string, len(sinks))
	for i, s := range sinks {
		names[i] = s.Name
	}
	r.log.Info("kiosk: the sound server's sinks, the names the headphones setting takes", "sinks", strings.Join(names, " "))
}

// set makes out the output, and logs a change.
func (r *Router) set(out passerelle.SoundOutput) {
	r.mu.Lock()
	changed := out != r.out
	r.out = out
	hook := r.changed
	r.mu.Unlock()
	if changed {
		r.log.Info("sound output: "+out.Says, "headphones", out.Headphones)
		if hook != nil {
			hook(out)
		}
	}
}

// sink is a sink of the sound server, as pactl -f json lists it.
type sink struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
}

// stream is a sink input: a stream playing on a sink.
type stream struct {
	Index      int               `json:"index"`
	Sink       int               `json:"sink"`
	Properties map[string]string `json:"properties"`
}

func hasSink(sinks []sink, name string) bool {
	return slices.ContainsFunc(sinks, func(s sink) bool { return s.Name == name })
}

func sinkName(sinks []sink, index int) string {
	for _, s := range sinks {
		if s.Index == index {
			return s.Name
		}
	}
	return ""
}

// pactlTimeout bounds one question to the sound server.
const pactlTimeout = 3 * time.Second

// sinks lists the server's sinks with the pactl program p.
func (r *Router) sinks(p string) ([]sink, error) {
	out, err := pactlJSON(p, "list", "short", "sinks")
	if err != nil {
		return nil, err
	}
	var sinks []sink
	if err := json.Unmarshal(out, &sinks); err != nil {
		return nil, fmt.Errorf("read pactl's list of sinks: %w", err)
	}
	return sinks, nil
}

// streams lists the streams this process plays.
func (r *Router) streams() ([]stream, error) {
	out, err := pactlJSON(r.pactl, "list", "sink-inputs")
	if err != nil {
		return nil, err
	}
	var all []stream
	if err := json.Unmarshal(out, &all); err != nil {
		return nil, fmt.Errorf("read pactl's list of streams: %w", err)
	}
	var mine []stream
	for _, s := range all {
		if s.Properties["application.process.id"] == r.pid {
			mine = append(mine, s)
		}
	}
	return mine, nil
}

// pactlJSON is what pactl prints as JSON.
func pactlJSON(p string, args ...string) ([]byte, error) {
	return pactl(p, args, "-f", "json")
}

// pactlText is what pactl prints, trimmed.
func pactlText(p string, args ...string) (string, error) {
	out, err := pactl(p, args)
	return strings.TrimSpace(string(out)), err
}

// pactl runs the pactl program p with its options before args; its
// errors name the args alone.
func pactl(p string, args []string, options ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pactlTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p, append(options, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("pactl %s: %w", strings.Join(args, " "), exitReason(err))
	}
	return out, nil
}

// exitReason adds what a program wrote on its error output to its error.
func exitReason(err error) error {
	var exit *exec.ExitError
	if errors.As(err, &exit) && len(exit.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(exit.Stderr)))
	}
	return err
}
