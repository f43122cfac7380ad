#!/bin/bash
# Integration tests for the dnsmasq pxe-inventory patch.
#
# Usage: tests/integration/run.sh [GROUP | --list]   (as root: creates network
#        namespaces; GROUP: a glob over the group names)
#
# Environment:
#   PXEINV_DNSMASQ  patched dnsmasq to test (default build/bin/dnsmasq; the
#                   suite is skipped without it: ./build.sh dnsmasq)
#   PXEINV_BIN      pxeinv CLI (default build/bin/pxeinv; the cache is
#                   written with the shared writer when `pxeinv` is absent)
#   KEEP=1          keep the temporary directory (logs) at the end
#
# Two network namespaces joined by a veth pair: the server side runs the
# patched dnsmasq (DHCP + TFTP) and a small HTTP server; the client side runs
# real clients (busybox udhcpc, perfdhcp as a relay) and dhcpclient.py. Every
# reply's boot file, siaddr and options are asserted, tags are checked in
# dnsmasq's --log-dhcp output and in the dhcp-script's DNSMASQ_TAGS, and the
# handed-out file is fetched over TFTP (or HTTP) and compared.
# Prints PASS/FAIL per case and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DNSMASQ=${PXEINV_DNSMASQ:-$root/build/bin/dnsmasq}
PXEINV=${PXEINV_BIN:-$root/build/bin/pxeinv}

. "$(dirname "$0")/../lib/report.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/proc.sh"
groups "${1-}" startup main reload http-url proxy decision-log tag ping blank-uuid overload malformed damaged-cache dhcpv6

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (network namespaces)" >&2; echo "0 passed, 1 failed"; exit 1; }

# --- tools ----------------------------------------------------------------
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
command -v perfdhcp >/dev/null || need+=(kea-admin)
[ -x /bin/busybox ] && /bin/busybox udhcpc --help >/dev/null 2>&1 || need+=(busybox-static)
dpkg-query -W -f='${Status}' libcdb-dev 2>/dev/null | grep -q 'ok installed' || need+=(libcdb-dev)
dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q 'ok installed' || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
	note "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
		{ echo "run.sh: cannot install ${need[*]}" >&2; echo "0 passed, 1 failed"; exit 1; }
fi
[ -x "$DNSMASQ" ] || { skip integration "$DNSMASQ is missing (./build.sh dnsmasq)"; finish; }

# --- scratch space and namespaces ---------------------------------------
T=$(mktemp -d /tmp/pxeinv-it.XXXXXX)
chmod 755 "$T"
NS_S=pxeinv-s-$$
NS_C=pxeinv-c-$$
NS_L=pxeinv-l-$$  # dhcpv6: a link behind a real DHCPv6 relay agent in $NS_C
VS=pxs$$
VC=pxc$$
SRV=10.213.0.1
CLI=10.213.0.2
RELAY=10.213.1.1
HTTP_PID=
DNSMASQ_PID=

cleanup() {
	[ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
	[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
	# and anything else this test started inside its namespaces
	netns_remove "$NS_S" "$NS_C" "$NS_L"
	wait 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

S() { ip netns exec "$NS_S" "$@"; }
C() { ip netns exec "$NS_C" "$@"; }

netns_pair "$NS_S" "$NS_C" "$VS" "$VC" "$SRV/24" "$CLI/24" &&
C ip addr add "$RELAY/24" dev "$VC" &&
S ip route add 10.213.1.0/24 via "$CLI" ||
	{ echo "run.sh: cannot set up namespaces" >&2; echo "0 passed, 1 failed"; exit 1; }
# wait for DAD-free IPv4: veth is up at once, but give the link a moment
for _ in 1 2 3 4 5 6 7 8 9 10; do
	C ip link show "$VC" | grep -q 'state UP' && break
	sleep 0.2
done

# --- the inventory: a nodes/ tree compiled by `pxeinv compile` -------------
[ -x "$PXEINV" ] || { skip integration "$PXEINV is missing (./build.sh pxeinv)"; finish; }
OUTD=$T/out
TFTP=$OUTD/tftp
mkdir -p "$T/ipxe-bin/arm64" "$T/nodes/lab"
for f in ipxe.pxe undionly.kpxe ipxe.efi snponly.efi arm64/ipxe.efi; do
	echo "test binary $f" > "$T/ipxe-bin/$f"
done
cat > "$T/nodes/_defaults.yaml" <<'EOF2'
schematicID: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba
talosVersion: v1.9.5
kernelArgs: talos.platform=metal console=tty0
dns0: 1.1.1.1
ntp: fr.pool.ntp.org
install: false
netmask: 255.255.255.0
gateway: 10.213.0.1
interface: ens1
EOF2
# node_a INSTALL: node-a has two MACs
node_a() { printf 'mac:\n  - "52:54:00:aa:00:01"\n  - "52:54:00:aa:00:02"\nip: 10.213.0.11\ninstall: %s\n' "$1" > "$T/nodes/lab/node-a.yaml"; }
node_a true
printf 'uuid: 12345678-9abc-def0-1234-56789abcdef0\nip: 10.213.0.12\ninstall: once\n' > "$T/nodes/lab/node-b.yaml"
printf 'mac: "52:54:00:aa:00:03"\nip: 10.213.0.13\ninstall: false\n' > "$T/nodes/lab/node-c.yaml"
printf 'serial: SER-D-001\nip: 10.213.0.14\ninstall: true\n' > "$T/nodes/lab/node-d.yaml"

# HTTP_URL: compile --http-url (the http-url group); the other groups
# compile without it, so iPXE gets TFTP paths
HTTP_URL=
compile() {
	"$PXEINV" compile -q --ipxe-dir "$T/ipxe-bin" ${HTTP_URL:+--http-url "$HTTP_URL"} "$T/nodes" "$OUTD"
}
compile || { echo "run.sh: pxeinv compile failed" >&2; echo "0 passed, 1 failed"; exit 1; }
chmod -R a+rX "$T/out"

cat > "$T/script.sh" <<EOF2
#!/bin/sh
# dhcp-script: record the tags of each lease event, and (apart) the first
# vendor and user class items dnsmasq hands over
echo "\$1 \$2 \$3 tags=[\$DNSMASQ_TAGS]" >> "$T/script.log"
echo "\$1 \$2 \$3 vendor=[\$DNSMASQ_VENDOR_CLASS_ID \$DNSMASQ_VENDOR_CLASS0] user=[\$DNSMASQ_USER_CLASS0]" >> "$T/script-classes.log"
EOF2
chmod 755 "$T/script.sh"

# HTTP server for UEFI HTTP boot (serves the compiled TFTP root)
ip netns exec "$NS_S" python3 -m http.server 8080 --bind "$SRV" --directory "$TFTP" >/dev/null 2>&1 &
HTTP_PID=$!

# --- dnsmasq control ------------------------------------------------------
LOG=$T/dnsmasq.log

# conf NAME [extra lines...]: write a config
conf() {
	local name=$1
	shift
	{
		echo "port=0"
		echo "interface=$VS"
		echo "user=nobody"
		echo "group=nogroup"
		[ "${AUTHORITATIVE:-1}" = 0 ] || echo "dhcp-authoritative"
		[ "${PING:-0}" = 1 ] || echo "no-ping"
		echo "dhcp-leasefile=$T/leases"
		echo "log-dhcp"
		echo "log-facility=$T/$name.log"
		echo "dhcp-script=$T/script.sh"
		printf '%s\n' "$@"
	} > "$T/$name.conf"
}

# start CONF: start dnsmasq in the foreground in the server namespace
start() {
	LOG=$T/$1.log
	: > "$LOG"
	: > "$T/leases"
	# not through S(): $! must be dnsmasq itself (ip netns exec execs it)
	ip netns exec "$NS_S" "$DNSMASQ" -k --conf-file="$T/$1.conf" --pid-file="$T/dnsmasq.pid" \
		2> "$T/dnsmasq.err" &
	DNSMASQ_PID=$!
	local i
	for i in $(seq 50); do
		grep -q 'pxe-inventory: loaded\|DHCP, proxy on subnet\|DHCP, IP range' "$LOG" 2>/dev/null &&
			grep -q 'pxe-inventory: loaded' "$LOG" && return 0
		kill -0 "$DNSMASQ_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# stop: stop the running dnsmasq
stop() { proc_stop DNSMASQ_PID; }

# hup: SIGHUP and wait for the reload to be logged
hup() {
	local before
	before=$(grep -c 'pxe-inventory: reloaded\|keeping the previous inventory' "$LOG")
	kill -HUP "$DNSMASQ_PID"
	for _ in $(seq 50); do
		[ "$(grep -c 'pxe-inventory: reloaded\|keeping the previous inventory' "$LOG")" -gt "$before" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- client helpers -------------------------------------------------------
OUT=

# dhcp ARGS...: run dhcpclient.py in the client namespace; output in $OUT
dhcp() {
	OUT=$(C python3 "$here/dhcpclient.py" --iface "$VC" "$@" 2>&1)
}

# val KEY: a value from $OUT (last occurrence)
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | tail -n1; }

# tags_of XID_HEX: the last tag list dnsmasq logged for that xid
tags_of() {
	local xid=$((16#$1))
	grep " $xid tags: " "$LOG" | tail -n1 | sed 's/.* tags: //'
}

# has_tags "TAGLIST" TAG...: every TAG is in the comma-separated list
has_tags() {
	local list=", $1," t
	shift
	for t in "$@"; do
		case $list in *", $t,"*) ;; *) return 1 ;; esac
	done
}

# fetch FILE: content handed out, over TFTP (or HTTP for a URL)
fetch() {
	case $1 in
	http://*) C curl -s --max-time 5 "$1" ;;
	*) C curl -s --max-time 5 "tftp://$SRV/$1" ;;
	esac
}

# boot TYPE: the boot file of the OFFER or ACK: option 67 when the client
# asked for it (dnsmasq then leaves the file field empty), else the field
boot() { local o; o=$(val "$1.opt67"); echo "${o:-$(val "$1.file")}"; }

# check NAME FILE TAG...: assert OFFER and ACK carry FILE (siaddr = server),
# the tags, and that FILE is served with the content of the compiled file
# (which must also match $WANT_TEXT when set)
check() {
	local name=$1 file=$2 why= got path
	shift 2
	local xid tags
	xid=$(val xid)
	tags=$(tags_of "$xid")
	path=$TFTP/${file#http://$SRV:8080/}
	if [ -z "$xid" ]; then
		why="no reply: $OUT"
	elif [ "$(boot OFFER)" != "$file" ]; then
		why="OFFER boot file '$(boot OFFER)', want '$file'"
	elif [ "$(boot ACK)" != "$file" ]; then
		why="ACK boot file '$(boot ACK)', want '$file'"
	elif [ "$(val ACK.siaddr)" != "$SRV" ]; then
		why="ACK siaddr '$(val ACK.siaddr)'"
	elif ! has_tags "$tags" "$@"; then
		why="tags [$tags], want $*"
	elif ! got=$(fetch "$file") || [ -z "$got" ] || [ "$got" != "$(cat "$path")" ]; then
		why="fetching $file gave '$(printf '%s' "$got" | head -c 80)'"
	elif [ -n "${WANT_TEXT:-}" ] && ! grep -q -- "$WANT_TEXT" <<<"$got"; then
		why="$file lacks '$WANT_TEXT'"
	fi
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# --- startup ----------------------------------------------------------------
CDB=$OUTD/pxe-inventory.cdb
RANGE0="dhcp-range=10.213.0.100,10.213.0.199,255.255.255.0,1h"
# an iPXE request, and the scripts it gets
IPXE=(--vendor PXEClient:Arch:00007:UNDI:003010 --arch 7 --user-class iPXE --ipxe)
NA=pxeinv/nodes/node-a.ipxe
FALLBACK=pxeinv/fallback.ipxe
if selected startup; then
conf missing "$RANGE0" "pxe-inventory=$T/nope.cdb"
if S timeout 10 "$DNSMASQ" -k --conf-file="$T/missing.conf" > "$T/out.txt" 2>&1; then
	fail startup-missing-cache "dnsmasq started without its cache"
elif grep -qs "pxe-inventory: cannot open $T/nope.cdb" "$T/out.txt" "$T/missing.log"; then
	pass startup-missing-cache
else
	fail startup-missing-cache "$(head -c 200 "$T/out.txt")"
fi

printf 'garbage' > "$T/garbage.cdb"
conf corrupt "$RANGE0" "pxe-inventory=$T/garbage.cdb"
if S timeout 10 "$DNSMASQ" -k --conf-file="$T/corrupt.conf" > "$T/out.txt" 2>&1; then
	fail startup-corrupt-cache "dnsmasq started with a corrupt cache"
elif grep -qs "pxe-inventory: .*garbage.cdb" "$T/out.txt" "$T/corrupt.log"; then
	pass startup-corrupt-cache
else
	fail startup-corrupt-cache "$(head -c 200 "$T/out.txt")"
fi

# readable by root (checked at parse time) but not by user nobody (checked
# again after privileges are dropped): must stop, saying why
cp "$CDB" "$T/private.cdb" && chmod 0600 "$T/private.cdb"
conf private "$RANGE0" "pxe-inventory=$T/private.cdb"
S timeout 10 "$DNSMASQ" -k --conf-file="$T/private.conf" > "$T/out.txt" 2>&1
rc=$?
if [ $rc = 0 ] || [ $rc = 124 ]; then
	fail startup-unreadable-by-user "dnsmasq started though user nobody cannot read the cache"
elif grep -qs "Permission denied (the file must be readable by the user" "$T/private.log"; then
	pass startup-unreadable-by-user
else
	fail startup-unreadable-by-user "rc=$rc $(head -c 300 "$T/out.txt" "$T/private.log")"
fi
fi

# --- main instance: the compiled fragment, plus the seed's own dhcp-boot lines
# (pxe-inventory takes precedence over them) --------------------------------
# start_main: start the main instance; the reload group goes on with it
start_main() {
conf main "$RANGE0" \
	"dhcp-range=10.213.1.100,10.213.1.199,255.255.255.0,1h" \
	"dhcp-vendorclass=BIOS,PXEClient:Arch:00000" \
	"dhcp-vendorclass=UEFI,PXEClient:Arch:00007" \
	"dhcp-boot=net:BIOS,seed-ipxe.pxe" \
	"dhcp-boot=net:UEFI,seed-ipxe.efi" \
	"dhcp-match=set:ipxe,175" \
	"dhcp-boot=tag:ipxe,seed-ipxe.conf" \
	"conf-file=$OUTD/pxe-inventory.conf"
if ! start main; then
	fail start-main "$(cat "$T/dnsmasq.err" "$LOG" | head -c 400)"
	finish
fi
}
if selected main; then
start_main
pass start-main

# firmware stage, every architecture
FW=pxeinv-stage:firmware
dhcp --mac 52:54:00:bb:00:00 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0
WANT_TEXT="test binary ipxe.pxe" check firmware-bios-arch0 ipxe.pxe pxeinv $FW pxeinv-node:unknown pxeinv-install:unknown pxeinv-arch:0
dhcp --mac 52:54:00:bb:00:07 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7
# UEFI x86-64 firmware gets snponly.efi (the firmware's NIC driver)
WANT_TEXT="test binary snponly.efi" check firmware-efi-arch7 snponly.efi pxeinv $FW
dhcp --mac 52:54:00:bb:00:09 --vendor PXEClient:Arch:00009:UNDI:003016 --arch 9
check firmware-efi-arch9 snponly.efi pxeinv $FW
dhcp --mac 52:54:00:bb:00:0b --vendor PXEClient:Arch:00011:UNDI:003000 --arch 11
WANT_TEXT="test binary arm64/ipxe.efi" check firmware-efi-arm64-arch11 arm64/ipxe.efi pxeinv $FW
dhcp --mac 52:54:00:aa:00:01 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7
check firmware-known-node snponly.efi pxeinv $FW pxeinv-node:node-a pxeinv-install:yes

# busybox udhcpc as a real firmware-like client (non-relayed)
printf '#!/bin/sh\n[ "$1" = bound ] && env | grep -E "^(boot_file|siaddr|ip)=" > "%s"\nexit 0\n' \
	"$T/udhcpc.env" > "$T/udhcpc.sh"
chmod 755 "$T/udhcpc.sh"
udhcpc() {
	rm -f "$T/udhcpc.env"
	C timeout 20 busybox udhcpc -f -q -n -t 4 -T 1 -A 1 -i "$VC" -s "$T/udhcpc.sh" "$@" >/dev/null 2>&1
	cat "$T/udhcpc.env" 2>/dev/null
}
env_out=$(udhcpc -V PXEClient:Arch:00007:UNDI:003000 -x 93:0007 -x 0x61:0078563412bc9af0de123456789abcdef0)
f=$(printf '%s\n' "$env_out" | sed -n 's/^boot_file=//p')
s=$(printf '%s\n' "$env_out" | sed -n 's/^siaddr=//p')
if [ "$f" = snponly.efi ] && [ "$s" = "$SRV" ] && [ "$(fetch "$f")" = "$(cat "$TFTP/snponly.efi")" ]; then
	pass udhcpc-firmware-efi
else
	fail udhcpc-firmware-efi "boot_file='$f' siaddr='$s' ($env_out)"
fi
env_out=$(udhcpc -V PXEClient:Arch:00000:UNDI:002001 -x 93:0000)
f=$(printf '%s\n' "$env_out" | sed -n 's/^boot_file=//p')
if [ "$f" = ipxe.pxe ]; then pass udhcpc-firmware-bios; else fail udhcpc-firmware-bios "boot_file='$f' ($env_out)"; fi

# non-PXE clients are untouched
env_out=$(udhcpc)
if grep -q '^ip=10.213.0.' <<<"$env_out" && ! grep -q '^boot_file=' <<<"$env_out"; then
	pass udhcpc-non-pxe-untouched
else
	fail udhcpc-non-pxe-untouched "$env_out"
fi
dhcp --mac 52:54:00:bb:00:99
tags=$(tags_of "$(val xid)")
if [ -n "$(val ACK.yiaddr)" ] && [ -z "$(val ACK.file)" ] && [ -z "$(val ACK.opt67)" ] &&
	! has_tags "$tags" pxeinv; then
	pass non-pxe-untouched
else
	fail non-pxe-untouched "file='$(val ACK.file)' tags=[$tags]"
fi

# iPXE stage
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
WANT_TEXT=node-a check ipxe-known-mac $NA pxeinv pxeinv-stage:ipxe pxeinv-node:node-a pxeinv-install:yes
case $(val ACK.opt175) in
*b00101*) pass ipxe-no-pxedhcp-175.176 ;;
*) fail ipxe-no-pxedhcp-175.176 "option 175 = '$(val ACK.opt175)'" ;;
esac
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
check ipxe-second-mac-same-node $NA pxeinv-node:node-a
# an iPXE without HTTPS (old NIC ROM) cannot follow node-a's https:// image
# URLs: it gets our iPXE binary first
dhcp --mac 52:54:00:aa:00:02 --vendor PXEClient:Arch:00007:UNDI:003010 --arch 7 \
	--user-class iPXE --ipxe-no-https
check ipxe-without-https-gets-ipxe snponly.efi pxeinv-node:node-a pxeinv-stage:firmware
dhcp --mac 52:54:00:cc:00:01 "${IPXE[@]}" --uuid 12345678-9abc-def0-1234-56789abcdef0
WANT_TEXT=node-b check ipxe-known-uuid-smbios-order pxeinv/nodes/node-b.ipxe pxeinv-node:node-b pxeinv-install:once
dhcp --mac 52:54:00:cc:00:02 "${IPXE[@]}" --uuid ffffffff-ffff-ffff-ffff-ffffffffffff
check ipxe-all-ff-uuid-ignored $FALLBACK pxeinv-node:unknown pxeinv-install:unknown
dhcp --mac 52:54:00:cc:00:03 "${IPXE[@]}" --uuid 00000000-0000-0000-0000-000000000000
check ipxe-all-zero-uuid-ignored $FALLBACK pxeinv-node:unknown
dhcp --mac 52:54:00:cc:00:04 "${IPXE[@]}"
check ipxe-unknown-fallback $FALLBACK pxeinv-stage:ipxe pxeinv-node:unknown
dhcp --mac 52:54:00:aa:00:03 "${IPXE[@]}"
WANT_TEXT="^exit" check ipxe-install-false-exits pxeinv/nodes/node-c.ipxe pxeinv-node:node-c pxeinv-install:no
dhcp --mac 52:54:00:cc:00:05 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0 \
	--user-class "pxeinv/1 s=SER%2DD-001 b=" --ipxe
WANT_TEXT=node-d check ipxe-serial-from-user-class pxeinv/nodes/node-d.ipxe pxeinv-node:node-d

# `pxeinv lookup` runs the same code: it must give the answer dnsmasq logged
# (dnsmasq logs it from the reply it sent, with the next-server)
# agree NAME LOOKUP-ARGS...: after a dhcp call
agree() {
	local name=$1 xid logged want
	shift
	xid=$(( 16#$(val xid) ))
	logged=$(grep " $xid pxe-inventory: " "$LOG" | tail -n1 | sed 's/.* pxe-inventory: //')
	want=$("$PXEINV" lookup "$OUTD" "$@" --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print("node=%s matched=%s stage=%s install=%s file=%s" % (a["node"] or "unknown",
      a["matched"] or "-", a["stage"], a["install"], a["file"] or "-"))')
	# the decision as sent also names the next-server: here, always this server
	want="$want next-server=$SRV"
	if [ -n "$logged" ] && [ "$logged" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "dnsmasq: '$logged', pxeinv lookup: '$want'"
	fi
}
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
agree lookup-agrees-mac --mac 52:54:00:aa:00:02 --ipxe
dhcp --mac 52:54:00:cc:00:01 "${IPXE[@]}" --uuid 12345678-9abc-def0-1234-56789abcdef0
agree lookup-agrees-uuid --mac 52:54:00:cc:00:01 --uuid 12345678-9abc-def0-1234-56789abcdef0 --ipxe
dhcp --mac 52:54:00:cc:00:05 "${IPXE[@]}" --user-class "pxeinv/1 s=SER-D-001 b="
agree lookup-agrees-serial --mac 52:54:00:cc:00:05 --serial SER-D-001 --ipxe
dhcp --mac 52:54:00:bb:00:0b --vendor PXEClient:Arch:00011:UNDI:003000 --arch 11
agree lookup-agrees-firmware-arm64 --mac 52:54:00:bb:00:0b --arch 11

# relayed: dhcpclient.py as a relay agent on another subnet, and perfdhcp
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --relay "$RELAY" --server "$SRV"
if [ "$(val ACK.yiaddr | cut -d. -f1-3)" = 10.213.1 ]; then
	check relayed-giaddr $NA pxeinv-node:node-a
else
	fail relayed-giaddr "yiaddr '$(val ACK.yiaddr)' not from the relay's subnet ($OUT)"
fi

mark=$(wc -l < "$LOG")
# perfdhcp relays from $CLI (giaddr); it counts the OFFER, and dnsmasq's log
# shows the steering and the ACK (perfdhcp 2.2 does not count that ACK)
perf=$(C timeout 30 perfdhcp -4 -l "$VC" -r 1 -R 1 -n 1 -W 3000000 -b mac=52:54:00:aa:00:02 \
	-o 60,"$(printf 'PXEClient:Arch:00007:UNDI:003010' | od -An -tx1 | tr -d ' \n')" \
	-o 93,0007 -o 77,69505845 -o 175,130101140101 "$SRV" 2>&1)
for _ in $(seq 50); do
	newlog=$(tail -n +"$((mark + 1))" "$LOG")
	grep -q "DHCPACK($VS).*52:54:00:aa:00:02" <<<"$newlog" && break
	sleep 0.1
done
if printf '%s\n' "$perf" | grep -Eq 'received packets: [1-9]' &&
	grep -q "pxe-inventory: node=node-a matched=mac stage=ipxe install=yes file=$NA" <<<"$newlog" &&
	grep -q 'tags: .*pxeinv-node:node-a' <<<"$newlog" &&
	grep -q "DHCPOFFER($VS).*52:54:00:aa:00:02" <<<"$newlog" &&
	grep -q "DHCPACK($VS).*52:54:00:aa:00:02" <<<"$newlog"; then
	pass relayed-perfdhcp
else
	fail relayed-perfdhcp "$(printf '%s\n' "$perf" | grep -i 'sent\|recei' | tr '\n' ' ') log: $(printf '%s\n' "$newlog" | grep -E 'pxe-inventory|DHCP[A-Z]+\(' | sed 's/.*]: //' | tr '\n' '|')"
fi

# dhcp-script sees the tags (DNSMASQ_TAGS), on lease creation
ok=
for _ in $(seq 50); do
	if grep -q '^add 52:54:00:aa:00:01 .*pxeinv-node:node-a' "$T/script.log" 2>/dev/null; then ok=1; break; fi
	sleep 0.1
done
line=$(grep '^add 52:54:00:aa:00:01 ' "$T/script.log" 2>/dev/null | tail -n1)
if [ -n "$ok" ] && has_tags "$(echo "$line" | sed 's/.*tags=\[//; s/\]$//; s/ /, /g')" \
	pxeinv pxeinv-node:node-a pxeinv-stage:ipxe pxeinv-install:yes; then
	pass dhcp-script-tags
else
	fail dhcp-script-tags "script.log: $(tail -n3 "$T/script.log" 2>/dev/null | tr '\n' '|')"
fi
fi

# --- reload -------------------------------------------------------------------
if selected reload; then
[ -n "$DNSMASQ_PID" ] || start_main
node_a false
if ! compile || ! chmod -R a+rX "$OUTD"; then
	fail reload-new-inventory "pxeinv compile failed"
elif ! hup; then
	fail reload-new-inventory "no reload logged"
else
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	WANT_TEXT="^exit" check reload-new-inventory $NA pxeinv-node:node-a pxeinv-install:no
fi

cp "$CDB" "$T/good.cdb"
head -c 4096 /dev/urandom > "$T/junk.cdb" && mv "$T/junk.cdb" "$CDB"
if ! hup; then
	fail reload-corrupt-keeps-previous "no reload logged"
elif ! grep -q 'pxe-inventory: .*keeping the previous inventory' "$LOG"; then
	fail reload-corrupt-keeps-previous "reason not logged"
else
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	check reload-corrupt-keeps-previous $NA pxeinv-node:node-a pxeinv-install:no
	grep 'keeping the previous inventory' "$LOG" | tail -n1 | sed 's/^.*dnsmasq-dhcp\[[0-9]*\]: /# logged: /'
fi

rm -f "$CDB"
hup
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
if grep -q "pxe-inventory: cannot open $CDB.*keeping" "$LOG"; then
	check reload-missing-keeps-previous $NA pxeinv-node:node-a pxeinv-install:no
else
	fail reload-missing-keeps-previous "reason not logged"
fi
mv "$T/good.cdb" "$CDB"
fi

# --- compile --http-url: UEFI HTTP boot gets URL/BINARY, every iPXE its
# script as URL/pxeinv/..., fetched over HTTP; without it, HTTP boot gets
# nothing (what compile warns about)
if selected http-url; then
[ -n "$DNSMASQ_PID" ] || start_main
dhcp --mac 52:54:00:bb:00:16 --vendor "HTTPClient:Arch:00016:UNDI:003000" --arch 16
if [ -n "$(val xid)" ] && [ -z "$(boot OFFER)" ] && [ -z "$(boot ACK)" ] && [ "$(val ACK.opt60)" != HTTPClient ] &&
	! grep -q "pxe-inventory: .*stage=httpboot" "$LOG"; then
	pass httpboot-without-http-url-gets-no-file
else fail httpboot-without-http-url-gets-no-file "OFFER '$(boot OFFER)', ACK '$(boot ACK)', opt60 '$(val ACK.opt60)': $OUT"; fi
HTTP_URL=http://$SRV:8080
if ! compile || ! chmod -R a+rX "$OUTD" || ! hup; then
	fail http-url-compile "pxeinv compile --http-url, or the reload, failed"
else
	for a in 16 19; do
		if [ $a = 16 ]; then bin=snponly.efi; else bin=arm64/ipxe.efi; fi
		dhcp --mac 52:54:00:bb:00:$a --vendor "HTTPClient:Arch:000$a:UNDI:003000" --arch $a
		if [ "$(val OFFER.opt60)" != HTTPClient ] || [ "$(val ACK.opt60)" != HTTPClient ]; then
			fail "httpboot-arch$a" "option 60 not echoed: '$(val OFFER.opt60)'"
		else
			WANT_TEXT="test binary $bin" check "httpboot-arch$a" "$HTTP_URL/$bin" pxeinv pxeinv-stage:httpboot
		fi
	done
	dhcp --mac 52:54:00:aa:00:03 "${IPXE[@]}"
	WANT_TEXT="^exit" check http-url-ipxe-known-mac "$HTTP_URL/pxeinv/nodes/node-c.ipxe" pxeinv-node:node-c pxeinv-stage:ipxe
	dhcp --mac 52:54:00:bb:00:99 "${IPXE[@]}"
	WANT_TEXT="Fallback dispatcher" check http-url-ipxe-unknown-fallback "$HTTP_URL/$FALLBACK" pxeinv-node:unknown pxeinv-stage:ipxe
	dhcp --mac 52:54:00:bb:00:07 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7
	WANT_TEXT="test binary snponly.efi" check http-url-firmware-pxe-still-tftp snponly.efi pxeinv pxeinv-stage:firmware
fi
HTTP_URL=
compile && chmod -R a+rX "$OUTD" && hup || fail http-url-compile "recompiling without --http-url failed"
fi
stop

# --- proxy DHCP: another server hands out addresses; dnsmasq only boot info.
# pxe-inventory=...,proxy (what compile --proxy writes) switches PXE
# handling on; every answer carries next-server (iPXE ignores a ProxyDHCP
# answer without siaddr), on the broadcast OFFER and on the port-4011 ACK.
#
# proxy_check NAME FILE [TAG...]: OFFER and, with --proxy-request, PROXYACK
# give FILE with siaddr = this server and no address; the decision line for
# the xid names FILE and next-server.
proxy_check() {
	local name=$1 file=$2 why= x
	shift 2
	x=$((16#$(val xid)))
	if [ -z "$(val xid)" ]; then
		why="no OFFER: $OUT"
	elif [ "$(boot OFFER)" != "$file" ] || [ "$(val OFFER.siaddr)" != "$SRV" ]; then
		why="OFFER file='$(boot OFFER)' siaddr=$(val OFFER.siaddr), want $file from $SRV"
	elif [ "$(val OFFER.yiaddr)" != 0.0.0.0 ]; then
		why="a proxy offered an address: $(val OFFER.yiaddr)"
	elif grep -q '^PROXYACK\|^NOPROXYACK' <<<"$OUT" &&
		{ [ "$(boot PROXYACK)" != "$file" ] || [ "$(val PROXYACK.siaddr)" != "$SRV" ]; }; then
		why="port-4011 ACK file='$(boot PROXYACK)' siaddr=$(val PROXYACK.siaddr) ($OUT)"
	elif ! grep -q " $x pxe-inventory: node=.* file=$file.* next-server=$SRV\$" "$LOG"; then
		why="no decision line with file=$file next-server=$SRV for xid $x"
	elif [ $# -gt 0 ] && ! has_tags "$(tags_of "$(val xid)")" "$@"; then
		why="tags [$(tags_of "$(val xid)")], want $*"
	fi
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}
if selected proxy; then
conf proxy "dhcp-range=10.213.0.0,proxy" "enable-tftp" "tftp-root=$TFTP" \
	"dhcp-pxe-vendor=PXEClient,HTTPClient" "pxe-inventory=$CDB,proxy"
if ! start proxy; then
	fail proxy-start "$(head -c 300 "$T/dnsmasq.err")"
else
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}" --proxy-request "$CLI"
	proxy_check proxy-ipxe-known-mac $NA pxeinv-node:node-a
	if [ "$(fetch "$NA")" != "$(cat "$TFTP/$NA")" ]; then fail proxy-ipxe-script-served "TFTP $NA"; else pass proxy-ipxe-script-served; fi
	# BIOS PXE ROMs and iPXE ROMs (arch 0) take file + siaddr from the OFFER
	dhcp --mac 52:54:00:bb:00:00 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0 --proxy-request "$CLI"
	proxy_check proxy-firmware-bios ipxe.pxe
	# UEFI firmware is sent to port 4011 (siaddr) and gets its file there
	dhcp --mac 52:54:00:bb:00:07 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7 --proxy-request "$CLI"
	proxy_check proxy-firmware-efi snponly.efi
	# UEFI HTTP boot: a PXE client by dhcp-pxe-vendor; URL, HTTPClient
	# echoed. It needs compile --http-url, with which iPXE gets its script
	# as a URL too (in the file field: proxy answers carry no option 67)
	HTTP_URL=http://$SRV:8080
	if compile && chmod -R a+rX "$OUTD" && hup; then
		dhcp --mac 52:54:00:bb:00:16 --vendor HTTPClient:Arch:00016:UNDI:003000 --arch 16 --discover-only
		if [ "$(val OFFER.opt60)" = HTTPClient ]; then
			proxy_check proxy-httpboot "$HTTP_URL/snponly.efi"
		else
			fail proxy-httpboot "option 60 '$(val OFFER.opt60)' ($OUT)"
		fi
		dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}" --proxy-request "$CLI"
		proxy_check proxy-http-url-ipxe "$HTTP_URL/$NA" pxeinv-node:node-a
	else
		fail proxy-httpboot "pxeinv compile --http-url, or the reload, failed"
	fi
	HTTP_URL=
	compile && chmod -R a+rX "$OUTD" && hup || fail proxy-httpboot "recompiling without --http-url failed"
	stop
fi

# The pre-,proxy way (pxe-prompt switches PXE on) gets next-server too.
conf proxy-prompt "dhcp-range=10.213.0.0,proxy" "pxe-prompt=Booting,0" \
	"enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$CDB"
if ! start proxy-prompt; then
	fail proxy-prompt-start "$(head -c 300 "$T/dnsmasq.err")"
else
	dhcp --mac 52:54:00:bb:00:00 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0 --proxy-request "$CLI"
	proxy_check proxy-prompt-firmware-bios ipxe.pxe
	stop
fi

# pxe-service lines answer only clients that are not steered: with one
# service per architecture, dnsmasq's UEFI workaround used to send the
# service file to iPXE and firmware alike (a boot loop).
conf proxy-service "dhcp-range=10.213.0.0,proxy" "enable-tftp" "tftp-root=$TFTP" \
	'pxe-service=x86PC,"Network boot",ipxe.pxe' 'pxe-service=x86-64_EFI,"Network boot",snponly.efi' \
	"pxe-inventory=$CDB,proxy"
if ! start proxy-service; then
	fail proxy-service-start "$(head -c 300 "$T/dnsmasq.err")"
else
	if grep -q 'pxe-inventory: 2 pxe-service line(s) apply only to clients the inventory does not steer' "$LOG"; then
		pass proxy-service-logged
	else
		fail proxy-service-logged "no startup line in $LOG"
	fi
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}" --proxy-request "$CLI"
	proxy_check proxy-service-ipxe-gets-script $NA pxeinv-node:node-a
	dhcp --mac 52:54:00:bb:00:07 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7 --proxy-request "$CLI"
	proxy_check proxy-service-efi-firmware snponly.efi
	if grep -q 'the reply carries file=' "$LOG"; then
		fail proxy-service-no-mismatch "$(grep 'the reply carries' "$LOG" | head -n 2)"
	else
		pass proxy-service-no-mismatch
	fi
	stop
fi

# A proxy range with PXE handling off answers nobody: refused at startup.
conf proxy-nopxe "dhcp-range=10.213.0.0,proxy" "enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$CDB"
if start proxy-nopxe; then
	fail proxy-without-pxe-refused "dnsmasq started"
elif ! kill -0 "$DNSMASQ_PID" 2>/dev/null &&
	grep -q 'dhcp-range 10.213.0.0 is proxy-only, but PXE handling is off.*add ,proxy to pxe-inventory=' "$T/dnsmasq.err" "$LOG"; then
	pass proxy-without-pxe-refused
else
	fail proxy-without-pxe-refused "$(cat "$T/dnsmasq.err")"
fi
stop
fi

# --- decision log: a decision is logged only for a reply that was sent ------
# A DHCPREQUEST for another server (option 54) gets no reply: before, the
# server not chosen logged a decision for it all the same.
if selected decision-log; then
# decision_log NAME WHAT: the REQUEST for another server is answered WHAT
decision_log() {
	local name=$1 what=$2 x y nx ny
	if ! start "$name"; then
		fail "$name-start" "$(head -c 300 "$T/dnsmasq.err")"
		return
	fi
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}" --xid 5eed0001
	x=$((16#5eed0001))
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}" --xid 5eed0002 --opt 54 0a0d00fe
	y=$((16#5eed0002))
	for _ in $(seq 20); do grep -q " $y pxe-inventory: not answered" "$LOG" && break; sleep 0.1; done
	nx=$(grep -c " $x pxe-inventory: node=node-a .*file=$NA .*next-server=$SRV\$" "$LOG")
	ny=$(grep -c " $y pxe-inventory: node=" "$LOG")
	if [ "$nx" = 2 ] && [ "$ny" = 1 ] && grep -q " $y pxe-inventory: not answered: $what" "$LOG" &&
		grep -q '^NOACK\|^NAK\.' <<<"$OUT"; then
		pass "$name"
	else
		fail "$name" "own server: $nx decision lines (want 2: OFFER, ACK); other server's REQUEST: $ny (want 1: the OFFER), '$what' logged: $(grep -c " $y pxe-inventory: not answered: $what" "$LOG") ($OUT)"
	fi
	stop
}
conf decision-log-nak "$RANGE0" "enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$CDB"
decision_log decision-log-nak "the reply is a DHCPNAK"
AUTHORITATIVE=0 conf decision-log-ignored "$RANGE0" "enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$CDB"
decision_log decision-log-ignored "no reply"
fi

# --- tag restriction: only the "lab" range is steered ------------------------
if selected tag; then
conf tagged "dhcp-range=set:lab,10.213.0.100,10.213.0.199,255.255.255.0,1h" \
	"dhcp-range=set:other,10.213.1.100,10.213.1.199,255.255.255.0,1h" \
	"enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$CDB,tag:lab"
if ! start tagged; then
	fail tag-start "$(head -c 300 "$T/dnsmasq.err")"
else
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
	check tag-restricted-steered $NA pxeinv-node:node-a
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}" --relay "$RELAY" --server "$SRV"
	if [ "$(val ACK.yiaddr | cut -d. -f1-3)" = 10.213.1 ] && [ -z "$(boot ACK)" ] &&
		! has_tags "$(tags_of "$(val xid)")" pxeinv; then
		pass tag-restricted-other-untouched
	else
		fail tag-restricted-other-untouched "file='$(boot ACK)' ($OUT)"
	fi
	stop
fi
fi

# --- the ping check: skipped for the nodes of the inventory only (unless
# ",ping"). Every ping dnsmasq sends is an ICMP echo request counted in
# OutEchos of the server namespace's /proc/net/snmp ----------------------------
if selected ping; then
out_echos() {
	ip netns exec "$NS_S" awk '/^Icmp:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "OutEchos") c = i } else { print $c; exit } }' /proc/net/snmp
}
# pings WHAT ARGS...: a DISCOVER; prints "OFFERED PINGS" (pings it cost)
pings() {
	local before after
	before=$(out_echos)
	dhcp --discover-only --timeout 8 "$@"
	after=$(out_echos)
	echo "$(val OFFER.yiaddr) $((after - before))"
}
PING=1 conf ping "$RANGE0" "enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$CDB"
if [ -z "$(out_echos)" ]; then
	fail ping-counter "no Icmp OutEchos in /proc/net/snmp"
elif start ping; then
	r=$(pings --mac 52:54:00:aa:00:01 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7)
	[ "${r#* }" = 0 ] && [ -n "${r% *}" ] && pass ping-skipped-for-node ||
		fail ping-skipped-for-node "offer/pings: '$r'"
	r=$(pings --mac 52:54:00:dd:00:01 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7)
	[ "${r#* }" -ge 1 ] && [ -n "${r% *}" ] && pass ping-kept-for-unknown-pxe-client ||
		fail ping-kept-for-unknown-pxe-client "offer/pings: '$r'"
	r=$(pings --mac 52:54:00:dd:00:02)
	[ "${r#* }" -ge 1 ] && [ -n "${r% *}" ] && pass ping-kept-for-other-client ||
		fail ping-kept-for-other-client "offer/pings: '$r'"
	stop
else
	fail ping-start "$(head -c 300 "$T/dnsmasq.err")"
fi
PING=1 conf ping-kept "$RANGE0" "enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$CDB,ping"
if start ping-kept; then
	r=$(pings --mac 52:54:00:aa:00:01 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7)
	[ "${r#* }" -ge 1 ] && [ -n "${r% *}" ] && pass ping-option-keeps-check-for-nodes ||
		fail ping-option-keeps-check-for-nodes "offer/pings: '$r'"
	stop
else
	fail ping-kept-start "$(head -c 300 "$T/dnsmasq.err")"
fi
conf bad-flag "$RANGE0" "pxe-inventory=$CDB,pong"
if S timeout 10 "$DNSMASQ" -k --conf-file="$T/bad-flag.conf" > "$T/out.txt" 2>&1; then
	fail option-unknown-flag "dnsmasq started with pxe-inventory=...,pong"
elif grep -qs 'expected PATH\[,tag:TAG\]\[,state:DIR\]\[,ping\]' "$T/out.txt"; then
	pass option-unknown-flag
else
	fail option-unknown-flag "$(head -c 200 "$T/out.txt")"
fi
fi

if selected blank-uuid; then
# --- blank UUIDs are never looked up: a cache that (wrongly) holds the all-FF
# and all-zero UUIDs, written with the shared writer -------------------------
if gcc -O2 -I"$root/cache" -I"$root/common" -o "$T/mkcache" "$here/mkcache.c" "$root/cache/pxeinv_cache_write.c" -lcdb -lz; then
	{
		printf '%s\t%s\n' c:bios ipxe.pxe c:efi-x64 ipxe.efi c:fallback "$FALLBACK" \
			c:exit pxeinv/exit.ipxe \
			u:ffffffff-ffff-ffff-ffff-ffffffffffff node-trap \
			u:00000000-0000-0000-0000-000000000000 node-trap
		printf 'h:node-trap\tyes\tamd64\t%s\n' "$NA"
	} | "$T/mkcache" "$T/trap.cdb"
	chmod 644 "$T/trap.cdb"
	conf trap "$RANGE0" "enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$T/trap.cdb"
	if start trap; then
		dhcp --mac 52:54:00:cc:00:02 "${IPXE[@]}" --uuid ffffffff-ffff-ffff-ffff-ffffffffffff
		check blank-uuid-ff-never-matches $FALLBACK pxeinv-node:unknown
		dhcp --mac 52:54:00:cc:00:03 "${IPXE[@]}" --uuid 00000000-0000-0000-0000-000000000000
		check blank-uuid-zero-never-matches $FALLBACK pxeinv-node:unknown
		stop
	else
		fail blank-uuid-start "$(head -c 300 "$T/dnsmasq.err")"
	fi
else
	fail blank-uuid-mkcache "cannot build tests/integration/mkcache.c"
fi
fi

if selected overload; then
# --- option overload (52): option 175 in the file field is seen by the
# steering as by dnsmasq's own dhcp-match: a known iPXE gets its script ------
start_main
dhcp --mac 52:54:00:aa:00:01 --vendor PXEClient:Arch:00007:UNDI:003010 --arch 7 --ipxe-in-file
WANT_TEXT=node-a check overload-175-in-file-is-ipxe $NA pxeinv pxeinv-stage:ipxe pxeinv-node:node-a ipxe
stop
fi

# --- malformed requests: after each, dnsmasq must still be running and a
# known node's normal request must get exactly its script. The steering
# reads each option as dnsmasq's own option_find() does (the first instance
# that is not empty); a request whose options run past its end is left to
# dnsmasq's own configuration ---------------------------------------------
if selected malformed; then
node_a true
compile && chmod -R a+rX "$OUTD" || fail malformed-compile "pxeinv compile failed"
conf malformed "$RANGE0" "conf-file=$OUTD/pxe-inventory.conf"
FW7=(--vendor PXEClient:Arch:00007:UNDI:003000 --arch 7)
# iPXE, with no user class: the case brings its own
IPXE175=(--vendor PXEClient:Arch:00007:UNDI:003010 --arch 7 --ipxe)
# node-b's UUID in the SMBIOS order of option 97
UB=78563412bc9af0de123456789abcdef0
MXN=0

# hex TEXT: TEXT as hex digits
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# m_dhcp ARGS...: dhcp with a transaction id of our own ($MX)
m_dhcp() {
	MXN=$((MXN + 1))
	MX=$(printf '%08x' $((0x6d000000 + MXN)))
	dhcp --xid "$MX" --timeout 3 "$@"
}

# m_decision: the steering decision dnsmasq logged for the last request,
# "node=... file=...", or nothing when the request was left alone
m_decision() { grep " $((16#$MX)) pxe-inventory: " "$LOG" | tail -n1 | sed 's/.* pxe-inventory: //'; }

# m_steered FILE DECISION: why the last request was not answered with FILE
# after the steering decided DECISION ("" when it was); the decision line,
# written from the reply, ends with the next-server sent: this server
m_steered() {
	local d
	d=$(m_decision)
	if [ "$d" != "$2 next-server=$SRV" ]; then
		echo "decided '$d', want '$2 next-server=$SRV'"
	elif [ "$(boot ACK)" != "$1" ]; then
		echo "ACK boot file '$(boot ACK)', want '$1' ($(printf '%s' "$OUT" | tr '\n' ' ' | head -c 200))"
	fi
}

# m_untouched: why the last request was not answered by dnsmasq alone,
# without steering ("" when it was)
m_untouched() {
	if [ -n "$(m_decision)" ]; then
		echo "steered: $(m_decision)"
	elif has_tags "$(tags_of "$MX")" pxeinv; then
		echo "tagged: $(tags_of "$MX")"
	elif [ -z "$(val ACK.yiaddr)" ]; then
		echo "no answer: $(printf '%s' "$OUT" | tr '\n' ' ' | head -c 200)"
	fi
}

# m_unanswered: why the last request got an answer or was steered
m_unanswered() {
	if [ -n "$(m_decision)" ]; then
		echo "steered: $(m_decision)"
	elif ! grep -q '^NOREPLY' <<<"$OUT"; then
		echo "answered: $(printf '%s' "$OUT" | tr '\n' ' ' | head -c 200)"
	fi
}

# m_case NAME WHY: the verdict on case NAME, whose own check said WHY (""
# when it held): dnsmasq must also be alive, and node-a's normal request
# right after must get exactly its script
m_case() {
	local name=$1 why=$2 file
	if ! kill -0 "$DNSMASQ_PID" 2>/dev/null; then
		why="${why:+$why; }dnsmasq died: $(tail -n2 "$T/dnsmasq.err" | tr '\n' ' ')"
		start malformed || why="$why; and cannot restart"
	else
		dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
		file=$(boot ACK)
		if [ "$file" != $NA ] || ! has_tags "$(tags_of "$(val xid)")" pxeinv-node:node-a ||
			[ "$(fetch "$file")" != "$(cat "$TFTP/$NA")" ]; then
			why="${why:+$why; }then node-a got '$file' [$(tags_of "$(val xid)")]"
		fi
	fi
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# the decisions, for node-a, node-d and an unknown client
A_IPXE="node=node-a matched=mac stage=ipxe install=yes file=$NA"
A_FW="node=node-a matched=mac stage=firmware install=yes file=snponly.efi"
A_OLD="$A_FW (iPXE without HTTPS)"
D_SERIAL="node=node-d matched=serial stage=ipxe install=yes file=pxeinv/nodes/node-d.ipxe"
U_IPXE="node=unknown matched=- stage=ipxe install=unknown file=$FALLBACK"
U_FW="node=unknown matched=- stage=firmware install=unknown file=snponly.efi"

if ! start malformed; then
	fail malformed-start "$(head -c 300 "$T/dnsmasq.err")"
else
# option 175: empty, zero-length and overrunning items, split (RFC 3396)
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af00
m_case m-175-empty-is-no-ipxe "$(m_steered snponly.efi "$A_FW")"
m_dhcp --mac 52:54:00:ee:00:01 "${FW7[@]}" --raw-options af00
m_case m-175-empty-unknown-gets-binary "$(m_steered snponly.efi "$U_FW")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af00af09130101190101140101
m_case m-175-empty-then-full "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af09130019001401011000
m_case m-175-zero-length-items "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af051301011400
m_case m-175-zero-length-https "$(m_steered snponly.efi "$A_OLD")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af061301011409
m_case m-175-item-overruns "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af0413010114
m_case m-175-item-cut "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af06130101140101af03190101
m_case m-175-split-https-first "$(m_steered $NA "$A_IPXE")"
# dnsmasq reads the first instance only: an iPXE whose HTTPS flag is in a
# later one gets our iPXE binary first
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options af03130101af06190101140101
m_case m-175-split-read-as-dnsmasq "$(m_steered snponly.efi "$A_OLD")"

# option 97: node-b's UUID, well-formed (the control), then every wrong
# length and type: never node-b
m_dhcp --mac 52:54:00:ee:00:10 "${IPXE[@]}" --opt 97 "00$UB"
m_case m-97-control "$(m_steered pxeinv/nodes/node-b.ipxe "node=node-b matched=uuid stage=ipxe install=once file=pxeinv/nodes/node-b.ipxe")"
i=0
for u in "" 00 "${UB:0:30}" "00${UB:0:30}" "01$UB" "ff$UB" "00${UB}00" "0000$UB" "00$UB$UB" \
	"00$UB$(printf '00%.0s' $(seq 238))"; do
	i=$((i + 1))
	m_dhcp --mac 52:54:00:ee:00:1$((i % 10)) "${IPXE[@]}" --opt 97 "$u"
	m_case "m-97-bad-$i-length-$((${#u} / 2))" "$(m_steered $FALLBACK "$U_IPXE")"
done

# option 93: empty, one byte, odd length
m_dhcp --mac 52:54:00:ee:00:20 --vendor PXEClient:Arch:00011:UNDI:003000 --opt 93 ""
m_case m-93-empty "$(m_steered arm64/ipxe.efi "${U_FW%snponly.efi}arm64/ipxe.efi")"
m_dhcp --mac 52:54:00:ee:00:21 --vendor PXEClient --opt 93 07
m_case m-93-one-byte "$(m_untouched)"
m_dhcp --mac 52:54:00:ee:00:22 --vendor PXEClient --opt 93 000b00
m_case m-93-odd-length "$(m_steered arm64/ipxe.efi "${U_FW%snponly.efi}arm64/ipxe.efi")"

# vendor classes that say no architecture, or no PXE: left alone
i=0
for vc in PXEClient:Arch: PXEClient:Arch:0x007:UNDI:003000 PXEClient:Arch:99999:UNDI:003000; do
	i=$((i + 1))
	m_dhcp --mac 52:54:00:ee:00:30 --vendor "$vc"
	m_case "m-vendor-class-bad-arch-$i" "$(m_untouched)"
done
m_dhcp --mac 52:54:00:aa:00:01 --arch 7 --opt 60 50584500ff436c69656e74
m_case m-vendor-class-binary "$(m_untouched)"
# an empty vendor class is none, as for dnsmasq: option 93 says arch 7
m_dhcp --mac 52:54:00:aa:00:01 --arch 7 --opt 60 ""
m_case m-vendor-class-empty "$(m_steered snponly.efi "$A_FW")"

# RFC 3004 user classes: node-d's report as one item (the control), then
# with inner lengths that do not add up: never node-d
R="pxeinv/1 s=SER-D-001 b=NO-SUCH-BOARD-1"
m_dhcp --mac 52:54:00:ee:00:40 "${IPXE175[@]}" --opt 77 "$(printf '%02x' ${#R})$(hex "$R")"
m_case m-user-class-rfc3004-item "$(m_steered pxeinv/nodes/node-d.ipxe "$D_SERIAL")"
R2="pxeinv/1 s=SER-D-001 b="
m_dhcp --mac 52:54:00:ee:00:41 "${IPXE175[@]}" --opt 77 "$(printf '%02x' ${#R2})$(hex "$R2")"
m_case m-user-class-rfc3004-short-item "$(m_steered pxeinv/nodes/node-d.ipxe "$D_SERIAL")"
for l in 40 05 25 27; do
	m_dhcp --mac 52:54:00:ee:00:42 "${IPXE175[@]}" --opt 77 "$l$(hex "$R")"
	m_case "m-user-class-inner-length-$l" "$(m_steered $FALLBACK "$U_IPXE")"
done
# a zero length byte first reads as dnsmasq's own rewrite, which zeroes the
# length bytes in place before the steering sees the option: the same bytes
m_dhcp --mac 52:54:00:ee:00:45 "${IPXE175[@]}" --opt 77 "00$(hex "$R")"
m_case m-user-class-inner-length-00 "$(m_steered pxeinv/nodes/node-d.ipxe "$D_SERIAL")"
m_dhcp --mac 52:54:00:ee:00:43 "${IPXE175[@]}" --opt 77 "08$(hex pxeinv/1)0e$(hex "s=SER-D-001 b=")"
m_case m-user-class-report-in-two-items "$(m_steered $FALLBACK "$U_IPXE")"
m_dhcp --mac 52:54:00:ee:00:44 "${IPXE175[@]}" --opt 77 000000
m_case m-user-class-empty-items "$(m_steered $FALLBACK "$U_IPXE")"

# the identity report: bad percent-escapes never match node-d by what
# precedes them; ../ reaches the tags encoded, never as a path
for s in SER-D-001%4 SER-D-001% SER%zzD-001 SER-D-001%00 SER-D-001%0a; do
	m_dhcp --mac 52:54:00:ee:00:50 "${IPXE[@]}" --user-class "pxeinv/1 s=$s b="
	why=$(m_steered $FALLBACK "$U_IPXE")
	case $(tags_of "$MX") in *pxeinv-serial:*) why="${why:-serial tag: $(tags_of "$MX")}" ;; esac
	m_case "m-report-escape-$s" "$why"
done
m_dhcp --mac 52:54:00:ee:00:51 "${IPXE[@]}" --user-class "pxeinv/1 s=../../etc/passwd b=%2e%2e%2f%2E%2E%2Fx"
why=$(m_steered $FALLBACK "$U_IPXE")
tags=$(tags_of "$MX")
line=
for _ in $(seq 50); do
	line=$(grep '^add 52:54:00:ee:00:51 ' "$T/script.log" 2>/dev/null | tail -n1)
	[ -n "$line" ] && break
	sleep 0.1
done
# the tags encode every byte outside [A-Za-z0-9._-]: "/" is %2F
if [ -n "$why" ]; then
	:
elif ! has_tags "$tags" pxeinv-serial:..%2F..%2Fetc%2Fpasswd pxeinv-board-serial:..%2F..%2Fx; then
	why="tags [$tags]"
elif [ -z "$line" ]; then
	why="no lease event in the dhcp-script's log"
elif [[ "$tags $line" == */* ]]; then
	why="a / in the tags: [$tags] DNSMASQ_TAGS: $line"
elif ! has_tags "$(echo "$line" | sed 's/.*tags=\[//; s/\]$//; s/ /, /g')" \
	pxeinv-serial:..%2F..%2Fetc%2Fpasswd pxeinv-board-serial:..%2F..%2Fx; then
	why="DNSMASQ_TAGS: $line"
fi
m_case m-report-dot-dot-slash "$why"

# option overload (52) with garbage in file and sname: the options area
# decides; option 175 in the file field is seen as dnsmasq sees it
G1=af0513010114ff4d807078650c
G2=61ff00112233
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --raw-options 340103 --file $G1 --sname $G2
m_case m-overload-garbage-known "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:ee:00:60 "${FW7[@]}" --raw-options 340103 --file $G1 --sname $G2
m_case m-overload-garbage-unknown "$(m_steered snponly.efi "$U_FW")"
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --raw-options 3400
m_case m-overload-empty "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options 340101 --file af06130101140101ff
m_case m-overload-175-in-file "$(m_steered $NA "$A_IPXE")"

# the packet: ends mid-option (a length, or its payload, cut off), has no
# end option, is bigger than dnsmasq's usual buffer, is cut in the header
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --raw-options 0c0a6e6f6465 --no-end
m_case m-ends-mid-option "$(m_untouched)"
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --raw-options 0c --no-end
m_case m-ends-after-option-code "$(m_untouched)"
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --no-end
m_case m-no-end-option "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --pad 1400
m_case m-oversized-padded "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${FW7[@]}" --raw-options "$(printf '00%.0s' $(seq 30000))af06130101140101"
m_case m-oversized-175-at-30000 "$(m_steered $NA "$A_IPXE")"
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --truncate 200
m_case m-cut-in-header "$(m_unanswered)"
m_dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --truncate 238
m_case m-cut-in-cookie "$(m_unanswered)"
stop
fi
fi

# --- a damaged cache file: dnsmasq serves a sealed copy of the last cache it
# verified, so whatever happens to the file afterwards (truncated, emptied,
# rewritten in place, random bytes, removed, replaced by a directory), with
# or without SIGHUP, dnsmasq stays up and answers exactly as before; a
# refused reload is logged once, with its reason ------------------------------
if selected damaged-cache; then
DMG=$T/dmg/pxe-inventory.cdb
mkdir -p "$T/dmg" "$T/nodes-other"
cp "$CDB" "$T/dmg-good.cdb"
# another valid cache, smaller: written over the first one in place, it
# leaves a mix of the two
cp "$T/nodes/_defaults.yaml" "$T/nodes-other/"
printf 'mac: "52:54:00:aa:00:01"\nip: 10.213.0.21\ninstall: true\n' > "$T/nodes-other/node-x.yaml"
"$PXEINV" compile -q --ipxe-dir "$T/ipxe-bin" "$T/nodes-other" "$T/out-other" &&
	cp "$T/out-other/pxe-inventory.cdb" "$T/dmg-other.cdb"

# answer ARGS...: one client's answer: dnsmasq's steering line and the
# ACK's boot file
answer() {
	local xid
	dhcp "$@"
	xid=$(val xid)
	if [ -z "$xid" ]; then echo "no reply"; return; fi
	echo "$(grep " $((16#$xid)) pxe-inventory: " "$LOG" | tail -n1 | sed 's/.* pxe-inventory: //') boot=$(boot ACK)"
}
# answers: those of three known nodes (by MAC, UUID and serial), an unknown
# iPXE and a known node's firmware
answers() {
	answer --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	answer --mac 52:54:00:cc:00:01 "${IPXE[@]}" --uuid 12345678-9abc-def0-1234-56789abcdef0
	answer --mac 52:54:00:cc:00:05 "${IPXE[@]}" --user-class "pxeinv/1 s=SER-D-001 b="
	answer --mac 52:54:00:cc:00:04 "${IPXE[@]}"
	answer --mac 52:54:00:aa:00:01 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7
}
dmg_truncate() { truncate -s 0 "$DMG"; }
dmg_empty() { : > "$DMG"; }
dmg_cut() { truncate -s "$(($(stat -c %s "$DMG") / 2))" "$DMG"; }
dmg_other() { dd if="$T/dmg-other.cdb" of="$DMG" conv=notrunc status=none; }
# node-a's script path, overwritten in place by one of the same length
dmg_record() {
	local off
	off=$(grep -obUaF "$NA" "$DMG" | head -n1 | cut -d: -f1)
	[ -n "$off" ] && printf 'EVIL/../../../etc/passwd' | dd of="$DMG" bs=1 seek="$off" conv=notrunc status=none
}
dmg_random() { head -c "$(stat -c %s "$DMG")" /dev/urandom | dd of="$DMG" conv=notrunc status=none; }
dmg_rm() { rm -f "$DMG"; }
dmg_dir() { rm -f "$DMG" && mkdir "$DMG"; }

# restore: the good file again, loaded by dnsmasq (SIGHUP), so that the
# file a case damages is the one being served
restore() {
	local mark
	rm -rf "$DMG"
	cp "$T/dmg-good.cdb" "$DMG" && chmod 644 "$DMG" || return 1
	mark=$(wc -l < "$LOG")
	hup && tail -n +"$((mark + 1))" "$LOG" | grep -q "pxe-inventory: reloaded $DMG: 4 nodes"
}

# damaged NAME REASON DAMAGE: restore the good file, damage it, then (NAME
# ending in -hup) SIGHUP, and compare the answers with the baseline; with
# SIGHUP, exactly one refusal is logged, naming REASON (an ERE)
damaged() {
	local name=damaged-cache-$1 reason=$2 damage=$3 mark got why='' refusals
	# a case that killed dnsmasq does not take the next ones with it
	if ! kill -0 "$DNSMASQ_PID" 2>/dev/null; then
		stop
		rm -rf "$DMG"
		cp "$T/dmg-good.cdb" "$DMG" && chmod 644 "$DMG"
		start damaged
	fi
	if ! restore; then
		fail "$name" "the good file was not reloaded: $(tail -n 2 "$LOG" | tr '\n' '|')"
		return
	fi
	mark=$(wc -l < "$LOG")
	if ! "$damage"; then
		fail "$name" "cannot damage the file with $damage"
		return
	fi
	case $name in *-hup) hup || why="no reload logged" ;; esac
	got=$(answers)
	refusals=$(tail -n +"$((mark + 1))" "$LOG" | grep 'keeping the previous inventory')
	if ! kill -0 "$DNSMASQ_PID" 2>/dev/null; then
		why="dnsmasq died: $(tail -n 2 "$LOG" "$T/dnsmasq.err" | tr '\n' '|')"
	elif [ -n "$why" ]; then
		:
	elif [ "$got" != "$baseline" ]; then
		why="answers changed: $(diff <(echo "$baseline") <(echo "$got") | grep '^[<>]' | tr '\n' '|')"
	elif [ "${name%-hup}" = "$name" ] && [ -n "$refusals" ]; then
		why="a refusal logged without SIGHUP: $refusals"
	elif [ "${name%-hup}" != "$name" ] && [ "$(printf '%s\n' "$refusals" | grep -c .)" != 1 ]; then
		why="$(printf '%s\n' "$refusals" | grep -c .) refusals logged, want 1: $refusals"
	elif [ "${name%-hup}" != "$name" ] &&
		! grep -Eq "pxe-inventory: $reason.*: keeping the previous inventory \(4 nodes\)" <<<"$refusals"; then
		why="refusal does not say '$reason': $refusals"
	fi
	if [ -n "$why" ]; then
		fail "$name" "$why"
	else
		# and node-a's script is the one served, fetched over TFTP
		dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
		WANT_TEXT=node-a check "$name" $NA pxeinv-node:node-a
	fi
}

conf damaged "$RANGE0" "enable-tftp" "tftp-root=$TFTP" "pxe-inventory=$DMG"
rm -rf "$DMG"
cp "$T/dmg-good.cdb" "$DMG" && chmod 644 "$DMG"
if [ ! -s "$T/dmg-other.cdb" ] ||
	[ "$(stat -c %s "$T/dmg-other.cdb")" -ge "$(stat -c %s "$DMG")" ]; then
	fail damaged-cache-setup "no other cache smaller than the first"
elif ! start damaged; then
	fail damaged-cache-start "$(head -c 300 "$T/dnsmasq.err")"
else
	baseline=$(answers)
	want="node=node-a matched=mac stage=ipxe install=[a-z]+ file=$NA next-server=$SRV boot=$NA
node=node-b matched=uuid stage=ipxe install=once file=pxeinv/nodes/node-b.ipxe next-server=$SRV boot=pxeinv/nodes/node-b.ipxe
node=node-d matched=serial stage=ipxe install=yes file=pxeinv/nodes/node-d.ipxe next-server=$SRV boot=pxeinv/nodes/node-d.ipxe
node=unknown matched=- stage=ipxe install=unknown file=$FALLBACK next-server=$SRV boot=$FALLBACK
node=node-a matched=mac stage=firmware install=[a-z]+ file=snponly.efi next-server=$SRV boot=snponly.efi"
	# line by line: each answer matches its pattern
	if [ "$(paste -d '\n' <(echo "$want") <(echo "$baseline") |
		while read -r pattern && read -r line; do
			[[ $line =~ ^$pattern$ ]] && echo ok
		done | grep -c ok)" = 5 ]; then
		pass damaged-cache-baseline
	else
		fail damaged-cache-baseline "answers: $(tr '\n' '|' <<<"$baseline")"
	fi
	corrupt="$DMG(:| is not a valid cdb file).*(truncated|corrupt)"
	for hup in "" -hup; do
		damaged "truncate$hup" "$corrupt" dmg_truncate
		damaged "empty$hup" "$corrupt" dmg_empty
		damaged "cut-in-half$hup" "$corrupt" dmg_cut
		damaged "other-cache-in-place$hup" "$corrupt" dmg_other
		damaged "record-in-place$hup" "$corrupt" dmg_record
		damaged "random-bytes$hup" "$corrupt" dmg_random
		damaged "removed$hup" "cannot open $DMG: No such file or directory" dmg_rm
		damaged "directory$hup" "$DMG is not a regular file" dmg_dir
	done
	# the good file again: SIGHUP loads it
	if restore && [ "$(answers)" = "$baseline" ]; then
		pass damaged-cache-restored-reloads
	else
		fail damaged-cache-restored-reloads "$(tail -n 2 "$LOG" | tr '\n' '|')"
	fi
	# after all those reloads, dnsmasq maps one copy, and its script
	# helper (forked once, while the first copy was open) that one at
	# most: no copy piles up
	copies=$(grep -c '/memfd:pxeinv-cache' "/proc/$DNSMASQ_PID/maps")
	helper=$(pgrep -P "$DNSMASQ_PID" | head -n1)
	if [ "$copies" = 1 ] && [ -n "$helper" ] &&
		[ "$(grep -c '/memfd:pxeinv-cache' "/proc/$helper/maps")" -le 1 ]; then
		pass damaged-cache-one-copy-in-memory
	else
		fail damaged-cache-one-copy-in-memory "dnsmasq maps $copies copies, its helper '$helper': $(grep -c '/memfd:pxeinv-cache' "/proc/$helper/maps" 2>&1)"
	fi
	stop
fi
fi

# --- DHCPv6: the same inventory steers DHCPv6 SOLICIT, REQUEST and
# INFORMATION-REQUEST (dhcp6client.py sends what UEFI PXEv6/HTTPv6 and
# iPXE send); the answer is option 59, a URL. Each case also asks
# `pxeinv lookup --v6` and wants the same node, key and file -------------
SRV6=fd00:213::1
CLI6=fd00:213::2
if selected dhcpv6; then
	# json_or_null S: S as a JSON string, null when empty
	json_or_null() { if [ -n "$1" ]; then printf '"%s"' "$1"; else printf null; fi; }
	# v6 ARGS...: run dhcp6client.py in the client namespace; output in $OUT
	v6() { OUT=$(C python3 "$here/dhcp6client.py" --iface "$VC" "$@" 2>&1); }
	# v6check NAME URL NODE MATCHED [LOOKUP ARGS...]: every answer carries
	# URL, dnsmasq logged the decision for the last xid, lookup --v6 with
	# LOOKUP ARGS agrees, and URL serves the compiled file
	v6check() {
		local name=$1 url=$2 node=$3 matched=$4 why= got want xid line lk
		shift 4
		xid=$(val xid)
		line=$(grep " $xid pxe-inventory: " "$LOG" | tail -n1)
		lk=$("$PXEINV" lookup "$OUTD" --v6 --server "$SRV6" --json "$@" 2>&1)
		want="{\"steered\": true, \"stage\": \"$V6_STAGE\", \"node\": $(json_or_null "$node"), \"matched\": $(json_or_null "$matched"), \"install\": \"$V6_INSTALL\", \"http\": $V6_HTTP, \"file\": \"$url\"}"
		if ! printf '%s\n' "$OUT" | grep -q '^\(ADVERTISE\|REPLY\)\.opt59='; then
			why="no option 59: $OUT"
		elif printf '%s\n' "$OUT" | grep '\.opt59=' | grep -vqxF -e "ADVERTISE.opt59=$url" -e "REPLY.opt59=$url"; then
			why="option 59 $(printf '%s\n' "$OUT" | grep '\.opt59=' | tr '\n' ' '), want $url"
		elif [ -z "$line" ]; then
			why="no decision logged for xid $xid"
		elif ! grep -qF "pxe-inventory: node=${node:-unknown} matched=${matched:--} stage=$V6_STAGE " <<<"$line" ||
			! grep -qF " file=$url" <<<"$line"; then
			why="logged: ${line#*pxe-inventory: }"
		elif [ "$lk" != "$want" ]; then
			why="lookup --v6 $*: $lk, want $want"
		else
			case $url in
			http://*) got=$(C curl -sg --max-time 5 "$url") ;;
			*) got=$(C curl -sg --max-time 5 "$url") ;;
			esac
			local path=${url#*\]/}
			path=${path#*:8080/}
			[ "$got" = "$(cat "$TFTP/$path")" ] || why="fetching $url gave '$(printf '%s' "$got" | head -c 60)'"
		fi
		if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
	}
	# dhcpv6_real_relay TO: $NS_L joined to $NS_C by vr$$ (fd00:214::1)
	# and vl$$ (MAC 52:54:00:aa:00:02, link-local only), once, and dnsmasq
	# relaying DHCPv6 from vr$$ as --dhcp-relay=fd00:214::1,TO says
	# (RELAY6_PID, log $T/relay6.log)
	RELAY6_PID=
	dhcpv6_real_relay() {
		if [ ! -e "/run/netns/$NS_L" ]; then
			ip netns add "$NS_L" &&
				ip link add "vr$$" netns "$NS_C" type veth peer name "vl$$" netns "$NS_L" &&
				ip -n "$NS_L" link set lo up && ip -n "$NS_L" link set "vl$$" address 52:54:00:aa:00:02 &&
				ip -n "$NS_L" link set "vl$$" up && ip -n "$NS_C" link set "vr$$" up &&
				C ip -6 addr add fd00:214::1/64 dev "vr$$" nodad || return 1
		fi
		for _ in $(seq 50); do
			[ -n "$(ip -n "$NS_L" -6 addr show dev "vl$$" scope link)" ] &&
				[ -z "$(ip -n "$NS_L" -6 addr show dev "vl$$" tentative)" ] &&
				[ -z "$(C ip -6 addr show dev "vr$$" tentative)" ] && break
			sleep 0.1
		done
		: > "$T/relay6.log"
		chmod 666 "$T/relay6.log"
		ip netns exec "$NS_C" "$DNSMASQ" -k --port=0 --interface="vr$$" --dhcp-relay="fd00:214::1,$1" \
			--user=nobody --group=nogroup --log-dhcp --log-facility="$T/relay6.log" \
			--pid-file="$T/relay6.pid" 2> "$T/relay6.err" &
		RELAY6_PID=$!
		for _ in $(seq 50); do
			grep -q 'DHCP relay' "$T/relay6.log" && return 0
			kill -0 "$RELAY6_PID" 2>/dev/null || return 1
			sleep 0.1
		done
		return 1
	}
	V6_HTTP=false
	S ip -6 addr add "$SRV6/64" dev "$VS" nodad &&
	C ip -6 addr add "$CLI6/64" dev "$VC" nodad &&
	S ip -6 route add fd00:214::/64 via "$CLI6" || fail dhcpv6-setup "cannot add IPv6 addresses"
	# the link-local addresses leave DAD (tentative) before a client can
	# bind one
	for _ in $(seq 50); do
		[ -z "$(C ip -6 addr show dev "$VC" tentative)" ] && [ -z "$(S ip -6 addr show dev "$VS" tentative)" ] && break
		sleep 0.1
	done
	ip netns exec "$NS_S" python3 -m http.server 8080 --bind "$SRV6" --directory "$TFTP" >/dev/null 2>&1 &
	HTTP6_PID=$!
	# a second link between the namespaces, pws$$ and pwc$$, with
	# link-local addresses only (dhcpv6-no-address-for-url)
	ip link add "pws$$" netns "$NS_S" type veth peer name "pwc$$" netns "$NS_C" &&
		S ip link set "pws$$" up && C ip link set "pwc$$" up || fail dhcpv6-setup "cannot add the link pws$$"
	for _ in $(seq 50); do
		[ -n "$(S ip -6 addr show dev "pws$$" scope link)" ] && [ -z "$(S ip -6 addr show dev "pws$$" tentative)" ] &&
			[ -n "$(C ip -6 addr show dev "pwc$$" scope link)" ] && [ -z "$(C ip -6 addr show dev "pwc$$" tentative)" ] && break
		sleep 0.1
	done
	conf dhcpv6 "$RANGE0" "interface=pws$$" \
		"dhcp-range=$SRV6::100,fd00:213::1ff,64,1h" \
		"dhcp-range=fd00:214::100,fd00:214::1ff,64,1h" \
		"conf-file=$OUTD/pxe-inventory.conf"
	sed -i "s/^dhcp-range=$SRV6::100/dhcp-range=fd00:213::100/" "$T/dhcpv6.conf"
	if ! start dhcpv6; then
		fail dhcpv6-start "$(cat "$T/dnsmasq.err" "$LOG" | head -c 400)"
	else
	: > "$T/script.log"
	: > "$T/script-classes.log"
	EFI6=(--arch 7 --vendor PXEClient:Arch:00007:UNDI:003016)
	IPXE6=(--arch 7 --vendor PXEClient:Arch:00007:UNDI:003010 --user-class iPXE)
	U=tftp://[$SRV6]
	V6_STAGE=firmware V6_INSTALL=yes
	v6 --mac 52:54:00:aa:00:01 --duid ll "${EFI6[@]}"
	v6check dhcpv6-firmware-efi-duid-ll "$U/snponly.efi" node-a duid --duid 00:03:00:01:52:54:00:aa:00:01 --arch 7
	V6_INSTALL=unknown
	v6 --mac 52:54:00:bb:00:0b --duid ll --arch 11 --vendor PXEClient:Arch:00011:UNDI:003016
	v6check dhcpv6-firmware-arm64-unknown "$U/arm64/ipxe.efi" "" "" --duid 00:03:00:01:52:54:00:bb:00:0b --arch 11
	V6_STAGE=ipxe V6_INSTALL=yes
	v6 --mac 52:54:00:aa:00:01 --duid llt "${IPXE6[@]}" --request
	v6check dhcpv6-ipxe-duid-llt-request "$U/$NA" node-a duid --duid 00:01:00:01:2a:2a:2a:2a:52:54:00:aa:00:01 --ipxe
	v6 --mac 52:54:00:aa:00:01 --duid ll "${IPXE6[@]}" --info
	v6check dhcpv6-ipxe-information-request "$U/$NA" node-a duid --duid 00:03:00:01:52:54:00:aa:00:01 --ipxe
	# DUID-UUID: iPXE sends RFC 6355's text order, edk2 the SMBIOS order
	V6_INSTALL=once
	v6 --duid uuid --uuid 12345678-9abc-def0-1234-56789abcdef0 "${IPXE6[@]}"
	v6check dhcpv6-ipxe-duid-uuid-text-order "$U/pxeinv/nodes/node-b.ipxe" node-b uuid-swapped --uuid 12345678-9abc-def0-1234-56789abcdef0 --ipxe
	v6 --duid uuid --uuid-order smbios --uuid 12345678-9abc-def0-1234-56789abcdef0 "${IPXE6[@]}"
	v6check dhcpv6-ipxe-duid-uuid-smbios-order "$U/pxeinv/nodes/node-b.ipxe" node-b uuid --duid 00:04:78:56:34:12:bc:9a:f0:de:12:34:56:78:9a:bc:de:f0 --ipxe
	# pxeinv's iPXE build reports the serial in the user class
	V6_INSTALL=yes
	v6 --mac 52:54:00:ff:00:01 --duid ll --arch 7 --user-class "pxeinv/1 s=SER-D-001 b="
	v6check dhcpv6-ipxe-identity-report "$U/pxeinv/nodes/node-d.ipxe" node-d serial --duid 00:03:00:01:52:54:00:ff:00:01 --serial SER-D-001
	V6_INSTALL=unknown
	v6 --mac 52:54:00:ff:00:02 --duid ll "${IPXE6[@]}"
	v6check dhcpv6-ipxe-unknown-fallback "$U/$FALLBACK" "" "" --duid 00:03:00:01:52:54:00:ff:00:02 --ipxe
	# (the MAC dnsmasq learns from the neighbour table is the e2e suite's:
	# a veth's random MAC here cannot be a node's without making it every
	# case's node)
	# through a relay agent (RELAY-FORW from link fd00:214::1, option 79
	# with node-a's MAC): the URL names our address on the arrival link
	V6_INSTALL=yes
	v6 --relay fd00:214::1 --relay-mac 52:54:00:aa:00:01 --server "$SRV6" --duid uuid --uuid 00000000-1111-2222-3333-444444444444 "${IPXE6[@]}"
	v6check dhcpv6-relay-client-mac-option "$U/$NA" node-a mac --mac 52:54:00:aa:00:01 --uuid 00000000-1111-2222-3333-444444444444 --ipxe
	# a real relay agent: dnsmasq's DHCPv6 relay in the client namespace,
	# on a link of its own ($NS_L, fd00:214::/64) whose client has node-a's
	# second MAC and a DUID-UUID that no node has: only the relay's option
	# 79 (the MAC it learns by neighbour discovery) can name the node
	V6_INSTALL=yes
	if ! dhcpv6_real_relay "$SRV6"; then
		fail dhcpv6-real-relay-agent "cannot set up the relay link and dnsmasq --dhcp-relay: $(tail -n 3 "$T/relay6.log" "$T/relay6.err" 2>/dev/null)"
	else
		OUT=$(ip netns exec "$NS_L" python3 "$here/dhcp6client.py" --iface vl$$ --duid uuid \
			--uuid 00000000-1111-2222-3333-555555555555 "${IPXE6[@]}" --request 2>&1)
		v6check dhcpv6-real-relay-agent "$U/$NA" node-a mac --mac 52:54:00:aa:00:02 \
			--uuid 00000000-1111-2222-3333-555555555555 --ipxe
	fi
	proc_stop RELAY6_PID
	# the same relay multicasting to ff05::1:3 over pws$$/pwc$$, where
	# dnsmasq has no IPv6 address but its link-local one: no address to
	# name in a TFTP URL. The decision is logged with a warning, the
	# answer goes without option 59, and dnsmasq goes on answering
	if ! dhcpv6_real_relay "pwc$$"; then
		fail dhcpv6-no-address-for-url "cannot start dnsmasq --dhcp-relay=fd00:214::1,pwc$$: $(tail -n 3 "$T/relay6.log" "$T/relay6.err" 2>/dev/null)"
	else
		OUT=$(ip netns exec "$NS_L" python3 "$here/dhcp6client.py" --iface vl$$ --duid ll \
			--mac 52:54:00:aa:00:01 "${EFI6[@]}" 2>&1)
		xid=$(val xid)
		if ! grep -q '^ADVERTISE\.' <<<"$OUT"; then
			fail dhcpv6-no-address-for-url "no ADVERTISE through the relay: $OUT"
		elif grep -q '\.opt59=' <<<"$OUT"; then
			fail dhcpv6-no-address-for-url "option 59 without an address of ours: $(grep '\.opt59=' <<<"$OUT")"
		elif ! grep -qF " $xid pxe-inventory: node=node-a: no boot-file URL for snponly.efi (no IPv6 address of ours on this link" "$LOG"; then
			fail dhcpv6-no-address-for-url "no warning logged for xid $xid: $(grep " $xid " "$LOG" | sed 's/.*]: //' | tr '\n' '|')"
		elif v6 --mac 52:54:00:aa:00:01 --duid ll "${EFI6[@]}" && grep -qxF "ADVERTISE.opt59=$U/snponly.efi" <<<"$OUT"; then
			pass dhcpv6-no-address-for-url
		else
			fail dhcpv6-no-address-for-url "no answer on the server's own link after it: $OUT"
		fi
	fi
	proc_stop RELAY6_PID
	# the lease of the REQUEST above reached the dhcp-script with our tags
	for _ in $(seq 50); do grep -q "pxeinv-node:node-a" "$T/script.log" && break; sleep 0.1; done
	# and with the client's vendor and user class items whole (dnsmasq
	# 2.90 cut two bytes off each and read past the option:
	# patches/dnsmasq/bookworm/)
	if grep -q "^add .*fd00:213::1[0-9a-f][0-9a-f] vendor=\[343 PXEClient:Arch:00007:UNDI:003010\] user=\[iPXE\]\$" "$T/script-classes.log"; then
		pass dhcpv6-lease-script-classes
	else
		fail dhcpv6-lease-script-classes "$(grep '^add .*fd00:' "$T/script-classes.log" | tr '\n' '|')"
	fi
	if grep -q "^add .*fd00:213::1[0-9a-f][0-9a-f] tags=\[.*pxeinv-node:node-a" "$T/script.log" &&
		grep "^add .*pxeinv-node:node-a" "$T/script.log" | grep -q "pxeinv-stage:ipxe" &&
		grep "^add .*pxeinv-node:node-a" "$T/script.log" | grep -q "pxeinv-arch:7"; then
		pass dhcpv6-lease-script-tags
	else
		fail dhcpv6-lease-script-tags "$(tr '\n' '|' < "$T/script.log")"
	fi
	# malformed: a vendor class whose item runs past the option is ignored
	# (option 61 still says arch 7); an option running past the message
	# leaves the request untouched, and dnsmasq goes on answering
	V6_STAGE=firmware V6_INSTALL=yes
	v6 --mac 52:54:00:aa:00:01 --duid ll --arch 7 --raw-options 0010000800000157ffff4142
	v6check dhcpv6-malformed-vendor-class "$U/snponly.efi" node-a duid --duid 00:03:00:01:52:54:00:aa:00:01 --arch 7
	v6 --mac 52:54:00:aa:00:01 --duid ll "${EFI6[@]}" --raw-options 003d00ff0007
	xid=$(val xid)
	if grep -q " $xid pxe-inventory: " "$LOG"; then
		fail dhcpv6-malformed-option-length "a request with an option past its end was steered"
	elif v6 --mac 52:54:00:aa:00:01 --duid ll "${EFI6[@]}" && grep -qF "opt59=$U/snponly.efi" <<<"$OUT"; then
		pass dhcpv6-malformed-option-length
	else
		fail dhcpv6-malformed-option-length "no answer after it: $OUT"
	fi
	# UEFI HTTPv6 boot, and iPXE, with compile --http-url on an IPv6 literal
	HTTP_URL="http://[$SRV6]:8080"
	if compile && chmod -R a+rX "$OUTD" && hup; then
		V6_STAGE=httpboot V6_INSTALL=yes V6_HTTP=true
		v6 --mac 52:54:00:aa:00:01 --duid ll --arch 16 --vendor HTTPClient:Arch:00016
		if [ "$(val ADVERTISE.opt16)" = 343:HTTPClient ]; then
			v6check dhcpv6-httpboot "$HTTP_URL/snponly.efi" node-a duid --duid 00:03:00:01:52:54:00:aa:00:01 --arch 16
		else
			fail dhcpv6-httpboot "option 16 '$(val ADVERTISE.opt16)', want 343:HTTPClient ($OUT)"
		fi
		V6_STAGE=ipxe V6_HTTP=false
		v6 --mac 52:54:00:aa:00:01 --duid ll "${IPXE6[@]}"
		if [ -n "$(val ADVERTISE.opt16)" ]; then
			fail dhcpv6-http-url-ipxe "iPXE got option 16 '$(val ADVERTISE.opt16)'"
		else
			v6check dhcpv6-http-url-ipxe "$HTTP_URL/$NA" node-a duid --duid 00:03:00:01:52:54:00:aa:00:01 --ipxe
		fi
	else
		fail dhcpv6-httpboot "pxeinv compile --http-url $HTTP_URL, or the reload, failed"
	fi
	HTTP_URL=
	compile && chmod -R a+rX "$OUTD" && hup || fail dhcpv6-httpboot "recompiling without --http-url failed"
	stop
	fi
	kill "$HTTP6_PID" 2>/dev/null
fi

finish
