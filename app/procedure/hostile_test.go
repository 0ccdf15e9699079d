package procedure_test

import (
	"context"
	"fmt"
	"os"
	"passerelle/app/unprivileged"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"passerelle/app/procedure"
)

// TestLoadRefusesHostileFiles: whatever a file holds, the loader answers
// fast, with one clear message at the right place, and never echoes
// megabytes or raw binary bytes back.
func TestLoadRefusesHostileFiles(t *testing.T) {
	const yaml = "demo/procedure.yaml"
	nested := func(open, close string, depth int) string {
		var b strings.Builder
		for i := range depth {
			fmt.Fprintf(&b, open, i)
		}
		b.WriteString("x")
		b.WriteString(strings.Repeat(close, depth))
		return b.String()
	}
	var indented strings.Builder
	for i := range 40 {
		fmt.Fprintf(&indented, "%sa%d:\n", strings.Repeat(" ", i), i)
	}
	extraSteps := strings.Repeat("  - {id: extra, kind: end, pictogram: dot.svg, say: {fr: a, en: a, ar: a}}\n", procedure.MaxSteps)
	var manyDocs strings.Builder
	for i := range 100 {
		fmt.Fprintf(&manyDocs, "  doc-%d: {pictogram: dot.svg, label: {fr: a, en: a, ar: a}}\n", i)
	}
	tests := []brokenCase{
		{"invalid UTF-8 (a Latin-1 letter)", []edit{replace(yaml, "fr: Bonjour.", "fr: Bo\xeete.")},
			[]want{{yaml, "\xeete.", "the file is not in UTF-8 (byte 0xEE here): save it again as UTF-8"}}},
		{"UTF-16 with a byte order mark (Notepad \"Unicode\")", []edit{utf16File(yaml, true)},
			[]want{{yaml, "^", "the file is saved as UTF-16 (\"Unicode\" in Windows Notepad): save it again as UTF-8"}}},
		{"UTF-16 without a byte order mark", []edit{utf16File(yaml, false)},
			[]want{{yaml, "^", "saved as UTF-16"}}},
		{"sparse file of zeros", []edit{write(yaml, strings.Repeat("\x00", 1<<16))},
			[]want{{yaml, "^", "the file holds binary data (a NUL byte here), not text"}}},
		{"NUL byte in a text", []edit{replace(yaml, "fr: Bonjour.", "fr: Bon\x00jour.")},
			[]want{{yaml, "\x00jour", "binary data"}}},
		{"escape character in a text", []edit{replace(yaml, "fr: Bonjour.", "fr: Bon\x1b[31mjour.")},
			[]want{{yaml, "\x1b[31m", "an invisible control character (U+001B) here: remove it"}}},
		{"a line separator from a word processor in a text", []edit{replace(yaml, "fr: Bonjour.", "fr: Bon\u2028jour.")},
			[]want{{yaml, "\u2028jour", "an invisible control character (U+2028) here: remove it"}}},
		{"a line separator written as a YAML escape", []edit{replace(yaml, "fr: Bonjour.", `fr: "Bon\u2029jour."`)},
			[]want{{yaml, `fr: "Bon`, "holds an invisible control character (U+2029)"}}},
		{"control character written as a YAML escape", []edit{replace(yaml, "fr: Bonjour.", `fr: "Bon\0jour."`)},
			[]want{{yaml, `fr: "Bon\0jour."`, `the fr text of the say text of step "hello" holds an invisible control character (U+0000)`}}},
		{"': ' in a plain text", []edit{replace(yaml, "fr: Bonjour.", "fr: Attention : lisez.")},
			[]want{{yaml, "Attention : lisez", `the file is not valid YAML: mapping value is not allowed in this context (a text holding ": " must be put between straight quotes, like fr: "Attention : lisez")`}}},
		{"word processor quotes around a text", []edit{replace(yaml, "fr: Bonjour.", "fr: “Attention : lisez”")},
			[]want{{yaml, "“Attention", `(“ ” and ‘ ’ from a word processor are not quotes for YAML: put the text between straight quotes "...")`}}},
		{"a file of comments only", []edit{write(yaml, "# id: demo\n# to be written\n")},
			[]want{{yaml, "^", "the file is empty"}}},
		{"a quote left open", []edit{replace(yaml, "fr: Bonjour.", `fr: "Bonjour.`)},
			[]want{{yaml, `"Bonjour.`, "(this quote is not closed)"}}},
		{"an apostrophe inside single quotes", []edit{replace(yaml, "fr: Bonjour.", `fr: 'L'adresse'`)},
			[]want{{yaml, "adresse'", "(inside '...' an apostrophe is written twice (''), or put the text between double quotes"}}},
		{"no space after a field's colon", []edit{replace(yaml, "version: 2", "version:2")},
			[]want{{yaml, "version:2", `(a field name's colon is followed by a space: write "version: 3", not "version:3")`}}},
		{"a field wrongly indented is not a colon in a text", []edit{replace(yaml, "\n      en: Hello.", "\n       en: Hello.")},
			[]want{{yaml, "Bonjour.\n       en", "mapping value is not allowed in this context (check the indentation and the quotes around this place)"}}},
		{"word processor quotes around a flow text with a comma", []edit{replace(yaml, "label: {fr: Oui,", "label: {fr: “Oui, bien sûr”,")},
			[]want{{yaml, "bien sûr”", `"bien sûr”" is not a known language code in the label of option 1 of step "ask-email": “ ” and ‘ ’ from a word processor are not quotes`}}},
		{"tab in the indentation of a list", []edit{replace(yaml, "  - id: done", "\t- id: done")},
			[]want{{yaml, "\t- id: done", "a tab is not allowed for indentation, use spaces"}}},
		{"flow brackets 100 000 deep", []edit{write(yaml, "id: demo\nx: "+strings.Repeat("[", 100_000)+strings.Repeat("]", 100_000)+"\n")},
			[]want{{yaml, "x: ", "nest 1001 levels deep here"}}},
		{"flow mappings past the depth limit", []edit{write(yaml, "id: demo\nx: "+nested("{a%d: ", "}", 30)+"\n")},
			[]want{{yaml, fmt.Sprintf("{a%d:", procedure.MaxDepth-1), fmt.Sprintf("at most %d are allowed", procedure.MaxDepth)}}},
		{"indentation past the depth limit", []edit{write(yaml, "id: demo\n"+indented.String())},
			[]want{{yaml, fmt.Sprintf("a%d:", procedure.MaxDepth), "nest 25 levels deep"}}},
		{"compact nested lists past the depth limit", []edit{write(yaml, "x:\n"+strings.Repeat("- ", procedure.MaxDepth-1)+"-  "+strings.Repeat("- ", 10_000)+"a\n")},
			[]want{{yaml, "-  -", "nest 25 levels deep"}}},
		{"alias", []edit{replace(yaml, "items: [id-card, payslip]", "items: *papers")},
			[]want{{yaml, "*papers", "an alias (*name) is not allowed here: write the value out in full"}}},
		{"billion laughs", []edit{write(yaml, "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n")},
			[]want{{yaml, "*a,", "an alias (*name) is not allowed"}}},
		{"file of 10 MB", []edit{write(yaml, "id: demo\n# "+strings.Repeat("x", 10<<20)+"\n")},
			[]want{{yaml, "", "the file is 10.0 MB; a procedure.yaml may be at most 1.0 MB"}}},
		{"say text of 20 KB", []edit{replace(yaml, "fr: Bonjour.", "fr: "+strings.Repeat("Bonjour. ", 2300))},
			[]want{{yaml, "fr: Bonjour. Bonjour.", `the fr text of the say text of step "hello" has 20699 characters; at most 300 fit on the kiosk's screen`}}},
		{"option label longer than a tile", []edit{replace(yaml, "label: {fr: Oui,", "label: {fr: "+strings.Repeat("Oui ", 11)+",")},
			[]want{{yaml, "fr: Oui Oui", `the fr text of the label of option 1 of step "ask-email" has 43 characters; at most 40`}}},
		{"title longer than a tile", []edit{replace(yaml, "fr: Démonstration", "fr: "+strings.Repeat("Démonstration ", 4))},
			[]want{{yaml, "fr: Démonstration Démonstration", "at most 50"}}},
		{"too many steps", []edit{replace(yaml, "steps:\n", "steps:\n"+extraSteps)},
			[]want{{yaml, "  - {id: extra", fmt.Sprintf("steps has %d entries; at most %d are allowed", procedure.MaxSteps+6, procedure.MaxSteps)}}},
		{"too many documents", []edit{replace(yaml, "documents:\n", "documents:\n"+manyDocs.String())},
			[]want{{yaml, "doc-0:", "documents has 102 entries; at most 64 are allowed"}}},
		{"a field name of 100 KB is not echoed", []edit{replace(yaml, "\nintro:\n", "\n"+strings.Repeat("intro", 20_000)+":\n")},
			[]want{{yaml, "introintro", `unknown field "` + strings.Repeat("intro", 12) + `…" in the procedure`}, {yaml, "id: demo", `has no "intro" field`}}},
		{"an id of 1 000 characters", []edit{replace(yaml, "  - id: hello", "  - id: "+strings.Repeat("h", 1000))},
			[]want{{yaml, "hhhh", "the step id \"" + strings.Repeat("h", 60) + "…\" is 1000 characters long; at most 64"}}},
		{"procedure.yaml a link to /dev/zero", []edit{remove(yaml), symlink("/dev/zero", yaml)},
			[]want{{yaml, "", "this is not a plain file"}}},
		{"a pictogram linked to a file outside the catalog", []edit{linkOut("demo/outside.svg"), replace(yaml, "\npictogram: dot.svg", "\npictogram: outside.svg")},
			[]want{{yaml, "outside.svg", `the procedure's pictogram: file "outside.svg" cannot be used: it is a link to a file outside the procedure's folder`}}},
		{"a pictogram in a folder linked outside the catalog", []edit{linkDirOut("demo/art"), replace(yaml, "\npictogram: dot.svg", "\npictogram: art/dot.svg")},
			[]want{{yaml, "art/dot.svg", `the procedure's pictogram: file "art/dot.svg" cannot be used: it is a link to a file outside the procedure's folder`}}},
		{"a path from Windows outside the folder", []edit{replace(yaml, "\npictogram: dot.svg", "\npictogram: "+`..\..\secret.svg`)},
			[]want{{yaml, `..\..`, `the procedure's pictogram "..\\..\\secret.svg" must be a file inside the procedure's folder`}}},
		{"a Windows drive path", []edit{replace(yaml, "\npictogram: dot.svg", "\npictogram: "+`C:\Users\agent\dot.svg`)},
			[]want{{yaml, `C:\Users`, `must be a file inside the procedure's folder`}}},
		{"a pictogram linked into a loop", []edit{symlink("loop-b.svg", "demo/loop-a.svg"), symlink("loop-a.svg", "demo/loop-b.svg"), replace(yaml, "\npictogram: dot.svg", "\npictogram: loop-a.svg")},
			[]want{{yaml, "loop-a.svg", `file "loop-a.svg" cannot be used: too many levels of symbolic links`}}},
		{"a pictogram named with other capitals in the folder", []edit{copyPictogram("demo/Photo.SVG"), replace(yaml, "\npictogram: dot.svg", "\npictogram: photo.svg")},
			[]want{{yaml, "photo.svg", `the procedure's pictogram: file "photo.svg" not found, but there is "Photo.SVG": write the name exactly as the file is named, capitals included`}}},
		{"a shared pictogram named with other capitals", []edit{replace(yaml, "\npictogram: dot.svg", "\npictogram: Dot.svg")},
			[]want{{yaml, "Dot.svg", `file "Dot.svg" not found, but there is "dot.svg"`}}},
		{"procedure.yaml a named pipe", []edit{remove(yaml), fifo(yaml)},
			[]want{{yaml, "", "this is not a plain file"}}},
	}
	checkBrokenCases(t, tests)
}

