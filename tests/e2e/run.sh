#!/usr/bin/env bash
# tests/e2e/run.sh -- end-to-end network boots in QEMU through the patched dnsmasq.
#
# Usage: tests/e2e/run.sh [CASE | --list]   (as root: network namespace, tap
#        devices; CASE: a glob over the case names below)
#
# One network namespace holds a bridge (br0, 10.213.90.1/24), the patched
# dnsmasq (build/bin/dnsmasq, DHCP + TFTP) with an inventory compiled by
# build/bin/pxeinv from a test tree, and python3's http.server standing in for
# the Talos image factory: a Debian kernel and a busybox initramfs at
# /image/<schematicID>/<talosVersion>/{kernel-amd64,initramfs-amd64.xz}. The
# initramfs prints /proc/cmdline on the serial port and powers off. QEMU
# guests (TCG) PXE-boot on tap devices on the bridge; each case reads the
# serial console, dnsmasq's --log-dhcp output and the HTTP access log.
#
# Cases (guests run two at a time):
#   uefi        OVMF's own PXE client -> snponly.efi -> node script -> kernel
#   bios        SeaBIOS: its NIC ROM is iPXE, so dnsmasq hands it the node
#               script directly (no ipxe.pxe)
#   chassis     two guests with one chassis serial and two board serials; one
#               is known by MAC, the other only by board serial (found by the
#               fallback dispatcher when iPXE cannot report it)
#   two-nics    boots from its second NIC (the first is on a dead network)
#   unknown     exits to the next boot device; no kernel is fetched
#   no-install  install: false exits
#   reload      pxeinv compile + SIGHUP, no restart: the next boot gets the new args
#   mirror      pxeinv mirror copies the stand-in factory, which stops; the
#               copy, served on another port, boots a guest (--image-base-url)
#   serial-only SeaBIOS (its NIC ROM, QEMU's iPXE, reports no serial) whose
#               node (install: once) is known only by its SMBIOS serial:
#               fallback.ipxe fetches index/by-serial/SERIAL.ipxe, which
#               chains the node's script; booted again, the same entry runs
#               the hook's exit script and goes on to the next boot device
#
# Environment: KEEP=1 keeps the temporary directory (logs, consoles);
# E2E_CASES="uefi bios ..." runs a subset; PXEINV_BIN, PXEINV_DNSMASQ,
# PXEINV_IPXE_DIR as in tests/integration.
# Prints PASS/FAIL per case and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

E2E_NET=10.213.90
E2E_NAME=e2e
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/../lib/report.sh"
abort() { echo "run.sh: $*" >&2; fail setup "$*"; finish; }
groups "${1-}" uefi bios chassis two-nics unknown no-install reload mirror serial-only

[ "$(id -u)" = 0 ] || abort "needs root (network namespaces, tap devices)"
e2e_deps || abort "cannot install ${E2E_PKGS[*]}"
for f in "$PXEINV" "$DNSMASQ" "$IPXE_DIR/ipxe.efi"; do
	[ -e "$f" ] || { skip e2e "$f is missing (./build.sh all)"; finish; }
done
e2e_assets || abort "no kernel/initramfs (see above)"
e2e_setup || abort "cannot set up the network namespace"
IPXE_SOURCE=$(sed -n 's/^source=//p' "$IPXE_DIR/BUILD-INFO" 2>/dev/null)
echo "# iPXE binaries: ${IPXE_SOURCE:-unknown} ($IPXE_DIR); kernel: $(cat "$E2E_CACHE/vmlinuz.source" 2>/dev/null)"

SCH=376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba
VER=v1.9.5
OUT=$T/out
NODES=$T/nodes
CASES=${E2E_CASES:-"uefi bios chassis two-nics unknown no-install reload mirror serial-only"}
want() { selected "$1" && [[ " $CASES " == *" $1 "* ]]; }

