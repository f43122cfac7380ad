#!/usr/bin/env bash
# build-ipxe.sh OUT_DIR -- build pxeinv's iPXE binaries (see ipxe-config/README.md)
#
# Environment:
#   IPXE_SRC   iPXE source: a tree (repository root or its src/) or a tarball
#              (.tar.gz/.tgz/.tar.xz/.tar). Unset: try the pinned upstream
#              tarball, then fall back to Debian trixie's prebuilt binaries.
#   TRUST      passed to iPXE's make as TRUST=... (comma-separated CA
#              certificates; relative paths are taken from the caller's cwd).
#   IPXE_BUILD_DIR      work and cache directory (default: <repo>/build/ipxe-work;
#                       ./build.sh writes the outputs to build/ipxe)
#   IPXE_NO_DOWNLOAD=1  do not try the upstream download
#   IPXE_DOWNLOAD_TIMEOUT  seconds for the upstream download (default 20)
#   DEBIAN_MIRROR       Debian mirror URL for the fallback (default: the one
#                       this machine's apt uses, else http://deb.debian.org/debian)
#
# Also: build-ipxe.sh --tree-sha256 DIR   prints the tree checksum of DIR
# (used to pin a new upstream commit in ipxe-config/UPSTREAM).
set -euo pipefail

CONFIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CONFIG_DIR/.." && pwd)
BUILD_DIR=${IPXE_BUILD_DIR:-$REPO_ROOT/build/ipxe-work}

# The products: make target (relative to src/) -> output name.
BIOS_TARGETS=(bin/ipxe.pxe bin/undionly.kpxe)
EFI64_TARGETS=(bin-x86_64-efi/ipxe.efi bin-x86_64-efi/snponly.efi)
ARM64_TARGETS=(bin-arm64-efi/ipxe.efi)

# Print a message.
say() { echo "build-ipxe: $*"; }

# Print a warning to stderr.
warn() { echo "build-ipxe: WARNING: $*" >&2; }

# Print an error and exit.
die() { echo "build-ipxe: ERROR: $*" >&2; exit 1; }

# Read KEY from ipxe-config/UPSTREAM (key=value lines).
upstream() {
	sed -n "s/^$1=//p" "$CONFIG_DIR/UPSTREAM" | head -n 1
}

# Print the checksum of a source tree: sha256 over "sha256  ./path" lines of
# every regular file, sorted bytewise (.git and build output excluded).
tree_sha256() {
	(
		cd "$1"
		find . \( -name .git -o -path ./src/bin -o -path './src/bin-*' \
			-o -path ./bin -o -path './bin-*' \) -prune \
			-o -type f -print0 |
			LC_ALL=C sort -z | xargs -0 -r sha256sum
	) | sha256sum | cut -d ' ' -f 1
}

# Install the Debian packages in "$@" that are not installed yet.
ensure_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing build dependencies: ${missing[*]}"
	[ "$(id -u)" -eq 0 ] || die "need root to apt-get install ${missing[*]} (or install them first)"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; then
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" ||
			die "could not install ${missing[*]}"
	fi
}

# Print the top directory of an iPXE tree given a tree root or its src/.
ipxe_top() {
	local d=$1
	if [ -f "$d/src/Makefile" ] && [ -f "$d/src/config/general.h" ]; then
		echo "$d"
	elif [ -f "$d/Makefile" ] && [ -f "$d/config/general.h" ]; then
		echo "$d"
	else
		return 1
	fi
}

# Print the src/ directory of an iPXE top directory.
ipxe_srcdir() {
	if [ -f "$1/src/Makefile" ]; then echo "$1/src"; else echo "$1"; fi
}

