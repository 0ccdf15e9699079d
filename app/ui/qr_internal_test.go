package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// TestEverySummaryFitsAndDecodes encodes the summary of every end step of
// the shipped catalog, with its example places, in every language, draws
// it as the end screen does at the sizes it gets (from 800×480 to full
// HD), and decodes the drawing with ZXing's Go port: every code reads
// back exactly, within the size a cheap phone reads.
func TestEverySummaryFitsAndDecodes(t *testing.T) {
	res, err := procedure.Load(context.Background(), "../../data/procedures")
	if err != nil || len(res.Problems) > 0 || len(res.Places) == 0 {
		t.Fatalf("shipped catalog: %v %v, %d places", err, res.Problems, len(res.Places))
	}
	biggest := 0
	for _, p := range res.Procedures {
		places := passerelle.PlacesFor(res.Places, p.ID)
		for _, st := range p.Steps {
			if st.Kind != passerelle.KindEnd {
				continue
			}
			for _, lang := range p.Langs {
				text := summaryFor(p, st, places, lang)
				code, err := newQRCode(text)
				if err != nil {
					t.Errorf("%s/%s/%s: %v", p.ID, st.ID, lang, err)
					continue
				}
				biggest = max(biggest, code.Modules())
				for _, side := range []int{180, 300, 520} {
					img := code.Image(side, side)
					bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
					got, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"})
					if err != nil || got.GetText() != text {
						t.Errorf("%s/%s/%s at %d px (%d modules): read %v, %v", p.ID, st.ID, lang, side, code.Modules(), got, err)
						writeImage(t, filepath.Join("testdata", "failed", p.ID+"-"+st.ID+"-"+string(lang)+".png"), img)
					}
				}
				if len(places) > 0 && !containsPlace(text, places[0]) {
					t.Errorf("%s/%s/%s: the summary has no place to go:\n%s", p.ID, st.ID, lang, text)
				}
			}
		}
	}
	t.Logf("the biggest code has %d modules a side (version %d)", biggest, (biggest-17)/4)
}

func containsPlace(text string, p *passerelle.Place) bool { return strings.Contains(text, p.Name) }

// writeImage keeps a drawing a test failed on, for a person to look at.
func writeImage(t testing.TB, file string, img image.Image) {
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

// BenchmarkSummaryQR is the work the end screen does before it appears:
// the summary cut to fit (each try encodes a code) and its code encoded,
// for the longest end step of the shipped catalog, in Arabic (two bytes a
// letter), with three places.
func BenchmarkSummaryQR(b *testing.B) {
	res, err := procedure.Load(context.Background(), "../../data/procedures")
	if err != nil || len(res.Places) == 0 {
		b.Fatal(err, len(res.Places))
	}
	var proc *passerelle.Procedure
	var end *passerelle.Step
	for _, p := range res.Procedures {
		for _, st := range p.Steps {
			if st.Kind == passerelle.KindEnd && (end == nil || len(st.Say["ar"])+len(st.Bring)*40 > len(end.Say["ar"])+len(end.Bring)*40) {
				proc, end = p, st
			}
		}
	}
	places := passerelle.PlacesFor(res.Places, proc.ID)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := newQRCode(summaryFor(proc, end, places, "ar")); err != nil {
			b.Fatal(err)
		}
	}
}
