package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"passerelle/app/audio"
	"passerelle/app/lp"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// testPlaces are help places of a test town. At the rigs' start time,
// Tuesday 24 November 2026 at 10:00 in Paris, the France Services office
// is open and the library closed (it opens at 14:00); the CCAS helps with
// another procedure only.
const testPlaces = `places:
  - id: library
    name: Bibliothèque du Centre
    kind: library
    address: 5 rue des Écoles, 35999 Test
    phone: 02 99 00 20 30
    hours: ["tu,th 14:00-18:00"]
    helps: [ameli-attestation]
  - id: fs
    name: France Services Test
    kind: france-services
    address: 2 place de la Mairie, 35999 Test
    phone: 02.99.00.10.10
    hours: ["mo-fr 09:00-12:00,13:30-17:00"]
    closed: [2026-12-25]
    helps: [ameli-attestation, caf-quarterly-declaration]
  - id: ccas
    name: CCAS Test
    kind: ccas
    address: 3 place de la Mairie, 35999 Test
    phone: 02 99 00 10 20
    hours: ["mo-fr 09:00-12:00"]
    helps: [create-email]
`

// placesCatalog is the shipped catalog with testPlaces as its places.
func placesCatalog(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(shipped)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "places.yaml"), []byte(testPlaces), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// heard is the real player, telling each prompt it is asked to say on a
// channel, so a test waits for a sentence said after background work.
type heard struct {
	passerelle.Player
	said chan passerelle.Prompt
}

func (h *heard) Play(ctx context.Context, prompts ...passerelle.Prompt) error {
	for _, p := range prompts {
		select {
		case h.said <- p:
		default: // a test that does not listen loses nothing it waits for
		}
	}
	return h.Player.Play(ctx, prompts...)
}

// drain forgets what was said so far: the channel then has room for what
// the test waits for.
func (h *heard) drain() {
	for {
		select {
		case <-h.said:
		default:
			return
		}
	}
}

// waitSaid waits until the kiosk says text.
func (h *heard) waitSaid(t testing.TB, text string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case p := <-h.said:
			if p.Text == text {
				return
			}
		case <-deadline:
			t.Fatalf("the kiosk never said %q", text)
		}
	}
}

// syncBuffer is a log a goroutine may write while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// newPrinterRig is newRig with a printer, a player that tells what it
// says, and a log the test reads.
func newPrinterRig(t testing.TB, source passerelle.CatalogSource, printer passerelle.Printer) (*rig, *heard, *syncBuffer) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.Theme())
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(log, nil))
	sink := audio.NewNullSink(0)
	player := audio.NewPlayer(sink, audio.NewSpeech(speechCache, ""), audio.WithLogger(logger))
	t.Cleanup(func() { player.Close() })
	h := &heard{Player: player, said: make(chan passerelle.Prompt, 256)}
	asked := &promptLog{Player: h}
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1024, 768))
	t.Cleanup(w.Close)
	r := &rig{t: t, w: w, db: db, sink: sink, player: player, asked: asked, clock: &clock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}}
	r.k = ui.New(w, ui.Deps{Catalog: source, Store: db, Player: asked, Logger: logger, Now: r.clock.Now, Printer: printer}, ui.DefaultSettings)
	r.note()
	return r, h, log
}

// goToStep starts procID in lang and answers the way to stepID.
func (r *rig) goToStep(lang passerelle.Lang, procID, stepID string) {
	r.t.Helper()
	r.chooseLanguage(lang)
	r.startProcedure(procID)
	way := pathTo(r.t, r.k.Session().Proc, stepID)
	for _, to := range way {
		st := r.k.Session().Step()
		moved := false
		for _, m := range r.moves(st) {
			if m.to == to {
				m.do()
				moved = true
				break
			}
		}
		if !moved || r.k.Session().Step().ID != to {
			r.t.Fatalf("from %s: cannot reach %s", st.ID, to)
		}
	}
}

