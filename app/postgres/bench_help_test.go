package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
)

// BenchmarkHubHelpCalls reads what the hub's staff page and the kiosks
// ask of help calls on PostgreSQL, as the SQLite hub's benchmark of the
// same name: a year of 100 kiosks, 2 million events (sessions of 10, one
// every 158 s, each with a help call, in 13 month partitions), every call
// handled and marked on the hub but those of the last 100 sessions and of
// every 997th. The open calls of the last 12 hours, a kiosk's pending
// marks, a mark refused. On 2 shared cores: 2.7 ms (14 ms when the
// lookups read the partitioned events: one per month), 34 µs, 130 µs.
//
//	go test ./app/postgres/ -run '^$' -bench HubHelpCalls
func BenchmarkHubHelpCalls(b *testing.B) {
	ctx := context.Background()
	db := openHub(b)
	const (
		kiosks = 100
		n      = 2_000_000
		open   = 100
	)
	for k := range kiosks {
		joinKiosk(b, db, fmt.Sprintf("mairie-%02d", k))
	}
	end := time.Now().UTC().Truncate(time.Millisecond)
	copyHelpCalls(b, db, n, kiosks, open, end)

	calls, err := db.HubOpenHelpCalls(ctx, end.Add(-12*time.Hour))
	if err != nil || len(calls) != open {
		b.Fatalf("%d open calls, %v; want %d", len(calls), err, open)
	}
	for _, c := range calls[:open/2] {
		if err := db.MarkHelpHandled(ctx, c.Kiosk, c.SessionID, "bruno", end); err != nil {
			b.Fatal(err)
		}
	}
	marked := calls[0]

	b.Run("HubOpenHelpCalls(12h)", func(b *testing.B) {
		for b.Loop() {
			calls, err := db.HubOpenHelpCalls(ctx, end.Add(-12*time.Hour))
			if err != nil || len(calls) != open || calls[0].MarkedBy != "bruno" {
				b.Fatalf("%d open calls, %v", len(calls), err)
			}
		}
	})
	b.Run("HelpMarks", func(b *testing.B) {
		for b.Loop() {
			marks, err := db.HelpMarks(ctx, marked.Kiosk)
			if err != nil || len(marks) == 0 {
				b.Fatalf("%d marks, %v", len(marks), err)
			}
		}
	})
	b.Run("MarkHelpHandled(refused)", func(b *testing.B) {
		for b.Loop() {
			err := db.MarkHelpHandled(ctx, marked.Kiosk, marked.SessionID, "chloe", end)
			if !errors.Is(err, passerelle.ErrNoOpenCall) {
				b.Fatalf("MarkHelpHandled: %v", err)
			}
		}
	})
}

// copyHelpCalls writes the benchmark's events with COPY, one row at a
// time (2 million rows held at once would take a gigabyte), and the marks
// of the handled calls.
func copyHelpCalls(b *testing.B, db *postgres.HubDB, n, kiosks, open int, end time.Time) {
	b.Helper()
	ctx := context.Background()
	start := end.AddDate(-1, 0, 0)
	// One event a month through the hub: it creates the partitions.
	for m := time.Duration(0); ; m++ {
		at := start.AddDate(0, int(m), 0)
		if at.After(end) {
			break
		}
		e := passerelle.Event{ID: passerelle.NewID(at), SessionID: passerelle.NewID(at), Seq: 1, Kind: passerelle.EventStepShown, At: at}
		if _, _, err := db.PutEvents(ctx, "mairie-00", []passerelle.Event{e}); err != nil {
			b.Fatal(err)
		}
	}
	sessions := n / 10
	every := end.Sub(start) / time.Duration(sessions)
	i := 0
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		s, seq := i/10, i%10+1
		i++
		at := start.Add(time.Duration(s)*every + time.Duration(seq)*time.Second).Truncate(time.Millisecond)
		kind := passerelle.EventStepShown
		switch {
		case seq == 1:
			kind = passerelle.EventSessionStarted
		case seq == 5:
			kind = passerelle.EventHelpAsked
		case seq == 6 && s < sessions-open && s%997 != 0:
			kind = passerelle.EventHelpHandled
		case seq == 10:
			kind = passerelle.EventSessionEnded
		}
		return []any{passerelle.NewID(at), at, int64(s%kiosks + 1), fmt.Sprintf("session-%08d", s), int64(seq), string(kind), at,
			"ar", "caf-quarterly-declaration", int64(3), fmt.Sprint("step-", seq), "", ""}, nil
	})
	conn := connect(b, db.DSN())
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"id", "id_time", "kiosk_id", "session_id", "seq",
		"kind", "at", "lang", "procedure_id", "procedure_version", "step_id", "answer", "outcome"}, rows); err != nil {
		b.Fatal(err)
	}
	// What the upload adds to help_events, as migration 0004 does.
	if _, err := conn.Exec(ctx, `
		INSERT INTO help_events (event_id, kiosk_id, session_id, seq, kind, at, procedure_id, procedure_version, step_id)
		SELECT id, kiosk_id, session_id, seq, kind, at, procedure_id, procedure_version, step_id
		FROM events WHERE kind IN ('help_asked', 'help_handled')`); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO help_marks (kiosk_id, session_id, after_seq, marked_by, marked_at, settled)
		SELECT kiosk_id, session_id, 0, 'amina', at, true FROM events WHERE kind = 'help_handled'`); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
