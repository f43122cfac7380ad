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
#   proxy-uefi  proxy DHCP beside a foreign server (busybox udhcpd hands out
#               the addresses; dnsmasq runs dhcp-range=NET,proxy and the
#               fragment of compile --proxy): OVMF's PXE -> snponly.efi ->
#               node script -> kernel, every answer with next-server
#   proxy-bios  the same for SeaBIOS's iPXE ROM (it ignores a ProxyDHCP
#               answer without next-server)
#   proxy-service  proxy-uefi with pxe-service lines for x86PC and
#               x86-64_EFI (one service per architecture used to make
#               dnsmasq hand iPXE the service file again: a boot loop)
#   arm64       AAVMF (qemu-system-aarch64 -M virt) PXE -> arm64/ipxe.efi ->
#               node script -> Debian's arm64 kernel (an uncompressed Image,
#               as the factory's kernel-arm64) and an arm64 busybox initramfs
#   uki         uki: true: OVMF PXE -> snponly.efi -> node script -> a UKI
#               (systemd-boot's stub, the Debian kernel and initramfs) that
#               gets the node's arguments from iPXE, not its own .cmdline
#   bad-kernel  the node's kernel is not bootable: each of the script's 4
#               attempts fetches it once, then the guest exits to the next
#               boot device
#   relay       a second subnet (bridge brrelay) behind a router namespace
#               running Debian's stock dnsmasq as a DHCP relay only; the
#               patched dnsmasq serves that subnet's dhcp-range through it, and
#               the guest reaches TFTP and the factory through the router.
#               SeaBIOS: one DHCP exchange per boot (its ROM is iPXE), the
#               fastest boot, and the relay is the same for any firmware
#   active-active  two patched servers (namespaces aa1, aa2) on one segment
#               (bridge braa), the same inventory compiled twice with a state
#               directory each, disjoint ranges; the guest boots with both up,
#               then again with the server that answered it stopped. Each
#               server logs one decision per reply it sent. SeaBIOS: one DHCP
#               exchange per boot, so one server serves a whole boot
#   https-upgrade  SeaBIOS with QEMU's own iPXE ROM (bookworm, no HTTPS) and a
#               node whose imageBaseURL is https://: dnsmasq hands the ROM
#               ipxe.pxe, whose DHCP (HTTPS in option 175, read off br0) then
#               gets the node script, and its kernel request reaches a
#               stand-in HTTPS factory (self-signed: our iPXE refuses it, as
#               expected); the same guest with an http:// node boots its
#               kernel with no ipxe.pxe. SeaBIOS because the ROM being
#               upgraded is a BIOS NIC ROM
#   mirror      pxeinv mirror copies the stand-in factory, which stops; the
#               copy, served on another port, boots a guest (--image-base-url)
#   serial-only SeaBIOS (its NIC ROM, QEMU's iPXE, reports no serial) whose
#               node (install: once) is known only by its SMBIOS serial:
#               fallback.ipxe fetches index/by-serial/SERIAL.ipxe, which
#               chains the node's script; booted again, the same entry runs
#               the hook's exit script and goes on to the next boot device
#   http-boot   UEFI HTTP boot with UDP/69 dropped in the namespace for the
#               whole boot (compile --http-url; OUT_DIR/tftp served by a
#               second HTTP server): OVMF's PXEv4 fails, its HTTPv4 option
#               loads snponly.efi over HTTP, iPXE gets its node script as a
#               URL; TFTP serves nothing
#   proxy-httpboot  http-boot through a proxy-DHCP dnsmasq beside busybox
#               udhcpd (compile --proxy --http-url): the URLs come in proxy
#               answers, whose file field holds them (no option 67)
#   ipv6-pxe    IPv6 only (bridge brv6: an IPv6 ULA, router advertisements
#               and a DHCPv6 range of a second patched dnsmasq, no IPv4
#               address, no DHCPv4 server): OVMF's PXEv6 -> snponly.efi over
#               TFTP -> node script and kernel over HTTP on IPv6
#   ipv6-http   the same segment, OVMF's HTTPv6 (its PXEv6 attempt fails
#               first: its TFTP is refused) -> snponly.efi, node script and
#               kernel over HTTP on IPv6; the node is known by its UUID only
#
# Environment: KEEP=1 keeps the temporary directory (logs, consoles);
# E2E_CASES="uefi bios ..." runs a subset; PXEINV_BIN, PXEINV_DNSMASQ,
# PXEINV_IPXE_DIR as in tests/integration; E2E_ARM64_WAIT bounds the arm64
# guest's boot (default 540 s; 24-107 s measured under TCG here).
# Prints PASS/FAIL per case and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

E2E_NET=10.213.90
E2E_NAME=e2e
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/../lib/report.sh"
abort() { echo "run.sh: $*" >&2; fail setup "$*"; finish; }
groups "${1-}" uefi bios chassis two-nics unknown no-install reload proxy-uefi proxy-bios proxy-service arm64 uki bad-kernel \
	relay active-active https-upgrade http-boot proxy-httpboot ipv6-pxe ipv6-http mirror serial-only

[ "$(id -u)" = 0 ] || abort "needs root (network namespaces, tap devices)"
E2E_PKGS+=("${E2E_PKGS_ARM64[@]}" "${E2E_PKGS_UKI[@]}")
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
CASES=${E2E_CASES:-"uefi bios chassis two-nics unknown no-install reload proxy-uefi proxy-bios proxy-service arm64 uki bad-kernel relay active-active https-upgrade http-boot proxy-httpboot ipv6-pxe ipv6-http mirror serial-only"}
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
node serial-only 'serial: E2E-SERIAL-7' "ip: $E2E_NET.75" 'install: once' 'extraKernelArgs: e2e.case=serial-only'
node http-boot 'mac: "52:54:00:e2:0a:01"' "ip: $E2E_NET.72" 'install: true' 'extraKernelArgs: e2e.case=http-boot'
# ipv6-pxe and ipv6-http: known by MAC (and UUID), and by UUID alone; static
# IPv6 addresses and the stand-in factory at its IPv6 address. The UUIDs are
# not symmetric under the SMBIOS byte swap (first three fields
# little-endian), so the order a DUID-UUID is read in shows in matched=.
V6_NET=fd00:e2e6:
V6_SRV=$V6_NET:1
V6_HTTP_PORT=8086
V6_BOOT_PORT=8087
v6_node() { # v6_node NAME HOST LINES...
	local n=$1 h=$2
	shift 2
	node "$n" "$@" "ip: $V6_NET:$h" 'netmask: 64' "gateway: $V6_SRV" \
		"imageBaseURL: http://[$V6_SRV]:$V6_HTTP_PORT/image" 'install: true' "extraKernelArgs: e2e.case=$n"
}
want ipv6-pxe && v6_node ipv6-pxe 16 'mac: "52:54:00:e2:10:01"' 'uuid: 12345678-9abc-def0-1234-56789abc1001'
want ipv6-http && v6_node ipv6-http 17 'uuid: 12345678-9abc-def0-1234-56789abc1002'
# arm64, uki, bad-kernel: their nodes are in the inventory only when their
# case runs (the mirror case copies every node's files)
VER_BAD=v1.9.5-e2e.badkernel
UKI_EMBEDDED="pxeinv.uki.embedded=1 console=ttyS0"
ARM64_OK=
if want arm64; then
	if e2e_assets_arm64; then
		echo "# arm64 kernel: $(cat "$E2E_CACHE/vmlinuz-arm64.source" 2>/dev/null)"
		node arm64 'mac: "52:54:00:e2:07:01"' 'arch: arm64' "ip: $E2E_NET.71" 'install: true' \
			'kernelArgs: talos.platform=metal console=ttyAMA0' 'extraKernelArgs: e2e.case=arm64'
		ARM64_OK=1
	else
		fail arm64 "no arm64 kernel/initramfs (see above)"
	fi
fi
want uki && node uki 'mac: "52:54:00:e2:08:01"' 'uki: true' "ip: $E2E_NET.81" 'install: true' \
	'extraKernelArgs: e2e.case=uki'
want bad-kernel && node bad-kernel 'mac: "52:54:00:e2:09:01"' "talosVersion: $VER_BAD" "ip: $E2E_NET.91" \
	'install: true' 'extraKernelArgs: e2e.case=bad-kernel'
# relay, active-active and https-upgrade: their subnets and nodes
RELAY_NET=10.213.93
RELAY_RT=$E2E_NET.250 # the router's address on br0
AA_NET=10.213.94
TLS_PORT=8443
# (in the inventory only when their case runs, as arm64's)
topology_nodes() {
	want relay && node relay 'mac: "52:54:00:e2:0d:01"' "ip: $RELAY_NET.21" "gateway: $RELAY_NET.1" \
		'install: true' 'extraKernelArgs: e2e.case=relay'
	want active-active && node aa 'mac: "52:54:00:e2:0e:01"' "ip: $AA_NET.21" "gateway: $AA_NET.254" \
		'install: true' 'extraKernelArgs: e2e.case=active-active'
	want https-upgrade && node https-up 'mac: "52:54:00:e2:0c:01"' "ip: $E2E_NET.73" "imageBaseURL: https://$SRV:$TLS_PORT/image" \
		'install: true' 'extraKernelArgs: e2e.case=https-upgrade'
	want https-upgrade && node https-off 'mac: "52:54:00:e2:0c:02"' "ip: $E2E_NET.74" \
		'install: true' 'extraKernelArgs: e2e.case=https-upgrade-http'
	return 0
}
topology_nodes

