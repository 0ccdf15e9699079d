package procedure

import (
	"fmt"
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
	label string // the French label, as written
	what  string
	at    pos
}

// labelledPictogram remembers where a pictogram labels something, for
// checkPictogramMeanings.
func (r *procReader) labelledPictogram(media passerelle.Media, label passerelle.Text, what string, at pos) {
	if media.Path == "" || label["fr"] == "" {
		return // already reported
	}
	r.labels = append(r.labels, labelled{media.Path, label["fr"], what, at})
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
			same = same || sameLabel(m.label, use.label)
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

// sameLabel compares labels as a person reads them: "Oui" and "oui." say
// the same thing.
func sameLabel(a, b string) bool {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.TrimRight(strings.TrimSpace(s), ".!")), " ")
	}
	return strings.EqualFold(norm(a), norm(b))
}
