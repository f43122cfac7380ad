#!/usr/bin/env bash
# tests/ipxe/run.sh -- tests for ipxe-config/build-ipxe.sh and its binaries.
#
# Builds the binaries (IPXE_SRC is passed through; without it the Debian
# fallback is used), then boots ipxe.efi in QEMU/OVMF inside a private network
# namespace served by stock dnsmasq, and checks the serial console and
# dnsmasq's DHCP log. Source-build-only cases print SKIP for the fallback.
#
# Usage: tests/ipxe/run.sh [GROUP | --list]   (GROUP: a glob over the group
# names; the build, or IPXE_TEST_OUT, is the set-up every group needs)
#
# Environment: IPXE_SRC, TRUST (passed to the build), IPXE_TEST_OUT (use an
# already built OUT_DIR instead of building), IPXE_TEST_KEEP=1 (keep the
# temporary directory).  Needs root (netns, tap).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/ipxe-config/build-ipxe.sh
T=$(mktemp -d /tmp/pxeinv-ipxe-test.XXXXXX)
NS=pxeinv-ipxe-$$
NET=10.213.77
QEMU_PID="" DNSMASQ_PID=""
# SMBIOS identity of the test VM: the space, '/' and ':' must be percent-encoded.
SERIAL="PXE INV-0001"
BOARD="BRD/42:X"
SERIAL_ENC="PXE%20INV-0001"
BOARD_ENC="BRD%2F42%3AX"

# pass, fail, skip, groups, selected and finish
# shellcheck source=../lib/report.sh
. "$ROOT/tests/lib/report.sh"

