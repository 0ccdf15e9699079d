package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/mp3"
	"github.com/gopxl/beep/v2/vorbis"
)

// MaxRecordingBytes is the largest recording the kiosk opens: about
// 3 minutes of CD-quality WAV, far more than a prompt needs. A bigger file is
// refused before anything is decoded, so a video dropped in by mistake costs
// nothing.
const MaxRecordingBytes = 32 << 20

// Open opens a recording, or a file of synthesised speech, for streaming:
// only the headers are read now, the samples are decoded as the sink asks for
// them. The format is found from the file's first bytes, not from its name.
// Closing the streamer closes the file.
//
// The kiosk plays through Open and the catalog's validation checks through
// Check, which reads Open's streamer to its end: what validation accepts is
// what plays. Errors are plain sentences for staff; a format the kiosk cannot
// play is refused with the command that converts it.
func Open(path string) (beep.StreamCloser, beep.Format, error) {
	s, format, err := open(path, false)
	if err != nil {
		return nil, beep.Format{}, err
	}
	return s, format, nil
}

// open is Open; whole also reads the whole file for the faults its headers
// do not show, as Check does once when the catalog loads.
func open(path string, whole bool) (_ *safeStreamer, _ beep.Format, err error) {
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
			err = fmt.Errorf("the recording is damaged (%v)", r)
		}
		if err != nil {
			f.Close()
		}
	}()
	info, err := f.Stat()
	if err != nil {
		return nil, beep.Format{}, fmt.Errorf("cannot open the file: %w", err)
	}
	if info.IsDir() {
		return nil, beep.Format{}, errors.New("is a folder, not a file")
	}
	if info.Size() > MaxRecordingBytes {
		return nil, beep.Format{}, fmt.Errorf("the file is %s; a recording may be at most %s: shorten it, or make it smaller: %s",
			megabytes(info.Size()), megabytes(MaxRecordingBytes), convertCommand(path, ".mp3"))
	}
	k, err := sniff(f, info.Size(), whole)
	if err != nil {
		return nil, beep.Format{}, err
	}
	// The decoders start at the sound: past a WAV file's other parts, and
	// past the tags or stray bytes before an MP3 file's first frame.
	start := k.start
	if k.format == formatWAV {
		start = k.wav.dataOff
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return nil, beep.Format{}, fmt.Errorf("cannot read the file: %w", err)
	}
	// Decoders get a reader that never returns less than asked before the
	// end of the file: beep's WAV decoder decodes what one Read returns and
	// loses the part of a frame cut at a short read. It is buffered: the MP3
	// decoder looks for a frame one byte at a time in a damaged file, and
	// it reads from memory, not with a system call a byte.
	rc := struct {
		io.Reader
		io.Closer
	}{fullReader{bufio.NewReaderSize(f, 32<<10)}, f}
	var (
		s      beep.StreamCloser
		format beep.Format
	)
	switch k.format {
	case formatWAV:
		s, format = newWAVDecoder(rc, k.wav), k.wav.beepFormat()
	case formatVorbis:
		s, format, err = vorbis.Decode(rc)
	case formatMP3:
		s, format, err = mp3.Decode(rc)
	}
	if err != nil {
		return nil, beep.Format{}, fmt.Errorf("not a readable %s recording (%v)", k.name, err)
	}
	if format.SampleRate <= 0 || format.SampleRate > 384000 {
		s.Close()
		return nil, beep.Format{}, fmt.Errorf("the %s recording is damaged: it says its sample rate is %d", k.name, format.SampleRate)
	}
	var out beep.Streamer = s
	if k.format == formatMP3 {
		out = trimMP3(fullStreamer{s: s}, k.mp3)
	}
	return &safeStreamer{s: fullStreamer{s: out}, c: s, kind: k.name}, format, nil
}

// Info is what Check finds in a recording.
type Info struct {
	Kind     string // the format found from the file's bytes: "WAV", "MP3", "Ogg Vorbis"
	Format   beep.Format
	Duration time.Duration
}

// Check decodes every sample of a recording with Open, so that a truncated
// or corrupt file is found when the catalog loads and not when a user is
// waiting for it.
func Check(path string) (Info, error) {
	s, format, err := open(path, true)
	if err != nil {
		return Info{}, err
	}
	defer s.Close()
	var (
		buf     [1024][2]float64
		samples int
	)
	for {
		n, ok := s.Stream(buf[:])
		samples += n
		if !ok {
			break
		}
	}
	d := format.SampleRate.D(samples)
	if err := s.Err(); err != nil {
		return Info{}, fmt.Errorf("the recording is damaged after %s (%v)", d.Round(time.Millisecond), err)
	}
	if samples == 0 {
		return Info{}, errors.New("the recording has no sound in it")
	}
	return Info{Kind: s.kind, Format: format, Duration: d}, nil
}

// fullReader reads as io.ReadFull does: only the end of the file makes a
// read shorter than asked.
type fullReader struct{ r io.Reader }

func (f fullReader) Read(p []byte) (int, error) {
	n, err := io.ReadFull(f.r, p)
	if err == io.ErrUnexpectedEOF {
		err = nil // what was there; the next read says io.EOF
	}
	return n, err
}

// fullStreamer fills every buffer it is given unless the sound ends: a
// resampler takes a short read for the end of the sound, and beep's decoders
// return short reads, or none at all, in the middle of a file. A decoder that
// keeps answering nothing without ending (a WAV file shorter than its header
// says) is taken as ended.
type fullStreamer struct{ s beep.Streamer }

// maxEmptyReads is how many reads in a row without a sample end a sound.
const maxEmptyReads = 3

func (f fullStreamer) Stream(samples [][2]float64) (int, bool) {
	filled, empty := 0, 0
	for filled < len(samples) {
		n, ok := f.s.Stream(samples[filled:])
		filled += n
		if !ok {
			break
		}
		if n > 0 {
			empty = 0
		} else if empty++; empty == maxEmptyReads {
			break
		}
	}
	return filled, filled > 0
}

func (f fullStreamer) Err() error { return f.s.Err() }

// safeStreamer ends the sound when the decoder panics on a damaged file,
// instead of taking the kiosk down from the sink's goroutine.
type safeStreamer struct {
	s    beep.Streamer
	c    io.Closer
	kind string
	err  error
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

func (s *safeStreamer) Close() error { return s.c.Close() }

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// convertCommand is the command that converts path into a file the kiosk
// plays, with the new file's extension, to run in the file's folder: with
// file names, not full paths, it stays short enough to be read whole in a
// problem line. Names are quoted for a shell; the new file is never the
// file itself, which ffmpeg would overwrite as it reads it.
func convertCommand(path, ext string) string {
	in, out := ShellQuote(filepath.Base(path)), ShellQuote(ConvertedName(path, ext))
	if ext == ".mp3" {
		return fmt.Sprintf("in its folder, run: ffmpeg -i %s -b:a 96k %s", in, out)
	}
	return fmt.Sprintf("in its folder, run: ffmpeg -i %s -ar 44100 %s", in, out)
}

// ConvertedName is the name of the file a conversion of path to ext makes:
// the same name with ext, or with "-converted" when that would be the file
// itself, which the converter would overwrite as it reads it.
func ConvertedName(path, ext string) string {
	in := filepath.Base(path)
	base := strings.TrimSuffix(in, filepath.Ext(in))
	if base+ext == in {
		return base + "-converted" + ext
	}
	return base + ext
}

// ShellQuote quotes s for a POSIX shell: between single quotes, a single
// quote inside closing the quotes, escaped, and opening them again.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
