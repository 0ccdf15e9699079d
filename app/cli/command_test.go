package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// TestCommandsRefuseMistakes runs every command of the hub and the sync
// with a mistake on its command line, in a folder of its own: each must
// exit non-zero with one plain sentence naming the mistake, print nothing
// on stdout and create no file.
func TestCommandsRefuseMistakes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string // DIR is replaced by the test's folder
		code int
		says []string
	}{
		{"simulate without sessions", []string{"simulate", "-db", "DIR/kiosk.db"}, 2, []string{"-sessions 0 is out of range", "from 1 to"}},
		{"simulate negative sessions", []string{"simulate", "-db", "DIR/kiosk.db", "-sessions", "-3"}, 2, []string{"-sessions -3 is out of range"}},
		{"simulate sessions not a number", []string{"simulate", "-db", "DIR/kiosk.db", "-sessions", "many"}, 2, []string{`-sessions "many" is not a whole number`}},
		{"simulate without db", []string{"simulate", "-sessions", "10"}, 2, []string{"-db is missing"}},
		{"simulate with an argument", []string{"simulate", "-db", "DIR/kiosk.db", "-sessions", "10", "more"}, 2, []string{`unexpected argument "more"`}},
		{"simulate on a missing catalog", []string{"simulate", "-db", "DIR/kiosk.db", "-sessions", "10", "-catalog", "DIR/nowhere"}, 1, []string{"nowhere"}},
		{"simulate negative seed", []string{"simulate", "-db", "DIR/kiosk.db", "-sessions", "10", "-seed", "-1"}, 2, []string{"-seed"}},
		{"an unknown flag", []string{"simulate", "-db", "DIR/kiosk.db", "-sessions", "10", "-fast"}, 2, []string{"there is no flag -fast"}},

		{"hub without catalog", []string{"hub", "-db", "DIR/hub.db"}, 2, []string{"-catalog is missing"}},
		{"hub on a catalog that is not a folder", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR/nowhere"}, 2, []string{"-catalog", "nowhere", "not a folder"}},
		{"hub with a certificate without its key", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR", "-tls-cert", "DIR/cert.pem"}, 2, []string{"-tls-cert and -tls-key"}},
		{"hub with a key without its certificate", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR", "-tls-key", "DIR/key.pem"}, 2, []string{"-tls-cert and -tls-key"}},
		{"hub in plain HTTP on every interface", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR", "-listen", "0.0.0.0:8750"}, 2, []string{"-listen 0.0.0.0:8750", "in clear", "-allow-plain-http"}},
		{"hub in plain HTTP on every interface, no host", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR", "-listen", ":8750"}, 2, []string{"-listen :8750", "in clear"}},
		{"hub on an address without port", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR", "-listen", "127.0.0.1"}, 2, []string{`-listen "127.0.0.1"`, "127.0.0.1:8750"}},
		{"hub on a port out of range", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR", "-listen", "127.0.0.1:99999"}, 2, []string{`-listen "127.0.0.1:99999"`}},
		{"hub with an argument", []string{"hub", "-db", "DIR/hub.db", "-catalog", "DIR", "start"}, 2, []string{`unexpected argument "start"`}},

		{"enroll without a name", []string{"hub", "enroll", "-db", "DIR/hub.db"}, 2, []string{"NAME is missing"}},
		{"enroll two names", []string{"hub", "enroll", "-db", "DIR/hub.db", "mairie-1", "mairie-2"}, 2, []string{`unexpected argument "mairie-2"`}},
		{"enroll on a missing hub database", []string{"hub", "enroll", "-db", "DIR/hub.db", "mairie-1"}, 1, []string{"no hub database at", "hub.db"}},
		{"revoke without a name", []string{"hub", "revoke", "-db", "DIR/hub.db"}, 2, []string{"NAME is missing"}},
		{"revoke on a missing hub database", []string{"hub", "revoke", "mairie-1", "-db", "DIR/hub.db"}, 1, []string{"no hub database at"}},

		{"join without hub", []string{"join", "-db", "DIR/kiosk.db", "-token", "abc"}, 2, []string{"-hub is missing"}},
		{"join without token", []string{"join", "-db", "DIR/kiosk.db", "-hub", "https://hub.example.org"}, 2, []string{"-token is missing"}},
		{"join a hub without scheme", []string{"join", "-db", "DIR/kiosk.db", "-hub", "hub.example.org:8750", "-token", "abc"}, 2, []string{`-hub "hub.example.org:8750"`, "https://"}},
		{"join a hub by ftp", []string{"join", "-db", "DIR/kiosk.db", "-hub", "ftp://hub.example.org", "-token", "abc"}, 2, []string{`-hub "ftp://hub.example.org"`}},
		{"join with a missing CA file", []string{"join", "-db", "DIR/kiosk.db", "-hub", "https://hub.example.org", "-token", "abc", "-ca", "DIR/ca.pem"}, 1, []string{"-ca file", "ca.pem"}},

		{"sync without -once", []string{"sync", "-db", "DIR/kiosk.db"}, 2, []string{"give -once"}},
		{"sync a missing kiosk database", []string{"sync", "-once", "-db", "DIR/kiosk.db"}, 1, []string{"no kiosk database at"}},

		{"stats without db", []string{"stats", "-json"}, 2, []string{"-db is missing"}},
		{"stats of a missing file", []string{"stats", "-db", "DIR/kiosk.db"}, 1, []string{"no database at"}},
		{"stats with json given a value", []string{"stats", "-db", "DIR/kiosk.db", "-json=maybe"}, 2, []string{"-json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "DIR", dir)
			}
			code, out, errOut := run(t, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if out != "" {
				t.Errorf("stdout: %q", out)
			}
			if !strings.HasPrefix(errOut, "passerelle "+args[0]) || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") {
				t.Errorf("want one sentence, got:\n%s", errOut)
			}
			for _, s := range tc.says {
				if !strings.Contains(errOut, s) {
					t.Errorf("%q does not say %q", errOut, s)
				}
			}
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("a refused command left %s", filepath.Join(dir, left[0].Name()))
			}
		})
	}
}

func TestCommandsHelp(t *testing.T) {
	for _, args := range [][]string{
		{"hub", "-h"}, {"hub", "enroll", "-h"}, {"hub", "revoke", "-h"}, {"join", "-h"},
		{"sync", "-h"}, {"simulate", "-h"}, {"stats", "-h"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := run(t, args...)
			want := "Usage: passerelle " + strings.Join(args[:len(args)-1], " ") + " "
			if code != 0 || errOut != "" || !strings.HasPrefix(out, want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0 and the usage %q on stdout", code, out, errOut, want)
			}
		})
	}
}

// statsOf runs stats -json on a database file and decodes it.
func statsOf(t *testing.T, db string) statsJSON {
	t.Helper()
	code, out, errOut := run(t, "stats", "-db", db, "-json")
	if code != 0 {
		t.Fatalf("stats -json: exit %d: %s", code, errOut)
	}
	var s statsJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("stats -json printed %q, want one JSON object on one line: %v", out, err)
	}
	return s
}

// statsJSON is what stats -json promises, read as a script would.
type statsJSON struct {
	Kind     string `json:"kind"`
	Events   *int   `json:"events"`
	Sessions *int   `json:"sessions"`
	Pending  int    `json:"pending"`
	// A kiosk's: the hub catalog installed. A hub's: the one published last.
	CatalogVersion string `json:"catalog_version"`
	LatestCatalog  string `json:"latest_catalog"`
	Kiosks         []struct {
		Name           string  `json:"name"`
		LastSeen       string  `json:"last_seen"`
		RevokedAt      string  `json:"revoked_at"`
		PendingEvents  *int    `json:"pending_events"`
		CatalogVersion *string `json:"catalog_version"`
	} `json:"kiosks"`
}

func TestSimulateThenStats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	code, out, errOut := run(t, "simulate", "-db", db, "-sessions", "120", "-seed", "5", "-catalog", shipped)
	if code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errOut)
	}
	var sessions, events int
	if _, err := fmt.Sscanf(out, "%d sessions (%d events) appended", &sessions, &events); err != nil || sessions != 120 {
		t.Fatalf("simulate printed %q, want 120 sessions and their events", out)
	}
	s := statsOf(t, db)
	if s.Kind != "kiosk" || s.Events == nil || *s.Events != events || s.Sessions == nil || *s.Sessions != 120 {
		t.Errorf("stats -json: %+v, want a kiosk with %d events in 120 sessions", s, events)
	}
	if s.Pending != events {
		t.Errorf("stats -json: %d pending, want every event (%d): the kiosk never synced", s.Pending, events)
	}
	code, out, _ = run(t, "stats", "-db", db)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d events in 120 sessions", events)) || !strings.Contains(out, "not joined to a hub") {
		t.Errorf("stats: exit %d:\n%s", code, out)
	}
	// Appending again adds sessions: simulate never rewrites a database.
	if code, _, errOut := run(t, "simulate", "-db", db, "-sessions", "30", "-catalog", shipped); code != 0 {
		t.Fatalf("simulate again: exit %d: %s", code, errOut)
	}
	if s := statsOf(t, db); *s.Sessions != 150 {
		t.Errorf("%d sessions after appending 30 more to 120, want 150", *s.Sessions)
	}
}

