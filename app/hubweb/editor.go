package hubweb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"passerelle/app/editor"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

// The procedures tab: the catalog's procedures, and the editor of one.
// Every change is saved as a draft in the editor's work folder
// (editor.Editor); publishing validates the whole catalog with the draft
// in it and swaps the procedure into the catalog folder, where the hub's
// Publisher takes it to the kiosks.

// maxEditorFormBytes bounds an editor form: 200 steps of texts in a few
// languages stay well under it (a procedure file is at most 1 MB).
const maxEditorFormBytes = 2 << 20

// procedureRow is one procedure of the list.
type procedureRow struct {
	ID, Title string
	Langs     []passerelle.Lang
	Version   int
	Missing   []missing // recordings missing, by language
	Draft     string    // "saved by X at T", or ""
	Stale     bool
	Published *editor.Record // the last publish through the editor
	// Problems, Warnings and Hints are the validator's, on this
	// procedure's files.
	Problems, Warnings, Hints []passerelle.Problem
	Broken                    bool
}

// Notes says whether the validator has anything to say.
func (r procedureRow) Notes() bool { return len(r.Problems)+len(r.Warnings)+len(r.Hints) > 0 }

type missing struct {
	Lang  passerelle.Lang
	Count int
}

// missingRecordings counts the spoken texts (intro and each step's say)
// with no recording, per language.
func missingRecordings(p *passerelle.Procedure) []missing {
	var out []missing
	for _, l := range p.Langs {
		n := 0
		if _, ok := p.IntroAudio[l]; !ok && p.Intro[l] != "" {
			n++
		}
		for _, s := range p.Steps {
			if _, ok := s.Audio[l]; !ok {
				n++
			}
		}
		if n > 0 {
			out = append(out, missing{l, n})
		}
	}
	return out
}

func (s *Server) noEditor(w http.ResponseWriter) bool {
	if s.Editor == nil {
		http.Error(w, "This hub's editor is off: start it with -catalog (and -editor).", http.StatusNotFound)
		return true
	}
	return false
}

// relative names a file of the catalog from the catalog's folder.
func (s *Server) relative(ps []passerelle.Problem) []passerelle.Problem {
	out := make([]passerelle.Problem, len(ps))
	for i, p := range ps {
		if rel, err := filepath.Rel(s.Editor.Catalog, p.File); err == nil && !strings.HasPrefix(rel, "..") {
			p.File = rel
		}
		out[i] = p
	}
	return out
}

func (s *Server) proceduresPage(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	s.showProcedures(w, r, sess, http.StatusOK, "")
}

// proceduresData is what the procedures list shows; Form is the new
// procedure's form as typed, when it was refused.
type proceduresData struct {
	page
	Title     string
	Rows      []procedureRow
	Languages []passerelle.Language
	Problem   string
	Form      url.Values
}

// Checked says whether a language was ticked in the refused form.
func (d proceduresData) Checked(code passerelle.Lang) bool {
	return slices.Contains(d.Form["lang"], string(code))
}

// plainError is an editor's refusal without the sentinel's words the
// sentence already says.
func plainError(err error) string {
	msg := err.Error()
	for _, e := range []error{editor.ErrNothingToPublish, editor.ErrStale} {
		msg = strings.TrimPrefix(msg, e.Error()+": ")
	}
	return msg
}

