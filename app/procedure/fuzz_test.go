package procedure

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds the procedure reader arbitrary files, seeded with the
// shipped catalog and the test fixture. No input may panic, and a file read
// without problems must give a procedure the kiosk can walk.
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
		r := &procReader{reader: reader{file: "procedure.yaml"}, dir: dir, shared: shared, media: cache}
		p := r.read(src)
		for _, pr := range r.problems {
			if pr.Line < 0 || pr.Col < 0 || pr.Message == "" {
				t.Fatalf("malformed problem %+v", pr)
			}
		}
		if len(r.problems) > 0 {
			return
		}
		if p == nil || len(p.Steps) == 0 || len(p.Langs) == 0 {
			t.Fatalf("no problem reported but the procedure is unusable: %+v", p)
		}
		for _, s := range p.Steps {
			for _, next := range successors(s) {
				if _, ok := p.Step(next); !ok {
					t.Fatalf("no problem reported but step %q leads to missing %q", s.ID, next)
				}
			}
		}
	})
}
