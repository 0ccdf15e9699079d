package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// The months the hub creates a partition for, around the current one:
// a backlog up to a year old drains into its own months; the next months
// exist before their first event. Events outside (a clock years off) go to
// the default partition: a bad clock cannot make the hub create thousands
// of tables.
const (
	monthsBack  = 12
	monthsAhead = 2
)

// partitionLockTimeout is how long creating a partition waits for its
// locks before giving up until a minute later (a variable for the tests).
var partitionLockTimeout = 2 * time.Second

// uuidV7 is the form of the ids Passerelle makes (passerelle.NewID); the
// SQL function passerelle_id_time reads the same form.
var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// idTime is the partition key of an event: the time in its id, or
// -infinity for an id that is not a UUIDv7. It must equal the SQL
// function passerelle_id_time, which the table checks.
func idTime(id string) pgtype.Timestamptz {
	if !uuidV7.MatchString(id) {
		return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	ms, err := strconv.ParseInt(id[0:8]+id[9:13], 16, 64)
	if err != nil { // cannot happen: 12 hex digits
		return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	return pgtype.Timestamptz{Time: time.UnixMilli(ms).UTC(), Valid: true}
}

// month is the first instant of t's month, in UTC: partitions are UTC months.
func month(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func partitionName(m time.Time) string {
	return fmt.Sprintf("events_%04d_%02d", m.Year(), int(m.Month()))
}

// window returns the months, around now, that get a partition of their own.
func window(now time.Time) (first, last time.Time) {
	m := month(now)
	return m.AddDate(0, -monthsBack, 0), m.AddDate(0, monthsAhead, 0)
}

// partitions lists the month partitions of events (not the default one).
func partitions(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) (map[string]bool, error) {
	rows, err := q.Query(ctx, `
		SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'events'::regclass AND c.relname <> 'events_default'`)
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	return have, nil
}

// createPartitions creates the partitions of these months that do not
// exist yet, in one transaction, under an advisory lock so that hubs do it
// one at a time. The rows of a month already stored in the default
// partition move into the month's partition first: PostgreSQL refuses a
// partition whose rows sit in the default one.
//
// Each partition is made as a plain table then attached: ATTACH PARTITION
// takes a lock on the parent that lets uploads go on (CREATE TABLE ...
// PARTITION OF would stop them); the default partition is locked for the
// short time its rows are moved and checked.
func createPartitions(ctx context.Context, db interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}, months []time.Time) (created []string, err error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("create partitions: %w", err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, partitionLock); err != nil {
		return nil, fmt.Errorf("create partitions: %w", err)
	}
	// Waiting for its locks behind a long read (an audit of every event),
	// the DDL would make every upload queue behind it: rather give up, and
	// try again later.
	if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, partitionLockTimeout.Milliseconds())); err != nil {
		return nil, fmt.Errorf("create partitions: %w", err)
	}
	have, err := partitions(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, m := range months {
		name := partitionName(m)
		if have[name] {
			continue
		}
		from, to := m.Format(time.RFC3339), m.AddDate(0, 1, 0).Format(time.RFC3339)
		for _, stmt := range []string{
			`LOCK TABLE events_default IN ACCESS EXCLUSIVE MODE`,
			`CREATE TABLE ` + name + ` (LIKE events INCLUDING ALL)`,
			`WITH moved AS (DELETE FROM events_default WHERE id_time >= '` + from + `' AND id_time < '` + to + `' RETURNING *)
			 INSERT INTO ` + name + ` SELECT * FROM moved`,
			`ALTER TABLE events ATTACH PARTITION ` + name + ` FOR VALUES FROM ('` + from + `') TO ('` + to + `')`,
		} {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return nil, fmt.Errorf("create partition %s: %w", name, err)
			}
		}
		have[name] = true
		created = append(created, name)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("create partitions: commit: %w", err)
	}
	return created, nil
}
