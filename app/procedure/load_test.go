package procedure_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// fixture is a small catalog that uses every step kind and media format.
const fixture = "testdata/catalog"

// testNow is the day tests load the fixture on: its source was checked
// 23 days before.
var testNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func TestLoadFixture(t *testing.T) {
	l := procedure.Loader{Now: func() time.Time { return testNow }}
	res, err := l.Load(context.Background(), fixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 || len(res.Warnings) > 0 {
		t.Fatalf("fixture has problems or warnings:\n%s%s", problemLines(res.Problems), problemLines(res.Warnings))
	}
	if len(res.Procedures) != 1 {
		t.Fatalf("got %d procedures, want 1", len(res.Procedures))
	}
	p := res.Procedures[0]
	if p.ID != "demo" || p.Version != 2 {
		t.Errorf("got %s v%d, want demo v2", p.ID, p.Version)
	}
	if got := langs(p.Langs); got != "fr en ar" {
		t.Errorf("languages = %q, want \"fr en ar\"", got)
	}
	var kinds []string
	for _, s := range p.Steps {
		kinds = append(kinds, s.ID+":"+string(s.Kind))
	}
	if got, want := strings.Join(kinds, " "), "hello:info ask-email:choice papers:checklist caf-number:number mediator:handoff done:end"; got != want {
		t.Errorf("steps = %q, want %q", got, want)
	}
	ask, _ := p.Step("ask-email")
	if len(ask.Options) != 2 || ask.Options[0].Label["en"] != "Yes" || ask.Options[1].Next != "mediator" {
		t.Errorf("choice options read wrong: %+v", ask.Options)
	}
	num, _ := p.Step("caf-number")
	if num.Number == nil || num.Number.Store || !num.Number.Accepts("1234567") || num.Number.Accepts("123456") || num.Number.Accepts("12345a7") {
		t.Errorf("number rule read wrong: %+v", num.Number)
	}
	hello, _ := p.Step("hello")
	if d := hello.Audio["fr"].Duration; d < 250e6 || d > 350e6 {
		t.Errorf("wav duration = %v, want about 300ms", d)
	}
	if d := p.IntroAudio["fr"].Duration; d < 250e6 || d > 350e6 {
		t.Errorf("ogg duration = %v, want about 300ms", d)
	}
	done, _ := p.Step("done")
	if d := done.Audio["fr"].Duration; d < 250e6 || d > 400e6 {
		t.Errorf("mp3 duration = %v, want about 300ms", d)
	}
	if !strings.Contains(string(p.Pictogram.Data), "<svg") {
		t.Errorf("pictogram data not kept")
	}
	if filepath.Base(p.Documents["id-card"].Pictogram.Path) != "square.png" {
		t.Errorf("shared png pictogram not resolved: %q", p.Documents["id-card"].Pictogram.Path)
	}
	if mediator, _ := p.Step("mediator"); mediator.Phone != "39 49" || mediator.Elsewhere {
		t.Errorf("phone = %q, elsewhere = %v", mediator.Phone, mediator.Elsewhere)
	}
	if !hello.Elsewhere || filepath.Base(hello.Screen.Path) != "sketch.svg" || !strings.Contains(string(hello.Screen.Data), "<svg") {
		t.Errorf("hello: elsewhere = %v, screen = %q: want yes and the decoded sketch.svg", hello.Elsewhere, hello.Screen.Path)
	}
	if ask.Elsewhere || ask.Screen.Path != "" {
		t.Errorf("ask-email has elsewhere = %v, screen %q, but neither is written", ask.Elsewhere, ask.Screen.Path)
	}
	if !num.Number.Personal || num.Number.Check != "" {
		t.Errorf("caf-number: personal = %v, check = %q; want yes and none", num.Number.Personal, num.Number.Check)
	}
	wantSource := passerelle.Source{URL: "https://www.service-public.fr/particuliers/vosdroits/F1", Supports: "the demo's facts, for the tests",
		Checked: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	if len(p.Sources) != 1 || p.Sources[0] != wantSource {
		t.Errorf("sources = %+v, want [%+v]", p.Sources, wantSource)
	}
}

// edit changes a copy of the fixture catalog.
type edit func(t *testing.T, dir string)

// replace replaces the only occurrence of old by new in a catalog file.
func replace(file, old, new string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, file)
		src := readFile(t, path)
		if n := strings.Count(src, old); n != 1 {
			t.Fatalf("%q occurs %d times in %s, want once", old, n, file)
		}
		writeFile(t, path, strings.Replace(src, old, new, 1))
	}
}

