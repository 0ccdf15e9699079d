package hubapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"passerelle/app/passerelle"
)

// TokenLifetime is how long an enrollment token may be exchanged.
const TokenLifetime = 7 * 24 * time.Hour

// maxSecretLen bounds a token or credential read from a request: ours are
// 43 characters.
const maxSecretLen = 256

// Server answers the API on the hub.
type Server struct {
	Store  passerelle.HubStore
	Logger *slog.Logger
	Now    func() time.Time

	// The latest catalog's archive, kept after its first download: every
	// kiosk asks at every sync, and the store is asked only for the
	// latest hash. Any hub process may publish, so the hash is always
	// read from the store; only the bytes of a hash are cached.
	mu     sync.Mutex
	cached passerelle.CatalogVersion
}

// Handler returns the API's routes, every body size-limited.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathJoin, s.join)
	mux.Handle("POST "+PathReport, s.authenticated(s.report))
	mux.Handle("POST "+PathEvents, s.authenticated(s.events))
	mux.Handle("POST "+PathHelp, s.authenticated(s.help))
	mux.Handle("GET "+PathCatalog, s.authenticated(s.catalog))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "There is no such page on this hub.")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBytes)
		mux.ServeHTTP(w, r)
	})
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

// hashSecret is how a token or a credential reaches the store. Both are 256
// random bits (newSecret): nobody can guess one or search for it, even
// knowing its hash, so a fast hash suffices where a password would need a
// slow one (bcrypt, argon2) against a dictionary. A fast hash also keeps
// every request of 200 kiosks cheap to authenticate.
func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// newSecret returns 256 random bits, URL-safe.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails on the systems Go supports
	return base64.RawURLEncoding.EncodeToString(b)
}

// Enroll creates the kiosk name on the hub and returns its one-time
// enrollment token, valid TokenLifetime. The store keeps only the token's
// hash: this is the only time it exists in clear.
func Enroll(ctx context.Context, store passerelle.HubStore, name string, now time.Time) (string, error) {
	if err := checkKioskName(name); err != nil {
		return "", err
	}
	token := newSecret()
	if err := store.EnrollKiosk(ctx, name, hashSecret(token), now.Add(TokenLifetime), now); err != nil {
		if errors.Is(err, passerelle.ErrExists) {
			// One sentence for staff; the store's wording stays for errors.Is.
			return "", &hubError{fmt.Sprintf("the kiosk %q has already joined or was revoked: enroll it under another name", name), err}
		}
		return "", fmt.Errorf("enroll %s: %w", name, err)
	}
	return token, nil
}

func checkKioskName(name string) error {
	if strings.TrimSpace(name) == "" || name != strings.TrimSpace(name) {
		return fmt.Errorf("the kiosk name %q is empty or starts or ends with a space", name)
	}
	if len(name) > 100 {
		return fmt.Errorf("the kiosk name is longer than 100 bytes")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("the kiosk name %q holds a character that cannot be printed", name)
		}
	}
	return nil
}

// kioskHandler serves a request of an authenticated kiosk.
type kioskHandler func(w http.ResponseWriter, r *http.Request, k passerelle.Kiosk)

// authenticated refuses a request without the credential of a kiosk in
// good standing before anything of it is read or stored.
func (s *Server) authenticated(next kioskHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		credential, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || credential == "" || len(credential) > maxSecretLen {
			writeError(w, http.StatusUnauthorized, "This request has no kiosk credential: join the hub first.")
			return
		}
		k, err := s.Store.Authenticate(r.Context(), hashSecret(credential), s.now())
		switch {
		case errors.Is(err, passerelle.ErrRevoked):
			writeError(w, http.StatusForbidden, "This kiosk was revoked: ask staff to enroll it under a new name, then join again.")
			return
		case errors.Is(err, passerelle.ErrUnauthorized):
			writeError(w, http.StatusUnauthorized, "The hub does not know this kiosk's credential.")
			return
		case err != nil:
			s.internal(w, r, "authenticate", err)
			return
		}
		next(w, r, k)
	})
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	token, err := decodeJoin(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, sentence(err))
		return
	}
	credential := newSecret()
	var k passerelle.Kiosk
	err = passerelle.ErrUnauthorized
	if token != "" && len(token) <= maxSecretLen {
		k, err = s.Store.JoinKiosk(r.Context(), hashSecret(token), hashSecret(credential), s.now())
	}
	if errors.Is(err, passerelle.ErrUnauthorized) {
		writeError(w, http.StatusUnauthorized, "This enrollment token was refused: it was used, has expired or is mistyped.")
		return
	}
	if err != nil {
		s.internal(w, r, "join", err)
		return
	}
	s.logger().Info("a kiosk joined the hub", "kiosk", k.Name)
	writeJSON(w, http.StatusOK, JoinResponse{Kiosk: k.Name, Credential: credential})
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, k passerelle.Kiosk) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	rep, err := decodeReport(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, sentence(err))
		return
	}
	if err := s.Store.SaveReport(r.Context(), k.Name, rep, s.now()); err != nil {
		s.internal(w, r, "save report", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) events(w http.ResponseWriter, r *http.Request, k passerelle.Kiosk) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	valid, refused, err := decodeEvents(body, s.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, sentence(err))
		return
	}
	resp, ok := s.putEvents(w, r, k, valid, refused)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// help stores a kiosk's help events as events does, then answers with the
// marks staff made on its calls.
func (s *Server) help(w http.ResponseWriter, r *http.Request, k passerelle.Kiosk) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	valid, refused, err := decodeHelp(body, s.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, sentence(err))
		return
	}
	events, ok := s.putEvents(w, r, k, valid, refused)
	if !ok {
		return
	}
	// After the events: a help_handled just pushed closes its call, and
	// its mark is not sent back.
	marks, err := s.Store.HelpMarks(r.Context(), k.Name)
	if err != nil {
		s.internal(w, r, "help marks", err)
		return
	}
	resp := HelpResponse{Held: events.Held, Conflicts: events.Conflicts, Marks: make([]HelpMark, len(marks))}
	for i, m := range marks {
		resp.Marks[i] = HelpMark{SessionID: m.SessionID, MarkedAt: m.MarkedAt.UnixMilli()}
	}
	writeJSON(w, http.StatusOK, resp)
}

// putEvents stores the events of a batch the kiosk k sent and says which
// the hub holds; it answers 500 itself when the store fails.
func (s *Server) putEvents(w http.ResponseWriter, r *http.Request, k passerelle.Kiosk, valid []passerelle.Event, refused []Conflict) (EventsResponse, bool) {
	resp := EventsResponse{Held: []string{}, Conflicts: refused}
	if len(valid) > 0 {
		held, conflicts, err := s.Store.PutEvents(r.Context(), k.Name, valid)
		if err != nil {
			s.internal(w, r, "put events", err)
			return resp, false
		}
		resp.Held = append(resp.Held, held...)
		for _, c := range conflicts {
			resp.Conflicts = append(resp.Conflicts, Conflict{ID: c.ID, Reason: c.Reason})
		}
	}
	s.logConflicts(k.Name, resp.Conflicts)
	return resp, true
}

// logConflicts warns staff of refused events: a few in full, then a count,
// so a kiosk gone wrong cannot flood the log.
func (s *Server) logConflicts(kiosk string, conflicts []Conflict) {
	const shown = 5
	for i, c := range conflicts {
		if i == shown {
			s.logger().Warn("more events refused", "kiosk", kiosk, "count", len(conflicts)-shown)
			return
		}
		s.logger().Warn("event refused", "kiosk", kiosk, "event", clip(c.ID), "reason", c.Reason)
	}
}

