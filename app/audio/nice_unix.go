//go:build unix

package audio

import "syscall"

// yieldCPU lowers the priority of the process pid to nice 10, as far as
// the system lets it: it then gets a small share of a busy CPU. A failure
// only leaves it at the usual priority.
func yieldCPU(pid int) { _ = syscall.Setpriority(syscall.PRIO_PROCESS, pid, 10) }
