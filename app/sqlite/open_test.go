package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"passerelle/app/unprivileged"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	passqlite "passerelle/app/sqlite"
)

// kioskFile writes a real kiosk database at path, with one finished
// session and enough rows to span many pages, and closes it.
func kioskFile(tb testing.TB, path string) {
	tb.Helper()
	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	if err := db.Append(context.Background(), visit("s1", t0, true)...); err != nil {
		tb.Fatal(err)
	}
	MustCloseDB(tb, db)
	raw := rawDB(tb, path)
	if _, err := raw.Exec(`CREATE TABLE filler (b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300)
		INSERT INTO filler SELECT randomblob(1000) FROM n`); err != nil {
		tb.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		tb.Fatal(err)
	}
}

// rewrite replaces the file's content by what change makes of it.
func rewrite(tb testing.TB, path string, change func([]byte) []byte) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, change(b), 0o600); err != nil {
		tb.Fatal(err)
	}
}

func TestOpenRefusesUnusableFiles(t *testing.T) {
	const pageSize = 4096
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
		kind error
		says []string // in the message, besides the path
	}{
		{"a text file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("name,phone\nAda,0612345678\n"), 0o600)
		}, passqlite.ErrNotDatabase, []string{"not a database", "-db"}},
		{"random bytes", func(t *testing.T, path string) {
			b := make([]byte, 3*pageSize)
			for i := range b {
				b[i] = byte(rand.IntN(256))
			}
			os.WriteFile(path, b, 0o600)
		}, passqlite.ErrNotDatabase, []string{"not a database"}},
		{"header cut short", func(t *testing.T, path string) {
			kioskFile(t, path)
			rewrite(t, path, func(b []byte) []byte { return b[:60] })
		}, passqlite.ErrDamaged, []string{"damaged", "cut short", "move it aside", "keep a copy"}},
		{"magic cut short", func(t *testing.T, path string) {
			kioskFile(t, path)
			rewrite(t, path, func(b []byte) []byte { return b[:9] })
		}, passqlite.ErrDamaged, []string{"damaged"}},
		{"truncated to half", func(t *testing.T, path string) {
			kioskFile(t, path)
			rewrite(t, path, func(b []byte) []byte { return b[:len(b)/2/pageSize*pageSize] })
		}, passqlite.ErrDamaged, []string{"damaged", "move it aside"}},
		{"a page overwritten", func(t *testing.T, path string) {
			kioskFile(t, path)
			rewrite(t, path, func(b []byte) []byte {
				for i := 2 * pageSize; i < 3*pageSize; i++ {
					b[i] = 0xA5
				}
				return b
			})
		}, passqlite.ErrDamaged, []string{"damaged"}},
		{"another program's database", func(t *testing.T, path string) {
			raw := rawDB(t, path)
			if _, err := raw.Exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
		}, passqlite.ErrNotPasserelle, []string{"another program's database", "notes"}},
		{"written by a newer Passerelle", func(t *testing.T, path string) {
			kioskFile(t, path)
			raw := rawDB(t, path)
			if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES ('0007_hub_sync.sql', 0)`); err != nil {
				t.Fatal(err)
			}
			raw.Close()
		}, passqlite.ErrNewerSchema, []string{"newer Passerelle", "schema 0007_hub_sync", "knows up to 0005_figures"}},
		{"a folder", func(t *testing.T, path string) {
			os.Mkdir(path, 0o700)
		}, passqlite.ErrNotDatabase, []string{"is a folder"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			tc.make(t, path)
			before := snapshot(t, path)

			err := passqlite.NewDB(path).Open()
			if !errors.Is(err, tc.kind) {
				t.Fatalf("Open: %v; want %v", err, tc.kind)
			}
			assertPlain(t, err, path, tc.says...)
			if after := snapshot(t, path); !bytes.Equal(before, after) {
				t.Error("Open changed the file it refused")
			}
		})
	}
}

// snapshot is the file's content, or its name for a folder.
func snapshot(tb testing.TB, path string) []byte {
	tb.Helper()
	info, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	if !info.Mode().IsRegular() {
		return []byte(path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// assertPlain checks that err is an *OpenError whose message names the
// file, says what is asked, and shows no SQLite code.
func assertPlain(tb testing.TB, err error, path string, says ...string) {
	tb.Helper()
	var oe *passqlite.OpenError
	if !errors.As(err, &oe) {
		tb.Fatalf("%T %v: want an *OpenError", err, err)
	}
	msg := err.Error()
	for _, s := range append([]string{path}, says...) {
		if !strings.Contains(msg, s) {
			tb.Errorf("message %q does not say %q", msg, s)
		}
	}
	if code := regexp.MustCompile(`\(\d+\)|SQLITE_|sqlite3`).FindString(msg); code != "" {
		tb.Errorf("message %q shows a code: %q", msg, code)
	}
}

func TestOpenUnderAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(file, "kiosk.db")
	err := passqlite.NewDB(path).Open()
	if !errors.Is(err, passqlite.ErrCannotWrite) {
		t.Fatalf("Open: %v; want ErrCannotWrite", err)
	}
	assertPlain(t, err, path, "is a file, not a folder")
}

func TestOpenAcceptsNewFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(path string)
	}{
		{"missing file", func(string) {}},
		{"empty file", func(path string) { os.WriteFile(path, nil, 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			tc.make(path)
			db := passqlite.NewDB(path)
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			defer MustCloseDB(t, db)
			if err := db.Append(context.Background(), visit("s1", t0, true)...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenReadOnly(t *testing.T) {
	if unprivileged.Rerun(t) { // root writes a read-only file
		return
	}
	for _, tc := range []struct {
		name     string
		existing bool
		readOnly func(dir, path string) string // returns what was made read-only
	}{
		{"folder, new database", false, func(dir, _ string) string { return dir }},
		{"folder, existing database", true, func(dir, _ string) string { return dir }},
		{"file", true, func(_, path string) string { return path }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "kiosk.db")
			if tc.existing {
				kioskFile(t, path)
			}
			locked := tc.readOnly(dir, path)
			os.Chmod(locked, 0o500)
			t.Cleanup(func() { os.Chmod(locked, 0o700) })
			err := passqlite.NewDB(path).Open()
			if !errors.Is(err, passqlite.ErrCannotWrite) {
				t.Fatalf("Open: %v; want ErrCannotWrite", err)
			}
			assertPlain(t, err, path, "cannot write", "right to write")
		})
	}
}

func TestOpenTwiceIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	first := passqlite.NewDB(path)
	if err := first.Open(); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, path)

	err := passqlite.NewDB(path).Open()
	if !errors.Is(err, passqlite.ErrInUse) {
		t.Fatalf("second Open: %v; want ErrInUse", err)
	}
	assertPlain(t, err, path, "another Passerelle kiosk is already running", "process "+strconv.Itoa(os.Getpid()), "only one kiosk")
	if after := snapshot(t, path); !bytes.Equal(before, after) {
		t.Error("the refused Open changed the database")
	}

	// Once the first one closes, the database is free.
	MustCloseDB(t, first)
	second := passqlite.NewDB(path)
	if err := second.Open(); err != nil {
		t.Fatalf("Open after the first kiosk closed: %v", err)
	}
	MustCloseDB(t, second)
}

// BenchmarkOpenAYearOfUse measures what the checks before a write cost at
// start-up (quick_check reads every page) on a file of a busy year: 250
// days of 40 sessions of 30 events.
func BenchmarkOpenAYearOfUse(b *testing.B) {
	const sessions, events = 250 * 40, 30
	path := filepath.Join(b.TempDir(), "kiosk.db")
	db := passqlite.NewDB(path)
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	batch := make([]passerelle.Event, 0, events)
	for s := range sessions {
		id := "s" + strconv.Itoa(s)
		start := t0.Add(time.Duration(s) * time.Hour)
		batch = append(batch[:0], visit(id, start, false)...)
		for seq := len(batch) + 1; seq <= events; seq++ {
			batch = append(batch, tap(id, seq, start.Add(time.Duration(seq)*time.Second)))
		}
		if err := db.Append(context.Background(), batch...); err != nil {
			b.Fatal(err)
		}
	}
	MustCloseDB(b, db)
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		db := passqlite.NewDB(path)
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		MustCloseDB(b, db)
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
}
