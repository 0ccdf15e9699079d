package postgres_test

import (
	"testing"

	"passerelle/app/hubstoretest"
	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/postgres/postgrestest"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

// openHub opens a hub store on a fresh database of the test cluster.
func openHub(t testing.TB) *postgres.HubDB {
	t.Helper()
	db := postgres.NewHubDB(postgrestest.NewDatabase(t))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestHubStoreConformance(t *testing.T) {
	hubstoretest.Run(t, func(t *testing.T) passerelle.HubStore { return openHub(t) })
}
