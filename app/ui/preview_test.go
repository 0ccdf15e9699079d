package ui_test

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/ui"
)

// previewSize is the kiosk screen the preview tests draw for.
var previewSize = fyne.NewSize(1280, 800)

// shown is a screen a kiosk showed during a walk.
type shown struct {
	stepID string
	image  image.Image
	at     time.Time
}

// TestPreviewIsWhatTheKioskShows walks a shipped procedure (choices, a
// checklist, a social security number, sketches, an end) in French and
// Arabic on a real kiosk of a 10.1-inch 1280×800 screen, at the scale and
// text sizes it works out for it, and draws a preview of each step it
// reached with the preview's default screen: the preview must be the
// kiosk's screen, pixel for pixel.
func TestPreviewIsWhatTheKioskShows(t *testing.T) {
	cat := openCatalog(t, shipped).Catalog()
	for _, lang := range []passerelle.Lang{"fr", "ar"} {
		for _, id := range []string{"caf-quarterly-declaration"} {
			proc, _ := cat.Procedure(id)
			t.Run(string(lang)+"/"+proc.ID, func(t *testing.T) {
				var screens []shown
				func() {
					// A kiosk without speech: the screens are what is compared.
					display := ui.PreviewDisplay(previewSize, 10.1)
					scale, unitMM := display.Scale()
					settings := ui.DefaultSettings
					settings.UnitMM = unitMM
					r := newSizedRig(t, openCatalog(t, shipped), settings)
					r.w.Canvas().(test.WindowlessCanvas).SetScale(scale)
					r.w.Resize(fyne.NewSize(previewSize.Width/scale, previewSize.Height/scale))
					r.chooseLanguage(lang)
					r.startProcedure(proc.ID)
					screens = walkCapturing(r)
				}()
				if len(screens) < 2 {
					t.Fatalf("the walk showed %d steps", len(screens))
				}
				for _, s := range screens {
					pv, err := ui.RenderPreview(ui.PreviewRequest{Procedure: proc, StepID: s.stepID, Lang: lang,
						Places: cat.Places, Now: s.at})
					if err != nil {
						t.Fatalf("preview %s: %v", s.stepID, err)
					}
					if pv.Screen.StepID != s.stepID {
						t.Errorf("preview of %s shows step %q", s.stepID, pv.Screen.StepID)
					}
					if n, where := differentPixels(s.image, pv.Image); n > 0 {
						t.Errorf("step %s: the preview differs from the kiosk's screen in %d pixels (first at %v)", s.stepID, n, where)
					}
				}
			})
		}
	}
}

// walkCapturing is rig.walk, drawing the kiosk's window on each step as
// it arrives.
func walkCapturing(r *rig) []shown {
	r.t.Helper()
	seen := map[string]bool{}
	var screens []shown
	for i := 0; ; i++ {
		if i > 60 {
			r.t.Fatal("the walk does not end")
		}
		sess := r.k.Session()
		st := sess.Step()
		seen[st.ID] = true
		screens = append(screens, shown{stepID: st.ID, image: r.w.Canvas().Capture(), at: r.clock.Now()})
		if _, ended := sess.Ended(); ended {
			return screens
		}
		s := r.k.Screen()
		switch st.Kind {
		case passerelle.KindChoice:
			pick := st.Options[0]
			for _, o := range st.Options {
				if !seen[o.Next] {
					pick = o
					break
				}
			}
			r.act(s.Tile(pick.ID))
		case passerelle.KindChecklist:
			r.act(s.Tiles[0])
		case passerelle.KindNumber:
			for _, d := range validNumber(r.t, st.Number) {
				r.act(s.Keys[string(d)])
			}
		}
		r.act(s.Next)
	}
}

