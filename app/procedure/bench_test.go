package procedure_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"passerelle/app/procedure"
)

// BenchmarkLoad500 loads and validates a generated catalog of 500
// procedures of 12 steps in 3 languages, each with a recording, from a cold
// loader (nothing cached). Target: under 300 ms on the 2-core reference machine.
func BenchmarkLoad500(b *testing.B) {
	dir := b.TempDir()
	generateCatalog(b, dir, 500)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := new(procedure.Loader).Load(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Problems) > 0 || len(res.Procedures) != 500 {
			b.Fatalf("generated catalog: %d procedures, problems %v", len(res.Procedures), res.Problems[:min(3, len(res.Problems))])
		}
	}
}

// BenchmarkReload500 is the watcher's case: staff saved one file of a
// 500-procedure catalog the loader has read before.
func BenchmarkReload500(b *testing.B) {
	dir := b.TempDir()
	generateCatalog(b, dir, 500)
	ctx := context.Background()
	var l procedure.Loader
	if _, err := l.Load(ctx, dir); err != nil {
		b.Fatal(err)
	}
	edited := filepath.Join(dir, "proc-042", procedure.FileName)
	src := generatedProcedure(42)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		writeFile(b, edited, strings.Replace(src, "Démarche", fmt.Sprintf("Démarche %d", i), 1))
		b.StartTimer()
		res, err := l.Load(ctx, dir)
		if err != nil || len(res.Problems) > 0 {
			b.Fatal(err, res.Problems)
		}
	}
}

// generateCatalog writes n procedures shaped like the shipped ones.
func generateCatalog(tb testing.TB, dir string, n int) {
	tb.Helper()
	copyTree(tb, filepath.Join(fixture, "pictograms"), filepath.Join(dir, "pictograms"))
	wav := readFile(tb, filepath.Join(fixture, "demo/audio/fr/hello.wav"))
	for i := range n {
		folder := filepath.Join(dir, fmt.Sprintf("proc-%03d", i))
		writeFile(tb, filepath.Join(folder, "audio/fr/intro.wav"), wav)
		writeFile(tb, filepath.Join(folder, procedure.FileName), generatedProcedure(i))
	}
}

func generatedProcedure(i int) string {
	text := func(s string) string {
		return fmt.Sprintf("{fr: \"%s, en français.\", en: \"%s, in English.\", ar: \"%s بالعربية.\"}", s, s, s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "id: proc-%03d\nversion: 1\npictogram: dot.svg\ntitle: %s\nintro: %s\nintro_audio: {fr: audio/fr/intro.wav}\n",
		i, text("Démarche"), text("Une démarche générée"))
	b.WriteString("sources:\n")
	for s := range 3 {
		fmt.Fprintf(&b, "  - url: https://www.service-public.fr/particuliers/vosdroits/F%d\n    supports: fact %d of the procedure, in one line\n    checked: 2026-11-0%d\n", s, s, s+1)
	}
	b.WriteString("documents:\n")
	for _, d := range []string{"id-card", "payslip", "bank", "phone"} {
		fmt.Fprintf(&b, "  %s: {pictogram: square.png, label: %s}\n", d, text(d))
	}
	b.WriteString("steps:\n")
	step := func(id, kind, extra string) {
		fmt.Fprintf(&b, "  - id: %s\n    kind: %s\n    pictogram: dot.svg\n    say: %s\n%s", id, kind, text("Étape "+id), extra)
	}
	for s := 1; s <= 6; s++ {
		step(fmt.Sprintf("info-%d", s), "info", fmt.Sprintf("    elsewhere: yes\n    screen: dot.svg\n    next: %s\n", map[bool]string{true: "ask", false: fmt.Sprintf("info-%d", s+1)}[s == 6]))
	}
	step("ask", "choice", "    options:\n"+
		"      - {id: \"yes\", pictogram: dot.svg, label: "+text("Oui")+", next: papers}\n"+
		"      - {id: \"no\", pictogram: dot.svg, label: "+text("Non")+", next: help}\n"+
		"      - {id: unsure, pictogram: dot.svg, label: "+text("Je ne sais pas")+", next: help}\n")
	step("papers", "checklist", "    items: [id-card, payslip, bank, phone]\n    next: number\n")
	step("number", "number", "    number: {min: 15, max: 15, pattern: \"[12][0-9]{14}\", store: no, personal: yes, check: nir}\n    next: check\n")
	step("check", "info", "    next: done\n")
	step("help", "handoff", "    phone: \"39 49\"\n")
	step("done", "end", "    bring: [id-card, payslip]\n")
	return b.String()
}

// BenchmarkLoadSteps loads one procedure of n steps up to MaxSteps, and a
// circle of MaxSteps steps (the costliest graph to report on). ns/step must
// stay flat as n grows: loading is linear in the number of steps.
func BenchmarkLoadSteps(b *testing.B) {
	cases := []struct {
		name     string
		steps    int
		circular bool
	}{
		{"steps=25", 25, false},
		{"steps=50", 50, false},
		{"steps=100", 100, false},
		{"steps=200", procedure.MaxSteps, false},
		{"circle of 200", procedure.MaxSteps, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			copyTree(b, filepath.Join(fixture, "pictograms"), filepath.Join(dir, "pictograms"))
			writeFile(b, filepath.Join(dir, "long", procedure.FileName), stepsProcedure(c.steps, c.circular))
			ctx := context.Background()
			var l procedure.Loader
			for b.Loop() {
				l = procedure.Loader{} // read the file again each time
				res, err := l.Load(ctx, dir)
				if err != nil {
					b.Fatal(err)
				}
				if wantProblems := c.circular; (len(res.Problems) > 0) != wantProblems {
					b.Fatalf("problems: %v", res.Problems[:min(3, len(res.Problems))])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c.steps), "ns/step")
		})
	}
}

