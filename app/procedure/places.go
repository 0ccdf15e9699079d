package procedure

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"passerelle/app/passerelle"
)

// PlacesFile is the catalog's file of help places, beside the procedure
// folders. It is optional: a kiosk without it shows handoff steps alone.
const PlacesFile = "places.yaml"

// Limits on the places file, on top of those of every catalog file.
const (
	// maxPlaces bounds the places of one catalog: a kiosk shows those of
	// its town, not of a region.
	maxPlaces = 300
	// MaxPlaceName and MaxAddress are in characters: a name is shown in
	// big letters beside a pictogram, an address on one line under it.
	MaxPlaceName = 60
	MaxAddress   = 120
	// maxHelps bounds the procedures one place lists.
	maxHelps = maxFolders
	// maxClosedDays bounds the days one closed range spans.
	maxClosedDays = 366
)

var (
	placesFields = []string{"places"}
	placeFields  = []string{"id", "name", "kind", "pictogram", "address", "phone", "hours", "closed", "helps"}
)

// placesRead is what reading the places file gave.
type placesRead struct {
	places   []*passerelle.Place
	problems []passerelle.Problem
	warnings []passerelle.Problem
	helps    []placedRef // every procedure id named, checked against the catalog
	file     string
	seen     []touch // every question asked of the file system, for the snapshot
}

// loadPlaces reads dir's places file, if there is one.
func (l *Loader) loadPlaces(dir, shared string, disk *disk) (placesRead, bool) {
	file := filepath.Join(dir, PlacesFile)
	s, info, statErr := disk.stat(file)
	seen := []touch{{Op: touchStat, Stamp: s}}
	if errors.Is(statErr, fs.ErrNotExist) {
		return placesRead{seen: seen}, false
	}
	src, err := readDefinition(file, info, statErr)
	if err != nil {
		return placesRead{file: file, problems: []passerelle.Problem{{File: file, Message: err.Error()}}, seen: seen}, true
	}
	r := &procReader{reader: reader{file: file}, dir: shared, shared: shared, media: &l.media, disk: disk, seen: seen}
	out := placesRead{file: file}
	out.places = r.readPlaces(src, &out)
	sortProblems(r.problems)
	r.finish()
	out.problems, out.warnings = r.problems, r.warnings
	out.seen = append(r.seen, loaded{looked: r.looked}.asked()...)
	return out, true
}

// checkHelps warns of the procedure ids a place names that no procedure
// folder has. ids holds the ids of every procedure read, broken or not: a
// procedure with a typo is reported in its own file, not here too. A
// warning, not a problem: a procedure retired from the catalog must not
// take the whole catalog down with it (a hub refuses to publish, a kiosk
// refuses to install, a catalog with a problem); the place just stops
// being offered for it, and validate says so.
func (pr *placesRead) checkHelps(ids []string) {
	r := &reader{file: pr.file}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	sort.Strings(ids)
	for _, ref := range pr.helps {
		if !known[ref.id] {
			r.warnf(ref.at, "%s names the procedure %q, but no procedure of the catalog has this id%s: the place is offered for it nowhere", ref.what, ref.id, suggest(ref.id, ids, "procedure"))
		}
	}
	pr.warnings = append(pr.warnings, r.warnings...)
	sortProblems(pr.warnings)
}

func (r *procReader) readPlaces(src []byte, out *placesRead) []*passerelle.Place {
	body := r.parse(src)
	if body == nil {
		return nil
	}
	m := r.asMapping(body, "the places file", placesFields)
	if m == nil {
		return nil
	}
	n := r.require(m, "places", "the places file", ": the list of help places")
	if n == nil {
		return nil
	}
	var places []*passerelle.Place
	seen := map[string]int{}
	for i, pn := range r.sequence(n, "places", maxPlaces) {
		p, idAt := r.place(pn, i+1, out)
		if p == nil {
			continue
		}
		if p.ID != "" {
			if line, dup := seen[p.ID]; dup {
				r.problemf(idAt, "place id %q is used twice (first on line %d): give each place its own id", p.ID, line)
				continue
			}
			seen[p.ID] = idAt.line
		}
		places = append(places, p)
	}
	return places
}