# Unpack tarball $1 into a fresh directory $2; print the iPXE top directory.
unpack_tarball() {
	local tarball=$1 dest=$2 top="" d
	rm -rf "$dest" && mkdir -p "$dest"
	tar -xaf "$tarball" -C "$dest" || die "cannot unpack $tarball"
	for d in "$dest" "$dest"/*/; do
		top=$(ipxe_top "${d%/}") && break
	done
	[ -n "$top" ] || die "$tarball does not contain an iPXE source tree (no src/Makefile)"
	echo "$top"
}

# Try to download the pinned upstream tarball into the cache; print its path.
download_upstream() {
	local commit url dest tmp
	commit=$(upstream commit)
	url=$(upstream url)
	url=${url//@COMMIT@/$commit}
	dest="$BUILD_DIR/dl/ipxe-$commit.tar.gz"
	if [ -s "$dest" ]; then
		echo "$dest"
		return 0
	fi
	command -v curl >/dev/null || { warn "curl not installed, cannot download $url"; return 1; }
	mkdir -p "$BUILD_DIR/dl"
	tmp="$dest.part"
	say "downloading $url (timeout ${IPXE_DOWNLOAD_TIMEOUT:-20} s)" >&2
	if curl -fsSL --connect-timeout 5 --max-time "${IPXE_DOWNLOAD_TIMEOUT:-20}" -o "$tmp" "$url"; then
		mv "$tmp" "$dest"
		echo "$dest"
	else
		rm -f "$tmp"
		return 1
	fi
}

# Print the commit of an iPXE tree if it can be told (git, or the tarball's
# "ipxe-<commit>" directory name), else "unknown".
detect_commit() {
	local top=$1 name
	if [ -e "$top/.git" ] && git -C "$top" rev-parse --verify -q HEAD 2>/dev/null; then
		return 0
	fi
	name=$(basename "$top")
	if [[ $name =~ ^ipxe-([0-9a-f]{40})$ ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo unknown
	fi
}

# Copy an iPXE tree to a private work directory keyed by its tree checksum
# (kept for incremental rebuilds) and install our config/local headers;
# print the work src/ path.
prepare_worktree() {
	local top=$1 key=$2 work
	work="$BUILD_DIR/work-$key"
	if [ ! -f "$work/.copied" ]; then
		rm -rf "$work" && mkdir -p "$work/src"
		# Earlier build output in a user's tree (bin*/) is left behind.
		tar -C "$(ipxe_srcdir "$top")" --exclude=./bin --exclude='./bin-*' -cf - . |
			tar -C "$work/src" -xf -
		touch "$work/.copied"
	fi
	install_local_headers "$work/src/config/local"
	echo "$work/src"
}

