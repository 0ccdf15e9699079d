package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// simulation is what a simulated run left in a real database.
type simulation struct {
	sessions []simulatedSession
	events   map[string][]passerelle.Event // by session id, as read back
}

// simulateInto runs the simulator with seed on the shipped catalog into a
// new database, and reads every session back from the file.
func simulateInto(t *testing.T, seed uint64, n int, end time.Time) simulation {
	t.Helper()
	ctx := context.Background()
	cat, err := loadCatalog(ctx, "../../data/procedures")
	if err != nil {
		t.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sim := simulator{catalog: cat, rng: rand.New(rand.NewPCG(seed, seed)), end: end}
	var res simulation
	if err := sim.run(ctx, db, n, func(s simulatedSession) { res.sessions = append(res.sessions, s) }); err != nil {
		t.Fatal(err)
	}
	res.events = map[string][]passerelle.Event{}
	for _, s := range res.sessions {
		evs, err := db.SessionEvents(ctx, s.ID)
		if err != nil {
			t.Fatalf("session %s reported saved: %v", s.ID, err)
		}
		res.events[s.ID] = evs
	}
	return res
}

// walk is a session's log without its ids: what a seed must reproduce.
func walk(s simulatedSession, evs []passerelle.Event) string {
	lines := []string{fmt.Sprintf("%s %s %s", s.ProcedureID, s.Lang, s.Outcome)}
	for _, e := range evs {
		lines = append(lines, fmt.Sprintf("%d %s %s %s %s %s", e.Seq, e.At.Format(time.RFC3339), e.Kind, e.StepID, e.Answer, e.Outcome))
	}
	return strings.Join(lines, "\n")
}

var simulationEnd = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func TestSimulatedSessionsAreWholeAndVaried(t *testing.T) {
	const n = 400
	res := simulateInto(t, 7, n, simulationEnd)
	if len(res.sessions) != n {
		t.Fatalf("%d sessions reported, want %d", len(res.sessions), n)
	}
	kinds := map[passerelle.EventKind]int{}
	outcomes := map[passerelle.Outcome]int{}
	procs, langs := map[string]bool{}, map[passerelle.Lang]bool{}
	backs, numbers := 0, 0
	first := simulationEnd
	for _, s := range res.sessions {
		evs := res.events[s.ID]
		if len(evs) != s.Events {
			t.Errorf("session %s: %d events in the file, %d reported", s.ID, len(evs), s.Events)
		}
		if evs[0].Kind != passerelle.EventSessionStarted || evs[0].Lang != s.Lang {
			t.Errorf("session %s starts with %+v", s.ID, evs[0])
		}
		last := evs[len(evs)-1]
		if last.Kind != passerelle.EventSessionEnded || last.Outcome != s.Outcome {
			t.Errorf("session %s ends with %+v, want session_ended %s", s.ID, last, s.Outcome)
		}
		for i, e := range evs {
			kinds[e.Kind]++
			if e.Kind == passerelle.EventSessionEnded && i != len(evs)-1 {
				t.Errorf("session %s ended at event %d of %d", s.ID, i+1, len(evs))
			}
			if i > 0 && e.At.Before(evs[i-1].At) {
				t.Errorf("session %s goes back in time at event %d", s.ID, i+1)
			}
			if !e.At.Before(simulationEnd) {
				t.Errorf("session %s has an event at %s, not in the past days", s.ID, e.At)
			}
			if e.Answer == "back" {
				backs++
			}
			if e.Answer == "valid" {
				numbers++
			}
			if e.At.Before(first) {
				first = e.At
			}
		}
		outcomes[s.Outcome]++
		procs[s.ProcedureID], langs[s.Lang] = true, true
	}
	if days := simulationEnd.Sub(first).Hours() / 24; days < n/perDay-1 {
		t.Errorf("the sessions span %.1f days, want about %d (%d a day)", days, n/perDay, perDay)
	}
	for _, o := range []passerelle.Outcome{passerelle.OutcomeFinished, passerelle.OutcomeHandedOff, passerelle.OutcomeAbandoned, passerelle.OutcomeTimedOut} {
		if outcomes[o] == 0 {
			t.Errorf("no session %s among %d: %v", o, n, outcomes)
		}
	}
	for _, k := range []passerelle.EventKind{passerelle.EventPromptReplayed, passerelle.EventHelpAsked, passerelle.EventStopAsked, passerelle.EventStopCancelled, passerelle.EventAnswerGiven} {
		if kinds[k] == 0 {
			t.Errorf("no %s event among %d sessions", k, n)
		}
	}
	if backs == 0 || numbers == 0 {
		t.Errorf("%d back moves and %d numbers typed among %d sessions, want some of each", backs, numbers, n)
	}
	if len(procs) < 5 || len(langs) < 3 {
		t.Errorf("sessions on %d procedures in %d languages, want every one of the shipped catalog's 5 and 3", len(procs), len(langs))
	}
}

func TestSimulationRepeatsForASeed(t *testing.T) {
	walks := func(res simulation) []string {
		var w []string
		for _, s := range res.sessions {
			w = append(w, walk(s, res.events[s.ID]))
		}
		return w
	}
	a := walks(simulateInto(t, 42, 60, simulationEnd))
	b := walks(simulateInto(t, 42, 60, simulationEnd))
	other := walks(simulateInto(t, 43, 60, simulationEnd))
	if !slices.Equal(a, b) {
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("seed 42 made two different sessions %d:\n%s\n---\n%s", i+1, a[i], b[i])
			}
		}
	}
	if slices.Equal(a, other) {
		t.Error("seeds 42 and 43 made the same sessions")
	}
}

func TestSimulatedNumbersFitTheirRule(t *testing.T) {
	for _, tc := range []struct {
		name     string
		min, max int
		pattern  string
		check    string
		fits     bool
	}{
		{"digits only", 7, 7, "", "", true},
		{"a range of lengths", 4, 11, "", "", true},
		{"a pattern", 7, 7, "[0-9]{7}", "", true},
		{"a NIR without its key", 13, 13, "[12][0-9]{12}", passerelle.CheckNIR, true},
		{"a NIR with its key", 15, 15, "", passerelle.CheckNIR, true},
		{"alternatives", 5, 5, "(75|92|93)[0-9]{3}", "", true},
		{"an unbounded repeat", 6, 8, "0[0-9]+", "", true},
		{"letters only", 3, 3, "[A-Z]{3}", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rule, err := passerelle.NewNumberRule(tc.min, tc.max, tc.pattern, false)
			if err != nil {
				t.Fatal(err)
			}
			rule.Check = tc.check
			sim := simulator{rng: rand.New(rand.NewPCG(1, 2))}
			for range 50 {
				digits, ok := sim.number(rule)
				if ok != tc.fits {
					t.Fatalf("number: %q, %v; want a number found: %v", digits, ok, tc.fits)
				}
				if ok && !rule.Accepts(digits) {
					t.Fatalf("%q does not fit the rule", digits)
				}
			}
		})
	}
}

// BenchmarkSimulate measures how fast simulate fills a kiosk's database,
// through the session package and the database's Append, in events a
// second.
func BenchmarkSimulate(b *testing.B) {
	ctx := context.Background()
	cat, err := loadCatalog(ctx, "../../data/procedures")
	if err != nil {
		b.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	sim := simulator{catalog: cat, rng: rand.New(rand.NewPCG(1, 1)), end: simulationEnd}
	var done tally
	for b.Loop() {
		if err := sim.run(ctx, db, 1000, done.add); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(done.events)/b.Elapsed().Seconds(), "events/s")
}