# Pass or fail case $1 by the status of the command that follows.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# Stop what we started and remove the namespace and the temporary directory.
cleanup() {
	[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null && sleep 0.5
	[ -n "$QEMU_PID" ] && kill -9 "$QEMU_PID" 2>/dev/null
	[ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	if [ "${IPXE_TEST_KEEP:-0}" = 1 ]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Install the Debian packages in "$@" that are missing.
ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
		{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; }
}

# Wait up to $3 seconds for extended regex $1 in file $2.
wait_for() {
	local re=$1 file=$2 secs=$3 i
	for ((i = 0; i < secs * 2; i++)); do
		grep -a -q -E "$re" "$file" 2>/dev/null && return 0
		[ -n "$QEMU_PID" ] && ! kill -0 "$QEMU_PID" 2>/dev/null && break
		sleep 0.5
	done
	grep -a -q -E "$re" "$file" 2>/dev/null
}

# Read KEY from OUT/BUILD-INFO.
info() { sed -n "s/^$1=//p" "$OUT/BUILD-INFO" | head -n 1; }

# Set-up: build (or reuse) the binaries; BUILD_RC is the build's status.
build_binaries() {
	BUILD_RC=0
	if [ -n "${IPXE_TEST_OUT:-}" ]; then
		OUT=$IPXE_TEST_OUT
		echo "using prebuilt $OUT" >&2
		: >"$T/build.log"
	else
		OUT=$T/out
		"$BUILD" "$OUT" >"$T/build.log" 2>&1 || BUILD_RC=$?
	fi
}

# Case group 1 (build): the build's status, its outputs and BUILD-INFO.
test_build() {
	local f ok=1
	if [ -z "${IPXE_TEST_OUT:-}" ]; then
		if [ "$BUILD_RC" -eq 0 ]; then pass build; else
			fail build "exit status $BUILD_RC; log: $(tail -n 3 "$T/build.log" | tr '\n' ' ')"
		fi
	fi
	for f in ipxe.pxe undionly.kpxe ipxe.efi snponly.efi arm64/ipxe.efi BUILD-INFO; do
		[ -s "$OUT/$f" ] || { ok=0; echo "missing $OUT/$f" >&2; }
	done
	check build-outputs-present [ $ok = 1 ]
	[ -f "$OUT/BUILD-INFO" ] || { fail build-info "no BUILD-INFO"; return; }
	SOURCE=$(info source)
	check build-info-keys bash -c '[[ $0 =~ ^(upstream|IPXE_SRC|debian-fallback)$ ]] && [ -n "$1" ]' \
		"$SOURCE" "$(info commit)"
	check build-info-features-https grep -q -E '^features=(.*,)?https(,|$)' "$OUT/BUILD-INFO"
	if [ "$SOURCE" = debian-fallback ] && [ -n "${IPXE_TEST_OUT:-}" ]; then
		skip fallback-prints-warning "prebuilt IPXE_TEST_OUT, no build log"
		check fallback-info-missing grep -q -E '^missing=.*identity.*trust' "$OUT/BUILD-INFO"
	elif [ "$SOURCE" = debian-fallback ]; then
		check fallback-prints-warning grep -q 'WARNING: .*no iPXE source reachable' "$T/build.log"
		check fallback-info-missing grep -q -E '^missing=.*identity.*trust' "$OUT/BUILD-INFO"
	else
		skip fallback-prints-warning "source build ($SOURCE)"
		skip fallback-info-missing "source build ($SOURCE)"
	fi
}

# Case group 2: strings in the (uncompressed) EFI binaries.
test_strings() {
	local f ok=1
	for f in ipxe.efi snponly.efi arm64/ipxe.efi; do
		grep -a -q HTTPS "$OUT/$f" || { ok=0; echo "no HTTPS in $f" >&2; }
	done
	check efi-binaries-have-https [ $ok = 1 ]
	if [ "$SOURCE" = debian-fallback ]; then
		skip efi-binaries-embed-script "Debian fallback has no embedded script"
		return
	fi
	ok=1
	for f in ipxe.efi snponly.efi arm64/ipxe.efi; do
		grep -a -q 'pxeinv/1 s=${serial:uristring}' "$OUT/$f" || { ok=0; echo "no script in $f" >&2; }
	done
	check efi-binaries-embed-script [ $ok = 1 ]
}

# Case group 3: our config/local headers reach the build (source builds).
test_config_reaches_build() {
	local tree work cfg src
	if [ "$SOURCE" = debian-fallback ]; then
		skip config-https-in-bios-build "no iPXE source (Debian fallback)"
		skip config-broken-header-fails "no iPXE source (Debian fallback)"
		return
	fi
	# The BIOS link output before compression (bin/*.tmp) shows the feature
	# list: upstream's BIOS default has no HTTPS, our local/general.h adds it.
	tree=$(info tree_sha256)
	work=${IPXE_BUILD_DIR:-$ROOT/build/ipxe-work}/work-${tree:0:16}/src
	if [ -f "$work/bin/ipxe.pxe.tmp" ]; then
		check config-https-in-bios-build grep -a -q HTTPS "$work/bin/ipxe.pxe.tmp"
	else
		skip config-https-in-bios-build "no work tree at $work"
	fi
	# A copy of ipxe-config whose local/general.h has an #error must fail.
	src=${IPXE_SRC:-${IPXE_BUILD_DIR:-$ROOT/build/ipxe-work}/unpack-upstream}
	if [ ! -e "$src" ]; then
		skip config-broken-header-fails "no iPXE source at $src"
		return
	fi
	cfg=$T/broken/ipxe-config
	mkdir -p "$cfg"
	cp -a "$ROOT/ipxe-config/." "$cfg/"
	printf '#error "pxeinv-broken-header-marker"\n' >>"$cfg/local/general.h"
	if IPXE_SRC=$src IPXE_BUILD_DIR=$T/broken/build timeout 600 \
		"$cfg/build-ipxe.sh" "$T/broken/out" >"$T/broken.log" 2>&1; then
		fail config-broken-header-fails "build succeeded"
	else
		check config-broken-header-fails grep -q 'pxeinv-broken-header-marker' "$T/broken.log"
	fi
	rm -rf "$T/broken"
}

# Set up (once) the namespace, tap0 and the TFTP root, then start stock
# dnsmasq handing out $1 in the iPXE stage (ipxe.efi to the firmware).
start_network() {
	local tftp=$T/tftp ipxe_file=$1
	if [ ! -d "$tftp" ]; then
		mkdir -p "$tftp"
		cp "$OUT/ipxe.efi" "$tftp/ipxe.efi"
		# the fallback's script, where pxeinv compile puts it
		[ ! -f "$OUT/autoexec.ipxe" ] || cp "$OUT/autoexec.ipxe" "$tftp/autoexec.ipxe"
		printf '#!ipxe\necho PXEINV-TEST-CHAINED-OK serial=${serial}\nexit 0\n' >"$tftp/chained.ipxe"
		chmod -R a+rX "$T"
		ip netns add "$NS"
		ip -n "$NS" link set lo up
		ip -n "$NS" tuntap add dev tap0 mode tap
		ip -n "$NS" addr add "$NET.1/24" dev tap0
		ip -n "$NS" link set tap0 up
	fi
	rm -f "$T/leases" "$T/dnsmasq.log" "$T/serial.log"
	ip netns exec "$NS" dnsmasq --conf-file=/dev/null --keep-in-foreground --port=0 \
		--interface=tap0 --bind-interfaces --user=root --group=root \
		--dhcp-range="$NET.100,$NET.150,255.255.255.0,10m" --no-ping \
		--dhcp-leasefile="$T/leases" --pid-file="$T/dnsmasq.pid" \
		--enable-tftp --tftp-root="$tftp" \
		--dhcp-match=set:ipxe,175 \
		--dhcp-boot=tag:!ipxe,ipxe.efi --dhcp-boot=tag:ipxe,"$ipxe_file" \
		--dhcp-option=encap:175,176,1b \
		--log-dhcp --log-facility="$T/dnsmasq.log" </dev/null >"$T/dnsmasq.out" 2>&1 &
	DNSMASQ_PID=$!
	sleep 1
	kill -0 "$DNSMASQ_PID" 2>/dev/null
}

# Stop QEMU and dnsmasq (the namespace stays for the next run).
stop_vm() {
	[ -n "$QEMU_PID" ] && { kill "$QEMU_PID" 2>/dev/null; wait "$QEMU_PID" 2>/dev/null; }
	[ -n "$DNSMASQ_PID" ] && { kill "$DNSMASQ_PID" 2>/dev/null; wait "$DNSMASQ_PID" 2>/dev/null; }
	QEMU_PID="" DNSMASQ_PID=""
	return 0
}

# Print the tails of the serial console and of dnsmasq's log (on failure).
show_logs() {
	echo "--- serial (tail) ---" >&2
	tr -d '\r' <"$T/serial.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -a -v '^\s*$' | tail -n 25 >&2 || true
	echo "--- dnsmasq (tail) ---" >&2
	tail -n 25 "$T/dnsmasq.log" >&2 || true
}

# Boot OVMF with its own PXE (romfile=) so the firmware fetches ipxe.efi.
start_qemu() {
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$T/vars.fd"
	ip netns exec "$NS" timeout 300 qemu-system-x86_64 -accel tcg -M q35 -m 512 -smp 1 \
		-display none -serial file:"$T/serial.log" -monitor none -no-reboot \
		-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive if=pflash,format=raw,file="$T/vars.fd" \
		-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
		-device virtio-net-pci,romfile=,netdev=n0,bootindex=1 -device virtio-rng-pci \
		-smbios type=1,serial="$SERIAL" -smbios type=2,serial="$BOARD" \
		-uuid 12345678-9abc-def0-1234-56789abcdef0 </dev/null >"$T/qemu.out" 2>&1 &
	QEMU_PID=$!
}

# Case group 4: UEFI boot of ipxe.efi in QEMU.
test_qemu_uefi() {
	local start=$SECONDS nfail=$failed
	if ! start_network chained.ipxe; then
		fail uefi-test-network "dnsmasq did not start: $(cat "$T/dnsmasq.out")"
		return
	fi
	start_qemu
	# Firmware stage: OVMF's PXE client fetches our ipxe.efi over TFTP.
	check uefi-firmware-fetches-ipxe-efi wait_for 'sent .*ipxe\.efi' "$T/dnsmasq.log" 120
	check uefi-ipxe-features-https wait_for 'Features:.* HTTPS' "$T/serial.log" 60
	# iPXE stage: a DHCP request with option 175 gets chained.ipxe.
	check uefi-ipxe-stage-dhcp wait_for 'tags: .*ipxe' "$T/dnsmasq.log" 60
	# The Debian fallback runs the same script, as autoexec.ipxe
	if [ "$SOURCE" = debian-fallback ] && [ ! -f "$OUT/autoexec.ipxe" ]; then
		fail uefi-fallback-autoexec "the Debian fallback left no autoexec.ipxe in $OUT"
	else
		check uefi-identity-in-dhcp wait_for \
			"user class: pxeinv/1 s=$SERIAL_ENC b=$BOARD_ENC\$" "$T/dnsmasq.log" 30
		check uefi-embedded-script-messages wait_for 'pxeinv: chaining chained\.ipxe \(next-server [0-9]' "$T/serial.log" 30
		check uefi-chain-next-file wait_for 'PXEINV-TEST-CHAINED-OK' "$T/serial.log" 60
		check uefi-exit-after-chain wait_for 'pxeinv: chained.ipxe returned, exiting' "$T/serial.log" 30
	fi
	echo "UEFI boot checks took $((SECONDS - start)) s" >&2
	[ "$failed" -gt "$nfail" ] && show_logs
	stop_vm
}

# Case group 5: a missing boot file makes the embedded script retry with
# back-off, drop the board serial on the last attempt and exit (embedded
# script, or the fallback's autoexec.ipxe).
test_qemu_retry() {
	local start=$SECONDS nfail=$failed
	if [ "$SOURCE" = debian-fallback ] && [ ! -f "$OUT/autoexec.ipxe" ]; then
		fail uefi-retry-fallback-autoexec "the Debian fallback left no autoexec.ipxe in $OUT"
		return
	fi
	if ! start_network missing.ipxe; then
		fail uefi-retry-network "dnsmasq did not start: $(cat "$T/dnsmasq.out")"
		return
	fi
	start_qemu
	check uefi-retry-backoff wait_for 'pxeinv: retrying in 8 s' "$T/serial.log" 180
	check uefi-retry-last-attempt-serial-only wait_for \
		"user class: pxeinv/1 s=$SERIAL_ENC\$" "$T/dnsmasq.log" 60
	check uefi-retry-gives-up-and-exits wait_for 'pxeinv: exiting to the next boot device' "$T/serial.log" 60
	echo "UEFI retry checks took $((SECONDS - start)) s" >&2
	[ "$failed" -gt "$nfail" ] && show_logs
	stop_vm
}

# Case group 6: TRUST= reaches iPXE's make (source builds): the CA's SHA-256
# fingerprint is compiled into the EFI binaries and BUILD-INFO lists trust.
test_trust() {
	local fp
	if [ "$SOURCE" = debian-fallback ] || [ -n "${IPXE_TEST_OUT:-}" ]; then
		skip trust-reaches-build "$([ "$SOURCE" = debian-fallback ] && echo "Debian fallback has no TRUST" || echo "prebuilt IPXE_TEST_OUT")"
		return
	fi
	command -v openssl >/dev/null || { skip trust-reaches-build "openssl not installed"; return; }
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -days 1 \
		-subj "/CN=pxeinv test CA" 2>/dev/null
	fp=$(openssl x509 -in "$T/ca.crt" -outform DER | sha256sum | cut -c 1-64)
	if ! TRUST=$T/ca.crt "$BUILD" "$T/out-trust" >"$T/trust.log" 2>&1; then
		fail trust-reaches-build "build with TRUST failed: $(tail -n 3 "$T/trust.log" | tr '\n' ' ')"
		return
	fi
	check trust-reaches-build python3 -c '
import sys
fp = bytes.fromhex(sys.argv[1])
ok = all(fp in open(sys.argv[2] + "/" + f, "rb").read() for f in ("ipxe.efi", "snponly.efi", "arm64/ipxe.efi"))
info = open(sys.argv[2] + "/BUILD-INFO").read()
sys.exit(0 if ok and "features=https,identity,trust\n" in info else 1)' "$fp" "$T/out-trust"
}

# Run the selected case groups ($1: the filter) and print the summary.
main() {
	groups "${1-}" build strings config uefi-boot uefi-retry trust
	[ "$(id -u)" -eq 0 ] || { echo "tests/ipxe/run.sh needs root (netns, tap)" >&2; exit 2; }
	ensure_packages qemu-system-x86 ovmf dnsmasq-base iproute2
	build_binaries
	if selected build; then test_build; fi
	if [ -f "${OUT:-}/ipxe.efi" ] && [ -f "$OUT/BUILD-INFO" ]; then
		SOURCE=$(info source)
		if selected strings; then test_strings; fi
		if selected config; then test_config_reaches_build; fi
		if selected uefi-boot; then test_qemu_uefi; fi
		if selected uefi-retry; then test_qemu_retry; fi
		if selected trust; then test_trust; fi
	else
		fail boot-tests "no binaries to test"
	fi
	finish
}

main "$@"
