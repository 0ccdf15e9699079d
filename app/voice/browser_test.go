package voice_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gopxl/beep/v2"

	"passerelle/app/audio"
	"passerelle/app/voice"
)

// chromiumPath is Debian's chromium, which CI installs (packaging/install-deps.sh).
const chromiumPath = "/usr/bin/chromium"

// recorderJS is the widget under test, as the hub serves it.
const recorderJS = "../hubweb/static/recorder.js"

// csp is the staff page's Content-Security-Policy (hubweb's Handler):
// the widget must work under it.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

const csrfToken = "the-session-token"

// recorderPage is a page of the editor's shape: the session's CSRF token
// in a form, one recorder for a step's French text.
const recorderPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>recorder</title>
<script src="/static/recorder.js" defer></script></head>
<body><main>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="%s"></form>
<div id="rec" data-recorder data-upload-url="/drafts/caf/audio?lang=fr&amp;step=welcome" data-lang="fr" data-label="the first step, in French" data-max-seconds="%s" data-speech-url="/speech" data-text-from="#say-fr"></div>
<textarea id="say-fr">Touchez le grand bouton vert.</textarea>
</main></body></html>`

// tone writes a 440 Hz tone of d at half of full scale, 48 kHz mono: what
// Chromium's fake microphone says, over and over.
func tone(t *testing.T, d time.Duration) string {
	t.Helper()
	return makeWAV(t, t.TempDir(), 48000, 1, part{d, 440, 0.5})
}

// recorderServer serves the page, the widget and the upload, behind the
// same CSRF check as the staff page's (a POST's form field "csrf").
func recorderServer(t *testing.T, maxSeconds string) (url, draft string) {
	t.Helper()
	root := t.TempDir()
	draft = filepath.Join(root, "caf")
	os.Mkdir(draft, 0o755)
	up := &voice.Uploads{Target: func(r *http.Request) (string, string, error) {
		return draft, "audio/" + r.URL.Query().Get("lang") + "/" + r.URL.Query().Get("step"), nil
	}}
	mux := http.NewServeMux()
	mux.Handle("GET /speech", &voice.SpeechPreview{Speech: audio.NewSpeech(t.TempDir(), "")})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, recorderPage, csrfToken, maxSeconds)
	})
	mux.HandleFunc("GET /static/recorder.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		http.ServeFile(w, r, recorderJS)
	})
	mux.Handle("POST /drafts/caf/audio", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, voice.MaxUploadBytes+64<<10)
		if r.PostFormValue("csrf") != csrfToken {
			http.Error(w, "This form is out of date", http.StatusForbidden)
			return
		}
		up.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, draft
}

// newRecordingBrowser starts a headless chromium whose microphone says
// the WAV file capture, or skips the test when chromium is not installed
// (fails when CI=true).
func newRecordingBrowser(t *testing.T, capture string) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		why := "chromium is not installed at " + chromiumPath + ": install Debian's chromium package (apt-get install chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", capture),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 700),
	)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// state waits until the recorder's data-state is want.
func state(want string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(`#rec[data-state="` + want + `"]`))
}

