package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
