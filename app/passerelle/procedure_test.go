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
