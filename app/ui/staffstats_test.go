package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"passerelle/app/unprivileged"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"passerelle/app/audio"
	"passerelle/app/figurescsv"
	"passerelle/app/figurestest"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
	"passerelle/app/ui"
)

// statsRig is a kiosk in staff mode on its Statistics tab, on a real
// database file holding hand-made sessions.
type statsRig struct {
	*rig
	usb  string // the folder where "USB sticks" are mounted
	data string // the kiosk's data folder
}

// paris is where the kiosk's days begin.
var paris = func() *time.Location {
	loc, err := time.LoadLocation(passerelle.ParisTime)
	if err != nil {
		panic(err)
	}
	return loc
}()

// newStatsRig opens a kiosk of size on a database holding events, opens
// staff mode and its Statistics tab, and waits for the figures.
func newStatsRig(t testing.TB, size fyne.Size, events []passerelle.Event, dataDir func(dir string) string) *statsRig {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.Theme())
	dir := t.TempDir()
	db := sqlite.NewDB(filepath.Join(dir, "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for len(events) > 0 { // in transactions of a sane size
		n := min(len(events), 20_000)
		if err := db.Append(context.Background(), events[:n]...); err != nil {
			t.Fatal(err)
		}
		events = events[n:]
	}
	clk := newClock()
	if err := (&passerelle.PINLock{Store: db, Events: db, Params: cheapPIN, Now: clk.Now}).SetPIN(context.Background(), staffPIN); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sink := audio.NewNullSink(0)
	player := audio.NewPlayer(sink, audio.NewSpeech(speechCache, ""), audio.WithLogger(logger))
	t.Cleanup(func() { player.Close() })
	w := test.NewWindow(nil)
	w.Resize(size)
	t.Cleanup(w.Close)
	r := &statsRig{rig: &rig{t: t, w: w, db: db, sink: sink, player: player, asked: &promptLog{Player: player}, clock: clk},
		usb: filepath.Join(dir, "media"), data: dataDir(dir)}
	if err := os.Mkdir(r.usb, 0o755); err != nil {
		t.Fatal(err)
	}
	r.k = ui.New(w, ui.Deps{Catalog: openCatalog(t, shipped), Store: db, Player: r.asked, Logger: logger, Now: clk.Now,
		Staff: db, Sync: db, PINParams: cheapPIN, Figures: db, DataDir: r.data, USBRoots: []string{r.usb}}, ui.DefaultSettings)
	t.Cleanup(r.k.Close)
	staff := &staffRig{rig: r.rig}
	staff.hold(3 * time.Second)
	staff.typePIN(staffPIN)
	v := r.k.Staff()
	if v == nil || v.Stats == nil {
		t.Fatalf("staff mode has no statistics tab on %s", r.where())
	}
	v.Tabs.SelectIndex(3)
	wait(t, v.Stats.Loaded())
	// Staff mode's screen is first measured in the kiosk's big theme and
	// the test window grows to it; a kiosk's full screen cannot: give it
	// its size back, as the screen would.
	w.Resize(size)
	return r
}

// wait waits for ch to close, 10 s at most.
func wait(t testing.TB, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("the statistics tab did not answer within 10 s")
	}
}

