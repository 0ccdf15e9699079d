package passerelle_test

import (
	"testing"

	"passerelle/app/passerelle"
)

func TestNumberRuleAccepts(t *testing.T) {
	nir, err := passerelle.NewNumberRule(13, 13, "[12][0-9]{12}", false)
	if err != nil {
		t.Fatal(err)
	}
	free, err := passerelle.NewNumberRule(4, 6, "", false)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		rule   *passerelle.NumberRule
		digits string
		want   bool
	}{
		{"social security number, 13 digits", nir, "1840675123456", true},
		{"all 15 digits typed", nir, "184067512345678", false},
		{"temporary number starting with 7", nir, "7840675123456", false},
		{"pattern anchored at the end", nir, "18406751234567", false},
		{"too short", free, "123", false},
		{"shortest allowed", free, "1234", true},
		{"longest allowed", free, "123456", true},
		{"too long", free, "1234567", false},
		{"letters refused", free, "12a4", false},
		{"empty", free, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Accepts(tt.digits); got != tt.want {
				t.Errorf("Accepts(%q) = %v, want %v", tt.digits, got, tt.want)
			}
		})
	}
	if _, err := passerelle.NewNumberRule(1, 2, "[0-9", false); err == nil {
		t.Error("an invalid pattern was accepted")
	}
}

func TestNumberRuleNIR(t *testing.T) {
	rule := func(min, max int, pattern string) *passerelle.NumberRule {
		t.Helper()
		r, err := passerelle.NewNumberRule(min, max, pattern, false)
		if err != nil {
			t.Fatal(err)
		}
		r.Check = passerelle.CheckNIR
		return r
	}
	short, full, either := rule(13, 13, "[12][0-9]{12}"), rule(15, 15, "[12][0-9]{14}"), rule(13, 15, "")
	// The keys were computed apart (Python: 97 - int(body) % 97), with 2A
	// read as 19 and 2B as 18; 255081416802538 is a published example.
	tests := []struct {
		name  string
		rule  *passerelle.NumberRule
		typed string
		want  passerelle.NumberFit
	}{
		{"13 digits", short, "2550814168025", passerelle.NumberRight},
		{"13 characters, born in Corse-du-Sud", short, "185052A004123", passerelle.NumberRight},
		{"13 characters, born in Haute-Corse", short, "292022B123045", passerelle.NumberRight},
		{"a letter elsewhere", short, "18505A2004123", passerelle.NumberWrong},
		{"A after a digit other than 2", short, "185053A004123", passerelle.NumberWrong},
		{"C is no département", short, "185052C004123", passerelle.NumberWrong},
		{"too short", short, "185052A", passerelle.NumberIncomplete},
		{"15 digits, right key", full, "255081416802538", passerelle.NumberRight},
		{"15 digits, wrong key", full, "255081416802539", passerelle.NumberWrong},
		{"a digit mistyped", full, "255081416812538", passerelle.NumberWrong},
		{"2A with its key", full, "185052A00412356", passerelle.NumberRight},
		{"2A with the key of 2B", full, "185052B00412356", passerelle.NumberWrong},
		{"2B with its key", full, "292022B12304530", passerelle.NumberRight},
		{"14 of 15", full, "25508141680253", passerelle.NumberIncomplete},
		{"13 or 15: 13", either, "2550814168025", passerelle.NumberRight},
		{"13 or 15: 14 is half a key", either, "25508141680253", passerelle.NumberIncomplete},
		{"13 or 15: 15 with its key", either, "255081416802538", passerelle.NumberRight},
		{"13 or 15: 15 with a wrong key", either, "255081416802539", passerelle.NumberWrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Fit(tt.typed); got != tt.want {
				t.Errorf("Fit(%q) = %v, want %v", tt.typed, got, tt.want)
			}
		})
	}
	plain, _ := passerelle.NewNumberRule(13, 13, "", false)
	if plain.Fit("185052A004123") != passerelle.NumberWrong {
		t.Error("a rule without the NIR check took a letter")
	}
}

func TestCatalog(t *testing.T) {
	proc := func(id string, langs ...passerelle.Lang) *passerelle.Procedure {
		p := &passerelle.Procedure{ID: id, Title: passerelle.Text{}}
		for _, l := range langs {
			p.Title[l] = id
		}
		p.Langs = p.Title.Langs()
		return p
	}
	c := passerelle.NewCatalog([]*passerelle.Procedure{proc("b", "fr", "ar"), proc("a", "en", "fr"), proc("c", "fr")})
	if got := ids(c.Procedures); got != "a b c" {
		t.Errorf("procedures sorted = %q, want \"a b c\"", got)
	}
	if got := ids(c.In("ar")); got != "b" {
		t.Errorf("In(ar) = %q, want \"b\"", got)
	}
	if got := c.Langs(); len(got) != 3 || got[0] != "fr" || got[1] != "en" || got[2] != "ar" {
		t.Errorf("Langs() = %v, want [fr en ar]: French first, then the table's order", got)
	}
	if p, ok := c.Procedure("b"); !ok || p.ID != "b" {
		t.Errorf("Procedure(b) not found")
	}
	if _, ok := c.Procedure("z"); ok {
		t.Errorf("Procedure(z) found")
	}
}

func ids(ps []*passerelle.Procedure) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += " "
		}
		s += p.ID
	}
	return s
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    passerelle.Problem
		want string
	}{
		{"a place in a file", passerelle.Problem{File: "a/procedure.yaml", Line: 3, Col: 7, Message: "oops"}, "a/procedure.yaml:3:7: oops"},
		{"a whole folder", passerelle.Problem{File: "cat/notes", Message: "this folder has no procedure.yaml"}, "cat/notes: this folder has no procedure.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
