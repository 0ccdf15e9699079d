// Package figurestest is the conformance suite of passerelle.FiguresSource:
// hand-made sessions whose every figure is known, run against the kiosk's
// database, the SQLite hub and the PostgreSQL hub from their own tests.
package figurestest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// Harness is one store under test.
type Harness struct {
	Source passerelle.FiguresSource
	// Append stores a kiosk's events as they reach this store: appended
	// on the kiosk, uploaded to a hub.
	Append func(t *testing.T, kiosk string, events []passerelle.Event)
	// Kiosks are the kiosks it can hold: one for a kiosk's database (its
	// own name), two for a hub.
	Kiosks []string
}

// Builder writes one session's events, as the session package would: one
// event per call, times in whole seconds from the start.
type Builder struct {
	events []passerelle.Event
	id     string
	proc   string
	at     time.Time
	step   string
}

// Session starts a session of procedure proc in lang at start.
func Session(id, proc string, lang passerelle.Lang, start time.Time) *Builder {
	b := &Builder{id: id, proc: proc, at: start}
	b.add(passerelle.Event{Kind: passerelle.EventSessionStarted, Lang: lang}, 0)
	return b
}

func (b *Builder) add(e passerelle.Event, after time.Duration) *Builder {
	b.at = b.at.Add(after)
	e.ID, e.SessionID, e.Seq, e.At, e.ProcedureID, e.ProcedureVersion = passerelle.NewID(b.at), b.id, len(b.events)+1, b.at, b.proc, 1
	if e.StepID == "" && e.Kind != passerelle.EventSessionStarted {
		e.StepID = b.step
	}
	b.events = append(b.events, e)
	return b
}

// Show shows a step after a while.
func (b *Builder) Show(step string, after time.Duration) *Builder {
	b.step = step
	return b.add(passerelle.Event{Kind: passerelle.EventStepShown, StepID: step}, after)
}

// Help calls a mediator on the step on screen.
func (b *Builder) Help(after time.Duration) *Builder {
	return b.add(passerelle.Event{Kind: passerelle.EventHelpAsked}, after)
}

// Handled is staff marking the call handled.
func (b *Builder) Handled(after time.Duration) *Builder {
	return b.add(passerelle.Event{Kind: passerelle.EventHelpHandled}, after)
}

// End ends the session on the step on screen.
func (b *Builder) End(o passerelle.Outcome, after time.Duration) *Builder {
	return b.add(passerelle.Event{Kind: passerelle.EventSessionEnded, Outcome: o}, after)
}

// Events returns the session's events.
func (b *Builder) Events() []passerelle.Event { return b.events }

// Lines writes figures one fact a line, periods as local dates: what the
// suite compares, and what a failure shows.
func Lines(f passerelle.Figures) []string {
	var lines []string
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	for _, s := range f.Sessions {
		lines = append(lines, fmt.Sprintf("sessions %s %s %s %s %s %d", day(s.Period), s.Kiosk, s.Procedure, s.Lang, s.Outcome, s.Sessions))
	}
	for _, d := range f.DropOffs {
		lines = append(lines, fmt.Sprintf("dropoff %s %s %s %s %s %d", day(d.Period), d.Kiosk, d.Procedure, d.Step, d.Outcome, d.Sessions))
	}
	for _, h := range f.HelpCalls {
		lines = append(lines, fmt.Sprintf("help %s %s %s %s %d", day(h.Period), h.Kiosk, h.Procedure, h.Step, h.Calls))
	}
	for _, h := range f.HelpAnswered {
		lines = append(lines, fmt.Sprintf("answered %s %s %d median %gs", day(h.Period), h.Kiosk, h.Answered, h.MedianSeconds))
	}
	return lines
}