// handMade are the sessions of the tests: on the rig's day (Tuesday 24
// November 2026) 3 finished, 1 handed off, 1 abandoned and 1 timed out on
// the step "income", 2 help calls of which one answered in 90 s; 12 days
// before, 1 more finished, outside the last 7 days.
func handMade() []passerelle.Event {
	day := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	var events []passerelle.Event
	add := func(b *figurestest.Builder) { events = append(events, b.Events()...) }
	at := func(i int) time.Time { return day.Add(time.Duration(i) * 10 * time.Minute) }
	for i := range 3 {
		add(figurestest.Session(passerelle.NewID(at(i)), "caf-prime-activite", "fr", at(i)).Show("start", time.Second).End(passerelle.OutcomeFinished, time.Minute))
	}
	add(figurestest.Session(passerelle.NewID(at(3)), "ameli-attestation", "ar", at(3)).Show("start", time.Second).
		Help(time.Second).Handled(90*time.Second).End(passerelle.OutcomeHandedOff, time.Minute))
	add(figurestest.Session(passerelle.NewID(at(4)), "caf-prime-activite", "en", at(4)).Show("income", time.Second).
		Help(time.Second).End(passerelle.OutcomeAbandoned, time.Minute))
	add(figurestest.Session(passerelle.NewID(at(5)), "caf-prime-activite", "fr", at(5)).Show("income", time.Second).End(passerelle.OutcomeTimedOut, time.Minute))
	old := day.AddDate(0, 0, -12)
	add(figurestest.Session(passerelle.NewID(old), "caf-prime-activite", "fr", old).Show("start", time.Second).End(passerelle.OutcomeFinished, time.Minute))
	return events
}

func inTemp(dir string) string { return dir }

// TestStatisticsTabShowsTheHeadlineFiguresAndSwitchesPeriod: the tab
// opens on the last 7 days with the figures of the hand-made sessions;
// choosing the last 12 months reads them again, the older session in.
func TestStatisticsTabShowsTheHeadlineFiguresAndSwitchesPeriod(t *testing.T) {
	r := newStatsRig(t, fyne.NewSize(800, 480), handMade(), inTemp)
	v := r.k.Staff().Stats
	cases := []struct {
		name, period                          string
		sessions, completion, calls, answered string
		periods                               int
	}{
		{"last 7 days", ui.StatsDays, "6 sessions", "Completion: 67 % (4 of 6)", "2 help calls", "Answered in 1m30s (median of 1)", 7},
		{"last 12 months", ui.StatsMonths, "7 sessions", "Completion: 71 % (5 of 7)", "2 help calls", "Answered in 1m30s (median of 1)", 12},
		{"last 5 weeks", ui.StatsWeeks, "7 sessions", "Completion: 71 % (5 of 7)", "2 help calls", "Answered in 1m30s (median of 1)", 5},
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(v.Export)
	if end := pos.Add(v.Export.Size()); !v.Export.Visible() || end.X > 800 || end.Y > 480 || v.Export.Size().Width == 0 {
		t.Errorf("Export CSV lies at %v to %v, outside the 800×480 window (now %v)", pos, end, r.w.Canvas().Size())
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if v.Period.Selected != c.period {
				v.Period.SetSelected(c.period)
				wait(t, v.Loaded())
			}
			for _, got := range []struct{ label, want string }{
				{v.Sessions.Text, c.sessions}, {v.Completion.Text, c.completion},
				{v.HelpCalls.Text, c.calls}, {v.Wait.Text, c.answered},
			} {
				if got.label != got.want {
					t.Errorf("shows %q, want %q", got.label, got.want)
				}
			}
			if n := len(v.ByPeriod.Categories); n != c.periods {
				t.Errorf("the sessions chart has %d periods (%q), want %d", n, v.ByPeriod.Categories, c.periods)
			}
			if got := v.Figures().Period; got != statsPeriod(c.period) {
				t.Errorf("the figures shown are by %s, want by %s", got, statsPeriod(c.period))
			}
		})
	}
}

func statsPeriod(choice string) passerelle.Period {
	return map[string]passerelle.Period{ui.StatsDays: passerelle.PeriodDay, ui.StatsWeeks: passerelle.PeriodWeek, ui.StatsMonths: passerelle.PeriodMonth}[choice]
}

