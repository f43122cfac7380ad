#!/bin/bash
# Integration tests for the dnsmasq pxe-inventory patch.
#
# Usage: tests/integration/run.sh            (as root: creates network namespaces)
#
# Environment:
#   PXEINV_DNSMASQ  patched dnsmasq to test (default build/bin/dnsmasq, built
#                   with patches/dnsmasq/build-dnsmasq.sh when missing)
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

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
note() { echo "# $*"; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

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
if [ ! -x "$DNSMASQ" ]; then
	note "building $DNSMASQ"
	"$root/patches/dnsmasq/build-dnsmasq.sh" "$(dirname "$DNSMASQ")" >/dev/null ||
		{ echo "0 passed, 1 failed"; exit 1; }
fi

# --- scratch space and namespaces ---------------------------------------
T=$(mktemp -d /tmp/pxeinv-it.XXXXXX)
chmod 755 "$T"
NS_S=pxeinv-s-$$
NS_C=pxeinv-c-$$
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
	wait 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

S() { ip netns exec "$NS_S" "$@"; }
C() { ip netns exec "$NS_C" "$@"; }

ip netns add "$NS_S" && ip netns add "$NS_C" &&
ip link add "$VS" netns "$NS_S" type veth peer name "$VC" netns "$NS_C" &&
S ip link set lo up && C ip link set lo up &&
S ip addr add "$SRV/24" dev "$VS" && S ip link set "$VS" up &&
C ip addr add "$CLI/24" dev "$VC" && C ip addr add "$RELAY/24" dev "$VC" &&
C ip link set "$VC" up &&
S ip route add 10.213.1.0/24 via "$CLI" ||
	{ echo "run.sh: cannot set up namespaces" >&2; echo "0 passed, 1 failed"; exit 1; }
# wait for DAD-free IPv4: veth is up at once, but give the link a moment
for _ in 1 2 3 4 5 6 7 8 9 10; do
	C ip link show "$VC" | grep -q 'state UP' && break
	sleep 0.2
done

# --- TFTP/HTTP content and the inventory ---------------------------------
mkdir -p "$T/tftp/ipxe" "$T/tftp/nodes"
for f in ipxe/undionly.kpxe ipxe/ipxe.efi ipxe/ipxe-arm64.efi ipxe/fallback.ipxe ipxe/exit.ipxe \
	 nodes/node-a.ipxe nodes/node-a-v2.ipxe nodes/node-b.ipxe nodes/node-c.ipxe \
	 nodes/node-d.ipxe nodes/node-ff.ipxe; do
	echo "content of $f" > "$T/tftp/$f"
done
chmod -R a+rX "$T/tftp"

MKCACHE=$T/mkcache
gcc -O2 -I"$root/cache" -o "$MKCACHE" "$here/mkcache.c" "$root/cache/pxeinv_cache_write.c" -lcdb -lz ||
	{ echo "run.sh: cannot build mkcache" >&2; echo "0 passed, 1 failed"; exit 1; }

# records NODE_A_SCRIPT NODE_C_INSTALL: the test inventory, as cache records.
# node-ff has the all-FF and all-zero UUIDs: a trap that must never match.
records() {
	printf '%s\t%s\n' \
		c:bios ipxe/undionly.kpxe \
		c:efi-x64 ipxe/ipxe.efi \
		c:efi-arm64 ipxe/ipxe-arm64.efi \
		c:http-x64 "http://$SRV:8080/ipxe/ipxe.efi" \
		c:http-arm64 "http://$SRV:8080/ipxe/ipxe-arm64.efi" \
		c:fallback ipxe/fallback.ipxe \
		c:exit ipxe/exit.ipxe \
		m:52:54:00:aa:00:01 node-a \
		m:52:54:00:aa:00:02 node-a \
		u:12345678-9abc-def0-1234-56789abcdef0 node-b \
		m:52:54:00:aa:00:03 node-c \
		u:ffffffff-ffff-ffff-ffff-ffffffffffff node-ff \
		u:00000000-0000-0000-0000-000000000000 node-ff \
		s:SER-D-001 node-d
	printf 'h:node-a\tyes\tamd64\t%s\n' "$1"
	printf 'h:node-b\tonce\tamd64\tnodes/node-b.ipxe\n'
	printf 'h:node-c\t%s\tamd64\tnodes/node-c.ipxe\n' "$2"
	printf 'h:node-d\tyes\tamd64\tnodes/node-d.ipxe\n'
	printf 'h:node-ff\tyes\tamd64\tnodes/node-ff.ipxe\n'
}

# write_cache OUT NODE_A_SCRIPT NODE_C_INSTALL: write atomically
write_cache() {
	records "$2" "$3" | "$MKCACHE" "$1.tmp" && chmod 0644 "$1.tmp" && mv "$1.tmp" "$1"
}
write_cache "$T/inv.cdb" nodes/node-a.ipxe no || { echo "0 passed, 1 failed"; exit 1; }
if [ -x "$PXEINV" ]; then
	note "note: $PXEINV exists; this test still writes its cache with the shared writer"
fi

cat > "$T/script.sh" <<EOF
#!/bin/sh
# dhcp-script: record the tags of each lease event
echo "\$1 \$2 \$3 tags=[\$DNSMASQ_TAGS]" >> "$T/script.log"
EOF
chmod 755 "$T/script.sh"

S python3 -m http.server 8080 --bind "$SRV" --directory "$T/tftp" >/dev/null 2>&1 &
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
		echo "dhcp-authoritative"
		echo "no-ping"
		echo "dhcp-leasefile=$T/leases"
		echo "enable-tftp"
		echo "tftp-root=$T/tftp"
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

stop() {
	[ -n "$DNSMASQ_PID" ] || return 0
	kill "$DNSMASQ_PID" 2>/dev/null
	wait "$DNSMASQ_PID" 2>/dev/null
	DNSMASQ_PID=
}

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
# the tags, and that FILE is served with the expected content
check() {
	local name=$1 file=$2 why=
	shift 2
	local xid tags
	xid=$(val xid)
	tags=$(tags_of "$xid")
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
	elif [ "$(fetch "$file")" != "content of ${file#http://$SRV:8080/}" ]; then
		why="fetching $file gave '$(fetch "$file" | head -c 80)'"
	fi
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
}

# --- startup ----------------------------------------------------------------
conf missing "dhcp-range=10.213.0.100,10.213.0.199,255.255.255.0,1h" "pxe-inventory=$T/nope.cdb"
if S timeout 10 "$DNSMASQ" -k --conf-file="$T/missing.conf" > "$T/out" 2>&1; then
	fail startup-missing-cache "dnsmasq started without its cache"
elif grep -qs "pxe-inventory: cannot open $T/nope.cdb" "$T/out" "$T/missing.log"; then
	pass startup-missing-cache
else
	fail startup-missing-cache "$(head -c 200 "$T/out")"
fi

printf 'garbage' > "$T/garbage.cdb"
conf corrupt "dhcp-range=10.213.0.100,10.213.0.199,255.255.255.0,1h" "pxe-inventory=$T/garbage.cdb"
if S timeout 10 "$DNSMASQ" -k --conf-file="$T/corrupt.conf" > "$T/out" 2>&1; then
	fail startup-corrupt-cache "dnsmasq started with a corrupt cache"
elif grep -qs "pxe-inventory: .*garbage.cdb" "$T/out" "$T/corrupt.log"; then
	pass startup-corrupt-cache
else
	fail startup-corrupt-cache "$(head -c 200 "$T/out")"
fi

cp "$T/inv.cdb" "$T/private.cdb" && chmod 0600 "$T/private.cdb"
conf private "dhcp-range=10.213.0.100,10.213.0.199,255.255.255.0,1h" "pxe-inventory=$T/private.cdb"
S timeout 10 "$DNSMASQ" -k --conf-file="$T/private.conf" > "$T/out" 2>&1
rc=$?
if [ $rc = 0 ] || [ $rc = 124 ]; then
	fail startup-unreadable-by-user "dnsmasq started though user nobody cannot read the cache"
elif grep -q "Permission denied (the file must be readable by the user" "$T/private.log"; then
	pass startup-unreadable-by-user
else
	fail startup-unreadable-by-user "rc=$rc $(head -c 300 "$T/out" "$T/private.log")"
fi

# --- main instance: the seed's own lines too, to show we take precedence ---
conf main \
	"dhcp-range=10.213.0.100,10.213.0.199,255.255.255.0,1h" \
	"dhcp-range=10.213.1.100,10.213.1.199,255.255.255.0,1h" \
	"dhcp-vendorclass=BIOS,PXEClient:Arch:00000" \
	"dhcp-vendorclass=UEFI,PXEClient:Arch:00007" \
	"dhcp-boot=net:BIOS,seed-ipxe.pxe" \
	"dhcp-boot=net:UEFI,seed-ipxe.efi" \
	"dhcp-match=set:ipxe,175" \
	"dhcp-boot=tag:ipxe,seed-ipxe.conf" \
	"pxe-inventory=$T/inv.cdb"
if ! start main; then
	fail start-main "$(cat "$T/dnsmasq.err" "$LOG" | head -c 400)"
	finish
fi
pass start-main

# firmware stage, every architecture
dhcp --mac 52:54:00:bb:00:00 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0
check firmware-bios-arch0 ipxe/undionly.kpxe pxeinv pxeinv-stage:firmware pxeinv-node:unknown pxeinv-install:unknown
dhcp --mac 52:54:00:bb:00:07 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7
check firmware-efi-arch7 ipxe/ipxe.efi pxeinv pxeinv-stage:firmware
dhcp --mac 52:54:00:bb:00:09 --vendor PXEClient:Arch:00009:UNDI:003016 --arch 9
check firmware-efi-arch9 ipxe/ipxe.efi pxeinv pxeinv-stage:firmware
dhcp --mac 52:54:00:bb:00:0b --vendor PXEClient:Arch:00011:UNDI:003000 --arch 11
check firmware-efi-arm64-arch11 ipxe/ipxe-arm64.efi pxeinv pxeinv-stage:firmware
dhcp --mac 52:54:00:aa:00:01 --vendor PXEClient:Arch:00007:UNDI:003000 --arch 7
check firmware-known-node ipxe/ipxe.efi pxeinv pxeinv-stage:firmware pxeinv-node:node-a pxeinv-install:yes

for a in 16 19; do
	if [ $a = 16 ]; then bin=ipxe.efi; else bin=ipxe-arm64.efi; fi
	dhcp --mac 52:54:00:bb:00:$a --vendor "HTTPClient:Arch:000$a:UNDI:003000" --arch $a
	url="http://$SRV:8080/ipxe/$bin"
	if [ "$(val OFFER.opt60)" != HTTPClient ] || [ "$(val ACK.opt60)" != HTTPClient ]; then
		fail "httpboot-arch$a" "option 60 not echoed: '$(val OFFER.opt60)'"
	else
		check "httpboot-arch$a" "$url" pxeinv pxeinv-stage:httpboot
	fi
done

# busybox udhcpc as a real firmware-like client (non-relayed)
cat > "$T/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] && env | grep -E '^(boot_file|siaddr|ip|opt[0-9]+)=' > "$T/udhcpc.env"
exit 0
EOF
chmod 755 "$T/udhcpc.sh"
udhcpc() {
	rm -f "$T/udhcpc.env"
	C timeout 20 busybox udhcpc -f -q -n -t 4 -T 1 -A 1 -i "$VC" -s "$T/udhcpc.sh" "$@" >/dev/null 2>&1
	cat "$T/udhcpc.env" 2>/dev/null
}
env_out=$(udhcpc -V PXEClient:Arch:00007:UNDI:003000 -x 93:0007 -x 0x61:0078563412bc9af0de123456789abcdef0)
f=$(printf '%s\n' "$env_out" | sed -n 's/^boot_file=//p')
s=$(printf '%s\n' "$env_out" | sed -n 's/^siaddr=//p')
if [ "$f" = ipxe/ipxe.efi ] && [ "$s" = "$SRV" ] && [ "$(fetch "$f")" = "content of ipxe/ipxe.efi" ]; then
	pass udhcpc-firmware-efi
else
	fail udhcpc-firmware-efi "boot_file='$f' siaddr='$s' ($env_out)"
fi
env_out=$(udhcpc -V PXEClient:Arch:00000:UNDI:002001 -x 93:0000)
f=$(printf '%s\n' "$env_out" | sed -n 's/^boot_file=//p')
if [ "$f" = ipxe/undionly.kpxe ]; then pass udhcpc-firmware-bios; else fail udhcpc-firmware-bios "boot_file='$f' ($env_out)"; fi

# non-PXE clients are untouched
env_out=$(udhcpc)
if printf '%s\n' "$env_out" | grep -q '^ip=10.213.0.' && ! printf '%s\n' "$env_out" | grep -q '^boot_file='; then
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
IPXE=(--vendor PXEClient:Arch:00007:UNDI:003010 --arch 7 --user-class iPXE --ipxe)
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
check ipxe-known-mac nodes/node-a.ipxe pxeinv pxeinv-stage:ipxe pxeinv-node:node-a pxeinv-install:yes
case $(val ACK.opt175) in
*b00101*) pass ipxe-no-pxedhcp-175.176 ;;
*) fail ipxe-no-pxedhcp-175.176 "option 175 = '$(val ACK.opt175)'" ;;
esac
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
check ipxe-second-mac-same-node nodes/node-a.ipxe pxeinv-node:node-a
dhcp --mac 52:54:00:cc:00:01 "${IPXE[@]}" --uuid 12345678-9abc-def0-1234-56789abcdef0
check ipxe-known-uuid-smbios-order nodes/node-b.ipxe pxeinv-node:node-b pxeinv-install:once
dhcp --mac 52:54:00:cc:00:02 "${IPXE[@]}" --uuid ffffffff-ffff-ffff-ffff-ffffffffffff
check ipxe-all-ff-uuid-ignored ipxe/fallback.ipxe pxeinv-node:unknown pxeinv-install:unknown
dhcp --mac 52:54:00:cc:00:03 "${IPXE[@]}" --uuid 00000000-0000-0000-0000-000000000000
check ipxe-all-zero-uuid-ignored ipxe/fallback.ipxe pxeinv-node:unknown
dhcp --mac 52:54:00:cc:00:04 "${IPXE[@]}"
check ipxe-unknown-fallback ipxe/fallback.ipxe pxeinv-stage:ipxe pxeinv-node:unknown
dhcp --mac 52:54:00:aa:00:03 "${IPXE[@]}"
check ipxe-install-false-own-script nodes/node-c.ipxe pxeinv-node:node-c pxeinv-install:no
dhcp --mac 52:54:00:cc:00:05 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0 \
	--user-class "pxeinv/1 s=SER%2DD-001 b=" --ipxe
