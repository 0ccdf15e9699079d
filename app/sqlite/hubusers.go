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