func write(file, content string) edit {
	return func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, file), content) }
}

func remove(file string) edit {
	return func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, file)); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFolder(from, to string) edit {
	return func(t *testing.T, dir string) { copyTree(t, filepath.Join(dir, from), filepath.Join(dir, to)) }
}

// want is an expected problem: in file, at the first place where marker
// occurs in the edited file (or 0:0 when marker is empty), saying msg.
type want struct {
	file, marker, msg string
}

func TestLoadReportsProblems(t *testing.T) {
	const yaml = "demo/procedure.yaml"
	tests := []struct {
		name  string
		edits []edit
		want  []want
	}{
		{"syntax error", []edit{replace(yaml, "items: [id-card, payslip]", "items: [id-card, payslip")},
			[]want{{yaml, "    next: caf-number", "not valid YAML"}}},
		{"unclosed quote", []edit{replace(yaml, `phone: "39 49"`, `phone: "39 49`)},
			[]want{{yaml, `"39 49`, "not valid YAML"}}},
		{"tab indentation", []edit{replace(yaml, "    next: done\n", "\tnext: done\n")},
			[]want{{yaml, "\tnext: done", "a tab is not allowed for indentation, use spaces"}}},
		{"unknown field", []edit{replace(yaml, "\nintro:\n", "\nintroduction:\n")},
			[]want{{yaml, "introduction:", `unknown field "introduction" in the procedure`}, {yaml, "id: demo", `has no "intro" field`}}},
		{"misspelt field suggests the right one", []edit{replace(yaml, "    pictogram: square.png\n    label", "    pictogramme: square.png\n    label")},
			[]want{{yaml, "pictogramme", `(did you mean "pictogram"?)`}, {yaml, "    pictogramme", `document "id-card" has no "pictogram" field`}}},
		{"field of another kind", []edit{replace(yaml, `    phone: "39 49"`, "    next: done")},
			[]want{{yaml, "    next: done\n\n  - id: done", `"next" has no meaning in a handoff step`}}},
		{"missing field", []edit{replace(yaml, "version: 2\n", "")},
			[]want{{yaml, "id: demo", `the procedure has no "version" field`}}},
		{"missing next", []edit{replace(yaml, "    next: ask-email\n", "")},
			[]want{{yaml, "id: hello", `step "hello" has no "next" field`}}},
		{"version not a number", []edit{replace(yaml, "version: 2", "version: two")},
			[]want{{yaml, "two", "version must be a whole number"}}},
		{"version not whole", []edit{replace(yaml, "version: 2", "version: 2.5")},
			[]want{{yaml, "2.5", `version must be a whole number, like 3, not "2.5"`}}},
		{"store not yes or no", []edit{replace(yaml, "store: no", "store: maybe")},
			[]want{{yaml, "maybe", "store must be yes or no"}}},
		{"duplicate procedure id", []edit{copyFolder("demo", "demo-copy")},
			[]want{{"demo-copy/procedure.yaml", "demo", `the id "demo" is already used by`}}},
		{"duplicate step id", []edit{replace(yaml, "  - id: mediator", "  - id: papers")},
			[]want{{yaml, "papers\n    kind: handoff", `step id "papers" is used twice`}, {yaml, "mediator\n\n", `next "mediator" in option 2 of step "ask-email" leads to no step`}}},
		{"next to no step", []edit{replace(yaml, "next: ask-email", "next: ask-emial")},
			[]want{{yaml, "ask-emial", `next "ask-emial" in step "hello" leads to no step (did you mean "ask-email"?)`}}},
		{"option next to no step", []edit{replace(yaml, "next: mediator", "next: nowhere")},
			[]want{{yaml, "nowhere", `next "nowhere" in option 2 of step "ask-email" leads to no step`}}},
		{"unreachable step", []edit{replace(yaml, "next: mediator", "next: done")},
			[]want{{yaml, "id: mediator", `step "mediator" can never be shown`}}},
		{"path that never ends", []edit{replace(yaml, "    next: done\n", "    next: papers\n")},
			[]want{{yaml, "id: papers", `from step "papers" the user can never reach an end or handoff step: the steps after it go round in a circle (papers → caf-number → papers)`},
				{yaml, "id: caf-number", `from step "caf-number" the user can never reach`}, {yaml, "id: done", `step "done" can never be shown`}}},
		{"choice with one option", []edit{replace(yaml, "      - id: \"no\"\n        pictogram: no.svg\n        label: {fr: Non, en: \"No\", ar: لا}\n        next: mediator\n", "")},
			[]want{{yaml, "options:", "a choice needs 2 to 4 options; step \"ask-email\" has 1"}, {yaml, "id: mediator", "can never be shown"}}},
		{"choice with five options", []edit{replace(yaml, "        next: mediator\n", "        next: mediator\n"+
			"      - {id: other, pictogram: dot.svg, label: {fr: a, en: a, ar: a}, next: done}\n"+
			"      - {id: more, pictogram: dot.svg, label: {fr: b, en: b, ar: b}, next: done}\n"+
			"      - {id: other, pictogram: dot.svg, label: {fr: c, en: c, ar: c}, next: done}\n")},
			[]want{{yaml, "options:", "a choice needs 2 to 4 options; step \"ask-email\" has 5"}, {yaml, "other, pictogram: dot.svg, label: {fr: c", `option id "other" is used twice`}}},
		{"missing pictogram", []edit{replace(yaml, "pictogram: dot.svg\ntitle", "pictogram: nowhere.svg\ntitle")},
			[]want{{yaml, "nowhere.svg", `the procedure's pictogram: file "nowhere.svg" not found in demo/ nor in the shared pictograms folder`}}},
		{"undecodable svg", []edit{write("pictograms/dot.svg", "<svg><circle r='4'")},
			[]want{{yaml, "dot.svg", `the procedure's pictogram: file "dot.svg" cannot be used: not a readable SVG image (XML syntax error on line 1: unexpected EOF)`}}},
		{"svg element the kiosk cannot draw", []edit{write("demo/text.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>Hi</text></svg>`), replace(yaml, "pictogram: dot.svg\ntitle", "pictogram: text.svg\ntitle")},
			[]want{{yaml, "text.svg", "the SVG image draws nothing the kiosk can show"}}},
		// The conversion command ends the message: cut, staff could not run it.
		{"phone recording keeps its whole command", []edit{write("demo/audio/fr/hello.wav", string(mustRead(t, "../audio/testdata/opus.ogg")))},
			[]want{{yaml, "audio/fr/hello.wav", "run: ffmpeg -i 'hello.wav' -ar 44100 'hello-converted.wav'"}}},
		{"undecodable png", []edit{write("pictograms/square.png", "\x89PNG\r\n\x1a\nbroken")},
			[]want{{yaml, "square.png", `file "square.png" cannot be used: not a readable PNG image`}}},
		{"pictogram of the wrong type", []edit{write("demo/photo.jpg", "x"), replace(yaml, "pictogram: dot.svg\ntitle", "pictogram: photo.jpg\ntitle")},
			[]want{{yaml, "photo.jpg", "a pictogram must be .svg or .png"}}},
		{"missing audio", []edit{remove("demo/audio/fr/hello.wav")},
			[]want{{yaml, "audio/fr/hello.wav", `file "audio/fr/hello.wav" not found in demo/`}}},
		{"undecodable ogg", []edit{write("demo/audio/fr/intro.ogg", "OggS not really")},
			[]want{{yaml, "audio/fr/intro.ogg", "the Ogg file is damaged"}}},
		{"truncated wav", []edit{truncate("demo/audio/fr/hello.wav", 30)},
			[]want{{yaml, "audio/fr/hello.wav", "cannot be used"}}},
		{"language missing in one step", []edit{replace(yaml, "      ar: مرحبا.\n", "")},
			[]want{{yaml, "fr: Bonjour.", `the say text of step "hello" has no arabe (ar) text`}}},
		{"language only in one step", []edit{replace(yaml, "en: It is done.,", "en: It is done., es: Terminado.,")},
			[]want{{yaml, "fr: C'est fini.", `has a espagnol (es) text but the title does not`}}},
		{"unknown language code", []edit{replace(yaml, "en: Take your papers.", "eng: Take your papers.")},
			[]want{{yaml, "eng:", `"eng" is not a known language code`}, {yaml, "fr: Prenez vos papiers", "has no anglais (en) text"}}},
		{"invalid number pattern", []edit{replace(yaml, `pattern: "[0-9]{7}"`, `pattern: "[0-9{7}"`)},
			[]want{{yaml, `"[0-9{7}"`, "the pattern \"[0-9{7}\" is not a valid regular expression: missing closing ]"}}},
		{"number length rule", []edit{replace(yaml, "min: 7, max: 7", "min: 8, max: 7")},
			[]want{{yaml, "min: 8", "1 ≤ min ≤ max ≤ 20"}}},
		{"unknown kind", []edit{replace(yaml, "kind: handoff", "kind: hand-off")},
			[]want{{yaml, "hand-off", `"hand-off" is not a kind of step (did you mean "handoff"?)`}}},
		{"unknown document", []edit{replace(yaml, "bring: [id-card]", "bring: [idcard]")},
			[]want{{yaml, "idcard", `"idcard" in bring of step "done" is not one of the procedure's documents (did you mean "id-card"?)`}}},
		{"folder without a procedure file", []edit{write("notes/readme.txt", "hello")},
			[]want{{"notes", "", "this folder has no procedure.yaml"}}},
		{"empty file", []edit{write(yaml, "")},
			[]want{{yaml, "^", "the file is empty"}}},
		{"file that is a list", []edit{write(yaml, "- a\n- b\n")},
			[]want{{yaml, "- a", "the procedure must be a list of fields"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := editedFixture(t, tt.edits)
			res := loadWithProblems(t, dir, tt.want)
			if !res.Broken[filepath.Join(dir, "demo")] && tt.name != "duplicate procedure id" && tt.name != "folder without a procedure file" {
				t.Errorf("demo not marked broken")
			}
		})
	}
}

// loadWithProblems loads the catalog in dir and checks it reports exactly
// the wanted problems, each in plain printable words of a sensible length.
// brokenCase is the fixture broken by edits, and the problems it must give.
type brokenCase struct {
	name  string
	edits []edit
	want  []want
}

// checkBrokenCases loads each case, checks its problems, and that the demo
// procedure is marked broken (its last good version stays live).
func checkBrokenCases(t *testing.T, tests []brokenCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := editedFixture(t, tt.edits)
			res := loadWithProblems(t, dir, tt.want)
			if !res.Broken[filepath.Join(dir, "demo")] {
				t.Errorf("demo not marked broken")
			}
		})
	}
}

