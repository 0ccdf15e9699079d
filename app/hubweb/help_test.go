package hubweb_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// askHelp stores a kiosk's help call as the kiosk pushes it to the hub
// ahead of its sync: its help_asked event alone (the session's earlier
// events may still wait in the kiosk's outbox), through PutEvents, the
// store call the hub's help endpoint makes. It returns the session's id.
func askHelp(t testing.TB, store passerelle.HubStore, kiosk, procedure, step string, at time.Time) string {
	t.Helper()
	sid := passerelle.NewID(at)
	putEvents(t, store, kiosk, []passerelle.Event{{ID: passerelle.NewID(at), SessionID: sid, Seq: 4,
		Kind: passerelle.EventHelpAsked, At: at, ProcedureID: procedure, ProcedureVersion: 1, StepID: step}})
	return sid
}

// handleAtKiosk stores the help_handled a kiosk records when its staff
// mark the call there, or when it learns of the hub's mark.
func handleAtKiosk(t testing.TB, store passerelle.HubStore, kiosk, sid, procedure, step string, at time.Time) {
	t.Helper()
	putEvents(t, store, kiosk, []passerelle.Event{{ID: passerelle.NewID(at), SessionID: sid, Seq: 5,
		Kind: passerelle.EventHelpHandled, At: at, ProcedureID: procedure, ProcedureVersion: 1, StepID: step}})
}

// waitingPart is the "Waiting for help" part of a page, up to the kiosks'
// table, so that a test does not find a kiosk's name in the wrong list.
func waitingPart(t testing.TB, body string) string {
	t.Helper()
	start := strings.Index(body, "Waiting for help")
	end := strings.Index(body, `<table class="kiosks">`)
	if start < 0 || end < start {
		t.Fatalf("no Waiting for help part above the kiosks:\n%s", body)
	}
	return body[start:end]
}

const caf = "caf-quarterly-declaration"

