//go:build !linux

package sqlite

import "os"

// lockFile creates name and holds it open. Elsewhere than on Linux, where
// the kiosk is deployed, nothing stops a second kiosk: the lock is advisory
// there only by this file's presence.
func lockFile(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
}