func (r *procReader) place(n ast.Node, number int, out *placesRead) (*passerelle.Place, pos) {
	what := fmt.Sprintf("place %d", number)
	m := r.asMapping(n, what, placeFields)
	if m == nil {
		return nil, pos{}
	}
	p := &passerelle.Place{}
	var idAt pos
	if idn := r.require(m, "id", what, ", like \"id: france-services-centre\""); idn != nil {
		p.ID, _ = r.id(idn, "the place id")
		idAt = posOf(idn)
		if p.ID != "" {
			what = fmt.Sprintf("place %q", p.ID)
		}
	}
	if nn := r.require(m, "name", what, ": the name written on its door"); nn != nil {
		p.Name, _ = r.line(nn, "the name of "+what, MaxPlaceName)
	}
	if kn := r.require(m, "kind", what, ": "+placeKindList()); kn != nil {
		if k, ok := r.str(kn, "the kind of "+what); ok {
			if contains(placeKindNames(), k) {
				p.Kind = passerelle.PlaceKind(k)
			} else {
				r.problemf(posOf(kn), "%q is not a kind of place%s", k, suggest(k, placeKindNames(), "kind"))
			}
		}
	}
	// The kind's pictogram, unless the place has its own: the same
	// picture for the same kind of place on every screen.
	if pn := r.optional(m, "pictogram", what, ": the name of a pictogram, or remove \"pictogram:\""); pn != nil {
		p.Pictogram = r.pictogram(pn, "the pictogram of "+what)
	} else if p.Kind != "" {
		kn := m.get("kind")
		name := KindPictogram(p.Kind)
		if !r.exists(filepath.Join(r.shared, name)) {
			r.problemf(posOf(kn), "the pictogram of %s: places of kind %q show %s, which is not in the shared pictograms folder: add it, or give the place a \"pictogram:\"", what, p.Kind, name)
		} else {
			p.Pictogram = r.pictogram(&ast.StringNode{BaseNode: &ast.BaseNode{}, Token: kn.GetToken(), Value: name}, "the pictogram of "+what)
		}
	}
	if an := r.require(m, "address", what, ": street, postcode and town, on one line"); an != nil {
		p.Address, _ = r.line(an, "the address of "+what, MaxAddress)
	}
	if pn := r.require(m, "phone", what, ", like \"phone: 02 99 12 34 56\""); pn != nil {
		p.Phone = r.placePhone(pn, what)
	}
	if hn := r.require(m, "hours", what, ": one line per group of days, like \"- mo-fr 09:00-12:00,13:30-17:00\""); hn != nil {
		p.Hours.Week = r.week(hn, what)
	}
	if cn := r.optional(m, "closed", what, ": days like 2026-12-25, or remove \"closed:\""); cn != nil {
		p.Hours.Closed = r.closedDays(cn, what)
	}
	if hn := r.require(m, "helps", what, ": the ids of the procedures this place helps with"); hn != nil {
		for _, in := range r.sequence(hn, "helps of "+what, maxHelps) {
			if id, ok := r.str(in, "a procedure id"); ok {
				p.Helps = append(p.Helps, id)
				out.helps = append(out.helps, placedRef{id, "helps of " + what, posOf(in)})
			}
		}
	}
	return p, idAt
}

// KindPictogram is the shared pictogram of a kind of place.
func KindPictogram(k passerelle.PlaceKind) string { return "place-" + string(k) + ".svg" }

// line reads a one-line text of at most limit characters.
func (r *procReader) line(n ast.Node, what string, limit int) (string, bool) {
	s, ok := r.str(n, what)
	if !ok {
		return "", false
	}
	switch c := utf8.RuneCountInString(s); {
	case s == "":
		r.problemf(posOf(n), "%s is empty", what)
	case c > limit:
		r.problemf(posOf(n), "%s has %d characters; at most %d fit on the kiosk's screen: shorten it", what, c, limit)
	case strings.ContainsAny(s, "\n\r"):
		r.problemf(posOf(n), "%s must be on one line", what)
	default:
		if c, bad := controlIn(s); bad {
			r.problemf(posOf(n), "%s holds an invisible control character (U+%04X): remove it", what, c)
			return "", false
		}
		return s, true
	}
	return "", false
}

