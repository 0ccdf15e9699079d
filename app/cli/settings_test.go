package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

func TestKioskAcceptsSettingsAtTheirLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		check func(kioskConfig) bool
	}{
		{"defaults", nil, func(c kioskConfig) bool {
			return c.volume == 1 && c.width == 1024 && c.height == 768 && c.speechLimit == 300<<20 && c.elsewhere == 10*time.Minute
		}},
		{"shortest wait elsewhere", []string{"-inactivity", "2m", "-elsewhere-wait", "2m"}, func(c kioskConfig) bool { return c.elsewhere == 2*time.Minute }},
		{"a long inactivity carries over elsewhere", []string{"-inactivity", "30m"}, func(c kioskConfig) bool { return c.elsewhere == 30*time.Minute }},
		{"longest wait elsewhere", []string{"-elsewhere-wait", "1h"}, func(c kioskConfig) bool { return c.elsewhere == time.Hour }},
		{"silent", []string{"-volume", "0"}, func(c kioskConfig) bool { return c.volume == 0 }},
		{"shortest waits", []string{"-inactivity", "20s", "-still-there", "10s"}, func(c kioskConfig) bool {
			return c.inactivity == 20*time.Second && c.stillThere == 10*time.Second
		}},
		{"longest waits", []string{"-inactivity", "30m", "-still-there", "5m"}, func(c kioskConfig) bool {
			return c.inactivity == 30*time.Minute && c.stillThere == 5*time.Minute
		}},
		{"keep nothing typed", []string{"-retention", "0s"}, func(c kioskConfig) bool { return c.retention == 0 }},
		{"keep a year", []string{"-retention", "8784h"}, func(c kioskConfig) bool { return c.retention == 366*24*time.Hour }},
		{"slowest speech", []string{"-rate", "80"}, func(c kioskConfig) bool { return c.rate == 80 }},
		{"fastest speech", []string{"-rate", "450"}, func(c kioskConfig) bool { return c.rate == 450 }},
		{"smallest screen", []string{"-size", "800x480"}, func(c kioskConfig) bool { return c.width == 800 && c.height == 480 }},
		{"speech cache in GB", []string{"-speech-cache-size", "2GB"}, func(c kioskConfig) bool { return c.speechLimit == 2<<30 }},
		{"smallest speech cache", []string{"-speech-cache-size", "20MB"}, func(c kioskConfig) bool { return c.speechLimit == 20<<20 }},
		{"touch tolerance off", nil, func(c kioskConfig) bool { return c.minPress == 0 && c.repeat == 0 }},
		{"longest touch tolerance", []string{"-min-press", "2s", "-ignore-repeat", "3s"}, func(c kioskConfig) bool {
			return c.minPress == 2*time.Second && c.repeat == 3*time.Second
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseKiosk(tc.args, io.Discard)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.check(c) {
				t.Errorf("read %+v", c)
			}
		})
	}
}

func TestFormatBytesReadsBack(t *testing.T) {
	for _, n := range []int64{20 << 20, 300 << 20, 2 << 30, 50 << 30, 1536 << 20} {
		if got, err := parseBytes(formatBytes(n)); err != nil || got != n {
			t.Errorf("%d: formatted %s, read back %d, %v", n, formatBytes(n), got, err)
		}
	}
	if _, err := parseBytes("1e300GB"); err == nil {
		t.Error("a size past int64 was read")
	}
}

func TestWindowedKioskGetsTheAskedSize(t *testing.T) {
	a := test.NewTempApp(t)
	win := a.NewWindow("Passerelle")
	c := kioskConfig{windowed: true, width: 800, height: 480}
	placeWindow(win, c)
	if got := win.Canvas().Size(); got != fyne.NewSize(800, 480) {
		t.Errorf("window %v, want 800x480", got)
	}
	if !win.FixedSize() {
		t.Error("the user can resize the kiosk's window")
	}
	if win.FullScreen() {
		t.Error("a windowed kiosk is full screen")
	}
	full := a.NewWindow("Passerelle")
	placeWindow(full, kioskConfig{})
	if !full.FullScreen() {
		t.Error("the kiosk is not full screen by default")
	}
}

// TestCommandLineWinsOverSavedAccessSettings: staff saved scanning and
// touch tolerance in staff mode; at the next start a flag given on the
// command line wins, and the saved values of the others apply.
func TestCommandLineWinsOverSavedAccessSettings(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	saved := map[string]string{passerelle.SettingScan: "true", passerelle.SettingScanEvery: "3s",
		passerelle.SettingMinPress: "300ms", passerelle.SettingRepeat: "1s"}
	if err := db.SaveSettings(ctx, saved, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want passerelle.KioskSettings // of it, the four access settings
	}{
		{"no flag: what staff saved", nil,
			passerelle.KioskSettings{Scanning: true, ScanEvery: 3 * time.Second, MinPress: 300 * time.Millisecond, IgnoreRepeat: time.Second}},
		{"-scan=false and -min-press win", []string{"-scan=false", "-min-press", "0s"},
			passerelle.KioskSettings{ScanEvery: 3 * time.Second, IgnoreRepeat: time.Second}},
		{"-scan-every and -ignore-repeat win", []string{"-scan-every", "1s", "-ignore-repeat", "0s"},
			passerelle.KioskSettings{Scanning: true, ScanEvery: time.Second, MinPress: 300 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseKiosk(tc.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			got, err := liveSettings(ctx, c, db)
			if err != nil {
				t.Fatal(err)
			}
			if got.Scanning != tc.want.Scanning || got.ScanEvery != tc.want.ScanEvery || got.MinPress != tc.want.MinPress || got.IgnoreRepeat != tc.want.IgnoreRepeat {
				t.Errorf("got scan %v every %v, min press %v, repeat %v; want %+v", got.Scanning, got.ScanEvery, got.MinPress, got.IgnoreRepeat, tc.want)
			}
		})
	}
}

// TestHeadphonesSettingBeforeTheSoundOpens: the headphones the sound
// device is opened for are the flag's when given, what staff saved
// otherwise, and the flag's when the database cannot be read; a name
// that is no device's is refused with the flag's name.
func TestHeadphonesSettingBeforeTheSoundOpens(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.SaveSettings(ctx, map[string]string{passerelle.SettingHeadphones: "saved-headset"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		db   *sqlite.DB
		want string
	}{
		{"no flag: what staff saved", nil, db, "saved-headset"},
		{"the flag wins", []string{"-headphones", "Headset"}, db, "Headset"},
		{"-headphones= names none, and wins", []string{"-headphones="}, db, ""},
		{"no database: the flag's default", nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseKiosk(tc.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got := headphonesSetting(ctx, c, tc.db); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"my headset", "--help", "a;b", strings.Repeat("h", 201)} {
		_, err := parseKiosk([]string{"-headphones=" + bad}, io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("-headphones %q: give the name of a sink", bad)) {
			t.Errorf("-headphones %q: %v", bad, err)
		}
	}
}
