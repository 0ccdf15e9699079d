package hubweb

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"passerelle/app/figurescsv"
	"passerelle/app/passerelle"
)

// silentAfter: a kiosk syncs every few minutes when online; past an hour
// without a word staff should look at it.
const silentAfter = time.Hour

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.In(paris()).Format("2006-01-02 15:04")
	},
}

func paris() *time.Location {
	if loc, err := time.LoadLocation(passerelle.ParisTime); err == nil {
		return loc
	}
	return time.UTC
}

// render writes a whole template to a buffer first: a template error
// then gives a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, code int, name string, data any) {
	var b bytes.Buffer
	if err := s.templates.ExecuteTemplate(&b, name, data); err != nil {
		s.logger().Error("staff page: render", "template", name, "err", err)
		http.Error(w, "The hub could not draw this page: see the hub's log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

// page is what every signed-in page shows in its header.
type page struct {
	User string
	CSRF string
	Tab  string
}

// kioskRow is one kiosk as the page shows it.
type kioskRow struct {
	Name, State, StateClass    string
	LastSeen                   time.Time
	AppVersion, CatalogVersion string
	PendingEvents              int
	LastError                  string
}

func (s *Server) kioskRows(r *http.Request) ([]kioskRow, error) {
	ks, err := s.Store.Kiosks(r.Context())
	if err != nil {
		return nil, err
	}
	now := s.now()
	rows := make([]kioskRow, 0, len(ks))
	for _, k := range ks {
		row := kioskRow{Name: k.Name, LastSeen: k.LastSeen, AppVersion: k.Report.AppVersion,
			CatalogVersion: k.Report.CatalogVersion, PendingEvents: k.Report.PendingEvents, LastError: k.Report.LastError}
		if len(row.CatalogVersion) > 12 {
			row.CatalogVersion = row.CatalogVersion[:12] // enough to tell versions apart
		}
		switch {
		case !k.RevokedAt.IsZero():
			row.State, row.StateClass = "revoked", "off"
		case k.JoinedAt.IsZero():
			row.State, row.StateClass = "waiting to join", "off"
		case k.LastSeen.IsZero() || now.Sub(k.LastSeen) > silentAfter:
			row.State, row.StateClass = "silent", "warn"
		case k.Report.LastError != "":
			row.State, row.StateClass = "sync problem", "warn"
		default:
			row.State, row.StateClass = "online", "ok"
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// live is what the kiosks page refreshes by itself: the help calls
// waiting, then the kiosks.
type live struct {
	Waiting   []helpRow
	Kiosks    []kioskRow
	UpdatedAt time.Time
	CSRF      string // the Handled buttons' forms
}

// Unhandled counts the calls nobody marked yet: the page's title shows
// it, so a page left in a background tab still tells someone waits.
func (l live) Unhandled() int {
	n := 0
	for _, c := range l.Waiting {
		if c.MarkedBy == "" {
			n++
		}
	}
	return n
}

func (s *Server) liveData(r *http.Request, sess passerelle.StaffSession) (live, error) {
	now := s.now()
	waiting, err := s.helpRows(r, now)
	if err != nil {
		return live{}, fmt.Errorf("list the help calls: %w", err)
	}
	rows, err := s.kioskRows(r)
	if err != nil {
		return live{}, fmt.Errorf("list the kiosks: %w", err)
	}
	return live{Waiting: waiting, Kiosks: rows, UpdatedAt: now, CSRF: sess.CSRFToken}, nil
}

func (s *Server) kiosksPage(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	l, err := s.liveData(r, sess)
	if err != nil {
		s.internal(w, r, "list the kiosks and help calls", err)
		return
	}
	every := s.RefreshEvery
	if every <= 0 {
		every = DefaultRefresh
	}
	title := "Kiosks"
	if n := l.Unhandled(); n > 0 {
		title = fmt.Sprintf("(%d) Kiosks", n)
	}
	s.render(w, http.StatusOK, "kiosks.html", struct {
		page
		Title        string
		Live         live
		RefreshMilli int64
		Notice       string
	}{page{User: sess.User, CSRF: sess.CSRFToken, Tab: "kiosks"}, title, l, every.Milliseconds(), helpNotices[r.URL.Query().Get("help")]})
}

// live serves the fragment the kiosks page fetches every few seconds.
func (s *Server) live(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	l, err := s.liveData(r, sess)
	if err != nil {
		s.internal(w, r, "list the kiosks and help calls", err)
		return
	}
	s.render(w, http.StatusOK, "live", l)
}

// statsForm is the range the statistics page shows, as typed.
type statsForm struct {
	From, To, Period, Kiosk string
}

// figuresQuery reads the range of the statistics page or its CSV: days in
// Paris time, both included; by default the last 12 months by month.
func figuresQuery(r *http.Request, now time.Time) (passerelle.FiguresQuery, statsForm, error) {
	loc := paris()
	form := statsForm{From: strings.TrimSpace(r.FormValue("from")), To: strings.TrimSpace(r.FormValue("to")),
		Period: r.FormValue("period"), Kiosk: r.FormValue("kiosk")}
	q := passerelle.FiguresQuery{Period: passerelle.Period(form.Period), Location: loc, Kiosk: form.Kiosk}
	if q.Period == "" {
		q.Period, form.Period = passerelle.PeriodMonth, string(passerelle.PeriodMonth)
	}
	today := now.In(loc)
	last := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	if form.To != "" {
		t, err := time.ParseInLocation(time.DateOnly, form.To, loc)
		if err != nil {
			return q, form, fmt.Errorf("the last day %q is not a date: write it as year-month-day, such as 2026-01-31", form.To)
		}
		last = t
	}
	first := time.Date(last.Year(), last.Month()-11, 1, 0, 0, 0, 0, loc)
	if form.From != "" {
		t, err := time.ParseInLocation(time.DateOnly, form.From, loc)
		if err != nil {
			return q, form, fmt.Errorf("the first day %q is not a date: write it as year-month-day, such as 2026-01-01", form.From)
		}
		first = t
	}
	form.From, form.To = first.Format(time.DateOnly), last.Format(time.DateOnly)
	if first.After(last) {
		return q, form, errors.New("the first day comes after the last: give the first day, then the last")
	}
	q.From, q.To = first, time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)
	return q, form, q.Validate()
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	data := struct {
		page
		Form                    statsForm
		Problem                 string
		Kiosks                  []string
		Total, Ended, Completed int
		Rate                    float64
		Charts                  []chart
		DropOffs                []dropOff
		HelpAnswered            []passerelle.HelpAnswer
		CSV                     template.URL
		Period                  passerelle.Period
	}{page: page{User: sess.User, CSRF: sess.CSRFToken, Tab: "stats"}}
	ks, err := s.Store.Kiosks(r.Context())
	if err != nil {
		s.internal(w, r, "list the kiosks", err)
		return
	}
	for _, k := range ks {
		data.Kiosks = append(data.Kiosks, k.Name)
	}
	q, form, err := figuresQuery(r, s.now())
	data.Form = form
	if err == nil && len(periods(passerelle.Figures{From: q.From, To: q.To, Period: q.Period})) > maxPeriods {
		err = fmt.Errorf("the range holds more than %d %ss: choose a longer period, or fewer days", maxPeriods, q.Period)
	}
	if err != nil {
		data.Problem = err.Error()
		s.render(w, http.StatusBadRequest, "stats.html", data)
		return
	}
	f, err := s.Store.Figures(r.Context(), q)
	if err != nil {
		s.internal(w, r, "count the statistics", err)
		return
	}
	ps := periods(f)
	data.Total = f.TotalSessions()
	data.Completed, data.Ended = f.Completion()
	data.Rate = passerelle.Rate(data.Completed, data.Ended)
	data.Charts = []chart{sessionsChart(f, ps), completionChart(f, ps), helpChart(f, ps)}
	data.DropOffs = topDropOffs(f, 10)
	data.HelpAnswered = f.HelpAnswered
	data.Period = f.Period
	// The range as read, encoded here: a template would escape the
	// query's = and & as data.
	v := url.Values{"from": {form.From}, "to": {form.To}, "period": {form.Period}}
	if form.Kiosk != "" {
		v.Set("kiosk", form.Kiosk)
	}
	data.CSV = template.URL("/stats.csv?" + v.Encode())
	s.render(w, http.StatusOK, "stats.html", data)
}

// statsCSV downloads the figures of the page's range in stats -csv's
// layout.
func (s *Server) statsCSV(w http.ResponseWriter, r *http.Request, _ passerelle.StaffSession) {
	q, _, err := figuresQuery(r, s.now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f, err := s.Store.Figures(r.Context(), q)
	if err != nil {
		s.internal(w, r, "count the statistics", err)
		return
	}
	var b bytes.Buffer
	if err := figurescsv.Write(&b, f); err != nil {
		s.internal(w, r, "write the CSV", err)
		return
	}
	name := fmt.Sprintf("passerelle-stats-%s-%s.csv", f.From.Format(time.DateOnly), f.LastDay().Format(time.DateOnly))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b.Bytes())
}
