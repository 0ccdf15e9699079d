package hubweb_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passerelle/app/hubweb"
	"passerelle/app/procedure"
)

// sharedPictograms is the shipped catalog's shared folder.
const sharedPictograms = shippedCatalog + "/pictograms"

// TestPictogramSearch lists the shipped shared pictograms by words of
// their names, capitals and accents aside.
func TestPictogramSearch(t *testing.T) {
	p := &hubweb.Pictograms{Dir: sharedPictograms, ImagePrefix: "/editor/pictograms/"}
	all, err := p.List("")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(sharedPictograms, "*.svg"))
	if len(all) != len(files) || len(all) < 50 {
		t.Errorf("listed %d pictograms, the folder holds %d", len(all), len(files))
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"carte vitale", []string{"carte-vitale.svg"}},
		{"CARTÉ", []string{"carte-vitale.svg"}},
		{"id card", []string{"id-card.svg", "proc-ants-id-card.svg"}},
		{"place lib", []string{"place-library.svg"}},
		{"  ", nil}, // every one
		{"nothing is called this", []string{}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			got, err := p.List(c.query)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == nil {
				if len(got) != len(all) {
					t.Errorf("%d listed, want all %d", len(got), len(all))
				}
				return
			}
			var names []string
			for _, g := range got {
				names = append(names, g.File)
				if g.URL != "/editor/pictograms/"+g.File {
					t.Errorf("%s served at %s", g.File, g.URL)
				}
			}
			if strings.Join(names, ",") != strings.Join(c.want, ",") {
				t.Errorf("found %v, want %v", names, c.want)
			}
		})
	}
}

// TestPictogramImages serves the shared images over loopback, and nothing
// else: no file outside the folder, by name or by link.
func TestPictogramImages(t *testing.T) {
	dir := t.TempDir()
	svg, _ := os.ReadFile(filepath.Join(sharedPictograms, "id-card.svg"))
	os.WriteFile(filepath.Join(dir, "id-card.svg"), svg, 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.svg"), svg, 0o644)
	secret := filepath.Join(t.TempDir(), "secret.svg")
	os.WriteFile(secret, []byte("<svg>secret</svg>"), 0o644)
	os.Symlink(secret, filepath.Join(dir, "link.svg"))
	p := &hubweb.Pictograms{Dir: dir, ImagePrefix: "/p/"}
	srv := httptest.NewServer(http.StripPrefix("/p", p.ImageHandler()))
	t.Cleanup(srv.Close)
	cases := []struct {
		path string
		code int
	}{
		{"/p/id-card.svg", 200},
		{"/p/..%2f..%2fsecret.svg", 404},
		{"/p/.hidden.svg", 404},
		{"/p/link.svg", 404},
		{"/p/missing.svg", 404},
		{"/p/id-card.txt", 404},
	}
	for _, c := range cases {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%s: %d, want %d", c.path, resp.StatusCode, c.code)
		}
		if bytes.Contains(body, []byte("secret")) {
			t.Errorf("%s: served a file outside the folder", c.path)
		}
		if c.code == 200 {
			if !bytes.Equal(body, svg) || resp.Header.Get("Content-Type") != "image/svg+xml" ||
				!strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("%s: served %d bytes as %s, CSP %q", c.path, len(body), resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"))
			}
		}
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.Black)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// drawing is a small SVG the kiosk draws, with extra inside it.
func drawing(extra string) []byte {
	return []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">` +
		`<rect x="10" y="10" width="80" height="80" fill="#0B3D91"/>` + extra + `</svg>`)
}

