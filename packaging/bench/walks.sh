#!/usr/bin/env bash
# Walks the real kiosk through whole procedures again and again, as a
# day of users would, and prints its memory after walks 1, 5, 20, 50 and
# 100: what a long day keeps that it need not.
#
#   bash packaging/bench/walks.sh [N]     (default 100)
#
# The kiosk runs on a virtual 1024×768 screen and a private PulseAudio
# null sink (the path a sound card takes). Each walk starts from welcome,
# chooses French, then the next of the first page's four procedures, and
# answers every step with its first answer (picked by keys, as a keypad
# user would; a number typed on the keyboard), the green arrow touched by
# the mouse, until the end screen; "done" goes back to welcome. It knows
# where the kiosk is from the kiosk's database (each step is saved before
# it shows), as packaging/screenshots.sh does.
#
# Columns: walks done (measured WALKS_PAUSE, default 5s, after welcome
# shows again, as between two persons), the kiosk's RSS (VmRSS), the Go heap in use after
# a collection (from a heap profile the kiosk writes on SIGUSR1 with
# PASSERELLE_HEAP_PROFILE), and seconds since the first walk began. The
# last line is RSS once the kiosk has been idle for WALKS_SETTLE (default
# 70s: Fyne frees the textures of screens gone after a minute unseen).
# WALKS_KEEP=1 keeps the profiles and logs: `go tool pprof -top
# -sample_index=inuse_space DIR/heap/heap-K.pprof`.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100}
work=$(mktemp -d)
cleanup() {
	# Stop what this script started, by process id.
	for pid in ${kiosk:-} ${xvfb:-} ${pulse:-}; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${WALKS_KEEP:-}" ]; then echo "walks: files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "walks: $*" >&2; exit 1; }

go build -o "$work/passerelle" .
"$work/passerelle" validate data/procedures >"$work/validate.log"

# shellcheck source=packaging/sandbox.sh
. packaging/sandbox.sh
start_pulse walks || fail "PulseAudio did not start within 5 s (see $work/pulse.log)"
start_xvfb 1024x768 || fail "Xvfb did not start within 5 s (see $work/xvfb.log)"
export LANG=fr_FR.UTF-8

printf '4806\n4806\n' | "$work/passerelle" pin -db "$work/kiosk.db" >/dev/null
mkdir "$work/heap"
PASSERELLE_HEAP_PROFILE="$work/heap" "$work/passerelle" kiosk -catalog data/procedures \
	-db "$work/kiosk.db" -speech-cache "$work/speech" >"$work/kiosk.log" 2>&1 &
kiosk=$!
for _ in $(seq 1000); do
	win=$(xdotool search --onlyvisible --name Passerelle 2>/dev/null | head -n1) && [ -n "$win" ] && break
	sleep 0.01
done
[ -n "${win:-}" ] || fail "the kiosk's window did not show (see $work/kiosk.log)"
sleep 3 # the first frame, and the speech made at start

# Where things are on 1024×768 (packaging/screenshots.sh measured them).
bar_y=705 next_x=920 french_x=170
grid_x=(337 686 337 686) grid_y=(170 170 470 470)

q() { sqlite3 "$work/kiosk.db" "$1" 2>/dev/null || true; }
last_step() { q "SELECT step_id FROM events WHERE kind = 'step_shown' ORDER BY id DESC LIMIT 1"; }
count() { q "SELECT count(*) FROM events WHERE kind = '$1'"; }
# kind PROCEDURE STEP: the kind of a step, from the procedure's file.
kind() {
	awk -v id="$2" '$0 == "  - id: " id { f = 1; next } /^  - id:/ { f = 0 } f && /^    kind:/ { print $2; exit }' \
		"data/procedures/$1/procedure.yaml"
}
# wait_until CMD WANT: until CMD prints WANT, for 30 s at most.
wait_until() {
	local got=""
	for _ in $(seq 600); do
		got=$($1)
		[ "$got" = "$2" ] && return 0
		sleep 0.05
	done
	fail "waited for $2 from $1, got ${got:-nothing} (see $work/kiosk.log)"
}
# touch X Y: a click, then the half second the green arrow ignores
# touches after a new screen.
touch() { xdotool mousemove "$1" "$2" click 1; sleep 0.6; }
press() { xdotool key --window "$win" "$@"; }

# walk RANK: one procedure of the first page, welcome to welcome.
walk() {
	local id started ended at
	id=$(awk -v r="$1" 'NR == r { print $1 }' "$work/validate.log")
	started=$(count session_started) ended=$(count session_ended)
	touch 512 300 # anywhere: start
	touch "$french_x" 300
	touch "$next_x" "$bar_y"
	touch "${grid_x[$1 - 1]}" "${grid_y[$1 - 1]}"
	touch "$next_x" "$bar_y"
	wait_until "count session_started" $((started + 1))
	for _ in $(seq 60); do
		[ "$(count session_ended)" -gt "$ended" ] && break
		at=$(last_step)
		case $(kind "$id" "$at") in
		choice) press Tab Return ;; # the first answer
		number) press 1 8 5 0 5 7 5 1 2 3 4 5 6 ;;
		esac
		touch "$next_x" "$bar_y"
		for _ in $(seq 100); do
			[ "$(last_step)" != "$at" ] && break
			sleep 0.05
		done
	done
	[ "$(count session_ended)" -gt "$ended" ] || fail "walk $id did not end"
	touch "$next_x" "$bar_y" # done: welcome
}

rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$kiosk/status"; }
# heap: the Go heap in use after a collection and what Go holds from the
# system (the rest of RSS is C's: GL textures, SQLite, libraries), from
# the line the kiosk logs with each heap profile.
heap() {
	local before
	before=$(grep -c "^heap profile" "$work/kiosk.log" || true)
	kill -USR1 "$kiosk"
	for _ in $(seq 100); do [ "$(grep -c "^heap profile" "$work/kiosk.log" || true)" -gt "$before" ] && break; sleep 0.05; done
	grep "^heap profile" "$work/kiosk.log" | tail -n1 | sed 's/.*heap_inuse_mb=\([0-9.]*\) go_held_mb=\([0-9.]*\)/\1 \2/'
}
anon() { awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$kiosk/status"; }

row() {
	local h
	h=($(heap))
	printf '%-6s %7s %8s %8s %8s %6s\n' "$1" "$(rss)" "$(anon)" "${h[0]}" "${h[1]}" "$2"
}
printf '%-6s %7s %8s %8s %8s %6s\n' walks rss_mb anon_mb heap_mb go_mb s
row 0 0
began=$SECONDS
for ((i = 1; i <= n; i++)); do
	walk $(((i - 1) % 4 + 1))
	case $i in 1 | 5 | 10 | 20 | 50 | 100 | "$n")
		sleep "${WALKS_PAUSE:-5s}" # welcome, between two persons
		row "$i" $((SECONDS - began)) ;;
	esac
done
sleep "${WALKS_SETTLE:-70s}"
row idle $((SECONDS - began))
