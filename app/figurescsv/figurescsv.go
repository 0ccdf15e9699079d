// Package figurescsv writes the anonymous statistics as one CSV table:
// the layout of passerelle stats -csv, of the kiosk's export and of the
// hub's page, written by this one function so that a spreadsheet made
// for one reads the others.
package figurescsv

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"passerelle/app/passerelle"
)

// Header is the one table stats -csv writes. Every figure is a row of
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
var Header = []string{"figure", "period", "kiosk", "procedure", "language", "step", "outcome", "count", "median_seconds"}

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
	rows := [][]string{Header}
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

// printable puts a value on one line: control characters become spaces,
// runs of spaces one.
func printable(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
}
