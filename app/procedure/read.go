package procedure

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml/ast"
	"golang.org/x/text/unicode/norm"

	"passerelle/app/passerelle"
)

// The fields each part of a procedure file may have.
var (
	procedureFields = []string{"id", "version", "sources", "pictogram", "title", "intro", "intro_audio", "documents", "steps"}
	documentFields  = []string{"pictogram", "label"}
	stepFields      = []string{"id", "kind", "pictogram", "say", "audio", "screen", "elsewhere", "next", "options", "items", "bring", "number", "phone"}
	optionFields    = []string{"id", "pictogram", "label", "next"}
	numberFields    = []string{"min", "max", "pattern", "store", "personal", "check"}

	// commonFields are the fields a step of any kind may have.
	commonFields = []string{"id", "kind", "pictogram", "say", "audio", "screen"}

	// kindFields are the fields a step of each kind may have on top of
	// the common ones. A session ends on handoff and end steps, so the
	// kiosk has nothing to wait for there: they are not "elsewhere".
	kindFields = map[passerelle.StepKind][]string{
		passerelle.KindInfo:      {"elsewhere", "next"},
		passerelle.KindChoice:    {"elsewhere", "options"},
		passerelle.KindChecklist: {"elsewhere", "items", "next"},
		passerelle.KindNumber:    {"elsewhere", "number", "next"},
		passerelle.KindHandoff:   {"phone"},
		passerelle.KindEnd:       {"bring"},
	}
)

// procReader reads one procedure file.
type procReader struct {
	reader
	dir, shared string // the procedure's folder, the shared pictograms folder
	media       *mediaCache
	disk        *disk // shared by the procedures of one load
	// today is the day the procedure is read (midnight UTC): a source
	// cannot be checked after it, and is old maxAge before it.
	today  time.Time
	maxAge time.Duration
	valid  days // from today, until a source's date gives another message

	texts   []placedText // every text, for the language check
	records []placedText // every recording map, keyed by language
	nexts   []placedRef  // every "next", checked once all steps are known
	docRefs []placedRef  // every document id used by a checklist or end step
	labels  []labelled   // every pictogram shown with a label
	stepAt  map[string]pos
	spoken  []spokenText // every spoken text (intro, say), for the FALC hints
	hints   []passerelle.Problem
	noHints bool // leave the FALC hints out

	// linksBroken is set when a step's id, kind or links could not be read:
	// the shape of the step graph would then only echo that first problem.
	linksBroken bool
	// docsBroken is set when the documents could not be read: every
	// reference to one would then be reported too.
	docsBroken bool
	idAt       pos // where the procedure id is written
	// reported remembers media files already reported, so that a broken
	// shared pictogram used on ten screens is one problem, not ten.
	reported map[string]bool
	// pictograms memoises where each pictogram name resolved: procedures
	// use the same few pictograms on many screens.
	pictograms map[string]passerelle.Media
	// looked records every file the reader looked at, found or not, so a
	// reload can tell whether reading the procedure again could change
	// anything.
	looked []stamp
	// dirLooked says looked holds the stamp of the procedure's folder.
	dirLooked bool
	// seen records the other questions asked of the file system, for the
	// snapshot: the folders listed and the links followed. With looked,
	// it is every question the read asked.
	seen []touch
}

// stamp is what a file looked like when a procedure was read.
// The file's identity is part of it: a catalog swapped by a rename may hold
// copies with the same size and time. So is its change time: an edit that
// keeps the size and puts the modification time back changes it. Its
// fields are exported for the snapshot (encoding/gob).
type stamp struct {
	Path    string
	Exists  bool
	Err     string // why it could not be looked at, when not for being missing
	Mode    fs.FileMode
	Size    int64
	ModTime int64 // nanoseconds
	CTime   int64 // nanoseconds
	ID      fileID
}

