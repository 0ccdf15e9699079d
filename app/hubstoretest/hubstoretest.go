// Package hubstoretest is the conformance suite of passerelle.HubStore: one
// subtest per sentence of the contract. Every implementation runs it from
// its own tests (SQLite now, PostgreSQL next), so it uses nothing but the
// interface.
package hubstoretest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// t0 is the suite's "now". Times are whole seconds, so that every store
// keeps them exactly, whatever its precision.
var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// Run runs the suite. open returns a new, empty store; it is closed at the
// end of each subtest (open may register its own cleanup as well: Close
// twice must be harmless).
func Run(t *testing.T, open func(t *testing.T) passerelle.HubStore) {
	mustOpen := func(t *testing.T) passerelle.HubStore {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	t.Run("enrollment", func(t *testing.T) { testEnrollment(t, mustOpen) })
	t.Run("authenticate", func(t *testing.T) { testAuthenticate(t, mustOpen) })
	t.Run("revoke", func(t *testing.T) { testRevoke(t, mustOpen) })
	t.Run("reports", func(t *testing.T) { testReports(t, mustOpen) })
	t.Run("kiosks sorted by name", func(t *testing.T) { testKiosksSorted(t, mustOpen) })
	t.Run("put events", func(t *testing.T) { testPutEvents(t, mustOpen) })
	t.Run("put events concurrently", func(t *testing.T) { testPutEventsConcurrently(t, mustOpen) })
	t.Run("event ids and totals", func(t *testing.T) { testEventIDsAndTotals(t, mustOpen) })
	t.Run("catalog", func(t *testing.T) { testCatalog(t, mustOpen) })
	t.Run("staff accounts", func(t *testing.T) { testStaffAccounts(t, mustOpen) })
	t.Run("help calls", func(t *testing.T) { testHelpCalls(t, mustOpen) })
	t.Run("login failures", func(t *testing.T) { testLoginFailures(t, mustOpen) })
}

type opener = func(t *testing.T) passerelle.HubStore

// hash stands for the hash the hub makes of a secret: the store only ever
// sees such hashes.
func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// joined enrolls and joins a kiosk; its credential is hash(name+"-cred").
func joined(t *testing.T, s passerelle.HubStore, name string) passerelle.Kiosk {
	t.Helper()
	ctx := context.Background()
	if err := s.EnrollKiosk(ctx, name, hash(name+"-token"), t0.Add(time.Hour), t0); err != nil {
		t.Fatalf("enroll %s: %v", name, err)
	}
	k, err := s.JoinKiosk(ctx, hash(name+"-token"), hash(name+"-cred"), t0.Add(time.Minute))
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	return k
}

// kiosk returns the kiosk of that name as Kiosks lists it.
func kiosk(t *testing.T, s passerelle.HubStore, name string) passerelle.Kiosk {
	t.Helper()
	ks, err := s.Kiosks(context.Background())
	if err != nil {
		t.Fatalf("Kiosks: %v", err)
	}
	for _, k := range ks {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("Kiosks has no %q: %v", name, ks)
	return passerelle.Kiosk{}
}

func testEnrollment(t *testing.T, open opener) {
	ctx := context.Background()
	expires := t0.Add(time.Hour)

	t.Run("token joins once", func(t *testing.T) {
		s := open(t)
		if err := s.EnrollKiosk(ctx, "mairie-1", hash("tok"), expires, t0); err != nil {
			t.Fatal(err)
		}
		if k := kiosk(t, s, "mairie-1"); !k.EnrolledAt.Equal(t0) || !k.JoinedAt.IsZero() {
			t.Errorf("enrolled kiosk = %+v; want EnrolledAt %v, not joined", k, t0)
		}
		at := t0.Add(time.Minute)
		k, err := s.JoinKiosk(ctx, hash("tok"), hash("cred"), at)
		if err != nil {
			t.Fatal(err)
		}
		if k.Name != "mairie-1" || !k.JoinedAt.Equal(at) || !k.EnrolledAt.Equal(t0) {
			t.Errorf("JoinKiosk = %+v; want mairie-1 enrolled %v joined %v", k, t0, at)
		}
		if _, err := s.JoinKiosk(ctx, hash("tok"), hash("cred2"), at); !errors.Is(err, passerelle.ErrUnauthorized) {
			t.Errorf("second join with the same token: %v; want ErrUnauthorized", err)
		}
		// The refused second join gave no credential, the first one still works.
		if _, err := s.Authenticate(ctx, hash("cred2"), at); !errors.Is(err, passerelle.ErrUnauthorized) {
			t.Errorf("credential of the refused join: %v; want ErrUnauthorized", err)
		}
		if k, err := s.Authenticate(ctx, hash("cred"), at); err != nil || k.Name != "mairie-1" {
			t.Errorf("credential of the join: %+v, %v; want mairie-1", k, err)
		}
	})

	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, s passerelle.HubStore) // after enrolling "k" with hash("tok")
		token   string
		at      time.Time
	}{
		{"unknown token", func(*testing.T, passerelle.HubStore) {}, "other", t0},
		{"expired token", func(*testing.T, passerelle.HubStore) {}, "tok", expires.Add(time.Second)},
		{"token replaced by a new enrollment", func(t *testing.T, s passerelle.HubStore) {
			if err := s.EnrollKiosk(ctx, "k", hash("tok2"), expires, t0); err != nil {
				t.Fatalf("enroll again: %v", err)
			}
		}, "tok", t0},
		{"kiosk revoked before it joined", func(t *testing.T, s passerelle.HubStore) {
			if err := s.RevokeKiosk(ctx, "k", t0); err != nil {
				t.Fatal(err)
			}
		}, "tok", t0},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			s := open(t)
			if err := s.EnrollKiosk(ctx, "k", hash("tok"), expires, t0); err != nil {
				t.Fatal(err)
			}
			tc.prepare(t, s)
			before := kiosk(t, s, "k")
			_, err := s.JoinKiosk(ctx, hash(tc.token), hash("cred"), tc.at)
			if !errors.Is(err, passerelle.ErrUnauthorized) {
				t.Fatalf("JoinKiosk: %v; want ErrUnauthorized", err)
			}
			if after := kiosk(t, s, "k"); !after.JoinedAt.IsZero() || !after.RevokedAt.Equal(before.RevokedAt) {
				t.Errorf("the refused join changed the kiosk: %+v, was %+v", after, before)
			}
			if _, err := s.Authenticate(ctx, hash("cred"), tc.at); err == nil {
				t.Error("the credential of a refused join authenticates")
			}
		})
	}

	t.Run("enrolling again replaces the token", func(t *testing.T) {
		s := open(t)
		for _, tok := range []string{"tok1", "tok2"} {
			if err := s.EnrollKiosk(ctx, "k", hash(tok), expires, t0); err != nil {
				t.Fatalf("enroll with %s: %v", tok, err)
			}
		}
		if _, err := s.JoinKiosk(ctx, hash("tok2"), hash("cred"), t0); err != nil {
			t.Fatalf("join with the new token: %v", err)
		}
		if ks, err := s.Kiosks(ctx); err != nil || len(ks) != 1 {
			t.Errorf("Kiosks = %v, %v; want the one kiosk", ks, err)
		}
	})

	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, s passerelle.HubStore)
	}{
		{"joined", func(t *testing.T, s passerelle.HubStore) { joined(t, s, "k") }},
		{"revoked", func(t *testing.T, s passerelle.HubStore) {
			if err := s.EnrollKiosk(ctx, "k", hash("k-token"), expires, t0); err != nil {
				t.Fatal(err)
			}
			if err := s.RevokeKiosk(ctx, "k", t0); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run("enrolling a "+tc.name+" kiosk again: ErrExists", func(t *testing.T) {
			s := open(t)
			tc.prepare(t, s)
			before := kiosk(t, s, "k")
			err := s.EnrollKiosk(ctx, "k", hash("new"), expires, t0.Add(time.Hour))
			if !errors.Is(err, passerelle.ErrExists) {
				t.Fatalf("EnrollKiosk: %v; want ErrExists", err)
			}
			if _, err := s.JoinKiosk(ctx, hash("new"), hash("new-cred"), t0); !errors.Is(err, passerelle.ErrUnauthorized) {
				t.Errorf("token of the refused enrollment: %v; want ErrUnauthorized", err)
			}
			if after := kiosk(t, s, "k"); !after.EnrolledAt.Equal(before.EnrolledAt) {
				t.Errorf("EnrolledAt %v became %v", before.EnrolledAt, after.EnrolledAt)
			}
		})
	}
}

func testAuthenticate(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	joined(t, s, "a")
	joined(t, s, "b")

	seen := t0.Add(2 * time.Hour)
	k, err := s.Authenticate(ctx, hash("a-cred"), seen)
	if err != nil {
		t.Fatal(err)
	}
	if k.Name != "a" {
		t.Errorf("Authenticate = %q; want a", k.Name)
	}
	if got := kiosk(t, s, "a").LastSeen; !got.Equal(seen) {
		t.Errorf("LastSeen = %v; want %v", got, seen)
	}
	if got := kiosk(t, s, "b").LastSeen; !got.IsZero() {
		t.Errorf("b never authenticated, LastSeen = %v; want zero", got)
	}

	if _, err := s.Authenticate(ctx, hash("nobody"), seen); !errors.Is(err, passerelle.ErrUnauthorized) {
		t.Errorf("unknown credential: %v; want ErrUnauthorized", err)
	}
	// A token is not a credential.
	if _, err := s.Authenticate(ctx, hash("a-token"), seen); !errors.Is(err, passerelle.ErrUnauthorized) {
		t.Errorf("enrollment token as credential: %v; want ErrUnauthorized", err)
	}
	if err := s.RevokeKiosk(ctx, "b", seen); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, hash("b-cred"), seen.Add(time.Hour)); !errors.Is(err, passerelle.ErrRevoked) {
		t.Errorf("revoked kiosk: %v; want ErrRevoked", err)
	}
}

