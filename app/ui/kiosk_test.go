package ui_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

const shipped = "../../data/procedures"

// speechCache is shared by the tests of this package: espeak-ng renders
// each sentence once per run.
var speechCache string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "passerelle-speech-")
	if err != nil {
		panic(err)
	}
	speechCache = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// clock is a test clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// rig is a kiosk on a real database, the real player with a null sink, and
// a catalog source.
type rig struct {
	t      testing.TB
	k      *ui.Kiosk
	w      fyne.Window
	db     *sqlite.DB
	sink   *audio.NullSink
	player *audio.Player
	// asked is every prompt the kiosk asked the player to say, even one
	// cut by the next touch before the sink started it.
	asked *promptLog
	clock *clock
	// screens lists what was shown, as "name" or "step:ID".
	screens []string
	// how act uses a tile: byTouch, or byKeys or byScan, never a touch
	// (keys_test.go).
	how      walkBy
	keyed    map[*ui.Screen]bool // the screens a key was pressed on
	switches int                 // switch presses, to vary the key
	start    time.Time           // when a test's own part began
	// langLeft is how many prompts were asked when the language screen
	// was left.
	langLeft int
}

func newRig(t testing.TB, source passerelle.CatalogSource) *rig {
	t.Helper()
	return newRigWith(t, source, audio.NewSpeech(speechCache, ""), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newRigWith builds a rig whose player speaks with speech and logs to logger.
// Options change the kiosk's dependencies before it starts.
func newRigWith(t testing.TB, source passerelle.CatalogSource, speech *audio.Speech, logger *slog.Logger, opts ...func(*ui.Deps)) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.Theme())
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sink := audio.NewNullSink(0)
	player := audio.NewPlayer(sink, speech, audio.WithLogger(logger))
	t.Cleanup(func() { player.Close() })
	asked := &promptLog{Player: player}
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1024, 768))
	t.Cleanup(w.Close)
	r := &rig{t: t, w: w, db: db, sink: sink, player: player, asked: asked, clock: &clock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}}
	deps := ui.Deps{Catalog: source, Store: db, Player: asked, Logger: logger, Now: r.clock.Now, SetVolume: player.SetVolume}
	for _, opt := range opts {
		opt(&deps)
	}
	r.k = ui.New(w, deps, ui.DefaultSettings)
	r.note()
	return r
}

// tap touches a tile a second after the last action, like a person would.
func (r *rig) tap(tile *ui.Tile) {
	r.t.Helper()
	if tile == nil {
		r.t.Fatalf("no such tile on screen %s", r.where())
	}
	r.clock.Add(time.Second)
	test.Tap(tile)
	r.note()
}

func (r *rig) where() string {
	s := r.k.Screen()
	if s.Name == ui.ScreenStep {
		return "step:" + s.StepID
	}
	return s.Name
}

func (r *rig) note() {
	if w := r.where(); len(r.screens) == 0 || r.screens[len(r.screens)-1] != w {
		if len(r.screens) > 0 && r.screens[len(r.screens)-1] == ui.ScreenLanguages {
			r.langLeft = r.asked.count() - len(r.k.Screen().Prompt)
		}
		r.screens = append(r.screens, w)
	}
}

// act uses a tile the way the rig's person does: a touch, or with
// byKeys the focus moved onto it and Enter.
func (r *rig) act(tile *ui.Tile) {
	r.t.Helper()
	switch r.how {
	case byKeys:
		r.keyTo(tile)
		r.press(fyne.KeyReturn)
	case byScan:
		r.scanTo(tile)
		r.pressSwitch()
	default:
		r.tap(tile)
	}
}

// played waits for the player to finish and returns what it played.
func (r *rig) played() []passerelle.Played {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.sink.Wait(ctx); err != nil {
		r.t.Fatal(err)
	}
	return r.sink.Played()
}

// chooseLanguage goes from welcome to the procedure grid in lang.
func (r *rig) chooseLanguage(lang passerelle.Lang) {
	r.t.Helper()
	r.act(r.k.Screen().Start)
	r.act(r.k.Screen().Tile(string(lang)))
	r.act(r.k.Screen().Next)
}

