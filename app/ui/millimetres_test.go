package ui_test

import (
	"fmt"
	"image/color"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// What a person must find on any screen, in millimetres on the glass.
// Targets: 15 mm both ways, the kiosk's own rule (ui.MinTarget), above
// the 9 mm of EN 301 549's touch guidance. Text: Section 508 §402.4 has
// the capital I at least 4.8 mm high; headings are larger. Large text,
// for low vision, is half as large again.
const (
	minTargetMM  = 15
	minCapMM     = 4.8
	headingRatio = 1.2 // a heading's capital I, over the smallest text's
	largeRatio   = 1.5
)

// kioskScreens are the two screens the kiosk is sold with, as their
// display servers report them.
var kioskScreens = []struct {
	name    string
	display ui.Display
	// wholeLarge: with large text too, every text shows whole, none cut
	// with "…" (with normal text it must on both screens). On the
	// 10-inch screen the longest sentences, beside a sketch or a keypad,
	// and the end screens' five documents do not fit at 7.2 mm: they are
	// cut, and spoken whole.
	wholeLarge bool
}{
	{"10-inch 1280×800", ui.Display{WidthPx: 1280, HeightPx: 800, WidthMM: 217, HeightMM: 136}, false},
	{"15.6-inch 1920×1080", ui.Display{WidthPx: 1920, HeightPx: 1080, WidthMM: 344, HeightMM: 194}, true},
}

// TestEveryScreenInMillimetres lays out every kind of screen a user
// meets (welcome, languages, the procedure grid, every step of every
// shipped procedure: choices, checklists, number keypads, help places,
// sketches, the end and its summary; help, "are you still there?", "stop
// this procedure?", out of service) on the two kiosk screens, at the
// scale the kiosk computes for them, with normal and large text. It
// measures what is drawn: each target's laid-out rectangle, and each
// text's capital I as the toolkit renders it at the text's size and the
// screen's scale, and converts them with the screen's density. It also
// counts the lines drawn cut with "…": with normal text none on either
// screen, with large text none on the 15.6-inch one.
func TestEveryScreenInMillimetres(t *testing.T) {
	if testing.Short() {
		t.Skip("lays out every screen four times")
	}
	for _, screen := range kioskScreens {
		for _, large := range []bool{false, true} {
			name := screen.name
			if large {
				name += ", large text"
			}
			t.Run(name, func(t *testing.T) {
				m := checkMillimetres(t, screen.display, large, !large || screen.wholeLarge)
				t.Logf("%d screens at scale %.1f: smallest target %.1f mm (%s), smallest capital I %.2f mm (%q), smallest heading's %.2f mm; %d of %d text lines cut",
					m.screens, m.scale, m.target, m.targetWhat, m.capMM, m.capWhat, m.headingMM, m.cut, m.textsSeen)
			})
		}
	}
}

// measured is the smallest of what a walk measured.
type measured struct {
	screens       int
	target, capMM float64
	targetWhat    string
	capWhat       string
	headingMM     float64
	display       ui.Display
	scale         float32
	unitMM        float64
	large         bool
	capPx         map[capKey]float64 // rendered cap heights, by size and style
	textsSeen     int
	// cut counts the lines cut with "…" (the sentence is spoken whole);
	// with whole set, a cut line is an error.
	cut   int
	whole bool
}

type capKey struct {
	size  float32
	style fyne.TextStyle
}

func checkMillimetres(t *testing.T, d ui.Display, large, whole bool) *measured {
	t.Helper()
	scale, unitMM := d.Scale()
	if unitMM == 0 {
		t.Fatalf("%+v: the kiosk finds no size", d)
	}
	m := &measured{target: math.Inf(1), capMM: math.Inf(1), headingMM: math.Inf(1), display: d, scale: scale, unitMM: unitMM,
		large: large, whole: whole, capPx: map[capKey]float64{}}
	settings := ui.DefaultSettings
	settings.UnitMM = unitMM
	settings.LargeText = large
	r := newSizedRig(t, openCatalog(t, shipped), settings)
	// The window is the screen, in units at the kiosk's scale.
	window := fyne.NewSize(float32(d.WidthPx)/scale, float32(d.HeightPx)/scale)
	check := func(what string) {
		t.Helper()
		m.check(t, r.w, r.k.Screen(), window, what)
	}

	check("welcome")
	m.checkHeading(t, r.w, window, "welcome")
	r.tap(r.k.Screen().Start)
	check("languages")
	// Every procedure in French, and the grid in Arabic too (right to
	// left, another script): the kinds of screen are the same in every
	// language, which TestEveryScreenFitsEveryWindow walks.
	for _, lang := range []passerelle.Lang{"ar", "fr"} {
		r.goHome()
		r.chooseLanguage(lang)
		for page := 0; ; page++ {
			check(fmt.Sprintf("%s procedures page %d", lang, page))
			next := r.k.Screen().NextPage
			if next == nil || next.Disabled() {
				break
			}
			r.tap(next)
		}
	}
	for i, proc := range openCatalog(t, shipped).Catalog().In("fr") {
		r.goHome()
		r.chooseLanguage("fr")
		r.startProcedure(proc.ID)
		if i == 0 {
			r.tap(r.k.Screen().Help)
			check("help")
			r.tap(r.k.Screen().Next)
			r.clock.Add(max(ui.DefaultSettings.ElsewhereWait, ui.HelpWait))
			r.k.CheckIdle()
			check("still there")
			r.tap(r.k.Screen().Yes)
			r.tap(r.k.Screen().Home)
			check("stop this procedure?")
			r.tap(r.k.Screen().No)
		}
		r.visitSteps("fr", proc.ID, func(step string) { check(proc.ID + " step " + step) })
	}
	ui.ShowOutOfService(r.w, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "a test")
	m.check(t, r.w, &ui.Screen{Sign: findTile(t, r.w.Content(), "out-of-service")}, window, "out of service")
	m.checkHeadingSize(t)
	if m.screens < 20 || m.textsSeen == 0 {
		t.Fatalf("only %d screens and %d texts measured", m.screens, m.textsSeen)
	}
	return m
}

// newSizedRig is a rig whose kiosk has settings, without speech: the
// sizes are what is checked.
func newSizedRig(t testing.TB, source passerelle.CatalogSource, settings ui.Settings) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.Theme())
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sink := audio.NewNullSink(0)
	player := audio.NewPlayer(sink, audio.NewSpeech(t.TempDir(), "/nonexistent/espeak-ng"), audio.WithLogger(logger))
	t.Cleanup(func() { player.Close() })
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	r := &rig{t: t, w: w, db: db, sink: sink, player: player, asked: &promptLog{Player: player},
		clock: &clock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}}
	r.k = ui.New(w, ui.Deps{Catalog: source, Store: db, Player: r.asked, Logger: logger, Now: r.clock.Now}, settings)
	r.note()
	return r
}

