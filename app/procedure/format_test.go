package procedure_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// The fields of a procedure that say where its facts come from and how the
// person works beside the kiosk: sources, elsewhere, screen, and personal
// numbers with their check.

const demoYAML = "demo/procedure.yaml"

const fixtureSource = "  - url: https://www.service-public.fr/particuliers/vosdroits/F1\n    supports: the demo's facts, for the tests\n    checked: 2026-11-01\n"

func TestLoadReportsFormatProblems(t *testing.T) {
	const yaml = demoYAML
	tests := []brokenCase{
		// sources
		{"source url without https", []edit{replace(yaml, "url: https://www.service-public.fr/particuliers/vosdroits/F1", "url: www.service-public.fr/F1")},
			[]want{{yaml, "www.service-public.fr/F1", `the url of source 1 must be a web address starting with https://, like "https://www.service-public.fr/...", not "www.service-public.fr/F1"`}}},
		{"source url of another kind", []edit{replace(yaml, "url: https://www.service-public.fr/particuliers/vosdroits/F1", "url: ftp://example.org/F1")},
			[]want{{yaml, "ftp://", "must be a web address starting with https://"}}},
		{"source url without a site", []edit{replace(yaml, "url: https://www.service-public.fr/particuliers/vosdroits/F1", "url: https:///particuliers/F1")},
			[]want{{yaml, "https:///", `the url "https:///particuliers/F1" of source 1 has no site name after https://`}}},
		{"source url with a space", []edit{replace(yaml, "url: https://www.service-public.fr/particuliers/vosdroits/F1", `url: "https://www.service-public.fr/vos droits"`)},
			[]want{{yaml, `"https://www.service-public.fr/vos`, "the url of source 1 holds a space or an invisible character"}}},
		{"source without url", []edit{replace(yaml, "  - url: https://www.service-public.fr/particuliers/vosdroits/F1\n    supports", "  - supports")},
			[]want{{yaml, "supports: the demo", `source 1 has no "url" field`}}},
		{"source without supports", []edit{replace(yaml, "    supports: the demo's facts, for the tests\n", "")},
			[]want{{yaml, "url: https://www.service", `source 1 has no "supports" field: in one line, the fact of the procedure this page supports`}}},
		{"source supports empty", []edit{replace(yaml, "supports: the demo's facts, for the tests", `supports: ""`)},
			[]want{{yaml, `""`, `"supports" in source 1 is empty`}}},
		{"source supports too long", []edit{replace(yaml, "supports: the demo's facts, for the tests", "supports: "+strings.Repeat("é", procedure.MaxSupports+1))},
			[]want{{yaml, "éé", `"supports" in source 1 has 201 characters; at most 200 are allowed`}}},
		{"source supports on several lines", []edit{replace(yaml, "supports: the demo's facts, for the tests", "supports: |\n      the first fact\n      the second fact")},
			[]want{{yaml, "|\n      the first", `"supports" in source 1 runs over several lines: say it in one line`}}},
		{"source without checked", []edit{replace(yaml, "    checked: 2026-11-01\n", "")},
			[]want{{yaml, "url: https://www.service", `source 1 has no "checked" field: the day you last read the page`}}},
		{"source checked in French order", []edit{replace(yaml, "checked: 2026-11-01", "checked: 01/11/2026")},
			[]want{{yaml, "01/11/2026", `checked in source 1 must be a date written year-month-day, like 2026-11-24, not "01/11/2026"`}}},
		{"source checked with a time", []edit{replace(yaml, "checked: 2026-11-01", "checked: 2026-11-01T10:00:00Z")},
			[]want{{yaml, "2026-11-01T", "must be a date written year-month-day"}}},
		{"source checked on no real day", []edit{replace(yaml, "checked: 2026-11-01", "checked: 2026-02-30")},
			[]want{{yaml, "2026-02-30", "checked 2026-02-30 in source 1 is not a real date"}}},
		{"source checked after today", []edit{replace(yaml, "checked: 2026-11-01", "checked: 2026-11-26")},
			[]want{{yaml, "2026-11-26", "checked 2026-11-26 in source 1 is after today (2026-11-24)"}}},
		{"misspelt source field", []edit{replace(yaml, "checked: 2026-11-01", "checkd: 2026-11-01")},
			[]want{{yaml, "checkd", `unknown field "checkd" in source 1 (did you mean "checked"?)`}, {yaml, "url: https://www.service", `source 1 has no "checked" field`}}},
		{"sources an empty list", []edit{replace(yaml, "sources:\n"+fixtureSource, "sources: []\n")},
			[]want{{yaml, "sources:", "sources is an empty list: list at least one public page"}}},
		{"sources empty", []edit{replace(yaml, "sources:\n"+fixtureSource, "sources:\n")},
			[]want{{yaml, "sources:", `"sources" in the procedure is empty`}}},
		{"sources not a list", []edit{replace(yaml, "sources:\n"+fixtureSource, "sources: https://www.caf.fr\n")},
			[]want{{yaml, "https://www.caf.fr", "sources must be a list"}}},
		{"too many sources", []edit{replace(yaml, "sources:\n"+fixtureSource, "sources:\n"+strings.Repeat(fixtureSource, procedure.MaxSources+1))},
			[]want{{yaml, "- url", "sources has 21 entries; at most 20 are allowed"}}},
		{"one bad source among good ones", []edit{replace(yaml, "sources:\n"+fixtureSource, "sources:\n"+fixtureSource+strings.Replace(fixtureSource, "2026-11-01", "2026-13-01", 1))},
			[]want{{yaml, "2026-13-01", "checked 2026-13-01 in source 2 is not a real date"}}},

		// elsewhere
		{"elsewhere on an end step", []edit{replace(yaml, "    bring: [id-card]", "    elsewhere: yes\n    bring: [id-card]")},
			[]want{{yaml, "elsewhere: yes\n    bring", `"elsewhere" has no meaning in an end step: the session ends on it, so the kiosk has nothing to wait for`}}},
		{"elsewhere on a handoff step", []edit{replace(yaml, `    phone: "39 49"`, "    phone: \"39 49\"\n    elsewhere: no")},
			[]want{{yaml, "elsewhere: no", `"elsewhere" has no meaning in a handoff step`}}},
		{"elsewhere not yes or no", []edit{replace(yaml, "elsewhere: yes", "elsewhere: later")},
			[]want{{yaml, "later", `elsewhere must be yes or no, not "later"`}}},
		{"elsewhere empty", []edit{replace(yaml, "elsewhere: yes", "elsewhere:")},
			[]want{{yaml, "elsewhere:", `"elsewhere" in step "hello" is empty: yes or no`}}},
		{"elsewhere misspelt", []edit{replace(yaml, "elsewhere: yes", "elswhere: yes")},
			[]want{{yaml, "elswhere", `unknown field "elswhere" in step 1 (did you mean "elsewhere"?)`}}},

		// screen
		{"screen not found", []edit{replace(yaml, "screen: sketch.svg", "screen: sketch-email.svg")},
			[]want{{yaml, "sketch-email.svg", `the screen sketch of step "hello": file "sketch-email.svg" not found in demo/ nor in the shared pictograms folder`}}},
		{"screen of the wrong type", []edit{write("demo/sketch.jpg", "x"), replace(yaml, "screen: sketch.svg", "screen: sketch.jpg")},
			[]want{{yaml, "sketch.jpg", `the screen sketch of step "hello" "sketch.jpg" must be a drawing in .svg or .png`}}},
		{"screen that cannot be drawn", []edit{write("demo/sketch.svg", "<svg><rect")},
			[]want{{yaml, "sketch.svg", `the screen sketch of step "hello": file "sketch.svg" cannot be used: not a readable SVG image`}}},
		{"screen empty", []edit{replace(yaml, "screen: sketch.svg", "screen:")},
			[]want{{yaml, "screen:", `"screen" in step "hello" is empty: the name of a drawing`}}},
		{"screen outside the catalog", []edit{replace(yaml, "screen: sketch.svg", "screen: ../../sketch.svg")},
			[]want{{yaml, "../../sketch.svg", "must be a file inside the procedure's folder"}}},

		// personal numbers and their check
		{"personal not yes or no", []edit{replace(yaml, "personal: yes", "personal: secret")},
			[]want{{yaml, "secret", `personal must be yes or no, not "secret"`}}},
		{"personal empty", []edit{replace(yaml, "personal: yes}", "personal: }")},
			[]want{{yaml, "personal: }", `"personal" in the number rule of step "caf-number" is empty: yes or no`}}},
		{"check empty", []edit{replace(yaml, "personal: yes}", "personal: yes, check: \"\"}")},
			[]want{{yaml, `""}`, `"" is not a known check of a number; the known checks are: nir`}}},
		{"misspelt check", []edit{replace(yaml, "personal: yes}", "personal: yes, check: nri}")},
			[]want{{yaml, "nri", `"nri" is not a known check of a number (did you mean "nir"?)`}}},
		{"unknown check", []edit{replace(yaml, "personal: yes}", "personal: yes, check: luhn}")},
			[]want{{yaml, "luhn", `"luhn" is not a known check of a number; the known checks are: nir`}}},
		{"nir of 7 digits", []edit{replace(yaml, "personal: yes}", "check: nir}")},
			[]want{{yaml, "min: 7", "with check: nir, min and max must both be 13 (the number without its key) or both 15 (with its key); here min is 7 and max is 7"}}},
		{"nir of 13 to 15 digits", []edit{replace(yaml, `min: 7, max: 7, pattern: "[0-9]{7}"`, "min: 13, max: 15"), replace(yaml, "personal: yes}", "check: nir}")},
			[]want{{yaml, "min: 13", "here min is 13 and max is 15"}}},
		{"nir said not personal", []edit{replace(yaml, `min: 7, max: 7, pattern: "[0-9]{7}"`, "min: 15, max: 15"), replace(yaml, "personal: yes}", "personal: no, check: nir}")},
			[]want{{yaml, "no, check", `a social security number (check: nir) is always personal: remove "personal: no"`}}},
	}
	checkBrokenCases(t, tests)
}

