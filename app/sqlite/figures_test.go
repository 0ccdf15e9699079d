package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"passerelle/app/figurestest"
	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

func TestKioskFigures(t *testing.T) {
	figurestest.Run(t, func(t *testing.T) figurestest.Harness {
		db := passqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		// Named as its hub knows it, so that its figures and the hub's compare.
		if err := db.SaveHubLink(context.Background(), passerelle.HubLink{URL: "https://hub.example.org",
			Kiosk: "mairie-lyon-3", Credential: "c", JoinedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		return figurestest.Harness{Source: db, Kiosks: []string{"mairie-lyon-3"},
			Append: func(t *testing.T, kiosk string, events []passerelle.Event) {
				t.Helper()
				if err := db.Append(context.Background(), events...); err != nil {
					t.Fatal(err)
				}
			}}
	})
}

func TestHubFigures(t *testing.T) {
	figurestest.Run(t, func(t *testing.T) figurestest.Harness {
		db := MustOpenHubDB(t)
		kiosks := []string{"bibliotheque-bron", "mairie-lyon-3"}
		for _, k := range kiosks {
			if err := db.EnrollKiosk(context.Background(), k, []byte("token "+k), time.Now().Add(time.Hour), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		return figurestest.Harness{Source: db, Kiosks: kiosks,
			Append: func(t *testing.T, kiosk string, events []passerelle.Event) {
				t.Helper()
				if _, conflicts, err := db.PutEvents(context.Background(), kiosk, events); err != nil || len(conflicts) > 0 {
					t.Fatal(err, conflicts)
				}
			}}
	})
}
