package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/session"
)

// PreviewTile, as the step of a preview, is the screen of procedures with
// the procedure's tile on it: its pictogram and title as a user finds it.
const PreviewTile = ""

// DefaultPreviewSize and DefaultPreviewInches are the kiosk screen a
// preview is drawn for when the request names none: a 10.1-inch tablet of
// 1280×800 pixels, the smallest screen the kiosk is sold with.
var DefaultPreviewSize = fyne.NewSize(1280, 800)

const DefaultPreviewInches = 10.1

// PreviewRequest says what to draw: one screen of a procedure, as a kiosk
// of the given screen would show it to a user of the given language.
type PreviewRequest struct {
	// Procedure is the procedure as loaded (procedure.Load of a draft's
	// catalog folder), its pictograms decoded.
	Procedure *passerelle.Procedure
	// StepID is the step to draw; PreviewTile draws the procedure's tile.
	StepID string
	Lang   passerelle.Lang
	// Size is the kiosk's screen in pixels; zero is DefaultPreviewSize.
	Size fyne.Size
	// Inches is the screen's diagonal; zero is DefaultPreviewInches. The
	// scale and the text sizes follow from it as on a kiosk that knows its
	// screen's size: text is drawn at its millimetres (theme.go).
	Inches float64
	// Scale is the kiosk's scale (pixels per Fyne unit); zero is the one
	// the kiosk works out for the screen (Display.Scale).
	Scale float32
	// LargeText draws the screen with staff's large text setting on.
	LargeText bool
	// Places are the catalog's help places, shown on handoff steps;
	// Now says which are open, zero is time.Now.
	Places []*passerelle.Place
	Now    time.Time
}

// Preview is a drawn screen.
type Preview struct {
	Image image.Image
	// Screen is the screen the kiosk built, with its tiles by name, so a
	// caller sees what is on it without reading pixels.
	Screen *Screen
}

// ErrPreviewRequest is wrapped by the errors of a request that cannot be
// drawn: no procedure, an unknown step, a language the procedure lacks.
var ErrPreviewRequest = errors.New("cannot preview")

// previewing serialises previews: Fyne's test application is global to
// the process, and so is the current Fyne application a screen is built in.
var previewing struct {
	sync.Mutex
	app fyne.App
}

// RenderPreview draws one screen of a procedure by the kiosk's own code:
// a Kiosk is built on Fyne's headless test window, with the procedure as
// its only one, taken to the step as a user would reach it, and the
// window is painted by Fyne's software renderer. Arabic is mirrored as on
// the kiosk: the kiosk's layouts do it by language. Safe for concurrent
// use; previews are drawn one at a time (see BenchmarkPreview for the cost).
//
// A process that draws previews uses Fyne's test application as its
// current application: the hub, which has no window of its own.
func RenderPreview(req PreviewRequest) (*Preview, error) {
	p := req.Procedure
	if p == nil || len(p.Steps) == 0 {
		return nil, fmt.Errorf("%w: there is no procedure to draw", ErrPreviewRequest)
	}
	if _, ok := p.Title[req.Lang]; !ok {
		return nil, fmt.Errorf("%w: the procedure %s has no %q texts", ErrPreviewRequest, p.ID, req.Lang)
	}
	proc := p
	if req.StepID != PreviewTile {
		st, ok := p.Step(req.StepID)
		if !ok {
			return nil, fmt.Errorf("%w: the procedure %s has no step %q", ErrPreviewRequest, p.ID, req.StepID)
		}
		proc = startingAt(p, st)
	}
	size := req.Size
	if size.Width <= 0 || size.Height <= 0 {
		size = DefaultPreviewSize
	}
	display := PreviewDisplay(size, req.Inches)
	scale, unitMM := display.Scale()
	if req.Scale > 0 {
		scale, unitMM = req.Scale, float64(req.Scale)/display.PxPerMM()
	}
	settings := DefaultSettings
	settings.UnitMM, settings.LargeText = unitMM, req.LargeText
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}

	previewing.Lock()
	defer previewing.Unlock()
	if previewing.app == nil {
		previewing.app = test.NewApp()
	}
	// The kiosk sets the theme of the screen's size too (New): set here,
	// the window is made with it.
	previewing.app.Settings().SetTheme(ThemeFor(settings.UnitMM, settings.LargeText))
	fyne.SetCurrentApp(previewing.app) // a test of this package may have set its own
	win := previewing.app.NewWindow("preview")
	defer win.Close()
	if c, ok := win.Canvas().(interface{ SetScale(float32) }); ok {
		c.SetScale(scale)
	}
	win.Resize(fyne.NewSize(size.Width/scale, size.Height/scale))

	cat := passerelle.NewCatalog([]*passerelle.Procedure{proc})
	cat.Places = req.Places
	k := New(win, Deps{
		Catalog: previewCatalog{cat},
		Store:   previewStore{},
		Player:  previewPlayer{},
		Now:     func() time.Time { return now },
	}, settings)
	defer k.Close()
	k.lang = req.Lang
	if req.StepID == PreviewTile {
		k.showProcedures()
	} else {
		sess, err := session.Start(context.Background(), previewStore{}, proc, req.Lang, k.deps.Now)
		if err != nil {
			return nil, fmt.Errorf("preview %s/%s: %w", p.ID, req.StepID, err)
		}
		k.session = sess
		k.showStep()
	}
	return &Preview{Image: win.Canvas().Capture(), Screen: k.screen}, nil
}

