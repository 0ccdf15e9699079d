package postgrestest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := NewDatabase(t), NewDatabase(t)
	if a == b {
		t.Fatalf("two tests got the same database %s", a)
	}
	connA, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer connA.Close(ctx)
	if _, err := connA.Exec(ctx, `CREATE TABLE only_in_a (x int)`); err != nil {
		t.Fatal(err)
	}
	connB, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer connB.Close(ctx)
	var tables int
	if err := connB.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("a new database holds %d tables; want none", tables)
	}
	// Unix socket only: nothing listens on TCP.
	if !strings.Contains(a, "host=/") {
		t.Errorf("DSN %q does not use a Unix socket folder", a)
	}
}

func TestStopRemovesTheCluster(t *testing.T) {
	if _, err := Binaries(); err != nil {
		NewDatabase(t) // skips, or fails in CI
	}
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	dir := c.dir
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Stop, %s: %v; want it removed", dir, err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("Stop twice: %v", err)
	}
}

func TestUnavailable(t *testing.T) {
	other := errors.New("initdb: disk full")
	for _, tc := range []struct {
		name     string
		missing  error
		ci       bool
		wantSkip bool
	}{
		{"not installed, on a developer's machine: skip", ErrNotInstalled, false, true},
		{"not installed, in CI: fail", ErrNotInstalled, true, false},
		{"installed but failed to start: fail", other, false, false},
		{"installed but failed to start, in CI: fail", other, true, false},
		{"Main not called: fail", nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			skip, why := unavailable(tc.missing, tc.ci)
			if skip != tc.wantSkip || why == "" {
				t.Errorf("unavailable = %v, %q; want skip %v with a reason", skip, why, tc.wantSkip)
			}
		})
	}
}

func TestSweepStale(t *testing.T) {
	tmp := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name, pidFile string, mod time.Time) string {
		dir := filepath.Join(tmp, dirPrefix+name)
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if pidFile != "" {
			if err := os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte(pidFile), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chtimes(dir, mod, mod); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, tc := range []struct {
		name, pidFile string
		mod           time.Time
		kept          bool
	}{
		{"killed-binary", "2147483000\n/tmp/x/data\n", old, false},
		{"no-pid-file", "", old, false},
		{"server-alive", fmt.Sprintf("%d\n/tmp/x/data\n", os.Getpid()), old, true},
		{"being-created", "", time.Now(), true},
	} {
		dir := mk(tc.name, tc.pidFile, tc.mod)
		sweepStale(tmp)
		if _, err := os.Stat(dir); (err == nil) != tc.kept {
			t.Errorf("%s: after the sweep, %v; want kept %v", tc.name, err, tc.kept)
		}
	}
	other := filepath.Join(tmp, "someone-elses")
	os.Mkdir(other, 0o700)
	os.Chtimes(other, old, old)
	sweepStale(tmp)
	if _, err := os.Stat(other); err != nil {
		t.Errorf("the sweep removed a folder not its own: %v", err)
	}
}