// TestDropOffChartFollowsTheProcedureChosen: with people giving up on
// two procedures, the chart starts on the one with most drop-offs; staff
// pick the other and see its steps, and the choice stays when they
// change the period.
func TestDropOffChartFollowsTheProcedureChosen(t *testing.T) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	ameli := figurestest.Session(passerelle.NewID(at), "ameli-attestation", "fr", at).
		Show("start", time.Second).Show("number", time.Second).End(passerelle.OutcomeAbandoned, time.Minute)
	r := newStatsRig(t, fyne.NewSize(800, 480), append(handMade(), ameli.Events()...), inTemp)
	v := r.k.Staff().Stats
	shows := func(proc, step string, n float64) {
		t.Helper()
		drops := v.DropOff.Bars()
		if !strings.Contains(v.DropOff.Title, proc) || len(drops) != 1 || drops[0].Category != step || drops[0].Value != n {
			t.Errorf("drop-off chart %q shows %+v, want %s: %v on %s", v.DropOff.Title, drops, proc, n, step)
		}
	}
	if !v.DropOffPick.Visible() || !slices.Equal(v.DropOffPick.Options, []string{"caf-prime-activite", "ameli-attestation"}) {
		t.Fatalf("the procedure picker shows %v (visible %v); want both procedures, most drop-offs first", v.DropOffPick.Options, v.DropOffPick.Visible())
	}
	shows("caf-prime-activite", "income", 2)
	v.DropOffPick.SetSelected("ameli-attestation")
	shows("ameli-attestation", "number", 1)
	v.Period.SetSelected(ui.StatsMonths)
	wait(t, v.Loaded())
	if v.DropOffPick.Selected != "ameli-attestation" {
		t.Errorf("after a new period the picker shows %q; want the procedure chosen kept", v.DropOffPick.Selected)
	}
	shows("ameli-attestation", "number", 1)
}

// TestChartBarsAreProportionalToTheFigures: on the smallest kiosk screen,
// the stacked bar of the day's sessions has its finished piece three
// times its abandoned one, the other days have none, and the procedures'
// bars are as long as their sessions; the drop-off chart names the
// procedure people give up on and the step.
func TestChartBarsAreProportionalToTheFigures(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 800, Height: 480}, {Width: 1024, Height: 768}} {
		r := newStatsRig(t, size, handMade(), inTemp)
		v := r.k.Staff().Stats
		bars := map[string]ui.Bar{}
		for _, b := range v.ByPeriod.Bars() {
			bars[b.Category+"/"+b.Series] = b
		}
		finished, abandoned := bars["Tue 24/finished"].Rect.Size().Height, bars["Tue 24/abandoned"].Rect.Size().Height
		if abandoned < 10 || !near(finished, 3*abandoned) {
			t.Errorf("%v: today's finished bar is %.1f high and abandoned %.1f: want 3 to 1, visible", size, finished, abandoned)
		}
		if h := bars["Mon 23/finished"].Rect.Size().Height; h != 0 {
			t.Errorf("%v: a day without sessions has a bar %.1f high", size, h)
		}
		procs := map[string]float32{}
		for _, b := range v.ByProcedure.Bars() {
			procs[b.Category] = b.Rect.Size().Width
		}
		if caf, ameli := procs["caf-prime-activite"], procs["ameli-attestation"]; ameli < 5 || !near(caf, 5*ameli) {
			t.Errorf("%v: procedure bars %v: want caf-prime-activite 5 times ameli-attestation", size, procs)
		}
		drops := v.DropOff.Bars()
		if !strings.Contains(v.DropOff.Title, "caf-prime-activite") || len(drops) != 1 || drops[0].Category != "income" || drops[0].Value != 2 {
			t.Errorf("%v: drop-off chart %q shows %+v, want 2 on income", size, v.DropOff.Title, drops)
		}
		for _, b := range append(v.ByPeriod.Bars(), v.ByProcedure.Bars()...) {
			end := b.Rect.Position().Add(b.Rect.Size())
			chart := v.ByPeriod.Size()
			if end.X > chart.Width+1 || end.Y > chart.Height+1 || b.Rect.Position().Y < 0 {
				t.Errorf("%v: bar %s/%s lies outside its chart: %v to %v in %v", size, b.Category, b.Series, b.Rect.Position(), end, chart)
			}
		}
	}
}

