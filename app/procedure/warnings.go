package procedure

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"passerelle/app/passerelle"
)

// Warnings say what staff should look at in a procedure that is otherwise
// sound: the kiosk still offers it and validate still succeeds.

// warnf records a warning, cut and escaped as problems are.
func (r *reader) warnf(at pos, format string, args ...any) {
	if len(r.warnings) >= maxProblems {
		return
	}
	clipQuoted(format, args)
	r.warnings = append(r.warnings, passerelle.Problem{
		File: r.file, Line: at.line, Col: at.col, Message: printable(fmt.Sprintf(format, args...)),
	})
}

// labelled is a pictogram shown with a label: an option or a document.
type labelled struct {
	file  string // the procedure file
	path  string // the file found, so a folder's own person.svg is not the shared one
	id    string // the option's or the document's id
	label string // the French label, as written
	norm  string // the label as compared: lower case, single spaces, no final full stop
	what  string
	at    pos
}

// labelledPictogram remembers where a pictogram labels something, for
// checkPictogramMeanings.
func (r *procReader) labelledPictogram(media passerelle.Media, id string, label passerelle.Text, what string, at pos) {
	if media.Path == "" || label["fr"] == "" {
		return // already reported
	}
	fr := label["fr"]
	norm := strings.ToLower(strings.Join(strings.Fields(strings.TrimRight(strings.TrimSpace(fr), ".!")), " "))
	r.labels = append(r.labels, labelled{r.file, media.Path, id, fr, norm, what, at})
}

// checkPictogramMeanings warns when one pictogram labels different things
// within the procedure: a person who cannot read tells answers and
// documents apart by their pictures alone.
func (r *procReader) checkPictogramMeanings() {
	first := map[string][]labelled{} // by file: the first use of each meaning
	for _, use := range r.labels {
		meanings := first[use.path]
		if anySameMeaning(meanings, use) {
			continue
		}
		if len(meanings) > 0 {
			m := meanings[0]
			r.warnf(use.at, "pictogram %q stands for %q here (%s) and for %q in %s (line %d): one picture should mean one thing; choose or draw another pictogram for one of them",
				filepath.Base(use.path), use.label, use.what, m.label, m.what, m.at.line)
		}
		first[use.path] = append(meanings, use)
	}
}

// sameMeaning says whether two uses of a pictogram stand for the same
// thing: they have the same id (the answer "yes" to two questions, an
// option and a document both "id-card"), or the same French label as a
// person reads it ("Oui" and "oui.").
func sameMeaning(a, b labelled) bool {
	return a.id != "" && a.id == b.id || a.norm == b.norm
}

// sharedPictogramMeanings warns when a shared pictogram stands for
// different things in different procedures: a person who learnt it in one
// procedure reads it the same way in the next. The first procedure using a
// pictogram, in folder order, sets what it means; the differences within
// one procedure are checkPictogramMeanings' work.
func sharedPictogramMeanings(shared string, reads []loaded) []passerelle.Problem {
	shared += string(filepath.Separator)
	first := map[string][]labelled{} // by pictogram: the uses of the first procedure using it
	var r reader
	for _, o := range reads {
		var warned []labelled // this procedure's meanings already warned about
		for _, use := range o.labels {
			meanings := first[use.path]
			if !strings.HasPrefix(use.path, shared) {
				continue
			}
			if len(meanings) == 0 || meanings[0].file == use.file {
				first[use.path] = append(meanings, use)
				continue
			}
			if anySameMeaning(meanings, use) || anySameMeaning(warned, use) || warnedAt(o.warnings, use.at) {
				continue
			}
			warned = append(warned, use)
			m := meanings[0]
			r.file = use.file
			r.warnf(use.at, "the shared pictogram %q stands for %q here (%s) and for %q in %s of %s (line %d): a shared pictogram should mean one thing in the whole catalog; choose or draw another pictogram for one of them",
				filepath.Base(use.path), use.label, use.what, m.label, m.what, procedureName(m.file), m.at.line)
		}
	}
	return r.warnings
}

// warnedAt reports whether a warning is already at this place: one place,
// one warning, even when it clashes inside and outside its procedure.
func warnedAt(warnings []passerelle.Problem, at pos) bool {
	for _, w := range warnings {
		if w.Line == at.line && w.Col == at.col {
			return true
		}
	}
	return false
}

func anySameMeaning(uses []labelled, use labelled) bool {
	for _, u := range uses {
		if sameMeaning(u, use) {
			return true
		}
	}
	return false
}

// procedureName names a procedure by its folder, as staff see it.
func procedureName(file string) string { return filepath.Base(filepath.Dir(file)) }

// logNewWarnings logs the warnings not logged at the last load, and
// returns the ones now logged. A reload after each edit must not repeat
// every "no sources" of the catalog; a warning mended and brought back is
// logged again.
func logNewWarnings(log *slog.Logger, warnings []passerelle.Problem, logged map[string]bool) map[string]bool {
	now := make(map[string]bool, len(warnings))
	for _, p := range warnings {
		line := "catalog: warning: " + p.String()
		if !logged[line] {
			log.Info(line)
		}
		now[line] = true
	}
	return now
}
