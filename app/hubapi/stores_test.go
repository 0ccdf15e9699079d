package hubapi

import (
	"testing"

	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// openHubStore opens the hub's SQLite store at path, closed at the test's
// end.
func openHubStore(tb testing.TB, path string) passerelle.HubStore {
	tb.Helper()
	db := sqlite.NewHubDB(path)
	if err := db.Open(); err != nil {
		tb.Fatalf("open the hub database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// openKioskDB opens a kiosk's SQLite database at path, closed at the
// test's end.
func openKioskDB(tb testing.TB, path string) kioskDB {
	tb.Helper()
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		tb.Fatalf("open the kiosk database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