// TestRecordInTheBrowser records Chromium's fake microphone playing a
// 440 Hz tone with the buttons, keeps it, and checks what the hub stored:
// a file the kiosk plays, holding the tone for as long as it was recorded.
// A second recording, by the keyboard alone, stops by itself at the
// widget's limit and replaces the first.
func TestRecordInTheBrowser(t *testing.T) {
	capture := tone(t, 2*time.Second)
	url, draft := recorderServer(t, "1.5")
	ctx := newRecordingBrowser(t, capture)
	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	stored := filepath.Join(draft, "audio", "fr", "welcome.wav")

	// The synthetic voice says the text of the field, as the kiosk would.
	requireEspeak(t)
	if err := chromedp.Do(step,
		chromedp.Navigate(url+"/"),
		state("idle"),
		chromedp.Click(chromedp.CSS(`#rec button[data-action="speech"]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Playing the synthetic voice")]`)),
	); err != nil {
		t.Fatalf("synthetic voice: %v (%s)", err, statusText(step))
	}

	// With the buttons: record about 1.2 s, stop, keep. (The page's limit
	// is 1.5 s; Stop comes first.)
	if err := chromedp.Do(step,
		chromedp.Navigate(url+"/"),
		state("idle"),
		chromedp.Click(chromedp.CSS(`#rec button[data-action="record"]`)),
		state("recording"),
	); err != nil {
		t.Fatalf("record: %v", err)
	}
	began := time.Now()
	<-time.After(1200 * time.Millisecond) // the length of the recording, not a wait for something
	if err := chromedp.Do(step,
		chromedp.Click(chromedp.CSS(`#rec button[data-action="stop"]`)),
		state("recorded"),
	); err != nil {
		t.Fatalf("stop: %v", err)
	}
	wall := time.Since(began)
	recorded := recordedSeconds(t, step)
	if recorded < 1.15 || recorded > wall.Seconds()+0.3 { // a last piece lost would take 250 ms
		t.Errorf("the browser recorded %.2f s in %v", recorded, wall)
	}
	if err := chromedp.Do(step,
		chromedp.Click(chromedp.CSS(`#rec button[data-action="keep"]`)),
		state("kept"),
	); err != nil {
		t.Fatalf("keep: %v (%s)", err, statusText(step))
	}
	checkTone(t, stored, recorded)
	if got, _ := chromedp.Run(step, chromedp.AttributeValue(chromedp.ID("rec"), "data-file")); got.Value != "audio/fr/welcome.wav" {
		t.Errorf("the widget says it kept %q", got.Value)
	}

	// By the keyboard: "record again" has the focus after Tab from
	// Listen; the recorder stops at 1.5 s by itself; Listen has the focus,
	// Tab reaches Keep.
	if err := chromedp.Do(step,
		chromedp.Focus(chromedp.CSS(`#rec button[data-action="redo"]`)),
		chromedp.KeyEvent("\r"),
		state("recording"),
		state("recorded"),
	); err != nil {
		t.Fatalf("record by keys: %v", err)
	}
	recorded = recordedSeconds(t, step)
	if math.Abs(recorded-1.5) > 0.15 {
		t.Errorf("the recording stopped by itself at %.2f s, want 1.5 s", recorded)
	}
	if focused, _ := chromedp.Run(step, chromedp.Evaluate[string](`document.activeElement.dataset.action`)); focused != "listen" {
		t.Errorf("after the recording the focus is on %q, want listen", focused)
	}
	if err := chromedp.Do(step,
		chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("\r"),
		state("kept"),
	); err != nil {
		t.Fatalf("keep by keys: %v (%s)", err, statusText(step))
	}
	checkTone(t, stored, recorded)

	// A file made elsewhere, chosen with "Upload a file": an MP3 is kept
	// as it is and replaces the WAV; the browser's own WebM is refused
	// with the hub's words, and the MP3 stays.
	mp3, _ := filepath.Abs(filepath.Join(audioTestdata, "mp3-id3-44k.mp3"))
	webm, _ := filepath.Abs(filepath.Join(audioTestdata, "opus.webm"))
	if err := chromedp.Do(step,
		chromedp.SetUploadFiles(chromedp.CSS(`#rec input[type="file"]`), []string{mp3}),
		chromedp.WaitVisible(chromedp.CSS(`#rec[data-state="kept"][data-file="audio/fr/welcome.mp3"]`)),
	); err != nil {
		t.Fatalf("upload an MP3: %v (%s)", err, statusText(step))
	}
	if _, err := os.Stat(stored); err == nil {
		t.Error("the WAV the MP3 replaced is still in the draft")
	}
	if err := chromedp.Do(step,
		chromedp.SetUploadFiles(chromedp.CSS(`#rec input[type="file"]`), []string{webm}),
		state("recorded"),
	); err != nil {
		t.Fatalf("upload a WebM: %v", err)
	}
	if s := statusText(step); !strings.Contains(s, "cannot be used") || !strings.Contains(s, "Record button") {
		t.Errorf("after a WebM the widget says %q", s)
	}
	if _, err := audio.Check(filepath.Join(draft, "audio", "fr", "welcome.mp3")); err != nil {
		t.Errorf("the MP3 kept before: %v", err)
	}
}

func recordedSeconds(t *testing.T, ctx context.Context) float64 {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("rec"), "data-seconds"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := strconv.ParseFloat(got.Value, 64)
	if err != nil {
		t.Fatalf("data-seconds %q: %v", got.Value, err)
	}
	return s
}

func statusText(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#rec .recorder-status")))
	return s
}

// checkTone checks the stored file plays, lasts about the recorded length
// (silence at the very start, as the microphone opens, may be trimmed)
// and holds the 440 Hz tone.
func checkTone(t *testing.T, path string, recorded float64) {
	t.Helper()
	info, err := audio.Check(path)
	if err != nil {
		t.Fatalf("the stored recording does not play: %v", err)
	}
	if d := info.Duration.Seconds(); d < recorded-0.3 || d > recorded+0.05 {
		t.Errorf("stored %.2f s of a %.2f s recording", d, recorded)
	}
	frames, format := decode(t, path)
	t.Logf("stored %v of a %.2f s recording, RMS %.3f, %.0f%% of it at 440 Hz", info.Duration, recorded, rms(frames), 100*share(frames, 440, format.SampleRate))
	// The tone throughout: no window of 100 ms is silent (the first may
	// hold the microphone opening).
	w := format.SampleRate.N(100 * time.Millisecond)
	for at := w; at+w <= len(frames); at += w {
		if level := rms(frames[at : at+w]); level < 0.1 {
			t.Errorf("the stored recording is silent at %v (RMS %.3f): the tone is cut", format.SampleRate.D(at), level)
		}
	}
	if s := share(frames, 440, format.SampleRate); s < 0.6 {
		t.Errorf("only %.0f%% of the stored recording is the 440 Hz tone", 100*s)
	}
}

// share is the part of the frames' energy at freq (Goertzel): 1 for a
// pure tone of freq.
func share(frames [][2]float64, freq float64, rate beep.SampleRate) float64 {
	k := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2, energy float64
	for _, f := range frames {
		s := f[0] + k*s1 - s2
		s2, s1 = s1, s
		energy += f[0] * f[0]
	}
	power := s1*s1 + s2*s2 - k*s1*s2
	return 2 * power / (float64(len(frames)) * energy)
}
