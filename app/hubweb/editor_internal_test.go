package hubweb

import (
	"net/url"
	"strings"
	"testing"

	"passerelle/app/editor"
)

// formDoc is a small draft: a, b (a choice), c (the end).
func formDoc() *editor.Doc {
	t := func(s string) editor.Text { return editor.Text{"fr": s, "en": s} }
	return &editor.Doc{ID: "p", Version: 1, Title: t("P"), Intro: t("I"), Steps: []*editor.Step{
		{ID: "a", Kind: "info", Say: t("A"), Next: "b"},
		{ID: "b", Kind: "choice", Say: t("B"), Options: []*editor.Option{
			{ID: "yes", Label: t("Oui"), Next: "c"}, {ID: "no", Label: t("Non"), Next: "a"}}},
		{ID: "c", Kind: "end", Say: t("C")},
	}}
}

// shape writes a draft's steps as "id:kind>next[answer>next ...]".
func shape(d *editor.Doc) string {
	var out []string
	for _, s := range d.Steps {
		x := s.ID + ":" + s.Kind
		if s.Next != "" {
			x += ">" + s.Next
		}
		for _, o := range s.Options {
			x += "[" + o.ID + ">" + o.Next + "]"
		}
		out = append(out, x)
	}
	return strings.Join(out, " ")
}

// TestApplyForm: the editor's buttons and fields, as the form sends
// them, and what hostile or stale values do (nothing).
func TestApplyForm(t *testing.T) {
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"nothing", url.Values{}, "a:info>b b:choice[yes>c][no>a] c:end"},
		{"move up", url.Values{"action": {"up:1"}}, "b:choice[yes>c][no>a] a:info>b c:end"},
		{"move down", url.Values{"action": {"down:1"}}, "a:info>b c:end b:choice[yes>c][no>a]"},
		{"the first cannot go up", url.Values{"action": {"up:0"}}, "a:info>b b:choice[yes>c][no>a] c:end"},
		{"the last cannot go down", url.Values{"action": {"down:2"}}, "a:info>b b:choice[yes>c][no>a] c:end"},
		{"remove a step", url.Values{"action": {"remove-step:0"}}, "b:choice[yes>c][no>a] c:end"},
		{"add a step after one", url.Values{"action": {"add-step:0"}}, "a:info>b step-4:info b:choice[yes>c][no>a] c:end"},
		{"add an answer", url.Values{"action": {"add-option:1"}}, "a:info>b b:choice[yes>c][no>a][answer-3>] c:end"},
		{"remove an answer", url.Values{"action": {"remove-option:1.0"}}, "a:info>b b:choice[no>a] c:end"},
		{"rename a step: its links follow", url.Values{"s0.id": {"start"}, "s0.kind": {"info"}, "s0.next": {"b"},
			"s1.kind": {"choice"}, "s1.o1.next": {"a"}, "s1.o0.next": {"c"}}, "start:info>b b:choice[yes>c][no>start] c:end"},
		{"two steps swap names", url.Values{"s0.id": {"b"}, "s0.kind": {"info"}, "s0.next": {"b"},
			"s1.id": {"a"}, "s1.kind": {"choice"}, "s1.o0.next": {"c"}, "s1.o1.next": {"a"}}, "b:info>a a:choice[yes>c][no>b] c:end"},
		{"a choice gets two answers", url.Values{"s0.kind": {"choice"}}, "a:choice[answer-1>][answer-2>] b:choice[yes>c][no>a] c:end"},
		{"links are set from the lists", url.Values{"s0.kind": {"info"}, "s0.next": {"c"}}, "a:info>c b:choice[yes>c][no>a] c:end"},
		{"an unknown kind is ignored", url.Values{"s0.kind": {"wizard"}, "s0.next": {"b"}}, "a:info>b b:choice[yes>c][no>a] c:end"},
		{"out of range actions do nothing", url.Values{"action": {"remove-step:99"}}, "a:info>b b:choice[yes>c][no>a] c:end"},
		{"a negative step does nothing", url.Values{"action": {"up:-1"}}, "a:info>b b:choice[yes>c][no>a] c:end"},
		{"a missing answer does nothing", url.Values{"action": {"remove-option:1.7"}}, "a:info>b b:choice[yes>c][no>a] c:end"},
		{"fields of steps not drawn are ignored", url.Values{"s7.kind": {"end"}, "s7.id": {"x"}}, "a:info>b b:choice[yes>c][no>a] c:end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := formDoc()
			applyForm(d, tt.form)
			if got := shape(d); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestApplyFormTexts: the texts of every language are taken, trimmed;
// a language the procedure does not have is not added.
func TestApplyFormTexts(t *testing.T) {
	d := formDoc()
	applyForm(d, url.Values{"title.en": {" New title "}, "s0.kind": {"info"}, "s0.next": {"b"}, "s0.say.fr": {"Bonjour."}, "s0.say.ar": {"مرحبا"}})
	if d.Title["en"] != "New title" || d.Steps[0].Say["fr"] != "Bonjour." {
		t.Errorf("title %q, say %q", d.Title["en"], d.Steps[0].Say["fr"])
	}
	if _, ok := d.Steps[0].Say["ar"]; ok {
		t.Errorf("a language the procedure lacks was added: %v", d.Steps[0].Say)
	}
}

// TestKeepOrder: documents ticked keep the order they were written in;
// those newly ticked come last; those unticked go.
func TestKeepOrder(t *testing.T) {
	got := keepOrder([]string{"prerequest", "photo", "old-id"}, []string{"old-id", "house-bill", "prerequest"})
	if want := "prerequest old-id house-bill"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// TestAddLanguage: every text gets an empty Arabic text, to translate; an
// unknown or present language changes nothing.
func TestAddLanguage(t *testing.T) {
	d := formDoc()
	applyForm(d, url.Values{"action": {"add-language"}, "new-lang": {"ar"}})
	texts := []editor.Text{d.Title, d.Intro, d.Steps[0].Say, d.Steps[1].Say, d.Steps[1].Options[0].Label, d.Steps[2].Say}
	for i, tx := range texts {
		if v, ok := tx["ar"]; !ok || v != "" {
			t.Errorf("text %d: %v; want an empty Arabic text", i, tx)
		}
	}
	for _, l := range []string{"xx", "fr", ""} {
		d := formDoc()
		applyForm(d, url.Values{"action": {"add-language"}, "new-lang": {l}})
		if len(d.Title) != 2 {
			t.Errorf("adding %q gave the title %v", l, d.Title)
		}
	}
}

// TestApplySources: a source added, edited, removed.
func TestApplySources(t *testing.T) {
	d := formDoc()
	applyForm(d, url.Values{"sources-drawn": {"yes"}, "action": {"add-source"}})
	applyForm(d, url.Values{"sources-drawn": {"yes"}, "src0.url": {" https://www.caf.fr/ "}, "src0.supports": {"the dates"}, "src0.checked": {"2026-11-24"}})
	if got := d.SourcesOf(); len(got) != 1 || got[0] != (editor.Source{URL: "https://www.caf.fr/", Supports: "the dates", Checked: "2026-11-24"}) {
		t.Fatalf("sources %+v", got)
	}
	applyForm(d, url.Values{"sources-drawn": {"yes"}, "action": {"remove-source:0"}})
	if got := d.SourcesOf(); len(got) != 0 || d.Sources != nil {
		t.Errorf("after remove: %+v", got)
	}
}