func testRevoke(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	joined(t, s, "k")
	events := session(t0, 3)
	if _, _, err := s.PutEvents(ctx, "k", events); err != nil {
		t.Fatal(err)
	}

	first := t0.Add(3 * time.Hour)
	if err := s.RevokeKiosk(ctx, "k", first); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeKiosk(ctx, "k", first.Add(time.Hour)); err != nil {
		t.Errorf("revoke again: %v; want nil (idempotent)", err)
	}
	if got := kiosk(t, s, "k").RevokedAt; !got.Equal(first) {
		t.Errorf("RevokedAt = %v; want the first revocation %v", got, first)
	}
	if ids, err := s.EventIDs(ctx, "k"); err != nil || len(ids) != len(events) {
		t.Errorf("events of the revoked kiosk: %v, %v; want its %d events kept", ids, err, len(events))
	}
	if err := s.RevokeKiosk(ctx, "nobody", first); !errors.Is(err, passerelle.ErrNotFound) {
		t.Errorf("revoke an unknown kiosk: %v; want ErrNotFound", err)
	}
}

func testReports(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	joined(t, s, "k")
	joined(t, s, "other")
	reports := []passerelle.KioskReport{
		{AppVersion: "1.4.0", CatalogVersion: "abc", PendingEvents: 1200, FreeDiskBytes: 5 << 30, LastError: "the hub did not answer"},
		{AppVersion: "1.5.0", CatalogVersion: "def", PendingEvents: 0, FreeDiskBytes: 4 << 30},
	}
	for i, r := range reports {
		if err := s.SaveReport(ctx, "k", r, t0.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := kiosk(t, s, "k").Report; got != r {
			t.Errorf("report %d: Kiosks says %+v; want %+v", i, got, r)
		}
	}
	if got := kiosk(t, s, "other").Report; got != (passerelle.KioskReport{}) {
		t.Errorf("another kiosk's report = %+v; want none", got)
	}
}

func testKiosksSorted(t *testing.T, open opener) {
	s := open(t)
	names := []string{"mairie-c", "Bibliotheque", "mairie-a", "france-services-b"}
	for _, n := range names {
		if err := s.EnrollKiosk(context.Background(), n, hash(n), t0.Add(time.Hour), t0); err != nil {
			t.Fatal(err)
		}
	}
	ks, err := s.Kiosks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range ks {
		got = append(got, k.Name)
	}
	want := slices.Sorted(slices.Values(names))
	if !slices.Equal(got, want) {
		t.Errorf("Kiosks = %v; want %v", got, want)
	}
}

// session returns the n events of one session starting at start, every
// field filled, none personal.
func session(start time.Time, n int) []passerelle.Event {
	sid := passerelle.NewID(start)
	events := make([]passerelle.Event, n)
	for i := range events {
		at := start.Add(time.Duration(i) * time.Second)
		events[i] = passerelle.Event{
			ID: passerelle.NewID(at), SessionID: sid, Seq: i + 1, Kind: passerelle.EventAnswerGiven,
			At: at, Lang: "ar", ProcedureID: "caf-quarterly-declaration", ProcedureVersion: 3,
			StepID: fmt.Sprintf("step-%d", i), Answer: "yes", Outcome: passerelle.OutcomeFinished,
		}
	}
	events[0].Kind = passerelle.EventSessionStarted
	return events
}

func ids(events []passerelle.Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.ID)
	}
	return slices.Sorted(slices.Values(out))
}

