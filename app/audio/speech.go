package audio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoSpeech means espeak-ng cannot be run at all: every synthesised prompt
// will fail until it is installed, recordings still play.
var ErrNoSpeech = errors.New("speech synthesis is not available")

const (
	// DefaultRate is the speech rate, in words per minute, when none is set:
	// slower than espeak-ng's 175, for listeners who hear the language less
	// well than they speak it.
	DefaultRate = 140
	MinRate     = 80
	MaxRate     = 450

	// renderTimeout bounds one espeak-ng run: a sentence takes milliseconds.
	renderTimeout = 30 * time.Second
	// wavHeader is the size of a WAV header: a file no bigger has no sound.
	wavHeader = 44
	// tempPattern names files espeak-ng is writing; staleTemp is the age at
	// which one is known to be left over by a crash.
	tempPattern = ".speech-*.tmp"
	staleTemp   = 10 * time.Minute
)

// Speech renders text to WAV files with espeak-ng, once: the file is kept in
// Dir under a name derived from the text, voice, rate and espeak-ng version,
// and a later request for the same speech returns it without synthesis.
// A file appears in Dir only once complete (written aside, synced, renamed),
// so a crash never leaves half a sentence that would play later.
// Speech is safe for concurrent use; the same speech asked twice at once is
// rendered once.
type Speech struct {
	dir     string
	command string

	mu       sync.Mutex
	version  string // of espeak-ng, "" until known
	inflight map[string]*render
	swept    bool

	renders atomic.Int64
}

type render struct {
	done chan struct{}
	err  error
}

// NewSpeech returns a speech cache in dir, created when first needed, using
// the espeak-ng program command ("" means "espeak-ng", looked up in PATH).
func NewSpeech(dir, command string) *Speech {
	if command == "" {
		command = "espeak-ng"
	}
	return &Speech{dir: dir, command: command, inflight: make(map[string]*render)}
}

// Dir returns the folder holding the synthesised speech.
func (s *Speech) Dir() string { return s.dir }

// Renders returns how many times espeak-ng synthesised speech: cache hits do
// not count.
func (s *Speech) Renders() int { return int(s.renders.Load()) }

// Render returns the path of a WAV file saying text with the espeak-ng voice
// at rate words per minute, synthesising it unless the cache has it.
func (s *Speech) Render(ctx context.Context, text, voice string, rate int) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", errors.New("there is no text to say")
	}
	rate = min(max(rate, MinRate), MaxRate)
	version, err := s.espeakVersion(ctx)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.dir, cacheName(version, voice, rate, text))
	for {
		if info, err := os.Stat(path); err == nil && info.Size() > wavHeader {
			return path, nil
		}
		s.mu.Lock()
		r, running := s.inflight[path]
		if !running {
			r = &render{done: make(chan struct{})}
			s.inflight[path] = r
		}
		s.mu.Unlock()
		if !running {
			r.err = s.synthesise(ctx, path, text, voice, rate)
			s.mu.Lock()
			delete(s.inflight, path)
			s.mu.Unlock()
			close(r.done)
			if r.err != nil {
				return "", r.err
			}
			return path, nil
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if r.err == nil {
			return path, nil
		}
		if !isCancel(r.err) {
			return "", r.err
		}
		// The caller that was rendering it gave up: try again for this one.
	}
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// cacheName derives the file name of a speech from everything that changes
// the sound. The voice leads the name so staff can tell languages apart.
func cacheName(version, voice string, rate int, text string) string {
	h := sha256.New()
	for _, part := range []string{"passerelle speech 1", version, voice, strconv.Itoa(rate), text} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, voice)
	return safe + "-" + hex.EncodeToString(h.Sum(nil)[:16]) + ".wav"
}

// espeakVersion runs espeak-ng --version once it succeeds; a failure is
// tried again next time, so installing espeak-ng needs no restart.
func (s *Speech) espeakVersion(ctx context.Context) (string, error) {
	s.mu.Lock()
	version := s.version
	s.mu.Unlock()
	if version != "" {
		return version, nil
	}
	ctx, cancel := context.WithTimeout(ctx, renderTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.command, "--version")
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", s.runError(err, out)
	}
	version, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	if version == "" {
		version = "unknown"
	}
	s.mu.Lock()
	s.version = version
	s.mu.Unlock()
	return version, nil
}

// runError says in plain words why espeak-ng failed.
func (s *Speech) runError(err error, output []byte) error {
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: the program %s was not found; install the espeak-ng package", ErrNoSpeech, s.command)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: the program %s cannot be run (permission denied)", ErrNoSpeech, s.command)
	case isCancel(err):
		return err
	}
	msg := strings.Join(strings.Fields(string(output)), " ")
	if msg == "" {
		msg = "no message"
	}
	return fmt.Errorf("espeak-ng failed (%v): %s", err, msg)
}

// synthesise runs espeak-ng into a temporary file of the cache folder, then
// renames it to path once complete and on disk.
func (s *Speech) synthesise(ctx context.Context, path, text, voice string, rate int) (err error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the speech folder: %w", err)
	}
	s.sweep()
	tmp, err := os.CreateTemp(s.dir, tempPattern)
	if err != nil {
		return fmt.Errorf("cannot write in the speech folder: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
		}
	}()

	ctx, cancel := context.WithTimeout(ctx, renderTimeout)
	defer cancel()
	// The text goes through standard input, never a shell or an argument
	// that espeak-ng could mistake for an option.
	cmd := exec.CommandContext(ctx, s.command,
		"-v", voice, "-s", strconv.Itoa(rate), "-b", "1", "--stdin", "-w", tmpName)
	cmd.Stdin = strings.NewReader(text)
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	cmd.WaitDelay = time.Second
	s.renders.Add(1)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil && !isCancel(err) {
			err = ctx.Err()
		}
		return s.runError(err, output.Bytes())
	}
	if err := syncFile(tmpName); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("cannot keep the synthesised speech: %w", err)
	}
	return nil
}

// syncFile checks that espeak-ng wrote sound and forces it to disk, so that
// after a power cut the renamed file is complete or absent.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("cannot read the synthesised speech: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read the synthesised speech: %w", err)
	}
	if info.Size() <= wavHeader {
		return errors.New("espeak-ng produced no sound")
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cannot write the synthesised speech to disk: %w", err)
	}
	return nil
}

// sweep removes, once, temporary files that a crash left in the cache.
func (s *Speech) sweep() {
	s.mu.Lock()
	swept := s.swept
	s.swept = true
	s.mu.Unlock()
	if swept {
		return
	}
	names, _ := filepath.Glob(filepath.Join(s.dir, tempPattern))
	for _, name := range names {
		if info, err := os.Stat(name); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(name)
		}
	}
}
