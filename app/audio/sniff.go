package audio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gopxl/beep/v2"
)

// fileFormat is a format the kiosk decodes.
type fileFormat int

const (
	formatWAV fileFormat = iota + 1
	formatMP3
	formatVorbis
)

// kind is what sniff found a file to be.
type kind struct {
	format fileFormat
	name   string    // for staff: "WAV", "MP3", "Ogg Vorbis"
	mp3    mp3Trim   // of an MP3 file
	wav    wavFormat // of a WAV file
	start  int64     // of an MP3 file: where its first frame is
}

// sniffSize is how much of a file sniff reads to know its format.
const sniffSize = 4 << 10

// sniff finds the real format of a file from its first bytes: staff rename
// files, and phones write Opus in .ogg files and AAC in .m4a or .3gp ones. A
// format the kiosk cannot play is an error naming it, with the command that
// converts it; a header that points past the end of the file is an error
// too, found before a decoder trusts it.
//
// whole walks the whole file for faults the headers do not show (a chained
// Ogg file, MP3 frames the decoder garbles): Check does, when the catalog
// loads; playing a file Check accepted skips that second read.
func sniff(f *os.File, size int64, whole bool) (kind, error) {
	if size == 0 {
		return kind{}, errors.New("the file is empty")
	}
	head := make([]byte, min(size, sniffSize))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return kind{}, fmt.Errorf("cannot read the file: %w", err)
	}
	path := f.Name()
	refuse := func(what string) (kind, error) {
		return kind{}, fmt.Errorf("it is %s, which the kiosk cannot play; to convert it, %s",
			what, convertCommand(path, ".wav"))
	}
	is := func(at int, magic string) bool {
		return len(head) >= at+len(magic) && string(head[at:at+len(magic)]) == magic
	}
	switch {
	case is(0, "RIFF") && is(8, "WAVE"):
		w, err := parseWAV(f, size, path)
		return kind{format: formatWAV, name: "WAV", wav: w}, err
	case is(0, "RIFF") && is(8, "AVI "):
		return refuse("an AVI video")
	case is(0, "RF64"), is(0, "BW64"):
		return refuse("a 64-bit WAV (RF64) recording")
	case is(0, "OggS"):
		return sniffOgg(f, head, size, whole, refuse)
	case is(0, "fLaC"):
		return refuse("a FLAC recording")
	case is(0, "ID3"):
		return sniffID3(f, head, size, whole, refuse)
	case is(4, "ftyp"):
		brand := string(head[8:min(12, len(head))])
		switch {
		case brand == "heic" || brand == "heix" || brand == "mif1" || brand == "avif":
			return kind{}, errors.New("it is an image (a phone photo), not a recording")
		case strings.HasPrefix(brand, "3g"):
			return refuse("a 3GP phone recording")
		case brand == "qt  ":
			return refuse("a QuickTime (.mov) file")
		}
		return refuse("an MP4 file (M4A, usually AAC sound)")
	case is(0, "\x1a\x45\xdf\xa3"):
		return refuse("a WebM or Matroska file (usually Opus sound)")
	case is(0, "#!AMR"):
		return refuse("an AMR phone recording")
	case is(0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
		return refuse("a Windows Media (WMA) file")
	case is(0, "FORM") && (is(8, "AIFF") || is(8, "AIFC")):
		return refuse("an AIFF recording")
	case is(0, "caff"):
		return refuse("a Core Audio (CAF) recording")
	case is(0, ".snd"):
		return refuse("a Sun/NeXT (.au) recording")
	}
	if k, ok, err := sniffFrames(f, 0, size, whole, refuse); ok {
		return k, err
	}
	switch {
	case is(0, "\x89PNG"), is(0, "\xff\xd8\xff"), is(0, "GIF8"):
		return kind{}, errors.New("it is an image, not a recording")
	case is(0, "%PDF"):
		return kind{}, errors.New("it is a PDF document, not a recording")
	case is(0, "PK\x03\x04"):
		return kind{}, errors.New("it is a ZIP archive or an office document, not a recording")
	case is(0, "MThd"):
		return kind{}, errors.New("it is a MIDI score, not a recording")
	}
	ext := strings.ToLower(filepath.Ext(path))
	return kind{}, fmt.Errorf("it is not a recording the kiosk knows (a recording must be a WAV, MP3 or Ogg Vorbis file; this one is named %q)", ext)
}

