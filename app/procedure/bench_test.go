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
	b.WriteString("documents:\n")
	for _, d := range []string{"id-card", "payslip", "bank", "phone"} {
		fmt.Fprintf(&b, "  %s: {pictogram: square.png, label: %s}\n", d, text(d))
	}
	b.WriteString("steps:\n")
	step := func(id, kind, extra string) {
		fmt.Fprintf(&b, "  - id: %s\n    kind: %s\n    pictogram: dot.svg\n    say: %s\n%s", id, kind, text("Étape "+id), extra)
	}
	for s := 1; s <= 6; s++ {
		step(fmt.Sprintf("info-%d", s), "info", fmt.Sprintf("    next: %s\n", map[bool]string{true: "ask", false: fmt.Sprintf("info-%d", s+1)}[s == 6]))
	}
	step("ask", "choice", "    options:\n"+
		"      - {id: \"yes\", pictogram: dot.svg, label: "+text("Oui")+", next: papers}\n"+
		"      - {id: \"no\", pictogram: dot.svg, label: "+text("Non")+", next: help}\n"+
		"      - {id: unsure, pictogram: dot.svg, label: "+text("Je ne sais pas")+", next: help}\n")
	step("papers", "checklist", "    items: [id-card, payslip, bank, phone]\n    next: number\n")
	step("number", "number", "    number: {min: 7, max: 7, pattern: \"[0-9]{7}\", store: no}\n    next: check\n")
	step("check", "info", "    next: done\n")
	step("help", "handoff", "    phone: \"39 49\"\n")
	step("done", "end", "    bring: [id-card, payslip]\n")
	return b.String()
}
