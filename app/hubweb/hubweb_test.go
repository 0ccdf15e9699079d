package hubweb_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/figurescsv"
	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
)

func TestEveryPageNeedsSignIn(t *testing.T) {
	hub := startHub(t, false)
	for _, tc := range []struct {
		name, method, path string
		code               int
		location           string
	}{
		{"kiosks", "GET", "/", http.StatusSeeOther, "/login"},
		{"statistics", "GET", "/stats", http.StatusSeeOther, "/login"},
		{"CSV", "GET", "/stats.csv", http.StatusSeeOther, "/login"},
		{"live fragment", "GET", "/live", http.StatusUnauthorized, ""},
		{"sign out", "POST", "/logout", http.StatusUnauthorized, ""},
		{"mark a help call handled", "POST", "/help/handled", http.StatusUnauthorized, ""},
		{"a forged cookie", "GET", "/stats", http.StatusSeeOther, "/login"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, hub.URL+tc.path, nil)
			if tc.name == "a forged cookie" {
				req.AddCookie(&http.Cookie{Name: "passerelle_session", Value: "made-up"})
			}
			resp, err := newClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code || resp.Header.Get("Location") != tc.location {
				t.Fatalf("%s %s: %s to %q; want %d to %q", tc.method, tc.path, resp.Status, resp.Header.Get("Location"), tc.code, tc.location)
			}
		})
	}
}

func TestSignedInPages(t *testing.T) {
	hub := startHub(t, false)
	c := newClient(t)
	mustLogin(t, c, hub)
	resp, body := get(t, c, hub.URL+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("kiosks page: %s", resp.Status)
	}
	contains(t, "the kiosks page", body, "mairie-évry", "online", "1.4.2", "3f9a0c1e5b7d", "<td class=\"num\">7</td>", staffName)
	_, live := get(t, c, hub.URL+"/live")
	contains(t, "the live fragment", live, "mairie-évry", "online")

	_, stats := get(t, c, hub.URL+"/stats?from=2026-10-01&to=2026-10-31&period=week")
	contains(t, "the statistics page", stats, "3 sessions", "66.7 %", "<svg", "<rect", "<polyline",
		"2026-10-12: 2 sessions finished", "2026-10-12: 1 help calls", "<td>address</td>",
		`href="/stats.csv?from=2026-10-01&amp;period=week&amp;to=2026-10-31"`)

	resp, got := get(t, c, hub.URL+"/stats.csv?from=2026-10-01&to=2026-10-31&period=week")
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" ||
		cd != `attachment; filename="passerelle-stats-2026-10-01-2026-10-31.csv"` {
		t.Errorf("CSV headers: %q %q", ct, cd)
	}
	paris, _ := time.LoadLocation(passerelle.ParisTime)
	f, err := hub.Store.Figures(context.Background(), passerelle.FiguresQuery{Period: passerelle.PeriodWeek, Location: paris,
		From: time.Date(2026, 10, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 11, 1, 0, 0, 0, 0, paris)})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := figurescsv.Write(&want, f); err != nil {
		t.Fatal(err)
	}
	if got != want.String() {
		t.Errorf("the CSV is not stats -csv's:\n%s\nwant\n%s", got, want.String())
	}
	contains(t, "the CSV", got, "sessions,2026-10-12,mairie-évry,caf-rsa,ar,,finished,2,", "drop_off,2026-10-12,mairie-évry,caf-rsa,,address,abandoned,1,")
}

func TestStatisticsRefuseABadRange(t *testing.T) {
	hub := startHub(t, false)
	c := newClient(t)
	mustLogin(t, c, hub)
	for _, tc := range []struct{ name, query, says string }{
		{"not a date", "from=31/10/2026", "is not a date"},
		{"reversed", "from=2026-10-31&to=2026-10-01", "comes after the last"},
		{"years by day", "from=2020-01-01&to=2026-01-01&period=day", "more than 400"},
		{"unknown period", "period=year", "is not one of day, week, month"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, c, hub.URL+"/stats?"+tc.query)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.says) {
				t.Fatalf("%s: %s; want 400 saying %q in\n%s", tc.query, resp.Status, tc.says, body)
			}
		})
	}
}

func TestPostsNeedTheCSRFToken(t *testing.T) {
	hub := startHub(t, false)
	c := newClient(t)
	mustLogin(t, c, hub)
	_, page := get(t, c, hub.URL+"/")
	token := csrfOf(t, page)
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"no token", url.Values{}},
		{"an empty token", url.Values{"csrf": {""}}},
		{"another token", url.Values{"csrf": {token[:len(token)-1] + "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if resp, _ := post(t, c, hub.URL+"/logout", tc.form); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("sign out with %s: %s; want 403", tc.name, resp.Status)
			}
			if resp, _ := get(t, c, hub.URL+"/"); resp.StatusCode != http.StatusOK {
				t.Fatalf("the refused sign-out ended the session: %s", resp.Status)
			}
		})
	}
	if resp, _ := post(t, c, hub.URL+"/logout", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out with the token: %s", resp.Status)
	}
	if resp, _ := get(t, c, hub.URL+"/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out, the kiosks page answered %s", resp.Status)
	}

	t.Run("sign in without the form's token", func(t *testing.T) {
		fresh := newClient(t)
		resp, body := post(t, fresh, hub.URL+"/login", url.Values{"name": {staffName}, "password": {staffPassword}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "did not come from this page") {
			t.Fatalf("sign in without a token: %s", resp.Status)
		}
	})
}