func near(a, b float32) bool { return a-b < 1.5 && b-a < 1.5 }

// TestExportWritesTheCSVOfTheStatsCommand: with one USB stick mounted,
// Export CSV writes on it the very file passerelle stats -csv writes for
// the same days, and says where.
func TestExportWritesTheCSVOfTheStatsCommand(t *testing.T) {
	r := newStatsRig(t, fyne.NewSize(800, 480), handMade(), inTemp)
	stick := filepath.Join(r.usb, "KINGSTON")
	if err := os.Mkdir(stick, 0o755); err != nil {
		t.Fatal(err)
	}
	v := r.k.Staff().Stats
	test.Tap(v.Export)
	wait(t, v.Written())

	q := passerelle.FiguresQuery{From: time.Date(2026, 11, 18, 0, 0, 0, 0, paris), To: time.Date(2026, 11, 25, 0, 0, 0, 0, paris),
		Period: passerelle.PeriodDay, Location: paris}
	f, err := r.db.Figures(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := figurescsv.Write(&want, f); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(stick, "passerelle-stats-2026-11-18-2026-11-24.csv")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no CSV on the stick (%v); the tab says %q", err, v.Exported.Text)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the CSV on the stick differs from stats -csv's:\n%s\nwant:\n%s", got, want.Bytes())
	}
	if !strings.Contains(v.Exported.Text, "USB stick") || !strings.Contains(v.Exported.Text, path) {
		t.Errorf("the tab says %q: want where the file went", v.Exported.Text)
	}
	if entries, _ := os.ReadDir(stick); len(entries) != 1 {
		t.Errorf("the stick holds %d files, want the CSV alone (no temporary file left)", len(entries))
	}
}

// TestExportAsksWhichStickWhenThereAreSeveral: two sticks mounted, Export
// CSV asks which; the one touched gets the file, the other nothing.
func TestExportAsksWhichStickWhenThereAreSeveral(t *testing.T) {
	r := newStatsRig(t, fyne.NewSize(800, 480), handMade(), inTemp)
	for _, name := range []string{"KINGSTON", "SANDISK"} {
		if err := os.Mkdir(filepath.Join(r.usb, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	v := r.k.Staff().Stats
	test.Tap(v.Export)
	sandisk := findButton(r.w.Canvas().Overlays().Top(), "SANDISK")
	if sandisk == nil || findButton(r.w.Canvas().Overlays().Top(), "KINGSTON") == nil {
		t.Fatal("Export CSV with two sticks did not ask which")
	}
	test.Tap(sandisk)
	wait(t, v.Written())
	for stick, want := range map[string]int{"SANDISK": 1, "KINGSTON": 0} {
		if entries, _ := os.ReadDir(filepath.Join(r.usb, stick)); len(entries) != want {
			t.Errorf("%s holds %d files, want %d; the tab says %q", stick, len(entries), want, v.Exported.Text)
		}
	}
	if !strings.Contains(v.Exported.Text, "SANDISK") {
		t.Errorf("the tab says %q: want the stick's name", v.Exported.Text)
	}
}

// findButton finds the button saying text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if o == nil {
		return nil
	}
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(c).Objects()
	}
	for _, k := range kids {
		if b := findButton(k, text); b != nil {
			return b
		}
	}
	return nil
}

