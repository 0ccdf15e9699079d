package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// TestHelpMarksSettledByTheUpload: once the kiosk's help_handled is held,
// its mark leaves the pending marks' index, which the kiosks' polls read
// (BenchmarkHubHelpCalls: 10 ms a poll with a year of marks in it);
// another session's mark, and another kiosk's, stay pending.
func TestHelpMarksSettledByTheUpload(t *testing.T) {
	ctx := context.Background()
	hub := MustOpenHubDB(t)
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	event := func(session string, seq int, kind passerelle.EventKind) passerelle.Event {
		at := at.Add(time.Duration(seq) * time.Minute)
		return passerelle.Event{ID: passerelle.NewID(at), SessionID: session, Seq: seq, Kind: kind, At: at, StepID: "income"}
	}
	for _, k := range []string{"a", "b"} {
		if err := hub.EnrollKiosk(ctx, k, []byte(k), at.Add(time.Hour), at); err != nil {
			t.Fatal(err)
		}
		if _, _, err := hub.PutEvents(ctx, k, []passerelle.Event{event("s1", 1, passerelle.EventHelpAsked),
			event("s2", 1, passerelle.EventHelpAsked)}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"s1", "s2"} {
			if err := hub.MarkHelpHandled(ctx, k, s, "amina", at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, err := hub.PutEvents(ctx, "a", []passerelle.Event{event("s1", 2, passerelle.EventHelpHandled)}); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, hub.Path())
	rows, err := raw.Query(`SELECT k.name || ' ' || m.session_id FROM help_marks m JOIN kiosks k ON k.id = m.kiosk_id
		WHERE m.settled = 0 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var pending []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		pending = append(pending, p)
	}
	if want := "[a s2 b s1 b s2]"; fmt.Sprint(pending) != want {
		t.Errorf("pending marks %v; want %s", pending, want)
	}
}
