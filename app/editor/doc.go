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
//	versions/<id>/<key>/      every version published, as it was written to the catalog
//	versions/<id>/<key>.json  who published it, when, and how (publish, rollback)
//
// A version's key is its number; a version found edited by hand in the
// catalog (the hub's Publisher sends such edits to kiosks too) is kept
// at the next publish, under its number and a part of its hash when a
// hand edit kept the number.
package editor

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

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

	// comments are the file's comments, by the place they were written
	// at: a step's and an answer's by their id, so they follow a step moved.
	comments map[string][]*yaml.Comment
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
	cm := yaml.CommentMap{}
	if err := yaml.UnmarshalWithOptions(src, &d, yaml.CommentToMap(cm)); err != nil {
		return nil, fmt.Errorf("read the procedure file: %s", yaml.FormatError(err, false, true))
	}
	d.comments = map[string][]*yaml.Comment{}
	for path, c := range cm {
		d.comments[d.stableKey(path)] = c
	}
	return &d, nil
}

// stepPath matches a path into a step, and maybe into one of its answers:
// $.steps[2].options[1].label.fr.
var stepPath = regexp.MustCompile(`^\$\.steps\[(\d+)\](?:\.options\[(\d+)\])?(.*)$`)

// stableKey names a comment's place by step and answer id rather than by
// position. Other places keep their path.
func (d *Doc) stableKey(path string) string {
	m := stepPath.FindStringSubmatch(path)
	if m == nil {
		return path
	}
	i, _ := strconv.Atoi(m[1])
	if i >= len(d.Steps) {
		return path
	}
	st := d.Steps[i]
	if m[2] == "" {
		return "step\x00" + st.ID + "\x00" + m[3]
	}
	j, _ := strconv.Atoi(m[2])
	if j >= len(st.Options) {
		return path
	}
	return "option\x00" + st.ID + "\x00" + st.Options[j].ID + "\x00" + m[3]
}

// commentMap places the comments at the steps' and answers' positions
// now; those of a step or answer removed are dropped.
func (d *Doc) commentMap() yaml.CommentMap {
	cm := yaml.CommentMap{}
	for key, c := range d.comments {
		parts := strings.Split(key, "\x00")
		switch {
		case parts[0] == "step" && len(parts) == 3:
			for i, st := range d.Steps {
				if st.ID == parts[1] {
					cm[fmt.Sprintf("$.steps[%d]%s", i, parts[2])] = c
				}
			}
		case parts[0] == "option" && len(parts) == 4:
			for i, st := range d.Steps {
				for j, o := range st.Options {
					if st.ID == parts[1] && o.ID == parts[2] {
						cm[fmt.Sprintf("$.steps[%d].options[%d]%s", i, j, parts[3])] = c
					}
				}
			}
		default:
			cm[key] = c
		}
	}
	return cm
}

// Marshal writes the procedure file, every field in the format's order,
// with the fields a step's kind does not take left out, and the comments
// it was read with where they were written (a step's follow the step).
// A comment on a field the editor changed is kept; one on a step
// removed goes with it.
func (d *Doc) Marshal() ([]byte, error) {
	for _, s := range d.Steps {
		s.keepKindFields()
	}
	opts := []yaml.EncodeOption{yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true)}
	if len(d.comments) > 0 {
		opts = append(opts, yaml.WithComment(d.commentMap()))
	}
	b, err := yaml.MarshalWithOptions(d, opts...)
	if err != nil {
		return nil, fmt.Errorf("write the procedure file: %w", err)
	}
	return b, nil
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

// RenameStep changes a step's id, every link to it, and the key of its
// comments.
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
	for key, c := range d.comments {
		parts := strings.Split(key, "\x00")
		if (parts[0] == "step" || parts[0] == "option") && len(parts) > 2 && parts[1] == from {
			parts[1] = to
			delete(d.comments, key)
			d.comments[strings.Join(parts, "\x00")] = c
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