// sniffOgg names the codec in an Ogg file from its first packet.
func sniffOgg(f *os.File, head []byte, size int64, whole bool, refuse func(string) (kind, error)) (kind, error) {
	if len(head) < 28 {
		return kind{}, errors.New("the Ogg file is damaged: it ends in its first header")
	}
	packet := head[min(27+int(head[26]), len(head)):]
	switch {
	case bytes.HasPrefix(packet, []byte("\x01vorbis")):
		chained := false
		if whole {
			var err error
			if chained, err = oggChained(f, size); err != nil {
				return kind{}, err
			}
		}
		if chained {
			// The decoder plays the first and stops: the rest would be lost.
			return refuse("an Ogg file of several recordings one after the other (chained)")
		}
		return kind{format: formatVorbis, name: "Ogg Vorbis"}, nil
	case bytes.HasPrefix(packet, []byte("OpusHead")):
		return refuse("an Opus recording in an Ogg file (as phones and browsers record)")
	case bytes.HasPrefix(packet, []byte("\x7fFLAC")):
		return refuse("a FLAC recording in an Ogg file")
	case bytes.HasPrefix(packet, []byte("Speex")):
		return refuse("a Speex recording in an Ogg file")
	case bytes.HasPrefix(packet, []byte("\x80theora")):
		return refuse("an Ogg video")
	}
	return refuse("an Ogg file of an unknown kind")
}

// oggChained walks the pages of an Ogg file for a second stream's first
// page after the first stream: a chained file, as joining Ogg files with cat
// or recording a radio makes. The walk stops at bytes that are not a page.
func oggChained(f *os.File, size int64) (bool, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 64<<10)
	var hdr [27]byte
	segs := make([]byte, 255)
	for pages := 0; ; pages++ {
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, nil
		} else if err != nil {
			return false, fmt.Errorf("cannot read the file: %w", err)
		}
		if string(hdr[:4]) != "OggS" {
			return false, nil
		}
		if pages > 0 && hdr[5]&2 != 0 { // beginning of a stream
			return true, nil
		}
		n := int(hdr[26])
		if _, err := io.ReadFull(r, segs[:n]); err != nil {
			return false, nil
		}
		body := 0
		for _, s := range segs[:n] {
			body += int(s)
		}
		if _, err := r.Discard(body); err != nil {
			return false, nil
		}
	}
}

// sniffID3 looks past an ID3v2 tag (titles, cover picture) for the sound
// after it: MP3, or AAC, which some recorders tag too. Some taggers leave a
// second tag, or zero bytes, after the first: sniffFrames looks past them.
func sniffID3(f *os.File, head []byte, size int64, whole bool, refuse func(string) (kind, error)) (kind, error) {
	tag, err := id3Size(head, size)
	if err != nil {
		// Some taggers write the tag's size wrong: the sound may still
		// follow, near enough for sniffFrames to find.
		if k, ok, ferr := sniffFrames(f, min(10, size), size, whole, refuse); ok && len(head) >= 10 {
			return k, ferr
		}
		return kind{}, err
	}
	if k, ok, err := sniffFrames(f, tag, size, whole, refuse); ok {
		return k, err
	}
	return kind{}, errors.New("there is no MP3 sound after the file's ID3 tag: the file is damaged")
}

// id3Size is the size of the ID3v2 tag at the start of head, header and
// footer included.
func id3Size(head []byte, size int64) (int64, error) {
	if len(head) < 10 {
		return 0, errors.New("the file is damaged: it ends in its ID3 tag")
	}
	var tag int64
	for _, b := range head[6:10] {
		if b >= 0x80 {
			return 0, errors.New("the file's ID3 tag is damaged")
		}
		tag = tag<<7 | int64(b)
	}
	tag += 10
	if head[5]&0x10 != 0 {
		tag += 10 // a footer
	}
	if tag >= size {
		return 0, errors.New("the file's ID3 tag is longer than the file: the file is damaged or cut short")
	}
	return tag, nil
}

// frameSearch is how far into a file sniffFrames looks for the first frame:
// past padding, a second ID3 tag, or the bytes a cut or a stream capture
// leaves before it, as every other player does.
const frameSearch = 64 << 10

