package voice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
)

// UploadField is the multipart field holding the recording; the form's
// "csrf" field is the session's token, which the hub's signedIn checks.
const UploadField = "audio"

// Uploads stores the recording a POST carries (multipart/form-data, the
// file in UploadField) with Store, and answers the Recording as JSON. A
// file refused is answered 422 with the reason in plain words, in
// text/plain; a file over MaxUploadBytes 413.
//
// Mount it behind the staff page's session and CSRF check (hubweb's
// signedIn), on a route whose body limit is at least MaxUploadBytes: the
// hub's 16 KB form limit would refuse every recording.
type Uploads struct {
	// Target says where the recording posted by r goes: the folder of the
	// procedure's draft, and the file's name in it without extension, as
	// procedure.yaml will name it ("audio/fr/welcome"). An error wrapping
	// ErrNoTarget is answered 404 with its message (a draft that is gone),
	// any other 400.
	Target func(r *http.Request) (dir, name string, err error)
	// Stored, when set, is told of the recording once it is in place: the
	// editor writes its File in the draft's procedure.yaml. An error is
	// answered 500, and logged.
	Stored func(r *http.Request, rec Recording) error
	Logger *slog.Logger
}

// ErrNoTarget says the recording has nowhere to go: Target's draft or
// step does not exist.
var ErrNoTarget = errors.New("no such draft")

func (u *Uploads) logger() *slog.Logger {
	if u.Logger != nil {
		return u.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (u *Uploads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Send the recording with POST.", http.StatusMethodNotAllowed)
		return
	}
	dir, name, err := u.Target(r)
	switch {
	case errors.Is(err, ErrNoTarget):
		http.Error(w, plainFirst(err.Error()), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, plainFirst(err.Error()), http.StatusBadRequest)
		return
	}
	tmp, cleanup, err := ReceiveUpload(w, r, UploadField, MaxUploadBytes)
	defer cleanup()
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("The file is too big: a recording may be at most %d MB (about a minute).", MaxUploadBytes>>20), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, plainFirst(err.Error()), http.StatusBadRequest)
		return
	}
	rec, err := Store(tmp, dir, name)
	switch {
	case errors.Is(err, ErrRefused):
		http.Error(w, "This recording cannot be used: "+err.Error()+".", http.StatusUnprocessableEntity)
		return
	case err != nil:
		u.logger().Error("editor: store a recording", "name", name, "err", err)
		http.Error(w, "The hub could not store the recording: see the hub's log.", http.StatusInternalServerError)
		return
	}
	if u.Stored != nil {
		if err := u.Stored(r, rec); err != nil {
			u.logger().Error("editor: note a stored recording", "file", rec.File, "err", err)
			http.Error(w, "The hub stored the recording but could not add it to the draft: see the hub's log.", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(rec)
}

// ReceiveUpload copies the one file of a multipart POST's field into a
// temporary folder, under the name the browser gave it (made safe), so
// that a refusal names the file staff chose. The body is limited to limit
// bytes (an error wrapping *http.MaxBytesError past it) unless the form
// was parsed already (by the CSRF check). cleanup, never nil, removes the
// copy and the form's own temporary files.
func ReceiveUpload(w http.ResponseWriter, r *http.Request, field string, limit int64) (path string, cleanup func(), err error) {
	var dir string
	cleanup = func() {
		if dir != "" {
			os.RemoveAll(dir)
		}
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	}
	if r.MultipartForm == nil { // signedIn may have parsed it for the token
		r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return "", cleanup, err
			}
			return "", cleanup, fmt.Errorf("the upload is not a form with a file in it (%v)", err)
		}
	}
	files := r.MultipartForm.File[field]
	if len(files) != 1 {
		return "", cleanup, errors.New("send one file, in the field \"" + field + "\"")
	}
	fh := files[0]
	if fh.Size > limit {
		return "", cleanup, &http.MaxBytesError{Limit: limit}
	}
	dir, err = os.MkdirTemp("", "passerelle-upload-")
	if err != nil {
		return "", cleanup, err
	}
	path = filepath.Join(dir, uploadName(fh))
	if err := saveUpload(fh, path, limit); err != nil {
		return "", cleanup, err
	}
	return path, cleanup, nil
}

// uploadName is the name the browser gave the file, made safe: no folder,
// no hidden file, printable, not too long.
func uploadName(fh *multipart.FileHeader) string {
	name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ".")
	if len(name) > 100 {
		name = name[len(name)-100:]
	}
	if !utf8.ValidString(name) || name == "" {
		return "recording"
	}
	return name
}

func saveUpload(fh *multipart.FileHeader, path string, limit int64) error {
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, io.LimitReader(src, limit+1)); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// plainFirst capitalises a message's first letter and ends it with a
// full stop: errors are written for logs, pages show sentences.
func plainFirst(msg string) string {
	if msg == "" {
		return msg
	}
	r, n := utf8.DecodeRuneInString(msg)
	msg = strings.ToUpper(string(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// MaxSpeechText is the longest text SpeechPreview says: the longest text
// of a procedure (an intro).
const MaxSpeechText = 400

// SpeechPreview answers GET ?lang=fr&text=... with the WAV the kiosk's
// synthetic voice makes of text in lang (audio.Speech, as the kiosk's
// player calls it), for staff to hear a text not yet recorded. Mount it
// behind the staff page's session check.
type SpeechPreview struct {
	// Speech is the hub's speech cache: the same text is rendered once.
	Speech *audio.Speech
	// Rate is the speech rate in words per minute; zero is the kiosk's
	// default, audio.DefaultRate.
	Rate   int
	Logger *slog.Logger
}

// Render returns the path of a WAV file saying text in lang with the
// kiosk's synthetic voice. Errors wrapping ErrRefused say what is wrong
// with the request; audio.ErrNoSpeech says espeak-ng is missing.
func (p *SpeechPreview) Render(ctx context.Context, text string, lang passerelle.Lang) (string, error) {
	text = strings.TrimSpace(text)
	l, ok := passerelle.LookupLanguage(lang)
	switch {
	case !ok || l.Voice == "":
		return "", refused("there is no voice for the language %q", lang)
	case text == "":
		return "", refused("there is no text to say")
	case utf8.RuneCountInString(text) > MaxSpeechText:
		return "", refused("the text has %d characters; the voice says at most %d", utf8.RuneCountInString(text), MaxSpeechText)
	case !utf8.ValidString(text):
		return "", refused("the text is not valid UTF-8")
	}
	rate := p.Rate
	if rate == 0 {
		rate = audio.DefaultRate
	}
	path, err := p.Speech.Render(ctx, text, l.Voice, rate)
	if err != nil {
		return "", fmt.Errorf("speak %q in %s: %w", text, lang, err)
	}
	return path, nil
}

func (p *SpeechPreview) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	path, err := p.Render(r.Context(), q.Get("text"), passerelle.Lang(q.Get("lang")))
	switch {
	case errors.Is(err, ErrRefused):
		http.Error(w, plainFirst(err.Error()), http.StatusBadRequest)
		return
	case errors.Is(err, audio.ErrNoSpeech):
		http.Error(w, "The hub has no synthetic voice: install espeak-ng on it.", http.StatusServiceUnavailable)
		return
	case err != nil:
		l := p.Logger
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		l.Error("editor: synthetic speech", "err", err)
		http.Error(w, "The hub could not make the synthetic speech: see the hub's log.", http.StatusInternalServerError)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, "The hub could not make the synthetic speech: see the hub's log.", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.Error(w, "The hub could not make the synthetic speech: see the hub's log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	http.ServeContent(w, r, "speech.wav", info.ModTime(), f)
}
