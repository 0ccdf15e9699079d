package hubapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/sqlite"
)

// The test binary runs again as a hub or a kiosk process to kill, chosen
// by childEnv; childDB names its database file.
const (
	childEnv = "PASSERELLE_HUBAPI_CHILD"
	childDB  = "PASSERELLE_HUBAPI_DB"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "hub":
		os.Exit(runHubChild(os.Getenv(childDB)))
	case "kiosk":
		os.Exit(runKioskChild(os.Getenv(childDB)))
	}
	code := m.Run()
	if err := stopPostgres(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// runHubChild serves the hub database at path (a SQLite file, or a
// PostgreSQL DSN as the hub command takes) on a loopback port, prints
// "listening ADDR", and stops gracefully on SIGTERM, as the hub command.
func runHubChild(path string) int {
	var db interface {
		passerelle.HubStore
		Open() error
	}
	if postgres.IsDSN(path) {
		pg := postgres.NewHubDB(path)
		pg.Logger = quietLogger()
		db = pg
	} else {
		db = sqlite.NewHubDB(path)
	}
	if err := db.Open(); err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("listening", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	h := (&Server{Store: db, Logger: quietLogger()}).Handler()
	if err := Serve(ctx, ServeConfig{Listener: ln, Handler: h, Logger: quietLogger()}); err != nil {
		fmt.Println("error", err)
		return 1
	}
	return 0
}

// runKioskChild syncs the kiosk database at path until nothing is pending,
// as "passerelle sync -once" does, then prints "synced".
func runKioskChild(path string) int {
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer db.Close()
	s := &Syncer{Outbox: db, DataDir: filepath.Dir(path), AppVersion: "child"}
	fmt.Println("syncing")
	for range 100 {
		if err := s.SyncOnce(context.Background()); err != nil {
			continue
		}
		if n, err := db.Pending(context.Background()); err == nil && n == 0 {
			fmt.Println("synced")
			return 0
		}
	}
	fmt.Println("error: no complete sync in 100 attempts")
	return 1
}

// child is a test process started by startChild.
type child struct {
	cmd   *exec.Cmd
	lines chan string   // its output, line by line; closed when it ends
	done  chan struct{} // closed when it ended, err then set
	err   error         // how it ended
}

// wait waits for the child's end and returns how it ended.
func (c *child) wait() error {
	<-c.done
	return c.err
}

// startChild runs the test binary as role on the database at path.
func startChild(tb testing.TB, role, path string) *child {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, childDB+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 100), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		c.err = cmd.Wait()
		close(c.done)
	}()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		c.wait()
	})
	return c
}

// expect waits for a line starting with prefix and returns the rest.
func (c *child) expect(tb testing.TB, prefix string) string {
	tb.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				tb.Fatalf("the child ended before saying %q", prefix)
			}
			if rest, found := strings.CutPrefix(line, prefix); found {
				return strings.TrimSpace(rest)
			}
			if strings.HasPrefix(line, "error") {
				tb.Fatalf("child: %s", line)
			}
		case <-deadline:
			tb.Fatalf("the child did not say %q in 20 s", prefix)
		}
	}
}

// kill ends the child at once (SIGKILL: no cleanup, as a power cut) and
// waits for it.
func (c *child) kill() {
	c.cmd.Process.Kill()
	c.wait()
}

