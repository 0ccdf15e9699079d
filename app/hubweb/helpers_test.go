package hubweb_test

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/hubapi"
	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

const (
	staffName     = "amina"
	staffPassword = "un cheval bleu 42"
)

// t0 is the tests' wall clock: Tuesday 24 November 2026, 10:00 in Paris.
var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// clock is the hub's Now, moved by the tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testHub is a real SQLite hub with one staff account and one enrolled,
// joined kiosk that sent a report and a few sessions, served on loopback.
type testHub struct {
	URL   string
	Store *sqlite.HubDB
	Clock *clock
}

// cheapHash keeps the tests fast; the format and the checks are the real ones.
var cheapHash = passerelle.PINParams{Memory: 64, Time: 1, Threads: 1}

func startHub(t testing.TB, secure bool) *testHub {
	return startHubWith(t, &hubweb.Server{Secure: secure, Titles: fixedTitles})
}

func startHubRefreshing(t testing.TB, secure bool, every time.Duration) *testHub {
	return startHubWith(t, &hubweb.Server{Secure: secure, RefreshEvery: every, Titles: fixedTitles})
}

// startHubWith serves web, given its Store and clock here, on loopback,
// with the kiosks' API under /api/.
func startHubWith(t testing.TB, web *hubweb.Server) *testHub {
	t.Helper()
	ctx := context.Background()
	store := sqlite.NewHubDB(filepath.Join(t.TempDir(), "hub.db"))
	if err := store.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.AddStaffUser(ctx, staffName, passerelle.HashPassword(staffPassword, cheapHash), t0); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: t0}
	seedKiosk(t, store, "mairie-évry")
	web.Store, web.Now = store, clk.Now
	// The kiosks' API beside the page, as passerelle hub serves them.
	api := &hubapi.Server{Store: store, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.Handle("/api/", api.Handler())
	mux.Handle("/", web.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testHub{URL: srv.URL, Store: store, Clock: clk}
}

// fixedTitles stands for the publisher's titles (bundle.Publisher.Titles,
// whose own tests check them): one procedure of the shipped catalog, with
// its French title, and one with no French title.
func fixedTitles() map[string]passerelle.Text {
	return map[string]passerelle.Text{
		"caf-quarterly-declaration": {"fr": "Déclarer mes ressources à la CAF", "en": "Declare my income to the CAF"},
		"english-only":              {"en": "Only in English"},
	}
}

func sum(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// seedKiosk enrolls and joins a kiosk, saves its report and uploads three
// sessions of October: finished, abandoned on step "address", and one
// with a help call.
func seedKiosk(t testing.TB, store passerelle.HubStore, name string) {
	t.Helper()
	ctx := context.Background()
	if err := store.EnrollKiosk(ctx, name, sum(name+"-token"), t0.Add(time.Hour), t0.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.JoinKiosk(ctx, sum(name+"-token"), sum(name+"-cred"), t0.Add(-47*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(ctx, sum(name+"-cred"), t0.Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	report := passerelle.KioskReport{AppVersion: "1.4.2", CatalogVersion: "3f9a0c1e5b7d2a4c6e8f", PendingEvents: 7, LastError: ""}
	if err := store.SaveReport(ctx, name, report, t0.Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	oct := time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)
	var events []passerelle.Event
	session := func(at time.Time, outcome passerelle.Outcome, steps ...string) {
		sid := passerelle.NewID(at)
		seq := 0
		add := func(e passerelle.Event) {
			seq++
			e.ID, e.SessionID, e.Seq, e.ProcedureID, e.ProcedureVersion = passerelle.NewID(at), sid, seq, "caf-rsa", 1
			e.At = at.Add(time.Duration(seq) * time.Second)
			events = append(events, e)
		}
		add(passerelle.Event{Kind: passerelle.EventSessionStarted, Lang: "ar"})
		last := ""
		for _, s := range steps {
			if s == "help" {
				add(passerelle.Event{Kind: passerelle.EventHelpAsked, StepID: "address"})
				continue
			}
			add(passerelle.Event{Kind: passerelle.EventStepShown, StepID: s})
			last = s
		}
		// The end names the step it happened on, as the kiosk records it.
		add(passerelle.Event{Kind: passerelle.EventSessionEnded, Outcome: outcome, StepID: last})
	}
	session(oct, passerelle.OutcomeFinished, "welcome", "address", "done")
	session(oct.Add(time.Hour), passerelle.OutcomeAbandoned, "welcome", "address")
	session(oct.Add(2*time.Hour), passerelle.OutcomeFinished, "welcome", "address", "help", "done")
	putEvents(t, store, name, events)
}

func putEvents(t testing.TB, store passerelle.HubStore, name string, events []passerelle.Event) {
	t.Helper()
	ctx := context.Background()
	if _, conflicts, err := store.PutEvents(ctx, name, events); err != nil || len(conflicts) > 0 {
		t.Fatalf("PutEvents: %v %v", conflicts, err)
	}
}

// newClient is a browser-like client: it keeps cookies, and does not
// follow redirects, so that tests see them.
func newClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get returns a page's status and body.
func get(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func post(t testing.TB, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// csrfOf reads the hidden CSRF field of a page.
func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in the page:\n%s", body)
	}
	return m[1]
}

// login signs in as a browser would: the form, then its post.
func login(t testing.TB, c *http.Client, hub *testHub, name, password string) *http.Response {
	t.Helper()
	_, body := get(t, c, hub.URL+"/login")
	resp, _ := post(t, c, hub.URL+"/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {name}, "password": {password}})
	return resp
}

func mustLogin(t testing.TB, c *http.Client, hub *testHub) {
	t.Helper()
	if resp := login(t, c, hub, staffName, staffPassword); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("sign in: %s to %q; want 303 to /", resp.Status, resp.Header.Get("Location"))
	}
}

func contains(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not show %q", what, w)
		}
	}
}

// seedWeeks uploads a few weeks of varied sessions (a hub in use), for
// the screenshot.
func seedWeeks(t testing.TB, store passerelle.HubStore, name string) {
	t.Helper()
	outcomes := []passerelle.Outcome{passerelle.OutcomeFinished, passerelle.OutcomeFinished, passerelle.OutcomeHandedOff,
		passerelle.OutcomeAbandoned, passerelle.OutcomeFinished, passerelle.OutcomeTimedOut, passerelle.OutcomeFinished}
	steps := []string{"welcome", "identity", "address", "income", "documents"}
	var events []passerelle.Event
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	for i := range 240 {
		at := start.Add(time.Duration(i*i%81) * 24 * time.Hour).Add(time.Duration(i) * time.Minute)
		sid := passerelle.NewID(at)
		outcome := outcomes[(i*5+i/7)%len(outcomes)]
		seq := 0
		add := func(e passerelle.Event) {
			seq++
			e.ID, e.SessionID, e.Seq, e.ProcedureID, e.ProcedureVersion = passerelle.NewID(at), sid, seq, []string{"caf-rsa", "ants-passeport"}[i%2], 1
			e.At = at.Add(time.Duration(seq) * time.Second)
			events = append(events, e)
		}
		add(passerelle.Event{Kind: passerelle.EventSessionStarted, Lang: []passerelle.Lang{"ar", "fr", "ro", "ps"}[i%4]})
		last := steps[(i*3)%len(steps)]
		if i%9 == 0 {
			add(passerelle.Event{Kind: passerelle.EventHelpAsked, StepID: last})
		}
		add(passerelle.Event{Kind: passerelle.EventSessionEnded, Outcome: outcome, StepID: last})
	}
	putEvents(t, store, name, events)
}