# Make config/local dir $1 hold exactly our headers. Empty placeholders that
# iPXE's make creates are kept, and files are only rewritten when they differ,
# so that make's timestamps stay valid and rebuilds stay incremental.
install_local_headers() {
	local dir=$1 f base
	mkdir -p "$dir"
	for f in "$dir"/* "$dir"/.[!.]*; do
		[ -e "$f" ] || continue
		base=$(basename "$f")
		[ "$base" = .gitignore ] && continue
		[ -f "$CONFIG_DIR/local/$base" ] && continue
		if [ -d "$f" ] || [ -s "$f" ]; then rm -rf "$f"; fi
	done
	for f in "$CONFIG_DIR"/local/*.h; do
		cmp -s "$f" "$dir/$(basename "$f")" || cp "$f" "$dir/"
	done
}

# Turn a comma-separated TRUST list into absolute paths (for make in src/).
absolute_trust() {
	local out=() f files=()
	IFS=, read -r -a files <<<"$1"
	for f in "${files[@]}"; do
		[ -f "$f" ] || die "TRUST file not found: $f"
		out+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
	done
	(IFS=,; echo "${out[*]}")
}

# Build every product from iPXE src/ dir $1 into OUT_DIR; $2 = TRUST list.
build_from_source() {
	local src=$1 trust=$2 jobs args=() t
	jobs=$(nproc 2>/dev/null || echo 2)
	args=(EMBED="$CONFIG_DIR/embed.ipxe")
	[ -n "$trust" ] && args+=(TRUST="$trust")
	ensure_packages build-essential liblzma-dev perl mtools \
		gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	say "building BIOS targets: ${BIOS_TARGETS[*]}"
	make -C "$src" -j"$jobs" "${args[@]}" "${BIOS_TARGETS[@]}" ||
		die "BIOS build failed"
	say "building x86-64 UEFI targets: ${EFI64_TARGETS[*]}"
	make -C "$src" -j"$jobs" "${args[@]}" "${EFI64_TARGETS[@]}" ||
		die "x86-64 UEFI build failed"
	say "building arm64 UEFI targets: ${ARM64_TARGETS[*]}"
	make -C "$src" -j"$jobs" CROSS=aarch64-linux-gnu- "${args[@]}" "${ARM64_TARGETS[@]}" ||
		die "arm64 UEFI build failed"
	mkdir -p "$OUT_DIR/arm64"
	for t in "${BIOS_TARGETS[@]}" "${EFI64_TARGETS[@]}"; do
		install -m 0644 "$src/$t" "$OUT_DIR/$(basename "$t")"
	done
	install -m 0644 "$src/${ARM64_TARGETS[0]}" "$OUT_DIR/arm64/ipxe.efi"
}

# Print the Debian mirror URL this machine's apt uses (first "/debian" URI).
debian_mirror() {
	local uri
	if [ -n "${DEBIAN_MIRROR:-}" ]; then
		echo "${DEBIAN_MIRROR%/}"
		return
	fi
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
		2>/dev/null | grep -v '^[[:space:]]*#' |
		grep -oE '(https?|file)://[^[:space:]]+/debian/?([[:space:]]|$)' | head -n 1 | tr -d '[:space:]') || true
	echo "${uri:-http://deb.debian.org/debian}" | sed 's:/*$::'
}

# Fetch Debian trixie's "ipxe" package with a private apt configuration
# (system apt config untouched) into the cache; print the .deb path.
fetch_debian_ipxe() {
	local dir="$BUILD_DIR/debian" mirror deb opts
	deb=$(ls -1 "$dir"/ipxe_*_all.deb 2>/dev/null | tail -n 1) || true
	if [ -n "$deb" ] && dpkg-deb -I "$deb" >/dev/null 2>&1; then
		say "using cached $deb" >&2
		echo "$deb"
		return 0
	fi
	mirror=$(debian_mirror)
	mkdir -p "$dir/sources" "$dir/lists/partial" "$dir/cache/archives/partial"
	cat >"$dir/sources/trixie.sources" <<-EOF
		Types: deb
		URIs: $mirror
		Suites: trixie
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$dir/sources"
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache"
		-o Dir::State::Status=/dev/null)
	[ "$(id -u)" -eq 0 ] && opts+=(-o APT::Sandbox::User=root)
	say "downloading Debian trixie's ipxe package from $mirror (private apt dir $dir)" >&2
	apt-get "${opts[@]}" -q update >&2 || die "apt-get update for trixie failed ($mirror)"
	(cd "$dir" && apt-get "${opts[@]}" -q download ipxe >&2) || die "apt-get download ipxe (trixie) failed"
	deb=$(ls -1 "$dir"/ipxe_*_all.deb | tail -n 1)
	echo "$deb"
}

# Offline fallback: install Debian's prebuilt binaries into OUT_DIR.
fallback_debian() {
	local deb ex version lib missing=identity-bios,trust,embedded-script
	warn "no iPXE source reachable (IPXE_SRC unset and the upstream download failed or was skipped)."
	warn "using Debian trixie's prebuilt iPXE instead. These binaries have HTTPS but NOT our"
	warn "config: no embedded script (UEFI ones run embed.ipxe as autoexec.ipxe from the TFTP"
	warn "root; BIOS ones autoboot: no identity reporting, stock IPv6/ProxyDHCP waits),"
	warn "no TRUST (custom CA). Set IPXE_SRC for a full build."
	[ -n "${TRUST:-}" ] && warn "TRUST=$TRUST is ignored by the Debian fallback"
	deb=$(fetch_debian_ipxe)
	version=$(dpkg-deb -f "$deb" Version)
	ex="$BUILD_DIR/debian/extract-$version"
	if [ ! -d "$ex/usr/lib/ipxe" ]; then
		rm -rf "$ex" && mkdir -p "$ex"
		dpkg-deb -x "$deb" "$ex"
	fi
	lib="$ex/usr/lib/ipxe"
	mkdir -p "$OUT_DIR"
	install -m 0644 "$lib/ipxe.pxe" "$OUT_DIR/ipxe.pxe"
	install -m 0644 "$lib/undionly.kpxe" "$OUT_DIR/undionly.kpxe"
	install -m 0644 "$(readlink -f "$lib/ipxe-amd64.efi")" "$OUT_DIR/ipxe.efi"
	install -m 0644 "$lib/snponly.efi" "$OUT_DIR/snponly.efi"
	# iPXE's UEFI builds fetch autoexec.ipxe from the TFTP server they came
	# from (efi_autoexec.c) and run it instead of autobooting; pxeinv
	# compile copies it into the TFTP root. With our script they report
	# identity and skip the IPv6 router-advertisement wait and the Ctrl-B
	# banner. Source builds embed the script and need none.
	install -m 0644 "$CONFIG_DIR/embed.ipxe" "$OUT_DIR/autoexec.ipxe"
	if [ -f "$lib/ipxe-arm64.efi" ]; then
		mkdir -p "$OUT_DIR/arm64"
		install -m 0644 "$lib/ipxe-arm64.efi" "$OUT_DIR/arm64/ipxe.efi"
	else
		warn "Debian's package has no arm64 ipxe.efi: $OUT_DIR/arm64/ipxe.efi is missing"
		rm -f "$OUT_DIR/arm64/ipxe.efi"
		missing+=,arm64
	fi
	# Debian versions look like 1.21.1+git20250501.dad20602+dfsg-1.
	INFO_SOURCE=debian-fallback
	INFO_COMMIT=$(sed -n 's/.*+git[0-9]*\.\([0-9a-f]*\).*/\1/p' <<<"$version")
	INFO_VERSION="debian-trixie-$version"
	INFO_MISSING=$missing
	INFO_EMBED=no
	INFO_TRUST=no
}