// editedFixture is a copy of the fixture catalog with edits made to it.
func editedFixture(t *testing.T, edits []edit) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	for _, e := range edits {
		e(t, dir)
	}
	return dir
}

func loadWithProblems(t *testing.T, dir string, wants []want) procedure.Result {
	t.Helper()
	l := procedure.Loader{Now: func() time.Time { return testNow }}
	res, err := l.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != len(wants) {
		t.Errorf("got %d problems, want %d:\n%s", len(res.Problems), len(wants), problemLines(res.Problems))
	}
	for _, w := range wants {
		file := filepath.Join(dir, w.file)
		line, col := 0, 0
		if w.marker == "^" {
			line, col = 1, 1
		} else if w.marker != "" {
			line, col = position(t, readFile(t, file), w.marker)
		}
		if !hasProblem(res.Problems, file, line, col, w.msg) {
			t.Errorf("no problem %s:%d:%d: ...%s...; got:\n%s", w.file, line, col, w.msg, problemLines(res.Problems))
		}
	}
	for _, p := range res.Problems {
		if n := utf8.RuneCountInString(p.Message); n > 400 || strings.ContainsFunc(p.Message, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) {
			t.Errorf("message of %d characters, or not all printable: %q", n, p.Message[:min(len(p.Message), 600)])
		}
	}
	return res
}