# --- the test inventory ---------------------------------------------------
mkdir -p "$NODES/lab"
cat >"$NODES/_defaults.yaml" <<EOF
schematicID: $SCH
talosVersion: $VER
imageBaseURL: http://$SRV:$HTTP_PORT/image
kernelArgs: talos.platform=metal console=tty0 console=ttyS0
dns0: 10.213.90.1
ntp: 10.213.90.1
install: false
netmask: 255.255.255.0
gateway: $SRV
interface: eth0
EOF
node() { # node NAME LINES...
	local n=$1
	shift
	printf '%s\n' "$@" >"$NODES/lab/$n.yaml"
}
node uefi 'mac: "52:54:00:e2:01:01"' 'uuid: 11111111-2222-3333-4444-000000000101' "ip: $E2E_NET.11" \
	'install: true' 'extraKernelArgs: e2e.case=uefi'
node bios 'mac: "52:54:00:e2:02:01"' "ip: $E2E_NET.12" 'vlan: 12' 'install: true' 'extraKernelArgs: e2e.case=bios'
# one chassis, two boards: c1 also has a MAC, c2 only its board serial
node chassis-1 'serial: E2E-CHASSIS-3' 'boardSerial: E2E-BOARD-3A' 'mac: "52:54:00:e2:03:01"' \
	"ip: $E2E_NET.31" 'install: true' 'extraKernelArgs: e2e.case=chassis-1'
node chassis-2 'serial: E2E-CHASSIS-3' 'boardSerial: E2E-BOARD-3B' \
	"ip: $E2E_NET.32" 'install: true' 'extraKernelArgs: e2e.case=chassis-2'
node two-nics 'mac:' '  - "52:54:00:e2:04:01"' '  - "52:54:00:e2:04:02"' "ip: $E2E_NET.41" \
	'install: true' 'extraKernelArgs: e2e.case=two-nics'
node no-install 'mac: "52:54:00:e2:06:01"' "ip: $E2E_NET.61" 'install: false'
# known only by its SMBIOS serial (no MAC, no UUID), installed once
node serial-only 'serial: E2E-SERIAL-7' "ip: $E2E_NET.71" 'install: once' 'extraKernelArgs: e2e.case=serial-only'

# The hook records every boot (run as nobody, like dnsmasq itself)
HOOK=${PXEINV_HOOK:-$E2E_ROOT/build/bin/pxeinv-hook}
STATE=$T/state
mkdir -p "$STATE"
chown nobody:nogroup "$STATE"
export PXEINV_STATE_DIR=$STATE

# IMAGE_BASE: compile --image-base-url (the mirror case)
IMAGE_BASE=
compile() {
	"$PXEINV" compile -q --ipxe-dir "$IPXE_DIR" --hook "$HOOK" \
		${IMAGE_BASE:+--image-base-url "$IMAGE_BASE"} \
		--state-dir "$STATE" "$NODES" "$OUT" 2>"$T/compile.err" &&
		chmod -R a+rX "$OUT"
}
compile || abort "pxeinv compile: $(cat "$T/compile.err")"

cat >"$T/dnsmasq.conf" <<EOF
port=0
interface=br0
bind-interfaces
user=nobody
group=nogroup
dhcp-range=$E2E_NET.100,$E2E_NET.199,255.255.255.0,10m
dhcp-leasefile=$T/leases
dhcp-authoritative
log-dhcp
dhcp-scriptuser=nobody
conf-file=$OUT/pxe-inventory.conf
EOF

e2e_http "$SCH" "$VER" || abort "HTTP server did not start: $(cat "$T/http.log")"
e2e_dnsmasq "$T/dnsmasq.conf" || abort "dnsmasq did not start: $(cat "$T/dnsmasq.err")"
grep -q 'pxe-inventory: loaded' "$DNSMASQ_LOG" || abort "dnsmasq did not load the inventory"
DNSMASQ_PID0=$DNSMASQ_PID
KURL_RE="GET /image/$SCH/$VER/kernel-amd64 "
IURL_RE="GET /image/$SCH/$VER/initramfs-amd64.xz "

