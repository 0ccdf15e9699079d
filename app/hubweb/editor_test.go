package hubweb_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"passerelle/app/bundle"
	"passerelle/app/editor"
	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
	"passerelle/app/procedure"
	"passerelle/app/voice"
)

// editorHub is a test hub serving the editor over a copy of the shipped
// catalog, which its Publisher publishes, as passerelle hub runs them.
type editorHub struct {
	*testHub
	Catalog string
	Pub     *bundle.Publisher
}

func startEditorHub(t *testing.T) *editorHub {
	t.Helper()
	root := t.TempDir()
	cat := filepath.Join(root, "procedures")
	copyTree(t, shippedCatalog, cat)
	var pub *bundle.Publisher
	web := &hubweb.Server{Titles: func() map[string]passerelle.Text { return pub.Titles() },
		Editor: &editor.Editor{Catalog: cat, Dir: filepath.Join(root, "procedures-editor"), Now: func() time.Time { return t0 }}}
	hub := startHubWith(t, web)
	pub = &bundle.Publisher{Dir: cat, Store: hub.Store, Logger: slog.New(slog.DiscardHandler)}
	if err := pub.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pub.Close() })
	return &editorHub{testHub: hub, Catalog: cat, Pub: pub}
}

// latestBundle returns the catalog version the hub serves kiosks now.
func (h *editorHub) latestBundle(t testing.TB) passerelle.CatalogVersion {
	t.Helper()
	v, err := h.Store.LatestCatalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// waitPublished waits for the publisher to publish a version other than
// old, and returns the procedure file of id it holds.
func (h *editorHub) waitPublished(t testing.TB, old, id string) string {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case hash := <-h.Pub.Attempts():
			if hash == "" || hash == old || len(h.Pub.Problems()) > 0 {
				continue
			}
			v := h.latestBundle(t)
			dir := filepath.Join(t.TempDir(), "unpacked")
			if _, err := bundle.Unpack(v.Archive, dir); err != nil {
				t.Fatal(err)
			}
			return readText(t, filepath.Join(dir, id, "procedure.yaml"))
		case <-deadline:
			t.Fatalf("the publisher published nothing new; its problems: %v", h.Pub.Problems())
			return ""
		}
	}
}

// editorForm reads the editor page's form fields as a browser would send
// them: inputs, textareas, and each select's selected option.
func editorForm(t testing.TB, body string) url.Values {
	t.Helper()
	f := url.Values{}
	for _, m := range regexp.MustCompile(`<input name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		f.Set(m[1], unescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		f.Set(m[1], m[2])
	}
	for _, m := range regexp.MustCompile(`<input type="checkbox" name="([^"]+)" value="([^"]*)" checked>`).FindAllStringSubmatch(body, -1) {
		f.Add(m[1], unescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(body, -1) {
		f.Set(m[1], unescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select name="([^"]+)">(.*?)</select>`).FindAllStringSubmatch(body, -1) {
		sel := ""
		if o := regexp.MustCompile(`<option selected>([^<]*)</option>`).FindStringSubmatch(m[2]); o != nil {
			sel = o[1]
		}
		if o := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); o != nil {
			sel = o[1]
		}
		f.Set(m[1], unescape(sel))
	}
	if f.Get("csrf") == "" || f.Get("rev") == "" {
		t.Fatalf("no editor form in the page:\n%s", body)
	}
	return f
}

// unescape reads an attribute or a textarea as the browser does.
func unescape(s string) string { return html.UnescapeString(s) }

