package unprivileged

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// nobody is the uid and gid of Debian's user "nobody".
const nobody = 65534

// Rerun makes t run as an ordinary user. As root, it runs t again, alone,
// in a copy of the test binary as the user nobody, makes that run's
// outcome t's, and returns true: the caller returns at once. Otherwise
// (an ordinary user, or that copy) it returns false: the caller goes on
// with its test.
func Rerun(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 || os.Getenv(marker) != "" {
		return false
	}
	// The go tool builds the test binary in a folder only root may enter:
	// nobody runs a copy, from a folder everyone may read.
	dir, err := os.MkdirTemp("", "unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o777|os.ModeSticky); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "test")
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatalf("copy the test binary for the user nobody: %v", err)
	}
	// -test.run matches each level of a subtest's name on its own.
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := exec.Command(bin, "-test.run="+strings.Join(parts, "/"), "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), marker+"=1", "TMPDIR="+tmp, "HOME="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Fatalf("%s, run again as the user nobody, failed (%v):\n%s", t.Name(), err, out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()):
		// A skip or a name that matched nothing would pass silently.
		t.Fatalf("%s, run again as the user nobody, did not pass:\n%s", t.Name(), out)
	}
	t.Logf("run again as the user nobody: passed")
	return true
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}
