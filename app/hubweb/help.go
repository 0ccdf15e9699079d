package hubweb

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"passerelle/app/passerelle"
)

// helpCallsShown is how far back the page lists open help calls, as the
// kiosk's own list: a call forgotten yesterday must not fill today's.
const helpCallsShown = 12 * time.Hour

// helpRow is one help call waiting, as the page shows it.
type helpRow struct {
	Kiosk, SessionID string
	Procedure, Step  string
	AskedAt          string // the hub's clock, HH:MM, with the day when not today
	Waiting          string // "12 min"
	// MarkedBy and MarkedAt: the call was marked handled here and its
	// kiosk has not confirmed yet.
	MarkedBy, MarkedAt string
}

// helpRows lists the open calls of every kiosk asked in the last 12
// hours, oldest first.
func (s *Server) helpRows(r *http.Request, now time.Time) ([]helpRow, error) {
	calls, err := s.Store.HubOpenHelpCalls(r.Context(), now.Add(-helpCallsShown))
	if err != nil {
		return nil, err
	}
	var titles map[string]passerelle.Text
	if s.Titles != nil {
		titles = s.Titles()
	}
	rows := make([]helpRow, 0, len(calls))
	for _, c := range calls {
		row := helpRow{Kiosk: c.Kiosk, SessionID: c.SessionID, Procedure: procedureTitle(titles, c.ProcedureID),
			Step: c.StepID, AskedAt: clock(c.AskedAt, now), Waiting: minutes(c.Wait(now)), MarkedBy: c.MarkedBy}
		if !c.MarkedAt.IsZero() {
			row.MarkedAt = clock(c.MarkedAt, now)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// procedureTitle names a procedure for staff by its French title in the
// catalog published last, or by its id when the catalog does not have it
// (not published by this hub, or no longer offered).
func procedureTitle(titles map[string]passerelle.Text, id string) string {
	if id == "" {
		return "no procedure chosen yet"
	}
	t := titles[id]
	if title := t["fr"]; title != "" {
		return title
	}
	for _, l := range t.Langs() {
		return t[l]
	}
	return id
}

// clock says a time of the last 12 hours on the hub's clock: the hour
// alone today, "yesterday" before it.
func clock(t, now time.Time) string {
	loc := paris()
	t, now = t.In(loc), now.In(loc)
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return "yesterday " + t.Format("15:04")
	default:
		return t.Format("2006-01-02 15:04")
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// minutes says a wait the way staff count it: whole minutes gone, so
// "less than 1 min" is true.
func minutes(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m < 1:
		return "less than 1 min"
	case m < 60:
		return fmt.Sprintf("%d min", m)
	default:
		return fmt.Sprintf("%d h %02d min", m/60, m%60)
	}
}

// Notices the kiosks page shows after marking a call, by the code its
// address carries: the page never shows text taken from the address.
var helpNotices = map[string]string{
	"taken": "This call was already handled, by a colleague or at the kiosk: nothing more to do.",
}

// markHandled records that the signed-in staff member handled a call. A
// colleague who was first is not an error: the page says so calmly.
func (s *Server) markHandled(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	kiosk, session := r.PostFormValue("kiosk"), r.PostFormValue("session")
	if kiosk == "" || session == "" {
		http.Error(w, "This form does not say which call was handled: reload the page and try again.", http.StatusBadRequest)
		return
	}
	err := s.Store.MarkHelpHandled(r.Context(), kiosk, session, sess.User, s.now())
	switch {
	case errors.Is(err, passerelle.ErrNoOpenCall):
		http.Redirect(w, r, "/?help=taken", http.StatusSeeOther)
	case err != nil:
		s.internal(w, r, "mark the help call handled", err)
	default:
		s.logger().Info("staff page: help call marked handled", "kiosk", kiosk, "session", session, "by", sess.User)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}
