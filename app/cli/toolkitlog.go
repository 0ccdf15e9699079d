package cli

import (
	"context"
	"log"
	"log/slog"
	"strings"
	"sync"
)

// toolkitLog receives what libraries print with the standard log package,
// Fyne above all, and passes it to the staff log at debug level: one record
// per message, in the staff log's format. Fyne's messages are diagnostics
// for its developers ("Preferences load error: EOF" when the kiosk quits);
// what staff must act on (no display, no sound, a database it cannot use)
// Passerelle says itself, in plain words. -debug shows them.
type toolkitLog struct {
	logger *slog.Logger

	mu      sync.Mutex
	pending []string // a Fyne error waiting for its "At:" line
}

// captureToolkitLog sends the standard logger to logger until the returned
// function restores it.
func captureToolkitLog(logger *slog.Logger) (restore func()) {
	out, flags := log.Writer(), log.Flags()
	log.SetOutput(&toolkitLog{logger: logger})
	log.SetFlags(0)
	return func() {
		log.SetOutput(out)
		log.SetFlags(flags)
	}
}

// Write takes the lines of one log call. fyne.LogError writes a message in
// up to three calls: "Fyne error: reason", "  Cause: err", "  At: file:line".
func (t *toolkitLog) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "Fyne error:"):
			t.flush()
			t.pending = []string{strings.TrimSpace(strings.TrimPrefix(line, "Fyne error:"))}
		case len(t.pending) > 0 && strings.HasPrefix(trimmed, "Cause:"):
			t.pending = append(t.pending, strings.TrimSpace(strings.TrimPrefix(trimmed, "Cause:")))
		case len(t.pending) > 0 && strings.HasPrefix(trimmed, "At:"):
			t.flush(slog.String("at", strings.TrimSpace(strings.TrimPrefix(trimmed, "At:"))))
		case trimmed != "":
			t.flush()
			t.logger.Debug("toolkit: " + trimmed)
		}
	}
	return len(p), nil
}

// flush logs the pending Fyne error, if any.
func (t *toolkitLog) flush(attrs ...slog.Attr) {
	if len(t.pending) == 0 {
		return
	}
	if len(t.pending) > 1 {
		attrs = append([]slog.Attr{slog.String("cause", strings.Join(t.pending[1:], "; "))}, attrs...)
	}
	t.logger.LogAttrs(context.Background(), slog.LevelDebug, "toolkit: "+t.pending[0], attrs...)
	t.pending = nil
}