# Print the comma-separated feature list of the binaries in OUT_DIR.
detect_features() {
	local f=() efi="$OUT_DIR/ipxe.efi"
	# EFI images are not compressed: the feature names are plain strings.
	grep -q -a 'HTTPS' "$efi" && f+=(https)
	[ "$INFO_EMBED" = yes ] && grep -q -a 'pxeinv/1 s=' "$efi" && f+=(identity)
	[ "$INFO_EMBED" = yes ] || ! [ -f "$OUT_DIR/autoexec.ipxe" ] || f+=(identity-efi)
	[ "$INFO_TRUST" = yes ] && f+=(trust)
	(IFS=,; echo "${f[*]}")
}

# Write OUT_DIR/BUILD-INFO (key=value lines read by the pxeinv CLI).
write_build_info() {
	local features
	features=$(detect_features)
	{
		echo "source=$INFO_SOURCE"
		echo "commit=${INFO_COMMIT:-unknown}"
		echo "version=${INFO_VERSION:-unknown}"
		echo "features=$features"
		echo "missing=${INFO_MISSING:-}"
		echo "embedded_script=$INFO_EMBED"
		[ "$INFO_EMBED" = yes ] && echo "embedded_script_sha256=$(sha256sum "$CONFIG_DIR/embed.ipxe" | cut -d ' ' -f 1)"
		echo "tree_sha256=${INFO_TREE:-}"
		echo "pinned_commit=$(upstream commit)"
		echo "pinned_tree_match=${INFO_PINNED:-no}"
		echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	} >"$OUT_DIR/BUILD-INFO"
}

