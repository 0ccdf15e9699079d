#!/usr/bin/env bash
# Makes the sound fixtures of app/audio's tests, and reference.tsv: what an
# independent decoder (ffmpeg) finds in each file. Run it again only to
# change the fixtures; the tests need neither ffmpeg nor lame.
#
#   bash app/audio/testdata/make.sh
#
# Every playable file is a sine tone of 0.3 s: 440 Hz at amplitude 0.5 on
# the left (mono files: the only channel), 660 Hz at 0.25 on the right, so a
# frame read out of step or channels swapped change the figures.
set -euo pipefail
cd "$(dirname "$0")"
rm -f -- *.wav *.mp3 *.ogg *.m4a *.webm *.flac *.3gp *.aac *.png reference.tsv
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
tone() { # tone RATE CHANNELS: the lavfi source of the test tone
	if [ "$2" = 1 ]; then
		echo "aevalsrc=0.5*sin(2*PI*440*t):s=$1:d=0.3"
	else
		echo "aevalsrc=0.5*sin(2*PI*440*t)|0.25*sin(2*PI*660*t):s=$1:d=0.3"
	fi
}

# WAV: every sample size, both channel counts, every common rate.
ff -f lavfi -i "$(tone 8000 1)" -c:a pcm_u8 wav-u8-mono-8k.wav
ff -f lavfi -i "$(tone 22050 2)" -c:a pcm_u8 wav-u8-stereo-22k.wav
ff -f lavfi -i "$(tone 16000 1)" -c:a pcm_s16le wav-s16-mono-16k.wav
ff -f lavfi -i "$(tone 22050 1)" -c:a pcm_s16le wav-s16-mono-22k.wav # as espeak-ng writes
ff -f lavfi -i "$(tone 44100 2)" -c:a pcm_s16le wav-s16-stereo-44k.wav
ff -f lavfi -i "$(tone 48000 2)" -c:a pcm_s16le wav-s16-stereo-48k.wav
ff -f lavfi -i "$(tone 44100 1)" -c:a pcm_s24le wav-s24-mono-44k.wav
ff -f lavfi -i "$(tone 48000 2)" -c:a pcm_s24le wav-s24-stereo-48k.wav
# A WAV with a LIST chunk before its sound, as editors write.
ff -f lavfi -i "$(tone 44100 1)" -c:a pcm_s16le -metadata title="Bonjour" -metadata artist="Mairie" wav-s16-list-44k.wav

# What editors, phones and Windows also write, which the kiosk decodes
# itself: 32-bit integer and floating-point samples, telephone A-law and
# µ-law, the extensible format header (sox writes it for 24-bit sound), and
# a 5.1 file whose voice is in the centre channel (front left 440 Hz at 0.5,
# front right 660 Hz at 0.25, centre 550 Hz at 0.5, the rest silent).
ff -f lavfi -i "$(tone 48000 2)" -c:a pcm_s32le wav-s32-stereo-48k.wav
ff -f lavfi -i "$(tone 44100 1)" -c:a pcm_f32le wav-f32-mono-44k.wav
ff -f lavfi -i "$(tone 8000 1)" -c:a pcm_mulaw wav-mulaw-8k.wav
ff -f lavfi -i "$(tone 8000 1)" -c:a pcm_alaw wav-alaw-8k.wav
ff -f lavfi -i "$(tone 11025 1)" -c:a pcm_s16le tmp.wav
sox tmp.wav -e signed -b 24 wav-ext-s24-mono-11k.wav
ff -f lavfi -i "aevalsrc=0.5*sin(2*PI*440*t)|0.25*sin(2*PI*660*t)|0.5*sin(2*PI*550*t)|0|0|0:s=16000:d=0.3:c=5.1" -c:a pcm_s16le wav-5.1-16k.wav
# WAV files as a recorder that streams to the file, and as broadcast and
# tagging tools, leave them, written by hand from a plain one: a sound part
# whose size says 0xFFFFFFFF (never filled in); and parts of odd size with
# their pad byte (junk, bext, LIST) before the sound, then bytes after it
# that are not sound.
ff -f lavfi -i "$(tone 8000 1)" -c:a pcm_s16le tmp.wav
python3 - tmp.wav <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
parts, off = {}, 12
while off + 8 <= len(d):
    n = struct.unpack('<I', d[off + 4:off + 8])[0]
    parts[d[off:off + 4]] = d[off + 8:off + 8 + n]
    off += 8 + n + (n & 1)