// showProcedures draws the procedures list, with a problem of the new
// procedure's form (never text taken from the address).
func (s *Server) showProcedures(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession, code int, problem string) {
	res, err := s.Editor.Load(r.Context())
	if err != nil {
		s.internal(w, r, "read the catalog", err)
		return
	}
	byFolder := func(list []passerelle.Problem) map[string][]passerelle.Problem {
		out := map[string][]passerelle.Problem{}
		for _, p := range s.relative(list) {
			folder := strings.SplitN(filepath.ToSlash(p.File), "/", 2)[0]
			out[folder] = append(out[folder], p)
		}
		return out
	}
	problems, warnings, hints := byFolder(res.Problems), byFolder(res.Warnings), byFolder(res.Hints)
	var rows []procedureRow
	seen := map[string]bool{}
	for _, p := range res.Procedures {
		folder := filepath.Base(p.Dir)
		row := procedureRow{ID: p.ID, Title: procedureTitle(map[string]passerelle.Text{p.ID: p.Title}, p.ID), Langs: p.Langs,
			Version: p.Version, Missing: missingRecordings(p), Problems: problems[folder], Warnings: warnings[folder], Hints: hints[folder]}
		seen[p.ID], seen[folder] = true, true
		rows = append(rows, row)
	}
	for folder := range res.Broken {
		name := filepath.Base(folder)
		if !seen[name] {
			seen[name] = true
			rows = append(rows, procedureRow{ID: name, Title: "(cannot be used: see its problems below)", Broken: true,
				Problems: problems[name], Warnings: warnings[name]})
		}
	}
	// New procedures, only drafts so far.
	if entries, err := os.ReadDir(filepath.Join(s.Editor.Dir, "drafts")); err == nil {
		for _, en := range entries {
			id, ok := strings.CutSuffix(en.Name(), ".json")
			if ok && !seen[id] && editor.CheckID(id) == nil {
				rows = append(rows, procedureRow{ID: id, Title: "(new, not published yet)"})
			}
		}
	}
	slices.SortFunc(rows, func(a, b procedureRow) int { return strings.Compare(a.ID, b.ID) })
	for i := range rows {
		if d, err := s.Editor.Draft(r.Context(), rows[i].ID); err == nil && d.Meta.Revision > 0 {
			rows[i].Draft = fmt.Sprintf("draft saved by %s at %s", d.Meta.By, funcs["when"].(func(time.Time) string)(d.Meta.At))
			rows[i].Stale = d.Stale
		}
		if rs, err := s.Editor.Versions(rows[i].ID); err == nil && len(rs) > 0 {
			rows[i].Published = &rs[0]
		}
	}
	s.render(w, code, "procedures.html", proceduresData{page{User: sess.User, CSRF: sess.CSRFToken, Tab: "procedures"},
		"Procedures", rows, passerelle.Languages, problem, r.PostForm})
}

// newProcedure creates a new procedure's draft from its id, languages and
// title, and opens it.
func (s *Server) newProcedure(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id := strings.TrimSpace(r.PostFormValue("id"))
	title := editor.Text{}
	for _, l := range r.PostForm["lang"] {
		if _, ok := passerelle.LookupLanguage(passerelle.Lang(l)); ok {
			title[passerelle.Lang(l)] = strings.TrimSpace(r.PostFormValue("title." + l))
		}
	}
	if err := s.Editor.Create(r.Context(), id, title, sess.User); err != nil {
		s.showProcedures(w, r, sess, http.StatusUnprocessableEntity, "Not created: "+err.Error()+".")
		return
	}
	s.logger().Info("staff page: procedure created", "procedure", id, "by", sess.User)
	http.Redirect(w, r, "/procedures/"+id, http.StatusSeeOther)
}

// editorData is what the editor page shows.
type editorData struct {
	page
	Title      string
	ID         string
	Draft      *editor.Draft
	Doc        *editor.Doc
	Langs      []passerelle.Lang
	Kinds      []string
	StepIDs    []string
	Pictograms []string
	Hints      map[string][]string // by text field name
	Documents  []*editor.Document
	Sources    []editor.Source
	Speech     bool                  // the synthetic voice can say a text not yet recorded
	Previews   bool                  // steps can be drawn as the kiosk shows them
	NewLangs   []passerelle.Language // the languages the procedure could add
	Versions   []editor.Record
	Notice     string
	Problem    string
	Problems   []passerelle.Problem
	Conflict   *editor.Conflict
	Rev        int
}

// Has says whether a list holds a value: the documents ticked.
func (editorData) Has(list []string, v string) bool { return slices.Contains(list, v) }

// LangName names a language in its own script.
func (editorData) LangName(l passerelle.Lang) string {
	if lang, ok := passerelle.LookupLanguage(l); ok {
		return lang.Native
	}
	return string(l)
}

// Dir is the writing direction of a language, for its text boxes.
func (editorData) Dir(l passerelle.Lang) string {
	if lang, ok := passerelle.LookupLanguage(l); ok && lang.RTL {
		return "rtl"
	}
	return "ltr"
}

var editorNotices = map[string]string{
	"saved":      "Draft saved. Kiosks get it only when you publish.",
	"published":  "Published: kiosks get this version at their next sync.",
	"rolledback": "Rolled back: the old content is published again as a new version; kiosks get it at their next sync.",
	"discarded":  "Draft discarded: this is the catalog's version.",
	"rebased":    "Your draft now replaces the catalog's file when you publish.",
}

