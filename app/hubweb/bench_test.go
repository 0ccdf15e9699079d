package hubweb_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkLive is one refresh of the kiosks page's live part, as every
// open staff page asks for it every 5 seconds: a hub of 30 kiosks with a
// few weeks of sessions, 30 help calls waiting (one a kiosk) among
// 300 older ones, over loopback HTTP with a signed-in session.
func BenchmarkLive(b *testing.B) {
	hub := startHub(b, false)
	seedWeeks(b, hub.Store, "mairie-évry")
	for i := range 30 {
		kiosk := fmt.Sprintf("kiosk-%02d", i)
		seedKiosk(b, hub.Store, kiosk)
		for j := range 10 { // answered days ago: out of the 12 hours shown
			sid := askHelp(b, hub.Store, kiosk, caf, "months", t0.Add(-time.Duration(24+j)*time.Hour))
			handleAtKiosk(b, hub.Store, kiosk, sid, caf, "months", t0.Add(-time.Duration(24+j)*time.Hour+5*time.Minute))
		}
		askHelp(b, hub.Store, kiosk, caf, "months", t0.Add(-time.Duration(i)*time.Minute))
	}
	c := newClient(b)
	mustLogin(b, c, hub)
	if _, body := get(b, c, hub.URL+"/live"); strings.Count(waitingPart(b, body), "Handled</button>") != 30 {
		b.Fatalf("the live part does not list the 30 calls:\n%s", body)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Get(hub.URL + "/live")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}
