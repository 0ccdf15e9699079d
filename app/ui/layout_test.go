package ui_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/ui"
)

// windowSizes are the screens a kiosk may have: the smallest panel, the
// README's 1024×768, a laptop, full HD, and a portrait totem.
var windowSizes = []fyne.Size{{Width: 800, Height: 480}, {Width: 1024, Height: 768}, {Width: 1280, Height: 800}, {Width: 1920, Height: 1080}, {Width: 800, Height: 1280}}

// smallTarget is the smallest control accepted on an 800×480 window,
// where the keys of a keypad cannot get 15 mm (ui.MinTarget; see
// tileFloor in theme.go); every larger window must give every control
// ui.MinTarget.
const smallTarget = 56

// TestEveryScreenFitsEveryWindow lays out every screen a user can meet:
// welcome, languages, every page of the procedure grid, every step of every
// shipped procedure in every language (keypads and end screens included),
// help, "are you still there?" and out of service, at every window size.
// The window must not grow, and every control must lie inside it, big
// enough to touch, without covering another; text must fit its box.
//
// It does so on the shipped catalog, and on the same catalog with a sketch
// of the other screen on every step (wide, square-ish and tall sketches
// in turn), every other step done elsewhere, and every number a personal
// social security number with its A and B keys.
func TestEveryScreenFitsEveryWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		source func(testing.TB) passerelle.CatalogSource
	}{
		{"shipped", func(t testing.TB) passerelle.CatalogSource { return openCatalog(t, shipped) }},
		{"sketches on every step", sketchedCatalog},
	} {
		t.Run(tc.name, func(t *testing.T) { checkEveryScreen(t, tc.source(t)) })
	}
}

// testSketches are drawings of another screen of three shapes: a wide
// button, a 4:3 page, a tall phone screen.
var testSketches = [][]byte{
	[]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"><rect x="10" y="20" width="280" height="60" rx="12" fill="#1F5FBF"/></svg>`),
	[]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300"><rect x="20" y="20" width="360" height="40" fill="#1A1A1A"/><rect x="20" y="120" width="200" height="30" fill="#C62828"/></svg>`),
	[]byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90 160"><rect x="5" y="5" width="80" height="150" rx="10" fill="#1A1A1A"/><rect x="12" y="20" width="66" height="110" fill="#FFFFFF"/></svg>`),
}

// sketchedCatalog is the shipped catalog with a sketch on every step,
// every other step done elsewhere, and every number step asking for a
// social security number (13 digits or 15 with the key) kept silent.
func sketchedCatalog(t testing.TB) passerelle.CatalogSource {
	t.Helper()
	res, err := procedure.Load(context.Background(), shipped)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load %s: %v %v", shipped, err, res.Problems)
	}
	for _, p := range res.Procedures {
		for i, st := range p.Steps {
			st.Screen = passerelle.Media{Path: "sketch.svg", Data: testSketches[i%len(testSketches)]}
			st.Elsewhere = i%2 == 0
			if st.Kind == passerelle.KindNumber {
				rule, err := passerelle.NewNumberRule(13, 15, `[12][0-9]{12}([0-9]{2})?`, false)
				if err != nil {
					t.Fatal(err)
				}
				rule.Personal, rule.Check = true, passerelle.CheckNIR
				st.Number = rule
			}
		}
	}
	return static{passerelle.NewCatalog(res.Procedures)}
}

