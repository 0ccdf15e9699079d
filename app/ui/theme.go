package ui

import (
	"fmt"
	"image/color"
	"math"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
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
// length of mm×120/25.4 units is at least mm millimetres on any screen;
// the kiosk sets the scale from the screen's size so that it is (app/cli's
// scale.go) and tells the theme how long a unit is (ThemeFor).
const (
	minTargetMM = 15
	// defaultUnitMM is a unit's length when the screen's size is unknown:
	// 1/120 inch, as Fyne draws it above 120 dpi.
	defaultUnitMM = 25.4 / 120
)

// Text is sized by the height of a capital I on the screen, in
// millimetres, whatever the screen's density. Section 508 §402.4
// (characters on the display screens of ICT with closed functionality,
// such as a kiosk): "the uppercase letter I shall be 3/16 inch (4.8 mm)
// high minimum measured from the baseline", in a sans serif font. EN 301
// 549 clause 5.1.4 (functionality closed to text enlargement) asks for a
// mode where a capital letter subtends at least 0.7° at the viewing
// distance: 4.8 mm does at 39 cm, large text (×1.5, 7.2 mm) at 59 cm, a
// standing person's distance to a kiosk.
const (
	minCapMM = 4.8
	// Sentences start larger and shrink to the floor before they are cut;
	// headings are larger still, and never shrink to the size of a
	// sentence.
	textCapMM         = 5.4
	headingCapMM      = 7
	headingFloorCapMM = 6
	// largeText multiplies every text size when staff turn large text on,
	// for people with low vision.
	largeText = 1.5
)

// The theme's own size names: the smallest text and the smallest heading,
// read by the text widgets when they are made.
const (
	sizeNameTextFloor    fyne.ThemeSizeName = "passerelle-text-floor"
	sizeNameHeadingFloor fyne.ThemeSizeName = "passerelle-heading-floor"
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

// textSizes are the kiosk's text sizes in units, for a screen on which a
// unit is unitMM millimetres long.
type textSizes struct {
	text, heading, label, floor, headingFloor float32
}

// sizesFor works out the text sizes from the cap height of the theme's
// fonts, rounding up to whole units: text is never under its millimetres.
func sizesFor(unitMM float64, large bool) textSizes {
	if !(unitMM > 0) {
		unitMM = defaultUnitMM
	}
	factor := 1.0
	if large {
		factor = largeText
	}
	size := func(capMM float64) float32 {
		return float32(math.Ceil(capMM * factor / (fontCapRatio() * unitMM)))
	}
	floor := size(minCapMM)
	return textSizes{
		text:         size(textCapMM),
		heading:      size(headingCapMM),
		label:        floor, // tile labels: as small as allowed, the tiles are full
		floor:        floor,
		headingFloor: size(headingFloorCapMM),
	}
}

// fontCapRatio is the height of a capital I over the font size (the em),
// the least among the theme's fonts (regular, bold, monospace), read from
// the fonts themselves.
var fontCapRatio = sync.OnceValue(func() float64 {
	ratio := 1.0
	for _, res := range []fyne.Resource{theme.DefaultTextFont(), theme.DefaultTextBoldFont(), theme.DefaultTextMonospaceFont()} {
		r, err := capRatio(res.Content())
		if err != nil {
			fyne.LogError("read the cap height of "+res.Name(), err)
			r = 0.7 // a sans serif's usual cap height
		}
		ratio = min(ratio, r)
	}
	return ratio
})

// capRatio is the height of the glyph "I" above the baseline over the em
// of the font in data.
func capRatio(data []byte) (float64, error) {
	f, err := sfnt.Parse(data)
	if err != nil {
		return 0, fmt.Errorf("parse font: %w", err)
	}
	var buf sfnt.Buffer
	i, err := f.GlyphIndex(&buf, 'I')
	if err != nil || i == 0 {
		return 0, fmt.Errorf("the font has no I: %v", err)
	}
	em := fixed.I(int(f.UnitsPerEm()))
	bounds, _, err := f.GlyphBounds(&buf, i, em, font.HintingNone)
	if err != nil {
		return 0, fmt.Errorf("bounds of I: %w", err)
	}
	return float64(-bounds.Min.Y) / float64(em), nil
}

type kioskTheme struct{ sizes textSizes }

// Theme returns the kiosk theme for a screen whose size is unknown.
func Theme() fyne.Theme { return ThemeFor(0, false) }

// ThemeFor returns the kiosk theme for a screen on which one unit is
// unitMM millimetres long (0: unknown, taken as 1/120 inch), with large
// text or not.
func ThemeFor(unitMM float64, large bool) fyne.Theme {
	return kioskTheme{sizes: sizesFor(unitMM, large)}
}

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

func (t kioskTheme) Size(name fyne.ThemeSizeName) float32 {
	switch name {
	case theme.SizeNameText:
		return t.sizes.text
	case theme.SizeNameHeadingText:
		return t.sizes.heading
	case theme.SizeNameSubHeadingText:
		return (t.sizes.text + t.sizes.heading) / 2
	case theme.SizeNameCaptionText:
		return t.sizes.label
	case sizeNameTextFloor:
		return t.sizes.floor
	case sizeNameHeadingFloor:
		return t.sizes.headingFloor
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

// The text sizes of the theme in use, when a widget is made: a screen
// made after staff turn large text on has large text.
func textSize() float32     { return theme.Size(theme.SizeNameText) }
func headingSize() float32  { return theme.Size(theme.SizeNameHeadingText) }
func labelSize() float32    { return theme.Size(theme.SizeNameCaptionText) }
func textFloor() float32    { return theme.Size(sizeNameTextFloor) }
func headingFloor() float32 { return theme.Size(sizeNameHeadingFloor) }

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
