//go:build unix

package procedure

import (
	"os"
	"syscall"
)

// fileID tells files apart beyond their path: a folder swapped by a rename
// keeps its path and changes its inode.
type fileID struct{ dev, ino uint64 }

func idOf(info os.FileInfo) fileID {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return fileID{uint64(st.Dev), uint64(st.Ino)}
	}
	return fileID{}
}
