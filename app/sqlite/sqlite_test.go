package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// MustOpenDB returns an open database in a new file, closed at the end of
// the test.
func MustOpenDB(tb testing.TB) *passqlite.DB {
	tb.Helper()
	db := passqlite.NewDB(filepath.Join(tb.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { MustCloseDB(tb, db) })
	return db
}

// MustCloseDB closes db; closing twice is harmless.
func MustCloseDB(tb testing.TB, db *passqlite.DB) {
	tb.Helper()
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
}

// rawDB opens the file behind the package's back, to look at the tables
// as they are stored.
func rawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

func TestStore(t *testing.T) {
	testStore(t, func(tb testing.TB) passerelle.Store { return MustOpenDB(tb) })
}

func TestOpen(t *testing.T) {
	t.Run("pragmas of the writing connection", func(t *testing.T) {
		db := MustOpenDB(t)
		for name, want := range map[string]string{
			"journal_mode":  "wal",
			"synchronous":   "2", // FULL
			"foreign_keys":  "1",
			"secure_delete": "1",
			"busy_timeout":  "5000",
		} {
			if got := db.WriterPragma(t, name); got != want {
				t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
			}
		}
	})

	t.Run("path with URI characters, in missing directories", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a?b#c%20d", "new", "kiosk.db")
		db := passqlite.NewDB(path)
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		defer MustCloseDB(t, db)
		if err := db.Append(context.Background(), visit("s1", t0, true)...); err != nil {
			t.Fatal(err)
		}
		if db.Path() != path {
			t.Errorf("Path() = %q, want %q", db.Path(), path)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the file is not where it was asked: %v", err)
		}
	})

	t.Run("no path", func(t *testing.T) {
		if err := passqlite.NewDB("").Open(); err == nil {
			t.Error("Open with no path succeeded")
		}
	})
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	all := []string{"0001_events.sql", "0002_personal_values.sql", "0003_sync.sql", "0004_staff.sql", "0005_figures.sql"}
	monday := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tuesday := monday.Add(24 * time.Hour)

	// applied returns the migrations recorded in the file, with their times.
	applied := func(t *testing.T, path string) map[string]time.Time {
		t.Helper()
		rows, err := rawDB(t, path).Query(`SELECT name, applied_at FROM schema_migrations`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]time.Time{}
		for rows.Next() {
			var name string
			var ms int64
			if err := rows.Scan(&name, &ms); err != nil {
				t.Fatal(err)
			}
			m[name] = time.UnixMilli(ms).UTC()
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	openAt := func(t *testing.T, path string, now time.Time, migrations int) *passqlite.DB {
		t.Helper()
		db := passqlite.NewDB(path)
		db.Now = func() time.Time { return now }
		open := db.Open
		if migrations > 0 {
			open = func() error { return db.OpenMigrated(migrations) }
		}
		if err := open(); err != nil {
			t.Fatal(err)
		}
		return db
	}

	t.Run("fresh file gets every migration", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		MustCloseDB(t, openAt(t, path, monday, 0))
		want := appliedAt(all, monday, monday)
		if got := applied(t, path); !sameTimes(got, want) {
			t.Errorf("applied = %v, want %v", got, want)
		}
	})

	t.Run("reopening changes nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		db := openAt(t, path, monday, 0)
		events := visit("s1", t0, true)
		if err := db.Append(ctx, events...); err != nil {
			t.Fatal(err)
		}
		MustCloseDB(t, db)

		db = openAt(t, path, tuesday, 0)
		defer MustCloseDB(t, db)
		want := appliedAt(all, monday, monday)
		if got := applied(t, path); !sameTimes(got, want) {
			t.Errorf("applied = %v, want %v", got, want)
		}
		assertSession(t, db, "s1", events)
	})

	t.Run("version 1 file is upgraded and keeps its events", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		old := openAt(t, path, monday, 1)
		events := visit("s1", t0, true)
		for i := range events {
			events[i].Personal = "" // version 1 has nowhere to keep them
		}
		if err := old.Append(ctx, events...); err != nil {
			t.Fatal(err)
		}
		MustCloseDB(t, old)
		if got, want := applied(t, path), map[string]time.Time{all[0]: monday}; !sameTimes(got, want) {
			t.Fatalf("before upgrade, applied = %v, want %v", got, want)
		}

		db := openAt(t, path, tuesday, 0)
		defer MustCloseDB(t, db)
		want := appliedAt(all, monday, tuesday)
		if got := applied(t, path); !sameTimes(got, want) {
			t.Errorf("applied = %v, want %v", got, want)
		}
		assertSession(t, db, "s1", events)
		withPersonal := visit("s2", t0, true)
		if err := db.Append(ctx, withPersonal...); err != nil {
			t.Fatalf("append a personal value after the upgrade: %v", err)
		}
		assertSession(t, db, "s2", withPersonal)
	})
}