func stampOf(path string, info os.FileInfo, err error) stamp {
	if err != nil {
		s := stamp{Path: path}
		if !errors.Is(err, fs.ErrNotExist) {
			s.Err = err.Error()
		}
		return s
	}
	return stamp{Path: path, Exists: true, Mode: info.Mode(), Size: info.Size(), ModTime: info.ModTime().UnixNano(),
		CTime: changeTime(info), ID: idOf(info)}
}

// stat looks at a file and remembers it.
func (r *procReader) stat(path string) (os.FileInfo, error) {
	s, info, err := r.disk.stat(path)
	r.looked = append(r.looked, s)
	return info, err
}

// listing notes that a folder's names are about to be read: its stamp
// changes when a name is added, removed or renamed in it.
func (r *procReader) listing(dir string) {
	s, _, _ := r.disk.stat(dir)
	r.seen = append(r.seen, touch{Op: touchStat, Stamp: s})
}

type placedText struct {
	langs []passerelle.Lang
	at    pos
	what  string
}

type placedRef struct {
	id, what string
	at       pos
}

// read decodes a procedure file. It returns nil when the file is too broken
// to say anything about; problems are in r.problems either way.
func (r *procReader) read(src []byte) *passerelle.Procedure {
	body := r.parse(src)
	if body == nil {
		return nil
	}
	m := r.asMapping(body, "the procedure", procedureFields)
	if m == nil {
		return nil
	}
	p := &passerelle.Procedure{Dir: r.dir, File: r.file, Documents: map[string]*passerelle.Document{}}
	if n := r.require(m, "id", "the procedure", ", like \"id: caf-declaration\""); n != nil {
		p.ID, _ = r.id(n, "the procedure id")
		r.idAt = posOf(n)
	}
	if n := r.require(m, "version", "the procedure", ", like \"version: 1\""); n != nil {
		if v, ok := r.integer(n, "version", "3"); ok {
			if v < 1 {
				r.problemf(posOf(n), "version must be 1 or more")
			}
			p.Version = v
		}
	}
	r.sources(m, p)
	if n := r.require(m, "pictogram", "the procedure", ""); n != nil {
		p.Pictogram = r.pictogram(n, "the procedure's pictogram")
	}
	p.Title = r.langText(m, "title", "the title")
	p.Intro = r.langText(m, "intro", "the intro")
	r.spoken = append(r.spoken, spokenText{p.Intro, m.valueAt("intro"), "the intro"})
	if n := m.get("intro_audio"); n != nil {
		p.IntroAudio = r.recordings(n, "intro_audio")
	}
	if n := m.get("documents"); n != nil {
		r.documents(n, p)
	}
	r.stepAt = map[string]pos{}
	if n := r.require(m, "steps", "the procedure", ""); n != nil {
		for i, sn := range r.sequence(n, "steps", MaxSteps) {
			if s := r.step(sn, i+1); s != nil {
				p.Steps = append(p.Steps, s)
			}
		}
	}
	r.checkLanguages(p, m)
	r.checkReferences(p)
	r.checkPictogramMeanings()
	if !r.noHints {
		r.falcHints(p)
	}
	p.Index()
	return p
}

func (r *procReader) langText(m *mapping, key, what string) passerelle.Text {
	n := r.require(m, key, "the procedure", "")
	if n == nil {
		return nil
	}
	t := r.text(n, what, textLimits[key])
	r.texts = append(r.texts, placedText{langs: t.Langs(), at: m.valueAt(key), what: what})
	return t
}

func (r *procReader) documents(n ast.Node, p *passerelle.Procedure) {
	docs := r.asMapping(n, "documents", nil)
	if docs == nil {
		r.docsBroken = true
		return
	}
	for _, f := range docs.fields {
		id := f.key
		if !idPattern.MatchString(id) || len(id) > maxIDLen {
			r.problemf(docs.keyPos(id), "document id %q may use only lowercase letters without accents, digits and dashes, %d at most", id, maxIDLen)
			continue
		}
		what := fmt.Sprintf("document %q", id)
		dm := r.asMapping(docs.get(id), what, documentFields)
		if dm == nil {
			continue
		}
		d := &passerelle.Document{ID: id}
		if pn := r.require(dm, "pictogram", what, ""); pn != nil {
			d.Pictogram = r.pictogram(pn, "the pictogram of "+what)
		}
		if ln := r.require(dm, "label", what, ""); ln != nil {
			d.Label = r.text(ln, "the label of "+what, MaxLabel)
			r.texts = append(r.texts, placedText{d.Label.Langs(), dm.valueAt("label"), "the label of " + what})
		}
		r.labelledPictogram(d.Pictogram, id, d.Label, what, dm.valueAt("pictogram"))
		p.Documents[id] = d
	}
}

func (r *procReader) step(n ast.Node, number int) *passerelle.Step {
	what := fmt.Sprintf("step %d", number)
	m := r.asMapping(n, what, stepFields)
	if m == nil {
		return nil
	}
	s := &passerelle.Step{}
	idn := r.require(m, "id", what, "")
	r.linksBroken = r.linksBroken || idn == nil
	if idn != nil {
		id, ok := r.id(idn, "the step id")
		r.linksBroken = r.linksBroken || !ok
		if ok {
			s.ID = id
			what = fmt.Sprintf("step %q", id)
			if first, dup := r.stepAt[id]; dup {
				r.problemf(posOf(idn), "step id %q is used twice in this procedure (first on line %d): give each step its own id", id, first.line)
				r.linksBroken = true
			} else {
				r.stepAt[id] = m.at
			}
		}
	}
	if kn := r.require(m, "kind", what, ": "+kindList()); kn != nil {
		if k, ok := r.str(kn, "the kind of "+what); ok {
			s.Kind = passerelle.StepKind(k)
			if _, known := kindFields[s.Kind]; !known {
				r.problemf(posOf(kn), "%q is not a kind of step%s", k, suggest(k, kindNames(), "kind"))
				s.Kind = ""
			}
		}
	}
	if pn := r.require(m, "pictogram", what, ": every screen needs a big picture"); pn != nil {
		s.Pictogram = r.pictogram(pn, "the pictogram of "+what)
	}
	if sn := r.require(m, "say", what, ": the sentence the kiosk speaks on this screen"); sn != nil {
		s.Say = r.text(sn, "the say text of "+what, MaxSay)
		r.texts = append(r.texts, placedText{s.Say.Langs(), m.valueAt("say"), "the say text of " + what})
		r.spoken = append(r.spoken, spokenText{s.Say, m.valueAt("say"), "the say text of " + what})
	}
	if an := m.get("audio"); an != nil {
		s.Audio = r.recordings(an, "the audio of "+what)
	}
	if sn := r.optional(m, "screen", what, ": the name of a drawing (.svg or .png) of what to look for, or remove \"screen:\""); sn != nil {
		s.Screen = r.screen(sn, what)
	}
	if s.Kind == "" {
		r.linksBroken = true
		return s
	}
	allowed := kindFields[s.Kind]
	for _, f := range m.fields {
		key := f.key
		switch {
		case contains(commonFields, key) || contains(allowed, key):
		case key == "elsewhere":
			r.problemf(m.keyPos(key), "\"elsewhere\" has no meaning in %s step: the session ends on it, so the kiosk has nothing to wait for; put \"elsewhere: yes\" on the step that asks for the work", aKind(s.Kind))
		default:
			r.problemf(m.keyPos(key), "%q has no meaning in %s step; besides %s, %s step has: %s",
				key, aKind(s.Kind), strings.Join(commonFields, ", "), aKind(s.Kind), strings.Join(allowed, ", "))
		}
	}
	if contains(allowed, "elsewhere") { // elsewhere on other kinds is reported above
		if en := r.optional(m, "elsewhere", what, ": yes or no"); en != nil {
			s.Elsewhere, _ = r.yesNo(en, "elsewhere")
		}
	}
	if contains(allowed, "next") {
		s.Next = r.next(m, what, ": the id of the step that follows")
	}
	switch s.Kind {
	case passerelle.KindChoice:
		r.options(m, s, what)
	case passerelle.KindChecklist:
		if in := r.require(m, "items", what, ": the ids of the documents to tick"); in != nil {
			s.Items = r.docList(in, "items of "+what)
			if len(s.Items) < 1 || len(s.Items) > passerelle.MaxItems {
				r.problemf(m.keyPos("items"), "a checklist shows 1 to %d documents; %s has %d", passerelle.MaxItems, what, len(s.Items))
			}
		}
	case passerelle.KindEnd:
		if bn := m.get("bring"); bn != nil {
			s.Bring = r.docList(bn, "bring of "+what)
		}
	case passerelle.KindNumber:
		if nn := r.require(m, "number", what, ": min, max and store"); nn != nil {
			s.Number = r.numberRule(nn, what)
		}
	case passerelle.KindHandoff:
		if pn := m.get("phone"); pn != nil {
			if phone, ok := r.str(pn, "phone"); ok {
				if !phonePattern.MatchString(phone) || len(phone) > 2*passerelle.MaxDigits {
					r.problemf(posOf(pn), "phone %q must be %d digits at most (spaces allowed), like \"39 49\"", phone, passerelle.MaxDigits)
				}
				s.Phone = phone
			}
		}
	}
	return s
}