# Print where each product is.
report() {
	local f
	say "outputs in $OUT_DIR:"
	for f in ipxe.pxe undionly.kpxe ipxe.efi snponly.efi arm64/ipxe.efi autoexec.ipxe BUILD-INFO; do
		if [ -f "$OUT_DIR/$f" ]; then
			say "  $OUT_DIR/$f ($(stat -c %s "$OUT_DIR/$f") bytes)"
		else
			say "  $OUT_DIR/$f MISSING"
		fi
	done
	sed 's/^/build-ipxe:   /' "$OUT_DIR/BUILD-INFO"
}

# Source build: from IPXE_SRC or the downloaded upstream tarball.
source_build() {
	local top=$1 key trust="" src tree
	tree=$(tree_sha256 "$top")
	INFO_TREE=$tree
	INFO_PINNED=no
	[ "$tree" = "$(upstream tree_sha256)" ] && INFO_PINNED=yes
	INFO_COMMIT=$(detect_commit "$top")
	INFO_VERSION=$(upstream version)
	[ "$INFO_COMMIT" = "$(upstream commit)" ] || INFO_VERSION=unknown
	[ -n "${TRUST:-}" ] && trust=$(absolute_trust "$TRUST")
	key=${tree:0:16}
	src=$(prepare_worktree "$top" "$key")
	say "building from $top (commit $INFO_COMMIT, tree $key..., pinned tree: $INFO_PINNED) in $src"
	build_from_source "$src" "$trust"
	INFO_EMBED=yes
	INFO_TRUST=no
	[ -n "$trust" ] && INFO_TRUST=yes
	INFO_MISSING=""
	[ -n "$trust" ] || INFO_MISSING=trust
	# the script is embedded: a leftover autoexec.ipxe of the fallback would
	# be fetched and run in its place
	rm -f "$OUT_DIR/autoexec.ipxe"
}

# Main: pick the source, build or fall back, write BUILD-INFO.
main() {
	local tarball top
	if [ "${1:-}" = "--tree-sha256" ]; then
		[ -d "${2:-}" ] || die "usage: $0 --tree-sha256 DIR"
		tree_sha256 "$2"
		return
	fi
	[ $# -eq 1 ] || die "usage: $0 OUT_DIR (env: IPXE_SRC, TRUST)"
	mkdir -p "$1"
	OUT_DIR=$(cd "$1" && pwd)
	# A failed build must not leave an earlier BUILD-INFO describing other binaries.
	rm -f "$OUT_DIR/BUILD-INFO"
	mkdir -p "$BUILD_DIR"
	if [ -n "${IPXE_SRC:-}" ]; then
		if [ -d "$IPXE_SRC" ]; then
			top=$(ipxe_top "$(cd "$IPXE_SRC" && pwd)") ||
				die "IPXE_SRC=$IPXE_SRC is not an iPXE tree (no src/Makefile and src/config/general.h)"
		elif [ -f "$IPXE_SRC" ]; then
			top=$(unpack_tarball "$IPXE_SRC" "$BUILD_DIR/unpack-src")
		else
			die "IPXE_SRC=$IPXE_SRC does not exist"
		fi
		source_build "$top"
		INFO_SOURCE=IPXE_SRC
	elif [ "${IPXE_NO_DOWNLOAD:-0}" != 1 ] && tarball=$(download_upstream); then
		top=$(unpack_tarball "$tarball" "$BUILD_DIR/unpack-upstream")
		if [ "$(tree_sha256 "$top")" != "$(upstream tree_sha256)" ]; then
			die "downloaded $tarball does not match the pinned tree_sha256 in $CONFIG_DIR/UPSTREAM; refusing to build it (delete it to retry)"
		fi
		source_build "$top"
		INFO_SOURCE=upstream
	else
		[ "${IPXE_NO_DOWNLOAD:-0}" = 1 ] && say "upstream download skipped (IPXE_NO_DOWNLOAD=1)" ||
			say "upstream download failed (no network?)"
		fallback_debian
	fi
	write_build_info
	report
}

main "$@"
