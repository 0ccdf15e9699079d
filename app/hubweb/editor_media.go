package hubweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"passerelle/app/editor"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/voice"
)

// The editor's media, made in the browser: recordings (voice.Uploads,
// recorder.js), the synthetic voice saying a text not yet recorded
// (Server.Speech), pictograms (Pictograms: the shared ones listed, a
// procedure's own uploaded) and the preview of a step as the kiosk draws
// it (Server.Preview). Each stored file goes into the draft's folder,
// never the catalog's, and is named in the draft as one new revision of
// it (editor.Update): a page open meanwhile still saves.

// PreviewFunc draws a step of a procedure (ui.PreviewPNG, given by the hub
// command: the staff page does not import the kiosk's screens) in lang,
// as a PNG; step "" is the procedure's tile.
type PreviewFunc func(ctx context.Context, p *passerelle.Procedure, places []*passerelle.Place, step string, lang passerelle.Lang) ([]byte, error)

// textTarget reads which text a media request is for: ?step=ID&lang=fr,
// or ?intro=yes&lang=fr, checked against the draft.
func (s *Server) textTarget(r *http.Request) (id, step string, lang passerelle.Lang, err error) {
	id = r.PathValue("id")
	q := r.URL.Query()
	step, lang = q.Get("step"), passerelle.Lang(q.Get("lang"))
	d, err := s.Editor.Draft(r.Context(), id)
	if err != nil {
		return "", "", "", fmt.Errorf("%w: there is no procedure %s to record for", voice.ErrNoTarget, id)
	}
	if !slices.Contains(d.Doc.Langs(), lang) {
		return "", "", "", fmt.Errorf("the procedure %s has no %q texts", id, lang)
	}
	if q.Get("intro") == "" && d.Doc.Step(step) == nil {
		return "", "", "", fmt.Errorf("%w: the procedure %s has no step %q (reload the page: it may have been renamed)", voice.ErrNoTarget, id, step)
	}
	if q.Get("intro") != "" {
		step = ""
	}
	return id, step, lang, nil
}

// recordings stores a recording of one text in the draft, and names it.
func (s *Server) recordings(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	up := &voice.Uploads{Logger: s.logger(),
		Target: func(r *http.Request) (string, string, error) {
			id, step, lang, err := s.textTarget(r)
			if err != nil {
				return "", "", err
			}
			dir, err := s.Editor.StartDraft(r.Context(), id, sess.User)
			if err != nil {
				return "", "", err
			}
			name := "intro"
			if step != "" {
				name = step
			}
			return dir, "audio/" + string(lang) + "/" + name, nil
		},
		Stored: func(r *http.Request, rec voice.Recording) error {
			id, step, lang, err := s.textTarget(r)
			if err != nil {
				return err
			}
			_, err = s.Editor.Update(r.Context(), id, sess.User, func(d *editor.Doc) error {
				if step == "" {
					d.SetIntroRecording(lang, rec.File)
					return nil
				}
				st := d.Step(step)
				if st == nil {
					return fmt.Errorf("the step %q is gone from the draft", step)
				}
				st.SetRecording(lang, rec.File)
				return nil
			})
			if err == nil {
				s.logger().Info("staff page: recording kept", "procedure", id, "step", step, "lang", lang, "file", rec.File, "by", sess.User)
			}
			return err
		}}
	up.ServeHTTP(w, r)
}

// pictogramUpload stores a procedure's own pictogram in its draft, and
// names it in the field the page says (?field=pictogram, s3.pictogram,
// s3.o1.pictogram, d2.pictogram).
func (s *Server) pictogramUpload(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	id, field := r.PathValue("id"), r.URL.Query().Get("field")
	p := &Pictograms{Logger: s.logger(),
		Target: func(r *http.Request) (string, string, error) {
			d, err := s.Editor.Draft(r.Context(), id)
			if err != nil {
				return "", "", fmt.Errorf("%w: there is no procedure %s", voice.ErrNoTarget, id)
			}
			if setPictogram(d.Doc, field, "") != nil {
				return "", "", fmt.Errorf("%w: this draft has no pictogram %q (reload the page)", voice.ErrNoTarget, field)
			}
			dir, err := s.Editor.StartDraft(r.Context(), id, sess.User)
			return dir, "pictogram-" + strings.ReplaceAll(field, ".", "-"), err
		},
		Stored: func(r *http.Request, file string) error {
			_, err := s.Editor.Update(r.Context(), id, sess.User, func(d *editor.Doc) error { return setPictogram(d, field, file) })
			return err
		}}
	p.UploadHandler().ServeHTTP(w, r)
}

