package hubstoretest

import (
	"context"
	"errors"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// testStaffAccounts checks the accounts and sessions of the staff page.
func testStaffAccounts(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.StaffPasswordHash(ctx, "amina"); !errors.Is(err, passerelle.ErrNotFound) {
		t.Fatalf("StaffPasswordHash of no account = %v, want ErrNotFound", err)
	}
	if err := s.AddStaffUser(ctx, "amina", "$argon2id$one", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.AddStaffUser(ctx, "amina", "$argon2id$two", t0); !errors.Is(err, passerelle.ErrExists) {
		t.Fatalf("adding amina again = %v, want ErrExists", err)
	}
	if got, err := s.StaffPasswordHash(ctx, "amina"); err != nil || got != "$argon2id$one" {
		t.Fatalf("StaffPasswordHash = %q, %v; want the first hash, kept", got, err)
	}

	want := passerelle.StaffSession{TokenHash: hash("token"), User: "amina", CSRFToken: "csrf",
		Created: t0, Expires: t0.Add(time.Hour)}
	if err := s.CreateStaffSession(ctx, want); err != nil {
		t.Fatal(err)
	}
	other := passerelle.StaffSession{TokenHash: hash("other"), User: "amina", CSRFToken: "csrf2",
		Created: t0, Expires: t0.Add(2 * time.Hour)}
	if err := s.CreateStaffSession(ctx, other); err != nil {
		t.Fatal(err)
	}
	got, err := s.StaffSession(ctx, hash("token"), t0.Add(time.Minute))
	if err != nil || got.User != want.User || got.CSRFToken != want.CSRFToken ||
		!got.Created.Equal(want.Created) || !got.Expires.Equal(want.Expires) {
		t.Fatalf("StaffSession = %+v, %v; want %+v", got, err, want)
	}
	for name, at := range map[string]time.Time{"at its expiry": t0.Add(time.Hour), "after it": t0.Add(90 * time.Minute)} {
		if _, err := s.StaffSession(ctx, hash("token"), at); !errors.Is(err, passerelle.ErrUnauthorized) {
			t.Errorf("StaffSession %s = %v, want ErrUnauthorized", name, err)
		}
	}
	if _, err := s.StaffSession(ctx, hash("unknown"), t0); !errors.Is(err, passerelle.ErrUnauthorized) {
		t.Errorf("StaffSession of an unknown token = %v, want ErrUnauthorized", err)
	}
	if err := s.DeleteStaffSession(ctx, hash("other"), t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteStaffSession(ctx, hash("other"), t0); err != nil {
		t.Fatalf("signing out twice: %v", err)
	}
	if _, err := s.StaffSession(ctx, hash("other"), t0); !errors.Is(err, passerelle.ErrUnauthorized) {
		t.Errorf("a signed-out session = %v, want ErrUnauthorized", err)
	}
	if _, err := s.StaffSession(ctx, hash("token"), t0); err != nil {
		t.Errorf("signing out one session ended another: %v", err)
	}
}
