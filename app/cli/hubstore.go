package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"passerelle/app/passerelle"
	"passerelle/app/postgres"
	"passerelle/app/sqlite"
)

// The hub's -db value names its store: a PostgreSQL connection string
// (postgres://... or host=... dbname=...) or the path of a SQLite file.
// Every hub command goes through the functions below, so that the choice
// is made in one place.

// openHubStore opens the store a hub serves from, migrating it: on a
// SQLite file it takes the file's lock (one hub per file); on PostgreSQL
// any number of hubs share the database.
func openHubStore(db string, logger *slog.Logger) (passerelle.HubStore, error) {
	if postgres.IsDSN(db) {
		store := postgres.NewHubDB(db)
		store.Logger = logger
		if err := store.Open(); err != nil {
			return nil, plainPostgres(db, err)
		}
		return store, nil
	}
	store := sqlite.NewHubDB(db)
	if err := store.Open(); err != nil {
		return nil, err
	}
	return store, nil
}

// openHubStoreBeside opens a hub's store that must exist already, beside
// the hubs that may be serving from it: for staff commands (enroll,
// revoke), which on a mistyped path would otherwise create an empty hub.
func openHubStoreBeside(db string) (passerelle.HubStore, error) {
	if postgres.IsDSN(db) {
		store := postgres.NewHubDB(db)
		if err := store.OpenBesideHub(); err != nil {
			return nil, plainPostgres(db, err)
		}
		return store, nil
	}
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("there is no hub database at %s: start the hub once with -db %s, or give -db the file the hub runs on", db, db)
	}
	store := sqlite.NewHubDB(db)
	if err := store.OpenBesideHub(); err != nil {
		return nil, err
	}
	return store, nil
}

// migrateHubStore brings a hub's store to the latest schema without
// serving. A SQLite file is created if missing, as the hub would at its
// start, and refused while a hub runs on it.
func migrateHubStore(ctx context.Context, db string, logger *slog.Logger) error {
	if postgres.IsDSN(db) {
		return plainPostgres(db, postgres.Migrate(ctx, db, logger))
	}
	store := sqlite.NewHubDB(db)
	if err := store.Open(); err != nil {
		return err
	}
	return store.Close()
}

// readStats reads the stats of a kiosk's or a hub's database file, or of
// a hub's PostgreSQL database, read-only.
func readStats(ctx context.Context, db string) (passerelle.DatabaseStats, error) {
	if postgres.IsDSN(db) {
		stats, err := postgres.ReadStats(ctx, db)
		return stats, plainPostgres(db, err)
	}
	return sqlite.ReadStats(ctx, db)
}

// databaseName names a -db value for staff to read: a file's path, or a
// PostgreSQL database and its server, never the password a connection
// string may hold.
func databaseName(db string) string {
	if !postgres.IsDSN(db) {
		return db
	}
	cfg, err := pgconn.ParseConfig(db)
	if err != nil {
		return "given with -db (PostgreSQL)"
	}
	return fmt.Sprintf("%s on %s (PostgreSQL)", cfg.Database, serverName(cfg))
}

// serverName is a PostgreSQL server as staff can check it: host:port, or
// the file of its Unix socket.
func serverName(cfg *pgconn.Config) string {
	if strings.HasPrefix(cfg.Host, "/") {
		return fmt.Sprintf("%s/.s.PGSQL.%d", cfg.Host, cfg.Port)
	}
	return net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
}

// SQLSTATE codes of a connection PostgreSQL refused.
const (
	invalidPassword      = "28P01"
	invalidAuthorization = "28000" // no such role, or pg_hba.conf refuses the client
	invalidDatabase      = "3D000" // no such database
	tooManyConnections   = "53300"
)

// plainPostgres says in plain words why a PostgreSQL database could not be
// used, when the cause is one staff meet setting up a hub: a server that
// cannot be reached, a refused password or role, a missing database. The
// cause's own words follow, in brackets, without the driver's layers of
// retries (none of them holds the password). Other errors are returned as
// they are: the postgres package says them already.
func plainPostgres(db string, err error) error {
	if err == nil {
		return nil
	}
	cfg, perr := pgconn.ParseConfig(db)
	if perr != nil {
		return err // the postgres package says the value is not a DSN
	}
	server := serverName(cfg)
	var pgErr *pgconn.PgError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == invalidPassword:
		return fmt.Errorf("the PostgreSQL server %s refused the password of the role %q: check the user and password in -db (or in ~/.pgpass) [%w]", server, cfg.User, pgErr)
	case errors.As(err, &pgErr) && pgErr.Code == invalidAuthorization:
		return fmt.Errorf("the PostgreSQL server %s refused the role %q for the database %q: create the role, or allow it in the server's pg_hba.conf [%w]",
			server, cfg.User, cfg.Database, pgErr)
	case errors.As(err, &pgErr) && pgErr.Code == invalidDatabase:
		return fmt.Errorf("the PostgreSQL server %s has no database %q: create it (createdb -O %s %s), or correct the database name in -db [%w]",
			server, cfg.Database, cfg.User, cfg.Database, pgErr)
	case errors.As(err, &pgErr) && pgErr.Code == tooManyConnections:
		return fmt.Errorf("the PostgreSQL server %s has no connection left: lower pool_max_conns in -db, or raise the server's max_connections [%w]", server, pgErr)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("the PostgreSQL server's name %s is not known to this machine: check the host in -db [%w]", dnsErr.Name, dnsErr)
	case errors.As(err, &opErr):
		return fmt.Errorf("the PostgreSQL server %s cannot be reached: check the host and port in -db, and that the server runs and accepts connections from this machine [%w]", server, opErr)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("the PostgreSQL server %s did not answer in time: check the host and port in -db, and that a firewall lets this machine reach it [%w]", server, err)
	}
	return err
}

// kioskFile refuses a PostgreSQL connection string as a kiosk's -db: a
// kiosk keeps its answers in a file of its own, and the value would
// otherwise become the path of a new, empty kiosk (password included).
func kioskFile(db string) error {
	if postgres.IsDSN(db) {
		return usagef("-db is a PostgreSQL connection string, and a kiosk's database is a file: give the kiosk's file, like kiosk.db (PostgreSQL is for hubs)")
	}
	return nil
}