// TestHubKilledMidBatch: the hub process is killed (SIGKILL) while a batch
// is on its way in or being stored, then restarted on the same file. The
// kiosk goes on syncing; the hub then holds exactly the kiosk's events.
func TestHubKilledMidBatch(t *testing.T) {
	for round := range rounds {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(round), 7))
			hubPath := filepath.Join(t.TempDir(), "hub.db")
			store := openHubStore(t, hubPath)
			token, err := Enroll(context.Background(), store, "mairie-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			store.Close()

			hub := startChild(t, "hub", hubPath)
			p := startProxy(t, hub.expect(t, "listening "), 0, 0)
			kiosk, dir := newKiosk(t)
			link, err := Join(context.Background(), p.URL, token, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := kiosk.SaveHubLink(context.Background(), link); err != nil {
				t.Fatal(err)
			}
			ids := appendSessions(t, kiosk, 75, 40) // 3000 events, 6 batches

			// Kill the hub as the killAt-th batch reaches it, a few
			// milliseconds in: while it reads or stores the batch.
			killAt := 1 + rng.IntN(5)
			delay := time.Duration(rng.IntN(30000)) * time.Microsecond
			var batchesSeen atomic.Int32
			var once sync.Once
			killed := make(chan struct{})
			p.mu.Lock()
			p.onChunk = func(b []byte) {
				if !strings.Contains(string(b), "POST "+PathEvents) || batchesSeen.Add(1) != int32(killAt) {
					return
				}
				go once.Do(func() {
					time.Sleep(delay)
					hub.kill()
					close(killed)
				})
			}
			p.mu.Unlock()

			s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "test"}
			err = s.SyncOnce(context.Background())
			<-killed
			if err == nil {
				err = s.SyncOnce(context.Background())
			}
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("sync while the hub is dead = %v, want it unreachable", err)
			}

			// Mid-sync indeed: the dead hub's file holds only part.
			dead := openHubStore(t, hubPath)
			held, err := dead.EventIDs(context.Background(), "mairie-1")
			if err != nil || len(held) >= len(ids) {
				t.Fatalf("the killed hub holds %d of %d events (%v): it was not killed mid-sync", len(held), len(ids), err)
			}
			dead.Close()
			t.Logf("killed at batch %d after %v, holding %d of %d events", killAt, delay, len(held), len(ids))

			hub = startChild(t, "hub", hubPath)
			p.setUpstream(hub.expect(t, "listening "))
			syncUntilDone(t, s, 20)

			hub.cmd.Process.Signal(syscall.SIGTERM)
			if err := hub.wait(); err != nil {
				t.Fatalf("the hub did not stop cleanly on SIGTERM: %v", err)
			}
			assertHubHolds(t, openHubStore(t, hubPath), "mairie-1", ids)
		})
	}
}

// TestKioskKilledMidSync: the kiosk process is killed (SIGKILL) while it
// syncs (a batch on its way, stored but not yet acknowledged, or its ack
// being saved), then restarted; it finishes the sync, and the hub holds
// exactly the kiosk's events.
func TestKioskKilledMidSync(t *testing.T) {
	for round := range rounds {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(round), 11))
			killAt := int32(1 + rng.IntN(5))
			afterStore := rng.IntN(2) == 0
			delay := time.Duration(rng.IntN(3000)) * time.Microsecond
			var batches atomic.Int32
			victim := make(chan *child, 1)
			killed := make(chan struct{})
			hub := startHub(t, openHubStore(t, filepath.Join(t.TempDir(), "hub.db")), func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n := int32(0)
					if r.URL.Path == PathEvents {
						n = batches.Add(1)
					}
					if n == killAt && !afterStore {
						(<-victim).kill()
						close(killed)
					}
					h.ServeHTTP(w, r)
					if n == killAt && afterStore {
						c := <-victim
						go func() {
							time.Sleep(delay) // the ack on its way, or being saved
							c.kill()
							close(killed)
						}()
					}
				})
			})

			kioskPath := filepath.Join(t.TempDir(), "kiosk.db")
			kiosk := openKioskDB(t, kioskPath)
			join(t, hub.Store, kiosk, "mairie-1", hub.URL)
			ids := appendSessions(t, kiosk, 75, 40) // 3000 events, 6 batches
			kiosk.Close()

			c := startChild(t, "kiosk", kioskPath)
			victim <- c
			<-killed
			c.wait()
			// Mid-sync indeed: the killed kiosk had events left to send.
			dead := openKioskDB(t, kioskPath)
			pending, err := dead.Pending(context.Background())
			if err != nil || pending == 0 {
				t.Fatalf("the killed kiosk has %d events pending (%v): it was not killed mid-sync", pending, err)
			}
			dead.Close()
			t.Logf("killed at batch %d (after the hub stored it: %v), %d events pending", killAt, afterStore, pending)

			c = startChild(t, "kiosk", kioskPath)
			c.expect(t, "synced")
			if err := c.wait(); err != nil {
				t.Fatalf("the restarted kiosk: %v", err)
			}
			assertHubHolds(t, hub.Store, "mairie-1", ids)
			kiosk = openKioskDB(t, kioskPath)
			if n, err := kiosk.Pending(context.Background()); err != nil || n != 0 {
				t.Fatalf("the kiosk still has %d events pending (%v)", n, err)
			}
		})
	}
}
