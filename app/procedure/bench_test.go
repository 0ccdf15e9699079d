package procedure_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"passerelle/app/procedure"
)

// shipped is the catalog the kiosk ships with.
const shipped = "../../data/procedures"

// BenchmarkLoad500 loads and validates a catalog of 500 procedures made
// like the shipped ones (generateCatalog), with a new Loader each time:
// nothing is remembered from one load to the next, as in a fresh kiosk
// process. The files themselves are in the OS page cache after the first
// load. Target: under 150 ms on the 2-core reference machine.
func BenchmarkLoad500(b *testing.B) {
	dir := b.TempDir()
	generateCatalog(b, dir, 500)
	ctx := context.Background()
	b.ResetTimer()
	cpuBefore, measured := cpuTime()
	for b.Loop() {
		res, err := new(procedure.Loader).Load(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Problems) > 0 || len(res.Procedures) != 500 || len(res.Places) == 0 {
			b.Fatalf("generated catalog: %d procedures, %d places, problems %v", len(res.Procedures), len(res.Places), res.Problems[:min(3, len(res.Problems))])
		}
	}
	reportCPU(b, cpuBefore, measured)
}

// reportCPU reports the CPU time per operation since before, on every
// core: what the loop cost whatever else the machine was doing.
func reportCPU(b *testing.B, before time.Duration, measured bool) {
	b.Helper()
	if after, ok := cpuTime(); measured && ok {
		b.ReportMetric(float64((after-before).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkOpen500 is the kiosk's start on a 500-procedure catalog: its
// watcher watches the catalog's folders and loads it, with nothing
// remembered from the last time (the files in the OS page cache).
func BenchmarkOpen500(b *testing.B) {
	dir := b.TempDir()
	generateCatalog(b, dir, 500)
	b.ResetTimer()
	cpuBefore, measured := cpuTime()
	for b.Loop() {
		w := procedure.NewWatcher(dir)
		w.Logger = slog.New(slog.DiscardHandler)
		if err := w.Open(); err != nil {
			b.Fatal(err)
		}
		n, problems := len(w.Catalog().Procedures), w.Problems()
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if len(problems) > 0 || n != 500 {
			b.Fatalf("generated catalog: %d procedures, problems %v", n, problems[:min(3, len(problems))])
		}
	}
	reportCPU(b, cpuBefore, measured)
}

// BenchmarkOpen500Snapshot is the kiosk's restart on an unchanged
// 500-procedure catalog: a new watcher each time, as in a new process,
// finding the snapshot the last start kept (the files and the snapshot in
// the OS page cache). Target: under 150 ms.
func BenchmarkOpen500Snapshot(b *testing.B) {
	dir := b.TempDir()
	generateCatalog(b, dir, 500)
	snapshot := filepath.Join(b.TempDir(), "catalog-snapshot")
	open := func() *procedure.Watcher {
		w := procedure.NewWatcher(dir)
		w.Logger = slog.New(slog.DiscardHandler)
		w.Snapshot = snapshot
		if err := w.Open(); err != nil {
			b.Fatal(err)
		}
		return w
	}
	open().Close() // keeps the snapshot
	b.ResetTimer()
	cpuBefore, measured := cpuTime()
	for b.Loop() {
		w := open()
		n, problems, hits := len(w.Catalog().Procedures), w.Problems(), w.SnapshotHits()
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if len(problems) > 0 || n != 500 || hits != 1 {
			b.Fatalf("generated catalog: %d procedures, %d snapshot loads, problems %v", n, hits, problems[:min(3, len(problems))])
		}
	}
	reportCPU(b, cpuBefore, measured)
}

// BenchmarkLoad500KeepSnapshot is a kiosk's first start on a catalog of
// 500 procedures (or after a change): a full load, then the snapshot
// written, read back and compared.
func BenchmarkLoad500KeepSnapshot(b *testing.B) {
	dir := b.TempDir()
	generateCatalog(b, dir, 500)
	snapshot := filepath.Join(b.TempDir(), "catalog-snapshot")
	ctx := context.Background()
	b.ResetTimer()
	cpuBefore, measured := cpuTime()
	for b.Loop() {
		b.StopTimer()
		os.Remove(snapshot)
		b.StartTimer()
		l := procedure.Loader{Snapshot: snapshot}
		res, err := l.Load(ctx, dir)
		if err != nil || len(res.Procedures) != 500 {
			b.Fatal(err, len(res.Procedures))
		}
		l.Wait()
	}
	reportCPU(b, cpuBefore, measured)
	if info, err := os.Stat(snapshot); err == nil {
		b.ReportMetric(float64(info.Size())/1e6, "snapshot-MB")
	}
}

// BenchmarkLoadShippedSnapshot loads the shipped catalog from its
// snapshot, with a new Loader each time.
func BenchmarkLoadShippedSnapshot(b *testing.B) {
	ctx := context.Background()
	snapshot := filepath.Join(b.TempDir(), "catalog-snapshot")
	first := procedure.Loader{Snapshot: snapshot}
	if _, err := first.Load(ctx, shipped); err != nil {
		b.Fatal(err)
	}
	first.Wait()
	cpuBefore, measured := cpuTime()
	for b.Loop() {
		l := procedure.Loader{Snapshot: snapshot}
		res, err := l.Load(ctx, shipped)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Problems) > 0 || len(res.Procedures) == 0 || l.SnapshotHits() != 1 {
			b.Fatalf("shipped catalog: %d procedures, problems %v", len(res.Procedures), res.Problems[:min(3, len(res.Problems))])
		}
	}
	reportCPU(b, cpuBefore, measured)
}

// BenchmarkLoadShipped loads the shipped catalog as a kiosk does at start,
// with a new Loader each time (its files in the OS page cache).
func BenchmarkLoadShipped(b *testing.B) {
	ctx := context.Background()
	cpuBefore, measured := cpuTime()
	for b.Loop() {
		res, err := new(procedure.Loader).Load(ctx, shipped)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Problems) > 0 || len(res.Procedures) == 0 {
			b.Fatalf("shipped catalog: %d procedures, problems %v", len(res.Procedures), res.Problems[:min(3, len(res.Problems))])
		}
	}
	reportCPU(b, cpuBefore, measured)
}

// BenchmarkReload500 is the watcher's case: staff saved one file of a
// 500-procedure catalog the loader has read before.
func BenchmarkReload500(b *testing.B) { benchReload500(b, &procedure.Loader{}) }

// BenchmarkReload500KeepSnapshot is the kiosk watcher's reload after
// staff saved one file: the reload, then its snapshot kept (waited for,
// so that its CPU counts).
func BenchmarkReload500KeepSnapshot(b *testing.B) {
	benchReload500(b, &procedure.Loader{Snapshot: filepath.Join(b.TempDir(), "catalog-snapshot")})
}

// benchReload500 measures l reloading a 500-procedure catalog after one
// of its files was edited.
func benchReload500(b *testing.B, l *procedure.Loader) {
	dir := b.TempDir()
	folders := generateCatalog(b, dir, 500)
	ctx := context.Background()
	if _, err := l.Load(ctx, dir); err != nil {
		b.Fatal(err)
	}
	l.Wait()
	edited := filepath.Join(folders[42], procedure.FileName)
	src := readFile(b, edited)
	b.ResetTimer()
	cpuBefore, measured := cpuTime()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		writeFile(b, edited, strings.Replace(src, "\nversion: ", fmt.Sprintf("\n# edit %d\nversion: ", i), 1))
		b.StartTimer()
		res, err := l.Load(ctx, dir)
		if err != nil || len(res.Problems) > 0 {
			b.Fatal(err, res.Problems)
		}
		l.Wait()
	}
	reportCPU(b, cpuBefore, measured)
}

// generateCatalog writes n procedures made from the shipped ones, as a
// town's catalog of that size would be: each a copy of a shipped procedure
// (about 20 KB of YAML: comments, sources, documents, 15 to 30 steps in
// French, English and Arabic, 30 to 60 pictograms) under its own id, with
// its own title pictogram and its own French recording of the intro (files
// of their own, so that none is checked once for many), and the shared
// pictograms and places of the shipped catalog. It returns the folders.
func generateCatalog(tb testing.TB, dir string, n int) []string {
	tb.Helper()
	copyTree(tb, filepath.Join(shipped, procedure.SharedPictograms), filepath.Join(dir, procedure.SharedPictograms))
	writeFile(tb, filepath.Join(dir, procedure.PlacesFile), readFile(tb, filepath.Join(shipped, procedure.PlacesFile)))
	models, err := filepath.Glob(filepath.Join(shipped, "*", procedure.FileName))
	if err != nil || len(models) == 0 {
		tb.Fatalf("no shipped procedure in %s: %v", shipped, err)
	}
	wav := readFile(tb, filepath.Join(fixture, "demo/audio/fr/hello.wav"))
	folders := make([]string, n)
	for i := range n {
		model := models[i%len(models)]
		id := filepath.Base(filepath.Dir(model))
		if copyNo := i / len(models); copyNo > 0 { // the first copies keep the ids places.yaml names
			id = fmt.Sprintf("%s-%d", id, copyNo)
		}
		src := readFile(tb, model)
		picto := regexp.MustCompile(`(?m)^pictogram: (.*)$`).FindStringSubmatch(src)
		if picto == nil {
			tb.Fatalf("%s has no pictogram line", model)
		}
		src = regexp.MustCompile(`(?m)^id: .*$`).ReplaceAllLiteralString(src, "id: "+id)
		src += "intro_audio:\n  fr: audio/fr/intro.wav\n"
		folder := filepath.Join(dir, id)
		svg := readFile(tb, filepath.Join(shipped, procedure.SharedPictograms, picto[1]))
		writeFile(tb, filepath.Join(folder, picto[1]), svg+fmt.Sprintf("<!-- %s -->\n", id))
		writeFile(tb, filepath.Join(folder, "audio/fr/intro.wav"), wav[:len(wav)-2]+string(rune('a'+i%26))+string(rune('a'+i/26%26)))
		writeFile(tb, filepath.Join(folder, procedure.FileName), src)
		folders[i] = folder
	}
	return folders
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
