package editor_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"passerelle/app/editor"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
)

const shippedCatalog = "../../data/procedures"

// TestRoundTripShippedCatalog: every shipped procedure file, read and
// written back by the editor, loads to the same procedure (steps, texts,
// links, documents, sources, recordings), with no problem: the files stay
// the format, and what the editor does not edit is kept.
func TestRoundTripShippedCatalog(t *testing.T) {
	roundTrip(t, func(*editor.Doc) {})
}

// TestFieldsRewrittenShippedCatalog: every field the form edits through
// a setter (a number's settings, a phone, elsewhere, checklists, what to
// bring, the documents), written anew from what was read, loads to the
// same procedures: the setters write what the validator reads.
func TestFieldsRewrittenShippedCatalog(t *testing.T) {
	roundTrip(t, func(d *editor.Doc) {
		docs := d.DocumentsOf()
		d.Documents = nil
		d.SetDocuments(docs, nil)
		sources := d.SourcesOf()
		d.Sources = nil
		d.SetSources(sources)
		for _, s := range d.Steps {
			n, phone, on, items, bring := s.NumberOf(), s.PhoneNumber(), s.ElsewhereOn(), s.ItemIDs(), s.BringIDs()
			had := len(s.Number) > 0
			s.Number, s.Phone, s.Elsewhere, s.Items, s.Bring = nil, nil, nil, nil, nil
			if had {
				s.SetNumber(n)
			}
			s.SetPhone(phone)
			s.SetElsewhere(on)
			s.SetItems(items)
			s.SetBring(bring)
		}
	})
}

// roundTrip writes every shipped procedure back after change, and checks
// it loads to the same procedure.
func roundTrip(t *testing.T, change func(*editor.Doc)) {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, shippedCatalog, dir)
	before := load(t, dir)
	for _, p := range before {
		src, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		d, err := editor.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", p.File, err)
		}
		change(d)
		out, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p.File, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	after := load(t, dir)
	if len(after) != len(before) {
		t.Fatalf("%d procedures after, %d before", len(after), len(before))
	}
	for i := range before {
		if !reflect.DeepEqual(before[i], after[i]) {
			t.Errorf("%s changed when the editor wrote it back", before[i].ID)
		}
	}
}

func load(t testing.TB, dir string) []*passerelle.Procedure {
	t.Helper()
	res, err := procedure.Load(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Errorf("problem: %s", p)
	}
	return res.Procedures
}

// copyDir copies a folder tree of regular files.
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCommentsFollowTheirPlace: the comments of a hand-written file are
// kept where they were written: at the top, on a field, on a step moved
// or renamed (they follow it), and dropped with a step removed.
func TestCommentsFollowTheirPlace(t *testing.T) {
	src := `# What this procedure is for.
id: demo
version: 2
pictogram: dot.svg   # the town hall
title:
  fr: Démo
steps:
  # Welcome: says what the procedure does.
  - id: hello
    kind: info
    pictogram: dot.svg
    say:
      fr: Bonjour.   # checked with the mayor
    next: ask
  # Asked first because the site asks it first.
  - id: ask
    kind: choice
    pictogram: dot.svg
    say: {fr: Oui ?}
    options:
      # The usual answer.
      - id: "yes"
        pictogram: yes.svg
        label: {fr: Oui}
        next: bye
  # Removed below: its comment goes.
  - id: gone
    kind: info
    pictogram: dot.svg
    say: {fr: Parti.}
    next: bye
  - id: bye
    kind: end
    pictogram: dot.svg
    say: {fr: Fin.}
`
	d, err := editor.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d.Steps[0], d.Steps[1] = d.Steps[1], d.Steps[0] // ask first
	d.RenameStep("hello", "welcome")
	d.Steps = append(d.Steps[:2], d.Steps[3])
	d.Steps[1].Say["fr"] = "Bienvenue."
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		"# What this procedure is for.\nid: demo\n",
		"pictogram: dot.svg # the town hall\n",
		"  # Asked first because the site asks it first.\n  - id: ask\n",
		"      # The usual answer.\n      - id: \"yes\"\n",
		"  # Welcome: says what the procedure does.\n  - id: welcome\n",
		"fr: Bienvenue. # checked with the mayor\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the file lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "its comment goes") {
		t.Errorf("the removed step's comment stayed:\n%s", got)
	}
}