// pathTo is the ids of the steps from the first step's successor to
// stepID, found breadth first.
func pathTo(t testing.TB, p *passerelle.Procedure, stepID string) []string {
	t.Helper()
	from := map[string]string{p.First().ID: ""}
	queue := []string{p.First().ID}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if id == stepID {
			var way []string
			for at := id; at != p.First().ID; at = from[at] {
				way = append([]string{at}, way...)
			}
			return way
		}
		st, _ := p.Step(id)
		nexts := []string{st.Next}
		for _, o := range st.Options {
			nexts = append(nexts, o.Next)
		}
		for _, n := range nexts {
			if _, seen := from[n]; n != "" && !seen {
				from[n] = id
				queue = append(queue, n)
			}
		}
	}
	t.Fatalf("no way to %s in %s", stepID, p.ID)
	return nil
}

// TestHandoffShowsAndSaysTheHelpPlaces drives the real widgets to the
// ameli procedure's handoff step, loaded by the real loader, and checks
// which places are shown open or closed at a fixed time, that the signs
// are drawn green and grey, and that each place is said in the user's
// language with the rest of the screen.
func TestHandoffShowsAndSaysTheHelpPlaces(t *testing.T) {
	tests := []struct {
		name string
		lang passerelle.Lang
		at   time.Time // Paris time
		want []string  // "id open" or "id closed", in the order shown
	}{
		{"Tuesday morning in French", "fr", time.Date(2026, 11, 24, 10, 0, 0, 0, passerelle.PlacesZone), []string{"fs open", "library closed"}},
		{"Tuesday afternoon in Arabic", "ar", time.Date(2026, 11, 24, 15, 0, 0, 0, passerelle.PlacesZone), []string{"library open", "fs open"}},
		{"Christmas, a Friday, in English", "en", time.Date(2026, 12, 25, 10, 0, 0, 0, passerelle.PlacesZone), []string{"library closed", "fs closed"}},
	}
	dir := placesCatalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, openCatalog(t, dir))
			r.clock.Add(tt.at.Sub(r.clock.Now()))
			r.goToStep(tt.lang, "ameli-attestation", "no-number")
			s := r.k.Screen()
			var got []string
			for _, c := range s.Places {
				state := "closed"
				if c.Open {
					state = "open"
				}
				got = append(got, c.Place.ID+" "+state)
			}
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Fatalf("places shown %v, want %v", got, tt.want)
			}

			// What a person sees: the open sign is green, the closed one
			// grey, on the screen as drawn.
			shot := r.w.Canvas().Capture()
			for _, c := range s.Places {
				green, grey := signPixels(shot, r.w, c)
				if c.Open && (green < 400 || grey > green/4) || !c.Open && (grey < 400 || green > 0) {
					t.Errorf("%s (open %v): %d green and %d grey pixels on its card", c.Place.ID, c.Open, green, grey)
				}
			}

			// What a person hears: the step's sentence, then each place
			// with its state and phone, in the user's language.
			say := r.k.Session().Step().Say[tt.lang]
			played := r.played()
			var heardTexts []string
			for _, p := range played {
				if p.Prompt.Lang != tt.lang {
					continue
				}
				heardTexts = append(heardTexts, p.Prompt.Text)
			}
			all := strings.Join(heardTexts, "\n")
			at := strings.Index(all, say)
			if at < 0 {
				t.Fatalf("the step's sentence was not said; heard:\n%s", all)
			}
			rest := all[at:]
			for _, c := range s.Places {
				if !strings.Contains(rest, c.Place.Name) || !strings.Contains(rest, c.Place.Phone) {
					t.Errorf("place %s not said after the sentence with its phone; heard:\n%s", c.Place.ID, rest)
				}
			}
			if strings.Contains(rest, "CCAS Test") {
				t.Errorf("a place that does not help with this procedure was said")
			}
			for _, p := range played {
				if strings.Contains(p.Prompt.Text, s.Places[0].Place.Name) && (p.Source == "" || p.Duration <= 0) {
					t.Errorf("place prompt %q has no sound", p.Prompt.Text)
				}
			}
			if n := strings.Count(rest, stateWord(tt.lang, true)); n != strings.Count(strings.Join(tt.want, " "), "open") {
				t.Errorf("%q said %d times, want one per open place; heard:\n%s", stateWord(tt.lang, true), n, rest)
			}
		})
	}
}

// stateWord is what the kiosk says of an open or closed place.
func stateWord(lang passerelle.Lang, open bool) string {
	words := map[passerelle.Lang][2]string{"fr": {"Fermé maintenant.", "Ouvert maintenant."}, "en": {"Closed now.", "Open now."}, "ar": {"مغلق الآن.", "مفتوح الآن."}}
	if open {
		return words[lang][1]
	}
	return words[lang][0]
}

