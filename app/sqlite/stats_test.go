package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

func TestReadStatsOfAKiosk(t *testing.T) {
	ctx := context.Background()

	t.Run("joined and synced, read while the kiosk runs", func(t *testing.T) {
		db := MustOpenDB(t)
		var appended []passerelle.Event
		for _, s := range []string{"s1", "s2", "s3"} {
			events := visit(s, t0, true)
			if err := db.Append(ctx, events...); err != nil {
				t.Fatal(err)
			}
			appended = append(appended, events...)
		}
		if err := db.MarkSent(ctx, eventIDs(appended[:5]), t0); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkConflicts(ctx, []passerelle.EventConflict{{ID: appended[5].ID, Reason: "other content"}}, t0); err != nil {
			t.Fatal(err)
		}
		link := passerelle.HubLink{URL: "https://hub.example.org:8750", Kiosk: "mairie-1", Credential: "secret", JoinedAt: t0}
		if err := db.SaveHubLink(ctx, link); err != nil {
			t.Fatal(err)
		}
		status := passerelle.SyncStatus{LastAttempt: t0.Add(time.Hour), LastSuccess: t0, LastError: "the hub did not answer", CatalogVersion: "4f2a"}
		if err := db.SaveSyncStatus(ctx, status); err != nil {
			t.Fatal(err)
		}

		got, err := passqlite.ReadStats(ctx, db.Path())
		if err != nil {
			t.Fatal(err)
		}
		want := passerelle.DatabaseStats{Kind: "kiosk", Events: 12, Sessions: 3, Pending: 6, Conflicts: 1,
			HubURL: link.URL, Kiosk: link.Kiosk, LastSyncSuccess: t0, LastSyncError: status.LastError, CatalogVersion: "4f2a"}
		assertStats(t, got, want)
		// The kiosk still writes: stats took no lock and left none.
		if err := db.Append(ctx, visit("s4", t0, true)...); err != nil {
			t.Errorf("append after stats: %v", err)
		}
	})

	t.Run("never joined, closed", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "kiosk.db")
		kioskFile(t, path)
		before, files := snapshot(t, path), names(t, dir)
		got, err := passqlite.ReadStats(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		assertStats(t, got, passerelle.DatabaseStats{Kind: "kiosk", Events: 4, Sessions: 1, Pending: 4})
		if !bytes.Equal(before, snapshot(t, path)) {
			t.Error("ReadStats changed the file")
		}
		// A WAL reader may leave the (empty) -wal and -shm files SQLite
		// makes for readers; nothing else.
		if after := names(t, dir); !slices.Equal(slices.DeleteFunc(after, func(n string) bool {
			return n == "kiosk.db-wal" || n == "kiosk.db-shm"
		}), files) {
			t.Errorf("files after ReadStats: %v; were %v", after, files)
		}
		db := passqlite.NewDB(path)
		if err := db.Open(); err != nil {
			t.Fatalf("the kiosk starting after stats: %v", err)
		}
		MustCloseDB(t, db)
	})

	t.Run("an older Passerelle's file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		old := passqlite.NewDB(path)
		if err := old.OpenMigrated(2); err != nil {
			t.Fatal(err)
		}
		if err := old.Append(ctx, visit("s1", t0, false)...); err != nil {
			t.Fatal(err)
		}
		MustCloseDB(t, old)
		got, err := passqlite.ReadStats(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		assertStats(t, got, passerelle.DatabaseStats{Kind: "kiosk", Events: 3, Sessions: 1, Pending: 3})
	})
}

