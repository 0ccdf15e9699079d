package audio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// step is a sentence of the same length for every n below 10, so that
// the speech files of a test weigh about the same.
func step(n int) string {
	return fmt.Sprintf("Étape %d : touchez le grand bouton vert pour continuer.", n)
}

// mustRender renders a French sentence and returns its file.
func mustRender(tb testing.TB, s *Speech, text string) string {
	tb.Helper()
	path, err := s.Render(context.Background(), text, "fr", DefaultRate)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// usedAgo marks a speech file as last used ago.
func usedAgo(tb testing.TB, path string, ago time.Duration) {
	tb.Helper()
	at := time.Now().Add(-ago)
	if err := os.Chtimes(path, at, at); err != nil {
		tb.Fatal(err)
	}
}

// cacheSize returns the bytes of speech in dir.
func cacheSize(tb testing.TB, dir string) int64 {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.wav"))
	if err != nil {
		tb.Fatal(err)
	}
	var total int64
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			tb.Fatal(err)
		}
		total += info.Size()
	}
	return total
}

func exists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Size() > wavHeader
}

func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	info, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return info.Size()
}

func TestSpeechCacheEvictsLeastRecentlyUsed(t *testing.T) {
	requireEspeak(t)
	s := NewSpeech(t.TempDir(), "")
	a, b, c, d := mustRender(t, s, step(1)), mustRender(t, s, step(2)), mustRender(t, s, step(3)), mustRender(t, s, step(4))
	four := cacheSize(t, s.Dir())
	s.SetLimit(four + fileSize(t, a)/2) // room for four and a half
	for i, path := range []string{a, b, c, d} {
		usedAgo(t, path, time.Duration(40-10*i)*time.Minute) // a is the oldest
	}

	if again := mustRender(t, s, step(1)); again != a || s.Renders() != 4 {
		t.Fatalf("using the first sentence again rendered it (renders: %d)", s.Renders())
	}
	e := mustRender(t, s, step(5)) // over the limit: b is now the least recently used

	if exists(b) {
		t.Error("the least recently used speech is still in the cache")
	}
	for name, path := range map[string]string{"used again": a, "just rendered": e} {
		if !exists(path) {
			t.Errorf("the speech %s was evicted", name)
		}
	}
	if got := cacheSize(t, s.Dir()); got > s.Limit() {
		t.Errorf("the cache holds %d bytes, over its limit of %d", got, s.Limit())
	}

	// Evicted speech is rendered again when it is needed.
	if again := mustRender(t, s, step(2)); again != b || !exists(b) || s.Renders() != 6 {
		t.Errorf("evicted speech asked again: %s, renders %d; want %s rendered again", again, s.Renders(), b)
	}
}

func TestSpeechCacheKeepsSpeechJustUsed(t *testing.T) {
	requireEspeak(t)
	s := NewSpeech(t.TempDir(), "")
	s.SetLimit(1) // nothing fits
	var paths []string
	for n := range 3 {
		paths = append(paths, mustRender(t, s, step(n)))
	}
	// Render returns a path the player opens a moment later: nothing
	// rendered or used within the minute is evicted, even over the limit.
	for i, path := range paths {
		if !exists(path) {
			t.Fatalf("speech %d was evicted right after it was rendered", i)
		}
		usedAgo(t, path, 2*time.Minute)
	}
	last := mustRender(t, s, step(3))
	for i, path := range paths {
		if exists(path) {
			t.Errorf("speech %d, last used two minutes ago, is still in a cache over its limit", i)
		}
	}
	if !exists(last) {
		t.Error("the speech just rendered was evicted")
	}
}

func TestSpeechCacheNeverDeletesFilesItDidNotMake(t *testing.T) {
	requireEspeak(t)
	dir := t.TempDir()
	// -speech-cache given a folder of recordings by mistake.
	recording := filepath.Join(dir, "bonjour.wav")
	if err := os.WriteFile(recording, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	usedAgo(t, recording, 24*time.Hour)
	s := NewSpeech(dir, "")
	s.SetLimit(1)
	old := mustRender(t, s, step(1))
	usedAgo(t, old, time.Hour)
	mustRender(t, s, step(2))
	if exists(old) {
		t.Error("the cache kept its own old speech over its limit")
	}
	if !exists(recording) {
		t.Error("the cache deleted a file it did not make")
	}
}

func TestSpeechCacheTrimmedToALowerLimit(t *testing.T) {
	requireEspeak(t)
	dir := t.TempDir()
	before := NewSpeech(dir, "")
	for n := range 6 {
		usedAgo(t, mustRender(t, before, step(n)), time.Hour)
	}
	full := cacheSize(t, dir)

	// Staff lower the limit: the next kiosk brings the cache under it.
	s := NewSpeech(dir, "")
	s.SetLimit(full / 2)
	mustRender(t, s, step(7))
	if got := cacheSize(t, dir); got > s.Limit() {
		t.Errorf("the cache holds %d bytes, over its new limit of %d", got, s.Limit())
	}
}

func TestPrerenderStopsWhenTheCacheIsFull(t *testing.T) {
	requireEspeak(t)
	s := NewSpeech(t.TempDir(), "")
	first := mustRender(t, s, step(0))
	s.SetLimit(fileSize(t, first) * 7 / 2) // room for three and a half
	ctx := context.Background()
	var prepared, full int
	for n := 1; n <= 6; n++ {
		err := s.Prerender(ctx, step(n), "fr", DefaultRate)
		switch {
		case errors.Is(err, ErrCacheFull):
			full++
		case err != nil:
			t.Fatal(err)
		default:
			prepared++
		}
	}
	if prepared == 0 || full == 0 {
		t.Fatalf("prepared %d, refused %d: want some of each", prepared, full)
	}
	// One espeak-ng run may find no room; after it, preparing stops.
	if n := s.Renders(); n > 1+prepared+1 {
		t.Errorf("espeak-ng ran %d times for %d speeches prepared: the refusals rendered", n, prepared)
	}
	// Preparing never evicts: what it rendered first is still there.
	if !exists(first) {
		t.Error("preparing evicted speech to make room")
	}
	if got := cacheSize(t, s.Dir()); got > s.Limit() {
		t.Errorf("the cache holds %d bytes, over its limit of %d", got, s.Limit())
	}
	// A speech left for later is rendered when it is used.
	if path := mustRender(t, s, step(6)); !exists(path) {
		t.Error("a speech Prerender left for later cannot be rendered")
	}
}

// BenchmarkRenderUncached measures what a speech evicted from the cache
// costs when it is used again: one espeak-ng run.
func BenchmarkRenderUncached(b *testing.B) {
	requireEspeak(b)
	s := NewSpeech(b.TempDir(), "")
	mustRender(b, s, "Bonjour") // espeak-ng's version, asked once
	b.ResetTimer()
	for i := range b.N {
		mustRender(b, s, fmt.Sprintf("Étape %d : touchez le grand bouton vert pour continuer.", i))
	}
}
