package ui_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// TestLargeTextIsAStaffSetting: staff turn large text on in the settings
// tab; the welcome screen staff mode gives back, and the screens after it,
// have text half as large again, without a restart, and the setting is
// stored; turned off, the text is back to its size.
func TestLargeTextIsAStaffSetting(t *testing.T) {
	r := newStaffRig(t, filepath.Join(t.TempDir(), "kiosk.db"), openCatalog(t, shipped), staffPIN, newClock())
	save := func(large bool) {
		t.Helper()
		r.hold(3 * time.Second)
		r.typePIN(staffPIN)
		v := r.k.Staff()
		v.LargeText.SetChecked(large)
		test.Tap(v.Save)
		if v.Saved.Text != "Saved: the kiosk uses these settings now." {
			t.Fatalf("large text %v: %q", large, v.Saved.Text)
		}
		test.Tap(v.Lock)
		if s := r.k.Screen(); s.Name != ui.ScreenWelcome {
			t.Fatalf("staff mode left %s, want welcome", s.Name)
		}
	}
	// welcomeText is the size of the welcome screen's sentences, on a
	// window with room for them.
	welcomeText := func() float32 {
		t.Helper()
		r.w.Resize(fyne.NewSize(1280, 800))
		size := float32(0)
		walkTree(r.w.Content(), fyne.NewPos(0, 0), func(o fyne.CanvasObject, _ rect) {
			if text, ok := o.(*canvas.Text); ok && text.Text != "" {
				size = max(size, text.TextSize)
			}
		})
		return size
	}

	normal := welcomeText()
	save(true)
	large := welcomeText()
	if ratio := large / normal; ratio < 1.45 || ratio > 1.55 {
		t.Errorf("large text on: the welcome text is %v, %.2f× the normal %v; want 1.5×", large, ratio, normal)
	}
	saved, err := r.db.SavedSettings(context.Background())
	if err != nil || saved[passerelle.SettingLargeText] != "true" {
		t.Errorf("saved %v, %v", saved, err)
	}
	save(false)
	if again := welcomeText(); again != normal {
		t.Errorf("large text off: the welcome text is %v, want %v again", again, normal)
	}
}