// sniffFrames looks for MPEG audio frames from off: MP3, the kiosk's, or
// MP2 and AAC in ADTS frames, which it refuses. ok is false when there are
// none. An MP3 the kiosk's decoder cannot play whole is refused too.
func sniffFrames(f *os.File, off, size int64, whole bool, refuse func(string) (kind, error)) (kind, bool, error) {
	buf := make([]byte, min(size-off, frameSearch))
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return kind{}, true, fmt.Errorf("cannot read the file: %w", err)
	}
	if len(buf) >= 4 && buf[0] == 0xff && buf[1]&0xf6 == 0xf0 { // sync, layer 00: ADTS
		k, err := refuse("an AAC recording")
		return k, true, err
	}
	at, h, ok := firstFrame(buf, off, size)
	if !ok {
		return kind{}, false, nil
	}
	if h.layer != 3 {
		k, err := refuse(fmt.Sprintf("an MPEG layer %d (MP%d) recording", h.layer, h.layer))
		return k, true, err
	}
	if h.version == mpeg25 {
		k, err := refuse(fmt.Sprintf("an MP3 at %d Hz (MPEG 2.5)", h.rate))
		return k, true, err
	}
	if whole {
		bad, garbled, err := garbledFrame(f, off+int64(at), size)
		if err != nil {
			return kind{}, true, err
		}
		if garbled {
			k, err := refuse(fmt.Sprintf("an MP3 at %d Hz and %d kbit/s (its decoder would play noise)", bad.rate, bad.bitrate/1000))
			return k, true, err
		}
	}
	return kind{format: formatMP3, name: "MP3", mp3: lameTrim(buf[at:], h), start: off + int64(at)}, true, nil
}

// firstFrame finds the first MPEG audio frame in buf, which is the file's
// bytes from off: a header at 0 that the file's end or a like header
// follows, or, past other bytes, one that two like headers follow, so that
// bytes which only look like a header are not taken for one.
func firstFrame(buf []byte, off, size int64) (int, mpegHeader, bool) {
	header := func(at int) (mpegHeader, bool) {
		if at < 0 || at+4 > len(buf) {
			return mpegHeader{}, false
		}
		return parseMPEGHeader(binary.BigEndian.Uint32(buf[at:]))
	}
	// follows says whether n frames like h follow the one at at.
	follows := func(at int, h mpegHeader, n int) bool {
		for ; n > 0; n-- {
			at += h.size
			if off+int64(at) == size {
				return true // the last frame of a short file
			}
			next, ok := header(at)
			if !ok || next.version != h.version || next.layer != h.layer || next.rate != h.rate {
				return false
			}
			h = next
		}
		return true
	}
	if h, ok := header(0); ok && follows(0, h, 1) {
		return 0, h, true
	}
	for at := 1; at+4 <= len(buf); at++ {
		if buf[at] != 0xff {
			continue
		}
		if h, ok := header(at); ok && follows(at, h, 2) {
			return at, h, true
		}
	}
	return 0, mpegHeader{}, false
}

// garbledFrame walks the frames of an MP3 file from its first one, at off,
// for one that go-mp3, the kiosk's decoder, gets the size of wrong: it
// computes the size of an MPEG-2 frame with its padding byte as
// (144*bitrate/rate + 1) / 2, one byte short when 144*bitrate/rate is even
// (22050 Hz at 24 or 32 kbit/s, and others), and every frame after decodes
// as noise. The walk stops at the first bytes that are not a frame: the
// tags at the end of a file.
func garbledFrame(f *os.File, off, size int64) (mpegHeader, bool, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, size-off), 64<<10)
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err == io.EOF || err == io.ErrUnexpectedEOF {
			return mpegHeader{}, false, nil
		} else if err != nil {
			return mpegHeader{}, false, fmt.Errorf("cannot read the file: %w", err)
		}
		h, ok := parseMPEGHeader(binary.BigEndian.Uint32(hdr[:]))
		if !ok {
			return mpegHeader{}, false, nil
		}
		if h.layer == 3 && h.version != mpeg1 && h.padding && (144*h.bitrate/h.rate)%2 == 0 {
			return h, true, nil
		}
		if _, err := r.Discard(h.size - 4); err != nil {
			return mpegHeader{}, false, nil
		}
	}
}

// MPEG audio versions, as a frame header numbers them.
const (
	mpeg25 = 0
	mpeg2  = 2
	mpeg1  = 3
)

// mpegHeader is what the kiosk needs of an MPEG audio frame header.
type mpegHeader struct {
	version int // mpeg1, mpeg2 or mpeg25
	layer   int // 1, 2 or 3
	mpeg1   bool
	mono    bool
	samples int // per frame
	bitrate int // bits per second
	rate    int // samples per second
	padding bool
	size    int // of the frame in bytes, header included
}

