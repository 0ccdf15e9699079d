package passerelle

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// StaffAccounts keeps the hub's staff accounts and their signed-in
// sessions, for the hub's staff page. Passwords reach it only as encoded
// argon2id hashes (HashPIN's format), session tokens only as hashes:
// it never sees a secret.
type StaffAccounts interface {
	// AddStaffUser creates an account; ErrExists if the name is taken.
	AddStaffUser(ctx context.Context, name, passwordHash string, now time.Time) error
	// StaffPasswordHash returns an account's encoded password hash, or
	// ErrNotFound when no account has that name.
	StaffPasswordHash(ctx context.Context, name string) (string, error)
	// CreateStaffSession stores a signed-in session.
	CreateStaffSession(ctx context.Context, s StaffSession) error
	// StaffSession returns the session whose token hash is given, if it
	// has not expired at now; otherwise ErrUnauthorized.
	StaffSession(ctx context.Context, tokenHash []byte, now time.Time) (StaffSession, error)
	// DeleteStaffSession ends a session (signing out), and every expired
	// one with it. Idempotent.
	DeleteStaffSession(ctx context.Context, tokenHash []byte, now time.Time) error

	// The wrong passwords typed in a row on the staff page, counted per
	// key ("account:NAME", "address:IP"; 1 to MaxLoginKeyLength bytes)
	// and shared by every hub on the database, so that spreading tries
	// over hubs, or restarting one, gains nothing. A count is forgotten
	// LoginFailureMemory after its last wrong password: it reads as zero,
	// and its row is deleted at the next wrong password or sign-in.

	// LoginFailures returns each key's wrong passwords in a row, in keys'
	// order: zero for a key with none.
	LoginFailures(ctx context.Context, keys []string, now time.Time) ([]PINFailures, error)
	// RecordLoginFailure counts one more wrong password, at now, for each
	// key (a key given twice counts once; a key longer than
	// MaxLoginKeyLength is an error, and nothing is counted), and returns the new counts in keys'
	// order. Calls at once, from hubs sharing the database, all count and
	// each returns a count of its own: the staff page counts a try before
	// checking it, and refuses the ones counted past the free tries. Last
	// is the latest failure's time: a hub whose clock is behind does not
	// move it back.
	RecordLoginFailure(ctx context.Context, keys []string, now time.Time) ([]PINFailures, error)
	// ClearLoginFailures forgets the keys' wrong passwords: the right one
	// was typed. Idempotent.
	ClearLoginFailures(ctx context.Context, keys []string, now time.Time) error
}

// LoginFailureMemory is how long the hub keeps a key of wrong passwords
// after the last one, an address with it: longer than the longest delay
// (an hour), so that the delays hold, and short, as an address says who
// tried.
const LoginFailureMemory = 24 * time.Hour

// MaxLoginKeyLength bounds a key of wrong passwords, in bytes: an account
// name (64 bytes at most) or an IPv6 address, with its prefix.
const MaxLoginKeyLength = 100

// StaffSession is a staff member signed in on the hub's page.
type StaffSession struct {
	TokenHash []byte // SHA-256 of the cookie's random token
	User      string
	CSRFToken string // the forms' hidden field: random, per session
	Created   time.Time
	Expires   time.Time
}

// MinPasswordLength is the shortest staff password, in characters.
const MinPasswordLength = 12

// CheckStaffName refuses an account name staff could not type or read back.
func CheckStaffName(name string) error {
	if name == "" || name != strings.TrimSpace(name) || len(name) > 64 {
		return fmt.Errorf("the account name %q is empty, longer than 64 bytes, or starts or ends with a space", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("the account name %q holds a character that cannot be printed", name)
		}
	}
	return nil
}

// CheckNewPassword refuses a password too short to resist guessing.
func CheckNewPassword(password string) error {
	if !utf8.ValidString(password) {
		return errors.New("the password is not valid text (UTF-8)")
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return fmt.Errorf("the password has %d characters: give at least %d (a few words make one easy to remember)", n, MinPasswordLength)
	}
	if len(password) > 1024 {
		return errors.New("the password is longer than 1024 bytes")
	}
	return nil
}

// HashPassword hashes a staff password as a PIN is hashed (argon2id, PHC
// string, parameters stored with the hash): one format, one reader.
func HashPassword(password string, p PINParams) string { return HashPIN(password, p) }

// CheckPassword reports whether password matches the encoded hash. A
// damaged hash is an error, never a match.
func CheckPassword(encoded, password string) (bool, error) {
	params, salt, key, err := ParsePINHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, params.Time, params.Memory, params.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}
