package audio

import (
	"context"
	"strings"
	"testing"
	"time"
)

// testSink is the contract every Sink meets.
func testSink(t *testing.T, open func(t *testing.T) Sink) {
	t.Run("reads the sound it starts", func(t *testing.T) {
		sink := open(t)
		defer sink.Close()
		tn := newTone(t, 300*time.Millisecond)
		if err := sink.Start(tn.sound("tone")); err != nil {
			t.Fatal(err)
		}
		waitRead(t, tn)
	})
	t.Run("a new sound stops the one playing", func(t *testing.T) {
		sink := open(t)
		defer sink.Close()
		first, second := newTone(t, 10*time.Second), newTone(t, 300*time.Millisecond)
		if err := sink.Start(first.sound("first")); err != nil {
			t.Fatal(err)
		}
		waitRead(t, first)
		if err := sink.Start(second.sound("second")); err != nil {
			t.Fatal(err)
		}
		close(first.forbid)
		waitRead(t, second)
	})
	t.Run("stop silences", func(t *testing.T) {
		sink := open(t)
		defer sink.Close()
		tn := newTone(t, 10*time.Second)
		if err := sink.Start(tn.sound("tone")); err != nil {
			t.Fatal(err)
		}
		waitRead(t, tn)
		sink.Stop()
		close(tn.forbid)
		sink.Stop()
	})
}

func waitRead(t *testing.T, tn *tone) {
	t.Helper()
	select {
	case <-tn.reads:
	case <-time.After(5 * time.Second):
		t.Fatal("the sink never read the sound")
	}
}

func TestNullSink(t *testing.T) {
	for _, pace := range []float64{0, 1} {
		t.Run(map[float64]string{0: "instant", 1: "real time"}[pace], func(t *testing.T) {
			testSink(t, func(t *testing.T) Sink { return NewNullSink(pace) })
		})
	}
}

func TestNullSinkRecords(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pace    float64
		atLeast time.Duration // wall time to play 400 ms of sound
		atMost  time.Duration
	}{
		{"instant", 0, 0, 200 * time.Millisecond},
		{"real time", 1, 380 * time.Millisecond, 2 * time.Second},
		{"twice as fast", 2, 180 * time.Millisecond, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := NewNullSink(tc.pace)
			tn := newTone(t, 400*time.Millisecond)
			start := time.Now()
			if err := sink.Start(tn.sound("tone")); err != nil {
				t.Fatal(err)
			}
			sink.Wait(context.Background())
			took := time.Since(start)
			got := sink.Records()
			if len(got) != 1 || got[0].Source != "tone" || got[0].Duration != 400*time.Millisecond || got[0].Stopped {
				t.Fatalf("recorded %+v, want 400ms of tone", got)
			}
			if took < tc.atLeast || took > tc.atMost {
				t.Errorf("played 400ms in %s, want between %s and %s", took, tc.atLeast, tc.atMost)
			}
			sink.Close()
			if err := sink.Start(tn.sound("late")); err == nil {
				t.Error("a closed sink started a sound")
			}
		})
	}
}

// TestDeviceSinks runs testSink on the sinks that play for real: the sound
// server's stream and oto's device, where this machine has them.
func TestDeviceSinks(t *testing.T) {
	sinks := []struct {
		name string
		open func() (Sink, error)
	}{
		{"sound server", func() (Sink, error) { return OpenPulse() }},
		{"oto", func() (Sink, error) { return OpenOto() }},
	}
	for _, s := range sinks {
		t.Run(s.name, func(t *testing.T) {
			if _, err := s.open(); err != nil {
				t.Skip("not here:", err)
			}
			testSink(t, func(t *testing.T) Sink {
				sink, err := s.open()
				if err != nil {
					t.Fatal(err)
				}
				return sink
			})
		})
	}
}

func TestOpenSinkFallsBackToNull(t *testing.T) {
	logs := &strings.Builder{}
	sink, backend := OpenSink(newLogger(logs))
	defer sink.Close()
	if backend != Null {
		t.Skipf("sound plays here (%s): nothing to fall back from", backend)
	}
	if _, ok := sink.(*NullSink); backend != Null || !ok {
		t.Fatalf("OpenSink = %T, %s; want the null sink", sink, backend)
	}
	if !strings.Contains(logs.String(), "no sound device: the kiosk works silently") ||
		strings.Count(logs.String(), "\n") != 1 || strings.Contains(logs.String(), "ALSA lib") {
		t.Errorf("staff log: %q, want one line saying there is no sound", logs)
	}
	// The null sink it returns is paced like a real device.
	tn := newTone(t, 100*time.Millisecond)
	start := time.Now()
	sink.Start(tn.sound("tone"))
	sink.(*NullSink).Wait(context.Background())
	if took := time.Since(start); took < 90*time.Millisecond {
		t.Errorf("100ms played in %s, want real time", took)
	}
	t.Log(strings.TrimSpace(logs.String()))
}
