package hubapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/postgres/postgrestest"
)

// The PostgreSQL cluster of the tests below: started by the first test
// that needs one, so that the package's other tests do not wait for
// initdb, and stopped by TestMain.
var pgCluster struct {
	once    sync.Once
	cluster *postgrestest.Cluster
	err     error
}

// pgDatabase returns the DSN of a fresh database, dropped at the test's
// end. postgrestest's rule: without PostgreSQL installed the test skips,
// saying so, unless CI=true, where it fails; a cluster that would not
// start fails.
func pgDatabase(tb testing.TB) string {
	tb.Helper()
	pgCluster.once.Do(func() { pgCluster.cluster, pgCluster.err = postgrestest.Start() })
	switch err := pgCluster.err; {
	case errors.Is(err, postgrestest.ErrNotInstalled) && os.Getenv("CI") != "true":
		tb.Skipf("skipped: %v", err)
	case errors.Is(err, postgrestest.ErrNotInstalled):
		tb.Fatalf("CI=true and %v", err)
	case err != nil:
		tb.Fatal(err)
	}
	return pgCluster.cluster.NewDatabase(tb)
}

// stopPostgres stops the cluster if a test started one.
func stopPostgres() error {
	if pgCluster.cluster == nil {
		return nil
	}
	return pgCluster.cluster.Stop()
}

// openPostgresHub opens the hub store at dsn in the test process, as the
// staff commands (hub enroll, hub revoke, stats) do beside running hubs.
func openPostgresHub(tb testing.TB, dsn string) *postgres.HubDB {
	tb.Helper()
	db := postgres.NewHubDB(dsn)
	db.Logger = quietLogger()
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// startHubs starts n hub processes on the database at dsn, all at once (as
// a deployment's hubs start: they migrate the same database together),
// and returns them with their addresses.
func startHubs(tb testing.TB, dsn string, n int) ([]*child, []string) {
	tb.Helper()
	hubs := make([]*child, n)
	for i := range hubs {
		hubs[i] = startChild(tb, "hub", dsn)
	}
	addrs := make([]string, n)
	for i, h := range hubs {
		addrs[i] = h.expect(tb, "listening ")
	}
	return hubs, addrs
}

// stopHub stops a hub as its service manager does (SIGTERM) and checks it
// stopped cleanly.
func stopHub(tb testing.TB, h *child) {
	tb.Helper()
	h.cmd.Process.Signal(syscall.SIGTERM)
	if err := h.wait(); err != nil {
		tb.Errorf("a hub did not stop cleanly on SIGTERM: %v", err)
	}
}

// balancer is a TCP load balancer in front of several hubs, as a national
// deployment runs one (HAProxy, nginx stream): each connection goes to the
// next hub in turn, and a hub that refuses connections is passed over.
// Kiosks know only its address.
type balancer struct {
	ln  net.Listener
	URL string

	mu     sync.Mutex
	hubs   []string // their addresses
	next   int
	served []int // connections each hub took
	conns  map[net.Conn]bool
	closed bool
	// onChunk, when set, sees every chunk going to hub i and says how
	// many of its bytes to forward before calling then (when not nil),
	// and the rest after: the test kills a hub in the middle of a batch.
	onChunk func(i int, chunk []byte) (n int, then func())

	wg sync.WaitGroup
}

// startBalancer listens on loopback in front of hubs until the test ends.
func startBalancer(tb testing.TB, hubs []string) *balancer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	b := &balancer{
		ln: ln, URL: "http://" + ln.Addr().String(),
		hubs: slices.Clone(hubs), served: make([]int, len(hubs)), conns: map[net.Conn]bool{},
	}
	b.wg.Add(1)
	go b.serve()
	tb.Cleanup(b.close)
	return b
}

// setHub points the balancer's i-th hub at addr (a restarted hub).
func (b *balancer) setHub(i int, addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hubs[i] = addr
}

// connections returns how many connections each hub took so far.
func (b *balancer) connections() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.served)
}

func (b *balancer) close() {
	b.ln.Close()
	b.mu.Lock()
	b.closed = true
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// track remembers c to close it at the end; false once closing.
func (b *balancer) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		c.Close()
		return false
	}
	b.conns[c] = true
	return true
}

func (b *balancer) forget(c net.Conn) {
	c.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.conns, c)
}

