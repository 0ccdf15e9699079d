package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"passerelle/app/audio"
	"passerelle/app/passerelle"
	"passerelle/app/ui"
)

const childEnv = "PASSERELLE_KIOSK_CHILD_DB"

// testConfig is the kiosk's configuration on the shipped catalog and a
// database file of the test's.
func testConfig(db string) kioskConfig {
	return kioskConfig{
		catalog: "../../data/procedures", db: db, speech: filepath.Join(filepath.Dir(db), "speech"),
		speechLimit: audio.DefaultCacheLimit, width: 1024, height: 768,
		inactivity: ui.DefaultSettings.Inactivity, stillThere: ui.DefaultSettings.StillThereWait,
		elsewhere: ui.DefaultSettings.ElsewhereWait,
		retention: 30 * 24 * time.Hour, volume: 1, rate: 150,
	}
}

// TestKioskChild is not a test of its own: TestKillDuringProcedure runs the
// test binary again with this one selected, as a kiosk process to kill.
// It walks into a procedure, prints each answer once it is saved, then waits.
func TestKioskChild(t *testing.T) {
	db := os.Getenv(childEnv)
	if db == "" {
		t.Skip("run by TestKillDuringProcedure")
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	withStaffPIN(t, db)
	a := test.NewApp()
	c := testConfig(db)
	c.tapGuard = time.Nanosecond // the test taps faster than a person
	k, err := openKiosk(context.Background(), c, a, audio.NewNullSink(0), logger)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	tap := func(tile *ui.Tile) { test.Tap(tile) }
	kiosk := k.ui
	tap(kiosk.Screen().Start)
	tap(kiosk.Screen().Tile("fr"))
	tap(kiosk.Screen().Next)
	for kiosk.Screen().Tile("france-travail-update") == nil {
		tap(kiosk.Screen().NextPage)
	}
	tap(kiosk.Screen().Tile("france-travail-update"))
	tap(kiosk.Screen().Next)
	fmt.Println("session", kiosk.Session().ID)
	// when, deadline, not-caf: info; documents: checklist; open-site:
	// info; login: choice.
	for range 3 {
		tap(kiosk.Screen().Next)
		fmt.Println("saved", kiosk.Session().Step().ID)
	}
	tap(kiosk.Screen().Tile("payslip"))
	tap(kiosk.Screen().Next)
	fmt.Println("saved", kiosk.Session().Step().ID)
	tap(kiosk.Screen().Next)
	fmt.Println("saved", kiosk.Session().Step().ID)
	tap(kiosk.Screen().Tile("yes"))
	tap(kiosk.Screen().Next)
	fmt.Println("saved", kiosk.Session().Step().ID)
	fmt.Println("waiting")
	select {} // killed here, in the middle of the procedure
}

func TestKillDuringProcedure(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a kiosk process")
	}
	db := filepath.Join(t.TempDir(), "kiosk.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKioskChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		sessionID string
		saved     []string
	)
	lines := bufio.NewScanner(out)
	done := make(chan error, 1)
	go func() {
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			switch {
			case len(f) == 2 && f[0] == "session":
				sessionID = f[1]
			case len(f) == 2 && f[0] == "saved":
				saved = append(saved, f[1])
			case len(f) > 0 && f[0] == "waiting":
				done <- nil
				return
			case len(f) > 0 && f[0] == "error":
				done <- fmt.Errorf("child: %s", lines.Text())
				return
			}
		}
		done <- fmt.Errorf("child ended before waiting: %v", lines.Err())
	}()
	select {
	case err := <-done:
		if err != nil {
			cmd.Process.Kill()
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the child kiosk did not reach the middle of the procedure")
	}
	secondKioskIsRefused(t, db, cmd.Process.Pid)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup, no flush
		t.Fatal(err)
	}
	cmd.Wait()

	// The kiosk starts again on the same database.
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := openKiosk(context.Background(), testConfig(db), test.NewTempApp(t), audio.NewNullSink(0), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if got := k.ui.Screen().Name; got != ui.ScreenWelcome {
		t.Errorf("after the restart the kiosk shows %s, want welcome", got)
	}
	evs, err := k.db.SessionEvents(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	answers := 0
	for _, e := range evs {
		switch e.Kind {
		case passerelle.EventStepShown:
			shown = append(shown, e.StepID)
		case passerelle.EventAnswerGiven:
			answers++
		}
	}
	if len(saved) != 6 {
		t.Fatalf("the child reported %d saved steps, want 6: %v", len(saved), saved)
	}
	// Every step the child reported saved is in the log, in order.
	if got, want := strings.Join(shown[1:], " "), strings.Join(saved, " "); got != want {
		t.Errorf("steps in the log after the kill: %q, want what the child saved: %q", got, want)
	}
	if answers != 2 {
		t.Errorf("%d answers in the log, want 2 (the checklist and the choice)", answers)
	}
	last := evs[len(evs)-1]
	if last.Kind != passerelle.EventSessionEnded || last.Outcome != passerelle.OutcomeInterrupted {
		t.Errorf("last event %+v, want the session ended as interrupted", last)
	}
}

// secondKioskIsRefused starts a second kiosk, by its command line, on the
// database a live kiosk process uses: an autostart that fired twice. It
// must stop with a sentence naming the other process and change nothing.
func secondKioskIsRefused(t *testing.T, db string, pid int) {
	t.Helper()
	files := func() map[string]string {
		m := map[string]string{}
		for _, name := range []string{db, db + "-wal"} {
			b, _ := os.ReadFile(name)
			m[name] = string(b)
		}
		return m
	}
	before := files()
	var stdout, stderr strings.Builder
	code := runKiosk(context.Background(), []string{"-catalog", "../../data/procedures", "-db", db,
		"-speech-cache", filepath.Join(filepath.Dir(db), "speech")}, &stdout, &stderr)
	want := fmt.Sprintf("passerelle kiosk: another Passerelle kiosk is already running on %s (process %d): only one kiosk may use a database", db, pid)
	if code != 1 || !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("second kiosk: exit %d, stderr %q; want 1 and %q", code, stderr.String(), want)
	}
	after := files()
	for name := range before {
		if before[name] != after[name] {
			t.Errorf("the second kiosk changed %s", filepath.Base(name))
		}
	}
}
