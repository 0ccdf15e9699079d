#!/usr/bin/env bash
# Builds the Debian package into OUTDIR (default: the current folder):
#
#   bash packaging/build-deb.sh [OUTDIR]   → OUTDIR/passerelle_<version>_amd64.deb
#
# The version is FyneApp.toml's (PASSERELLE_VERSION replaces it, for a
# test build). The Fyne CLI, pinned below and fetched by go run, builds the
# binary (release mode, hardened) and its Linux bundle: the desktop file and
# the icon made from FyneApp.toml. The binary is stamped with the version,
# the commit and the package's paths. dpkg-deb makes the package.
set -euo pipefail

fyne_cli=fyne.io/tools/cmd/fyne@v1.7.4

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-.}")
export PATH="$PATH:/usr/local/go/bin"

version=${PASSERELLE_VERSION:-$(sed -n 's/^Version *= *"\(.*\)"$/\1/p' "$root/FyneApp.toml")}
if ! [[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
	echo "build-deb: the version \"$version\" is not a Debian version like 0.1.0" >&2
	exit 1
fi
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit+changes"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

# fyne package writes a file into the source folder while it builds: it
# builds a copy, so that a build never leaves the checkout changed.
mkdir "$work/src"
tar -C "$root" --exclude=./.git --exclude='*.deb' --exclude='*.tar.xz' --exclude=./packaging/screenshots -cf - . |
	tar -C "$work/src" -xf -
cli=passerelle/app/cli
stamps=(
	"-X=$cli.stampedVersion=$version"
	"-X=$cli.stampedCommit=$commit"
	"-X=$cli.configFile=/etc/passerelle/passerelle.conf"
	"-X=$cli.DefaultCatalog=/usr/share/passerelle/procedures"
)
goflags="-buildmode=pie"
for s in "${stamps[@]}"; do goflags+=" -ldflags=$s"; done
echo "build-deb: building passerelle $version (commit $commit)"
# no_emoji: without Fyne's emoji font, which no screen needs (a
# procedure's text with an emoji takes it from the system's fonts): 4 MB
# less in the binary, 14 MB less memory (parsed for each text style).
# Given to fyne package, whose own -tags (release) would replace GOFLAGS'.
(cd "$work/src" && GOFLAGS="$goflags" go run "$fyne_cli" package -os linux --release -tags no_emoji --exe passerelle >/dev/null)
mkdir "$work/bundle"
tar -C "$work/bundle" -xf "$work/src/Passerelle.tar.xz"

# The package's tree.
pkg=$work/pkg
# The bundle holds usr/local/{bin,share/applications,share/pixmaps} under
# a folder named after the application.
bundled() { find "$work/bundle" -path "$1" -type f | head -n 1; }
install -D -m 0755 "$(bundled '*/bin/passerelle')" "$pkg/usr/bin/passerelle"
desktop=$(bundled '*/share/applications/*.desktop')
install -D -m 0644 "$desktop" "$pkg/usr/share/applications/$(basename "$desktop")"
icon=$(bundled '*/share/pixmaps/*.png')
install -D -m 0644 "$icon" "$pkg/usr/share/pixmaps/$(basename "$icon")"
install -d "$pkg/usr/share/passerelle"
cp -R "$root/data/procedures" "$pkg/usr/share/passerelle/procedures"
install -D -m 0644 "$root/packaging/passerelle.conf" "$pkg/etc/passerelle/passerelle.conf"
install -D -m 0644 "$root/packaging/pam-passerelle-kiosk" "$pkg/etc/pam.d/passerelle-kiosk"
install -D -m 0644 -t "$pkg/lib/systemd/system" "$root"/packaging/systemd/*.service
doc=$pkg/usr/share/doc/passerelle
install -D -m 0644 "$root/packaging/deb/copyright" "$doc/copyright"
install -m 0644 "$root/LICENSE" "$root/README.md" "$root/assets/LICENSES.md" "$doc/"
printf 'passerelle (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- Passerelle <contact@passerelle.example.org>  %s\n' \
	"$version" "$commit" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$started}")" | gzip -9n >"$doc/changelog.gz"
gzip -9n "$doc/README.md"
install -D -m 0644 "$root/packaging/passerelle.1" "$pkg/usr/share/man/man1/passerelle.1"
gzip -9n "$pkg/usr/share/man/man1/passerelle.1"
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg/usr/share/passerelle" -type f -exec chmod 0644 {} +

install -d "$pkg/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$root/packaging/deb/control" >"$pkg/DEBIAN/control"
install -m 0644 "$root/packaging/deb/conffiles" "$pkg/DEBIAN/conffiles"
install -m 0755 "$root/packaging/deb/postinst" "$root/packaging/deb/prerm" "$root/packaging/deb/postrm" "$pkg/DEBIAN/"
(cd "$pkg" && find . \( -path ./DEBIAN -o -path ./etc \) -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)

mkdir -p "$out"
deb="$out/passerelle_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "build-deb: $deb ($(du -k "$deb" | cut -f1) KB, built in $(($(date +%s) - started)) s)"
