package hubweb

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"passerelle/app/passerelle"
)

type loginData struct {
	CSRF    string
	Name    string
	Problem string
}

// loginPage shows the sign-in form. Its CSRF token, with no session yet,
// is a random value in a cookie that the form must repeat: another site
// can make a browser post the form, but cannot read the cookie.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.session(r); err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.showLogin(w, http.StatusOK, loginData{})
}

func (s *Server) showLogin(w http.ResponseWriter, code int, d loginData) {
	d.CSRF = newSecret()
	http.SetCookie(w, s.cookie(loginCookie, d.CSRF, 3600))
	s.render(w, code, "login.html", d)
}

// login checks a name and password. Wrong passwords in a row, for the
// account and from the address, on any hub of the database, make the
// next try wait longer and longer; a try during the wait is refused
// unchecked.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		s.showLogin(w, http.StatusForbidden, loginData{Problem: "This form is out of date or did not come from this page: try again."})
		return
	}
	name, password := r.PostFormValue("name"), r.PostFormValue("password")
	keys := loginKeys(name, clientIP(r))
	now := s.now()
	// Unable to read the counts, the hub cannot tell whether the try must
	// wait: it refuses it, unchecked.
	failures, err := s.Store.LoginFailures(r.Context(), keys, now)
	if err != nil {
		s.internal(w, r, "check the wrong passwords typed before", err)
		return
	}
	if wait := loginWait(failures, now); wait > 0 {
		s.tooMany(w, name, wait)
		return
	}
	// The try counts as a wrong password until the password is found
	// right. Of tries sent at once, to this hub or to others, the ones
	// counted past the free tries are refused unchecked, as if sent one
	// after the other: the password check is slow, and all of them would
	// pass the read above during it. Unable to count, the hub refuses.
	counted, err := s.Store.RecordLoginFailure(r.Context(), keys, now)
	if err != nil {
		s.internal(w, r, "count the try", err)
		return
	}
	if overtaken(failures, counted) {
		s.logger().Warn("staff page: tries at once, refused", "account", s.accountForLog(r, name), "address", clientIP(r))
		s.tooMany(w, name, loginWait(counted, now))
		return
	}
	ok, err := s.checkPassword(r, name, password)
	if err != nil {
		s.internal(w, r, "check the password", err)
		return
	}
	if !ok {
		s.logger().Warn("staff page: wrong name or password", "account", s.accountForLog(r, name), "address", clientIP(r))
		problem := "Wrong name or password."
		if wait := loginWait(counted, now); wait > 0 {
			problem += fmt.Sprintf(" Wait %s before the next try.", plainWait(wait))
		}
		s.showLogin(w, http.StatusUnauthorized, loginData{Name: name, Problem: problem})
		return
	}
	// Failing to forget the wrong passwords costs a delay at worst.
	if err := s.Store.ClearLoginFailures(r.Context(), keys, now); err != nil {
		s.logger().Warn("staff page: forget the wrong passwords", "account", name, "err", err)
	}
	// Sessions nobody signed out of are removed here, at each sign-in.
	if err := s.Store.DeleteStaffSession(r.Context(), nil, now); err != nil {
		s.logger().Warn("staff page: remove expired sessions", "err", err)
	}
	token := newSecret()
	sess := passerelle.StaffSession{TokenHash: hashSecret(token), User: name, CSRFToken: newSecret(),
		Created: now, Expires: now.Add(SessionLifetime)}
	if err := s.Store.CreateStaffSession(r.Context(), sess); err != nil {
		s.internal(w, r, "sign you in", err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, token, int(SessionLifetime/time.Second)))
	http.SetCookie(w, s.cookie(loginCookie, "", -1))
	s.logger().Info("staff page: signed in", "account", name, "address", clientIP(r))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// accountForLog names the account of a refused try for the log, only if
// it exists: what someone typed in the name field may be their password.
func (s *Server) accountForLog(r *http.Request, name string) string {
	if _, err := s.Store.StaffPasswordHash(r.Context(), name); err != nil {
		return "(no such account)"
	}
	return name
}

// checkPassword runs the slow hash whether the account exists or not, so
// that the time taken does not tell which names exist.
func (s *Server) checkPassword(r *http.Request, name, password string) (bool, error) {
	hash, err := s.Store.StaffPasswordHash(r.Context(), name)
	exists := err == nil
	if errors.Is(err, passerelle.ErrNotFound) {
		hash = s.dummyHash
	} else if err != nil {
		return false, err
	}
	ok, err := passerelle.CheckPassword(hash, password)
	return ok && exists, err
}

func (s *Server) tooMany(w http.ResponseWriter, name string, wait time.Duration) {
	s.showLogin(w, http.StatusTooManyRequests, loginData{Name: name,
		Problem: fmt.Sprintf("Too many wrong passwords: wait %s, then try again.", plainWait(wait))})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if err := s.Store.DeleteStaffSession(r.Context(), sess.TokenHash, s.now()); err != nil {
		s.internal(w, r, "sign you out", err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// plainWait says a delay in whole seconds or minutes.
func plainWait(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int(math.Ceil(d.Seconds())))
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
}
