#!/usr/bin/env bash
# Measures Passerelle side by side with the least a Fyne window costs
# (packaging/bench/bare: a title and four icon buttons), from outside
# their processes, on a virtual 1280×800 screen and a private PulseAudio
# null sink (the path a sound card takes on a desktop). The two
# apps run in turn N times, so that the machine's load falls on both; it
# prints each figure's median and its ratio to the bare app:
#
#   bash packaging/bench.sh [N]        (default 5)
#
# start_ms: exec to the window mapped; paint_ms: to its first drawing;
# pss_mb, rss_mb: 3 s after; idle_cpu_pct: over 3 s (below), and
# pss_idle_mb at its end;
# touch_pixels_ms: a click sent through XTEST to the window's pixels
# changed (DAMAGE, then a checksum of the window); touch_sound_ms: the
# click to the first sound on the sink's monitor (Passerelle only: the
# bare app is silent). packaging/bench/probe/main.go says how, and the
# resolution of each. Passerelle is touched on its language screen: each
# touch highlights a language and says its name.
#
# Idle CPU is measured BENCH_IDLE (default 8s) after the 3 s mark, for
# both apps: Passerelle says its welcome in every language for the first
# few seconds, and a kiosk is idle once it has stopped talking (it writes
# to the sound server only while a sound plays, app/audio/pulse_sink_linux.go).
# BENCH_IDLE=0s measures it from 3 s, during the welcome prompts.
# BENCH_KEEP=1 keeps the figures and logs (a failed run keeps them too,
# and the bench stops saying which app and run failed, with the end of
# what the probe and the app wrote). Needs what
# packaging/install-deps.sh installs (xvfb, xdotool's libXtst, pulseaudio,
# pulseaudio-utils, libasound2-plugins).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
work=$(mktemp -d)
cleanup() {
	# Stop what this script started, by process id.
	for pid in ${xvfb:-} ${pulse:-}; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
# Any other failure says where it happened.
trap 'echo "bench: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

# fail MESSAGE LOG: stops the bench saying why, with the end of LOG, and
# keeps the files for a closer look.
fail() {
	echo "bench: $1" >&2
	if [ -s "${2:-}" ]; then
		echo "bench: the end of $2:" >&2
		tail -n 15 "$2" | sed 's/^/    /' >&2
	fi
	BENCH_KEEP=1
	exit 1
}

# Both built as build-deb.sh builds the package (fyne package --release):
# a position-independent, stripped binary, in Fyne's release mode (which
# does not look for FyneApp.toml and scale its icon at each start),
# without Fyne's emoji font (no_emoji: 4 MB in the binary, parsed again
# for each text style).
release=(-buildmode=pie -trimpath -tags release,no_emoji -ldflags "-s -w")
go build "${release[@]}" -o "$work/passerelle" .
go build "${release[@]}" -o "$work/bare" ./packaging/bench/bare
go build -o "$work/probe" ./packaging/bench/probe

# shellcheck source=packaging/sandbox.sh
. packaging/sandbox.sh
start_pulse bench || fail "PulseAudio did not start within 5 s" "$work/pulse.log"
start_xvfb 1280x800 || fail "Xvfb did not start within 5 s" "$work/xvfb.log"
export LANG=fr_FR.UTF-8

# A kiosk with a staff PIN (without one it opens on the screen asking
# staff to choose it); each run starts on a copy of it.
printf '4806\n4806\n' | "$work/passerelle" pin -db "$work/kiosk.db" >/dev/null

# Where to touch on 1280×800: anywhere on welcome, then two language tiles
# (French, English).
welcome=640,400
languages="220,330 640,330"

run_bare() {
	"$work/probe" run -idle-after "${BENCH_IDLE:-8s}" -touch "320,300 960,600" -touches 20 -- "$work/bare"
}
# Each run starts as a kiosk does every morning: its database as it was
# (a copy), the speech and the catalog snapshot (<db>.catalog-snapshot)
# the warm-up run left, since the catalog did not change overnight.
# BENCH_COLD_CATALOG=1 deletes the snapshot before each run: a kiosk's
# first start on a new catalog, loaded and checked in full.
run_passerelle() {
	rm -f "$work/run.db" "$work/run.db-wal" "$work/run.db-shm" "$work/run.db.lock"
	if [ -n "${BENCH_COLD_CATALOG:-}" ]; then rm -f "$work/run.db.catalog-snapshot"; fi
	cp "$work/kiosk.db" "$work/run.db"
	"$work/probe" run -idle-after "${BENCH_IDLE:-8s}" -setup "$welcome" -touch "$languages" -touches 20 -sound bench.monitor -- \
		"$work/passerelle" kiosk -catalog data/procedures -db "$work/run.db" -speech-cache "$work/speech"
}

# measure APP RUN: one run of the probe on APP (bare or passerelle), its
# figures added to $work/figures after the app's name (but for the
# warm-up). The probe's and the app's messages go to $work/APP.RUN.log; a
# failed run stops the bench with its end.
measure() {
	local app=$1 run=$2 log="$work/$1.$2.log" out="$work/$1.$2.out" status=0
	"run_$app" >"$out" 2>"$log" || status=$?
	if [ "$status" != 0 ]; then
		fail "$app, run $run: the probe failed (exit $status)" "$log"
	fi
	if grep -q '^stop_hung' "$out"; then
		echo "bench: $app, run $run: did not stop within 10 s of SIGTERM, killed (log kept: $log)" >&2
		BENCH_KEEP=1
	fi
	if [ "$run" != warm-up ]; then sed "s/^/$app /" "$out" >>"$work/figures"; fi
}

# Once unmeasured: the speech made and cached, both binaries read once.
measure bare warm-up
measure passerelle warm-up
echo "bench: $n runs each, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for i in $(seq "$n"); do
	# In turn, each first every other run.
	if [ $((i % 2)) = 1 ]; then
		measure bare "$i"
		measure passerelle "$i"
	else
		measure passerelle "$i"
		measure bare "$i"
	fi
	echo "bench: run $i done" >&2
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(nproc) cores"
"$work/probe" summary -ref bare <"$work/figures"
