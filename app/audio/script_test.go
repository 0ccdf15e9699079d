//go:build unix

package audio

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"passerelle/app/passerelle"
)

// fakeEspeak writes a shell script standing for espeak-ng: it answers
// --version, and runs body for a synthesis, with $out the file to write.
func fakeEspeak(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "espeak-ng")
	script := `#!/bin/sh
[ "$1" = --version ] && { echo "fake espeak-ng 1.0"; exit 0; }
for a; do out=$a; done
` + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFailedSynthesisLeavesNothing(t *testing.T) {
	// espeak-ng dies after writing half a file.
	command := fakeEspeak(t, `printf 'RIFF\044\000\000\000WAVEfmt half a file' > "$out"; echo "Segmentation fault" >&2; exit 139`)
	dir := t.TempDir()
	sink := NewNullSink(0)
	p := NewPlayer(sink, NewSpeech(dir, command))
	defer p.Close()
	err := p.Play(context.Background(), passerelle.Prompt{Text: "Bonjour", Lang: "fr"})
	if err == nil || !strings.Contains(err.Error(), "espeak-ng failed (exit status 139): Segmentation fault") {
		t.Fatalf("Play: %v, want espeak-ng's failure", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the cache keeps %v after a failed synthesis", entries)
	}
	if n := len(sink.Records()); n != 0 {
		t.Errorf("the sink played %d sounds", n)
	}
}

func TestNoSoundIsAnError(t *testing.T) {
	command := fakeEspeak(t, `: > "$out"`)
	p := NewPlayer(NewNullSink(0), NewSpeech(t.TempDir(), command))
	defer p.Close()
	err := p.Play(context.Background(), passerelle.Prompt{Text: "Bonjour", Lang: "fr"})
	if err == nil || !strings.Contains(err.Error(), "espeak-ng produced no sound") {
		t.Fatalf("Play: %v", err)
	}
}

func TestLastPlayWins(t *testing.T) {
	requireEspeak(t)
	// espeak-ng says when it starts, then waits for a word from the test:
	// the speech is ready only after the recording was asked for.
	dir := t.TempDir()
	started, proceed := filepath.Join(dir, "started"), filepath.Join(dir, "proceed")
	for _, fifo := range []string{started, proceed} {
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no named pipes here:", err)
		}
	}
	command := fakeEspeak(t, `echo started > `+started+`; read go < `+proceed+`; exec espeak-ng "$@"`)
	tp := newTestPlayerSpeech(t, 0, NewSpeech(t.TempDir(), command))

	slow := make(chan error, 1)
	go func() { slow <- tp.Play(context.Background(), passerelle.Prompt{Text: sentences["ar"], Lang: "ar"}) }()
	f, err := os.Open(started)
	if err != nil {
		t.Fatal(err)
	}
	bufio.NewReader(f).ReadString('\n')
	f.Close()

	if err := tp.Play(context.Background(), recording("intro.ogg")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(proceed, []byte("go\n"), 0); err != nil {
		t.Fatal(err)
	}
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	tp.waitEnd(t)
	if got := tp.only(t); got.Prompt != recording("intro.ogg") {
		t.Errorf("played %+v, want only the recording", got.Played)
	}
	if tp.speech.Renders() != 1 {
		t.Error("the speech was not rendered: it should be cached for next time")
	}
}
