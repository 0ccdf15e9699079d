package procedure_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// goodPlaces is a places file for the fixture catalog: one place helping
// with its demo procedure, open on weekday mornings and afternoons.
const goodPlaces = `places:
  - id: fs
    name: France Services Test
    kind: france-services
    address: 1 rue de la Gare, 35000 Test
    phone: 02.99.12.34.56
    hours:
      - mo-fr 09:00-12:00,13:30-17:00
      - sa 09:00-12:00
    closed: [2026-12-25, "2026-12-31..2027-01-01"]
    helps: [demo]
`

// withKindPictograms adds the shared pictograms of the kinds of place,
// which the fixture does not have.
func withKindPictograms(t *testing.T, dir string) {
	t.Helper()
	for _, k := range passerelle.PlaceKinds {
		writeFile(t, filepath.Join(dir, "pictograms", procedure.KindPictogram(k)), readFile(t, filepath.Join(fixture, "pictograms", "dot.svg")))
	}
}

func TestLoadPlaces(t *testing.T) {
	dir := editedFixture(t, []edit{withKindPictograms, write("places.yaml", goodPlaces)})
	res := loadWithProblems(t, dir, nil)
	if len(res.Places) != 1 || res.PlacesBroken {
		t.Fatalf("places %v, broken %v; want the one place", res.Places, res.PlacesBroken)
	}
	p := res.Places[0]
	if p.ID != "fs" || p.Kind != passerelle.PlaceFranceServices || p.Phone != "02 99 12 34 56" || !p.HelpsWith("demo") || p.Pictogram.Data == nil {
		t.Errorf("place read as %+v", p)
	}
	paris := passerelle.PlacesZone
	tests := []struct {
		name string
		at   time.Time
		open bool
	}{
		{"Tuesday morning", time.Date(2026, 11, 24, 9, 0, 0, 0, paris), true},
		{"Tuesday lunch", time.Date(2026, 11, 24, 12, 0, 0, 0, paris), false},
		{"Tuesday 13:29", time.Date(2026, 11, 24, 13, 29, 0, 0, paris), false},
		{"Tuesday 16:59", time.Date(2026, 11, 24, 16, 59, 0, 0, paris), true},
		{"Saturday 11:00", time.Date(2026, 11, 28, 11, 0, 0, 0, paris), true},
		{"Saturday afternoon", time.Date(2026, 11, 28, 14, 0, 0, 0, paris), false},
		{"Sunday", time.Date(2026, 11, 29, 10, 0, 0, 0, paris), false},
		{"Christmas, a Friday", time.Date(2026, 12, 25, 10, 0, 0, 0, paris), false},
		{"New Year's Eve, in the closed range", time.Date(2026, 12, 31, 10, 0, 0, 0, paris), false},
		// 08:30 UTC is 09:30 in Paris in winter: the hours are Paris time.
		{"a UTC clock", time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC), true},
		{"a UTC clock, summer time", time.Date(2026, 7, 7, 7, 30, 0, 0, time.UTC), true},
		{"8:30 in Paris", time.Date(2026, 11, 24, 7, 30, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := p.Hours.OpenAt(tt.at); got != tt.open {
			t.Errorf("%s (%s): open %v, want %v", tt.name, tt.at, got, tt.open)
		}
	}
}

// TestLoadReadsHoursAsStaffWriteThem: French days and "9h" times give the
// same hours as the format's examples.
func TestLoadReadsHoursAsStaffWriteThem(t *testing.T) {
	tests := []struct{ name, hours string }{
		{"English days", "[\"mo-fr 09:00-12:00,13:30-17:00\", \"sa 09:00-12:00\"]"},
		{"French days", "[\"lu-ve 09:00-12:00,13:30-17:00\", \"sa 09:00-12:00\"]"},
		{"French words and hours", "[\"Lundi-Vendredi 9h-12h, 13h30-17h\", \"samedi 9h00-12h\"]"},
		{"three letters, spaces around dashes", "[\"mon-fri 9:00 - 12:00,13:30 - 17:00\", \"sat 09:00-12:00\"]"},
		{"days listed", "[\"mo,tu,we-fr 09:00-12:00\", \"mo-fr 13:30-17:00\", \"sa 09:00-12:00\"]"},
	}
	var want [7][]passerelle.TimeRange
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			places := strings.Replace(goodPlaces, "    hours:\n      - mo-fr 09:00-12:00,13:30-17:00\n      - sa 09:00-12:00\n", "    hours: "+tt.hours+"\n", 1)
			dir := editedFixture(t, []edit{withKindPictograms, write("places.yaml", places)})
			res := loadWithProblems(t, dir, nil)
			if len(res.Places) != 1 {
				t.Fatal("no place read")
			}
			got := res.Places[0].Hours.Week
			if want[time.Monday] == nil {
				want = got // the first case, the format's own example
				if len(got[time.Monday]) != 2 || len(got[time.Saturday]) != 1 || len(got[time.Sunday]) != 0 {
					t.Fatalf("the example read as %v", got)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("hours %v, want %v", got, want)
			}
		})
	}
}

