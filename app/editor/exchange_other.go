//go:build !linux

package editor

import "os"

// exchange swaps two folders by three renames: elsewhere than on Linux,
// a watcher may see the moment b is missing.
func exchange(a, b string) error {
	tmp := a + ".swap"
	if err := os.Rename(b, tmp); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(tmp, b)
		return err
	}
	return os.Rename(tmp, a)
}