check ipxe-serial-from-user-class nodes/node-d.ipxe pxeinv-node:node-d

# relayed: dhcpclient.py as a relay agent on another subnet, and perfdhcp
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --relay "$RELAY" --server "$SRV"
if [ "$(val ACK.yiaddr)" = "${RELAY%.1}.$(val ACK.yiaddr | cut -d. -f4)" ] &&
	[ "$(val ACK.yiaddr | cut -d. -f1-3)" = 10.213.1 ]; then
	check relayed-giaddr nodes/node-a.ipxe pxeinv-node:node-a
else
	fail relayed-giaddr "yiaddr '$(val ACK.yiaddr)' not from the relay's subnet ($OUT)"
fi

mark=$(wc -l < "$LOG")
# perfdhcp relays from $CLI (giaddr); it counts the OFFER, and dnsmasq's log
# shows the steering and the ACK (perfdhcp 2.2 does not count that ACK)
perf=$(C timeout 30 perfdhcp -4 -l "$VC" -r 1 -R 1 -n 1 -W 3000000 -b mac=52:54:00:aa:00:02 \
	-o 60,"$(printf 'PXEClient:Arch:00007:UNDI:003010' | od -An -tx1 | tr -d ' \n')" \
	-o 93,0007 -o 77,69505845 -o 175,130101 "$SRV" 2>&1)