func TestHelpCallsWaiting(t *testing.T) {
	for _, tc := range []struct {
		name string
		// calls stores the calls the kiosks pushed; the page is then
		// fetched at t0 (10:00 in Paris).
		calls    func(t *testing.T, hub *testHub)
		want     []string // in this order
		notWants []string
		title    string // the kiosks page's title, before " · Passerelle hub"; "" unchecked
	}{
		{
			name:     "nobody waits",
			calls:    func(*testing.T, *testHub) {},
			want:     []string{"Nobody is waiting."},
			notWants: []string{"<table class=\"help\">", "Handled"},
			title:    "Kiosks",
		},
		{
			name: "one call, with the procedure's French title",
			calls: func(t *testing.T, hub *testHub) {
				askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-7*time.Minute))
			},
			want:     []string{"mairie-évry", "Déclarer mes ressources à la CAF", "<code>months</code>", "09:53", "7 min", `<button type="submit">Handled</button>`},
			notWants: []string{"Nobody is waiting.", "yesterday"},
			title:    "(1) Kiosks",
		},
		{
			name: "oldest first, every kiosk",
			calls: func(t *testing.T, hub *testHub) {
				seedKiosk(t, hub.Store, "ccas-sud")
				askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-2*time.Minute))
				askHelp(t, hub.Store, "ccas-sud", caf, "documents", t0.Add(-95*time.Minute))
			},
			want: []string{"ccas-sud", "<code>documents</code>", "08:25", "1 h 35 min",
				"mairie-évry", "<code>months</code>", "09:58", "2 min"},
			title: "(2) Kiosks",
		},
		{
			name: "a procedure the catalog lacks shows its id",
			calls: func(t *testing.T, hub *testHub) {
				askHelp(t, hub.Store, "mairie-évry", "caf-rsa", "address", t0.Add(-30*time.Second))
			},
			want: []string{"<td>caf-rsa</td>", "less than 1 min"},
		},
		{
			name: "a procedure without a French title shows another",
			calls: func(t *testing.T, hub *testHub) {
				askHelp(t, hub.Store, "mairie-évry", "english-only", "welcome", t0.Add(-time.Minute))
			},
			want: []string{"<td>Only in English</td>"},
		},
		{
			name: "a call before any procedure was chosen",
			calls: func(t *testing.T, hub *testHub) {
				askHelp(t, hub.Store, "mairie-évry", "", "home", t0.Add(-time.Minute))
			},
			want: []string{"no procedure chosen yet", "<code>home</code>"},
		},
		{
			name: "a call from last night",
			calls: func(t *testing.T, hub *testHub) {
				askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-11*time.Hour))
			},
			want: []string{"yesterday 23:00", "11 h 00 min"},
		},
		{
			name: "calls older than 12 hours are not shown",
			calls: func(t *testing.T, hub *testHub) {
				askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-12*time.Hour-time.Minute))
			},
			want: []string{"Nobody is waiting."},
		},
		{
			name: "a call handled at the kiosk is gone",
			calls: func(t *testing.T, hub *testHub) {
				sid := askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-7*time.Minute))
				handleAtKiosk(t, hub.Store, "mairie-évry", sid, caf, "months", t0.Add(-time.Minute))
			},
			want: []string{"Nobody is waiting."},
		},
		{
			name: "a call marked here waits for its kiosk, without a button",
			calls: func(t *testing.T, hub *testHub) {
				sid := askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-7*time.Minute))
				if err := hub.Store.MarkHelpHandled(context.Background(), "mairie-évry", sid, "bruno", t0.Add(-3*time.Minute)); err != nil {
					t.Fatal(err)
				}
			},
			want:     []string{"mairie-évry", "handled by bruno at 09:57, the kiosk will be told"},
			notWants: []string{"Handled</button>"},
			title:    "Kiosks", // someone is on it
		},
		{
			name: "what a kiosk sends is shown as text, never as markup",
			calls: func(t *testing.T, hub *testHub) {
				askHelp(t, hub.Store, "mairie-évry", "<i>proc</i>", `<img src=x onerror="alert(1)">`, t0.Add(-time.Minute))
			},
			want:     []string{"&lt;i&gt;proc&lt;/i&gt;", "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"},
			notWants: []string{"<i>proc", "<img"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := startHub(t, false)
			tc.calls(t, hub)
			c := newClient(t)
			mustLogin(t, c, hub)
			for _, path := range []string{"/live", "/"} {
				resp, body := get(t, c, hub.URL+path)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %s", path, resp.Status)
				}
				part := waitingPart(t, body)
				at := 0
				for _, w := range tc.want {
					i := strings.Index(part[at:], w)
					if i < 0 {
						t.Fatalf("GET %s: the waiting part lacks %q after %q:\n%s", path, w, part[:at], part)
					}
					at += i + len(w)
				}
				for _, w := range tc.notWants {
					if strings.Contains(part, w) {
						t.Errorf("GET %s: the waiting part shows %q:\n%s", path, w, part)
					}
				}
				if tc.title != "" && path == "/" && !strings.Contains(body, "<title>"+tc.title+" · Passerelle hub</title>") {
					t.Errorf("the kiosks page's title is not %q:\n%s", tc.title, body[:min(len(body), 400)])
				}
			}
		})
	}
}