def part(name, body, size=None):
    return name + struct.pack('<I', len(body) if size is None else size) + body + b'\0' * (len(body) & 1)
def wav(body, size=None):
    return b'RIFF' + struct.pack('<I', len(body) + 4 if size is None else size) + b'WAVE' + body
fmt, data = parts[b'fmt '], parts[b'data']
open('wav-streamed-8k.wav', 'wb').write(wav(part(b'fmt ', fmt) + part(b'data', data, 0xffffffff), 0xffffffff))
info = b'INFOINAM' + struct.pack('<I', 7) + b'Bonjour\0'
open('wav-parts-8k.wav', 'wb').write(wav(part(b'junk', b'odd') + part(b'bext', b'x' * 603) + part(b'LIST', info) +
    part(b'fmt ', fmt) + part(b'data', data)) + b'\x7f\x80' * 2000)
PY
rm -f tmp.wav

# MP3 as lame writes it (Xing/LAME tag), bare and with an ID3v2 tag holding
# a cover picture plus an ID3v1 tag at the end, as phones and editors do.
/usr/bin/convert -size 96x96 plasma:fractal -seed 6 cover.png 2>/dev/null ||
	ff -f lavfi -i "mandelbrot=s=96x96" -frames:v 1 cover.png
for rate in 22050 44100 48000; do
	k=$((rate / 1000))
	ff -f lavfi -i "$(tone $rate 1)" -c:a pcm_s16le tmp.wav
	lame --quiet -b 64 tmp.wav "mp3-mono-${k}k.mp3"
	lame --quiet -b 64 --add-id3v2 --tt "Bonjour" --ta "Mairie" --tl "Passerelle" --ti cover.png tmp.wav "mp3-id3-${k}k.mp3"
done
# VBR, as lame -V writes it; a stream capture or a cut that left stray
# bytes before the first frame; two ID3 tags in a row, as some taggers leave.
ff -f lavfi -i "$(tone 44100 1)" -c:a pcm_s16le tmp.wav
lame --quiet -V 6 tmp.wav mp3-vbr-44k.mp3
lame --quiet -b 64 tmp.wav tmp.mp3
# The stray bytes hold a lone frame header, which no frame follows.
{ printf 'ICY 200 OK\r\n\r\n\377\373\220\0'; head -c 315 /dev/zero; cat tmp.mp3; } >mp3-junk-44k.mp3
{ for _ in 1 2; do printf 'ID3\3\0\0\0\0\0\22TIT2\0\0\0\10\0\0\0Bonjour'; done; cat tmp.mp3; } >mp3-id3-twice-44k.mp3
# MP3s the kiosk's decoder (go-mp3) cannot play, refused: MPEG 2.5 (8 kHz),
# and MPEG-2 frames whose padding byte it miscounts (22050 Hz at 32 kbit/s).
ff -f lavfi -i "$(tone 8000 1)" -c:a libmp3lame -b:a 16k mp3-8k.mp3
ff -f lavfi -i "$(tone 22050 1)" -c:a libmp3lame -b:a 32k mp3-garbled-22k.mp3
rm -f tmp.wav tmp.mp3 cover.png

# Ogg Vorbis, stereo and mono.
ff -f lavfi -i "$(tone 44100 2)" -c:a libvorbis -q:a 5 vorbis-stereo-44k.ogg
ff -f lavfi -i "$(tone 22050 1)" -c:a libvorbis -q:a 5 vorbis-mono-22k.ogg

