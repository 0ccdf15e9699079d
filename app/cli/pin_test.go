package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

func TestPinSetsTheStaffPIN(t *testing.T) {
	if passerelle.MinSpeechRate != audio.MinRate || passerelle.MaxSpeechRate != audio.MaxRate {
		t.Fatal("staff mode's speech rates are not the flags'")
	}
	for _, tc := range []struct {
		name   string
		input  string
		code   int
		says   string // on stdout when set, stderr otherwise
		stored bool
	}{
		{"set", "480613\n480613\n", 0, "is set", true},
		{"set, no final newline", "480613\n480613", 0, "is set", true},
		{"windows line ends", "480613\r\n480613\r\n", 0, "is set", true},
		{"the two differ", "480613\n480631\n", 1, "the two PINs differ; nothing was changed", false},
		{"trivial", "1234\n1234\n", 1, "1234 is too easy to guess", false},
		{"letters", "abcd\nabcd\n", 1, "4 to 8 digits", false},
		{"nothing typed", "", 1, "no PIN on the input", false},
		{"typed once", "480613\n", 1, "no PIN on the input", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			stdin = strings.NewReader(tc.input)
			var out, errs bytes.Buffer
			code := Run(context.Background(), []string{"pin", "-db", path}, &out, &errs)
			said := errs.String()
			if code == 0 {
				said = out.String()
			}
			if code != tc.code || !strings.Contains(said, tc.says) {
				t.Fatalf("exit %d, said %q%q; want %d saying %q", code, out.String(), errs.String(), tc.code, tc.says)
			}
			if !tc.stored {
				return
			}
			db := sqlite.NewDB(path)
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			hash, err := db.PINHash(context.Background())
			if err != nil || strings.Contains(hash, "480613") {
				t.Fatalf("stored %q, %v", hash, err)
			}
			if p, _, _, err := passerelle.ParsePINHash(hash); err != nil || p != passerelle.DefaultPINParams {
				t.Errorf("stored with %+v, %v; want the default costs", p, err)
			}
			lock := &passerelle.PINLock{Store: db, Events: db}
			if ok, _, err := lock.Unlock(context.Background(), "480613"); !ok || err != nil {
				t.Errorf("the PIN set does not open: %v", err)
			}
		})
	}
}

func TestPinRefusesARunningKiosk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	running := sqlite.NewDB(path)
	if err := running.Open(); err != nil {
		t.Fatal(err)
	}
	defer running.Close()
	stdin = strings.NewReader("480613\n480613\n")
	var out, errs bytes.Buffer
	if code := Run(context.Background(), []string{"pin", "-db", path}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "the kiosk is running") {
		t.Errorf("exit %d, %q", code, errs.String())
	}
}

// withStaffPIN sets a staff PIN in the kiosk's database at path (made if
// needed), so that the kiosk opens on welcome rather than on the
// first-start screen that asks staff to choose one.
func withStaffPIN(tb testing.TB, path string) {
	tb.Helper()
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	lock := &passerelle.PINLock{Store: db, Events: db, Params: passerelle.PINParams{Memory: 64, Time: 1, Threads: 1}}
	if err := lock.SetPIN(context.Background(), "480613"); err != nil {
		tb.Fatal(err)
	}
}

// TestSavedSettingsOverDefaultsFlagsOverSaved: staff saved settings in
// staff mode; at the next start they apply, except where a flag is given
// on the command line.
func TestSavedSettingsOverDefaultsFlagsOverSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	withStaffPIN(t, path)
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	saved := map[string]string{"inactivity": "45s", "volume": "0.3", "still-there": "20s", "languages": "fr"}
	if err := db.SaveSettings(context.Background(), saved, time.Now()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	c, err := parseKiosk([]string{"-db", path, "-inactivity", "2m", "-catalog", "../../data/procedures"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c.speech = filepath.Join(t.TempDir(), "speech")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := openKiosk(context.Background(), c, test.NewTempApp(t), audio.NewNullSink(0), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if k.ui.Inactivity != 2*time.Minute {
		t.Errorf("inactivity %v: the flag -inactivity 2m must win over the saved 45s", k.ui.Inactivity)
	}
	if k.ui.StillThereWait != 20*time.Second || k.player.Volume() != 0.3 || len(k.ui.Langs) != 1 {
		t.Errorf("still-there %v, volume %v, languages %v: want the saved 20s, 0.3, fr", k.ui.StillThereWait, k.player.Volume(), k.ui.Langs)
	}
	if k.ui.ElsewhereWait != 10*time.Minute || k.ui.Rate != 150 {
		t.Errorf("elsewhere-wait %v, rate %d: want the defaults, nothing saved nor given", k.ui.ElsewhereWait, k.ui.Rate)
	}
}
