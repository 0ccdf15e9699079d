package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// TestReadFiguresBesideTheKiosk: `passerelle stats` reads the figures of a
// database the kiosk holds open, the same as the kiosk's own screen, and
// refuses a file that is not a Passerelle database in plain words.
func TestReadFiguresBesideTheKiosk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := passqlite.NewDB(filepath.Join(dir, "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	for i, o := range []passerelle.Outcome{passerelle.OutcomeFinished, passerelle.OutcomeAbandoned, passerelle.OutcomeTimedOut} {
		at := start.Add(time.Duration(i) * time.Hour)
		s := figurestest.Session(passerelle.NewID(at), "caf", "fr", at).Show("income", time.Second).Help(time.Second).
			Handled(time.Minute).End(o, time.Second)
		if err := db.Append(ctx, s.Events()...); err != nil {
			t.Fatal(err)
		}
	}
	q := passerelle.FiguresQuery{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 1), Period: passerelle.PeriodDay}
	own, err := db.Figures(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	read, err := passqlite.ReadFigures(ctx, db.Path(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := figurestest.Lines(read), figurestest.Lines(own); !slices.Equal(got, want) || len(own.HelpAnswered) != 1 {
		t.Errorf("stats read\n%s\nthe kiosk counts\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	notADB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notADB, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := passqlite.ReadFigures(ctx, notADB, q); err == nil || !strings.Contains(err.Error(), "is not a Passerelle database") {
		t.Errorf("ReadFigures on a text file: %v, want it refused in plain words", err)
	}
}
