package procedure

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"passerelle/app/passerelle"
)

// This file turns a YAML syntax tree into values, reporting every mistake it
// meets with its line and column. Decoding by hand rather than with
// reflection lets each message use the words of the format, not Go's, and
// lets one read report all the mistakes of a file at once.

// reader reads the syntax tree of one file and collects its problems.
type reader struct {
	file     string
	problems []passerelle.Problem
	dropped  int // problems past maxProblems, counted, not kept
	warnings []passerelle.Problem
}

// pos is a place in the file, 1-based.
type pos struct{ line, col int }

func posOf(n ast.Node) pos {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		// A block mapping's own token is not where a person sees it start.
		return posOf(m.Values[0].Key)
	}
	if n == nil || n.GetToken() == nil {
		return pos{1, 1}
	}
	p := n.GetToken().Position
	return pos{p.Line, p.Column}
}

// problemf records a problem. Values quoted with %q are cut short, and
// anything invisible in the message is escaped: a message quotes what the
// file holds, and a file may hold a 10 MB line or binary bytes.
func (r *reader) problemf(at pos, format string, args ...any) {
	if len(r.problems) >= maxProblems {
		r.dropped++
		return
	}
	clipQuoted(format, args)
	r.problems = append(r.problems, passerelle.Problem{
		File: r.file, Line: at.line, Col: at.col, Message: printable(fmt.Sprintf(format, args...)),
	})
}

// finish adds a last problem saying how many were left out. It takes the
// place of the last problem kept, so that sorting keeps it last.
func (r *reader) finish() {
	if r.dropped > 0 && len(r.problems) > 0 {
		last := r.problems[len(r.problems)-1]
		last.Message = fmt.Sprintf("and %d more problems in this file: mend the ones above first, then check again", r.dropped)
		r.problems = append(r.problems, last)
		r.dropped = 0
	}
}

// maxQuoted is how many characters of a value a message quotes.
const maxQuoted = 60

// clipQuoted shortens the string arguments formatted with %q.
func clipQuoted(format string, args []any) {
	arg := 0
	for i := 0; i < len(format) && arg < len(args); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) || format[i] == '%' {
			continue
		}
		if s, ok := args[arg].(string); ok && format[i] == 'q' {
			args[arg] = clip(s, maxQuoted)
		}
		arg++
	}
}

// clip cuts s so that it takes at most max characters once quoted: an
// invisible character takes 6 (\u200f).
func clip(s string, max int) string {
	n := 0
	for i, c := range s {
		w := 1
		if c == utf8.RuneError || !strconv.IsPrint(c) {
			w = 6
		}
		if n+w > max {
			return s[:i] + "…"
		}
		n += w
	}
	return s
}

