package hubstoretest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// loginStep is one call of a login failures case, at t0+at: record,
// clear or read the keys; record and read return want.
type loginStep struct {
	op   string // "record", "clear" or "read"
	keys []string
	at   time.Duration
	want []passerelle.PINFailures
}

// failed is count wrong passwords, the last at t0+last.
func failed(count int, last time.Duration) passerelle.PINFailures {
	return passerelle.PINFailures{Count: count, Last: t0.Add(last)}
}

const (
	account = "account:amina"
	address = "address:192.0.2.7"
	day     = passerelle.LoginFailureMemory
)

// testLoginFailures checks the counts of wrong passwords of the staff page.
func testLoginFailures(t *testing.T, open opener) {
	none := passerelle.PINFailures{}
	for _, tc := range []struct {
		name  string
		steps []loginStep
	}{
		{"no failure reads zero, in keys' order", []loginStep{
			{"read", []string{account, address}, 0, []passerelle.PINFailures{none, none}},
			{"read", nil, 0, []passerelle.PINFailures{}},
		}},
		{"each key counts its failures in a row", []loginStep{
			{"record", []string{account, address}, 0, []passerelle.PINFailures{failed(1, 0), failed(1, 0)}},
			{"record", []string{"account:bob", address}, time.Second, []passerelle.PINFailures{failed(1, time.Second), failed(2, time.Second)}},
			{"record", []string{account, address}, 2 * time.Second, []passerelle.PINFailures{failed(2, 2*time.Second), failed(3, 2*time.Second)}},
			{"read", []string{address, "account:carla", account, "account:bob"}, 3 * time.Second,
				[]passerelle.PINFailures{failed(3, 2*time.Second), none, failed(2, 2*time.Second), failed(1, time.Second)}},
		}},
		{"a key given twice counts once", []loginStep{
			{"record", []string{account, account}, 0, []passerelle.PINFailures{failed(1, 0), failed(1, 0)}},
			{"read", []string{account}, 0, []passerelle.PINFailures{failed(1, 0)}},
		}},
		{"clear forgets the keys given only, twice is harmless", []loginStep{
			{"record", []string{account, address}, 0, []passerelle.PINFailures{failed(1, 0), failed(1, 0)}},
			{"record", []string{account, address}, 0, []passerelle.PINFailures{failed(2, 0), failed(2, 0)}},
			{"clear", []string{account}, time.Second, nil},
			{"clear", []string{account}, time.Second, nil},
			{"read", []string{account, address}, time.Second, []passerelle.PINFailures{none, failed(2, 0)}},
			{"record", []string{account}, 2 * time.Second, []passerelle.PINFailures{failed(1, 2*time.Second)}},
		}},
		{"a clock behind does not move the last failure back", []loginStep{
			{"record", []string{account}, time.Minute, []passerelle.PINFailures{failed(1, time.Minute)}},
			{"record", []string{account}, 0, []passerelle.PINFailures{failed(2, time.Minute)}},
		}},
		{"a count is forgotten a day after its last failure", []loginStep{
			{"record", []string{account}, 0, []passerelle.PINFailures{failed(1, 0)}},
			{"record", []string{account}, time.Hour, []passerelle.PINFailures{failed(2, time.Hour)}},
			{"read", []string{account}, day + time.Hour - time.Second, []passerelle.PINFailures{failed(2, time.Hour)}},
			{"read", []string{account}, day + time.Hour, []passerelle.PINFailures{none}},
			{"record", []string{account}, day + time.Hour, []passerelle.PINFailures{failed(1, day+time.Hour)}},
		}},
		// Read with the clock back at t0, a row forgotten but kept would
		// show: these show it was deleted.
		{"a wrong password deletes the rows older than a day", []loginStep{
			{"record", []string{address}, 0, []passerelle.PINFailures{failed(1, 0)}},
			{"record", []string{account}, day, []passerelle.PINFailures{failed(1, day)}},
			{"read", []string{address, account}, 0, []passerelle.PINFailures{none, failed(1, day)}},
		}},
		{"a sign-in deletes the rows older than a day", []loginStep{
			{"record", []string{address}, 0, []passerelle.PINFailures{failed(1, 0)}},
			{"record", []string{account}, time.Hour, []passerelle.PINFailures{failed(1, time.Hour)}},
			{"clear", []string{"account:bob"}, day, nil},
			{"read", []string{address, account}, 0, []passerelle.PINFailures{none, failed(1, time.Hour)}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			for i, step := range tc.steps {
				runLoginStep(t, s, i+1, step)
			}
		})
	}
	t.Run("a key too long is refused, and nothing counted", func(t *testing.T) {
		s := open(t)
		long := "account:" + strings.Repeat("é", passerelle.MaxLoginKeyLength/2)
		if _, err := s.RecordLoginFailure(context.Background(), []string{address, long}, t0); err == nil {
			t.Errorf("RecordLoginFailure of a key of %d bytes: no error", len(long))
		}
		runLoginStep(t, s, 1, loginStep{"read", []string{address, long}, 0, []passerelle.PINFailures{{}, {}}})
		longest := "account:" + strings.Repeat("a", passerelle.MaxLoginKeyLength-len("account:"))
		runLoginStep(t, s, 2, loginStep{"record", []string{longest}, 0, []passerelle.PINFailures{failed(1, 0)}})
	})
	t.Run("failures at once all count", func(t *testing.T) {
		s := open(t)
		recordAtOnce(t, s, s, 8)
	})
}

// RunShared runs the cases of two handles on one database, as two hubs
// have: they share the counts of wrong passwords. open returns the two
// handles on a new, empty database; they are closed at the end of each
// case.
func RunShared(t *testing.T, open func(t *testing.T) (passerelle.HubStore, passerelle.HubStore)) {
	handles := func(t *testing.T) (passerelle.HubStore, passerelle.HubStore) {
		t.Helper()
		a, b := open(t)
		t.Cleanup(func() {
			for _, s := range []passerelle.HubStore{a, b} {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}
		})
		return a, b
	}
	t.Run("one hub counts, the other reads and clears", func(t *testing.T) {
		a, b := handles(t)
		runLoginStep(t, a, 1, loginStep{"record", []string{account, address}, 0, []passerelle.PINFailures{failed(1, 0), failed(1, 0)}})
		runLoginStep(t, b, 2, loginStep{"record", []string{account}, time.Second, []passerelle.PINFailures{failed(2, time.Second)}})
		runLoginStep(t, a, 3, loginStep{"read", []string{account, address}, time.Second, []passerelle.PINFailures{failed(2, time.Second), failed(1, 0)}})
		runLoginStep(t, b, 4, loginStep{"clear", []string{account, address}, time.Second, nil})
		runLoginStep(t, a, 5, loginStep{"read", []string{account, address}, time.Second, []passerelle.PINFailures{{}, {}}})
	})
	t.Run("failures at once on both hubs all count", func(t *testing.T) {
		a, b := handles(t)
		recordAtOnce(t, a, b, 8)
	})
}

func runLoginStep(t *testing.T, s passerelle.StaffAccounts, n int, step loginStep) {
	t.Helper()
	ctx := context.Background()
	at := t0.Add(step.at)
	var got []passerelle.PINFailures
	var err error
	switch step.op {
	case "record":
		got, err = s.RecordLoginFailure(ctx, step.keys, at)
	case "read":
		got, err = s.LoginFailures(ctx, step.keys, at)
	case "clear":
		if err := s.ClearLoginFailures(ctx, step.keys, at); err != nil {
			t.Fatalf("step %d, clear %v: %v", n, step.keys, err)
		}
		return
	default:
		t.Fatalf("step %d: no operation %q", n, step.op)
	}
	if err != nil {
		t.Fatalf("step %d, %s %v at t0+%v: %v", n, step.op, step.keys, step.at, err)
	}
	if !slices.EqualFunc(got, step.want, samePINFailures) {
		t.Fatalf("step %d, %s %v at t0+%v = %+v; want %+v", n, step.op, step.keys, step.at, got, step.want)
	}
}

func samePINFailures(a, b passerelle.PINFailures) bool {
	return a.Count == b.Count && a.Last.Equal(b.Last)
}

// recordAtOnce records n wrong passwords for one account and one address
// at once, taking turns on the handles a and b and giving the keys in
// either order (locks taken in the order given would deadlock): each must
// count, and each record return a count of its own, 1 to n.
func recordAtOnce(t *testing.T, a, b passerelle.StaffAccounts, n int) {
	t.Helper()
	keys := []string{account, address}
	counts := make(chan int, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		s, given := a, keys
		if i%2 == 1 {
			s = b
		}
		if i%4 >= 2 {
			given = []string{address, account}
		}
		wg.Go(func() {
			fs, err := s.RecordLoginFailure(context.Background(), given, t0)
			if err != nil {
				errs <- err
				return
			}
			counts <- fs[slices.Index(given, account)].Count
		})
	}
	wg.Wait()
	close(counts)
	close(errs)
	for err := range errs {
		t.Errorf("RecordLoginFailure at once: %v", err)
	}
	var got []int
	for c := range counts {
		got = append(got, c)
	}
	slices.Sort(got)
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	if !slices.Equal(got, want) {
		t.Errorf("counts returned by %d records at once = %v; want each of 1 to %d once", n, got, n)
	}
	fs, err := b.LoginFailures(context.Background(), keys, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(fs, []passerelle.PINFailures{failed(n, 0), failed(n, 0)}, samePINFailures) {
		t.Errorf("after %d records at once: %+v; want %d for each key", n, fs, n)
	}
}
