#!/usr/bin/env bash
# Takes the README's screenshots from the real binary on a virtual screen:
# the welcome screen, a choice step (an answer touched), a step with a
# sketch of the other screen (screen:), the "stop this procedure?"
# question that home asks in the middle of a procedure, and an end screen.
#
# The kiosk runs on a copy of data/procedures. When the step "create
# account" of create-email has no sketch, the copy gets one (a drawn web
# page with its blue button) and "elsewhere: true", as staff would write
# them. A build that does not know screen: yet refuses the copy: the
# script then says so, uses the catalog as shipped and skips that picture.
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

cp -r data/procedures "$work/catalog"
sketch=yes
if ! grep -A3 -- '- id: create-account' "$work/catalog/create-email/procedure.yaml" | grep -q 'screen:'; then
	cat >"$work/catalog/create-email/sketch-create-account.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120" width="160" height="120">
  <rect x="2" y="2" width="156" height="116" rx="6" fill="#FFFFFF" stroke="#1A1A1A" stroke-width="3"/>
  <rect x="2" y="2" width="156" height="18" rx="6" fill="#D9D9D9" stroke="#1A1A1A" stroke-width="3"/>
  <circle cx="14" cy="11" r="3.5" fill="#1A1A1A"/>
  <rect x="28" y="7" width="100" height="8" rx="4" fill="#FFFFFF"/>
  <rect x="20" y="32" width="70" height="8" rx="3" fill="#1A1A1A"/>
  <rect x="20" y="48" width="120" height="10" rx="2" fill="#FFFFFF" stroke="#8C8C8C" stroke-width="2"/>
  <rect x="20" y="64" width="120" height="10" rx="2" fill="#FFFFFF" stroke="#8C8C8C" stroke-width="2"/>
  <rect x="36" y="84" width="88" height="24" rx="12" fill="#1F5FBF" stroke="#C62828" stroke-width="4"/>
  <rect x="50" y="93" width="60" height="6" rx="3" fill="#FFFFFF"/>
</svg>
SVG
	awk '{ print } /^  - id: create-account$/ { print "    screen: sketch-create-account.svg"; print "    elsewhere: true" }' \
		data/procedures/create-email/procedure.yaml >"$work/catalog/create-email/procedure.yaml"
fi
if ! "$work/passerelle" validate "$work/catalog" >"$work/validate.log" 2>&1; then
	echo "screenshots: this build refuses screen: in the catalog; no picture of a sketch:" >&2
	grep -i "screen\|elsewhere" "$work/validate.log" | head -3 >&2 || true
	rm -rf "$work/catalog" && cp -r data/procedures "$work/catalog"
	sketch=no
fi

# A virtual screen of the smallest size the kiosk supports.
exec 3<> "$work/displayfd"
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
for _ in $(seq 500); do
	[ -s "$work/displayfd" ] && break
	sleep 0.01
done
export DISPLAY=":$(head -n1 "$work/displayfd")"
export LANG=fr_FR.UTF-8

"$work/passerelle" kiosk -catalog "$work/catalog" -db "$work/kiosk.db" -speech-cache "$work/speech" >"$work/kiosk.log" 2>&1 &
for _ in $(seq 1000); do
	xdotool search --onlyvisible --name Passerelle >/dev/null 2>&1 && break
	sleep 0.01
done

shot() { sleep 0.5; import -window root "$out/$1.png"; echo "screenshot: $out/$1.png"; }
# touch X Y: a finger on the screen, lifted at the same place.
touch() { xdotool mousemove "$1" "$2" click 1; sleep 0.7; }

# The bottom bar has 5 equal controls; "home" is the first, "next" the last.
home() { touch 105 705; }
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
next                 # the checklist
next                 # "open an email site": then "touch « create an account »"
if [ "$sketch" = yes ]; then
	shot sketch
fi
home                 # mid-procedure: "stop this procedure?"
shot stop
touch 760 480        # the red circle, right: no, go on where I was
for _ in $(seq 10); do # the 10 information steps left, up to the end
	next
done
shot end
grep -i "error" "$work/kiosk.log" || true
