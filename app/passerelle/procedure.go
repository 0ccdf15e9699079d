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

	byID map[string]*Step
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

	re *regexp.Regexp
}

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
func (r *NumberRule) Accepts(digits string) bool {
	if len(digits) < r.Min || len(digits) > r.Max {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return r.re == nil || r.re.MatchString(digits)
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
