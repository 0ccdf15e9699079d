package postgres_test

import (
	"log/slog"
	"os"
	"testing"

	"passerelle/app/hubstoretest"
	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/postgres/postgrestest"
)

// TestMain starts the throwaway cluster. PASSERELLE_PG_DURABLE=1 runs it
// as production would (fsync, synchronous commit, full pages), for the
// benchmarks' figures.
func TestMain(m *testing.M) {
	var settings []string
	if os.Getenv("PASSERELLE_PG_DURABLE") == "1" {
		settings = []string{"fsync=on", "synchronous_commit=on", "full_page_writes=on"}
	}
	postgrestest.Main(m, settings...)
}

// openHub opens a hub store on a fresh database of the test cluster.
func openHub(t testing.TB) *postgres.HubDB {
	t.Helper()
	db := postgres.NewHubDB(postgrestest.NewDatabase(t))
	db.Logger = slog.New(slog.DiscardHandler) // partitions made: not news here
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestHubStoreConformance(t *testing.T) {
	hubstoretest.Run(t, func(t *testing.T) passerelle.HubStore { return openHub(t) })
}

// Two hubs on one database share what the hub keeps.
func TestHubStoreShared(t *testing.T) {
	hubstoretest.RunShared(t, func(t *testing.T) (passerelle.HubStore, passerelle.HubStore) {
		dsn := postgrestest.NewDatabase(t)
		var handles [2]*postgres.HubDB
		for i := range handles {
			handles[i] = postgres.NewHubDB(dsn)
			handles[i].Logger = slog.New(slog.DiscardHandler)
			if err := handles[i].Open(); err != nil {
				t.Fatal(err)
			}
		}
		return handles[0], handles[1]
	})
}
