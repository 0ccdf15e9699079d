package hubweb

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"passerelle/app/procedure"
	"passerelle/app/voice"
)

// PictogramField is the multipart field of an uploaded pictogram.
const PictogramField = "pictogram"

// maxPictogramUpload is the largest pictogram file taken, as the catalog's
// loader takes it (procedure.CheckPictogram refuses bigger with a reason).
const maxPictogramUpload = 2 << 20

// Pictogram is one shared pictogram, as the editor's picker lists it.
type Pictogram struct {
	File string `json:"file"` // its file name in the shared folder: what procedure.yaml names
	Name string `json:"name"` // the file name in words: "id card"
	URL  string `json:"url"`  // where the page gets the image
}

// Pictograms serves the editor's pictogram picker: the shared pictograms
// of the hub's catalog listed and searched by name, their images, and
// the upload of a procedure's own pictogram, checked by the catalog's
// loader (procedure.CheckPictogram: the kiosk's decoder) and refused in
// plain words when it is not one the kiosk draws or holds what a picture
// must not (a script, a link to another file).
//
// Mount its handlers behind the staff page's session check; Upload on a
// route whose body limit is at least 2 MB.
type Pictograms struct {
	// Dir is the shared pictograms folder: the hub's catalog folder's
	// procedure.SharedPictograms.
	Dir string
	// ImagePrefix is the path Image is mounted on, ending in "/": a
	// pictogram's URL is ImagePrefix + its file name.
	ImagePrefix string
	// Target and Stored are as voice.Uploads': where an uploaded
	// pictogram goes (a draft's procedure folder, and its name without
	// extension), and who is told of the stored file (relative to dir).
	Target func(r *http.Request) (dir, name string, err error)
	Stored func(r *http.Request, file string) error
	Logger *slog.Logger
}

// List returns the shared pictograms whose name holds every word of
// query (capitals and accents aside: "carte", "Carte", "carté" alike),
// sorted by name; an empty query lists them all.
func (p *Pictograms) List(query string) ([]Pictogram, error) {
	entries, err := os.ReadDir(p.Dir)
	if err != nil {
		return nil, fmt.Errorf("list pictograms: %w", err)
	}
	words := strings.Fields(folded(query))
	var list []Pictogram
	for _, e := range entries {
		file := e.Name()
		ext := strings.ToLower(filepath.Ext(file))
		if strings.HasPrefix(file, ".") || (ext != ".svg" && ext != ".png") || e.IsDir() {
			continue
		}
		name := strings.Join(strings.FieldsFunc(strings.TrimSuffix(file, filepath.Ext(file)), func(r rune) bool {
			return r == '-' || r == '_' || r == '.' || unicode.IsSpace(r)
		}), " ")
		if !holdsAll(folded(name), words) {
			continue
		}
		list = append(list, Pictogram{File: file, Name: name, URL: p.ImagePrefix + url.PathEscape(file)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

func holdsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// folded is s in lower case without accents, for a search.
func folded(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// ListHandler answers GET ?q=words with the matching pictograms as JSON.
func (p *Pictograms) ListHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := p.List(r.URL.Query().Get("q"))
		if err != nil {
			p.logger().Error("editor: list the shared pictograms", "err", err)
			http.Error(w, "The hub could not list the pictograms: see the hub's log.", http.StatusInternalServerError)
			return
		}
		if list == nil {
			list = []Pictogram{}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(list)
	})
}

// ImageHandler serves a shared pictogram by its file name, the last part
// of the URL's path: only a .svg or .png file of the shared folder, never
// one outside it (os.Root), and an SVG as an inert image.
func (p *Pictograms) ImageHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := path.Base(r.URL.Path)
		types := map[string]string{".svg": "image/svg+xml", ".png": "image/png"}
		ctype := types[strings.ToLower(path.Ext(file))]
		if ctype == "" || strings.HasPrefix(file, ".") || file != path.Clean(file) {
			http.Error(w, "There is no such pictogram.", http.StatusNotFound)
			return
		}
		root, err := os.OpenRoot(p.Dir)
		if err != nil {
			p.logger().Error("editor: open the shared pictograms", "err", err)
			http.Error(w, "The hub could not read the pictograms: see the hub's log.", http.StatusInternalServerError)
			return
		}
		defer root.Close()
		f, err := root.Open(file)
		if err != nil {
			http.Error(w, "There is no such pictogram.", http.StatusNotFound)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || !info.Mode().IsRegular() {
			http.Error(w, "There is no such pictogram.", http.StatusNotFound)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		// Opened on its own, an SVG is a document: it runs nothing here.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, file, info.ModTime(), f)
	})
}

// UploadHandler stores the pictogram a POST carries (multipart, in
// PictogramField) with StorePictogram, and answers {"file": ...} as JSON;
// a file refused is answered 422 with the reason in plain words.
func (p *Pictograms) UploadHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dir, name, err := p.Target(r)
		switch {
		case errors.Is(err, voice.ErrNoTarget):
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		tmp, cleanup, err := voice.ReceiveUpload(w, r, PictogramField, maxPictogramUpload)
		defer cleanup()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "This image cannot be used: a pictogram may be at most 2 MB; save it smaller (about 512 × 512 pixels is plenty).", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		file, err := StorePictogram(tmp, dir, name)
		var refusal *PictogramRefused
		switch {
		case errors.As(err, &refusal):
			http.Error(w, "This image cannot be used: "+refusal.Error()+".", http.StatusUnprocessableEntity)
			return
		case err != nil:
			p.logger().Error("editor: store a pictogram", "name", name, "err", err)
			http.Error(w, "The hub could not store the pictogram: see the hub's log.", http.StatusInternalServerError)
			return
		}
		if p.Stored != nil {
			if err := p.Stored(r, file); err != nil {
				p.logger().Error("editor: note a stored pictogram", "file", file, "err", err)
				http.Error(w, "The hub stored the pictogram but could not add it to the draft: see the hub's log.", http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"file": file})
	})
}

func (p *Pictograms) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// PictogramRefused says in plain words why an uploaded image is not a
// pictogram the kiosk can use.
type PictogramRefused struct{ Reason string }

func (e *PictogramRefused) Error() string { return e.Reason }

// unsafeSVG finds what an SVG pictogram must not hold: the kiosk draws
// none of it, and the hub's page would show it to staff's browsers.
var unsafeSVG = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`(?i)<\s*script`), "a script"},
	{regexp.MustCompile(`(?i)<\s*foreignObject`), "a web page inside it (foreignObject)"},
	{regexp.MustCompile(`(?i)\son[a-z]+\s*=`), "a script (an on… attribute)"},
	{regexp.MustCompile(`(?i)javascript\s*:`), "a script link"},
	{regexp.MustCompile(`(?i)<!\s*entity`), "XML entities"},
	{regexp.MustCompile(`(?i)href\s*=\s*["']\s*[^"'#\s]`), "a link to another file or page"},
	{regexp.MustCompile(`(?i)url\(\s*["']?\s*[^"'#\s)]`), "a link to another file or page (in its style)"},
	{regexp.MustCompile(`(?i)@import`), "a link to another file (@import)"},
}

