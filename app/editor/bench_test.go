package editor_test

import (
	"fmt"
	"testing"
)

// BenchmarkPublish: one save and publish of a shipped procedure on a copy
// of the shipped catalog: the catalog copied by links, validated whole,
// the folder swapped in and kept as a version. Staff wait for it after
// pressing Publish.
func BenchmarkPublish(b *testing.B) {
	e := newEditor(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		d, err := e.Draft(ctx, "create-email")
		if err != nil {
			b.Fatal(err)
		}
		i++
		d.Doc.Steps[0].Say["fr"] = fmt.Sprintf("Bonjour %d.", i)
		if _, err := e.Save(ctx, "create-email", d.Meta.Revision, d.Doc, "amina"); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Publish(ctx, "create-email", "amina"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDraft: opening a procedure in the editor, the catalog loaded
// again (unchanged files are not read twice) to find its folder.
func BenchmarkDraft(b *testing.B) {
	e := newEditor(b)
	ctx := b.Context()
	for b.Loop() {
		if _, err := e.Draft(ctx, "create-email"); err != nil {
			b.Fatal(err)
		}
	}
}
