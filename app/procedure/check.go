package procedure

import (
	"fmt"
	"sort"
	"strings"

	"passerelle/app/passerelle"
)

// checkLanguages makes sure every text and recording of the procedure has
// the languages of its title, and no other: a user who chose Arabic must
// hear Arabic on every screen.
func (r *procReader) checkLanguages(p *passerelle.Procedure, m *mapping) {
	if p.Title == nil {
		return
	}
	p.Langs = p.Title.Langs()
	if _, ok := p.Title["fr"]; !ok && len(p.Langs) > 0 {
		r.problemf(m.valueAt("title"), "the title has no French (fr) text: every procedure needs French")
	}
	want := map[passerelle.Lang]bool{}
	for _, l := range p.Langs {
		want[l] = true
	}
	for _, t := range r.texts {
		have := map[passerelle.Lang]bool{}
		for _, l := range t.langs {
			have[l] = true
			if !want[l] {
				r.problemf(t.at, "%s has a %s text but the title does not: add %s to the title, or remove it here", t.what, langName(l), l)
			}
		}
		if len(have) == 0 {
			continue // already reported as empty
		}
		for _, l := range p.Langs {
			if !have[l] {
				r.problemf(t.at, "%s has no %s text, but the title has one: every text needs the same languages", t.what, langName(l))
			}
		}
	}
	for _, t := range r.records {
		for _, l := range t.langs {
			if !want[l] {
				r.problemf(t.at, "%s has a %s recording but the procedure has no %s text", t.what, langName(l), l)
			}
		}
	}
}

func langName(l passerelle.Lang) string {
	if lang, ok := passerelle.LookupLanguage(l); ok {
		return fmt.Sprintf("%s (%s)", lang.French, l)
	}
	return string(l)
}

// checkReferences checks every "next" and document id, then, when they are
// all sound, the shape of the step graph.
func (r *procReader) checkReferences(p *passerelle.Procedure) {
	before := len(r.problems)
	var stepIDs []string
	for _, s := range p.Steps {
		if s.ID != "" && !contains(stepIDs, s.ID) {
			stepIDs = append(stepIDs, s.ID)
		}
	}
	for _, ref := range r.nexts {
		if _, ok := r.stepAt[ref.id]; !ok {
			r.problemf(ref.at, "next %q in %s leads to no step%s", ref.id, ref.what, suggest(ref.id, stepIDs, "step"))
		}
	}
	docIDs := make([]string, 0, len(p.Documents))
	for id := range p.Documents {
		docIDs = append(docIDs, id)
	}
	sort.Strings(docIDs)
	for _, ref := range r.docRefs {
		if r.docsBroken {
			break // the documents could not be read: every reference would look wrong
		}
		if _, ok := p.Documents[ref.id]; !ok {
			r.problemf(ref.at, "%q in %s is not one of the procedure's documents%s", ref.id, ref.what, suggest(ref.id, docIDs, "document"))
		}
	}
	if len(r.problems) > before || r.linksBroken || len(p.Steps) == 0 {
		return // the graph of a procedure with broken links says nothing useful
	}
	r.checkGraph(p)
}

// checkGraph reports steps no path reaches from the first step, and steps
// from which no path reaches an end or a handoff (the user would be stuck).
func (r *procReader) checkGraph(p *passerelle.Procedure) {
	byID := map[string]*passerelle.Step{}
	for _, s := range p.Steps {
		byID[s.ID] = s
	}
	reached := map[string]bool{}
	queue := []string{p.Steps[0].ID}
	reached[p.Steps[0].ID] = true
	for len(queue) > 0 {
		s := byID[queue[0]]
		queue = queue[1:]
		for _, next := range successors(s) {
			if !reached[next] {
				reached[next] = true
				queue = append(queue, next)
			}
		}
	}
	// Walk backwards from the terminal steps.
	leadsTo := map[string][]string{}
	for _, s := range p.Steps {
		for _, next := range successors(s) {
			leadsTo[next] = append(leadsTo[next], s.ID)
		}
	}
	finishes := map[string]bool{}
	queue = queue[:0]
	for _, s := range p.Steps {
		if s.Kind.Terminal() {
			finishes[s.ID] = true
			queue = append(queue, s.ID)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, prev := range leadsTo[id] {
			if !finishes[prev] {
				finishes[prev] = true
				queue = append(queue, prev)
			}
		}
	}
	for _, s := range p.Steps {
		switch {
		case !reached[s.ID]:
			r.problemf(r.stepAt[s.ID], "step %q can never be shown: no path from the first step %q leads to it", s.ID, p.Steps[0].ID)
		case !finishes[s.ID]:
			r.problemf(r.stepAt[s.ID], "from step %q the user can never reach an end or handoff step: the steps after it go round in a circle (%s)",
				s.ID, strings.Join(loopFrom(s, byID), " → "))
		}
	}
}

func successors(s *passerelle.Step) []string {
	if s.Kind == passerelle.KindChoice {
		next := make([]string, 0, len(s.Options))
		for _, o := range s.Options {
			next = append(next, o.Next)
		}
		return next
	}
	if s.Next != "" {
		return []string{s.Next}
	}
	return nil
}

// loopFrom follows the first successor of each step until one repeats, to
// show staff the circle a user would go round.
func loopFrom(s *passerelle.Step, byID map[string]*passerelle.Step) []string {
	var path []string
	seen := map[string]bool{}
	for s != nil && !seen[s.ID] {
		seen[s.ID] = true
		path = append(path, s.ID)
		next := successors(s)
		if len(next) == 0 {
			break
		}
		s = byID[next[0]]
	}
	if s != nil {
		path = append(path, s.ID)
	}
	return path
}
