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
	"time"

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
	var procs []string // the lines before the warnings and the summary
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines[:len(lines)-1] {
		if !strings.Contains(line, ": warning: ") {
			procs = append(procs, line)
		}
	}
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

// smallProcedure is a sound procedure of two steps; sources is written
// as is at the top of the file.
func smallProcedure(sources string) string {
	return "id: small\nversion: 1\n" + sources +
		"pictogram: dot.svg\ntitle: {fr: Petite, en: Small}\nintro: {fr: Une petite démarche., en: A small procedure.}\n" +
		"steps:\n" +
		"  - {id: hello, kind: info, pictogram: dot.svg, elsewhere: yes, screen: dot.svg, say: {fr: Bonjour., en: Hello.}, next: done}\n" +
		"  - {id: done, kind: end, pictogram: dot.svg, say: {fr: Fini., en: Done.}}\n"
}

func TestValidateWarnings(t *testing.T) {
	checked := time.Now().AddDate(0, 0, -200).Format(time.DateOnly) // a little more than 6 months
	source := "sources:\n  - url: https://www.service-public.fr/particuliers/vosdroits/F1\n    supports: a small fact\n    checked: " + checked + "\n"
	tests := []struct {
		name     string
		sources  string
		args     []string
		warnings []string // each: line:col: message start
	}{
		{"source checked more than 6 months ago", source, nil,
			[]string{"6:14: warning: source 1 was checked on " + checked + ", more than 6 months ago"}},
		{"source checked within the age set", source, []string{"-sources-max-age", "5000h"}, nil},
		{"source checked longer ago than the age set", source, []string{"-sources-max-age", "240h"},
			[]string{"6:14: warning: source 1 was checked on " + checked + ", more than 10 days ago"}},
		{"no sources", "", nil,
			[]string{"1:1: warning: the procedure lists no sources"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCatalogFile(t, dir, "pictograms/dot.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>`)
			file := writeCatalogFile(t, dir, "small/procedure.yaml", smallProcedure(tt.sources))
			code, out, errOut := run(t, append(append([]string{"validate"}, tt.args...), dir)...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, want 0 (warnings do not fail validate):\n%s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 2+len(tt.warnings) || !strings.HasPrefix(lines[0], "small ") {
				t.Fatalf("want the procedure, %d warning(s), the summary; got:\n%s", len(tt.warnings), out)
			}
			for i, w := range tt.warnings { // after the procedure lines, before the summary
				if !strings.HasPrefix(lines[1+i], file+":"+w) {
					t.Errorf("line %d is %q, want %s:%s...", 2+i, lines[1+i], file, w)
				}
			}
			summary := regexp.MustCompile(`(?m)^1 procedures in 2 languages \(fr en\): the catalog is sound(; (\d+) warnings? to look at)?$`).FindStringSubmatch(out)
			if summary == nil {
				t.Fatalf("no summary line:\n%s", out)
			}
			if n, _ := strconv.Atoi(summary[2]); n != len(tt.warnings) {
				t.Errorf("summary counts %q warnings, want %d", summary[2], len(tt.warnings))
			}
		})
	}
}

// TestValidateWarningsBesideProblems: a broken catalog lists its problems
// and the warnings, and fails.
func TestValidateWarningsBesideProblems(t *testing.T) {
	dir := t.TempDir()
	writeCatalogFile(t, dir, "pictograms/dot.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>`)
	file := writeCatalogFile(t, dir, "small/procedure.yaml", strings.Replace(smallProcedure(""), "elsewhere: yes", "elsewhere: maybe", 1))
	code, out, errOut := run(t, "validate", dir)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing listed", code, out)
	}
	for _, want := range []string{
		file + `:7:60: elsewhere must be yes or no, not "maybe"`,
		file + ":1:1: warning: the procedure lists no sources",
		"1 problem(s) in " + dir + "; 1 warning to look at",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("no %q in:\n%s", want, errOut)
		}
	}
}

func TestValidateSourcesMaxAgeFlag(t *testing.T) {
	for _, age := range []string{"0", "-24h", "six-months"} {
		if code, _, errOut := run(t, "validate", "-sources-max-age", age, shipped); code != 2 || !strings.Contains(errOut, "sources-max-age") {
			t.Errorf("-sources-max-age %s: exit %d, %q; want 2 and a message naming the flag", age, code, errOut)
		}
	}
}

func writeCatalogFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
