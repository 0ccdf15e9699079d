package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/bidi"

	"passerelle/app/passerelle"
)

// Fyne (2.7 and 2.8) shapes each run of one direction on its own, so Arabic
// letters join and a right-to-left run comes out right to left; but it
// draws the runs of a line one after the other in the order they are
// written, and guesses the line's direction from its first letter. An
// Arabic sentence with "SMS" or "13" in it comes out scrambled: its
// words read in the wrong order around the Latin word or the number.
//
// So the kiosk runs the Unicode bidirectional algorithm itself, on each
// wrapped line, and draws the line as pieces of one direction each, from
// left to right: Fyne then only shapes each piece, which it does well.

// rtlText reports whether text holds a right-to-left letter (Arabic,
// Hebrew...): such a text is laid out right to left, every line of it,
// even one that starts with a Latin word or a number. A text without one
// (a French sentence, a phone number, a place's name) reads left to
// right, whatever the language of the screen.
func rtlText(text string) bool {
	for _, r := range text {
		p, _ := bidi.LookupRune(r)
		if c := p.Class(); c == bidi.R || c == bidi.AL {
			return true
		}
	}
	return false
}

// drawOrder cuts one line into pieces of one direction each, in the
// order they appear from left to right, for a paragraph written right to
// left (rtl) or left to right. Each piece keeps its letters in the order
// they are written, so that Fyne's shaping joins Arabic letters: a piece
// with a right-to-left letter is one that Fyne draws right to left by
// itself. A sign of a right-to-left run (a full stop, a bracket) is a
// piece alone, a bracket or quotation mark already turned round.
func drawOrder(line string, rtl bool) []string {
	line = stripBidiControls(line)
	if line == "" {
		return nil
	}
	if !rtl {
		// A left-to-right paragraph holds no right-to-left letter (see
		// rtlText): the algorithm leaves it as it is.
		return []string{line}
	}
	var p bidi.Paragraph
	// A paragraph separator ends the algorithm's input: a line has none
	// by now, but a stray one (U+2029) must not cut the line short.
	runes := []rune(line)
	if _, err := p.SetString(withoutSeparators(string(joinNumberGroups(runes))), bidi.DefaultDirection(bidi.RightToLeft)); err != nil {
		return []string{line}
	}
	order, err := p.Order()
	if err != nil {
		return []string{line}
	}
	// Order gives the runs in the order they are written, each at level
	// 1 (right to left) or 2 (a Latin word, a number) in a right-to-left
	// line: drawn from the left, the last run comes first. The pieces are
	// cut from the line itself: what the algorithm read has the same runes
	// at the same places, but for joined number groups.
	var pieces []string
	for i := order.NumRuns() - 1; i >= 0; i-- {
		run := order.Run(i)
		start, end := run.Pos()
		text := runes[start : end+1]
		if run.Direction() == bidi.LeftToRight {
			pieces = append(pieces, string(text))
			continue
		}
		words := rtlWords(text)
		for j := len(words) - 1; j >= 0; j-- {
			pieces = append(pieces, words[j])
		}
	}
	return pieces
}

// rtlWords cuts a right-to-left run, in the order it is written, into
// Arabic words (with the spaces between them), the spaces around them,
// and signs, each sign alone and turned round if it is a bracket. Fyne
// draws a right-to-left run right to left only while its characters
// come from one font (the Arabic letters come from another font than
// "." or "«": Fyne would put the full stop on the right), and it draws a
// space that starts such a run on its left, where it ends.
func rtlWords(run []rune) []string {
	var words []string
	word := -1 // where the word being read starts, or -1
	endWord := func(end int) {
		if word >= 0 {
			text := string(run[word:end])
			core := strings.TrimRightFunc(text, unicode.IsSpace)
			words = append(words, core, text[len(core):])
			word = -1
		}
	}
	for i, r := range run {
		p, _ := bidi.LookupRune(r)
		switch c := p.Class(); {
		case c == bidi.WS && word < 0:
			words = append(words, string(r))
		case c == bidi.R || c == bidi.AL || c == bidi.NSM || c == bidi.BN || c == bidi.WS:
			if word < 0 {
				word = i
			}
		default:
			endWord(i)
			words = append(words, string(turned(r)))
		}
	}
	endWord(len(run))
	return slices.DeleteFunc(words, func(w string) bool { return w == "" })
}

// turned returns a sign as drawn in a right-to-left run: a bracket or a
// quotation mark points the other way (Bidi_Mirroring_Glyph). The
// algorithm's package turns round only brackets that pair.
func turned(r rune) rune {
	if m, ok := mirrors[r]; ok {
		return m
	}
	return []rune(bidi.ReverseString(string(r)))[0]
}

var mirrors = map[rune]rune{
	'«': '»', '»': '«', '‹': '›', '›': '‹', '<': '>', '>': '<', '≤': '≥', '≥': '≤',
}

// stripBidiControls removes the invisible marks and embeddings that tell
// the algorithm which way to go (LRM, RLM, RLE, RLI...): the kiosk
// decides the direction itself, and Fyne would draw them as boxes.
func stripBidiControls(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, s)
}

// joinNumberGroups returns a copy of the runes with each space between
// two digits made a no-break space. The algorithm reads that as a
// number separator, so a phone number written in groups ("36 46") stays
// one number drawn left to right, as it is dialled and as the kiosk
// shows it big under the sentence. With a plain space the groups are
// two numbers, which a right-to-left line draws the other way round
// ("46 36"): someone dialling what they see would call a wrong number.
func joinNumberGroups(runes []rune) []rune {
	out := slices.Clone(runes)
	for i := 1; i+1 < len(out); i++ {
		if out[i] == ' ' && unicode.IsDigit(runes[i-1]) && unicode.IsDigit(runes[i+1]) {
			out[i] = '\u00a0'
		}
	}
	return out
}

// withoutSeparators turns paragraph separators into spaces, keeping the
// line's length in runes.
func withoutSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.B {
			return ' '
		}
		return r
	}, s)
}

// arrow returns the pictogram of a "back", "next" or paging arrow for a
// screen in lang: in a right-to-left language it points the other way,
// as the layout goes (next is on the left).
func arrow(name string, lang passerelle.Lang) []byte {
	icon := uiIcon(name)
	if !rtl(lang) {
		return icon
	}
	return mirrorSVG(icon)
}

// mirrorSVG returns an SVG drawn mirrored left to right: its content in
// a group flipped around the middle of its viewBox. An SVG whose viewBox
// cannot be read comes back as it is.
func mirrorSVG(svg []byte) []byte {
	s := string(svg)
	open := strings.Index(s, "<svg")
	if open < 0 {
		return svg
	}
	tagEnd := strings.IndexByte(s[open:], '>')
	last := strings.LastIndex(s, "</svg>")
	if tagEnd < 0 || last < open+tagEnd {
		return svg
	}
	tagEnd += open + 1
	m := viewBoxRE.FindStringSubmatch(s[open:tagEnd])
	if m == nil {
		return svg
	}
	x, errX := strconv.ParseFloat(m[1], 64)
	w, errW := strconv.ParseFloat(m[2], 64)
	if errX != nil || errW != nil {
		return svg
	}
	flip := fmt.Sprintf(`<g transform="matrix(-1 0 0 1 %g 0)">`, 2*x+w)
	return []byte(s[:tagEnd] + flip + s[tagEnd:last] + "</g>" + s[last:])
}

var viewBoxRE = regexp.MustCompile(`viewBox="\s*([-0-9.eE+]+)[\s,]+[-0-9.eE+]+[\s,]+([-0-9.eE+]+)`)