func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain HTTP on loopback", true: "behind TLS"}[secure], func(t *testing.T) {
			hub := startHub(t, secure)
			c := newClient(t)
			_, body := get(t, c, hub.URL+"/login")
			u, _ := url.Parse(hub.URL)
			form := url.Values{"csrf": {csrfOf(t, body)}, "name": {staffName}, "password": {staffPassword}}
			req, _ := http.NewRequest("POST", hub.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, ck := range c.Jar.Cookies(u) {
				req.AddCookie(ck)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var session *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == "passerelle_session" {
					session = ck
				}
			}
			if session == nil {
				t.Fatalf("no session cookie: %v", resp.Header["Set-Cookie"])
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure != secure {
				t.Errorf("session cookie %q: HttpOnly %v, SameSite %v, Secure %v; want true, Strict, %v",
					session.String(), session.HttpOnly, session.SameSite, session.Secure, secure)
			}
			if session.MaxAge <= 0 || session.MaxAge > 24*3600 {
				t.Errorf("session cookie lasts %d s", session.MaxAge)
			}
			if len(session.Value) < 40 {
				t.Errorf("session token %q is short", session.Value)
			}
			// The store holds the token's hash only, and the session
			// expires in the store too.
			if _, err := hub.Store.StaffSession(context.Background(), []byte(session.Value), t0); err == nil {
				t.Error("the store knows the token in clear")
			}
			if _, err := hub.Store.StaffSession(context.Background(), sum(session.Value), t0.Add(11*time.Hour)); err == nil {
				t.Error("the session is still valid 11 hours later")
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		// wrong are the accounts the wrong passwords are typed for, all
		// from the same address.
		wrong []string
	}{
		{"one account guessed", []string{staffName, staffName, staffName}},
		{"many accounts from one address", []string{"bob", "carla", "dan"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := startHub(t, false)
			c := newClient(t)
			for i, name := range tc.wrong {
				if resp := login(t, c, hub, name, "not the password"); resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("wrong password %d: %s; want 401", i+1, resp.Status)
				}
			}
			_, body := get(t, c, hub.URL+"/login")
			resp, page := post(t, c, hub.URL+"/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {staffName}, "password": {staffPassword}})
			if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "wait 5 seconds") {
				t.Fatalf("the right password during the wait: %s; want 429 saying wait 5 seconds", resp.Status)
			}
			hub.Clock.Add(4 * time.Second)
			if resp := login(t, c, hub, staffName, staffPassword); resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("after 4 s: %s; want 429", resp.Status)
			}
			hub.Clock.Add(time.Second)
			mustLogin(t, c, hub)
		})
	}
	t.Run("the delay doubles", func(t *testing.T) {
		hub := startHub(t, false)
		c := newClient(t)
		for range 3 {
			login(t, c, hub, staffName, "not the password")
		}
		hub.Clock.Add(5 * time.Second)
		_, body := get(t, c, hub.URL+"/login")
		_, page := post(t, c, hub.URL+"/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {staffName}, "password": {"still wrong"}})
		if !strings.Contains(page, "Wait 10 seconds before the next try") {
			t.Fatalf("the fourth wrong password does not say 10 seconds:\n%s", page)
		}
	})
}

func TestSessionExpires(t *testing.T) {
	hub := startHub(t, false)
	c := newClient(t)
	mustLogin(t, c, hub)
	for _, tc := range []struct {
		name  string
		after time.Duration
		code  int
	}{
		{"the same day", 9*time.Hour + 59*time.Minute, http.StatusOK},
		{"past 10 hours", time.Minute, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub.Clock.Add(tc.after)
			if resp, _ := get(t, c, hub.URL+"/"); resp.StatusCode != tc.code {
				t.Fatalf("kiosks page: %s; want %d", resp.Status, tc.code)
			}
		})
	}
}

// TestRefusedTriesLogNoTypedSecret: the log of a refused sign-in names
// the account only when it exists: what was typed in the name field of
// a wrong try may be a password.
func TestRefusedTriesLogNoTypedSecret(t *testing.T) {
	var log syncBuffer
	hub := startHubWith(t, &hubweb.Server{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	c := newClient(t)
	const typedInTheWrongField = "correct-horse-battery-staple"
	for _, name := range []string{typedInTheWrongField, staffName} {
		if resp := login(t, c, hub, name, "not the password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong try as %q: %s; want 401", name, resp.Status)
		}
	}
	got := log.String()
	if strings.Contains(got, typedInTheWrongField) {
		t.Errorf("the log holds what was typed as a name:\n%s", got)
	}
	for _, want := range []string{"account=\"(no such account)\"", "account=" + staffName} {
		if !strings.Contains(got, want) {
			t.Errorf("the log lacks %s:\n%s", want, got)
		}
	}
}

// syncBuffer is a bytes.Buffer the server's goroutines may write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
