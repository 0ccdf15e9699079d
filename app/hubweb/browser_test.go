package hubweb_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which CI installs (packaging/install-deps.sh).
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a headless chromium with a fresh profile, or skips
// the test when chromium is not installed (fails when CI=true).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		why := "chromium is not installed at " + chromiumPath + ": install Debian's chromium package (apt-get install chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first Run starts the browser; its context must carry no timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowser drives the real page in Debian's chromium, served by the
// real handler on loopback from a real SQLite hub: sign in, see the
// enrolled kiosk, see the statistics' charts, download the CSV.
func TestBrowser(t *testing.T) {
	hub := startHubRefreshing(t, false, 200*time.Millisecond)
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

// screenshot writes the statistics page of a busier hub to the file
// PASSERELLE_HUB_SCREENSHOT names (packaging/screenshots/hub.png).
func screenshot(t *testing.T, ctx context.Context, hub *testHub) {
	path := os.Getenv("PASSERELLE_HUB_SCREENSHOT")
	if path == "" {
		return
	}
	seedWeeks(t, hub.Store, "mairie-évry")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hub.URL+"/stats?from=2026-09-01&to=2026-11-22&period=week"),
		chromedp.WaitVisible(chromedp.CSS("figure svg rect")),
	); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
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
