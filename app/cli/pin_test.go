package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

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
