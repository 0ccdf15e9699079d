package editor_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"passerelle/app/editor"
)

// newEditor is an editor over a copy of the shipped catalog.
func newEditor(t testing.TB) *editor.Editor {
	t.Helper()
	root := t.TempDir()
	cat := filepath.Join(root, "procedures")
	copyDir(t, shippedCatalog, cat)
	now := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	return &editor.Editor{Catalog: cat, Dir: filepath.Join(root, "editor"), Now: func() time.Time { return now }}
}

// TestSaveConflict: two staff open the same draft; the second save is
// refused, nothing written, with who saved, and which step and field.
func TestSaveConflict(t *testing.T) {
	e := newEditor(t)
	ctx := t.Context()
	amina, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	bruno, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	amina.Doc.Steps[0].Say["fr"] = "Bonjour."
	if _, err := e.Save(ctx, "create-email", amina.Meta.Revision, amina.Doc, "amina"); err != nil {
		t.Fatal(err)
	}
	bruno.Doc.Title["en"] = "Bruno's title"
	_, err = e.Save(ctx, "create-email", bruno.Meta.Revision, bruno.Doc, "bruno")
	var c *editor.Conflict
	if !errors.As(err, &c) {
		t.Fatalf("the second save gave %v; want a conflict", err)
	}
	want := `step "` + amina.Doc.Steps[0].ID + `": say (fr)`
	if c.By != "amina" || len(c.Changes) != 1 || c.Changes[0] != want {
		t.Errorf("conflict by %q, changes %q; want amina, %q", c.By, c.Changes, want)
	}
	now, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	if now.Doc.Title["en"] == "Bruno's title" || now.Doc.Steps[0].Say["fr"] != "Bonjour." || now.Meta.Revision != 1 {
		t.Errorf("after the refused save the draft is at revision %d with title %q", now.Meta.Revision, now.Doc.Title["en"])
	}
}

// TestPublishAndRollback: a publish raises the version, writes the
// catalog's file and records who and when; the version found in the
// catalog is kept, and rolling back publishes it again, higher.
func TestPublishAndRollback(t *testing.T) {
	e := newEditor(t)
	ctx := t.Context()
	d, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	was := d.Doc.Version
	old := d.Doc.Steps[0].Say["fr"]
	d.Doc.Steps[0].Say["fr"] = "Bonjour. Créez votre adresse email."
	if _, err := e.Save(ctx, "create-email", 0, d.Doc, "amina"); err != nil {
		t.Fatal(err)
	}
	rec, err := e.Publish(ctx, "create-email", "amina")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version != was+1 || rec.By != "amina" {
		t.Errorf("published %+v; want version %d by amina", rec, was+1)
	}
	file := readString(t, filepath.Join(e.Catalog, "create-email", "procedure.yaml"))
	if !strings.Contains(file, "Créez votre adresse email.") {
		t.Errorf("the catalog's file lacks the new text:\n%s", file)
	}
	rec, err = e.Rollback(ctx, "create-email", strconv.Itoa(was), "bruno")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version != was+2 || rec.Action != "rollback to version "+strconv.Itoa(was) {
		t.Errorf("rollback gave %+v", rec)
	}
	back, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	if back.Doc.Steps[0].Say["fr"] != old || back.Doc.Version != was+2 {
		t.Errorf("after rollback: version %d, %q; want %d, %q", back.Doc.Version, back.Doc.Steps[0].Say["fr"], was+2, old)
	}
	rs, err := e.Versions("create-email")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[2].Action != "found in the catalog" || rs[1].By != "amina" || rs[0].By != "bruno" {
		t.Errorf("versions %+v", rs)
	}
}

func readString(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