// signPixels counts the pixels of the open sign's green and the closed
// sign's grey inside a card, as drawn on the window.
func signPixels(shot image.Image, w fyne.Window, c *ui.PlaceCard) (green, grey int) {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c)
	scale := float32(shot.Bounds().Dx()) / w.Canvas().Size().Width
	x0, y0 := int(pos.X*scale), int(pos.Y*scale)
	x1, y1 := int((pos.X+c.Size().Width)*scale), int((pos.Y+c.Size().Height)*scale)
	near := func(a color.Color, r, g, b uint8) bool {
		ar, ag, ab, _ := a.RGBA()
		d := func(x uint32, y uint8) int { return max(int(x>>8)-int(y), int(y)-int(x>>8)) }
		return d(ar, r) < 12 && d(ag, g) < 12 && d(ab, b) < 12
	}
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			switch px := shot.At(x, y); {
			case near(px, 0x1B, 0x7F, 0x3B):
				green++
			case near(px, 0x8A, 0x8A, 0x8A):
				grey++
			}
		}
	}
	return green, grey
}

// TestHandoffWithoutPlacesIsAsBefore: a kiosk without a places file, and
// a procedure no place helps with, show and say the handoff step alone.
func TestHandoffWithoutPlacesIsAsBefore(t *testing.T) {
	tests := []struct {
		name         string
		removePlaces bool
	}{
		{"no places file", true},
		{"no place helps with the procedure", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			catalog := placesCatalog(t) // no test place helps with ants-id-card
			if tt.removePlaces {
				if err := os.Remove(filepath.Join(catalog, "places.yaml")); err != nil {
					t.Fatal(err)
				}
			}
			r := newRig(t, openCatalog(t, catalog))
			r.goToStep("fr", "ants-id-card", "need-help")
			if n := len(r.k.Screen().Places); n != 0 {
				t.Errorf("%d places shown, want none", n)
			}
			if got := r.asked.since(r.asked.count() - 1); len(got) != 1 || got[0].Text != r.k.Session().Step().Say["fr"] {
				t.Errorf("the step said %v, want its sentence alone", got)
			}
		})
	}
}

// TestEndScreenQRCodeCarriesTheSummary decodes the QR code from the
// screen as drawn (a screenshot of the window, decoded by ZXing's Go
// port), in each language: it must give back the summary, with what to
// bring, what to do and where to go.
func TestEndScreenQRCodeCarriesTheSummary(t *testing.T) {
	dir := placesCatalog(t)
	for _, lang := range []passerelle.Lang{"fr", "en", "ar"} {
		t.Run(string(lang), func(t *testing.T) {
			r := newRig(t, openCatalog(t, dir))
			r.goToStep(lang, "ameli-attestation", "done")
			s := r.k.Screen()
			if s.QR == nil {
				t.Fatal("no QR code on the end screen")
			}
			proc := r.k.Session().Proc
			st := r.k.Session().Step()
			for _, want := range []string{proc.Title[lang], proc.Documents["attestation"].Label[lang], proc.Documents["carte-vitale"].Label[lang], "France Services Test", "02 99 00 10 10"} {
				if !strings.Contains(s.QR.Text, want) {
					t.Errorf("summary lacks %q:\n%s", want, s.QR.Text)
				}
			}
			if !strings.Contains(s.QR.Text, string([]rune(st.Say[lang])[:20])) {
				t.Errorf("summary lacks the next steps:\n%s", s.QR.Text)
			}
			// The place open now comes first: it is the one to go to.
			if lib := strings.Index(s.QR.Text, "Bibliothèque du Centre"); lib >= 0 && lib < strings.Index(s.QR.Text, "France Services Test") {
				t.Errorf("the closed library comes before the open office:\n%s", s.QR.Text)
			}
			shot := r.w.Canvas().Capture()
			if got := decodeQR(t, shot); got != s.QR.Text {
				writePNG(t, filepath.Join("testdata", "failed", "qr-"+string(lang)+".png"), shot)
				t.Errorf("the QR code on screen reads\n%q\nwant the summary\n%q", got, s.QR.Text)
			}
			t.Logf("%s: %d bytes, %d modules a side", lang, len(s.QR.Text), s.QR.Modules())
			said := r.asked.since(0)
			if last := said[len(said)-1]; !strings.Contains(last.Text, map[passerelle.Lang]string{"fr": "carré", "en": "square", "ar": "مربع"}[lang]) {
				t.Errorf("the end screen does not say how to keep the code: last prompt %q", last.Text)
			}
		})
	}
}

