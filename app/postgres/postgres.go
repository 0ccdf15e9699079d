// Package postgres is the hub's store on PostgreSQL, for a national
// network: several stateless hub processes on one database, events
// partitioned by month. It passes the same conformance suite as the
// SQLite hub (app/hubstoretest) and keeps the same rules.
//
// Deployment: create a role and a database it owns, run
// `passerelle hub migrate -db DSN` once, then start the hubs with the same
// DSN. The hubs' role must be able to create tables: each hub creates the
// events' month partitions ahead of time (without that right the events
// still go to the default partition, and the hub logs why).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"passerelle/app/passerelle"
)

var _ passerelle.HubStore = (*HubDB)(nil)

// openTimeout bounds connecting and migrating at Open: a hub that cannot
// reach its database says so instead of hanging.
const openTimeout = time.Minute

// HubDB is the hub's database on a PostgreSQL server. Everything the hub
// knows lives there: any number of hub processes may share it, and a hub
// killed at any moment has lost nothing it acknowledged (an upload is
// acknowledged only after its transaction committed). The only thing a
// process keeps is a cache of which month partitions exist.
type HubDB struct {
	dsn   string
	where string // the database in plain words, never the password
	pool  *pgxpool.Pool

	// Now returns the current time: which months need a partition.
	Now func() time.Time
	// Logger receives what the hub gets over by itself (a partition it
	// could not create: the events go to the default partition).
	Logger *slog.Logger

	mu         sync.Mutex
	months     map[string]bool // partitions known to exist
	retryAfter time.Time       // after a failed creation, do not retry at every batch
}

// NewHubDB returns the hub database at dsn (postgres://... or
// "host=... dbname=..."), to be opened with Open. Pool settings
// (pool_max_conns=...) go in the DSN.
func NewHubDB(dsn string) *HubDB {
	return &HubDB{dsn: dsn, where: describe(dsn), Now: time.Now, Logger: slog.Default()}
}

// describe names a database for messages: host and name, never the
// password a DSN may hold.
func describe(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "the PostgreSQL database given"
	}
	return fmt.Sprintf("the PostgreSQL database %s on %s", cfg.Database, cfg.Host)
}

// Open connects, migrates the schema to the latest version (under an
// advisory lock: hubs starting at once are safe) and creates the
// partitions of the current and next months. It refuses, untouched, a
// database that is not a hub's and one a newer Passerelle migrated.
func (db *HubDB) Open() error {
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	return db.open(ctx)
}

func (db *HubDB) open(ctx context.Context) error {
	cfg, err := pgxpool.ParseConfig(db.dsn)
	if err != nil {
		return fmt.Errorf("open hub database: %s: %w", plainDSNError(), err)
	}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return fmt.Errorf("open %s: %w", db.where, err)
	}
	if err := migrate(ctx, db.pool, db.where); err != nil {
		db.Close()
		if e, ok := errors.AsType[*pgconn.PgError](err); ok && e.Code == insufficientPrivilege {
			return fmt.Errorf("open %s: the role in -db may not create the hub's tables there (make it the database's owner): %w", db.where, err)
		}
		return fmt.Errorf("open %s: %w", db.where, err)
	}
	have, err := partitions(ctx, db.pool)
	if err != nil {
		db.Close()
		return fmt.Errorf("open %s: %w", db.where, err)
	}
	db.months = have
	now := month(db.Now())
	db.ensureMonths(ctx, monthsFrom(now, now.AddDate(0, monthsAhead, 0)))
	return nil
}

// plainDSNError explains a -db value PostgreSQL cannot parse.
func plainDSNError() string {
	return "the -db value is not a PostgreSQL connection string (postgres://user@host/dbname or host=... dbname=...)"
}

// Close closes the connections; closing twice is harmless.
func (db *HubDB) Close() error {
	// pgxpool's Close is idempotent, and a closed pool refuses queries.
	if db.pool != nil {
		db.pool.Close()
	}
	return nil
}

// Migrate brings the hub database at dsn to the latest schema and creates
// the partitions of the current and next months, without serving: what a
// deployment runs first (`passerelle hub migrate -db DSN`). What it did is
// logged to logger.
func Migrate(ctx context.Context, dsn string, logger *slog.Logger) error {
	db := NewHubDB(dsn)
	db.Logger = logger
	if err := db.open(ctx); err != nil {
		return err
	}
	return db.Close()
}

// monthsFrom lists the months from first to last, included.
func monthsFrom(first, last time.Time) []time.Time {
	var ms []time.Time
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		ms = append(ms, m)
	}
	return ms
}

// ensureMonths creates the partitions of these months that the hub does
// not know of. A failure (a role without the CREATE right, say) is logged
// and retried a minute later: the events meanwhile go to the default
// partition, stored all the same.
func (db *HubDB) ensureMonths(ctx context.Context, months []time.Time) {
	db.mu.Lock()
	defer db.mu.Unlock()
	var missing []time.Time
	for _, m := range months {
		if !db.months[partitionName(m)] {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 || db.Now().Before(db.retryAfter) {
		return
	}
	created, err := createPartitions(ctx, db.pool, missing)
	if err != nil {
		db.retryAfter = db.Now().Add(time.Minute)
		db.Logger.Warn("the hub could not create the month partitions of its events; they go to the default partition meanwhile",
			"database", db.where, "err", err)
		return
	}
	for _, m := range missing {
		db.months[partitionName(m)] = true
	}
	if len(created) > 0 {
		db.Logger.Info("month partitions created", "database", db.where, "partitions", created)
	}
}

// DSN returns the connection string the database was made with.
func (db *HubDB) DSN() string { return db.dsn }

// OpenBesideHub is Open: staff commands (hub enroll, hub revoke) may run
// while hubs serve, as PostgreSQL orders every writer. It exists so that
// the command line opens either hub store the same way.
func (db *HubDB) OpenBesideHub() error { return db.Open() }

// IsDSN tells a -db value naming a PostgreSQL database (postgres://...,
// postgresql://..., or libpq settings such as "host=db dbname=hub") from a
// path to a SQLite file: settings start with a libpq keyword and "=".
func IsDSN(value string) bool {
	if strings.HasPrefix(value, "postgres://") || strings.HasPrefix(value, "postgresql://") {
		return true
	}
	key, _, ok := strings.Cut(strings.TrimSpace(value), "=")
	return ok && libpqKeywords[strings.TrimSpace(key)]
}

// libpqKeywords are the settings a key=value DSN may start with.
var libpqKeywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "password": true,
	"passfile": true, "service": true, "sslmode": true, "sslcert": true, "sslkey": true,
	"sslrootcert": true, "connect_timeout": true, "application_name": true, "target_session_attrs": true,
}

// insufficientPrivilege is PostgreSQL's SQLSTATE for "permission denied".
const insufficientPrivilege = "42501"
