package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"passerelle/app/passerelle"
)

// AddStaffUser creates a staff account of the hub's page, in one
// statement: two hubs adding one name cannot both create it.
func (db *HubDB) AddStaffUser(ctx context.Context, name, passwordHash string, now time.Time) error {
	tag, err := db.pool.Exec(ctx, `INSERT INTO staff_users (name, password_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, passwordHash, now)
	if err != nil {
		return fmt.Errorf("add staff account %s: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("add staff account %s: %w", name, passerelle.ErrExists)
	}
	return nil
}

// StaffPasswordHash returns an account's password hash.
func (db *HubDB) StaffPasswordHash(ctx context.Context, name string) (string, error) {
	var hash string
	err := db.pool.QueryRow(ctx, `SELECT password_hash FROM staff_users WHERE name = $1`, name).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("staff account %s: %w", name, passerelle.ErrNotFound)
	} else if err != nil {
		return "", fmt.Errorf("staff account %s: %w", name, err)
	}
	return hash, nil
}

// CreateStaffSession stores a signed-in session.
func (db *HubDB) CreateStaffSession(ctx context.Context, s passerelle.StaffSession) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO staff_sessions (token_hash, user_name, csrf_token, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, s.TokenHash, s.User, s.CSRFToken, s.Created, s.Expires)
	if err != nil {
		return fmt.Errorf("sign in %s: %w", s.User, err)
	}
	return nil
}

// StaffSession returns an unexpired session.
func (db *HubDB) StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (passerelle.StaffSession, error) {
	s := passerelle.StaffSession{TokenHash: tokenHash}
	err := db.pool.QueryRow(ctx, `SELECT user_name, csrf_token, created_at, expires_at FROM staff_sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, now).Scan(&s.User, &s.CSRFToken, &s.Created, &s.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("staff session: unknown or expired: %w", passerelle.ErrUnauthorized)
	} else if err != nil {
		return s, fmt.Errorf("staff session: %w", err)
	}
	s.Created, s.Expires = s.Created.UTC(), s.Expires.UTC()
	return s, nil
}

// DeleteStaffSession ends a session, and the expired ones.
func (db *HubDB) DeleteStaffSession(ctx context.Context, tokenHash []byte, now time.Time) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1 OR expires_at <= $2`, tokenHash, now); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// LoginFailures returns each key's wrong passwords in a row.
func (db *HubDB) LoginFailures(ctx context.Context, keys []string, now time.Time) ([]passerelle.PINFailures, error) {
	rows, err := db.pool.Query(ctx, `SELECT key, count, last_at FROM login_failures WHERE key = ANY($1) AND last_at > $2`,
		keys, now.Add(-passerelle.LoginFailureMemory))
	if err != nil {
		return nil, fmt.Errorf("wrong passwords: %w", err)
	}
	found, err := scanLoginFailures(rows)
	if err != nil {
		return nil, fmt.Errorf("wrong passwords: %w", err)
	}
	return inKeysOrder(keys, found), nil
}

// RecordLoginFailure counts a wrong password for each key in one
// statement, which locks the keys' rows in the keys' sorted order: hubs
// counting at once wait for each other, never deadlock, and lose no count.
func (db *HubDB) RecordLoginFailure(ctx context.Context, keys []string, now time.Time) ([]passerelle.PINFailures, error) {
	unique := slices.Compact(slices.Sorted(slices.Values(keys))) // one key twice in one upsert is an error
	forgotten := now.Add(-passerelle.LoginFailureMemory)
	// A count forgotten (older than a day) starts again at one; a hub
	// whose clock is behind does not move the last one back.
	rows, err := db.pool.Query(ctx, `INSERT INTO login_failures AS f (key, count, last_at)
		SELECT key, 1, $2 FROM unnest($1::text[]) AS key ORDER BY key
		ON CONFLICT (key) DO UPDATE SET
			count   = CASE WHEN f.last_at <= $3 THEN 1 ELSE f.count + 1 END,
			last_at = CASE WHEN f.last_at <= $3 THEN excluded.last_at ELSE greatest(f.last_at, excluded.last_at) END
		RETURNING key, count, last_at`, unique, now, forgotten)
	if err != nil {
		return nil, fmt.Errorf("count a wrong password: %w", err)
	}
	found, err := scanLoginFailures(rows)
	if err != nil {
		return nil, fmt.Errorf("count a wrong password: %w", err)
	}
	if err := db.pruneLoginFailures(ctx, forgotten); err != nil {
		return nil, err
	}
	return inKeysOrder(keys, found), nil
}

// ClearLoginFailures forgets the keys' wrong passwords.
func (db *HubDB) ClearLoginFailures(ctx context.Context, keys []string, now time.Time) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM login_failures WHERE key = ANY($1)`, keys); err != nil {
		return fmt.Errorf("forget the wrong passwords: %w", err)
	}
	return db.pruneLoginFailures(ctx, now.Add(-passerelle.LoginFailureMemory))
}

// pruneLoginFailures deletes the counts forgotten: an address is kept no
// longer than passerelle.LoginFailureMemory after its last wrong password.
// A row another hub is counting is skipped (the next prune takes it if it
// is still old), so that the prune never waits for a count nor deadlocks
// with one.
func (db *HubDB) pruneLoginFailures(ctx context.Context, forgotten time.Time) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM login_failures WHERE key IN (
		SELECT key FROM login_failures WHERE last_at <= $1 FOR UPDATE SKIP LOCKED)`, forgotten)
	if err != nil {
		return fmt.Errorf("delete the wrong passwords older than a day: %w", err)
	}
	return nil
}

func scanLoginFailures(rows pgx.Rows) (map[string]passerelle.PINFailures, error) {
	found := map[string]passerelle.PINFailures{}
	var key string
	var f passerelle.PINFailures
	_, err := pgx.ForEachRow(rows, []any{&key, &f.Count, &f.Last}, func() error {
		f.Last = f.Last.UTC()
		found[key] = f
		return nil
	})
	return found, err
}

// inKeysOrder returns the failures of each key, zero for one not found.
func inKeysOrder(keys []string, found map[string]passerelle.PINFailures) []passerelle.PINFailures {
	fs := make([]passerelle.PINFailures, len(keys))
	for i, key := range keys {
		fs[i] = found[key]
	}
	return fs
}
