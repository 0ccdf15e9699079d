package editor

import "golang.org/x/sys/unix"

// exchange swaps two folders in one step: whoever looks at either path
// sees the old folder or the new one, never none.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