# The hook records every boot (run as nobody, like dnsmasq itself)
HOOK=${PXEINV_HOOK:-$E2E_ROOT/build/bin/pxeinv-hook}
STATE=$T/state
mkdir -p "$STATE"
chown nobody:nogroup "$STATE"
export PXEINV_STATE_DIR=$STATE

# IMAGE_BASE: compile --image-base-url (the mirror case); HTTP_URL:
# compile --http-url (the http-boot case)
IMAGE_BASE=
HTTP_URL=
compile() {
	"$PXEINV" compile -q --ipxe-dir "$IPXE_DIR" --hook "$HOOK" \
		${IMAGE_BASE:+--image-base-url "$IMAGE_BASE"} ${HTTP_URL:+--http-url "$HTTP_URL"} \
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
# relay: the relayed subnet's range (dnsmasq picks it by the relay's giaddr)
echo "dhcp-range=set:relayed,$RELAY_NET.100,$RELAY_NET.199,255.255.255.0,10m" >>"$T/dnsmasq.conf"

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
	[ "$(head -n 1 <<<"$d")" = "node=bios matched=mac stage=ipxe install=yes file=pxeinv/nodes/bios.ipxe next-server=$SRV" ] ||
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

# http-boot: compile --http-url, OUT_DIR/tftp served over HTTP on port 8082
# (its own access log), UDP/69 dropped in the namespace for the whole boot,
# as at a site where TFTP is blocked. OVMF tries its NIC's boot options in
# order (PXEv4, then HTTPv4; IPv6 is off: opt/org.tianocore/IPv6Support):
# PXEv4 gets snponly.efi's TFTP path and times out, HTTPv4 gets its URL.
BOOT_HTTP_PID=
prepare_http_boot() {
	local c=http-boot
	ip netns exec "$NS" iptables -I INPUT -p udp --dport 69 -j DROP ||
		{ fail $c "cannot drop UDP/69 in the namespace (iptables)"; return 1; }
	HTTP_URL=http://$SRV:8082
	compile || { fail $c "pxeinv compile --http-url: $(cat "$T/compile.err")"; return 1; }
	ip netns exec "$NS" python3 -u -m http.server 8082 --bind "$SRV" --directory "$OUT/tftp" \
		</dev/null >"$T/boot-http.log" 2>&1 &
	BOOT_HTTP_PID=$!
	proc_wait_log "$T/boot-http.log" 'Serving HTTP' "$BOOT_HTTP_PID" ||
		{ fail $c "the HTTP server of OUT_DIR/tftp did not start"; return 1; }
	e2e_dnsmasq_hup || { fail $c "no reload logged after SIGHUP"; return 1; }
	HB_LOG_FROM=$(($(wc -l <"$DNSMASQ_LOG") + 1))
}
start_http_boot() {
	nic 52:54:00:e2:0a:01 br0 1 "" && e2e_guest http-boot uefi "${NIC[@]}" \
		-fw_cfg name=opt/org.tianocore/IPv6Support,string=no -smbios type=1,serial=E2E-HTTP-7
}
check_http_boot() {
	local c=http-boot d tftp dropped
	e2e_wait_guest http-boot 300 || { fail $c "guest did not power off within 300 s"; e2e_tail http-boot; return; }
	d=$(decisions 52:54:00:e2:0a:01)
	grep -q "node=http-boot matched=mac stage=httpboot install=yes file=$HTTP_URL/snponly.efi" <<<"$d" ||
		{ fail $c "HTTP boot not steered to snponly.efi's URL: $d"; return; }
	grep -q "node=http-boot matched=mac stage=ipxe install=yes file=$HTTP_URL/pxeinv/nodes/http-boot.ipxe" <<<"$d" ||
		{ fail $c "iPXE not steered to the node script's URL: $d"; return; }
	grep -q '"GET /snponly.efi HTTP/1.1" 200' "$T/boot-http.log" ||
		{ fail $c "snponly.efi not fetched over HTTP: $(tail -n 5 "$T/boot-http.log")"; return; }
	grep -q '"GET /pxeinv/nodes/http-boot.ipxe HTTP/1.1" 200' "$T/boot-http.log" ||
		{ fail $c "node script not fetched over HTTP: $(tail -n 5 "$T/boot-http.log")"; return; }
	tftp=$(tail -n +"$HB_LOG_FROM" "$DNSMASQ_LOG" | grep 'dnsmasq-tftp')
	[ -z "$tftp" ] || { fail $c "TFTP served something: $tftp"; return; }
	# the firmware's PXEv4 attempt reached the namespace and was dropped
	dropped=$(ip netns exec "$NS" iptables -L INPUT -v -n -x | awk '/udp dpt:69/ { print $1 }')
	[ "${dropped:-0}" -gt 0 ] || { fail $c "no TFTP packet was dropped: PXEv4 did not try first"; return; }
	grep -q "$KURL_RE" "$T/http.log" && grep -q "$IURL_RE" "$T/http.log" ||
		{ fail $c "kernel/initramfs not fetched over HTTP"; return; }
	check_cmdline $c http-boot "$OUT/tftp/pxeinv/nodes/http-boot.ipxe" uefi || return
	echo "# http-boot: $dropped TFTP packets dropped; HTTP fetches: $(awk '/"GET / { print $7 }' "$T/boot-http.log" | paste -sd' ')"
	pass $c
}
finish_http_boot() {
	ip netns exec "$NS" iptables -D INPUT -p udp --dport 69 -j DROP 2>/dev/null
	proc_stop BOOT_HTTP_PID
	HTTP_URL=
	compile && e2e_dnsmasq_hup || fail http-boot "recompiling without --http-url failed"
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
# --- proxy DHCP beside a foreign DHCP server -----------------------------
# busybox udhcpd (another namespace on br0) leases the addresses; the
# patched dnsmasq is restarted as a proxy: dhcp-range=NET,proxy plus the
# fragment of `pxeinv compile --proxy`, nothing else by hand.
OUTP=$T/out-proxy
# prepare_proxy [LINES...]: (re)start dnsmasq as a proxy with extra LINES
prepare_proxy() {
	e2e_dnsmasq_stop
	if [ -z "$FOREIGN_PID" ]; then
		e2e_foreign_dhcp 150 170 || { echo "# udhcpd: $(cat "$T/udhcpd.log")" >&2; return 1; }
		"$PXEINV" compile -q --proxy --ipxe-dir "$IPXE_DIR" --hook "$HOOK" --state-dir "$STATE" \
			"$NODES" "$OUTP" 2>"$T/compile.err" && chmod -R a+rX "$OUTP" || return 1
	fi
	printf '%s\n' port=0 interface=br0 bind-interfaces user=nobody group=nogroup \
		"dhcp-range=$E2E_NET.0,proxy" log-dhcp dhcp-scriptuser=nobody \
		"conf-file=$OUTP/pxe-inventory.conf" "$@" >"$T/dnsmasq-proxy.conf"
	e2e_dnsmasq "$T/dnsmasq-proxy.conf"
}
# proxy_decisions NODE: the decision lines for NODE (no leases, no DHCPOFFER to match)
proxy_decisions() { grep -E "pxe-inventory: node=$1 " "$DNSMASQ_LOG" | sed 's/.*pxe-inventory: //' | sort -u; }
# check_proxy CASE GUEST NODE FW [FIRMWARE_FILE]: booted through the proxy
check_proxy() {
	local c=$1 g=$2 n=$3 fw=$4 bin=${5:-} d
	e2e_wait_guest "$g" 220 || { fail $c "guest did not power off within 220 s"; e2e_tail "$g"; return; }
	d=$(proxy_decisions "$n")
	grep -q 'DHCPOFFER\|DHCPACK' "$DNSMASQ_LOG" && { fail $c "the proxy handed out an address"; return; }
	if [ -n "$bin" ]; then
		grep -q "stage=firmware install=yes file=$bin next-server=$SRV\$" <<<"$d" ||
			{ fail $c "firmware stage not answered $bin with next-server $SRV: $d"; return; }
		grep -q "sent .*/tftp/$bin to" "$DNSMASQ_LOG" || { fail $c "$bin not sent over TFTP"; return; }
	fi
	grep -q "stage=ipxe install=yes file=pxeinv/nodes/$n.ipxe next-server=$SRV\$" <<<"$d" ||
		{ fail $c "iPXE stage not answered its script with next-server $SRV: $d"; return; }
	grep -q "sent .*/tftp/pxeinv/nodes/$n.ipxe to" "$DNSMASQ_LOG" || { fail $c "node script not sent"; return; }
	grep -q 'the reply carries file=' "$DNSMASQ_LOG" &&
		{ fail $c "$(grep 'the reply carries file=' "$DNSMASQ_LOG" | head -n 1)"; return; }
	grep -a -q "$MARK_START" "$T/$g.serial" || { fail $c "kernel did not start"; e2e_tail "$g"; return; }
	check_cmdline $c "$g" "$OUTP/tftp/pxeinv/nodes/$n.ipxe" "$fw" || return
	pass $c
}
if want proxy-uefi || want proxy-bios; then
	step "proxy-uefi + proxy-bios (beside udhcpd)"
	if prepare_proxy; then
		want proxy-uefi && { { nic 52:54:00:e2:01:01 br0 1 "" && e2e_guest proxy-uefi uefi "${NIC[@]}" \
			-smbios type=1,serial=E2E-UEFI-1 -uuid 11111111-2222-3333-4444-000000000101; } ||
			fail proxy-uefi "cannot start the guest"; }
		want proxy-bios && { { nic 52:54:00:e2:02:01 br0 1 && e2e_guest proxy-bios bios "${NIC[@]}"; } ||
			fail proxy-bios "cannot start the guest"; }
		want proxy-uefi && check_proxy proxy-uefi proxy-uefi uefi uefi snponly.efi
		want proxy-bios && check_proxy proxy-bios proxy-bios bios bios
	else
		for c in proxy-uefi proxy-bios; do want $c && fail $c "proxy setup: $(cat "$T/dnsmasq.err" "$T/compile.err" 2>/dev/null)"; done
	fi
fi
if want proxy-service; then
	step "proxy-service"
	if prepare_proxy 'pxe-service=x86PC,"Network boot",ipxe.pxe' \
		'pxe-service=x86-64_EFI,"Network boot",snponly.efi'; then
		if ! grep -q 'pxe-inventory: 2 pxe-service line(s) apply only to clients the inventory does not steer' "$DNSMASQ_LOG"; then
			fail proxy-service "no startup line about the pxe-service lines"
		elif nic 52:54:00:e2:01:01 br0 1 "" && e2e_guest proxy-service uefi "${NIC[@]}" \
			-smbios type=1,serial=E2E-UEFI-1 -uuid 11111111-2222-3333-4444-000000000101; then
			check_proxy proxy-service proxy-service uefi uefi snponly.efi
		else fail proxy-service "cannot start the guest"; fi
	else
		fail proxy-service "proxy setup: $(cat "$T/dnsmasq.err" "$T/compile.err" 2>/dev/null)"
	fi
fi
if want proxy-uefi || want proxy-bios || want proxy-service; then
	e2e_dnsmasq_stop
	e2e_foreign_dhcp_stop
	e2e_dnsmasq "$T/dnsmasq.conf" || abort "dnsmasq did not restart: $(cat "$T/dnsmasq.err")"
fi
# --- arm64, uki, bad-kernel ------------------------------------------------
# factory_extra: the files of those nodes in the stand-in factory: the arm64
# kernel and initramfs, a UKI built here, and a kernel that is not one.
UKI_OK=
BAD_OK=
factory_extra() {
	local d=$T/www/image/$SCH/$VER bad=$T/www/image/$SCH/$VER_BAD
	if [ -n "$ARM64_OK" ]; then
		cp "$E2E_CACHE/vmlinuz-arm64" "$d/kernel-arm64" &&
			cp "$E2E_CACHE/initramfs-arm64.xz" "$d/initramfs-arm64.xz" ||
			{ ARM64_OK=; fail arm64 "cannot copy the arm64 files into the stand-in factory"; }
	fi
	if want uki; then
		if e2e_uki "$d/metal-amd64-uki.efi" "$UKI_EMBEDDED"; then UKI_OK=1; else fail uki "cannot build the UKI"; fi
	fi
	if want bad-kernel; then
		# a text line first, so that no image type's magic can match by chance
		mkdir -p "$bad" &&
			{ echo "pxeinv e2e: not a kernel"; head -c 1048576 /dev/urandom; } >"$bad/kernel-amd64" &&
			cp "$E2E_CACHE/initramfs-amd64.xz" "$bad/initramfs-amd64.xz" && BAD_OK=1 ||
			fail bad-kernel "cannot write the bad kernel"
	fi
	chmod -R a+rX "$T/www"
}

# check_cmdline_efi CASE GUEST SCRIPT ARGV0: the printed command line is
# ARGV0 (the name iPXE gives the EFI image it starts: the URL's last
# segment) followed by the script's rendered arguments, and nothing else.
check_cmdline_efi() {
	local c=$1 g=$2 script=$3 want got
	want="$4 $(e2e_rendered "$script")"
	got=$(e2e_cmdline "$g")
	if [ -z "$got" ]; then
		fail "$c" "no kernel command line on $g's console"
		e2e_tail "$g"
		return 1
	fi
	[ "$got" = "$want" ] || { fail "$c" "kernel command line differs: got [$got], want [$want]"; return 1; }
}

start_arm64() {
	# romfile= (no iPXE ROM): AAVMF's own PXE client fetches arm64/ipxe.efi
	ARM64_T0=$SECONDS
	nic 52:54:00:e2:07:01 br0 1 "" && e2e_guest_arm64 arm64 "${NIC[@]}" \
		-smbios type=1,serial=E2E-ARM64-7 -uuid 11111111-2222-3333-4444-000000000701
}
check_arm64() {
	local c=arm64 d
	# TCG emulates arm64 on x86: firmware, iPXE and kernel are slow
	e2e_wait_guest arm64 "${E2E_ARM64_WAIT:-540}" ||
		{ fail $c "guest did not power off within ${E2E_ARM64_WAIT:-540} s"; e2e_tail arm64 25; return; }
	echo "# arm64: QEMU start to power-off in $((SECONDS - ARM64_T0)) s"
	d=$(decisions 52:54:00:e2:07:01)
	grep -q 'node=arm64 matched=mac stage=firmware install=yes file=arm64/ipxe.efi' <<<"$d" ||
		{ fail $c "firmware stage (client arch 11) not steered to arm64/ipxe.efi: $d"; return; }
	grep -q 'sent .*/tftp/arm64/ipxe.efi to' "$DNSMASQ_LOG" || { fail $c "arm64/ipxe.efi not sent over TFTP"; return; }
	# our script ran in the arm64 iPXE (embedded, or autoexec.ipxe)
	# (grep reads it all: grep -q would end the pipe early, and pipefail fail it)
	e2e_serial arm64 | grep -a 'pxeinv: iPXE .* efi/arm64 network boot' >/dev/null ||
		{ fail $c "pxeinv's iPXE script did not run on arm64"; e2e_tail arm64; return; }
	grep -q 'node=arm64 matched=mac stage=ipxe install=yes file=pxeinv/nodes/arm64.ipxe' <<<"$d" ||
		{ fail $c "iPXE stage not steered to the node script: $d"; return; }
	grep -q 'sent .*/tftp/pxeinv/nodes/arm64.ipxe to' "$DNSMASQ_LOG" || { fail $c "node script not sent"; return; }
	grep -q "GET /image/$SCH/$VER/kernel-arm64 " "$T/http.log" &&
		grep -q "GET /image/$SCH/$VER/initramfs-arm64.xz " "$T/http.log" ||
		{ fail $c "kernel-arm64/initramfs-arm64.xz not fetched over HTTP"; return; }
	grep -a -q "$MARK_START" "$T/arm64.serial" || { fail $c "kernel did not start"; return; }
	check_cmdline_efi $c arm64 "$OUT/tftp/pxeinv/nodes/arm64.ipxe" kernel-arm64 || return
	pass $c
}

start_uki() {
	nic 52:54:00:e2:08:01 br0 1 "" && e2e_guest uki uefi "${NIC[@]}" \
		-smbios type=1,serial=E2E-UKI-8 -uuid 11111111-2222-3333-4444-000000000801
}
check_uki() {
	local c=uki d
	e2e_wait_guest uki 200 || { fail $c "guest did not power off within 200 s"; e2e_tail uki; return; }
	grep -q "^kernel http://$SRV:$HTTP_PORT/image/$SCH/$VER/metal-amd64-uki.efi " "$OUT/tftp/pxeinv/nodes/uki.ipxe" &&
		! grep -q '^initrd ' "$OUT/tftp/pxeinv/nodes/uki.ipxe" ||
		{ fail $c "the node script does not boot metal-amd64-uki.efi alone: $(cat "$OUT/tftp/pxeinv/nodes/uki.ipxe")"; return; }
	d=$(decisions 52:54:00:e2:08:01)
	grep -q 'node=uki matched=mac stage=firmware install=yes file=snponly.efi' <<<"$d" &&
		grep -q 'node=uki matched=mac stage=ipxe install=yes file=pxeinv/nodes/uki.ipxe' <<<"$d" ||
		{ fail $c "not steered through both stages: $d"; return; }
	grep -q "GET /image/$SCH/$VER/metal-amd64-uki.efi " "$T/http.log" ||
		{ fail $c "metal-amd64-uki.efi not fetched over HTTP"; return; }
	grep -a -q "$MARK_START" "$T/uki.serial" || { fail $c "the UKI's kernel did not start"; e2e_tail uki; return; }
	# the node's arguments, from iPXE; not the UKI's own .cmdline
	case $(e2e_cmdline uki) in
	*pxeinv.uki.embedded=1*) fail $c "the UKI's own .cmdline reached the kernel: $(e2e_cmdline uki)"; return ;;
	esac
	check_cmdline_efi $c uki "$OUT/tftp/pxeinv/nodes/uki.ipxe" metal-amd64-uki.efi || return
	pass $c
}

start_bad_kernel() {
	nic 52:54:00:e2:09:01 br0 1 "" && e2e_guest bad-kernel uefi "${NIC[@]}" \
		-smbios type=1,serial=E2E-BAD-9 -uuid 11111111-2222-3333-4444-000000000901
}
# bad_kernel_next_boot: after the script exited, OVMF says that its PXEv4
# boot option ended and goes on to the next one
bad_kernel_next_boot() {
	e2e_serial bad-kernel | awk '/pxeinv: exiting to the next boot device/ { e = 1 }
		e && /BdsDxe: failed to start Boot[0-9A-F]+ "UEFI PXEv4/ { x = 1 }
		x && /BdsDxe: (loading|failed to load) Boot[0-9A-F]+ "/ && !/"UEFI PXEv4/ { f = 1 }
		END { exit !f }'
}
# The script's attempts each chain the node script once: at most one GET of
# the kernel per attempt, 4 attempts, the script's failure message, then
# OVMF's next boot option.
check_bad_kernel() {
	local c=bad-kernel attempts gets
	if ! e2e_wait_for bad-kernel 'pxeinv: exiting to the next boot device' 300; then
		fail $c "the script did not exit to the next boot device"
		e2e_tail bad-kernel 25
		return
	fi
	# OVMF goes on with its next boot option (BdsDxe logs each one it loads)
	for _ in $(seq 240); do
		bad_kernel_next_boot && break
		sleep 0.25
	done
	e2e_kill_guest bad-kernel
	e2e_serial bad-kernel >"$T/bad-kernel.console"
	attempts=$(grep -a -c 'pxeinv: attempt [1-4] of 4' "$T/bad-kernel.console")
	gets=$(grep -c "GET /image/$SCH/$VER_BAD/kernel-amd64 " "$T/http.log")
	echo "# bad-kernel: $attempts attempts, $gets GETs of the kernel"
	[ "$attempts" -ge 1 ] && [ "$attempts" -le 4 ] || { fail $c "$attempts attempts (1 to 4 expected)"; return; }
	grep -a -q 'pxeinv: attempt 4 of 4' "$T/bad-kernel.console" || { fail $c "no fourth attempt"; return; }
	[ "$gets" -ge 1 ] || { fail $c "the kernel was never fetched"; return; }
	[ "$gets" -le "$attempts" ] || { fail $c "$gets GETs of the kernel in $attempts attempts"; return; }
	grep -a -q 'pxeinv: could not chain pxeinv/nodes/bad-kernel.ipxe, or what it loaded did not boot' \
		"$T/bad-kernel.console" || { fail $c "no failure message for the node script"; return; }
	grep -a -q 'pxeinv: giving up after 4 attempts' "$T/bad-kernel.console" || { fail $c "did not give up"; return; }
	grep -a -q "$MARK_START" "$T/bad-kernel.console" && { fail $c "a kernel started"; return; }
	grep -q "GET /image/$SCH/$VER_BAD/initramfs-amd64.xz " "$T/http.log" &&
		{ fail $c "the initramfs was fetched after a kernel that did not load"; return; }
	bad_kernel_next_boot || { fail $c "OVMF did not go on to its next boot option"; e2e_tail bad-kernel; return; }
	pass $c
}

# arm64 is the slowest guest: uki then bad-kernel run beside it
if want arm64 || want uki || want bad-kernel; then
	step "arm64 + uki, then bad-kernel"
	factory_extra
	[ -n "$ARM64_OK" ] && { start_arm64 || fail arm64 "cannot start the guest"; }
	[ -n "$UKI_OK" ] && { start_uki || fail uki "cannot start the guest"; }
	[ -n "$UKI_OK" ] && check_uki
	[ -n "$BAD_OK" ] && { start_bad_kernel || fail bad-kernel "cannot start the guest"; }
	[ -n "$BAD_OK" ] && check_bad_kernel
	[ -n "$ARM64_OK" ] && check_arm64
fi
# --- relay, active-active, https-upgrade -------------------------------------
# (before mirror, which stops the stand-in factory and points OUT at its copy)
# log_xids LOG MAC [NODE]: the xids of MAC's DISCOVER/REQUEST lines in LOG,
# and of the decisions for NODE, as a grep -E alternative
log_xids() {
	{
		grep -E "DHCP(DISCOVER|REQUEST)\([^)]*\) ([0-9.]+ )?$2" "$1" | awk '{print $5}'
		[ -n "${3:-}" ] && grep -E "\]: [0-9]+ pxe-inventory: node=$3 " "$1" | awk '{print $5}'
	} | sort -u | paste -sd'|'
}
# acked_ip LOG MAC: the address of MAC's last DHCPACK in LOG
acked_ip() { grep -E "DHCPACK\([^)]*\) [0-9.]+ $2" "$1" | tail -n 1 | awk '{print $7}'; }
# aa_tail I: the last lines of server aa<I>'s log
aa_tail() { echo "--- aa$1 dnsmasq (tail)" >&2; tail -n 25 "$T/aa$1.log" | sed 's/^/    /' >&2; }

# relay: bridge brrelay (a switch) for the second subnet; namespace rt, the
# router, with eth0 on br0 and eth1 on brrelay, forwarding, and Debian's stock
# dnsmasq relaying DHCP from eth1 to the patched dnsmasq ($SRV). $NS has no
# address on the second subnet, only a route to it through rt.
RELAY_PID=
prepare_relay() {
	local c=relay
	[ -x /usr/sbin/dnsmasq ] || { fail $c "no /usr/sbin/dnsmasq (dnsmasq-base)"; return 1; }
	e2e_bridge brrelay && e2e_netns rt &&
		e2e_veth br0 rt "$RELAY_RT/24" eth0 && e2e_veth brrelay rt "$RELAY_NET.1/24" eth1 &&
		ip netns exec "$NS-rt" sysctl -q -w net.ipv4.ip_forward=1 &&
		ip -n "$NS" route add "$RELAY_NET.0/24" via "$RELAY_RT" ||
		{ fail $c "cannot set up the router namespace"; return 1; }
	: >"$T/relay.log"
	chmod 666 "$T/relay.log"
	# --interface=eth1: the relay listens on the client side only; the
	# server's replies reach it on eth0 all the same
	ip netns exec "$NS-rt" /usr/sbin/dnsmasq -k --conf-file=/dev/null --port=0 --interface=eth1 \
		--dhcp-relay="$RELAY_NET.1,$SRV" --log-dhcp --user=nobody --group=nogroup \
		--dhcp-leasefile="$T/relay.leases" --pid-file="$T/relay.pid" --log-facility="$T/relay.log" \
		</dev/null >"$T/relay.err" 2>&1 &
	RELAY_PID=$!
	proc_wait_log "$T/relay.log" 'started, version' "$RELAY_PID" ||
		{ fail $c "the relay's dnsmasq did not start: $(cat "$T/relay.err" "$T/relay.log")"; return 1; }
}
start_relay() {
	nic 52:54:00:e2:0d:01 brrelay 1 && e2e_guest relay bios "${NIC[@]}" -smbios type=1,serial=E2E-RELAY-13
}
check_relay() {
	local c=relay d x ip
	e2e_wait_guest relay 200 || { fail $c "guest did not power off within 200 s"; e2e_tail relay; return; }
	x=$(xids 52:54:00:e2:0d:01)
	[ -n "$x" ] || { fail $c "no request of the guest reached the patched dnsmasq"; return; }
	d=$(decisions 52:54:00:e2:0d:01)
	grep -q -E '^node=relay matched=mac stage=ipxe install=yes file=pxeinv/nodes/relay\.ipxe( |$)' <<<"$d" ||
		{ fail $c "not steered to the node script: $d"; return; }
	# through the relay: the stock dnsmasq relayed it, and was no DHCP server
	grep -q "DHCP relay at $RELAY_NET.1 -> $SRV" "$T/relay.log" ||
		{ fail $c "the relay's log shows no relayed request: $(tail -n 5 "$T/relay.log")"; return; }
	grep -q 'DHCPOFFER\|DHCPACK' "$T/relay.log" && { fail $c "the relay answered DHCP itself"; return; }
	# the patched dnsmasq took the relay's giaddr: the relayed subnet's
	# range, received on br0, and the default router is the giaddr
	grep -q -E "\]: ($x) available DHCP range: $RELAY_NET\.100 -- $RELAY_NET\.199$" "$DNSMASQ_LOG" ||
		{ fail $c "the relayed subnet's range was not chosen"; return; }
	grep -q -E "\]: ($x) sent size: +4 option: +3 router +$RELAY_NET\.1$" "$DNSMASQ_LOG" ||
		{ fail $c "router option is not the relay's address"; return; }
	ip=$(acked_ip "$DNSMASQ_LOG" 52:54:00:e2:0d:01)
	[[ $ip == "$RELAY_NET".* ]] || { fail $c "acknowledged address [$ip] not on the relayed subnet"; return; }
	echo "# relay: $ip acknowledged through the relay $RELAY_NET.1"
	# TFTP and HTTP through the router: $NS has no address on that subnet
	grep -q "sent .*/tftp/pxeinv/nodes/relay.ipxe to $ip\$" "$DNSMASQ_LOG" ||
		{ fail $c "node script not sent to $ip"; return; }
	grep -F "$ip - " "$T/http.log" | grep -q -F "$KURL_RE" ||
		{ fail $c "kernel not fetched from $ip"; return; }
	check_cmdline $c relay "$OUT/tftp/pxeinv/nodes/relay.ipxe" bios || return
	pass $c
}

# active-active: bridge braa (a switch) with $NS at .254 (the gateway to the
# stand-in factory) and two patched servers, aa1 (.1) and aa2 (.2), each in
# its own namespace with its own compile of the same tree, state directory
# and half of the range.
AA_PID1=
AA_PID2=
prepare_aa() {
	local c=active-active i
	e2e_bridge braa && ip -n "$NS" addr add "$AA_NET.254/24" dev braa ||
		{ fail $c "cannot set up bridge braa"; return 1; }
	for i in 1 2; do
		e2e_netns aa$i && e2e_veth braa aa$i "$AA_NET.$i/24" eth0 ||
			{ fail $c "cannot set up namespace aa$i"; return 1; }
		mkdir -p "$T/aa$i-state" "$T/aa$i-out"
		chown nobody:nogroup "$T/aa$i-state"
		"$PXEINV" compile -q --ipxe-dir "$IPXE_DIR" --hook "$HOOK" --state-dir "$T/aa$i-state" \
			"$NODES" "$T/aa$i-out" 2>"$T/aa$i-compile.err" && chmod -R a+rX "$T/aa$i-out" ||
			{ fail $c "pxeinv compile: $(cat "$T/aa$i-compile.err")"; return 1; }
		cat >"$T/aa$i.conf" <<EOF
port=0
interface=eth0
bind-interfaces
user=nobody
group=nogroup
dhcp-range=$AA_NET.$((50 + 50 * i)),$AA_NET.$((99 + 50 * i)),255.255.255.0,10m
dhcp-option=option:router,$AA_NET.254
dhcp-leasefile=$T/aa$i.leases
log-dhcp
dhcp-scriptuser=nobody
conf-file=$T/aa$i-out/pxe-inventory.conf
EOF
	done
	cmp -s "$T/aa1-out/pxe-inventory.cdb" "$T/aa2-out/pxe-inventory.cdb" &&
		diff -r "$T/aa1-out/tftp/pxeinv/nodes" "$T/aa2-out/tftp/pxeinv/nodes" >/dev/null ||
		{ fail $c "the two compiles differ"; return 1; }
	aa_start 1 && aa_start 2
}
# aa_start I: start server aa<I> (log $T/aa<I>.log)
aa_start() {
	local i=$1
	: >"$T/aa$i.log"
	chmod 666 "$T/aa$i.log"
	ip netns exec "$NS-aa$i" "$DNSMASQ" -k --conf-file="$T/aa$i.conf" --pid-file="$T/aa$i.pid" \
		--log-facility="$T/aa$i.log" </dev/null >"$T/aa$i.err" 2>&1 &
	printf -v "AA_PID$i" '%s' $!
	proc_wait_log "$T/aa$i.log" 'pxe-inventory: loaded' "$!" && proc_wait_log "$T/aa$i.log" 'DHCP, IP range' "$!" ||
		{ fail active-active "server aa$i did not start: $(cat "$T/aa$i.err")"; return 1; }
}
start_aa() {
	nic 52:54:00:e2:0e:01 braa 1 && e2e_guest "aa-$1" bios "${NIC[@]}" -smbios type=1,serial=E2E-AA-14
}
# aa_served_by: AA_SERVED, the server (1 or 2) that acknowledged the guest
# since the last call; fails unless exactly one did
AA_ACKS1=0
AA_ACKS2=0
aa_served_by() {
	local a1 a2
	a1=$(grep -c -E "DHCPACK\(eth0\) [0-9.]+ 52:54:00:e2:0e:01" "$T/aa1.log")
	a2=$(grep -c -E "DHCPACK\(eth0\) [0-9.]+ 52:54:00:e2:0e:01" "$T/aa2.log")
	if [ "$a1" -gt "$AA_ACKS1" ] && [ "$a2" -eq "$AA_ACKS2" ]; then AA_SERVED=1
	elif [ "$a2" -gt "$AA_ACKS2" ] && [ "$a1" -eq "$AA_ACKS1" ]; then AA_SERVED=2
	else return 1; fi
	AA_ACKS1=$a1 AA_ACKS2=$a2
}
# aa_decisions_match I: in server aa<I>'s log, every request of the guest has
# as many pxe-inventory decisions as offers and acks sent: a
# server logs no decision for a request it does not answer, such as the
# other server's DHCPREQUEST
aa_decisions_match() {
	local log=$T/aa$1.log x nd nr
	for x in $(log_xids "$log" 52:54:00:e2:0e:01 aa | tr '|' ' '); do
		nd=$(grep -c -E "\]: $x pxe-inventory: node=" "$log")
		nr=$(grep -c -E "\]: $x DHCP(OFFER|ACK)\(" "$log")
		[ "$nd" = "$nr" ] || { echo "aa$1, xid $x: $nd decisions, $nr replies"; return 1; }
	done
}
# aa_in_range IP I: IP is in server aa<I>'s half of the range (the node's
# DHCP address comes from the server that answers, not from the inventory)
aa_in_range() {
	local h=${1##*.}
	[ "${1%.*}" = "$AA_NET" ] && [ "$h" -ge $((50 + 50 * $2)) ] && [ "$h" -le $((99 + 50 * $2)) ]
}
check_aa() {
	local c=active-active s s2 o ip m
	e2e_wait_guest aa-1 200 || { fail $c "first boot did not power off within 200 s"; e2e_tail aa-1; aa_tail 1; aa_tail 2; return; }
	aa_served_by && s=$AA_SERVED || { fail $c "first boot: not acknowledged by exactly one server"; aa_tail 1; aa_tail 2; return; }
	o=$((3 - s))
	ip=$(acked_ip "$T/aa$s.log" 52:54:00:e2:0e:01)
	echo "# active-active: first boot served by aa$s ($ip)"
	check_cmdline $c aa-1 "$T/aa$s-out/tftp/pxeinv/nodes/aa.ipxe" bios || return
	grep -q "sent .*/tftp/pxeinv/nodes/aa.ipxe to $ip\$" "$T/aa$s.log" || { fail $c "aa$s did not send the node script"; return; }
	grep -q -E "DHCPDISCOVER\(eth0\) 52:54:00:e2:0e:01" "$T/aa$o.log" ||
		{ fail $c "aa$o did not see the guest's DISCOVER (not on one segment?)"; return; }
	# checked at the end, so that a mismatch does not hide the second boot
	for m in 1 2; do aa_decisions_match $m; done >"$T/aa.mismatch"
	# the other server saw the REQUEST meant for aa$s, and said so
	grep -q -E "\]: ($(log_xids "$T/aa$s.log" 52:54:00:e2:0e:01 aa)) pxe-inventory: not answered: .*node=aa\$" "$T/aa$o.log" ||
		echo "aa$o logged no 'not answered' for the REQUEST meant for aa$s" >>"$T/aa.mismatch"
	aa_in_range "$ip" "$s" || { fail $c "first boot: $ip is not in aa$s's range"; return; }
	# the second boot, with the server that answered stopped
	proc_stop "AA_PID$s"
	start_aa 2 || { fail $c "cannot start the second guest"; return; }
	e2e_wait_guest aa-2 200 || { fail $c "second boot did not power off within 200 s"; e2e_tail aa-2; aa_tail $o; return; }
	aa_served_by && s2=$AA_SERVED || { fail $c "second boot: not acknowledged by exactly one server"; aa_tail $o; return; }
	[ "$s2" = "$o" ] || { fail $c "second boot served by aa$s2, which was stopped"; return; }
	ip=$(acked_ip "$T/aa$o.log" 52:54:00:e2:0e:01)
	echo "# active-active: second boot served by aa$o ($ip)"
	grep -q "sent .*/tftp/pxeinv/nodes/aa.ipxe to $ip\$" "$T/aa$o.log" || { fail $c "aa$o did not send the node script"; return; }
	check_cmdline $c aa-2 "$T/aa$o-out/tftp/pxeinv/nodes/aa.ipxe" bios || return
	aa_in_range "$ip" "$o" || { fail $c "second boot: $ip is not in aa$o's range"; return; }
	aa_decisions_match $o >>"$T/aa.mismatch"
	# each hook recorded the boot it served in its own state directory
	for m in 1 2; do
		for _ in $(seq 50); do
			[ -s "$T/aa$m-state/nodes/aa" ] && break
			sleep 0.2
		done
		[ -s "$T/aa$m-state/nodes/aa" ] || { fail $c "aa$m's hook did not record the node in $T/aa$m-state"; return; }
	done
	[ -s "$T/aa.mismatch" ] &&
		{ fail $c "a decision logged for no reply: $(sort -u "$T/aa.mismatch" | paste -sd';')"; return; }
	pass $c
}

# https-upgrade: a stand-in HTTPS factory (self-signed, made here) on
# $SRV:$TLS_PORT serving $T/www; two SeaBIOS guests with QEMU's iPXE ROM.
TLS_PID=
SNIFF_PID=
prepare_https() {
	local c=https-upgrade
	command -v openssl >/dev/null || { fail $c "no openssl"; return 1; }
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$SRV" -addext "subjectAltName=IP:$SRV" \
		-keyout "$T/tls.key" -out "$T/tls.crt" >"$T/openssl.err" 2>&1 ||
		{ fail $c "openssl: $(cat "$T/openssl.err")"; return 1; }
	: >"$T/tls.log"
	ip netns exec "$NS" python3 -u "$E2E_ROOT/tests/e2e/tls-factory.py" "$SRV" "$TLS_PORT" \
		"$T/tls.crt" "$T/tls.key" "$T/www" "$T/tls.log" </dev/null >"$T/tls.err" 2>&1 &
	TLS_PID=$!
	proc_wait_log "$T/tls.err" 'Serving HTTPS' "$TLS_PID" 150 ||
		{ fail $c "the HTTPS factory did not start: $(cat "$T/tls.err")"; return 1; }
	# the iPXE features (option 175) of every DHCP request on br0
	: >"$T/dhcp-sniff.log"
	ip netns exec "$NS" python3 -u "$E2E_ROOT/tests/e2e/dhcp-sniff.py" br0 "$T/dhcp-sniff.log" \
		</dev/null >"$T/dhcp-sniff.err" 2>&1 &
	SNIFF_PID=$!
	proc_wait_log "$T/dhcp-sniff.err" 'Sniffing' "$SNIFF_PID" 150 ||
		{ fail $c "the DHCP sniffer did not start: $(cat "$T/dhcp-sniff.err")"; return 1; }
}
# https_features MAC XIDS: "with" if every request of MAC with one of XIDS
# (a grep -E alternative) announced HTTPS (feature 20), "without" if none
# did, else "mixed" ("none" without such requests)
https_features() {
	grep -E "^$1 ($2) " "$T/dhcp-sniff.log" | awk '
		{ n++; if ($4 ~ /[=,]20(,|$)/) h++ }
		END { print n == 0 ? "none" : h == n ? "with" : h == 0 ? "without" : "mixed" }'
}
# node_xids NODE WHAT: the xids of NODE's decisions that match WHAT
node_xids() {
	grep -E "\]: [0-9]+ pxe-inventory: node=$1 .*$2" "$DNSMASQ_LOG" | awk '{print $5}' | sort -u | paste -sd'|'
}
start_https() {
	nic 52:54:00:e2:0c:01 br0 1 && e2e_guest https-up bios "${NIC[@]}" -smbios type=1,serial=E2E-HTTPS-12 &&
		nic 52:54:00:e2:0c:02 br0 1 && e2e_guest https-off bios "${NIC[@]}" -smbios type=1,serial=E2E-HTTPS-12
}
check_https() {
	local c=https-upgrade d ip end f
	# https-up: the ROM gets ipxe.pxe, whose own DHCP gets the node script,
	# whose kernel line opens TLS to the factory (refused certificate)
	end=$((SECONDS + 200))
	while [ $SECONDS -lt $end ]; do
		ip=$(acked_ip "$DNSMASQ_LOG" 52:54:00:e2:0c:01)
		[ -n "$ip" ] && grep -q "^clienthello $ip " "$T/tls.log" && break
		kill -0 "${GUEST_PID[https-up]}" 2>/dev/null || break
		sleep 0.5
	done
	sleep 2 # the handshake's end, and iPXE's error on the console
	e2e_kill_guest https-up
	d=$(decisions 52:54:00:e2:0c:01)
	grep "^node=" <<<"$d" | head -n 1 | grep -q -E '^node=https-up matched=mac stage=firmware install=yes file=ipxe\.pxe \(iPXE without HTTPS\)( |$)' ||
		{ fail $c "the ROM was not handed ipxe.pxe: $d"; e2e_tail https-up; return; }
	grep -q "sent .*/tftp/ipxe.pxe to $ip\$" "$DNSMASQ_LOG" || { fail $c "ipxe.pxe not sent to $ip"; return; }
	# an iPXE that lacked HTTPS would be handed ipxe.pxe again: the node
	# script means this request said HTTPS (option 175, feature 20)
	grep -q -E '^node=https-up matched=mac stage=ipxe install=yes file=pxeinv/nodes/https-up\.ipxe( |$)' <<<"$d" ||
		{ fail $c "our iPXE's request not steered to the node script: $d"; e2e_tail https-up; return; }
	grep -q "sent .*/tftp/pxeinv/nodes/https-up.ipxe to $ip\$" "$DNSMASQ_LOG" || { fail $c "node script not sent"; return; }
	# on the wire: the ROM's requests lack HTTPS, those of our iPXE have it
	f=$(https_features 52:54:00:e2:0c:01 "$(node_xids https-up 'stage=firmware .*without HTTPS')")
	[ "$f" = without ] || { fail $c "the requests steered to ipxe.pxe: HTTPS feature $f"; return; }
	f=$(https_features 52:54:00:e2:0c:01 "$(node_xids https-up 'stage=ipxe .*file=pxeinv/nodes/https-up\.ipxe( |$)')")
	[ "$f" = with ] || { fail $c "the requests steered to the node script: HTTPS feature $f"; return; }
	grep -q "^clienthello $ip " "$T/tls.log" ||
		{ fail $c "no TLS ClientHello from $ip: $(cat "$T/tls.log")"; e2e_tail https-up; return; }
	grep "$ip" "$T/tls.log" | head -n 2 | sed 's/^/# tls: /'
	# the console: the ROM's banner lists no HTTPS, then ours does
	e2e_serial https-up | grep -a '^Features:' >"$T/https-up.features"
	[ "$(wc -l <"$T/https-up.features")" -ge 2 ] && ! head -n 1 "$T/https-up.features" | grep -q -w HTTPS &&
		sed -n 2p "$T/https-up.features" | grep -q -w HTTPS ||
		{ fail $c "console: not a ROM without HTTPS followed by an iPXE with it: $(cat "$T/https-up.features")"; return; }
	e2e_serial https-up | grep -a -m 1 'Could not boot image' | sed 's/^/# console: /'
	grep -a -q "$MARK_START" "$T/https-up.serial" && { fail $c "a kernel started over HTTPS with a self-signed certificate?"; return; }
	# https-off: the same guest, an http:// node: no upgrade
	e2e_wait_guest https-off 150 || { fail $c "http guest did not power off within 150 s"; e2e_tail https-off; return; }
	d=$(decisions 52:54:00:e2:0c:02)
	ip=$(acked_ip "$DNSMASQ_LOG" 52:54:00:e2:0c:02)
	grep "^node=" <<<"$d" | head -n 1 | grep -q -E '^node=https-off matched=mac stage=ipxe install=yes file=pxeinv/nodes/https-off\.ipxe( |$)' ||
		{ fail $c "http node: first request not steered to its script: $d"; return; }
	grep -q 'stage=firmware\|without HTTPS' <<<"$d" && { fail $c "http node upgraded: $d"; return; }
	f=$(https_features 52:54:00:e2:0c:02 "$(node_xids https-off 'stage=ipxe')")
	[ "$f" = without ] || { fail $c "the http node's ROM: HTTPS feature $f (not the same ROM?)"; return; }
	grep -q "sent .*/tftp/ipxe.pxe to $ip\$" "$DNSMASQ_LOG" && { fail $c "ipxe.pxe sent to the http node"; return; }
	check_cmdline $c https-off "$OUT/tftp/pxeinv/nodes/https-off.ipxe" bios || return
	pass $c
}

if want relay || want active-active; then
	step "relay + active-active (the second boot of active-active follows its first)"
	relay_started='' aa_started=''
	want relay && prepare_relay && { start_relay && relay_started=1 || fail relay "cannot start the guest"; }
	want active-active && prepare_aa && { start_aa 1 && aa_started=1 || fail active-active "cannot start the guest"; }
	[ -n "$aa_started" ] && check_aa
	[ -n "$relay_started" ] && check_relay
	proc_stop RELAY_PID
	proc_stop AA_PID1
	proc_stop AA_PID2
fi
if want https-upgrade; then
	step "https-upgrade (two guests)"
	if prepare_https; then
		if start_https; then check_https; else fail https-upgrade "cannot start the guests"; fi
	fi
	proc_stop TLS_PID
	proc_stop SNIFF_PID
fi
if want http-boot; then
	step "http-boot"
	if prepare_http_boot; then
		start_http_boot || fail http-boot "cannot start the guest"
		check_http_boot
	fi
	finish_http_boot
fi
# proxy-httpboot: http-boot through a proxy DHCP beside udhcpd (UDP/69
# dropped, IPv6 off): the proxy answers carry the URLs, udhcpd the address
OUTPH=$T/out-proxy-http
prepare_proxy_httpboot() {
	local c=proxy-httpboot
	ip netns exec "$NS" iptables -I INPUT -p udp --dport 69 -j DROP ||
		{ fail $c "cannot drop UDP/69 in the namespace (iptables)"; return 1; }
	e2e_dnsmasq_stop
	e2e_foreign_dhcp 150 170 || { fail $c "udhcpd: $(cat "$T/udhcpd.log")"; return 1; }
	"$PXEINV" compile -q --proxy --http-url "http://$SRV:8082" --ipxe-dir "$IPXE_DIR" --hook "$HOOK" \
		--state-dir "$STATE" "$NODES" "$OUTPH" 2>"$T/compile.err" && chmod -R a+rX "$OUTPH" ||
		{ fail $c "pxeinv compile --proxy --http-url: $(cat "$T/compile.err")"; return 1; }
	ip netns exec "$NS" python3 -u -m http.server 8082 --bind "$SRV" --directory "$OUTPH/tftp" \
		</dev/null >"$T/boot-http.log" 2>&1 &
	BOOT_HTTP_PID=$!
	proc_wait_log "$T/boot-http.log" 'Serving HTTP' "$BOOT_HTTP_PID" ||
		{ fail $c "the HTTP server of OUT_DIR/tftp did not start"; return 1; }
	printf '%s\n' port=0 interface=br0 bind-interfaces user=nobody group=nogroup \
		"dhcp-range=$E2E_NET.0,proxy" log-dhcp dhcp-scriptuser=nobody \
		"conf-file=$OUTPH/pxe-inventory.conf" >"$T/dnsmasq-proxy-http.conf"
	e2e_dnsmasq "$T/dnsmasq-proxy-http.conf" || { fail $c "proxy dnsmasq: $(cat "$T/dnsmasq.err")"; return 1; }
}
check_proxy_httpboot() {
	local c=proxy-httpboot d u=http://$SRV:8082 tftp
	e2e_wait_guest proxy-httpboot 300 || { fail $c "guest did not power off within 300 s"; e2e_tail proxy-httpboot; return; }
	d=$(proxy_decisions http-boot)
	grep -q 'DHCPOFFER\|DHCPACK' "$DNSMASQ_LOG" && { fail $c "the proxy handed out an address"; return; }
	grep -q "stage=httpboot install=yes file=$u/snponly.efi" <<<"$d" ||
		{ fail $c "HTTP boot not answered snponly.efi's URL: $d"; return; }
	grep -q "stage=ipxe install=yes file=$u/pxeinv/nodes/http-boot.ipxe" <<<"$d" ||
		{ fail $c "iPXE not answered the node script's URL: $d"; return; }
	grep -q '"GET /snponly.efi HTTP/1.1" 200' "$T/boot-http.log" &&
		grep -q '"GET /pxeinv/nodes/http-boot.ipxe HTTP/1.1" 200' "$T/boot-http.log" ||
		{ fail $c "snponly.efi or the node script not fetched over HTTP: $(tail -n 5 "$T/boot-http.log")"; return; }
	tftp=$(grep 'dnsmasq-tftp' "$DNSMASQ_LOG" | grep -v 'dnsmasq-tftp\[[0-9]*\]: TFTP root is ')
	[ -z "$tftp" ] || { fail $c "TFTP served something: $tftp"; return; }
	check_cmdline $c proxy-httpboot "$OUTPH/tftp/pxeinv/nodes/http-boot.ipxe" uefi || return
	pass $c
}
if want proxy-httpboot; then
	step "proxy-httpboot (beside udhcpd)"
	if prepare_proxy_httpboot; then
		{ nic 52:54:00:e2:0a:01 br0 1 "" && e2e_guest proxy-httpboot uefi "${NIC[@]}" \
			-fw_cfg name=opt/org.tianocore/IPv6Support,string=no -smbios type=1,serial=E2E-HTTP-7; } ||
			fail proxy-httpboot "cannot start the guest"
		check_proxy_httpboot
	fi
	ip netns exec "$NS" iptables -D INPUT -p udp --dport 69 -j DROP 2>/dev/null
	proc_stop BOOT_HTTP_PID
	e2e_dnsmasq_stop
	e2e_foreign_dhcp_stop
	e2e_dnsmasq "$T/dnsmasq.conf" || abort "dnsmasq did not restart: $(cat "$T/dnsmasq.err")"
fi
# --- IPv6 only: ipv6-pxe + ipv6-http ----------------------------------------
# Bridge brv6 in $NS carries IPv6 only: $NS has the ULA $V6_SRV on it (nodad)
# and no IPv4 address; no DHCPv4 server listens there. A second patched
# dnsmasq (log $T/v6.log, state $T/v6-state) serves it with the fragment of
# the same node tree compiled with --dhcp6-range (a stateful range and
# enable-ra: RAs with the M flag) and --http-url http://[$V6_SRV]:$V6_BOOT_PORT
# into $OUTV6, whose tftp/ is served on that port; the nodes' imageBaseURL is
# the stand-in factory at [$V6_SRV]:$V6_HTTP_PORT.
#
# What the firmware does (bookworm's OVMF 2022.11, trixie's iPXE, TCG):
# - -fw_cfg opt/org.tianocore/IPv4Support=no keeps OVMF's IPv4 stack out: the
#   NIC's boot options are then "UEFI PXEv6" and "UEFI HTTPv6" only, in that
#   order, and nothing is sent over IPv4 before iPXE.
# - OVMF's IPv6 stack first leases an address for itself (SOLICIT/REQUEST
#   asking for option 23 only, no vendor class: not steered), then PXEv6
#   solicits with vendor class PXEClient (enterprise 343) and a DUID-UUID,
#   REQUESTs ~5 s later and TFTPs the URL's file ~10 s after that. Without
#   option 59 in the answer PXEv6 gives up in ~5 s ("PXE-E21"). HTTPv6
#   solicits with vendor class HTTPClient and takes no offer without option
#   16 HTTPClient. Two OVMF guests send the same DHCPv6 transaction IDs.
# - OVMF's DUID-UUID carries the SMBIOS UUID in SMBIOS byte order (first
#   three fields little-endian, as in DHCPv4 option 97: matched=uuid); iPXE's
#   DUID-UUID has it in RFC 4122 order (matched=uuid-swapped).
# - HTTPv6 alone (-fw_cfg IPv6PXESupport=no) fails in this OVMF: it solicits
#   before the link-local address passed DAD (EFI_NO_MAPPING, "Could not
#   retrieve NBP file size"; edk2 11f1d28bcb, 2025, waits for DAD). After a
#   PXEv6 attempt on the same NIC the stack is up and HTTPv6 works, so
#   ipv6-http keeps PXEv6 first and refuses its TFTP (ip6tables, by MAC):
#   refused, PXEv6 ends in ~3 s ("PXE-E99"); dropped, in ~34 s ("PXE-E18").
# - After PXEv6, iPXE fetches no autoexec.ipxe (it caches no IPv6 PXE DHCP
#   packet, so it has no working URI): its stock autoboot runs ifconf (all
#   configurators), waits ~15 s for DHCPv4 while IPv6 configures, solicits
#   with user class "iPXE" and chains option 59.
# - After HTTPv6, iPXE fetches autoexec.ipxe over HTTP from the boot URL's
#   directory (the loaded image's URI device path): pxeinv's script runs,
#   waits ~15 s for DHCPv4, then configures IPv6 (ifconf --configurator
#   ipv6) and sends its identity report in DHCPv6 option 15.
# - Under TCG each guest powers off 45-55 s after its start: ~15 s of OVMF
#   start, PXEv6 DHCPv6 ~6 s, TFTP ~10 s, iPXE's DHCPv4 wait ~15 s, kernel.
V6_PID=
V6_HTTP_PID=
V6_BOOT_PID=
OUTV6=$T/out-v6
# ipv6-http's TFTP, refused (a port unreachable ends OVMF's PXEv6 attempt
# sooner than silence would)
V6_TFTP_RULE=(-i brv6 -p udp --dport 69 -m mac --mac-source 52:54:00:e2:10:02
	-j REJECT --reject-with icmp6-port-unreachable)
# v6_fail WHY: fail the IPv6 cases that were to run
v6_fail() {
	want ipv6-pxe && fail ipv6-pxe "$1"
	want ipv6-http && fail ipv6-http "$1"
	return 1
}
prepare_ipv6() {
	local u=http://[$V6_SRV]:$V6_BOOT_PORT
	e2e_bridge brv6 && ip -n "$NS" addr add "$V6_SRV/64" dev brv6 nodad ||
		{ v6_fail "cannot set up bridge brv6"; return 1; }
	mkdir -p "$T/v6-state"
	chown nobody:nogroup "$T/v6-state"
	# the fragment has the range and enable-ra (compile --dhcp6-range)
	"$PXEINV" compile -q --http-url "$u" --dhcp6-range "$V6_NET:100,$V6_NET:1ff,64,10m" --ipxe-dir "$IPXE_DIR" \
		--hook "$HOOK" --state-dir "$T/v6-state" "$NODES" "$OUTV6" 2>"$T/v6-compile.err" ||
		{ v6_fail "pxeinv compile --http-url $u --dhcp6-range: $(cat "$T/v6-compile.err")"; return 1; }
	chmod -R a+rX "$OUTV6"
	ip netns exec "$NS" python3 -u -m http.server "$V6_HTTP_PORT" --bind "$V6_SRV" --directory "$T/www" \
		</dev/null >"$T/v6-http.log" 2>&1 &
	V6_HTTP_PID=$!
	ip netns exec "$NS" python3 -u -m http.server "$V6_BOOT_PORT" --bind "$V6_SRV" --directory "$OUTV6/tftp" \
		</dev/null >"$T/v6-boot.log" 2>&1 &
	V6_BOOT_PID=$!
	proc_wait_log "$T/v6-http.log" 'Serving HTTP' "$V6_HTTP_PID" &&
		proc_wait_log "$T/v6-boot.log" 'Serving HTTP' "$V6_BOOT_PID" ||
		{ v6_fail "the HTTP servers on [$V6_SRV] did not start"; return 1; }
	cat >"$T/v6.conf" <<EOF6
port=0
interface=brv6
bind-interfaces
user=nobody
group=nogroup
dhcp-leasefile=$T/v6.leases
log-dhcp
dhcp-scriptuser=nobody
conf-file=$OUTV6/pxe-inventory.conf
EOF6
	: >"$T/v6.log"
	chmod 666 "$T/v6.log"
	ip netns exec "$NS" "$DNSMASQ" -k --conf-file="$T/v6.conf" --pid-file="$T/v6.pid" \
		--log-facility="$T/v6.log" </dev/null >"$T/v6.err" 2>&1 &
	V6_PID=$!
	proc_wait_log "$T/v6.log" 'pxe-inventory: loaded' "$V6_PID" && proc_wait_log "$T/v6.log" 'DHCPv6, IP range' "$V6_PID" ||
		{ v6_fail "the IPv6 dnsmasq did not start: $(cat "$T/v6.err")"; return 1; }
	# ipv6-http: its PXEv6 attempt must fail, so that HTTPv6 runs
	ip netns exec "$NS" ip6tables -I INPUT "${V6_TFTP_RULE[@]}" ||
		{ v6_fail "cannot drop ipv6-http's TFTP (ip6tables)"; return 1; }
}
finish_ipv6() {
	ip netns exec "$NS" ip6tables -D INPUT "${V6_TFTP_RULE[@]}" 2>/dev/null
	proc_stop V6_PID
	proc_stop V6_HTTP_PID
	proc_stop V6_BOOT_PID
	# out of the tree: the mirror case would copy their images from the
	# stopped server at [$V6_SRV]
	rm -f "$NODES"/lab/ipv6-*.yaml
}
# start_ipv6 NAME MAC UUID: an OVMF guest on brv6 with IPv4 off
start_ipv6() {
	nic "$2" brv6 1 "" && e2e_guest "$1" uefi "${NIC[@]}" -fw_cfg name=opt/org.tianocore/IPv4Support,string=no \
		-smbios type=1,serial="E2E-${1^^}-16" -uuid "$3"
}
# v6_tail GUEST: the end of GUEST's console and of the IPv6 dnsmasq's log
v6_tail() {
	e2e_tail "$1" 40
	echo "--- IPv6 dnsmasq (tail)" >&2
	grep -v 'RTR-ADVERT' "$T/v6.log" | tail -n 40 | sed 's/^/    /' >&2
	echo "--- HTTP on [$V6_SRV]:$V6_BOOT_PORT (tail)" >&2
	tail -n 8 "$T/v6-boot.log" | sed 's/^/    /' >&2
}
# v6_decisions NODE: NODE's decisions in the IPv6 dnsmasq's log, in order
v6_decisions() { grep -E "\]: [0-9]+ pxe-inventory: node=$1 " "$T/v6.log" | sed 's/.*pxe-inventory: //' | uniq; }
# v6_hook_record NODE: "VIA IP6 DUID" of NODE in pxeinv status --json of the
# IPv6 server's state directory (what its hook recorded)
v6_hook_record() {
	"$PXEINV" status --state-dir "$T/v6-state" --json 2>/dev/null | python3 -c '
import json, sys
for n in json.load(sys.stdin).get("nodes", []):
    if n.get("node") == sys.argv[1]:
        print(n.get("via"), n.get("ip6"), n.get("duid"))' "$1" 2>/dev/null
}
# check_ipv6 CASE MATCHED STAGE FILE IPXE-MATCHED: the guest CASE booted its
# node CASE on IPv6 alone, the firmware's DHCPv6 steered (matched=MATCHED,
# stage=STAGE) to FILE, then iPXE's (matched=IPXE-MATCHED) to the node
# script's URL; fails (returns 1) with the reason, the caller passes it
check_ipv6() {
	local c=$1 m=$2 stage=$3 file=$4 mi=$5 d u=http://[$V6_SRV]:$V6_BOOT_PORT first why rec
	# the kernel's command line, or a dead end (pxeinv's script gave up,
	# OVMF went on to its shell): no need to wait out the timeout then
	if ! e2e_wait_for "$c" "$MARK_CMDLINE|pxeinv: giving up|UEFI Interactive Shell" 300; then
		e2e_wait_guest "$c" 1
		fail $c "QEMU ended with no kernel command line, no 'pxeinv: giving up' and no shell on the console"
		v6_tail "$c"
		return 1
	fi
	if ! e2e_wait_guest "$c" 20; then
		why=$(e2e_serial "$c" | grep -a -m 1 -o 'pxeinv: giving up.*\|UEFI Interactive Shell\|Could not retrieve NBP.*')
		# pxeinv's autoexec.ipxe (HTTP boot fetches it from the boot URL's
		# directory) running a DHCPv4-only ifconf on this segment
		e2e_serial "$c" | grep -a -q 'Configuring \[dhcp\]' && [[ $why == 'pxeinv: giving up'* ]] &&
			why="$why (autoexec.ipxe's ifconf --configurator dhcp is DHCPv4 only)"
		fail $c "guest did not power off: $why"
		v6_tail "$c"
		return 1
	fi
	[ -z "$(ip -n "$NS" -4 addr show dev brv6)" ] || { fail $c "brv6 has an IPv4 address"; return 1; }
	d=$(v6_decisions "$c")
	# firmware (or HTTP boot) first, then iPXE
	first=$(grep -n -F -x "node=$c matched=$m stage=$stage install=yes file=$file" <<<"$d" | head -n 1 | cut -d: -f1)
	[ -n "$first" ] || { fail $c "the firmware's DHCPv6 not steered to $file: $d"; v6_tail "$c"; return 1; }
	tail -n +"$first" <<<"$d" | grep -q -F -x "node=$c matched=$mi stage=ipxe install=yes file=$u/pxeinv/nodes/$c.ipxe" ||
		{ fail $c "iPXE's DHCPv6 not steered to the node script's URL after the firmware stage: $d"; v6_tail "$c"; return 1; }
	grep -q "\"GET /pxeinv/nodes/$c.ipxe HTTP/1.1\" 200" "$T/v6-boot.log" ||
		{ fail $c "node script not fetched over HTTP: $(tail -n 5 "$T/v6-boot.log")"; return 1; }
	grep -q "$KURL_RE" "$T/v6-http.log" && grep -q "$IURL_RE" "$T/v6-http.log" ||
		{ fail $c "kernel/initramfs not fetched from [$V6_SRV]: $(tail -n 5 "$T/v6-http.log")"; return 1; }
	grep -a -q "$MARK_START" "$T/$c.serial" || { fail $c "kernel did not start"; e2e_tail "$c"; return 1; }
	check_cmdline $c "$c" "$OUTV6/tftp/pxeinv/nodes/$c.ipxe" uefi || return 1
	# the hook journaled the DHCPv6 leases under the node
	for _ in $(seq 50); do
		rec=$(v6_hook_record "$c")
		[[ $rec == "dhcpv6 $V6_NET:"* ]] && break
		sleep 0.2
	done
	[[ $rec == "dhcpv6 $V6_NET:"*' '?* ]] && [[ $rec != *' None' ]] ||
		{ fail $c "the hook did not record a DHCPv6 lease of $c (via ip6 duid: [$rec])"; return 1; }
	echo "# $c: powered off $(($(stat -c %Y "$T/$c.serial") - V6_T0)) s after its start; $(grep -c "pxe-inventory: node=$c " "$T/v6.log") decisions;" \
		"OVMF: $(e2e_serial "$c" | grep -a -o 'Start [A-Za-z ]*over IPv6' | paste -sd, -); hook: $rec"

}
check_ipv6_pxe() {
	local c=ipv6-pxe
	check_ipv6 $c mac firmware "tftp://[$V6_SRV]/snponly.efi" mac || return
	grep -q "sent $OUTV6/tftp/snponly.efi to $V6_NET:" "$T/v6.log" ||
		{ fail $c "snponly.efi not sent over TFTP on IPv6"; return; }
	pass $c
}
check_ipv6_http() {
	local c=ipv6-http dropped u=http://[$V6_SRV]:$V6_BOOT_PORT
	# OVMF's DUID-UUID is in SMBIOS byte order (matched=uuid), iPXE's in
	# RFC 4122 order (matched=uuid-swapped)
	check_ipv6 $c uuid httpboot "$u/snponly.efi" uuid-swapped || return
	grep -q '"GET /snponly.efi HTTP/1.1" 200' "$T/v6-boot.log" ||
		{ fail $c "snponly.efi not fetched over HTTP"; return; }
	dropped=$(ip netns exec "$NS" ip6tables -L INPUT -v -n -x | awk '/udp dpt:69/ { print $1 }')
	[ "${dropped:-0}" -gt 0 ] || { fail $c "no TFTP packet refused: PXEv6 did not try first"; return; }
	echo "# $c: $dropped TFTP packets of its PXEv6 attempt refused"
	pass $c
}
if want ipv6-pxe || want ipv6-http; then
	step "ipv6-pxe + ipv6-http (IPv6-only segment)"
	v6_pxe='' v6_http=''
	if prepare_ipv6; then
		V6_T0=$(date +%s)
		want ipv6-pxe && { start_ipv6 ipv6-pxe 52:54:00:e2:10:01 12345678-9abc-def0-1234-56789abc1001 &&
			v6_pxe=1 || fail ipv6-pxe "cannot start the guest"; }
		want ipv6-http && { start_ipv6 ipv6-http 52:54:00:e2:10:02 12345678-9abc-def0-1234-56789abc1002 &&
			v6_http=1 || fail ipv6-http "cannot start the guest"; }
		[ -n "$v6_pxe" ] && check_ipv6_pxe
		[ -n "$v6_http" ] && check_ipv6_http
	fi
	finish_ipv6
fi
# serial-only: SeaBIOS's NIC ROM is iPXE without our script, so it reports
# no serial; its MAC and UUID are in no node. dnsmasq hands it fallback.ipxe,
# which fetches index/by-serial/E2E-SERIAL-7.ipxe, which chains the node's
# script: three TFTP fetches, then the kernel. The node is install: once:
# the hook marks it, and the same guest booted again gets the same entry,
# which now runs the hook's exit script and stops there.
start_serial_only() { # start_serial_only [NAME-SUFFIX]
	nic 52:54:00:e2:0b:01 br0 1 && e2e_guest "serial-only${1:-}" bios "${NIC[@]}" \
		-smbios type=1,serial=E2E-SERIAL-7 -uuid 11111111-2222-3333-4444-000000000b01
}
# serial_only_sent: the TFTP files the case's scripts involve, in the order
# dnsmasq sent them to the addresses it acknowledged to the guest's MAC
# (other guests fetch fallback.ipxe too)
serial_only_sent() {
	local ips
	ips=$(sed -n 's/.*DHCPACK(br0) \([0-9.]*\) 52:54:00:e2:0b:01.*/\1/p' "$DNSMASQ_LOG" |
		sort -u | sed 's/\./\\./g' | paste -sd'|')
	[ -n "$ips" ] || return 0
	grep -E "sent $OUT/tftp/[^ ]+ to ($ips)\$" "$DNSMASQ_LOG" |
		sed -n "s|.*sent $OUT/tftp/\([^ ]*\) to .*|\1|p" |
		grep -E '^(ipxe\.conf|pxeinv/(fallback\.ipxe|index/.*|nodes/.*|installed/.*))$'
}
check_serial_only() {
	local c=serial-only d sent idx=pxeinv/index/by-serial/E2E-SERIAL-7.ipxe
	e2e_wait_guest serial-only 150 || { fail $c "guest did not power off within 150 s"; e2e_tail serial-only; return; }
	d=$(decisions 52:54:00:e2:0b:01)
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