// assertIDs fails unless the kiosk holds exactly want (any order).
func assertIDs(t *testing.T, s passerelle.HubStore, kiosk string, want []string) {
	t.Helper()
	got, err := s.EventIDs(context.Background(), kiosk)
	if err != nil {
		t.Fatalf("EventIDs %s: %v", kiosk, err)
	}
	if want = slices.Sorted(slices.Values(want)); !slices.Equal(got, want) {
		t.Errorf("EventIDs %s = %v; want %v", kiosk, got, want)
	}
}

func put(t *testing.T, s passerelle.HubStore, kiosk string, events []passerelle.Event) ([]string, []passerelle.EventConflict) {
	t.Helper()
	held, conflicts, err := s.PutEvents(context.Background(), kiosk, events)
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	return slices.Sorted(slices.Values(held)), conflicts
}

func conflictIDs(cs []passerelle.EventConflict) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testPutEvents(t *testing.T, open opener) {
	ctx := context.Background()

	t.Run("new events are held, and held again when sent again, stored once", func(t *testing.T) {
		s := open(t)
		joined(t, s, "k")
		batch := session(t0, 5)
		for i := range 2 {
			held, conflicts := put(t, s, "k", batch)
			if !slices.Equal(held, ids(batch)) || len(conflicts) != 0 {
				t.Errorf("send %d: held %v, conflicts %v; want every id, no conflict", i+1, held, conflicts)
			}
		}
		assertIDs(t, s, "k", ids(batch))
		if tot, err := s.Totals(ctx); err != nil || tot.Events != len(batch) {
			t.Errorf("Totals = %+v, %v; want %d events", tot, err, len(batch))
		}
	})

	t.Run("an empty batch", func(t *testing.T) {
		s := open(t)
		joined(t, s, "k")
		if held, conflicts := put(t, s, "k", nil); len(held) != 0 || len(conflicts) != 0 {
			t.Errorf("empty batch: held %v, conflicts %v", held, conflicts)
		}
	})

	t.Run("the same event twice in one batch", func(t *testing.T) {
		s := open(t)
		joined(t, s, "k")
		e := session(t0, 1)[0]
		held, conflicts := put(t, s, "k", []passerelle.Event{e, e})
		if len(conflicts) != 0 || !slices.Contains(held, e.ID) {
			t.Errorf("held %v, conflicts %v; want %s held", held, conflicts, e.ID)
		}
		assertIDs(t, s, "k", []string{e.ID})
	})

	changes := []struct {
		field  string
		change func(e *passerelle.Event)
	}{
		{"session", func(e *passerelle.Event) { e.SessionID += "x" }},
		{"seq", func(e *passerelle.Event) { e.Seq++ }},
		{"kind", func(e *passerelle.Event) { e.Kind = passerelle.EventHelpAsked }},
		{"time", func(e *passerelle.Event) { e.At = e.At.Add(time.Millisecond) }},
		{"language", func(e *passerelle.Event) { e.Lang = "fr" }},
		{"procedure", func(e *passerelle.Event) { e.ProcedureID += "-2" }},
		{"procedure version", func(e *passerelle.Event) { e.ProcedureVersion++ }},
		{"step", func(e *passerelle.Event) { e.StepID += "x" }},
		{"answer", func(e *passerelle.Event) { e.Answer = "no" }},
		{"outcome", func(e *passerelle.Event) { e.Outcome = passerelle.OutcomeAbandoned }},
		{"field emptied", func(e *passerelle.Event) { e.StepID = "" }},
	}
	for _, tc := range changes {
		t.Run("same id, other "+tc.field+": conflict, stored event unchanged", func(t *testing.T) {
			s := open(t)
			joined(t, s, "k")
			batch := session(t0, 3)
			put(t, s, "k", batch)

			changed := batch[1]
			tc.change(&changed)
			fresh := session(t0.Add(time.Hour), 1)[0]
			held, conflicts := put(t, s, "k", []passerelle.Event{batch[0], changed, fresh})
			if want := ids([]passerelle.Event{batch[0], fresh}); !slices.Equal(held, want) {
				t.Errorf("held %v; want %v (the rest of the batch)", held, want)
			}
			if got := conflictIDs(conflicts); !slices.Equal(got, []string{changed.ID}) || conflicts[0].Reason == "" {
				t.Errorf("conflicts %+v; want %s with a reason", conflicts, changed.ID)
			}
			// The original is still what is stored: it is held again as it was.
			if held, conflicts := put(t, s, "k", batch[1:2]); !slices.Equal(held, []string{batch[1].ID}) || len(conflicts) != 0 {
				t.Errorf("original sent again: held %v, conflicts %v; want it held (unchanged)", held, conflicts)
			}
			assertIDs(t, s, "k", append(ids(batch), fresh.ID))
		})
	}

	t.Run("same id from another kiosk: conflict", func(t *testing.T) {
		s := open(t)
		joined(t, s, "a")
		joined(t, s, "b")
		batch := session(t0, 2)
		put(t, s, "a", batch)
		held, conflicts := put(t, s, "b", batch[:1])
		if len(held) != 0 || !slices.Equal(conflictIDs(conflicts), []string{batch[0].ID}) {
			t.Errorf("held %v, conflicts %+v; want %s in conflict", held, conflicts, batch[0].ID)
		}
		assertIDs(t, s, "a", ids(batch))
		assertIDs(t, s, "b", nil)
	})

	t.Run("an event with a personal value: refused whole", func(t *testing.T) {
		s := open(t)
		joined(t, s, "k")
		batch := session(t0, 4)
		batch[2].Personal = "1 234,56"
		held, conflicts, err := s.PutEvents(ctx, "k", batch)
		if err == nil {
			t.Fatalf("PutEvents with a personal value: held %v, conflicts %v; want an error", held, conflicts)
		}
		assertIDs(t, s, "k", nil)
		if tot, err := s.Totals(ctx); err != nil || tot != (passerelle.HubTotals{}) {
			t.Errorf("Totals = %+v, %v; want nothing stored", tot, err)
		}
	})
}

