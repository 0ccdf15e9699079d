package audio

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"
)

// piece is a stretch of a test sound at the device's rate: frames of
// sound (0.5) or of silence.
type piece struct {
	sound  bool
	frames int
}

// sliceStreamer plays frames, then ends.
type sliceStreamer struct{ frames [][2]float64 }

func (s *sliceStreamer) Stream(buf [][2]float64) (int, bool) {
	if len(s.frames) == 0 {
		return 0, false
	}
	n := copy(buf, s.frames)
	s.frames = s.frames[n:]
	return n, true
}

func (s *sliceStreamer) Err() error { return nil }

func soundOf(pieces ...piece) Sound {
	var frames [][2]float64
	for _, p := range pieces {
		v := 0.0
		if p.sound {
			v = 0.5
		}
		for range p.frames {
			frames = append(frames, [2]float64{v, -v})
		}
	}
	return Sound{Streamer: &sliceStreamer{frames}, Format: beep.Format{SampleRate: deviceRate, NumChannels: 2, Precision: 4}}
}

// readSizes are the reads the sinks make: oto's player reads 100 ms
// (otoPlayerBuffer), the sound server's sink 10 ms (pulseChunk); both are
// defined only where cgo builds the sinks.
var readSizes = map[string]time.Duration{"oto's reads": 100 * time.Millisecond, "the sound server's": 10 * time.Millisecond}

// readAll reads r in reads of size, as a sink does, and returns what it
// gave as pieces.
func readAll(t *testing.T, r *pcmReader, size time.Duration) []piece {
	t.Helper()
	var got []piece
	p := make([]byte, deviceRate.N(size)*frameBytes)
	for range 10000 {
		n, err := r.Read(p)
		for i := 0; i < n; i += frameBytes {
			sound := math.Float32frombits(binary.LittleEndian.Uint32(p[i:])) != 0
			if len(got) > 0 && got[len(got)-1].sound == sound {
				got[len(got)-1].frames++
			} else {
				got = append(got, piece{sound, 1})
			}
		}
		if errors.Is(err, io.EOF) {
			return got
		}
	}
	t.Fatal("the reader never ended")
	return nil
}

// A sound's trailing silence is not played when nothing follows it, so
// that the device goes idle as soon as nothing is heard; every other
// silence plays where it is.
func TestReaderSkipsTheSilenceAtTheEnd(t *testing.T) {
	second := int(deviceRate)
	type readerCase struct {
		name   string
		sounds []Sound
		want   []piece
	}
	// The sounds are read once: each read size gets its own.
	cases := func() []readerCase {
		return []readerCase{
			{"trailing silence skipped",
				[]Sound{soundOf(piece{true, 1000}, piece{false, second / 2})},
				[]piece{{true, 1000}}},
			{"leading silence and a pause kept",
				[]Sound{soundOf(piece{false, 300}, piece{true, 1000}, piece{false, 7000}, piece{true, 10}, piece{false, 5})},
				[]piece{{false, 300}, {true, 1000}, {false, 7000}, {true, 10}}},
			{"a pause longer than what is held",
				[]Sound{soundOf(piece{true, 100}, piece{false, 3 * second}, piece{true, 100})},
				[]piece{{true, 100}, {false, 3 * second}, {true, 100}}},
			{"the silence between two sounds kept",
				[]Sound{soundOf(piece{true, 100}, piece{false, 20000}), soundOf(piece{true, 200}, piece{false, 20000})},
				[]piece{{true, 100}, {false, 20000}, {true, 200}}},
			{"a silent sound",
				[]Sound{soundOf(piece{false, second})},
				nil},
			{"the primer's silence played",
				[]Sound{func() Sound { s := soundOf(piece{false, 4000}); s.keepSilence = true; return s }()},
				[]piece{{false, 4000}}},
		}
	}
	for reads, size := range readSizes {
		for _, c := range cases() {
			t.Run(reads+"/"+c.name, func(t *testing.T) {
				first, rest := c.sounds[0], c.sounds[1:]
				chain(&first, rest)
				var ended []int
				r := &pcmReader{rate: deviceRate}
				r.ended = func(_ Sound, lv Levels) { ended = append(ended, lv.Frames) }
				r.set(first)
				got := readAll(t, r, size)
				if !equalPieces(got, c.want) {
					t.Errorf("played %v, want %v", got, c.want)
				}
				if len(ended) != len(c.sounds) {
					t.Errorf("%d sounds ended, want %d", len(ended), len(c.sounds))
				}
			})
		}
	}
}

// chain makes the sounds of rest follow s.
func chain(s *Sound, rest []Sound) {
	if len(rest) == 0 {
		return
	}
	next, more := rest[0], rest[1:]
	chain(&next, more)
	s.Next = func() (Sound, bool) { return next, true }
}

func equalPieces(a, b []piece) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A sound stopped while its silence is held back gives nothing more.
func TestReaderStoppedDuringHeldSilence(t *testing.T) {
	r := &pcmReader{rate: deviceRate}
	r.set(soundOf(piece{true, 100}, piece{false, 2000}, piece{true, 100}))
	p := make([]byte, 150*frameBytes)
	if n, err := r.Read(p); n != 100*frameBytes || err != nil {
		t.Fatalf("first read: %d bytes, %v", n, err)
	}
	r.end()
	if n, err := r.Read(p); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("read after the stop: %d bytes, %v; want io.EOF", n, err)
	}
}
