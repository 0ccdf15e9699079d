package editor

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"passerelle/app/passerelle"
)

// The fields kept as written (Raw) are read and set here for the page's
// form. A field set to the value it already has keeps its text: a file
// written by hand changes only where staff changed something.

// yes reads a yes/no field as the validator does: French words too.
func yes(r Raw) bool {
	var v any
	if yaml.Unmarshal(r, &v) != nil {
		return false
	}
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return slices.Contains([]string{"yes", "true", "oui", "on", "y"}, strings.ToLower(strings.TrimSpace(v)))
	}
	return false
}

func rawOf(v any, flow bool) Raw {
	var opts []yaml.EncodeOption
	if flow {
		opts = append(opts, yaml.Flow(true))
	}
	b, err := yaml.MarshalWithOptions(v, opts...)
	if err != nil {
		return nil
	}
	return Raw(bytes.TrimSpace(b))
}

// Elsewhere says whether the step is done on another screen.
func (s *Step) ElsewhereOn() bool { return yes(s.Elsewhere) }

// SetElsewhere marks the step done on another screen, or not (then the
// field is left out: no is the default).
func (s *Step) SetElsewhere(on bool) {
	switch {
	case on == s.ElsewhereOn():
	case on:
		s.Elsewhere = Raw("yes")
	default:
		s.Elsewhere = nil
	}
}

// PhoneNumber is a handoff step's phone number, as written.
func (s *Step) PhoneNumber() string { return scalar(s.Phone) }

// SetPhone sets the phone number, written as a quoted text so that a
// leading 0 stays; "" removes it.
func (s *Step) SetPhone(p string) {
	p = strings.TrimSpace(p)
	switch {
	case p == s.PhoneNumber():
	case p == "":
		s.Phone = nil
	default:
		s.Phone = rawOf(p, false)
	}
}

func scalar(r Raw) string {
	if len(r) == 0 {
		return ""
	}
	var v any
	if yaml.Unmarshal(r, &v) != nil || v == nil {
		return strings.TrimSpace(string(r))
	}
	if s, ok := v.(string); ok {
		return s
	}
	return strings.TrimSpace(string(r))
}

// ids reads a list of document ids.
func ids(r Raw) []string {
	var v []string
	if len(r) == 0 || yaml.Unmarshal(r, &v) != nil {
		return nil
	}
	return v
}

func setIDs(r *Raw, list []string) {
	if slices.Equal(list, ids(*r)) {
		return
	}
	if len(list) == 0 {
		*r = nil
		return
	}
	*r = rawOf(list, true)
}

// ItemIDs are the documents a checklist step shows.
func (s *Step) ItemIDs() []string { return ids(s.Items) }

// SetItems sets the documents a checklist step shows.
func (s *Step) SetItems(list []string) { setIDs(&s.Items, list) }

// BringIDs are the documents an end step says to bring.
func (s *Step) BringIDs() []string { return ids(s.Bring) }

// SetBring sets the documents an end step says to bring.
func (s *Step) SetBring(list []string) { setIDs(&s.Bring, list) }

// NumberSettings are a number step's settings as the form edits them.
type NumberSettings struct {
	Min, Max        string // digits, as typed: the validator judges them
	Pattern, Check  string
	Store, Personal bool
}

// NumberOf reads the number step's settings.
func (s *Step) NumberOf() NumberSettings {
	var m map[string]any
	if len(s.Number) == 0 || yaml.Unmarshal(s.Number, &m) != nil {
		return NumberSettings{}
	}
	str := func(k string) string {
		if v, ok := m[k]; ok && v != nil {
			return strings.TrimSpace(strings.TrimSuffix(string(rawOf(v, false)), "\n"))
		}
		return ""
	}
	n := NumberSettings{Min: str("min"), Max: str("max"), Check: str("check")}
	if p, ok := m["pattern"].(string); ok {
		n.Pattern = p
	}
	n.Store, n.Personal = yes(Raw(str("store"))), yes(Raw(str("personal")))
	return n
}

// SetNumber writes the number step's settings on one line, in the
// format's order; personal and check only when set.
func (s *Step) SetNumber(n NumberSettings) {
	if n == s.NumberOf() && len(s.Number) > 0 {
		return
	}
	yesNo := map[bool]string{true: "yes", false: "no"}
	parts := []string{"min: " + number(n.Min), "max: " + number(n.Max)}
	if n.Pattern != "" {
		parts = append(parts, "pattern: "+strconv.Quote(n.Pattern)) // Go's escapes are YAML's
	}
	parts = append(parts, "store: "+yesNo[n.Store])
	if n.Personal {
		parts = append(parts, "personal: yes")
	}
	if n.Check != "" {
		parts = append(parts, "check: "+strconv.Quote(n.Check))
	}
	s.Number = Raw("{" + strings.Join(parts, ", ") + "}")
}

// number writes digits as a number, anything else quoted as typed (for
// the validator to name it).
func number(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && len(s) < 7 && strings.Trim(s, "0123456789") == "" {
		return s
	}
	return strconv.Quote(s)
}

// Document is one of the procedure's documents (things to have at hand),
// as the form edits it.
type Document struct {
	ID        string
	Pictogram string
	Label     Text
}