// startProcedure finds the procedure on the grid's pages and starts it.
func (r *rig) startProcedure(id string) {
	r.t.Helper()
	for r.k.Screen().Tile(id) == nil {
		next := r.k.Screen().NextPage
		if next == nil || next.Disabled() {
			r.t.Fatalf("procedure %s not on any page", id)
		}
		r.act(next)
	}
	r.act(r.k.Screen().Tile(id))
	r.act(r.k.Screen().Next)
}

// walk answers every step until the session ends, choosing the option
// that leads to a step not seen yet (so loops end), and returns the ids
// of the steps shown.
func (r *rig) walk() []string {
	r.t.Helper()
	seen := map[string]bool{}
	var path []string
	for i := 0; ; i++ {
		if i > 60 {
			r.t.Fatalf("the walk does not end: %v", path)
		}
		sess := r.k.Session()
		st := sess.Step()
		path = append(path, st.ID)
		seen[st.ID] = true
		if _, ended := sess.Ended(); ended {
			return path
		}
		s := r.k.Screen()
		switch st.Kind {
		case passerelle.KindChoice:
			pick := st.Options[0]
			for _, o := range st.Options {
				if !seen[o.Next] {
					pick = o
					break
				}
			}
			r.act(s.Tile(pick.ID))
		case passerelle.KindChecklist:
			r.act(s.Tiles[0])
		case passerelle.KindNumber:
			for _, d := range validNumber(r.t, st.Number) {
				r.act(s.Keys[string(d)])
			}
		}
		r.act(s.Next)
	}
}

// validNumber returns digits the rule accepts.
func validNumber(t testing.TB, rule *passerelle.NumberRule) string {
	t.Helper()
	for n := rule.Min; n <= rule.Max; n++ {
		for _, first := range "1234567890" {
			digits := string(first) + strings.Repeat("0", n-1)
			if rule.Accepts(digits) {
				return digits
			}
		}
	}
	t.Fatalf("no number found for rule %+v", rule)
	return ""
}

// TestWalkEveryProcedureInEveryLanguage is the kiosk's main promise: a
// person can go through every shipped procedure, in every shipped
// language, by touching pictograms and listening.
func TestWalkEveryProcedureInEveryLanguage(t *testing.T) {
	walkEveryProcedure(t, byTouch)
}

