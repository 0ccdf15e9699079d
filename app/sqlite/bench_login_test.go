package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	passqlite "passerelle/app/sqlite"
)

// BenchmarkLoginTry is what one wrong try at the staff page costs the
// store: read the account's and the address's counts, then count the try
// (and delete the counts a day old), with a day of guessing behind it:
// 100,000 addresses counted. On 2 shared cores: 0.35 ms, nothing beside
// the password's check (argon2id, tens of milliseconds).
//
//	go test ./app/sqlite/ -run '^$' -bench LoginTry
func BenchmarkLoginTry(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "hub.db")
	hub := passqlite.NewHubDB(path)
	if err := hub.Open(); err != nil {
		b.Fatal(err)
	}
	defer hub.Close()
	const flood = 100_000
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	if _, err := rawDB(b, path).Exec(`
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i+1 < ?1)
		INSERT INTO login_failures (key, count, last_at)
		SELECT printf('address:10.%d.%d.%d', i / 65536, i / 256 % 256, i % 256), 1 + i % 7, ?2 - (i * 86000000 / ?1) FROM n`,
		flood, now.UnixMilli()); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		keys := []string{fmt.Sprintf("address:192.0.%d.%d", i/256%256, i%256), "account:amina"}
		if _, err := hub.LoginFailures(ctx, keys, now); err != nil {
			b.Fatal(err)
		}
		if _, err := hub.RecordLoginFailure(ctx, keys, now); err != nil {
			b.Fatal(err)
		}
	}
}