// setPictogram names file in a pictogram field of the form; file "" only
// checks that the field exists.
func setPictogram(d *editor.Doc, field, file string) error {
	var target *string
	var i, j int
	switch {
	case field == "pictogram":
		target = &d.Pictogram
	case scan(field, "s%d.o%d.pictogram", &i, &j) && i < len(d.Steps) && j < len(d.Steps[i].Options):
		target = &d.Steps[i].Options[j].Pictogram
	case scan(field, "s%d.pictogram", &i) && i < len(d.Steps):
		target = &d.Steps[i].Pictogram
	case scan(field, "d%d.pictogram", &i):
		docs := d.DocumentsOf()
		if i >= len(docs) {
			return errors.New("no such document")
		}
		if file != "" {
			docs[i].Pictogram = file
			d.SetDocuments(docs, nil)
		}
		return nil
	default:
		return errors.New("no such pictogram field")
	}
	if file != "" {
		*target = file
	}
	return nil
}

// scan reads a field name exactly: "s3.pictogram" is not "s3.o1.pictogram".
func scan(field, format string, args ...any) bool {
	for _, a := range args {
		*(a.(*int)) = -1
	}
	n, err := fmt.Sscanf(field, format, args...)
	if err != nil || n != len(args) {
		return false
	}
	// Sscanf stops at the format's end: the whole name must match it.
	again := fmt.Sprintf(format, derefs(args)...)
	return again == field
}

func derefs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = *(a.(*int))
	}
	return out
}

// preview draws a step of the draft as the kiosk shows it, in a language.
func (s *Server) preview(w http.ResponseWriter, r *http.Request, _ passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	if s.Preview == nil {
		http.Error(w, "This hub draws no previews.", http.StatusNotFound)
		return
	}
	id, step, lang := r.PathValue("id"), r.URL.Query().Get("step"), passerelle.Lang(r.URL.Query().Get("lang"))
	p, places, problems, err := s.Editor.LoadDraft(r.Context(), id)
	if errors.Is(err, editor.ErrNotFound) {
		http.Error(w, "There is no procedure "+id+".", http.StatusNotFound)
		return
	} else if err != nil {
		s.internal(w, r, "load the draft", err)
		return
	}
	if p == nil {
		msg := "The draft cannot be drawn until the validator takes it:"
		for i, pr := range problems {
			if i == 5 {
				break
			}
			msg += "\n" + pr.String()
		}
		http.Error(w, msg, http.StatusUnprocessableEntity)
		return
	}
	png, err := s.Preview(r.Context(), p, places, step, lang)
	if err != nil {
		http.Error(w, "This step cannot be drawn: "+err.Error(), http.StatusUnprocessableEntity)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

func (s *Server) speech(w http.ResponseWriter, r *http.Request, _ passerelle.StaffSession) {
	if s.Speech == nil {
		http.Error(w, "This hub has no synthetic voice.", http.StatusNotFound)
		return
	}
	s.Speech.ServeHTTP(w, r)
}

// sharedPictograms is the picker's view of the catalog's shared pictograms.
func (s *Server) sharedPictograms() *Pictograms {
	return &Pictograms{Dir: filepath.Join(s.Editor.Catalog, procedure.SharedPictograms), ImagePrefix: "/pictograms/", Logger: s.logger()}
}

func (s *Server) pictogramList(w http.ResponseWriter, r *http.Request, _ passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	s.sharedPictograms().ListHandler().ServeHTTP(w, r)
}

func (s *Server) pictogramImage(w http.ResponseWriter, r *http.Request, _ passerelle.StaffSession) {
	if s.noEditor(w) {
		return
	}
	s.sharedPictograms().ImageHandler().ServeHTTP(w, r)
}
