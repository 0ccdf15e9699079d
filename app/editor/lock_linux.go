package editor

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock (flock) on the work folder's lock file,
// waiting for another process holding it: two hub processes started on
// one work folder (a service and a copy started by hand) take turns
// rather than lose each other's saves. The kernel frees it with the
// process, however it ends.
func lockDir(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("the editor's folder %s cannot be made (%w): start the hub with -editor and a folder it may write in", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the editor's folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the editor's folder: %w", err)
	}
	return func() { f.Close() }, nil
}
