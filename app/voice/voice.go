// Package voice takes the recordings staff make for a procedure on the
// hub's editor: a voice recorded in the browser, or a file uploaded. What
// it stores is a file the kiosk plays, checked by the kiosk's own decoder
// (audio.Check), its silences trimmed, its length bounded. It also makes
// the synthetic speech of a text not yet recorded, by the kiosk's own
// espeak-ng code, for staff to hear in the browser.
//
// The conversion is done by the browser: it records with MediaRecorder
// (Opus in WebM, which the kiosk does not play), decodes its own recording
// with AudioContext.decodeAudioData and uploads 16-bit PCM WAV (see
// app/hubweb/static/recorder.js). The hub needs no converter: a file in a
// format the kiosk does not play is refused with what to do.
package voice

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gopxl/beep/v2"

	"passerelle/app/audio"
)

const (
	// MaxDuration is the longest recording kept, once its silences are
	// trimmed: an intro, the longest text, is about 30 seconds of speech.
	MaxDuration = 60 * time.Second
	// MinDuration is the shortest: less is a click, not a sentence.
	MinDuration = 250 * time.Millisecond
	// MaxUploadBytes is the largest file taken: 80 seconds of the
	// browser's WAV (48 kHz, mono, 16 bits), or minutes of MP3.
	MaxUploadBytes = 8 << 20

	// silence is the level (RMS of a window, full scale 1) under which a
	// window is silence, unless the recording is so loud that its quiet
	// parts are louder (see voicedFrom).
	silence = 0.005 // -46 dBFS: a quiet room through a laptop's microphone
	// relativeSilence is the level, relative to the loudest window, under
	// which a window is silence: -30 dB keeps soft consonants.
	relativeSilence = 0.03
	window          = 20 * time.Millisecond
	// keepBefore and keepAfter are the margins kept around the voice:
	// a breath before, the fall of the last word after.
	keepBefore = 250 * time.Millisecond
	keepAfter  = 350 * time.Millisecond
)

