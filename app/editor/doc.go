// Package editor keeps the hub's drafts and published versions of
// procedures, for the staff page's editor. A draft is a procedure folder in
// the catalog's own format (procedure.yaml and its media) in the editor's
// work folder; publishing validates the whole catalog with the draft in it,
// raises the version, and swaps the procedure's folder into the catalog in
// one rename, where the hub's Publisher takes it to the kiosks.
//
// The work folder holds:
//
//	drafts/<id>/            the draft: procedure.yaml and its media
//	drafts/<id>.json        who saved it last, when, its revision, the catalog file it started from
//	drafts/<id>.revs/<n>.yaml  each revision saved, to say what changed when a save is refused
//	versions/<id>/<v>/      every version published, as it was written to the catalog
//	versions/<id>/<v>.json  who published it, when, and how (publish, rollback)
package editor

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/goccy/go-yaml"

	"passerelle/app/passerelle"
)

// Doc is a procedure file as the editor reads and writes it: the fields
// the editor changes are typed; the others (sources, documents, recordings,
// a number's settings...) are kept as they were written (Raw).
type Doc struct {
	ID         string  `yaml:"id"`
	Version    int     `yaml:"version"`
	Sources    Raw     `yaml:"sources,omitempty"`
	Pictogram  string  `yaml:"pictogram"`
	Title      Text    `yaml:"title"`
	Intro      Text    `yaml:"intro,omitempty"`
	IntroAudio Raw     `yaml:"intro_audio,omitempty"`
	Documents  Raw     `yaml:"documents,omitempty"`
	Steps      []*Step `yaml:"steps"`
}

// Step is one step of a Doc.
type Step struct {
	ID        string    `yaml:"id"`
	Kind      string    `yaml:"kind"`
	Pictogram string    `yaml:"pictogram"`
	Say       Text      `yaml:"say"`
	Audio     Raw       `yaml:"audio,omitempty"`
	Screen    string    `yaml:"screen,omitempty"`
	Elsewhere Raw       `yaml:"elsewhere,omitempty"`
	Next      string    `yaml:"next,omitempty"`
	Options   []*Option `yaml:"options,omitempty"`
	Items     Raw       `yaml:"items,omitempty"`
	Bring     Raw       `yaml:"bring,omitempty"`
	Number    Raw       `yaml:"number,omitempty"`
	Phone     Raw       `yaml:"phone,omitempty"`
}

// Option is one answer of a choice step.
type Option struct {
	ID        string `yaml:"id"`
	Pictogram string `yaml:"pictogram"`
	Label     Text   `yaml:"label"`
	Next      string `yaml:"next"`
}

// Kinds are the kinds of step, in the order the page offers them.
var Kinds = []string{"info", "choice", "checklist", "number", "handoff", "end"}

// Text is a text per language, written in the order of
// passerelle.Languages whatever order it was read in.
type Text map[passerelle.Lang]string

// MarshalYAML writes the languages in a stable order.
func (t Text) MarshalYAML() (any, error) {
	out := yaml.MapSlice{}
	for _, l := range passerelle.Text(t).Langs() {
		out = append(out, yaml.MapItem{Key: string(l), Value: t[l]})
	}
	return out, nil
}

// Raw is a field the editor does not change, kept as written: a
// re-encoding could turn the phone number 0800123456 into a number, or
// "no" into false.
type Raw []byte

// UnmarshalYAML keeps the field's text.
func (r *Raw) UnmarshalYAML(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

// MarshalYAML gives the field's text back.
func (r Raw) MarshalYAML() ([]byte, error) { return r, nil }

// Parse reads a procedure file. It refuses only what YAML cannot read:
// the validator is what judges a procedure.
func Parse(src []byte) (*Doc, error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // the BOM Windows editors add
	var d Doc
	if err := yaml.Unmarshal(src, &d); err != nil {
		return nil, fmt.Errorf("read the procedure file: %s", yaml.FormatError(err, false, true))
	}
	return &d, nil
}

// header is written at the top of every file the editor writes: comments
// of a hand-written file are not kept.
const header = "# Written by the hub's procedure editor. You may still edit this file by hand\n" +
	"# (data/procedures/README.md); the editor shows such edits, but saving from\n" +
	"# the editor rewrites the file and drops its comments.\n"

// Marshal writes the procedure file, every field in the format's order,
// with the fields a step's kind does not take left out.
func (d *Doc) Marshal() ([]byte, error) {
	for _, s := range d.Steps {
		s.keepKindFields()
	}
	b, err := yaml.MarshalWithOptions(d, yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return nil, fmt.Errorf("write the procedure file: %w", err)
	}
	return append([]byte(header), b...), nil
}

// keepKindFields drops the fields the step's kind does not take (the
// validator refuses them): a step turned from a choice into an info loses
// its options.
func (s *Step) keepKindFields() {
	has := func(kinds ...string) bool { return slices.Contains(kinds, s.Kind) }
	if !has("info", "checklist", "number") {
		s.Next = ""
	}
	if !has("info", "choice", "checklist", "number") {
		s.Elsewhere = nil
	}
	if !has("choice") {
		s.Options = nil
	}
	if !has("checklist") {
		s.Items = nil
	}
	if !has("number") {
		s.Number = nil
	}
	if !has("handoff") {
		s.Phone = nil
	}
	if !has("end") {
		s.Bring = nil
	}
}

// Langs are the procedure's languages: those of its title.
func (d *Doc) Langs() []passerelle.Lang { return passerelle.Text(d.Title).Langs() }

// StepIDs lists the steps' ids in order: the choices of every link.
func (d *Doc) StepIDs() []string {
	ids := make([]string, 0, len(d.Steps))
	for _, s := range d.Steps {
		ids = append(ids, s.ID)
	}
	return ids
}

// Step returns the step with this id, or nil.
func (d *Doc) Step(id string) *Step {
	for _, s := range d.Steps {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// RenameStep changes a step's id and every link to it.
func (d *Doc) RenameStep(from, to string) {
	for _, s := range d.Steps {
		if s.ID == from {
			s.ID = to
		}
		if s.Next == from {
			s.Next = to
		}
		for _, o := range s.Options {
			if o.Next == from {
				o.Next = to
			}
		}
	}
}

// NewStepID is an id no step has yet: step-1, step-2...
func (d *Doc) NewStepID() string {
	for i := len(d.Steps) + 1; ; i++ {
		if id := fmt.Sprintf("step-%d", i); d.Step(id) == nil {
			return id
		}
	}
}

// NewOptionID is an id no option of the step has yet.
func (s *Step) NewOptionID() string {
	for i := len(s.Options) + 1; ; i++ {
		id := fmt.Sprintf("answer-%d", i)
		if !slices.ContainsFunc(s.Options, func(o *Option) bool { return o.ID == id }) {
			return id
		}
	}
}

// clone copies a Doc through its file: what is saved is what is kept.
func (d *Doc) clone() (*Doc, error) {
	b, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	return Parse(b)
}
