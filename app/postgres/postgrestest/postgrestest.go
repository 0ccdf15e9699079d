// Package postgrestest runs a throwaway PostgreSQL cluster for tests: one
// per test binary, started by TestMain in a temporary folder, listening on a
// Unix socket only, and removed when the tests end. Each test gets a fresh
// database of its own.
//
// Without PostgreSQL installed the tests that need it skip, saying so;
// with CI=true in the environment they fail instead, so that CI never
// passes without running them.
package postgrestest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// startTimeout bounds initdb plus the server's start on a slow CI machine.
const startTimeout = 60 * time.Second

// Cluster is a running throwaway cluster.
type Cluster struct {
	dir    string // removed by Stop: data, socket and log
	server *exec.Cmd
	exited chan error // the server's exit, once
	log    *os.File
	dbs    atomic.Int64
}

// missing is why there is no cluster: set by Main, said by NewDatabase.
var (
	cluster *Cluster
	missing error
)

// Main is the TestMain of a package whose tests use PostgreSQL: it starts
// the cluster (when PostgreSQL is installed), runs the tests, then stops the
// cluster and removes its folder. Extra settings (e.g. "fsync=on") go to
// the server.
func Main(m *testing.M, settings ...string) {
	cluster, missing = Start(settings...)
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "postgrestest:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// ErrNotInstalled: no initdb/postgres found on PATH or in
// /usr/lib/postgresql/*/bin.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (no initdb or postgres on PATH or in /usr/lib/postgresql/*/bin): install Debian's postgresql package")

// NewDatabase creates an empty database in the cluster for the test and
// returns its DSN; it is dropped when the test ends. Without PostgreSQL
// the test is skipped, or failed when CI=true.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	if cluster == nil {
		skip, why := unavailable(missing, os.Getenv("CI") == "true")
		if skip {
			tb.Skip(why)
		}
		tb.Fatal(why)
	}
	return cluster.NewDatabase(tb)
}

// unavailable says whether a test without a cluster skips or fails, and
// why: it skips only when PostgreSQL is not installed, outside CI.
func unavailable(missing error, ci bool) (skip bool, why string) {
	switch {
	case missing == nil:
		return false, "postgrestest: no cluster: call postgrestest.Main from the package's TestMain"
	case errors.Is(missing, ErrNotInstalled) && ci:
		return false, fmt.Sprintf("postgrestest: CI=true and %v", missing)
	case errors.Is(missing, ErrNotInstalled):
		return true, fmt.Sprintf("skipped: %v", missing)
	}
	return false, fmt.Sprintf("postgrestest: %v", missing)
}

// Binaries finds the folder holding initdb and postgres: PATH first, then
// Debian's /usr/lib/postgresql/<version>/bin (not on PATH), newest first.
func Binaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	return "", ErrNotInstalled
}

// version reads 15 from /usr/lib/postgresql/15/bin.
func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start creates and starts a cluster. PostgreSQL refuses to run as root:
// when the tests run as root (CI does), the cluster runs as the postgres
// user Debian's package creates (or nobody), and its folder belongs to it.
func Start(settings ...string) (c *Cluster, err error) {
	bin, err := Binaries()
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	sweepStale(os.TempDir())
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	c = &Cluster{dir: dir, exited: make(chan error, 1)}
	defer func() {
		if err != nil {
			c.Stop()
			err = fmt.Errorf("start PostgreSQL in %s: %w", dir, err)
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return c, err
		}
	}
	if c.log, err = os.Create(filepath.Join(dir, "server.log")); err != nil {
		return c, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return c, fmt.Errorf("initdb: %w: %s", err, out)
	}

	args := []string{"-D", data, "-k", dir, "-c", "listen_addresses=", "-c", "lc_messages=C",
		// A throwaway cluster: durability buys nothing, speed does.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "log_min_messages=warning"}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	c.server = exec.Command(filepath.Join(bin, "postgres"), args...)
	// The server dies with the test binary, even if it is killed.
	c.server.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	stderr, err := c.server.StderrPipe()
	if err != nil {
		return c, err
	}
	c.server.Stdout = c.log
	if err := c.server.Start(); err != nil {
		return c, err
	}
	ready := make(chan struct{})
	go func() {
		// The server says when it accepts connections: wait for that line,
		// then keep its log.
		lines := bufio.NewScanner(stderr)
		said := false
		for lines.Scan() {
			fmt.Fprintln(c.log, lines.Text())
			if !said && strings.Contains(lines.Text(), "ready to accept connections") {
				close(ready)
				said = true
			}
		}
		io.Copy(c.log, stderr)
		c.exited <- c.server.Wait()
	}()
	select {
	case <-ready:
		return c, nil
	case err := <-c.exited:
		c.exited <- err
		return c, fmt.Errorf("the server stopped: %v: see %s", err, c.log.Name())
	case <-ctx.Done():
		return c, fmt.Errorf("the server did not start in %s", startTimeout)
	}
}

// dirPrefix names the clusters' folders in the temporary folder.
const dirPrefix = "passerelle-pg-"

// sweepStale removes the folders of clusters whose test binary was killed
// (its server died with it, by Pdeathsig, and nobody removed the folder):
// older than an hour, and no server running on them. A folder being
// created by another test binary is young; one in use has its server.
func sweepStale(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, dirPrefix+"*"))
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil || time.Since(info.ModTime()) < time.Hour || serverRunning(dir) {
			continue
		}
		os.RemoveAll(dir)
	}
}

// serverRunning says whether the server of the cluster in dir is alive:
// the pid on the first line of its postmaster.pid exists.
func serverRunning(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		return false // stopped cleanly, or never started
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return false
	}
	// Signal 0 checks the process exists; EPERM means it does, as
	// another user.
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// serverUser returns who runs the server: nil (the current user) unless
// running as root.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and there is no postgres or nobody user to run the server as")
}

// DSN returns the connection string of a database of the cluster.
func (c *Cluster) DSN(database string) string {
	return fmt.Sprintf("host=%s user=postgres dbname=%s sslmode=disable", c.dir, database)
}

// NewDatabase creates an empty database, dropped when the test ends.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test_%d", c.dbs.Add(1))
	c.exec(tb, "CREATE DATABASE "+name)
	tb.Cleanup(func() { c.exec(tb, "DROP DATABASE "+name+" WITH (FORCE)") })
	return c.DSN(name)
}

func (c *Cluster) exec(tb testing.TB, sql string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		tb.Fatalf("postgrestest: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("postgrestest: %s: %v", sql, err)
	}
}

// Stop stops the server (fast shutdown: it cuts the sessions left) and
// removes the cluster's folder. Stopping twice is harmless.
func (c *Cluster) Stop() error {
	var errs []error
	if c.server != nil && c.server.Process != nil {
		c.server.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(startTimeout):
			c.server.Process.Kill()
			errs = append(errs, errors.New("stop PostgreSQL: the server did not stop: killed"))
		}
		c.server = nil
	}
	if c.log != nil {
		c.log.Close()
	}
	if c.dir != "" {
		errs = append(errs, os.RemoveAll(c.dir))
		c.dir = ""
	}
	return errors.Join(errs...)
}
