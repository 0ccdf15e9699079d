package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/bundle"
	"passerelle/app/hubapi"
	"passerelle/app/passerelle"
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

// publish publishes a catalog folder on the hub, as its Publisher does,
// and returns its version.
func publish(t *testing.T, hub *sqlite.HubDB, dir string) string {
	t.Helper()
	archive, hash, err := bundle.Pack(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.PublishCatalog(context.Background(), passerelle.CatalogVersion{Hash: hash, Archive: archive, PublishedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return hash
}

// version is the version of a procedure in a catalog, 0 when absent.
func version(c *passerelle.Catalog, id string) int {
	if p, ok := c.Procedure(id); ok {
		return p.Version
	}
	return 0
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

	published := publish(t, hub, "../../data/procedures")
	watch := logWatch{make(chan string, 64)}
	withStaffPIN(t, db)
	c := testConfig(db)
	c.syncEvery = 50 * time.Millisecond
	k, err := openKiosk(ctx, c, test.NewTempApp(t), audio.NewNullSink(0), slog.New(watch))
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
	if stats.CatalogVersion != published {
		t.Errorf("the kiosk runs catalog %q, want the hub's %s", stats.CatalogVersion, published)
	}

	// Staff publish a new version on the hub: it goes live on the running
	// kiosk, without a restart.
	updates, cancel := k.watcher.Subscribe()
	defer cancel()
	edited := filepath.Join(t.TempDir(), "catalog")
	if err := os.CopyFS(edited, os.DirFS("../../data/procedures")); err != nil {
		t.Fatal(err)
	}
	// One version more than the shipped file's, whatever it is now.
	yaml := filepath.Join(edited, "create-email", "procedure.yaml")
	b, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	want := version(k.watcher.Catalog(), "create-email") + 1
	bumped := regexp.MustCompile(`\nversion: \d+\n`).ReplaceAll(b, fmt.Appendf(nil, "\nversion: %d\n", want))
	if err := os.WriteFile(yaml, bumped, 0o644); err != nil {
		t.Fatal(err)
	}
	publish(t, hub, edited)
	deadline := time.After(30 * time.Second)
	for version(k.watcher.Catalog(), "create-email") != want {
		select {
		case <-updates:
		case <-deadline:
			t.Fatalf("the catalog published on the hub is not live on the kiosk after 30s: create-email is at version %d", version(k.watcher.Catalog(), "create-email"))
		}
	}
}

func TestKioskNotJoinedDoesNotSync(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	withStaffPIN(t, db)
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