var phoneSeparators = strings.NewReplacer(".", " ", "-", " ", "\u00a0", " ")

// placePhone reads a phone number as people write it in France (02 99 12
// 34 56, 02.99.12.34.56, 3949, +33 2 99 12 34 56) and returns it with
// single spaces, the way the kiosk shows it in big digits.
func (r *procReader) placePhone(n ast.Node, what string) string {
	s, ok := r.str(n, "the phone of "+what)
	if !ok {
		return ""
	}
	clean := strings.Join(strings.Fields(phoneSeparators.Replace(s)), " ")
	digits := strings.ReplaceAll(strings.TrimPrefix(clean, "+"), " ", "")
	valid := phonePattern.MatchString(clean) && onlyDigits(digits)
	switch {
	case !valid:
		r.problemf(posOf(n), "the phone of %s %q must be digits only, like \"02 99 12 34 56\" or \"39 49\"", what, s)
	case strings.HasPrefix(clean, "+") && (len(digits) < 8 || len(digits) > 15):
		r.problemf(posOf(n), "the phone of %s %q has %d digits after the +; an international number has 8 to 15", what, s, len(digits))
	case !strings.HasPrefix(clean, "+") && len(digits) != 10 && len(digits) != 4:
		r.problemf(posOf(n), "the phone of %s %q has %d digits; a French number has 10 (like 02 99 12 34 56), a short number 4 (like 39 49)", what, s, len(digits))
	case !strings.HasPrefix(clean, "+") && len(digits) == 10 && digits[0] != '0':
		r.problemf(posOf(n), "the phone of %s %q has 10 digits but does not start with 0, like 02 99 12 34 56", what, s)
	default:
		return clean
	}
	return ""
}

func onlyDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// dayNames are the days as staff write them, in English (as
// OpenStreetMap writes opening hours) and in French: a word is a day when
// it is the start of one of these names, at least 2 letters long ("mo",
// "mon", "monday", "lu", "lun", "lundi").
var dayNames = []struct {
	name string
	day  time.Weekday
}{
	{"monday", time.Monday}, {"tuesday", time.Tuesday}, {"wednesday", time.Wednesday}, {"thursday", time.Thursday},
	{"friday", time.Friday}, {"saturday", time.Saturday}, {"sunday", time.Sunday},
	{"lundi", time.Monday}, {"mardi", time.Tuesday}, {"mercredi", time.Wednesday}, {"jeudi", time.Thursday},
	{"vendredi", time.Friday}, {"samedi", time.Saturday}, {"dimanche", time.Sunday},
}

// dayOf reads a day's name or its start.
func dayOf(word string) (time.Weekday, bool) {
	word = strings.ToLower(word)
	if len(word) < 2 {
		return 0, false
	}
	for _, d := range dayNames {
		if strings.HasPrefix(d.name, word) {
			return d.day, true
		}
	}
	return 0, false
}

// weekOrder is Monday first, as people read a week.
func weekOrder(d time.Weekday) int { return (int(d) + 6) % 7 }

var dayShort = [7]string{"su", "mo", "tu", "we", "th", "fr", "sa"}

// placedRange is an opening range with where it is written, to say which
// line another range overlaps.
type placedRange struct {
	passerelle.TimeRange
	at pos
}

// week reads the lines of opening hours, each "DAYS TIMES": days like
// mo-fr or mo,we,fr, times like 09:00-12:00,13:30-17:00.
func (r *procReader) week(n ast.Node, what string) [7][]passerelle.TimeRange {
	var placed [7][]placedRange
	for _, ln := range r.sequence(n, "the hours of "+what, 14) {
		s, ok := r.str(ln, "a line of the hours of "+what)
		if !ok {
			continue
		}
		r.hoursLine(ln, s, what, &placed)
	}
	var week [7][]passerelle.TimeRange
	reported := map[pos]bool{} // a line for mo-fr overlaps on five days: said once
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		ranges := placed[d]
		sort.SliceStable(ranges, func(i, j int) bool { return ranges[i].From < ranges[j].From })
		for i, rg := range ranges {
			if i > 0 && rg.From < ranges[i-1].To {
				prev := ranges[i-1]
				if reported[rg.at] {
					continue
				}
				reported[rg.at] = true
				r.problemf(rg.at, "on %s, %s overlaps %s (line %d): a place is open or closed, write each hour once", dayShort[d], clock(rg.TimeRange), clock(prev.TimeRange), prev.at.line)
				continue
			}
			week[d] = append(week[d], rg.TimeRange)
		}
	}
	return week
}