// TestLoadCutsLongListsOfProblems: a file with hundreds of mistakes gives
// the first ones and a count, not pages of messages.
func TestLoadCutsLongListsOfProblems(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	var steps strings.Builder
	for i := range 150 {
		fmt.Fprintf(&steps, "  - {id: s%d, kind: info}\n", i)
	}
	replace("demo/procedure.yaml", "steps:\n", "steps:\n"+steps.String())(t, dir)
	res, err := procedure.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 51 {
		t.Fatalf("got %d problems, want 50 and a count of the others", len(res.Problems))
	}
	if last := res.Problems[50]; !strings.Contains(last.Message, "more problems in this file: mend the ones above first") {
		t.Errorf("last problem %q, want a count of the problems left out", last.Message)
	}
}

// TestLoadAcceptsWhatEditorsWrite: Windows editors write a byte order mark
// and CRLF line ends; both must read exactly as the plain file.
func TestLoadAcceptsWhatEditorsWrite(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
	}{
		{"UTF-8 byte order mark", func(s string) string { return "\ufeff" + s }},
		{"CRLF line ends", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
		{"byte order mark and CRLF", func(s string) string { return "\ufeff" + strings.ReplaceAll(s, "\n", "\r\n") }},
		{"brackets and quotes inside texts are not nesting", func(s string) string {
			s = strings.Replace(s, "fr: Bonjour.", `fr: "`+strings.Repeat("[{", 40)+`"`, 1)
			return strings.Replace(s, "en: Hello.", `en: '`+strings.Repeat("[[", 40)+`'`, 1)
		}},
		{"classic Mac line ends (CR only)", func(s string) string { return strings.ReplaceAll(s, "\n", "\r") }},
		{"mixed line ends, no final line end", func(s string) string {
			return strings.TrimRight(strings.Replace(s, "\n", "\r\n", 10), "\n")
		}},
		{"a last line of spaces", func(s string) string { return s + "   " }},
		{"no-break space before a field's colon (French typography)", func(s string) string {
			return strings.Replace(s, "version: 2", "version\u00a0: 2", 1)
		}},
		{"narrow no-break space before a colon", func(s string) string {
			return strings.Replace(s, "\nid: demo", "\nid\u202f: demo", 1)
		}},
		{"no-break space after a colon", func(s string) string {
			return strings.Replace(s, "version: 2", "version:\u00a02", 1)
		}},
		{"no-break space in the indentation", func(s string) string {
			return strings.Replace(s, "\n  fr: Démonstration", "\n\u00a0 fr: Démonstration", 1)
		}},
		{"zero-width space after a field name", func(s string) string {
			return strings.Replace(s, "\nsteps:", "\nsteps\u200b:", 1)
		}},
		{"a byte order mark starting a line (files pasted together)", func(s string) string {
			return strings.Replace(s, "\ntitle:", "\n\ufefftitle:", 1)
		}},
		{"version written 2.0", func(s string) string { return strings.Replace(s, "version: 2", "version: 2.0", 1) }},
		{"version quoted", func(s string) string { return strings.Replace(s, "version: 2", `version: "2"`, 1) }},
		{"yes and no as a French person writes them", func(s string) string {
			return strings.Replace(s, "store: no, personal: yes", "store: NON, personal: Oui", 1)
		}},
		{"comments everywhere", func(s string) string {
			s = strings.Replace(s, "version: 2", "version: 2 # raised at each change", 1)
			s = strings.Replace(s, "\n  - id: ask-email", "\n  # the question\n  - id: ask-email # asked first", 1)
			return s + "# end of file"
		}},
		{"document end marker", func(s string) string { return s + "...\n" }},
		{"paths written with Windows backslashes", func(s string) string {
			return strings.Replace(s, "fr: audio/fr/hello.wav", `fr: audio\fr\hello.wav`, 1)
		}},
		{"say text as a block", func(s string) string {
			return strings.Replace(s, "      fr: Bonjour.\n", "      fr: |\n        Bonjour [et {bienvenue}\n        'à tous.\n        "+strings.Repeat("{", 40)+"\n", 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, fixture, dir)
			path := filepath.Join(dir, "demo", procedure.FileName)
			writeFile(t, path, tt.edit(readFile(t, path)))
			res, err := procedure.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) > 0 || len(res.Procedures) != 1 {
				t.Fatalf("problems:\n%s", problemLines(res.Problems))
			}
			p := res.Procedures[0]
			if p.ID != "demo" || p.Version != 2 || p.Title["fr"] != "Démonstration" || p.Steps[5].Say["ar"] != "انتهى." {
				t.Errorf("read as id %q v%d, title %q, last say %q", p.ID, p.Version, p.Title["fr"], p.Steps[5].Say["ar"])
			}
		})
	}
}

