#!/usr/bin/env bash
# Takes the README's screenshots from the real binary on a virtual screen:
# the welcome screen, a choice step (an answer touched) and an end screen.
#
#   bash packaging/screenshots.sh [OUTDIR]     (default packaging/screenshots)
#
# It drives the kiosk with mouse clicks at the places of the tiles on a
# 1024×768 screen, as a finger would, waiting past the double-tap guard
# between touches.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-packaging/screenshots}
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/passerelle" .

# A virtual screen of the smallest size the kiosk supports.
exec 3<> "$work/displayfd"
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
for _ in $(seq 500); do
	[ -s "$work/displayfd" ] && break
	sleep 0.01
done
export DISPLAY=":$(head -n1 "$work/displayfd")"
export LANG=fr_FR.UTF-8

"$work/passerelle" kiosk -db "$work/kiosk.db" -speech-cache "$work/speech" >"$work/kiosk.log" 2>&1 &
for _ in $(seq 1000); do
	xdotool search --onlyvisible --name Passerelle >/dev/null 2>&1 && break
	sleep 0.01
done

shot() { sleep 0.5; import -window root "$out/$1.png"; echo "screenshot: $out/$1.png"; }
# touch X Y: a finger on the screen, lifted at the same place.
touch() { xdotool mousemove "$1" "$2" click 1; sleep 0.7; }

# The bottom bar has 5 equal controls; "next" is the last one.
next() { touch 920 705; }

shot welcome
touch 512 300        # anywhere: start
touch 170 300        # the first language tile: Français
next
touch 770 470        # procedure grid, bottom right: create an email address
next
next                 # first step: information, then the choice "do you have a phone?"
touch 170 400        # touch the first answer: it is spoken and highlighted
shot choice
next
for _ in $(seq 12); do # the checklist, then 11 information steps, up to the end
	next
done
shot end
grep -i "error" "$work/kiosk.log" || true
