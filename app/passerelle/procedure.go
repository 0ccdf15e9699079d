package passerelle

import (
	"regexp"
	"time"
)

// StepKind says how a step is shown and answered.
type StepKind string

// The kinds of step. Each screen of the kiosk shows exactly one step.
const (
	KindInfo      StepKind = "info"      // something to hear and see, then "next"
	KindChoice    StepKind = "choice"    // 2 to 4 big pictograms, each leading to a step
	KindChecklist StepKind = "checklist" // documents to have at hand, ticked by the user
	KindNumber    StepKind = "number"    // an identifier typed on a keypad
	KindHandoff   StepKind = "handoff"   // a human must take over: mediator, phone, office
	KindEnd       StepKind = "end"       // what to do next and what to bring
)

// StepKinds lists the kinds in the order staff documentation gives them.
var StepKinds = []StepKind{KindInfo, KindChoice, KindChecklist, KindNumber, KindHandoff, KindEnd}

// Terminal reports whether a session ends on a step of this kind.
func (k StepKind) Terminal() bool { return k == KindHandoff || k == KindEnd }

// Limits a procedure must respect so that every screen stays readable by
// pictograms alone on a 1024×768 touch screen.
const (
	MinOptions = 2
	MaxOptions = 4 // more than 4 choices on one screen is too many to hear and compare
	MaxItems   = 6 // checklist: 2 rows of 3 pictograms at the smallest screen size
	MaxDigits  = 20
)

// Media is a file of the catalog that was decoded when the catalog loaded.
type Media struct {
	Path     string        // absolute or catalog-relative path of the file on disk
	Data     []byte        // file content for pictograms, nil for audio (streamed from Path)
	Duration time.Duration // audio length, zero for pictograms
}

// Procedure is one administrative procedure as staff wrote it.
// A procedure is immutable once loaded: a reload builds a new one, so a
// session can keep the version it started with.
type Procedure struct {
	ID         string
	Version    int
	Dir        string // folder the procedure was loaded from
	File       string // its definition file
	Pictogram  Media
	Title      Text
	Intro      Text // spoken when the user touches the procedure's pictogram
	IntroAudio map[Lang]Media
	Documents  map[string]*Document // by id, referenced by checklist and end steps
	Steps      []*Step              // in file order; Steps[0] is where a session starts
	Langs      []Lang               // the languages every text of the procedure has
	// Sources are the public pages the procedure's facts were checked
	// against: staff re-check them before each season.
	Sources []Source

	byID map[string]*Step
}

// Source is a public page a procedure's facts come from.
type Source struct {
	URL      string
	Supports string    // what the page supports, for staff
	Checked  time.Time // the day a person last checked the page (midnight UTC)
}

// Document is something the user must have at hand: ID card, payslip, RIB.
type Document struct {
	ID        string
	Pictogram Media
	Label     Text
}

// Step is one screen of a procedure.
type Step struct {
	ID        string
	Kind      StepKind
	Pictogram Media
	Say       Text // the spoken prompt, also shown as large text
	Audio     map[Lang]Media
	Next      string    // info, checklist, number: the step that follows
	Options   []*Option // choice
	Items     []string  // checklist: document ids to tick
	Bring     []string  // end: document ids to bring
	Number    *NumberRule
	Phone     string // handoff: a number to call, shown in big digits
	// Elsewhere says the step asks for work on another device (the
	// person's phone, the public PC): the kiosk waits much longer before
	// asking "are you still there?".
	Elsewhere bool
	// Screen is a drawn sketch of what to look for on the other screen
	// (a button, a line of a payslip), shown beside the sentence; empty
	// when the step has none.
	Screen Media
}

// Option is one answer of a choice step.
type Option struct {
	ID        string // stable answer recorded in events
	Pictogram Media
	Label     Text
	Next      string
}

// NumberRule says what a number step accepts and whether it may be kept.
type NumberRule struct {
	Min, Max int    // number of digits
	Pattern  string // a regular expression the whole number must match, or ""
	// Store says whether the typed value may be saved. When false, only the
	// fact that a valid number was typed is recorded.
	Store bool
	// Personal says the number identifies the person: the keypad does not
	// say the digits aloud in a public room.
	Personal bool
	// Check is a check of the whole number on top of its length and
	// pattern: "" for none, or CheckNIR.
	Check string

	re *regexp.Regexp
}

