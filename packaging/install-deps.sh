#!/usr/bin/env bash
# Installs what Passerelle needs on Debian 12 to build, run and test:
# the C libraries Fyne's OpenGL window and the audio output link against,
# offline speech (espeak-ng), and the tools the tests and screenshots use
# (Xvfb, xdotool, ImageMagick, sox, sqlite3), and PostgreSQL for a hub on
# it. Safe to run again: it only installs what is missing.
set -euo pipefail

packages=(
	# Build: Fyne (cgo, GLFW over X11 and OpenGL), the sound server's client
	# (libpulse-simple) and oto (ALSA, where no sound server runs).
	gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev libpulse-dev libasound2-dev
	# Run: offline speech synthesis and a font with Arabic letters.
	espeak-ng fonts-dejavu-core
	# Test and look: a virtual screen, window tools, screenshots, audio checks.
	xvfb xauth xdotool libxdamage1 libxtst6 x11-utils libgl1-mesa-dri imagemagick sox libsox-fmt-base sqlite3
	# Hear what the kiosk plays without a sound card: a private PulseAudio
	# with a null sink takes the path a real sound card does (and oto's
	# through ALSA's pulse plugin, for the tests of the ALSA sink).
	pulseaudio pulseaudio-utils libasound2-plugins
	# The hub's database for a national network; the tests start a throwaway
	# cluster of their own with its initdb and postgres (they fail without
	# it when CI=true).
	postgresql
	# The hub's staff page is tested in a real browser (chromedp drives it
	# headless; the test fails without it when CI=true).
	chromium
	# Fetch Go modules over HTTPS.
	ca-certificates
	# The Debian package: fyne package's bundle is a .tar.xz (build-deb.sh);
	# its checks (test-deb.sh): the kiosk session's compositor and its X
	# server, chvt, the package's linter, systemd-analyze, a page asked of
	# the installed hub, pgrep.
	xz-utils cage xwayland kbd lintian systemd curl procps
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "install-deps: installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go: the module needs Go 1.26 or newer (Debian 12's own golang is older).
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
	echo "install-deps: Go 1.26 or newer is needed: install it from https://go.dev/dl/ into /usr/local/go" >&2
	exit 1
fi
echo "install-deps: all set"
