package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"passerelle/app/bundle"
	"passerelle/app/cli"
	"passerelle/app/postgres/postgrestest"
)

// binaryEnv makes the test binary run as passerelle itself: TestMain then
// does what main.go does, on the command line it was given.
const binaryEnv = "PASSERELLE_TEST_AS_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(binaryEnv) == "1" {
		// main.go's body: the command line, SIGTERM and SIGINT cancel.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	// A throwaway PostgreSQL cluster for the hub's tests on PostgreSQL;
	// without PostgreSQL installed they skip (fail when CI=true).
	postgrestest.Main(m)
}

// binary returns the command running the binary with args.
func binary(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), binaryEnv+"=1")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// runBinary runs passerelle with args in a process of its own.
func runBinary(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := binary(args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), out.String(), errOut.String()
	}
	if err != nil {
		t.Fatalf("passerelle %s: %v", strings.Join(args, " "), err)
	}
	return 0, out.String(), errOut.String()
}

// mustRun runs passerelle and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runBinary(t, args...)
	if code != 0 {
		t.Fatalf("passerelle %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// mustFail runs passerelle and wants it to exit 1 with one sentence that
// says each of says.
func mustFail(t *testing.T, args []string, says ...string) {
	t.Helper()
	code, out, errOut := runBinary(t, args...)
	prefix := "passerelle " + args[0]
	if args[0] == "hub" && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		prefix += " " + args[1] // hub enroll, revoke, migrate
	}
	prefix += ": "
	if code != 1 || !strings.HasPrefix(errOut, prefix) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("passerelle %s: exit %d, stderr %q; want 1 and one sentence", strings.Join(args, " "), code, errOut)
	}
	if out != "" {
		t.Errorf("passerelle %s printed on stdout: %q", strings.Join(args, " "), out)
	}
	for _, s := range says {
		if !strings.Contains(errOut, s) {
			t.Errorf("passerelle %s: %q does not say %q", strings.Join(args, " "), errOut, s)
		}
	}
}

// hubProcess is a hub started by the test, and its log.
type hubProcess struct {
	cmd   *exec.Cmd
	URL   string
	lines chan string // the hub's log, line by line, closed when it exits

	mu  sync.Mutex
	log []string
}

var listening = regexp.MustCompile(`msg="the hub is listening" addr=(\S+) tls=(true|false)`)

// startHub starts passerelle hub on a free port of the loopback, with the
// flags given besides, and waits until it listens.
func startHub(t *testing.T, db, catalog string, flags ...string) *hubProcess {
	t.Helper()
	args := append([]string{"hub", "-listen", "127.0.0.1:0", "-db", db, "-catalog", catalog}, flags...)
	h := &hubProcess{cmd: binary(args...), lines: make(chan string, 1024)}
	stderr, err := h.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			h.cmd.Process.Kill()
			h.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("the hub's log:\n%s", h.logText())
		}
	})
	go func() {
		defer close(h.lines)
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			h.mu.Lock()
			h.log = append(h.log, s.Text())
			h.mu.Unlock()
			select {
			case h.lines <- s.Text():
			default: // nobody waits for a line: it stays in the log
			}
		}
	}()
	m := h.waitFor(t, listening)
	h.URL = "http://" + m[1]
	if m[2] == "true" {
		h.URL = "https://" + m[1]
	}
	return h
}

func (h *hubProcess) logText() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.log, "\n")
}

// waitFor waits for a line of the hub's log that matches re, and returns
// its submatches.
func (h *hubProcess) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-h.lines:
			if !ok {
				t.Fatalf("the hub stopped before logging %q", re)
			}
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
		case <-deadline:
			t.Fatalf("the hub did not log %q within 30s", re)
		}
	}
}

// stop sends SIGTERM, as systemd does, and returns the exit code.
func (h *hubProcess) stop(t *testing.T) int {
	t.Helper()
	if err := h.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the hub did not stop within 30s of SIGTERM")
	}
	return h.cmd.ProcessState.ExitCode()
}

// typedNumber is the social security number every simulated person types.
const typedNumber = "1999999999999"

// occurrences counts s in the database files of a folder.
func occurrences(t *testing.T, dir, s string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no database files in %s: %v", dir, err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(b, []byte(s))
	}
	return n
}

// editFile replaces old by new in a file, as staff do in their editor.
func editFile(t *testing.T, name, old, new string) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not hold %q", name, old)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// bumpVersion raises the version of the procedure file name by one, as
// staff do with each edit, and returns its new version line.
func bumpVersion(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`\nversion: (\d+)\n`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no version line", name)
	}
	v, _ := strconv.Atoi(string(m[1]))
	line := fmt.Sprintf("\nversion: %d\n", v+1)
	editFile(t, name, string(m[0]), line)
	return line
}

