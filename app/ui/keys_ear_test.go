package ui_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"passerelle/app/passerelle"
)

// The names of the kiosk's own controls, as a person hears them: the
// green arrow, and the page control of the procedure grid.
var (
	heardNext = map[passerelle.Lang]string{"fr": "Suivant", "en": "Next", "ar": "التالي"}
	heardMore = map[passerelle.Lang]string{"fr": "Plus", "en": "More", "ar": "المزيد"}
	// What the ring says of a personal number's key on the loudspeakers.
	heardKeyPrivate = map[passerelle.Lang]string{"fr": "Touche", "en": "Key", "ar": "زر"}
	// The hint after a choice step's sentence, for a person who uses
	// keys, and for one who touches: the ear must hear the first.
	heardChooseByKeys = map[passerelle.Lang]string{
		"fr": "Appuyez sur les flèches pour écouter chaque réponse. Appuyez sur Entrée pour en choisir une. Puis allez à la flèche verte et appuyez sur Entrée.",
		"en": "Press the arrows to hear each answer. Press Enter to choose one. Then go to the green arrow and press Enter.",
		"ar": "اضغط على الأسهم لتسمع كل جواب. اضغط على زر الإدخال لتختار واحدًا. ثم انتقل إلى السهم الأخضر واضغط على زر الإدخال.",
	}
	heardChooseByTouch = map[passerelle.Lang]string{
		"fr": "Touchez une réponse pour l'écouter. Puis touchez la flèche verte.",
		"en": "Touch an answer to hear it. Then touch the green arrow.",
		"ar": "المس جوابًا لتسمعه. ثم المس السهم الأخضر.",
	}
)

// hintAfter is what the kiosk said right after the last time it said
// sentence: the hint that follows a step's sentence.
func (e ear) hintAfter(sentence string) passerelle.Prompt {
	e.t.Helper()
	said := e.r.asked.since(0)
	for i := len(said) - 2; i >= 0; i-- {
		if said[i].Text == sentence {
			return said[i+1]
		}
	}
	e.t.Fatalf("the kiosk never said %q", sentence)
	return passerelle.Prompt{}
}

// ear is a person who cannot see the screen: it presses keys and
// decides from what the null sink played, and from what the procedure
// means (its steps' sentences, its answers' labels), never from the
// screen's widgets.
type ear struct {
	t    *testing.T
	r    *rig
	lang passerelle.Lang
}

// press presses key and returns what the sink started playing after
// it. It does not wait for the end, like a person who moves on once they
// recognise a name: the first thing the kiosk says, a control's name,
// starts before its Play returns.
func (e ear) press(key fyne.KeyName) []passerelle.Prompt {
	e.t.Helper()
	n := len(e.r.sink.Played())
	e.r.press(key)
	var heard []passerelle.Prompt
	for _, p := range e.r.sink.Played()[n:] {
		heard = append(heard, p.Prompt)
	}
	return heard
}

// moveTo presses "next" until the last thing heard is want.
func (e ear) moveTo(want passerelle.Prompt) { e.t.Helper(); e.find(want, false) }

// find presses "next" until the last thing heard is want; with pages, a
// page control heard on the way is selected, for a grid over pages.
func (e ear) find(want passerelle.Prompt, pages bool) {
	e.t.Helper()
	for i := 0; i < 40; i++ {
		heard := e.press(fyne.KeyDown)
		if len(heard) == 0 {
			e.t.Fatalf("a key press said nothing, looking for %q", want.Text)
		}
		// The name comes first, before "how many buttons", but the end
		// of what was said before may start in between.
		if slices.Contains(heard, want) {
			return
		}
		if pages && slices.Contains(heard, passerelle.Prompt{Text: heardMore[e.lang], Lang: e.lang}) {
			e.press(fyne.KeyReturn)
		}
	}
	e.t.Fatalf("never heard %q (%s)", want.Text, want.Lang)
}

// choose moves to want, selects it, then goes on with the green arrow,
// and returns what was heard after the arrow.
func (e ear) choose(want passerelle.Prompt) []passerelle.Prompt {
	e.t.Helper()
	e.moveTo(want)
	e.press(fyne.KeyReturn)
	return e.goOn()
}

