package ui_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// TestScanningIsAStaffSetting: staff turn one-switch scanning on in the
// settings tab with a ring moving every 2 s; the running kiosk's ring
// moves at that pace at once, without a restart, and the setting is
// stored; turned off, the ring stays still and the ticker stops.
func TestScanningIsAStaffSetting(t *testing.T) {
	catalog := openCatalog(t, shipped)
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), catalog, staffPIN, newClock())
	r.k.Run()
	t.Cleanup(r.k.Close)
	if r.k.ScanTick() != 0 {
		t.Fatalf("scanning off by default, yet the ring ticks every %v", r.k.ScanTick())
	}
	save := func(scan bool, every string) {
		t.Helper()
		r.hold(3 * time.Second)
		r.typePIN(staffPIN)
		v := r.k.Staff()
		v.Scan.SetChecked(scan)
		v.Durations[passerelle.SettingScanEvery].SetText(every)
		test.Tap(v.Save)
		if v.Saved.Text != "Saved: the kiosk uses these settings now." {
			t.Fatalf("scanning %v every %s: %q", scan, every, v.Saved.Text)
		}
		test.Tap(v.Lock)
	}
	// ringMoves reports whether the ring moves on the welcome screen
	// staff mode gives back after every, and not before.
	ringMoves := func(every time.Duration) bool {
		t.Helper()
		s := r.k.Screen()
		if s.Name != ui.ScreenWelcome {
			t.Fatalf("staff mode left %s, want welcome", s.Name)
		}
		r.k.CheckScan() // the kiosk notes the new screen
		r.clock.Add(every - time.Millisecond)
		r.k.CheckScan()
		if focusedCount(s) != 0 {
			t.Errorf("the ring moved before %v", every)
		}
		r.clock.Add(time.Millisecond)
		r.k.CheckScan()
		return focusedCount(s) == 1
	}

	save(true, "2s")
	if !ringMoves(2 * time.Second) {
		t.Error("scanning turned on: the ring does not move after 2s")
	}
	if r.k.ScanTick() == 0 || r.k.ScanTick() > 200*time.Millisecond {
		t.Errorf("scanning every 2s: the kiosk checks every %v, want a tenth of it", r.k.ScanTick())
	}
	saved, err := r.db.SavedSettings(context.Background())
	if err != nil || saved[passerelle.SettingScan] != "true" || saved[passerelle.SettingScanEvery] != "2s" {
		t.Errorf("saved %v, %v", saved, err)
	}

	save(false, "2s")
	if ringMoves(2 * time.Second) {
		t.Error("scanning turned off: the ring still moves")
	}
	if r.k.ScanTick() != 0 {
		t.Errorf("scanning turned off: the ring still ticks every %v", r.k.ScanTick())
	}
}

// TestScanIntervalOutOfRangeIsRefused: the ring's interval is checked
// like the other settings, and nothing is saved.
func TestScanIntervalOutOfRangeIsRefused(t *testing.T) {
	for _, tc := range []struct{ name, every string }{
		{"too fast to follow", "0.2s"},
		{"too slow", "1m"},
		{"not a duration", "fast"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, shipped), staffPIN, newClock())
			r.hold(3 * time.Second)
			r.typePIN(staffPIN)
			v := r.k.Staff()
			v.Scan.SetChecked(true)
			v.Durations[passerelle.SettingScanEvery].SetText(tc.every)
			test.Tap(v.Save)
			if got := v.Saved.Text; !strings.Contains(got, "Nothing was saved") || !strings.Contains(got, "scan-every") || !strings.Contains(got, "500ms to 10s") {
				t.Errorf("saving %s said %q", tc.every, got)
			}
			if r.k.Scanning {
				t.Error("a refused form turned scanning on")
			}
		})
	}
}

// TestAccessSettingsGivenOnTheCommandLineAreFixed: -scan and -min-press
// given on the command line show in the settings tab as fixed, and saving
// the tab changes neither, while the others save.
func TestAccessSettingsGivenOnTheCommandLineAreFixed(t *testing.T) {
	pinned := map[string]bool{passerelle.SettingScan: true, passerelle.SettingMinPress: true}
	r := newStaffRigPinned(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, shipped), staffPIN, newClock(), pinned)
	r.hold(3 * time.Second)
	r.typePIN(staffPIN)
	v := r.k.Staff()
	if !v.Scan.Disabled() || !v.Durations[passerelle.SettingMinPress].Disabled() {
		t.Error("a setting given on the command line can be changed in the tab")
	}
	if v.Durations[passerelle.SettingRepeat].Disabled() {
		t.Error("ignore-repeat, not given, cannot be changed")
	}
	v.Durations[passerelle.SettingRepeat].SetText("400ms")
	test.Tap(v.Save)
	saved, err := r.db.SavedSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := saved[passerelle.SettingScan]; ok {
		t.Errorf("the fixed scan setting was saved: %v", saved)
	}
	if _, ok := saved[passerelle.SettingMinPress]; ok {
		t.Errorf("the fixed min-press setting was saved: %v", saved)
	}
	if saved[passerelle.SettingRepeat] != "400ms" || r.k.IgnoreRepeat != 400*time.Millisecond {
		t.Errorf("ignore-repeat 400ms: saved %v, the kiosk uses %v", saved, r.k.IgnoreRepeat)
	}
}
