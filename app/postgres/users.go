package postgres

import (
	"context"
	"errors"
	"fmt"
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