// appliedAt is every migration of names applied at then, the first at first.
func appliedAt(names []string, first, then time.Time) map[string]time.Time {
	m := map[string]time.Time{names[0]: first}
	for _, n := range names[1:] {
		m[n] = then
	}
	return m
}

func sameTimes(a, b map[string]time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !w.Equal(v) {
			return false
		}
	}
	return true
}

// TestAppendKeepsMilliseconds: times are stored as unix milliseconds, as in
// the UUIDv7 ids, and come back in UTC.
func TestAppendKeepsMilliseconds(t *testing.T) {
	db := MustOpenDB(t)
	paris := time.FixedZone("CET", 3600)
	events := visit("s1", t0.Add(123456789*time.Nanosecond).In(paris), false)
	if err := db.Append(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	got, err := db.SessionEvents(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range got {
		want := events[i].At.Truncate(time.Millisecond).UTC()
		if e.At != want {
			t.Errorf("event %d: At = %v, want %v", e.Seq, e.At, want)
		}
	}
}

// TestPersonalValuesStayApart reads every table but personal_values as it
// is stored, looking for what the user typed.
func TestPersonalValuesStayApart(t *testing.T) {
	db := MustOpenDB(t)
	const secret = "FR76 3000 6000 0112 3456 7890 189"
	events := visit("s1", t0, true)
	events[2].Personal = secret
	if err := db.Append(context.Background(), events...); err != nil {
		t.Fatal(err)
	}

	raw := rawDB(t, db.Path())
	var tables []string
	rows, err := raw.Query(`SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if !slices.Contains(tables, "events") || !slices.Contains(tables, "personal_values") {
		t.Fatalf("tables = %v, want events and personal_values among them", tables)
	}

	for _, table := range tables {
		found := tableContains(t, raw, table, secret)
		switch {
		case table == "personal_values" && !found:
			t.Errorf("the personal value is not in personal_values")
		case table != "personal_values" && found:
			t.Errorf("the personal value is in table %s", table)
		}
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.Append(context.Background(), visit("s1", t0, true)...); err != nil {
		t.Fatal(err)
	}
	_, err := rawDB(t, db.Path()).Exec(`UPDATE events SET answer = 'no' WHERE session_id = 's1'`)
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE events: %v, want the append-only error", err)
	}
}

// tableContains reports whether any column of any row of table holds s.
func tableContains(t *testing.T, raw *sql.DB, table, s string) bool {
	t.Helper()
	rows, err := raw.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	found := false
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if strings.Contains(fmt.Sprint(v), s) {
				found = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return found
}

// TestPurgePersonalLeavesNoTrace checks the bytes of the files, not the
// tables: a deleted row normally stays readable in free space and in the WAL.
func TestPurgePersonalLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	const secret = "SECRET-0612345678"
	events := visit("s1", t0, true)
	events[2].Personal = secret
	if err := db.Append(ctx, events...); err != nil {
		t.Fatal(err)
	}
	// The WAL may be read while the database is open; the main file may
	// not: closing any descriptor of it drops SQLite's POSIX locks.
	wal := db.Path() + "-wal"
	if !fileContains(t, wal, secret) {
		t.Fatal("the value is not in the WAL before the purge: this test proves nothing")
	}

	if n, err := db.PurgePersonal(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("PurgePersonal = %d, %v; want 1, nil", n, err)
	}
	if fileContains(t, wal, secret) {
		t.Error("the purged value is still in the WAL")
	}
	MustCloseDB(t, db)
	if fileContains(t, db.Path(), secret) {
		t.Error("the purged value is still in the database file")
	}
}

func fileContains(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}

func TestAppendDiskFull(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	kept := visit("s1", t0, false)
	if err := db.Append(ctx, kept...); err != nil {
		t.Fatal(err)
	}
	db.FillDisk(t)

	lost := visit("s2", t0, true)
	lost[2].Personal = strings.Repeat("x", 256<<10) // needs new pages
	err := db.Append(ctx, lost...)
	var serr *sqlite.Error
	if !errors.As(err, &serr) || serr.Code() != sqlite3.SQLITE_FULL {
		t.Fatalf("Append on a full disk: %v, want SQLITE_FULL", err)
	}
	if _, err := db.SessionEvents(ctx, "s2"); !errors.Is(err, passerelle.ErrNotFound) {
		t.Errorf("part of the failed batch was kept: SessionEvents = %v", err)
	}
	assertSession(t, db, "s1", kept)
}

// TestConcurrentUse appends and closes sessions from several goroutines
// while others read, as the UI and the hub sync will: no call may fail with
// "database is locked". CloseInterrupted reads then writes: with several
// writing connections and deferred transactions, it fails that way.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	const writers, sessions = 6, 30
	var wg sync.WaitGroup
	errs := make(chan error, writers*sessions*2)
	for w := range writers {
		wg.Go(func() {
			for s := range sessions {
				id := fmt.Sprintf("w%d-s%d", w, s)
				if err := db.Append(ctx, visit(id, t0, false)...); err != nil {
					errs <- err
				}
				if _, err := db.CloseInterrupted(ctx, t0.Add(time.Hour)); err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() {
			for s := range sessions {
				_, err := db.SessionEvents(ctx, fmt.Sprintf("w%d-s%d", w, s))
				if err != nil && !errors.Is(err, passerelle.ErrNotFound) {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range writers {
		for s := range sessions {
			if _, err := db.SessionEvents(ctx, fmt.Sprintf("w%d-s%d", w, s)); err != nil {
				t.Error(err)
			}
		}
	}
}

const (
	childEnv     = "PASSERELLE_SQLITE_CHILD"
	childPathEnv = "PASSERELLE_SQLITE_PATH"
	crashSession = "crash-session"
)

// TestAppendChild is the child process of TestAppendSurvivesKill: it
// appends one event at a time and prints "appended SEQ ID" after each
// commit, until it is killed.
func TestAppendChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("child process of TestAppendSurvivesKill")
	}
	db := passqlite.NewDB(os.Getenv(childPathEnv))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for seq := 1; seq <= 100_000; seq++ {
		e := tap(crashSession, seq, time.Now())
		if seq%3 == 0 {
			e.Personal = fmt.Sprintf("value %d", seq)
		}
		if err := db.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("appended %d %s\n", seq, e.ID)
	}
	select {} // wait for the kill
}

// TestAppendSurvivesKill kills a process that is appending and checks that
// every event it saw committed is in the file. A SIGKILL loses the process,
// not the kernel's page cache: synchronous=FULL is what covers power cuts.
func TestAppendSurvivesKill(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		t.Skip("in the child")
	}
	const want = 200 // commits to see before the kill
	path := filepath.Join(t.TempDir(), "kiosk.db")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestAppendChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", childPathEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	committed := map[int]string{} // seq → id
	var output strings.Builder
	sc := bufio.NewScanner(stdout)
	for len(committed) < want && sc.Scan() {
		var seq int
		var id string
		if _, err := fmt.Sscanf(sc.Text(), "appended %d %s", &seq, &id); err != nil {
			output.WriteString(sc.Text() + "\n")
			continue
		}
		committed[seq] = id
	}
	// Mid-stream: the child is still appending.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(committed) < want {
		t.Fatalf("the child reported %d commits, want %d\nstdout:\n%s\nstderr:\n%s", len(committed), want, output.String(), stderr.String())
	}

	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer MustCloseDB(t, db)
	events, err := db.SessionEvents(context.Background(), crashSession)
	if err != nil {
		t.Fatal(err)
	}
	for seq, id := range committed {
		if seq > len(events) || events[seq-1].ID != id {
			t.Fatalf("event %d (%s) was reported committed but is not in the file (%d events)", seq, id, len(events))
		}
	}
	for i, e := range events {
		if e.Seq != i+1 {
			t.Fatalf("event %d has seq %d: the file has a hole", i+1, e.Seq)
		}
	}
	var check string
	if err := rawDB(t, path).QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	t.Logf("child killed after %d reported commits; %d events in the file", len(committed), len(events))

	closed, err := db.CloseInterrupted(context.Background(), time.Now())
	if err != nil || !slices.Equal(closed, []string{crashSession}) {
		t.Fatalf("CloseInterrupted = %v, %v; want [%s]", closed, err, crashSession)
	}
}

// BenchmarkAppendAnswer appends one answer_given event per iteration, as a
// tap does, and reports the latency a user feels (p50, p95, max).
func BenchmarkAppendAnswer(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	start := time.Now()
	if err := db.Append(ctx, visit("bench", start, false)[0]); err != nil {
		b.Fatal(err)
	}
	var durations []time.Duration
	seq := 1
	for b.Loop() {
		seq++
		e := tap("bench", seq, start.Add(time.Duration(seq)*time.Millisecond))
		begin := time.Now()
		if err := db.Append(ctx, e); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(begin))
	}
	slices.Sort(durations)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(durations[len(durations)/2]), "p50-ms")
	b.ReportMetric(ms(durations[len(durations)*95/100]), "p95-ms")
	b.ReportMetric(ms(durations[len(durations)-1]), "max-ms")
}
