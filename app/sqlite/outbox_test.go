package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// withoutPersonal is what may leave the kiosk of events.
func withoutPersonal(events []passerelle.Event) []passerelle.Event {
	out := slices.Clone(events)
	for i := range out {
		out[i].Personal = ""
	}
	return out
}

// assertUnsent fails unless Unsent(limit) returns exactly want, in order.
func assertUnsent(tb testing.TB, db *passqlite.DB, limit int, want []passerelle.Event) {
	tb.Helper()
	got, err := db.Unsent(context.Background(), limit)
	if err != nil {
		tb.Fatalf("Unsent: %v", err)
	}
	if !slices.Equal(got, want) {
		tb.Errorf("Unsent(%d) = %d events:\n%v\nwant %d:\n%v", limit, len(got), got, len(want), want)
	}
}

func assertPending(tb testing.TB, db *passqlite.DB, want int) {
	tb.Helper()
	if n, err := db.Pending(context.Background()); err != nil || n != want {
		tb.Errorf("Pending = %d, %v; want %d", n, err, want)
	}
}

func eventIDs(events []passerelle.Event) []string {
	var ids []string
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	return ids
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	// s2's events are appended after s1's but at the same times, so their
	// ids do not sort in the order they were appended.
	appended := append(visit("s1", t0, true), visit("s2", t0, false)...)
	open := func(t *testing.T) *passqlite.DB {
		t.Helper()
		db := MustOpenDB(t)
		if err := db.Append(ctx, appended[:4]...); err != nil {
			t.Fatal(err)
		}
		if err := db.Append(ctx, appended[4:]...); err != nil {
			t.Fatal(err)
		}
		return db
	}
	sendable := withoutPersonal(appended)

	t.Run("unsent in the order appended, without personal values", func(t *testing.T) {
		db := open(t)
		assertUnsent(t, db, 100, sendable)
		assertUnsent(t, db, 3, sendable[:3])
		assertUnsent(t, db, 0, nil)
		assertPending(t, db, len(appended))
		// The personal value is still kept on the kiosk.
		assertSession(t, db, "s1", appended[:4])
	})

	t.Run("sent events are not unsent, marking again changes nothing", func(t *testing.T) {
		db := open(t)
		first := eventIDs(appended[:3])
		for range 2 {
			if err := db.MarkSent(ctx, first, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.MarkSent(ctx, []string{"unknown-id"}, t0); err != nil {
			t.Errorf("MarkSent of an unknown id: %v", err)
		}
		assertUnsent(t, db, 100, sendable[3:])
		assertPending(t, db, len(appended)-3)
	})

	t.Run("events in conflict are not sent again, and stay counted", func(t *testing.T) {
		db := open(t)
		conflict := passerelle.EventConflict{ID: appended[1].ID, Reason: "the hub holds another content"}
		if err := db.MarkConflicts(ctx, []passerelle.EventConflict{conflict}, t0); err != nil {
			t.Fatal(err)
		}
		// A later acknowledgement of the same id does not hide the conflict.
		if err := db.MarkSent(ctx, []string{conflict.ID}, t0); err != nil {
			t.Fatal(err)
		}
		want := slices.Delete(slices.Clone(sendable), 1, 2)
		assertUnsent(t, db, 100, want)
		assertPending(t, db, len(appended)-1)
		stats, err := passqlite.ReadStats(ctx, db.Path())
		if err != nil {
			t.Fatal(err)
		}
		if stats.Conflicts != 1 || stats.Pending != len(appended)-1 {
			t.Errorf("stats: %d conflicts, %d pending; want 1 and %d", stats.Conflicts, stats.Pending, len(appended)-1)
		}
	})

	t.Run("sessions closed after a crash are unsent too", func(t *testing.T) {
		db := open(t)
		if err := db.MarkSent(ctx, eventIDs(appended), t0); err != nil {
			t.Fatal(err)
		}
		closed, err := db.CloseInterrupted(ctx, t0.Add(time.Hour))
		if err != nil || !slices.Equal(closed, []string{"s2"}) {
			t.Fatalf("CloseInterrupted = %v, %v", closed, err)
		}
		got, err := db.Unsent(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].SessionID != "s2" || got[0].Outcome != passerelle.OutcomeInterrupted {
			t.Errorf("Unsent = %v; want the interrupted end of s2", got)
		}
	})
}

// A kiosk that ran an older Passerelle has sent nothing: after the upgrade,
// every event it kept is pending, in the order it was appended.
func TestOutboxAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	old := passqlite.NewDB(path)
	if err := old.OpenMigrated(2); err != nil {
		t.Fatal(err)
	}
	appended := append(visit("s1", t0, true), visit("s0", t0, true)...)
	for _, e := range appended {
		if err := old.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	MustCloseDB(t, old)

	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	assertUnsent(t, db, 100, withoutPersonal(appended))
}

func TestHubLinkAndSyncStatus(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.HubLink(ctx); !errors.Is(err, passerelle.ErrNotFound) {
		t.Errorf("HubLink before joining: %v; want ErrNotFound", err)
	}
	if s, err := db.SyncStatus(ctx); err != nil || s != (passerelle.SyncStatus{}) {
		t.Errorf("SyncStatus before any sync = %+v, %v; want zero", s, err)
	}
	if err := db.SaveHubLink(ctx, passerelle.HubLink{URL: "https://hub"}); err == nil {
		t.Error("SaveHubLink without a credential: no error")
	}

	links := []passerelle.HubLink{
		{URL: "https://hub.example.org:8750", Kiosk: "mairie-1", Credential: "secret-1",
			CACert: []byte("-----BEGIN CERTIFICATE-----\n"), JoinedAt: t0},
		{URL: "http://127.0.0.1:8750", Kiosk: "mairie-1b", Credential: "secret-2", JoinedAt: t0.Add(time.Hour)},
	}
	statuses := []passerelle.SyncStatus{
		{LastAttempt: t0, LastError: "the hub did not answer"},
		{LastAttempt: t0.Add(time.Minute), LastSuccess: t0.Add(time.Minute), CatalogVersion: "4f2a"},
	}
	for i := range links {
		if err := db.SaveHubLink(ctx, links[i]); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveSyncStatus(ctx, statuses[i]); err != nil {
			t.Fatal(err)
		}
	}
	// What the kiosk keeps survives a restart.
	MustCloseDB(t, db)
	db = passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	l, err := db.HubLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := links[1]; l.URL != want.URL || l.Kiosk != want.Kiosk || l.Credential != want.Credential ||
		len(l.CACert) != 0 || !l.JoinedAt.Equal(want.JoinedAt) {
		t.Errorf("HubLink = %+v; want the last one saved %+v", l, want)
	}
	if s, err := db.SyncStatus(ctx); err != nil || s != statuses[1] {
		t.Errorf("SyncStatus = %+v, %v; want %+v", s, err, statuses[1])
	}
}

// TestOutboxToHub moves a kiosk's events to a hub as the sync does, batch
// by batch, through the two real stores, with an acknowledgement lost on
// the way: in the end the hub holds exactly the kiosk's events, once each,
// and none of their personal values.
func TestOutboxToHub(t *testing.T) {
	ctx := context.Background()
	kiosk := MustOpenDB(t)
	hub := MustOpenHubDB(t)
	if err := hub.EnrollKiosk(ctx, "mairie", []byte("token"), t0.Add(time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.JoinKiosk(ctx, []byte("token"), []byte("credential"), t0); err != nil {
		t.Fatal(err)
	}
	var all []string
	for i := range 40 {
		events := visit(fmt.Sprintf("s%02d", i), t0.Add(time.Duration(i)*time.Minute), i%3 != 0)
		if err := kiosk.Append(ctx, events...); err != nil {
			t.Fatal(err)
		}
		all = append(all, eventIDs(events)...)
	}

	for batch := 0; ; batch++ {
		events, err := kiosk.Unsent(ctx, 25)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 {
			break
		}
		held, conflicts, err := hub.PutEvents(ctx, "mairie", events)
		if err != nil || len(conflicts) != 0 {
			t.Fatalf("batch %d: PutEvents: %v, conflicts %v", batch, err, conflicts)
		}
		if batch == 2 {
			continue // the acknowledgement is lost: the batch is sent again
		}
		if err := kiosk.MarkSent(ctx, held, t0); err != nil {
			t.Fatal(err)
		}
	}
	assertPending(t, kiosk, 0)
	got, err := hub.EventIDs(ctx, "mairie")
	if err != nil {
		t.Fatal(err)
	}
	if want := slices.Sorted(slices.Values(all)); !slices.Equal(got, want) {
		t.Errorf("hub holds %d ids, the kiosk has %d: not the same sets", len(got), len(want))
	}
	for _, f := range []string{hub.Path(), hub.Path() + "-wal"} {
		if fileContains(t, f, "1 234,56") {
			t.Errorf("%s holds a personal value", f)
		}
	}
}

// helpVisit is a session whose user called a mediator on the income step,
// typed a personal value, was helped, and finished.
func helpVisit(session string, start time.Time) []passerelle.Event {
	events := visit(session, start, false)
	at := start.Add(10 * time.Second)
	asked := passerelle.Event{ID: passerelle.NewID(at), SessionID: session, Seq: 4, Kind: passerelle.EventHelpAsked,
		At: at, ProcedureID: "caf-quarterly-declaration", ProcedureVersion: 3, StepID: "income"}
	handled := asked
	handled.ID, handled.Seq, handled.Kind, handled.At = passerelle.NewID(at.Add(time.Minute)), 5, passerelle.EventHelpHandled, at.Add(time.Minute)
	end := passerelle.Event{ID: passerelle.NewID(at.Add(2 * time.Minute)), SessionID: session, Seq: 6,
		Kind: passerelle.EventSessionEnded, At: at.Add(2 * time.Minute), ProcedureID: "caf-quarterly-declaration",
		ProcedureVersion: 3, Outcome: passerelle.OutcomeFinished}
	return append(events, asked, handled, end)
}

func TestUnsentHelp(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T) (*passqlite.DB, []passerelle.Event) {
		t.Helper()
		db := MustOpenDB(t)
		s1 := helpVisit("s1", t0)
		// A call made on the welcome screen: a session of its own.
		lone := passerelle.Event{ID: passerelle.NewID(t0.Add(time.Hour)), SessionID: "s2", Seq: 1,
			Kind: passerelle.EventHelpAsked, At: t0.Add(time.Hour), StepID: "welcome"}
		s3 := visit("s3", t0.Add(2*time.Hour), true)
		for _, events := range [][]passerelle.Event{s1, {lone}, s3} {
			if err := db.Append(ctx, events...); err != nil {
				t.Fatal(err)
			}
		}
		return db, []passerelle.Event{s1[3], s1[4], lone}
	}
	assertUnsentHelp := func(t *testing.T, db *passqlite.DB, limit int, want []passerelle.Event) {
		t.Helper()
		got, err := db.UnsentHelp(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("UnsentHelp(%d) = %d events:\n%v\nwant %d:\n%v", limit, len(got), got, len(want), want)
		}
	}

	t.Run("only the help events, in the order appended", func(t *testing.T) {
		db, help := open(t)
		assertUnsentHelp(t, db, 100, help)
		assertUnsentHelp(t, db, 2, help[:2])
		assertUnsentHelp(t, db, 0, nil)
	})
	t.Run("help events sent are sent for the normal sync too", func(t *testing.T) {
		db, help := open(t)
		if err := db.MarkSent(ctx, eventIDs(help[:2]), t0); err != nil {
			t.Fatal(err)
		}
		assertUnsentHelp(t, db, 100, help[2:])
		unsent, err := db.Unsent(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range unsent {
			if e.ID == help[0].ID || e.ID == help[1].ID {
				t.Errorf("Unsent still returns the help event %s pushed already", e.Kind)
			}
		}
		assertPending(t, db, 6+1+4-2)
	})
	t.Run("a help event in conflict is not sent again", func(t *testing.T) {
		db, help := open(t)
		if err := db.MarkConflicts(ctx, []passerelle.EventConflict{{ID: help[0].ID, Reason: "refused"}}, t0); err != nil {
			t.Fatal(err)
		}
		assertUnsentHelp(t, db, 100, help[1:])
	})
	t.Run("no personal value leaves with a help event", func(t *testing.T) {
		db := MustOpenDB(t)
		asked := helpVisit("s1", t0)[3]
		asked.Personal = "06 12 34 56 78"
		if err := db.Append(ctx, asked); err != nil {
			t.Fatal(err)
		}
		asked.Personal = ""
		assertUnsentHelp(t, db, 100, []passerelle.Event{asked})
	})
}