func (s *Server) editorPage(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id := r.PathValue("id")
	d, err := s.Editor.Draft(r.Context(), id)
	if !s.opened(w, r, id, err) {
		return
	}
	data := s.editorData(sess, id, d, d.Doc)
	data.Notice = editorNotices[r.URL.Query().Get("done")]
	s.render(w, http.StatusOK, "procedure.html", data)
}

// opened says whether a procedure could be opened, and otherwise answers
// why in plain words: no such procedure, or a file a hand edit broke.
func (s *Server) opened(w http.ResponseWriter, r *http.Request, id string, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, editor.ErrNotFound):
		http.Error(w, "There is no procedure "+id+" in the catalog.", http.StatusNotFound)
	case errors.Is(err, editor.ErrUnreadable):
		http.Error(w, "The editor cannot open "+id+": its file "+strings.TrimPrefix(err.Error(), editor.ErrUnreadable.Error()+": ")+
			"\n\nMend the file by hand where this points (passerelle validate shows the same), then open it again.", http.StatusUnprocessableEntity)
	default:
		s.internal(w, r, "open the procedure", err)
	}
	return false
}

func (s *Server) editorData(sess passerelle.StaffSession, id string, d *editor.Draft, doc *editor.Doc) editorData {
	data := editorData{page: page{User: sess.User, CSRF: sess.CSRFToken, Tab: "procedures"}, Title: id, ID: id,
		Draft: d, Doc: doc, Langs: doc.Langs(), Kinds: editor.Kinds, StepIDs: doc.StepIDs(), Rev: d.Meta.Revision,
		Hints: hintsOf(doc), Documents: doc.DocumentsOf(), Sources: doc.SourcesOf(), Speech: s.Speech != nil, Previews: s.Preview != nil}
	for _, l := range passerelle.Languages {
		if !slices.Contains(data.Langs, l.Code) {
			data.NewLangs = append(data.NewLangs, l)
		}
	}
	data.Pictograms = s.pictograms(d.Dir)
	data.Versions, _ = s.Editor.Versions(id)
	return data
}

// pictograms lists the shared pictograms and the procedure's own: the
// choices of every pictogram field (a picker with search and upload
// replaces the list: see the data-picker slots of procedure.html).
func (s *Server) pictograms(dirs ...string) []string {
	var out []string
	for _, dir := range append([]string{filepath.Join(s.Editor.Catalog, procedure.SharedPictograms)}, dirs...) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".svg" || ext == ".png") && !slices.Contains(out, e.Name()) {
				out = append(out, e.Name())
			}
		}
	}
	slices.Sort(out)
	return out
}

// hintsOf gives the FALC hints of every spoken text of a draft, by the
// name of its field in the form.
func hintsOf(d *editor.Doc) map[string][]string {
	out := map[string][]string{}
	for _, l := range d.Langs() {
		others := textsIn(d, l)
		if h := procedure.TextHints(l, d.Intro[l], others); len(h) > 0 {
			out["intro."+string(l)] = h
		}
		for i, st := range d.Steps {
			if h := procedure.TextHints(l, st.Say[l], others); len(h) > 0 {
				out[fmt.Sprintf("s%d.say.%s", i, l)] = h
			}
		}
	}
	return out
}

// textsIn lists every text of a draft in one language: an abbreviation
// explained in any of them needs no explanation elsewhere.
func textsIn(d *editor.Doc, l passerelle.Lang) []string {
	out := []string{d.Title[l], d.Intro[l]}
	for _, st := range d.Steps {
		out = append(out, st.Say[l])
		for _, o := range st.Options {
			out = append(out, o.Label[l])
		}
	}
	return out
}