newlog=$(tail -n +"$((mark + 1))" "$LOG")
if printf '%s\n' "$perf" | grep -Eq 'received packets: [1-9]|received: [1-9]' &&
	printf '%s\n' "$newlog" | grep -q 'pxe-inventory: node=node-a matched=mac stage=ipxe install=yes file=nodes/node-a.ipxe' &&
	printf '%s\n' "$newlog" | grep -q 'tags: .*pxeinv-node:node-a' &&
	printf '%s\n' "$newlog" | grep -q "DHCPOFFER($VS).*52:54:00:aa:00:02" &&
	printf '%s\n' "$newlog" | grep -q "DHCPACK($VS).*52:54:00:aa:00:02"; then
	pass relayed-perfdhcp
else
	fail relayed-perfdhcp "$(printf '%s\n' "$perf" | grep -i 'sent\|recei' | tr '\n' ' ') log: $(printf '%s\n' "$newlog" | grep -c pxe-inventory) steering lines"
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

# --- reload -------------------------------------------------------------------
write_cache "$T/inv.cdb" nodes/node-a-v2.ipxe no
if ! hup; then
	fail reload-new-inventory "no reload logged"
else
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	check reload-new-inventory nodes/node-a-v2.ipxe pxeinv-node:node-a
fi

head -c 4096 /dev/urandom > "$T/inv.cdb.tmp" && mv "$T/inv.cdb.tmp" "$T/inv.cdb"
if ! hup; then
	fail reload-corrupt-keeps-previous "no reload logged"
