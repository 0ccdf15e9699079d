package ui_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// TestHeadphonesIsAStaffSetting: staff name the headphones in the
// settings tab, which says where the prompts go; the name is stored and
// handed to the sound at once; a name that is no device's is refused
// in plain words and nothing is saved.
func TestHeadphonesIsAStaffSetting(t *testing.T) {
	const headset = "alsa_output.usb-Logitech_USB_Headset-00.analog-stereo"
	cases := []struct {
		name, typed string
		saved       bool
	}{
		{"a sink's name", headset, true},
		{"none", "", true},
		{"not a device's name", "my headset; rm -rf /", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, shipped), staffPIN, newClock())
			r.hold(3 * time.Second)
			r.typePIN(staffPIN)
			v := r.k.Staff()
			if got := v.Output.Text; got != "Prompts go to the default output." {
				t.Errorf("the tab says %q", got)
			}
			v.Headphones.SetText(tc.typed)
			test.Tap(v.Save)
			saved, err := r.db.SavedSettings(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got, stored := saved[passerelle.SettingHeadphones]
			switch {
			case tc.saved && (!stored || got != tc.typed):
				t.Errorf("saved %q (%v), want %q", got, stored, tc.typed)
			case tc.saved && (len(r.applied) == 0 || r.applied[len(r.applied)-1].Headphones != tc.typed):
				t.Errorf("the sound was not told: %+v", r.applied)
			case !tc.saved && (stored || !strings.HasPrefix(v.Saved.Text, "Nothing was saved: headphones")):
				t.Errorf("a wrong name: saved %v, the tab says %q", stored, v.Saved.Text)
			}
		})
	}
}

// TestAnyKeyAnswersStillThere: a person using keys is asked "are you
// still there?" in the keys' words, and any key answers it, giving the
// screen back.
func TestAnyKeyAnswersStillThere(t *testing.T) {
	r := newRig(t, openCatalog(t, shipped))
	r.tap(r.k.Screen().Start)
	r.press(fyne.KeyRight) // keys from now on
	under := r.k.Screen()
	r.clock.Add(r.k.Inactivity)
	r.k.CheckIdle()
	s := r.k.Screen()
	if s.Name != ui.ScreenStillThere {
		t.Fatalf("after the inactivity: %s", s.Name)
	}
	if got := s.Prompt[0].Text; got != "Êtes-vous toujours là ? Appuyez sur une touche." {
		t.Errorf("asked %q", got)
	}
	r.press(fyne.KeyF5) // a key that acts nowhere else
	if r.k.Screen() != under {
		t.Errorf("any key gave %s, want the screen back", r.k.Screen().Name)
	}
}