// TestLoadNumberRules reads number rules as staff write them and checks
// what they then accept.
func TestLoadNumberRules(t *testing.T) {
	tests := []struct {
		name, rule     string
		personal       bool
		check          string
		accept, refuse []string
	}{
		{"not personal unless said", "{min: 7, max: 7, store: no}", false, "", []string{"1234567"}, []string{"123456", "12345A7"}},
		{"personal", "{min: 7, max: 7, store: no, personal: oui}", true, "", []string{"1234567"}, nil},
		{"yes and no as people write them: On, NON", "{min: 7, max: 7, store: NON, personal: On}", true, "", []string{"1234567"}, nil},
		{"off, quoted", "{min: 7, max: 7, store: \"off\", personal: Off}", false, "", []string{"1234567"}, nil},
		{"nir without its key is personal without saying so", "{min: 13, max: 13, store: no, check: nir}", true, "nir",
			[]string{"1850775123456", "185072A123456", "185072B123456"}, []string{"185073A123456", "18507A2123456", "185077512345"}},
		{"nir with its key", "{min: 15, max: 15, store: no, personal: yes, check: nir}", true, "nir",
			[]string{"185077512345608", "185072A12345665", "185072B12345692"}, []string{"185077512345609", "185072A12345608", "18507751234560"}},
		{"nir with a pattern, on 2A read as 19", "{min: 13, max: 13, pattern: \"[12][0-9]{12}\", store: no, check: nir}", true, "nir",
			[]string{"185072A123456", "2850775123456"}, []string{"3850775123456"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, fixture, dir)
			replace(demoYAML, `{min: 7, max: 7, pattern: "[0-9]{7}", store: no, personal: yes}`, tt.rule)(t, dir)
			res := loadWithProblems(t, dir, nil)
			if len(res.Procedures) != 1 {
				t.Fatal("the procedure did not load")
			}
			step, _ := res.Procedures[0].Step("caf-number")
			rule := step.Number
			if rule.Personal != tt.personal || rule.Check != tt.check {
				t.Errorf("personal = %v, check = %q; want %v, %q", rule.Personal, rule.Check, tt.personal, tt.check)
			}
			for _, n := range tt.accept {
				if fit := rule.Fit(n); fit != passerelle.NumberRight {
					t.Errorf("%s: fit %v, want right", n, fit)
				}
			}
			for _, n := range tt.refuse {
				if rule.Accepts(n) {
					t.Errorf("%s accepted", n)
				}
			}
		})
	}
}

