package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/sqlite"
)

func TestOpenKioskOnAnUnusableDatabase(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		kind error
	}{
		{"not a database", []byte("Bonjour, ceci n'est pas une base de données.\n"), sqlite.ErrNotDatabase},
		{"cut short", []byte("SQLite format 3\x00\x10\x00\x02\x02"), sqlite.ErrDamaged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "kiosk.db")
			if err := os.WriteFile(db, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			k, err := openKiosk(context.Background(), testConfig(db), test.NewTempApp(t), audio.NewNullSink(0), logger)
			var unusable *sqlite.OpenError
			if !errors.As(err, &unusable) || !errors.Is(err, tc.kind) {
				t.Fatalf("openKiosk: %v; want an *sqlite.OpenError of kind %v", err, tc.kind)
			}
			// What the out-of-service screen needs is open.
			if k == nil || k.win == nil || k.player == nil {
				t.Fatalf("kiosk %+v: want its window and player open", k)
			}
			if k.db != nil || k.ui != nil {
				t.Error("the kiosk runs on a database it refused")
			}
			k.Close()
			if got, _ := os.ReadFile(db); !bytes.Equal(got, tc.file) {
				t.Error("the kiosk changed the file it refused")
			}
		})
	}
}

// TestExitIfStuck: a kiosk still running after the stop signal exits,
// saying so, once the grace is over.
func TestExitIfStuck(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go exitIfStuck(ctx, time.Millisecond, logger, func(code int) { exited <- code })
	cancel()
	select {
	case code := <-exited:
		if code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after the stop signal")
	}
	if !strings.Contains(log.String(), "still running 1ms after the stop signal") {
		t.Errorf("the log does not say why the kiosk exits: %q", log.String())
	}
}

// The router may start after the sound device opens only when it would
// change nothing the device opens with: no headphones named, and no empty
// PULSE_SINK for it to clear (the device would not open with one).
func TestRoutesLater(t *testing.T) {
	tests := []struct {
		name       string
		headphones string
		pulseSink  *string // nil: unset
		want       bool
	}{
		{name: "no headphones, no PULSE_SINK", want: true},
		{name: "no headphones, a PULSE_SINK", pulseSink: ptr("speakers"), want: true},
		{name: "headphones named", headphones: "usb-headset", want: false},
		{name: "an empty PULSE_SINK to clear", pulseSink: ptr(""), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PULSE_SINK", "")
			if tt.pulseSink == nil {
				os.Unsetenv("PULSE_SINK")
			} else {
				os.Setenv("PULSE_SINK", *tt.pulseSink)
			}
			if got := routesLater(tt.headphones); got != tt.want {
				t.Errorf("routesLater(%q) with PULSE_SINK %v = %v, want %v", tt.headphones, tt.pulseSink, got, tt.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }
