package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// TestConnectionsCutMidUpload cuts the hub's database connections again
// and again while kiosks upload (what a hub killed mid-batch, or a
// database failover, does to its sessions). Kiosks resend what was not
// acknowledged. After: every acknowledged event is stored, every event is
// stored once, and the kept counts equal the rows.
func TestConnectionsCutMidUpload(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	db := openHub(t)
	const kiosks, batches, batchSize = 4, 30, 200
	all := map[string][]passerelle.Event{}
	for k := range kiosks {
		name := fmt.Sprint("k", k)
		joinKiosk(t, db, name)
		for i := range batches * batchSize / 20 {
			all[name] = append(all[name], events(time.Date(2026, 11, 1, k, i, 0, 0, time.UTC), 20)...)
		}
	}
	conn := connect(t, db.DSN())
	acked := make(chan string, kiosks*batches)
	done := make(chan struct{})
	cuts := 0
	go func() {
		// Each acknowledged batch cuts every connection of the hub but
		// this one, mid-flight for the other kiosks.
		defer close(done)
		for range acked {
			if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
				t.Errorf("cut connections: %v", err)
				return
			}
			cuts++
		}
	}()
	var wg sync.WaitGroup
	failures := make([]int, kiosks)
	for k := range kiosks {
		name := fmt.Sprint("k", k)
		wg.Go(func() {
			for i := 0; i < batches; {
				batch := all[name][i*batchSize : (i+1)*batchSize]
				held, conflicts, err := db.PutEvents(ctx, name, batch)
				if err != nil {
					failures[k]++ // resent, as a kiosk does
					if failures[k] > 50*batches {
						t.Errorf("%s: batch %d never got through: %v", name, i, err)
						return
					}
					continue
				}
				if len(held) != batchSize || len(conflicts) != 0 {
					t.Errorf("%s: batch %d: held %d, conflicts %v", name, i, len(held), conflicts)
				}
				acked <- name
				i++
			}
		})
	}
	wg.Wait()
	close(acked)
	<-done
	// Read back through a hub started afresh: the cut pool's idle
	// connections are dead, and its next query would only say so.
	db = openHubOn(t, db.DSN())
	total, cut := 0, 0
	for k := range kiosks {
		name := fmt.Sprint("k", k)
		want := make([]string, 0, len(all[name]))
		for _, e := range all[name] {
			want = append(want, e.ID)
		}
		slices.Sort(want)
		if got, err := db.EventIDs(ctx, name); err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: the hub holds %d ids, %v; want the kiosk's %d, each once", name, len(got), err, len(want))
		}
		total += len(want)
		cut += failures[k]
	}
	if cut == 0 {
		t.Errorf("no upload was cut in %d cuts: the test proved nothing", cuts)
	}
	tot, err := db.Totals(ctx)
	rows := query[int64](t, conn, `SELECT count(*) FROM events`)[0]
	sessions := query[int64](t, conn, `SELECT count(*) FROM events WHERE kind = 'session_started'`)[0]
	if err != nil || tot.Events != total || int64(tot.Events) != rows || int64(tot.Sessions) != sessions {
		t.Errorf("Totals = %+v, %v; rows %d, sessions %d; want %d events, counts equal to the rows", tot, err, rows, sessions, total)
	}
	t.Logf("%d cuts, %d uploads cut and resent", cuts, cut)
}
