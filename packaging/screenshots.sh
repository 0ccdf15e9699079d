#!/usr/bin/env bash
# Takes the README's screenshots from the real binary on a virtual screen:
# the welcome screen, a choice step (an answer touched), a step with a
# sketch of the other screen (screen:), the "stop this procedure?"
# question that home asks in the middle of a procedure, and an end screen.
#
#   bash packaging/screenshots.sh [OUTDIR]     (default packaging/screenshots)
#
# It drives the kiosk on the shipped catalog with mouse clicks at the
# places of the tiles on a 1024×768 screen, as a finger would. It knows
# where it is from the kiosk's own record: every step is saved to the
# kiosk's database before it is shown, so after each touch the script
# waits until the step it expects is the last one saved, and stops with a
# sentence when the kiosk is somewhere else. The walk follows the first
# answer of every question of create-email, from its first step to its end.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-packaging/screenshots}
procedure=create-email
choice_step=has-phone     # the choice to show with its first answer touched
sketch_step=create-account # a step with a screen: sketch
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/passerelle" .
yaml=data/procedures/$procedure/procedure.yaml
"$work/passerelle" validate data/procedures >"$work/validate.log"

fail() { echo "screenshots: $*" >&2; exit 1; }

# kind STEP: the kind of a step, read from the procedure's file.
kind() { awk -v id="$1" '$0 == "  - id: " id { found = 1; next } found && /^    kind:/ { print $2; exit }' "$yaml"; }
grep -q "^    screen:" <(awk -v id="$sketch_step" '$0 == "  - id: " id { f = 1; next } /^  - id:/ { f = 0 } f' "$yaml") ||
	fail "step $sketch_step of $procedure has no screen: sketch any more: choose another step for sketch.png"
[ "$(kind "$choice_step")" = choice ] || fail "step $choice_step of $procedure is not a choice any more"

# The procedure's place on the first page of the grid (4 a page, in the
# order validate lists them), and the middle of its tile.
rank=$(awk -v id="$procedure" '$1 == id { print NR; exit }' "$work/validate.log")
[ -n "$rank" ] && [ "$rank" -le 4 ] || fail "$procedure is not on the first page of procedures"
tile_x=(337 686 337 686)
tile_y=(170 170 470 470)

# A virtual screen of the smallest size the kiosk supports.
exec 3<> "$work/displayfd"
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
for _ in $(seq 500); do
	[ -s "$work/displayfd" ] && break
	sleep 0.01
done
export DISPLAY=":$(head -n1 "$work/displayfd")"
export LANG=fr_FR.UTF-8

"$work/passerelle" kiosk -catalog data/procedures -db "$work/kiosk.db" -speech-cache "$work/speech" >"$work/kiosk.log" 2>&1 &
for _ in $(seq 1000); do
	xdotool search --onlyvisible --name Passerelle >/dev/null 2>&1 && break
	sleep 0.01
done
sleep 1 # the first frame

# last KIND: what the kiosk saved last for that kind of event ("" before).
last() {
	[ -f "$work/kiosk.db" ] || return 0
	sqlite3 "$work/kiosk.db" "SELECT step_id FROM events WHERE kind = '$1' ORDER BY id DESC LIMIT 1" 2>/dev/null || true
}
count() { sqlite3 "$work/kiosk.db" "SELECT count(*) FROM events WHERE kind = '$1'" 2>/dev/null || echo 0; }
# wait_for WHAT CMD...: waits until CMD prints WHAT, or fails after 10 s.
wait_for() {
	local want=$1 got=""
	shift
	for _ in $(seq 100); do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	fail "waited for $want, the kiosk is at ${got:-nothing} (see $work/kiosk.log)"
}

shot() { sleep 0.5; import -window root "$out/$1.png"; echo "screenshot: $out/$1.png"; }
# touch X Y: a finger on the screen, lifted at the same place, then the
# half second the green arrow ignores touches after a new screen.
touch() { xdotool mousemove "$1" "$2" click 1; sleep 0.7; }

# The bottom bar has 5 equal controls; "home" is the first, "next" the last.
home() { touch 105 705; }
next() { touch 920 705; }
first_answer() { touch 100 300; } # the first answer tile, whether 2, 3 or 4 of them
stop_no() { touch 760 480; }      # the stop question's red circle, right: go on

# walk_to STEP: answers each step with the green arrow (a question with
# its first answer) until STEP is on screen.
walk_to() {
	local at
	for _ in $(seq 60); do
		at=$(last step_shown)
		[ "$at" = "$1" ] && return 0
		[ "$(kind "$at")" = choice ] && first_answer
		next
		wait_for_move "$at"
	done
	fail "did not reach step $1"
}
wait_for_move() {
	for _ in $(seq 100); do
		[ "$(last step_shown)" != "$1" ] && return 0
		sleep 0.1
	done
	fail "step $1 did not move on: a touch missed its tile (see $work/kiosk.log)"
}

shot welcome
touch 512 300 # anywhere: start
touch 170 300 # the first language tile: Français
next
touch "${tile_x[rank - 1]}" "${tile_y[rank - 1]}"
next
wait_for "$procedure" sqlite3 "$work/kiosk.db" "SELECT procedure_id FROM events WHERE kind = 'session_started'"

walk_to "$choice_step"
first_answer # spoken and highlighted, not chosen
shot choice
walk_to "$sketch_step"
shot sketch

home # mid-procedure: "stop this procedure?"
wait_for 1 count stop_asked
shot stop
stop_no
wait_for 1 count stop_cancelled
wait_for "$sketch_step" last step_shown

walk_to "$(awk '/^    kind: end$/ { print prev; exit } /^  - id:/ { prev = $3 }' "$yaml")"
shot end
grep "level=ERROR" "$work/kiosk.log" >&2 || true # what the kiosk found wrong, for the person who runs this