// walkEveryProcedure walks every shipped procedure in every language,
// using tiles the way how says, and checks the screens, prompts and
// events of each walk.
func walkEveryProcedure(t *testing.T, how walkBy) {
	cat := openCatalog(t, shipped).Catalog()
	for _, lang := range cat.Langs() {
		for _, proc := range cat.In(lang) {
			t.Run(string(lang)+"/"+proc.ID, func(t *testing.T) {
				r := newRig(t, openCatalog(t, shipped))
				r.how = how
				r.k.Scanning = how == byScan
				r.chooseLanguage(lang)
				r.startProcedure(proc.ID)
				path := r.walk()

				// The screens: welcome, languages, procedures (maybe over
				// pages), then each step of the path, in order.
				var want []string
				for _, id := range path {
					want = append(want, "step:"+id)
				}
				gotSteps := r.screens[len(r.screens)-len(path):]
				if strings.Join(gotSteps, " ") != strings.Join(want, " ") {
					t.Errorf("screens %v, want the path %v", r.screens, want)
				}
				if r.screens[0] != ui.ScreenWelcome || r.screens[1] != ui.ScreenLanguages || r.screens[2] != ui.ScreenProcedures {
					t.Errorf("screens start %v, want welcome, languages, procedures", r.screens[:3])
				}

				// The prompts: every step's sentence, in lang, in order,
				// each once; everything after the language choice in lang.
				played := r.played()
				var stepSays []string
				afterLang := false
				native, _ := passerelle.LookupLanguage(lang)
				for _, p := range played {
					if p.Prompt.Lang == lang && p.Prompt.Text == native.Native {
						afterLang = true // the language tile speaks its name
					}
					if afterLang && how != byKeys && p.Prompt.Lang != lang {
						t.Errorf("prompt in %s after choosing %s: %q", p.Prompt.Lang, lang, p.Prompt.Text)
					}
					if p.Source == "" || p.Duration <= 0 {
						t.Errorf("prompt %q has no sound: source %q, %v", p.Prompt.Text, p.Source, p.Duration)
					}
					for _, id := range path {
						st, _ := proc.Step(id)
						if p.Prompt.Text == st.Say[lang] {
							stepSays = append(stepSays, id)
							break
						}
					}
				}
				if strings.Join(stepSays, " ") != strings.Join(path, " ") {
					t.Errorf("step prompts played for %v, want one per screen: %v", stepSays, path)
				}
				if !afterLang {
					t.Errorf("touching the %s tile did not say %q", lang, native.Native)
				}
				if how == byKeys {
					// Keys name each control they pass on the language
					// screen, each language in its own: after it, lang only.
					for _, p := range r.asked.since(r.langLeft) {
						if p.Lang != lang {
							t.Errorf("prompt in %s after choosing %s by keys: %q", p.Lang, lang, p.Text)
						}
					}
				}

				// The events in the SQLite file.
				evs := sessionEvents(t, r.db, r.k.Session().ID)
				var shown []string
				for _, e := range evs {
					if e.Kind == passerelle.EventStepShown {
						shown = append(shown, e.StepID)
					}
				}
				if strings.Join(shown, " ") != strings.Join(path, " ") {
					t.Errorf("step_shown events %v, want %v", shown, path)
				}
				first, last := evs[0], evs[len(evs)-1]
				if first.Kind != passerelle.EventSessionStarted || first.Lang != lang || first.ProcedureID != proc.ID || first.ProcedureVersion != proc.Version {
					t.Errorf("first event %+v", first)
				}
				if last.Kind != passerelle.EventSessionEnded || (last.Outcome != passerelle.OutcomeFinished && last.Outcome != passerelle.OutcomeHandedOff) {
					t.Errorf("last event %+v, want session_ended finished or handed_off", last)
				}
				for _, e := range evs {
					if e.Personal != "" {
						t.Errorf("a personal value was stored, no shipped procedure allows it: %+v", e)
					}
				}

				// Done: back to welcome.
				r.act(r.k.Screen().Next)
				if r.where() != ui.ScreenWelcome {
					t.Errorf("after the end: %s, want welcome", r.where())
				}
			})
		}
	}
}

func sessionEvents(t testing.TB, db *sqlite.DB, id string) []passerelle.Event {
	t.Helper()
	evs, err := db.SessionEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// openCatalog watches a catalog folder, as the kiosk does.
func openCatalog(t testing.TB, dir string) *procedure.Watcher {
	t.Helper()
	w := procedure.NewWatcher(dir)
	w.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := w.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// goHome touches home and, when it asks "stop this procedure?", says yes.
func (r *rig) goHome() {
	r.t.Helper()
	r.tap(r.k.Screen().Home)
	if r.k.Screen().Name == ui.ScreenStop {
		r.tap(r.k.Screen().Yes)
	}
	if r.where() != ui.ScreenWelcome {
		r.t.Fatalf("home led to %s, want welcome", r.where())
	}
}

// promptLog is the real player, noting every prompt the kiosk asks it to
// say before passing them on.
type promptLog struct {
	passerelle.Player
	mu      sync.Mutex
	prompts []passerelle.Prompt
}

func (p *promptLog) Play(ctx context.Context, prompts ...passerelle.Prompt) error {
	p.mu.Lock()
	p.prompts = append(p.prompts, prompts...)
	p.mu.Unlock()
	return p.Player.Play(ctx, prompts...)
}

// since returns the prompts asked for after the first n.
func (p *promptLog) since(n int) []passerelle.Prompt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]passerelle.Prompt{}, p.prompts[n:]...)
}

func (p *promptLog) count() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.prompts) }