// TestLoadFollowsLinkedProcedureFolders: a procedure folder may be a link
// (deployments do that); a link that leads nowhere is reported, not skipped.
func TestLoadFollowsLinkedProcedureFolders(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, fixture, dir)
	elsewhere := filepath.Join(t.TempDir(), "other")
	copyTree(t, filepath.Join(dir, "demo"), elsewhere)
	replace("procedure.yaml", "id: demo", "id: other")(t, elsewhere)
	symlink(elsewhere, "other")(t, dir)
	symlink(filepath.Join(t.TempDir(), "gone"), "dangling")(t, dir)

	res := loadWithProblems(t, dir, []want{{"dangling", "", "this link leads nowhere"}})
	if len(res.Procedures) != 2 {
		t.Fatalf("got %d procedures, want demo and the linked other", len(res.Procedures))
	}
	if !res.Broken[filepath.Join(dir, "dangling")] {
		t.Error("a dangling link is not marked broken: a watcher would drop its last good version")
	}
}

func utf16File(file string, bom bool) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		path := filepath.Join(dir, file)
		units := utf16.Encode([]rune(readFile(t, path)))
		var b []byte
		if bom {
			b = append(b, 0xFF, 0xFE)
		}
		for _, u := range units {
			b = append(b, byte(u), byte(u>>8))
		}
		writeFile(t, path, string(b))
	}
}

