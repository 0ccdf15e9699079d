package hubweb

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"passerelle/app/passerelle"
)

// The charts are SVG drawn here, on the server: no script, no library,
// and they print as they show.

// chart is one SVG chart, its shapes placed in its own pixels.
type chart struct {
	Title         string
	Width, Height int
	Rects         []rect
	Line          string // the polyline's points, "" for none
	Dots          []dot
	Labels        []label
	Legend        []legendItem
	Empty         bool
}

type rect struct {
	X, Y, W, H float64
	Fill       string
	Title      string // the tooltip: the figure in words
}

type dot struct {
	X, Y  float64
	Title string
}

type label struct {
	X, Y   float64
	Text   string
	Anchor string // start, middle, end
}

type legendItem struct {
	Fill, Text string
}

// outcomeColours, in the order of a session; colour-blind-safe enough
// (blue, orange, vermilion, greys) and each has its tooltip in words.
var outcomeColours = []struct {
	outcome passerelle.Outcome
	fill    string
	text    string
}{
	{passerelle.OutcomeFinished, "#0072b2", "finished"},
	{passerelle.OutcomeHandedOff, "#56b4e9", "handed off to a mediator"},
	{passerelle.OutcomeAbandoned, "#e69f00", "abandoned"},
	{passerelle.OutcomeTimedOut, "#d55e00", "timed out"},
	{passerelle.OutcomeInterrupted, "#777777", "interrupted"},
	{passerelle.OutcomeOpen, "#cccccc", "not ended"},
}

// maxPeriods bounds the bars of a chart: a range of years by day would
// draw thousands of hairlines.
const maxPeriods = 400

// The plot area inside every chart.
const (
	chartW, chartH = 760, 260
	padLeft        = 48
	padRight       = 12
	padTop         = 12
	padBottom      = 28
)

// periods lists the first instant of every period of the figures'
// range, up to maxPeriods and one more.
func periods(f passerelle.Figures) []time.Time {
	var ps []time.Time
	for t := range f.Periods() {
		if len(ps) > maxPeriods {
			break
		}
		ps = append(ps, t)
	}
	return ps
}

