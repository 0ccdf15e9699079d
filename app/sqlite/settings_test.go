package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// cheapPIN keeps the tests fast: the hash carries its own parameters, so
// the lock checks it as it was made.
var cheapPIN = passerelle.PINParams{Memory: 64, Time: 1, Threads: 1}

// staffClock is a clock that moves only when told.
type staffClock struct{ now time.Time }

func (c *staffClock) Now() time.Time { return c.now }

func openKiosk(t *testing.T, path string) *passqlite.DB {
	t.Helper()
	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestWrongPINsWaitLongerAcrossRestarts: someone tries PINs at the kiosk.
// The first two wrong ones cost nothing, then each waits twice as long;
// restarting the kiosk (closing and opening its database) resets nothing;
// the right PIN opens and clears the count. Every try is an event the hub
// receives, none holds the PIN, and none is taken for a user's session.
func TestWrongPINsWaitLongerAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	clock := &staffClock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	db := openKiosk(t, path)
	lock := &passerelle.PINLock{Store: db, Events: db, Now: clock.Now, Params: cheapPIN}
	if has, err := lock.HasPIN(ctx); err != nil || has {
		t.Fatalf("a new kiosk has a PIN: %v, %v", has, err)
	}
	const pin = "480613"
	if err := lock.SetPIN(ctx, pin); err != nil {
		t.Fatal(err)
	}

	wantWaits := []time.Duration{0, 0, 5 * time.Second, 10 * time.Second, 20 * time.Second}
	for i, want := range wantWaits {
		ok, wait, err := lock.Unlock(ctx, fmt.Sprintf("11110%d", i))
		if ok || err != nil || wait != want {
			t.Fatalf("wrong PIN %d: ok %v, wait %v, err %v; want refused, wait %v", i+1, ok, wait, err, want)
		}
		if i == 2 { // the kiosk restarts during the wait
			db.Close()
			db = openKiosk(t, path)
			lock = &passerelle.PINLock{Store: db, Events: db, Now: clock.Now, Params: cheapPIN}
			if w, err := lock.Wait(ctx); err != nil || w != want {
				t.Fatalf("after a restart: wait %v, %v; want %v still", w, err, want)
			}
			// The right PIN during the wait is not even checked.
			if ok, w, err := lock.Unlock(ctx, pin); ok || !errors.Is(err, passerelle.ErrPINWait) || w != want {
				t.Fatalf("the right PIN during the wait: ok %v, wait %v, err %v; want refused unchecked", ok, w, err)
			}
		}
		clock.now = clock.now.Add(want)
	}
	if ok, _, err := lock.Unlock(ctx, pin); !ok || err != nil {
		t.Fatalf("the right PIN after the wait: ok %v, err %v", ok, err)
	}
	if f, _ := db.PINFailures(ctx); f.Count != 0 {
		t.Errorf("after the right PIN, %d failures still counted", f.Count)
	}

	events, err := db.Unsent(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Kind)+":"+e.Answer)
		if strings.Contains(e.Answer, pin) || e.SessionID == "" || e.Seq != 1 {
			t.Errorf("event %+v: want its own session, seq 1, no PIN", e)
		}
	}
	want := "staff_pin_refused:1 staff_pin_refused:2 staff_pin_refused:3 staff_pin_refused:4 staff_pin_refused:5 staff_unlocked:pin"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events to send to the hub:\n%s\nwant\n%s", got, want)
	}
	if closed, err := db.CloseInterrupted(ctx, clock.now); err != nil || len(closed) != 0 {
		t.Errorf("staff events were closed as interrupted sessions: %v, %v", closed, err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), pin) {
		t.Error("the PIN is in the database file")
	}
}

func TestPINHashCarriesItsParametersAndGrows(t *testing.T) {
	ctx := context.Background()
	db := openKiosk(t, filepath.Join(t.TempDir(), "kiosk.db"))
	old := &passerelle.PINLock{Store: db, Events: db, Params: cheapPIN}
	if err := old.SetPIN(ctx, "271828"); err != nil {
		t.Fatal(err)
	}
	// A later version raises the costs: the old hash still opens, and is
	// made again at the new costs.
	stronger := passerelle.PINParams{Memory: 256, Time: 2, Threads: 1}
	lock := &passerelle.PINLock{Store: db, Events: db, Params: stronger}
	if ok, _, err := lock.Unlock(ctx, "271828"); !ok || err != nil {
		t.Fatalf("the old hash does not open: %v, %v", ok, err)
	}
	hash, _ := db.PINHash(ctx)
	if p, _, _, err := passerelle.ParsePINHash(hash); err != nil || p != stronger {
		t.Errorf("the hash after unlock has %+v (%v), want %+v", p, err, stronger)
	}
	if ok, _, _ := lock.Unlock(ctx, "271828"); !ok {
		t.Error("the new hash does not open")
	}
}

func TestSettingsSavedByName(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	db := openKiosk(t, path)
	if saved, err := db.SavedSettings(ctx); err != nil || len(saved) != 0 {
		t.Fatalf("a new kiosk has saved settings %v, %v", saved, err)
	}
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	if err := db.SaveSettings(ctx, map[string]string{"inactivity": "2m0s", "languages": "fr,ar"}, at); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSettings(ctx, map[string]string{"inactivity": "45s"}, at); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openKiosk(t, path)
	saved, err := db.SavedSettings(ctx)
	if err != nil || saved["inactivity"] != "45s" || saved["languages"] != "fr,ar" || len(saved) != 2 {
		t.Errorf("after a restart: %v, %v; want inactivity 45s, languages fr,ar", saved, err)
	}
}