// DocumentsOf reads the procedure's documents, in file order.
func (d *Doc) DocumentsOf() []*Document {
	var m yaml.MapSlice
	if len(d.Documents) == 0 || yaml.UnmarshalWithOptions(d.Documents, &m, yaml.UseOrderedMap()) != nil {
		return nil
	}
	var out []*Document
	for _, item := range m {
		doc := &Document{ID: toString(item.Key), Label: Text{}}
		fields, _ := item.Value.(yaml.MapSlice)
		for _, f := range fields {
			switch toString(f.Key) {
			case "pictogram":
				doc.Pictogram = toString(f.Value)
			case "label":
				label, _ := f.Value.(yaml.MapSlice)
				for _, l := range label {
					doc.Label[passerelle.Lang(toString(l.Key))] = toString(l.Value)
				}
			}
		}
		out = append(out, doc)
	}
	return out
}

// SetDocuments writes the procedure's documents; a document renamed is
// renamed in the checklists and ends too. renamed maps old ids to new.
func (d *Doc) SetDocuments(list []*Document, renamed map[string]string) {
	if sameDocuments(list, d.DocumentsOf()) {
		return
	}
	m := yaml.MapSlice{}
	for _, doc := range list {
		m = append(m, yaml.MapItem{Key: doc.ID, Value: yaml.MapSlice{
			{Key: "pictogram", Value: doc.Pictogram}, {Key: "label", Value: doc.Label}}})
	}
	if len(m) == 0 {
		d.Documents = nil
	} else {
		d.Documents = rawOf(m, false)
	}
	for _, s := range d.Steps {
		for _, field := range []*Raw{&s.Items, &s.Bring} {
			list := ids(*field)
			for i, id := range list {
				if to, ok := renamed[id]; ok {
					list[i] = to
				}
			}
			setIDs(field, list)
		}
	}
}

func sameDocuments(a, b []*Document) bool {
	return slices.EqualFunc(a, b, func(x, y *Document) bool {
		if x.ID != y.ID || x.Pictogram != y.Pictogram || len(x.Label) != len(y.Label) {
			return false
		}
		for l, s := range x.Label {
			if y.Label[l] != s {
				return false
			}
		}
		return true
	})
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	}
	return strings.TrimSpace(string(rawOf(v, false)))
}

// recordings reads a map of language to recorded file.
func recordings(r Raw) yaml.MapSlice {
	var m yaml.MapSlice
	if len(r) == 0 || yaml.UnmarshalWithOptions(r, &m, yaml.UseOrderedMap()) != nil {
		return nil
	}
	return m
}

// setRecording names the recording of one language ("" removes it).
func setRecording(r *Raw, lang passerelle.Lang, rel string) {
	m := recordings(*r)
	i := slices.IndexFunc(m, func(it yaml.MapItem) bool { return toString(it.Key) == string(lang) })
	switch {
	case i >= 0 && rel == "":
		m = slices.Delete(m, i, i+1)
	case i >= 0:
		m[i].Value = rel
	case rel != "":
		m = append(m, yaml.MapItem{Key: string(lang), Value: rel})
	}
	if len(m) == 0 {
		*r = nil
		return
	}
	*r = rawOf(m, true)
}

func recordingOf(r Raw, lang passerelle.Lang) string {
	for _, it := range recordings(r) {
		if toString(it.Key) == string(lang) {
			return toString(it.Value)
		}
	}
	return ""
}

// RecordingOf is the file of the step's recording in lang, or "".
func (s *Step) RecordingOf(lang passerelle.Lang) string { return recordingOf(s.Audio, lang) }

// SetRecording names the step's recording in lang, a path in the
// procedure's folder; "" removes it (the kiosk then speaks the text with
// its synthetic voice).
func (s *Step) SetRecording(lang passerelle.Lang, rel string) { setRecording(&s.Audio, lang, rel) }

// IntroRecordingOf is the file of the intro's recording in lang, or "".
func (d *Doc) IntroRecordingOf(lang passerelle.Lang) string { return recordingOf(d.IntroAudio, lang) }

// SetIntroRecording names the intro's recording in lang; "" removes it.
func (d *Doc) SetIntroRecording(lang passerelle.Lang, rel string) {
	setRecording(&d.IntroAudio, lang, rel)
}

// Source is a public page a procedure's facts come from, as the form
// edits it.
type Source struct {
	URL, Supports string
	Checked       string // YYYY-MM-DD, as typed: the validator judges it
}

// SourcesOf reads the procedure's sources, in file order.
func (d *Doc) SourcesOf() []Source {
	var list []yaml.MapSlice
	if len(d.Sources) == 0 || yaml.UnmarshalWithOptions(d.Sources, &list, yaml.UseOrderedMap()) != nil {
		return nil
	}
	var out []Source
	for _, m := range list {
		var s Source
		for _, f := range m {
			switch toString(f.Key) {
			case "url":
				s.URL = toString(f.Value)
			case "supports":
				s.Supports = toString(f.Value)
			case "checked":
				s.Checked = toString(f.Value)
			}
		}
		out = append(out, s)
	}
	return out
}

// SetSources writes the procedure's sources.
func (d *Doc) SetSources(list []Source) {
	if slices.Equal(list, d.SourcesOf()) {
		return
	}
	var out []yaml.MapSlice
	for _, s := range list {
		out = append(out, yaml.MapSlice{{Key: "url", Value: s.URL}, {Key: "supports", Value: s.Supports}, {Key: "checked", Value: s.Checked}})
	}
	if len(out) == 0 {
		d.Sources = nil
		return
	}
	d.Sources = rawOf(out, false)
}
