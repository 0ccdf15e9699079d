package hubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// post sends body to the hub with the given Authorization header ("" for
// none) and returns the status and the Error sentence, if any.
func post(t *testing.T, url, path, auth string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e Error
	if resp.StatusCode/100 != 2 {
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error == "" {
			t.Fatalf("%s answered %s without an Error sentence (%v)", path, resp.Status, err)
		}
	}
	return resp.StatusCode, e.Error
}

// assertNothingStored checks the hub holds no event and no report.
func assertNothingStored(t *testing.T, store passerelle.HubStore) {
	t.Helper()
	totals, err := store.Totals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if totals.Events != 0 {
		t.Errorf("the hub stored %d events of a refused request", totals.Events)
	}
	kiosks, err := store.Kiosks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kiosks {
		if k.Report != (passerelle.KioskReport{}) {
			t.Errorf("the hub stored a report of a refused request: %+v", k.Report)
		}
	}
}

func TestRequestsWithoutAGoodCredentialAreRefused(t *testing.T) {
	events, _ := json.Marshal(EventsRequest{Events: []Event{toWire(sessionEvents(time.Now(), 2)[0])}})
	report, _ := json.Marshal(Report{AppVersion: "1.0", PendingEvents: 3})
	help, _ := json.Marshal(HelpRequest{Events: []Event{toWire(helpCall(time.Now())[2])}})
	for _, c := range []struct {
		name string
		// auth gives the Authorization header from the kiosk's link and
		// the enrollment token of a kiosk that has not joined yet.
		auth   func(link passerelle.HubLink, pendingToken string) string
		status int
	}{
		{"no credential", func(passerelle.HubLink, string) string { return "" }, http.StatusUnauthorized},
		{"empty bearer", func(passerelle.HubLink, string) string { return "Bearer " }, http.StatusUnauthorized},
		{"another scheme", func(l passerelle.HubLink, _ string) string { return "Basic " + l.Credential }, http.StatusUnauthorized},
		{"wrong credential", func(passerelle.HubLink, string) string { return "Bearer " + newSecret() }, http.StatusUnauthorized},
		{"credential with a character more", func(l passerelle.HubLink, _ string) string { return "Bearer " + l.Credential + "x" }, http.StatusUnauthorized},
		{"huge credential", func(passerelle.HubLink, string) string { return "Bearer " + strings.Repeat("a", 10000) }, http.StatusUnauthorized},
		{"an enrollment token instead", func(_ passerelle.HubLink, pending string) string { return "Bearer " + pending }, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			hub := newHub(t)
			kiosk, _ := newKiosk(t)
			link := join(t, hub.Store, kiosk, "mairie-1", hub.URL)
			pending, err := Enroll(context.Background(), hub.Store, "mairie-2", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []struct {
				path string
				body []byte
			}{{PathEvents, events}, {PathReport, report}, {PathHelp, help}} {
				status, msg := post(t, hub.URL, r.path, c.auth(link, pending), r.body)
				if status != c.status {
					t.Errorf("%s: status %d (%s), want %d", r.path, status, msg, c.status)
				}
			}
			assertNothingStored(t, hub.Store)
		})
	}
}

func TestRevokedKioskIsRefused(t *testing.T) {
	hub := newHub(t)
	kiosk, dir := newKiosk(t)
	link := join(t, hub.Store, kiosk, "mairie-1", hub.URL)
	appendSessions(t, kiosk, 2, 5)
	if err := hub.Store.RevokeKiosk(context.Background(), "mairie-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	events, _ := json.Marshal(EventsRequest{Events: []Event{toWire(sessionEvents(time.Now(), 2)[0])}})
	if status, _ := post(t, hub.URL, PathEvents, "Bearer "+link.Credential, events); status != http.StatusForbidden {
		t.Fatalf("events of a revoked kiosk: status %d, want 403", status)
	}
	s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "test"}
	err := s.SyncOnce(context.Background())
	if !errors.Is(err, passerelle.ErrRevoked) || !strings.Contains(err.Error(), "enroll it under a new name") {
		t.Fatalf("SyncOnce of a revoked kiosk = %v, want a plain sentence saying it was revoked", err)
	}
	assertNothingStored(t, hub.Store)
	status, serr := kiosk.SyncStatus(context.Background())
	if serr != nil || status.LastError != err.Error() {
		t.Fatalf("the kiosk's sync status does not say why: %+v %v", status, serr)
	}
	if pending, _ := kiosk.Pending(context.Background()); pending != 10 {
		t.Fatalf("pending %d after a refused sync, want the 10 events kept", pending)
	}
}