// TestPreviewEveryStep draws every step of every shipped procedure, in
// French or Arabic in turn, on the smallest kiosk screen (800×480), and
// checks the screen holds the step's own answers, documents and keys,
// drawn on a screen that is not blank.
func TestPreviewEveryStep(t *testing.T) {
	cat := openCatalog(t, shipped).Catalog()
	for i, proc := range cat.Procedures {
		lang := []passerelle.Lang{"fr", "ar"}[i%2]
		for _, st := range proc.Steps {
			pv, err := ui.RenderPreview(ui.PreviewRequest{Procedure: proc, StepID: st.ID, Lang: lang, Size: fyne.NewSize(800, 480)})
			if err != nil {
				t.Fatalf("%s/%s/%s: %v", lang, proc.ID, st.ID, err)
			}
			where := string(lang) + "/" + proc.ID + "/" + st.ID
			if b := pv.Image.Bounds(); b.Dx() != 800 || b.Dy() != 480 {
				t.Errorf("%s: drawn %v, want 800×480", where, b)
			}
			if inked := inkShare(pv.Image); inked < 0.02 {
				t.Errorf("%s: only %.1f%% of the screen is drawn", where, 100*inked)
			}
			var want []string // the tiles: "id=label"
			switch st.Kind {
			case passerelle.KindChoice:
				for _, o := range st.Options {
					want = append(want, o.ID+"="+o.Label[lang])
				}
			case passerelle.KindChecklist:
				for _, id := range st.Items {
					want = append(want, id+"="+proc.Documents[id].Label[lang])
				}
			case passerelle.KindEnd:
				for _, id := range st.Bring {
					want = append(want, id+"="+proc.Documents[id].Label[lang])
				}
			}
			var got []string
			for _, tile := range pv.Screen.Tiles {
				got = append(got, tile.ID+"="+tile.Label)
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("%s: tiles %q, want %q", where, got, want)
			}
			if st.Kind == passerelle.KindNumber && len(pv.Screen.Keys) < 11 {
				t.Errorf("%s: the keypad has %d keys", where, len(pv.Screen.Keys))
			}
		}
	}
}

