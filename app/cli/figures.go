package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"passerelle/app/figurescsv"
	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/sqlite"
)

// figuresQuery makes the query of stats' flags: dates are days in the time
// zone, -to included.
func figuresQuery(from, to, period, zone string, now time.Time) (passerelle.FiguresQuery, error) {
	q := passerelle.FiguresQuery{Period: passerelle.Period(period)}
	switch q.Period {
	case passerelle.PeriodDay, passerelle.PeriodWeek, passerelle.PeriodMonth:
	default:
		return q, usagef("-period %q is not a period: give day, week or month", period)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" || strings.EqualFold(zone, "local") {
		return q, usagef("-tz %q is not a time zone this machine knows: give one such as Europe/Paris or America/Cayenne", zone)
	}
	q.Location = loc
	today := now.In(loc)
	last := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	if to != "" {
		if last, err = day("to", to, loc); err != nil {
			return q, err
		}
	}
	first := time.Date(last.Year(), last.Month()-11, 1, 0, 0, 0, 0, loc)
	if from != "" {
		if first, err = day("from", from, loc); err != nil {
			return q, err
		}
	}
	if first.After(last) {
		return q, usagef("-from %s comes after -to %s: give the first day, then the last", first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	q.From, q.To = first, time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
	if err := q.Validate(); err != nil {
		return q, usagef("%s", err.Error())
	}
	return q, nil
}

// day reads a -from or -to date.
func day(flag, value string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(value), loc)
	if err != nil {
		return t, usagef("-%s %q is not a date: write it as year-month-day, such as 2026-01-31", flag, printable(value))
	}
	return t, nil
}

// readFigures reads the figures of a kiosk's or a hub's -db.
func readFigures(ctx context.Context, db string, q passerelle.FiguresQuery) (passerelle.Figures, error) {
	if postgres.IsDSN(db) {
		f, err := postgres.ReadFigures(ctx, db, q)
		return f, plainPostgres(db, err)
	}
	return sqlite.ReadFigures(ctx, db, q)
}

// statsJSON is stats -json: the database's stats, their keys unchanged,
// with the figures added under "figures".
func statsJSON(stats passerelle.DatabaseStats, f passerelle.Figures) ([]byte, error) {
	b, err := json.Marshal(stats)
	if err != nil {
		return nil, err
	}
	fb, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	// Both are objects: the figures go in before the stats' closing brace,
	// so the stats' keys keep their order.
	b = bytes.TrimSuffix(b, []byte("}"))
	return fmt.Appendf(b, `,"figures":%s}`, fb), nil
}

// periodLabel writes a period as staff read it: 2026-03 for a month, the
// first day for a week or a day.
func periodLabel(p time.Time, period passerelle.Period) string {
	if period == passerelle.PeriodMonth {
		return p.Format("2006-01")
	}
	return p.Format(time.DateOnly)
}

// outcomes are the columns of the text table, in the order of a session.
var outcomes = []passerelle.Outcome{passerelle.OutcomeFinished, passerelle.OutcomeHandedOff,
	passerelle.OutcomeAbandoned, passerelle.OutcomeTimedOut, passerelle.OutcomeInterrupted, passerelle.OutcomeOpen}

// printFigures writes the figures as tables for staff: sessions by period
// with one column per outcome, where people give up, the help calls.
func printFigures(w io.Writer, f passerelle.Figures, hub bool) {
	by := map[passerelle.Period]string{passerelle.PeriodDay: "day", passerelle.PeriodWeek: "week (from Monday)", passerelle.PeriodMonth: "month"}[f.Period]
	fmt.Fprintf(w, "Sessions started from %s to %s (%s time), by %s\n",
		f.From.Format(time.DateOnly), f.LastDay().Format(time.DateOnly), f.Location, by)
	completed, ended := f.Completion()
	if f.TotalSessions() == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	fmt.Fprintf(w, "  %d sessions; of the %d that ended, %d reached the end of their procedure (finished or handed off to a mediator): %.1f %%\n",
		f.TotalSessions(), ended, completed, passerelle.Rate(completed, ended))

	// One row per period, kiosk, procedure and language; one column per outcome.
	type row struct {
		period           time.Time
		kiosk, procedure string
		lang             passerelle.Lang
	}
	var rows []row
	counts := map[row]map[passerelle.Outcome]int{}
	for _, s := range f.Sessions {
		r := row{s.Period, s.Kiosk, s.Procedure, s.Lang}
		if counts[r] == nil {
			counts[r] = map[passerelle.Outcome]int{}
			rows = append(rows, r)
		}
		counts[r][s.Outcome] += s.Sessions
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"PERIOD"}
	if hub {
		header = append(header, "KIOSK")
	}
	header = append(header, "PROCEDURE", "LANGUAGE", "FINISHED", "HANDED OFF", "ABANDONED", "TIMED OUT", "INTERRUPTED", "OPEN", "TOTAL")
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := []string{periodLabel(r.period, f.Period)}
		if hub {
			cells = append(cells, printable(r.kiosk))
		}
		cells = append(cells, printable(r.procedure), printable(string(r.lang)))
		total := 0
		for _, o := range outcomes {
			cells = append(cells, strconv.Itoa(counts[r][o]))
			total += counts[r][o]
		}
		cells = append(cells, strconv.Itoa(total))
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()

	if len(f.DropOffs) > 0 {
		fmt.Fprintln(w, "\nWhere people gave up (abandoned or timed out), on the whole range, most first")
		type step struct{ procedure, step string }
		gaveUp := map[step][2]int{}
		for _, d := range f.DropOffs {
			n := gaveUp[step{d.Procedure, d.Step}]
			if d.Outcome == passerelle.OutcomeAbandoned {
				n[0] += d.Sessions
			} else {
				n[1] += d.Sessions
			}
			gaveUp[step{d.Procedure, d.Step}] = n
		}
		steps := slices.Collect(mapKeys(gaveUp))
		slices.SortFunc(steps, func(a, b step) int {
			na, nb := gaveUp[a], gaveUp[b]
			return cmp.Or(cmp.Compare(nb[0]+nb[1], na[0]+na[1]), cmp.Compare(a.procedure, b.procedure), cmp.Compare(a.step, b.step))
		})
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PROCEDURE\tSTEP\tABANDONED\tTIMED OUT")
		for _, s := range steps[:min(len(steps), topSteps)] {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", printable(s.procedure), orDash(printable(s.step)), gaveUp[s][0], gaveUp[s][1])
		}
		tw.Flush()
		moreSteps(w, len(steps))
	}

	calls := 0
	for _, h := range f.HelpCalls {
		calls += h.Calls
	}
	fmt.Fprintf(w, "\nHelp calls: %d, most first\n", calls)
	if calls > 0 {
		type step struct{ procedure, step string }
		perStep := map[step]int{}
		for _, h := range f.HelpCalls {
			perStep[step{h.Procedure, h.Step}] += h.Calls
		}
		steps := slices.Collect(mapKeys(perStep))
		slices.SortFunc(steps, func(a, b step) int {
			return cmp.Or(cmp.Compare(perStep[b], perStep[a]), cmp.Compare(a.procedure, b.procedure), cmp.Compare(a.step, b.step))
		})
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PROCEDURE\tSTEP\tCALLS")
		for _, s := range steps[:min(len(steps), topSteps)] {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", printable(s.procedure), orDash(printable(s.step)), perStep[s])
		}
		tw.Flush()
		moreSteps(w, len(steps))
	}
	if len(f.HelpAnswered) == 0 {
		fmt.Fprintln(w, "No help call marked handled yet: the time to answer shows once staff mark calls handled.")
		return
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "\nTime to answer a help call")
	if hub {
		fmt.Fprintln(tw, "PERIOD\tKIOSK\tANSWERED\tMEDIAN WAIT")
	} else {
		fmt.Fprintln(tw, "PERIOD\tANSWERED\tMEDIAN WAIT")
	}
	for _, a := range f.HelpAnswered {
		wait := (time.Duration(math.Round(a.MedianSeconds)) * time.Second).String()
		if hub {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", periodLabel(a.Period, f.Period), printable(a.Kiosk), a.Answered, wait)
		} else {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", periodLabel(a.Period, f.Period), a.Answered, wait)
		}
	}
	tw.Flush()
}

// topSteps is how many steps the text tables show: the CSV has them all.
const topSteps = 10

func moreSteps(w io.Writer, n int) {
	if n > topSteps {
		fmt.Fprintf(w, "  and %d more steps: stats -csv lists them all\n", n-topSteps)
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// saveFiguresCSV writes the CSV to path, or into path when it is a folder
// (a USB stick's), under a name saying the range. The file appears whole
// or not at all: written beside, synced, then renamed, so a stick pulled
// out too early never holds half a table under the final name.
func saveFiguresCSV(path string, f passerelle.Figures) (string, error) {
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
	err = figurescsv.Write(tmp, f)
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
