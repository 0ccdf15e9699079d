//go:build linux && cgo

package audio

import (
	"encoding/binary"
	"io"
	"math"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"
)

// ear records the default sink's monitor with parec and says when it
// first hears sound after being armed.
type ear struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	armed bool
	onset chan time.Time
}

// listenToMonitor starts recording the default sink's monitor, mono
// float32 at 48 kHz, asking parec for 5 ms chunks.
func listenToMonitor(tb testing.TB) *ear {
	tb.Helper()
	e := &ear{onset: make(chan time.Time, 1),
		cmd: exec.Command("parec", "-d", "@DEFAULT_MONITOR@", "--raw", "--format=float32le", "--rate=48000", "--channels=1", "--latency-msec=5")}
	out, err := e.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.cmd.Start(); err != nil {
		tb.Skip("cannot record the sound device:", err)
	}
	tb.Cleanup(func() { e.cmd.Process.Kill(); e.cmd.Wait() })
	go e.read(out)
	return e
}

func (e *ear) read(out io.Reader) {
	const threshold = 0.0158 // -36 dBFS, as packaging/bench/probe
	buf := make([]byte, 4096)
	for {
		n, err := out.Read(buf)
		at := time.Now()
		frames := n / 4
		e.mu.Lock()
		for i := 0; e.armed && i < frames; i++ {
			v := math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
			if math.Abs(float64(v)) > threshold {
				// The chunk ends now: the sample came that much earlier.
				e.onset <- at.Add(-deviceRate.D(frames - i))
				e.armed = false
			}
		}
		e.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (e *ear) arm() {
	e.mu.Lock()
	e.armed = true
	e.mu.Unlock()
}

// BenchmarkSinkHeard measures, as p50-ms and p95-ms, the time from Start
// to the sound heard on the monitor of PulseAudio's default sink: the
// delay of a touch's sound that the sink adds, with parec's (5 ms asked),
// for the sound server's sink and for oto's on ALSA's pulse plugin.
// "running": the device was still playing (a prompt the touch cuts) when
// the sound started; "idle": nothing had played for a while (oto's sink
// had suspended its device, the server's stream had run dry). It needs
// PulseAudio (packaging/bench.sh's setup: a null sink as the default).
func BenchmarkSinkHeard(b *testing.B) {
	if _, err := exec.LookPath("parec"); err != nil {
		b.Skip("parec is not installed")
	}
	e := listenToMonitor(b)
	format := beep.Format{SampleRate: deviceRate, NumChannels: 2, Precision: 4}
	sinks := []struct {
		name  string
		open  func() (Sink, error)
		quiet func(Sink) // after Stop: the sink idle
	}{
		{"pulse", func() (Sink, error) { return OpenPulse() }, func(Sink) {}},
		{"oto", func() (Sink, error) { return OpenOto() }, func(s Sink) { waitSuspended(b, s.(*OtoSink)) }},
	}
	for _, sk := range sinks {
		for _, name := range []string{"running", "idle"} {
			b.Run(sk.name+"/"+name, func(b *testing.B) {
				sink, err := sk.open()
				if err != nil {
					b.Skip("no sound:", err)
				}
				var delays []time.Duration
				for range b.N {
					if name == "running" {
						// A prompt playing: silence, so that the monitor
						// hears the touch's sound, but written to the device
						// as a prompt is.
						sink.Start(Sound{Streamer: beep.Silence(-1), Format: format, keepSilence: true})
						time.Sleep(300 * time.Millisecond)
					} else {
						sink.Stop()
						sk.quiet(sink)
						time.Sleep(300 * time.Millisecond)
					}
					e.arm()
					start := time.Now()
					if err := sink.Start(Sound{Streamer: &deviceTone{left: deviceRate.N(100 * time.Millisecond)}, Format: format}); err != nil {
						b.Fatal(err)
					}
					select {
					case at := <-e.onset:
						delays = append(delays, at.Sub(start))
					case <-time.After(3 * time.Second):
						b.Fatal("nothing heard on the monitor within 3 s")
					}
				}
				sink.Stop()
				slices.Sort(delays)
				ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
				b.ReportMetric(ms(delays[len(delays)/2]), "p50-ms")
				b.ReportMetric(ms(delays[(len(delays)*95)/100]), "p95-ms")
			})
		}
	}
}
