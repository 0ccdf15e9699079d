package procedure

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"passerelle/app/passerelle"
)

// CheckPictogram checks the file at path as the catalog's loader checks a
// pictogram, by the same code: its name's extension (.svg or .png) and its
// bytes agree, it is within the size limits, and it decodes and draws as
// the kiosk's screens draw it. The hub's editor calls it on an uploaded
// file before it joins a procedure. Errors are plain sentences for staff.
func CheckPictogram(path string) (passerelle.Media, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return passerelle.Media{}, errors.New("the file is missing")
	}
	if err != nil {
		return passerelle.Media{}, fmt.Errorf("cannot read the file: %s", plainError(err))
	}
	return decodeMedia(path, info.Size(), pictogram)
}