// stepsProcedure writes a procedure of n info steps in 3 languages, ending
// on an end step, or going round in a circle.
func stepsProcedure(n int, circular bool) string {
	var b strings.Builder
	b.WriteString("id: long\nversion: 1\npictogram: dot.svg\ntitle: {fr: Longue, en: Long, ar: طويل}\nintro: {fr: Une longue démarche., en: A long procedure., ar: إجراء طويل.}\nsteps:\n")
	for i := range n - 1 {
		fmt.Fprintf(&b, "  - id: s%d\n    kind: info\n    pictogram: dot.svg\n    say: {fr: Étape %d en français., en: Step %d in English., ar: الخطوة %d.}\n    next: s%d\n", i, i, i, i, i+1)
	}
	if circular {
		fmt.Fprintf(&b, "  - id: s%d\n    kind: info\n    pictogram: dot.svg\n    say: {fr: a, en: a, ar: a}\n    next: s0\n", n-1)
	} else {
		fmt.Fprintf(&b, "  - id: s%d\n    kind: end\n    pictogram: dot.svg\n    say: {fr: Fin., en: End., ar: نهاية.}\n", n-1)
	}
	return b.String()
}

// BenchmarkRefuseHostile is the time to refuse the files that froze or
// killed the kiosk: 60 000 steps, and 100 000 levels of nesting.
func BenchmarkRefuseHostile(b *testing.B) {
	var steps strings.Builder
	steps.WriteString("steps:\n")
	for i := range 60_000 {
		fmt.Fprintf(&steps, "- {id: s%d, kind: end}\n", i)
	}
	cases := []struct{ name, src string }{
		{"60000 steps", steps.String()},
		{"nested 100000 deep", "x: " + strings.Repeat("{a: ", 100_000) + "b" + strings.Repeat("}", 100_000)},
		{"flow list at the size limit", "x: [" + strings.Repeat("a,", procedure.MaxFileSize/2-4) + "]"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			writeFile(b, filepath.Join(dir, "hostile", procedure.FileName), c.src)
			for b.Loop() {
				res, err := procedure.Load(context.Background(), dir)
				if err != nil || len(res.Problems) == 0 {
					b.Fatal("the hostile file was not refused", err)
				}
			}
		})
	}
}