func clock(rg passerelle.TimeRange) string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", rg.From/60, rg.From%60, rg.To/60, rg.To%60)
}

// valueCol is where the text of a scalar starts: after its opening quote.
func valueCol(n ast.Node) pos {
	at := posOf(n)
	if tk := n.GetToken(); tk != nil && (tk.Type == token.DoubleQuoteType || tk.Type == token.SingleQuoteType) {
		at.col++
	}
	return at
}

// hoursLine reads one line of hours into placed. Each mistake is reported
// at the column of the part that is wrong.
func (r *procReader) hoursLine(n ast.Node, s, what string, placed *[7][]placedRange) {
	// Columns count characters from where the text starts; str trimmed
	// the spaces a quoted text may start with.
	at := valueCol(n)
	raw := scalarString(n)
	lead := utf8.RuneCountInString(raw) - utf8.RuneCountInString(strings.TrimLeft(raw, " \t"))
	colOfRaw := func(offset int) pos { return at.add(lead + utf8.RuneCountInString(s[:offset])) }

	space := strings.IndexAny(s, " \t")
	if space < 0 {
		r.problemf(at, "the hours of %s: %q needs days, a space, then times, like \"mo-fr 09:00-12:00,13:30-17:00\"", what, s)
		return
	}
	days, ok := r.days(s[:space], colOfRaw, what)
	rest := strings.TrimLeft(s[space:], " \t")
	restAt := len(s) - len(rest)
	if rest == "" {
		r.problemf(colOfRaw(space), "the hours of %s: %q has days but no times, like 09:00-12:00", what, s)
		return
	}
	var ranges []placedRange
	offset := restAt
	for _, part := range strings.Split(rest, ",") {
		trimmed := strings.TrimSpace(part)
		start := offset + strings.Index(part, trimmed)
		partAt := colOfRaw(start)
		offset += len(part) + 1
		rg, msg, bad := parseRange(trimmed)
		if msg != "" {
			r.problemf(colOfRaw(start+bad), "the hours of %s: %s", what, msg)
			ok = false
			continue
		}
		ranges = append(ranges, placedRange{rg, partAt})
	}
	if !ok {
		return
	}
	for _, d := range days {
		placed[d] = append(placed[d], ranges...)
	}
}

func (p pos) add(cols int) pos { return pos{p.line, p.col + cols} }

// days reads "mo-fr", "sa", "mo,we,fr" or "mo-we,fr".
func (r *procReader) days(s string, colOf func(int) pos, what string) ([]time.Weekday, bool) {
	var out []time.Weekday
	ok := true
	offset := 0
	for _, part := range strings.Split(s, ",") {
		partAt := offset
		offset += len(part) + 1
		from, to, isRange := strings.Cut(part, "-")
		first, good := r.day(from, colOf(partAt), what)
		if !good {
			ok = false
			continue
		}
		if !isRange {
			out = append(out, first)
			continue
		}
		last, good := r.day(to, colOf(partAt+len(from)+1), what)
		if !good {
			ok = false
			continue
		}
		if weekOrder(last) < weekOrder(first) {
			r.problemf(colOf(partAt), "the hours of %s: the days %q go backwards; write them in the order of the week, Monday first, like mo-fr", what, part)
			ok = false
			continue
		}
		for d := weekOrder(first); d <= weekOrder(last); d++ {
			out = append(out, time.Weekday((d+1)%7))
		}
	}
	return out, ok
}

func (r *procReader) day(s string, at pos, what string) (time.Weekday, bool) {
	d, ok := dayOf(s)
	if !ok {
		r.problemf(at, "the hours of %s: %q is not a day; write mo tu we th fr sa su (or lu ma me je ve sa di)", what, s)
	}
	return d, ok
}

