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
	path  string // the file found, so a folder's own person.svg is not the shared one
	id    string // the option's or the document's id
	label string // the French label, as written
	what  string
	at    pos
}

// labelledPictogram remembers where a pictogram labels something, for
// checkPictogramMeanings.
func (r *procReader) labelledPictogram(media passerelle.Media, id string, label passerelle.Text, what string, at pos) {
	if media.Path == "" || label["fr"] == "" {
		return // already reported
	}
	r.labels = append(r.labels, labelled{media.Path, id, label["fr"], what, at})
}

// checkPictogramMeanings warns when one pictogram labels different things
// within the procedure: a person who cannot read tells answers and
// documents apart by their pictures alone.
func (r *procReader) checkPictogramMeanings() {
	first := map[string][]labelled{} // by file: the first use of each meaning
	for _, use := range r.labels {
		meanings := first[use.path]
		same := false
		for _, m := range meanings {
			same = same || sameMeaning(m, use)
		}
		if same {
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
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.TrimRight(strings.TrimSpace(s), ".!")), " ")
	}
	return a.id != "" && a.id == b.id || strings.EqualFold(norm(a.label), norm(b.label))
}

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