// TestLoadWarnings: what validate warns about, without refusing anything.
func TestLoadWarnings(t *testing.T) {
	const yaml = demoYAML
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(15 * time.Hour)
	}
	tests := []struct {
		name   string
		edits  []edit
		now    time.Time
		maxAge time.Duration
		want   []want
	}{
		{"sound fixture, with dot.svg on every step and on a document", nil, testNow, 0, nil},
		{"no sources", []edit{replace(yaml, "sources:\n"+fixtureSource, "")}, testNow, 0,
			[]want{{yaml, "id: demo", `the procedure lists no sources: add "sources:" with the public pages its facts come from`}}},
		{"source checked more than 6 months ago", nil, day("2027-05-03"), 0,
			[]want{{yaml, "2026-11-01", "source 1 was checked on 2026-11-01, more than 6 months ago: read the page again"}}},
		{"source checked 6 months ago to the day", nil, day("2027-05-02"), 0, nil},
		{"age set to a month", nil, day("2026-12-02"), 730 * time.Hour,
			[]want{{yaml, "2026-11-01", "more than 1 month ago"}}},
		{"age set in days", nil, day("2026-12-02"), 10 * 24 * time.Hour,
			[]want{{yaml, "2026-11-01", "more than 10 days ago"}}},
		{"only the old source of two", []edit{replace(yaml, "sources:\n", "sources:\n"+strings.Replace(fixtureSource, "2026-11-01", "2026-01-10", 1))}, testNow, 0,
			[]want{{yaml, "2026-01-10", "source 1 was checked on 2026-01-10"}}},
		{"source checked tomorrow, somewhere on Earth", []edit{replace(yaml, "2026-11-01", "2026-11-25")}, testNow, 0, nil},
		{"one pictogram for two options", []edit{replace(yaml, "pictogram: no.svg", "pictogram: yes.svg")}, testNow, 0,
			[]want{{yaml, "yes.svg\n        label: {fr: Non", `pictogram "yes.svg" stands for "Non" here (option 2 of step "ask-email") and for "Oui" in option 1 of step "ask-email" (line 47): one picture should mean one thing`}}},
		{"one pictogram for a document and an option", []edit{replace(yaml, "pictogram: yes.svg", "pictogram: square.png")}, testNow, 0,
			[]want{{yaml, "square.png\n        label: {fr: Oui", `pictogram "square.png" stands for "Oui" here (option 1 of step "ask-email") and for "Carte d'identité" in document "id-card" (line 21)`}}},
		{"one pictogram, three meanings", []edit{replace(yaml, "pictogram: yes.svg", "pictogram: square.png"), replace(yaml, "pictogram: no.svg", "pictogram: square.png")}, testNow, 0,
			[]want{{yaml, "square.png\n        label: {fr: Oui", `stands for "Oui" here`}, {yaml, "square.png\n        label: {fr: Non", `stands for "Non" here (option 2 of step "ask-email") and for "Carte d'identité"`}}},
		{"a shared pictogram, two meanings in two procedures", []edit{copyProcedure("other"), replace("other/procedure.yaml", "id: \"yes\"\n        pictogram: yes.svg\n        label: {fr: Oui,", "id: maybe\n        pictogram: yes.svg\n        label: {fr: Peut-être,")}, testNow, 0,
			[]want{{"other/procedure.yaml", "yes.svg", `the shared pictogram "yes.svg" stands for "Peut-être" here (option 1 of step "ask-email") and for "Oui" in option 1 of step "ask-email" of demo (line 47): a shared pictogram should mean one thing in the whole catalog`}}},
		{"a shared pictogram, one meaning in two procedures", []edit{copyProcedure("other")}, testNow, 0, nil},
		{"a procedure's own pictogram is not the shared one", []edit{copyProcedure("other"), replace("other/procedure.yaml", "id: \"yes\"\n        pictogram: yes.svg\n        label: {fr: Oui,", "id: maybe\n        pictogram: yes.svg\n        label: {fr: Peut-être,"),
			write("other/yes.svg", readFile(t, filepath.Join(fixture, "pictograms/yes.svg")))}, testNow, 0, nil},
		{"one warning at one place, though it clashes inside and outside its procedure", []edit{copyProcedure("other"), replace("other/procedure.yaml", "pictogram: no.svg", "pictogram: yes.svg")}, testNow, 0,
			[]want{{"other/procedure.yaml", "yes.svg\n        label: {fr: Non", `pictogram "yes.svg" stands for "Non" here (option 2 of step "ask-email") and for "Oui" in option 1 of step "ask-email" (line 47)`}}},
		{"one pictogram, one id: the same thing", []edit{replace(yaml, "- id: \"yes\"\n        pictogram: yes.svg", "- id: id-card\n        pictogram: square.png")}, testNow, 0, nil},
		{"a # in a plain text starts a comment", []edit{replace(yaml, "fr: Bonjour.", "fr: Tapez #31 puis")}, testNow, 0,
			[]want{{yaml, "fr: Tapez", `the fr text of the say text of step "hello" stops before "#31 puis": what follows " #" is a comment, not said nor shown; if it belongs to the text, put the whole text between quotes`}}},
		{"a # in a flow text starts a comment", []edit{replace(yaml, "en: Take your papers.,", "en: Take form #2\n      ,")}, testNow, 0,
			[]want{{yaml, "en: Take form", `the en text of the say text of step "papers" stops before "#2"`}}},
		{"a comment after a quoted text", []edit{replace(yaml, "fr: Bonjour.", `fr: "Tapez #31 puis" # checked`)}, testNow, 0, nil},
		{"a comment on the line under a text", []edit{replace(yaml, "fr: Bonjour.", "fr: Bonjour.\n      # en: to be checked")}, testNow, 0, nil},
		{"a text between word processor quotes", []edit{replace(yaml, "fr: Bonjour.", "fr: “Bonjour.”")}, testNow, 0,
			[]want{{yaml, "fr: “Bonjour", `the fr text of the say text of step "hello" is between curly quotes (“ ” or ‘ ’): the kiosk shows and says them`}}},
		{"quotes inside a text are the text's", []edit{replace(yaml, "fr: Bonjour.", "fr: Touchez “Valider”.")}, testNow, 0, nil},
		{"one pictogram, one meaning written twice", []edit{replace(yaml, "pictogram: no.svg", "pictogram: yes.svg"), replace(yaml, "label: {fr: Non,", "label: {fr: \" oui.\",")}, testNow, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := editedFixture(t, tt.edits)
			l := procedure.Loader{Now: func() time.Time { return tt.now }, SourcesMaxAge: tt.maxAge}
			res, err := l.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) > 0 || len(res.Procedures) == 0 {
				t.Fatalf("a warning made the procedure unusable: %d procedures, problems:\n%s", len(res.Procedures), problemLines(res.Problems))
			}
			if len(res.Warnings) != len(tt.want) {
				t.Errorf("got %d warnings, want %d:\n%s", len(res.Warnings), len(tt.want), problemLines(res.Warnings))
			}
			for _, w := range tt.want {
				file := filepath.Join(dir, w.file)
				line, col := position(t, readFile(t, file), w.marker)
				if !hasProblem(res.Warnings, file, line, col, w.msg) {
					t.Errorf("no warning %s:%d:%d: ...%s...; got:\n%s", w.file, line, col, w.msg, problemLines(res.Warnings))
				}
			}
		})
	}
}

