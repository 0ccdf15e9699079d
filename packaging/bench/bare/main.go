// Command bare is the reference packaging/bench.sh measures Passerelle
// against: the least a Fyne window showing the same kind of first screen
// can cost (a title and four icon buttons), built with the same Fyne and
// the same flags (bench.sh). It is not part of the shipped binary.
//
// A touch on a button writes its name in the title, so that a touch
// changes the window's pixels as a touch on a Passerelle tile does.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("fr.passerelle.bench.bare")
	w := a.NewWindow("Bare")
	title := widget.NewLabelWithStyle("Touch a button", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	button := func(name string, icon fyne.Resource) fyne.CanvasObject {
		return widget.NewButtonWithIcon("", icon, func() { title.SetText(name) })
	}
	buttons := container.NewGridWithColumns(2,
		button("home", theme.HomeIcon()), button("back", theme.NavigateBackIcon()),
		button("listen", theme.MediaPlayIcon()), button("next", theme.NavigateNextIcon()))
	w.SetContent(container.NewBorder(title, nil, nil, nil, buttons))
	w.SetFullScreen(true)
	w.ShowAndRun()
}