func checkEveryScreen(t *testing.T, source passerelle.CatalogSource) {
	r := newRig(t, source)
	cat := source.Catalog()
	screens := 0
	check := func(what string) {
		t.Helper()
		screens++
		for _, size := range windowSizes {
			assertFits(t, r.w, r.k.Screen(), size, what)
		}
	}

	check("welcome")
	r.tap(r.k.Screen().Start)
	check("languages")
	for _, lang := range cat.Langs() {
		r.tap(r.k.Screen().Tile(string(lang)))
		r.tap(r.k.Screen().Next)
		for page := 0; ; page++ {
			check(fmt.Sprintf("%s procedures page %d", lang, page))
			next := r.k.Screen().NextPage
			if next == nil || next.Disabled() {
				break
			}
			r.tap(next)
		}
		for i, proc := range cat.In(lang) {
			r.goHome()
			r.chooseLanguage(lang)
			r.startProcedure(proc.ID)
			if i == 0 {
				r.tap(r.k.Screen().Help)
				check(string(lang) + " help")
				r.tap(r.k.Screen().Next)
				r.clock.Add(max(ui.DefaultSettings.ElsewhereWait, ui.HelpWait)) // long enough on any step, a help call open
				r.k.CheckIdle()
				check(string(lang) + " still there")
				r.tap(r.k.Screen().Yes)
				r.tap(r.k.Screen().Home)
				check(string(lang) + " stop this procedure?")
				r.tap(r.k.Screen().No)
			}
			seen := r.visitSteps(lang, proc.ID, func(step string) { check(fmt.Sprintf("%s %s step %s", lang, proc.ID, step)) })
			if len(seen) != len(proc.Steps) {
				t.Errorf("%s %s: %d steps shown, the procedure has %d", lang, proc.ID, len(seen), len(proc.Steps))
			}
		}
		r.goHome()
		r.tap(r.k.Screen().Start)
	}

	// The disk refuses an answer: a banner asks to call a person, above
	// the same controls.
	r.goHome()
	r.chooseLanguage("fr")
	r.startProcedure("create-email")
	if err := r.db.Close(); err != nil {
		t.Fatal(err)
	}
	r.tap(r.k.Screen().Next)
	if r.where() != "step:"+r.k.Session().Proc.First().ID {
		t.Fatalf("an answer that was not saved moved the screen to %s", r.where())
	}
	if shown := strings.Join(visibleTexts(r.w.Content()), " "); !strings.Contains(shown, "problème") {
		t.Fatalf("no banner on screen: %q", shown)
	}
	check("the save-failed banner")

	ui.ShowOutOfService(r.w, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "a test")
	screens++
	for _, size := range windowSizes {
		assertFits(t, r.w, &ui.Screen{Sign: findTile(t, r.w.Content(), "out-of-service")}, size, "out of service")
	}
	t.Logf("%d screens checked at %d sizes", screens, len(windowSizes))
}

