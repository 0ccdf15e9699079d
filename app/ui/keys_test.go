package ui_test

import (
	"image/color"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

// walkBy is how a rig's person uses a tile.
type walkBy int

const (
	byTouch walkBy = iota
	byKeys         // arrows and Enter
	byScan         // one-switch scanning: waits for the ring, any key
)

// press sends a key to the window's canvas, where the driver sends the
// keys no widget takes, a second after the last action.
func (r *rig) press(key fyne.KeyName) {
	r.t.Helper()
	r.clock.Add(time.Second)
	if r.keyed == nil {
		r.keyed = map[*ui.Screen]bool{}
	}
	r.keyed[r.k.Screen()] = true
	r.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: key})
	r.note()
}

// keyTo moves the focus onto tile with the arrow keys, checking at each
// press what a person who cannot see the screen relies on: one control
// has the ring, and the kiosk said its name; the first key on a screen
// said how many controls there are.
func (r *rig) keyTo(tile *ui.Tile) {
	r.t.Helper()
	s := r.k.Screen()
	if tile == nil {
		r.t.Fatalf("no such tile on screen %s", r.where())
	}
	controls := s.Controls()
	enabled := len(s.Places) // a help place's card is never disabled
	for _, c := range controls {
		if !c.Disabled() {
			enabled++
		}
	}
	// A personal number's keys are heard by the room: the ring says
	// "key", and the first key says why (privacy.go).
	private := false
	if sess := r.k.Session(); s.Name == ui.ScreenStep && sess != nil {
		if n := sess.Step().Number; n != nil && n.Personal {
			private = true
		}
	}
	// The green arrow is last: "previous" from nothing reaches it.
	key := fyne.KeyDown
	if tile == s.Next {
		key = fyne.KeyUp
	}
	for i := 0; !tile.Focused(); i++ {
		if i > len(controls)+len(s.Places) {
			r.t.Fatalf("%s: the keys never reach the tile %q", r.where(), tile.ID)
		}
		first := !r.keyed[s]
		n := r.asked.count()
		r.press(key)
		said := r.asked.since(n)
		var focused []*ui.Tile
		for _, c := range controls {
			if c.Focused() {
				focused = append(focused, c)
			}
		}
		cards := 0
		for _, c := range s.Places {
			if c.Focused() {
				cards++
			}
		}
		if len(focused)+cards != 1 {
			r.t.Fatalf("%s: %d controls have the focus ring after %s, want 1", r.where(), len(focused)+cards, key)
		}
		// The name first; after the first key on a screen, how many
		// controls there are and how to move.
		name := len(said)
		if first {
			name = len(said) - 3
			if private {
				name-- // and why the keys are not named
			}
			if name < 1 || said[name+1].Text != strconv.Itoa(enabled) {
				r.t.Errorf("%s: the first key said %+v, want a name, how many controls (%d) and how to move", r.where(), said, enabled)
				name = len(said)
			}
		}
		if cards == 1 {
			if name != 1 || said[0].Text == "" {
				r.t.Errorf("%s: the focus reached a help place and said %+v, want its name once", r.where(), said)
			}
			continue
		}
		f := focused[0]
		label := f.Label
		if private && s.Keys[f.ID] == f && f.ID != "erase" {
			label = heardKeyPrivate[r.k.Lang()]
		}
		switch {
		case f.Disabled():
			r.t.Errorf("%s: the focus is on the disabled %q", r.where(), f.ID)
		case name == 0 || said[name-1].Text == "":
			r.t.Errorf("%s: the focus reached %q in silence: %+v", r.where(), f.ID, said)
		case label != "" && f != s.Sign && s.Name != ui.ScreenLanguages && said[name-1].Text != label:
			// (The language screen's bar, drawn in French, speaks the
			// language highlighted: TestWalkEveryProcedureEyesClosed.)
			r.t.Errorf("%s: the focus reached %q and said %q, want %q", r.where(), f.ID, said[name-1].Text, label)
		case f != s.Start && f != s.Sign && name != 1:
			r.t.Errorf("%s: the focus reached %q and said %+v, want its name once", r.where(), f.ID, said)
		}
	}
}