func TestRevokeBesideTheRunningHub(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hub.db")
	hub := sqlite.NewHubDB(path) // the running hub holds the database
	if err := hub.Open(); err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	now := time.Now()
	for _, name := range []string{"mairie-1", "médiathèque"} {
		if err := hub.EnrollKiosk(ctx, name, []byte("hash of "+name), now.Add(time.Hour), now); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := run(t, "hub", "revoke", "-db", path, "mairie-1")
	if code != 0 || !strings.Contains(out, `"mairie-1" is revoked`) {
		t.Fatalf("revoke: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = run(t, "hub", "revoke", "-db", path, "mairie-2")
	if code != 1 || !strings.Contains(errOut, `no kiosk is named "mairie-2"`) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("revoke an unknown kiosk: exit %d, stderr %q", code, errOut)
	}
	if _, err := hub.JoinKiosk(ctx, []byte("hash of mairie-1"), []byte("credential"), now); !errors.Is(err, passerelle.ErrUnauthorized) {
		t.Errorf("the revoked kiosk joined: %v", err)
	}
	s := statsOf(t, path)
	if s.Kind != "hub" || len(s.Kiosks) != 2 || s.Kiosks[0].Name != "mairie-1" || s.Kiosks[0].RevokedAt == "" || s.Kiosks[1].RevokedAt != "" {
		t.Errorf("stats -json: %+v, want mairie-1 revoked and médiathèque not", s)
	}
	code, out, _ = run(t, "stats", "-db", path)
	if code != 0 || !regexp.MustCompile(`mairie-1 +revoked +never`).MatchString(out) || !regexp.MustCompile(`médiathèque +waiting to join`).MatchString(out) {
		t.Errorf("stats: exit %d:\n%s", code, out)
	}
}

func TestHubOnATakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errOut := run(t, "hub", "-listen", ln.Addr().String(), "-db", filepath.Join(t.TempDir(), "hub.db"), "-catalog", shipped)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	want := "passerelle hub: another program (another hub?) already listens on " + ln.Addr().String()
	if code != 1 || !strings.HasPrefix(lines[len(lines)-1], want) {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and a last line %q", code, errOut, want)
	}
}