# --- helpers --------------------------------------------------------------
tapn=0
# nic MAC [BRIDGE] [BOOTINDEX] [ROMFILE]: -netdev/-device arguments for one NIC
nic() {
	local mac=$1 br=${2:-br0} bi=${3:-} rom= tap
	[ $# -ge 4 ] && rom=",romfile=$4"
	tapn=$((tapn + 1))
	tap=tap$tapn
	e2e_tap "$tap" "$br" || return 1
	NIC=(-netdev "tap,id=n$tapn,ifname=$tap,script=no,downscript=no"
		-device "virtio-net-pci,netdev=n$tapn,mac=$mac$rom${bi:+,bootindex=$bi}")
}

# xids of the DHCP exchanges of MAC, as a grep -E alternative
xids() { grep -E "DHCP(DISCOVER|REQUEST)\(br0\) ([0-9.]+ )?$1" "$DNSMASQ_LOG" | awk '{print $5}' | sort -u | paste -sd'|'; }
# pxe-inventory decisions logged for MAC
decisions() {
	local x
	x=$(xids "$1")
	[ -n "$x" ] || return 0
	grep -E "dnsmasq-dhcp\[[0-9]+\]: ($x) pxe-inventory:" "$DNSMASQ_LOG" | sed 's/.*pxe-inventory: //' | uniq
}

# check_cmdline CASE GUEST SCRIPT FIRMWARE: the printed command line is the rendered one.
# iPXE EFI starts the kernel as an EFI image and puts the image name first in
# its load options (argv[0], here "kernel-amd64", the URL's last segment);
# iPXE BIOS passes the arguments unchanged. Nothing else (no initrd=, no
# BOOT_IMAGE=) is accepted.
check_cmdline() {
	local c=$1 g=$2 script=$3 fw=$4 want got
	want=$(e2e_rendered "$script")
	[ "$fw" = uefi ] && want="kernel-amd64 $want"
	got=$(e2e_cmdline "$g")
	if [ -z "$got" ]; then
		fail "$c" "no kernel command line on $g's console"
		e2e_tail "$g"
		return 1
	fi
	if [ "$got" != "$want" ]; then
		fail "$c" "kernel command line differs: got [$got], want [$want]"
		return 1
	fi
	return 0
}

# --- cases ----------------------------------------------------------------
# Each case is start_X (starts its guests) and check_X (waits, asserts).

start_uefi() {
	nic 52:54:00:e2:01:01 br0 1 "" && e2e_guest uefi uefi "${NIC[@]}" \
		-smbios type=1,serial=E2E-UEFI-1 -smbios type=2,serial=E2E-UEFI-1B \
		-uuid 11111111-2222-3333-4444-000000000101
}
check_uefi() {
	local c=uefi d
	e2e_wait_guest uefi 200 || { fail $c "guest did not power off within 200 s"; e2e_tail uefi; return; }
	d=$(decisions 52:54:00:e2:01:01)
	grep -q 'node=uefi matched=mac stage=firmware install=yes file=snponly.efi' <<<"$d" ||
		{ fail $c "firmware stage not steered to snponly.efi: $d"; return; }
	grep -q 'sent .*/tftp/snponly.efi to' "$DNSMASQ_LOG" || { fail $c "snponly.efi not sent over TFTP"; return; }
	grep -q 'node=uefi matched=mac stage=ipxe install=yes file=pxeinv/nodes/uefi.ipxe' <<<"$d" ||
		{ fail $c "iPXE stage not steered to the node script: $d"; return; }
	grep -q 'sent .*/tftp/pxeinv/nodes/uefi.ipxe to' "$DNSMASQ_LOG" || { fail $c "node script not sent"; return; }
	grep -q "$KURL_RE" "$T/http.log" && grep -q "$IURL_RE" "$T/http.log" ||
		{ fail $c "kernel/initramfs not fetched over HTTP"; return; }
	grep -a -q "$MARK_START" "$T/uefi.serial" || { fail $c "kernel did not start"; return; }
	check_cmdline $c uefi "$OUT/tftp/pxeinv/nodes/uefi.ipxe" uefi || return
	pass $c
}

start_bios() {
	# QEMU's own virtio ROM (iPXE) is the firmware PXE client
	nic 52:54:00:e2:02:01 br0 1 && e2e_guest "bios${1:-}" bios "${NIC[@]}" -smbios type=1,serial=E2E-BIOS-2
}
check_bios() {
	local c=bios d
	e2e_wait_guest bios 150 || { fail $c "guest did not power off within 150 s"; e2e_tail bios; return; }
	d=$(decisions 52:54:00:e2:02:01)
	# What really happens: SeaBIOS has no PXE client; the NIC's option ROM
	# is iPXE (it sends option 175), so its very first request is steered
	# to the node script. The firmware stage (ipxe.pxe) never happens.
	[ "$(head -n 1 <<<"$d")" = "node=bios matched=mac stage=ipxe install=yes file=pxeinv/nodes/bios.ipxe" ] ||
		{ fail $c "first request not steered to the node script: $d"; return; }
	grep -q 'stage=firmware' <<<"$d" && { fail $c "unexpected firmware stage: $d"; return; }
	grep -q 'sent .*/tftp/ipxe.pxe to' "$DNSMASQ_LOG" && { fail $c "ipxe.pxe was fetched"; return; }
	grep -a -q "$MARK_START" "$T/bios.serial" || { fail $c "kernel did not start"; return; }
	check_cmdline $c bios "$OUT/tftp/pxeinv/nodes/bios.ipxe" bios || return
	pass $c
}

start_chassis() {
	nic 52:54:00:e2:03:01 br0 1 "" && e2e_guest chassis-1 uefi "${NIC[@]}" \
		-smbios type=1,serial=E2E-CHASSIS-3 -smbios type=2,serial=E2E-BOARD-3A \
		-uuid 11111111-2222-3333-4444-000000000301 &&
		nic 52:54:00:e2:03:02 br0 1 "" && e2e_guest chassis-2 uefi "${NIC[@]}" \
		-smbios type=1,serial=E2E-CHASSIS-3 -smbios type=2,serial=E2E-BOARD-3B \
		-uuid 11111111-2222-3333-4444-000000000302
}
check_chassis() {
	local c=chassis d1 d2 ok=1 l
	e2e_wait_guest chassis-1 220 || { fail $c "chassis-1 did not power off"; e2e_tail chassis-1; ok=0; }
	e2e_wait_guest chassis-2 60 || { fail $c "chassis-2 did not power off"; e2e_tail chassis-2; ok=0; }
	[ $ok = 1 ] || return
	d1=$(decisions 52:54:00:e2:03:01)
	d2=$(decisions 52:54:00:e2:03:02)
	grep -q 'node=chassis-1 matched=mac stage=ipxe install=yes file=pxeinv/nodes/chassis-1.ipxe' <<<"$d1" ||
		{ fail $c "chassis-1 not identified by MAC: $d1"; return; }
	# chassis-2 is known only by its board serial: an iPXE that reports it
	# (our build) is matched by dnsmasq; one that cannot (the Debian
	# fallback) gets the fallback dispatcher, which finds it by
	# ${serial}_${board-serial}.
	if grep -E -q 'node=chassis-2 matched=(serial\+board|board-serial) stage=ipxe' <<<"$d2"; then
		echo "# chassis-2: identified by dnsmasq from the board serial iPXE reported"
	elif grep -q 'stage=ipxe install=unknown file=pxeinv/fallback.ipxe\|stage=ipxe .*file=pxeinv/fallback.ipxe' <<<"$d2"; then
		echo "# chassis-2: dnsmasq handed the fallback dispatcher (iPXE reports no board serial)"
		grep -q 'sent .*/tftp/pxeinv/nodes/chassis-2.ipxe to' "$DNSMASQ_LOG" ||
			{ fail $c "the fallback did not chain chassis-2.ipxe"; return; }
	else
		fail $c "chassis-2 neither matched by board serial nor handed the fallback: $d2"
		return
	fi
	check_cmdline $c chassis-1 "$OUT/tftp/pxeinv/nodes/chassis-1.ipxe" uefi || return
	check_cmdline $c chassis-2 "$OUT/tftp/pxeinv/nodes/chassis-2.ipxe" uefi || return
	# the board-serial path of the lookup dnsmasq runs, as our iPXE reports it
	l=$("$PXEINV" lookup "$OUT" --serial E2E-CHASSIS-3 --board-serial E2E-BOARD-3B --ipxe --json 2>&1)
	grep -q '"node": *"chassis-2"' <<<"$l" && grep -q '"matched": *"serial+board"' <<<"$l" ||
		{ fail $c "pxeinv lookup --board-serial E2E-BOARD-3B: $l"; return; }
	l=$("$PXEINV" lookup "$OUT" --serial E2E-CHASSIS-3 --board-serial E2E-BOARD-3A --ipxe --json 2>&1)
	grep -q '"node": *"chassis-1"' <<<"$l" || { fail $c "pxeinv lookup --board-serial E2E-BOARD-3A: $l"; return; }
	pass $c
}

start_two_nics() {
	# First NIC on a dead network (a tap on no bridge), not in the boot
	# order; the second NIC, on the boot network, is the boot device.
	local a b
	nic 52:54:00:e2:04:01 none "" "" && a=("${NIC[@]}") &&
		nic 52:54:00:e2:04:02 br0 1 "" && b=("${NIC[@]}") &&
		e2e_guest two-nics uefi "${a[@]}" "${b[@]}" -smbios type=1,serial=E2E-TWO-NICS-4
}
check_two_nics() {
	local c=two-nics d
	e2e_wait_guest two-nics 200 || { fail $c "guest did not power off within 200 s"; e2e_tail two-nics; return; }
	[ -z "$(xids 52:54:00:e2:04:01)" ] || { fail $c "the dead NIC reached dnsmasq"; return; }
	d=$(decisions 52:54:00:e2:04:02)
	grep -q 'node=two-nics matched=mac stage=firmware install=yes file=snponly.efi' <<<"$d" &&
		grep -q 'node=two-nics matched=mac stage=ipxe install=yes file=pxeinv/nodes/two-nics.ipxe' <<<"$d" ||
		{ fail $c "second MAC not steered through both stages: $d"; return; }
	check_cmdline $c two-nics "$OUT/tftp/pxeinv/nodes/two-nics.ipxe" uefi || return
	pass $c
}

# no_kernel CASE GUEST MESSAGE: the guest printed MESSAGE, went on to the
# next boot device (SeaBIOS: "No bootable device"), fetched no kernel.
no_kernel() {
	local c=$1 g=$2 msg=$3
	if ! e2e_wait_for "$g" "$msg" 150; then
		fail "$c" "no \"$msg\" on the console"
		e2e_tail "$g"
		return 1
	fi
	e2e_wait_for "$g" 'No bootable device|Booting from Hard Disk' 30 ||
		{ fail "$c" "did not go on to the next boot device"; e2e_tail "$g"; return 1; }
	e2e_kill_guest "$g"
	grep -a -q "$MARK_START" "$T/$g.serial" && { fail "$c" "a kernel started"; return 1; }
	return 0
}

start_unknown() {
	nic 52:54:00:e2:05:01 br0 1 && e2e_guest unknown bios "${NIC[@]}" \
		-smbios type=1,serial=E2E-NOBODY-5 -uuid 11111111-2222-3333-4444-000000000501
}
check_unknown() {
	local c=unknown d
	no_kernel $c unknown 'pxeinv: unknown machine' || return
	d=$(decisions 52:54:00:e2:05:01)
	grep -q 'stage=ipxe .*file=pxeinv/fallback.ipxe' <<<"$d" || { fail $c "not handed the fallback: $d"; return; }
	grep -a 'pxeinv: unknown machine' "$T/unknown.serial" | tr -d '\r' | head -n 1 | sed 's/^/# /'
	# the hook recorded it: `pxeinv status` lists it as unknown, with a stub
	for _ in $(seq 50); do
		"$PXEINV" status --state-dir "$STATE" >"$T/status.out" 2>&1
		grep -q '52:54:00:e2:05:01' "$T/status.out" && break
		sleep 0.2
	done
	if ! awk '/^[Uu]nknown/ { u = 1 } u && /52:54:00:e2:05:01/ { f = 1 } END { exit !f }' \
		"$T/status.out"; then
		fail $c "not listed as unknown by pxeinv status: $(head -c 600 "$T/status.out")"
		return
	fi
	pass $c
}

start_no_install() {
	nic 52:54:00:e2:06:01 br0 1 && e2e_guest no-install bios "${NIC[@]}" -smbios type=1,serial=E2E-NOINST-6
}
check_no_install() {
	local c=no-install d
	no_kernel $c no-install 'pxeinv: no-install is not to be installed \(install: false\)' || return
	d=$(decisions 52:54:00:e2:06:01)
	grep -q 'node=no-install matched=mac stage=ipxe install=no' <<<"$d" || { fail $c "not steered as install=no: $d"; return; }
	pass $c
}

# reload: change bios' arguments, compile, SIGHUP; the same dnsmasq hands out the new script.
prepare_reload() {
	sed -i 's/^extraKernelArgs: e2e.case=bios$/extraKernelArgs: e2e.case=bios e2e.reloaded=yes/' "$NODES/lab/bios.yaml"
	compile || { fail reload "pxeinv compile: $(cat "$T/compile.err")"; return 1; }
	grep -q 'e2e.reloaded=yes' "$OUT/tftp/pxeinv/nodes/bios.ipxe" || { fail reload "compile did not change the script"; return 1; }
	e2e_dnsmasq_hup || { fail reload "no reload logged after SIGHUP"; return 1; }
	[ "$DNSMASQ_PID" = "$DNSMASQ_PID0" ] && kill -0 "$DNSMASQ_PID" || { fail reload "dnsmasq restarted"; return 1; }
}
check_reload() {
	local c=reload
	e2e_wait_guest bios-reload 150 || { fail $c "guest did not power off"; e2e_tail bios-reload; return; }
	check_cmdline $c bios-reload "$OUT/tftp/pxeinv/nodes/bios.ipxe" bios || return
	grep -q 'e2e.reloaded=yes' <<<"$(e2e_cmdline bios-reload)" || { fail $c "old arguments"; return; }
	kill -0 "$DNSMASQ_PID0" 2>/dev/null || { fail $c "dnsmasq exited"; return; }
	pass $c
}

# --- run, two guests at a time ---------------------------------------------
t0=$SECONDS
step() { echo "# [$((SECONDS - t0)) s] $*"; }
if want uefi || want bios; then
	step "uefi + bios"
	want uefi && { start_uefi || fail uefi "cannot start the guest"; }
	want bios && { start_bios || fail bios "cannot start the guest"; }
	want uefi && check_uefi
	want bios && check_bios
fi
if want chassis; then
	step "chassis (two guests)"
	if start_chassis; then check_chassis; else fail chassis "cannot start the guests"; fi
fi
if want two-nics || want unknown; then
	step "two-nics + unknown"
	want two-nics && { start_two_nics || fail two-nics "cannot start the guest"; }
	want unknown && { start_unknown || fail unknown "cannot start the guest"; }
	want two-nics && check_two_nics
	want unknown && check_unknown
fi
if want no-install || want reload; then
	step "no-install + reload"
	if want reload && prepare_reload; then
		start_bios -reload || fail reload "cannot start the guest"
		reload_started=1
	fi
	want no-install && { start_no_install || fail no-install "cannot start the guest"; }
	want no-install && check_no_install
	[ -n "${reload_started:-}" ] && check_reload
fi
# serial-only: SeaBIOS's NIC ROM is iPXE without our script, so it reports
# no serial; its MAC and UUID are in no node. dnsmasq hands it fallback.ipxe,
# which fetches index/by-serial/E2E-SERIAL-7.ipxe, which chains the node's
# script: three TFTP fetches, then the kernel. The node is install: once:
# the hook marks it, and the same guest booted again gets the same entry,
# which now runs the hook's exit script and stops there.
start_serial_only() { # start_serial_only [NAME-SUFFIX]
	nic 52:54:00:e2:07:01 br0 1 && e2e_guest "serial-only${1:-}" bios "${NIC[@]}" \
		-smbios type=1,serial=E2E-SERIAL-7 -uuid 11111111-2222-3333-4444-000000000701
}
# serial_only_sent: the TFTP files the case's scripts involve, in the order
# dnsmasq sent them to the addresses it acknowledged to the guest's MAC
# (other guests fetch fallback.ipxe too)
serial_only_sent() {
	local ips
	ips=$(sed -n 's/.*DHCPACK(br0) \([0-9.]*\) 52:54:00:e2:07:01.*/\1/p' "$DNSMASQ_LOG" |
		sort -u | sed 's/\./\\./g' | paste -sd'|')
	[ -n "$ips" ] || return 0
	grep -E "sent $OUT/tftp/[^ ]+ to ($ips)\$" "$DNSMASQ_LOG" |
		sed -n "s|.*sent $OUT/tftp/\([^ ]*\) to .*|\1|p" |
		grep -E '^(ipxe\.conf|pxeinv/(fallback\.ipxe|index/.*|nodes/.*|installed/.*))$'
}
check_serial_only() {
	local c=serial-only d sent idx=pxeinv/index/by-serial/E2E-SERIAL-7.ipxe
	e2e_wait_guest serial-only 150 || { fail $c "guest did not power off within 150 s"; e2e_tail serial-only; return; }
	d=$(decisions 52:54:00:e2:07:01)
	grep -q 'stage=ipxe .*file=pxeinv/fallback.ipxe' <<<"$d" || { fail $c "not handed the fallback: $d"; return; }
	grep -q 'node=serial-only' <<<"$d" && { fail $c "dnsmasq identified it (the case needs the fallback): $d"; return; }
	sent=$(serial_only_sent)
	[ "$sent" = "$(printf '%s\n' pxeinv/fallback.ipxe "$idx" pxeinv/nodes/serial-only.ipxe)" ] ||
		{ fail $c "TFTP fetches: $(tr '\n' ' ' <<<"$sent")"; return; }
	[ -f "$OUT/tftp/$idx" ] || { fail $c "no index entry $idx in the tree"; return; }
	grep -a -q "$MARK_START" "$T/serial-only.serial" || { fail $c "kernel did not start"; e2e_tail serial-only; return; }
	check_cmdline $c serial-only "$OUT/tftp/pxeinv/nodes/serial-only.ipxe" bios || return
	echo "# serial-only: fallback.ipxe $(stat -c %s "$OUT/tftp/pxeinv/fallback.ipxe") bytes, index entry $(stat -c %s "$OUT/tftp/$idx") bytes"
	# the hook marked it: the second boot goes through the exit script
	for _ in $(seq 50); do [ -e "$STATE/once/serial-only" ] && break; sleep 0.2; done
	[ -e "$STATE/once/serial-only" ] || { fail $c "the hook did not mark the boot-once node"; return; }
	start_serial_only -again || { fail $c "cannot start the guest again"; return; }
	no_kernel $c serial-only-again 'pxeinv: serial-only was installed' || return
	sent=$(serial_only_sent)
	[ "$sent" = "$(printf '%s\n' pxeinv/fallback.ipxe "$idx" pxeinv/nodes/serial-only.ipxe \
		pxeinv/fallback.ipxe "$idx" pxeinv/installed/serial-only.ipxe)" ] ||
		{ fail $c "TFTP fetches after the install: $(tr '\n' ' ' <<<"$sent")"; return; }
	pass $c
}
if want serial-only; then
	step "serial-only"
	if start_serial_only; then check_serial_only; else fail serial-only "cannot start the guest"; fi
fi
# mirror: pxeinv mirror copies the stand-in factory's files, the stand-in
# stops, the copy is served on another port and path, and a guest boots
# from it alone (compile --image-base-url).
MIRROR_PID=
prepare_mirror() {
	local c=mirror
	mkdir -p "$T/srv"
	ip netns exec "$NS" "$PXEINV" mirror "$NODES" "$T/srv/talos-mirror" 2>"$T/mirror.err" ||
		{ fail $c "pxeinv mirror: $(cat "$T/mirror.err")"; return 1; }
	proc_stop HTTP_PID
	chmod -R a+rX "$T/srv"
	ip netns exec "$NS" python3 -u -m http.server 8081 --bind "$SRV" --directory "$T/srv" \
		</dev/null >"$T/mirror-http.log" 2>&1 &
	MIRROR_PID=$!
	proc_wait_log "$T/mirror-http.log" 'Serving HTTP' "$MIRROR_PID" ||
		{ fail $c "the mirror's HTTP server did not start"; return 1; }
	IMAGE_BASE=http://$SRV:8081/talos-mirror
	compile || { fail $c "pxeinv compile: $(cat "$T/compile.err")"; return 1; }
	grep -q "^kernel http://$SRV:8081/talos-mirror/$SCH/$VER/kernel-amd64 " "$OUT/tftp/pxeinv/nodes/uefi.ipxe" ||
		{ fail $c "the script does not point at the mirror"; return 1; }
	e2e_dnsmasq_hup || { fail $c "no reload logged after SIGHUP"; return 1; }
	: >"$T/http.log"
}
check_mirror() {
	local c=mirror
	e2e_wait_guest uefi-mirror 200 || { fail $c "guest did not power off within 200 s"; e2e_tail uefi-mirror; return; }
	grep -q "GET /talos-mirror/$SCH/$VER/kernel-amd64 " "$T/mirror-http.log" &&
		grep -q "GET /talos-mirror/$SCH/$VER/initramfs-amd64.xz " "$T/mirror-http.log" ||
		{ fail $c "kernel/initramfs not fetched from the mirror: $(tail -n 5 "$T/mirror-http.log")"; return; }
	[ ! -s "$T/http.log" ] && [ -z "$HTTP_PID" ] || { fail $c "the stand-in factory was still asked"; return; }
	check_cmdline $c uefi-mirror "$OUT/tftp/pxeinv/nodes/uefi.ipxe" uefi || return
	pass $c
}
if want mirror; then
	step "mirror"
	if prepare_mirror; then
		if nic 52:54:00:e2:01:01 br0 1 "" && e2e_guest uefi-mirror uefi "${NIC[@]}" \
			-smbios type=1,serial=E2E-UEFI-1 -smbios type=2,serial=E2E-UEFI-1B \
			-uuid 11111111-2222-3333-4444-000000000101; then
			check_mirror
		else fail mirror "cannot start the guest"; fi
	fi
	proc_stop MIRROR_PID
fi
step "done"
finish