// bitrates are in kbit/s, by MPEG-1 or not, layer, and the header's index.
var bitrates = [2][3][15]int{
	{ // MPEG-1
		{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
		{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
		{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
	},
	{ // MPEG-2 and 2.5
		{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
		{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
	},
}

func parseMPEGHeader(w uint32) (mpegHeader, bool) {
	version := int(w>>19) & 3
	layer := 4 - int((w>>17)&3)
	bitrate := (w >> 12) & 0xf
	rate := (w >> 10) & 3
	if w&0xffe00000 != 0xffe00000 || version == 1 || layer == 4 || bitrate == 0 || bitrate == 15 || rate == 3 {
		return mpegHeader{}, false
	}
	h := mpegHeader{version: version, layer: layer, mpeg1: version == mpeg1, mono: (w>>6)&3 == 3, padding: w&0x200 != 0}
	lsf := 0
	if !h.mpeg1 {
		lsf = 1
	}
	h.bitrate = bitrates[lsf][layer-1][bitrate] * 1000
	h.rate = [3]int{44100, 48000, 32000}[rate] >> map[int]int{mpeg1: 0, mpeg2: 1, mpeg25: 2}[version]
	pad := 0
	if h.padding {
		pad = 1
	}
	switch {
	case layer == 1:
		h.samples = 384
		h.size = (12*h.bitrate/h.rate + pad) * 4
	case layer == 2 || h.mpeg1:
		h.samples = 1152
		h.size = 144*h.bitrate/h.rate + pad
	default:
		h.samples = 576
		h.size = 72*h.bitrate/h.rate + pad
	}
	return h, true
}

// mp3Trim is what to drop from go-mp3's output to get the recorded sound, as
// the LAME tag of the first frame says: the tag's own frame, which decodes
// as silence, the encoder's delay and the decoder's, and the padding at the
// end. keep is -1 when the file has no such tag: all of it plays.
type mp3Trim struct {
	skip, keep int
}

// decoderDelay is the delay of every MP3 decoder's synthesis filter, in
// samples, which LAME's delay figure leaves out.
const decoderDelay = 529

// lameTrim reads the Xing/Info and LAME tags of the first frame, in frame.
func lameTrim(frame []byte, h mpegHeader) mp3Trim {
	side := 32 // side information after the 4-byte header
	switch {
	case h.mpeg1 && h.mono:
		side = 17
	case !h.mpeg1 && h.mono:
		side = 9
	case !h.mpeg1:
		side = 17
	}
	at := 4 + side
	if len(frame) < at+8 || (string(frame[at:at+4]) != "Xing" && string(frame[at:at+4]) != "Info") {
		return mp3Trim{keep: -1}
	}
	flags := binary.BigEndian.Uint32(frame[at+4:])
	at += 8
	frames := -1
	if flags&1 != 0 {
		frames = int(binary.BigEndian.Uint32(frame[at:]))
		at += 4
	}
	if flags&2 != 0 {
		at += 4
	}
	if flags&4 != 0 {
		at += 100
	}
	if flags&8 != 0 {
		at += 4
	}
	// The LAME tag: 9 bytes of encoder name, then 12 bytes, then the
	// delay and padding, 12 bits each.
	if frames < 0 || len(frame) < at+24 || !bytes.HasPrefix(frame[at:], []byte("LAME")) && !bytes.HasPrefix(frame[at:], []byte("Lavc")) {
		return mp3Trim{skip: h.samples, keep: -1}
	}
	d := frame[at+21:]
	delay := int(d[0])<<4 | int(d[1])>>4
	padding := int(d[1]&0xf)<<8 | int(d[2])
	keep := frames*h.samples - delay - padding
	if keep <= 0 {
		return mp3Trim{skip: h.samples, keep: -1}
	}
	return mp3Trim{skip: h.samples + delay + decoderDelay, keep: keep}
}

// trimmed drops what an mp3Trim says from a decoded MP3.
type trimmed struct {
	s          beep.Streamer
	skip, left int // left < 0: no end known
}

func trimMP3(s beep.Streamer, t mp3Trim) beep.Streamer {
	if t.skip == 0 && t.keep < 0 {
		return s
	}
	return &trimmed{s: s, skip: t.skip, left: t.keep}
}

func (t *trimmed) Stream(samples [][2]float64) (int, bool) {
	for t.skip > 0 {
		n, ok := t.s.Stream(samples[:min(len(samples), t.skip)])
		t.skip -= n
		if !ok {
			return 0, false
		}
	}
	if t.left == 0 {
		return 0, false
	}
	if t.left > 0 && len(samples) > t.left {
		samples = samples[:t.left]
	}
	n, ok := t.s.Stream(samples)
	if t.left > 0 {
		t.left -= n
	}
	return n, ok
}

func (t *trimmed) Err() error { return t.s.Err() }