// TestLongTextsStayInside: staff write every sentence as long as validate
// allows, and every label as one word of the longest length allowed. Text
// shrinks to its floor and is cut with "…" (it is also spoken); no control
// moves out. What validate accepts is what fits.
func TestLongTextsStayInside(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(shipped)); err != nil {
		t.Fatal(err)
	}
	plainFrench := regexp.MustCompile(`(?m)^(\s+fr: )([^"'\n].*)$`)
	longWord := string([]rune(strings.Repeat("Anticonstitutionnellement", 3))[:procedure.MaxLabel])
	// upTo repeats text up to max characters, cut in mid-word if need be.
	upTo := func(text string, max int) string {
		long := []rune(strings.Repeat(text+" ", max/len([]rune(text))+1))
		return strings.TrimSpace(string(long[:max]))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "procedure.yaml"))
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		for i, line := range lines {
			m := plainFrench.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			text := upTo(m[2], procedure.MaxSay)
			switch parent := strings.TrimSpace(lines[i-1]); {
			case strings.HasPrefix(parent, "title:"):
				text = upTo(m[2], procedure.MaxTitle)
			case strings.Contains(parent, "label:"): // one word too long for any tile
				text = longWord
			}
			lines[i] = m[1] + strconv.Quote(text)
		}
		long := strings.Join(lines, "\n")
		if err := os.WriteFile(path, []byte(long), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	source := openCatalog(t, dir)
	if problems := source.Problems(); len(problems) > 0 {
		t.Fatalf("the lengthened catalog has problems: %v", problems)
	}
	if first := source.Catalog().In("fr")[0].First(); utf8.RuneCountInString(first.Say["fr"]) < procedure.MaxSay-1 {
		t.Fatalf("the texts were not lengthened: %q", first.Say["fr"])
	}
	if opt := source.Catalog().In("fr")[0].First().Options; len(opt) == 0 || opt[0].Label["fr"] != longWord {
		t.Fatalf("the labels were not lengthened: %+v", opt)
	}
	// Layout only: no speech, so espeak-ng does not render every long text.
	r := newRigWith(t, source, audio.NewSpeech(t.TempDir(), "/nonexistent/espeak-ng"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	small := []fyne.Size{{Width: 800, Height: 480}, {Width: 1024, Height: 768}, {Width: 800, Height: 1280}}
	check := func(what string) {
		t.Helper()
		for _, size := range small {
			assertFits(t, r.w, r.k.Screen(), size, what)
		}
	}
	for _, proc := range source.Catalog().In("fr") {
		r.chooseLanguage("fr")
		check("procedures")
		r.startProcedure(proc.ID)
		r.visitSteps("fr", proc.ID, func(step string) { check(proc.ID + " step " + step) })
		r.goHome()
	}
}

// visitSteps shows every step of the started procedure once, by touching
// what a person would touch, and calls check on each. An ended session
// cannot go back: the walk starts the procedure again and replays its way.
// It returns the steps shown.
func (r *rig) visitSteps(lang passerelle.Lang, procID string, check func(step string)) map[string]bool {
	r.t.Helper()
	seen := map[string]bool{}
	var way []func() // the moves from the first step to the current one
	restart := func() {
		r.tap(r.k.Screen().Next) // "done": back to welcome
		r.chooseLanguage(lang)
		r.startProcedure(procID)
		for _, m := range way {
			m()
		}
	}
	var visit func()
	visit = func() {
		st := r.k.Session().Step()
		seen[st.ID] = true
		check(st.ID)
		if _, ended := r.k.Session().Ended(); ended {
			return
		}
		for _, m := range r.moves(st) {
			if seen[m.to] {
				continue
			}
			way = append(way, m.do)
			m.do()
			if at := r.k.Session().Step().ID; at != m.to {
				r.t.Fatalf("from %s: at %s, want %s", st.ID, at, m.to)
			}
			visit()
			way = way[:len(way)-1]
			if _, ended := r.k.Session().Ended(); ended {
				restart()
			} else {
				r.tap(r.k.Screen().Back)
			}
			if at := r.k.Session().Step().ID; at != st.ID {
				r.t.Fatalf("coming back to %s: at %s", st.ID, at)
			}
		}
	}
	visit()
	return seen
}

type move struct {
	to string
	do func()
}

// moves lists the ways out of a step, each as the touches that take it.
func (r *rig) moves(st *passerelle.Step) []move {
	next := func() { r.tap(r.k.Screen().Next) }
	switch st.Kind {
	case passerelle.KindChoice:
		var ms []move
		for _, o := range st.Options {
			ms = append(ms, move{o.Next, func() { r.tap(r.k.Screen().Tile(o.ID)); next() }})
		}
		return ms
	case passerelle.KindChecklist:
		return []move{{st.Next, func() { r.tap(r.k.Screen().Tiles[0]); next() }}}
	case passerelle.KindNumber:
		return []move{{st.Next, func() {
			for _, d := range validNumber(r.t, st.Number) {
				r.tap(r.k.Screen().Keys[string(d)])
			}
			next()
		}}}
	case passerelle.KindInfo:
		return []move{{st.Next, next}}
	}
	return nil
}

// assertFits lays out what w shows at size and checks it as a person
// would see it: the window kept its size, every control of s is inside,
// big enough to touch and covers no other, every text fits its box.
func assertFits(t *testing.T, w fyne.Window, s *ui.Screen, size fyne.Size, what string) {
	t.Helper()
	w.Resize(size)
	// Setting the content again is when a window grows to the content's
	// minimum size, as a real one does whenever its content changes.
	w.SetContent(w.Content())
	if got := w.Canvas().Size(); got != size {
		t.Errorf("%s at %v: the window grew to %v", what, size, got)
		return
	}
	rects := map[fyne.CanvasObject]rect{}
	var texts []*canvas.Text
	walkTree(w.Content(), fyne.NewPos(0, 0), func(o fyne.CanvasObject, at rect) {
		rects[o] = at
		if text, ok := o.(*canvas.Text); ok && text.Text != "" {
			texts = append(texts, text)
		}
	})
	window := rect{0, 0, size.Width, size.Height}
	least := ui.MinTarget
	if size.Height < 600 {
		least = smallTarget
	}
	controls := s.Controls()
	if len(controls) == 0 {
		t.Fatalf("%s: no control on screen", what)
	}
	for i, c := range controls {
		at, shown := rects[c]
		switch {
		case !shown:
			t.Errorf("%s at %v: control %s is not on screen", what, size, c.ID)
		case !window.holds(at):
			t.Errorf("%s at %v: control %s at %v falls outside the window", what, size, c.ID, at)
		case at.w < least || at.h < least:
			t.Errorf("%s at %v: control %s is %.0f×%.0f, want at least %.0f", what, size, c.ID, at.w, at.h, least)
		}
		for _, other := range controls[i+1:] {
			if at.overlaps(rects[other]) {
				t.Errorf("%s at %v: controls %s %v and %s %v overlap", what, size, c.ID, at, other.ID, rects[other])
			}
		}
	}
	if s.Sketch != nil {
		at, shown := rects[s.Sketch]
		switch {
		case !shown:
			t.Errorf("%s at %v: the sketch is not on screen", what, size)
		case !window.holds(at):
			t.Errorf("%s at %v: the sketch at %v falls outside the window", what, size, at)
		case max(at.w, at.h) < minSketch:
			t.Errorf("%s at %v: the sketch is %.0f×%.0f, too small to recognise (want %d on its long side)", what, size, at.w, at.h, minSketch)
		}
		for _, c := range controls {
			if at.overlaps(rects[c]) {
				t.Errorf("%s at %v: the sketch %v covers control %s %v", what, size, at, c.ID, rects[c])
			}
		}
	}
	for _, text := range texts {
		at := rects[text]
		if !window.holds(at) {
			t.Errorf("%s at %v: text %q at %v falls outside the window", what, size, text.Text, at)
		}
		if text.TextSize < 14 {
			t.Errorf("%s at %v: text %q is drawn at %.0f, below the floor", what, size, text.Text, text.TextSize)
		}
		if need := text.MinSize().Width; need > at.w+1 {
			t.Errorf("%s at %v: text %q needs %.0f wide, has %.0f", what, size, text.Text, need, at.w)
		}
	}
	// The walk above must agree with Fyne's own idea of where things are
	// (which the test canvas gives inside a pretend inset).
	if next := s.Next; next != nil {
		inset, _ := w.Canvas().InteractiveArea()
		got := fyne.CurrentApp().Driver().AbsolutePositionForObject(next).Add(inset)
		if got != fyne.NewPos(rects[next].x, rects[next].y) {
			t.Fatalf("%s at %v: the walk puts next at %v, Fyne at %v", what, size, rects[next], got)
		}
	}
}

// minSketch is the smallest long side of a sketch of the other screen, in
// units: below it a drawn button or payslip line is hard to recognise.
const minSketch = 150

// rect is an absolute rectangle on the window.
type rect struct{ x, y, w, h float32 }

func (r rect) holds(o rect) bool {
	const tolerance = 0.5 // float rounding of layouts
	return o.x >= r.x-tolerance && o.y >= r.y-tolerance && o.x+o.w <= r.x+r.w+tolerance && o.y+o.h <= r.y+r.h+tolerance
}

func (r rect) overlaps(o rect) bool {
	return r.x < o.x+o.w && o.x < r.x+r.w && r.y < o.y+o.h && o.y < r.y+r.h
}

// walkTree calls fn on every visible object under o with its absolute
// rectangle, widgets' parts included.
func walkTree(o fyne.CanvasObject, parent fyne.Position, fn func(fyne.CanvasObject, rect)) {
	if !o.Visible() {
		return
	}
	pos := parent.Add(o.Position())
	fn(o, rect{pos.X, pos.Y, o.Size().Width, o.Size().Height})
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkTree(c, pos, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walkTree(c, pos, fn)
		}
	}
}

// findTile returns the tile with the given id under o.
func findTile(t *testing.T, o fyne.CanvasObject, id string) *ui.Tile {
	t.Helper()
	var found *ui.Tile
	walkTree(o, fyne.NewPos(0, 0), func(o fyne.CanvasObject, _ rect) {
		if tile, ok := o.(*ui.Tile); ok && tile.ID == id {
			found = tile
		}
	})
	if found == nil {
		t.Fatalf("no tile %s on screen", id)
	}
	return found
}