// saveProcedure applies the editor's form to the draft, with the action
// of the button pressed (add, remove or move a step, add or remove an
// answer), and saves it. A save over a draft someone else saved since the
// page was opened is refused: the page shows what they changed, with the
// form as typed, and a button to save over it.
func (s *Server) saveProcedure(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id := r.PathValue("id")
	base, err := strconv.Atoi(r.PostFormValue("rev"))
	if err != nil {
		http.Error(w, "This form does not say which draft it edits: reload the page.", http.StatusBadRequest)
		return
	}
	d, err := s.Editor.Draft(r.Context(), id)
	if !s.opened(w, r, id, err) {
		return
	}
	// The form applies to the draft as the page showed it.
	doc := d.Doc
	if base != d.Meta.Revision {
		if old, err := s.Editor.Revision(id, base); err == nil {
			doc = old
		}
	}
	applyForm(doc, r.PostForm)
	if over, err := strconv.Atoi(r.PostFormValue("over")); err == nil {
		base = over // "save mine over theirs", after seeing what they changed
	}
	_, err = s.Editor.Save(r.Context(), id, base, doc, sess.User)
	var c *editor.Conflict
	if errors.Is(err, editor.ErrTooManySteps) {
		data := s.editorData(sess, id, d, d.Doc)
		data.Problem = "Not saved: " + err.Error() + "."
		s.render(w, http.StatusUnprocessableEntity, "procedure.html", data)
		return
	}
	if errors.As(err, &c) {
		data := s.editorData(sess, id, d, doc)
		data.Conflict, data.Rev = c, base
		s.render(w, http.StatusConflict, "procedure.html", data)
		return
	} else if err != nil {
		s.internal(w, r, "save the draft", err)
		return
	}
	if r.PostFormValue("action") == "publish" {
		rec, err := s.Editor.Publish(r.Context(), id, sess.User)
		s.afterPublish(w, r, sess, id, rec, err, "published")
		return
	}
	http.Redirect(w, r, "/procedures/"+id+"?done=saved", http.StatusSeeOther)
}

// applyForm writes the editor form's fields into doc, then does the
// action of the button pressed.
func applyForm(doc *editor.Doc, f url.Values) {
	langs := doc.Langs()
	text := func(t editor.Text, prefix string) editor.Text {
		if t == nil {
			t = editor.Text{}
		}
		for _, l := range langs {
			if v, ok := f[prefix+"."+string(l)]; ok {
				t[l] = strings.TrimSpace(v[0])
			}
		}
		return t
	}
	if v, ok := f["pictogram"]; ok {
		doc.Pictogram = strings.TrimSpace(v[0])
	}
	doc.Title = text(doc.Title, "title")
	doc.Intro = text(doc.Intro, "intro")
	// A step renamed: links to it follow, whichever step they are on, and
	// so do its comments. Renamed through a name no step has, so that two
	// steps may swap names.
	renamed := map[string]string{}
	for i, st := range doc.Steps {
		if v := strings.TrimSpace(f.Get(fmt.Sprintf("s%d.id", i))); v != "" && v != st.ID {
			renamed[st.ID] = v
		}
	}
	for from, to := range renamed {
		doc.RenameStep(from, "\x00"+to)
	}
	for _, to := range renamed {
		doc.RenameStep("\x00"+to, to)
	}
	// The lists of links name the steps as the page showed them.
	link := func(v string) string {
		if to, ok := renamed[v]; ok {
			return to
		}
		return v
	}
	for i, st := range doc.Steps {
		p := fmt.Sprintf("s%d.", i)
		if _, ok := f[p+"kind"]; !ok {
			continue // a step added since the page was drawn
		}
		if k := f.Get(p + "kind"); slices.Contains(editor.Kinds, k) {
			st.Kind = k
		}
		st.Pictogram = strings.TrimSpace(f.Get(p + "pictogram"))
		st.Say = text(st.Say, p+"say")
		st.Next = link(f.Get(p + "next"))
		st.Screen = strings.TrimSpace(f.Get(p + "screen"))
		st.SetElsewhere(f.Get(p+"elsewhere") == "yes")
		if _, ok := f[p+"min"]; ok {
			st.SetNumber(editor.NumberSettings{Min: f.Get(p + "min"), Max: f.Get(p + "max"), Pattern: strings.TrimSpace(f.Get(p + "pattern")),
				Check: f.Get(p + "check"), Store: f.Get(p+"store") == "yes", Personal: f.Get(p+"personal") == "yes"})
		}
		if _, ok := f[p+"phone"]; ok {
			st.SetPhone(f.Get(p + "phone"))
		}
		if f.Get(p+"documents-drawn") != "" {
			switch st.Kind {
			case "checklist":
				st.SetItems(keepOrder(st.ItemIDs(), f[p+"documents"]))
			case "end":
				st.SetBring(keepOrder(st.BringIDs(), f[p+"documents"]))
			}
		}
		for j, o := range st.Options {
			op := fmt.Sprintf("%so%d.", p, j)
			if v := strings.TrimSpace(f.Get(op + "id")); v != "" {
				o.ID = v
			}
			o.Pictogram = strings.TrimSpace(f.Get(op + "pictogram"))
			o.Label = text(o.Label, op+"label")
			o.Next = link(f.Get(op + "next"))
		}
		if st.Kind == "choice" && len(st.Options) == 0 {
			for range 2 {
				st.Options = append(st.Options, &editor.Option{ID: st.NewOptionID(), Label: blank(langs)})
			}
		}
	}
	docs := applyDocuments(doc, f, langs, text)
	sources := applySources(doc, f)
	act, arg, _ := strings.Cut(f.Get("action"), ":")
	i, _ := strconv.Atoi(arg)
	if j := strings.IndexByte(arg, '.'); j > 0 {
		i, _ = strconv.Atoi(arg[:j])
	}
	inRange := i >= 0 && i < len(doc.Steps)
	switch {
	case act == "add-step":
		st := &editor.Step{ID: doc.NewStepID(), Kind: "info", Say: blank(langs)}
		at := len(doc.Steps)
		if inRange {
			at = i + 1
		}
		doc.Steps = slices.Insert(doc.Steps, at, st)
	case act == "remove-step" && inRange && len(doc.Steps) > 1:
		doc.Steps = slices.Delete(doc.Steps, i, i+1)
	case act == "up" && inRange && i > 0:
		doc.Steps[i-1], doc.Steps[i] = doc.Steps[i], doc.Steps[i-1]
	case act == "down" && inRange && i < len(doc.Steps)-1:
		doc.Steps[i+1], doc.Steps[i] = doc.Steps[i], doc.Steps[i+1]
	case act == "add-option" && inRange:
		st := doc.Steps[i]
		st.Options = append(st.Options, &editor.Option{ID: st.NewOptionID(), Label: blank(langs)})
	case act == "add-document":
		id := "document-1"
		for k := 2; slices.ContainsFunc(docs, func(d *editor.Document) bool { return d.ID == id }); k++ {
			id = fmt.Sprintf("document-%d", k)
		}
		doc.SetDocuments(append(docs, &editor.Document{ID: id, Label: blank(langs)}), nil)
	case act == "remove-document" && i >= 0 && i < len(docs):
		doc.SetDocuments(slices.Delete(docs, i, i+1), nil)
	case act == "add-source":
		doc.SetSources(append(sources, editor.Source{}))
	case act == "remove-source" && i >= 0 && i < len(sources):
		doc.SetSources(slices.Delete(sources, i, i+1))
	case act == "add-language":
		addLanguage(doc, passerelle.Lang(f.Get("new-lang")))
	case act == "remove-option" && inRange:
		_, o, _ := strings.Cut(arg, ".")
		j, err := strconv.Atoi(o)
		if st := doc.Steps[i]; err == nil && j >= 0 && j < len(st.Options) {
			st.Options = slices.Delete(st.Options, j, j+1)
		}
	}
}

