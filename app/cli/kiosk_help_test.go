package cli

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/hubapi"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// serveAnsweringHub starts a hub on a loopback port for the test's life;
// answered receives each request's path once the hub answered it.
func serveAnsweringHub(t *testing.T) (url string, store *sqlite.HubDB, answered <-chan string) {
	t.Helper()
	store = sqlite.NewHubDB(filepath.Join(t.TempDir(), "hub.db"))
	if err := store.Open(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	paths := make(chan string, 100)
	api := (&hubapi.Server{Store: store}).Handler()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.ServeHTTP(w, r)
		select {
		case paths <- r.URL.Path:
		default:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- hubapi.Serve(ctx, hubapi.ServeConfig{Listener: ln, Handler: h}) }()
	t.Cleanup(func() {
		cancel()
		<-served
		store.Close()
	})
	return "http://" + ln.Addr().String(), store, paths
}

// TestHelpCallFromTheKioskScreen: on a joined kiosk, a person in a
// procedure touches help; the call is on the hub within seconds; staff
// mark it handled on the hub; the kiosk records it in the live session
// and the call closes on the hub, while the person still sees the calm
// "someone is coming" screen.
func TestHelpCallFromTheKioskScreen(t *testing.T) {
	ctx := context.Background()
	hubURL, hub, answered := serveAnsweringHub(t)
	token, err := hubapi.Enroll(ctx, hub, "mairie-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "kiosk.db")
	var out, errOut strings.Builder
	if code := Run(ctx, []string{"join", "-db", db, "-hub", hubURL, "-token", token}, &out, &errOut); code != 0 {
		t.Fatalf("join: exit %d: %s", code, errOut.String())
	}
	withStaffPIN(t, db)
	c := testConfig(db)
	c.tapGuard = time.Nanosecond // the test taps faster than a person
	c.syncEvery = time.Hour      // the help push alone brings the call
	c.helpPoll = 20 * time.Millisecond
	k, err := openKiosk(ctx, c, test.NewTempApp(t), audio.NewNullSink(0), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	kiosk := k.ui
	tap := func(tile *ui.Tile) {
		t.Helper()
		if tile == nil {
			t.Fatalf("no such tile on %s", kiosk.Screen().Name)
		}
		test.Tap(tile)
	}
	tap(kiosk.Screen().Start)
	tap(kiosk.Screen().Tile("fr"))
	tap(kiosk.Screen().Next)
	for kiosk.Screen().Tile("france-travail-update") == nil {
		tap(kiosk.Screen().NextPage)
	}
	tap(kiosk.Screen().Tile("france-travail-update"))
	tap(kiosk.Screen().Next)
	session := kiosk.Session().ID
	start := time.Now()
	tap(kiosk.Screen().Help)
	if kiosk.Screen().Name != ui.ScreenHelp {
		t.Fatalf("help led to %s", kiosk.Screen().Name)
	}

	hubCall := func() (passerelle.HubHelpCall, bool) {
		t.Helper()
		calls, err := hub.HubOpenHelpCalls(ctx, start.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			if c.SessionID == session {
				return c, true
			}
		}
		return passerelle.HubHelpCall{}, false
	}
	waitHub := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for !cond() {
			select {
			case <-answered:
			case <-deadline:
				t.Fatalf("%s: not within 10 s", what)
			}
		}
	}
	waitHub("the call on the hub", func() bool { _, ok := hubCall(); return ok })
	t.Logf("the call was on the hub %v after the touch", time.Since(start).Round(time.Millisecond))
	if call, _ := hubCall(); call.Kiosk != "mairie-1" || call.ProcedureID != "france-travail-update" {
		t.Errorf("the hub's call %+v, want mairie-1's in france-travail-update", call)
	}

	if err := hub.MarkHelpHandled(ctx, "mairie-1", session, "amina", time.Now()); err != nil {
		t.Fatal(err)
	}
	waitHub("the call closed on the hub", func() bool { _, ok := hubCall(); return !ok })
	k.Close() // the pusher stops: what it did is seen here

	if got := kiosk.Screen().Name; got != ui.ScreenHelp {
		t.Errorf("the hub's mark moved the person to %s, want the help screen still", got)
	}
	if len(kiosk.OpenHelpCalls()) != 0 || kiosk.HelpSignal().Visible() {
		t.Errorf("the desk signal still shows %d calls", len(kiosk.OpenHelpCalls()))
	}
	kdb := sqlite.NewDB(db)
	if err := kdb.Open(); err != nil {
		t.Fatal(err)
	}
	defer kdb.Close()
	evs, err := kdb.SessionEvents(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Kind != passerelle.EventHelpHandled || last.Seq != len(evs) {
		t.Fatalf("the session's log ends with %+v, want help_handled in its own Seq", last)
	}
	held, err := hub.EventIDs(ctx, "mairie-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if (e.Kind == passerelle.EventHelpAsked || e.Kind == passerelle.EventHelpHandled) && !slices.Contains(held, e.ID) {
			t.Errorf("the hub does not hold the kiosk's %s", e.Kind)
		}
	}
}
