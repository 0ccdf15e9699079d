#!/usr/bin/env bash
# Takes the README's screenshots from the real binary on a virtual screen:
# the welcome screen, a choice step (an answer touched), a step with a
# sketch of the other screen (screen:), the "stop this procedure?"
# question that home asks in the middle of a procedure, an end screen, a
# social security number half typed (one box per digit), the same choice
# and number steps in Arabic (the screen mirrored, read right to left),
# and staff mode's settings and statistics (on five weeks of sessions
# made up by passerelle simulate). Then the 10-inch layout: a virtual
# 1280×800 screen whose -dpi makes it 10.1 inches across, so that the
# kiosk works out its scale (1.3) from the size the X server reports, as
# on a real 10-inch panel: welcome, the procedures, a choice and a number,
# with normal and with large text (-large-text). Last, on 1024×768 again,
# the languages chosen by keys (keys.png) and a call for help (help.png).
#
#   bash packaging/screenshots.sh [OUTDIR]     (default packaging/screenshots)
#
# It drives the kiosk on the shipped catalog with mouse clicks at the
# places of the tiles on a 1024×768 screen, as a finger would. It knows
# where it is from the kiosk's own record: every step is saved to the
# kiosk's database before it is shown, so after each touch the script
# waits until the step it expects is the last one saved, and stops with a
# sentence when the kiosk is somewhere else. A walk follows the first
# answer of every question.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-packaging/screenshots}
procedure=create-email     # welcome to its end
choice_step=has-phone      # a choice, shown with its first answer touched
sketch_step=create-account # a step with a screen: sketch
number_procedure=ameli-attestation
number_step=ssn-check # a number marked personal
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/passerelle" .
"$work/passerelle" validate data/procedures >"$work/validate.log"

fail() { echo "screenshots: $*" >&2; exit 1; }

# step PROCEDURE STEP: the lines of a step in the procedure's file.
step() { awk -v id="$2" '$0 == "  - id: " id { f = 1; next } /^  - id:/ { f = 0 } f' "data/procedures/$1/procedure.yaml"; }
# kind PROCEDURE STEP: the kind of a step.
kind() { step "$1" "$2" | awk '/^    kind:/ { print $2; exit }'; }
# end_of PROCEDURE: its first end step.
end_of() { awk '/^    kind: end$/ { print prev; exit } /^  - id:/ { prev = $3 }' "data/procedures/$1/procedure.yaml"; }
step "$procedure" "$sketch_step" | grep -q "^    screen:" ||
	fail "step $sketch_step of $procedure has no screen: sketch any more: choose another step for sketch.png"
[ "$(kind "$procedure" "$choice_step")" = choice ] || fail "step $choice_step of $procedure is not a choice any more"
step "$number_procedure" "$number_step" | grep -q "personal: yes" ||
	fail "step $number_step of $number_procedure is not a personal number any more"

# virtual_screen WxH [DPI]: a virtual screen, the X server's DISPLAY.
virtual_screen() {
	rm -f "$work/displayfd"
	exec 3<> "$work/displayfd"
	Xvfb -displayfd 3 -noreset -screen 0 "$1x24" ${2:+-dpi "$2"} -nolisten tcp >"$work/xvfb.log" 2>&1 &
	xvfb=$!
	for _ in $(seq 500); do
		[ -s "$work/displayfd" ] && break
		sleep 0.01
	done
	export DISPLAY=":$(head -n1 "$work/displayfd")"
}
# open_kiosk [FLAGS...]: the kiosk on the shipped catalog, its window shown.
open_kiosk() {
	"$work/passerelle" kiosk -catalog data/procedures -db "$work/kiosk.db" -speech-cache "$work/speech" "$@" >"$work/kiosk.log" 2>&1 &
	kiosk=$!
	for _ in $(seq 1000); do
		xdotool search --onlyvisible --name Passerelle >/dev/null 2>&1 && break
		sleep 0.01
	done
	sleep 1 # the first frame
}
# close_kiosk: the kiosk stopped, its session saved as interrupted.
close_kiosk() { kill "$kiosk"; wait "$kiosk" || true; }

