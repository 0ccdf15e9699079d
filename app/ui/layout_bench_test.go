package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"

	"passerelle/app/ui"
)

// BenchmarkLayoutThatChooses lays out the screen on which the layouts try
// the most arrangements: an end step with five documents beside its QR
// code, on a 10-inch screen with large text, where some of them stay cut
// and every way is measured. Target: under 50 ms, a tap's budget.
func BenchmarkLayoutThatChooses(b *testing.B) {
	d := ui.Display{WidthPx: 1280, HeightPx: 800, WidthMM: 217, HeightMM: 136}
	scale, unitMM := d.Scale()
	settings := ui.DefaultSettings
	settings.UnitMM, settings.LargeText = unitMM, true
	r := newSizedRig(b, openCatalog(b, shipped), settings)
	r.goToStep("fr", "ants-id-card", "done-stolen")
	sizes := []fyne.Size{
		fyne.NewSize(float32(d.WidthPx)/scale, float32(d.HeightPx)/scale),
		fyne.NewSize(float32(d.WidthPx)/scale-1, float32(d.HeightPx)/scale), // another size: laid out again
	}
	content := r.w.Content()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		content.Resize(sizes[i%2])
	}
}
