#!/usr/bin/env bash
# build.sh: pxeinv's one entry point. Run `./build.sh help`.
#
# Everything it builds goes to build/ (never committed):
#   build/bin/pxeinv     the CLI (make)
#   build/bin/dnsmasq    dnsmasq from Debian's source + patches/dnsmasq
#   build/ipxe/          iPXE binaries (IPXE_SRC, else Debian's prebuilt)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$ROOT/build
cd "$ROOT"

# Debian packages needed to build and to run every test.
DEPS=(
	build-essential pkg-config libyaml-dev libcdb-dev tinycdb
	libcmocka-dev zlib1g-dev valgrind python3 python3-yaml
	dpkg-dev patch curl ca-certificates iproute2 procps psmisc
	busybox-static kea-admin dnsmasq-base tcpdump
	qemu-system-x86 ovmf mtools liblzma-dev
	qemu-system-arm qemu-efi-aarch64 systemd-boot-efi
	devscripts debhelper help2man mmdebstrap buildah podman runc rsync
	liburing-dev libcurl4-openssl-dev libssl-dev
	clang libclang-rt-14-dev
)

# Print a progress line.
say() { echo "build.sh: $*"; }

# Print an error and exit.
die() { echo "build.sh: error: $*" >&2; exit 1; }

# Print the usage.
usage() {
	cat <<'USAGE'
Usage: ./build.sh [COMMAND]
       ./build.sh test [SUITE [CASE | --list]]

Commands:
  all       build pxeinv, the patched dnsmasq and iPXE (default)
  deps      install the Debian packages needed to build and test (apt-get)
  pxeinv    build build/bin/pxeinv
  dnsmasq   build build/bin/dnsmasq (Debian source + patches/dnsmasq)
  ipxe      build build/ipxe/* (from IPXE_SRC; offline: Debian's prebuilt
            iPXE, with a warning)
  deb       build the Debian packages into build/deb/out: Debian's dnsmasq
            with our series (+pxeinvN) and pxeinv (packaging/build-deb.sh)
  test      deps, all, then every test suite; ends with "N passed, N failed"
            (", N skipped" after it when cases were skipped)
  test SUITE [CASE]
            the same build, then only tests/SUITE; with CASE, only its
            groups of cases (unit: its test functions) whose name the glob
            CASE ('*', '?') matches, e.g. ./build.sh test cli compile-atomic;
            a CASE that matches nothing is an error (exit 2)
  test [SUITE] --list
            the group names of every suite, or of SUITE
  demo      deps, all, then boot node-01 of the example nodes/ in QEMU
            through the patched dnsmasq, showing each stage and its kernel
            command line (tests/e2e/demo.sh)
  fuzz [TARGET [SECONDS]]
            build the libFuzzer targets of fuzz/ (clang, ASan + UBSan) and
            run each (or TARGET: steer, cache, yaml, hook, manifest) for SECONDS
            (default 60) on its corpus; prints exec/s and total executions,
            and fails with the reproducer's path when a target finds one
  bench     run every bench/ script
  clean     remove build/

Environment:
  IPXE_SRC      iPXE source tree or tarball (see ipxe-config/README.md)
  TRUST         CA certificates to build into iPXE
  DNSMASQ_SRC   a local dnsmasq source tree instead of apt-get source
  DNSMASQ_SUITE bookworm (default) or sid
USAGE
}

# Install the Debian packages that are missing.
deps() {
	local missing=() p
	for p in "${DEPS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		say "deps: all ${#DEPS[@]} packages present"
		return
	fi
	[ "$(id -u)" -eq 0 ] || die "deps: run as root to install: ${missing[*]}"
	say "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Build the pxeinv CLI.
build_pxeinv() {
	say "pxeinv: make"
	make -s -j"$(nproc)" pxeinv
	say "pxeinv: $BUILD/bin/pxeinv"
}

# Build the patched dnsmasq.
build_dnsmasq() {
	patches/dnsmasq/build-dnsmasq.sh "$BUILD/bin"
}

# Build iPXE (or fall back to Debian's prebuilt binaries).
build_ipxe() {
	ipxe-config/build-ipxe.sh "$BUILD/ipxe"
}

# Build the dhcp-script hook.
build_hook() {
	say "hook: make"
	make -s -j"$(nproc)" hook
	say "hook: $BUILD/bin/pxeinv-hook"
}

# The fuzz targets (fuzz/fuzz_TARGET.c)
FUZZ_TARGETS=(steer cache yaml hook manifest)

# Refuse fuzz arguments that name nothing, before the build.
check_fuzz_args() {
	local only=${1:-} seconds=${2:-60} t
	[ $# -le 2 ] || { usage >&2; exit 2; }
	[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] ||
		die "fuzz: SECONDS must be a positive number, not '$seconds'"
	[ -n "$only" ] || return 0
	for t in "${FUZZ_TARGETS[@]}"; do
		[ "$t" != "$only" ] || return 0
	done
	die "fuzz: no target '$only' (${FUZZ_TARGETS[*]})"
}

# Build the fuzz targets and run each, or TARGET: fuzz [TARGET [SECONDS]].
run_fuzz() {
	local only=${1:-} seconds=${2:-60} t failed=0
	say "fuzz: make fuzz"
	make -s -j"$(nproc)" fuzz
	for t in "${FUZZ_TARGETS[@]}"; do
		[ -z "$only" ] || [ "$only" = "$t" ] || continue
		fuzz/run-target.sh "$t" "$seconds" || failed=1
	done
	return "$failed"
}

# Refuse a test SUITE or CASE that names nothing, before the build.
check_test_args() {
	local suite=${1:-} filter=${2:-} name
	[ -n "$suite" ] || return 0
	[ -x "tests/$suite/run.sh" ] && [ $# -le 2 ] ||
		{ usage >&2; exit 2; }
	[ -n "$filter" ] || return 0
	while read -r name; do
		# shellcheck disable=SC2053 # the filter is a glob
		[[ $name == $filter ]] && return 0
	done < <(tests/run.sh "$suite" --list)
	echo "build.sh: test: nothing in tests/$suite matches '$filter'" \
		"(./build.sh test $suite --list)" >&2
	exit 2
}

# Build everything.
build_all() {
	build_pxeinv
	build_hook
	build_dnsmasq
	build_ipxe
}

cmd=${1:-all}
case $cmd in
all) build_all ;;
deps) deps ;;
pxeinv) build_pxeinv ;;
dnsmasq) build_dnsmasq ;;
ipxe) build_ipxe ;;
deb)
	deps
	build_all
	packaging/build-deb.sh "$BUILD/deb/out"
	;;
test)
	shift
	[ "${1:-}" != --list ] && [ "${2:-}" != --list ] || exec tests/run.sh "$@"
	check_test_args "$@"
	deps
	build_all
	exec tests/run.sh "$@"
	;;
demo)
	deps
	build_all
	exec tests/e2e/demo.sh
	;;
fuzz)
	shift
	check_fuzz_args "$@"
	deps
	run_fuzz "$@"
	;;
bench)
	deps
	build_all
	for b in bench/*; do [ -x "$b" ] && "$b"; done
	;;
clean) rm -rf "$BUILD" ;;
help | -h | --help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
