//go:build linux

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockFile takes an exclusive advisory lock (flock) on name, creating it,
// and writes the process id in it for the message another kiosk shows. The
// kernel releases the lock when the process ends, however it ends, so a
// crash never leaves a kiosk locked out. An flock belongs to one open file:
// a second open of the same database, in this process or another, is
// refused. The file is never removed: a process that opened it just before
// the removal would lock a file nobody else sees.
func lockFile(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := readPID(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &inUseError{pid: pid}
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	// Ours now: replace the last holder's process id.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		return 0
	}
	return pid
}