func symlink(target, file string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, file)); err != nil {
			t.Fatal(err)
		}
	}
}

// linkOut makes file a link to a sound pictogram outside the catalog, so
// that only where the link leads can refuse it.
func linkOut(file string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		outside := filepath.Join(t.TempDir(), "dot.svg")
		writeFile(t, outside, readFile(t, filepath.Join(fixture, "pictograms", "dot.svg")))
		symlink(outside, file)(t, dir)
	}
}

// linkDirOut makes folder a link to a folder outside the catalog holding
// a sound pictogram, dot.svg: the file is no link, the folder on its way is.
func linkDirOut(folder string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		outside := t.TempDir()
		writeFile(t, filepath.Join(outside, "dot.svg"), readFile(t, filepath.Join(fixture, "pictograms", "dot.svg")))
		symlink(outside, folder)(t, dir)
	}
}

// copyPictogram copies a sound pictogram of the fixture to file.
func copyPictogram(file string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		writeFile(t, filepath.Join(dir, file), readFile(t, filepath.Join(fixture, "pictograms", "dot.svg")))
	}
}

// TestLoadFindsNamesWrittenWithOtherCodePoints: macOS writes accented file
// names decomposed (NFD), editors write the YAML composed (NFC); the two
// look the same, so the file is found either way.
func TestLoadFindsNamesWrittenWithOtherCodePoints(t *testing.T) {
	const nfc, nfd = "écran.svg", "e\u0301cran.svg"
	tests := []struct{ name, file, written string }{
		{"NFD file, NFC in the file", "demo/" + nfd, nfc},
		{"NFC file, NFD in the file", "demo/" + nfc, nfd},
		{"NFD shared pictogram", "pictograms/" + nfd, nfc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := editedFixture(t, []edit{copyPictogram(tt.file), replace("demo/procedure.yaml", "\npictogram: dot.svg", "\npictogram: "+tt.written)})
			res := loadWithProblems(t, dir, nil)
			if len(res.Procedures) != 1 {
				t.Fatalf("got %d procedures", len(res.Procedures))
			}
			if got, want := res.Procedures[0].Pictogram.Path, filepath.Join(dir, tt.file); got != want {
				t.Errorf("pictogram read from %q, want %q", got, want)
			}
		})
	}
}

