package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/gopxl/beep/v2"
)

// WAV format tags: what a WAV file's format part says its samples are.
const (
	wavPCM        = 1
	wavADPCM      = 2
	wavFloat      = 3
	wavALaw       = 6
	wavMuLaw      = 7
	wavIMAADPCM   = 0x11
	wavMP3        = 0x55
	wavExtensible = 0xfffe
)

// wavFormat is what the kiosk needs of a WAV file: its samples' format and
// where its sound (the data part) is.
type wavFormat struct {
	tag      uint16 // wavPCM, wavFloat, wavALaw or wavMuLaw; extensible files give their real one
	channels int
	rate     int
	width    int // bytes of one sample of one channel
	dataOff  int64
	dataLen  int64 // whole frames only
}

func (w wavFormat) beepFormat() beep.Format {
	return beep.Format{SampleRate: beep.SampleRate(w.rate), NumChannels: w.channels, Precision: w.width}
}

// parseWAV walks the parts (chunks) of a WAV file up to its sound, as
// editors, phones and Windows write them: LIST, bext and other parts in any
// order and of odd sizes, the format in its extensible form, and a sound
// part whose size a streamed recording left at 0 or 0xFFFFFFFF, which is
// then the rest of the file. It trusts no size before checking it against
// the file's, and tells staff what it cannot decode in plain words with the
// command that converts it.
func parseWAV(f *os.File, size int64, path string) (wavFormat, error) {
	refuse := func(what string) error {
		return fmt.Errorf("it is %s, which the kiosk cannot play; to convert it, %s",
			what, convertCommand(path, ".wav"))
	}
	damaged := errors.New("the WAV file is damaged or cut short: its headers do not match its size")
	var (
		w        wavFormat
		off      int64 = 12
		hdr      [8]byte
		foundFmt bool
	)
	for {
		if _, err := f.ReadAt(hdr[:], off); err != nil {
			return w, errors.New("the WAV file is damaged or cut short: it has no sound part")
		}
		id, n := string(hdr[:4]), int64(binary.LittleEndian.Uint32(hdr[4:]))
		switch id {
		case "data":
			if !foundFmt {
				return w, damaged
			}
			w.dataOff = off + 8
			if n == 0 || n == 0xffffffff || w.dataOff+n > size {
				// A recording streamed to the file, never finished, or cut
				// short: its sound is what is there.
				n = size - w.dataOff
			}
			align := int64(w.channels * w.width)
			w.dataLen = n - n%align
			return w, nil
		case "fmt ":
			if n < 16 || n > 1024 || off+8+n > size {
				return w, damaged
			}
			b := make([]byte, n)
			if _, err := f.ReadAt(b, off+8); err != nil {
				return w, damaged
			}
			w.tag = binary.LittleEndian.Uint16(b[0:])
			w.channels = int(binary.LittleEndian.Uint16(b[2:]))
			w.rate = int(binary.LittleEndian.Uint32(b[4:]))
			align := int(binary.LittleEndian.Uint16(b[12:]))
			bits := int(binary.LittleEndian.Uint16(b[14:]))
			if w.tag == wavExtensible { // the real format is in its GUID's first two bytes
				if n < 40 {
					return w, damaged
				}
				w.tag = binary.LittleEndian.Uint16(b[24:])
			}
			switch w.tag {
			case wavPCM, wavFloat, wavALaw, wavMuLaw:
			case wavADPCM, wavIMAADPCM:
				return w, refuse("a compressed (ADPCM) WAV recording")
			case wavMP3:
				return w, refuse("an MP3 inside a WAV file")
			default:
				return w, refuse(fmt.Sprintf("a compressed WAV recording (format %d)", w.tag))
			}
			w.width = (bits + 7) / 8
			if w.channels > 0 && align%w.channels == 0 && align/w.channels > w.width {
				w.width = align / w.channels // 20 or 24 valid bits in 32-bit samples
			}
			supported := map[uint16][]int{wavPCM: {1, 2, 3, 4}, wavFloat: {4, 8}, wavALaw: {1}, wavMuLaw: {1}}[w.tag]
			if !slices.Contains(supported, w.width) {
				return w, refuse(fmt.Sprintf("a %d-bit WAV recording", bits))
			}
			if w.channels == 0 || w.channels > 32 || w.rate == 0 || align != w.channels*w.width {
				return w, errors.New("the WAV file is damaged: its format header does not add up")
			}
			foundFmt = true
		default:
			if off+8+n > size {
				return w, damaged
			}
		}
		off += 8 + n + n&1 // a part of odd size has a pad byte
	}
}

