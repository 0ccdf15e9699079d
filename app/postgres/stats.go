package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"passerelle/app/passerelle"
)

// ReadStats reads the counts and kiosks of the hub database at dsn, for
// `passerelle stats`. It works while hubs serve: one read-only
// transaction, so every figure comes from the same moment, and it never
// writes (it does not migrate). A database that is not a hub's is refused
// in plain words.
func ReadStats(ctx context.Context, dsn string) (passerelle.DatabaseStats, error) {
	stats := passerelle.DatabaseStats{Kind: passerelle.KindHub}
	where := describe(dsn)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return stats, fmt.Errorf("read stats of %s: %w", where, err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return stats, fmt.Errorf("read stats of %s: %w", where, err)
	}
	defer tx.Rollback(context.Background())

	var isHub bool
	if err := tx.QueryRow(ctx, `
		SELECT count(*) = 3 FROM pg_tables
		WHERE schemaname = current_schema() AND tablename IN ('schema_migrations', 'kiosks', 'events')`).Scan(&isHub); err != nil {
		return stats, fmt.Errorf("read stats of %s: %w", where, err)
	}
	if !isHub {
		return stats, fmt.Errorf("%s is not a Passerelle hub's database: give -db the database the hub runs on", where)
	}
	t, err := hubTotals(ctx, tx)
	if err != nil {
		return stats, fmt.Errorf("read stats of %s: %w", where, err)
	}
	stats.Events, stats.Sessions = t.Events, t.Sessions
	if stats.Kiosks, err = kiosks(ctx, tx); err != nil {
		return stats, fmt.Errorf("read stats of %s: %w", where, err)
	}
	err = tx.QueryRow(ctx, `SELECT hash FROM catalog_publications ORDER BY seq DESC LIMIT 1`).Scan(&stats.LatestCatalog)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return stats, fmt.Errorf("read stats of %s: latest catalog: %w", where, err)
	}
	return stats, nil
}