func (s *Server) catalog(w http.ResponseWriter, r *http.Request, k passerelle.Kiosk) {
	hash, err := s.Store.LatestCatalogHash(r.Context())
	if errors.Is(err, passerelle.ErrNotFound) {
		writeError(w, http.StatusNotFound, "The hub has published no catalog yet.")
		return
	}
	if err != nil {
		s.internal(w, r, "latest catalog", err)
		return
	}
	etag := `"` + hash + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Catalog-Hash", hash)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	v, err := s.latestCatalog(r.Context(), hash)
	if err != nil {
		s.internal(w, r, "latest catalog", err)
		return
	}
	if v.Hash != hash { // published again between the two reads
		w.Header().Set("ETag", `"`+v.Hash+`"`)
		w.Header().Set("Catalog-Hash", v.Hash)
	}
	// A catalog with recordings over a slow line takes longer than any
	// other answer: this one may write for as long as the kiosk waits.
	if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(catalogTimeout)); err != nil {
		s.logger().Debug("catalog: the write deadline stays the server's", "err", err)
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Length", fmt.Sprint(len(v.Archive)))
	w.WriteHeader(http.StatusOK)
	w.Write(v.Archive)
}

// latestCatalog returns the catalog version named hash from the cache, or
// the latest one from the store, which it then caches.
func (s *Server) latestCatalog(ctx context.Context, hash string) (passerelle.CatalogVersion, error) {
	s.mu.Lock()
	v := s.cached
	s.mu.Unlock()
	if v.Hash == hash {
		return v, nil
	}
	v, err := s.Store.LatestCatalog(ctx)
	if err != nil {
		return v, err
	}
	s.mu.Lock()
	s.cached = v
	s.mu.Unlock()
	return v, nil
}

// etagMatches reads If-None-Match: "*" or a list of entity tags, weak or
// not.
func etagMatches(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// readBody reads a request's body, answering 413 past MaxRequestBytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request is larger than %d bytes.", MaxRequestBytes))
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, "The request could not be read whole.")
		return nil, false
	}
	return body, true
}

// internal answers 500 and logs why: the kiosk retries later.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, op string, err error) {
	s.logger().Error("request failed", "path", r.URL.Path, "op", op, "err", err)
	writeError(w, http.StatusInternalServerError, "The hub failed to answer; it will be retried.")
}

// sentence turns a decoding error into the answer's sentence.
func sentence(err error) string {
	msg := strings.TrimSuffix(err.Error(), ": "+errBadRequest.Error())
	if msg == "" {
		return "The request is not valid."
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, Error{Error: msg})
}

// ServeConfig is how the hub listens.
type ServeConfig struct {
	Addr           string // host:port
	TLSCert        string // certificate file (PEM, chain); with TLSKey, serve HTTPS
	TLSKey         string // private key file (PEM)
	AllowPlainHTTP bool   // serve plain HTTP on an address other than loopback
	Handler        http.Handler
	Logger         *slog.Logger
	// Listener, when set, is used instead of listening on Addr (tests
	// listen on port 0 and read the port first; systemd passes sockets).
	Listener net.Listener
}

// The server's timeouts. A batch is at most 2 MiB: a minute to send it is a
// link below 300 bit/s. A catalog archive may be large: two minutes to
// write it.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownGrace     = 30 * time.Second
)

// Serve answers on the address until ctx is done, then shuts down
// gracefully: requests in flight (a batch being stored) finish, within a
// grace period. It serves HTTPS with the certificate files, and refuses
// plain HTTP on an address other than loopback unless AllowPlainHTTP:
// credentials would cross the network in clear.
func Serve(ctx context.Context, c ServeConfig) error {
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("give both a TLS certificate and its key, or neither")
	}
	useTLS := c.TLSCert != ""
	srv := &http.Server{
		Handler:           c.Handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if useTLS {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return fmt.Errorf("load the TLS certificate %s and key %s: %w", c.TLSCert, c.TLSKey, err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln := c.Listener
	addr := c.Addr
	if ln != nil {
		addr = ln.Addr().String()
	}
	if !useTLS && !c.AllowPlainHTTP && !isLoopback(addr) {
		if ln != nil {
			ln.Close()
		}
		return fmt.Errorf("refusing plain HTTP on %s, which is not a loopback address: give a TLS certificate and key", addr)
	}
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
	if useTLS {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("the hub is listening", "addr", ln.Addr().String(), "tls", useTLS)
	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	logger.Info("the hub is stopping: requests in flight finish first", "grace", shutdownGrace)
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(grace); err != nil {
		srv.Close()
		return fmt.Errorf("shut down %s: %w", addr, err)
	}
	logger.Info("the hub stopped")
	return nil
}

// isLoopback says whether addr listens only on this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
