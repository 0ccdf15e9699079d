package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/cli"
)

func TestKioskWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	dir := t.TempDir()
	code, out, errOut := run(t, "kiosk", "-catalog", shipped, "-db", filepath.Join(dir, "kiosk.db"), "-speech-cache", filepath.Join(dir, "speech"))
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := "passerelle kiosk: no display found (DISPLAY is not set): run the kiosk in a desktop session, or under xvfb-run to try it without a screen\n"
	if out != "" || errOut != want {
		t.Errorf("stdout %q, stderr %q; want only %q", out, errOut, want)
	}
}

const validateChildEnv = "PASSERELLE_VALIDATE_CHILD"

// TestValidateChild is not a test of its own: TestValidatePrintsOnlyItsLines
// runs the test binary again with it selected, as the validate command in
// a fresh process, where Fyne's package initialisation reads the locale.
func TestValidateChild(t *testing.T) {
	if os.Getenv(validateChildEnv) == "" {
		t.Skip("run by TestValidatePrintsOnlyItsLines")
	}
	os.Exit(cli.Run(t.Context(), []string{"validate", shipped}, os.Stdout, os.Stderr))
}

func TestValidatePrintsOnlyItsLines(t *testing.T) {
	_, want, _ := run(t, "validate", shipped)
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"LANG=C.UTF-8", []string{"LANG=C.UTF-8"}},
		{"LANG with a modifier", []string{"LANG=fr_FR@euro"}},
		{"LANG of an unknown language", []string{"LANG=zz_ZZ.UTF-8"}},
		{"LANGUAGE with a C entry", []string{"LANG=fr_FR.UTF-8", "LANGUAGE=fr:C"}},
		{"LC_ALL=C.UTF-8", []string{"LC_ALL=C.UTF-8", "LANG=fr_FR.UTF-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestValidateChild$")
			cmd.Env = append(withoutLocale(os.Environ()), validateChildEnv+"=1")
			cmd.Env = append(cmd.Env, tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.WaitDelay = time.Second
			if err := cmd.Run(); err != nil {
				t.Fatalf("validate: %v\n%s", err, stderr.String())
			}
			if stderr.Len() > 0 {
				t.Errorf("validate printed on stderr:\n%s", stderr.String())
			}
			if stdout.String() != want {
				t.Errorf("validate printed:\n%s\nwant:\n%s", stdout.String(), want)
			}
		})
	}
}

// withoutLocale is env without the variables that name a locale.
func withoutLocale(env []string) []string {
	var kept []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") {
			continue
		}
		kept = append(kept, kv)
	}
	return kept
}
