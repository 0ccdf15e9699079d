# Sourced by the scripts that run the real kiosk on a screen and a sound
# server of their own (bench.sh, bench/walks.sh, soundcheck.sh). They set
# $work, a folder for the servers' sockets and logs, and kill $pulse and
# $xvfb when they end.

# start_pulse SINK starts a private PulseAudio whose default sink is a
# 48 kHz null sink named SINK: the path a sound card takes on a desktop
# (the kiosk's stream to the server, resampled), recorded from SINK.monitor. It sets pulse and
# XDG_RUNTIME_DIR, and fails when the server does not answer within 5 s.
start_pulse() {
	export XDG_RUNTIME_DIR="$work/xdg"
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	pulseaudio -n --daemonize=no --exit-idle-time=-1 --load=module-native-protocol-unix \
		--load="module-null-sink sink_name=$1 rate=48000" --load=module-always-sink \
		>"$work/pulse.log" 2>&1 &
	pulse=$!
	for _ in $(seq 500); do pactl info >/dev/null 2>&1 && break; sleep 0.01; done
	pactl info >/dev/null 2>&1 || return 1
	pactl set-default-sink "$1"
}

# start_xvfb WxH starts a virtual screen of that size at 24 bits and sets
# xvfb and DISPLAY; it fails when the screen is not there within 5 s.
# -noreset: the X server would reset when its last client leaves, and
# refuse the next one for a moment.
start_xvfb() {
	exec 3<>"$work/displayfd"
	Xvfb -displayfd 3 -noreset -screen 0 "$1x24" -nolisten tcp >"$work/xvfb.log" 2>&1 &
	xvfb=$!
	for _ in $(seq 500); do [ -s "$work/displayfd" ] && break; sleep 0.01; done
	[ -s "$work/displayfd" ] || return 1
	DISPLAY=":$(head -n1 "$work/displayfd")"
	export DISPLAY
}
