package ui

import (
	"fyne.io/fyne/v2"

	"passerelle/app/passerelle"
)

// WarmFonts loads, on a goroutine of its own, the faces the welcome screen
// writes with (bold, in every script of the languages the kiosk knows),
// and returns a channel closed once they are loaded. Loading them is most
// of what building the first screen costs (parsing the fonts, finding a
// system font for Arabic): done while the window and the catalog open,
// the first screen shows sooner. The other screens' faces load once it
// shows (WarmOtherFonts).
//
// Nothing may measure or draw text before the channel is closed: Fyne's
// map of fallback fonts is not safe for concurrent use. The theme may be
// changed only once it is closed: measuring reads it, unguarded (the
// kiosk's theme takes the faces of Fyne's, which the application starts
// with); and once the app runs, setting one empties Fyne's font cache.
func WarmFonts() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		warm(fyne.TextStyle{Bold: true})
	}()
	return done
}

// WarmOtherFonts loads the faces the screens after welcome write with
// (regular), on the UI goroutine, once the first screen shows: a person's
// first touch does not wait for them (about 15 ms), and the window does
// not either.
func WarmOtherFonts() { warm(fyne.TextStyle{}) }

// warm loads the faces of style, and the system fonts its fallbacks take
// for the scripts of every language the kiosk knows.
func warm(style fyne.TextStyle) {
	var text string
	for _, l := range passerelle.Languages {
		text += l.Native + " "
	}
	fyne.MeasureText(text, 20, style) // faces are cached whatever the size
}