// StorePictogram checks the image at src as the kiosk's loader does and
// stores it in the procedure folder dir as name plus the extension its
// bytes show (.svg or .png), in one step, returning the file's name
// relative to dir. An image refused is a *PictogramRefused.
func StorePictogram(src, dir, name string) (string, error) {
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(name)))
	if name == "" || clean != name || strings.HasPrefix(clean, "../") || filepath.IsAbs(name) ||
		strings.HasPrefix(path.Base(name), ".") || strings.ContainsAny(name, "\\\x00") {
		return "", fmt.Errorf("store pictogram: %q is not a file name inside a procedure's folder", name)
	}
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("store pictogram: %w", err)
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	ext := ""
	switch {
	case strings.HasPrefix(string(head), "\x89PNG"):
		ext = ".png"
	case strings.Contains(strings.ToLower(string(head)), "<svg") || strings.HasPrefix(strings.TrimSpace(string(head)), "<?xml"):
		ext = ".svg"
	}
	// The loader checks a file under its name: a copy gets the name its
	// bytes call for (the browser's stays, for a message naming what it is).
	checked := src
	if ext != "" && strings.ToLower(filepath.Ext(src)) != ext {
		tmp, err := os.MkdirTemp("", "passerelle-pictogram-")
		if err != nil {
			return "", fmt.Errorf("store pictogram: %w", err)
		}
		defer os.RemoveAll(tmp)
		checked = filepath.Join(tmp, strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))+ext)
		if err := copyAtMost(src, checked, maxPictogramUpload+1); err != nil {
			return "", fmt.Errorf("store pictogram: %w", err)
		}
	}
	media, err := procedure.CheckPictogram(checked)
	if err != nil {
		return "", &PictogramRefused{Reason: plainPictogram(err.Error())}
	}
	if ext == ".svg" {
		for _, u := range unsafeSVG {
			if u.re.Match(media.Data) {
				return "", &PictogramRefused{Reason: "the SVG image holds " + u.what + ", which a pictogram must not have: export it again as a plain SVG drawing"}
			}
		}
	}
	file := name + ext
	dst := filepath.Join(dir, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("store pictogram %s: %w", file, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".pictogram-*.tmp")
	if err != nil {
		return "", fmt.Errorf("store pictogram %s: %w", file, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(media.Data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store pictogram %s: %w", file, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store pictogram %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("store pictogram %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("store pictogram %s: %w", file, err)
	}
	return file, nil
}

// copyAtMost copies up to limit bytes of src to a new file dst: enough
// for the loader to see a file over its limit.
func copyAtMost(src, dst string, limit int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(in, limit)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// plainPictogram is the loader's message for a file uploaded from a
// browser: a command to run in a folder is of no use there.
func plainPictogram(msg string) string {
	if i := strings.Index(msg, "to convert it, in its folder, run:"); i >= 0 {
		msg = strings.TrimRight(msg[:i], " ;:,") + ": open it in an image editor and save it as PNG"
	}
	if i := strings.Index(msg, "to uncompress it, in its folder, run:"); i >= 0 {
		msg = strings.TrimRight(msg[:i], " ;:,") + ": save it as plain SVG (not compressed) in the program that made it"
	}
	return msg
}
