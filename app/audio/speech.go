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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoSpeech means espeak-ng cannot be run at all: every synthesised prompt
// will fail until it is installed, recordings still play.
var ErrNoSpeech = errors.New("speech synthesis is not available")

// ErrCacheFull means Prerender left a speech for later: the cache is near
// its limit, and what it holds was used more recently.
var ErrCacheFull = errors.New("the speech cache is full")

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

	// DefaultCacheLimit is the disk space the synthesised speech may take
	// when no limit is set: WAV takes about 7 MB per procedure and
	// language, so 300 MB keeps some 40 of them and renders the others
	// again when they are used (tens of milliseconds each).
	DefaultCacheLimit = 300 << 20
	// touchAfter is how stale a speech's modification time may get before a
	// use marks it again as recently used: the cache's use order is its
	// files' modification times, and a use does not need a write each time.
	touchAfter = time.Minute
	// protectRecent is how long a speech, once rendered or used, is never
	// evicted: Render returns a path the player opens a moment later.
	// (A file the player already opened plays to its end even if removed.)
	protectRecent = time.Minute
)

// Speech renders text to WAV files with espeak-ng, once: the file is kept in
// Dir under a name derived from the text, voice, rate and espeak-ng version,
// and a later request for the same speech returns it without synthesis.
// A file appears in Dir only once complete (written aside, synced, renamed),
// so a crash never leaves half a sentence that would play later.
// Speech is safe for concurrent use; the same speech asked twice at once is
// rendered once.
//
// The cache holds at most a limit of bytes (DefaultCacheLimit unless
// SetLimit says otherwise): past it, the speech used least recently is
// deleted, and rendered again when it is next used. A speech rendered or
// used in the last minute is never deleted, so the cache may briefly hold
// more than its limit while many new sentences are spoken.
type Speech struct {
	dir     string
	command string

	mu       sync.Mutex
	version  string // of espeak-ng, "" until known
	inflight map[string]*render
	scanned  bool // the cache folder was swept and measured

	limit   atomic.Int64
	used    atomic.Int64 // bytes of speech in the folder, as far as this Speech knows
	evictMu sync.Mutex   // one eviction at a time
	full    atomic.Bool  // a speech for later did not fit: prepare no more until an eviction
	protect time.Duration

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
	s := &Speech{dir: dir, command: command, inflight: make(map[string]*render), protect: protectRecent}
	s.limit.Store(DefaultCacheLimit)
	return s
}

// SetLimit sets how many bytes of speech the cache may keep on disk. The
// next speech rendered brings the cache under it.
func (s *Speech) SetLimit(bytes int64) { s.limit.Store(bytes) }

// Limit returns how many bytes of speech the cache may keep on disk.
func (s *Speech) Limit() int64 { return s.limit.Load() }

// Dir returns the folder holding the synthesised speech.
func (s *Speech) Dir() string { return s.dir }

// Renders returns how many times espeak-ng synthesised speech: cache hits do
// not count.
func (s *Speech) Renders() int { return int(s.renders.Load()) }

// Render returns the path of a WAV file saying text with the espeak-ng voice
// at rate words per minute, synthesising it unless the cache has it.
func (s *Speech) Render(ctx context.Context, text, voice string, rate int) (string, error) {
	return s.render(ctx, text, voice, rate, false)
}

// render is Render, or Prerender when forLater: then a speech already
// cached is not marked used, and one that does not fit is not kept.
func (s *Speech) render(ctx context.Context, text, voice string, rate int, forLater bool) (string, error) {
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
			if !forLater && time.Since(info.ModTime()) > touchAfter {
				// Used now: the last to be evicted. A failure only makes
				// it an earlier candidate.
				now := time.Now()
				os.Chtimes(path, now, now)
			}
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
			r.err = s.synthesise(ctx, path, text, voice, rate, forLater)
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
		if !isCancel(r.err) && !errors.Is(r.err, ErrCacheFull) {
			return "", r.err
		}
		// The caller that was rendering it gave up, or was preparing it
		// and found no room: try again for this one.
	}
}

// Prerender renders a speech into the cache, for later, unless the cache is
// near its limit (ErrCacheFull): preparing a catalog bigger than the cache
// stops there instead of evicting what it has just rendered, and the rest
// is rendered when it is used. A speech already cached is left as it is:
// preparing is not a use.
func (s *Speech) Prerender(ctx context.Context, text, voice string, rate int) error {
	s.scan()
	if s.full.Load() || s.used.Load() >= s.evictTo() {
		return ErrCacheFull
	}
	_, err := s.render(ctx, text, voice, rate, true)
	return err
}

