package ui

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/figurescsv"
	"passerelle/app/passerelle"
)

// The periods the statistics tab offers, as staff read them.
const (
	StatsDays   = "7 days"
	StatsWeeks  = "5 weeks"
	StatsMonths = "12 months"
)

// statsQueryTimeout bounds one screen's query: far above the 200 ms a
// busy year takes, so only a stuck disk reaches it.
const statsQueryTimeout = 10 * time.Second

// StatsView holds the statistics tab's controls by name, for the kiosk
// and its tests.
type StatsView struct {
	Period     *widget.RadioGroup
	Sessions   *widget.Label // headline figures
	Completion *widget.Label
	HelpCalls  *widget.Label
	Wait       *widget.Label // time to answer; hidden when no call was marked handled
	Status     *widget.Label // "Reading…", or why the figures cannot be read

	ByPeriod *Chart // sessions per period by outcome, the completion rate over them
	DropOff  *Chart // where people give up, in the procedure DropOffPick names
	// DropOffPick chooses the drop-off chart's procedure among those
	// people gave up on; it starts on the one with most drop-offs.
	DropOffPick *widget.Select
	ByLanguage  *Chart
	ByProcedure *Chart

	Export   *widget.Button
	Exported *widget.Label // where the file went, or why it did not

	scroll  *container.Scroll
	shown   passerelle.Figures // what the charts show: what Export writes
	query   passerelle.FiguresQuery
	loaded  chan struct{}
	written chan struct{}
	pending int // queries asked and not yet shown: the last one wins
}

// Loaded is closed once the figures of the period chosen last are shown
// (or could not be read).
func (v *StatsView) Loaded() <-chan struct{} { return v.loaded }

// Written is closed once the export pressed last has written its file,
// or failed to.
func (v *StatsView) Written() <-chan struct{} { return v.written }

// Figures returns the figures on show.
func (v *StatsView) Figures() passerelle.Figures { return v.shown }

// outcomeColors colour the outcomes the same in every chart: good ones
// green and blue, giving up orange and red, the rest grey.
var outcomeOrder = []struct {
	outcome passerelle.Outcome
	name    string
	color   color.Color
}{
	{passerelle.OutcomeFinished, "finished", color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}},
	{passerelle.OutcomeHandedOff, "handed off", color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff}},
	{passerelle.OutcomeAbandoned, "abandoned", color.NRGBA{R: 0xef, G: 0x6c, B: 0x00, A: 0xff}},
	{passerelle.OutcomeTimedOut, "timed out", color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}},
	{passerelle.OutcomeInterrupted, "interrupted", color.NRGBA{R: 0x75, G: 0x75, B: 0x75, A: 0xff}},
	{passerelle.OutcomeOpen, "open", color.NRGBA{R: 0xbd, G: 0xbd, B: 0xbd, A: 0xff}},
}

var barColor = color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff}