func periodLabel(p time.Time, period passerelle.Period) string {
	if period == passerelle.PeriodMonth {
		return p.Format("2006-01")
	}
	return p.Format(time.DateOnly)
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceMax(n int) int {
	if n <= 0 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// frame is a chart's empty plot: its y axis labels and, every few
// periods, the periods' labels under it.
func frame(title string, ps []time.Time, period passerelle.Period, top int, unit string) (chart, float64) {
	c := chart{Title: title, Width: chartW, Height: chartH}
	plotW := float64(chartW - padLeft - padRight)
	slot := plotW / float64(max(len(ps), 1))
	for _, v := range []int{0, top / 2, top} {
		y := float64(chartH-padBottom) - float64(v)/float64(top)*float64(chartH-padTop-padBottom)
		c.Labels = append(c.Labels, label{X: padLeft - 6, Y: y + 4, Text: fmt.Sprint(v) + unit, Anchor: "end"})
	}
	every := max(1, (len(ps)+7)/8)
	for i, p := range ps {
		if i%every == 0 {
			c.Labels = append(c.Labels, label{X: padLeft + slot*(float64(i)+0.5), Y: chartH - 8, Text: periodLabel(p, period), Anchor: "middle"})
		}
	}
	return c, slot
}

func yOf(v float64, top int) float64 {
	return float64(chartH-padBottom) - v/float64(top)*float64(chartH-padTop-padBottom)
}

// sessionsChart: sessions per period, one stacked bar per period, one
// colour per outcome.
func sessionsChart(f passerelle.Figures, ps []time.Time) chart {
	// Keyed by Unix time: the same instant whatever its *Location.
	byPeriod := map[int64]map[passerelle.Outcome]int{}
	total := map[int64]int{}
	for _, s := range f.Sessions {
		p := s.Period.Unix()
		if byPeriod[p] == nil {
			byPeriod[p] = map[passerelle.Outcome]int{}
		}
		byPeriod[p][s.Outcome] += s.Sessions
		total[p] += s.Sessions
	}
	top := niceMax(maxOf(total))
	c, slot := frame("Sessions by outcome", ps, f.Period, top, "")
	for _, oc := range outcomeColours {
		c.Legend = append(c.Legend, legendItem{Fill: oc.fill, Text: oc.text})
	}
	for i, p := range ps {
		base := 0
		for _, oc := range outcomeColours {
			n := byPeriod[p.Unix()][oc.outcome]
			if n == 0 {
				continue
			}
			y0, y1 := yOf(float64(base), top), yOf(float64(base+n), top)
			c.Rects = append(c.Rects, rect{X: padLeft + slot*float64(i) + slot*0.15, Y: y1, W: slot * 0.7, H: y0 - y1, Fill: oc.fill,
				Title: fmt.Sprintf("%s: %d sessions %s", periodLabel(p, f.Period), n, oc.text)})
			base += n
		}
	}
	c.Empty = len(total) == 0
	return c
}

func maxOf[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n = max(n, v)
	}
	return n
}

// completionChart: the share of ended sessions that reached the end of
// their procedure, per period, as a line; periods where nothing ended
// break it.
func completionChart(f passerelle.Figures, ps []time.Time) chart {
	completed, ended := map[int64]int{}, map[int64]int{}
	for _, s := range f.Sessions {
		if s.Outcome == passerelle.OutcomeOpen {
			continue
		}
		ended[s.Period.Unix()] += s.Sessions
		if s.Outcome.Completed() {
			completed[s.Period.Unix()] += s.Sessions
		}
	}
	c, slot := frame("Completion rate (finished or handed off, of the sessions that ended)", ps, f.Period, 100, " %")
	var points []string
	for i, p := range ps {
		if ended[p.Unix()] == 0 {
			continue
		}
		rate := passerelle.Rate(completed[p.Unix()], ended[p.Unix()])
		x, y := padLeft+slot*(float64(i)+0.5), yOf(rate, 100)
		points = append(points, fmt.Sprintf("%.1f,%.1f", x, y))
		c.Dots = append(c.Dots, dot{X: x, Y: y, Title: fmt.Sprintf("%s: %.0f %% of %d sessions", periodLabel(p, f.Period), rate, ended[p.Unix()])})
	}
	c.Line = strings.Join(points, " ")
	c.Empty = len(points) == 0
	return c
}

// helpChart: the calls for a mediator per period.
func helpChart(f passerelle.Figures, ps []time.Time) chart {
	calls := map[int64]int{}
	for _, h := range f.HelpCalls {
		calls[h.Period.Unix()] += h.Calls
	}
	top := niceMax(maxOf(calls))
	c, slot := frame("Help calls", ps, f.Period, top, "")
	for i, p := range ps {
		if n := calls[p.Unix()]; n > 0 {
			y := yOf(float64(n), top)
			c.Rects = append(c.Rects, rect{X: padLeft + slot*float64(i) + slot*0.15, Y: y, W: slot * 0.7, H: float64(chartH-padBottom) - y,
				Fill: "#009e73", Title: fmt.Sprintf("%s: %d help calls", periodLabel(p, f.Period), n)})
		}
	}
	c.Empty = len(calls) == 0
	return c
}

// dropOff is the sessions given up on one step of one procedure.
type dropOff struct {
	Procedure, Step string
	Sessions        int
	Width           float64 // of the bar, in em: the longest is 12
}

// topDropOffs: the steps where most people gave up, the most first.
func topDropOffs(f passerelle.Figures, n int) []dropOff {
	sum := map[[2]string]int{}
	for _, d := range f.DropOffs {
		sum[[2]string{d.Procedure, d.Step}] += d.Sessions
	}
	var ds []dropOff
	for k, v := range sum {
		ds = append(ds, dropOff{Procedure: k[0], Step: k[1], Sessions: v})
	}
	slices.SortFunc(ds, func(a, b dropOff) int {
		return cmp.Or(cmp.Compare(b.Sessions, a.Sessions), cmp.Compare(a.Procedure, b.Procedure), cmp.Compare(a.Step, b.Step))
	})
	if len(ds) > n {
		ds = ds[:n]
	}
	for i := range ds {
		ds[i].Width = 12 * float64(ds[i].Sessions) / float64(ds[0].Sessions)
	}
	return ds
}
