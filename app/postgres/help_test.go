package postgres_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
)

// TestMigrationKeepsTheOpenHelpCalls: a hub upgraded while kiosks wait
// for help shows their calls. Migration 0004 fills help_events from the
// events held; the database is brought back to before 0004 by dropping
// what it and the later ones made.
func TestMigrationKeepsTheOpenHelpCalls(t *testing.T) {
	ctx := context.Background()
	db := openHub(t)
	joinKiosk(t, db, "mairie")
	at := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	sid := passerelle.NewID(at)
	var events []passerelle.Event
	for i, kind := range []passerelle.EventKind{passerelle.EventSessionStarted, passerelle.EventHelpAsked,
		passerelle.EventHelpHandled, passerelle.EventStepShown, passerelle.EventHelpAsked} {
		at := at.Add(time.Duration(i) * time.Minute)
		events = append(events, passerelle.Event{ID: passerelle.NewID(at), SessionID: sid, Seq: i + 1, Kind: kind, At: at,
			ProcedureID: "caf", ProcedureVersion: 2, StepID: "income"})
	}
	if _, _, err := db.PutEvents(ctx, "mairie", events); err != nil {
		t.Fatal(err)
	}
	conn := connect(t, db.DSN())
	if _, err := conn.Exec(ctx, `DROP TABLE help_marks, help_events, login_failures; DELETE FROM schema_migrations WHERE version >= 4`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	upgraded := postgres.NewHubDB(db.DSN())
	upgraded.Logger = slog.New(slog.DiscardHandler)
	if err := upgraded.Open(); err != nil {
		t.Fatal(err)
	}
	defer upgraded.Close()
	calls, err := upgraded.HubOpenHelpCalls(ctx, at.Add(-time.Hour))
	if err != nil || len(calls) != 1 || calls[0].SessionID != sid || !calls[0].AskedAt.Equal(events[4].At) {
		t.Fatalf("open calls after the upgrade: %+v, %v; want the one asked again at %v", calls, err, events[4].At)
	}
	if err := upgraded.MarkHelpHandled(ctx, "mairie", sid, "amina", time.Now()); err != nil {
		t.Errorf("marking the call after the upgrade: %v", err)
	}
}

// TestHelpMarksSettledByTheUpload: once the kiosk's help_handled is held,
// its mark leaves the pending marks' index, which the kiosks' polls read;
// another session's mark, and another kiosk's, stay pending.
func TestHelpMarksSettledByTheUpload(t *testing.T) {
	ctx := context.Background()
	db := openHub(t)
	at := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	event := func(session string, seq int, kind passerelle.EventKind) passerelle.Event {
		at := at.Add(time.Duration(seq) * time.Minute)
		return passerelle.Event{ID: passerelle.NewID(at), SessionID: session, Seq: seq, Kind: kind, At: at, StepID: "income"}
	}
	for _, k := range []string{"a", "b"} {
		joinKiosk(t, db, k)
		if _, _, err := db.PutEvents(ctx, k, []passerelle.Event{event("s1", 1, passerelle.EventHelpAsked),
			event("s2", 1, passerelle.EventHelpAsked)}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"s1", "s2"} {
			if err := db.MarkHelpHandled(ctx, k, s, "amina", at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, err := db.PutEvents(ctx, "a", []passerelle.Event{event("s1", 2, passerelle.EventHelpHandled)}); err != nil {
		t.Fatal(err)
	}
	pending := query[string](t, connect(t, db.DSN()), `SELECT k.name || ' ' || m.session_id
		FROM help_marks m JOIN kiosks k ON k.id = m.kiosk_id WHERE NOT m.settled ORDER BY k.name || ' ' || m.session_id COLLATE "C"`)
	if want := "[a s2 b s1 b s2]"; fmt.Sprint(pending) != want {
		t.Errorf("pending marks %v; want %s", pending, want)
	}
}