// staffStatistics is the statistics tab: a period, the headline figures,
// the charts, and the CSV export.
func (k *Kiosk) staffStatistics() fyne.CanvasObject {
	if k.deps.Figures == nil {
		l := widget.NewLabel("This kiosk has no statistics to show: its database is not open.")
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	v := &StatsView{
		Sessions: widget.NewLabel(""), Completion: widget.NewLabel(""), HelpCalls: widget.NewLabel(""),
		Wait: widget.NewLabel(""), Status: widget.NewLabel(""), Exported: widget.NewLabel(""),
		ByPeriod: NewChart("Sessions and completion rate"), DropOff: NewChart("Where people give up"),
		ByLanguage: NewChart("Sessions by language"), ByProcedure: NewChart("Sessions by procedure"),
	}
	for _, l := range []*widget.Label{v.Sessions, v.Completion, v.HelpCalls, v.Wait} {
		l.TextStyle.Bold = true
	}
	v.Status.Wrapping, v.Exported.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	v.Exported.Hide()
	v.ByLanguage.Horizontal, v.ByProcedure.Horizontal, v.DropOff.Horizontal = true, true, true
	// The figures are read when staff open the tab (staff.go), and again
	// at each period chosen.
	v.Period = widget.NewRadioGroup([]string{StatsDays, StatsWeeks, StatsMonths}, nil)
	v.Period.SetSelected(StatsDays)
	v.Period.OnChanged = func(string) {
		k.staffTouched()
		k.loadStats(v)
	}
	v.Period.Horizontal = true
	v.DropOffPick = widget.NewSelect(nil, func(string) {
		k.staffTouched()
		k.showDropOffs(v)
	})
	v.DropOffPick.Hide() // until someone gave up
	v.Export = widget.NewButtonWithIcon("Export CSV", theme.DocumentSaveIcon(), func() {
		k.staffTouched()
		k.exportStats(v)
	})
	k.staff.view.Stats = v

	top := container.NewBorder(nil, nil, widget.NewLabel("Last:"), v.Export, v.Period)
	headline := container.NewGridWithColumns(2, v.Sessions, v.Completion, v.HelpCalls, v.Wait)
	dropOff := container.NewBorder(v.DropOffPick, nil, nil, nil, v.DropOff)
	charts := container.NewGridWithColumns(2, v.ByPeriod, dropOff, v.ByProcedure, v.ByLanguage)
	// One scroll for all, as the other tabs: the tab then asks no width
	// of the window, whatever the theme the sizes are measured in.
	v.scroll = container.NewVScroll(container.NewVBox(top, v.Exported, v.Status, headline, charts))
	v.Export.Disable() // until figures are shown
	return v.scroll
}

// showText sets a label's text, and hides it when empty: an empty line
// costs room on a small screen.
func showText(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// statsQuery is the query of a period choice at now: whole local days up
// to today included.
func statsQuery(choice string, now time.Time) passerelle.FiguresQuery {
	loc, err := time.LoadLocation(passerelle.ParisTime)
	if err != nil {
		loc = time.Local
	}
	t := now.In(loc)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	q := passerelle.FiguresQuery{To: today.AddDate(0, 0, 1), Location: loc}
	switch choice {
	case StatsWeeks:
		monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		q.Period, q.From = passerelle.PeriodWeek, monday.AddDate(0, 0, -28)
	case StatsMonths:
		q.Period, q.From = passerelle.PeriodMonth, time.Date(t.Year(), t.Month()-11, 1, 0, 0, 0, 0, loc)
	default:
		q.Period, q.From = passerelle.PeriodDay, today.AddDate(0, 0, -6)
	}
	return q
}

// loadStats reads the figures of the period chosen off the UI's
// goroutine, and shows them when they come.
func (k *Kiosk) loadStats(v *StatsView) {
	q := statsQuery(v.Period.Selected, k.deps.Now())
	v.query = q
	if v.pending == 0 {
		v.loaded = make(chan struct{})
	}
	loaded := v.loaded
	v.pending++
	showText(v.Status, "Reading the figures…")
	v.Export.Disable()
	src := k.deps.Figures
	ctx := k.ctx
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		ctx, cancel := context.WithTimeout(ctx, statsQueryTimeout)
		defer cancel()
		f, err := src.Figures(ctx, q)
		fyne.Do(func() {
			v.pending--
			if v.pending > 0 {
				return // a newer choice is on its way
			}
			if err != nil {
				k.deps.Logger.Error("kiosk: the statistics cannot be read", "err", err)
				showText(v.Status, "The figures cannot be read now: the kiosk's log says why.")
			} else {
				k.showStats(v, f)
			}
			close(loaded)
		})
	}()
}

// showStats fills the tab with f.
func (k *Kiosk) showStats(v *StatsView, f passerelle.Figures) {
	v.shown = f
	showText(v.Status, "")
	v.Export.Enable()
	completed, ended := f.Completion()
	v.Sessions.SetText(fmt.Sprintf("%d sessions", f.TotalSessions()))
	if ended == 0 {
		v.Completion.SetText("Completion: no session ended")
	} else {
		v.Completion.SetText(fmt.Sprintf("Completion: %.0f %% (%d of %d)", passerelle.Rate(completed, ended), completed, ended))
	}
	calls := 0
	for _, h := range f.HelpCalls {
		calls += h.Calls
	}
	v.HelpCalls.SetText(fmt.Sprintf("%d help calls", calls))
	showText(v.Wait, waitText(f.HelpAnswered))

	periods := slices.Collect(f.Periods())
	index := map[time.Time]int{}
	labels := make([]string, len(periods))
	for i, p := range periods {
		index[p] = i
		labels[i] = statsLabel(p, f.Period)
	}
	series := make([]Series, len(outcomeOrder))
	at := map[passerelle.Outcome]int{}
	for i, o := range outcomeOrder {
		series[i] = Series{Name: o.name, Color: o.color, Values: make([]float64, len(periods))}
		at[o.outcome] = i
	}
	done, over := make([]float64, len(periods)), make([]float64, len(periods))
	byLang, byProc := map[string]float64{}, map[string]float64{}
	for _, s := range f.Sessions {
		i, ok := index[s.Period]
		if !ok {
			continue
		}
		series[at[s.Outcome]].Values[i] += float64(s.Sessions)
		if s.Outcome != passerelle.OutcomeOpen {
			over[i] += float64(s.Sessions)
			if s.Outcome.Completed() {
				done[i] += float64(s.Sessions)
			}
		}
		byLang[string(s.Lang)] += float64(s.Sessions)
		byProc[s.Procedure] += float64(s.Sessions)
	}
	rate := make([]float64, len(periods))
	for i := range rate {
		rate[i] = math.NaN()
		if over[i] > 0 {
			rate[i] = 100 * done[i] / over[i]
		}
	}
	// Only the outcomes that happened get a place in the legend.
	series = slices.DeleteFunc(series, func(s Series) bool { return slices.Max(append(s.Values, 0)) == 0 })
	v.ByPeriod.Categories, v.ByPeriod.Series, v.ByPeriod.Line, v.ByPeriod.LineName = labels, series, rate, "completion % (chart top: 100 %)"
	v.ByPeriod.Refresh()

	setRanked(v.ByLanguage, byLang, staffLangName)
	setRanked(v.ByProcedure, byProc, func(p string) string { return p })

	// The procedure chosen stays chosen from one period to the next, as
	// long as people gave up on it; else the one with most drop-offs.
	procs := dropOffProcedures(f)
	chosen := v.DropOffPick.Selected
	if !slices.Contains(procs, chosen) && len(procs) > 0 {
		chosen = procs[0]
	}
	v.DropOffPick.Options = procs
	v.DropOffPick.Selected = chosen // without OnChanged: showDropOffs follows
	v.DropOffPick.Refresh()
	if len(procs) > 1 {
		v.DropOffPick.Show()
	} else {
		v.DropOffPick.Hide()
	}
	k.showDropOffs(v)
}

// showDropOffs draws the drop-off chart of the procedure chosen.
func (k *Kiosk) showDropOffs(v *StatsView) {
	proc := v.DropOffPick.Selected
	steps, counts := k.dropOffs(v.shown, proc)
	v.DropOff.Title = "Where people give up"
	if proc != "" {
		v.DropOff.Title = "Where people give up: " + proc
	}
	v.DropOff.Empty = "Nobody gave up in this period."
	v.DropOff.Categories = steps
	v.DropOff.Series = []Series{{Name: "gave up", Color: outcomeOrder[2].color, Values: counts}}
	v.DropOff.Refresh()
}

// staffLangName names a language for staff: its French name and code.
func staffLangName(code string) string {
	if l, ok := passerelle.LookupLanguage(passerelle.Lang(code)); ok {
		return fmt.Sprintf("%s (%s)", l.French, code)
	}
	return code
}

// setRanked shows counts by name, most first.
func setRanked(c *Chart, counts map[string]float64, name func(string) string) {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	c.Categories = make([]string, len(keys))
	values := make([]float64, len(keys))
	for i, k := range keys {
		c.Categories[i], values[i] = name(k), counts[k]
	}
	c.Series = []Series{{Name: "sessions", Color: barColor, Values: values}}
	c.Refresh()
}

// dropOffProcedures lists the procedures people gave up on, most
// drop-offs first (then by id, so the order never flickers).
func dropOffProcedures(f passerelle.Figures) []string {
	byProc := map[string]int{}
	for _, d := range f.DropOffs {
		byProc[d.Procedure] += d.Sessions
	}
	procs := slices.Collect(maps.Keys(byProc))
	slices.SortFunc(procs, func(a, b string) int { return cmp.Or(cmp.Compare(byProc[b], byProc[a]), cmp.Compare(a, b)) })
	return procs
}

// dropOffs counts a procedure's drop-offs by step, in the order of the
// procedure's steps when the catalog still has it.
func (k *Kiosk) dropOffs(f passerelle.Figures, procedure string) (steps []string, counts []float64) {
	if procedure == "" {
		return nil, nil
	}
	byStep := map[string]float64{}
	for _, d := range f.DropOffs {
		if d.Procedure == procedure {
			byStep[d.Step] += float64(d.Sessions)
		}
	}
	order := map[string]int{}
	if c := k.catalog.Load(); c != nil {
		for _, p := range c.Procedures {
			if p.ID == procedure {
				for i, s := range p.Steps {
					order[s.ID] = i
				}
			}
		}
	}
	for s := range byStep {
		steps = append(steps, s)
	}
	slices.SortFunc(steps, func(a, b string) int {
		oa, aok := order[a]
		ob, bok := order[b]
		switch {
		case aok && bok:
			return cmp.Compare(oa, ob)
		case aok != bok: // steps the catalog no longer has go last
			if aok {
				return -1
			}
			return 1
		}
		return cmp.Compare(a, b)
	})
	for _, s := range steps {
		counts = append(counts, byStep[s])
	}
	for i, s := range steps {
		if s == "" {
			steps[i] = "(before the first step)"
		}
	}
	return steps, counts
}

// statsLabel names a period in few letters: "Mon 23", "from 23/11", "Nov 2026".
func statsLabel(p time.Time, period passerelle.Period) string {
	switch period {
	case passerelle.PeriodWeek:
		return p.Format("02/01")
	case passerelle.PeriodMonth:
		return p.Format("Jan 06")
	}
	return p.Format("Mon 2")
}

// waitText says how long people waited for a mediator: the median of the
// one period with answered calls, or the range of the periods' medians.
func waitText(answers []passerelle.HelpAnswer) string {
	if len(answers) == 0 {
		return ""
	}
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, a := range answers {
		lo, hi, n = math.Min(lo, a.MedianSeconds), math.Max(hi, a.MedianSeconds), n+a.Answered
	}
	if lo == hi {
		return fmt.Sprintf("Answered in %s (median of %d)", seconds(lo), n)
	}
	return fmt.Sprintf("Answered in %s to %s (medians)", seconds(lo), seconds(hi))
}

func seconds(s float64) string {
	return (time.Duration(math.Round(s)) * time.Second).String()
}

// usbRoots are where the desktop mounts USB sticks: a folder per stick.
func usbRoots() []string {
	user := os.Getenv("USER")
	if user == "" {
		return nil
	}
	return []string{filepath.Join("/media", user), filepath.Join("/run/media", user)}
}

// exportFolders lists, at the moment staff press Export, the USB sticks
// mounted (the folders under the roots) and then the kiosk's data folder.
func (k *Kiosk) exportFolders() (sticks []string, data string) {
	roots := k.deps.USBRoots
	if roots == nil {
		roots = usbRoots()
	}
	for _, root := range roots {
		entries, err := os.ReadDir(root)
		if err != nil {
			continue
		}
		for _, e := range entries {
			path := filepath.Join(root, e.Name())
			if info, err := os.Stat(path); err == nil && info.IsDir() {
				sticks = append(sticks, path)
			}
		}
	}
	return sticks, k.deps.DataDir
}

// exportStats writes the figures on show as the CSV of passerelle stats
// -csv: on the USB stick when one is plugged in (staff choose when there
// are several), in the kiosk's data folder otherwise.
func (k *Kiosk) exportStats(v *StatsView) {
	v.written = make(chan struct{})
	sticks, data := k.exportFolders()
	switch {
	case len(sticks) == 1:
		k.writeStats(v, sticks[0], "the USB stick")
	case len(sticks) > 1:
		k.chooseStick(v, sticks)
	case data != "":
		k.writeStats(v, data, "the kiosk's data folder (no USB stick is plugged in)")
	default:
		showText(v.Exported, "No USB stick is plugged in: plug one in, wait for it to open, and press Export CSV again.")
		close(v.written)
	}
}

// chooseStick asks which stick, when there are several.
func (k *Kiosk) chooseStick(v *StatsView, sticks []string) {
	var d *dialog.CustomDialog
	chosen := false
	buttons := make([]fyne.CanvasObject, len(sticks))
	for i, s := range sticks {
		buttons[i] = widget.NewButton(filepath.Base(s), func() {
			k.staffTouched()
			chosen = true
			d.Hide()
			k.writeStats(v, s, "the USB stick "+filepath.Base(s))
		})
	}
	d = dialog.NewCustom("Which USB stick?", "Cancel", container.NewVBox(buttons...), k.win)
	d.SetOnClosed(func() {
		if !chosen { // cancelled: nothing written, nothing to say
			close(v.written)
		}
	})
	d.Show()
}

// writeStats writes the CSV into dir off the UI's goroutine (a stick is
// slow), then says where it went or why not.
func (k *Kiosk) writeStats(v *StatsView, dir, where string) {
	f := v.shown
	written := v.written
	// Save takes a path that is not a folder for the file's name: a
	// folder gone since (a stick pulled out) must not become one.
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		showText(v.Exported, fmt.Sprintf("Not saved: the folder %s is not there any more (was the USB stick pulled out?). Plug it in and press Export CSV again.", dir))
		close(written)
		return
	}
	v.Export.Disable()
	showText(v.Exported, "Writing the file…")
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		path, err := figurescsv.Save(dir, f)
		fyne.Do(func() {
			v.Export.Enable()
			if err != nil {
				k.deps.Logger.Error("kiosk: the statistics could not be exported", "err", err)
				showText(v.Exported, sentence(err.Error()))
			} else {
				k.deps.Logger.Info("kiosk: statistics exported", "file", path)
				showText(v.Exported, fmt.Sprintf("Saved on %s: %s", where, path))
			}
			close(written)
		})
	}()
}
