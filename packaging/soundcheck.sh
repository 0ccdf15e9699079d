#!/usr/bin/env bash
# Hears what the kiosk really plays, without a sound card: it runs the real
# binary on a private PulseAudio with a null sink (the kiosk's stream to
# the sound server, the path a sound card takes on a desktop), walks the first screens of create-email as a
# user would, records the sink's monitor, and prints, for each prompt, the
# length of sound heard against the length of sound in its source file.
#
#   bash packaging/soundcheck.sh [DURATION_TOLERANCE_SECONDS]   (default 0.1)
#
# SOUNDCHECK_KEEP=1 keeps the recordings and the logs; SOUNDCHECK_IDLE=1
# also measures the kiosk's CPU after a minute of silence (75 s more).
# SOUNDCHECK_HEADPHONES=1 adds a second null sink, "headphones", names it
# with -headphones, measures the walk on it, records the default sink
# (the loudspeakers) all along, and fails unless they stayed silent.
#
# Needs: pulseaudio pulseaudio-utils libasound2-plugins sox xvfb xdotool
# espeak-ng. It exits 1 when a prompt that was not cut short by a touch is
# heard shorter or longer than its source by more than the tolerance, or
# when nothing was heard. The kiosk's log is printed at the end: it must
# hold only Passerelle's own lines.
set -euo pipefail
cd "$(dirname "$0")/.."
tolerance=${1:-0.1}
work=$(mktemp -d)
cleanup() {
	# Stop what this script started, by process id.
	for pid in ${kiosk:-} ${parec:-} ${speakers:-} ${xvfb:-} ${pulse:-}; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${SOUNDCHECK_KEEP:-}" ]; then echo "soundcheck: files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

go build -o "$work/passerelle" .

# A private PulseAudio whose only sink is a null sink at 48 kHz.
# shellcheck source=packaging/sandbox.sh
. packaging/sandbox.sh
start_pulse soundcheck || { echo "soundcheck: PulseAudio did not start within 5 s (see $work/pulse.log)" >&2; exit 1; }
# The sink the walk is measured on.
sink=soundcheck
headphones=()
if [ -n "${SOUNDCHECK_HEADPHONES:-}" ]; then
	pactl load-module module-null-sink sink_name=headphones rate=48000 >/dev/null
	sink=headphones
	headphones=(-headphones headphones)
	# The loudspeakers, all along: they must hear nothing.
	parec -d soundcheck.monitor --format=s16le --rate=48000 --channels=1 --file-format=wav "$work/speakers.wav" &
	speakers=$!
fi

# A virtual screen.
start_xvfb 1024x768 || { echo "soundcheck: Xvfb did not start within 5 s (see $work/xvfb.log)" >&2; exit 1; }
export LANG=fr_FR.UTF-8

# record N: records the sink's monitor into screen-N.wav until stopped.
record() {
	parec -d "$sink.monitor" --format=s16le --rate=48000 --channels=1 --file-format=wav "$work/screen-$1.wav" &
	parec=$!
	sleep 0.3 # parec is connected
}
# quiet: returns once every sound started has been played to its end, with
# the device's buffer played out too, or when no sound started within 3 s.
quiet() {
	local before=$1 started played
	for _ in $(seq 300); do
		started=$(grep -c "sound started" "$work/kiosk.log" || true)
		played=$(grep -c "sound played" "$work/kiosk.log" || true)
		if [ "$started" -gt "$before" ] && [ "$started" = "$played" ]; then
			# The next prompt of the screen may still be getting ready.
			sleep 0.5
			[ "$(grep -c "sound started" "$work/kiosk.log")" = "$started" ] && return
		fi
		sleep 0.1
	done
}
screen=0
# screen DESCRIPTION COMMAND...: runs the command (a touch), records what
# the new screen says, and notes which sounds it played.
screen() {
	local what=$1 before
	shift
	screen=$((screen + 1))
	record "$screen"
	before=$(grep -c "sound started" "$work/kiosk.log" 2>/dev/null || true)
	"$@"
	quiet "${before:-0}"
	kill -INT "$parec"
	wait "$parec" 2>/dev/null || true
	parec=
	echo "$what" >"$work/screen-$screen.what"
	grep "sound played" "$work/kiosk.log" | tail -n +$((${before:-0} + 1)) >"$work/screen-$screen.played" || true
}
start() {
	# A staff PIN first: without one the kiosk opens on the screen that
	# asks staff to choose it, and the walk below would touch nothing.
	printf '4806\n4806\n' | "$work/passerelle" pin -db "$work/kiosk.db" >/dev/null
	PASSERELLE_SOUND_TRACE=1 "$work/passerelle" kiosk -db "$work/kiosk.db" -speech-cache "$work/speech" \
		"${headphones[@]}" >"$work/kiosk.log" 2>&1 &
	kiosk=$!
	for _ in $(seq 1000); do
		xdotool search --onlyvisible --name Passerelle >/dev/null 2>&1 && break
		sleep 0.01
	done
}
touch() { xdotool mousemove "$1" "$2" click 1; }
next() { touch 920 705; }

# cpu PID SECONDS: the percentage of one core the process used meanwhile.
cpu() {
	local a b
	a=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	sleep "$2"
	b=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
	awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" -v s="$2" 'BEGIN { printf "%.1f", (b - a) * 100 / hz / s }'
}

screen "welcome (speaks by itself)" start
# Idle on the welcome screen, once its prompts are over.
idle=$(cpu "$kiosk" 10)
idlePulse=$(cpu "$pulse" 5)
screen "a touch: start" touch 512 300
screen "language: Français" touch 170 300
screen "next" next
screen "procedure: create an email address" touch 770 470
screen "its first step" next
screen "the choice: do you have a phone?" next
if [ -n "${SOUNDCHECK_IDLE:-}" ]; then
	# A minute of silence: what an idle kiosk costs once all it started
	# (speech rendered ahead, the catalog watched) has settled.
	sleep 65
	idleLater=$(cpu "$kiosk" 10)
	idleLaterPulse=$(cpu "$pulse" 5)
fi
kill -INT "$kiosk" 2>/dev/null || true
wait "$kiosk" 2>/dev/null || true
kiosk=
# The walk went where it meant to: the kiosk saved the choice step shown.
# (Touches that land elsewhere would measure the wrong screens' sound.)
shown=$(sqlite3 "$work/kiosk.db" "SELECT count(*) FROM events WHERE kind = 'step_shown' AND procedure_id = 'create-email' AND step_id = 'has-phone'")
if [ "$shown" = 0 ]; then
	echo "soundcheck: the walk never reached the choice step has-phone of create-email: the touches missed (see the kiosk's log)" >&2
	cat "$work/kiosk.log" >&2
	exit 1
fi

# span FILE [START LENGTH]: seconds from the first to the last sound above
# -50 dBFS (silence at either end left out), of the file or a part of it.
span() {
	local trim=()
	[ $# -gt 1 ] && trim=(trim "$2" "$3")
	sox "$1" -n "${trim[@]}" silence 1 0.005 -50d reverse silence 1 0.005 -50d reverse stat 2>&1 |
		awk '/^Length/ { print $3 }'
}
# lead FILE: seconds of silence before its first sound.
lead() {
	sox "$1" -n silence 1 0.005 -50d stat 2>&1 | awk -v all="$(soxi -D "$1")" '/^Length/ { printf "%.3f", all - $3 }'
}
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

failed=0
heardAny=0
printf '%-46s %7s %7s %7s %7s  %s\n' "screen / prompt (source file)" "file" "sound" "device" "heard" "verdict"
for n in $(seq "$screen"); do
	echo "$(cat "$work/screen-$n.what")"
	mapfile -t rows < <(sed -E 's/.*source=([^ ]+) began=([^ ]+) seconds=([^ ]+) stopped=([^ ]+) .*/\1 \3 \4/' "$work/screen-$n.played")
	if [ ${#rows[@]} -eq 0 ]; then
		echo "  (no sound)"
		continue
	fi
	# The prompts of a screen play back to back: the first file starts at the
	# recording's first sound less that file's leading silence, and each
	# next one where the one before ends.
	read -r first _ _ <<<"${rows[0]}"
	onset=$(lead "$work/screen-$n.wav")
	at=$(calc "$onset - $(lead "$first")")
	# The touch came 0.3 s after the recording started (within parec's own
	# start-up, a few tens of milliseconds).
	[ "$n" -gt 1 ] && echo "  the first prompt starts $(calc "$at - 0.3") s after the touch"
	for row in "${rows[@]}"; do
		read -r source device stopped <<<"$row"
		file=$(soxi -D "$source")
		want=$(span "$source")
		# 20 ms off either end of the window: a prompt's sound may touch the
		# end of its file, and its neighbour's the start of the next.
		heard=$(span "$work/screen-$n.wav" "$(calc "$at < 0 ? 0 : $at + 0.02")" "$(calc "$file - 0.04")")
		heard=${heard:-0}
		at=$(calc "$at + $device")
		verdict=$(awk -v w="$want" -v h="$heard" -v t="$tolerance" -v s="$stopped" 'BEGIN {
			d = h - w; if (d < 0) d = -d
			if (s == "true") print "cut short by a touch"
			else if (d <= t) print "ok"
			else print "WRONG"
		}')
		[ "$verdict" = WRONG ] && failed=1
		[ "$heard" != 0 ] && heardAny=1
		printf '  %-44s %6.2fs %6.2fs %6.2fs %6.2fs  %s\n' "$(basename "$source" | cut -c1-36)" "$file" "$want" "$device" "$heard" "$verdict"
	done
done
echo
echo "file: length of the source file; sound: its sound without the silence at either end;"
echo "device: what the kiosk sent to the device (48 kHz); heard: the sound recorded on the sink."
echo
echo "Idle on the welcome screen, its prompts over (the sound device suspended 50 ms after):"
echo "  the kiosk used $idle % of a core, PulseAudio $idlePulse %."
if [ -n "${SOUNDCHECK_IDLE:-}" ]; then
	echo "Idle after a minute of silence:"
	echo "  the kiosk used $idleLater % of a core, PulseAudio $idleLaterPulse %."
fi
echo
if [ -n "${speakers:-}" ]; then
	kill -INT "$speakers"
	wait "$speakers" 2>/dev/null || true
	speakers=
	echo "The walk was measured on the headphones. The loudspeakers, all along (sox stat):"
	sox "$work/speakers.wav" -n stat 2>&1 | grep -E "Length|Maximum amplitude|RMS +amplitude" | sed 's/^/  /'
	loud=$(sox "$work/speakers.wav" -n stat 2>&1 | awk '/^Maximum amplitude/ { print ($3 > 0.001) }')
	if [ "$loud" = 1 ]; then
		echo "soundcheck: the loudspeakers heard something while the headphones were plugged in" >&2
		failed=1
	fi
	echo
fi
echo "The kiosk's log:"
grep -v "sound played\|sound started" "$work/kiosk.log" || true
[ "$heardAny" = 1 ] || { echo "soundcheck: nothing was heard" >&2; exit 1; }
exit $failed
