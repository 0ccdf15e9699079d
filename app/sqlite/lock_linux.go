//go:build linux

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
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
	if err := flockDeadHolder(f); err != nil {
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

// deadHolderWait bounds the wait for a lock whose kiosk has died.
const deadHolderWait = 3 * time.Second

// flockDeadHolder takes the lock. When the kiosk that held it has died
// (killed, crashed) the lock can outlive it for a moment: a program it was
// starting (espeak-ng) holds a copy of its files until that program has
// really started. A restart right after a crash then waits for that moment
// instead of refusing to start; a living kiosk is refused at once.
func flockDeadHolder(f *os.File) error {
	deadline := time.Now().Add(deadHolderWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) || alive(readPID(f)) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether a process with this id exists; 0 (unknown) counts
// as alive, so that an unknown holder is refused at once.
func alive(pid int) bool {
	if pid <= 0 {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
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
