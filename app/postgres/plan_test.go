package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"passerelle/app/passerelle"
	"passerelle/app/postgres/postgrestest"
)

// TestConflictLookupReadsOnePartitionByKey guards the upload's cost: the
// read-back of a batch must be one primary key lookup per id, in the id's
// partition only, whatever the planner thinks of the table's size. (A
// plain join was planned as a scan of every event.)
func TestConflictLookupReadsOnePartitionByKey(t *testing.T) {
	t.Parallel() // each test has a database of its own
	ctx := context.Background()
	db := NewHubDB(postgrestest.NewDatabase(t))
	db.Logger = slog.New(slog.DiscardHandler)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	if err := db.EnrollKiosk(ctx, "k", []byte("t"), now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.JoinKiosk(ctx, []byte("t"), []byte("c"), now); err != nil {
		t.Fatal(err)
	}
	batch := func(start time.Time) []passerelle.Event {
		var es []passerelle.Event
		for i := range 500 {
			at := start.Add(time.Duration(i) * time.Millisecond)
			es = append(es, passerelle.Event{ID: passerelle.NewID(at), SessionID: fmt.Sprint("s", i/20),
				Seq: i%20 + 1, Kind: passerelle.EventStepShown, At: at})
		}
		return es
	}
	start := now.Add(-time.Hour)
	for i := range 40 {
		if _, _, err := db.PutEvents(ctx, "k", batch(start.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	sent := batch(start.Add(time.Minute))
	if _, _, err := db.PutEvents(ctx, "k", sent); err != nil {
		t.Fatal(err)
	}
	n := len(sent)
	ids, sessions, kinds, empty := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	idTimes, ats, zeros := make([]pgtype.Timestamptz, n), make([]time.Time, n), make([]int64, n)
	for i, e := range sent {
		ids[i], sessions[i], kinds[i], idTimes[i], ats[i] = e.ID, e.SessionID, string(e.Kind), idTime(e.ID), e.At
	}
	conn, err := pgx.Connect(ctx, db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, COSTS off) "+selectConflicts,
		"k", ids, idTimes, sessions, zeros, kinds, ats, empty, empty, zeros, empty, empty, empty)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "Index Scan using events_") || !strings.Contains(plan, "never executed") {
		t.Errorf("the read-back of a batch is not a key lookup in one partition:\n%s", plan)
	}
}
