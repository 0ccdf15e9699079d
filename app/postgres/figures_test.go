package postgres_test

import (
	"context"
	"testing"
	"time"

	"passerelle/app/figurestest"
	"passerelle/app/passerelle"
)

func TestHubFigures(t *testing.T) {
	t.Parallel() // each test has a database of its own
	figurestest.Run(t, func(t *testing.T) figurestest.Harness {
		db := openHub(t)
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