func TestMarkHelpHandled(t *testing.T) {
	for _, tc := range []struct {
		name string
		// before happens between the page's load and the click.
		before   func(t *testing.T, hub *testHub, sid string)
		form     func(sid string) url.Values // the form's fields but the token
		code     int
		location string
		// markedBy is who the hub says marked the call; "" when the call
		// is no longer open.
		markedBy string
		page     string // what the page then says
	}{
		{
			name:     "the open call",
			before:   func(*testing.T, *testHub, string) {},
			form:     func(sid string) url.Values { return url.Values{"kiosk": {"mairie-évry"}, "session": {sid}} },
			code:     http.StatusSeeOther,
			location: "/",
			markedBy: staffName,
			page:     "handled by " + staffName + " at 10:00, the kiosk will be told",
		},
		{
			name: "a colleague was first",
			before: func(t *testing.T, hub *testHub, sid string) {
				if err := hub.Store.MarkHelpHandled(context.Background(), "mairie-évry", sid, "bruno", t0); err != nil {
					t.Fatal(err)
				}
			},
			form:     func(sid string) url.Values { return url.Values{"kiosk": {"mairie-évry"}, "session": {sid}} },
			code:     http.StatusSeeOther,
			location: "/?help=taken",
			markedBy: "bruno",
			page:     "This call was already handled, by a colleague or at the kiosk: nothing more to do.",
		},
		{
			name: "handled at the kiosk meanwhile",
			before: func(t *testing.T, hub *testHub, sid string) {
				handleAtKiosk(t, hub.Store, "mairie-évry", sid, caf, "months", t0)
			},
			form:     func(sid string) url.Values { return url.Values{"kiosk": {"mairie-évry"}, "session": {sid}} },
			code:     http.StatusSeeOther,
			location: "/?help=taken",
			page:     "Nobody is waiting.",
		},
		{
			name:     "another kiosk's session",
			before:   func(*testing.T, *testHub, string) {},
			form:     func(sid string) url.Values { return url.Values{"kiosk": {"ccas-sud"}, "session": {sid}} },
			code:     http.StatusSeeOther,
			location: "/?help=taken",
			markedBy: "",
			page:     "Handled</button>",
		},
		{
			name:   "a session id made up",
			before: func(*testing.T, *testHub, string) {},
			form: func(string) url.Values {
				return url.Values{"kiosk": {"mairie-évry"}, "session": {"'; DROP TABLE events; --"}}
			},
			code:     http.StatusSeeOther,
			location: "/?help=taken",
			page:     "Handled</button>",
		},
		{
			name:   "no session named",
			before: func(*testing.T, *testHub, string) {},
			form:   func(string) url.Values { return url.Values{"kiosk": {"mairie-évry"}} },
			code:   http.StatusBadRequest,
			page:   "Handled</button>",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := startHub(t, false)
			sid := askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-7*time.Minute))
			c := newClient(t)
			mustLogin(t, c, hub)
			_, page := get(t, c, hub.URL+"/")
			tc.before(t, hub, sid)
			form := tc.form(sid)
			form.Set("csrf", csrfOf(t, page))
			resp, body := post(t, c, hub.URL+"/help/handled", form)
			if resp.StatusCode != tc.code || resp.Header.Get("Location") != tc.location {
				t.Fatalf("mark handled: %s to %q (%s); want %d to %q", resp.Status, resp.Header.Get("Location"), body, tc.code, tc.location)
			}
			calls, err := hub.Store.HubOpenHelpCalls(context.Background(), t0.Add(-time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			var marked []string
			for _, c := range calls {
				marked = append(marked, c.MarkedBy)
			}
			if tc.markedBy != "" && (len(calls) != 1 || calls[0].MarkedBy != tc.markedBy || !calls[0].MarkedAt.Equal(t0)) {
				t.Errorf("open calls marked by %q; want one marked by %s at %v: %+v", marked, tc.markedBy, t0, calls)
			}
			if tc.markedBy == "" && len(calls) == 1 && calls[0].MarkedBy != "" {
				t.Errorf("the call is marked by %q", calls[0].MarkedBy)
			}
			next := tc.location
			if next == "" {
				next = "/"
			}
			_, after := get(t, c, hub.URL+next)
			contains(t, "the page after the click", after, tc.page)
		})
	}
}

func TestMarkHelpHandledNeedsTheToken(t *testing.T) {
	hub := startHub(t, false)
	sid := askHelp(t, hub.Store, "mairie-évry", caf, "months", t0.Add(-7*time.Minute))
	c := newClient(t)
	mustLogin(t, c, hub)
	resp, _ := post(t, c, hub.URL+"/help/handled", url.Values{"kiosk": {"mairie-évry"}, "session": {sid}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("mark handled without the token: %s; want 403", resp.Status)
	}
	calls, err := hub.Store.HubOpenHelpCalls(context.Background(), t0.Add(-time.Hour))
	if err != nil || len(calls) != 1 || calls[0].MarkedBy != "" {
		t.Fatalf("after a refused mark: %+v, %v; want the call open and unmarked", calls, err)
	}
}