// enroll enrolls a kiosk and returns its token, the last line printed.
func enroll(t *testing.T, hubDB, name string) string {
	t.Helper()
	out := mustRun(t, "hub", "enroll", "-db", hubDB, name)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < 2 || !strings.Contains(lines[0], "once") || !strings.Contains(lines[0], "7 days") || !strings.Contains(lines[0], "passerelle join") {
		t.Errorf("enroll printed %q: want a sentence saying how to use the token, that it works once, within 7 days, then the token", out)
	}
	token := lines[len(lines)-1]
	if len(token) < 40 || strings.ContainsAny(token, " \t") {
		t.Fatalf("enroll's last line %q is not a token", token)
	}
	return token
}

func TestHubAndSyncEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a hub and kiosk processes")
	}
	dir := t.TempDir()
	hubCatalog := filepath.Join(dir, "hub-catalog")
	if err := os.CopyFS(hubCatalog, os.DirFS(shipped)); err != nil {
		t.Fatal(err)
	}
	hubDB := filepath.Join(dir, "hub", "hub.db")
	hub := startHub(t, hubDB, hubCatalog)
	kiosk := filepath.Join(dir, "kiosk-1", "kiosk.db")
	other := filepath.Join(dir, "kiosk-2", "kiosk.db")

	// Enrollment, while the hub runs: a token works once.
	token := enroll(t, hubDB, "mairie-1")
	mustFail(t, []string{"join", "-db", kiosk, "-hub", hub.URL, "-token", "not-the-token"}, "refused")
	mustRun(t, "join", "-db", kiosk, "-hub", hub.URL, "-token", token)
	mustFail(t, []string{"join", "-db", other, "-hub", hub.URL, "-token", token}, "refused")
	mustRun(t, "join", "-db", other, "-hub", hub.URL, "-token", enroll(t, hubDB, "mairie-2"))

	// A kiosk's events reach the hub, once each. Its catalog keeps the
	// social security numbers people type (store: yes), all one number
	// here, to look for in the files.
	kioskCatalog := filepath.Join(dir, "kiosk-catalog")
	if err := os.CopyFS(kioskCatalog, os.DirFS(shipped)); err != nil {
		t.Fatal(err)
	}
	for _, proc := range []string{"ameli-attestation", "caf-quarterly-declaration"} {
		editFile(t, filepath.Join(kioskCatalog, proc, "procedure.yaml"),
			`pattern: "[12][0-9]{12}", store: no, personal: yes, check: nir`, `pattern: "`+typedNumber+`", store: yes, personal: yes`)
	}
	mustRun(t, "simulate", "-db", kiosk, "-sessions", "300", "-seed", "1", "-catalog", kioskCatalog)
	mustRun(t, "simulate", "-db", other, "-sessions", "20", "-seed", "2", "-catalog", shipped)
	mustRun(t, "sync", "-once", "-db", kiosk)
	mustRun(t, "sync", "-once", "-db", kiosk) // nothing left: nothing counted twice
	k, h := statsOf(t, kiosk), statsOf(t, hubDB)
	if *h.Events != *k.Events || *h.Sessions != *k.Sessions || k.Pending != 0 {
		t.Errorf("after sync: the hub holds %d events in %d sessions, the kiosk %d in %d with %d pending; want the same, none pending",
			*h.Events, *h.Sessions, *k.Events, *k.Sessions, k.Pending)
	}
	if len(h.Kiosks) != 2 || h.Kiosks[0].Name != "mairie-1" || h.Kiosks[0].LastSeen == "" || h.Kiosks[1].LastSeen != "" {
		t.Errorf("the hub's kiosks: %+v; want mairie-1 seen, mairie-2 not yet", h.Kiosks)
	}
	// The second sync reported the state the first left: nothing pending,
	// the hub's catalog installed.
	if r := h.Kiosks[0]; r.PendingEvents == nil || *r.PendingEvents != 0 || r.CatalogVersion == nil || *r.CatalogVersion != h.LatestCatalog {
		t.Errorf("the hub's kiosk %+v: want 0 pending events and the catalog %s reported", r, h.LatestCatalog)
	}
	// What people typed stays on the kiosk.
	if n := occurrences(t, filepath.Dir(kiosk), typedNumber); n == 0 {
		t.Error("the kiosk kept no social security number: the test proves nothing")
	}
	if n := occurrences(t, filepath.Dir(hubDB), typedNumber); n > 0 {
		t.Errorf("the hub's files hold the number people typed %d times: personal values left the kiosk", n)
	}
	if h.LatestCatalog == "" || k.CatalogVersion != h.LatestCatalog {
		t.Errorf("the kiosk's catalog is %q, the hub's %q: want the hub's installed at the first sync", k.CatalogVersion, h.LatestCatalog)
	}
	mustFail(t, []string{"sync", "-once", "-db", filepath.Join(dir, "kiosk-3", "kiosk.db")}, "no kiosk database")
	mustRun(t, "simulate", "-db", filepath.Join(dir, "kiosk-3", "kiosk.db"), "-sessions", "1", "-catalog", shipped)
	mustFail(t, []string{"sync", "-once", "-db", filepath.Join(dir, "kiosk-3", "kiosk.db")}, "has not joined a hub", "passerelle join")

	// Staff edit the hub's catalog: the hub publishes it, the kiosk gets
	// it at its next sync. A broken edit is not published.
	edited := filepath.Join(hubCatalog, "create-email", "procedure.yaml")
	bumped := bumpVersion(t, edited)
	v4, err := bundle.Hash(hubCatalog)
	if err != nil {
		t.Fatal(err)
	}
	hub.waitFor(t, regexp.MustCompile(`msg="catalog: published" version=`+v4[:12]))
	mustRun(t, "sync", "-once", "-db", kiosk)
	if k := statsOf(t, kiosk); k.CatalogVersion != v4 {
		t.Errorf("after the hub published %s, the kiosk's catalog is %s", v4[:12], k.CatalogVersion)
	}
	live := filepath.Join(filepath.Dir(kiosk), "catalog", "create-email", "procedure.yaml")
	if b, err := os.ReadFile(live); err != nil || !strings.Contains(string(b), bumped) {
		t.Errorf("the kiosk's live catalog does not hold the edit: %v", err)
	}
	editFile(t, edited, bumped, "\nversion: four\n")
	hub.waitFor(t, regexp.MustCompile(`msg="catalog: the catalog folder has problems; it is not published`))
	mustRun(t, "sync", "-once", "-db", kiosk)
	if k, h := statsOf(t, kiosk), statsOf(t, hubDB); k.CatalogVersion != v4 || h.LatestCatalog != v4 {
		t.Errorf("after a broken edit the hub publishes %s and the kiosk runs %s; want both on the last good %s", h.LatestCatalog, k.CatalogVersion, v4[:12])
	}

	// A revoked kiosk is refused; its events stay.
	mustRun(t, "hub", "revoke", "-db", hubDB, "mairie-1")
	mustRun(t, "simulate", "-db", kiosk, "-sessions", "5", "-catalog", shipped)
	mustFail(t, []string{"sync", "-once", "-db", kiosk}, "revoked")
	if after := statsOf(t, hubDB); *after.Events != *h.Events {
		t.Errorf("the hub holds %d events after refusing a revoked kiosk, had %d", *after.Events, *h.Events)
	}

	// SIGTERM stops the hub cleanly; a kiosk then finds it unreachable.
	if code := hub.stop(t); code != 0 {
		t.Errorf("the hub exited %d on SIGTERM, want 0", code)
	}
	mustFail(t, []string{"sync", "-once", "-db", other}, "cannot be reached", hub.URL)
	if s := statsOf(t, other); s.Pending == 0 {
		t.Error("the events of a sync that failed are not pending any more")
	}
	mustFail(t, []string{"join", "-db", filepath.Join(dir, "kiosk-3", "kiosk.db"), "-hub", hub.URL, "-token", token}, "cannot be reached")
}

func TestHubOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a hub and kiosk processes")
	}
	dir := t.TempDir()
	ca, cert, key := makeCertificates(t, dir)
	hubDB := filepath.Join(dir, "hub.db")
	hub := startHub(t, hubDB, shipped, "-tls-cert", cert, "-tls-key", key)
	if !strings.HasPrefix(hub.URL, "https://") {
		t.Fatalf("the hub with a certificate listens at %s", hub.URL)
	}
	kiosk := filepath.Join(dir, "kiosk", "kiosk.db")
	token := enroll(t, hubDB, "mairie-1")
	// Without its authority the hub's certificate is not trusted, and the
	// token is not spent.
	mustFail(t, []string{"join", "-db", kiosk, "-hub", hub.URL, "-token", token}, hub.URL, "does not trust", "-ca FILE")
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runBinary(t, "join", "-db", kiosk, "-hub", hub.URL, "-token", token, "-ca", notPEM); code != 2 || !strings.Contains(errOut, "no PEM certificate") {
		t.Errorf("join with a CA file that holds no certificate: exit %d, %q", code, errOut)
	}
	mustRun(t, "join", "-db", kiosk, "-hub", hub.URL, "-token", token, "-ca", ca)
	mustRun(t, "simulate", "-db", kiosk, "-sessions", "10", "-catalog", shipped)
	mustRun(t, "sync", "-once", "-db", kiosk)
	if k, h := statsOf(t, kiosk), statsOf(t, hubDB); *h.Events != *k.Events || k.Pending != 0 {
		t.Errorf("over TLS the hub holds %d events, the kiosk %d with %d pending", *h.Events, *k.Events, k.Pending)
	}
}

// makeCertificates writes a certificate authority and a certificate it
// signed for 127.0.0.1, as an organisation's own authority would, and
// returns the files: the authority's certificate, the hub's and its key.
func makeCertificates(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Passerelle test authority"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	hubKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hubTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	hubDER, err := x509.CreateCertificate(rand.Reader, hubTemplate, caTemplate, &hubKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(hubKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, cert, key = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "hub.pem"), filepath.Join(dir, "hub.key")
	for name, block := range map[string]*pem.Block{
		ca: {Type: "CERTIFICATE", Bytes: caDER}, cert: {Type: "CERTIFICATE", Bytes: hubDER}, key: {Type: "EC PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(name, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return ca, cert, key
}
