package passerelle

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"
)

// Period is how the statistics are cut in time.
type Period string

const (
	PeriodDay   Period = "day"
	PeriodWeek  Period = "week" // Monday to Sunday
	PeriodMonth Period = "month"
)

// ParisTime is where the figures' days begin unless told otherwise.
const ParisTime = "Europe/Paris"

// MaxSessionLength is how long after its start a session's end still
// counts as its outcome. A kiosk stopped mid-session closes it as
// interrupted when it starts again, maybe days later: the session then
// counts with no outcome (OutcomeOpen). The bound also lets the hub's
// queries read only the partitions of the range asked, plus one day.
const MaxSessionLength = 24 * time.Hour

// MaxFiguresRange bounds a query's range: a range of centuries (a typo
// in a year) would make the SQL a CASE of every change of summer time.
const MaxFiguresRange = 3653 * 24 * time.Hour

// OutcomeOpen is the outcome the figures give a session with no end
// recorded within MaxSessionLength of its start: still going, or
// interrupted and not yet closed. It is never stored in an event.
const OutcomeOpen Outcome = "open"

// Completed tells whether a session with this outcome counts as reaching
// the end of its procedure in the completion rate: finished, or handed off
// (the kiosk brought the person to a mediator, which is its purpose too).
func (o Outcome) Completed() bool { return o == OutcomeFinished || o == OutcomeHandedOff }

// Dropped tells whether the person gave up: abandoned or timed out. Those
// sessions make the drop-off per step.
func (o Outcome) Dropped() bool { return o == OutcomeAbandoned || o == OutcomeTimedOut }

// FiguresQuery asks for the anonymous statistics of a time range.
type FiguresQuery struct {
	From, To time.Time      // sessions started in [From, To)
	Period   Period         // how to cut the range
	Location *time.Location // where days begin; nil is Europe/Paris
	Kiosk    string         // hub only: one kiosk's figures; "" for every kiosk
}

// Validate checks the query and fills its defaults.
func (q *FiguresQuery) Validate() error {
	switch q.Period {
	case "":
		q.Period = PeriodMonth
	case PeriodDay, PeriodWeek, PeriodMonth:
	default:
		return fmt.Errorf("the period %q is not one of day, week, month", q.Period)
	}
	if q.Location == nil {
		loc, err := time.LoadLocation(ParisTime)
		if err != nil {
			return fmt.Errorf("the time zone %s is unknown to this machine: %w", ParisTime, err)
		}
		q.Location = loc
	}
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return errors.New("the range of dates is empty: the first day must come before the last")
	}
	if q.To.Sub(q.From) > MaxFiguresRange {
		return errors.New("the range of dates is longer than 10 years: ask for 10 years at most")
	}
	return nil
}

// FiguresSource gives the anonymous statistics of the sessions it holds:
// the kiosk's database (its own sessions) and the hub's (every kiosk's).
// Every implementation returns the same Figures for the same events.
type FiguresSource interface {
	// Figures counts the sessions that started in [q.From, q.To). Never a
	// personal value nor a session id: only counts, by period, kiosk,
	// procedure, language, step and outcome.
	Figures(ctx context.Context, q FiguresQuery) (Figures, error)
}

// Figures are the anonymous statistics of a time range, for staff and
// funders. Every list is sorted by period, kiosk, procedure, then the
// rest of its key; periods without sessions have no rows.
type Figures struct {
	From, To time.Time
	Period   Period
	Location string // the time zone's name: where periods begin

	// Sessions counts sessions by the period they started in, with how
	// each ended (OutcomeOpen when it has not).
	Sessions []SessionCount
	// DropOffs counts the abandoned and timed-out sessions by the last
	// step they showed: where people give up.
	DropOffs []DropOff
	// HelpCalls counts help_asked events by period and step.
	HelpCalls []HelpCount
	// HelpAnswered times the calls staff marked handled (help_handled
	// events), by period: how long people waited for a mediator.
	HelpAnswered []HelpAnswer
}