elif ! grep -q 'pxe-inventory: .*keeping the previous inventory' "$LOG"; then
	fail reload-corrupt-keeps-previous "reason not logged"
else
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	check reload-corrupt-keeps-previous nodes/node-a-v2.ipxe pxeinv-node:node-a
	grep 'keeping the previous inventory' "$LOG" | tail -n1 | sed 's/^/# logged: /'
fi

rm -f "$T/inv.cdb"
hup
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
if grep -q "pxe-inventory: cannot open $T/inv.cdb.*keeping" "$LOG"; then
	check reload-missing-keeps-previous nodes/node-a-v2.ipxe pxeinv-node:node-a
else
	fail reload-missing-keeps-previous "reason not logged"
fi
write_cache "$T/inv.cdb" nodes/node-a.ipxe no
hup
stop

# --- proxy DHCP -----------------------------------------------------------------
conf proxy "dhcp-range=10.213.0.0,proxy" "pxe-prompt=Booting,0" "pxe-inventory=$T/inv.cdb"
if ! start proxy; then
	fail proxy-start "$(cat "$T/dnsmasq.err" | head -c 300)"
else
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]/--arch/--arch}" --discover-only
	f=$(val OFFER.file)
	if [ "$(val OFFER.yiaddr)" = 0.0.0.0 ] && [ "$f" = nodes/node-a.ipxe ] &&
		has_tags "$(tags_of "$(val xid)")" pxeinv-node:node-a &&
		[ "$(fetch "$f")" = "content of $f" ]; then
		pass proxy-ipxe-known-mac
	else
		fail proxy-ipxe-known-mac "yiaddr=$(val OFFER.yiaddr) file='$f' ($OUT)"
	fi
	dhcp --mac 52:54:00:bb:00:00 --vendor PXEClient:Arch:00000:UNDI:002001 --arch 0 --discover-only
	if [ "$(val OFFER.file)" = ipxe/undionly.kpxe ]; then
		pass proxy-firmware-bios
	else
		fail proxy-firmware-bios "file='$(val OFFER.file)' ($OUT)"
	fi
	stop
fi

# --- tag restriction --------------------------------------------------------------
conf tagged "dhcp-range=set:lab,10.213.0.100,10.213.0.199,255.255.255.0,1h" \
	"dhcp-range=set:other,10.213.1.100,10.213.1.199,255.255.255.0,1h" \
	"pxe-inventory=$T/inv.cdb,tag:lab"
if ! start tagged; then
	fail tag-start "$(cat "$T/dnsmasq.err" | head -c 300)"
else
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	check tag-restricted-steered nodes/node-a.ipxe pxeinv-node:node-a
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}" --relay "$RELAY" --server "$SRV"
	if [ -n "$(val ACK.yiaddr)" ] && [ -z "$(val ACK.file)" ] &&
		! has_tags "$(tags_of "$(val xid)")" pxeinv; then
		pass tag-restricted-other-untouched
	else
		fail tag-restricted-other-untouched "file='$(val ACK.file)' ($OUT)"
	fi
	stop
fi

finish
