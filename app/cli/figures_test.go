package cli_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/figurestest"
	"passerelle/app/passerelle"
	"passerelle/app/postgres/postgrestest"
	"passerelle/app/sqlite"
)

// figuresJSON is what the tests read of stats -json's "figures".
type figuresJSON struct {
	Sessions     int               `json:"sessions"`
	Completed    int               `json:"completed"`
	ByPeriod     []json.RawMessage `json:"by_period"`
	DropOffs     []json.RawMessage `json:"drop_offs"`
	HelpCalls    []json.RawMessage `json:"help_calls"`
	HelpAnswered []json.RawMessage `json:"help_answered"`
}

// copyFile copies a closed database file.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFiguresAgreeOnKioskAndHubs follows the events of one kiosk to both
// kinds of hub: simulated sessions, and hand-made ones whose help calls
// were marked handled, are synced by the real binary (join, sync -once)
// to a SQLite hub and, from a copy of the kiosk, to a PostgreSQL hub.
// stats -json and stats -csv must then say the same of all three.
func TestFiguresAgreeOnKioskAndHubs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hubs and kiosk processes on SQLite and PostgreSQL")
	}
	dsn := postgrestest.NewDatabase(t)
	dir := t.TempDir()
	kiosk := filepath.Join(dir, "kiosk-1", "kiosk.db")
	mustRun(t, "simulate", "-db", kiosk, "-sessions", "300", "-seed", "7", "-catalog", shipped)

	// Three sessions whose help calls staff marked handled, yesterday.
	yesterday := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Add(10 * time.Hour)
	db := sqlite.NewDB(kiosk)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	for i, wait := range []time.Duration{40 * time.Second, 3 * time.Minute, 90 * time.Second} {
		s := figurestest.Session(passerelle.NewID(yesterday), "create-email", "fr", yesterday.Add(time.Duration(i)*time.Hour)).
			Show("welcome", 5*time.Second).Help(time.Second).Handled(wait).End(passerelle.OutcomeAbandoned, time.Second)
		if err := db.Append(context.Background(), s.Events()...); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	copyOfKiosk := filepath.Join(dir, "kiosk-1-copy", "kiosk.db")
	copyFile(t, kiosk, copyOfKiosk)

	hubFile := filepath.Join(dir, "hub.db")
	for _, c := range []struct{ kiosk, hub string }{{kiosk, hubFile}, {copyOfKiosk, dsn}} {
		h := startHub(t, c.hub, shipped)
		mustRun(t, "join", "-db", c.kiosk, "-hub", h.URL, "-token", enroll(t, c.hub, "mairie-lyon-3"))
		mustRun(t, "sync", "-once", "-db", c.kiosk)
		h.stop(t)
	}

	today := time.Now().Format(time.DateOnly)
	from := time.Now().AddDate(0, 0, -60).Format(time.DateOnly)
	var first []byte
	for _, db := range []string{kiosk, hubFile, dsn} {
		out := mustRun(t, "stats", "-json", "-db", db, "-from", from, "-to", today, "-period", "week")
		var s struct {
			Events  *int            `json:"events"`
			Figures json.RawMessage `json:"figures"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil || s.Events == nil {
			t.Fatalf("stats -json -db %s printed %q: %v", db, out, err)
		}
		if first == nil {
			first = s.Figures
			var f figuresJSON
			if err := json.Unmarshal(s.Figures, &f); err != nil {
				t.Fatal(err)
			}
			if f.Sessions != 303 || f.Completed == 0 || len(f.ByPeriod) < 10 || len(f.DropOffs) == 0 || len(f.HelpCalls) == 0 || len(f.HelpAnswered) == 0 {
				t.Fatalf("the kiosk's figures miss something of its 303 sessions: %s", s.Figures)
			}
			if !bytes.Contains(s.Figures, []byte(`"answered":3,"median_seconds":90`)) {
				t.Errorf("the kiosk's help calls were answered in 40 s, 3 min and 90 s: want 3 answered, median 90 s, in %s", s.Figures)
			}
			continue
		}
		if !bytes.Equal(s.Figures, first) {
			t.Errorf("stats -json -db %s says\n%s\nthe kiosk says\n%s", db, s.Figures, first)
		}
	}

	// The CSV, written in a folder as on a USB stick, is the same from
	// both hubs, and holds every figure the JSON holds.
	var csvs [][]byte
	for i, db := range []string{hubFile, dsn} {
		stick := filepath.Join(dir, "stick", string(rune('a'+i)))
		if err := os.MkdirAll(stick, 0o700); err != nil {
			t.Fatal(err)
		}
		out := mustRun(t, "stats", "-csv", "-o", stick, "-db", db, "-from", from, "-to", today, "-period", "week")
		want := filepath.Join(stick, "passerelle-stats-"+from+"-"+today+".csv")
		if !strings.Contains(out, want) {
			t.Errorf("stats -csv -o %s printed %q: want the file named", stick, out)
		}
		files, err := os.ReadDir(stick)
		if err != nil || len(files) != 1 {
			t.Fatalf("the folder holds %v (%v): want the CSV alone, no temporary file left", files, err)
		}
		b, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		csvs = append(csvs, b)
	}
	if !bytes.Equal(csvs[0], csvs[1]) {
		t.Errorf("the SQLite hub's CSV and the PostgreSQL hub's differ:\n%s\n---\n%s", csvs[0], csvs[1])
	}
	var f figuresJSON
	if err := json.Unmarshal(first, &f); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(csvs[0], []byte("\ufefffigure,period,kiosk,procedure,language,step,outcome,count,median_seconds\r\n")) {
		t.Errorf("the CSV starts %q: want the byte order mark, then the header", csvs[0][:min(80, len(csvs[0]))])
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvs[0], []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rows[1:] {
		count[r[0]]++
	}
	if count["sessions"] != len(f.ByPeriod) || count["drop_off"] != len(f.DropOffs) ||
		count["help_calls"] != len(f.HelpCalls) || count["help_answered"] != len(f.HelpAnswered) {
		t.Errorf("the CSV has %v rows; the JSON %d sessions, %d drop-offs, %d help calls, %d answered",
			count, len(f.ByPeriod), len(f.DropOffs), len(f.HelpCalls), len(f.HelpAnswered))
	}
}

// TestStatsRefusals: what staff may mistype gets one plain sentence and
// writes nothing.
func TestStatsRefusals(t *testing.T) {
	dir := t.TempDir()
	kiosk := filepath.Join(dir, "kiosk.db")
	if code, _, errOut := run(t, "simulate", "-db", kiosk, "-sessions", "5", "-catalog", shipped); code != 0 {
		t.Fatal(errOut)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"a month 13", []string{"-from", "2026-13-01"}, 2, `-from "2026-13-01" is not a date: write it as year-month-day`},
		{"a French date", []string{"-to", "31/12/2026"}, 2, `-to "31/12/2026" is not a date`},
		{"the range reversed", []string{"-from", "2026-05-01", "-to", "2026-04-01"}, 2, "-from 2026-05-01 comes after -to 2026-04-01"},
		{"a typo in a year", []string{"-from", "1026-01-01", "-to", "2026-01-01"}, 2, "longer than 10 years"},
		{"an unknown period", []string{"-period", "year"}, 2, `-period "year" is not a period: give day, week or month`},
		{"an unknown time zone", []string{"-tz", "Europe/Lutece"}, 2, `-tz "Europe/Lutece" is not a time zone`},
		{"json and csv", []string{"-json", "-csv"}, 2, "give one"},
		{"a folder that is not there", []string{"-csv", "-o", filepath.Join(dir, "no-stick", "stats.csv")}, 1, "does not exist (is the USB stick plugged in?)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"stats", "-db", kiosk}, c.args...)...)
			if code != c.code || !strings.Contains(errOut, c.says) || strings.Count(errOut, "\n") != 1 || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and one sentence saying %q", code, out, errOut, c.code, c.says)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.HasSuffix(e.Name(), ".csv") {
			t.Errorf("a refused stats left %s behind", e.Name())
		}
	}
}

// TestStatsCSVDefusesFormulas: a kiosk name or a step sent to the hub
// that starts like a formula stays text in a spreadsheet.
func TestStatsCSVDefusesFormulas(t *testing.T) {
	kiosk := filepath.Join(t.TempDir(), "kiosk.db")
	db := sqlite.NewDB(kiosk)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	s := figurestest.Session(passerelle.NewID(at), "=HYPERLINK(\"http://x\")", "fr", at).Show("@SUM(A1)", time.Second).
		Help(time.Second).End(passerelle.OutcomeAbandoned, time.Second)
	if err := db.Append(context.Background(), s.Events()...); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut := run(t, "stats", "-csv", "-db", kiosk)
	if code != 0 {
		t.Fatal(errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("the cell %q would run as a formula", cell)
			}
		}
	}
	if !strings.Contains(out, `'=HYPERLINK`) || !strings.Contains(out, "'@SUM(A1)") {
		t.Errorf("the CSV lost the names it defused:\n%s", out)
	}
}

// TestStatsTextShowsEachFigure: the text staff read holds each figure of
// hand-made sessions, in rows they can check by eye.
func TestStatsTextShowsEachFigure(t *testing.T) {
	kiosk := filepath.Join(t.TempDir(), "kiosk.db")
	db := sqlite.NewDB(kiosk)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC)
	for i, o := range []passerelle.Outcome{passerelle.OutcomeFinished, passerelle.OutcomeAbandoned, passerelle.OutcomeTimedOut} {
		start := at.Add(time.Duration(i) * time.Hour)
		s := figurestest.Session(passerelle.NewID(start), "caf", "fr", start).Show("income", time.Second)
		if i == 0 {
			s.Help(time.Second).Handled(2 * time.Minute)
		}
		if err := db.Append(context.Background(), s.End(o, time.Second).Events()...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	code, out, errOut := run(t, "stats", "-db", kiosk, "-from", "2026-06-01", "-to", "2026-06-30")
	if code != 0 {
		t.Fatal(errOut)
	}
	for _, want := range []string{
		"Sessions started from 2026-06-01 to 2026-06-30 (Europe/Paris time), by month",
		"3 sessions; of the 3 that ended, 1 reached the end of their procedure (finished or handed off to a mediator): 33.3 %",
		"2026-06  caf        fr        1         0           1          1          0            0     3",
		"caf        income  1          1",
		"Help calls: 1, most first",
		"2026-06  1         2m0s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stats printed:\n%s\nwant a line with %q", out, want)
		}
	}
}
