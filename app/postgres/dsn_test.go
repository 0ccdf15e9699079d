package postgres_test

import (
	"testing"

	"passerelle/app/postgres"
)

func TestIsDSN(t *testing.T) {
	t.Parallel() // each test has a database of its own
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"postgres://hub:secret@db.example.org:5432/passerelle?sslmode=verify-full", true},
		{"postgresql://db/passerelle", true},
		{"host=db.example.org dbname=passerelle user=hub", true},
		{"dbname=passerelle", true},
		{"host=/run/postgresql dbname=hub", true},
		{"hub.db", false},
		{"/var/lib/passerelle/hub.db", false},
		{"./a=b.db", false},
		{"data/hub=2026.db", false},
		{"hub=2026.db", false},
		{"", false},
	} {
		t.Run(tc.value, func(t *testing.T) {
			if got := postgres.IsDSN(tc.value); got != tc.want {
				t.Errorf("IsDSN(%q) = %v; want %v", tc.value, got, tc.want)
			}
		})
	}
}
