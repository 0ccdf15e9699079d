package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Advisory lock keys: one per kind of schema change, held for the length
// of a transaction, so that hubs starting or rolling months at once take
// turns. The values are arbitrary; they only have to be Passerelle's own.
const (
	migrateLock   int64 = 0x70617373_00000001 // "pass", 1
	partitionLock int64 = 0x70617373_00000002
	publishLock   int64 = 0x70617373_00000003
)

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order: NNNN_name.sql.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: no version number: %w", base, err)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, base, string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// migrate brings the schema to the latest version in one transaction,
// under an advisory lock: of several hubs starting at once on a new
// database, one migrates and the others then find nothing left to do.
// DDL is transactional in PostgreSQL, so a failed migration leaves the
// database as it was. It refuses, untouched, a database holding tables
// that are not a Passerelle hub's, and one a newer Passerelle migrated.
func migrate(ctx context.Context, conn interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}, where string) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return err
	}
	// Read after the lock: a hub that migrated meanwhile is seen.
	var tables []string
	rows, err := tx.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		return err
	}
	if tables, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return err
	}
	if len(tables) > 0 && !slices.Contains(tables, "schema_migrations") {
		return fmt.Errorf("%s is not a Passerelle hub's database: it holds other tables (%s): give -db an empty database or a hub's, nothing was changed",
			where, strings.Join(tables[:min(len(tables), 5)], ", "))
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	var applied int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return err
	}
	if latest := ms[len(ms)-1].version; applied > latest {
		return fmt.Errorf("%s was migrated by a newer Passerelle (schema version %d, this one knows up to %d): run the newer Passerelle, nothing was changed",
			where, applied, latest)
	}
	for _, m := range ms {
		if m.version <= applied {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