// Recording is a recording stored for a procedure.
type Recording struct {
	// File is the file's path relative to the procedure's folder, with
	// the extension of its format: what procedure.yaml names.
	File     string        `json:"file"`
	Kind     string        `json:"kind"` // "WAV", "MP3", "Ogg Vorbis", as audio.Check names them
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"seconds"`
	// Trimmed is the silence taken off, before and after the voice.
	Trimmed time.Duration `json:"-"`
}

// ErrRefused wraps every error that says what is wrong with the file, in
// plain words for staff; other errors are the hub's own (a disk full).
var ErrRefused = errors.New("recording refused")

// refused is a plain sentence for staff about their file.
func refused(format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...)}
}

type refusal struct{ msg string }

func (r *refusal) Error() string        { return r.msg }
func (r *refusal) Is(target error) bool { return target == ErrRefused }

// extensions names a stored file by the format the kiosk found in it.
var extensions = map[string]string{"WAV": ".wav", "MP3": ".mp3", "Ogg Vorbis": ".ogg"}

// Store checks the recording at src (a file uploaded, in any name) and
// stores it in the procedure folder dir as name plus the extension of its
// format (name "audio/fr/welcome" gives audio/fr/welcome.wav), replacing
// what was there in one step: a kiosk or a watcher never reads half a
// file. The name's recording in another format, if any, is removed. A WAV file has its silences trimmed and is written again as 16-bit
// PCM; MP3 and Ogg Vorbis are kept as they are. Any stored file passed
// audio.Check, the kiosk's own decoder. Errors wrapping ErrRefused say in
// plain words what is wrong with the file.
func Store(src, dir, name string) (Recording, error) {
	if err := checkName(name); err != nil {
		return Recording{}, err
	}
	if info, err := os.Stat(src); err != nil {
		return Recording{}, fmt.Errorf("store %s: %w", name, err)
	} else if info.Size() > MaxUploadBytes {
		return Recording{}, refused("the file is %.1f MB; a recording may be at most %d MB (about a minute)", float64(info.Size())/(1<<20), MaxUploadBytes>>20)
	}
	info, err := audio.Check(src)
	if err != nil {
		return Recording{}, refused("%s", plainCheck(err))
	}
	ext := extensions[info.Kind]
	if ext == "" {
		return Recording{}, refused("the kiosk cannot play %s recordings", info.Kind)
	}
	rec := Recording{File: filepath.ToSlash(name) + ext, Kind: info.Kind, Duration: info.Duration}
	dst := filepath.Join(dir, filepath.FromSlash(rec.File))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return Recording{}, fmt.Errorf("store %s: %w", rec.File, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".recording-*.tmp")
	if err != nil {
		return Recording{}, fmt.Errorf("store %s: %w", rec.File, err)
	}
	defer os.Remove(tmp.Name()) // gone once renamed
	defer tmp.Close()
	if info.Kind == "WAV" {
		rec.Duration, rec.Trimmed, err = trimmedWAV(src, tmp)
	} else {
		err = copyFile(src, tmp)
	}
	if err != nil {
		return Recording{}, err
	}
	switch {
	case rec.Duration > MaxDuration:
		return Recording{}, refused("the recording lasts %s; a recording may last at most %s: say the text in shorter sentences, or split the step in two",
			seconds(rec.Duration), seconds(MaxDuration))
	case rec.Duration < MinDuration:
		return Recording{}, refused("the recording lasts %s once its silence is taken off: record the whole sentence", seconds(rec.Duration))
	}
	if err := tmp.Sync(); err != nil {
		return Recording{}, fmt.Errorf("store %s: %w", rec.File, err)
	}
	if err := tmp.Close(); err != nil {
		return Recording{}, fmt.Errorf("store %s: %w", rec.File, err)
	}
	// What is stored is checked again as the kiosk will read it.
	stored, err := audio.Check(tmp.Name())
	if err != nil {
		return Recording{}, fmt.Errorf("store %s: the file written is not playable: %w", rec.File, err)
	}
	rec.Duration = stored.Duration
	rec.Seconds = math.Round(stored.Duration.Seconds()*100) / 100
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Recording{}, fmt.Errorf("store %s: %w", rec.File, err)
	}
	// The text's recording in another format is the one this replaces:
	// no orphan is left in the draft.
	for _, other := range extensions {
		if old := filepath.Join(dir, filepath.FromSlash(name)+other); old != dst {
			if err := os.Remove(old); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return rec, fmt.Errorf("store %s: remove the recording it replaces: %w", rec.File, err)
			}
		}
	}
	return rec, nil
}

// checkName refuses a name that would leave the procedure's folder or
// name a hidden file: the name comes from the editor, built from ids.
func checkName(name string) error {
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(name)))
	if name == "" || clean != name || strings.HasPrefix(clean, "../") || clean == ".." || filepath.IsAbs(name) ||
		strings.HasPrefix(filepath.Base(name), ".") || strings.ContainsAny(name, "\\\x00") {
		return fmt.Errorf("store: %q is not a file name inside a procedure's folder", name)
	}
	return nil
}

// plainCheck is audio.Check's message, for a file a person uploaded from
// a browser: the command it gives for a folder is of no use there.
func plainCheck(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "in its folder, run:"); i >= 0 {
		head := strings.TrimRight(msg[:i], " ,;:")
		head = strings.TrimRight(strings.TrimSuffix(head, "to convert it"), " ,;:")
		msg = head + ": record it with the Record button, or convert it to WAV or MP3 (for example with Audacity) and upload it again"
	}
	return msg
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func copyFile(src string, dst io.Writer) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(dst, f); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// trimmedWAV decodes the WAV file at src with the kiosk's decoder, takes
// off the silence before and after the voice, and writes the rest to dst
// as 16-bit PCM, mono when src is mono. It returns the length written and
// the length taken off.
func trimmedWAV(src string, dst io.Writer) (kept, trimmed time.Duration, err error) {
	s, format, err := audio.Open(src)
	if err != nil {
		return 0, 0, refused("%s", plainCheck(err))
	}
	defer s.Close()
	frames := make([][2]float64, 0, format.SampleRate.N(10*time.Second))
	buf := make([][2]float64, 4096)
	for {
		n, ok := s.Stream(buf)
		frames = append(frames, buf[:n]...)
		if !ok {
			break
		}
		if format.SampleRate.D(len(frames)) > 2*MaxDuration {
			// More silence than that is a recorder left running: the
			// rest would only take memory.
			return 0, 0, refused("the recording lasts more than %s; a recording may last at most %s: record the sentence alone",
				seconds(2*MaxDuration), seconds(MaxDuration))
		}
	}
	if err := s.Err(); err != nil {
		return 0, 0, refused("the recording is damaged (%v)", err)
	}
	from, to, ok := voiced(frames, format.SampleRate)
	if !ok {
		return 0, 0, refused("the recording is silent: check that the microphone is on and not muted, then record again")
	}
	if err := writeWAV(dst, frames[from:to], format); err != nil {
		return 0, 0, fmt.Errorf("store: %w", err)
	}
	return format.SampleRate.D(to - from), format.SampleRate.D(len(frames) - (to - from)), nil
}

// voiced finds the frames from the first window of voice, less
// keepBefore, to the last, plus keepAfter; false when there is no voice.
func voiced(frames [][2]float64, rate beep.SampleRate) (from, to int, ok bool) {
	w := max(1, rate.N(window))
	levels := make([]float64, 0, len(frames)/w+1)
	loudest := 0.0
	for at := 0; at < len(frames); at += w {
		sum := 0.0
		end := min(at+w, len(frames))
		for _, f := range frames[at:end] {
			// The channels' energy, not their mix: two channels out of
			// phase would mix to silence.
			sum += (f[0]*f[0] + f[1]*f[1]) / 2
		}
		l := math.Sqrt(sum / float64(end-at))
		levels = append(levels, l)
		loudest = max(loudest, l)
	}
	if loudest < silence {
		return 0, 0, false
	}
	threshold := max(silence, loudest*relativeSilence)
	first, last := -1, -1
	for i, l := range levels {
		if l >= threshold {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	from = max(0, first*w-rate.N(keepBefore))
	to = min(len(frames), (last+1)*w+rate.N(keepAfter))
	return from, to, true
}

// writeWAV writes frames as a 16-bit PCM WAV file of format's rate, with
// one channel when format has one, two otherwise.
func writeWAV(w io.Writer, frames [][2]float64, format beep.Format) error {
	channels := 2
	if format.NumChannels == 1 {
		channels = 1
	}
	rate := int(format.SampleRate)
	data := len(frames) * channels * 2
	head := make([]byte, 44)
	copy(head[0:], "RIFF")
	binary.LittleEndian.PutUint32(head[4:], uint32(36+data))
	copy(head[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(head[16:], 16)
	binary.LittleEndian.PutUint16(head[20:], 1) // PCM
	binary.LittleEndian.PutUint16(head[22:], uint16(channels))
	binary.LittleEndian.PutUint32(head[24:], uint32(rate))
	binary.LittleEndian.PutUint32(head[28:], uint32(rate*channels*2))
	binary.LittleEndian.PutUint16(head[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(head[34:], 16)
	copy(head[36:], "data")
	binary.LittleEndian.PutUint32(head[40:], uint32(data))
	body := make([]byte, 0, data)
	for _, f := range frames {
		for c := range channels {
			body = binary.LittleEndian.AppendUint16(body, uint16(pcm16(f[c])))
		}
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

func pcm16(v float64) int16 {
	return int16(math.Round(max(-1, min(1, v)) * 32767))
}
