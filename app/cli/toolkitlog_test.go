package cli

import (
	"bytes"
	"errors"
	"log"
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

func TestToolkitMessagesGoToTheDebugLog(t *testing.T) {
	for _, tc := range []struct {
		name  string
		level slog.Level
		want  []string // one record each, in order
	}{
		{"staff log", slog.LevelInfo, nil},
		{"debug log", slog.LevelDebug, []string{
			`level=DEBUG msg="toolkit: Preferences load error:" cause=EOF at=`,
			`level=DEBUG msg="toolkit: Error parsing user locale C" at=`,
			`level=DEBUG msg="toolkit: a library's own line"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: tc.level}))
			restore := captureToolkitLog(logger)
			fyne.LogError("Preferences load error:", errors.New("EOF"))
			fyne.LogError("Error parsing user locale C", nil)
			log.Print("a library's own line")
			restore()

			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(tc.want) == 0 {
				if out.Len() > 0 {
					t.Errorf("the staff log shows the toolkit's messages:\n%s", out.String())
				}
				return
			}
			if len(lines) != len(tc.want) {
				t.Fatalf("%d records, want %d:\n%s", len(lines), len(tc.want), out.String())
			}
			for i, want := range tc.want {
				if !strings.Contains(lines[i], want) {
					t.Errorf("record %d: %s\nwant %s", i, lines[i], want)
				}
			}
		})
	}
}
