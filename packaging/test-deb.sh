#!/usr/bin/env bash
# Checks the Debian package on this machine, as root, as a town hall would
# use it: builds it, checks it (lintian, systemd-analyze verify), installs
# it with apt-get, validates the installed catalog, starts the installed
# kiosk as its session starts it (as the user passerelle, on a virtual
# screen: Xvfb, then cage as the session runs it) and waits for its window,
# starts the hub with its unit's ExecStart line as the unit's user and
# asks it a page on loopback, joins the kiosk to it, upgrades to a rebuilt
# package and checks the databases, the settings and the catalogs are kept,
# removes it (they stay), then purges it and checks they are gone.
#
#   sudo bash packaging/test-deb.sh
#
# It installs into / and removes everything it installed when it ends,
# failed or not. It refuses to run where the package is installed already
# and holds data (a real kiosk or hub), unless PASSERELLE_TEST_PURGE=yes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"
export DEBIAN_FRONTEND=noninteractive LANG=${LANG:-en_US.UTF-8}
conf=/etc/passerelle/passerelle.conf
kiosk_db=/var/lib/passerelle/kiosk/kiosk.db
hub_db=/var/lib/passerelle/hub/hub.db

say() { echo "test-deb: $*"; }
fail() {
	echo "test-deb: FAILED: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || fail "run it as root: it installs the package"

if dpkg-query -W -f='${Status}' passerelle 2>/dev/null | grep -q installed; then
	if [ -e /var/lib/passerelle ] && [ "${PASSERELLE_TEST_PURGE:-}" != yes ]; then
		fail "passerelle is installed here and /var/lib/passerelle holds data: this test purges it; set PASSERELLE_TEST_PURGE=yes to let it"
	fi
	apt-get purge -y -qq passerelle >/dev/null
fi

work=$(mktemp -d)
chmod 0755 "$work"
pids=()
cleanup() {
	local code=$?
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if dpkg-query -W -f='${Status}' passerelle 2>/dev/null | grep -q installed; then
		apt-get purge -y -qq passerelle >/dev/null 2>&1 || true
	fi
	if [ "$code" -ne 0 ]; then
		if [ -d /run/systemd/system ]; then
			journalctl -u passerelle-hub -n 30 --no-pager >"$work/journal-hub.log" 2>&1 || true
		fi
		for log in "$work"/*.log; do
			[ -s "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }
		done
	fi
	rm -rf "$work"
	exit "$code"
}
trap cleanup EXIT

# waitfor SECONDS WHAT COMMAND...: runs COMMAND every 0.2 s until it
# succeeds; fails saying WHAT after SECONDS.
waitfor() {
	local deadline=$((SECONDS + $1)) what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || fail "$what"
		sleep 0.2
	done
}

# execstart UNIT: the command line of the installed unit's ExecStart=.
execstart() {
	sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1"
}

# as USER COMMAND...: runs COMMAND as USER with the environment its unit
# gives it: its home, its groups, a runtime folder of its own. It execs
# (setpriv, env): run in the background, $! is COMMAND's own process, so
# that a signal reaches it and wait gives its exit status.
as() {
	local user=$1
	shift
	local home runtime
	home=$(getent passwd "$user" | cut -d: -f6)
	runtime=$work/runtime-$user
	install -d -m 0700 -o "$user" -g "$user" "$runtime"
	exec setpriv --reuid="$user" --regid="$user" --init-groups -- env -i PATH=/usr/bin:/bin HOME="$home" USER="$user" LANG="$LANG" \
		XDG_RUNTIME_DIR="$runtime" ${DISPLAY:+DISPLAY=$DISPLAY} "$@"
}

# --- Build and check the package.
version=$(sed -n 's/^Version *= *"\(.*\)"$/\1/p' "$root/FyneApp.toml")
bash "$root/packaging/build-deb.sh" "$work/v1"
deb=$work/v1/passerelle_${version}_amd64.deb
[ -f "$deb" ] || fail "build-deb made no $deb"
say "lintian"
LC_ALL=C.UTF-8 lintian --fail-on error "$deb" >"$work/lintian.log" 2>&1 || fail "lintian found errors (see lintian.log)"
grep -v '^running with root privileges' "$work/lintian.log" || true

say "apt-get install ./$(basename "$deb")"
(cd "$work/v1" && apt-get install -y -qq ./"$(basename "$deb")" >"$work/apt.log" 2>&1) || fail "apt-get install (see apt.log)"

say "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/passerelle-hub.service /lib/systemd/system/passerelle-kiosk.service

out=$(passerelle --version)
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[[ $out == "passerelle $version (commit $commit"* ]] || fail "passerelle --version says \"$out\", not version $version and commit $commit"
say "$out"

say "passerelle validate /usr/share/passerelle/procedures"
passerelle validate /usr/share/passerelle/procedures >"$work/validate.log" || fail "validate (see validate.log)"

# --- The kiosk, as its session starts it: the command cage runs.
kiosk_cmd=$(execstart passerelle-kiosk.service | sed 's/.* -- //')
[[ $kiosk_cmd == /usr/bin/passerelle\ kiosk* ]] || fail "the kiosk unit runs \"$kiosk_cmd\", not the kiosk"
display=:$((90 + RANDOM % 400))
# -noreset, as in sandbox.sh: without it the server resets when xdpyinfo
# leaves, and the kiosk connecting meanwhile failed to start GLFW (1 start
# in 80 here; a CI run failed on it).
Xvfb "$display" -noreset -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
waitfor 10 "Xvfb did not start on $display" xdpyinfo -display "$display"
# run_kiosk LOG CATALOG: starts the kiosk as its session does, on Xvfb,
# waits for its window, checks it serves CATALOG, and stops it.
run_kiosk() {
	local log=$work/$1 catalog=$2 kiosk
	say "the kiosk on Xvfb $display: $kiosk_cmd"
	# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it
	DISPLAY=$display as passerelle $kiosk_cmd >"$log" 2>&1 &
	kiosk=$!
	pids+=($kiosk)
	waitfor 30 "the kiosk's window did not appear (see $1)" env DISPLAY="$display" xdotool search --onlyvisible --name '^Passerelle$'
	DISPLAY=$display LC_ALL=C.UTF-8 xwininfo -name Passerelle | grep -q 'Map State: IsViewable' || fail "the kiosk's window is not on screen"
	waitfor 10 "the kiosk does not serve $catalog (see $1)" grep -q "msg=\"catalog: loaded\" folder=$catalog " "$log"
	kill -TERM "$kiosk"
	wait "$kiosk" || fail "the kiosk did not stop cleanly on SIGTERM (see $1)"
	grep -q 'level=ERROR' "$log" && fail "the kiosk logged an error (see $1)"
	grep -q 'msg="kiosk: scale from the screen' "$log" || fail "the kiosk did not size its targets from the screen (see $1)"
	return 0
}
run_kiosk kiosk.log /usr/share/passerelle/procedures
[ -f "$kiosk_db" ] || fail "the kiosk made no database at $kiosk_db"
[ "$(stat -c %U "$kiosk_db")" = passerelle ] || fail "$kiosk_db does not belong to the user passerelle"

# The same command in cage, as the session runs it, on a headless output:
# Fyne's window through XWayland.
say "the kiosk in cage: $(execstart passerelle-kiosk.service)"
# shellcheck disable=SC2046
as passerelle env WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	$(execstart passerelle-kiosk.service) >"$work/cage.log" 2>&1 &
cage=$!
pids+=($cage)
# The display cage's XWayland gives the kiosk: in the kiosk's environment.
kiosk_display() {
	local pid
	pid=$(pgrep -P "$cage" -x passerelle) || return 1
	tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^DISPLAY=//p' | grep .
}
waitfor 20 "cage started no kiosk on XWayland (see cage.log)" kiosk_display
cage_display=$(kiosk_display)
# XWayland lets only the session's user in.
kiosk_window_in_cage() {
	(DISPLAY=$cage_display as passerelle xdotool search --onlyvisible --name '^Passerelle$')
}
waitfor 30 "the kiosk's window did not appear in cage (see cage.log)" kiosk_window_in_cage
kill -TERM "$cage"
wait "$cage" || true
# cage stopped by a signal leaves its XWayland's socket and lock.
find /tmp/.X11-unix /tmp -maxdepth 1 -user passerelle \( -name 'X[0-9]*' -o -name '.X[0-9]*-lock' \) -delete

# --- The hub, with its unit's ExecStart line, as its user.
hub_cmd=$(execstart passerelle-hub.service)
hub_user=$(sed -n 's/^User=//p' /lib/systemd/system/passerelle-hub.service)
say "the hub as $hub_user: $hub_cmd"
# shellcheck disable=SC2086
as "$hub_user" $hub_cmd >"$work/hub.log" 2>&1 &
hub=$!
pids+=($hub)
listen=$(sed -n 's/^#\?listen = //p' "$conf" | head -n 1)
waitfor 20 "the hub does not answer on $listen (see hub.log)" curl -fsS "http://$listen/login"

# Data to keep across the upgrade: the kiosk joins the hub, records
# sessions and syncs them, and receives the hub's catalog; staff change a
# setting in the configuration file.
token=$(as "$hub_user" passerelle hub enroll -db "$hub_db" ci-kiosk | tail -n 1)
(as passerelle passerelle join -db "$kiosk_db" -hub "http://$listen" -token "$token" >/dev/null)
(as passerelle passerelle simulate -db "$kiosk_db" -sessions 20 >/dev/null)
(as passerelle passerelle sync -once -db "$kiosk_db") >"$work/sync.log" || fail "sync (see sync.log)"
[ -L /var/lib/passerelle/kiosk/catalog ] || fail "the kiosk did not receive the hub's catalog"
sed -i 's/^#inactivity = 90s$/inactivity = 2m/' "$conf"
grep -qx 'inactivity = 2m' "$conf" || fail "could not change a setting in $conf"
kill -TERM "$hub"
wait "$hub" || fail "the hub did not stop cleanly on SIGTERM (see hub.log)"
grep -q 'level=ERROR' "$work/hub.log" && fail "the hub logged an error (see hub.log)"
# Each wrote only where the package gives it room (the hub's sandbox lets
# it write in its data folder only).
for owner in "$hub_user:/var/lib/passerelle/hub" "passerelle:/var/lib/passerelle/kiosk:/var/cache/passerelle"; do
	IFS=: read -r user places <<<"$owner"
	args=()
	for place in ${places//:/ }; do args+=(-not -path "$place" -not -path "$place/*"); done
	elsewhere=$(find / -xdev -user "$user" "${args[@]}" -not -path "$work/runtime-*" 2>/dev/null | head -n 5)
	[ -z "$elsewhere" ] || fail "$user wrote outside ${places//:/ and }: $elsewhere"
done

# Where systemd runs (not in a container), the hub starts as its unit runs
# it too: in its sandbox, which must leave it what it needs.
if [ -d /run/systemd/system ]; then
	say "systemctl start passerelle-hub, in its sandbox"
	systemctl start passerelle-hub.service
	waitfor 20 "the hub does not answer under systemd (journalctl -u passerelle-hub)" curl -fsS "http://$listen/login"
	systemctl stop passerelle-hub.service
	{ systemd-analyze security --no-pager passerelle-hub.service || true; } | tail -n 1
else
	say "systemd does not run here (a container): the hub's sandbox is not tried"
fi

# state: what an upgrade must keep, in one text.
state() {
	passerelle stats -db "$kiosk_db" -json
	passerelle stats -db "$hub_db" -json
	readlink /var/lib/passerelle/kiosk/catalog
	(cd /var/lib/passerelle/kiosk/catalog/ && find . -type f -exec sha256sum {} + | sort)
	(cd /var/lib/passerelle/hub/procedures && find . -type f -exec sha256sum {} + | sort)
	sha256sum "$conf"
	stat -c '%n %U %a' /var/lib/passerelle/kiosk /var/lib/passerelle/hub "$kiosk_db" "$hub_db"
}
state >"$work/before.txt"
grep -q '"events": *[1-9]' "$work/before.txt" || fail "no events recorded before the upgrade"

# --- Upgrade to a rebuilt package.
PASSERELLE_VERSION=$version+ci1 bash "$root/packaging/build-deb.sh" "$work/v2"
say "upgrade to $version+ci1"
(cd "$work/v2" && apt-get install -y -qq -o Dpkg::Options::=--force-confold ./passerelle_"$version"+ci1_amd64.deb >"$work/apt.log" 2>&1) ||
	fail "apt-get install of the upgrade (see apt.log)"
[[ $(passerelle --version) == "passerelle $version+ci1 "* ]] || fail "the upgrade did not install $version+ci1"
state >"$work/after.txt"
diff -u "$work/before.txt" "$work/after.txt" || fail "the upgrade changed the data above"
say "the upgrade kept the databases, the settings and the catalogs"
# The upgraded kiosk starts on the kept data and serves the hub's catalog.
run_kiosk kiosk-upgraded.log /var/lib/passerelle/kiosk/catalog

# --- Remove keeps the data and the settings; purge removes them.
say "apt-get remove passerelle"
apt-get remove -y -qq passerelle >"$work/apt.log" 2>&1 || fail "apt-get remove (see apt.log)"
[ ! -e /usr/bin/passerelle ] || fail "apt-get remove left /usr/bin/passerelle"
for kept in "$kiosk_db" "$hub_db" /var/lib/passerelle/kiosk/catalog/ /var/lib/passerelle/hub/procedures "$conf"; do
	[ -e "$kept" ] || fail "apt-get remove removed $kept: only purge may"
done
say "apt-get purge passerelle"
apt-get purge -y -qq passerelle >"$work/apt.log" 2>&1 || fail "apt-get purge (see apt.log)"
for left in /var/lib/passerelle /var/cache/passerelle /etc/passerelle /usr/bin/passerelle /usr/share/passerelle; do
	[ ! -e "$left" ] || fail "apt-get purge left $left"
done
say "passed"
