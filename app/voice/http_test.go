package voice_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/audio"
	"passerelle/app/voice"
)

// draftServer serves Uploads on loopback, storing into a draft folder
// per URL path ("/drafts/ID/audio?step=S&lang=L"), as the editor does.
type draftServer struct {
	*httptest.Server
	root   string
	mu     sync.Mutex
	stored []voice.Recording
}

func newDraftServer(t *testing.T) *draftServer {
	t.Helper()
	d := &draftServer{root: t.TempDir()}
	up := &voice.Uploads{
		Target: func(r *http.Request) (string, string, error) {
			dir := filepath.Join(d.root, r.PathValue("draft"))
			if _, err := os.Stat(dir); err != nil {
				return "", "", fmt.Errorf("the draft %s is gone: %w", r.PathValue("draft"), voice.ErrNoTarget)
			}
			return dir, "audio/" + r.URL.Query().Get("lang") + "/" + r.URL.Query().Get("step"), nil
		},
		Stored: func(r *http.Request, rec voice.Recording) error {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.stored = append(d.stored, rec)
			return nil
		},
	}
	mux := http.NewServeMux()
	mux.Handle("/drafts/{draft}/audio", up)
	d.Server = httptest.NewServer(mux)
	t.Cleanup(d.Close)
	if err := os.Mkdir(filepath.Join(d.root, "caf"), 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// post sends a file as the browser's form does.
func post(t *testing.T, url, field, filename string, data []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", "token")
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return resp, string(text)
}

// TestUploadOverHTTP posts files as the browser does and checks the
// answers staff see and what lands in the draft.
func TestUploadOverHTTP(t *testing.T) {
	wav, _ := os.ReadFile(makeWAV(t, t.TempDir(), 48000, 1, part{500 * time.Millisecond, 0, 0}, part{time.Second, 440, 0.3}, part{500 * time.Millisecond, 0, 0}))
	webm, _ := os.ReadFile(filepath.Join(audioTestdata, "opus.webm"))
	mp3, _ := os.ReadFile(filepath.Join(audioTestdata, "mp3-id3-44k.mp3"))
	cases := []struct {
		name     string
		path     string
		field    string
		filename string
		data     []byte
		code     int
		says     string
		file     string // stored, relative to the draft
	}{
		{"the recorder's WAV", "/drafts/caf/audio?lang=fr&step=welcome", "audio", "recording.wav", wav, 200, `"file":"audio/fr/welcome.wav"`, "audio/fr/welcome.wav"},
		{"an MP3 from a computer", "/drafts/caf/audio?lang=ar&step=intro", "audio", "voix arabe.mp3", mp3, 200, `"kind":"MP3"`, "audio/ar/intro.mp3"},
		{"the browser's WebM", "/drafts/caf/audio?lang=fr&step=welcome", "audio", "recording.webm", webm, 422, "record it with the Record button", ""},
		{"a hostile file name", "/drafts/caf/audio?lang=fr&step=welcome", "audio", "../../..\\evil\u202egpj.webm", webm, 422, "cannot be used", ""},
		{"no file", "/drafts/caf/audio?lang=fr&step=welcome", "other", "x.wav", wav, 400, "Send one file", ""},
		{"a draft that is gone", "/drafts/gone/audio?lang=fr&step=welcome", "audio", "x.wav", wav, 404, "The draft gone is gone", ""},
		{"too big", "/drafts/caf/audio?lang=fr&step=welcome", "audio", "x.wav", make([]byte, voice.MaxUploadBytes+1), 413, "at most 8 MB", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDraftServer(t)
			resp, text := post(t, d.URL+c.path, c.field, c.filename, c.data)
			if resp.StatusCode != c.code || !strings.Contains(text, c.says) {
				t.Fatalf("answer %d %q, want %d saying %q", resp.StatusCode, text, c.code, c.says)
			}
			if c.file == "" {
				if len(d.stored) > 0 {
					t.Errorf("Stored was told of %v", d.stored)
				}
				return
			}
			var rec voice.Recording
			if err := json.Unmarshal([]byte(text), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.File != c.file || len(d.stored) != 1 || d.stored[0].File != c.file {
				t.Errorf("answered %+v, Stored told %+v, want %s", rec, d.stored, c.file)
			}
			if _, err := audio.Check(filepath.Join(d.root, "caf", c.file)); err != nil {
				t.Errorf("the stored file does not play: %v", err)
			}
		})
	}
}

// requireEspeak skips the test where espeak-ng is not installed, except
// in CI, where it must be.
func requireEspeak(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("espeak-ng is not installed")
		}
		tb.Skip("espeak-ng is not installed")
	}
}

// TestSpeechPreview gets the kiosk's synthetic voice for texts, as the
// editor's page asks for it, and checks it is speech of a plausible
// length, once per text.
func TestSpeechPreview(t *testing.T) {
	requireEspeak(t)
	speech := audio.NewSpeech(t.TempDir(), "")
	srv := httptest.NewServer(&voice.SpeechPreview{Speech: speech})
	t.Cleanup(srv.Close)
	get := func(lang, text string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/?" + url.Values{"lang": {lang}, "text": {text}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	cases := []struct {
		name, lang, text string
		code             int
		says             string
		minLength        time.Duration
	}{
		{"French", "fr", "Touchez le grand bouton vert pour commencer.", 200, "", 1500 * time.Millisecond},
		{"Arabic", "ar", "المس الزر الأخضر الكبير للبدء.", 200, "", time.Second},
		{"a language without a voice", "xx", "Bonjour", 400, "no voice for the language", 0},
		{"no text", "fr", "   ", 400, "no text to say", 0},
		{"a text too long", "fr", strings.Repeat("a ", 300), 400, "at most 400", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(c.lang, c.text)
			if resp.StatusCode != c.code || !strings.Contains(string(body), c.says) {
				t.Fatalf("answer %d %q, want %d saying %q", resp.StatusCode, body, c.code, c.says)
			}
			if c.code != 200 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "audio/wav" {
				t.Errorf("Content-Type %q", ct)
			}
			path := filepath.Join(t.TempDir(), "speech.wav")
			os.WriteFile(path, body, 0o644)
			d, level, _ := measure(t, path)
			if d < c.minLength || d > 10*time.Second || level < 0.01 {
				t.Errorf("speech of %v at RMS %.4f", d, level)
			}
		})
	}
	before := speech.Renders()
	get("fr", "Touchez le grand bouton vert pour commencer.")
	if speech.Renders() != before {
		t.Error("the same text was synthesised again")
	}
}

// BenchmarkSpeechPreview measures a new sentence's synthesis, as staff
// typing a new text wait for it.
func BenchmarkSpeechPreview(b *testing.B) {
	requireEspeak(b)
	p := &voice.SpeechPreview{Speech: audio.NewSpeech(b.TempDir(), "")}
	i := 0
	for b.Loop() {
		i++
		if _, err := p.Render(b.Context(), fmt.Sprintf("Tapez votre numéro d'allocataire. Il a %d chiffres.", i), "fr"); err != nil {
			b.Fatal(err)
		}
	}
}
