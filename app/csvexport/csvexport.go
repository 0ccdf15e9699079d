// Package csvexport writes the anonymous statistics as the one CSV table
// that passerelle stats -csv and the kiosk's staff mode both export.
package csvexport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"passerelle/app/passerelle"
)

// csvHeader is the one table passerelle stats -csv and the kiosk's staff mode write. Every figure is a row of
// it, told by its first column, so that a spreadsheet's filter or pivot
// table reads it whole:
//
//	sessions       period, kiosk, procedure, language, outcome, count
//	drop_off       period, kiosk, procedure, step, outcome (abandoned or timed_out), count
//	help_calls     period, kiosk, procedure, step, count
//	help_answered  period, kiosk, count (calls answered), median_seconds
//
// Periods are their first day (YYYY-MM-DD), which spreadsheets read as
// dates; the median is whole seconds, so no decimal separator meets a
// French spreadsheet.
var csvHeader = []string{"figure", "period", "kiosk", "procedure", "language", "step", "outcome", "count", "median_seconds"}

// utf8BOM starts the CSV: without it Excel reads UTF-8 as Windows-1252
// (a kiosk named "mairie-évry" would show "Ã©"); LibreOffice reads it
// either way and drops the mark.
const utf8BOM = "\ufeff"

// Write writes the figures as one CSV table, RFC 4180 (commas,
// CRLF), UTF-8 with a byte order mark.
func Write(w io.Writer, f passerelle.Figures) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("write the CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	rows := [][]string{csvHeader}
	for _, s := range f.Sessions {
		rows = append(rows, []string{"sessions", date(s.Period), s.Kiosk, s.Procedure, string(s.Lang), "", string(s.Outcome), strconv.Itoa(s.Sessions), ""})
	}
	for _, d := range f.DropOffs {
		rows = append(rows, []string{"drop_off", date(d.Period), d.Kiosk, d.Procedure, "", d.Step, string(d.Outcome), strconv.Itoa(d.Sessions), ""})
	}
	for _, h := range f.HelpCalls {
		rows = append(rows, []string{"help_calls", date(h.Period), h.Kiosk, h.Procedure, "", h.Step, "", strconv.Itoa(h.Calls), ""})
	}
	for _, a := range f.HelpAnswered {
		rows = append(rows, []string{"help_answered", date(a.Period), a.Kiosk, "", "", "", "", strconv.Itoa(a.Answered),
			strconv.FormatInt(int64(math.Round(a.MedianSeconds)), 10)})
	}
	for _, r := range rows {
		for i := range r {
			r[i] = inertCell(r[i])
		}
		if err := cw.Write(r); err != nil {
			return fmt.Errorf("write the CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write the CSV: %w", err)
	}
	return nil
}

// inertCell keeps a spreadsheet from running what a kiosk sent: a kiosk
// name or a step id starting with = + - @ (or a tab or a carriage return)
// would be read as a formula. A quote before it makes it text, as
// OWASP advises; control characters become spaces.
func inertCell(s string) string {
	s = printable(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

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

// printable turns control characters into spaces and keeps one line.
func printable(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
}