# Where things are on a 1024×768 screen (scale 1, one unit a pixel): the
# bottom bar's 5 equal controls, the language tiles, the first page of
# procedures (4 tiles, page arrows beside), the first answer of a
# question whether 2, 3 or 4 of them, the stop question's answers, the
# keypad of a number step (3 columns of keys under the boxes, 0 to 9).
screen_w=1024 bar_y=705 home_x=105 next_x=920 french_x=170 arabic_x=843
grid_x=(337 686 337 686) grid_y=(170 170 470 470) per_page=4 page_x="" page_y=""
answer_x=100 answer_y=300 stop_y=480 stop_no_x=760 stop_yes_x=264
key_x=(439 294 439 584 294 439 584 294 439 584) key_y=(577 293 293 293 388 388 388 483 483 483)

# The smallest screen size the kiosk's README shows.
virtual_screen 1024x768
export LANG=fr_FR.UTF-8

# A staff PIN first: without one the kiosk opens on the screen that asks
# staff to choose it.
staff_pin=4806
printf '%s\n%s\n' "$staff_pin" "$staff_pin" | "$work/passerelle" pin -db "$work/kiosk.db" >/dev/null
# Five weeks of made-up sessions before today, for the statistics tab.
"$work/passerelle" simulate -db "$work/kiosk.db" -sessions 1400 -catalog data/procedures >/dev/null
open_kiosk

