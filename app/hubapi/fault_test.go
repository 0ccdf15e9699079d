package hubapi

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// rounds is how many times each fault test runs, each with other draws:
// enough to meet every fault at every stage of a sync.
const rounds = 6

// TestSyncThroughAFaultyNetwork: between a kiosk and its hub, a proxy
// drops connections, cuts requests, delays, sends requests twice and cuts
// the hub's answers before the ack reaches the kiosk. The kiosk retries
// until a sync succeeds; then the hub holds exactly the kiosk's events.
func TestSyncThroughAFaultyNetwork(t *testing.T) {
	// Other draws at each run, so that CI runs add up; a failure is
	// replayed with PASSERELLE_FAULT_SEED.
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("PASSERELLE_FAULT_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("PASSERELLE_FAULT_SEED=%d", seed)
	var seen [faultCount]int
	for round := range rounds {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			hub := newHub(t)
			p := startProxy(t, hub.Addr, seed+uint64(round), 0.5)
			kiosk, dir := newKiosk(t)
			link := join(t, hub.Store, kiosk, "mairie-1", hub.URL)
			link.URL = p.URL
			if err := kiosk.SaveHubLink(context.Background(), link); err != nil {
				t.Fatal(err)
			}
			// A kiosk in use: events come in waves, each synced.
			s := &Syncer{Outbox: kiosk, DataDir: dir, AppVersion: "test"}
			var ids []string
			for range 12 {
				ids = append(ids, appendSessions(t, kiosk, 15, 40)...) // 600 events, 2 batches
				syncUntilDone(t, s, 300)
			}
			assertHubHolds(t, hub.Store, "mairie-1", ids)
			for f, n := range p.faults() {
				seen[f] += n
			}
		})
	}
	t.Logf("faults struck: %v", fmt.Sprint(faultNames, seen))
	for f := faultDrop; f < faultCount; f++ {
		if seen[f] == 0 {
			t.Errorf("the fault %q never struck: the test proved nothing of it", faultNames[f])
		}
	}
}