// minCap is the smallest capital I allowed, in millimetres.
func (m *measured) minCap() float64 {
	if m.large {
		return minCapMM * largeRatio
	}
	return minCapMM
}

// check lays out what w shows at size and measures it: every target of s
// at least 15 mm both ways, every text's capital I at least the minimum,
// and the layout still fitting (nothing outside, nothing overlapping).
func (m *measured) check(t *testing.T, w fyne.Window, s *ui.Screen, size fyne.Size, what string) {
	t.Helper()
	m.screens++
	assertFits(t, w, s, size, what) // lays it out as the screen is, checks it fits
	rects := map[fyne.CanvasObject]rect{}
	var texts []*canvas.Text
	walkTree(w.Content(), fyne.NewPos(0, 0), func(o fyne.CanvasObject, at rect) {
		rects[o] = at
		if text, ok := o.(*canvas.Text); ok && strings.TrimSpace(text.Text) != "" {
			texts = append(texts, text)
		}
	})
	var targets []fyne.CanvasObject
	names := map[fyne.CanvasObject]string{}
	for _, c := range s.Controls() {
		targets = append(targets, c)
		names[c] = c.ID
	}
	for _, p := range s.Places {
		targets = append(targets, p)
		names[p] = "place " + p.Place.Name
	}
	for _, o := range targets {
		at := rects[o]
		wMM, hMM := float64(at.w)*m.unitMM, float64(at.h)*m.unitMM
		if side := min(wMM, hMM); side < m.target {
			m.target, m.targetWhat = side, what+": "+names[o]
		}
		if wMM < minTargetMM || hMM < minTargetMM {
			t.Errorf("%s: %s is %.1f×%.1f mm, want at least %d mm both ways", what, names[o], wMM, hMM, minTargetMM)
		}
	}
	for _, text := range texts {
		if strings.HasSuffix(text.Text, "…") {
			m.cut++
			if m.whole {
				t.Errorf("%s: %q is cut: on this screen every text must show whole", what, text.Text)
			}
		}
		m.textsSeen++
		capMM := m.renderedCapMM(t, text.TextSize, text.TextStyle)
		if capMM < m.capMM {
			m.capMM, m.capWhat = capMM, text.Text
		}
		if capMM < m.minCap()-0.05 { // 0.05 mm: a third of a pixel
			t.Errorf("%s: %q has a capital I %.2f mm high (size %.0f), want at least %.1f mm", what, text.Text, capMM, text.TextSize, m.minCap())
		}
	}
}