// next reads a link to another step, checked once every step is known.
func (r *procReader) next(m *mapping, what, hint string) string {
	nn := r.require(m, "next", what, hint)
	if nn == nil {
		r.linksBroken = true
		return ""
	}
	next, ok := r.str(nn, "next")
	if !ok {
		r.linksBroken = true
		return ""
	}
	r.nexts = append(r.nexts, placedRef{next, what, posOf(nn)})
	return next
}

// maxPatternLen bounds a number's pattern: a rule for 20 digits at most is short.
const maxPatternLen = 200

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ]*$`)

func (r *procReader) options(m *mapping, s *passerelle.Step, what string) {
	on := r.require(m, "options", what, ": 2 to 4 answers")
	if on == nil {
		r.linksBroken = true
		return
	}
	items := r.sequence(on, "options of "+what, maxEntries)
	if len(items) < passerelle.MinOptions || len(items) > passerelle.MaxOptions {
		r.problemf(m.keyPos("options"), "a choice needs %d to %d options; %s has %d",
			passerelle.MinOptions, passerelle.MaxOptions, what, len(items))
	}
	seen := map[string]bool{}
	for i, n := range items {
		owhat := fmt.Sprintf("option %d of %s", i+1, what)
		om := r.asMapping(n, owhat, optionFields)
		if om == nil {
			continue
		}
		o := &passerelle.Option{}
		if idn := r.require(om, "id", owhat, ", like \"id: \\\"yes\\\"\""); idn != nil {
			if id, ok := r.id(idn, "the option id"); ok {
				if seen[id] {
					r.problemf(posOf(idn), "option id %q is used twice in %s", id, what)
				}
				seen[id] = true
				o.ID = id
			}
		}
		if pn := r.require(om, "pictogram", owhat, ""); pn != nil {
			o.Pictogram = r.pictogram(pn, "the pictogram of "+owhat)
		}
		if ln := r.require(om, "label", owhat, ""); ln != nil {
			o.Label = r.text(ln, "the label of "+owhat, MaxLabel)
			r.texts = append(r.texts, placedText{o.Label.Langs(), om.valueAt("label"), "the label of " + owhat})
		}
		r.labelledPictogram(o.Pictogram, o.ID, o.Label, owhat, om.valueAt("pictogram"))
		o.Next = r.next(om, owhat, ": the id of the step this answer leads to")
		s.Options = append(s.Options, o)
	}
}

func (r *procReader) docList(n ast.Node, what string) []string {
	var ids []string
	for _, in := range r.sequence(n, what, maxEntries) {
		if id, ok := r.str(in, "a document id"); ok {
			ids = append(ids, id)
			r.docRefs = append(r.docRefs, placedRef{id, what, posOf(in)})
		}
	}
	return ids
}

func (r *procReader) numberRule(n ast.Node, what string) *passerelle.NumberRule {
	m := r.asMapping(n, "the number rule of "+what, numberFields)
	if m == nil {
		return nil
	}
	var (
		minDigits, maxDigits int
		pattern              string
		store, personal      bool
		check                string
		ok                   = true
	)
	read := func(key string, f func(ast.Node) bool) {
		if vn := r.require(m, key, "the number rule of "+what, ""); vn == nil || !f(vn) {
			ok = false
		}
	}
	read("min", func(vn ast.Node) (good bool) { minDigits, good = r.integer(vn, "min", "7"); return })
	read("max", func(vn ast.Node) (good bool) { maxDigits, good = r.integer(vn, "max", "7"); return })
	read("store", func(vn ast.Node) (good bool) { store, good = r.yesNo(vn, "store"); return })
	if ok && (minDigits < 1 || maxDigits > passerelle.MaxDigits || minDigits > maxDigits) {
		r.problemf(m.at, "the number must have between min and max digits, with 1 ≤ min ≤ max ≤ %d; here min is %d and max is %d",
			passerelle.MaxDigits, minDigits, maxDigits)
		ok = false
	}
	if pn := m.get("pattern"); pn != nil {
		var good bool
		if pattern, good = r.str(pn, "pattern"); good && len(pattern) > maxPatternLen {
			r.problemf(posOf(pn), "the pattern is %d characters long; at most %d are allowed", len(pattern), maxPatternLen)
			ok = false
		} else if good {
			if _, err := regexp.Compile(pattern); err != nil {
				r.problemf(posOf(pn), "the pattern %q is not a valid regular expression: %s", pattern, regexpReason(err))
				ok = false
			}
		}
	}
	personalAt := m.valueAt("personal")
	if pn := r.optional(m, "personal", "the number rule of "+what, ": yes or no"); pn != nil {
		var good bool
		if personal, good = r.yesNo(pn, "personal"); !good {
			ok = false
		}
	}
	if cn := r.optional(m, "check", "the number rule of "+what, ": nir, or remove \"check:\""); cn != nil {
		var good bool
		if check, good = r.str(cn, "check"); !good {
			ok = false
		} else if !contains(passerelle.Checks, check) {
			r.problemf(posOf(cn), "%q is not a known check of a number%s", check, suggest(check, passerelle.Checks, "check"))
			ok = false
		}
	}
	if check == passerelle.CheckNIR {
		if m.has("personal") && !personal {
			r.problemf(personalAt, "a social security number (check: nir) is always personal: remove \"personal: no\", so that the keypad does not say its digits aloud")
			ok = false
		}
		personal = true
		if ok && (minDigits != maxDigits || minDigits != 13 && minDigits != 15) {
			r.problemf(m.keyPos("min"), "with check: nir, min and max must both be 13 (the number without its key) or both 15 (with its key); here min is %d and max is %d",
				minDigits, maxDigits)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	rule, err := passerelle.NewNumberRule(minDigits, maxDigits, pattern, store)
	if err != nil { // already reported above
		return nil
	}
	rule.Personal, rule.Check = personal, check
	return rule
}

// regexpReason keeps the part of a regexp error a person can act on.
func regexpReason(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error parsing regexp: ")
	return msg
}

// pictogram finds a pictogram in the procedure's folder, then in the shared
// folder, and decodes it.
func (r *procReader) pictogram(n ast.Node, what string) passerelle.Media {
	name, ok := r.str(n, what)
	if !ok {
		return passerelle.Media{}
	}
	if media, ok := r.pictograms[name]; ok {
		return media
	}
	if !r.safePath(name, n, what) {
		return passerelle.Media{}
	}
	name = slashes(name)
	path := filepath.Join(r.dir, name)
	if (r.absent(path) || !r.exists(path)) && r.shared != "" {
		// decode finds a name written with other code points in the
		// folder the path is in.
		inShared := filepath.Join(r.shared, name)
		if r.exists(inShared) || (r.sameName(path) == "" && r.sameName(inShared) != "") {
			path = inShared
		}
	}
	media := r.decode(path, name, n, what, pictogram)
	if media.Path != "" {
		if r.pictograms == nil {
			r.pictograms = map[string]passerelle.Media{}
		}
		r.pictograms[name] = media
	}
	return media
}

// screen reads a step's sketch of the other screen. It is decoded as a
// pictogram is, and found the same way.
func (r *procReader) screen(n ast.Node, what string) passerelle.Media {
	what = "the screen sketch of " + what
	name, ok := r.str(n, what)
	if !ok {
		return passerelle.Media{}
	}
	if ext := strings.ToLower(filepath.Ext(name)); !contains(pictogramExts, ext) {
		r.problemf(posOf(n), "%s %q must be a drawing in %s", what, name, strings.Join(pictogramExts, " or "))
		return passerelle.Media{}
	}
	return r.pictogram(n, what)
}

// recordings reads a map of language to recorded file in the procedure's folder.
func (r *procReader) recordings(n ast.Node, what string) map[passerelle.Lang]passerelle.Media {
	m := r.asMapping(n, what, nil)
	if m == nil {
		return nil
	}
	out := map[passerelle.Lang]passerelle.Media{}
	var langs []passerelle.Lang
	for _, f := range m.fields {
		k := f.key
		lang := passerelle.Lang(k)
		if _, ok := passerelle.LookupLanguage(lang); !ok {
			r.problemf(m.keyPos(k), "%q is not a known language code in %s; known codes: %s", k, what, knownLangs())
			continue
		}
		langs = append(langs, lang)
		name, ok := r.str(m.get(k), fmt.Sprintf("the %s recording of %s", k, what))
		if !ok || !r.safePath(name, m.get(k), what) {
			continue
		}
		name = slashes(name)
		if media := r.decode(filepath.Join(r.dir, name), name, m.get(k), what, recording); media.Path != "" {
			out[lang] = media
		}
	}
	r.records = append(r.records, placedText{langs: langs, at: m.at, what: what})
	return out
}

// slashes turns the \ of a path written on Windows (audio\fr\hello.wav)
// into /: no one names a file with a \ in it.
func slashes(name string) string {
	return strings.ReplaceAll(name, `\`, "/")
}

func (r *procReader) safePath(name string, n ast.Node, what string) bool {
	clean := filepath.Clean(slashes(name))
	drive := len(clean) > 1 && clean[1] == ':' // C:\Users\... written on Windows
	if filepath.IsAbs(clean) || drive || clean == ".." || strings.HasPrefix(clean, "../") {
		r.problemf(posOf(n), "%s %q must be a file inside the procedure's folder (or in pictograms/)", what, name)
		return false
	}
	return true
}

func (r *procReader) decode(path, name string, n ast.Node, what string, kind mediaKind) passerelle.Media {
	info, err := r.stat(path)
	if os.IsNotExist(err) {
		if found := r.sameName(path); found != "" {
			path = found
			info, err = r.stat(path)
		}
	}
	var media passerelle.Media
	if err == nil {
		err = r.inside(path)
	}
	if err == nil {
		media, err = r.media.decode(path, info, kind)
	}
	if err != nil {
		if r.reported[path] {
			return media
		}
		if r.reported == nil {
			r.reported = map[string]bool{}
		}
		r.reported[path] = true
	}
	other := ""
	if os.IsNotExist(err) {
		r.listing(filepath.Dir(filepath.Join(r.dir, name)))
		other = otherCase(filepath.Join(r.dir, name))
		if other == "" && kind == pictogram && r.shared != "" {
			r.listing(filepath.Dir(filepath.Join(r.shared, name)))
			other = otherCase(filepath.Join(r.shared, name))
		}
	}
	switch {
	case other != "":
		r.problemf(posOf(n), "%s: file %q not found, but there is %q: write the name exactly as the file is named, capitals included", what, name, other)
	case os.IsNotExist(err) && kind == pictogram:
		r.problemf(posOf(n), "%s: file %q not found in %s nor in the shared pictograms folder", what, name, r.dirName())
	case os.IsNotExist(err):
		r.problemf(posOf(n), "%s: file %q not found in %s", what, name, r.dirName())
	case err != nil:
		// Long enough for the conversion command a refusal ends with, which
		// staff could not run cut.
		r.problemf(posOf(n), "%s: file %q cannot be used: %s", what, name, clip(plainError(err), 300))
	}
	return media
}

// absent reports whether path, a file of the procedure's own folder, is
// surely not there, from the list of the folder's names read once per
// load: a procedure looks for each of its shared pictograms in its own
// folder first, and asking the system for each was a fifth of a reload.
// The folder's stamp stands for the missing files': adding a file to a
// folder changes its stamp. A name the list cannot answer for (in a
// sub-folder, not ASCII, or holding a ~ as a FAT stick's short names do)
// gives false, and is looked at on its own.
func (r *procReader) absent(path string) bool {
	name := filepath.Base(path)
	if filepath.Dir(path) != filepath.Clean(r.dir) || !isASCII(name) || strings.Contains(name, "~") {
		return false
	}
	list, ok := r.disk.names(r.dir)
	if !ok {
		return false
	}
	for _, n := range list.names {
		if strings.EqualFold(n, name) { // a disk that ignores capitals would find it
			return false
		}
	}
	if !r.dirLooked {
		r.looked = append(r.looked, list.stamp)
		r.dirLooked = true
	}
	return true
}

// exists looks at a file and remembers it.
func (r *procReader) exists(path string) bool {
	_, err := r.stat(path)
	return err == nil
}

// sameName finds a file missing at path under the same name written with
// other Unicode code points: macOS writes "é" in file names as "e" and an
// accent (NFD), editors write it as one letter (NFC). The two look the same
// to everyone, so the file found is the one meant. It returns "" when
// there is none.
func (r *procReader) sameName(path string) string {
	base := filepath.Base(path)
	if isASCII(base) {
		return ""
	}
	want := norm.NFC.String(base)
	r.listing(filepath.Dir(path))
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if e.Name() != base && norm.NFC.String(e.Name()) == want {
			return filepath.Join(filepath.Dir(path), e.Name())
		}
	}
	return ""
}

// otherCase finds the name of a file beside path that differs from it only
// by capitals (Photo.SVG for photo.svg): Windows and macOS would open it,
// the kiosk's disk does not. It returns "" when there is none.
func otherCase(path string) string {
	base := norm.NFC.String(filepath.Base(path))
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.EqualFold(norm.NFC.String(e.Name()), base) {
			return e.Name()
		}
	}
	return ""
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// errOutside is a media file reached through a link that leads out of the
// procedure's folder and the shared pictograms: a catalog copied from a USB
// stick must not show or play files from elsewhere on the kiosk.
var errOutside = errors.New("it is a link to a file outside the procedure's folder: copy the file itself into the folder")

// inside checks that path, once links are followed, is in the procedure's
// folder or in the shared pictograms folder (either may itself be a link).
func (r *procReader) inside(path string) error {
	real, err := r.disk.realFile(path)
	r.seen = append(r.seen, linkTouch(touchReal, path, real, err))
	if err != nil {
		return err
	}
	for _, root := range []string{r.dir, r.shared} {
		if root == "" {
			continue
		}
		rr, err := r.disk.dir(root)
		r.seen = append(r.seen, linkTouch(touchDir, root, rr, err))
		if err == nil && within(real, rr) {
			return nil
		}
	}
	return errOutside
}

// disk remembers, for the length of one load, what the files looked at
// were and where links lead: the 500 procedures of a catalog look at the
// same shared pictograms some 20 000 times, and following the links of a
// path looks at each folder on the way to it. Each path is looked at once
// per load; the next load looks again. A nil *disk remembers nothing.
type disk struct {
	mu    sync.Mutex
	stats map[string]statResult // os.Stat of each file looked at
	reals map[string]realPath   // filepath.EvalSymlinks of each path
	lists map[string]folderList // the names in each folder listed
}

// folderList is the names in a folder, and its stamp taken before they
// were read: a name added since changes the stamp.
type folderList struct {
	stamp stamp
	names []string
	ok    bool
}

// names lists a folder; ok is false when it cannot be listed.
func (d *disk) names(dir string) (folderList, bool) {
	if d == nil {
		return folderList{}, false
	}
	d.mu.Lock()
	hit, ok := d.lists[dir]
	d.mu.Unlock()
	if ok {
		return hit, hit.ok
	}
	list := folderList{}
	if s, info, err := d.stat(dir); err == nil && info.IsDir() {
		if entries, err := os.ReadDir(dir); err == nil {
			list = folderList{stamp: s, names: make([]string, len(entries)), ok: true}
			for i, e := range entries {
				list.names[i] = e.Name()
			}
		}
	}
	d.mu.Lock()
	if d.lists == nil {
		d.lists = map[string]folderList{}
	}
	d.lists[dir] = list
	d.mu.Unlock()
	return list, list.ok
}

type statResult struct {
	stamp stamp
	info  os.FileInfo
	err   error
}

type realPath struct {
	path string
	err  error
}

// stat is os.Stat, with the file's stamp.
func (d *disk) stat(path string) (stamp, os.FileInfo, error) {
	if d != nil {
		d.mu.Lock()
		hit, ok := d.stats[path]
		d.mu.Unlock()
		if ok {
			return hit.stamp, hit.info, hit.err
		}
	}
	info, err := os.Stat(path)
	s := stampOf(path, info, err)
	if d != nil {
		d.mu.Lock()
		if d.stats == nil {
			d.stats = map[string]statResult{}
		}
		d.stats[path] = statResult{s, info, err}
		d.mu.Unlock()
	}
	return s, info, err
}

// dir is filepath.EvalSymlinks of a folder.
func (d *disk) dir(dir string) (string, error) {
	return d.realPath(dir, filepath.EvalSymlinks)
}

// realFile is filepath.EvalSymlinks of a file: its folder's real path and
// its name, unless the file itself is a link.
func (d *disk) realFile(path string) (string, error) {
	return d.realPath(path, func(path string) (string, error) {
		info, err := os.Lstat(path)
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			return filepath.EvalSymlinks(path)
		}
		dir, err := d.dir(filepath.Dir(path))
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, filepath.Base(path)), nil
	})
}

// realPath is follow(path), remembered.
func (d *disk) realPath(path string, follow func(string) (string, error)) (string, error) {
	if d == nil {
		return follow(path)
	}
	d.mu.Lock()
	hit, ok := d.reals[path]
	d.mu.Unlock()
	if ok {
		return hit.path, hit.err
	}
	real, err := follow(path)
	d.mu.Lock()
	if d.reals == nil {
		d.reals = map[string]realPath{}
	}
	d.reals[path] = realPath{real, err}
	d.mu.Unlock()
	return real, err
}

// within reports whether path is under dir; both are clean absolute or
// both relative paths.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func (r *procReader) dirName() string { return filepath.Base(r.dir) + string(filepath.Separator) }

func kindNames() []string {
	names := make([]string, len(passerelle.StepKinds))
	for i, k := range passerelle.StepKinds {
		names[i] = string(k)
	}
	return names
}

// aKind is the kind with its article: "an info", "a choice".
func aKind(k passerelle.StepKind) string {
	if strings.ContainsRune("aeiou", rune(k[0])) {
		return "an " + string(k)
	}
	return "a " + string(k)
}

func kindList() string { return strings.Join(kindNames(), ", ") }
