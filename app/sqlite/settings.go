package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passerelle/app/passerelle"
)

var _ passerelle.StaffStore = (*DB)(nil)

// PINHash returns the staff PIN's hash, or ErrNotFound before one is set.
func (db *DB) PINHash(ctx context.Context) (string, error) {
	var hash string
	err := db.rdb.QueryRowContext(ctx, `SELECT hash FROM staff_pin`).Scan(&hash)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && hash == "":
		return "", fmt.Errorf("staff PIN: none set: %w", passerelle.ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("staff PIN: %w", err)
	}
	return hash, nil
}

// SetPINHash stores a new PIN's hash and forgets the wrong PINs.
func (db *DB) SetPINHash(ctx context.Context, hash string, at time.Time) error {
	if hash == "" {
		return errors.New("set staff PIN: no hash")
	}
	_, err := db.wdb.ExecContext(ctx, `
		INSERT INTO staff_pin (one, hash, set_at) VALUES (1, ?, ?)
		ON CONFLICT (one) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at,
			failures = 0, last_failure = 0`, hash, toMillisOrZero(at))
	if err != nil {
		return fmt.Errorf("set staff PIN: %w", err)
	}
	return nil
}

// PINFailures returns the wrong PINs in a row.
func (db *DB) PINFailures(ctx context.Context) (passerelle.PINFailures, error) {
	return pinFailures(ctx, db.rdb)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func pinFailures(ctx context.Context, q queryRower) (passerelle.PINFailures, error) {
	var f passerelle.PINFailures
	var last int64
	err := q.QueryRowContext(ctx, `SELECT failures, last_failure FROM staff_pin`).Scan(&f.Count, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("wrong staff PINs: %w", err)
	}
	f.Last = fromMillisOrZero(last)
	return f, nil
}

// RecordPINFailure counts one more wrong PIN, in one statement: two
// counts never overwrite each other.
func (db *DB) RecordPINFailure(ctx context.Context, at time.Time) (passerelle.PINFailures, error) {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return passerelle.PINFailures{}, fmt.Errorf("count a wrong staff PIN: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO staff_pin (one, failures, last_failure) VALUES (1, 1, ?)
		ON CONFLICT (one) DO UPDATE SET failures = failures + 1, last_failure = excluded.last_failure`,
		toMillis(at)); err != nil {
		return passerelle.PINFailures{}, fmt.Errorf("count a wrong staff PIN: %w", err)
	}
	f, err := pinFailures(ctx, tx)
	if err != nil {
		return f, err
	}
	if err := tx.Commit(); err != nil {
		return f, fmt.Errorf("count a wrong staff PIN: commit: %w", err)
	}
	return f, nil
}

// ClearPINFailures forgets the wrong PINs.
func (db *DB) ClearPINFailures(ctx context.Context) error {
	if _, err := db.wdb.ExecContext(ctx, `UPDATE staff_pin SET failures = 0, last_failure = 0`); err != nil {
		return fmt.Errorf("forget wrong staff PINs: %w", err)
	}
	return nil
}

// SavedSettings returns the settings staff saved, by name.
func (db *DB) SavedSettings(ctx context.Context) (map[string]string, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("saved settings: %w", err)
	}
	defer rows.Close()
	saved := map[string]string{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("saved settings: %w", err)
		}
		saved[name] = value
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("saved settings: %w", err)
	}
	return saved, nil
}

// SaveSettings stores settings by name, all or none.
func (db *DB) SaveSettings(ctx context.Context, values map[string]string, at time.Time) error {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	defer tx.Rollback()
	for name, value := range values {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO settings (name, value, changed_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at`,
			name, value, toMillis(at)); err != nil {
			return fmt.Errorf("save setting %s: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save settings: commit: %w", err)
	}
	return nil
}
