package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"passerelle/app/hubstoretest"
	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// MustOpenHubDB returns an open hub database in a new file, closed at the
// end of the test.
func MustOpenHubDB(tb testing.TB) *passqlite.HubDB {
	tb.Helper()
	db := passqlite.NewHubDB(filepath.Join(tb.TempDir(), "hub.db"))
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestHubStore(t *testing.T) {
	hubstoretest.Run(t, func(t *testing.T) passerelle.HubStore { return MustOpenHubDB(t) })
}

// hubFile writes a real hub database at path, with one kiosk, and closes it.
func hubFile(tb testing.TB, path string) {
	tb.Helper()
	db := passqlite.NewHubDB(path)
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	if err := db.EnrollKiosk(context.Background(), "mairie", []byte("token hash"), t0.Add(time.Hour), t0); err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
}

// Each kind of Passerelle database is refused, untouched, by the other
// kind's Open, and by the same kind when a newer Passerelle wrote it.
func TestOpenRefusesTheOtherKind(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(tb testing.TB, path string)
		open func(path string) error
		kind error
		says []string
	}{
		{"a kiosk's file given to a hub", kioskFile,
			func(path string) error { return passqlite.NewHubDB(path).Open() },
			passqlite.ErrOtherKind, []string{"database of a Passerelle kiosk, not of a hub", "the hub did not change it"}},
		{"a hub's file given to a kiosk", hubFile,
			func(path string) error { return passqlite.NewDB(path).Open() },
			passqlite.ErrOtherKind, []string{"database of a Passerelle hub, not of a kiosk", "the kiosk did not change it"}},
		{"a hub's file written by a newer Passerelle", func(t testing.TB, path string) {
			hubFile(t, path)
			raw := rawDB(t, path)
			if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES ('0009_regions.sql', 0)`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
		}, func(path string) error { return passqlite.NewHubDB(path).Open() },
			passqlite.ErrNewerSchema, []string{"newer Passerelle", "schema 0009_regions", "knows up to 0005_login_failures"}},
		{"a hub's file cut short", func(t testing.TB, path string) {
			hubFile(t, path)
			rewrite(t, path, func(b []byte) []byte { return b[:60] })
		}, func(path string) error { return passqlite.NewHubDB(path).Open() },
			passqlite.ErrDamaged, []string{"damaged", "start the hub again", "events the kiosks sent"}},
		{"another program's database given to a hub", func(t testing.TB, path string) {
			raw := rawDB(t, path)
			if _, err := raw.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
		}, func(path string) error { return passqlite.NewHubDB(path).Open() },
			passqlite.ErrNotPasserelle, []string{"another program's database", "notes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "passerelle.db")
			tc.make(t, path)
			before := snapshot(t, path)
			err := tc.open(path)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("Open: %v; want %v", err, tc.kind)
			}
			assertPlain(t, err, path, tc.says...)
			if after := snapshot(t, path); !bytes.Equal(before, after) {
				t.Error("Open changed the file it refused")
			}
		})
	}
}

func TestOpenHubTwiceIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	first := passqlite.NewHubDB(path)
	if err := first.Open(); err != nil {
		t.Fatal(err)
	}
	err := passqlite.NewHubDB(path).Open()
	if !errors.Is(err, passqlite.ErrInUse) {
		t.Fatalf("second Open: %v; want ErrInUse", err)
	}
	assertPlain(t, err, path, "another Passerelle hub is already running", "only one hub")
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := passqlite.NewHubDB(path)
	if err := second.Open(); err != nil {
		t.Fatalf("Open after the first hub closed: %v", err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestHubDBPragmas(t *testing.T) {
	db := MustOpenHubDB(t)
	for name, want := range map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL: an acknowledged event survives a power cut
		"foreign_keys": "1",
		"busy_timeout": "5000",
	} {
		if got := db.WriterPragma(t, name); got != want {
			t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
		}
	}
}

// TestHubManyKiosksAtOnce has 200 kiosks authenticate, report and upload
// at the same moment, as after a network outage: the writes queue on the
// one writing connection, and none fails with "database is locked".
func TestHubManyKiosksAtOnce(t *testing.T) {
	ctx := context.Background()
	hub := MustOpenHubDB(t)
	const kiosks, perKiosk = 200, 50
	for k := range kiosks {
		name := fmt.Sprintf("k%03d", k)
		if err := hub.EnrollKiosk(ctx, name, []byte(name+"-token"), t0.Add(time.Hour), t0); err != nil {
			t.Fatal(err)
		}
		if _, err := hub.JoinKiosk(ctx, []byte(name+"-token"), []byte(name+"-cred"), t0); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, kiosks)
	var wg sync.WaitGroup
	for k := range kiosks {
		wg.Go(func() {
			name := fmt.Sprintf("k%03d", k)
			if _, err := hub.Authenticate(ctx, []byte(name+"-cred"), t0); err != nil {
				errs <- err
				return
			}
			if err := hub.SaveReport(ctx, name, passerelle.KioskReport{PendingEvents: perKiosk}, t0); err != nil {
				errs <- err
				return
			}
			events := make([]passerelle.Event, 0, perKiosk)
			for s := range perKiosk / 10 {
				events = append(events, sessionOf10(fmt.Sprintf("%s-s%d", name, s), t0)...)
			}
			held, conflicts, err := hub.PutEvents(ctx, name, events)
			if err == nil && (len(held) != len(events) || len(conflicts) != 0) {
				err = fmt.Errorf("%s: %d of %d held, conflicts %v", name, len(held), len(events), conflicts)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if tot, err := hub.Totals(ctx); err != nil || tot.Events != kiosks*perKiosk {
		t.Errorf("Totals = %+v, %v; want %d events", tot, err, kiosks*perKiosk)
	}
}

// Staff enroll and revoke kiosks while the hub runs: those commands open
// the file beside the running hub, which sees their work at once.
func TestOpenBesideHub(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hub.db")
	server := passqlite.NewHubDB(path)
	if err := server.Open(); err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	for _, name := range []string{"mairie-1", "mairie-2"} {
		staff := passqlite.NewHubDB(path)
		if err := staff.OpenBesideHub(); err != nil {
			t.Fatalf("open beside the hub: %v", err)
		}
		if err := staff.EnrollKiosk(ctx, name, []byte(name), t0.Add(time.Hour), t0); err != nil {
			t.Fatal(err)
		}
		if err := staff.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := server.JoinKiosk(ctx, []byte("mairie-2"), []byte("cred"), t0); err != nil {
		t.Fatalf("the hub joins a kiosk enrolled beside it: %v", err)
	}
	// A second server is still refused.
	if err := passqlite.NewHubDB(path).Open(); !errors.Is(err, passqlite.ErrInUse) {
		t.Errorf("second hub: %v; want ErrInUse", err)
	}
	// And a kiosk's file is still refused beside a hub.
	kiosk := filepath.Join(t.TempDir(), "kiosk.db")
	kioskFile(t, kiosk)
	if err := passqlite.NewHubDB(kiosk).OpenBesideHub(); !errors.Is(err, passqlite.ErrOtherKind) {
		t.Errorf("a kiosk's file opened beside a hub: %v; want ErrOtherKind", err)
	}
}

// The hub and a handle beside it (a staff command's) share what the hub
// keeps: the second handle stands for a second hub, which the file's
// lock refuses, but which SQLite would order the same way.
func TestHubStoreShared(t *testing.T) {
	hubstoretest.RunShared(t, func(t *testing.T) (passerelle.HubStore, passerelle.HubStore) {
		path := filepath.Join(t.TempDir(), "hub.db")
		a, b := passqlite.NewHubDB(path), passqlite.NewHubDB(path)
		if err := a.Open(); err != nil {
			t.Fatal(err)
		}
		if err := b.OpenBesideHub(); err != nil {
			a.Close()
			t.Fatal(err)
		}
		return a, b
	})
}