// SessionCount is a number of sessions that share a period, a kiosk, a
// procedure, a language and an outcome.
type SessionCount struct {
	Period    time.Time // the first instant of the period, in Location
	Kiosk     string    // "" on a kiosk not joined to a hub
	Procedure string
	Lang      Lang
	Outcome   Outcome
	Sessions  int
}

// DropOff is a number of sessions given up on one step.
type DropOff struct {
	Period    time.Time
	Kiosk     string
	Procedure string
	Step      string // the last step the session showed
	Outcome   Outcome
	Sessions  int
}

// HelpCount is a number of calls for a mediator made on one step.
type HelpCount struct {
	Period    time.Time
	Kiosk     string
	Procedure string
	Step      string
	Calls     int
}

// HelpAnswer is how fast the calls of a period were answered: the time
// from a help_asked to the help_handled that followed it in the session.
type HelpAnswer struct {
	Period        time.Time
	Kiosk         string
	Answered      int
	MedianSeconds float64
}

// Completion counts the sessions that ended and those among them that
// reached the end of their procedure (Outcome.Completed). Open sessions
// are left out of both.
func (f Figures) Completion() (completed, ended int) {
	for _, s := range f.Sessions {
		if s.Outcome == OutcomeOpen {
			continue
		}
		ended += s.Sessions
		if s.Outcome.Completed() {
			completed += s.Sessions
		}
	}
	return completed, ended
}

// Rate is completed / ended as a percentage, 0 when nothing ended.
func Rate(completed, ended int) float64 {
	if ended == 0 {
		return 0
	}
	return 100 * float64(completed) / float64(ended)
}

// TotalSessions counts every session of the figures.
func (f Figures) TotalSessions() int {
	n := 0
	for _, s := range f.Sessions {
		n += s.Sessions
	}
	return n
}

// ZoneSpan is a stretch of time over which a time zone keeps one offset
// from UTC: from the previous span's Until (in unix milliseconds) to its
// own; the last span has no end (Until is 0).
type ZoneSpan struct {
	Until  int64 // unix milliseconds, exclusive; 0 for the last span
	Offset int64 // milliseconds to add to UTC
}

// Spans returns the offsets of q's time zone over [From-1 day, To+1 day),
// for the SQL that numbers local days: local day = (ms + offset) / 1 day.
// A year in Paris is three spans.
func (q FiguresQuery) Spans() []ZoneSpan {
	start, end := q.From.Add(-24*time.Hour), q.To.Add(24*time.Hour)
	offset := func(t time.Time) int64 {
		_, s := t.In(q.Location).Zone()
		return int64(s) * 1000
	}
	var spans []ZoneSpan
	cur := offset(start)
	for t := start; t.Before(end); {
		next := t.Add(6 * time.Hour) // no zone changes its offset twice in 6 hours
		if o := offset(next); o != cur {
			// The change lies in (t, next]: find it to the second.
			lo, hi := t, next
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if offset(mid) == cur {
					lo = mid
				} else {
					hi = mid
				}
			}
			spans = append(spans, ZoneSpan{Until: hi.UnixMilli(), Offset: cur})
			cur = o
		}
		t = next
	}
	return append(spans, ZoneSpan{Offset: cur})
}

// LocalDayMillis is the length of the local days the SQL numbers.
const LocalDayMillis = 24 * 60 * 60 * 1000

// PeriodOf returns the first instant of the period holding local day d
// (days since 1970-01-01 on the wall clock of q.Location).
func (q FiguresQuery) PeriodOf(d int64) time.Time {
	day := time.Date(1970, 1, 1+int(d), 0, 0, 0, 0, q.Location)
	switch q.Period {
	case PeriodWeek:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return time.Date(day.Year(), day.Month(), day.Day()-back, 0, 0, 0, 0, q.Location)
	case PeriodMonth:
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, q.Location)
	}
	return day
}

// FiguresBuilder makes Figures from the counts the SQL returns by local
// day: each store runs its queries and feeds the rows here, so that every
// store cuts periods and sorts the same way.
type FiguresBuilder struct {
	q        FiguresQuery
	sessions map[SessionCount]int
	drops    map[DropOff]int
	help     map[HelpCount]int
	waits    map[helpKey][]float64
}