// clockPattern is a time as people write it: 09:00, 9:00, 9h00, 9h.
var clockPattern = regexp.MustCompile(`^([0-9]{1,2})(?:[:hH]([0-9]{2})|[hH])$`)

// parseRange reads "09:00-12:00" (9h-12h and 9h00-12h00 are read too). It returns a
// plain message when the range cannot be, and the byte offset in s of the
// part that is wrong.
func parseRange(s string) (passerelle.TimeRange, string, int) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return passerelle.TimeRange{}, fmt.Sprintf("%q is not a range of times; write it like 09:00-12:00", s), 0
	}
	f, msg := parseClock(strings.TrimSpace(from))
	if msg != "" {
		return passerelle.TimeRange{}, msg, len(from) - len(strings.TrimLeft(from, " "))
	}
	t, msg := parseClock(strings.TrimSpace(to))
	if msg != "" {
		return passerelle.TimeRange{}, msg, len(from) + 1 + len(to) - len(strings.TrimLeft(to, " "))
	}
	if t <= f {
		return passerelle.TimeRange{}, fmt.Sprintf("%q ends before it starts; write the opening time first, like 09:00-12:00 (a place open past midnight writes the next day on its own line, from 00:00)", s), 0
	}
	return passerelle.TimeRange{From: f, To: t}, "", 0
}

func parseClock(s string) (int, string) {
	m := clockPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Sprintf("%q is not a time; write hours and minutes like 09:00 or 13:30", s)
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2]) // 0 for "9h"
	if h > 24 || min > 59 || (h == 24 && min > 0) {
		return 0, fmt.Sprintf("%q is not a time of the day: hours go from 00 to 24, minutes from 00 to 59", s)
	}
	return h*60 + min, ""
}

// closedDays reads the days a place is closed: "2026-12-25", or a range of
// days "2026-12-24..2027-01-02".
func (r *procReader) closedDays(n ast.Node, what string) []time.Time {
	var out []time.Time
	seen := map[time.Time]bool{}
	for _, dn := range r.sequence(n, "the closed days of "+what, maxEntries) {
		s, ok := r.str(dn, "a closed day of "+what)
		if !ok {
			continue
		}
		from, to, isRange := strings.Cut(s, "..")
		first, err1 := time.Parse(time.DateOnly, strings.TrimSpace(from))
		last := first
		var err2 error
		if isRange {
			last, err2 = time.Parse(time.DateOnly, strings.TrimSpace(to))
		}
		switch {
		case err1 != nil || err2 != nil:
			r.problemf(valueCol(dn), "a closed day of %s %q is not a day; write it YYYY-MM-DD, like 2026-12-25, or a range like 2026-12-24..2027-01-02", what, s)
			continue
		case last.Before(first):
			r.problemf(valueCol(dn), "the closed days of %s %q end before they start", what, s)
			continue
		case last.Sub(first) > maxClosedDays*24*time.Hour:
			r.problemf(valueCol(dn), "the closed days of %s %q span more than a year: remove the place from the file instead", what, s)
			continue
		}
		for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

func placeKindNames() []string {
	names := make([]string, len(passerelle.PlaceKinds))
	for i, k := range passerelle.PlaceKinds {
		names[i] = string(k)
	}
	return names
}

func placeKindList() string { return strings.Join(placeKindNames(), ", ") }

// addPlaces reads the places file of dir into res, and checks that the
// procedures it names are in the catalog.
// It returns the questions it asked the file system, for the snapshot.
func (l *Loader) addPlaces(res *Result, dir, shared string, reads []loaded, disk *disk) []touch {
	pr, found := l.loadPlaces(dir, shared, disk)
	if !found {
		return pr.seen
	}
	var ids []string
	for _, o := range reads {
		if o.proc != nil && o.proc.ID != "" {
			ids = append(ids, o.proc.ID)
		}
	}
	pr.checkHelps(ids)
	res.Problems = append(res.Problems, pr.problems...)
	res.Warnings = append(res.Warnings, pr.warnings...)
	if len(pr.problems) > 0 {
		res.PlacesBroken = true
		return pr.seen
	}
	res.Places = pr.places
	return pr.seen
}