func readText(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func copyTree(t testing.TB, from, to string) {
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

// TestEditorRefusedPublish: a publish that would break the catalog (a
// step whose "next" is emptied) is refused with the validator's message;
// the catalog's file and the bundle kiosks get are unchanged, and the
// draft keeps what staff typed.
func TestEditorRefusedPublish(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	c := newClient(t)
	mustLogin(t, c, hub.testHub)
	file := filepath.Join(hub.Catalog, "create-email", "procedure.yaml")
	before, bundleBefore := readText(t, file), hub.latestBundle(t).Hash

	_, body := get(t, c, hub.URL+"/procedures/create-email")
	f := editorForm(t, body)
	f.Set("s0.say.fr", "Un texte changé.")
	f.Set("s0.next", "")
	f.Set("action", "publish")
	resp, body := post(t, c, hub.URL+"/procedures/create-email", f)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("publish of a broken draft: %s; want 422", resp.Status)
	}
	contains(t, "the refused publish", body, "Not published", "create-email/procedure.yaml:", `step &#34;welcome&#34; has no &#34;next&#34; field`)
	if readText(t, file) != before {
		t.Error("the catalog's file changed after a refused publish")
	}
	if now := hub.latestBundle(t).Hash; now != bundleBefore {
		t.Errorf("the bundle kiosks get changed after a refused publish: %s, was %s", now, bundleBefore)
	}
	_, body = get(t, c, hub.URL+"/procedures/create-email")
	contains(t, "the draft after the refused publish", body, "Un texte changé.", "Draft saved by "+staffName)
}

// TestEditorConcurrentEdit: two staff open the same procedure; the first
// saves; the second's save is refused with who saved, when, and what
// they changed, and the draft keeps the first one's text. The second then
// saves over it knowingly.
func TestEditorConcurrentEdit(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	if err := hub.Store.AddStaffUser(context.Background(), "bruno", passerelle.HashPassword(staffPassword, cheapHash), t0); err != nil {
		t.Fatal(err)
	}
	amina, bruno := newClient(t), newClient(t)
	mustLogin(t, amina, hub.testHub)
	if resp := login(t, bruno, hub.testHub, "bruno", staffPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bruno signs in: %s", resp.Status)
	}
	_, pa := get(t, amina, hub.URL+"/procedures/ameli-attestation")
	_, pb := get(t, bruno, hub.URL+"/procedures/ameli-attestation")
	fa, fb := editorForm(t, pa), editorForm(t, pb)
	fa.Set("s1.say.en", "Amina's sentence.")
	fa.Set("action", "save")
	if resp, _ := post(t, amina, hub.URL+"/procedures/ameli-attestation", fa); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("amina's save: %s", resp.Status)
	}
	fb.Set("title.fr", "Le titre de Bruno")
	fb.Set("action", "save")
	resp, body := post(t, bruno, hub.URL+"/procedures/ameli-attestation", fb)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("bruno's save over amina's: %s; want 409", resp.Status)
	}
	step1 := regexp.MustCompile(`name="s1.id" value="([^"]+)"`).FindStringSubmatch(pa)[1]
	contains(t, "the refused save", body, "Not saved: "+staffName+" saved this draft at 2026-11-24 10:00",
		"<li>step &#34;"+step1+"&#34;: say (en)</li>", "Le titre de Bruno", "Save mine over theirs")
	_, page := get(t, amina, hub.URL+"/procedures/ameli-attestation")
	if !strings.Contains(page, "Amina&#39;s sentence.") || strings.Contains(page, "Le titre de Bruno") {
		t.Error("the refused save changed the draft")
	}
	// Knowingly, over it: the form as shown, with the offered button.
	fb = editorForm(t, body)
	fb.Set("over", regexp.MustCompile(`name="over" value="(\d+)"`).FindStringSubmatch(body)[1])
	if resp, _ := post(t, bruno, hub.URL+"/procedures/ameli-attestation", fb); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bruno's save over amina's, knowingly: %s", resp.Status)
	}
	_, page = get(t, amina, hub.URL+"/procedures/ameli-attestation")
	contains(t, "the draft saved over", page, "Le titre de Bruno", "Draft saved by bruno")
}

