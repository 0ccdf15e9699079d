package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passerelle/app/passerelle"
)

// AddStaffUser creates a staff account of the hub's page.
func (db *HubDB) AddStaffUser(ctx context.Context, name, passwordHash string, now time.Time) error {
	res, err := db.wdb.ExecContext(ctx, `INSERT INTO staff_users (name, password_hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, passwordHash, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("add staff account %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("add staff account %s: %w", name, err)
	} else if n == 0 {
		return fmt.Errorf("add staff account %s: %w", name, passerelle.ErrExists)
	}
	return nil
}

// StaffPasswordHash returns an account's password hash.
func (db *HubDB) StaffPasswordHash(ctx context.Context, name string) (string, error) {
	var hash string
	err := db.rdb.QueryRowContext(ctx, `SELECT password_hash FROM staff_users WHERE name = ?`, name).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("staff account %s: %w", name, passerelle.ErrNotFound)
	} else if err != nil {
		return "", fmt.Errorf("staff account %s: %w", name, err)
	}
	return hash, nil
}

// CreateStaffSession stores a signed-in session.
func (db *HubDB) CreateStaffSession(ctx context.Context, s passerelle.StaffSession) error {
	_, err := db.wdb.ExecContext(ctx, `INSERT INTO staff_sessions (token_hash, user_name, csrf_token, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, s.TokenHash, s.User, s.CSRFToken, s.Created.UnixMilli(), s.Expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("sign in %s: %w", s.User, err)
	}
	return nil
}

// StaffSession returns an unexpired session.
func (db *HubDB) StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (passerelle.StaffSession, error) {
	s := passerelle.StaffSession{TokenHash: tokenHash}
	var created, expires int64
	err := db.rdb.QueryRowContext(ctx, `SELECT user_name, csrf_token, created_at, expires_at FROM staff_sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, now.UnixMilli()).Scan(&s.User, &s.CSRFToken, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("staff session: unknown or expired: %w", passerelle.ErrUnauthorized)
	} else if err != nil {
		return s, fmt.Errorf("staff session: %w", err)
	}
	s.Created, s.Expires = fromMillis(created), fromMillis(expires)
	return s, nil
}

// DeleteStaffSession ends a session, and the expired ones.
func (db *HubDB) DeleteStaffSession(ctx context.Context, tokenHash []byte, now time.Time) error {
	_, err := db.wdb.ExecContext(ctx, `DELETE FROM staff_sessions WHERE token_hash = ? OR expires_at <= ?`, tokenHash, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// LoginFailures returns each key's wrong passwords in a row.
func (db *HubDB) LoginFailures(ctx context.Context, keys []string, now time.Time) ([]passerelle.PINFailures, error) {
	fs := make([]passerelle.PINFailures, len(keys))
	forgotten := now.Add(-passerelle.LoginFailureMemory).UnixMilli()
	for i, key := range keys {
		var last int64
		err := db.rdb.QueryRowContext(ctx, `SELECT count, last_at FROM login_failures WHERE key = ? AND last_at > ?`,
			key, forgotten).Scan(&fs[i].Count, &last)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("wrong passwords of %s: %w", key, err)
		}
		fs[i].Last = fromMillis(last)
	}
	return fs, nil
}

// RecordLoginFailure counts a wrong password for each key, in one
// transaction: the file's lock orders the hubs that share it.
func (db *HubDB) RecordLoginFailure(ctx context.Context, keys []string, now time.Time) ([]passerelle.PINFailures, error) {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("count a wrong password: %w", err)
	}
	defer tx.Rollback()
	forgotten := now.Add(-passerelle.LoginFailureMemory).UnixMilli()
	counted := map[string]passerelle.PINFailures{}
	for _, key := range keys {
		if _, done := counted[key]; done {
			continue
		}
		// A count forgotten (older than a day) starts again at one; a
		// hub whose clock is behind does not move the last one back.
		var f passerelle.PINFailures
		var last int64
		err := tx.QueryRowContext(ctx, `INSERT INTO login_failures (key, count, last_at) VALUES (?1, 1, ?2)
			ON CONFLICT (key) DO UPDATE SET
				count   = CASE WHEN last_at <= ?3 THEN 1 ELSE count + 1 END,
				last_at = CASE WHEN last_at <= ?3 THEN ?2 ELSE max(last_at, ?2) END
			RETURNING count, last_at`, key, now.UnixMilli(), forgotten).Scan(&f.Count, &last)
		if err != nil {
			return nil, fmt.Errorf("count a wrong password for %s: %w", key, err)
		}
		f.Last = fromMillis(last)
		counted[key] = f
	}
	if err := pruneLoginFailures(ctx, tx, forgotten); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("count a wrong password: %w", err)
	}
	fs := make([]passerelle.PINFailures, len(keys))
	for i, key := range keys {
		fs[i] = counted[key]
	}
	return fs, nil
}

// ClearLoginFailures forgets the keys' wrong passwords.
func (db *HubDB) ClearLoginFailures(ctx context.Context, keys []string, now time.Time) error {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("forget the wrong passwords: %w", err)
	}
	defer tx.Rollback()
	for _, key := range keys {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, key); err != nil {
			return fmt.Errorf("forget the wrong passwords of %s: %w", key, err)
		}
	}
	if err := pruneLoginFailures(ctx, tx, now.Add(-passerelle.LoginFailureMemory).UnixMilli()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("forget the wrong passwords: %w", err)
	}
	return nil
}

// pruneLoginFailures deletes the counts forgotten: an address is kept no
// longer than passerelle.LoginFailureMemory after its last wrong password.
func pruneLoginFailures(ctx context.Context, tx *sql.Tx, forgotten int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE last_at <= ?`, forgotten); err != nil {
		return fmt.Errorf("delete the wrong passwords older than a day: %w", err)
	}
	return nil
}
