//go:build !linux

package hubapi

import "errors"

// freeDisk is measured on Linux only, where kiosks run.
func freeDisk(dir string) (int64, error) {
	return 0, errors.New("free disk space is measured on Linux only")
}