// placeWith is goodPlaces with one line changed.
func placeWith(old, new string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		if !strings.Contains(goodPlaces, old) {
			t.Fatalf("%q not in the places file", old)
		}
		writeFile(t, filepath.Join(dir, "places.yaml"), strings.Replace(goodPlaces, old, new, 1))
	}
}

func TestLoadReportsPlacesProblems(t *testing.T) {
	const file = "places.yaml"
	tests := []struct {
		name  string
		edits []edit
		want  []want
	}{
		{"a time that is not one", []edit{placeWith("13:30-17:00", "13:30-17h6")},
			[]want{{file, "17h6", `"17h6" is not a time`}}},
		{"a time without minutes nor h", []edit{placeWith("13:30-17:00", "13:30-17")},
			[]want{{file, "17\n", `"17" is not a time`}}},
		{"an hour past 24", []edit{placeWith("13:30-17:00", "13:30-25:00")},
			[]want{{file, "25:00", `"25:00" is not a time of the day`}}},
		{"a range backwards", []edit{placeWith("13:30-17:00", "17:00-13:30")},
			[]want{{file, "17:00-13:30", "ends before it starts"}}},
		{"an unknown day", []edit{placeWith("mo-fr", "mo-fx")},
			[]want{{file, "fx", `"fx" is not a day`}}},
		{"days backwards", []edit{placeWith("mo-fr", "fr-mo")},
			[]want{{file, "fr-mo", "go backwards"}}},
		{"no times", []edit{placeWith("sa 09:00-12:00", "sa")},
			[]want{{file, "sa\n", "needs days, a space, then times"}}},
		{"overlap on one line", []edit{placeWith("09:00-12:00,13:30", "09:00-14:00,13:30")},
			[]want{{file, "13:30", "on mo, 13:30-17:00 overlaps 09:00-14:00 (line 8)"}}},
		{"overlap across lines", []edit{placeWith("sa 09:00-12:00", "fr 11:00-12:30")},
			[]want{{file, "11:00-12:30", "on fr, 11:00-12:30 overlaps 09:00-12:00 (line 8)"}}},
		{"a quoted line points inside the quotes", []edit{placeWith("- sa 09:00-12:00", `- "sa 09:00-12:0"`)},
			[]want{{file, "12:0\"", `"12:0" is not a time`}}},
		{"a closed day that is not one", []edit{placeWith("2026-12-25", "2026-13-25")},
			[]want{{file, "2026-13-25", "is not a day; write it YYYY-MM-DD"}}},
		{"a kind's pictogram missing", []edit{remove("pictograms/place-france-services.svg")},
			[]want{{file, "france-services\n", "places of kind \"france-services\" show place-france-services.svg, which is not in the shared pictograms folder"}}},
		{"a pictogram of its own missing", []edit{placeWith("    phone:", "    pictogram: nowhere.svg\n    phone:")},
			[]want{{file, "nowhere.svg", `file "nowhere.svg" not found`}}},
		{"an unknown kind", []edit{placeWith("kind: france-services", "kind: libary")},
			[]want{{file, "libary", `did you mean "library"?`}}},
		{"a phone with letters", []edit{placeWith("02.99.12.34.56", "02 99 CAF")},
			[]want{{file, "02 99 CAF", "must be digits only"}}},
		{"a phone too short", []edit{placeWith("02.99.12.34.56", "02 99 12 34")},
			[]want{{file, "02 99 12 34", "has 8 digits; a French number has 10"}}},
		{"a phone without its 0", []edit{placeWith("02.99.12.34.56", "2 99 12 34 56 7")},
			[]want{{file, "2 99 12 34 56 7", "does not start with 0"}}},
		{"a place without hours", []edit{placeWith("    hours:\n      - mo-fr 09:00-12:00,13:30-17:00\n      - sa 09:00-12:00\n", "")},
			[]want{{file, "id: fs", `has no "hours" field`}}},
		{"two places with one id", []edit{func(t *testing.T, dir string) {
			second := strings.Replace(strings.TrimPrefix(goodPlaces, "places:\n"), "id: fs", "id: fs # again", 1)
			writeFile(t, filepath.Join(dir, file), goodPlaces+second)
		}}, []want{{file, "fs # again", "place id \"fs\" is used twice (first on line 2)"}}},
		{"not YAML", []edit{placeWith("name: France Services Test", "name: \"France Services")},
			[]want{{file, "\"France", "not valid YAML"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := editedFixture(t, append([]edit{withKindPictograms, write("places.yaml", goodPlaces)}, tt.edits...))
			res := loadWithProblems(t, dir, tt.want)
			if !res.PlacesBroken || res.Places != nil {
				t.Errorf("places with problems: broken %v, places %v; want broken, none", res.PlacesBroken, res.Places)
			}
			if len(res.Procedures) != 1 {
				t.Errorf("a broken places file must not break the procedures: %d procedures", len(res.Procedures))
			}
		})
	}
}

// A place naming a procedure the catalog does not have (retired, or
// misspelt) is a warning with its place in the file: the catalog and the
// place stay usable, so retiring a procedure never blocks a whole catalog.
func TestLoadWarnsOfPlacesHelpingUnknownProcedures(t *testing.T) {
	tests := []struct {
		name, helps string
		want        []string // a marker in the file, then the message part
	}{
		{"a procedure that does not exist", "helps: [demo, dmeo-two, caf]",
			[]string{"dmeo-two", `names the procedure "dmeo-two", but no procedure of the catalog has this id`,
				"caf]", `names the procedure "caf"`}},
		{"a misspelt procedure gets a suggestion", "helps: [dmeo]",
			[]string{"dmeo", `did you mean "demo"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := editedFixture(t, []edit{withKindPictograms, write("places.yaml", goodPlaces), placeWith("helps: [demo]", tt.helps)})
			res := loadWithProblems(t, dir, nil)
			if res.PlacesBroken || len(res.Places) == 0 {
				t.Fatalf("an unknown procedure in helps broke the places: broken %v, %d places", res.PlacesBroken, len(res.Places))
			}
			src, err := os.ReadFile(filepath.Join(dir, "places.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(tt.want); i += 2 {
				marker, msg := tt.want[i], tt.want[i+1]
				line := strings.Count(string(src[:strings.Index(string(src), marker)]), "\n") + 1
				found := false
				for _, w := range res.Warnings {
					found = found || (strings.HasSuffix(w.File, "places.yaml") && w.Line == line && strings.Contains(w.Message, msg))
				}
				if !found {
					t.Errorf("no warning on places.yaml line %d saying %q; warnings:\n%s", line, msg, problemLines(res.Warnings))
				}
			}
		})
	}
}

// TestLoadRefusesHostilePlacesFiles: the places file passes the same guard
// as a procedure file, whoever wrote it.
func TestLoadRefusesHostilePlacesFiles(t *testing.T) {
	deep := "places:\n" + strings.Repeat("[", 5000)
	many := "places:\n" + strings.Repeat("  - id: x\n", 30000)
	tests := []struct {
		name, content, msg string
	}{
		{"too big", "places:\n#" + strings.Repeat("x", procedure.MaxFileSize+10), "at most"},
		{"nested too deep", deep, "deep"},
		{"too many entries", many, "more than 500"},
		{"UTF-16", "\xff\xfep\x00l\x00", "UTF-16"},
		{"binary", "places:\x00\x01\x02", ""},
		{"an alias", "places: &a\n  - *a\n", "alias"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := editedFixture(t, []edit{withKindPictograms, write("places.yaml", tt.content)})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, err := procedure.Load(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !res.PlacesBroken || len(res.Problems) == 0 {
				t.Fatalf("hostile places file accepted: %v", res.Problems)
			}
			got := fmt.Sprint(res.Problems)
			if !strings.Contains(got, tt.msg) || !strings.Contains(got, "places.yaml") {
				t.Errorf("problems %s, want one about places.yaml saying %q", got, tt.msg)
			}
		})
	}
}

// TestShippedPlacesAreSound: the example places load with the shipped
// catalog, every one helps with a shipped procedure.
func TestShippedPlacesAreSound(t *testing.T) {
	res, err := procedure.Load(context.Background(), "../../data/procedures")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 || len(res.Places) < 3 {
		t.Fatalf("shipped places: %d, problems:\n%s", len(res.Places), problemLines(res.Problems))
	}
	for _, p := range res.Procedures {
		if len(passerelle.PlacesFor(res.Places, p.ID)) == 0 {
			t.Errorf("no shipped place helps with %s", p.ID)
		}
	}
}

// TestWatcherKeepsTheLastGoodPlaces: a running kiosk follows edits of the
// places file, and keeps the last good places while the file has a problem.
func TestWatcherKeepsTheLastGoodPlaces(t *testing.T) {
	w, dir := openWatcher(t)
	updates, cancel := w.Subscribe()
	defer cancel()
	withKindPictograms(t, dir)
	write("places.yaml", goodPlaces)(t, dir)
	u := waitFor(t, updates, func(u passerelle.CatalogUpdate) bool { return len(u.Catalog.Places) == 1 })
	if len(u.Problems) > 0 {
		t.Fatalf("problems with good places: %v", u.Problems)
	}

	placeWith("09:00-12:00,13:30", "09:00-12:00,1330")(t, dir)
	u = waitFor(t, updates, func(u passerelle.CatalogUpdate) bool { return len(u.Problems) > 0 })
	if len(u.Catalog.Places) != 1 || u.Catalog.Places[0].Name != "France Services Test" {
		t.Errorf("a broken places file took the places away: %v", u.Catalog.Places)
	}
	if !strings.Contains(fmt.Sprint(u.Problems), `"1330" is not a time`) {
		t.Errorf("problems %v, want the broken time", u.Problems)
	}

	placeWith("France Services Test", "France Services Mended")(t, dir)
	u = waitFor(t, updates, func(u passerelle.CatalogUpdate) bool { return len(u.Problems) == 0 })
	if len(u.Catalog.Places) != 1 || u.Catalog.Places[0].Name != "France Services Mended" {
		t.Errorf("the mended places are not live: %v", u.Catalog.Places)
	}
}
