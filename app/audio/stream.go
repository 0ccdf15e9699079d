package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/mp3"
	"github.com/gopxl/beep/v2/vorbis"
	"github.com/gopxl/beep/v2/wav"
)

// openFile opens a WAV, Ogg Vorbis or MP3 file for streaming: only the
// headers are read now, the samples are decoded as the sink asks for them,
// so a long recording starts as fast as a short one. Closing the streamer
// closes the file.
func openFile(path string) (_ beep.StreamCloser, _ beep.Format, err error) {
	ext := strings.ToLower(filepath.Ext(path))
	kind := strings.TrimPrefix(ext, ".")
	decode := map[string]func(io.ReadCloser) (beep.StreamSeekCloser, beep.Format, error){
		".wav": func(rc io.ReadCloser) (beep.StreamSeekCloser, beep.Format, error) { return wav.Decode(rc) },
		".ogg": vorbis.Decode,
		".mp3": mp3.Decode,
	}[ext]
	if decode == nil {
		return nil, beep.Format{}, errors.New("a recording must be .wav, .ogg or .mp3")
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, beep.Format{}, errors.New("the file is missing")
	}
	if err != nil {
		return nil, beep.Format{}, fmt.Errorf("cannot open the file: %w", err)
	}
	defer func() {
		// The decoders are third-party code fed with staff files: a bug in
		// one must become an error, not a crashed kiosk.
		if r := recover(); r != nil {
			err = fmt.Errorf("not a readable %s recording (%v)", kind, r)
		}
		if err != nil {
			f.Close()
		}
	}()
	// A buffered reader, not the file: the decoders then read in large
	// chunks, and the MP3 decoder does not scan the whole file for its
	// length before the first sample (it does when it can seek).
	rc := struct {
		io.Reader
		io.Closer
	}{bufio.NewReaderSize(f, 32<<10), f}
	s, format, err := decode(rc)
	if err != nil {
		return nil, beep.Format{}, fmt.Errorf("not a readable %s recording (%v)", kind, err)
	}
	return &safeStreamer{s: s}, format, nil
}

// safeStreamer ends the sound when the decoder panics on a damaged file,
// instead of taking the kiosk down from the sink's goroutine.
type safeStreamer struct {
	s   beep.StreamCloser
	err error
}

func (s *safeStreamer) Stream(samples [][2]float64) (n int, ok bool) {
	if s.err != nil {
		return 0, false
	}
	defer func() {
		if r := recover(); r != nil {
			s.err = fmt.Errorf("the recording is damaged (%v)", r)
			n, ok = 0, false
		}
	}()
	return s.s.Stream(samples)
}

func (s *safeStreamer) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.s.Err()
}

func (s *safeStreamer) Close() error { return s.s.Close() }

// volume is a gain between 0 and 1 shared by the player and its sounds, so
// that a change is heard at once, even in the middle of a prompt.
type volume struct{ bits atomic.Uint64 }

func (v *volume) set(g float64) {
	if math.IsNaN(g) {
		g = 1
	}
	v.bits.Store(math.Float64bits(min(max(g, 0), 1)))
}

func (v *volume) get() float64 { return math.Float64frombits(v.bits.Load()) }

// gain scales the samples by a volume: a plain amplitude factor, so 0.5 is
// half the amplitude (about 6 dB quieter).
type gain struct {
	s beep.Streamer
	v *volume
}

func (g gain) Stream(samples [][2]float64) (int, bool) {
	n, ok := g.s.Stream(samples)
	if v := g.v.get(); v != 1 {
		for i := range samples[:n] {
			samples[i][0] *= v
			samples[i][1] *= v
		}
	}
	return n, ok
}

func (g gain) Err() error { return g.s.Err() }

// firstRead calls fn when the sink reads the sound for the first time: the
// moment the sound reaches the backend.
type firstRead struct {
	s    beep.Streamer
	once sync.Once
	fn   func()
}

func (f *firstRead) Stream(samples [][2]float64) (int, bool) {
	f.once.Do(f.fn)
	return f.s.Stream(samples)
}

func (f *firstRead) Err() error { return f.s.Err() }