# Two Ogg files joined (chained), refused: the decoder stops after the first.
ff -f lavfi -i "$(tone 22050 1)" -c:a libvorbis tmp1.ogg
ff -f lavfi -i "$(tone 44100 1)" -c:a libvorbis tmp2.ogg
cat tmp1.ogg tmp2.ogg >vorbis-chained.ogg
rm -f tmp1.ogg tmp2.ogg

# Real formats under a wrong name: played for what they are.
cp mp3-id3-44k.mp3 mp3-named.wav

# What phones, browsers and editors also produce, which the kiosk refuses
# with the command that converts them.
ff -f lavfi -i "$(tone 48000 1)" -c:a libopus -b:a 24k opus.ogg
ff -f lavfi -i "$(tone 48000 1)" -c:a libopus -b:a 24k opus.webm
ff -f lavfi -i "$(tone 44100 1)" -c:a aac -b:a 32k aac.m4a
ff -f lavfi -i "$(tone 44100 1)" -c:a aac -b:a 32k aac-adts.aac
ff -f lavfi -i "$(tone 16000 1)" -c:a aac -b:a 24k -f 3gp phone.3gp
ff -f lavfi -i "$(tone 44100 1)" -c:a flac flac.flac
ff -f lavfi -i "$(tone 8000 1)" -c:a adpcm_ima_wav wav-adpcm.wav
cp aac.m4a aac-named.mp3

# The reference: decoded to 32-bit float, every channel, by ffmpeg, except
# Ogg Vorbis, by sox: ffmpeg 5.1 drops the last packet of a short Vorbis
# file (288 ms of a 300 ms tone, where the file's granule position and sox
# say 300 ms).
decode() {
	case $1 in
	*.ogg) sox "$1" -t f32 - ;;
	# ffmpeg finds the LAME tag only at the start: decoded without the stray bytes.
	mp3-junk-*)
		tail -c +334 "$1" >tmp.mp3
		ffmpeg -nostdin -v error -i tmp.mp3 -f f32le -c:a pcm_f32le -
		rm tmp.mp3
		;;
	# More than 2 channels: as ffmpeg mixes them down to stereo.
	wav-5.1-*) ffmpeg -nostdin -v error -i "$1" -ac 2 -f f32le -c:a pcm_f32le - ;;
	*) ffmpeg -nostdin -v error -i "$1" -f f32le -c:a pcm_f32le - ;;
	esac
}
{
	echo "# made by app/audio/testdata/make.sh: ffmpeg -i FILE -f f32le -c:a pcm_f32le - ($(ffmpeg -version | head -n1 | cut -d' ' -f1-3)); Ogg: sox FILE -t f32 - ($(sox --version | sed 's/.*SoX //'))"
	printf 'file\trate\tchannels\tframes\tduration_ms\tpeak\trms\n'
	for f in wav-*.wav mp3-*.mp3 mp3-named.wav vorbis-*.ogg; do
		[ "$f" = vorbis-chained.ogg ] && continue
		case $f in wav-adpcm.wav | mp3-8k.mp3 | mp3-garbled-22k.mp3) continue ;; esac
		rate=$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate -of default=nw=1:nk=1 "$f")
		channels=$(ffprobe -v error -select_streams a:0 -show_entries stream=channels -of default=nw=1:nk=1 "$f")
		case $f in wav-5.1-*) channels=2 ;; esac # as mixed down
		decode "$f" |
			python3 -c '
import struct, sys, math
f, rate, ch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = sys.stdin.buffer.read()
v = struct.unpack("<%df" % (len(data) // 4), data)
frames = len(v) // ch
peak = max(abs(x) for x in v)
rms = math.sqrt(sum(x * x for x in v) / len(v))
print("%s\t%d\t%d\t%d\t%.1f\t%.4f\t%.4f" % (f, rate, ch, frames, frames * 1000 / rate, peak, rms))
' "$f" "$rate" "$channels"
	done
} >reference.tsv
du -ch -- *.wav *.mp3 *.ogg *.m4a *.webm *.flac *.3gp *.aac | tail -n1
