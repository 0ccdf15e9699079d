package procedure

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"passerelle/app/passerelle"
)

// FALC hints ("facile à lire et à comprendre") point at a sentence staff
// should write more simply: too long, negative, or using an abbreviation
// never explained. They are hints, not problems nor warnings: the kiosk
// offers the procedure all the same. validate -hints prints them and the
// hub's editor shows them while staff type, both with TextHints, so the two
// never disagree.

// MaxSentenceWords is the FALC length of a sentence.
const MaxSentenceWords = 12

// negativeWords are the words that make a sentence negative, by language.
// Languages not listed get no negative-phrasing hint: a wrong hint costs
// staff more than a missing one.
var negativeWords = map[passerelle.Lang][]string{
	"fr": {"ne", "pas", "jamais", "aucun", "aucune"},
	"en": {"not", "never", "nothing", "cannot", "don't", "doesn't", "didn't", "can't", "won't", "isn't", "aren't", "mustn't", "shouldn't"},
	"es": {"no", "nunca", "nada", "ningún", "ninguno", "ninguna", "jamás"},
	"pt": {"não", "nunca", "nada", "nenhum", "nenhuma", "jamais"},
}

// everydayAbbreviations are read by everyone as words: no need to explain
// them.
var everydayAbbreviations = map[string]bool{"SMS": true, "OK": true, "QR": true, "PDF": true, "USB": true, "WIFI": true, "TV": true, "ID": true}

var (
	// abbreviation: 2 to 5 capitals, alone (CAF, NIR, RIB; not 2A).
	abbreviation = regexp.MustCompile(`\b\p{Lu}{2,5}\b`)
	// explanation after an abbreviation: "CAF (caisse …)", "CAF, la caisse …",
	// "CAF : caisse …", "CAF – caisse …", with at least two words.
	explainedAfter = regexp.MustCompile(`^\s*[(,:–—-]\s*\p{L}+['’ ]+\p{L}+`)
)

// TextHints returns the FALC hints of one text in lang, in plain words.
// others are the procedure's other texts in the same language: an
// abbreviation explained in one of them needs no explanation here.
func TextHints(lang passerelle.Lang, text string, others []string) []string {
	var hints []string
	for _, s := range sentences(text) {
		if n := countWords(s); n > MaxSentenceWords {
			hints = append(hints, fmt.Sprintf("the sentence %q has %d words: FALC sentences have %d at most; cut it in two", clipSentence(s, 60), n, MaxSentenceWords))
		}
		if w := negative(lang, s); w != "" {
			hints = append(hints, fmt.Sprintf("the sentence %q is negative (%q): say what to do, as in \"Gardez ce papier\" rather than \"Ne jetez pas ce papier\"", clipSentence(s, 60), w))
		}
	}
	if !twoCapitals(text) { // what the regular expression needs, found 20 times faster
		return hints
	}
	seen := map[string]bool{}
	for _, a := range abbreviation.FindAllString(text, -1) {
		if seen[a] || everydayAbbreviations[a] {
			continue
		}
		seen[a] = true
		if explained(a, text) || explainedIn(a, others) {
			continue
		}
		hints = append(hints, fmt.Sprintf("the abbreviation %s is never explained in this procedure's %s texts: say once what it is, as in \"la CAF, la caisse d'allocations familiales\"", a, lang))
	}
	return hints
}

// sentences cuts a text after each full stop, question or exclamation
// mark (Arabic's too) or ellipsis followed by a space or the end, and at
// line breaks. It is the regular expression [.!?؟…]+(\s+|$)|\n+ (as
// TestSentencesAsTheExpression checks), written out: as an expression it
// was a fifth of a catalog's load.
func sentences(text string) []string {
	var out []string
	start := 0
	cut := func(end, next int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = next
	}
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case c == '\n':
			j := i
			for j < len(text) && text[j] == '\n' {
				j++
			}
			cut(i, j)
			i = j
		case sentenceMark(c):
			j := i + size
			for j < len(text) {
				c, size := utf8.DecodeRuneInString(text[j:])
				if !sentenceMark(c) {
					break
				}
				j += size
			}
			if j == len(text) || asciiSpace(text[j]) {
				end := i
				for j < len(text) && asciiSpace(text[j]) {
					j++
				}
				cut(end, j)
			}
			i = j
		default:
			i += size
		}
	}
	cut(len(text), len(text))
	return out
}