// evictTo is the size an eviction brings the cache down to: 90% of the
// limit, so that the next speech does not evict again.
func (s *Speech) evictTo() int64 {
	limit := s.limit.Load()
	return limit - limit/10
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

// isCacheName tells whether name is one cacheName makes: voice, a dash,
// 32 hexadecimal digits, ".wav".
func isCacheName(name string) bool {
	stem, ok := strings.CutSuffix(name, ".wav")
	i := strings.LastIndexByte(stem, '-')
	if !ok || i < 1 || len(stem)-i-1 != 32 {
		return false
	}
	_, err := hex.DecodeString(stem[i+1:])
	return err == nil
}

// Warm finds espeak-ng's version in the background, for the cache's names:
// the first speech asked then does not wait for a run of espeak-ng (about
// 7 ms, on the UI goroutine for the welcome's prompt). A failure is
// reported by the first speech asked.
func (s *Speech) Warm() {
	go func() { _, _ = s.espeakVersion(context.Background()) }()
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
// A speech rendered for later that would take the cache over its limit is
// not kept (ErrCacheFull): preparing never evicts.
func (s *Speech) synthesise(ctx context.Context, path, text, voice string, rate int, forLater bool) (err error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the speech folder: %w", err)
	}
	s.scan()
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
	err = cmd.Start()
	if err == nil {
		if forLater {
			// Speech for later gives way to the sound playing and the
			// screen: with two espeak-ng programs rendering ahead on a
			// 2-core kiosk, the sound device was starved while the
			// welcome prompts played (gaps heard, packaging/soundcheck.sh).
			yieldCPU(cmd.Process.Pid)
		}
		err = cmd.Wait()
	}
	if err != nil {
		if ctx.Err() != nil && !isCancel(err) {
			err = ctx.Err()
		}
		return s.runError(err, output.Bytes())
	}
	size, err := syncFile(tmpName)
	if err != nil {
		return err
	}
	if forLater && s.used.Load()+size > s.limit.Load() {
		s.full.Store(true)
		return ErrCacheFull
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("cannot keep the synthesised speech: %w", err)
	}
	if s.used.Add(size) > s.limit.Load() {
		s.evict()
	}
	return nil
}

// syncFile checks that espeak-ng wrote sound and forces it to disk, so that
// after a power cut the renamed file is complete or absent.
// It returns the file's size.
func syncFile(name string) (int64, error) {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("cannot read the synthesised speech: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("cannot read the synthesised speech: %w", err)
	}
	if info.Size() <= wavHeader {
		return 0, errors.New("espeak-ng produced no sound")
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("cannot write the synthesised speech to disk: %w", err)
	}
	return info.Size(), nil
}

// scan, once, removes the temporary files a crash left in the cache and
// measures it; a cache over its limit (a limit lowered since) is brought
// under it.
func (s *Speech) scan() {
	s.mu.Lock()
	scanned := s.scanned
	s.scanned = true
	s.mu.Unlock()
	if scanned {
		return
	}
	names, _ := filepath.Glob(filepath.Join(s.dir, tempPattern))
	for _, name := range names {
		if info, err := os.Stat(name); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(name)
		}
	}
	s.evict()
}

// cached is one speech file of the cache.
type cached struct {
	name   string
	size   int64
	usedAt time.Time
}

// evict measures the cache and, when it holds more than its limit,
// deletes the speech used least recently (its modification time is its
// last use) down to 90% of the limit. A speech used within s.protect is
// kept, even over the limit.
func (s *Speech) evict() {
	if !s.evictMu.TryLock() {
		return // another goroutine is at it
	}
	defer s.evictMu.Unlock()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	var (
		files []cached
		total int64
	)
	for _, e := range entries {
		if !e.Type().IsRegular() || !isCacheName(e.Name()) {
			continue // not ours: a file staff put there is never deleted
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, cached{e.Name(), info.Size(), info.ModTime()})
		total += info.Size()
	}
	if total > s.limit.Load() {
		slices.SortFunc(files, func(a, b cached) int { return a.usedAt.Compare(b.usedAt) })
		recent := time.Now().Add(-s.protect)
		for _, f := range files {
			if total <= s.evictTo() || f.usedAt.After(recent) {
				break
			}
			if err := os.Remove(filepath.Join(s.dir, f.name)); err == nil || errors.Is(err, fs.ErrNotExist) {
				total -= f.size
				s.full.Store(false)
			}
		}
	}
	s.used.Store(total)
}
