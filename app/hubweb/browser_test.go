package hubweb_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"passerelle/app/bundle"
	"passerelle/app/hubapi"
	"passerelle/app/hubweb"
	"passerelle/app/passerelle"
	"passerelle/app/sqlite"
)

// chromiumPath is Debian's chromium, which CI installs (packaging/install-deps.sh).
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a headless chromium with a fresh profile, or skips
// the test when chromium is not installed (fails when CI=true).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserWith(t)
}

// newBrowserWith is newBrowser with more chromium flags (a fake
// microphone for the editor's recorder).
func newBrowserWith(t *testing.T, more ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		why := "chromium is not installed at " + chromiumPath + ": install Debian's chromium package (apt-get install chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}, more...)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first Run starts the browser; its context must carry no timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// shippedCatalog is the catalog the project ships, which the browser
// test's hub publishes.
const shippedCatalog = "../../data/procedures"

// TestBrowser drives the real page in Debian's chromium, served by the
// real handler on loopback from a real SQLite hub publishing the shipped
// catalog: sign in, see the enrolled kiosk, see a kiosk's help call
// appear, mark it handled, see the statistics' charts, download the CSV.
func TestBrowser(t *testing.T) {
	var pub *bundle.Publisher // the hub's, as passerelle hub runs it
	hub := startHubWith(t, &hubweb.Server{RefreshEvery: 200 * time.Millisecond,
		Titles: func() map[string]passerelle.Text { return pub.Titles() }})
	pub = &bundle.Publisher{Dir: shippedCatalog, Store: hub.Store, Logger: slog.New(slog.DiscardHandler)}
	if err := pub.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pub.Close() })
	seedKiosk(t, hub.Store, "médiathèque-nord")
	ctx := newBrowser(t)
	step, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Do(step,
		chromedp.Navigate(hub.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.SendKeys(chromedp.ID("name"), staffName),
		chromedp.SendKeys(chromedp.ID("password"), staffPassword),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("live")),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	kiosks, err := chromedp.Run(step, chromedp.Text(chromedp.ID("live")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mairie-évry", "médiathèque-nord", "online", "1.4.2"} {
		if !strings.Contains(kiosks, want) {
			t.Errorf("the kiosks page does not show %q:\n%s", want, kiosks)
		}
	}

	// A kiosk enrolled while the page is open appears without a reload:
	// the marker set on the page's window stays, which a reload would drop.
	if err := chromedp.Do(step, chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	if err := hub.Store.EnrollKiosk(context.Background(), "ccas-sud", sum("ccas-sud-token"), t0.Add(time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	appear, cancelAppear := context.WithTimeout(step, 10*time.Second) // 50 refreshes
	defer cancelAppear()
	if err := chromedp.Do(appear, chromedp.WaitVisible(chromedp.Search(`//td[text()="ccas-sud"]`))); err != nil {
		t.Fatalf("the new kiosk never appeared: %v", err)
	}
	if same, err := chromedp.Run(step, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Errorf("the page reloaded to show the new kiosk (%v)", err)
	}
	if state, err := chromedp.Run(step, chromedp.Text(chromedp.Search(`//td[text()="ccas-sud"]/following-sibling::td[1]`))); err != nil || state != "waiting to join" {
		t.Errorf("the new kiosk's state %q, %v; want waiting to join", state, err)
	}

	// ccas-sud joins, as passerelle join does, and its user calls for help.
	helpRoundTrip(t, step, hub, joinKiosk(t, hub, "ccas-sud"))

	if err := chromedp.Do(step,
		chromedp.Navigate(hub.URL+"/stats?from=2026-09-01&to=2026-11-30&period=week"),
		chromedp.WaitVisible(chromedp.CSS("figure svg rect")),
	); err != nil {
		t.Fatalf("statistics: %v", err)
	}
	bars, err := chromedp.Run(step, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("figure svg rect title")).map(t => t.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026-10-12: 4 sessions finished", "2026-10-12: 2 sessions abandoned", "2026-10-12: 2 help calls"} {
		if !contained(bars, want) {
			t.Errorf("no bar says %q; bars: %q", want, bars)
		}
	}
	if rate, err := chromedp.Run(step, chromedp.Text(chromedp.ID("rate"))); err != nil || rate != "66.7 %" {
		t.Errorf("completion rate %q, %v; want 66.7 %%", rate, err)
	}
	// The CSV, downloaded by a click as staff would.
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(step, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: ptr(true)}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	downloads := chromedp.BrowserEvents(step, browser.DownloadProgress)
	if err := chromedp.Do(step, chromedp.Click(chromedp.ID("csv"))); err != nil {
		t.Fatal(err)
	}
	var done browser.EventDownloadProgress
	for ev, err := range downloads {
		if err != nil {
			t.Fatalf("download the CSV: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the CSV's download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			done = ev
			break
		}
	}
	screenshot(t, step, hub)
	file := filepath.Join(dir, "passerelle-stats-2026-09-01-2026-11-30.csv")
	csv, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the CSV is not where the browser saved it (%s): %v", done.FilePath, errors.Join(err))
	}
	for _, want := range []string{
		"\ufefffigure,period,kiosk,procedure,language,step,outcome,count,median_seconds\r\n",
		"sessions,2026-10-12,médiathèque-nord,caf-rsa,ar,,finished,2,\r\n",
		"drop_off,2026-10-12,mairie-évry,caf-rsa,,address,abandoned,1,\r\n",
		"help_calls,2026-10-12,mairie-évry,caf-rsa,,address,,1,\r\n",
	} {
		if !strings.Contains(string(csv), want) {
			t.Errorf("the downloaded CSV lacks %q:\n%s", want, csv)
		}
	}
}

// kiosk is a kiosk joined to the test's hub: its own SQLite database and
// the pusher that sends its help calls to the hub ahead of its sync, as
// passerelle kiosk runs them.
type kiosk struct {
	db     *sqlite.DB
	pusher *hubapi.HelpPusher
	marks  []passerelle.HelpMark // what the hub's answers brought
}

// joinKiosk enrolls name on the hub and joins it over HTTP, as staff and
// passerelle join do.
func joinKiosk(t *testing.T, hub *testHub, name string) *kiosk {
	t.Helper()
	ctx := context.Background()
	token, err := hubapi.Enroll(ctx, hub.Store, name, hub.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	link, err := hubapi.Join(ctx, hub.URL, token, nil)
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "kiosk.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SaveHubLink(ctx, link); err != nil {
		t.Fatal(err)
	}
	k := &kiosk{db: db}
	k.pusher = &hubapi.HelpPusher{Outbox: db, Help: db, Now: hub.Clock.Now,
		OnMarks: func(m []passerelle.HelpMark) { k.marks = append(k.marks, m...) }}
	return k
}

// askHelp: the person at the kiosk calls a mediator on a step of a
// procedure; the kiosk saves the call and pushes it (PushOnce is the push
// the pusher's goroutine makes when told). It returns the session's id.
func (k *kiosk) askHelp(t *testing.T, procedure, step string, at time.Time) string {
	t.Helper()
	at = at.Truncate(time.Millisecond) // as the kiosk's log keeps it
	sid := passerelle.NewID(at)
	e := func(seq int, kind passerelle.EventKind) passerelle.Event {
		return passerelle.Event{ID: passerelle.NewID(at), SessionID: sid, Seq: seq, Kind: kind,
			At: at.Add(time.Duration(seq-3) * time.Second), ProcedureID: procedure, ProcedureVersion: 1, StepID: step}
	}
	started := e(1, passerelle.EventSessionStarted)
	started.Lang, started.StepID = "fr", ""
	if err := k.db.Append(context.Background(), started, e(2, passerelle.EventStepShown), e(3, passerelle.EventHelpAsked)); err != nil {
		t.Fatal(err)
	}
	k.push(t)
	return sid
}

func (k *kiosk) push(t *testing.T) {
	t.Helper()
	if err := k.pusher.PushOnce(context.Background()); err != nil {
		t.Fatalf("push the help calls: %v", err)
	}
}

// helpRoundTrip: a help call a kiosk raises while the page is open
// appears without a reload, above the kiosks; staff mark it handled, and
// the page shows the mark until the kiosk, told at its next push, records
// it; then the call leaves the page, again without a reload.
func helpRoundTrip(t *testing.T, ctx context.Context, hub *testHub, k *kiosk) {
	t.Helper()
	if waiting, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("section.waiting"))); err != nil || !strings.Contains(waiting, "Nobody is waiting.") {
		t.Errorf("before any call the page says %q, %v; want Nobody is waiting.", waiting, err)
	}
	sid := k.askHelp(t, caf, "months", t0.Add(-3*time.Minute))
	appear, cancel := context.WithTimeout(ctx, 10*time.Second) // 50 refreshes
	defer cancel()
	row := `//section[@class="waiting"]//tr[td[text()="ccas-sud"]]`
	if err := chromedp.Do(appear, chromedp.WaitVisible(chromedp.Search(row))); err != nil {
		t.Fatalf("the help call never appeared: %v", err)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Errorf("the page reloaded to show the help call (%v)", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.Search(row)))
	if err != nil {
		t.Fatal(err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "(1) Kiosks · Passerelle hub" {
		t.Errorf("with one call waiting the page's title is %q, %v", title, err)
	}
	// The procedure's French title comes from the catalog the hub published.
	for _, want := range []string{"Déclarer mes ressources à la CAF", "months", "09:57", "3 min"} {
		if !strings.Contains(text, want) {
			t.Errorf("the help call's row %q lacks %q", text, want)
		}
	}

	marked := `//section[@class="waiting"]//span[@class="marked"]`
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(row+`//button[text()="Handled"]`)),
		chromedp.WaitVisible(chromedp.Search(marked)),
	); err != nil {
		t.Fatalf("mark the call handled: %v", err)
	}
	if mark, err := chromedp.Run(ctx, chromedp.Text(chromedp.Search(marked))); err != nil || mark != "handled by "+staffName+" at 10:00, the kiosk will be told" {
		t.Errorf("after the click the call says %q, %v", mark, err)
	}
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "Kiosks · Passerelle hub" {
		t.Errorf("with the call marked the page's title is %q, %v", title, err)
	}

	// The kiosk is told at its next push, and records the mark.
	k.push(t)
	if len(k.marks) != 1 || k.marks[0].SessionID != sid || !k.marks[0].MarkedAt.Equal(t0) {
		t.Fatalf("the kiosk was told %+v; want the mark of %s at %v", k.marks, sid, t0)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	if _, err := k.db.HandleHelpCall(context.Background(), sid, t0); err != nil {
		t.Fatal(err)
	}
	k.push(t)
	gone, cancelGone := context.WithTimeout(ctx, 10*time.Second)
	defer cancelGone()
	if err := chromedp.Do(gone, chromedp.WaitVisible(chromedp.Search(`//section[@class="waiting"]/p[text()="Nobody is waiting."]`))); err != nil {
		t.Fatalf("the call handled on the kiosk stayed on the page: %v", err)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Errorf("the page reloaded to drop the handled call (%v)", err)
	}
}

// screenshot writes the kiosks page, with help calls waiting, above the
// statistics page of a busier hub, to the file PASSERELLE_HUB_SCREENSHOT
// names (packaging/screenshots/hub.png).
func screenshot(t *testing.T, ctx context.Context, hub *testHub) {
	t.Helper()
	path := os.Getenv("PASSERELLE_HUB_SCREENSHOT")
	if path == "" {
		return
	}
	askHelp(t, hub.Store, "mairie-évry", "ants-id-card", "has-email", t0.Add(-12*time.Minute))
	sid := askHelp(t, hub.Store, "médiathèque-nord", "ameli-attestation", "has-number", t0.Add(-6*time.Minute))
	if err := hub.Store.MarkHelpHandled(context.Background(), "médiathèque-nord", sid, "bruno", t0.Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	askHelp(t, hub.Store, "mairie-évry", "create-email", "has-phone", t0.Add(-1*time.Minute))
	// The kiosks page's body alone: the page is shorter than the window.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hub.URL+"/"),
		chromedp.WaitVisible(chromedp.Search(`//code[text()="has-phone"]`)),
	); err != nil {
		t.Fatal(err)
	}
	kiosks, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.Search("//body")))
	if err != nil {
		t.Fatal(err)
	}
	seedWeeks(t, hub.Store, "mairie-évry")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hub.URL+"/stats?from=2026-09-01&to=2026-11-22&period=week"),
		chromedp.WaitVisible(chromedp.CSS("figure svg rect")),
	); err != nil {
		t.Fatal(err)
	}
	stats, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, stack(t, kiosks, stats), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stack puts PNG images one above the other, with a grey rule between.
func stack(t *testing.T, pngs ...[]byte) []byte {
	t.Helper()
	const rule = 6
	var imgs []image.Image
	width, height := 0, 0
	for _, b := range pngs {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("decode a screenshot: %v", err)
		}
		imgs = append(imgs, img)
		width, height = max(width, img.Bounds().Dx()), height+img.Bounds().Dy()+rule
	}
	out := image.NewRGBA(image.Rect(0, 0, width, height-rule))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{Y: 0x99}), image.Point{}, draw.Src)
	y := 0
	for _, img := range imgs {
		b := img.Bounds()
		draw.Draw(out, image.Rect(0, y, b.Dx(), y+b.Dy()), img, b.Min, draw.Src)
		y += b.Dy() + rule
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func contained(xs []string, want string) bool {
	for _, x := range xs {
		if x == want {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
