package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/png"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/bundle"
	"passerelle/app/editor"
	"passerelle/app/hubapi"
	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// TestHubPreviewsADraft: the hub's page draws a step of a draft by the
// kiosk's own screens (previewStep, as passerelle hub wires it): the
// image it serves is the one ui.PreviewPNG draws of the procedure as the
// catalog's loader reads it, at the kiosk's screen size, in Arabic too.
func TestHubPreviewsADraft(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	cat := filepath.Join(root, "procedures")
	if err := os.CopyFS(cat, os.DirFS("../../data/procedures")); err != nil {
		t.Fatal(err)
	}
	store := sqlite.NewHubDB(filepath.Join(root, "hub.db"))
	if err := store.Open(); err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.AddStaffUser(ctx, "amina", passerelle.HashPassword("un cheval bleu 42", passerelle.PINParams{Memory: 64, Time: 1, Threads: 1}), time.Now()); err != nil {
		t.Fatal(err)
	}
	web := &hubweb.Server{Store: store, Now: time.Now, Editor: &editor.Editor{Catalog: cat, Dir: cat + "-editor"}, Preview: previewStep}
	srv := httptest.NewServer(hubHandler(&hubapi.Server{Store: store}, web))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	read := func(resp *http.Response, err error) (*http.Response, []byte) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	_, page := read(c.Get(srv.URL + "/login"))
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatalf("no sign-in form:\n%s", page)
	}
	read(c.PostForm(srv.URL+"/login", url.Values{"csrf": {string(csrf[1])}, "name": {"amina"}, "password": {"un cheval bleu 42"}}))

	res, err := procedure.Load(ctx, cat)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load: %v %v", err, res.Problems)
	}
	var p *passerelle.Procedure
	for _, pr := range res.Procedures {
		if pr.ID == "create-email" {
			p = pr
		}
	}
	for _, tc := range []struct{ step, lang string }{{p.Steps[1].ID, "fr"}, {p.Steps[1].ID, "ar"}, {"", "en"}} {
		resp, got := read(c.Get(srv.URL + "/procedures/create-email/preview?step=" + tc.step + "&lang=" + tc.lang))
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s/%s: %s %s", tc.step, tc.lang, resp.Status, got)
		}
		img, err := png.Decode(bytes.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != int(ui.DefaultPreviewSize.Width) || b.Dy() != int(ui.DefaultPreviewSize.Height) {
			t.Errorf("%s/%s: %v, want the kiosk's %v", tc.step, tc.lang, b, ui.DefaultPreviewSize)
		}
		want, err := ui.PreviewPNG(ui.PreviewRequest{Procedure: p, StepID: tc.step, Lang: passerelle.Lang(tc.lang), Places: res.Places})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s/%s: the page's preview is not the kiosk's drawing of the procedure", tc.step, tc.lang)
		}
		// The README's picture of a preview: the choice in Arabic.
		if path := os.Getenv("PASSERELLE_PREVIEW_SCREENSHOT"); path != "" && tc.lang == "ar" {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if resp, body := read(c.Get(srv.URL + "/procedures/create-email/preview?step=nowhere&lang=fr")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a step that does not exist: %s %s", resp.Status, body)
	}
}

// toneWAV is a 16-bit mono 440 Hz tone: the voice of a recording.
func toneWAV(ms int) []byte {
	const rate = 16000
	n := rate * ms / 1000
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i := range n {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(12000*math.Sin(2*math.Pi*440*float64(i)/rate))))
	}
	return b
}

