package ui

import (
	"fyne.io/fyne/v2"

	"passerelle/app/passerelle"
)

// WarmFonts loads, on a goroutine of its own, the faces the screens write
// with (regular and bold, in every script of the languages the kiosk
// knows), and returns a channel closed once they are loaded. Loading them
// is most of what building the first screen costs (about 100 ms: parsing
// the fonts, finding a system font for Arabic): done while the window
// and the catalog open, the first screen shows sooner.
//
// Nothing may measure or draw text before the channel is closed: Fyne's
// map of fallback fonts is not safe for concurrent use. The theme must be
// set before: measuring reads it, unguarded; and once the app runs,
// setting one empties Fyne's font cache.
func WarmFonts() <-chan struct{} {
	done := make(chan struct{})
	var text string
	for _, l := range passerelle.Languages {
		text += l.Native + " "
	}
	go func() {
		defer close(done)
		for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
			fyne.MeasureText(text, 20, style) // faces are cached whatever the size
		}
	}()
	return done
}