// TestExportSaysInPlainWordsWhyItFailed: no stick and no folder, a read-only
// stick, a data folder gone: a sentence staff understand, and no file.
func TestExportSaysInPlainWordsWhyItFailed(t *testing.T) {
	cases := []struct {
		name  string
		data  func(dir string) string
		stick func(t *testing.T, usb string)
		want  string
		// asUser: root writes in a read-only folder, so the case runs
		// as an ordinary user (unprivileged.Rerun).
		asUser bool
	}{
		{"no stick and no data folder", func(string) string { return "" }, nil, "No USB stick is plugged in", false},
		{"the data folder is gone", func(dir string) string { return filepath.Join(dir, "gone") }, nil, "is not there any more", false},
		{"a read-only stick", inTemp, func(t *testing.T, usb string) {
			stick := filepath.Join(usb, "STICK")
			if err := os.Mkdir(stick, 0o555); err != nil {
				t.Fatal(err)
			}
		}, "permission denied (a read-only USB stick", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.asUser && unprivileged.Rerun(t) {
				return
			}
			r := newStatsRig(t, fyne.NewSize(800, 480), handMade(), c.data)
			if c.stick != nil {
				c.stick(t, r.usb)
			}
			v := r.k.Staff().Stats
			test.Tap(v.Export)
			wait(t, v.Written())
			if !strings.Contains(v.Exported.Text, c.want) {
				t.Errorf("the tab says %q, want %q", v.Exported.Text, c.want)
			}
			if !v.Export.Disabled() && strings.Contains(v.Exported.Text, "Saved") {
				t.Errorf("the tab says it saved: %q", v.Exported.Text)
			}
		})
	}
}

// busyYears are 1 000 000 events: 40 sessions a day of 25 events (20
// steps, a help call, the end) for about 2.7 years before the rig's day,
// one session in five given up on a step, one in ten handed off.
func busyYears() []passerelle.Event {
	const perDay, sessions = 40, 40_000
	procs := []string{"create-email", "ameli-attestation", "ants-id-card", "caf-quarterly-declaration", "france-travail-update"}
	langs := []passerelle.Lang{"fr", "ar", "en", "es", "uk"}
	last := time.Date(2026, 11, 24, 7, 0, 0, 0, time.UTC)
	events := make([]passerelle.Event, 0, 1_000_000)
	for i := range sessions {
		at := last.AddDate(0, 0, -(i / perDay)).Add(time.Duration(i%perDay) * 15 * time.Minute)
		b := figurestest.Session(passerelle.NewID(at), procs[i%len(procs)], langs[i/7%len(langs)], at)
		for s := range 20 {
			b.Show(fmt.Sprintf("step-%d", s), 20*time.Second)
			if s == 10 {
				b.Help(time.Second)
			}
		}
		outcome := passerelle.OutcomeFinished
		switch {
		case i%5 == 0:
			outcome = passerelle.OutcomeAbandoned
		case i%10 == 1:
			outcome = passerelle.OutcomeHandedOff
		}
		events = append(events, b.End(outcome, time.Second).Events()...)
	}
	return events
}

// BenchmarkStatisticsTab times a statistics screen of a busy kiosk (1 000 000
// events), from the period touched to the charts drawn: the query off the
// screen's thread, the figures made into charts, the layout at 800×480.
// The target is under 200 ms a screen. Filling the file takes about half a
// minute.
//
//	go test ./app/ui -run '^$' -bench StatisticsTab -benchtime 10x
func BenchmarkStatisticsTab(b *testing.B) {
	r := newStatsRig(b, fyne.NewSize(800, 480), busyYears(), inTemp)
	v := r.k.Staff().Stats
	for _, period := range []string{ui.StatsDays, ui.StatsWeeks, ui.StatsMonths} {
		b.Run(period, func(b *testing.B) {
			for b.Loop() {
				v.Period.Selected = "" // so that choosing it again reads again
				v.Period.SetSelected(period)
				wait(b, v.Loaded())
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/screen")
			b.ReportMetric(float64(v.Figures().TotalSessions()), "sessions")
		})
	}
	// The query alone, for the part of the screen's time that is SQL.
	b.Run("Last 12 months, query alone", func(b *testing.B) {
		q := passerelle.FiguresQuery{From: time.Date(2025, 12, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 11, 25, 0, 0, 0, 0, paris),
			Period: passerelle.PeriodMonth, Location: paris}
		for b.Loop() {
			if _, err := r.db.Figures(context.Background(), q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/screen")
	})
}