func sentenceMark(c rune) bool {
	switch c {
	case '.', '!', '?', '؟', '…':
		return true
	}
	return false
}

// asciiSpace is a space as \s of a regular expression is.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// countWords counts the parts of a sentence between spaces holding a
// letter or a digit: a lone dash or colon is not a word.
func countWords(s string) int {
	n := 0
	for f := range strings.FieldsSeq(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// twoCapitals reports whether two capitals follow each other in text, as
// in any abbreviation.
func twoCapitals(text string) bool {
	before := false
	for _, c := range text {
		upper := c < utf8.RuneSelf && 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf && unicode.IsUpper(c)
		if upper && before {
			return true
		}
		before = upper
	}
	return false
}

// negative returns the word that makes a sentence negative, or "". The
// French elided "n'" counts as "ne".
func negative(lang passerelle.Lang, sentence string) string {
	list := negativeWords[lang]
	if len(list) == 0 {
		return ""
	}
	lower := strings.ToLower(sentence)
	if lang == "fr" {
		lower = strings.ReplaceAll(lower, "pas à pas", "") // "step by step"
	}
	for w := range strings.FieldsFuncSeq(lower, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	}) {
		w = strings.ReplaceAll(w, "’", "'")
		if lang == "fr" && strings.HasPrefix(w, "n'") {
			return w
		}
		for _, n := range list {
			if w == n {
				return w
			}
		}
	}
	return ""
}

// explained reports whether a text says what the abbreviation is, right
// after it ("CAF, la caisse …", "CAF (caisse …)") or right before it
// ("la caisse d'allocations familiales (CAF)").
func explained(abbr, text string) bool {
	for rest := text; ; {
		i := strings.Index(rest, abbr)
		if i < 0 {
			return false
		}
		before, after := strings.TrimRightFunc(rest[:i], unicode.IsSpace), rest[i+len(abbr):]
		if explainedAfter.MatchString(after) || strings.HasSuffix(before, "(") && countWords(before) >= 2 {
			return true
		}
		rest = after
	}
}

func explainedIn(abbr string, texts []string) bool {
	for _, t := range texts {
		if explained(abbr, t) {
			return true
		}
	}
	return false
}

// clipSentence shortens a sentence quoted in a hint.
func clipSentence(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// spokenText is a text the kiosk speaks, where the file writes it.
type spokenText struct {
	text passerelle.Text
	at   pos
	what string
}

// falcHints gives the hints of every spoken text of a procedure read
// without problems; an abbreviation may be explained in any of its texts,
// titles and labels included.
func (r *procReader) falcHints(p *passerelle.Procedure) {
	if len(r.problems) > 0 {
		return
	}
	byLang := map[passerelle.Lang][]string{}
	add := func(t passerelle.Text) {
		for l, s := range t {
			byLang[l] = append(byLang[l], s)
		}
	}
	add(p.Title)
	add(p.Intro)
	for _, d := range p.Documents {
		add(d.Label)
	}
	for _, s := range p.Steps {
		add(s.Say)
		for _, o := range s.Options {
			add(o.Label)
		}
	}
	for _, st := range r.spoken {
		for _, l := range st.text.Langs() {
			for _, h := range TextHints(l, st.text[l], byLang[l]) {
				r.hints = append(r.hints, passerelle.Problem{File: r.file, Line: st.at.line, Col: st.at.col,
					Message: fmt.Sprintf("%s (%s): %s", st.what, l, h)})
			}
		}
	}
}