// TestWalkEveryProcedureByKeys is the touch walk with the keys alone:
// the same screens, the same step prompts, the same events.
func TestWalkEveryProcedureByKeys(t *testing.T) {
	walkEveryProcedure(t, byKeys)
}

// TestKeys checks the promises of the keys one by one, each from a fresh
// kiosk: where the focus goes, what it says, what a press does.
func TestKeys(t *testing.T) {
	cases := []struct {
		name  string
		lang  passerelle.Lang // "": stay on the language screen
		check func(t *testing.T, r *rig)
	}{
		{"previous from nothing reaches the green arrow", "", func(t *testing.T, r *rig) {
			r.press(fyne.KeyUp)
			if !r.k.Screen().Next.Focused() {
				t.Error("up on a fresh screen did not reach the green arrow")
			}
		}},
		{"the focus goes round", "", func(t *testing.T, r *rig) {
			s := r.k.Screen()
			r.keyTo(s.Next)
			r.press(fyne.KeyDown)
			if !s.Tiles[0].Focused() || s.Next.Focused() {
				t.Error("down on the green arrow did not go round to the first tile")
			}
		}},
		{"page down and page up, the keypad's keys", "", func(t *testing.T, r *rig) {
			s := r.k.Screen()
			r.press(fyne.KeyPageDown)
			r.press(fyne.KeyPageDown)
			r.press(fyne.KeyPageUp)
			if !s.Tiles[0].Focused() {
				t.Error("page down twice, page up once did not land on the first tile")
			}
		}},
		{"select first only shows the focus", "", func(t *testing.T, r *rig) {
			s := r.k.Screen()
			r.press(fyne.KeySpace)
			if !s.Tiles[0].Focused() || s.Tiles[0].Selected() || r.k.Screen() != s {
				t.Error("the first select did more than put the ring on the first tile")
			}
		}},
		{"select on a choice says it and answers nothing", "fr", func(t *testing.T, r *rig) {
			r.startProcedure("create-email")
			r.act(r.k.Screen().Next) // information → the choice has-phone
			s := r.k.Screen()
			yes := s.Tile("yes")
			r.keyTo(yes)
			n := r.asked.count()
			r.press(fyne.KeyReturn)
			said := r.asked.since(n)
			if len(said) != 1 || said[0].Text != "Oui, à moi" {
				t.Errorf("select on the answer said %+v, want its label", said)
			}
			if !yes.Selected() || r.k.Screen() != s || countEvents(t, r, passerelle.EventAnswerGiven) != 0 {
				t.Error("select on an answer did more than highlight it")
			}
			r.keyTo(s.Next)
			r.press(fyne.KeyEnter)
			if r.where() != "step:prepare" || countEvents(t, r, passerelle.EventAnswerGiven) != 1 {
				t.Errorf("select on the green arrow led to %s", r.where())
			}
		}},
		{"F1 says the screen again, recorded like listen", "fr", func(t *testing.T, r *rig) {
			r.startProcedure("create-email")
			n := r.asked.count()
			r.press(fyne.KeyF1)
			said := r.asked.since(n)
			if len(said) == 0 || said[0] != r.k.Screen().Prompt[0] || countEvents(t, r, passerelle.EventPromptReplayed) != 1 {
				t.Errorf("F1 said %+v, want the step's prompt, recorded", said)
			}
		}},
		{"right to left: left goes forward", "ar", func(t *testing.T, r *rig) {
			s := r.k.Screen()
			r.press(fyne.KeyLeft)
			r.press(fyne.KeyLeft)
			if !s.Tiles[1].Focused() {
				t.Error("left twice in Arabic did not reach the second procedure")
			}
			r.press(fyne.KeyRight)
			if !s.Tiles[0].Focused() {
				t.Error("right in Arabic did not go back to the first procedure")
			}
		}},
		{"digits typed on a keyboard press the keypad's keys", "fr", func(t *testing.T, r *rig) {
			r.startProcedure("ameli-attestation")
			for i := 0; r.k.Screen().Keys == nil; i++ {
				st := r.k.Session().Step()
				if i > 10 || st.Kind != passerelle.KindInfo && st.Kind != passerelle.KindChoice {
					t.Fatalf("no number step on the way: at %s", r.where())
				}
				for _, o := range st.Options {
					if next, _ := r.k.Session().Proc.Step(o.Next); next != nil && next.Kind == passerelle.KindNumber {
						r.act(r.k.Screen().Tile(o.ID))
					}
				}
				r.act(r.k.Screen().Next)
			}
			for _, key := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.KeyA, fyne.Key3, fyne.KeyBackspace, fyne.Key4} {
				r.press(key)
			}
			if got := r.k.Screen().Display.Text(); got != "124" {
				t.Errorf("typed 1, 2, A (no letter there), 3, backspace, 4: the boxes show %q, want 124", got)
			}
		}},
		{"a help place's card is reached and says what a touch says", "en", func(t *testing.T, r *rig) {
			r.startProcedure("ameli-attestation")
			for i := 0; len(r.k.Screen().Places) == 0; i++ {
				st := r.k.Session().Step()
				if i > 10 || st.Kind != passerelle.KindInfo && st.Kind != passerelle.KindChoice {
					t.Fatalf("no help place on the way: at %s", r.where())
				}
				for _, o := range st.Options {
					if next, _ := r.k.Session().Proc.Step(o.Next); next != nil && next.Kind == passerelle.KindHandoff {
						r.act(r.k.Screen().Tile(o.ID))
						break
					}
				}
				r.act(r.k.Screen().Next)
			}
			card := r.k.Screen().Places[0]
			var said []passerelle.Prompt
			for i := 0; !card.Focused(); i++ {
				if i > 20 {
					t.Fatal("the keys never reach the help place")
				}
				n := r.asked.count()
				r.press(fyne.KeyDown)
				said = r.asked.since(n)
			}
			n := r.asked.count()
			r.press(fyne.KeyReturn)
			touched := r.asked.since(n)
			if len(said) == 0 || len(touched) != 1 || said[0] != touched[0] || said[0].Text == "" {
				t.Errorf("the ring on the card said %+v, selecting it %+v: want the same sentence first", said, touched)
			}
		}},
		{"after help, the focus is where it was", "fr", func(t *testing.T, r *rig) {
			r.startProcedure("create-email")
			s := r.k.Screen()
			r.act(s.Help)
			r.act(r.k.Screen().GoOn)
			if r.k.Screen() != s || !s.Help.Focused() {
				t.Errorf("back from help on %s, focus on help %v", r.where(), s.Help.Focused())
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, openCatalog(t, shipped))
			r.how = byKeys
			if c.lang == "" {
				r.act(r.k.Screen().Start)
			} else {
				r.chooseLanguage(c.lang)
			}
			c.check(t, r)
		})
	}
}