# last KIND [FIELD]: what the kiosk saved last for that kind of event
# (the step by default; "" before anything).
last() {
	[ -f "$work/kiosk.db" ] || return 0
	sqlite3 "$work/kiosk.db" "SELECT ${2:-step_id} FROM events WHERE kind = '$1' ORDER BY id DESC LIMIT 1" 2>/dev/null || true
}
count() { sqlite3 "$work/kiosk.db" "SELECT count(*) FROM events WHERE kind = '$1'" 2>/dev/null || echo 0; }
# wait_for WHAT CMD...: waits until CMD prints WHAT, or fails after 30 s
# (the kiosk makes its speech at start: on a busy machine the first
# touches wait for it).
wait_for() {
	local want=$1 got=""
	shift
	for _ in $(seq 300); do
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

# press KEY...: keys on the kiosk's window, as a keyboard or a 4-key keypad.
press() { xdotool search --onlyvisible --name Passerelle windowfocus --sync key "$@"; sleep 0.4; }
# pick_first: the first answer of a question said and highlighted by the
# keys (the ring goes first to the first answer): wherever the layout
# puts it.
pick_first() { press Tab Return; }

# In a right-to-left language the screen is mirrored: mx X is the place
# of what is at X in French.
rtl=false
mx() { if $rtl; then echo $((screen_w - $1)); else echo "$1"; fi; }

home() { touch "$(mx "$home_x")" "$bar_y"; }
next() { touch "$(mx "$next_x")" "$bar_y"; }
first_answer() { touch "$(mx "$answer_x")" "$answer_y"; }
stop_no() { touch "$(mx "$stop_no_x")" "$stop_y"; }   # the stop question's red circle: go on
stop_yes() { touch "$(mx "$stop_yes_x")" "$stop_y"; } # its green tick: stop
# stop: home in the middle of a procedure, then yes: back to welcome.
stop() {
	local stops ended
	stops=$(count stop_asked) ended=$(count session_ended)
	home
	wait_for $((stops + 1)) count stop_asked
	stop_yes
	wait_for $((ended + 1)) count session_ended
}
# key DIGIT: a key of the keypad of a number step.
key() {
	xdotool mousemove "${key_x[$1]}" "${key_y[$1]}" click 1
	sleep 0.3
}

# start PROCEDURE [LANGUAGE_X]: from welcome, French (or the language
# tile at LANGUAGE_X), then the procedure's tile: its place in the grid
# (per_page a page, with the page arrows beside, in the order validate
# lists them).
start() {
	local rank started
	rank=$(awk -v id="$1" '$1 == id { print NR; exit }' "$work/validate.log")
	[ -n "$rank" ] || fail "$1 is not in the catalog"
	[ "$rank" -le "$per_page" ] || [ -n "$page_x" ] || fail "$1 is not on the first page of procedures"
	started=$(count session_started)
	touch $((screen_w / 2)) 300 # anywhere: start
	touch "${2:-$french_x}" 300 # a language tile, Français first
	touch "$next_x" "$bar_y"    # next: the languages are chosen on a French screen
	for ((page = 0; page < (rank - 1) / per_page; page++)); do
		touch "$(mx "$page_x")" "$page_y" # the next page
	done
	rank=$(((rank - 1) % per_page + 1))
	touch "$(mx "${grid_x[rank - 1]}")" "${grid_y[rank - 1]}"
	next
	wait_for $((started + 1)) count session_started
	wait_for "$1" last session_started procedure_id
}

# walk_to PROCEDURE STEP: answers each step with the green arrow (a
# question with its first answer, picked by the keys) until STEP is on
# screen.
walk_to() {
	local at
	for _ in $(seq 60); do
		at=$(last step_shown)
		[ "$at" = "$2" ] && return 0
		[ "$(kind "$1" "$at")" = choice ] && pick_first
		next
		wait_for_move "$at"
	done
	fail "did not reach step $2 of $1"
}
wait_for_move() {
	for _ in $(seq 100); do
		[ "$(last step_shown)" != "$1" ] && return 0
		sleep 0.1
	done
	fail "step $1 did not move on: a touch missed its tile (see $work/kiosk.log)"
}

shot welcome
start "$procedure"
walk_to "$procedure" "$choice_step"
first_answer # spoken and highlighted, not chosen
shot choice
walk_to "$procedure" "$sketch_step"
shot sketch

# The made-up sessions asked to stop too: count from theirs.
stops=$(count stop_asked) cancels=$(count stop_cancelled)
home # mid-procedure: "stop this procedure?"
wait_for $((stops + 1)) count stop_asked
shot stop
stop_no
wait_for $((cancels + 1)) count stop_cancelled
wait_for "$sketch_step" last step_shown

walk_to "$procedure" "$(end_of "$procedure")"
shot end

next # done: back to welcome
start "$number_procedure"
walk_to "$number_procedure" "$number_step"
for d in 1 8 5 0 5; do # the start of a number no one has: sex, year, month
	key "$d"
done
shot number

# The same in Arabic, the third language tile: the screen reads right to
# left, the keypad stays a phone's.
stop
rtl=true
start "$procedure" "$arabic_x"
walk_to "$procedure" "$choice_step"
first_answer
shot choice-ar
stop
start "$number_procedure" "$arabic_x"
walk_to "$number_procedure" "$number_step"
for d in 1 8 5 0 5; do
	key "$d"
done
shot number-ar
rtl=false

# Staff mode: the top left corner held 3 s, the PIN on its pad (the keys
# of a number step, OK in the last row), then the settings tab.
xdotool mousemove 10 10 mousedown 1
sleep 3.5
xdotool mouseup 1
sleep 0.7
pad_key() {
	local x=(512 342 512 681 342 512 681 342 512 681) y=(569 240 240 240 350 350 350 460 460 460)
	xdotool mousemove "${x[$1]}" "${y[$1]}" click 1
	sleep 0.3
}
for ((i = 0; i < ${#staff_pin}; i++)); do
	pad_key "${staff_pin:i:1}"
done
touch 681 569 # OK
wait_for 1 count staff_unlocked
touch 172 68 # the settings tab
shot staff
touch 262 68 # the statistics tab
sleep 1      # its figures are read off the screen's thread
shot staff-stats
grep "level=ERROR" "$work/kiosk.log" >&2 || true # what the kiosk found wrong, for the person who runs this
close_kiosk
kill "$xvfb"

# The 10-inch layout: 1280×800 pixels, 149 dots per inch make 218×136 mm,
# a 10.1-inch diagonal; the kiosk's log says the scale it chose.
virtual_screen 1280x800 149
screen_w=1280 bar_y=710 home_x=133 next_x=1147 french_x=225 arabic_x=1055
grid_x=(422 857 422 857) grid_y=(165 165 465 465) per_page=4 page_x=1170 page_y=300
answer_x=600 answer_y=165 stop_y=530 stop_no_x=950 stop_yes_x=330
key_x=(790 612 790 968 612 790 968 612 790 968) key_y=(555 208 208 208 323 323 323 438 438 438)
# ten_inch SUFFIX [FLAGS...]: welcome, the procedures, a choice and a
# number on the 10-inch screen, the kiosk run with FLAGS (welcome only
# without: it is the same heading).
ten_inch() {
	local suffix=$1
	shift
	open_kiosk "$@"
	grep -q 'scale=1.3 ' "$work/kiosk.log" || fail "the kiosk did not find the 10-inch scale: $(grep scale "$work/kiosk.log")"
	grep "scale" "$work/kiosk.log"
	[ -n "$suffix" ] || shot welcome-10in
	start "$procedure"
	touch "$(mx "$home_x")" "$bar_y" # home: back to welcome is a stop question mid-procedure
	stop_yes
	touch $((screen_w / 2)) 300
	touch "$french_x" 300
	touch "$next_x" "$bar_y"
	shot "procedures-10in$suffix"
	home
	start "$procedure"
	walk_to "$procedure" "$choice_step"
	first_answer
	shot "choice-10in$suffix"
	stop
	start "$number_procedure"
	walk_to "$number_procedure" "$number_step"
	for d in 1 8 5 0 5; do
		key "$d"
	done
	shot "number-10in$suffix"
	stop
	close_kiosk
}
ten_inch ""
# Large text: 2 procedures a page, side by side; the choice's sentence
# takes the width, its answers under it.
grid_x=(422 857) grid_y=(300 300) per_page=2
answer_x=221 answer_y=440
ten_inch -large -large-text
kill "$xvfb"

# Keys and help, on the 1024×768 screen of the first screenshots: French
# highlighted by the keys (Tab to it, Enter), the ring taken on to the
# green arrow; then a procedure's help control: "a person is coming",
# the desk signal on top (it stays on until staff mark the call handled:
# it is taken last).
virtual_screen 1024x768
screen_w=1024 bar_y=705 home_x=105 next_x=920 french_x=170 arabic_x=843
grid_x=(337 686 337 686) grid_y=(170 170 470 470) per_page=4 page_x="" page_y=""
answer_x=100 answer_y=300 help_x=768
open_kiosk
touch $((screen_w / 2)) 300 # start: the languages
press Tab    # the ring on Français
press Return # said and highlighted
# On to the green arrow: past the other languages and the bar's controls
# (back is disabled, the ring skips it).
for _ in 1 2 3 4 5 6 7; do press Tab; done
shot keys
home
start "$procedure"
asked=$(count help_asked)
touch "$help_x" "$bar_y"
wait_for $((asked + 1)) count help_asked
shot help
close_kiosk

# The hub's staff page: the real hub served on loopback, signed in and
# shot by headless chromium (the browser test, asked for its screenshot).
PASSERELLE_HUB_SCREENSHOT="$PWD/packaging/screenshots/hub.png" go test ./app/hubweb -run TestBrowser -count=1 >/dev/null
echo "hub.png"

# The hub's procedure editor and a step's preview: the hub as `passerelle
# hub` runs it, driven by headless chromium (the editor's chain test and
# the preview test, asked for their screenshots).
PASSERELLE_EDITOR_SCREENSHOT="$PWD/packaging/screenshots/editor.png" go test ./app/cli -run TestEditorInTheBrowserReachesTheKiosk -count=1 >/dev/null
echo "editor.png"
PASSERELLE_PREVIEW_SCREENSHOT="$PWD/packaging/screenshots/preview.png" go test ./app/cli -run TestHubPreviewsADraft -count=1 >/dev/null
echo "preview.png"