// Run runs the suite; open returns a new, empty store.
func Run(t *testing.T, open func(t *testing.T) Harness) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	const s, min = time.Second, time.Minute

	// The year 2026 of one kiosk, in Paris: summer time from March 29.
	year := func(k string) [][]passerelle.Event {
		return [][]passerelle.Event{
			// Finished, after two calls answered once, 90 s after the first.
			Session(k+"-a", "caf", "fr", local(2026, 3, 2, 10, 0)).Show("income", 10*s).Help(5*s).Help(30*s).
				Handled(60*s).Show("end", 20*s).End(passerelle.OutcomeFinished, 0).Events(),
			// Abandoned on income, two calls answered 30 s then 60 s after.
			Session(k+"-b", "caf", "ar", local(2026, 3, 2, 11, 0)).Show("income", 10*s).Help(s).Handled(30*s).
				Show("children", 10*s).Help(s).Handled(60*s).Show("income", 5*s).End(passerelle.OutcomeAbandoned, 5*s).Events(),
			// 00:30 in Paris on April 1 is still March 31 in UTC: April.
			Session(k+"-c", "caf", "fr", local(2026, 4, 1, 0, 30)).Show("children", 10*s).End(passerelle.OutcomeTimedOut, 3*min).Events(),
			// Handed off: completed.
			Session(k+"-d", "ants", "uk", local(2026, 3, 15, 9, 0)).Show("handoff", 40*s).End(passerelle.OutcomeHandedOff, 0).Events(),
			// Interrupted within the day: ended, not completed.
			Session(k+"-e", "ants", "uk", local(2026, 3, 15, 10, 0)).Show("photo", 40*s).End(passerelle.OutcomeInterrupted, 10*min).Events(),
			// No end yet: open.
			Session(k+"-f", "ants", "fr", local(2026, 4, 20, 10, 0)).Show("photo", 40*s).Events(),
			// Closed as interrupted two days later: open too.
			Session(k+"-g", "ants", "fr", local(2026, 4, 21, 17, 0)).Show("photo", 40*s).End(passerelle.OutcomeInterrupted, 48*time.Hour).Events(),
			// A call never answered, and one before the range.
			Session(k+"-h", "caf", "fr", local(2026, 4, 30, 23, 59)).Help(10*s).End(passerelle.OutcomeAbandoned, 30*s).Events(),
			Session(k+"-before", "caf", "fr", local(2025, 12, 31, 23, 59)).Help(s).Handled(10*s).Show("end", 5*s).End(passerelle.OutcomeFinished, 0).Events(),
			// From May 1 in Paris: after the range.
			Session(k+"-after", "caf", "fr", local(2026, 5, 1, 0, 0)).Show("end", 5*s).End(passerelle.OutcomeFinished, 0).Events(),
		}
	}
	month := func(k string, m string) []string {
		return map[string][]string{
			"03": {
				"sessions 2026-03-01 " + k + " ants uk handed_off 1",
				"sessions 2026-03-01 " + k + " ants uk interrupted 1",
				"sessions 2026-03-01 " + k + " caf ar abandoned 1",
				"sessions 2026-03-01 " + k + " caf fr finished 1",
			},
			"04": {
				"sessions 2026-04-01 " + k + " ants fr open 2",
				"sessions 2026-04-01 " + k + " caf fr abandoned 1",
				"sessions 2026-04-01 " + k + " caf fr timed_out 1",
			},
			"drop03": {"dropoff 2026-03-01 " + k + " caf income abandoned 1"},
			"drop04": {
				"dropoff 2026-04-01 " + k + " caf  abandoned 1",
				"dropoff 2026-04-01 " + k + " caf children timed_out 1",
			},
			"help03": {
				"help 2026-03-01 " + k + " caf children 1",
				"help 2026-03-01 " + k + " caf income 3",
			},
			"help04":     {"help 2026-04-01 " + k + " caf  1"},
			"answered03": {"answered 2026-03-01 " + k + " 3 median 60s"},
		}[m]
	}
	ctx := context.Background()
	query := passerelle.FiguresQuery{From: local(2026, 1, 1, 0, 0), To: local(2026, 5, 1, 0, 0), Period: passerelle.PeriodMonth, Location: paris}

	t.Run("every figure of hand-made sessions", func(t *testing.T) {
		h := open(t)
		k := h.Kiosks[0]
		for _, evs := range year(k) {
			h.Append(t, k, evs)
		}
		f, err := h.Source.Figures(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range []string{"03", "04", "drop03", "drop04", "help03", "help04", "answered03"} {
			want = append(want, month(k, m)...)
		}
		assertLines(t, f, want)
		if c, e := f.Completion(); c != 2 || e != 6 {
			t.Errorf("completion: %d of %d sessions ended, want 2 of 6 (finished and handed off of all but the open ones)", c, e)
		}
		if f.TotalSessions() != 8 {
			t.Errorf("%d sessions, want 8", f.TotalSessions())
		}
	})

	t.Run("days and weeks begin at midnight in the time zone", func(t *testing.T) {
		h := open(t)
		k := h.Kiosks[0]
		for _, evs := range year(k)[2:4] { // March 31 22:30 UTC; March 15
			h.Append(t, k, evs)
		}
		for _, c := range []struct {
			period passerelle.Period
			loc    *time.Location
			want   []string
		}{
			{passerelle.PeriodDay, paris, []string{
				"sessions 2026-03-15 " + k + " ants uk handed_off 1",
				"sessions 2026-04-01 " + k + " caf fr timed_out 1"}},
			{passerelle.PeriodDay, time.UTC, []string{
				"sessions 2026-03-15 " + k + " ants uk handed_off 1",
				"sessions 2026-03-31 " + k + " caf fr timed_out 1"}},
			// March 15 2026 is a Sunday: its week began on Monday the 9th.
			{passerelle.PeriodWeek, paris, []string{
				"sessions 2026-03-09 " + k + " ants uk handed_off 1",
				"sessions 2026-03-30 " + k + " caf fr timed_out 1"}},
		} {
			q := query
			q.Period, q.Location = c.period, c.loc
			f, err := h.Source.Figures(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.DeleteFunc(Lines(f), func(l string) bool { return !strings.HasPrefix(l, "sessions") })
			if !slices.Equal(got, c.want) {
				t.Errorf("by %s in %s:\n%s\nwant:\n%s", c.period, c.loc, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		}
	})

	t.Run("one kiosk or all", func(t *testing.T) {
		h := open(t)
		for _, k := range h.Kiosks {
			for _, evs := range year(k)[:2] {
				h.Append(t, k, evs)
			}
		}
		for _, c := range []struct {
			name  string
			kiosk string
		}{
			{"every kiosk", ""},
			{"the first", h.Kiosks[0]},
			{"the last", h.Kiosks[len(h.Kiosks)-1]},
			{"a kiosk it does not hold", "nowhere"},
		} {
			var want []string
			for _, k := range h.Kiosks {
				if c.kiosk == "" || c.kiosk == k {
					want = append(want, "sessions 2026-03-01 "+k+" caf ar abandoned 1", "sessions 2026-03-01 "+k+" caf fr finished 1")
				}
			}
			q := query
			q.Kiosk = c.kiosk
			f, err := h.Source.Figures(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.DeleteFunc(Lines(f), func(l string) bool { return !strings.HasPrefix(l, "sessions") })
			if !slices.Equal(got, want) {
				t.Errorf("%s: got\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	})

	t.Run("an empty range is refused in plain words", func(t *testing.T) {
		h := open(t)
		q := query
		q.To = q.From
		if _, err := h.Source.Figures(ctx, q); err == nil || !strings.Contains(err.Error(), "first day must come before the last") {
			t.Errorf("got %v, want the range refused", err)
		}
	})
}

func assertLines(t *testing.T, f passerelle.Figures, want []string) {
	t.Helper()
	got := Lines(f)
	if !slices.Equal(got, want) {
		t.Errorf("figures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
