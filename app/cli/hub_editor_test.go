package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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

	// What is typed and not saved: the page posts its form, the hub draws
	// the procedure with it, and saves nothing.
	d, err := web.Editor.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	_, page = read(c.Get(srv.URL + "/procedures/create-email"))
	csrf = regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatalf("no form on the editor's page:\n%s", page)
	}
	typed := "Créer mon adresse email"
	resp, got := read(c.PostForm(srv.URL+"/procedures/create-email/preview?step=&lang=fr", url.Values{
		"csrf": {string(csrf[1])}, "rev": {strconv.Itoa(d.Meta.Revision)}, "title.fr": {typed}}))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the preview of what is typed: %s %s", resp.Status, got)
	}
	saved := p.Title["fr"]
	p.Title["fr"] = typed
	want, err := ui.PreviewPNG(ui.PreviewRequest{Procedure: p, StepID: "", Lang: "fr", Places: res.Places})
	p.Title["fr"] = saved
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the preview of what is typed is not the kiosk's drawing of the procedure with the typed title")
	}
	after, err := web.Editor.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	if after.Meta.Revision != d.Meta.Revision || after.Doc.Title["fr"] != saved {
		t.Errorf("the preview saved: revision %d to %d, the title is %q", d.Meta.Revision, after.Meta.Revision, after.Doc.Title["fr"])
	}
	if _, asSaved := read(c.Get(srv.URL + "/procedures/create-email/preview?step=&lang=fr")); bytes.Equal(asSaved, got) {
		t.Errorf("after the preview of what is typed, the saved procedure draws with the typed title")
	}
	// A form the validator refuses is said, not drawn.
	resp, body := read(c.PostForm(srv.URL+"/procedures/create-email/preview?step=&lang=fr", url.Values{
		"csrf": {string(csrf[1])}, "rev": {strconv.Itoa(d.Meta.Revision)}, "title.fr": {""}}))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "What is typed cannot be drawn") {
		t.Errorf("a typed form without its French title: %s %s", resp.Status, body)
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
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(toneLevel*math.Sin(2*math.Pi*440*float64(i)/rate))))
	}
	return b
}
