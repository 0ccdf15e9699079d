package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkLoginTry is what one wrong try at the staff page costs the
// store, as the SQLite hub's benchmark of the same name: read the
// account's and the address's counts, then count the try (and delete the
// counts a day old), with 100,000 addresses counted in the last day. On
// 2 shared cores: 0.35 ms on the test cluster (no fsync), 0.6 ms durable
// (PASSERELLE_PG_DURABLE=1), nothing beside the password's check.
//
//	go test ./app/postgres/ -run '^$' -bench LoginTry
func BenchmarkLoginTry(b *testing.B) {
	ctx := context.Background()
	db := openHub(b)
	const flood = 100_000
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	conn := connect(b, db.DSN())
	if _, err := conn.Exec(ctx, `INSERT INTO login_failures (key, count, last_at)
		SELECT format('address:10.%s.%s.%s', i / 65536, i / 256 % 256, i % 256), 1 + i % 7,
			$2::timestamptz - i * interval '0.86 s'
		FROM generate_series(0, $1 - 1) AS i`, flood, now); err != nil {
		b.Fatal(err)
	}
	// As autovacuum would have, after a day.
	if _, err := conn.Exec(ctx, `ANALYZE login_failures`); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		keys := []string{fmt.Sprintf("address:192.0.%d.%d", i/256%256, i%256), "account:amina"}
		if _, err := db.LoginFailures(ctx, keys, now); err != nil {
			b.Fatal(err)
		}
		if _, err := db.RecordLoginFailure(ctx, keys, now); err != nil {
			b.Fatal(err)
		}
	}
}