func (b *balancer) serve() {
	defer b.wg.Done()
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		if !b.track(c) {
			return
		}
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			defer b.forget(c)
			b.handle(c)
		}()
	}
}

// dial connects to the next hub that accepts, trying each once.
func (b *balancer) dial() (net.Conn, int, error) {
	b.mu.Lock()
	first := b.next
	b.next = (b.next + 1) % len(b.hubs)
	hubs := slices.Clone(b.hubs)
	b.mu.Unlock()
	var errs []error
	for k := range hubs {
		i := (first + k) % len(hubs)
		c, err := net.DialTimeout("tcp", hubs[i], 2*time.Second)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		b.mu.Lock()
		b.served[i]++
		b.mu.Unlock()
		return c, i, nil
	}
	return nil, 0, errors.Join(errs...)
}

func (b *balancer) handle(client net.Conn) {
	hub, i, err := b.dial()
	if err != nil {
		return // no hub up: the kiosk sees its connection closed
	}
	if !b.track(hub) {
		return
	}
	defer b.forget(hub)
	go func() {
		io.Copy(client, hub)
		client.Close()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			b.mu.Lock()
			onChunk := b.onChunk
			b.mu.Unlock()
			chunk, rest, then := buf[:n], []byte(nil), func() {}
			if onChunk != nil {
				if k, f := onChunk(i, chunk); f != nil {
					chunk, rest, then = chunk[:k], chunk[k:], f
				}
			}
			if _, err := hub.Write(chunk); err != nil {
				return
			}
			then()
			if _, err := hub.Write(rest); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// simKiosk is a simulated kiosk: a real kiosk database in its own data
// folder, used in waves, syncing after each through the balancer.
type simKiosk struct {
	name     string
	db       kioskDB
	dir      string
	ids      []string // every event it appended
	sessions int
	failures int   // syncs that failed
	refused  error // the first failure that was not the hub being unreachable
}

// use appends waves of sessions, and after each syncs until nothing is
// pending, retrying failed syncs with the Syncer's own jittered backoff,
// as the kiosk's background sync does (with shorter waits).
func (k *simKiosk) use(ctx context.Context, waves, sessions, size int) error {
	s := &Syncer{Outbox: k.db, DataDir: k.dir, AppVersion: "test"}
	for range waves {
		ids, err := appendWave(ctx, k.db, sessions, size)
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		k.ids = append(k.ids, ids...)
		k.sessions += sessions
		failuresInARow := 0
		for {
			err := s.SyncOnce(ctx)
			if err == nil {
				pending, err := k.db.Pending(ctx)
				if err != nil {
					return fmt.Errorf("%s: %w", k.name, err)
				}
				if pending == 0 {
					break
				}
				continue
			}
			if ctx.Err() != nil {
				return fmt.Errorf("%s: not synced in time; last error: %w", k.name, err)
			}
			k.failures++
			if k.refused == nil && !errors.Is(err, ErrUnreachable) {
				k.refused = err
			}
			failuresInARow++
			t := time.NewTimer(backoff(failuresInARow, 5*time.Millisecond, 100*time.Millisecond))
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
	}
	return nil
}

// appendWave appends n sessions of size events each, as a kiosk in use
// does, and returns their ids.
func appendWave(ctx context.Context, db kioskDB, n, size int) ([]string, error) {
	start := time.Now().Add(-time.Duration(n) * time.Minute)
	var ids []string
	for s := range n {
		events := sessionEvents(start.Add(time.Duration(s)*time.Minute), size)
		if err := db.Append(ctx, events...); err != nil {
			return nil, fmt.Errorf("append a session: %w", err)
		}
		for _, e := range events {
			ids = append(ids, e.ID)
		}
	}
	return ids, nil
}

// TestHubKilledAmongSeveral: two hub processes serve one PostgreSQL
// database behind a load balancer; 50 kiosks use it, in waves, syncing
// after each. One hub is killed (SIGKILL) in the middle of a batch: while
// it reads it, or a moment after it read it whole (storing it, or its ack
// on the way); in one round it is restarted. The kiosks go on syncing
// through the balancer until none has anything pending; then the hub
// holds exactly the kiosks' events, kiosk by kiosk and all together:
// 0 lost, 0 twice.
func TestHubKilledAmongSeveral(t *testing.T) {
	const (
		kiosks   = 50
		waves    = 5
		sessions = 2
		size     = 40 // 400 events a kiosk, 20 000 in all
	)
	cases := []struct {
		name    string
		killAt  [2]int // the kill comes with a batch drawn in [killAt[0], killAt[1]) of those reaching hub 0
		reading bool   // killed with half the batch read; else a moment after it was read whole
		restart bool
	}{
		// About half of the 250 first syncs' batches reach hub 0.
		{"early, reading a batch, restarted", [2]int{3, 15}, true, true},
		{"late, storing a batch, not restarted", [2]int{40, 80}, false, false},
	}
	// Other draws at each run; a failure is replayed with
	// PASSERELLE_FAULT_SEED (as far as the scheduling allows).
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("PASSERELLE_FAULT_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("PASSERELLE_FAULT_SEED=%d", seed)
	for round, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, uint64(round)))
			killAt := tc.killAt[0] + rng.IntN(tc.killAt[1]-tc.killAt[0])
			delay := time.Duration(rng.IntN(5000)) * time.Microsecond
			moment := "with half of it read"
			if !tc.reading {
				moment = fmt.Sprint(delay, " after it was read")
			}
			// A bound against a hang only: a round takes a few seconds
			// (about 20 with -race).
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
			defer cancel()

			dsn := pgDatabase(t)
			hubs, addrs := startHubs(t, dsn, 2)
			lb := startBalancer(t, addrs)
			store := openPostgresHub(t, dsn) // staff's view, beside the hubs

			sims := make([]*simKiosk, kiosks)
			for i := range sims {
				db, dir := newKiosk(t)
				sims[i] = &simKiosk{name: fmt.Sprintf("kiosk-%02d", i), db: db, dir: dir}
				join(t, store, db, sims[i].name, lb.URL)
			}
			joined := lb.connections()

			// The kill runs on the connection carrying the batch, between
			// two writes to the hub: at that moment in the batch whatever
			// the scheduling of the test's goroutines.
			var batches atomic.Int32
			victim := hubs[0]
			killed := make(chan struct{})
			lb.mu.Lock()
			lb.onChunk = func(i int, chunk []byte) (int, func()) {
				if i != 0 || !strings.Contains(string(chunk), "POST "+PathEvents) || batches.Add(1) != int32(killAt) {
					return 0, nil
				}
				kill := func() {
					victim.kill()
					close(killed)
				}
				if tc.reading {
					return len(chunk) / 2, kill
				}
				return len(chunk), func() {
					time.Sleep(delay) // the batch being stored, or its ack on the way
					kill()
				}
			}
			lb.mu.Unlock()

			start := time.Now()
			errs := make(chan error, kiosks)
			var wg sync.WaitGroup
			for _, k := range sims {
				wg.Go(func() { errs <- k.use(ctx, waves, sessions, size) })
			}
			allDone := make(chan struct{})
			go func() {
				wg.Wait()
				close(allDone)
			}()

			select {
			case <-killed:
			case <-allDone:
				close(errs)
				for err := range errs {
					if err != nil {
						t.Error(err)
					}
				}
				t.Fatalf("every kiosk ended before batch %d reached hub 0: the hub was never killed", killAt)
			}
			atKill, err := store.Totals(ctx)
			if err != nil {
				t.Fatal(err)
			}
			afterKill := lb.connections()
			restartedAt := afterKill
			alive := hubs[1:]
			if tc.restart {
				hubs[0] = startChild(t, "hub", dsn)
				lb.setHub(0, hubs[0].expect(t, "listening "))
				restartedAt = lb.connections()
				alive = hubs
			}

			<-allDone
			drained := time.Since(start)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if t.Failed() {
				t.FailNow()
			}
			end := lb.connections()
			for _, h := range alive {
				stopHub(t, h)
			}

			failures := 0
			var union []string
			allSessions := 0
			for _, k := range sims {
				failures += k.failures
				if k.refused != nil {
					t.Errorf("%s: a hub refused a sync, where only a dead hub was expected: %v", k.name, k.refused)
				}
				held, err := store.EventIDs(ctx, k.name)
				if err != nil {
					t.Fatal(err)
				}
				if lost, twice, unknown := compareIDs(held, k.ids); lost+twice+unknown > 0 {
					t.Errorf("%s: the hub holds %d events, the kiosk has %d: %d lost, %d held twice, %d unknown to the kiosk",
						k.name, len(held), len(k.ids), lost, twice, unknown)
				}
				union = append(union, k.ids...)
				allSessions += k.sessions
			}
			var held []string
			listed, err := store.Kiosks(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range listed {
				ids, err := store.EventIDs(ctx, k.Name)
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, ids...)
			}
			assertSameIDs(t, held, union)
			totals, err := store.Totals(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if totals.Events != len(union) || totals.Sessions != allSessions {
				t.Errorf("the hub counts %d events and %d sessions; the kiosks hold %d and %d",
					totals.Events, totals.Sessions, len(union), allSessions)
			}

			t.Logf("%d kiosks, %d events: hub 0 killed at its batch %d %s, the hub holding then %d; drained in %v; %d syncs failed and were retried",
				kiosks, len(union), killAt, moment, atKill.Events, drained.Round(time.Millisecond), failures)
			t.Logf("connections per hub: joining %v, at the kill %v, after restart %v, at the end %v", joined, afterKill, restartedAt, end)

			// The run proved something only if the kill came mid-run,
			// cut syncs in flight, and the other hub took over.
			if atKill.Events >= len(union) {
				t.Errorf("the hub held every event when hub 0 was killed: the kill came too late to prove anything")
			}
			if tc.reading && failures == 0 {
				t.Errorf("no sync failed: the kill cut no sync in flight")
			}
			if end[1] == afterKill[1] {
				t.Errorf("hub 1 took no connection after hub 0 was killed")
			}
			if tc.restart && end[0] == restartedAt[0] {
				t.Errorf("the restarted hub 0 took no connection")
			}
		})
	}
}