func TestReadStatsOfAHub(t *testing.T) {
	ctx := context.Background()
	hub := MustOpenHubDB(t)
	for _, name := range []string{"mairie-b", "mairie-a"} {
		if err := hub.EnrollKiosk(ctx, name, []byte(name+"-token"), t0.Add(time.Hour), t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := hub.JoinKiosk(ctx, []byte("mairie-a-token"), []byte("cred"), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Authenticate(ctx, []byte("cred"), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	report := passerelle.KioskReport{AppVersion: "1.5.0", CatalogVersion: "4f2a", PendingEvents: 120}
	if err := hub.SaveReport(ctx, "mairie-a", report, t0); err != nil {
		t.Fatal(err)
	}
	events := append(withoutPersonal(visit("s1", t0, true)), withoutPersonal(visit("s2", t0, true))...)
	if _, _, err := hub.PutEvents(ctx, "mairie-a", events); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.PublishCatalog(ctx, passerelle.CatalogVersion{Hash: "4f2a", Archive: []byte("tgz"), PublishedAt: t0}); err != nil {
		t.Fatal(err)
	}

	got, err := passqlite.ReadStats(ctx, hub.Path())
	if err != nil {
		t.Fatal(err)
	}
	kiosks, err := hub.Kiosks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertStats(t, got, passerelle.DatabaseStats{Kind: "hub", Events: 8, Sessions: 2, Kiosks: kiosks, LatestCatalog: "4f2a"})
	if len(got.Kiosks) != 2 || got.Kiosks[0].Name != "mairie-a" || got.Kiosks[0].Report != report ||
		!got.Kiosks[0].LastSeen.Equal(t0.Add(time.Minute)) {
		t.Errorf("kiosks = %+v; want mairie-a first, seen at %v, with its report", got.Kiosks, t0.Add(time.Minute))
	}

	// stats -json: the keys scripts read.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Kind     string           `json:"kind"`
		Events   *int             `json:"events"`
		Sessions *int             `json:"sessions"`
		Kiosks   []map[string]any `json:"kiosks"`
		Pending  *int             `json:"pending"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Kind != "hub" || out.Events == nil || *out.Events != 8 || out.Sessions == nil || *out.Sessions != 2 || out.Pending != nil {
		t.Errorf("JSON %s: want kind hub, events 8, sessions 2, no kiosk fields", b)
	}
	if len(out.Kiosks) != 2 {
		t.Fatalf("JSON %s: want 2 kiosks", b)
	}
	a := out.Kiosks[0]
	if a["name"] != "mairie-a" || a["last_seen"] != "2026-03-02T09:31:00Z" || a["pending_events"] != 120.0 || a["catalog_version"] != "4f2a" {
		t.Errorf("JSON kiosk %v: want name, last_seen, pending_events and catalog_version", a)
	}
	if _, ok := out.Kiosks[1]["last_seen"]; ok {
		t.Errorf("JSON kiosk %v: a kiosk never seen has no last_seen", out.Kiosks[1])
	}
}

func TestReadStatsJSONOfAKiosk(t *testing.T) {
	b, err := json.Marshal(passerelle.DatabaseStats{Kind: "kiosk", Events: 4, Sessions: 1})
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"kind", "events", "sessions", "pending", "conflicts", "hub_url"} {
		if _, ok := out[key]; !ok {
			t.Errorf("JSON %s has no %q", b, key)
		}
	}
	for _, key := range []string{"kiosks", "last_sync_success"} {
		if _, ok := out[key]; ok {
			t.Errorf("JSON %s has %q", b, key)
		}
	}
}

func TestReadStatsRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t testing.TB, path string)
		kind error
		says []string
	}{
		{"no file", func(testing.TB, string) {}, passqlite.ErrNotDatabase, []string{"there is no database", "-db"}},
		{"an empty file", func(t testing.TB, path string) { os.WriteFile(path, nil, 0o600) },
			passqlite.ErrNotDatabase, []string{"not a Passerelle database"}},
		{"a text file", func(t testing.TB, path string) { os.WriteFile(path, []byte("name,phone\n"), 0o600) },
			passqlite.ErrNotDatabase, []string{"not a Passerelle database"}},
		{"a folder", func(t testing.TB, path string) { os.Mkdir(path, 0o700) },
			passqlite.ErrNotDatabase, []string{"not a database file"}},
		{"another program's database", func(t testing.TB, path string) {
			raw := rawDB(t, path)
			if _, err := raw.Exec(`CREATE TABLE events (x); CREATE TABLE notes (body TEXT)`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
		}, passqlite.ErrNotPasserelle, []string{"not a Passerelle database"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "stats.db")
			tc.make(t, path)
			before := names(t, dir)
			_, err := passqlite.ReadStats(context.Background(), path)
			assertPlain(t, err, path, tc.says...)
			if !errors.Is(err, tc.kind) {
				t.Errorf("ReadStats: %v; want %v", err, tc.kind)
			}
			if after := names(t, dir); !slices.Equal(after, before) {
				t.Errorf("ReadStats left files: %v, was %v", after, before)
			}
		})
	}
}

func assertStats(tb testing.TB, got, want passerelle.DatabaseStats) {
	tb.Helper()
	sameKiosks := slices.EqualFunc(got.Kiosks, want.Kiosks, func(a, b passerelle.Kiosk) bool {
		return a.Name == b.Name && a.LastSeen.Equal(b.LastSeen) && a.Report == b.Report
	})
	g, w := got, want
	g.Kiosks, w.Kiosks = nil, nil
	if !g.LastSyncSuccess.Equal(w.LastSyncSuccess) || !sameKiosks {
		tb.Errorf("stats = %+v\nwant %+v", got, want)
	}
	g.LastSyncSuccess, w.LastSyncSuccess = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("stats = %+v\nwant %+v", got, want)
	}
}

// names lists the files in dir.
func names(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