type helpKey struct {
	period time.Time
	kiosk  string
}

// NewFiguresBuilder starts the figures of a validated query.
func NewFiguresBuilder(q FiguresQuery) *FiguresBuilder {
	return &FiguresBuilder{q: q, sessions: map[SessionCount]int{}, drops: map[DropOff]int{},
		help: map[HelpCount]int{}, waits: map[helpKey][]float64{}}
}

// AddSessions counts n sessions started on local day d, with the outcome
// of their end ("" when none) and the step they ended on.
func (b *FiguresBuilder) AddSessions(d int64, kiosk, procedure string, lang Lang, outcome Outcome, lastStep string, n int) {
	p := b.q.PeriodOf(d)
	if outcome == "" {
		outcome = OutcomeOpen
	}
	b.sessions[SessionCount{Period: p, Kiosk: kiosk, Procedure: procedure, Lang: lang, Outcome: outcome}] += n
	if outcome.Dropped() {
		b.drops[DropOff{Period: p, Kiosk: kiosk, Procedure: procedure, Step: lastStep, Outcome: outcome}] += n
	}
}

// AddHelpCalls counts n help calls made on local day d.
func (b *FiguresBuilder) AddHelpCalls(d int64, kiosk, procedure, step string, n int) {
	b.help[HelpCount{Period: b.q.PeriodOf(d), Kiosk: kiosk, Procedure: procedure, Step: step}] += n
}

// AddHelpAnswer records a call answered on local day d after waitMillis.
func (b *FiguresBuilder) AddHelpAnswer(d int64, kiosk string, waitMillis int64) {
	k := helpKey{b.q.PeriodOf(d), kiosk}
	b.waits[k] = append(b.waits[k], float64(waitMillis)/1000)
}

// Figures returns the figures, sorted.
func (b *FiguresBuilder) Figures() Figures {
	f := Figures{From: b.q.From.In(b.q.Location), To: b.q.To.In(b.q.Location), Period: b.q.Period, Location: b.q.Location.String()}
	for k, n := range b.sessions {
		k.Sessions = n
		f.Sessions = append(f.Sessions, k)
	}
	slices.SortFunc(f.Sessions, func(a, b SessionCount) int {
		return cmp.Or(a.Period.Compare(b.Period), cmp.Compare(a.Kiosk, b.Kiosk), cmp.Compare(a.Procedure, b.Procedure),
			cmp.Compare(a.Lang, b.Lang), cmp.Compare(a.Outcome, b.Outcome))
	})
	for k, n := range b.drops {
		k.Sessions = n
		f.DropOffs = append(f.DropOffs, k)
	}
	slices.SortFunc(f.DropOffs, func(a, b DropOff) int {
		return cmp.Or(a.Period.Compare(b.Period), cmp.Compare(a.Kiosk, b.Kiosk), cmp.Compare(a.Procedure, b.Procedure),
			cmp.Compare(a.Step, b.Step), cmp.Compare(a.Outcome, b.Outcome))
	})
	for k, n := range b.help {
		k.Calls = n
		f.HelpCalls = append(f.HelpCalls, k)
	}
	slices.SortFunc(f.HelpCalls, func(a, b HelpCount) int {
		return cmp.Or(a.Period.Compare(b.Period), cmp.Compare(a.Kiosk, b.Kiosk), cmp.Compare(a.Procedure, b.Procedure),
			cmp.Compare(a.Step, b.Step))
	})
	for k, waits := range b.waits {
		f.HelpAnswered = append(f.HelpAnswered, HelpAnswer{Period: k.period, Kiosk: k.kiosk,
			Answered: len(waits), MedianSeconds: median(waits)})
	}
	slices.SortFunc(f.HelpAnswered, func(a, b HelpAnswer) int {
		return cmp.Or(a.Period.Compare(b.Period), cmp.Compare(a.Kiosk, b.Kiosk))
	})
	return f
}

