package procedure

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// sentenceEnd is the expression sentences is written from.
var sentenceEnd = regexp.MustCompile(`[.!?؟…]+(\s+|$)|\n+`)

// sentencesByExpression is what sentences was, with the expression.
func sentencesByExpression(text string) []string {
	var out []string
	for _, s := range sentenceEnd.Split(text, -1) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestSentencesAsTheExpression: sentences, written out for speed, cuts a
// text where the regular expression does, and twoCapitals never misses
// an abbreviation the expression finds, on the shipped texts and on edge
// cases. FuzzSentences looks for more.
func TestSentencesAsTheExpression(t *testing.T) {
	texts := []string{
		"", "Un.", "Un. Deux.", "Un.Deux. Trois", "Quoi ?! Non… Si.", "a..b.. c", "fin.\n\nsuite", "x\n", "\n\n",
		"Ça coûte 3.50 €. Payez.", "هل لديك بريد؟ نعم.", "tab.\tnext", "crlf.\r\nnext", "form.\fnext", "no-break.\u00a0next",
		"…", ". . .", "  espaces  .  ", "CAF", "la CAF, la caisse", "ÉCOLE ÉTÉ", "Aé", "aB", "AB", "2A",
	}
	files, _ := filepath.Glob("../../data/procedures/*/procedure.yaml")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.Split(string(src), "\n  ")...)
	}
	for _, text := range texts {
		checkSentences(t, text)
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"Un. Deux.", "Quoi ?! Non…\nSi", "la CAF (caisse)", "هل؟ نعم."} {
		f.Add(s)
	}
	f.Fuzz(checkSentences)
}

func checkSentences(t *testing.T, text string) {
	t.Helper()
	if got, want := sentences(text), sentencesByExpression(text); !slices.Equal(got, want) {
		t.Errorf("sentences(%q) = %q; the expression gives %q", text, got, want)
	}
	if abbreviation.MatchString(text) && !twoCapitals(text) {
		t.Errorf("twoCapitals(%q) is false, but the text holds the abbreviation %q", text, abbreviation.FindString(text))
	}
}
