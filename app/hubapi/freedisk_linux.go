package hubapi

import (
	"fmt"
	"syscall"
)

// freeDisk returns the bytes free for an unprivileged writer where dir is.
func freeDisk(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