// printable escapes control and invisible characters and bytes that are not
// UTF-8, so that a message shows what is there instead of hiding it.
func printable(s string) string {
	clean := true
	for _, c := range s {
		if c == utf8.RuneError || (!unicode.IsPrint(c) && c != ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case !unicode.IsPrint(c) && c != ' ':
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// parse returns the body of the file's single document, or nil after
// reporting why it could not be read.
func (r *reader) parse(src []byte) ast.Node {
	src, at, msg := checkRaw(src)
	if msg != "" {
		r.problemf(at, "%s", msg)
		return nil
	}
	f, err := parser.ParseBytes(src, parser.ParseComments)
	if err != nil {
		at := pos{1, 1}
		msg := err.Error()
		if e, ok := err.(interface {
			GetToken() *token.Token
			GetMessage() string
		}); ok {
			if tk := e.GetToken(); tk != nil {
				at = pos{tk.Position.Line, tk.Position.Column}
			}
			msg = e.GetMessage()
		}
		hint, quoteAt := yamlHint(src, at.line, msg)
		if quoteAt.line > 0 {
			at = quoteAt // YAML stumbles lines later; staff mend the quote
		}
		r.problemf(at, "the file is not valid YAML: %s (%s)", clip(msg, 200), hint)
		return nil
	}
	var bodies []ast.Node
	for _, d := range f.Docs {
		if _, comments := d.Body.(*ast.CommentGroupNode); d.Body != nil && !comments {
			bodies = append(bodies, d.Body)
		}
	}
	switch len(bodies) {
	case 0:
		r.problemf(pos{1, 1}, "the file is empty, or holds only comments")
		return nil
	case 1:
		return bodies[0]
	default:
		r.problemf(posOf(bodies[1]), "the file holds several documents (a line with ---): keep one procedure per file")
		return nil
	}
}

// yamlHint says what a person most likely got wrong on the line YAML
// stumbled on, or on the line before it where a quote was left open
// (and then where that quote is).
func yamlHint(src []byte, line int, msg string) (string, pos) {
	lines := strings.Split(string(src), "\n")
	text := ""
	if line >= 1 && line <= len(lines) {
		text = strings.TrimRight(lines[line-1], "\r")
	}
	value := text // what follows the field name or the list dash
	if i := strings.Index(text, ": "); i >= 0 {
		value = strings.TrimSpace(text[i+2:])
	}
	switch {
	case strings.ContainsAny(text, "“”‘’"):
		return wordQuotes, pos{}
	case strings.HasPrefix(value, "'") && strings.Count(value, "'")%2 == 1:
		return "inside '...' an apostrophe is written twice (''), or put the text between double quotes \"L'adresse\"", pos{}
	case fieldWithoutSpace.MatchString(text):
		return "a field name's colon is followed by a space: write \"version: 3\", not \"version:3\"", pos{}
	case strings.Contains(msg, "mapping value is not allowed") && strings.Contains(value, ": "):
		return "a text holding \": \" must be put between straight quotes, like fr: \"Attention : lisez\"", pos{}
	}
	if open := openQuote(lines[:max(0, min(line-1, len(lines)))]); open > 0 {
		l := lines[open-1]
		col := utf8.RuneCountInString(l[:strings.Index(l, `: "`)]) + 3
		return "this quote is not closed", pos{open, col}
	}
	return "check the indentation and the quotes around this place", pos{}
}

var fieldWithoutSpace = regexp.MustCompile(`^\s*(?:- )*[a-z_]+:[^\s:/]`)

const wordQuotes = "“ ” and ‘ ’ from a word processor are not quotes for YAML: put the text between straight quotes \"...\""

// openQuote finds the last of lines whose value starts with a double
// quote not closed on that line, when no later line closes it; 0 if none.
// A text in quotes may go on over several lines, but rarely does.
func openQuote(lines []string) int {
	open := 0
	for i, l := range lines {
		l = strings.TrimRight(l, "\r ")
		if open > 0 {
			if strings.HasSuffix(l, `"`) {
				open = 0
			}
			continue
		}
		j := strings.Index(l, `: "`)
		if j < 0 {
			continue
		}
		v := l[j+2:]
		if strings.Count(v, `"`)-strings.Count(v, `\"`) == 1 {
			open = i + 1
		}
	}
	return open
}

// unwrap removes anchors and tags, which carry no meaning in this format.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// mapping is a YAML mapping whose keys were checked against the known ones.
// Its fields are a slice, not a map: mappings here have a few keys, and a
// catalog has tens of thousands of them.
type mapping struct {
	at     pos
	fields []field
}

type field struct {
	key   string
	at    pos
	value ast.Node
}

func (m *mapping) find(key string) *field {
	for i := range m.fields {
		if m.fields[i].key == key {
			return &m.fields[i]
		}
	}
	return nil
}

// has reports whether the key was written, even with an empty value.
func (m *mapping) has(key string) bool { return m.find(key) != nil }

// get returns the value of a key, or nil.
func (m *mapping) get(key string) ast.Node {
	if f := m.find(key); f != nil {
		return f.value
	}
	return nil
}

// keyPos returns where a key is written, or where the mapping starts.
func (m *mapping) keyPos(key string) pos {
	if f := m.find(key); f != nil {
		return f.at
	}
	return m.at
}

// asMapping reads n as a mapping. Keys outside known are reported with a
// suggestion when one is close; what names the thing for messages.
func (r *reader) asMapping(n ast.Node, what string, known []string) *mapping {
	n = unwrap(n)
	if n == nil {
		return nil
	}
	var pairs []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		pairs = v.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{v}
	case *ast.NullNode:
		r.problemf(posOf(n), "%s is empty", what)
		return nil
	case *ast.AliasNode:
		r.problemf(posOf(n), "%s uses an alias (*name): write it out in full", what)
		return nil
	default:
		r.problemf(posOf(n), "%s must be a list of fields (name: value), not %s", what, describe(n))
		return nil
	}
	if len(pairs) > maxEntries {
		r.problemf(posOf(n), "%s has %d entries; at most %d are allowed", what, len(pairs), maxEntries)
		return nil
	}
	m := &mapping{at: posOf(n), fields: make([]field, 0, len(pairs))}
	for _, kv := range pairs {
		key, at := scalarString(kv.Key), posOf(kv.Key)
		if m.has(key) {
			r.problemf(at, "%q is written twice in %s: keep one", key, what)
			continue
		}
		if known != nil && !contains(known, key) {
			r.problemf(at, "unknown field %q in %s%s", key, what, suggest(key, known, "field"))
			continue
		}
		m.fields = append(m.fields, field{key, at, unwrap(kv.Value)})
	}
	return m
}

// valueAt is where a field's value starts, or its key when the value is empty.
func (m *mapping) valueAt(key string) pos {
	f := m.find(key)
	if f == nil {
		return m.at
	}
	if _, null := f.value.(*ast.NullNode); f.value != nil && !null {
		return posOf(f.value)
	}
	return f.at
}

// require reports a missing field. It returns the value node or nil.
func (r *reader) require(m *mapping, key, what, hint string) ast.Node {
	v := m.get(key)
	if _, null := v.(*ast.NullNode); v == nil || null {
		if m.has(key) {
			r.problemf(m.keyPos(key), "%q in %s is empty%s", key, what, hint)
		} else {
			r.problemf(m.at, "%s has no %q field%s", what, key, hint)
		}
		return nil
	}
	return v
}

// optional returns the value of a field that may be left out, or nil. A
// field written with no value is reported where its name is, as require does.
func (r *reader) optional(m *mapping, key, what, hint string) ast.Node {
	if !m.has(key) {
		return nil
	}
	return r.require(m, key, what, hint)
}

// str reads a scalar as text. Numbers and booleans are taken as written.
func (r *reader) str(n ast.Node, what string) (string, bool) {
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		r.problemf(posOf(n), "%s is empty", what)
		return "", false
	case *ast.LiteralNode:
		return strings.TrimSpace(v.Value.Value), true
	case ast.ScalarNode:
		return strings.TrimSpace(scalarString(v)), true
	default:
		r.problemf(posOf(n), "%s must be a single value, not %s", what, describe(n))
		return "", false
	}
}

// integer reads a whole number.
func (r *reader) integer(n ast.Node, what, example string) (int, bool) {
	s, ok := r.str(n, what)
	if !ok {
		return 0, false
	}
	whole := s
	if dot := strings.IndexByte(s, '.'); dot > 0 && strings.Trim(s[dot+1:], "0") == "" {
		whole = s[:dot] // "2.0" is 2, as a spreadsheet writes it
	}
	i, err := strconv.Atoi(whole)
	if err != nil {
		r.problemf(posOf(n), "%s must be a whole number, like %s, not %q", what, example, s)
		return 0, false
	}
	return i, true
}

// yesNo reads yes/no. French words are accepted: staff write in French.
func (r *reader) yesNo(n ast.Node, what string) (bool, bool) {
	s, ok := r.str(n, what)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "yes", "true", "oui", "on", "y":
		return true, true
	case "no", "false", "non", "off", "n":
		return false, true
	}
	r.problemf(posOf(n), "%s must be yes or no, not %q", what, s)
	return false, false
}

