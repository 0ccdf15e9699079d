//go:build unix && (cgo || darwin)

package audio

import (
	"syscall"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"
)

// cpuTime is the CPU time the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOtoIdleCPU measures the share of a core the process uses while
// nothing is heard, reported as cpu-%: with the device stream open and fed
// silence (a silent sound playing), and with the stream suspended as the
// sink does after a silence. Each op is one second. It needs a sound device.
func BenchmarkOtoIdleCPU(b *testing.B) {
	sink, err := OpenOto()
	if err != nil {
		b.Skip("no sound device:", err)
	}
	format := beep.Format{SampleRate: deviceRate, NumChannels: 2, Precision: 4}
	for _, name := range []string{"stream-open", "suspended"} {
		b.Run(name, func(b *testing.B) {
			if name == "suspended" {
				sink.Stop()
				waitSuspended(b, sink)
			} else {
				sink.Start(Sound{Streamer: beep.Silence(-1), Format: format})
			}
			b.ResetTimer()
			var used, wall time.Duration
			for range b.N {
				before, start := cpuTime(b), time.Now()
				time.Sleep(time.Second)
				used += cpuTime(b) - before
				wall += time.Since(start)
			}
			b.ReportMetric(100*float64(used)/float64(wall), "cpu-%")
			sink.Stop()
		})
	}
}