// copyProcedure copies the fixture's demo procedure into another folder,
// with its own id.
func copyProcedure(folder string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		copyFolder("demo", folder)(t, dir)
		replace(folder+"/procedure.yaml", "id: demo", "id: "+folder)(t, dir)
	}
}

// TestLoaderChecksDatesAgainOnANewDay: a reload reuses an unchanged
// procedure, but not its warnings about age once the day has changed.
func TestLoaderChecksDatesAgainOnANewDay(t *testing.T) {
	now := testNow
	l := procedure.Loader{Now: func() time.Time { return now }}
	load := func() procedure.Result {
		t.Helper()
		res, err := l.Load(context.Background(), fixture)
		if err != nil || len(res.Problems) > 0 {
			t.Fatal(err, res.Problems)
		}
		return res
	}
	if res := load(); len(res.Warnings) != 0 {
		t.Fatalf("warnings on the first day: %v", res.Warnings)
	}
	now = now.AddDate(1, 0, 0)
	if res := load(); len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "more than 6 months ago") {
		t.Errorf("a year later, warnings = %v, want the source checked too long ago", res.Warnings)
	}
}

// TestWatcherLogsWarningsOnce: the running kiosk writes each warning in its
// log when it first meets it, not again at every reload.
func TestWatcherLogsWarningsOnce(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	replace(demoYAML, "sources:\n"+fixtureSource, "")(t, dir)
	_, updates, logs := watchFolder(t, dir)
	noSources := "catalog: warning: " + filepath.Join(dir, demoYAML) + ":1:1: the procedure lists no sources"
	twoMeanings := `pictogram \"yes.svg\" stands for \"Non\"`
	count := func(s string) int { t.Helper(); return strings.Count(logs.String(), s) }
	if n := count(noSources); n != 1 {
		t.Fatalf("%q logged %d times at load, want once; log:\n%s", noSources, n, logs)
	}

	replace(demoYAML, "fr: Démonstration", "fr: Essai")(t, dir)
	within(t, 5*time.Second, updates, "the new title is live", titled("demo", "Essai"))
	if n := count(noSources); n != 1 {
		t.Errorf("after a reload, %q logged %d times, want once; log:\n%s", noSources, n, logs)
	}

	replace(demoYAML, "pictogram: no.svg", "pictogram: yes.svg")(t, dir)
	replace(demoYAML, "fr: Essai", "fr: Essai 2")(t, dir)
	within(t, 5*time.Second, updates, "the second edit is live", titled("demo", "Essai 2"))
	if count(noSources) != 1 || count(twoMeanings) != 1 {
		t.Errorf("after a new warning: no sources logged %d times, the new one %d; want each once; log:\n%s", count(noSources), count(twoMeanings), logs)
	}
}
