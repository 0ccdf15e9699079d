package procedure_test

import (
	"strings"
	"testing"

	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// TestTextHints: the FALC hints staff see in validate -hints and in the
// hub's editor, each case naming the hints it must give (by a word each
// hint holds), none when empty.
func TestTextHints(t *testing.T) {
	tests := []struct {
		name   string
		lang   passerelle.Lang
		text   string
		others []string
		want   []string
	}{
		{"short and positive", "fr", "Gardez ce papier. Touchez la flèche verte.", nil, nil},
		{"12 words is the limit", "fr", "Un deux trois quatre cinq six sept huit neuf dix onze douze.", nil, nil},
		{"13 words is too long", "fr", "Un deux trois quatre cinq six sept huit neuf dix onze douze treize.", nil, []string{"13 words"}},
		{"a dash is not a word", "en", "One two three four five six seven eight nine ten eleven – twelve.", nil, nil},
		{"each sentence counted apart", "en", "One two three four five six. Seven eight nine ten eleven twelve thirteen fourteen.", nil, nil},
		{"a line break ends a sentence", "en", "One two three four five six seven\neight nine ten eleven twelve thirteen", nil, nil},
		{"ne ... pas", "fr", "Ne jetez pas ce papier.", nil, []string{`negative ("ne")`}},
		{"n' elided", "fr", "Vous n’avez rien à payer.", nil, []string{`negative ("n'avez")`}},
		{"pas à pas is not negative", "fr", "Le kiosque vous guide pas à pas.", nil, nil},
		{"English not", "en", "Do not throw this paper away.", nil, []string{`negative ("not")`}},
		{"English contraction", "en", "Don't close the page.", nil, []string{`negative ("don't")`}},
		{"Spanish no", "es", "No cierre la página.", nil, []string{`negative ("no")`}},
		{"Arabic gets no negative hint", "ar", "لا تغلق الصفحة.", nil, nil},
		{"abbreviation never explained", "fr", "Allez sur le site de la CAF.", nil, []string{"abbreviation CAF"}},
		{"explained after a comma", "fr", "Allez à la CAF, la caisse d'allocations familiales.", nil, nil},
		{"explained in brackets", "fr", "Allez à la CAF (caisse d'allocations familiales).", nil, nil},
		{"explained before, in brackets", "fr", "Allez à la caisse d'allocations familiales (CAF).", nil, nil},
		{"explained in another text", "fr", "Ouvrez le site de la CAF.", []string{"La CAF, la caisse d'allocations familiales, vous aide."}, nil},
		{"a comma and one word is no explanation", "fr", "Allez à la CAF, vite.", nil, []string{"abbreviation CAF"}},
		{"everyday abbreviations", "en", "You get an SMS with a QR code.", nil, nil},
		{"a Corsican department is no abbreviation", "fr", "Tapez 2A pour la Corse.", nil, nil},
		{"all three at once", "fr", "Ne donnez jamais votre code de la CAF à une personne qui vous appelle au téléphone.", nil,
			[]string{"16 words", `negative ("ne")`, "abbreviation CAF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := procedure.TextHints(tt.lang, tt.text, tt.others)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d hints, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("hint %d is %q; want it to say %q", i, got[i], w)
				}
			}
		})
	}
}

// TestLoadHints: the loader gives the same hints, at the line of the
// text, for say and intro texts only (a label is a caption, not a
// sentence), and an abbreviation explained in the title needs no hint.
func TestLoadHints(t *testing.T) {
	dir := t.TempDir()
	writeProcedureForHints(t, dir)
	res, err := procedure.Load(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %s", problemLines(res.Problems))
	}
	want := []string{
		`:16:11: the say text of step "welcome" (fr): the sentence "Ne fermez pas la page" is negative`,
		`:16:11: the say text of step "welcome" (fr): the abbreviation NIR is never explained`,
	}
	if len(res.Hints) != len(want) {
		t.Fatalf("got hints:\n%s\nwant %d", problemLines(res.Hints), len(want))
	}
	for i, w := range want {
		if got := res.Hints[i].String(); !strings.Contains(got, w) {
			t.Errorf("hint %d is %q; want %q", i, got, w)
		}
	}
}

// writeProcedureForHints writes a small sound procedure whose welcome says
// a negative sentence with an abbreviation explained nowhere, whose intro
// uses CAF explained in the title, and whose option label is negative.
func writeProcedureForHints(t testing.TB, dir string) {
	t.Helper()
	copyTree(t, "testdata/catalog/pictograms", dir+"/pictograms")
	writeFile(t, dir+"/hints/procedure.yaml", `id: hints
version: 1
sources:
  - url: https://www.caf.fr/
    supports: the tests' facts
    checked: 2026-11-01
pictogram: dot.svg
title:
  fr: La CAF, caisse d'allocations familiales
intro:
  fr: Déclarez vos ressources à la CAF.
steps:
  - id: welcome
    kind: choice
    pictogram: dot.svg
    say: {fr: Ne fermez pas la page. Tapez votre NIR.}
    options:
      - id: "yes"
        pictogram: yes.svg
        label: {fr: Oui}
        next: done
      - id: "no"
        pictogram: no.svg
        label: {fr: Pas encore}
        next: done
  - id: done
    kind: end
    pictogram: dot.svg
    say: {fr: C'est fini.}
`)
}
