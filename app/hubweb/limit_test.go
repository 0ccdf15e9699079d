package hubweb_test

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// serveStaffPage serves a staff page on store, with hub's clock, as a
// second hub process on the same database would.
func serveStaffPage(t testing.TB, hub *testHub, store passerelle.HubStore) *testHub {
	t.Helper()
	web := &hubweb.Server{Store: store, Now: hub.Clock.Now, Logger: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(web.Handler())
	t.Cleanup(srv.Close)
	return &testHub{URL: srv.URL, Store: hub.Store, Clock: hub.Clock}
}

// besideHub opens a second handle on hub's file. The file's lock keeps a
// second hub server off it, so the handle is opened as a staff command's
// is: SQLite orders its writes with the hub's all the same.
func besideHub(t testing.TB, hub *testHub) *sqlite.HubDB {
	t.Helper()
	store := sqlite.NewHubDB(hub.Store.Path())
	if err := store.OpenBesideHub(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// Wrong passwords typed on one hub delay the tries on another hub of the
// same database: spreading them gains nothing.
func TestLoginLimitSharedByHubs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		wrong []int // the hub each wrong password is typed on
	}{
		{"three wrong on one hub", []int{0, 0, 0}},
		{"spread over both hubs", []int{0, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := startHub(t, false)
			hubs := []*testHub{first, serveStaffPage(t, first, besideHub(t, first))}
			c := newClient(t)
			for i, h := range tc.wrong {
				if resp := login(t, c, hubs[h], staffName, "not the password"); resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("wrong password %d, on hub %d: %s; want 401", i+1, h, resp.Status)
				}
			}
			for h, hub := range hubs {
				_, body := get(t, c, hub.URL+"/login")
				resp, page := post(t, c, hub.URL+"/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {staffName}, "password": {staffPassword}})
				if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "wait 5 seconds") {
					t.Fatalf("the right password on hub %d during the wait: %s; want 429 saying wait 5 seconds", h, resp.Status)
				}
			}
			first.Clock.Add(5 * time.Second)
			mustLogin(t, c, hubs[1])
			// The sign-in on one hub cleared the counts for the other
			// (a new browser: this one is signed in on both).
			c = newClient(t)
			_, body := get(t, c, first.URL+"/login")
			_, page := post(t, c, first.URL+"/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {staffName}, "password": {"wrong again"}})
			if !strings.Contains(page, "Wrong name or password.") || strings.Contains(page, "Wait") {
				t.Fatalf("a wrong password after the sign-in on the other hub asks for a wait:\n%s", page)
			}
		})
	}
}

// A restarted hub remembers the wrong passwords typed before.
func TestLoginLimitKeptAcrossRestart(t *testing.T) {
	hub := startHub(t, false)
	c := newClient(t)
	for range 3 {
		login(t, c, hub, staffName, "not the password")
	}
	if err := hub.Store.Close(); err != nil {
		t.Fatal(err)
	}
	store := sqlite.NewHubDB(hub.Store.Path())
	if err := store.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	restarted := serveStaffPage(t, hub, store)
	if resp := login(t, c, restarted, staffName, staffPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the right password on the restarted hub during the wait: %s; want 429", resp.Status)
	}
}

// brokenCounts is the hub's real store whose counts of wrong passwords
// fail, as a database gone read-only or unreachable makes them fail.
type brokenCounts struct {
	passerelle.HubStore
	read, record bool
	checked      atomic.Int32 // password hashes read: passwords checked
}

var errBroken = errors.New("disk I/O error")

func (s *brokenCounts) LoginFailures(ctx context.Context, keys []string, now time.Time) ([]passerelle.PINFailures, error) {
	if s.read {
		return nil, errBroken
	}
	return s.HubStore.LoginFailures(ctx, keys, now)
}

func (s *brokenCounts) RecordLoginFailure(ctx context.Context, keys []string, now time.Time) ([]passerelle.PINFailures, error) {
	if s.record {
		return nil, errBroken
	}
	return s.HubStore.RecordLoginFailure(ctx, keys, now)
}

func (s *brokenCounts) StaffPasswordHash(ctx context.Context, name string) (string, error) {
	s.checked.Add(1)
	return s.HubStore.StaffPasswordHash(ctx, name)
}

// A hub that cannot read or count the tries refuses them unchecked, even
// the right password: otherwise a guesser who broke the counts would
// guess without a wait.
func TestLoginLimitStoreFails(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store *brokenCounts
		says  string
	}{
		{"the counts cannot be read", &brokenCounts{read: true}, "could not check the wrong passwords typed before"},
		{"the try cannot be counted", &brokenCounts{record: true}, "could not count the try"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := startHub(t, false)
			tc.store.HubStore = hub.Store
			broken := serveStaffPage(t, hub, tc.store)
			c := newClient(t)
			_, body := get(t, c, broken.URL+"/login")
			resp, page := post(t, c, broken.URL+"/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {staffName}, "password": {staffPassword}})
			if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(page, tc.says) {
				t.Fatalf("%s: %s\n%s\nwant 500 saying %q", tc.name, resp.Status, page, tc.says)
			}
			for _, ck := range resp.Cookies() {
				if ck.Name == "passerelle_session" && ck.MaxAge >= 0 {
					t.Errorf("signed in all the same: %s", ck)
				}
			}
			if got := tc.store.checked.Load(); got != 0 {
				t.Errorf("passwords checked: %d; want none", got)
			}
		})
	}
}

// Tries sent at once, over two hubs, get the free tries only: the others
// are refused unchecked, as if sent one after the other.
func TestLoginLimitTriesAtOnce(t *testing.T) {
	const tries = 8
	first := startHub(t, false)
	hubs := []*testHub{first, serveStaffPage(t, first, besideHub(t, first))}
	type form struct {
		c    *http.Client
		url  string
		data url.Values
	}
	forms := make([]form, tries)
	for i := range forms {
		c, hub := newClient(t), hubs[i%2]
		_, body := get(t, c, hub.URL+"/login")
		forms[i] = form{c, hub.URL + "/login", url.Values{"csrf": {csrfOf(t, body)}, "name": {staffName}, "password": {"not the password"}}}
	}
	type result struct {
		code int
		err  error
	}
	results := make(chan result, tries)
	start := make(chan struct{})
	for _, f := range forms {
		go func() {
			<-start
			resp, err := f.c.PostForm(f.url, f.data)
			if err != nil {
				results <- result{err: err}
				return
			}
			resp.Body.Close()
			results <- result{code: resp.StatusCode}
		}()
	}
	close(start)
	codes := map[int]int{}
	for range tries {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		codes[r.code]++
	}
	// The free tries are 2; the third is checked, and sets the wait.
	if want := map[int]int{http.StatusUnauthorized: 3, http.StatusTooManyRequests: tries - 3}; !maps.Equal(codes, want) {
		t.Errorf("%d wrong passwords at once: statuses %v; want %v (3 checked, the others refused)", tries, codes, want)
	}
}
