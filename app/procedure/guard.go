package procedure

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Limits on one procedure file. A file comes from staff, a phone or a sync:
// whatever it holds, reading it must stay fast and small, so these are
// checked on the raw bytes before the YAML parser sees them (the parser
// needs gigabytes for a file nested 100 000 levels deep).
const (
	// MaxFileSize is the largest procedure.yaml read, in bytes. The shipped
	// procedures are about 12 KB.
	MaxFileSize = 1 << 20
	// MaxDepth is how deep lists and groups of fields may nest, counted by
	// indentation levels and brackets. The format needs about 8 (a choice's
	// option label written on its own lines).
	MaxDepth = 24
	// MaxSteps is the most steps one procedure may have: no user follows
	// 200 screens, and the shipped ones have at most 16.
	MaxSteps = 200
	// maxEntries bounds any other list or group of fields (documents,
	// options, texts): each is reported one by one otherwise.
	maxEntries = 64
	// maxProblems is the most problems reported for one file: past that,
	// staff mend the first ones and validate again.
	maxProblems = 50
	// maxValues bounds the fields, list entries and brackets of a file: the
	// parser takes about 1 KB for each. A shipped procedure has about 700.
	maxValues = 20_000
	// maxSiblings bounds the fields or entries written one under the other
	// at one indentation: the parser's time grows with their square.
	maxSiblings = 500
	// rawDepthGuard bounds the brackets opened and not yet closed counted
	// without regard to quotes: a second line of defence should the
	// quote-aware scan be fooled.
	rawDepthGuard = 1000
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// checkRaw looks at the bytes of a procedure file before any parsing. It
// returns the text to parse (without a UTF-8 byte order mark, which Windows
// editors write), or where and why the file cannot be read as a procedure.
func checkRaw(src []byte) ([]byte, pos, string) {
	if len(src) > MaxFileSize {
		return nil, pos{}, tooBig(int64(len(src)))
	}
	if bytes.HasPrefix(src, []byte{0xFE, 0xFF}) || bytes.HasPrefix(src, []byte{0xFF, 0xFE}) ||
		(len(src) >= 2 && (src[0] == 0) != (src[1] == 0)) {
		return nil, pos{1, 1}, "the file is saved as UTF-16 (\"Unicode\" in Windows Notepad): save it again as UTF-8"
	}
	src = bytes.TrimPrefix(src, utf8BOM)
	if at, msg := checkEncoding(src); msg != "" {
		return nil, at, msg
	}
	src = plainSpaces(src)
	if at, msg := scanStructure(src); msg != "" {
		return nil, at, msg
	}
	return src, pos{}, ""
}

// plainSpaces mends the spaces a person cannot see but YAML reads as
// letters: a no-break space (French typography puts one before ":", and
// word processors in indentation), a zero-width space or a byte order mark
// (files pasted together) in the indentation of a line or between a field
// name and its colon. "version\u00a0: 3" would otherwise be an unknown field
// "version\u00a0" and "  \u00a0fr: Oui" a broken indentation. Only the
// start of a line and the colon after a lowercase name starting it are
// touched: texts keep their no-break spaces (but for one line of a block
// text starting like a field name, whose space before a colon goes).
func plainSpaces(src []byte) []byte {
	if !hasUnusualSpace(src) {
		return src // the common case costs one scan and no copy
	}
	out := make([]byte, 0, len(src))
	for len(src) > 0 {
		end := bytes.IndexByte(src, '\n') + 1
		if end == 0 {
			end = len(src)
		}
		out = append(out, mendLine(src[:end])...)
		src = src[end:]
	}
	return out
}

// hasUnusualSpace reports whether src holds any character plainSpaces mends.
func hasUnusualSpace(src []byte) bool {
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if invisibleSpace(r) {
			return true
		}
		i += size
	}
	return false
}

// invisibleSpace is a space other than the plain one, or a character that
// shows nothing.
func invisibleSpace(r rune) bool {
	switch r {
	case '\u200B', '\u2060', '\uFEFF': // zero width
		return true
	}
	return r != ' ' && unicode.Is(unicode.Zs, r)
}