func truncate(file string, size int64) edit {
	return func(t *testing.T, dir string) {
		if err := os.Truncate(filepath.Join(dir, file), size); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadEmptyCatalog(t *testing.T) {
	dir := t.TempDir()
	res, err := procedure.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "no procedure") {
		t.Errorf("empty catalog: got %v", res.Problems)
	}
	res, _ = procedure.Load(context.Background(), filepath.Join(dir, "missing"))
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "missing") || res.Unusable == "" {
		t.Errorf("missing catalog: got %v", res.Problems)
	}
}

func hasProblem(ps []passerelle.Problem, file string, line, col int, msg string) bool {
	for _, p := range ps {
		if p.File == file && p.Line == line && p.Col == col && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

func problemLines(ps []passerelle.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// position returns the 1-based line and column (in characters) of the first
// non-blank character of the first occurrence of marker in src.
func position(t *testing.T, src, marker string) (int, int) {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 {
		t.Fatalf("marker %q not in file", marker)
	}
	i += len(marker) - len(strings.TrimLeft(marker, " \n"))
	before := src[:i]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	return line, col
}

func langs(ls []passerelle.Lang) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, " ")
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t testing.TB, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// TestLoaderReusesUnchangedProcedures: a reload after an edit reads again
// only what the edit could change, including media and shared pictograms.
func TestLoaderReusesUnchangedProcedures(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	copyTree(t, filepath.Join(dir, "demo"), filepath.Join(dir, "other"))
	replace("other/procedure.yaml", "id: demo", "id: other")(t, dir)
	var l procedure.Loader
	load := func() map[string]*passerelle.Procedure {
		t.Helper()
		res, err := l.Load(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]*passerelle.Procedure{}
		for _, p := range res.Procedures {
			byID[p.ID] = p
		}
		if len(res.Problems) > 0 {
			byID["problems"] = nil
		}
		return byID
	}
	first := load()
	if again := load(); again["demo"] != first["demo"] || again["other"] != first["other"] {
		t.Fatal("nothing changed, yet the procedures were read again")
	}

	replace("other/procedure.yaml", "fr: Démonstration", "fr: Autre")(t, dir)
	second := load()
	if second["demo"] != first["demo"] {
		t.Error("demo was read again though only other changed")
	}
	if second["other"] == first["other"] || second["other"].Title["fr"] != "Autre" {
		t.Error("the edited procedure was not read again")
	}

	// A local pictogram appearing where the shared one was used.
	writeFile(t, filepath.Join(dir, "demo", "square.png"), readFile(t, filepath.Join(dir, "pictograms", "square.png")))
	third := load()
	if third["demo"] == second["demo"] || third["other"] != second["other"] {
		t.Error("a new local pictogram in demo/ did not make demo, and only demo, be read again")
	}
	if got := filepath.Base(filepath.Dir(third["demo"].Documents["id-card"].Pictogram.Path)); got != "demo" {
		t.Errorf("id-card pictogram from %s/, want the new local one in demo/", got)
	}

	// A shared pictogram broken after the first load is noticed.
	writeFile(t, filepath.Join(dir, "pictograms", "dot.svg"), "<svg")
	if _, broken := load()["problems"]; !broken {
		t.Error("breaking a shared pictogram went unnoticed by the reload")
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestLoadIsTheSameEveryTime: procedures are read on every core at once,
// sharing what they decode; the result must not depend on which finished
// first. A catalog whose procedures share a broken pictogram, an id and a
// pictogram with two meanings gives the same procedures in the same order,
// and the same problems, warnings and hints, at every load, fresh or not.
func TestLoadIsTheSameEveryTime(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	writeFile(t, filepath.Join(dir, "pictograms", "broken.svg"), "<svg")
	for i := range 12 {
		name := fmt.Sprintf("copy-%02d", i)
		copyTree(t, filepath.Join(dir, "demo"), filepath.Join(dir, name))
		id := name
		if i == 3 || i == 7 {
			id = "twin"
		}
		replace(name+"/procedure.yaml", "id: demo", "id: "+id)(t, dir)
		if i%2 == 0 {
			replace(name+"/procedure.yaml", "\npictogram: dot.svg", "\npictogram: broken.svg")(t, dir)
		}
		if i%3 == 0 {
			replace(name+"/procedure.yaml", "    pictogram: dot.svg\n    label: {fr: Fiche de paie", "    pictogram: square.png\n    label: {fr: Fiche de paie")(t, dir)
		}
	}
	summary := func(res procedure.Result) string {
		t.Helper()
		var b strings.Builder
		for _, p := range res.Procedures {
			fmt.Fprintf(&b, "procedure %s in %s\n", p.ID, filepath.Base(p.Dir))
		}
		for _, list := range [][]passerelle.Problem{res.Problems, res.Warnings, res.Hints} {
			b.WriteString(problemLines(list) + "\n--\n")
		}
		broken := make([]string, 0, len(res.Broken))
		for folder := range res.Broken {
			broken = append(broken, filepath.Base(folder))
		}
		sort.Strings(broken)
		fmt.Fprintf(&b, "broken: %v\n", broken)
		return b.String()
	}
	first, err := new(procedure.Loader).Load(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := summary(first)
	for _, must := range []string{"twin", "broken.svg", "stands for"} {
		if !strings.Contains(want, must) {
			t.Fatalf("the catalog does not show what it was made for (%q):\n%s", must, want)
		}
	}
	var reused procedure.Loader
	for i := range 10 {
		l := new(procedure.Loader)
		if i%2 == 1 {
			l = &reused // a reload, which reuses what it read last time
		}
		res, err := l.Load(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(res); got != want {
			t.Fatalf("load %d differs from the first:\n%s\nfirst:\n%s", i+2, got, want)
		}
	}
}
