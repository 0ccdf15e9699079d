package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// bigKiosk makes a kiosk database of n events, sessions of 10, the first
// sent of them acknowledged by the hub, and returns its path. The rows are
// made by SQL, as Append would store them (the trigger makes the marks):
// a million Appends would take minutes.
func bigKiosk(tb testing.TB, n, sent int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "kiosk.db")
	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	MustCloseDB(tb, db)
	raw := rawDB(tb, path)
	if _, err := raw.Exec(`
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i+1 < ?)
		INSERT INTO events (id, session_id, seq, kind, at, lang, procedure_id, procedure_version, step_id, answer)
		SELECT printf('%012x-7000-8000-0000-%012x', 1764000000000 + i, i), printf('session-%08d', i / 10),
			i % 10 + 1, 'answer_given', 1764000000000 + i, 'ar', 'caf-quarterly-declaration', 3, 'income', 'valid'
		FROM n`, n); err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE sync_marks SET sent_at = 1764000000000 WHERE seq <= ?`, sent); err != nil {
		tb.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkUnsent reads the next batch of a kiosk with a million events of
// which 990 000 are sent: the partial index of the pending marks keeps it
// from scanning the sent ones.
func BenchmarkUnsent(b *testing.B) {
	ctx := context.Background()
	path := bigKiosk(b, 1_000_000, 990_000)
	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer MustCloseDB(b, db)

	b.Run("Unsent(500)", func(b *testing.B) {
		for b.Loop() {
			events, err := db.Unsent(ctx, 500)
			if err != nil || len(events) != 500 {
				b.Fatalf("Unsent: %d events, %v", len(events), err)
			}
		}
	})
	b.Run("Pending", func(b *testing.B) {
		for b.Loop() {
			if n, err := db.Pending(ctx); err != nil || n != 10_000 {
				b.Fatalf("Pending = %d, %v", n, err)
			}
		}
	})
}

// BenchmarkUnsentHelp reads the help calls to push on a kiosk with a
// million events, a hundred thousand of them unsent (a month offline),
// and three help events among them: the pusher asks every few seconds
// while a call is open.
func BenchmarkUnsentHelp(b *testing.B) {
	ctx := context.Background()
	path := bigKiosk(b, 1_000_000, 900_000)
	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer MustCloseDB(b, db)
	if err := db.Append(ctx, helpVisit("helped", time.Now())...); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		events, err := db.UnsentHelp(ctx, 500)
		if err != nil || len(events) != 2 {
			b.Fatalf("UnsentHelp: %d events, %v", len(events), err)
		}
	}
}

// BenchmarkHubPutEvents stores batches of 500 new events, as kiosks upload
// them, and reports the events stored per second. "again" sends batches
// the hub holds already, as a kiosk whose acknowledgement was lost does.
func BenchmarkHubPutEvents(b *testing.B) {
	ctx := context.Background()
	hub := passqlite.NewHubDB(filepath.Join(b.TempDir(), "hub.db"))
	if err := hub.Open(); err != nil {
		b.Fatal(err)
	}
	defer hub.Close()
	if err := hub.EnrollKiosk(ctx, "mairie", []byte("token"), t0.Add(time.Hour), t0); err != nil {
		b.Fatal(err)
	}
	if _, err := hub.JoinKiosk(ctx, []byte("token"), []byte("credential"), t0); err != nil {
		b.Fatal(err)
	}
	batch := func(i int) []passerelle.Event {
		events := make([]passerelle.Event, 0, 500)
		for s := range 50 {
			events = append(events, sessionOf10(fmt.Sprintf("b%d-s%d", i, s), t0.Add(time.Duration(i)*time.Minute))...)
		}
		return events
	}
	var last []passerelle.Event
	for _, tc := range []struct {
		name  string
		batch func(i int) []passerelle.Event
	}{
		{"new", batch},
		{"again", func(int) []passerelle.Event { return last }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				b.StopTimer()
				events := tc.batch(i)
				i++
				b.StartTimer()
				held, conflicts, err := hub.PutEvents(ctx, "mairie", events)
				if err != nil || len(held) != len(events) || len(conflicts) != 0 {
					b.Fatalf("PutEvents: %d held, %v, %v", len(held), conflicts, err)
				}
				last = events
			}
			b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// sessionOf10 returns the ten events of one session.
func sessionOf10(session string, start time.Time) []passerelle.Event {
	events := make([]passerelle.Event, 10)
	for i := range events {
		at := start.Add(time.Duration(i) * time.Second)
		events[i] = passerelle.Event{
			ID: passerelle.NewID(at), SessionID: session, Seq: i + 1, Kind: passerelle.EventStepShown,
			At: at, ProcedureID: "caf-quarterly-declaration", ProcedureVersion: 3, StepID: "income",
		}
	}
	return events
}

// bigHub makes a hub database holding n events of 20 kiosks, sessions of
// 10, and returns its path. Like bigKiosk, the rows are made by SQL.
func bigHub(tb testing.TB, n int) string {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "hub.db")
	hub := passqlite.NewHubDB(path)
	if err := hub.Open(); err != nil {
		tb.Fatal(err)
	}
	for k := range 20 {
		name := fmt.Sprintf("mairie-%02d", k)
		if err := hub.EnrollKiosk(ctx, name, []byte(name), t0.Add(time.Hour), t0); err != nil {
			tb.Fatal(err)
		}
	}
	if err := hub.Close(); err != nil {
		tb.Fatal(err)
	}
	raw := rawDB(tb, path)
	if _, err := raw.Exec(`
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i+1 < ?)
		INSERT INTO events (id, kiosk_id, session_id, seq, kind, at, lang, procedure_id, procedure_version, step_id, answer)
		SELECT printf('%012x-7000-8000-0000-%012x', 1764000000000 + i, i), (i / 10) % 20 + 1, printf('session-%08d', i / 10),
			i % 10 + 1, 'answer_given', 1764000000000 + i, 'ar', 'caf-quarterly-declaration', 3, 'income', 'valid'
		FROM n`, n); err != nil {
		tb.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkReadStats reads the stats of a kiosk's and a hub's database of
// a million events each (stats -db FILE).
func BenchmarkReadStats(b *testing.B) {
	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{"kiosk", bigKiosk(b, 1_000_000, 990_000), 1_000_000},
		{"hub", bigHub(b, 1_000_000), 1_000_000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				s, err := passqlite.ReadStats(context.Background(), tc.path)
				if err != nil || s.Events != tc.want || s.Sessions != tc.want/10 {
					b.Fatalf("ReadStats = %+v, %v", s, err)
				}
			}
		})
	}
}
