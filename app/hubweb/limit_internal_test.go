package hubweb

import (
	"slices"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

func TestLoginWait(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	ago := func(count int, d time.Duration) passerelle.PINFailures {
		return passerelle.PINFailures{Count: count, Last: now.Add(-d)}
	}
	for _, tc := range []struct {
		name     string
		failures []passerelle.PINFailures
		want     time.Duration
	}{
		{"no count", nil, 0},
		{"none yet", []passerelle.PINFailures{{}, {}}, 0},
		{"two wrong cost nothing", []passerelle.PINFailures{ago(2, 0), ago(2, 0)}, 0},
		{"the third waits 5 seconds", []passerelle.PINFailures{ago(3, 0), ago(1, 0)}, 5 * time.Second},
		{"the address's count, the account's none", []passerelle.PINFailures{ago(3, 0), {}}, 5 * time.Second},
		{"the fourth 10 seconds", []passerelle.PINFailures{ago(4, 0)}, 10 * time.Second},
		{"the time waited since counts", []passerelle.PINFailures{ago(4, 4*time.Second)}, 6 * time.Second},
		// The older count asked for more, but its wait is over.
		{"the longest wait left, not the largest count", []passerelle.PINFailures{ago(6, 2*time.Minute), ago(3, time.Second)}, 4 * time.Second},
		{"never more than an hour", []passerelle.PINFailures{ago(50, 0)}, time.Hour},
		{"a clock set back waits the delay only", []passerelle.PINFailures{ago(3, -time.Hour)}, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loginWait(tc.failures, now); got != tc.want {
				t.Errorf("loginWait(%+v) = %v; want %v", tc.failures, got, tc.want)
			}
		})
	}
}

func TestLoginKeys(t *testing.T) {
	for _, tc := range []struct {
		name, account, addr string
		want                []string
	}{
		{"an account from IPv4", "amina", "192.0.2.7", []string{"address:192.0.2.7", "account:amina"}},
		{"IPv4 written as IPv6 is the same address", "amina", "::ffff:192.0.2.7", []string{"address:192.0.2.7", "account:amina"}},
		{"IPv6 counts by its /64", "amina", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", []string{"address:2001:db8:1:2::/64", "account:amina"}},
		{"another address of the same /64", "amina", "2001:db8:1:2::1", []string{"address:2001:db8:1:2::/64", "account:amina"}},
		{"a link-local address without its zone", "amina", "fe80::1%eth0", []string{"address:fe80::/64", "account:amina"}},
		{"not an IP", "amina", "@", []string{"address:other", "account:amina"}},
		{"a name no account can have counts for the address only", "amina ", "192.0.2.7", []string{"address:192.0.2.7"}},
		{"a name too long for an account", strings.Repeat("a", 65), "192.0.2.7", []string{"address:192.0.2.7"}},
		{"the longest name, 64 bytes", strings.Repeat("a", 62) + "é", "192.0.2.7",
			[]string{"address:192.0.2.7", "account:" + strings.Repeat("a", 62) + "é"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := loginKeys(tc.account, tc.addr)
			if !slices.Equal(got, tc.want) {
				t.Errorf("loginKeys(%q, %q) = %q; want %q", tc.account, tc.addr, got, tc.want)
			}
			for _, k := range got {
				if len(k) > passerelle.MaxLoginKeyLength {
					t.Errorf("key %q is longer than %d bytes", k, passerelle.MaxLoginKeyLength)
				}
			}
		})
	}
}

func TestOvertaken(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	n := func(counts ...int) []passerelle.PINFailures {
		fs := make([]passerelle.PINFailures, len(counts))
		for i, c := range counts {
			fs[i] = passerelle.PINFailures{Count: c, Last: now}
		}
		return fs
	}
	for _, tc := range []struct {
		name          string
		read, counted []passerelle.PINFailures
		want          bool
	}{
		{"alone: counted one more than read", n(0, 0), n(1, 1), false},
		{"alone, the third try", n(2, 2), n(3, 3), false},
		{"alone, after a wait", n(5, 5), n(6, 6), false},
		{"another try between, still free", n(0, 0), n(2, 2), false},
		{"tries between used the free ones", n(0, 0), n(4, 4), true},
		{"on the address only", n(1, 0), n(1, 4), true},
		{"the counts cleared between", n(5, 5), n(1, 1), false},
		{"cleared, then tries between used the free ones", n(5, 5), n(4, 4), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := overtaken(tc.read, tc.counted); got != tc.want {
				t.Errorf("overtaken(%v, %v) = %v; want %v", tc.read, tc.counted, got, tc.want)
			}
		})
	}
}