// checkHeading measures the welcome screen's heading: every line larger
// than the smallest text allowed.
func (m *measured) checkHeading(t *testing.T, w fyne.Window, size fyne.Size, what string) {
	t.Helper()
	n := 0
	walkTree(w.Content(), fyne.NewPos(0, 0), func(o fyne.CanvasObject, _ rect) {
		text, ok := o.(*canvas.Text)
		if !ok || strings.TrimSpace(text.Text) == "" {
			return
		}
		n++
		capMM := m.renderedCapMM(t, text.TextSize, text.TextStyle)
		m.headingMM = min(m.headingMM, capMM)
		if capMM < m.minCap()*headingRatio-0.05 {
			t.Errorf("%s at %v: heading %q has a capital I %.2f mm high, want at least %.2f mm (%.1f× the smallest text)",
				what, size, text.Text, capMM, m.minCap()*headingRatio, headingRatio)
		}
	})
	if n == 0 {
		t.Errorf("%s: no heading drawn", what)
	}
}

// checkHeadingSize: text drawn at the theme's heading size (keypad digits,
// the phone number of a help place) is larger than the smallest text.
func (m *measured) checkHeadingSize(t *testing.T) {
	t.Helper()
	var sizes []float32
	for k := range m.capPx {
		sizes = append(sizes, k.size)
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	if len(sizes) < 2 {
		t.Errorf("every text is drawn at one size %v: headings are no larger", sizes)
	}
}

// renderedCapMM draws a capital I at size and style, at the kiosk's
// scale, as the toolkit's software painter draws it, and returns the
// height of its ink in millimetres on the display.
func (m *measured) renderedCapMM(t *testing.T, size float32, style fyne.TextStyle) float64 {
	t.Helper()
	key := capKey{size, style}
	px, ok := m.capPx[key]
	if !ok {
		px = renderedCapPx(t, size, style, m.scale)
		m.capPx[key] = px
	}
	return px / m.display.PxPerMM()
}

// renderedCapPx renders "I" and counts the rows holding ink darker than
// half-way between the paper and the ink.
func renderedCapPx(t *testing.T, size float32, style fyne.TextStyle, scale float32) float64 {
	t.Helper()
	text := canvas.NewText("I", color.Black)
	text.TextSize, text.TextStyle = size, style
	w := test.NewWindow(text)
	defer w.Close()
	c := w.Canvas().(test.WindowlessCanvas)
	c.SetPadded(false)
	c.SetScale(scale)
	w.Resize(text.MinSize().AddWidthHeight(4, 4))
	img := c.Capture()
	b := img.Bounds()
	rows := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				rows++
				break
			}
		}
	}
	if rows == 0 {
		t.Fatalf("a capital I at size %v drew nothing", size)
	}
	return float64(rows)
}
