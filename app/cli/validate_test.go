package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"passerelle/app/cli"
)

const shipped = "../../data/procedures"

// run runs the passerelle command line and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateShippedCatalog(t *testing.T) {
	code, out, errOut := run(t, "validate", shipped)
	if code != 0 {
		t.Fatalf("exit %d, want 0; problems:\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	procs := lines[:len(lines)-1]
	if len(procs) < 5 {
		t.Errorf("%d procedures listed, want at least 5:\n%s", len(procs), out)
	}
	for _, id := range []string{"france-travail-update", "caf-quarterly-declaration", "ants-id-card", "ameli-attestation", "create-email"} {
		if !strings.Contains(out, id+" ") {
			t.Errorf("procedure %s not listed", id)
		}
	}
	summary := lines[len(lines)-1]
	m := regexp.MustCompile(`^(\d+) procedures in (\d+) languages`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no summary line: %q", summary)
	}
	if n, _ := strconv.Atoi(m[1]); n != len(procs) {
		t.Errorf("summary counts %d procedures, %d listed", n, len(procs))
	}
	if n, _ := strconv.Atoi(m[2]); n < 3 {
		t.Errorf("summary %q: want at least 3 languages", summary)
	}
	for _, line := range procs {
		if !strings.Contains(line, "fr en ar") {
			t.Errorf("procedure not offered in fr, en and ar: %s", line)
		}
	}
}

func TestValidateBrokenCatalog(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, shipped, dir)
	path := filepath.Join(dir, "create-email", "procedure.yaml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Point the first "next" to a step that does not exist.
	broken := regexp.MustCompile(`next: [a-z0-9-]+`).ReplaceAll(src, []byte("next: nowhere"))
	if err := os.WriteFile(path, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "validate", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out != "" {
		t.Errorf("a broken catalog listed procedures:\n%s", out)
	}
	problem := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(path) + `:\d+:\d+: next "nowhere" in .* leads to no step`)
	if !problem.MatchString(errOut) {
		t.Errorf("no file:line:col problem about next \"nowhere\":\n%s", errOut)
	}
}

func TestValidateUsage(t *testing.T) {
	if code, _, _ := run(t, "validate", "a", "b"); code != 2 {
		t.Errorf("two folders: exit %d, want 2", code)
	}
	if code, _, errOut := run(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "validate", filepath.Join(t.TempDir(), "missing")); code != 1 || !strings.Contains(errOut, "cannot be read") {
		t.Errorf("missing folder: exit %d, %q", code, errOut)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}
