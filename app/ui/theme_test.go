package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestThemeContrast(t *testing.T) {
	th := Theme()
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, theme.VariantLight) }
	pairs := []struct {
		name   string
		fg, bg color.Color
	}{
		{"text on the background", c(theme.ColorNameForeground), c(theme.ColorNameBackground)},
		{"text on a selected tile", colorForeground, colorSelected},
		{"selected tile border on white", colorPrimary, colorBackground},
		{"green frame on white", colorGo, colorBackground},
		{"error text on white", colorError, colorBackground},
		{"text on primary", c(theme.ColorNameForegroundOnPrimary), c(theme.ColorNamePrimary)},
	}
	for _, p := range pairs {
		if r := contrast(p.fg, p.bg); r < 7 {
			t.Errorf("%s: contrast %.1f:1, want at least 7:1", p.name, r)
		}
	}
}

func TestMinTargetIs15mm(t *testing.T) {
	// Above 120 dpi Fyne draws a unit as 1/120 inch; below, as a pixel,
	// which is larger. 15 mm at 120 dpi is 70.9 units.
	if mm := float64(MinTarget) / 120 * 25.4; mm < 15 {
		t.Errorf("MinTarget = %v units = %.1f mm at 120 dpi, want at least 15 mm", MinTarget, mm)
	}
}

// TestTilesAreBigEnough lays out every kind of screen at the two screen
// sizes a kiosk has, and checks that every touchable thing is at least
// MinTarget on both sides.
func TestTilesAreBigEnough(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1024, Height: 768}, {Width: 1920, Height: 1080}} {
		a := test.NewTempApp(t)
		a.Settings().SetTheme(Theme())
		w := test.NewWindow(nil)
		w.Resize(size)
		tiles := []*Tile{NewTile("a", "Carte d'identité", uiIcon("home"), nil)}
		for range 3 {
			tiles = append(tiles, NewTile("b", "Fiche de paie", uiIcon("home"), nil))
		}
		k := &Kiosk{}
		s := &Screen{}
		w.SetContent(k.frame(s, "fr", grid(tiles, "fr")))
		for _, tile := range append(tiles, s.Home, s.Back, s.Listen, s.Help, s.Next) {
			if got := tile.Size(); got.Width < MinTarget || got.Height < MinTarget {
				t.Errorf("%v: tile %s is %v, want at least %v", size, tile.ID, got, MinTarget)
			}
		}
		w.Close()
	}
}