// TestEditorPublishRollback: a publish raises the version in the catalog's
// file, reaches the bundle kiosks get, and the page records who and when;
// a hand edit of the catalog makes a draft stale; rolling back publishes
// the old content as a new, higher version.
func TestEditorPublishRollback(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	c := newClient(t)
	mustLogin(t, c, hub.testHub)
	file := filepath.Join(hub.Catalog, "create-email", "procedure.yaml")
	was := regexp.MustCompile(`(?m)^version: (\d+)`).FindStringSubmatch(readText(t, file))[1]
	old := hub.latestBundle(t).Hash

	_, body := get(t, c, hub.URL+"/procedures/create-email")
	f := editorForm(t, body)
	oldSay := f.Get("s0.say.fr")
	f.Set("s0.say.fr", "Bonjour. Nous créons votre adresse email.")
	f.Set("action", "publish")
	if resp, body := post(t, c, hub.URL+"/procedures/create-email", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %s\n%s", resp.Status, body)
	}
	next := atoi(t, was) + 1
	inBundle := hub.waitPublished(t, old, "create-email")
	for what, text := range map[string]string{"the catalog's file": readText(t, file), "the bundle": inBundle} {
		if !strings.Contains(text, "Nous créons votre adresse email.") || !strings.Contains(text, "\nversion: "+itoa(next)+"\n") {
			t.Errorf("%s lacks the new text or version %d", what, next)
		}
	}
	_, page := get(t, c, hub.URL+"/procedures/create-email")
	contains(t, "the editor after publishing", page, "<td class=\"num\">"+itoa(next)+"</td><td>"+staffName+"</td><td>2026-11-24 10:00</td><td>publish</td>",
		"<td>found in the catalog</td>")
	_, list := get(t, c, hub.URL+"/procedures")
	contains(t, "the procedures list", list, "version "+itoa(next)+" by "+staffName+", 2026-11-24 10:00 (publish)")

	// A draft, then a hand edit of the catalog's file: the draft is stale.
	_, body = get(t, c, hub.URL+"/procedures/create-email")
	f = editorForm(t, body)
	f.Set("title.en", "Draft title")
	f.Set("action", "save")
	if resp, body := post(t, c, hub.URL+"/procedures/create-email", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %s\n%s", resp.Status, body)
	}
	hand := strings.Replace(readText(t, file), "Nous créons", "Ensemble, nous créons", 1)
	if hand == readText(t, file) {
		t.Fatal("the hand edit changed nothing")
	}
	if err := os.WriteFile(file, []byte(hand), 0o644); err != nil {
		t.Fatal(err)
	}
	_, page = get(t, c, hub.URL+"/procedures/create-email")
	contains(t, "the editor after a hand edit", page, "The catalog's file of this procedure changed after this draft was started")
	f = editorForm(t, page)
	f.Set("action", "publish")
	resp, body := post(t, c, hub.URL+"/procedures/create-email", f)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "changed after this draft was started") {
		t.Errorf("publishing a stale draft: %s; want it refused, saying why", resp.Status)
	}

	// Roll back to the version found in the catalog before the editor.
	resp, _ = post(t, c, hub.URL+"/procedures/create-email/rollback", url.Values{"csrf": {csrfOf(t, page)}, "key": {was}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rollback: %s", resp.Status)
	}
	text := readText(t, file)
	if !strings.Contains(text, oldSay) || !strings.Contains(text, "\nversion: "+itoa(next+1)+"\n") {
		t.Errorf("after rollback the catalog's file is not the old text at version %d:\n%.400s", next+1, text)
	}
	_, page = get(t, c, hub.URL+"/procedures/create-email")
	contains(t, "the editor after rollback", page, "<td>rollback to version "+was+"</td>")

	// The hand edit, published to kiosks by the hub's publisher though
	// it kept the version number, was kept at the rollback, and can be
	// rolled back to as well.
	handKey := regexp.MustCompile(`name="key" value="(` + itoa(next) + `-by-hand-[0-9a-f]+)"`).FindStringSubmatch(page)
	if handKey == nil {
		t.Fatalf("the hand edit of version %d is not among the versions kept:\n%s", next, page)
	}
	resp, _ = post(t, c, hub.URL+"/procedures/create-email/rollback", url.Values{"csrf": {csrfOf(t, page)}, "key": {handKey[1]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rollback to the hand edit: %s", resp.Status)
	}
	if text := readText(t, file); !strings.Contains(text, "Ensemble, nous créons") || !strings.Contains(text, "\nversion: "+itoa(next+2)+"\n") {
		t.Errorf("after rollback to the hand edit the file is:\n%.400s", text)
	}
	_, page = get(t, c, hub.URL+"/procedures/create-email")
	contains(t, "the editor after the second rollback", page, "<td>rollback to version "+itoa(next)+" as edited by hand</td>")
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestEditorSaveUnchanged: every shipped procedure, opened in the editor
// and saved as the form stands, is the same procedure for the validator:
// the form carries every field it shows, and writes back what it read.
func TestEditorSaveUnchanged(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	c := newClient(t)
	mustLogin(t, c, hub.testHub)
	res, err := procedure.Load(t.Context(), hub.Catalog)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load: %v %v", err, res.Problems)
	}
	for _, p := range res.Procedures {
		t.Run(p.ID, func(t *testing.T) {
			_, body := get(t, c, hub.URL+"/procedures/"+p.ID)
			f := editorForm(t, body)
			f.Set("action", "save")
			if resp, body := post(t, c, hub.URL+"/procedures/"+p.ID, f); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %s\n%s", resp.Status, body)
			}
			draft := readText(t, filepath.Join(filepath.Dir(hub.Catalog), "procedures-editor", "drafts", p.ID, "procedure.yaml"))
			dir := t.TempDir()
			copyTree(t, hub.Catalog, dir)
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(p.Dir), "procedure.yaml"), []byte(draft), 0o644); err != nil {
				t.Fatal(err)
			}
			before, err := procedure.Load(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			copyTree(t, hub.Catalog, dir) // the catalog's file again, at the same place
			after, err := procedure.Load(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(before.Problems) > 0 {
				t.Fatalf("the draft saved unchanged has problems: %v", before.Problems)
			}
			for i := range after.Procedures {
				if !reflect.DeepEqual(before.Procedures[i], after.Procedures[i]) {
					t.Errorf("%s: the draft saved unchanged is not the catalog's procedure%s", after.Procedures[i].ID, firstDifference(before.Procedures[i], after.Procedures[i]))
				}
			}
		})
	}
}

// firstDifference says where two loads of a procedure differ.
func firstDifference(a, b *passerelle.Procedure) string {
	for i := range min(len(a.Steps), len(b.Steps)) {
		if !reflect.DeepEqual(a.Steps[i], b.Steps[i]) {
			x, y := a.Steps[i], b.Steps[i]
			return fmt.Sprintf(": step %s is %v %v %v %q %v %q, not %v %v %v %q %v %q", x.ID, x.Items, x.Bring, x.Number, x.Phone, x.Elsewhere, x.Screen.Path,
				y.Items, y.Bring, y.Number, y.Phone, y.Elsewhere, y.Screen.Path)
		}
	}
	if len(a.Steps) != len(b.Steps) {
		return fmt.Sprintf(": %d steps, not %d", len(a.Steps), len(b.Steps))
	}
	return fmt.Sprintf(":\n%+v\nnot\n%+v", *a, *b)
}

// TestEditorHintsEndpoint: the hints the page's script fetches are the
// validator's own (procedure.TextHints, with the draft's texts for
// abbreviations explained elsewhere), and the endpoint wants the
// session's CSRF token like every form.
func TestEditorHintsEndpoint(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	c := newClient(t)
	mustLogin(t, c, hub.testHub)
	_, page := get(t, c, hub.URL+"/procedures/caf-quarterly-declaration")
	csrf := csrfOf(t, page)
	tests := []struct {
		name, procedure, text string
		want                  []string // each a part of one hint, in order
	}{
		{"plain", "caf-quarterly-declaration", "Touchez la flèche verte.", nil},
		{"negative and long", "caf-quarterly-declaration", "Ne touchez pas l'écran avant que la page de votre compte soit ouverte en entier.",
			[]string{"has 15 words", "is negative"}},
		{"CAF is explained in this procedure's texts", "caf-quarterly-declaration", "Ouvrez le site de la CAF.", nil},
		{"XYZ is explained nowhere", "caf-quarterly-declaration", "Ouvrez le site XYZ.", []string{"abbreviation XYZ"}},
		{"no such procedure: the text alone", "no-such-procedure", "Ouvrez le site de la CAF.", []string{"abbreviation CAF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, c, hub.URL+"/hints", url.Values{"csrf": {csrf}, "procedure": {tt.procedure}, "lang": {"fr"}, "text": {tt.text}})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s", resp.Status, body)
			}
			var got struct{ Hints []string }
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Hints) != len(tt.want) {
				t.Fatalf("hints %q; want %d", got.Hints, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got.Hints[i], w) {
					t.Errorf("hint %q lacks %q", got.Hints[i], w)
				}
			}
		})
	}
	if resp, _ := post(t, c, hub.URL+"/hints", url.Values{"lang": {"fr"}, "text": {"Ne touchez pas."}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: %s; want 403", resp.Status)
	}
}