// TestStorePictogram stores images staff upload, and refuses in plain
// words those the kiosk cannot draw or that hold what a picture must not,
// keeping the pictogram stored before.
func TestStorePictogram(t *testing.T) {
	shippedSVG, _ := os.ReadFile(filepath.Join(sharedPictograms, "id-card.svg"))
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 64, 64)), nil)
	laughs := `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` + string(drawing("<desc>&b;</desc>"))
	cases := []struct {
		name     string
		filename string
		data     []byte
		stored   string // the file stored, "" when refused
		says     string
	}{
		{"a shipped SVG", "carte.svg", shippedSVG, "pictograms/step.svg", ""},
		{"a PNG", "dessin.png", pngOf(t, 256, 256), "pictograms/step.png", ""},
		{"a PNG named .svg", "dessin.svg", pngOf(t, 64, 64), "pictograms/step.png", ""},
		{"an SVG with no extension", "dessin", drawing(""), "pictograms/step.svg", ""},
		{"Illustrator's SVG 1.1, with its DOCTYPE", "ai.svg", append([]byte(`<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
`), drawing(`<linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient><rect fill="url(#g)" width="5" height="5"/><use xlink:href="#g"/>`)...), "pictograms/step.svg", ""},
		{"a script", "x.svg", drawing(`<script>alert(document.cookie)</script>`), "", "a script"},
		{"an onload attribute", "x.svg", drawing(`<g onload="alert(1)"/>`), "", "a script"},
		{"a link to a page", "x.svg", drawing(`<a xlink:href="https://evil.example/"><rect width="5" height="5"/></a>`), "", "a link"},
		{"an image of another file", "x.svg", drawing(`<image href="file:///etc/passwd" width="10" height="10"/>`), "", "a link"},
		{"a style fetching elsewhere", "x.svg", drawing(`<style>rect{fill:url(https://evil.example/x)}</style>`), "", "a link"},
		{"a web page inside", "x.svg", drawing(`<foreignObject><p>hi</p></foreignObject>`), "", "foreignObject"},
		{"billion laughs", "x.svg", []byte(laughs), "", "entities"},
		{"text not turned into paths", "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><text x="10" y="50">Carte</text></svg>`), "", "draws nothing"},
		{"a PNG 5000 pixels wide", "x.png", pngOf(t, 5000, 2), "", "at most 4096"},
		{"a JPEG photo", "photo.jpg", jpg.Bytes(), "", "save it as PNG"},
		{"a JPEG named .png", "photo.png", jpg.Bytes(), "", "JPEG"},
		{"a compressed SVG", "x.svgz", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), "", "compressed"},
		{"a text file", "notes.txt", []byte("hello, this is not an image"), "", "must be"},
		{"an empty file", "x.png", nil, "", "empty"},
		{"a cut PNG", "x.png", pngOf(t, 64, 64)[:60], "", "not a readable PNG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			first := filepath.Join(t.TempDir(), "first.svg")
			os.WriteFile(first, drawing(""), 0o644)
			if _, err := hubweb.StorePictogram(first, dir, "pictograms/step"); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), c.filename)
			os.WriteFile(src, c.data, 0o644)
			file, err := hubweb.StorePictogram(src, dir, "pictograms/step")
			if c.stored == "" {
				var refused *hubweb.PictogramRefused
				if !errorsAs(err, &refused) || !strings.Contains(err.Error(), c.says) {
					t.Fatalf("error %v, want a refusal saying %q", err, c.says)
				}
				if strings.Contains(err.Error(), "ffmpeg") || strings.Contains(err.Error(), "/tmp") {
					t.Errorf("refusal %q speaks of commands or the hub's folders", err)
				}
				if kept, _ := os.ReadFile(filepath.Join(dir, "pictograms", "step.svg")); !bytes.Equal(kept, drawing("")) {
					t.Error("the pictogram stored before was changed")
				}
				return
			}
			if err != nil || file != c.stored {
				t.Fatalf("stored %q, %v; want %s", file, err, c.stored)
			}
			if _, err := procedure.CheckPictogram(filepath.Join(dir, file)); err != nil {
				t.Errorf("the catalog's loader refuses the stored file: %v", err)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, file)); !bytes.Equal(got, c.data) {
				t.Error("the stored image is not the uploaded one")
			}
		})
	}
}

// TestEveryShippedPictogramIsTaken: what staff made so far passes the
// upload's checks too.
func TestEveryShippedPictogramIsTaken(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedPictograms, "*.svg"))
	dir := t.TempDir()
	for _, f := range files {
		if _, err := hubweb.StorePictogram(f, dir, "p"); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// TestPictogramUpload posts images as the editor's page does.
func TestPictogramUpload(t *testing.T) {
	draft := t.TempDir()
	var told []string
	p := &hubweb.Pictograms{
		Target: func(r *http.Request) (string, string, error) { return draft, "step-" + r.URL.Query().Get("step"), nil },
		Stored: func(r *http.Request, file string) error { told = append(told, file); return nil },
	}
	srv := httptest.NewServer(p.UploadHandler())
	t.Cleanup(srv.Close)
	send := func(filename string, data []byte) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", "token")
		fw, _ := mw.CreateFormFile(hubweb.PictogramField, filename)
		fw.Write(data)
		mw.Close()
		resp, err := http.Post(srv.URL+"/?step=welcome", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		text, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(text)
	}
	code, text := send("dessin.png", pngOf(t, 128, 128))
	var answer struct{ File string }
	json.Unmarshal([]byte(text), &answer)
	if code != 200 || answer.File != "step-welcome.png" || len(told) != 1 {
		t.Errorf("answer %d %q, Stored told %v", code, text, told)
	}
	if code, text := send("evil.svg", drawing("<script>alert(1)</script>")); code != 422 || !strings.Contains(text, "This image cannot be used: the SVG image holds a script") {
		t.Errorf("answer %d %q", code, text)
	}
	if code, text := send("big.png", make([]byte, 3<<20)); code != 413 || !strings.Contains(text, "at most 2 MB") {
		t.Errorf("answer %d %q", code, text)
	}
}

// FuzzStorePictogram: whatever bytes are uploaded, StorePictogram refuses
// them or stores a file the catalog's loader accepts.
func FuzzStorePictogram(f *testing.F) {
	shipped, _ := os.ReadFile(filepath.Join(sharedPictograms, "id-card.svg"))
	f.Add(shipped)
	f.Add(drawing(`<g onload="x"/>`))
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)))
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		src := filepath.Join(t.TempDir(), "upload")
		os.WriteFile(src, data, 0o644)
		dir := t.TempDir()
		file, err := hubweb.StorePictogram(src, dir, "p")
		if err != nil {
			var refused *hubweb.PictogramRefused
			if !errorsAs(err, &refused) {
				t.Fatalf("not a refusal: %v", err)
			}
			return
		}
		if _, err := procedure.CheckPictogram(filepath.Join(dir, file)); err != nil {
			t.Fatalf("stored a file the loader refuses: %v", err)
		}
	})
}

func errorsAs(err error, target **hubweb.PictogramRefused) bool {
	r, ok := err.(*hubweb.PictogramRefused)
	if ok {
		*target = r
	}
	return ok
}