// TestLoadSkipsWhatSystemsLeaveInTheCatalog: a catalog copied from a Mac's
// USB stick or a zip, or kept in git, holds folders and files that are not
// procedures; they are passed over, not reported as broken procedures.
func TestLoadSkipsWhatSystemsLeaveInTheCatalog(t *testing.T) {
	appleDouble := "\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\xff\xfe"
	dir := editedFixture(t, []edit{
		write("__MACOSX/demo/._procedure.yaml", appleDouble),
		write("System Volume Information/IndexerVolumeGuid", "{guid}"),
		write("$RECYCLE.BIN/desktop.ini", "[.ShellClassInfo]"),
		write(".git/objects/ab/cdef", "blob"),
		write("lost+found/.keep", ""),
		write("demo/._procedure.yaml", appleDouble),
		write("demo/.DS_Store", "\x00\x00\x00\x01Bud1"),
		write("Thumbs.db", "\xd0\xcf\x11\xe0"),
	})
	res := loadWithProblems(t, dir, nil)
	if len(res.Procedures) != 1 || res.Procedures[0].ID != "demo" {
		t.Errorf("got %d procedures, want demo alone", len(res.Procedures))
	}
}

// TestLoadNamesTheProcedureFileMeant: Notepad saves procedure.yaml.txt
// with the .txt hidden; others write capitals or .yml. The message names
// the file that is there.
func TestLoadNamesTheProcedureFileMeant(t *testing.T) {
	for _, name := range []string{"procedure.yaml.txt", "Procedure.YAML", "procedure.yml", "procedure.yaml "} {
		t.Run(name, func(t *testing.T) {
			dir := editedFixture(t, []edit{func(t *testing.T, dir string) {
				t.Helper()
				if err := os.Rename(filepath.Join(dir, "demo", procedure.FileName), filepath.Join(dir, "demo", name)); err != nil {
					t.Fatal(err)
				}
			}})
			loadWithProblems(t, dir, []want{{"demo", "", fmt.Sprintf("this folder has no procedure.yaml, but has %q: rename it procedure.yaml", name)}})
		})
	}
}

