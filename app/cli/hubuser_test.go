package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/hubapi"
	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

func TestHubUserAdd(t *testing.T) {
	const password = "un cheval bleu 42"
	for _, tc := range []struct {
		name    string
		account string
		input   string
		code    int
		says    string // on stdout when the command succeeds, stderr otherwise
		stored  bool
	}{
		{"created", "amina", password + "\n" + password + "\n", 0, `"amina" is created`, true},
		{"windows line ends", "amina", password + "\r\n" + password + "\r\n", 0, "is created", true},
		{"the two differ", "amina", password + "\n" + password + "!\n", 1, "the two passwords differ; no account was created", false},
		{"too short", "amina", "short pass\nshort pass\n", 1, "has 10 characters: give at least 12", false},
		{"nothing typed", "amina", "", 1, "no password on the input", false},
		{"typed once", "amina", password + "\n", 1, "no password on the input", false},
		{"name with a space around it", " amina", password + "\n" + password + "\n", 1, "starts or ends with a space", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hub.db")
			hub := sqlite.NewHubDB(path)
			if err := hub.Open(); err != nil {
				t.Fatal(err)
			}
			hub.Close()
			stdin = strings.NewReader(tc.input)
			var out, errs bytes.Buffer
			code := Run(context.Background(), []string{"hub", "user", "add", "-db", path, tc.account}, &out, &errs)
			said := errs.String()
			if code == 0 {
				said = out.String()
			}
			if code != tc.code || !strings.Contains(said, tc.says) {
				t.Fatalf("exit %d, said %q%q; want %d saying %q", code, out.String(), errs.String(), tc.code, tc.says)
			}
			hub = sqlite.NewHubDB(path)
			if err := hub.OpenBesideHub(); err != nil {
				t.Fatal(err)
			}
			defer hub.Close()
			hash, err := hub.StaffPasswordHash(context.Background(), strings.TrimSpace(tc.account))
			if !tc.stored {
				if err == nil {
					t.Fatalf("an account was stored: %q", hash)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(hash, password) || !strings.HasPrefix(hash, "$argon2id$") {
				t.Fatalf("stored %q; want an argon2id hash", hash)
			}
			for attempt, want := range map[string]bool{password: true, password + " ": false, "": false} {
				if ok, err := passerelle.CheckPassword(hash, attempt); err != nil || ok != want {
					t.Errorf("CheckPassword(%q) = %v, %v; want %v", attempt, ok, err, want)
				}
			}
		})
	}
}

func TestHubUserAddTwiceIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	hub := sqlite.NewHubDB(path)
	if err := hub.Open(); err != nil {
		t.Fatal(err)
	}
	hub.Close()
	for i, want := range []int{0, 1} {
		stdin = strings.NewReader("un cheval bleu 42\nun cheval bleu 42\n")
		var out, errs bytes.Buffer
		if code := Run(context.Background(), []string{"hub", "user", "add", "-db", path, "amina"}, &out, &errs); code != want {
			t.Fatalf("add %d: exit %d (%s%s), want %d", i+1, code, out.String(), errs.String(), want)
		}
		if i == 1 && !strings.Contains(errs.String(), "exists already") {
			t.Errorf("the second add said %q", errs.String())
		}
	}
}

// TestHubServesPageAndAPI: the hub's one listener answers the kiosks
// under /api/ and staff everywhere else, each with its own rules.
func TestHubServesPageAndAPI(t *testing.T) {
	store := sqlite.NewHubDB(filepath.Join(t.TempDir(), "hub.db"))
	if err := store.Open(); err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := httptest.NewServer(hubHandler(&hubapi.Server{Store: store}, &hubweb.Server{Store: store, Now: time.Now}))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		name, method, path string
		code               int
		contentType        string
		location           string
	}{
		{"a kiosk without credential", "POST", hubapi.PathReport, http.StatusUnauthorized, "application/json", ""},
		{"an API path that does not exist", "GET", "/api/v1/nothing", http.StatusNotFound, "application/json", ""},
		{"the staff page, signed out", "GET", "/", http.StatusSeeOther, "", "/login"},
		{"the sign-in page", "GET", "/login", http.StatusOK, "text/html; charset=utf-8", ""},
		{"a page that does not exist", "GET", "/nothing", http.StatusNotFound, "text/plain; charset=utf-8", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader("{}"))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) ||
				resp.Header.Get("Location") != tc.location {
				t.Fatalf("%s %s: %s %q to %q; want %d %q to %q", tc.method, tc.path, resp.Status,
					resp.Header.Get("Content-Type"), resp.Header.Get("Location"), tc.code, tc.contentType, tc.location)
			}
		})
	}
}
