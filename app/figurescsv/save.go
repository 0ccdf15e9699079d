package figurescsv

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passerelle/app/passerelle"
)

// Save writes the CSV to path, or into path when it is a folder
// (a USB stick's), under a name saying the range. The file appears whole
// or not at all: written beside, synced, then renamed, so a stick pulled
// out too early never holds half a table under the final name.
func Save(path string, f passerelle.Figures) (string, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		path = filepath.Join(path, fmt.Sprintf("passerelle-stats-%s-%s.csv", f.From.Format(time.DateOnly), f.LastDay().Format(time.DateOnly)))
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cannot write the CSV to %s: the folder %s does not exist (is the USB stick plugged in?)", path, dir)
	} else if err == nil && !info.IsDir() {
		return "", fmt.Errorf("cannot write the CSV to %s: %s is a file, not a folder", path, dir)
	}
	tmp, err := os.CreateTemp(dir, ".passerelle-stats-*.tmp")
	if err != nil {
		return "", fmt.Errorf("cannot write the CSV in %s: %w", dir, plainFileError(err))
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	err = Write(tmp, f)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return "", fmt.Errorf("cannot write the CSV to %s: %w", path, plainFileError(err))
	}
	// The rename itself reaches the disk with the folder's sync.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return path, nil
}

// plainFileError says why a file could not be written, in plain words
// when the cause is a usual one.
func plainFileError(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied (a read-only USB stick, or a folder of another user?)")
	case strings.Contains(err.Error(), "no space left"):
		return errors.New("the disk or the USB stick is full")
	}
	return err
}