// TestPreviewTile draws the screen of procedures with the procedure's
// tile, in its title.
func TestPreviewTile(t *testing.T) {
	proc := shippedProcedure(t, "caf-quarterly-declaration")
	for _, lang := range []passerelle.Lang{"fr", "ar"} {
		pv, err := ui.RenderPreview(ui.PreviewRequest{Procedure: proc, StepID: ui.PreviewTile, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if b := pv.Image.Bounds(); b.Dx() != 1280 || b.Dy() != 800 {
			t.Errorf("%s: drawn %v, want the default 1280×800", lang, b)
		}
		if pv.Screen.Name != ui.ScreenProcedures {
			t.Errorf("%s: screen %s, want %s", lang, pv.Screen.Name, ui.ScreenProcedures)
		}
		if tile := pv.Screen.Tile(proc.ID); tile == nil || tile.Label != proc.Title[lang] {
			t.Errorf("%s: the procedure's tile is %+v, want titled %q", lang, tile, proc.Title[lang])
		}
		if inked := inkShare(pv.Image); inked < 0.02 {
			t.Errorf("%s: only %.1f%% of the screen is drawn", lang, 100*inked)
		}
	}
}

// TestPreviewShowsTheStepsOwnPictogramAndSentence: changing the step's
// pictogram, or its sentence, changes the picture, in both directions of
// writing; and Arabic puts the green arrow on the left, as the kiosk does.
func TestPreviewShowsTheStepsOwnPictogramAndSentence(t *testing.T) {
	proc := shippedProcedure(t, "caf-quarterly-declaration")
	first := proc.First()
	other := shippedProcedure(t, "ants-id-card").First()
	for _, lang := range []passerelle.Lang{"fr", "ar"} {
		base := preview(t, proc, first.ID, lang)
		picture := withStep(proc, first, func(s *passerelle.Step) { s.Pictogram = other.Pictogram })
		if n, _ := differentPixels(base.Image, preview(t, picture, first.ID, lang).Image); n < 2000 {
			t.Errorf("%s: another pictogram changes %d pixels: the pictogram is not drawn", lang, n)
		}
		sentence := withStep(proc, first, func(s *passerelle.Step) { s.Say = other.Say })
		if n, _ := differentPixels(base.Image, preview(t, sentence, first.ID, lang).Image); n < 2000 {
			t.Errorf("%s: another sentence changes %d pixels: the sentence is not drawn", lang, n)
		}
		nextLeft := base.Screen.Next.Position().X < base.Screen.Home.Position().X
		if nextLeft != (lang == "ar") {
			t.Errorf("%s: the green arrow is at x=%v, home at x=%v", lang, base.Screen.Next.Position().X, base.Screen.Home.Position().X)
		}
	}
}

// TestPreviewOfAStepTheValidatorRefuses: a draft holds what staff typed,
// before the validator has seen it. Drawing it must not crash the hub.
func TestPreviewOfAStepTheValidatorRefuses(t *testing.T) {
	proc := shippedProcedure(t, "caf-quarterly-declaration")
	var choice *passerelle.Step
	for _, s := range proc.Steps {
		if s.Kind == passerelle.KindChoice {
			choice = s
			break
		}
	}
	long := strings.Repeat("Un texte bien trop long pour l'écran, مع نص عربي 123 ameli.fr ", 80)
	cases := []struct {
		name string
		edit func(*passerelle.Step)
	}{
		{"a sentence of 5000 characters", func(s *passerelle.Step) { s.Say = passerelle.Text{"fr": long, "ar": long} }},
		{"control characters and lone marks", func(s *passerelle.Step) {
			s.Say = passerelle.Text{"fr": "a\x00b\x1b[31m\u202e\u0301\ufffd\n\n\t", "ar": "\u202b\u0640\u200f"}
		}},
		{"an empty sentence", func(s *passerelle.Step) { s.Say = passerelle.Text{"fr": "", "ar": ""} }},
		{"a pictogram that is not an image", func(s *passerelle.Step) {
			s.Pictogram = passerelle.Media{Data: []byte("<svg><path d='M 0 0 L nan inf'/></svg>")}
		}},
		{"a truncated PNG", func(s *passerelle.Step) { s.Pictogram = passerelle.Media{Data: []byte("\x89PNG\r\n\x1a\n\x00\x00")} }},
		{"ten answers with long labels", func(s *passerelle.Step) {
			for range 10 {
				s.Options = append(s.Options, &passerelle.Option{ID: "x", Label: passerelle.Text{"fr": long, "ar": long}, Next: s.Options[0].Next})
			}
		}},
		{"no answers", func(s *passerelle.Step) { s.Options = nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := withStep(proc, choice, c.edit)
			for _, lang := range []passerelle.Lang{"fr", "ar"} {
				pv := preview(t, bad, choice.ID, lang)
				if inked := inkShare(pv.Image); inked < 0.02 {
					t.Errorf("%s: only %.1f%% of the screen is drawn", lang, 100*inked)
				}
			}
		})
	}
}

// TestPreviewRefusesWhatItCannotDraw names what is missing.
func TestPreviewRefusesWhatItCannotDraw(t *testing.T) {
	proc := shippedProcedure(t, "caf-quarterly-declaration")
	cases := []struct {
		name string
		req  ui.PreviewRequest
		want string
	}{
		{"no procedure", ui.PreviewRequest{Lang: "fr"}, "no procedure"},
		{"an unknown step", ui.PreviewRequest{Procedure: proc, StepID: "nowhere", Lang: "fr"}, `no step "nowhere"`},
		{"a language the procedure lacks", ui.PreviewRequest{Procedure: proc, StepID: proc.First().ID, Lang: "fa"}, `no "fa" texts`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ui.RenderPreview(c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// TestPreviewsAtOnce: the hub's handlers draw previews from many
// goroutines; each gets its own screen (run with -race).
func TestPreviewsAtOnce(t *testing.T) {
	proc := shippedProcedure(t, "caf-quarterly-declaration")
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(proc.Steps))
	for _, st := range proc.Steps[:6] {
		for _, lang := range []passerelle.Lang{"fr", "ar"} {
			wg.Go(func() {
				data, err := ui.PreviewPNG(ui.PreviewRequest{Procedure: proc, StepID: st.ID, Lang: lang, Size: fyne.NewSize(1024, 768)})
				if err != nil {
					errs <- err
					return
				}
				img, err := png.Decode(bytes.NewReader(data))
				if err != nil {
					errs <- err
					return
				}
				if b := img.Bounds(); b.Dx() != 1024 || b.Dy() != 768 {
					t.Errorf("%s/%s: drawn %v", lang, st.ID, b)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkPreview measures one preview of a choice step in Arabic, PNG
// included: what a click in the editor costs the hub.
func BenchmarkPreview(b *testing.B) {
	proc := shippedProcedure(b, "caf-quarterly-declaration")
	var choice string
	for _, s := range proc.Steps {
		if s.Kind == passerelle.KindChoice {
			choice = s.ID
			break
		}
	}
	for _, lang := range []passerelle.Lang{"fr", "ar"} {
		b.Run(string(lang), func(b *testing.B) {
			for b.Loop() {
				if _, err := ui.PreviewPNG(ui.PreviewRequest{Procedure: proc, StepID: choice, Lang: lang}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func preview(t testing.TB, p *passerelle.Procedure, stepID string, lang passerelle.Lang) *ui.Preview {
	t.Helper()
	pv, err := ui.RenderPreview(ui.PreviewRequest{Procedure: p, StepID: stepID, Lang: lang})
	if err != nil {
		t.Fatalf("preview %s/%s: %v", p.ID, stepID, err)
	}
	return pv
}

// shippedProcedure loads one procedure of the shipped catalog.
func shippedProcedure(t testing.TB, id string) *passerelle.Procedure {
	t.Helper()
	res, err := procedure.Load(t.Context(), shipped)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Procedures {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no procedure %s in %s", id, shipped)
	return nil
}

// withStep is p with a changed copy of step st, as an editor's draft.
func withStep(p *passerelle.Procedure, st *passerelle.Step, edit func(*passerelle.Step)) *passerelle.Procedure {
	cp := *p
	changed := *st
	changed.Options = append([]*passerelle.Option(nil), st.Options...)
	edit(&changed)
	cp.Steps = nil
	for _, s := range p.Steps {
		if s == st {
			s = &changed
		}
		cp.Steps = append(cp.Steps, s)
	}
	cp.Index()
	return &cp
}

// differentPixels counts the pixels that differ between two images of the
// same size (all of them when the sizes differ) and gives the first.
func differentPixels(a, b image.Image) (int, image.Point) {
	na, nb := nrgba(a), nrgba(b)
	if na.Bounds() != nb.Bounds() {
		return na.Bounds().Dx() * na.Bounds().Dy(), na.Bounds().Max
	}
	if bytes.Equal(na.Pix, nb.Pix) {
		return 0, image.Point{}
	}
	n, first := 0, image.Point{}
	for i := 0; i < len(na.Pix); i += 4 {
		if !bytes.Equal(na.Pix[i:i+4], nb.Pix[i:i+4]) {
			if n == 0 {
				first = image.Pt(i/4%na.Bounds().Dx(), i/4/na.Bounds().Dx())
			}
			n++
		}
	}
	return n, first
}

// inkShare is the part of the image that is not the white background.
func inkShare(img image.Image) float64 {
	n := nrgba(img)
	inked := 0
	for i := 0; i < len(n.Pix); i += 4 {
		if n.Pix[i] < 0xF0 || n.Pix[i+1] < 0xF0 || n.Pix[i+2] < 0xF0 {
			inked++
		}
	}
	return float64(inked) / float64(len(n.Pix)/4)
}

// nrgba is img as NRGBA pixels from (0, 0), as Fyne's capture makes them.
func nrgba(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) && n.Stride == 4*n.Rect.Dx() {
		return n
	}
	b := img.Bounds()
	n := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(n, n.Bounds(), img, b.Min, draw.Src)
	return n
}