// median is the middle value, or the mean of the two middle ones.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Periods yields the first instant of every period of the range, in
// order, those without sessions too: a chart shows a day nobody came as
// a bar of nothing, not a missing day. A week starts on Monday.
func (f Figures) Periods() iter.Seq[time.Time] {
	return func(yield func(time.Time) bool) {
		loc := f.From.Location()
		t := f.From
		switch f.Period {
		case PeriodWeek:
			t = time.Date(t.Year(), t.Month(), t.Day()-(int(t.Weekday())+6)%7, 0, 0, 0, 0, loc)
		case PeriodMonth:
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		}
		for t.Before(f.To) && yield(t) {
			switch f.Period {
			case PeriodWeek:
				t = time.Date(t.Year(), t.Month(), t.Day()+7, 0, 0, 0, 0, loc)
			case PeriodMonth:
				t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc)
			default:
				t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
			}
		}
	}
}

// LastDay is the last day the figures cover, in their time zone: To is
// the first instant after them.
func (f Figures) LastDay() time.Time { return f.To.Add(-time.Nanosecond) }

// MarshalJSON writes the figures with snake_case keys, periods and the
// range as local dates (YYYY-MM-DD), and the completion rate computed.
func (f Figures) MarshalJSON() ([]byte, error) {
	date := func(t time.Time) string { return t.Format(time.DateOnly) }
	type sessionJSON struct {
		Period    string `json:"period"`
		Kiosk     string `json:"kiosk"`
		Procedure string `json:"procedure"`
		Lang      string `json:"language"`
		Outcome   string `json:"outcome"`
		Sessions  int    `json:"sessions"`
	}
	type dropJSON struct {
		Period    string `json:"period"`
		Kiosk     string `json:"kiosk"`
		Procedure string `json:"procedure"`
		Step      string `json:"step"`
		Outcome   string `json:"outcome"`
		Sessions  int    `json:"sessions"`
	}
	type helpJSON struct {
		Period    string `json:"period"`
		Kiosk     string `json:"kiosk"`
		Procedure string `json:"procedure"`
		Step      string `json:"step"`
		Calls     int    `json:"calls"`
	}
	type answerJSON struct {
		Period        string  `json:"period"`
		Kiosk         string  `json:"kiosk"`
		Answered      int     `json:"answered"`
		MedianSeconds float64 `json:"median_seconds"`
	}
	sessions := make([]sessionJSON, len(f.Sessions))
	for i, s := range f.Sessions {
		sessions[i] = sessionJSON{date(s.Period), s.Kiosk, s.Procedure, string(s.Lang), string(s.Outcome), s.Sessions}
	}
	drops := make([]dropJSON, len(f.DropOffs))
	for i, d := range f.DropOffs {
		drops[i] = dropJSON{date(d.Period), d.Kiosk, d.Procedure, d.Step, string(d.Outcome), d.Sessions}
	}
	help := make([]helpJSON, len(f.HelpCalls))
	for i, h := range f.HelpCalls {
		help[i] = helpJSON{date(h.Period), h.Kiosk, h.Procedure, h.Step, h.Calls}
	}
	answers := make([]answerJSON, len(f.HelpAnswered))
	for i, a := range f.HelpAnswered {
		answers[i] = answerJSON{date(a.Period), a.Kiosk, a.Answered, a.MedianSeconds}
	}
	completed, ended := f.Completion()
	return json.Marshal(struct {
		From           string        `json:"from"`
		To             string        `json:"to"` // the last day, included
		Period         Period        `json:"period"`
		TimeZone       string        `json:"time_zone"`
		Sessions       int           `json:"sessions"`
		Ended          int           `json:"ended"`
		Completed      int           `json:"completed"` // finished or handed off
		CompletionRate float64       `json:"completion_rate"`
		BySession      []sessionJSON `json:"by_period"`
		DropOffs       []dropJSON    `json:"drop_offs"`
		HelpCalls      []helpJSON    `json:"help_calls"`
		HelpAnswered   []answerJSON  `json:"help_answered"`
	}{date(f.From), date(f.LastDay()), f.Period, f.Location, f.TotalSessions(), ended, completed,
		math.Round(10*Rate(completed, ended)) / 10, sessions, drops, help, answers})
}