// TestEditorNewProcedureRefused: a new procedure with a bad id, no
// language, or the id of one in the catalog is refused in plain words,
// with the form as typed; nothing is created.
func TestEditorNewProcedureRefused(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	c := newClient(t)
	mustLogin(t, c, hub.testHub)
	_, page := get(t, c, hub.URL+"/procedures")
	csrf := csrfOf(t, page)
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"capitals and spaces", url.Values{"id": {"Mon Rendez-vous"}, "lang": {"fr"}, "title.fr": {"Titre typé"}}, "may use only lowercase letters"},
		{"no language", url.Values{"id": {"mairie-rdv"}, "title.fr": {"Titre typé"}}, "choose at least one language"},
		{"a language without its title", url.Values{"id": {"mairie-rdv"}, "lang": {"fr", "en"}, "title.fr": {"Titre typé"}}, "write the title in en"},
		{"an id of the catalog", url.Values{"id": {"create-email"}, "lang": {"fr"}, "title.fr": {"Titre typé"}}, "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf", csrf)
			resp, body := post(t, c, hub.URL+"/procedures/new", tt.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%s; want 422", resp.Status)
			}
			contains(t, "the refused form", body, tt.want, `value="Titre typé"`)
		})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(hub.Catalog), "procedures-editor", "drafts", "mairie-rdv")); err == nil {
		t.Error("a refused procedure left a draft")
	}
	// Text in the address is never shown.
	_, page = get(t, c, hub.URL+"/procedures?problem=Call+0800+now")
	if strings.Contains(page, "Call 0800 now") {
		t.Error("the page shows text taken from its address")
	}
}

