package procedure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"passerelle/app/passerelle"
)

// FuzzReadPlaces feeds the places reader arbitrary files, seeded with the
// shipped places and broken hours. No input may panic; every message is
// short, printable and placed in the file; places read without problems
// have sound hours (sorted ranges inside the day, never overlapping).
func FuzzReadPlaces(f *testing.F) {
	src, err := os.ReadFile("../../data/procedures/places.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src)
	f.Add([]byte("places:\n  - id: a\n    hours: [\"mo-fr 09:00-12:00,11:00-13:00\", \" sa  9h00-12h00 \", \"di-lu 25:00-\"]\n"))
	f.Add([]byte("places: [{id: a, name: b, kind: library, address: c, phone: 3949, hours: [mo 00:00-24:00], closed: [2026-12-24..2026-12-20], helps: [x]}]"))
	f.Add([]byte("places:\n  - hours: |\n      mo-fr 09:00-12:00\n"))
	shared, _ := filepath.Abs("testdata/catalog/pictograms")
	cache := &mediaCache{}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := &procReader{reader: reader{file: "places.yaml"}, dir: shared, shared: shared, media: cache}
		var out placesRead
		places := r.readPlaces(src, &out)
		lines := strings.Count(string(src), "\n") + strings.Count(string(src), "\r") + 1 // a lone CR ends a line too
		for _, pr := range r.problems {
			if n := utf8.RuneCountInString(pr.Message); n > 500 || !utf8.ValidString(pr.Message) || pr.Line > lines+1 {
				t.Errorf("problem %d characters at line %d of %d: %q", n, pr.Line, lines, pr.Message)
			}
		}
		if len(r.problems) > 0 {
			return
		}
		for _, p := range places {
			checkHours(t, p)
		}
	})
}

func checkHours(t *testing.T, p *passerelle.Place) {
	t.Helper()
	for d, ranges := range p.Hours.Week {
		for i, rg := range ranges {
			if rg.From < 0 || rg.To > 24*60 || rg.From >= rg.To || i > 0 && rg.From < ranges[i-1].To {
				t.Errorf("place %s, day %d: ranges %v", p.ID, d, ranges)
			}
		}
	}
}
