package procedure

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"

	"passerelle/app/passerelle"
)

// Limits of a procedure's sources: notes for staff, not texts for users.
const (
	MaxSources  = 20
	MaxSupports = 200 // one line of plain words
	maxURLLen   = 2000
)

// DefaultSourcesMaxAge is how long a source's check holds before validate
// warns: about 6 months, one season of rules (CAF, tax, school year).
const DefaultSourcesMaxAge = 4380 * time.Hour

var sourceFields = []string{"url", "supports", "checked"}

var datePattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// sources reads the pages the procedure's facts come from. A procedure
// without any is usable, with a warning: the catalog shipped before
// sources existed must keep working.
func (r *procReader) sources(m *mapping, p *passerelle.Procedure) {
	if !m.has("sources") {
		r.warnf(m.at, "the procedure lists no sources: add \"sources:\" with the public pages its facts come from and the day you checked them, so staff know what to check again")
		return
	}
	n := r.require(m, "sources", "the procedure", ": list the public pages its facts come from, or remove \"sources:\"")
	if n == nil {
		return
	}
	if seq, ok := unwrap(n).(*ast.SequenceNode); ok && len(seq.Values) == 0 {
		r.problemf(m.keyPos("sources"), "sources is an empty list: list at least one public page, or remove \"sources:\"")
		return
	}
	items := r.sequence(n, "sources", MaxSources)
	for i, sn := range items {
		what := fmt.Sprintf("source %d", i+1)
		sm := r.asMapping(sn, what, sourceFields)
		if sm == nil {
			continue
		}
		var (
			src                 passerelle.Source
			okURL, okSup, okDay bool
		)
		if un := r.require(sm, "url", what, ", like \"url: https://www.service-public.fr/...\""); un != nil {
			src.URL, okURL = r.webAddress(un, what)
		}
		if sn := r.require(sm, "supports", what, ": in one line, the fact of the procedure this page supports"); sn != nil {
			src.Supports, okSup = r.supports(sn, what)
		}
		if cn := r.require(sm, "checked", what, ": the day you last read the page, like \"checked: 2026-11-24\""); cn != nil {
			src.Checked, okDay = r.checkedDate(cn, what)
		}
		if okURL && okSup && okDay {
			p.Sources = append(p.Sources, src)
		}
	}
}

// webAddress reads a source's url: a web page staff can open.
func (r *procReader) webAddress(n ast.Node, what string) (string, bool) {
	s, ok := r.str(n, "the url of "+what)
	if !ok {
		return "", false
	}
	at := posOf(n)
	if len(s) > maxURLLen {
		r.problemf(at, "the url of %s is %d characters long; at most %d are allowed", what, len(s), maxURLLen)
		return "", false
	}
	if strings.ContainsFunc(s, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) {
		r.problemf(at, "the url of %s holds a space or an invisible character: copy the address again from the browser's address bar", what)
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		r.problemf(at, "the url of %s must be a web address starting with https://, like \"https://www.service-public.fr/...\", not %q", what, s)
		return "", false
	}
	if u.Hostname() == "" {
		r.problemf(at, "the url %q of %s has no site name after %s://", s, what, u.Scheme)
		return "", false
	}
	return s, true
}

// supports reads what a source supports: one line for staff.
func (r *procReader) supports(n ast.Node, what string) (string, bool) {
	s, ok := r.str(n, "what "+what+" supports")
	if !ok {
		return "", false
	}
	at := posOf(n)
	switch count := utf8.RuneCountInString(s); {
	case s == "":
		r.problemf(at, "\"supports\" in %s is empty: say in one line the fact of the procedure this page supports", what)
	case count > MaxSupports:
		r.problemf(at, "\"supports\" in %s has %d characters; at most %d are allowed: say it in one line, in plain words", what, count, MaxSupports)
	case strings.ContainsAny(s, "\n\r"):
		r.problemf(at, "\"supports\" in %s runs over several lines: say it in one line", what)
	default:
		if c, bad := controlIn(s); bad {
			r.problemf(at, "\"supports\" in %s holds an invisible control character (U+%04X): remove it", what, c)
			return "", false
		}
		return s, true
	}
	return "", false
}

// checkedDate reads the day a source was checked. It warns when the check
// is older than the reader's maximum age.
func (r *procReader) checkedDate(n ast.Node, what string) (time.Time, bool) {
	s, ok := r.str(n, "the checked date of "+what)
	if !ok {
		return time.Time{}, false
	}
	at := posOf(n)
	if !datePattern.MatchString(s) {
		r.problemf(at, "checked in %s must be a date written year-month-day, like 2026-11-24, not %q", what, s)
		return time.Time{}, false
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		r.problemf(at, "checked %s in %s is not a real date: there is no such day", s, what)
		return time.Time{}, false
	}
	// A day of grace: in some time zone it is already tomorrow.
	if day.After(r.today.AddDate(0, 0, 1)) {
		r.problemf(at, "checked %s in %s is after today (%s): write the day you last read the page", s, what, r.today.Format(time.DateOnly))
		r.valid.endBy(r.today.AddDate(0, 0, 1)) // the message names today
		return time.Time{}, false
	}
	if old := day.Add(r.maxAge); r.maxAge > 0 && old.Before(r.today) {
		r.warnf(at, "%s was checked on %s, more than %s ago: read the page again, mend the procedure if the facts changed, and write the day you checked it",
			what, s, humanAge(r.maxAge))
	} else if r.maxAge > 0 {
		r.valid.endBy(old.Truncate(24*time.Hour).AddDate(0, 0, 1)) // the first day after old
	}
	return day, true
}

// humanAge says a duration given in hours the way staff count it.
func humanAge(d time.Duration) string {
	const month = 730 * time.Hour // a year of 8760 hours, in 12
	switch {
	case d%month == 0 && d >= month:
		return plural(int(d/month), "month")
	case d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	}
	return plural(int(d/time.Hour), "hour")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
