package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestKioskRefusesSettingsOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		says []string // the flag, then its range
	}{
		{"negative volume", []string{"-volume", "-1"}, []string{"-volume -1", "0 (silent) to 1"}},
		{"volume above 1", []string{"-volume", "1.5"}, []string{"-volume 1.5", "0 (silent) to 1"}},
		{"volume not a number", []string{"-volume", "NaN"}, []string{"-volume NaN", "0 (silent) to 1"}},
		{"negative inactivity", []string{"-inactivity", "-5s"}, []string{"-inactivity -5s", "from 20s to 30m"}},
		{"inactivity of a second", []string{"-inactivity", "1s"}, []string{"-inactivity 1s", "from 20s to 30m"}},
		{"inactivity of a day", []string{"-inactivity", "24h"}, []string{"-inactivity 24h", "from 20s to 30m"}},
		{"no time to answer", []string{"-still-there", "0s"}, []string{"-still-there 0s", "from 10s to 5m"}},
		{"an hour to answer", []string{"-still-there", "1h"}, []string{"-still-there 1h", "from 10s to 5m"}},
		{"no time to work elsewhere", []string{"-elsewhere-wait", "30s"}, []string{"-elsewhere-wait 30s", "from 2m to 1h"}},
		{"a day to work elsewhere", []string{"-elsewhere-wait", "24h"}, []string{"-elsewhere-wait 24h", "from 2m to 1h"}},
		{"elsewhere shorter than inactivity", []string{"-inactivity", "20m", "-elsewhere-wait", "5m"}, []string{"-elsewhere-wait 5m is shorter than -inactivity 20m"}},
		{"rate 0", []string{"-rate", "0"}, []string{"-rate 0", "from 80 to 450 words per minute"}},
		{"rate too fast", []string{"-rate", "1000"}, []string{"-rate 1000", "from 80 to 450"}},
		{"negative retention", []string{"-retention", "-1h"}, []string{"-retention -1h", "from 0s to 8784h"}},
		{"retention of ten years", []string{"-retention", "87600h"}, []string{"-retention 87600h", "from 0s to 8784h"}},
		{"size too small", []string{"-size", "640x480"}, []string{`-size "640x480"`, "from 800x480"}},
		{"size not a size", []string{"-size", "big"}, []string{`-size "big"`, "WIDTHxHEIGHT"}},
		{"size with junk", []string{"-size", "800x480x2"}, []string{`-size "800x480x2"`, "WIDTHxHEIGHT"}},
		{"negative size", []string{"-size", "-800x480"}, []string{`-size "-800x480"`}},
		{"speech cache too small", []string{"-speech-cache-size", "1MB"}, []string{"-speech-cache-size 1MB", "from 20MB to 50GB"}},
		{"speech cache not a size", []string{"-speech-cache-size", "lots"}, []string{"-speech-cache-size lots", "300MB"}},
		{"empty database path", []string{"-db", ""}, []string{"-db is empty"}},
		{"printer name with a space", []string{"-printer", "Epson TM"}, []string{`-printer "Epson TM"`, "lpstat -p"}},
		{"scanning too fast to follow", []string{"-scan", "-scan-every", "100ms"}, []string{"-scan-every 100ms", "from 500ms to 10s"}},
		{"scanning too slow", []string{"-scan-every", "1m"}, []string{"-scan-every 1m", "from 500ms to 10s"}},
		{"a negative press", []string{"-min-press", "-1ms"}, []string{"-min-press -1ms", "from 0s to 2s"}},
		{"a press as long as a long press", []string{"-min-press", "5s"}, []string{"-min-press 5s", "from 0s to 2s"}},
		{"repeats ignored too long", []string{"-ignore-repeat", "1m"}, []string{"-ignore-repeat 1m", "from 0s to 3s"}},
		{"printer name as an option", []string{"-printer", "-o"}, []string{`-printer "-o"`, "CUPS printer name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "kiosk.db")
			code, out, errOut := run(t, append([]string{"kiosk", "-db", db}, tc.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout: %q", out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 {
				t.Errorf("want one sentence, got:\n%s", errOut)
			}
			for _, s := range tc.says {
				if !strings.Contains(errOut, s) {
					t.Errorf("%q does not say %q", errOut, s)
				}
			}
			if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "*")); len(matches) > 0 {
				t.Errorf("a refused setting left %v", matches)
			}
		})
	}
}