// testPutEventsConcurrently sends overlapping batches from many goroutines
// at once, as kiosks retrying after lost acknowledgements do.
func testPutEventsConcurrently(t *testing.T, open opener) {
	const (
		kiosks    = 4
		senders   = 8 // per kiosk
		perKiosk  = 300
		batchSize = 100
	)
	s := open(t)
	all := map[string][]passerelle.Event{}
	for k := range kiosks {
		name := fmt.Sprintf("k%d", k)
		joined(t, s, name)
		for i := range perKiosk / 10 {
			all[name] = append(all[name], session(t0.Add(time.Duration(k*1000+i)*time.Minute), 10)...)
		}
	}

	type result struct {
		kiosk     string
		held      []string
		conflicts []passerelle.EventConflict
		err       error
	}
	results := make(chan result, kiosks*senders)
	var wg sync.WaitGroup
	for name, events := range all {
		for g := range senders {
			wg.Go(func() {
				// Each sender covers the whole log in overlapping windows,
				// starting at a different place.
				for w := range perKiosk / batchSize * 2 {
					from := (g*batchSize/2 + w*batchSize/2) % perKiosk
					batch := events[from:min(from+batchSize, perKiosk)]
					held, conflicts, err := s.PutEvents(context.Background(), name, batch)
					results <- result{name, held, conflicts, err}
				}
			})
		}
	}
	go func() { wg.Wait(); close(results) }()

	heldBy := map[string]map[string]bool{}
	for r := range results {
		if r.err != nil || len(r.conflicts) != 0 {
			t.Errorf("%s: PutEvents: conflicts %v, %v", r.kiosk, r.conflicts, r.err)
			continue
		}
		if heldBy[r.kiosk] == nil {
			heldBy[r.kiosk] = map[string]bool{}
		}
		for _, id := range r.held {
			heldBy[r.kiosk][id] = true
		}
	}
	total := 0
	for name, events := range all {
		for _, id := range ids(events) {
			if !heldBy[name][id] {
				t.Errorf("%s: %s never acknowledged", name, id)
			}
		}
		assertIDs(t, s, name, ids(events))
		total += len(events)
	}
	if tot, err := s.Totals(context.Background()); err != nil || tot.Events != total {
		t.Errorf("Totals = %+v, %v; want %d events, each stored once", tot, err, total)
	}
}