// mendLine mends one line (with its line end): its indentation, then the
// colon after a field name written at the start of it or after "- ".
func mendLine(line []byte) []byte {
	var out []byte
	i := 0
	for i < len(line) { // the indentation
		r, size := utf8.DecodeRune(line[i:])
		if r != ' ' && !invisibleSpace(r) {
			break
		}
		if unicode.Is(unicode.Zs, r) {
			out = append(out, ' ')
		}
		i += size
	}
	for i+1 < len(line) && line[i] == '-' { // list dashes
		r, size := utf8.DecodeRune(line[i+1:])
		if r != ' ' && !unicode.Is(unicode.Zs, r) {
			break
		}
		out = append(out, "- "...)
		i += 1 + size
		for i < len(line) && line[i] == ' ' {
			out = append(out, ' ')
			i++
		}
	}
	key := i
	for i < len(line) && (isWordByte(line[i]) || (i > key && line[i] == '-')) {
		i++
	}
	if i == key {
		return append(out, line[key:]...)
	}
	out = append(out, line[key:i]...)
	j, unusual := i, false // the spaces between the name and its colon
	for j < len(line) {
		r, size := utf8.DecodeRune(line[j:])
		if r != ' ' && !invisibleSpace(r) {
			break
		}
		unusual = unusual || r != ' '
		j += size
	}
	if j >= len(line) || line[j] != ':' {
		return append(out, line[i:]...)
	}
	after, size := utf8.DecodeRune(line[j+1:])
	if invisibleSpace(after) {
		unusual = true
	} else {
		size = 0
	}
	if !unusual {
		return append(out, line[i:]...)
	}
	rest := bytes.TrimLeft(line[j+1+size:], " ")
	out = append(out, ':')
	if len(bytes.TrimRight(rest, "\r\n")) > 0 {
		out = append(out, ' ')
	}
	return append(out, rest...)
}

