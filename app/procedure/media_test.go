package procedure

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pngHeader is the start of a PNG file announcing an image of w × h pixels,
// with no pixels after it.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// Media are checked as the kiosk uses them: sizes first, before anything is
// decoded, then recordings through the kiosk's own decoding.
func TestDecodeMedia(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	copyOf := func(src, name string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("../audio/testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		return file(name, data)
	}
	bigPNG := file("photo.png", append(pngHeader(800, 600), make([]byte, maxPictogramBytes)...))
	var svgz bytes.Buffer
	gz := gzip.NewWriter(&svgz)
	gz.Write([]byte(illustratorSVG))
	gz.Close()
	for _, tc := range []struct {
		name   string
		path   string
		kind   mediaKind
		want   string        // in the error, "" when accepted
		length time.Duration // of an accepted recording
	}{
		{"pictogram too big a file", bigPNG, pictogram, "the image is 2.0 MB; a pictogram may be at most 2 MB", 0},
		{"pictogram announcing a huge image", file("bomb.png", pngHeader(100000, 100000)), pictogram,
			"the image is 100000 × 100000 pixels; a pictogram may be at most 4096 × 4096", 0},
		{"opus from a phone", copyOf("opus.ogg", "message.ogg"), recording,
			"it is an Opus recording in an Ogg file (as phones and browsers record), which the kiosk cannot play; to convert it, in its folder, run: ffmpeg -i 'message.ogg' -ar 44100 'message.wav'", 0},
		{"m4a", copyOf("aac.m4a", "message.m4a"), recording, "it is an MP4 file (M4A, usually AAC sound)", 0},
		{"an image given as a recording", file("dot.wav", pngHeader(10, 10)), recording, "it is an image, not a recording", 0},
		{"Inkscape drawing", file("maison.svg", []byte(inkscapeSVG)), pictogram, "", 0},
		{"Illustrator export", file("oui.svg", []byte(illustratorSVG)), pictogram, "", 0},
		{"SVG sized in mm without viewBox", file("mm.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="50mm" height="50mm"><rect width="40" height="40" fill="blue"/></svg>`)), pictogram, "", 0},
		{"SVG of text only", file("texte.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><text x="10" y="50">OUI</text></svg>`)), pictogram,
			"the SVG image draws nothing the kiosk can show: its text must be turned into paths", 0},
		{"SVG of an embedded photo", file("photo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><image width="100" height="100" href="data:image/png;base64,iVBORw0KGgo="/></svg>`)), pictogram,
			"a picture inside it is not drawn", 0},
		{"SVG with XML entities", file("ancien.svg", []byte(`<?xml version="1.0"?>
<!DOCTYPE svg [ <!ENTITY ns_svg "http://www.w3.org/2000/svg"> ]>
<svg xmlns="&ns_svg;" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>`)), pictogram, "the SVG image uses XML entities", 0},
		{"SVG sized in percent", file("pourcent.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%"><rect width="5" height="5"/></svg>`)), pictogram,
			"the SVG image has no size: give it a viewBox", 0},
		{"SVGZ named .svg", file("oui.svg.svg", svgz.Bytes()), pictogram,
			"it is a compressed SVG image (SVGZ) named .svg; a pictogram must be .svg or .png: to uncompress it, in its folder, run: gunzip -c 'oui.svg.svg' > 'oui.svg-converted.svg'", 0},
		{"SVGZ", file("oui.svgz", svgz.Bytes()), pictogram, "to uncompress it, in its folder, run: gunzip -c 'oui.svgz' > 'oui.svg'", 0},
		{"JPEG named .png", file("l'accueil.png", encode(t, jpeg.Encode)), pictogram,
			"it is a JPEG photo named .png; a pictogram must be .svg or .png: to convert it, in its folder, run: ffmpeg -i 'l'\\''accueil.png' 'l'\\''accueil-converted.png'", 0},
		{"JPEG", file("photo.JPG", encode(t, jpeg.Encode)), pictogram, "it is a JPEG photo; a pictogram must be .svg or .png", 0},
		{"iPhone photo named .png", file("iphone.png", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")), pictogram,
			"it is an HEIC or AVIF photo named .png; a pictogram must be .svg or .png: open it in a photo editor and save it as PNG", 0},
		{"SVG named .png", file("oui.png", []byte(illustratorSVG)), pictogram, "it is an SVG image named .png: rename it to oui.svg", 0},
		{"16-bit PNG", file("deep.png", encodePNG(t, image.NewNRGBA64(image.Rect(0, 0, 8, 8)))), pictogram, "", 0},
		{"paletted PNG", file("palette.png", encodePNG(t, image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White}))), pictogram, "", 0},
		{"MP3 named .wav", copyOf("mp3-id3-22k.mp3", "bonjour.wav"), recording, "", 300 * time.Millisecond},
		{"24-bit stereo WAV", copyOf("wav-s24-stereo-48k.wav", "bonjour.wav"), recording, "", 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := os.Stat(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			media, err := (&mediaCache{}).decode(tc.path, info, tc.kind)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "" && media.Duration != tc.length:
				t.Errorf("duration %s, want %s", media.Duration, tc.length)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("decode: %v\nwant %q", err, tc.want)
			}
		})
	}
}

// inkscapeSVG is a drawing as Inkscape saves it: its own namespaces and
// elements, metadata, a gradient by reference, a layer with a transform,
// sizes in mm.
const inkscapeSVG = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg width="210mm" height="210mm" viewBox="0 0 210 210" version="1.1" id="svg5"
   inkscape:version="1.2.2 (b0a8486541, 2022-12-01)" sodipodi:docname="maison.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="namedview7" pagecolor="#ffffff" inkscape:document-units="mm" showgrid="false" />
  <defs id="defs2">
    <linearGradient inkscape:collect="always" id="linearGradient1"><stop style="stop-color:#0055d4;stop-opacity:1" offset="0" /><stop style="stop-color:#80b3ff;stop-opacity:1" offset="1" /></linearGradient>
    <linearGradient xlink:href="#linearGradient1" id="linearGradient2" x1="20" y1="20" x2="190" y2="190" gradientUnits="userSpaceOnUse" />
  </defs>
  <metadata id="metadata5"><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format></cc:Work></rdf:RDF></metadata>
  <g inkscape:label="Calque 1" inkscape:groupmode="layer" id="layer1" transform="translate(-10.5,-20.25)">
    <path style="fill:url(#linearGradient2);stroke:#000000;stroke-width:4" d="m 115.5,40 -80,70 v 100 h 160 v -100 z" sodipodi:nodetypes="cccccc" />
    <rect style="fill:#ffcc00" width="40" height="60" x="95.5" y="150" ry="3" />
    <text xml:space="preserve" style="font-size:10px" x="30" y="230"><tspan sodipodi:role="line" x="30" y="230">Mairie</tspan></text>
  </g>
</svg>`

// illustratorSVG is a drawing as Illustrator exports it: classes in a
// <style> element.
const illustratorSVG = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<svg version="1.1" id="Calque_1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px"
	 viewBox="0 0 512 512" style="enable-background:new 0 0 512 512;" xml:space="preserve">
<style type="text/css">
	.st0{fill:#E30613;}
	.st1{fill:#FFFFFF;stroke:#1D1D1B;stroke-width:8;stroke-miterlimit:10;}
</style>
<g>
	<circle class="st0" cx="256" cy="256" r="200"/>
	<polygon class="st1" points="156,256 236,336 376,176 "/>
</g>
</svg>`

func encode(tb testing.TB, enc func(io.Writer, image.Image, *jpeg.Options) error) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := enc(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// FuzzDecodeSVG feeds the SVG check hostile variants of real drawings: it
// must answer, accept or refuse, and never panic or hang; and it must say
// a drawing paints something exactly when drawing it in full does.
func FuzzDecodeSVG(f *testing.F) {
	f.Add([]byte(inkscapeSVG))
	f.Add([]byte(illustratorSVG))
	f.Add([]byte(`<svg viewBox="0 0 1e9 1e-9"><path d="M0 0L1e30 1e30" stroke-width="1e20"/></svg>`))
	f.Add([]byte(`<svg viewBox="0 0 100 100"><rect width="40" height="40" fill="none"/><circle cx="50" cy="50" r="1"/></svg>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = decodeSVG(data)
		checkDrawsSomething(t, "the drawing", data)
	})
}
