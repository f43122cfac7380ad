#!/bin/bash
# Build dnsmasq with the pxe-inventory patch series.
#
# Usage: patches/dnsmasq/build-dnsmasq.sh OUT_DIR
#
# Environment:
#   DNSMASQ_SRC     an unpacked dnsmasq source tree to use instead of fetching
#                   one (it is copied, never modified)
#   DNSMASQ_SUITE   bookworm (default) or sid: which Debian source to fetch
#   DNSMASQ_MIRROR  Debian mirror URL (default: the one in /etc/apt/sources*)
#   DNSMASQ_COPTS   extra COPTS for dnsmasq's make (e.g. -DHAVE_DNSSEC)
#
# The source comes from `apt-get source dnsmasq` with a private apt
# configuration under build/dnsmasq/ (the system's apt lists are not
# touched) and is cached there. The files listed in shared-sources
# (the reader side of cache/ and the common header) are copied into src/,
# the patches series-list gives for the suite (series, then SUITE/series)
# are applied with patch -p1 (no fuzz), the tree is built with
# plain make, and the binary is copied to OUT_DIR/dnsmasq.
set -euo pipefail

say() { echo "build-dnsmasq: $*"; }
fail() { echo "build-dnsmasq: error: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out=$1

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
suite=${DNSMASQ_SUITE:-bookworm}
case $suite in
bookworm|sid) ;;
*) fail "DNSMASQ_SUITE must be bookworm or sid, not '$suite'" ;;
esac
bdir=$root/build/dnsmasq
mkdir -p "$bdir" "$out"

# --- build dependencies -------------------------------------------------
need=(build-essential libcdb-dev zlib1g-dev patch)
[ -n "${DNSMASQ_SRC:-}" ] || need+=(dpkg-dev)
missing=()
for p in "${need[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || fail "missing packages: ${missing[*]} (run as root or install them)"
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

# --- source -------------------------------------------------------------
# Print the first Debian archive URI of an enabled apt source (security
# archive when $1 = security).
mirror_of() {
	local want=$1 f uri
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		if [[ $f == *.sources ]]; then
			awk 'tolower($1)=="uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
		else
			awk '$1=="deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f"
		fi
	done | while read -r uri; do
		case $want:$uri in
		security:*debian-security*) echo "$uri"; break ;;
		main:*debian-security*) ;;
		main:*/debian|main:*/debian/) echo "${uri%/}"; break ;;
		esac
	done
}

fetch_source() {
	local adir=$bdir/apt-$suite sdir=$1 mirror security opts
	mirror=${DNSMASQ_MIRROR:-$(mirror_of main)}
	mirror=${mirror:-http://deb.debian.org/debian}
	security=$(mirror_of security)
	mkdir -p "$adir/sources" "$adir/lists/partial" "$adir/cache/archives/partial"
	{
		echo "Types: deb-src"
		echo "URIs: $mirror"
		if [ "$suite" = sid ]; then
			echo "Suites: sid"
		else
			echo "Suites: bookworm bookworm-updates"
		fi
		echo "Components: main"
		[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] &&
			echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
		if [ "$suite" = bookworm ] && [ -n "$security" ]; then
			echo
			echo "Types: deb-src"
			echo "URIs: $security"
			echo "Suites: bookworm-security"
			echo "Components: main"
			[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] &&
				echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
		fi
	} > "$adir/sources/pxeinv-dnsmasq.sources"
	opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$adir/sources"
	      -o "Dir::State::Lists=$adir/lists" -o "Dir::Cache=$adir/cache"
	      -o APT::Sandbox::User=root -q)
	say "fetching dnsmasq source ($suite) from $mirror with a private apt config in $adir"
	apt-get "${opts[@]}" update >&2 || fail "apt-get update (private deb-src list) failed"
	rm -rf "$sdir.tmp"
	mkdir -p "$sdir.tmp"
	(cd "$sdir.tmp" && apt-get "${opts[@]}" source dnsmasq >&2) || fail "apt-get source dnsmasq failed"
	rm -rf "$sdir"
	mv "$sdir.tmp" "$sdir"
}

if [ -n "${DNSMASQ_SRC:-}" ]; then
	[ -f "$DNSMASQ_SRC/src/dnsmasq.c" ] || fail "DNSMASQ_SRC=$DNSMASQ_SRC is not a dnsmasq source tree"
	src=$(cd "$DNSMASQ_SRC" && pwd)
	tag=local
	say "using local source $src"
else
	sdir=$bdir/src-$suite
	src=$(ls -d "$sdir"/dnsmasq-*/ 2>/dev/null | head -n1 || true)
	if [ -z "$src" ]; then
		fetch_source "$sdir"
		src=$(ls -d "$sdir"/dnsmasq-*/ 2>/dev/null | head -n1 || true)
		[ -n "$src" ] || fail "no dnsmasq-*/ tree after apt-get source"
	else
		say "using cached source $src (remove $sdir to fetch again)"
	fi
	src=${src%/}
	tag=$suite
fi
version=$(basename "$src")

# --- patch and build ----------------------------------------------------
work=$bdir/work-$tag
mapfile -t patches < <("$here/series-list" "$suite")
[ ${#patches[@]} -gt 0 ] || fail "series-list $suite listed no patch (is $here/series there?)"
mapfile -t shared < <(grep -v '^[[:space:]]*#' "$here/shared-sources" | sed '/^[[:space:]]*$/d')
inputs=$( {
	echo "$src ${DNSMASQ_COPTS:-}"
	printf '%s\n' "${patches[@]}"
	for p in "${patches[@]}"; do cat "$here/$p"; done
	for f in "${shared[@]}"; do cat "$root/$f"; done
} | sha256sum | cut -d' ' -f1)

if [ -x "$work/src/dnsmasq" ] && [ "$(cat "$work/.pxeinv-inputs" 2>/dev/null)" = "$inputs" ]; then
	say "sources, patches and cache code unchanged: reusing $work/src/dnsmasq"
else
	say "preparing $work from $src"
	rm -rf "$work"
	cp -a "$src" "$work"
	rm -rf "$work/.pc"
	for f in "${shared[@]}"; do cp "$root/$f" "$work/src/"; done
	for p in "${patches[@]}"; do
		say "applying $p"
		patch -d "$work" -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch \
			< "$here/$p" >&2 || fail "$p does not apply to $version"
	done
	say "building $version (make -j$(nproc))"
	if ! make -C "$work" -j"$(nproc)" COPTS="${DNSMASQ_COPTS:-}" > "$work/build.log" 2>&1; then
		tail -n 40 "$work/build.log" >&2
		fail "make failed (log: $work/build.log)"
	fi
	if grep -E '(pxe-inventory|pxeinv_[a-z]+)\.[ch]:[0-9]+:[0-9]+: (warning|error)' "$work/build.log" >&2; then
		fail "warnings in pxe-inventory code (log: $work/build.log)"
	fi
	echo "$inputs" > "$work/.pxeinv-inputs"
fi

install -m 0755 "$work/src/dnsmasq" "$out/dnsmasq"
"$out/dnsmasq" --help | grep -q -- '--pxe-inventory' || fail "built dnsmasq lacks --pxe-inventory"
say "built $("$out/dnsmasq" --version | head -n1) with pxe-inventory -> $out/dnsmasq"
