package lp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/lp"
)

// TestPrintSaysWhyItFailed runs fake lp programs, as CUPS's lp would be
// run, and checks what Print says to staff when the job is not taken.
func TestPrintSaysWhyItFailed(t *testing.T) {
	tests := []struct {
		name   string
		script string // "" for no lp at all
		want   string
	}{
		{"lp takes the job", "#!/bin/sh\ncat >/dev/null\necho 'request id is receipt-3 (0 file(s))'\n", ""},
		{"lp refuses the job", "#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n", "print on receipt: lp: exit status 1: lp: The printer or class does not exist."},
		{"CUPS does not answer", "#!/bin/sh\nexec sleep 30\n", "lp did not answer in time"},
		{"lp is not installed", "", "lp is not installed (Debian package cups-client)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := t.TempDir()
			if tt.script != "" {
				if err := os.WriteFile(filepath.Join(bin, "lp"), []byte(tt.script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			path := bin + string(os.PathListSeparator) + "/usr/bin:/bin" // the scripts' cat and sleep
			if tt.script == "" {
				path = bin // not even a real lp a developer's machine may have
			}
			t.Setenv("PATH", path)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			err := lp.Printer{Name: "receipt"}.Print(ctx, "Créer une adresse email\nÀ faire: ...")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Print: %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Print: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
