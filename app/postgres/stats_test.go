package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/postgres/postgrestest"
)

func TestReadStats(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	db := openHub(t)
	joinKiosk(t, db, "mairie-b")
	joinKiosk(t, db, "mairie-a")
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a := append(events(day, 5), events(day.Add(time.Hour), 3)...)
	if _, _, err := db.PutEvents(ctx, "mairie-a", a); err != nil {
		t.Fatal(err)
	}
	// Sent again (a lost acknowledgement): counted once.
	if _, _, err := db.PutEvents(ctx, "mairie-a", a[:4]); err != nil {
		t.Fatal(err)
	}
	b := events(day.Add(2*time.Hour), 4)
	if _, _, err := db.PutEvents(ctx, "mairie-b", b); err != nil {
		t.Fatal(err)
	}
	// A conflict stores nothing and counts nothing.
	changed := b[0]
	changed.Answer = "other"
	if _, c, err := db.PutEvents(ctx, "mairie-b", []passerelle.Event{changed}); err != nil || len(c) != 1 {
		t.Fatalf("conflict: %v, %v", c, err)
	}
	report := passerelle.KioskReport{AppVersion: "1.5.0", CatalogVersion: "abc", PendingEvents: 12}
	if err := db.SaveReport(ctx, "mairie-a", report, day); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishCatalog(ctx, passerelle.CatalogVersion{Hash: "c0ffee", Archive: []byte("a"), PublishedAt: day}); err != nil {
		t.Fatal(err)
	}

	s, err := postgres.ReadStats(ctx, db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != passerelle.KindHub || s.Events != 12 || s.Sessions != 3 || s.LatestCatalog != "c0ffee" {
		t.Errorf("ReadStats = kind %s, %d events, %d sessions, catalog %q; want hub, 12, 3, c0ffee",
			s.Kind, s.Events, s.Sessions, s.LatestCatalog)
	}
	if len(s.Kiosks) != 2 || s.Kiosks[0].Name != "mairie-a" || s.Kiosks[0].Report != report {
		t.Errorf("Kiosks = %+v; want mairie-a (with its report) then mairie-b", s.Kiosks)
	}
	// The counts kept by uploads are what COUNT would say.
	conn := connect(t, db.DSN())
	if got := query[int64](t, conn, `SELECT count(*) FROM events`)[0]; int(got) != s.Events {
		t.Errorf("COUNT(*) = %d; the kept count says %d", got, s.Events)
	}
	if got := query[int64](t, conn, `SELECT count(DISTINCT session_id) FROM events`)[0]; int(got) != s.Sessions {
		t.Errorf("COUNT(DISTINCT session_id) = %d; the kept count says %d", got, s.Sessions)
	}
	out, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(out), `"kiosks":[{"name":"mairie-a"`) {
		t.Errorf("stats -json = %s, %v", out, err)
	}
}

func TestReadStatsRefusesWhatIsNotAHub(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	dsn := postgrestest.NewDatabase(t)
	_, err := postgres.ReadStats(ctx, dsn)
	if err == nil || !strings.Contains(err.Error(), "not a Passerelle hub's database") {
		t.Errorf("ReadStats of an empty database: %v; want it refused in plain words", err)
	}
	// And it did not migrate it.
	if got := query[string](t, connect(t, dsn), `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`); len(got) != 0 {
		t.Errorf("ReadStats created tables %v", got)
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	dsn := postgrestest.NewDatabase(t)
	for i := range 2 {
		if err := postgres.Migrate(ctx, dsn, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatalf("Migrate %d: %v", i+1, err)
		}
	}
	s, err := postgres.ReadStats(ctx, dsn)
	if err != nil || s.Events != 0 || len(s.Kiosks) != 0 {
		t.Errorf("after Migrate: ReadStats = %+v, %v; want an empty hub", s, err)
	}
}

func TestMigrateGivesUpWithItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := postgres.Migrate(ctx, postgrestest.NewDatabase(t), slog.New(slog.DiscardHandler)); !errors.Is(err, context.Canceled) {
		t.Errorf("Migrate with a cancelled context: %v; want context.Canceled", err)
	}
}