// CheckNIR checks a French social security number (NIR): born in Corsica,
// its 6th and 7th characters are 2A or 2B; with all 15 characters typed,
// the last 2 are a key, 97 minus the first 13 modulo 97 (2A counts as 19,
// 2B as 18).
const CheckNIR = "nir"

// Checks lists the known values of NumberRule.Check.
var Checks = []string{CheckNIR}

// NumberFit says how a typed number fits its rule.
type NumberFit int

const (
	NumberRight      NumberFit = iota // complete and valid
	NumberIncomplete                  // fewer characters than the rule asks
	NumberWrong                       // complete, but not a valid number: a typing mistake
)

// NewNumberRule compiles the rule's pattern, anchored on both ends.
func NewNumberRule(min, max int, pattern string, store bool) (*NumberRule, error) {
	r := &NumberRule{Min: min, Max: max, Pattern: pattern, Store: store}
	if pattern != "" {
		re, err := regexp.Compile(`^(?:` + pattern + `)$`)
		if err != nil {
			return nil, err
		}
		r.re = re
	}
	return r, nil
}

// Accepts reports whether digits is a complete, valid answer.
func (r *NumberRule) Accepts(digits string) bool { return r.Fit(digits) == NumberRight }

// Fit says whether typed is a complete, valid answer, too short, or wrong.
// Only digits are allowed, but for the letters A and B of a Corsican NIR.
func (r *NumberRule) Fit(typed string) NumberFit {
	if len(typed) < r.Min {
		return NumberIncomplete
	}
	if len(typed) > r.Max {
		return NumberWrong
	}
	if r.Check == CheckNIR && len(typed) == 14 { // 13 without the key, 15 with it
		return NumberIncomplete
	}
	for i, c := range typed {
		if c >= '0' && c <= '9' || r.Check == CheckNIR && CorsicaLetterAt(typed[:i], c) {
			continue
		}
		return NumberWrong
	}
	if r.re != nil && !r.re.MatchString(nirDigits(r, typed)) {
		return NumberWrong
	}
	if r.Check == CheckNIR && len(typed) == 15 && !nirKeyRight(typed) {
		return NumberWrong
	}
	return NumberRight
}

// CorsicaLetterAt reports whether c may follow before in a NIR: A or B as
// its 7th character, after a 2 (the départements 2A and 2B of Corsica).
func CorsicaLetterAt(before string, c rune) bool {
	return (c == 'A' || c == 'B') && len(before) == 6 && before[5] == '2'
}

// nirDigits is the number as digits only, for the rule's pattern: 2A and
// 2B are matched as 19 and 18, as the key counts them.
func nirDigits(r *NumberRule, typed string) string {
	if r.Check != CheckNIR || len(typed) < 7 {
		return typed
	}
	switch typed[5:7] {
	case "2A":
		return typed[:5] + "19" + typed[7:]
	case "2B":
		return typed[:5] + "18" + typed[7:]
	}
	return typed
}

// nirKeyRight checks the key of a 15-character NIR.
func nirKeyRight(nir string) bool {
	digits := nirDigits(&NumberRule{Check: CheckNIR}, nir)
	var body uint64
	for _, c := range digits[:13] {
		body = body*10 + uint64(c-'0')
	}
	key := uint64(digits[13]-'0')*10 + uint64(digits[14]-'0')
	return key == 97-body%97
}

// Step returns the step with the given id.
func (p *Procedure) Step(id string) (*Step, bool) {
	if p.byID == nil { // not indexed: a procedure built by hand in a test
		for _, s := range p.Steps {
			if s.ID == id {
				return s, true
			}
		}
		return nil, false
	}
	s, ok := p.byID[id]
	return s, ok
}

// First returns the step a session starts on.
func (p *Procedure) First() *Step { return p.Steps[0] }

// Index builds the procedure's lookup table. Loaders call it once, before
// the procedure is shared between goroutines.
func (p *Procedure) Index() {
	p.byID = make(map[string]*Step, len(p.Steps))
	for _, s := range p.Steps {
		p.byID[s.ID] = s
	}
}