// maxIDLen bounds ids: they name folders, database rows and log lines.
const maxIDLen = 64

var idPattern = regexp.MustCompile(`^[a-z0-9]+(?:[-_][a-z0-9]+)*$`)

// id reads an identifier: lowercase letters, digits, dashes.
func (r *reader) id(n ast.Node, what string) (string, bool) {
	s, ok := r.str(n, what)
	if !ok {
		return "", false
	}
	if !idPattern.MatchString(s) {
		r.problemf(posOf(n), "%s %q may use only lowercase letters without accents, digits and dashes, like \"has-email\"", what, s)
		return "", false
	}
	if len(s) > maxIDLen {
		r.problemf(posOf(n), "%s %q is %d characters long; at most %d are allowed", what, s, len(s), maxIDLen)
		return "", false
	}
	return s, true
}

// sequence reads a list of at most limit entries.
func (r *reader) sequence(n ast.Node, what string, limit int) []ast.Node {
	switch v := unwrap(n).(type) {
	case *ast.SequenceNode:
		if len(v.Values) > limit {
			r.problemf(posOf(n), "%s has %d entries; at most %d are allowed", what, len(v.Values), limit)
			return nil
		}
		return v.Values
	case nil, *ast.NullNode:
		r.problemf(posOf(n), "%s is empty", what)
	default:
		r.problemf(posOf(n), "%s must be a list (lines starting with \"- \"), not %s", what, describe(n))
	}
	return nil
}

// Text lengths, in characters, that fit the kiosk's 1024×768 screen at its
// text size: a title or label is the caption under a pictogram tile, a say
// text the sentence above the answers. An intro is only spoken, after the
// title: its limit keeps it short enough to listen to.
const (
	MaxTitle = 50
	MaxLabel = 40
	MaxSay   = 300
	MaxIntro = 400
)

var textLimits = map[string]int{"title": MaxTitle, "intro": MaxIntro}

