// Package hubweb is the hub's staff page: staff sign in with an account
// made by passerelle hub user add, see the kiosks and the statistics of
// every kiosk, with charts, and download them as CSV. Pages are
// html/template files embedded here, styled by a small hand-written CSS
// file; the only script refreshes the live part of the kiosks page: the
// kiosks' help calls waiting, which staff mark handled there, and the
// kiosks.
package hubweb

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"passerelle/app/editor"
	"passerelle/app/passerelle"
	"passerelle/app/voice"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// SessionLifetime is how long a sign-in lasts: a working day.
const SessionLifetime = 10 * time.Hour

// DefaultRefresh is how often the kiosks page refreshes its live part: a
// help call shows within seconds, and each refresh costs the hub two
// small queries.
const DefaultRefresh = 5 * time.Second

// maxFormBytes bounds a form's body: a name, a password and a token.
const maxFormBytes = 16 << 10

// Cookie names.
const (
	sessionCookie = "passerelle_session"
	loginCookie   = "passerelle_login" // the sign-in form's CSRF token, before any session
)

// Server serves the staff page.
type Server struct {
	Store  passerelle.HubStore
	Logger *slog.Logger
	Now    func() time.Time
	// Secure marks the cookies Secure: the browser reaches the hub over
	// HTTPS (its own TLS, or a proxy in front of it).
	Secure bool
	// RefreshEvery is how often the kiosks page fetches its live part;
	// zero is DefaultRefresh. Tests shorten it.
	RefreshEvery time.Duration
	// Titles gives the procedures' titles of the catalog the hub published
	// last (bundle.Publisher.Titles): help calls name their procedure by
	// its French title. Nil, or a procedure it lacks, shows the id.
	Titles func() map[string]passerelle.Text
	// Editor keeps the drafts and versions of the catalog's procedures
	// for the procedures tab; nil hides the tab.
	Editor *editor.Editor
	// Speech serves the synthetic voice saying a text not yet recorded
	// (voice.SpeechPreview, GET ?lang=fr&text=...); nil hides its button.
	Speech http.Handler
	// Preview draws a step as the kiosk does (ui.PreviewPNG); nil hides
	// the previews.
	Preview PreviewFunc

	once      sync.Once
	templates *template.Template
	dummyHash string // checked when no account has the name: the same time either way
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Server) init() {
	s.once.Do(func() {
		s.templates = template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
		s.dummyHash = passerelle.HashPassword(newSecret(), passerelle.DefaultPINParams)
	})
}

// Handler returns the page's routes. Every one but the sign-in page and
// the static files needs a signed-in session.
func (s *Server) Handler() http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.FileServerFS(staticFiles))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.Handle("POST /logout", s.signedIn(s.logout))
	mux.Handle("GET /{$}", s.signedIn(s.kiosksPage))
	mux.Handle("GET /live", s.signedIn(s.live))
	mux.Handle("POST /help/handled", s.signedIn(s.markHandled))
	mux.Handle("GET /stats", s.signedIn(s.statsPage))
	mux.Handle("GET /stats.csv", s.signedIn(s.statsCSV))
	mux.Handle("GET /procedures", s.signedIn(s.proceduresPage))
	mux.Handle("POST /procedures/new", s.signedIn(s.newProcedure))
	mux.Handle("GET /procedures/{id}", s.signedIn(s.procedure(s.editorPage)))
	mux.Handle("POST /procedures/{id}", s.signedIn(s.procedure(s.saveProcedure)))
	mux.Handle("POST /procedures/{id}/publish", s.signedIn(s.procedure(s.publishProcedure)))
	mux.Handle("POST /procedures/{id}/rollback", s.signedIn(s.procedure(s.rollbackProcedure)))
	mux.Handle("POST /procedures/{id}/discard", s.signedIn(s.procedure(s.discardDraft)))
	mux.Handle("POST /procedures/{id}/rebase", s.signedIn(s.procedure(s.rebaseDraft)))
	mux.Handle("POST /hints", s.signedIn(s.hints))
	mux.Handle("POST /procedures/{id}/recording", s.signedIn(s.procedure(s.recordings)))
	mux.Handle("POST /procedures/{id}/pictogram", s.signedIn(s.procedure(s.pictogramUpload)))
	mux.Handle("GET /procedures/{id}/preview", s.signedIn(s.procedure(s.preview)))
	mux.Handle("POST /procedures/{id}/preview", s.signedIn(s.procedure(s.previewTyped)))
	mux.Handle("GET /speech", s.signedIn(s.speech))
	mux.Handle("GET /pictograms", s.signedIn(s.pictogramList))
	mux.Handle("GET /pictograms/", s.signedIn(s.pictogramImage))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "There is no such page on this hub.", http.StatusNotFound)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// No script, style or frame from elsewhere; no inline script. The
		// charts' swatches and bars are sized by style attributes.
		// The recorder plays back what it recorded from the browser's
		// memory (a blob: address) before sending it.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self'; style-src-attr 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		limit := int64(maxFormBytes)
		switch {
		case strings.HasSuffix(r.URL.Path, "/recording"), strings.HasSuffix(r.URL.Path, "/pictogram"):
			limit = voice.MaxUploadBytes + 64<<10 // a minute of voice, or a pictogram
		case strings.HasPrefix(r.URL.Path, "/procedures/") || r.URL.Path == "/hints":
			limit = maxEditorFormBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		mux.ServeHTTP(w, r)
	})
}

// staffHandler serves a request of a signed-in staff member.
type staffHandler func(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession)

// signedIn sends a request without a valid session to the sign-in page
// (a fragment's fetch gets 401: the script then reloads the whole page),
// and refuses a POST without the session's CSRF token.
func (s *Server) signedIn(next staffHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.session(r)
		if errors.Is(err, passerelle.ErrUnauthorized) {
			if r.Method == http.MethodGet && r.URL.Path != "/live" {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "Sign in first.", http.StatusUnauthorized)
			return
		} else if err != nil {
			s.internal(w, r, "read the session", err)
			return
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), sess.CSRFToken) {
			http.Error(w, "This form is out of date or did not come from this page: reload the page and try again.", http.StatusForbidden)
			return
		}
		next(w, r, sess)
	})
}

// procedure answers 404 for a path whose {id} cannot name a procedure
// (a typing error, "..", a slash): no handler sees it.
func (s *Server) procedure(next staffHandler) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, sess passerelle.StaffSession) {
		if editor.CheckID(r.PathValue("id")) != nil {
			noProcedure(w, r.PathValue("id"))
			return
		}
		next(w, r, sess)
	}
}

func noProcedure(w http.ResponseWriter, id string) {
	http.Error(w, fmt.Sprintf("There is no procedure %q on this hub.", id), http.StatusNotFound)
}

func (s *Server) session(r *http.Request) (passerelle.StaffSession, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return passerelle.StaffSession{}, passerelle.ErrUnauthorized
	}
	return s.Store.StaffSession(r.Context(), hashSecret(c.Value), s.now())
}

func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.Secure}
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.logger().Error("staff page: "+what, "path", r.URL.Path, "err", err)
	http.Error(w, "The hub could not "+what+": see the hub's log.", http.StatusInternalServerError)
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// hashSecret: a session token is 256 random bits, so a fast hash keeps it
// from anyone who reads the database, as the kiosks' credentials are.
func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails on the systems Go supports
	return base64.RawURLEncoding.EncodeToString(b)
}

// clientIP is the address the request came from. Behind a proxy every
// staff member shares the proxy's: the per-account limit still holds.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