// TestLoadReadsOnlyWhatTheProcedureNames: a video or a disk image left in
// a procedure folder is never opened. Here it is a named pipe, which blocks
// whoever opens it.
func TestLoadReadsOnlyWhatTheProcedureNames(t *testing.T) {
	dir := editedFixture(t, []edit{fifo("demo/video.mp4"), fifo("demo/procedure.yaml.txt"), fifo("pictograms/big.svg")})
	done := make(chan procedure.Result, 1)
	go func() {
		res, _ := procedure.Load(context.Background(), dir)
		done <- res
	}()
	select {
	case res := <-done:
		if len(res.Problems) > 0 || len(res.Procedures) != 1 {
			t.Errorf("problems:\n%s", problemLines(res.Problems))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the loader opened a file the procedure does not name")
	}
}

// TestLoadSaysWhenAFileCannotBeRead: a file copied with its owner's rights
// only is reported with what to do. Root reads everything: the test needs
// an ordinary user.
func TestLoadSaysWhenAFileCannotBeRead(t *testing.T) {
	if unprivileged.Rerun(t) { // root reads any file
		return
	}
	dir := editedFixture(t, nil)
	for _, name := range []string{"demo/procedure.yaml", "pictograms/dot.svg"} {
		if err := os.Chmod(filepath.Join(dir, name), 0); err != nil {
			t.Fatal(err)
		}
	}
	res := loadWithProblems(t, dir, []want{{"demo/procedure.yaml", "", "the file cannot be read: permission denied: let the kiosk's user read it"}})
	if len(res.Procedures) != 0 {
		t.Errorf("got %d procedures from an unreadable file", len(res.Procedures))
	}
}

func fifo(file string) edit {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := syscall.Mkfifo(filepath.Join(dir, file), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadRefusesWrongCatalogFolders: a folder that is not a catalog is
// refused as a whole, with a reason, and names are quoted safely.
func TestLoadRefusesWrongCatalogFolders(t *testing.T) {
	t.Run("thousands of folders", func(t *testing.T) {
		dir := t.TempDir()
		for i := range 2001 {
			if err := os.Mkdir(filepath.Join(dir, fmt.Sprintf("f%d", i)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		res, err := procedure.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) != 1 || !strings.Contains(res.Unusable, "holds 2001 folders; at most 2000 procedures are read") {
			t.Errorf("unusable %q, problems:\n%s", res.Unusable, problemLines(res.Problems[:min(3, len(res.Problems))]))
		}
	})
	t.Run("a file instead of a folder", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "catalog")
		writeFile(t, file, "id: demo\n")
		res, err := procedure.Load(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Unusable, "is not a folder") {
			t.Errorf("unusable %q", res.Unusable)
		}
	})
	t.Run("a folder name with a line break", func(t *testing.T) {
		dir := t.TempDir()
		copyTree(t, fixture, dir)
		if err := os.Mkdir(filepath.Join(dir, "notes\nold"), 0o755); err != nil {
			t.Fatal(err)
		}
		res, err := procedure.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) != 1 || !strings.HasSuffix(res.Problems[0].File, `notes\nold`) {
			t.Errorf("problems:\n%s", problemLines(res.Problems))
		}
	})
}