// isWordByte is a byte of a field name or a language code. Capitals are
// left out: a line of a text starting "Attention\u00a0: " is not a field.
func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func tooBig(size int64) string {
	return fmt.Sprintf("the file is %s; a procedure.yaml may be at most %s: is it really a procedure? Split it, or move big texts out",
		humanSize(size), humanSize(MaxFileSize))
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkEncoding finds the first byte that is not text: a NUL (a binary or
// sparse file), a control character, or a byte that is not UTF-8 (a file
// saved as Latin-1 or Windows-1252). Columns count characters, as editors do.
func checkEncoding(src []byte) (pos, string) {
	line, col := 1, 1
	for i := 0; i < len(src); {
		if c := src[i]; c >= ' ' && c < 0x7F { // most bytes: printable ASCII, nothing to decode
			col++
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		at := pos{line, col}
		switch {
		case r == utf8.RuneError && size == 1:
			return at, fmt.Sprintf("the file is not in UTF-8 (byte 0x%02X here): save it again as UTF-8 (in Notepad: \"Save as\", Encoding \"UTF-8\")", src[i])
		case r == 0:
			return at, "the file holds binary data (a NUL byte here), not text: is it really a procedure.yaml?"
		case r == '\n':
			line, col = line+1, 0
		case r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == '\u2028' || r == '\u2029':
			// U+2028 and U+2029 (from Word or a PDF) break a line where
			// nobody sees one: a title would show on two lines.
			return at, fmt.Sprintf("the file holds an invisible control character (U+%04X) here: remove it", r)
		}
		col++
		i += size
	}
	return pos{}, ""
}

// scanStructure reads the file the way YAML nests, without building
// anything: it measures how deep lists and groups of fields nest (by
// indentation and by brackets), and refuses tabs used for indentation and
// aliases. It follows quotes, comments and block texts (| and >) so that
// brackets inside texts are not counted.
func scanStructure(src []byte) (pos, string) {
	var (
		indents     []int // columns of the enclosing block levels
		siblings    []int // lines at each of those levels so far
		values      int   // fields, list entries and brackets so far
		flow        int   // brackets [ { open
		quote       byte  // the quote a multi-line quoted text is inside of
		blockParent = -1  // inside a block text: the column its owner starts at
		rawDepth    int
	)
	rawLine := 1
	for _, c := range src {
		switch c {
		case '\n':
			rawLine++
		case '[', '{':
			rawDepth++
			if rawDepth > rawDepthGuard {
				return pos{rawLine, 1}, depthMessage(rawDepth)
			}
		case ']', '}':
			rawDepth = max(rawDepth-1, 0) // closers written first bank nothing
		}
	}
	lineNo := 0
	for len(src) > 0 {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			line, src = src, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		rest := bytes.TrimLeft(line, " \t")
		blank := len(rest) == 0
		if blockParent >= 0 {
			if blank || indent > blockParent {
				continue // a line of the block text
			}
			blockParent = -1
		}
		start := 0
		if quote == 0 && flow == 0 {
			if blank || rest[0] == '#' {
				continue
			}
			if tab := bytes.IndexByte(line[:len(line)-len(rest)], '\t'); tab >= 0 {
				return pos{lineNo, tab + 1}, "a tab is not allowed for indentation, use spaces"
			}
			for len(indents) > 0 && indents[len(indents)-1] > indent {
				indents, siblings = indents[:len(indents)-1], siblings[:len(siblings)-1]
			}
			if top := len(indents) - 1; top >= 0 && indents[top] == indent {
				siblings[top]++
				if siblings[top] > maxSiblings {
					return pos{lineNo, indent + 1}, fmt.Sprintf("more than %d fields or list entries one under the other at this level; a procedure has far fewer: is it really a procedure?", maxSiblings)
				}
			} else {
				indents, siblings = append(indents, indent), append(siblings, 1)
			}
			start = indent
		}
		owner := indent    // the column of the key or dash that owns a value
		keyCol := indent   // where the last plain or quoted token started
		tokenStart := true // a value may start here
		for i := start; i < len(line); i++ {
			c := line[i]
			if quote == '"' {
				if c == '\\' {
					i++
				} else if c == '"' {
					quote, tokenStart = 0, false
				}
				continue
			}
			if quote == '\'' {
				if c == '\'' {
					if i+1 < len(line) && line[i+1] == '\'' {
						i++
					} else {
						quote, tokenStart = 0, false
					}
				}
				continue
			}
			spaceAfter := i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'
			switch {
			case c == ' ' || c == '\t':
				continue
			case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
				i = len(line) // a comment runs to the end of the line
				continue
			case c == ':' && spaceAfter:
				owner, tokenStart = keyCol, true
				values++
				continue
			case (c == '-' || c == '?') && spaceAfter && tokenStart && flow == 0:
				owner = i
				indents, siblings = append(indents, i+1), append(siblings, 1)
				values++
				if d := len(indents); d > MaxDepth {
					return pos{lineNo, i + 1}, depthMessage(d)
				}
				continue
			case c == ',' && flow > 0:
				tokenStart = true
				values++
				continue
			case (c == '[' || c == '{') && (tokenStart || flow > 0):
				flow++
				values++
				if d := len(indents) + flow; d > MaxDepth {
					return pos{lineNo, utf8.RuneCount(line[:i]) + 1}, depthMessage(d)
				}
				tokenStart = true
				continue
			case (c == ']' || c == '}') && flow > 0:
				flow--
				tokenStart = false
				continue
			}
			if !tokenStart {
				continue
			}
			keyCol, tokenStart = i, false
			switch c {
			case '"', '\'':
				quote = c
			case '*':
				return pos{lineNo, utf8.RuneCount(line[:i]) + 1}, "an alias (*name) is not allowed here: write the value out in full"
			case '&', '!': // an anchor or a tag: a value may still follow
				for i+1 < len(line) && line[i+1] != ' ' {
					i++
				}
				tokenStart = true
			case '|', '>':
				if flow == 0 {
					blockParent = owner
					i = len(line)
				}
			}
		}
		if d := len(indents) + flow; d > MaxDepth {
			return pos{lineNo, indent + 1}, depthMessage(d)
		}
		if values > maxValues {
			return pos{lineNo, indent + 1}, fmt.Sprintf("the file holds more than %d fields and list entries; a procedure has about 1000: is it really a procedure?", maxValues)
		}
	}
	return pos{}, ""
}

func depthMessage(depth int) string {
	return fmt.Sprintf("lists and groups of fields nest %d levels deep here; a procedure needs about 8 and at most %d are allowed: check the indentation and the brackets",
		depth, MaxDepth)
}
