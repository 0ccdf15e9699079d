package hubapi

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// helpCall is a session whose user called a mediator on its first step:
// started, step shown, help asked.
func helpCall(at time.Time) []passerelle.Event {
	at = at.Truncate(time.Millisecond) // as the kiosk's log keeps it
	session := passerelle.NewID(at)
	e := func(seq int, kind passerelle.EventKind) passerelle.Event {
		return passerelle.Event{ID: passerelle.NewID(at), SessionID: session, Seq: seq, Kind: kind,
			At: at.Add(time.Duration(seq) * time.Second), ProcedureID: "caf-quarterly-declaration", ProcedureVersion: 1, StepID: "income"}
	}
	started := e(1, passerelle.EventSessionStarted)
	started.Lang, started.StepID = "ar", ""
	return []passerelle.Event{started, e(2, passerelle.EventStepShown), e(3, passerelle.EventHelpAsked)}
}

// helpRig is a hub on loopback that signals each help push it answered,
// and a kiosk joined to it, with its pusher (not started).
type helpRig struct {
	hub    *testHub
	kiosk  kioskDB
	dir    string
	pushed chan string // the path of each request answered, once answered
	marks  chan []passerelle.HelpMark
	pusher *HelpPusher
}

// newHelpRig serves the hub through wrap when not nil (inside the
// signalling), and joins the kiosk to the address url gives (the hub's
// when nil).
func newHelpRig(t *testing.T, wrap func(http.Handler) http.Handler) *helpRig {
	t.Helper()
	return newHelpRigOn(t, openHubStore(t, filepath.Join(t.TempDir(), "hub.db")), wrap)
}

// hubStores are the hub's stores, each opened for one test: SQLite, and
// PostgreSQL when installed.
var hubStores = []struct {
	name string
	open func(t *testing.T) passerelle.HubStore
}{
	{"sqlite", func(t *testing.T) passerelle.HubStore { return openHubStore(t, filepath.Join(t.TempDir(), "hub.db")) }},
	{"postgres", func(t *testing.T) passerelle.HubStore { return openPostgresHub(t, pgDatabase(t)) }},
}

func newHelpRigOn(t *testing.T, store passerelle.HubStore, wrap func(http.Handler) http.Handler) *helpRig {
	t.Helper()
	r := &helpRig{pushed: make(chan string, 100), marks: make(chan []passerelle.HelpMark, 100)}
	r.hub = startHub(t, store, func(h http.Handler) http.Handler {
		if wrap != nil {
			h = wrap(h)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			defer func() {
				select {
				case r.pushed <- req.URL.Path:
				default:
				}
			}()
			h.ServeHTTP(w, req)
		})
	})
	r.kiosk, r.dir = newKiosk(t)
	join(t, r.hub.Store, r.kiosk, "mairie-1", r.hub.URL)
	r.pusher = &HelpPusher{Outbox: r.kiosk, Help: r.kiosk, Logger: quietLogger(), Poll: 20 * time.Millisecond,
		backoffMin: time.Millisecond, backoffMax: 20 * time.Millisecond,
		OnMarks: func(m []passerelle.HelpMark) { r.marks <- m }}
	return r
}

func (r *helpRig) open(t *testing.T) {
	t.Helper()
	if err := r.pusher.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.pusher.Close() })
}

// call opens a help call on the kiosk, as its screens do: saved, then the
// pusher told.
func (r *helpRig) call(t *testing.T) []passerelle.Event {
	t.Helper()
	events := helpCall(time.Now().Add(-time.Minute))
	if err := r.kiosk.Append(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	r.pusher.HelpCallChanged(passerelle.HelpCall{SessionID: events[0].SessionID, AskedAt: events[2].At})
	return events
}

// hubOpenCall returns the hub's open call of the session, if any.
func (r *helpRig) hubOpenCall(t *testing.T, session string) (passerelle.HubHelpCall, bool) {
	t.Helper()
	calls, err := r.hub.Store.HubOpenHelpCalls(context.Background(), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if c.SessionID == session {
			return c, true
		}
	}
	return passerelle.HubHelpCall{}, false
}

// waitHub waits until cond holds of the hub, checking after each request
// the hub answered, for at most within.
func (r *helpRig) waitHub(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(within)
	for !cond() {
		select {
		case <-r.pushed:
		case <-deadline:
			t.Fatalf("%s: not within %v", what, within)
		}
	}
}

// waitRequest waits for the hub to answer a request on path.
func (r *helpRig) waitRequest(t *testing.T, path string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case p := <-r.pushed:
			if p == path {
				return
			}
		case <-deadline:
			t.Fatalf("no request on %s within 5 s", path)
		}
	}
}

