package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The kiosk's own theme: black on white, large text, big touch targets.
// Every pair of text and background colours has a contrast of at least
// 7:1 (WCAG AAA); theme_test.go checks it.
var (
	colorBackground = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colorForeground = color.NRGBA{0x11, 0x11, 0x11, 0xFF}
	colorPrimary    = color.NRGBA{0x0B, 0x3D, 0x91, 0xFF} // borders of a selected tile, focus
	colorSelected   = color.NRGBA{0xDC, 0xE8, 0xFF, 0xFF} // background of a selected tile
	colorGo         = color.NRGBA{0x0A, 0x5C, 0x2B, 0xFF} // the border of the "continue" control
	colorDisabled   = color.NRGBA{0x59, 0x59, 0x59, 0xFF}
	colorError      = color.NRGBA{0x9B, 0x00, 0x00, 0xFF}
	colorErrorLight = color.NRGBA{0xFD, 0xE4, 0xE4, 0xFF} // inside a box still to fill, no text on it
	colorTileBorder = color.NRGBA{0x11, 0x11, 0x11, 0xFF}
)

// Sizes, in Fyne units. Fyne never draws a unit smaller than a pixel, and
// above 120 dpi a unit is 1/120 inch (see fyne's glfw/scale.go), so a
// length of mm×120/25.4 units is at least mm millimetres on any screen.
const (
	minTargetMM = 15
	textSize    = 30
	headingSize = 40
)

// MinTarget is the smallest side of anything a user can touch, on every
// screen from 1024×768 up: the layouts give tiles at least that much there.
var MinTarget = float32(math.Ceil(minTargetMM * 120 / 25.4))

// tileFloor is the minimum size a tile asks for. It is far below MinTarget
// on purpose: a Fyne window grows to the minimum size of its content, so a
// tile that insisted on 15 mm would push controls off an 800×480 screen.
// The layouts scale tiles up to fill the screen: from 1024×768 up every
// control gets MinTarget. On 800×480 every control does too but the keys
// of a keypad, about 58 units high (12 mm at 120 dpi): four rows of keys,
// the typed number and the bar share 480 units, and the phone's 3×4
// layout, which people know, is worth more than 3 mm.
const tileFloor = 40

type kioskTheme struct{}

// Theme returns the kiosk theme.
func Theme() fyne.Theme { return kioskTheme{} }

func (kioskTheme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch name {
	case theme.ColorNameBackground, theme.ColorNameButton, theme.ColorNameInputBackground,
		theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground, theme.ColorNameHeaderBackground:
		return colorBackground
	case theme.ColorNameForeground, theme.ColorNameInputBorder, theme.ColorNameSeparator, theme.ColorNamePlaceHolder:
		return colorForeground
	case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink:
		return colorPrimary
	case theme.ColorNameSelection, theme.ColorNameHover, theme.ColorNamePressed:
		return colorSelected
	case theme.ColorNameSuccess:
		return colorGo
	case theme.ColorNameDisabled, theme.ColorNameDisabledButton:
		return colorDisabled
	case theme.ColorNameError:
		return colorError
	case theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnError:
		return colorBackground
	case theme.ColorNameShadow:
		return color.NRGBA{0, 0, 0, 0x40}
	}
	return theme.DefaultTheme().Color(name, theme.VariantLight)
}

func (kioskTheme) Size(name fyne.ThemeSizeName) float32 {
	switch name {
	case theme.SizeNameText:
		return textSize
	case theme.SizeNameHeadingText:
		return headingSize
	case theme.SizeNameSubHeadingText:
		return 34
	case theme.SizeNameCaptionText:
		return 24
	case theme.SizeNamePadding:
		return 10
	case theme.SizeNameInnerPadding:
		return 14
	case theme.SizeNameLineSpacing:
		return 8
	case theme.SizeNameInputBorder, theme.SizeNameSelectionRadius:
		return 4
	case theme.SizeNameInputRadius:
		return 16
	case theme.SizeNameScrollBar:
		return 24
	}
	return theme.DefaultTheme().Size(name)
}

func (kioskTheme) Font(style fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(style) }

func (kioskTheme) Icon(name fyne.ThemeIconName) fyne.Resource {
	return theme.DefaultTheme().Icon(name)
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