// applyDocuments writes the documents' fields of the form (when the page
// drew them), a document renamed followed by the steps naming it, and
// returns the documents.
func applyDocuments(doc *editor.Doc, f url.Values, langs []passerelle.Lang, text func(editor.Text, string) editor.Text) []*editor.Document {
	docs := doc.DocumentsOf()
	if f.Get("documents-drawn") == "" {
		return docs
	}
	renamed := map[string]string{}
	for k, d := range docs {
		p := fmt.Sprintf("d%d.", k)
		if _, ok := f[p+"pictogram"]; !ok {
			continue
		}
		if v := strings.TrimSpace(f.Get(p + "id")); v != "" && v != d.ID {
			renamed[d.ID] = v
			d.ID = v
		}
		d.Pictogram = strings.TrimSpace(f.Get(p + "pictogram"))
		d.Label = text(d.Label, p+"label")
	}
	doc.SetDocuments(docs, renamed)
	return doc.DocumentsOf()
}

// applySources writes the sources' fields of the form (when the page drew
// them) and returns the sources.
func applySources(doc *editor.Doc, f url.Values) []editor.Source {
	sources := doc.SourcesOf()
	if f.Get("sources-drawn") == "" {
		return sources
	}
	for k := range sources {
		p := fmt.Sprintf("src%d.", k)
		if _, ok := f[p+"url"]; ok {
			sources[k] = editor.Source{URL: strings.TrimSpace(f.Get(p + "url")), Supports: strings.TrimSpace(f.Get(p + "supports")),
				Checked: strings.TrimSpace(f.Get(p + "checked"))}
		}
	}
	doc.SetSources(sources)
	return doc.SourcesOf()
}