// PreviewDisplay is a screen of size pixels and a diagonal of inches
// (zero is DefaultPreviewInches), as a display server reports it.
func PreviewDisplay(size fyne.Size, inches float64) Display {
	if inches <= 0 {
		inches = DefaultPreviewInches
	}
	w, h := float64(size.Width), float64(size.Height)
	mmPerPx := inches * 25.4 / math.Hypot(w, h)
	return Display{WidthPx: int(w), HeightPx: int(h), WidthMM: w * mmPerPx, HeightMM: h * mmPerPx}
}

// PreviewPNG is RenderPreview encoded as PNG, for a browser.
func PreviewPNG(req PreviewRequest) ([]byte, error) {
	pv, err := RenderPreview(req)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Flat colours and text: the fastest level is close to the smallest.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, pv.Image); err != nil {
		return nil, fmt.Errorf("preview %s/%s: encode: %w", req.Procedure.ID, req.StepID, err)
	}
	return buf.Bytes(), nil
}

// startingAt is p with st as its first step, so that a session starts
// there: the kiosk then builds the step's screen as on arrival. The steps
// themselves are shared, not copied: the procedure is immutable.
func startingAt(p *passerelle.Procedure, st *passerelle.Step) *passerelle.Procedure {
	cp := *p
	cp.Steps = append([]*passerelle.Step{st}, p.Steps...)
	return &cp
}

// previewCatalog serves one catalog that never changes.
type previewCatalog struct{ c *passerelle.Catalog }

func (s previewCatalog) Catalog() *passerelle.Catalog   { return s.c }
func (s previewCatalog) Problems() []passerelle.Problem { return nil }
func (s previewCatalog) Subscribe() (<-chan passerelle.CatalogUpdate, func()) {
	return make(chan passerelle.CatalogUpdate), func() {}
}

// previewStore keeps nothing: a preview is nobody's session.
type previewStore struct{}

func (previewStore) Append(context.Context, ...passerelle.Event) error { return nil }
func (previewStore) SessionEvents(context.Context, string) ([]passerelle.Event, error) {
	return nil, passerelle.ErrNotFound
}
func (previewStore) CloseInterrupted(context.Context, time.Time) ([]string, error) { return nil, nil }
func (previewStore) PurgePersonal(context.Context, time.Time) (int, error)         { return 0, nil }

// previewPlayer says nothing: the preview is a picture.
type previewPlayer struct{}

func (previewPlayer) Play(context.Context, ...passerelle.Prompt) error { return nil }
func (previewPlayer) Stop()                                            {}
func (previewPlayer) Prepare([]passerelle.Prompt)                      {}