func testEventIDsAndTotals(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	if tot, err := s.Totals(ctx); err != nil || tot != (passerelle.HubTotals{}) {
		t.Errorf("empty hub: Totals = %+v, %v; want zeros", tot, err)
	}
	joined(t, s, "a")
	joined(t, s, "b")
	a := append(session(t0, 4), session(t0.Add(time.Hour), 2)...)
	b := session(t0.Add(2*time.Hour), 3)
	// Sent out of order: EventIDs sorts.
	slices.Reverse(a)
	put(t, s, "a", a)
	put(t, s, "b", b)

	got, err := s.EventIDs(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(got) || !slices.Equal(got, ids(a)) {
		t.Errorf("EventIDs a = %v; want %v, sorted", got, ids(a))
	}
	assertIDs(t, s, "b", ids(b))
	assertIDs(t, s, "nobody", nil)

	// A staff event sits alone under an id of its own: an event, not a
	// user's session.
	staff := session(t0.Add(3*time.Hour), 1)
	staff[0].Kind, staff[0].ProcedureID, staff[0].StepID = passerelle.EventStaffUnlocked, "", ""
	put(t, s, "b", staff)

	want := passerelle.HubTotals{Events: len(a) + len(b) + 1, Sessions: 3}
	if tot, err := s.Totals(ctx); err != nil || tot != want {
		t.Errorf("Totals = %+v, %v; want %+v", tot, err, want)
	}
}

func testCatalog(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.LatestCatalog(ctx); !errors.Is(err, passerelle.ErrNotFound) {
		t.Errorf("LatestCatalog with none published: %v; want ErrNotFound", err)
	}
	if _, err := s.LatestCatalogHash(ctx); !errors.Is(err, passerelle.ErrNotFound) {
		t.Errorf("LatestCatalogHash with none published: %v; want ErrNotFound", err)
	}
	v1 := passerelle.CatalogVersion{Hash: "aaaa", Archive: []byte("archive one\x00\xff"), PublishedAt: t0}
	v2 := passerelle.CatalogVersion{Hash: "bbbb", Archive: []byte("archive two"), PublishedAt: t0.Add(time.Hour)}
	again := v1
	again.PublishedAt = t0.Add(2 * time.Hour)

	for _, step := range []struct {
		name   string
		v      passerelle.CatalogVersion
		want   bool
		latest passerelle.CatalogVersion
	}{
		{"first version", v1, true, v1},
		{"same hash again: nothing", passerelle.CatalogVersion{Hash: v1.Hash, Archive: v1.Archive, PublishedAt: t0.Add(time.Minute)}, false, v1},
		{"a new version", v2, true, v2},
		{"back to the first one, kept", again, true, again},
	} {
		published, err := s.PublishCatalog(ctx, step.v)
		if err != nil || published != step.want {
			t.Errorf("%s: PublishCatalog = %v, %v; want %v", step.name, published, err, step.want)
		}
		got, err := s.LatestCatalog(ctx)
		if err != nil {
			t.Fatalf("%s: LatestCatalog: %v", step.name, err)
		}
		if got.Hash != step.latest.Hash || string(got.Archive) != string(step.latest.Archive) || !got.PublishedAt.Equal(step.latest.PublishedAt) {
			t.Errorf("%s: LatestCatalog = %s %q %v; want %s %q %v", step.name,
				got.Hash, got.Archive, got.PublishedAt, step.latest.Hash, step.latest.Archive, step.latest.PublishedAt)
		}
		if hash, err := s.LatestCatalogHash(ctx); err != nil || hash != step.latest.Hash {
			t.Errorf("%s: LatestCatalogHash = %q, %v; want %q", step.name, hash, err, step.latest.Hash)
		}
	}
}
