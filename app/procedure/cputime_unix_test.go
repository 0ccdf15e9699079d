//go:build unix

package procedure_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, on every core, in user and
// system mode: on a machine shared with other work, a load's wall time
// moves with the others' load, its CPU time much less.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
