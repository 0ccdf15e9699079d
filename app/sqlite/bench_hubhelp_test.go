package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// helpCallsHub makes a hub database of a year of 100 kiosks: n events,
// sessions of 10 (one every 158 s for n = 2 million), each with a help
// call. Every call is handled and was marked on the hub (a year of marks,
// settled), but those of the last open sessions (about the last 4 hours)
// and of every 997th session (older, out of the page's range). The rows
// are made by SQL, like bigHub's. It returns the path and the end of the
// year.
func helpCallsHub(tb testing.TB, n, open int) (string, time.Time) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "hub.db")
	hub := passqlite.NewHubDB(path)
	if err := hub.Open(); err != nil {
		tb.Fatal(err)
	}
	for k := range 100 {
		name := fmt.Sprintf("mairie-%02d", k)
		if err := hub.EnrollKiosk(ctx, name, []byte(name), t0.Add(time.Hour), t0); err != nil {
			tb.Fatal(err)
		}
	}
	if err := hub.Close(); err != nil {
		tb.Fatal(err)
	}
	end := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	start := end.AddDate(-1, 0, 0)
	sessions := n / 10
	every := end.Sub(start).Milliseconds() / int64(sessions)
	raw := rawDB(tb, path)
	if _, err := raw.Exec(`
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i+1 < ?1),
		e AS (SELECT i, i / 10 AS s, i % 10 + 1 AS seq, ?2 + (i / 10) * ?3 + (i % 10) * 1000 AS at FROM n)
		INSERT INTO events (id, kiosk_id, session_id, seq, kind, at, lang, procedure_id, procedure_version, step_id)
		SELECT printf('%012x-7000-8000-0000-%012x', at, i), s % 100 + 1, printf('session-%08d', s), seq,
			CASE
				WHEN seq = 1 THEN 'session_started'
				WHEN seq = 5 THEN 'help_asked'
				WHEN seq = 6 AND s < ?4 - ?5 AND s % 997 <> 0 THEN 'help_handled'
				WHEN seq = 10 THEN 'session_ended'
				ELSE 'step_shown'
			END, at, 'ar', 'caf-quarterly-declaration', 3, printf('step-%d', seq)
		FROM e`, n, start.UnixMilli(), every, sessions, open); err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.Exec(`
		INSERT INTO help_marks (kiosk_id, session_id, after_seq, marked_by, marked_at, settled)
		SELECT kiosk_id, session_id, 0, 'amina', at - 500, 1 FROM events WHERE kind = 'help_handled'`); err != nil {
		tb.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, end
}

// BenchmarkHubHelpCalls reads what the hub's staff page and the kiosks
// ask of help calls, on a hub of 2 million events and a year of marks:
// the open calls of the last 12 hours (at every refresh of every staff
// page), a kiosk's pending marks (at every kiosk's poll), and a mark
// refused because another staff member was first. Figures on 2 shared
// cores: 1.2-2 ms, 20-30 µs (10 ms without the settled marks left out of
// the read), 45-60 µs.
func BenchmarkHubHelpCalls(b *testing.B) {
	ctx := context.Background()
	const open = 100
	path, end := helpCallsHub(b, 2_000_000, open)
	hub := passqlite.NewHubDB(path)
	if err := hub.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { hub.Close() })
	calls, err := hub.HubOpenHelpCalls(ctx, end.Add(-12*time.Hour))
	if err != nil || len(calls) != open {
		b.Fatalf("%d open calls, %v; want %d", len(calls), err, open)
	}
	for _, c := range calls[:open/2] {
		if err := hub.MarkHelpHandled(ctx, c.Kiosk, c.SessionID, "bruno", end); err != nil {
			b.Fatal(err)
		}
	}
	marked := calls[0]

	b.Run("HubOpenHelpCalls(12h)", func(b *testing.B) {
		for b.Loop() {
			calls, err := hub.HubOpenHelpCalls(ctx, end.Add(-12*time.Hour))
			if err != nil || len(calls) != open || calls[0].MarkedBy != "bruno" {
				b.Fatalf("%d open calls, %v", len(calls), err)
			}
		}
	})
	b.Run("HelpMarks", func(b *testing.B) {
		for b.Loop() {
			marks, err := hub.HelpMarks(ctx, marked.Kiosk)
			if err != nil || len(marks) == 0 {
				b.Fatalf("%d marks, %v", len(marks), err)
			}
		}
	})
	b.Run("MarkHelpHandled(refused)", func(b *testing.B) {
		for b.Loop() {
			err := hub.MarkHelpHandled(ctx, marked.Kiosk, marked.SessionID, "chloe", end)
			if !errors.Is(err, passerelle.ErrNoOpenCall) {
				b.Fatalf("MarkHelpHandled: %v", err)
			}
		}
	})
}
