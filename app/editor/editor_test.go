package editor_test

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"passerelle/app/editor"
	"passerelle/app/procedure"
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

// wav is a short mono 16-bit tone, as a recording.
func wav(ms int) []byte {
	const rate = 16000
	n := rate * ms / 1000
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*440*float64(i)/rate))
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return b
}

// TestPutMedia: a recording put into the draft is named by its step,
// published with it, and loaded by the validator as the step's audio;
// a file name leading out of the procedure's folder is refused.
func TestPutMedia(t *testing.T) {
	e := newEditor(t)
	ctx := t.Context()
	d, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	step := d.Doc.Steps[0].ID
	name := func(doc *editor.Doc) error { doc.Step(step).SetRecording("fr", "audio/fr/"+step+".wav"); return nil }
	for _, bad := range []string{"../escape.wav", "/etc/passwd", "procedure.yaml", ".hidden/x.wav", "audio/../../x.wav", ""} {
		if _, err := e.PutMedia(ctx, "create-email", bad, wav(200), name, "amina"); err == nil {
			t.Errorf("PutMedia accepted the file name %q", bad)
		}
	}
	if _, err := e.PutMedia(ctx, "create-email", "audio/fr/"+step+".wav", wav(300), name, "amina"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Publish(ctx, "create-email", "amina"); err != nil {
		t.Fatal(err)
	}
	res, err := procedure.Load(ctx, e.Catalog)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load: %v %v", err, res.Problems)
	}
	for _, p := range res.Procedures {
		if p.ID == "create-email" {
			if a, ok := p.Steps[0].Audio["fr"]; !ok || filepath.Base(a.Path) != step+".wav" {
				t.Errorf("the published step's recordings: %+v", p.Steps[0].Audio)
			}
		}
	}
}

// TestConcurrentSaves: staff saving the same draft at the same moment,
// each from the page they opened: one save wins, every other is refused
// as a conflict, none is lost silently.
func TestConcurrentSaves(t *testing.T) {
	e := newEditor(t)
	ctx := t.Context()
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			d, err := e.Draft(ctx, "ants-id-card")
			if err != nil {
				errs <- err
				return
			}
			d.Doc.Title["en"] = "Title " + strconv.Itoa(i)
			_, err = e.Save(ctx, "ants-id-card", 0, d.Doc, "staff-"+strconv.Itoa(i))
			errs <- err
		}()
	}
	saved, refused := 0, 0
	for range n {
		var c *editor.Conflict
		switch err := <-errs; {
		case err == nil:
			saved++
		case errors.As(err, &c):
			refused++
		default:
			t.Fatal(err)
		}
	}
	if saved != 1 || refused != n-1 {
		t.Errorf("%d saved, %d refused; want 1 and %d", saved, refused, n-1)
	}
}

// TestCreateRefusesExisting: a new procedure may not take the id of one in
// the catalog, even one whose file a hand edit broke.
func TestCreateRefusesExisting(t *testing.T) {
	e := newEditor(t)
	ctx := t.Context()
	if err := os.WriteFile(filepath.Join(e.Catalog, "create-email", "procedure.yaml"), []byte("id: [broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ants-id-card", "create-email"} {
		if err := e.Create(ctx, id, editor.Text{"fr": "Titre"}, "amina"); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("Create(%s) = %v; want it refused", id, err)
		}
	}
	if err := e.Create(ctx, "Bad Id", editor.Text{"fr": "Titre"}, "amina"); err == nil {
		t.Error("an id with capitals and a space was accepted")
	}
	if err := e.Create(ctx, "mairie-rdv", editor.Text{}, "amina"); err == nil {
		t.Error("a procedure without a language was accepted")
	}
}

// TestClean: what an interrupted publish left (hidden, in the catalog and
// the work folder) is removed; the procedures stay. Reading a procedure
// before any save makes no work folder.
func TestClean(t *testing.T) {
	e := newEditor(t)
	if _, err := e.Draft(t.Context(), "create-email"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.Dir); err == nil {
		t.Error("opening a procedure made the work folder")
	}
	left := []string{filepath.Join(e.Catalog, ".editor-123", "procedure.yaml"), filepath.Join(e.Dir, ".publish-456", "stage", "procedure.yaml")}
	for _, f := range left {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("id: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.Clean()
	for _, f := range left {
		if _, err := os.Stat(filepath.Dir(f)); err == nil {
			t.Errorf("%s is still there", filepath.Dir(f))
		}
	}
	if _, err := os.Stat(filepath.Join(e.Catalog, "create-email", "procedure.yaml")); err != nil {
		t.Errorf("a procedure went: %v", err)
	}
}

// TestRecordingWhileEditing: a recording made in the browser while the
// page is open (a new revision touching one recording) does not make the
// page's save a conflict: the save keeps the recording. A text changed by
// someone else still does.
func TestRecordingWhileEditing(t *testing.T) {
	e := newEditor(t)
	ctx := t.Context()
	page, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	step := page.Doc.Steps[1].ID
	dir, err := e.StartDraft(ctx, "create-email", "amina")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "audio", "fr"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audio", "fr", step+".wav"), wav(400), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update(ctx, "create-email", "amina", func(d *editor.Doc) error {
		d.Step(step).SetRecording("fr", "audio/fr/"+step+".wav")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	page.Doc.Steps[0].Say["en"] = "Hello."
	m, err := e.Save(ctx, "create-email", page.Meta.Revision, page.Doc, "amina")
	if err != nil {
		t.Fatalf("the page's save after a recording: %v", err)
	}
	now, err := e.Draft(ctx, "create-email")
	if err != nil {
		t.Fatal(err)
	}
	if now.Doc.Steps[0].Say["en"] != "Hello." || now.Doc.Step(step).RecordingOf("fr") != "audio/fr/"+step+".wav" {
		t.Errorf("after the save: say %q, recording %q", now.Doc.Steps[0].Say["en"], now.Doc.Step(step).RecordingOf("fr"))
	}
	// Bruno, on the page he opened before, changes a text: refused, as
	// amina changed one since.
	other := now.Doc
	other.Title["en"] = "Bruno"
	if _, err := e.Save(ctx, "create-email", m.Revision-1, other, "bruno"); err == nil {
		t.Error("a save over a text changed since was accepted")
	}
}
