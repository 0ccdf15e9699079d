//go:build unix

package sqlite_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	passqlite "passerelle/app/sqlite"
)

// A named pipe given as -db would block a plain open for ever.
func TestOpenRefusesAPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- passqlite.NewDB(path).Open() }()
	select {
	case err := <-done:
		if !errors.Is(err, passqlite.ErrNotDatabase) {
			t.Fatalf("Open: %v; want ErrNotDatabase", err)
		}
		assertPlain(t, err, path, "is not a file")
	case <-time.After(10 * time.Second):
		t.Fatal("Open blocked on a named pipe")
	}
	if info, err := os.Lstat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v, %v", info, err)
	}
}
