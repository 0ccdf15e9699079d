package hubapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"passerelle/app/passerelle"
)

// MaxCatalogBytes bounds the catalog archive a kiosk downloads: it is held
// in memory to be checked before anything is written.
const MaxCatalogBytes = 512 << 20

// ErrUnreachable: the hub could not be reached (no route, refused, timed
// out, cut). The kiosk retries later; nothing is lost.
var ErrUnreachable = errors.New("hub unreachable")

// The client's timeouts. A request is small (a batch is at most 1 MiB) but
// the link may be a weak 4G one; a catalog may be large.
const (
	dialTimeout      = 10 * time.Second
	handshakeTimeout = 10 * time.Second
	headerTimeout    = time.Minute
	requestTimeout   = 2 * time.Minute
	catalogTimeout   = 15 * time.Minute
)

// hubError is an error whose message is one plain sentence for staff,
// still telling callers what it is with errors.Is.
type hubError struct {
	msg string
	err error
}

func (e *hubError) Error() string { return e.msg }
func (e *hubError) Unwrap() error { return e.err }

// client talks to the hub with a kiosk's credential.
type client struct {
	base       string // the hub's URL, without a trailing slash
	credential string
	http       *http.Client
}

func newClient(hubURL, credential string, caPEM []byte) (*client, error) {
	u, err := url.Parse(hubURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("the hub address %q is not a URL like https://hub.example.org:8750", hubURL)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool() // no system roots: the hub's own CA only
	}
	if len(bytes.TrimSpace(caPEM)) > 0 && !roots.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("the hub's CA certificate holds no PEM certificate")
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   handshakeTimeout,
		ResponseHeaderTimeout: headerTimeout,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &client{
		base:       strings.TrimRight(hubURL, "/"),
		credential: credential,
		http:       &http.Client{Transport: transport},
	}, nil
}

// close lets go of idle connections.
func (c *client) close() { c.http.CloseIdleConnections() }

// Join exchanges a one-time enrollment token for the kiosk's credential and
// returns the link to keep (Outbox.SaveHubLink). caPEM, when not empty, is
// trusted for the hub besides the system's certificates.
func Join(ctx context.Context, hubURL, token string, caPEM []byte) (passerelle.HubLink, error) {
	c, err := newClient(hubURL, "", caPEM)
	if err != nil {
		return passerelle.HubLink{}, err
	}
	defer c.close()
	token = strings.TrimSpace(token) // pasted from a terminal
	var resp JoinResponse
	if err := c.do(ctx, http.MethodPost, PathJoin, JoinRequest{Token: token}, &resp); err != nil {
		if errors.Is(err, passerelle.ErrUnauthorized) {
			return passerelle.HubLink{}, &hubError{"the enrollment token was refused (used, expired or mistyped)", err}
		}
		return passerelle.HubLink{}, err
	}
	if resp.Credential == "" || resp.Kiosk == "" {
		return passerelle.HubLink{}, fmt.Errorf("the hub at %s answered the join without a credential", c.base)
	}
	return passerelle.HubLink{
		URL: c.base, Kiosk: resp.Kiosk, Credential: resp.Credential,
		CACert: caPEM, JoinedAt: time.Now().UTC(),
	}, nil
}

func (c *client) report(ctx context.Context, r Report) error {
	return c.do(ctx, http.MethodPost, PathReport, r, nil)
}

func (c *client) events(ctx context.Context, body []byte) (EventsResponse, error) {
	var resp EventsResponse
	err := c.doRaw(ctx, http.MethodPost, PathEvents, body, &resp)
	return resp, err
}

func (c *client) help(ctx context.Context, body []byte) (HelpResponse, error) {
	var resp HelpResponse
	err := c.doRaw(ctx, http.MethodPost, PathHelp, body, &resp)
	return resp, err
}

// catalog downloads the latest catalog unless it is the one named have.
// changed is false when the kiosk has it already or the hub has none.
func (c *client) catalog(ctx context.Context, have string) (archive []byte, hash string, changed bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, catalogTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, PathCatalog, nil)
	if err != nil {
		return nil, "", false, err
	}
	if have != "" {
		req.Header.Set("If-None-Match", `"`+have+`"`)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, "", false, c.unreachable(err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified, http.StatusNotFound:
		return nil, "", false, nil
	case http.StatusOK:
	default:
		return nil, "", false, c.refusal(resp)
	}
	hash = resp.Header.Get("Catalog-Hash")
	if hash == "" {
		hash = strings.Trim(resp.Header.Get("ETag"), `"`)
	}
	if !isSHA256(hash) {
		// It names a folder on the kiosk: never a path.
		return nil, "", false, fmt.Errorf("the catalog from the hub at %s was refused: its hash %q is not a SHA-256", c.base, clip(hash))
	}
	archive, err = io.ReadAll(io.LimitReader(resp.Body, MaxCatalogBytes+1))
	if err != nil {
		return nil, "", false, c.unreachable(err)
	}
	if len(archive) > MaxCatalogBytes {
		return nil, "", false, fmt.Errorf("the catalog from the hub at %s is larger than %d MiB", c.base, MaxCatalogBytes>>20)
	}
	return archive, hash, true, nil
}

// do sends in as JSON and reads the answer into out (nil: none expected).
func (c *client) do(ctx context.Context, method, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return c.doRaw(ctx, method, path, body, out)
}

func (c *client) doRaw(ctx context.Context, method, path string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.unreachable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return c.refusal(resp)
	}
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // lets the connection be reused
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, MaxRequestBytes)).Decode(out); err != nil {
		// A response cut before its end is the network's doing, as when
		// the request never arrived: the kiosk will send it again.
		return c.unreachable(err)
	}
	return nil
}

func (c *client) newRequest(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, fmt.Errorf("the hub address %q is not a valid URL: %w", c.base, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.credential != "" {
		req.Header.Set("Authorization", "Bearer "+c.credential)
	}
	return req, nil
}

func (c *client) unreachable(err error) error {
	return &hubError{fmt.Sprintf("the hub cannot be reached at %s: %v", c.base, cause(err)), errors.Join(ErrUnreachable, err)}
}

// cause gives the innermost error of a failed request, which names what
// went wrong (connection refused, timeout) without repeating the URL.
func cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// refusal turns an error answer into a sentence for staff.
func (c *client) refusal(resp *http.Response) error {
	var e Error
	json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
	said := strings.TrimSpace(e.Error)
	if said == "" {
		said = resp.Status
	}
	switch resp.StatusCode {
	case http.StatusForbidden:
		return &hubError{"the hub refused this kiosk's credential (revoked: ask staff to enroll it under a new name, then join again)", passerelle.ErrRevoked}
	case http.StatusUnauthorized:
		if c.credential == "" {
			return &hubError{"the hub refused: " + said, passerelle.ErrUnauthorized}
		}
		return &hubError{"the hub refused this kiosk's credential (unknown to the hub: ask staff to enroll it again)", passerelle.ErrUnauthorized}
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// a reverse proxy in front of a hub that is down
		return &hubError{fmt.Sprintf("the hub cannot be reached at %s: %s", c.base, said), ErrUnreachable}
	}
	return fmt.Errorf("the hub at %s answered %d: %s", c.base, resp.StatusCode, said)
}

// isSHA256 accepts a hash as bundle.Hash writes it: 64 lowercase hex digits.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
