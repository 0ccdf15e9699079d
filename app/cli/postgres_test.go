package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"passerelle/app/postgres/postgrestest"
)

// secret is a password put in every connection string of these tests: the
// throwaway cluster trusts its socket and never asks for it, so it is
// accepted, and no output of any command may show it.
const secret = "hunter2-never-printed"

func TestHubOnPostgreSQLEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hubs and kiosk processes on a PostgreSQL cluster")
	}
	dsn := postgrestest.NewDatabase(t) + " password=" + secret
	dir := t.TempDir()
	var printed []string // everything the commands printed, to look for the password

	// A deployment migrates first; migrating again finds nothing to do.
	for range 2 {
		out := mustRun(t, "hub", "migrate", "-db", dsn)
		if !strings.Contains(out, "migrated to the latest schema") || !strings.Contains(out, "(PostgreSQL)") {
			t.Errorf("hub migrate printed %q: want the PostgreSQL database named and said migrated", out)
		}
		printed = append(printed, out)
	}

	// Two hubs on the one database: a token enrolled beside them works on
	// either, and each kiosk's events land in the same place.
	hubs := []*hubProcess{startHub(t, dsn, shipped), startHub(t, dsn, shipped)}
	kiosks := []string{filepath.Join(dir, "kiosk-1", "kiosk.db"), filepath.Join(dir, "kiosk-2", "kiosk.db")}
	for i, kiosk := range kiosks {
		name := filepath.Base(filepath.Dir(kiosk))
		printed = append(printed, mustRun(t, "join", "-db", kiosk, "-hub", hubs[i].URL, "-token", enroll(t, dsn, name)))
		mustRun(t, "simulate", "-db", kiosk, "-sessions", "40", "-seed", strconv.Itoa(i+1), "-catalog", shipped)
		mustRun(t, "sync", "-once", "-db", kiosk)
		mustRun(t, "sync", "-once", "-db", kiosk) // nothing left: nothing counted twice
	}
	h := binaryStats(t, dsn)
	var events, sessions int
	for _, kiosk := range kiosks {
		k := binaryStats(t, kiosk)
		events, sessions = events+*k.Events, sessions+*k.Sessions
		if k.Pending != 0 || k.CatalogVersion == "" || k.CatalogVersion != h.LatestCatalog {
			t.Errorf("kiosk %s after its syncs: %d pending, catalog %q; want none pending and the hub's catalog %q",
				kiosk, k.Pending, k.CatalogVersion, h.LatestCatalog)
		}
	}
	if h.Kind != "hub" || *h.Events != events || *h.Sessions != sessions || events == 0 {
		t.Errorf("stats -json -db DSN: %s holding %d events in %d sessions; the kiosks hold %d in %d",
			h.Kind, *h.Events, *h.Sessions, events, sessions)
	}
	if len(h.Kiosks) != 2 || h.Kiosks[0].LastSeen == "" || h.Kiosks[1].LastSeen == "" {
		t.Errorf("the hub's kiosks: %+v; want kiosk-1 and kiosk-2, both seen", h.Kiosks)
	}

	// Revoked on the database, refused by every hub; its events stay.
	printed = append(printed, mustRun(t, "hub", "revoke", "-db", dsn, "kiosk-1"))
	mustRun(t, "simulate", "-db", kiosks[0], "-sessions", "2", "-catalog", shipped)
	mustFail(t, []string{"sync", "-once", "-db", kiosks[0]}, "revoked")
	mustFail(t, []string{"hub", "revoke", "-db", dsn, "kiosk-9"}, `no kiosk is named "kiosk-9"`)
	if after := binaryStats(t, dsn); *after.Events != events || after.Kiosks[0].RevokedAt == "" {
		t.Errorf("after revoking kiosk-1 and its refused sync, the hub holds %d events (had %d), kiosk-1 revoked at %q",
			*after.Events, events, after.Kiosks[0].RevokedAt)
	}

	text := mustRun(t, "stats", "-db", dsn)
	if !strings.HasPrefix(text, "Hub database test_") || !strings.Contains(text, "(PostgreSQL)") || !strings.Contains(text, "kiosk-2") {
		t.Errorf("stats -db DSN printed:\n%s\nwant the PostgreSQL database named, then its kiosks", text)
	}
	printed = append(printed, text)
	for _, hub := range hubs {
		if code := hub.stop(t); code != 0 {
			t.Errorf("a hub on PostgreSQL exited %d on SIGTERM, want 0", code)
		}
		printed = append(printed, hub.logText())
	}
	for _, out := range printed {
		if strings.Contains(out, secret) {
			t.Errorf("a command printed the password of -db:\n%s", out)
		}
	}
}

func TestHubOnPostgreSQLRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary on a PostgreSQL cluster")
	}
	dsn := postgrestest.NewDatabase(t)
	for _, tc := range []struct {
		name string
		args []string
		says []string
	}{
		{"no server at the socket", []string{"hub", "migrate", "-db", "host=/nonexistent dbname=hub password=" + secret},
			[]string{"/nonexistent/.s.PGSQL.5432 cannot be reached", "check the host and port"}},
		{"a database that does not exist", []string{"hub", "enroll", "-db", with(dsn, "dbname", "nosuch") + " password=" + secret, "mairie-1"},
			[]string{`has no database "nosuch"`, "createdb -O postgres nosuch"}},
		{"a role that does not exist", []string{"stats", "-db", with(dsn, "user", "nosuch") + " password=" + secret},
			[]string{`refused the role "nosuch"`}},
		{"a value PostgreSQL cannot parse", []string{"hub", "revoke", "-db", "postgres://hub:" + secret + "@db.example.org:54x2/hub", "mairie-1"},
			[]string{"not a PostgreSQL connection string"}},
		{"stats of a database no hub migrated", []string{"stats", "-db", dsn}, []string{"is not a Passerelle hub's database"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustFail(t, tc.args, tc.says...)
			if _, _, errOut := runBinary(t, tc.args...); strings.Contains(errOut, secret) {
				t.Errorf("passerelle %s printed the password: %s", tc.args[0], errOut)
			}
		})
	}
}

func TestKioskCommandsRefuseAPostgreSQLDSN(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	dir := t.TempDir()
	catalog, err := filepath.Abs(shipped)
	if err != nil {
		t.Fatal(err)
	}
	dsn := "postgres://hub:" + secret + "@db.example.org/hub"
	for _, args := range [][]string{
		{"kiosk", "-db", dsn},
		{"join", "-db", dsn, "-hub", "https://hub.example.org", "-token", "x"},
		{"sync", "-once", "-db", dsn},
		{"simulate", "-db", dsn, "-sessions", "1", "-catalog", catalog},
	} {
		t.Run(args[0], func(t *testing.T) {
			cmd := binary(args...)
			cmd.Dir = dir // a value taken for a path would be created here
			out, err := cmd.CombinedOutput()
			if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "a kiosk's database is a file") {
				t.Errorf("passerelle %s -db DSN: %v, %q; want exit 2 and the DSN refused as a kiosk's -db", args[0], err, out)
			}
			if strings.Contains(string(out), secret) {
				t.Errorf("passerelle %s printed the password: %q", args[0], out)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("passerelle %s -db DSN created %s", args[0], entries[0].Name())
			}
		})
	}
}

func TestHubMigrateOnSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	db := filepath.Join(t.TempDir(), "hub", "hub.db")
	out := mustRun(t, "hub", "migrate", "-db", db)
	if !strings.Contains(out, db) || !strings.Contains(out, "migrated to the latest schema") {
		t.Errorf("hub migrate printed %q", out)
	}
	if s := binaryStats(t, db); s.Kind != "hub" || *s.Events != 0 {
		t.Errorf("the migrated file's stats: %+v; want an empty hub's", s)
	}
	// A hub runs on the file: it holds it, and migrating beside it would
	// race its writes.
	startHub(t, db, shipped)
	mustFail(t, []string{"hub", "migrate", "-db", db}, db)
}

// with replaces one setting of a key=value connection string.
func with(dsn, key, value string) string {
	fields := strings.Fields(dsn)
	for i, f := range fields {
		if strings.HasPrefix(f, key+"=") {
			fields[i] = key + "=" + value
		}
	}
	return strings.Join(fields, " ")
}

// binaryStats runs passerelle stats -json in a process of its own.
func binaryStats(t *testing.T, db string) statsJSON {
	t.Helper()
	out := mustRun(t, "stats", "-json", "-db", db)
	var s statsJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.Events == nil || s.Sessions == nil {
		t.Fatalf("stats -json -db %s printed %q: %v", db, out, err)
	}
	return s
}