func TestEnrollmentTokens(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		// use joins with the token; it returns the error of the join
		// under test.
		use func(t *testing.T, hub *testHub, token string) error
	}{
		{"used twice", func(t *testing.T, hub *testHub, token string) error {
			if _, err := Join(ctx, hub.URL, token, nil); err != nil {
				t.Fatalf("first join: %v", err)
			}
			_, err := Join(ctx, hub.URL, token, nil)
			return err
		}},
		{"mistyped", func(t *testing.T, hub *testHub, token string) error {
			typo := "A"
			if token[0] == 'A' {
				typo = "B"
			}
			_, err := Join(ctx, hub.URL, typo+token[1:], nil)
			return err
		}},
		{"empty", func(t *testing.T, hub *testHub, token string) error {
			_, err := Join(ctx, hub.URL, "", nil)
			return err
		}},
		{"expired", func(t *testing.T, hub *testHub, _ string) error {
			old, err := Enroll(ctx, hub.Store, "mairie-old", time.Now().Add(-TokenLifetime-time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Join(ctx, hub.URL, old, nil)
			return err
		}},
		{"of a revoked kiosk", func(t *testing.T, hub *testHub, token string) error {
			if err := hub.Store.RevokeKiosk(ctx, "mairie-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			_, err := Join(ctx, hub.URL, token, nil)
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			hub := newHub(t)
			token, err := Enroll(ctx, hub.Store, "mairie-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			err = c.use(t, hub, token)
			if !errors.Is(err, passerelle.ErrUnauthorized) || err.Error() != "the enrollment token was refused (used, expired or mistyped)" {
				t.Fatalf("join = %v, want the token refused in a plain sentence", err)
			}
			assertNothingStored(t, hub.Store)
		})
	}
}

func TestJoinedKioskSyncs(t *testing.T) {
	hub := newHub(t)
	kiosk, dir := newKiosk(t)
	join(t, hub.Store, kiosk, "mairie-1", hub.URL)
	ids := appendSessions(t, kiosk, 30, 40) // 1200 events: three batches
	s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "1.2.3"}
	if err := s.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertHubHolds(t, hub.Store, "mairie-1", ids)
	if pending, _ := kiosk.Pending(context.Background()); pending != 0 {
		t.Fatalf("%d events still pending after a sync", pending)
	}
	// Reported again after the upload: the hub sees the backlog gone.
	kiosks, _ := hub.Store.Kiosks(context.Background())
	if len(kiosks) != 1 || kiosks[0].Report.AppVersion != "1.2.3" || kiosks[0].Report.PendingEvents != 0 ||
		kiosks[0].Report.FreeDiskBytes <= 0 || kiosks[0].LastSeen.IsZero() {
		t.Fatalf("the hub's view of the kiosk: %+v", kiosks)
	}
	status, _ := kiosk.SyncStatus(context.Background())
	if status.LastSuccess.IsZero() || status.LastError != "" {
		t.Fatalf("sync status after a success: %+v", status)
	}
	// A second sync sends nothing and still succeeds.
	if err := s.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertHubHolds(t, hub.Store, "mairie-1", ids)
}

func TestOversizedRequestIsRefused(t *testing.T) {
	hub := newHub(t)
	kiosk, _ := newKiosk(t)
	link := join(t, hub.Store, kiosk, "mairie-1", hub.URL)
	huge := []byte(`{"events":[` + strings.Repeat(" ", MaxRequestBytes) + `]}`)
	for _, path := range []string{PathEvents, PathHelp} {
		status, msg := post(t, hub.URL, path, "Bearer "+link.Credential, huge)
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: status %d (%s), want 413", path, status, msg)
		}
	}
	status, _ := post(t, hub.URL, PathJoin, "", huge)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("join: status %d, want 413", status)
	}
	assertNothingStored(t, hub.Store)
}

func TestServeRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	for _, c := range []struct {
		addr  string
		allow bool
		ok    bool
	}{
		{"0.0.0.0:0", false, false},
		{":0", false, false},
		{"192.0.2.1:8750", false, false},
		{"127.0.0.1:0", false, true},
		{"[::1]:0", false, true},
		{"localhost:0", false, true},
		{"0.0.0.0:0", true, true},
	} {
		t.Run(c.addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			listening := make(chan string, 1)
			logger := slog.New(recordHandler(func(r slog.Record) {
				if r.Message == "the hub is listening" {
					listening <- r.Message
				}
			}))
			go func() {
				done <- Serve(ctx, ServeConfig{Addr: c.addr, AllowPlainHTTP: c.allow, Handler: http.NotFoundHandler(), Logger: logger})
			}()
			select {
			case err := <-done: // refused at once
				cancel()
				if c.ok {
					var opErr *net.OpError
					if errors.As(err, &opErr) {
						t.Skipf("cannot listen on %s here: %v", c.addr, err)
					}
					t.Fatalf("Serve(%s) = %v, want it serving", c.addr, err)
				}
				if !strings.Contains(err.Error(), "TLS") {
					t.Fatalf("Serve(%s) = %v, want a sentence asking for TLS", c.addr, err)
				}
			case <-listening:
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				if !c.ok {
					t.Fatalf("Serve(%s) served plain HTTP", c.addr)
				}
			}
		})
	}
}

// recordHandler is a slog handler calling f with every record.
type recordHandler func(slog.Record)

func (h recordHandler) Enabled(context.Context, slog.Level) bool      { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error { h(r); return nil }
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h recordHandler) WithGroup(string) slog.Handler                 { return h }

// TestShutdownLetsInFlightBatchFinish: the hub stopping (SIGTERM) while a
// batch is being stored finishes it and acknowledges it before it stops.
func TestShutdownLetsInFlightBatchFinish(t *testing.T) {
	store := openHubStore(t, filepath.Join(t.TempDir(), "hub.db"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	inFlight, release := make(chan struct{}), make(chan struct{})
	h := (&Server{Store: store, Logger: quietLogger()}).Handler()
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == PathEvents {
			close(inFlight)
			<-release
		}
		h.ServeHTTP(w, r)
	})
	stopping := make(chan struct{})
	logger := slog.New(recordHandler(func(r slog.Record) {
		if strings.Contains(r.Message, "stopping") {
			close(stopping)
		}
	}))
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ServeConfig{Listener: ln, Handler: slow, Logger: logger}) }()

	kiosk, dir := newKiosk(t)
	join(t, store, kiosk, "mairie-1", "http://"+ln.Addr().String())
	ids := appendSessions(t, kiosk, 10, 30) // 300 events: one batch
	synced := make(chan error, 1)
	go func() { synced <- (&Syncer{Outbox: kiosk, DataDir: dir}).SyncOnce(context.Background()) }()
	<-inFlight
	cancel() // SIGTERM
	<-stopping
	close(release)
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	<-synced // fails at the catalog, asked once the hub had stopped
	assertHubHolds(t, store, "mairie-1", ids)
	if n, err := kiosk.Pending(context.Background()); err != nil || n != 0 {
		t.Fatalf("%d events pending (%v): the batch in flight was not acknowledged", n, err)
	}
}
