//go:build !linux

package unprivileged

import (
	"os"
	"testing"
)

// Rerun skips t when it runs as root outside Linux, where the tests do
// not switch users; otherwise it returns false: the caller goes on.
func Rerun(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions do not apply; run as an ordinary user")
	}
	return false
}
