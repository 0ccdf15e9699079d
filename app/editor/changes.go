package editor

import (
	"bytes"
	"fmt"
	"slices"

	"passerelle/app/passerelle"
)

// noChange is what Changes says of two drafts alike.
const noChange = "nothing you can see (saved again as it was)"

// Changes says in plain words what differs from a to b: which fields of
// the procedure, which steps added, removed, moved or changed, and which
// of their fields.
func Changes(a, b *Doc) []string {
	var out []string
	text := func(what string, x, y Text) {
		for _, l := range unionLangs(x, y) {
			if x[l] != y[l] {
				out = append(out, fmt.Sprintf("%s (%s)", what, l))
			}
		}
	}
	if a.Pictogram != b.Pictogram {
		out = append(out, "the procedure's pictogram")
	}
	text("the title", a.Title, b.Title)
	text("the intro", a.Intro, b.Intro)
	for _, raw := range []struct {
		what string
		x, y Raw
	}{{"the sources", a.Sources, b.Sources}, {"the documents", a.Documents, b.Documents}, {"the intro's recordings", a.IntroAudio, b.IntroAudio}} {
		if !bytes.Equal(raw.x, raw.y) {
			out = append(out, raw.what)
		}
	}
	for _, s := range b.Steps {
		if a.Step(s.ID) == nil {
			out = append(out, fmt.Sprintf("step %q added", s.ID))
		}
	}
	for _, s := range a.Steps {
		if b.Step(s.ID) == nil {
			out = append(out, fmt.Sprintf("step %q removed", s.ID))
		}
	}
	var ka, kb []string // the steps both have, in each order
	for _, s := range a.Steps {
		if b.Step(s.ID) != nil {
			ka = append(ka, s.ID)
		}
	}
	for _, s := range b.Steps {
		if a.Step(s.ID) != nil {
			kb = append(kb, s.ID)
		}
	}
	if !slices.Equal(ka, kb) {
		out = append(out, "the order of the steps")
	}
	for _, id := range kb {
		x, y := a.Step(id), b.Step(id)
		what := fmt.Sprintf("step %q", id)
		var fields []string
		add := func(changed bool, f string) {
			if changed {
				fields = append(fields, f)
			}
		}
		add(x.Kind != y.Kind, "kind")
		add(x.Pictogram != y.Pictogram, "pictogram")
		for _, l := range unionLangs(x.Say, y.Say) {
			add(x.Say[l] != y.Say[l], fmt.Sprintf("say (%s)", l))
		}
		add(x.Next != y.Next, "next")
		add(!slices.EqualFunc(x.Options, y.Options, sameOption), "answers")
		add(!bytes.Equal(x.Audio, y.Audio), "recordings")
		add(x.Screen != y.Screen, "screen")
		add(!bytes.Equal(x.Number, y.Number) || !bytes.Equal(x.Items, y.Items) || !bytes.Equal(x.Bring, y.Bring) ||
			!bytes.Equal(x.Phone, y.Phone) || !bytes.Equal(x.Elsewhere, y.Elsewhere), "settings")
		if len(fields) > 0 {
			out = append(out, what+": "+joinAnd(fields))
		}
	}
	if len(out) == 0 {
		out = []string{noChange}
	}
	return out
}

func sameOption(x, y *Option) bool {
	if x.ID != y.ID || x.Pictogram != y.Pictogram || x.Next != y.Next || len(x.Label) != len(y.Label) {
		return false
	}
	for l, s := range x.Label {
		if y.Label[l] != s {
			return false
		}
	}
	return true
}

func unionLangs(x, y Text) []passerelle.Lang {
	all := passerelle.Text{}
	for l := range x {
		all[l] = ""
	}
	for l := range y {
		all[l] = ""
	}
	return all.Langs()
}

func joinAnd(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	out := ""
	for i, x := range xs {
		switch {
		case i == 0:
			out = x
		case i == len(xs)-1:
			out += " and " + x
		default:
			out += ", " + x
		}
	}
	return out
}
