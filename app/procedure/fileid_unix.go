//go:build unix

package procedure

import (
	"os"
	"syscall"
)

// fileID tells files apart beyond their path: a folder swapped by a rename
// keeps its path and changes its inode.
type fileID struct{ Dev, Ino uint64 }

func idOf(info os.FileInfo) fileID {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return fileID{uint64(st.Dev), uint64(st.Ino)}
	}
	return fileID{}
}

// changeTime is the file's status change time in nanoseconds. Unlike the
// modification time no user can set it (touch -d, cp -p, an archive
// restoring times, a same-size edit with its time put back all change it).
func changeTime(info os.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano()
	}
	return 0
}