// text reads a per-language text: a mapping from language codes to strings
// of at most limit characters. Language checks against the procedure
// happen later, once all is read.
func (r *reader) text(n ast.Node, what string, limit int) passerelle.Text {
	m := r.asMapping(n, what, nil)
	if m == nil {
		return nil
	}
	t := make(passerelle.Text, len(m.fields))
	for _, f := range m.fields {
		k := f.key
		lang := passerelle.Lang(k)
		if _, ok := passerelle.LookupLanguage(lang); !ok {
			if strings.ContainsAny(k, "“”‘’") {
				r.problemf(f.at, "%q is not a known language code in %s: %s", k, what, wordQuotes)
				continue
			}
			r.problemf(f.at, "%q is not a known language code in %s; known codes: %s", k, what, knownLangs())
			continue
		}
		var s string
		var ok bool
		if sc, scalar := f.value.(*ast.StringNode); scalar { // the common case, without formatting a name
			s, ok = strings.TrimSpace(sc.Value), true
			if c := sc.GetComment(); c != nil && sc.Token.Type == token.StringType &&
				len(c.Comments) > 0 && c.Comments[0].Token.Position.Line == sc.Token.Position.Line {
				r.warnf(f.at, "the %s text of %s stops before %q: what follows \" #\" is a comment, not said nor shown; if it belongs to the text, put the whole text between quotes",
					k, what, strings.TrimSpace(c.String()))
			}
		} else {
			s, ok = r.str(f.value, fmt.Sprintf("the %s text of %s", k, what))
		}
		if !ok {
			continue
		}
		// At the language code, not the text: goccy places some plain
		// texts one column off, and the code is where staff look.
		at := f.at
		switch n := utf8.RuneCountInString(s); {
		case s == "":
			r.problemf(at, "the %s text of %s is empty", k, what)
		case n > limit:
			r.problemf(at, "the %s text of %s has %d characters; at most %d fit on the kiosk's screen: shorten it", k, what, n, limit)
		case !utf8.ValidString(s):
			r.problemf(at, "the %s text of %s is not valid UTF-8 (check its \\x escapes)", k, what)
		default:
			if c, bad := controlIn(s); bad {
				r.problemf(at, "the %s text of %s holds an invisible control character (U+%04X): remove it", k, what, c)
			}
		}
		if wrappedInWordQuotes(s) {
			r.warnf(at, "the %s text of %s is between curly quotes (“ ” or ‘ ’): the kiosk shows and says them; if they were meant as quotes for YAML, write straight quotes \"...\" or none", k, what)
		}
		t[lang] = s
	}
	return t
}

// wrappedInWordQuotes reports whether a whole text is between the curly
// quotes a word processor writes: pasted from Word, they were meant as the
// file's quotes, not as part of the text.
func wrappedInWordQuotes(s string) bool {
	return (strings.HasPrefix(s, "“") && strings.HasSuffix(s, "”") && len(s) > len("“”")) ||
		(strings.HasPrefix(s, "‘") && strings.HasSuffix(s, "’") && len(s) > len("‘’"))
}

// controlIn finds a control character other than a line break: a quoted
// YAML text may write any of them as an escape, like "\0".
func controlIn(s string) (rune, bool) {
	for _, c := range s {
		if c != '\n' && (unicode.IsControl(c) || c == '\u2028' || c == '\u2029') {
			return c, true
		}
	}
	return 0, false
}

func scalarString(n ast.Node) string {
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	if s, ok := n.(ast.ScalarNode); ok {
		if tk := s.GetToken(); tk != nil {
			return tk.Value
		}
		return fmt.Sprint(s.GetValue())
	}
	if n == nil {
		return ""
	}
	return n.String()
}

func describe(n ast.Node) string {
	switch unwrap(n).(type) {
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a group of fields"
	default:
		return fmt.Sprintf("the value %q", clip(scalarString(n), maxQuoted))
	}
}

func knownLangs() string {
	codes := make([]string, len(passerelle.Languages))
	for i, l := range passerelle.Languages {
		codes[i] = string(l.Code)
	}
	return strings.Join(codes, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// suggest returns ` (did you mean "x"?)` when a candidate is one or two
// edits away from word, else the list of candidates when it is short.
func suggest(word string, candidates []string, noun string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := distance(strings.ToLower(word), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	switch {
	case best != "" && bestDist < len([]rune(word)):
		return fmt.Sprintf(" (did you mean %q?)", best)
	case len(candidates) > 0 && len(candidates) <= 12:
		return fmt.Sprintf("; the known %ss are: %s", noun, strings.Join(candidates, ", "))
	}
	return ""
}

// distance is the Levenshtein edit distance between two short strings.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
