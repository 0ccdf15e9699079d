//go:build linux

package sqlite_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"passerelle/app/sqlite"
)

const lockChildEnv = "PASSERELLE_LOCK_CHILD_DB"

// TestLockHolderChild is not a test of its own: TestRestartAfterACrashWaitsForTheLock
// runs it as a kiosk that opens a database, starts a program holding a copy
// of its files (as a kiosk starting espeak-ng does), then is killed.
func TestLockHolderChild(t *testing.T) {
	path := os.Getenv(lockChildEnv)
	if path == "" {
		t.Skip("run by TestRestartAfterACrashWaitsForTheLock")
	}
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	lock, err := os.Open(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	// The same open file as the kiosk's lock, handed down as a program
	// being started holds it until it has started.
	held := os.NewFile(db.LockFd(), "lock")
	lock.Close()
	program := exec.Command("sleep", "1")
	program.ExtraFiles = []*os.File{held}
	if err := program.Start(); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready\n")
	select {} // killed here
}

// TestRestartAfterACrashWaitsForTheLock: a kiosk is killed while a program
// it started still holds a copy of its lock. The kiosk restarted at once
// opens the database when that program ends, instead of refusing to start
// as if another kiosk were running.
func TestRestartAfterACrashWaitsForTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("the child kiosk did not start: %q %v", line, err)
	}
	cmd.Process.Kill()
	cmd.Wait()

	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatalf("restart after the crash: %v", err)
	}
	db.Close()
}