// wavDecoder streams the sound part of a WAV file as stereo: mono on both
// sides, and more channels mixed down as ffmpeg does, so that the voice a
// 5.1 file has in its centre channel is heard.
type wavDecoder struct {
	r      io.Reader
	c      io.Closer
	w      wavFormat
	left   int64 // bytes of sound not yet read
	sample func([]byte) float64
	mix    [][2]float64 // per channel: its share of left and right
	buf    []byte
	err    error
}

func newWAVDecoder(rc io.ReadCloser, w wavFormat) *wavDecoder {
	return &wavDecoder{r: rc, c: rc, w: w, left: w.dataLen, sample: sampleDecoder(w), mix: downmix(w.channels)}
}

func sampleDecoder(w wavFormat) func([]byte) float64 {
	switch {
	case w.tag == wavALaw:
		return func(b []byte) float64 { return float64(alaw(b[0])) / (1 << 15) }
	case w.tag == wavMuLaw:
		return func(b []byte) float64 { return float64(mulaw(b[0])) / (1 << 15) }
	case w.tag == wavFloat && w.width == 4:
		return func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }
	case w.tag == wavFloat:
		return func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }
	case w.width == 1:
		return func(b []byte) float64 { return float64(int(b[0])-128) / (1 << 7) }
	}
	// Signed integers of 2, 3 or 4 bytes, little-endian: shifted up to 32
	// bits, so that one scale fits them all.
	width := w.width
	return func(b []byte) float64 {
		var v uint32
		for i := 0; i < width; i++ {
			v |= uint32(b[i]) << (8 * (4 - width + i))
		}
		return float64(int32(v)) / (1 << 31)
	}
}

// downmix gives each channel's share of the left and right outputs, in
// the order WAV files keep them (front left, front right, centre, LFE,
// back left, back right, side left, side right), with the weights of
// ffmpeg's default downmix: the front at full level, centre and surround at
// -3 dB, the bass channel left out. The voice keeps the level it has when
// staff convert the file with ffmpeg.
func downmix(channels int) [][2]float64 {
	m := make([][2]float64, channels)
	switch channels {
	case 1:
		m[0] = [2]float64{1, 1}
		return m
	case 2:
		m[0], m[1] = [2]float64{1, 0}, [2]float64{0, 1}
		return m
	}
	const minus3dB = math.Sqrt2 / 2
	m[0], m[1] = [2]float64{1, 0}, [2]float64{0, 1}
	for c := 2; c < channels; c++ {
		switch {
		case c == 2:
			m[c] = [2]float64{minus3dB, minus3dB}
		case c == 3: // LFE
		case c%2 == 0:
			m[c] = [2]float64{minus3dB, 0}
		default:
			m[c] = [2]float64{0, minus3dB}
		}
	}
	return m
}

func (d *wavDecoder) Stream(samples [][2]float64) (int, bool) {
	if d.err != nil || d.left == 0 {
		return 0, false
	}
	align := d.w.channels * d.w.width
	want := min(int64(len(samples)*align), d.left)
	if int64(cap(d.buf)) < want {
		d.buf = make([]byte, want)
	}
	p := d.buf[:want]
	n, err := io.ReadFull(d.r, p)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		d.left = 0 // cut short: what is there plays
	} else if err != nil {
		d.err = err
	}
	d.left -= int64(n)
	if d.left < 0 {
		d.left = 0
	}
	frames := n / align
	if d.w.tag == wavPCM && d.w.width == 2 && d.w.channels <= 2 {
		// The common case, espeak-ng's and most editors', without a call
		// a sample.
		right := 2 * (d.w.channels - 1) // mono: the one sample on both sides
		for i := range frames {
			f := p[i*align:]
			samples[i] = [2]float64{
				float64(int16(binary.LittleEndian.Uint16(f))) / (1 << 15),
				float64(int16(binary.LittleEndian.Uint16(f[right:]))) / (1 << 15),
			}
		}
		return frames, frames > 0
	}
	for i := 0; i < frames; i++ {
		frame := p[i*align:]
		var l, r float64
		for c, w := range d.mix {
			v := d.sample(frame[c*d.w.width:])
			l += w[0] * v
			r += w[1] * v
		}
		samples[i] = [2]float64{l, r}
	}
	return frames, frames > 0
}

func (d *wavDecoder) Err() error { return d.err }

func (d *wavDecoder) Close() error { return d.c.Close() }

// alaw and mulaw decode the G.711 telephone samples to 16-bit linear.
func alaw(a byte) int16 {
	a ^= 0x55
	t := int16(a&0x0f) << 4
	seg := (a & 0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return t
	}
	return -t
}

func mulaw(u byte) int16 {
	u = ^u
	t := (int16(u&0x0f) << 3) + 0x84
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return 0x84 - t
	}
	return t - 0x84
}