// waitMark waits for the pusher to hand over the hub's mark of session.
func (r *helpRig) waitMark(t *testing.T, session string) passerelle.HelpMark {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case marks := <-r.marks:
			for _, m := range marks {
				if m.SessionID == session {
					return m
				}
			}
		case <-deadline:
			t.Fatal("the hub's mark did not reach the kiosk within 5 s")
		}
	}
}

// kioskIDs returns the ids of every event of the kiosk's sessions.
func kioskIDs(events ...[]passerelle.Event) []string {
	var ids []string
	for _, es := range events {
		for _, e := range es {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// assertSyncedOnce syncs the kiosk as its background sync does, and checks
// the hub holds exactly the kiosk's events, each once.
func assertSyncedOnce(t *testing.T, r *helpRig, ids []string) {
	t.Helper()
	s := &Syncer{Outbox: r.kiosk, DataDir: r.dir, AppVersion: "test"}
	syncUntilDone(t, s, 3)
	assertHubHolds(t, r.hub.Store, "mairie-1", ids)
	totals, err := r.hub.Store.Totals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if totals.Events != len(ids) {
		t.Fatalf("the hub counts %d events, the kiosk has %d", totals.Events, len(ids))
	}
}

// TestHelpCallRoundTrip: a call opened on the kiosk is on the hub within
// seconds; staff mark it handled there; the mark reaches the kiosk, which
// records it; its help_handled reaches the hub, where the call is no
// longer open; the sync afterwards leaves the hub with the kiosk's events,
// each once.
func TestHelpCallRoundTrip(t *testing.T) {
	for _, store := range hubStores {
		t.Run(store.name, func(t *testing.T) { testHelpCallRoundTrip(t, newHelpRigOn(t, store.open(t), nil)) })
	}
}

func testHelpCallRoundTrip(t *testing.T, r *helpRig) {
	ctx := context.Background()
	earlier := appendSessions(t, r.kiosk, 3, 6) // the backlog the sync sends
	r.open(t)
	r.waitRequest(t, PathHelp) // it asks once at start

	start := time.Now()
	events := r.call(t)
	session := events[0].SessionID
	r.waitHub(t, 5*time.Second, "the call on the hub's page", func() bool {
		_, ok := r.hubOpenCall(t, session)
		return ok
	})
	t.Logf("the call was on the hub %v after it opened", time.Since(start).Round(time.Millisecond))
	c, _ := r.hubOpenCall(t, session)
	if c.Kiosk != "mairie-1" || c.StepID != "income" || c.ProcedureID != "caf-quarterly-declaration" || !c.AskedAt.Equal(events[2].At) {
		t.Errorf("the hub's call %+v, want mairie-1's on income asked at %v", c, events[2].At)
	}
	// Only the help events went ahead: the backlog waits for the sync.
	// The pusher asks again while the call is open: once the hub answered
	// the next ask, the kiosk has recorded the first answer.
	r.waitRequest(t, PathHelp)
	if pending, _ := r.kiosk.Pending(ctx); pending != len(earlier)+2 {
		t.Errorf("%d events pending after the push, want the %d not help", pending, len(earlier)+2)
	}

	if err := r.hub.Store.MarkHelpHandled(ctx, "mairie-1", session, "amina", time.Now()); err != nil {
		t.Fatal(err)
	}
	m := r.waitMark(t, session)
	if time.Since(m.MarkedAt) > time.Minute {
		t.Errorf("the mark says %v", m.MarkedAt)
	}
	handled, err := r.kiosk.HandleHelpCall(ctx, session, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.pusher.HelpCallChanged(passerelle.HelpCall{SessionID: session, HandledAt: handled.At})
	r.waitHub(t, 5*time.Second, "the call closed on the hub", func() bool {
		_, open := r.hubOpenCall(t, session)
		return !open
	})
	if marks, err := r.hub.Store.HelpMarks(ctx, "mairie-1"); err != nil || len(marks) != 0 {
		t.Errorf("HelpMarks after the kiosk's help_handled = %v, %v; want none", marks, err)
	}
	r.pusher.Close()
	assertSyncedOnce(t, r, append(kioskIDs(events, []passerelle.Event{handled}), earlier...))
}

// TestHelpPushWhileTheHubIsDown: the hub is down when the call opens; the
// pusher retries by itself and the call is on the hub soon after it is
// back, nothing lost, nothing twice.
func TestHelpPushWhileTheHubIsDown(t *testing.T) {
	r := newHelpRig(t, nil)
	p := startProxy(t, downAddr(t), 0, 0)
	link, err := r.kiosk.HubLink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	link.URL = p.URL
	if err := r.kiosk.SaveHubLink(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	attempts := make(chan struct{}, 100)
	p.mu.Lock()
	p.onAccept = func() {
		select {
		case attempts <- struct{}{}:
		default:
		}
	}
	p.mu.Unlock()
	r.open(t)
	events := r.call(t)
	deadline := time.After(10 * time.Second)
	for range 4 {
		select {
		case <-attempts:
		case <-deadline:
			t.Fatal("the pusher did not retry 4 times in 10 s while the hub was down")
		}
	}
	if unsent, _ := r.kiosk.UnsentHelp(context.Background(), 10); len(unsent) != 1 {
		t.Fatalf("%d help events unsent while the hub is down, want the call's", len(unsent))
	}
	p.setUpstream(r.hub.Addr)
	r.waitHub(t, 10*time.Second, "the call on the hub once it is back", func() bool {
		_, ok := r.hubOpenCall(t, events[0].SessionID)
		return ok
	})
	r.pusher.Close()
	assertSyncedOnce(t, r, kioskIDs(events))
}

// TestHelpAnswerLostIsNotDoubled: the hub stores a push but its answer
// never reaches the kiosk; the kiosk keeps the events unsent, and the
// sync sends them again: the hub acknowledges them again and holds each
// once.
func TestHelpAnswerLostIsNotDoubled(t *testing.T) {
	var cut atomic.Bool
	cut.Store(true)
	r := newHelpRig(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.URL.Path == PathHelp && cut.Load() {
				h.ServeHTTP(httptest.NewRecorder(), req) // stored, answer lost
				panic(http.ErrAbortHandler)
			}
			h.ServeHTTP(w, req)
		})
	})
	events := r.call(t)
	if err := r.pusher.PushOnce(context.Background()); err == nil {
		t.Fatal("a push whose answer was cut succeeded")
	}
	if _, ok := r.hubOpenCall(t, events[0].SessionID); !ok {
		t.Fatal("the hub did not store the push whose answer was lost")
	}
	if unsent, _ := r.kiosk.UnsentHelp(context.Background(), 10); len(unsent) != 1 {
		t.Fatalf("%d help events unsent after a lost answer, want the call's", len(unsent))
	}
	assertSyncedOnce(t, r, kioskIDs(events))
	cut.Store(false)
	if err := r.pusher.PushOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertHubHolds(t, r.hub.Store, "mairie-1", kioskIDs(events))
}

// downAddr returns a loopback address where nothing listens.
func downAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestHelpEndpoint: the help push is refused as the other requests are
// (credential, size), refuses other kinds with a sentence and stores
// nothing of them, and answers the marks of the kiosk's own calls only.
func TestHelpEndpoint(t *testing.T) {
	for _, store := range hubStores {
		t.Run(store.name, func(t *testing.T) { testHelpEndpoint(t, newHelpRigOn(t, store.open(t), nil)) })
	}
}

func testHelpEndpoint(t *testing.T, r *helpRig) {
	ctx := context.Background()
	link, _ := r.kiosk.HubLink(ctx)
	auth := "Bearer " + link.Credential
	call := helpCall(time.Now().Add(-time.Minute))
	body := func(events ...passerelle.Event) []byte {
		wire := make([]Event, len(events))
		for i, e := range events {
			wire[i] = toWire(e)
		}
		b, _ := json.Marshal(HelpRequest{Events: wire})
		return b
	}

	status, msg := post(t, r.hub.URL, PathHelp, auth, body(call...))
	if status != http.StatusBadRequest || !strings.Contains(msg, "not a help call") {
		t.Fatalf("a session's events on the help path: %d %q, want 400 saying they are not help calls", status, msg)
	}
	assertNothingStored(t, r.hub.Store)

	// Another kiosk's call, marked: never answered to mairie-1.
	other, _ := newKiosk(t)
	join(t, r.hub.Store, other, "mairie-2", r.hub.URL)
	theirs := helpCall(time.Now().Add(-time.Minute))
	if _, _, err := r.hub.Store.PutEvents(ctx, "mairie-2", theirs); err != nil {
		t.Fatal(err)
	}
	if err := r.hub.Store.MarkHelpHandled(ctx, "mairie-2", theirs[0].SessionID, "amina", time.Now()); err != nil {
		t.Fatal(err)
	}

	resp := pushHelp(t, r.hub.URL, auth, body(call[2]))
	if !slices.Equal(resp.Held, []string{call[2].ID}) || len(resp.Marks) != 0 {
		t.Fatalf("push = %+v, want the event held and no mark", resp)
	}
	// Sent again (the normal sync will too): acknowledged, held once.
	if again := pushHelp(t, r.hub.URL, auth, body(call[2])); !slices.Equal(again.Held, []string{call[2].ID}) {
		t.Fatalf("push again = %+v, want the event acknowledged again", again)
	}
	assertHubHolds(t, r.hub.Store, "mairie-1", []string{call[2].ID})

	markedAt := time.Now().Truncate(time.Millisecond)
	if err := r.hub.Store.MarkHelpHandled(ctx, "mairie-1", call[0].SessionID, "amina", markedAt); err != nil {
		t.Fatal(err)
	}
	resp = pushHelp(t, r.hub.URL, auth, body())
	if len(resp.Marks) != 1 || resp.Marks[0].SessionID != call[0].SessionID || resp.Marks[0].MarkedAt != markedAt.UnixMilli() {
		t.Fatalf("marks = %+v, want mairie-1's call marked at %v", resp.Marks, markedAt)
	}

	// The kiosk's help_handled closes the call: no mark in the answer.
	handled := call[2]
	handled.ID, handled.Seq, handled.Kind, handled.At = passerelle.NewID(time.Now()), 4, passerelle.EventHelpHandled, time.Now()
	if resp = pushHelp(t, r.hub.URL, auth, body(handled)); len(resp.Marks) != 0 || len(resp.Held) != 1 {
		t.Fatalf("push of help_handled = %+v, want it held and no mark left", resp)
	}

	if err := r.hub.Store.RevokeKiosk(ctx, "mairie-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if status, _ := post(t, r.hub.URL, PathHelp, auth, body()); status != http.StatusForbidden {
		t.Fatalf("a revoked kiosk's push: status %d, want 403", status)
	}
}

// pushHelp posts a help push and reads the answer.
func pushHelp(t *testing.T, url, auth string, body []byte) HelpResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+PathHelp, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push: %s", resp.Status)
	}
	var out HelpResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// BenchmarkHelpPoll: one ask of a kiosk with an open call, over loopback,
// to a hub holding a year of that kiosk's events (100 000) with its
// call marked: what every kiosk with an open call costs the hub every
// DefaultHelpPoll.
func BenchmarkHelpPoll(b *testing.B) {
	ctx := context.Background()
	hub := newHub(b)
	kiosk, dir := newKiosk(b)
	join(b, hub.Store, kiosk, "mairie-1", hub.URL)
	fillKiosk(b, kiosk, 100_000)
	call := helpCall(time.Now().Add(-time.Minute))
	if err := kiosk.Append(ctx, call...); err != nil {
		b.Fatal(err)
	}
	if err := (&Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "bench"}).SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	if err := hub.Store.MarkHelpHandled(ctx, "mairie-1", call[0].SessionID, "amina", time.Now()); err != nil {
		b.Fatal(err)
	}
	marked := 0
	p := &HelpPusher{Outbox: kiosk, Help: kiosk, OnMarks: func(m []passerelle.HelpMark) { marked += len(m) }}
	defer p.Close()
	for b.Loop() {
		if err := p.PushOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if marked != b.N {
		b.Fatalf("%d marks in %d asks", marked, b.N)
	}
}