func countEvents(t *testing.T, r *rig, kind passerelle.EventKind) int {
	t.Helper()
	n := 0
	for _, e := range sessionEvents(t, r.db, r.k.Session().ID) {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestFocusRingIsDrawn looks at the pixels: the ring is a black band
// across the tile's edge and a yellow one inside it, there only while
// focused.
func TestFocusRingIsDrawn(t *testing.T) {
	r := newRig(t, openCatalog(t, shipped))
	r.how = byKeys
	r.act(r.k.Screen().Start)
	tile := r.k.Screen().Tiles[0]
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tile)
	y := int(pos.Y + tile.Size().Height/2)
	at := func(dx int) color.NRGBA {
		img := r.w.Canvas().Capture()
		return color.NRGBAModel.Convert(img.At(int(pos.X)+dx, y)).(color.NRGBA)
	}
	isYellow := func(c color.NRGBA) bool { return c.R > 0xE0 && c.G > 0xC0 && c.B < 0x40 }
	if isYellow(at(6)) {
		t.Fatal("a yellow band before any key")
	}
	r.keyTo(tile)
	if c := at(-2); c.R > 0x20 || c.G > 0x20 || c.B > 0x20 {
		t.Errorf("outer band %v, want black", c)
	}
	if c := at(6); !isYellow(c) {
		t.Errorf("inner band %v, want yellow", c)
	}
	r.press(fyne.KeyDown)
	if isYellow(at(6)) {
		t.Error("the ring stayed on the tile the focus left")
	}
}
