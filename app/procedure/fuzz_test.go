package procedure

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"passerelle/app/passerelle"
)

// FuzzRead feeds the procedure reader arbitrary files, seeded with the
// shipped catalog, the test fixture and the hostile files of
// testdata/fuzz/FuzzRead (deep nesting, UTF-16, NUL bytes, aliases, huge
// texts and keys...). No input may panic; every message is short and
// printable; a file read without problems gives a procedure the kiosk can
// walk, whose texts all fit the screen.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob("../../data/procedures/*/procedure.yaml")
	seeds = append(seeds, "testdata/catalog/demo/procedure.yaml")
	for _, path := range seeds {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("id: x\nsteps: [{id: a, kind: end}]\n"))
	f.Add([]byte("&a [*a]"))
	cache := &mediaCache{}
	dir, _ := filepath.Abs("testdata/catalog/demo")
	shared, _ := filepath.Abs("testdata/catalog/pictograms")
	f.Fuzz(func(t *testing.T, src []byte) {
		r := &procReader{reader: reader{file: "procedure.yaml"}, dir: dir, shared: shared, media: cache,
			today: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), maxAge: DefaultSourcesMaxAge}
		p := r.read(src)
		for _, pr := range append(r.problems, r.warnings...) {
			if pr.Line < 0 || pr.Col < 0 || pr.Message == "" {
				t.Fatalf("malformed problem %+v", pr)
			}
			if n := utf8.RuneCountInString(pr.Message); n > 400 || pr.Message != printable(pr.Message) {
				t.Fatalf("message of %d characters, or not printable: %q", n, pr.Message)
			}
		}
		if len(r.problems) > maxProblems || len(r.warnings) > maxProblems {
			t.Fatalf("%d problems, more than the %d reported", len(r.problems), maxProblems)
		}
		if len(r.problems) > 0 {
			return
		}
		if p == nil || len(p.Steps) == 0 || len(p.Langs) == 0 {
			t.Fatalf("no problem reported but the procedure is unusable: %+v", p)
		}
		if len(p.Steps) > MaxSteps {
			t.Fatalf("%d steps passed", len(p.Steps))
		}
		texts := []passerelle.Text{p.Title, p.Intro}
		for _, s := range p.Steps {
			texts = append(texts, s.Say)
		}
		for _, tx := range texts {
			for _, v := range tx {
				if _, bad := controlIn(v); bad || !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxIntro {
					t.Fatalf("text %q passed", v)
				}
			}
		}
		for _, src := range p.Sources {
			u, err := url.Parse(src.URL)
			if err != nil || u.Host == "" || src.Supports == "" || strings.ContainsAny(src.Supports, "\n\r") ||
				utf8.RuneCountInString(src.Supports) > MaxSupports || src.Checked.After(r.today.AddDate(0, 0, 1)) {
				t.Fatalf("source %+v passed", src)
			}
		}
		for _, s := range p.Steps {
			if s.Number != nil && s.Number.Check == passerelle.CheckNIR && (!s.Number.Personal || s.Number.Min != s.Number.Max) {
				t.Fatalf("NIR rule %+v passed", s.Number)
			}
			for _, next := range successors(s) {
				if _, ok := p.Step(next); !ok {
					t.Fatalf("no problem reported but step %q leads to missing %q", s.ID, next)
				}
			}
		}
	})
}
