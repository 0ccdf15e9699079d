package cli

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/hubapi"
	"passerelle/app/sqlite"
)

// logWatch is a logger's handler that hands each message to the test.
type logWatch struct{ messages chan string }

func (w logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w logWatch) Handle(_ context.Context, r slog.Record) error {
	select {
	case w.messages <- r.Message:
	default: // the test does not wait for this one
	}
	return nil
}
func (w logWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w logWatch) WithGroup(string) slog.Handler      { return w }

// waitMessage waits for a message the logger receives.
func (w logWatch) waitMessage(t *testing.T, msg string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m := <-w.messages:
			if m == msg {
				return
			}
		case <-deadline:
			t.Fatalf("no %q logged within 30s", msg)
		}
	}
}

// serveHub starts a hub on a loopback port for the test's life.
func serveTestHub(t *testing.T) (url string, store *sqlite.HubDB) {
	t.Helper()
	store = sqlite.NewHubDB(filepath.Join(t.TempDir(), "hub.db"))
	if err := store.Open(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	server := &hubapi.Server{Store: store}
	go func() { served <- hubapi.Serve(ctx, hubapi.ServeConfig{Listener: ln, Handler: server.Handler()}) }()
	t.Cleanup(func() {
		cancel()
		<-served
		store.Close()
	})
	return "http://" + ln.Addr().String(), store
}

func TestJoinedKioskSyncsInTheBackground(t *testing.T) {
	ctx := context.Background()
	hubURL, hub := serveTestHub(t)
	token, err := hubapi.Enroll(ctx, hub, "mairie-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "kiosk.db")
	var out, errOut strings.Builder
	if code := Run(ctx, []string{"join", "-db", db, "-hub", hubURL, "-token", token}, &out, &errOut); code != 0 {
		t.Fatalf("join: exit %d: %s", code, errOut.String())
	}
	if code := Run(ctx, []string{"simulate", "-db", db, "-sessions", "50", "-catalog", "../../data/procedures"}, &out, &errOut); code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errOut.String())
	}

	watch := logWatch{make(chan string, 64)}
	k, err := openKiosk(ctx, testConfig(db), test.NewTempApp(t), audio.NewNullSink(0), slog.New(watch))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	watch.waitMessage(t, "sync: the hub is in sync")

	totals, err := hub.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := sqlite.ReadStats(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if totals.Events != stats.Events || stats.Pending != 0 {
		t.Errorf("the hub holds %d events, the kiosk %d with %d pending; want them all at the hub", totals.Events, stats.Events, stats.Pending)
	}
	// The kiosk serves the catalog of its data folder, which the sync swaps.
	if want := filepath.Join(filepath.Dir(db), "catalog"); k.catalog != want {
		t.Errorf("the joined kiosk serves %s, want its data folder's %s", k.catalog, want)
	}
	if _, err := os.Stat(filepath.Join(k.catalog, "create-email", "procedure.yaml")); err != nil {
		t.Errorf("the data folder's catalog holds no procedure: %v", err)
	}
}

func TestKioskNotJoinedDoesNotSync(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := openKiosk(context.Background(), testConfig(db), test.NewTempApp(t), audio.NewNullSink(0), logger)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	if k.catalog != testConfig(db).catalog {
		t.Errorf("a kiosk not joined serves %s, want the shipped catalog", k.catalog)
	}
	if _, err := os.Lstat(filepath.Join(filepath.Dir(db), "catalog")); !os.IsNotExist(err) {
		t.Errorf("a kiosk that never joined a hub made a catalog in its data folder: %v", err)
	}
}
