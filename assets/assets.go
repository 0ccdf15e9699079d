// Package assets embeds the kiosk's own files in the binary: its icon and
// the pictograms of its controls. A kiosk must never lose its "home"
// button to a missing file.
package assets

import (
	"embed"
	"path"
)

//go:embed icon.png ui/*.svg
var files embed.FS

// Icon returns the application icon (PNG).
func Icon() []byte { return mustRead("icon.png") }

// UI returns the SVG of a control pictogram, by name without extension
// (home, back, next, confirm, replay, help, touch, erase...).
func UI(name string) []byte { return mustRead(path.Join("ui", name+".svg")) }

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("assets: " + name + " is not embedded") // a programming error, caught by tests
	}
	return b
}
