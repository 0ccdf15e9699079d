package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/postgres/postgrestest"
)

// connect opens a plain connection, to look at what the store wrote.
func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func query[T any](t testing.TB, conn *pgx.Conn, sql string, args ...any) []T {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[T])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// joinKiosk enrolls and joins a kiosk.
func joinKiosk(t testing.TB, s passerelle.HubStore, name string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	if err := s.EnrollKiosk(ctx, name, []byte(name+"-token"), now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinKiosk(ctx, []byte(name+"-token"), []byte(name+"-cred"), now); err != nil {
		t.Fatal(err)
	}
}

// events returns n events of one session, a second apart from start.
func events(start time.Time, n int) []passerelle.Event {
	sid := passerelle.NewID(start)
	es := make([]passerelle.Event, n)
	for i := range es {
		at := start.Add(time.Duration(i) * time.Second)
		es[i] = passerelle.Event{ID: passerelle.NewID(at), SessionID: sid, Seq: i + 1,
			Kind: passerelle.EventStepShown, At: at, ProcedureID: "caf", ProcedureVersion: 1, StepID: fmt.Sprint("s", i)}
	}
	es[0].Kind = passerelle.EventSessionStarted
	return es
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	t.Parallel() // each test has a database of its own
	dsn := postgrestest.NewDatabase(t)
	const hubs = 4
	errs := make(chan error, hubs)
	var wg sync.WaitGroup
	for range hubs {
		wg.Go(func() {
			db := postgres.NewHubDB(dsn)
			err := db.Open()
			db.Close()
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Open with %d hubs starting at once: %v", hubs, err)
		}
	}
	conn := connect(t, dsn)
	if got := query[int32](t, conn, `SELECT version FROM schema_migrations ORDER BY version`); !slices.Equal(got, []int32{1, 2, 3, 4, 5}) {
		t.Errorf("schema_migrations = %v; want each migration once", got)
	}
	// And a hub opened later finds nothing to do, and works.
	db := openHubOn(t, dsn)
	joinKiosk(t, db, "k")
}

func openHubOn(t testing.TB, dsn string) *postgres.HubDB {
	t.Helper()
	db := postgres.NewHubDB(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenRefusesUntouched(t *testing.T) {
	t.Parallel() // each test has a database of its own
	for _, tc := range []struct {
		name    string
		prepare string
		want    string
	}{
		{"another application's database", `CREATE TABLE invoices (id int)`, "not a Passerelle hub's database"},
		{"a newer Passerelle's", `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO schema_migrations VALUES (999, '0999_future.sql')`,
			"newer Passerelle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := postgrestest.NewDatabase(t)
			conn := connect(t, dsn)
			if _, err := conn.Exec(context.Background(), tc.prepare); err != nil {
				t.Fatal(err)
			}
			tables := func() []string {
				return query[string](t, conn, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
			}
			before := tables()
			db := postgres.NewHubDB(dsn + " password=hunter2")
			err := db.Open()
			db.Close()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v; want an error saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
			if after := tables(); !slices.Equal(after, before) {
				t.Errorf("tables %v became %v; want the database untouched", before, after)
			}
		})
	}
}

func TestOpenWithoutTheRightToCreateSaysSo(t *testing.T) {
	t.Parallel()
	dsn := postgrestest.NewDatabase(t)
	conn := connect(t, dsn)
	// Since PostgreSQL 15 only the owner creates in public; be explicit
	// for older servers.
	role := "reader_" + conn.Config().Database // roles are the cluster's: one per test database
	if _, err := conn.Exec(context.Background(), `CREATE ROLE `+role+` LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(context.Background(), `DROP ROLE `+role) })
	db := postgres.NewHubDB(strings.Replace(dsn, "user=postgres", "user="+role, 1))
	err := db.Open()
	db.Close()
	if err == nil || !strings.Contains(err.Error(), "may not create the hub's tables") {
		t.Errorf("Open as a role without the right to create: %v; want it said in plain words", err)
	}
}

func TestOpenBadDSNSaysWhyNotThePassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, dsn, say string
	}{
		{"no server there", "host=/nonexistent dbname=hub user=hub password=hunter2 connect_timeout=5", "hub on /nonexistent"},
		{"a port that is not a number", "postgres://hub:hunter2@db.example.org:54x2/hub", "not a PostgreSQL connection string"},
		{"a timeout that is not a number", "host=/tmp dbname=hub password=hunter2 connect_timeout=soon", "not a PostgreSQL connection string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := postgres.NewHubDB(tc.dsn)
			err := db.Open()
			db.Close()
			if err == nil || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("Open: %v; want it to say %q", err, tc.say)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Open: %v; shows the password", err)
			}
		})
	}
}

// TestIDTimeMatchesTheTable checks that the id → partition function the
// hub computes is the one the table's CHECK holds it to, on the ids
// kiosks make and on ids they should not.
func TestIDTimeMatchesTheTable(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	db := openHubWithNow(t, time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	joinKiosk(t, db, "k")
	base := events(time.Date(2026, 11, 24, 9, 0, 0, 123e6, time.UTC), 1)[0]
	for _, tc := range []struct {
		name    string
		id      string
		routeTo string
	}{
		{"a kiosk's id, this month", passerelle.NewID(time.Date(2026, 11, 30, 23, 59, 59, 999e6, time.UTC)), "events_2026_11"},
		{"a kiosk's id, first millisecond of next month", passerelle.NewID(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), "events_2026_12"},
		{"a kiosk's id from 1970", passerelle.NewID(time.Unix(0, 0)), "events_default"},
		{"a kiosk's id in year 3000", passerelle.NewID(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)), "events_default"},
		{"uppercase UUIDv7", strings.ToUpper(passerelle.NewID(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))), "events_default"},
		{"a UUIDv4", "9b2e4c1a-3f5d-4e6a-8b7c-1d2e3f4a5b6c", "events_default"},
		{"not a UUID", "event-42", "events_default"},
		{"a UUIDv7 with a wrong variant", "019abc12-3456-7def-0123-456789abcdef", "events_default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base
			e.ID = tc.id
			held, conflicts, err := db.PutEvents(ctx, "k", []passerelle.Event{e})
			if err != nil || len(held) != 1 || len(conflicts) != 0 {
				t.Fatalf("PutEvents = %v, %v, %v; want it held (the table's CHECK agrees with the hub)", held, conflicts, err)
			}
			conn := connect(t, db.DSN())
			if got := query[string](t, conn, `SELECT tableoid::regclass::text FROM events WHERE id = $1`, tc.id); !slices.Equal(got, []string{tc.routeTo}) {
				t.Errorf("stored in %v; want once, in %s", got, tc.routeTo)
			}
			if held, conflicts, err := db.PutEvents(ctx, "k", []passerelle.Event{e}); err != nil || len(held) != 1 || len(conflicts) != 0 {
				t.Errorf("sent again: %v, %v, %v; want it held again", held, conflicts, err)
			}
		})
	}
}

func openHubWithNow(t testing.TB, now time.Time) *postgres.HubDB {
	t.Helper()
	db := postgres.NewHubDB(postgrestest.NewDatabase(t))
	db.Logger = slog.New(slog.DiscardHandler)
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPartitionsFollowTime(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	now := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	db := openHubWithNow(t, now)
	conn := connect(t, db.DSN())
	partitions := func() []string {
		return query[string](t, conn, `
			SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'events'::regclass ORDER BY 1`)
	}
	where := func(id string) []string {
		return query[string](t, conn, `SELECT tableoid::regclass::text FROM events WHERE id = $1`, id)
	}
	if got, want := partitions(), []string{"events_2026_11", "events_2026_12", "events_2027_01", "events_default"}; !slices.Equal(got, want) {
		t.Fatalf("after Open: partitions %v; want %v (this month and the next two, and the default)", got, want)
	}
	joinKiosk(t, db, "k")
	put := func(es []passerelle.Event) {
		t.Helper()
		held, conflicts, err := db.PutEvents(ctx, "k", es)
		if err != nil || len(held) != len(es) || len(conflicts) != 0 {
			t.Fatalf("PutEvents: held %d of %d, conflicts %v, %v", len(held), len(es), conflicts, err)
		}
	}
	backlog := events(time.Date(2026, 2, 10, 8, 0, 0, 0, time.UTC), 2)    // 9 months old: its own month
	tooOld := events(time.Date(2025, 6, 10, 8, 0, 0, 0, time.UTC), 1)     // beyond a year: default
	clockAhead := events(time.Date(2027, 6, 10, 8, 0, 0, 0, time.UTC), 2) // 7 months ahead: default, for now
	put(slices.Concat(backlog, tooOld, clockAhead))
	for _, tc := range []struct {
		id, want string
	}{{backlog[0].ID, "events_2026_02"}, {tooOld[0].ID, "events_default"}, {clockAhead[0].ID, "events_default"}} {
		if got := where(tc.id); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s stored in %v; want %s", tc.id, got, tc.want)
		}
	}

	// Time goes by: in May 2027 the hub creates June's partition ahead,
	// and the June events waiting in the default partition move there.
	db.Now = func() time.Time { return time.Date(2027, 5, 2, 0, 0, 0, 0, time.UTC) }
	put(events(time.Date(2027, 5, 2, 0, 0, 0, 0, time.UTC), 1))
	if got := where(clockAhead[1].ID); !slices.Equal(got, []string{"events_2027_06"}) {
		t.Errorf("after June's partition was made, the June event is in %v; want events_2027_06", got)
	}
	if got := partitions(); !slices.Contains(got, "events_2027_07") || !slices.Contains(got, "events_2027_05") {
		t.Errorf("partitions in May 2027: %v; want May to July", got)
	}
	// Moved, still one: sent again, it is held, not stored twice.
	put(clockAhead)
	if tot, err := db.Totals(ctx); err != nil || tot.Events != 6 || tot.Sessions != 4 {
		t.Errorf("Totals = %+v, %v; want 6 events, 4 sessions", tot, err)
	}
	if got := query[int64](t, conn, `SELECT count(*) FROM events`); got[0] != 6 {
		t.Errorf("%d rows in events; want 6", got[0])
	}

	// A second hub, started before June's partition existed in its
	// cache, finds it made and routes there too.
	other := postgres.NewHubDB(db.DSN())
	other.Now = db.Now
	if err := other.Open(); err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	late := events(time.Date(2027, 6, 20, 0, 0, 0, 0, time.UTC), 1)
	if _, _, err := other.PutEvents(ctx, "k", late); err != nil {
		t.Fatal(err)
	}
	if got := where(late[0].ID); !slices.Equal(got, []string{"events_2027_06"}) {
		t.Errorf("through the second hub: stored in %v; want events_2027_06", got)
	}
}

// TestTwoHubsOneDatabase: two hub processes' stores on one database,
// receiving the same kiosk's overlapping batches at once (a kiosk retrying
// through a load balancer), hold every event exactly once.
func TestTwoHubsOneDatabase(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	dsn := postgrestest.NewDatabase(t)
	hubs := []*postgres.HubDB{openHubOn(t, dsn), openHubOn(t, dsn)}
	joinKiosk(t, hubs[0], "k")
	var all []passerelle.Event
	for i := range 40 {
		all = append(all, events(time.Date(2026, 11, 1, 8, i, 0, 0, time.UTC), 10)...)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			hub := hubs[g%2]
			for from := g * 25; from < len(all); from += 100 {
				held, conflicts, err := hub.PutEvents(ctx, "k", all[from:min(from+100, len(all))])
				if err == nil && (len(conflicts) != 0 || len(held) != min(100, len(all)-from)) {
					err = fmt.Errorf("held %d, conflicts %v", len(held), conflicts)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ids, err := hubs[1].EventIDs(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(all))
	for i, e := range all {
		want[i] = e.ID
	}
	if slices.Sort(want); !slices.Equal(ids, want) {
		t.Errorf("the hubs hold %d ids; want the kiosk's %d, each once", len(ids), len(want))
	}
	if tot, err := hubs[0].Totals(ctx); err != nil || tot.Events != len(all) || tot.Sessions != 40 {
		t.Errorf("Totals = %+v, %v; want %d events, 40 sessions", tot, err, len(all))
	}
}

func TestPutEventsRefusesWhatItCannotKeep(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	db := openHub(t)
	joinKiosk(t, db, "k")
	for _, tc := range []struct {
		name   string
		change func(e *passerelle.Event)
		say    string
	}{
		{"a NUL in the answer", func(e *passerelle.Event) { e.Answer = "yes\x00" }, "not text"},
		{"bytes that are not UTF-8 in the step", func(e *passerelle.Event) { e.StepID = "s\xff\xfe" }, "not text"},
		{"a NUL in the id", func(e *passerelle.Event) { e.ID = "a\x00b" }, "not text"},
		{"a time in year 300000", func(e *passerelle.Event) { e.At = time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC) }, "not a date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batch := events(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), 3)
			tc.change(&batch[1])
			_, _, err := db.PutEvents(ctx, "k", batch)
			if err == nil || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("PutEvents: %v; want the batch refused, saying %q", err, tc.say)
			}
			if ids, err := db.EventIDs(ctx, "k"); err != nil || len(ids) != 0 {
				t.Errorf("EventIDs = %v, %v; want nothing of the refused batch stored", ids, err)
			}
		})
	}
}

func TestPutEventsUnknownKiosk(t *testing.T) {
	t.Parallel() // each test has a database of its own
	db := openHub(t)
	_, _, err := db.PutEvents(context.Background(), "nobody", events(time.Now(), 2))
	if !errors.Is(err, passerelle.ErrNotFound) {
		t.Errorf("PutEvents for an unknown kiosk: %v; want ErrNotFound", err)
	}
	if tot, err := db.Totals(context.Background()); err != nil || tot.Events != 0 {
		t.Errorf("Totals = %+v, %v; want nothing stored", tot, err)
	}
}

// TestPartitionCreationGivesWayToReaders: a long read holding the default
// partition (an audit) makes the month's creation give up after a short
// wait instead of stalling uploads; the events are stored all the same,
// and the month is made on a later batch.
func TestPartitionCreationGivesWayToReaders(t *testing.T) {
	ctx := context.Background()
	t.Cleanup(postgres.SetPartitionLockTimeout(100 * time.Millisecond))
	now := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	db := openHubWithNow(t, now)
	joinKiosk(t, db, "k")
	reader := connect(t, db.DSN())
	tx, err := reader.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT count(*) FROM events_default`); err != nil {
		t.Fatal(err)
	}
	backlog := events(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), 3) // March has no partition yet
	if held, _, err := db.PutEvents(ctx, "k", backlog); err != nil || len(held) != 3 {
		t.Fatalf("PutEvents while a reader holds the default partition: held %v, %v; want stored", held, err)
	}
	where := `SELECT DISTINCT tableoid::regclass::text FROM events`
	if got := query[string](t, connect(t, db.DSN()), where); !slices.Equal(got, []string{"events_default"}) {
		t.Errorf("stored in %v; want the default partition, March's creation having given way", got)
	}
	tx.Rollback(ctx)
	db.Now = func() time.Time { return now.Add(2 * time.Minute) } // past the retry delay
	if _, _, err := db.PutEvents(ctx, "k", backlog); err != nil {
		t.Fatal(err)
	}
	if got := query[string](t, connect(t, db.DSN()), where); !slices.Equal(got, []string{"events_2026_03"}) {
		t.Errorf("after the reader left: stored in %v; want events_2026_03", got)
	}
}