func (e ear) goOn() []passerelle.Prompt {
	e.t.Helper()
	e.moveTo(passerelle.Prompt{Text: heardNext[e.lang], Lang: e.lang})
	return e.press(fyne.KeyReturn)
}

// stepHeard is the step of proc whose sentence was heard.
func (e ear) stepHeard(proc *passerelle.Procedure, heard []passerelle.Prompt) *passerelle.Step {
	e.t.Helper()
	for _, p := range heard {
		for _, st := range proc.Steps {
			if p.Lang == e.lang && p.Text == st.Say[e.lang] {
				return st
			}
		}
	}
	e.t.Fatalf("heard no step's sentence: %+v", heard)
	return nil
}

// TestWalkEveryProcedureEyesClosed walks each shipped procedure in each
// language by keys, deciding only from what was spoken.
func TestWalkEveryProcedureEyesClosed(t *testing.T) {
	cat := openCatalog(t, shipped).Catalog()
	for _, lang := range cat.Langs() {
		for _, proc := range cat.In(lang) {
			t.Run(string(lang)+"/"+proc.ID, func(t *testing.T) {
				r := newRig(t, openCatalog(t, shipped))
				e := ear{t: t, r: r, lang: lang}
				e.press(fyne.KeyReturn) // the ring on "touch the screen"
				e.press(fyne.KeyReturn)
				native, _ := passerelle.LookupLanguage(lang)
				e.moveTo(passerelle.Prompt{Text: native.Native, Lang: lang})
				e.press(fyne.KeyReturn)
				e.goOn()
				e.find(passerelle.Prompt{Text: proc.Title[lang], Lang: lang}, true)
				e.press(fyne.KeyReturn)
				heard := e.goOn()

				var path []string
				seen := map[string]bool{}
				for i := 0; ; i++ {
					if i > 60 {
						t.Fatalf("the walk does not end: %v", path)
					}
					st := e.stepHeard(proc, heard)
					path = append(path, st.ID)
					seen[st.ID] = true
					switch st.Kind {
					case passerelle.KindEnd, passerelle.KindHandoff:
						evs := sessionEvents(t, r.db, r.k.Session().ID)
						last := evs[len(evs)-1]
						if last.Kind != passerelle.EventSessionEnded {
							t.Errorf("heard the end at %s, but the last event is %+v", st.ID, last)
						}
						var shown []string
						for _, ev := range evs {
							if ev.Kind == passerelle.EventStepShown {
								shown = append(shown, ev.StepID)
							}
						}
						if strings.Join(shown, " ") != strings.Join(path, " ") {
							t.Errorf("heard the steps %v, the kiosk showed %v", path, shown)
						}
						return
					case passerelle.KindChoice:
						if got := e.hintAfter(st.Say[lang]); got.Text != heardChooseByKeys[lang] {
							t.Errorf("%s: after the sentence, heard %q, want the keys' hint %q", st.ID, got.Text, heardChooseByKeys[lang])
						}
						pick := st.Options[0]
						for _, o := range st.Options {
							if !seen[o.Next] {
								pick = o
								break
							}
						}
						heard = e.choose(passerelle.Prompt{Text: pick.Label[lang], Lang: lang})
					case passerelle.KindChecklist:
						d := proc.Documents[st.Items[0]]
						heard = e.choose(passerelle.Prompt{Text: d.Label[lang], Lang: lang})
					case passerelle.KindNumber:
						if st.Number.Personal {
							// On the loudspeakers the ring does not name a
							// personal number's keys: the person types on
							// the keyboard, and hears only each place.
							for i, digit := range validNumber(t, st.Number) {
								heard := e.press(fyne.KeyName(string(digit)))
								for _, p := range heard {
									if p.Text == string(digit) {
										t.Errorf("%s: the loudspeakers said the typed digit %q", st.ID, p.Text)
									}
								}
								if len(heard) == 0 || !strings.Contains(heard[0].Text, strconv.Itoa(i+1)) {
									t.Errorf("%s: typing digit %d said %+v, want its place", st.ID, i+1, heard)
								}
							}
							heard = e.goOn()
							break
						}
						for _, digit := range validNumber(t, st.Number) {
							e.moveTo(passerelle.Prompt{Text: string(digit), Lang: lang})
							e.press(fyne.KeyReturn)
						}
						heard = e.goOn()
					default:
						heard = e.goOn()
					}
				}
			})
		}
	}
}
