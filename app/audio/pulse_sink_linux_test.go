//go:build linux && cgo

package audio

import (
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/passerelle"
)

// TestPulseSinkReconnects kills the sound server while a prompt plays, as a
// crash or a restart of the desktop's sound service does, then starts it
// again: the sink says it is silent, refuses sounds meanwhile, reconnects
// by itself, and the next prompt is heard whole on the new server.
func TestPulseSinkReconnects(t *testing.T) {
	requirePulse(t)
	server := startPulse(t, "speakers")
	for _, name := range []string{"XDG_RUNTIME_DIR", "HOME"} {
		t.Setenv(name, server.variable(name))
	}
	t.Setenv("PULSE_SERVER", "")
	os.Unsetenv("PULSE_SERVER")
	t.Setenv("PULSE_SINK", "")
	os.Unsetenv("PULSE_SINK")

	sink, err := openPulse()
	if err != nil {
		t.Fatal(err)
	}
	lost, back := make(chan struct{}, 1), make(chan struct{}, 1)
	sink.mu.Lock()
	sink.retry = 50 * time.Millisecond
	sink.log = slog.New(tee{next: slog.NewTextHandler(testWriter{t}, nil), fn: func(r slog.Record) {
		switch {
		case strings.Contains(r.Message, "stopped answering"):
			lost <- struct{}{}
		case strings.Contains(r.Message, "answers again"):
			back <- struct{}{}
		}
	}})
	sink.mu.Unlock()
	defer sink.Stop()

	format := beep.Format{SampleRate: deviceRate, NumChannels: 2, Precision: 4}
	if err := sink.Start(Sound{Source: "long", Streamer: &deviceTone{left: deviceRate.N(time.Minute)}, Format: format}); err != nil {
		t.Fatal(err)
	}
	server.run("pulseaudio", "--kill")
	wait(t, lost, "the sink did not notice the server had gone")
	if err := sink.Start(Sound{Source: "meanwhile", Streamer: &deviceTone{left: deviceRate.N(time.Second)}, Format: format}); err == nil ||
		!strings.Contains(err.Error(), "stopped working") {
		t.Errorf("Start without a server = %v, want an error saying the server stopped working", err)
	}

	server.launch("speakers")
	wait(t, back, "the sink did not reconnect to the server started again")
	m := server.record("speakers")
	played := make(chan time.Time, 1)
	tn := &deviceTone{left: deviceRate.N(300 * time.Millisecond), past: played}
	if err := sink.Start(Sound{Source: "after", Streamer: tn, Format: format}); err != nil {
		t.Fatalf("Start once reconnected: %v", err)
	}
	wait(t, played, "the sink did not read the sound")
	// The 300 ms played, what the server holds, the monitor's own delay.
	time.Sleep(time.Second)
	got := listen(m.stop(), 48000)
	if math.Abs(got.span-0.3) > 0.03 {
		t.Errorf("after reconnecting the speakers heard %s, want 0.300 s", got)
	}
}

// wait waits for c, 10 s at most.
func wait[T any](t *testing.T, c <-chan T, failure string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatal(failure)
	}
}

// testWriter writes to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestRouterFollowsAServerStartedAgain restarts the sound server under a
// router that follows it: headphones plugged in afterwards are followed
// still, and the log says the outage once.
func TestRouterFollowsAServerStartedAgain(t *testing.T) {
	requirePulse(t)
	server := startPulse(t, "speakers")
	for _, name := range []string{"XDG_RUNTIME_DIR", "HOME"} {
		t.Setenv(name, server.variable(name))
	}
	for _, name := range []string{"PULSE_SERVER", "PULSE_SINK"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	logs := &strings.Builder{}
	var mu sync.Mutex
	router := NewRouter("headphones", slog.New(slog.NewTextHandler(lockedWriter{&mu, logs}, nil)))
	outputs := make(chan passerelle.SoundOutput, 16)
	router.mu.Lock()
	router.changed = func(o passerelle.SoundOutput) { outputs <- o }
	router.mu.Unlock()
	if router.Output().Headphones {
		t.Fatal("the headphones are not plugged in yet")
	}
	router.Follow()
	defer router.Close()

	server.run("pulseaudio", "--kill")
	server.launch("speakers")
	server.plug("headphones")
	deadline := time.After(10 * time.Second)
	for !router.Output().Headphones {
		select {
		case <-outputs:
		case <-deadline:
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("headphones plugged in after the server started again: the output stayed %+v\n%s", router.Output(), logs)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "stopped sending events"); n != 1 {
		t.Errorf("the outage said %d times, want once:\n%s", n, logs)
	}
}

// lockedWriter writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