// addLanguage gives every text of the procedure an empty text in a new
// language, for staff to translate; the validator refuses to publish
// until each is written.
func addLanguage(doc *editor.Doc, l passerelle.Lang) {
	if _, ok := passerelle.LookupLanguage(l); !ok || slices.Contains(doc.Langs(), l) {
		return
	}
	add := func(t editor.Text) {
		if t != nil {
			t[l] = ""
		}
	}
	add(doc.Title)
	add(doc.Intro)
	for _, st := range doc.Steps {
		add(st.Say)
		for _, o := range st.Options {
			add(o.Label)
		}
	}
	docs := doc.DocumentsOf()
	for _, d := range docs {
		add(d.Label)
	}
	doc.SetDocuments(docs, nil)
}

// keepOrder lists the documents ticked: those listed before in their
// order (the kiosk shows them so), then those newly ticked.
func keepOrder(was, ticked []string) []string {
	var out []string
	for _, id := range was {
		if slices.Contains(ticked, id) {
			out = append(out, id)
		}
	}
	for _, id := range ticked {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func blank(langs []passerelle.Lang) editor.Text {
	t := editor.Text{}
	for _, l := range langs {
		t[l] = ""
	}
	return t
}

// publishProcedure publishes the draft: the validator's problems, when it
// refuses, are shown on the editor page and nothing changes for kiosks.
func (s *Server) publishProcedure(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id := r.PathValue("id")
	rec, err := s.Editor.Publish(r.Context(), id, sess.User)
	s.afterPublish(w, r, sess, id, rec, err, "published")
}

func (s *Server) rollbackProcedure(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id := r.PathValue("id")
	key := r.PostFormValue("key")
	if key == "" {
		http.Error(w, "This form does not say which version to roll back to: reload the page.", http.StatusBadRequest)
		return
	}
	rec, err := s.Editor.Rollback(r.Context(), id, key, sess.User)
	s.afterPublish(w, r, sess, id, rec, err, "rolledback")
}

func (s *Server) afterPublish(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession, id string, rec editor.Record, err error, done string) {
	if err == nil {
		s.logger().Info("staff page: procedure published", "procedure", id, "version", rec.Version, "action", rec.Action, "by", sess.User)
		http.Redirect(w, r, "/procedures/"+id+"?done="+done, http.StatusSeeOther)
		return
	}
	d, derr := s.Editor.Draft(r.Context(), id)
	if errors.Is(derr, editor.ErrNotFound) {
		noProcedure(w, id)
		return
	}
	if derr != nil {
		s.internal(w, r, "publish the procedure", errors.Join(err, derr))
		return
	}
	data := s.editorData(sess, id, d, d.Doc)
	var refused *editor.Refused
	if errors.As(err, &refused) {
		data.Problem = "Not published: the validator found these problems in the catalog with this draft. Kiosks keep the version they have."
		data.Problems = refused.Problems
	} else if errors.Is(err, editor.ErrNotFound) || errors.Is(err, editor.ErrNothingToPublish) || errors.Is(err, editor.ErrStale) {
		data.Problem = plainError(err)
	} else {
		s.internal(w, r, "publish the procedure", err)
		return
	}
	s.render(w, http.StatusUnprocessableEntity, "procedure.html", data)
}

func (s *Server) discardDraft(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id := r.PathValue("id")
	if err := s.Editor.Discard(id); err != nil {
		s.internal(w, r, "discard the draft", err)
		return
	}
	if _, err := s.Editor.Draft(r.Context(), id); err != nil {
		http.Redirect(w, r, "/procedures", http.StatusSeeOther) // a new procedure, never published
		return
	}
	http.Redirect(w, r, "/procedures/"+id+"?done=discarded", http.StatusSeeOther)
}

func (s *Server) rebaseDraft(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id := r.PathValue("id")
	if err := s.Editor.Rebase(r.Context(), id, sess.User); errors.Is(err, editor.ErrNotFound) {
		noProcedure(w, id)
		return
	} else if err != nil {
		s.internal(w, r, "keep the draft", err)
		return
	}
	http.Redirect(w, r, "/procedures/"+id+"?done=rebased", http.StatusSeeOther)
}

// hints answers the editor's script while staff type: the FALC hints of
// one text, from the validator's own code, with the draft's other texts
// for abbreviations explained elsewhere.
func (s *Server) hints(w http.ResponseWriter, r *http.Request, _ passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	lang := passerelle.Lang(r.PostFormValue("lang"))
	var others []string
	if d, err := s.Editor.Draft(r.Context(), r.PostFormValue("procedure")); err == nil {
		others = textsIn(d.Doc, lang)
	}
	hints := procedure.TextHints(lang, r.PostFormValue("text"), others)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Hints []string `json:"hints"`
	}{append([]string{}, hints...)})
}