// compareIDs counts the ids of want missing from got, those got holds
// more than once, and those of got not in want.
func compareIDs(got, want []string) (lost, twice, unknown int) {
	inGot := map[string]int{}
	for _, id := range got {
		inGot[id]++
	}
	inWant := map[string]bool{}
	for _, id := range want {
		inWant[id] = true
		if inGot[id] == 0 {
			lost++
		}
	}
	for id, n := range inGot {
		if n > 1 {
			twice++
		}
		if !inWant[id] {
			unknown++
		}
	}
	return lost, twice, unknown
}

// TestJoinThroughOneHubSyncThroughAnother: hub processes keep nothing of
// their own. A kiosk enrolled in the database joins through hub 1 and
// syncs through hub 0; its used token is refused by hub 0 as by hub 1;
// revoked in the database, it is refused by both at once.
func TestJoinThroughOneHubSyncThroughAnother(t *testing.T) {
	ctx := context.Background()
	dsn := pgDatabase(t)
	hubs, addrs := startHubs(t, dsn, 2)
	store := openPostgresHub(t, dsn)
	url := func(i int) string { return "http://" + addrs[i] }

	token, err := Enroll(ctx, store, "mairie-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	link, err := Join(ctx, url(1), token, nil)
	if err != nil {
		t.Fatalf("join through hub 1: %v", err)
	}
	for i := range hubs {
		if _, err := Join(ctx, url(i), token, nil); !errors.Is(err, passerelle.ErrUnauthorized) {
			t.Errorf("the used token through hub %d = %v, want it refused (%v)", i, err, passerelle.ErrUnauthorized)
		}
	}

	kiosk, dir := newKiosk(t)
	link.URL = url(0)
	if err := kiosk.SaveHubLink(ctx, link); err != nil {
		t.Fatal(err)
	}
	ids := appendSessions(t, kiosk, 3, 40)
	s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "test"}
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatalf("sync through hub 0 with the credential hub 1 gave: %v", err)
	}
	assertHubHolds(t, store, "mairie-1", ids)

	if err := store.RevokeKiosk(ctx, "mairie-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	appendSessions(t, kiosk, 1, 40)
	for i := range hubs {
		link.URL = url(i)
		if err := kiosk.SaveHubLink(ctx, link); err != nil {
			t.Fatal(err)
		}
		if err := s.SyncOnce(ctx); !errors.Is(err, passerelle.ErrRevoked) {
			t.Errorf("sync of the revoked kiosk through hub %d = %v, want it refused (%v)", i, err, passerelle.ErrRevoked)
		}
	}
	assertHubHolds(t, store, "mairie-1", ids)
	for _, h := range hubs {
		stopHub(t, h)
	}
}