// TestEditedProcedureReachesTheKiosk: a procedure written with the hub's
// editor (an info step with a recorded prompt, a choice, an end, in
// French and English) and published goes, through the hub's Publisher
// and the sync, to a joined kiosk, which offers it and plays the
// recorded prompt whole through the sound pipeline's null sink.
func TestEditedProcedureReachesTheKiosk(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	cat := filepath.Join(root, "procedures")
	if err := os.CopyFS(cat, os.DirFS("../../data/procedures")); err != nil {
		t.Fatal(err)
	}
	hubURL, hub := serveTestHub(t)
	pub := &bundle.Publisher{Dir: cat, Store: hub, Logger: slog.New(slog.DiscardHandler)}
	if err := pub.Open(); err != nil {
		t.Fatal(err)
	}
	defer pub.Close()

	// Written with the editor, as the page does.
	ed := &editor.Editor{Catalog: cat, Dir: cat + "-editor"}
	if err := ed.Create(ctx, "mairie-rdv", editor.Text{"fr": "Rendez-vous à la mairie", "en": "Town hall appointment"}, "amina"); err != nil {
		t.Fatal(err)
	}
	d, err := ed.Draft(ctx, "mairie-rdv")
	if err != nil {
		t.Fatal(err)
	}
	doc := d.Doc
	doc.Pictogram = "calendar.svg"
	doc.Intro = editor.Text{"fr": "Prenez un rendez-vous.", "en": "Make an appointment."}
	both := func(fr, en string) editor.Text { return editor.Text{"fr": fr, "en": en} }
	doc.Steps = []*editor.Step{
		{ID: "welcome", Kind: "info", Pictogram: "calendar.svg", Say: both("Bonjour.", "Hello."), Next: "has-email"},
		{ID: "has-email", Kind: "choice", Pictogram: "email.svg", Say: both("Avez-vous un email ?", "Do you have an email?"), Options: []*editor.Option{
			{ID: "yes", Pictogram: "yes.svg", Label: both("Oui", "Yes"), Next: "done"},
			{ID: "no", Pictogram: "no.svg", Label: both("Non", "No"), Next: "done"}}},
		{ID: "done", Kind: "end", Pictogram: "check.svg", Say: both("C'est fini.", "It is done.")},
	}
	if _, err := ed.Save(ctx, "mairie-rdv", d.Meta.Revision, doc, "amina"); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.PutMedia(ctx, "mairie-rdv", "audio/fr/welcome.wav", toneWAV(900), func(d *editor.Doc) error {
		d.Step("welcome").SetRecording("fr", "audio/fr/welcome.wav")
		return nil
	}, "amina"); err != nil {
		t.Fatal(err)
	}
	before, err := hub.LatestCatalogHash(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Publish(ctx, "mairie-rdv", "amina"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	for published := before; published == before; {
		select {
		case published = <-pub.Attempts():
		case <-deadline:
			t.Fatalf("the publisher did not publish the edited catalog: %v", pub.Problems())
		}
	}

	// A kiosk joined to the hub syncs it.
	token, err := hubapi.Enroll(ctx, hub, "mairie-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(root, "kiosk.db")
	var out, errOut strings.Builder
	if code := Run(ctx, []string{"join", "-db", db, "-hub", hubURL, "-token", token}, &out, &errOut); code != 0 {
		t.Fatalf("join: exit %d: %s", code, errOut.String())
	}
	withStaffPIN(t, db)
	c := testConfig(db)
	c.syncEvery = 50 * time.Millisecond
	c.tapGuard = time.Nanosecond // the test taps faster than a person
	sink := audio.NewNullSink(0)
	k, err := openKiosk(ctx, c, test.NewTempApp(t), sink, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	updates, cancel := k.watcher.Subscribe()
	defer cancel()
	deadline = time.After(30 * time.Second)
	for version(k.watcher.Catalog(), "mairie-rdv") != 1 {
		select {
		case <-updates:
		case <-deadline:
			t.Fatal("the edited procedure did not reach the kiosk within 30 s")
		}
	}
	var recorded time.Duration
	for _, p := range k.watcher.Catalog().Procedures {
		if p.ID == "mairie-rdv" {
			recorded = p.Steps[0].Audio["fr"].Duration
		}
	}
	if recorded < 800*time.Millisecond {
		t.Fatalf("the kiosk's welcome recording lasts %v; want the 0.9 s recorded", recorded)
	}

	// A person chooses French, then the procedure, then goes on: the
	// welcome's recorded prompt is played, whole.
	kiosk := k.ui
	tap := func(tile *ui.Tile) {
		t.Helper()
		if tile == nil {
			t.Fatalf("no such tile on %s", kiosk.Screen().Name)
		}
		test.Tap(tile)
	}
	tap(kiosk.Screen().Start)
	tap(kiosk.Screen().Tile("fr"))
	tap(kiosk.Screen().Next)
	for kiosk.Screen().Tile("mairie-rdv") == nil {
		tap(kiosk.Screen().NextPage)
	}
	tap(kiosk.Screen().Tile("mairie-rdv"))
	tap(kiosk.Screen().Next)
	wait, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	defer cancelWait()
	if err := sink.Wait(wait); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range sink.Records() {
		if strings.HasSuffix(filepath.ToSlash(r.Source), "mairie-rdv/audio/fr/welcome.wav") {
			found = true
			if r.Stopped || r.Err != nil || r.Duration < recorded-20*time.Millisecond {
				t.Errorf("the recorded prompt played %v of %v (stopped %v, %v); want it whole", r.Duration, recorded, r.Stopped, r.Err)
			}
		}
	}
	if !found {
		t.Errorf("the kiosk never played the recorded prompt; it played %+v", sink.Played())
	}
}