// toneWAV is a 16-bit mono 440 Hz tone: a voice for the recorder's
// checks (trimmed silences, a minimum length).
func toneWAV(ms int) []byte {
	const rate = 16000
	n := rate * ms / 1000
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i := range n {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(12000*math.Sin(2*math.Pi*440*float64(i)/rate))))
	}
	return b
}

// postFile sends a file as the page's scripts do: multipart, with the
// session's CSRF token.
func postFile(t testing.TB, c *http.Client, u, csrf, field, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(data)
	mw.Close()
	resp, err := c.Post(u, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestEditorRecording: a recording sent while the page is open goes into
// the draft (never the catalog), named by its step; the page's save that
// follows keeps it; published, the catalog's folder holds it and the
// kiosk's loader plays it for that step. A recording for a step that is
// not there is refused.
func TestEditorRecording(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	c := newClient(t)
	mustLogin(t, c, hub.testHub)
	_, page := get(t, c, hub.URL+"/procedures/create-email")
	f := editorForm(t, page)
	step := f.Get("s0.id")
	base := hub.URL + "/procedures/create-email/recording?lang=fr&step="
	if resp, body := postFile(t, c, base+"nowhere", f.Get("csrf"), voice.UploadField, "rec.wav", toneWAV(800)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a recording for no step: %s %s", resp.Status, body)
	}
	resp, body := postFile(t, c, base+step, f.Get("csrf"), voice.UploadField, "rec.wav", toneWAV(800))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"file":"audio/fr/`+step+`.wav"`) {
		t.Fatalf("the recording: %s %s", resp.Status, body)
	}
	if _, err := os.Stat(filepath.Join(hub.Catalog, "create-email", "audio")); err == nil {
		t.Error("the recording went into the catalog's folder before any publish")
	}
	f.Set("s0.say.en", "Hello, we make your email address.")
	f.Set("action", "publish")
	if resp, body := post(t, c, hub.URL+"/procedures/create-email", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save and publish after the recording: %s\n%s", resp.Status, body)
	}
	res, err := procedure.Load(t.Context(), hub.Catalog)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load: %v %v", err, res.Problems)
	}
	for _, p := range res.Procedures {
		if p.ID != "create-email" {
			continue
		}
		a, ok := p.Steps[0].Audio["fr"]
		if !ok || a.Duration < 700*time.Millisecond || p.Steps[0].Say["en"] != "Hello, we make your email address." {
			t.Errorf("published: recording %+v (%v), say %q", a.Path, a.Duration, p.Steps[0].Say["en"])
		}
	}
}

// A path whose procedure id is not one (a slash, "..", capitals, a NUL)
// or names no procedure gets "no such procedure", never the hub's error
// page: no handler acts on it.
func TestEditorRoutesRefuseOddIDs(t *testing.T) {
	t.Parallel()
	hub := startEditorHub(t)
	c := newClient(t)
	mustLogin(t, c, hub.testHub)
	_, page := get(t, c, hub.URL+"/procedures/create-email")
	csrf := csrfOf(t, page)
	ids := []string{"..%2Fetc", "a%2Fb", "ABC", "%00x", strings.Repeat("a", 65), "no-such-procedure"}
	routes := []struct{ method, suffix string }{
		{"GET", ""}, {"GET", "/preview"},
		{"POST", ""}, {"POST", "/publish"}, {"POST", "/rollback"}, {"POST", "/rebase"},
		{"POST", "/recording?lang=fr&step=a"}, {"POST", "/pictogram"}, {"POST", "/preview"},
	}
	for _, id := range ids {
		for _, r := range routes {
			if id == "no-such-procedure" && (r.method == "POST" && r.suffix == "" || r.suffix == "/preview") {
				continue // a save without its form is refused first (400); this hub draws no previews
			}
			t.Run(r.method+" "+id+r.suffix, func(t *testing.T) {
				u := hub.URL + "/procedures/" + id + r.suffix
				var (
					resp *http.Response
					body string
				)
				if r.method == "GET" {
					resp, body = get(t, c, u)
				} else {
					resp, body = post(t, c, u, url.Values{"csrf": {csrf}, "key": {"x"}})
				}
				if resp.StatusCode != http.StatusNotFound || !strings.Contains(strings.ToLower(body), "no procedure") {
					t.Errorf("%s %s: %s %s", r.method, u, resp.Status, body)
				}
			})
		}
	}
}