// decodeQR reads the one QR code in an image.
func decodeQR(t testing.TB, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
	})
	if err != nil {
		t.Fatalf("no QR code read on the screen: %v", err)
	}
	return res.GetText()
}

// fakeLP puts first on PATH an lp that records its arguments and its
// standard input in dir, then exits with code, saying stderr: the kiosk
// runs it exactly as it would run CUPS's lp.
func fakeLP(t *testing.T, code int, stderr string) (dir string) {
	t.Helper()
	dir = t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" > %q\ncat > %q\nprintf '%%s' %q >&2\nexit %d\n",
		filepath.Join(dir, "args"), filepath.Join(dir, "stdin"), stderr, code)
	if err := os.WriteFile(filepath.Join(dir, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

func TestPrintTheSummary(t *testing.T) {
	dir := placesCatalog(t)
	tests := []struct {
		name     string
		lp       func(t *testing.T) string // makes the lp the kiosk finds; returns where it records
		wantSaid string
		wantLog  string
	}{
		{"lp takes the job", func(t *testing.T) string { return fakeLP(t, 0, "request id is receipt-7 (0 file(s))") },
			"Le papier sort de l'imprimante. Prenez-le.", ""},
		{"lp refuses the job", func(t *testing.T) string { return fakeLP(t, 1, "lp: The printer or class does not exist.") },
			"L'impression n'a pas marché. Demandez à l'accueil, s'il vous plaît.", "The printer or class does not exist."},
		{"lp is not installed", func(t *testing.T) string { t.Setenv("PATH", t.TempDir()); return "" },
			"L'impression n'a pas marché. Demandez à l'accueil, s'il vous plaît.", "lp is not installed (Debian package cups-client)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, h, log := newPrinterRig(t, openCatalog(t, dir), lp.Printer{Name: "receipt"})
			r.goToStep("fr", "ameli-attestation", "done")
			recorded := tt.lp(t) // after the walk: espeak-ng is found on the real PATH
			s := r.k.Screen()
			if s.Print == nil {
				t.Fatal("no print control on the end screen of a kiosk with a printer")
			}
			h.drain()
			r.tap(s.Print)
			h.waitSaid(t, tt.wantSaid)
			if !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, log.String())
			}
			if s.Print.Disabled() {
				t.Errorf("the print control stays disabled after the job")
			}
			if recorded == "" {
				return
			}
			args, _ := os.ReadFile(filepath.Join(recorded, "args"))
			if got := strings.Fields(string(args)); strings.Join(got, " ") != "-d receipt -t passerelle-summary -o document-format=text/plain" {
				t.Errorf("lp run with %q", got)
			}
			stdin, _ := os.ReadFile(filepath.Join(recorded, "stdin"))
			if string(stdin) != s.QR.Text {
				t.Errorf("the job's text is\n%q\nwant the summary of the QR code\n%q", stdin, s.QR.Text)
			}
		})
	}
}

// TestNoPrinterNoPrintControl: a kiosk without -printer offers no printing.
func TestNoPrinterNoPrintControl(t *testing.T) {
	r := newRig(t, openCatalog(t, placesCatalog(t)))
	r.goToStep("en", "ameli-attestation", "done")
	if r.k.Screen().Print != nil || r.k.Screen().QR == nil {
		t.Errorf("print control %v, QR %v; want no print control, a QR code", r.k.Screen().Print, r.k.Screen().QR)
	}
}

// writePNG keeps a screenshot a test failed on, for a person to look at.
func writePNG(t testing.TB, file string, img image.Image) {
	t.Helper()
	os.MkdirAll(filepath.Dir(file), 0o755)
	f, err := os.Create(file)
	if err != nil {
		t.Log(err)
		return
	}
	defer f.Close()
	png.Encode(f, img)
}
