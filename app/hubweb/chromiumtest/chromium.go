// Package chromiumtest starts Debian's chromium for the tests that drive
// the hub's page as staff do: the page's own tests (hubweb) and the one
// that follows a procedure from the editor to a kiosk (cli).
package chromiumtest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path is Debian's chromium, which CI installs (packaging/install-deps.sh).
const Path = "/usr/bin/chromium"

// Start starts a headless chromium with a fresh profile and a 1200×900
// window, with more flags if given (a fake microphone), or skips the test
// when chromium is not installed (fails when CI=true). The browser stops
// at the test's end.
func Start(t testing.TB, more ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := exec.LookPath(Path); err != nil {
		why := "chromium is not installed at " + Path + ": install Debian's chromium package (apt-get install chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path),
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

// Microphone is the flags of a chromium whose microphone says the WAV
// file wav (looped), granted to every page without asking, and whose
// pages may play sound without a click first.
func Microphone(wav string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", wav),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
}

// Stack puts screenshots (PNG) one above the other, with a grey rule
// between, for the README's pictures of more than one page.
func Stack(t testing.TB, pngs ...[]byte) []byte {
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

// Top is the top of a screenshot (PNG), height pixels high: a page's
// part worth showing, at the page's full width.
func Top(t testing.TB, shot []byte, height int) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("decode a screenshot: %v", err)
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), min(height, b.Dy())))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
