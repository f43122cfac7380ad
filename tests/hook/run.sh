#!/bin/bash
# Tests of pxeinv-hook, driven by the real patched dnsmasq.
#
# Usage: tests/hook/run.sh [GROUP | --list]   (as root: network and mount
#        namespaces; GROUP: a glob over the group names). The group "events"
#        is one scenario: a main instance, boot-once, status, a corrupt state
#        file, a burst, and the lease database it leaves
#
# Environment:
#   PXEINV_DNSMASQ  patched dnsmasq (default build/bin/dnsmasq)
#   PXEINV_BIN      pxeinv CLI (default build/bin/pxeinv)
#   PXEINV_HOOK     the hook (default build/bin/pxeinv-hook)
#   HOOK_BURST=N    events in the burst test (default 10000)
#   KEEP=1          keep the temporary directory at the end
#
# The group "dhcpv6" leases IPv6 addresses from dnsmasq's DHCPv6 range to a
# real DHCPv6 client (ISC dhclient -6, DUID-LL): first one the patch does
# not steer (no PXE vendor class: journaled with no node), then iPXE's
# (vendor class, user class iPXE: node-v6, identified by its MAC), whose
# lease `pxeinv status` shows and whose TFTP fetch over IPv6 from that
# lease marks it installed (boot-once), while one from an address without
# a lease does not.
#
# The group "fallback-index" boots a client that dnsmasq cannot identify (no
# MAC, no serial in its request) through the fallback dispatcher's identity
# index: the index entry's fetch is journaled with no node, the node script
# it chains is the node's fetch (boot-once marks it), and the entry's exit
# script follows once the node is installed.
#
# Two network namespaces joined by a veth pair, as in tests/integration:
# dnsmasq (DHCP + TFTP, running as nobody) with the fragment `pxeinv compile
# --hook --state-dir` writes, so that dnsmasq runs the hook (as
# dhcp-scriptuser nobody) for every lease change and TFTP transfer. Real
# clients: dhcpclient.py (tests/integration), perfdhcp, curl (TFTP).
# Prints PASS/FAIL per case and "N passed, N failed"; exits 1 on failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DNSMASQ=${PXEINV_DNSMASQ:-$root/build/bin/dnsmasq}
PXEINV=${PXEINV_BIN:-$root/build/bin/pxeinv}
HOOK_SRC=${PXEINV_HOOK:-$root/build/bin/pxeinv-hook}
BURST=${HOOK_BURST:-10000}
DHCPCLIENT=$root/tests/integration/dhcpclient.py

. "$(dirname "$0")/../lib/report.sh"
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/proc.sh"
abort() { echo "run.sh: $*" >&2; fail setup "$*"; finish; }
groups "${1-}" fragment events readonly-state full-disk bad-arguments once-peer flag-owner \
	fallback-index dhcpv6

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (namespaces)" >&2; echo "0 passed, 1 failed"; exit 1; }

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
command -v perfdhcp >/dev/null || need+=(kea-admin)
command -v unshare >/dev/null || need+=(util-linux)
command -v dhclient >/dev/null || need+=(isc-dhcp-client)
if [ ${#need[@]} -gt 0 ]; then
	note "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
		{ echo "run.sh: cannot install ${need[*]}" >&2; echo "0 passed, 1 failed"; exit 1; }
fi
if [ ! -x "$PXEINV" ] || [ ! -x "$HOOK_SRC" ]; then
	make -s -C "$root" pxeinv hook >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
[ -x "$DNSMASQ" ] || { skip hook "$DNSMASQ is missing (./build.sh dnsmasq)"; finish; }

T=$(mktemp -d /tmp/pxeinv-hook.XXXXXX)
chmod 755 "$T"
NS_S=pxeinv-hs-$$
NS_C=pxeinv-hc-$$
VS=phs$$
VC=phc$$
SRV=10.216.0.1
DNSMASQ_PID=
RUN_USER=nobody
RUN_GROUP=$(id -gn nobody 2>/dev/null || echo nogroup)

# hook_flag_hash DIR: the 32-bit FNV-1a of DIR, in hex, as hook/main.c names
# its "already logged" flag /dev/shm/pxeinv-hook.UID.HASH.failing
hook_flag_hash() {
	python3 -c 'import sys
h = 2166136261
for b in sys.argv[1].encode():
    h = ((h ^ b) * 16777619) & 0xffffffff
print("%08x" % h)' "$1"
}

cleanup() {
	[ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
	netns_remove "$NS_S" "$NS_C"
	wait 2>/dev/null
	# the hook's "already logged" flags for our state directories
	for d in "$T"/state*; do
		[ -d "$d" ] || continue
		rm -f "/dev/shm/pxeinv-hook.$(id -u $RUN_USER).$(hook_flag_hash "$d").failing"
	done
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

S() { ip netns exec "$NS_S" "$@"; }
C() { ip netns exec "$NS_C" "$@"; }

netns_pair "$NS_S" "$NS_C" "$VS" "$VC" "$SRV/16" 10.216.0.2/16 ||
	abort "cannot set up namespaces"

# The hook must be reachable by user nobody: a copy in $T
HOOK=$T/pxeinv-hook
install -m 755 "$HOOK_SRC" "$HOOK"

# --- inventory ------------------------------------------------------------
OUTD=$T/out
TFTP=$OUTD/tftp
STATE=$T/state
mkdir -p "$T/ipxe-bin/arm64" "$T/nodes/lab" "$STATE"
chown "$RUN_USER:$RUN_GROUP" "$STATE"
for f in ipxe.pxe undionly.kpxe ipxe.efi snponly.efi arm64/ipxe.efi; do
	echo "test binary $f" > "$T/ipxe-bin/$f"
done
cat > "$T/nodes/_defaults.yaml" <<'EOF'
schematicID: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba
talosVersion: v1.9.5
install: false
netmask: 255.255.0.0
gateway: 10.216.0.1
interface: ens1
EOF
printf 'mac: "52:54:00:aa:00:01"\nip: 10.216.0.11\ninstall: true\n' > "$T/nodes/lab/node-a.yaml"
printf 'mac: "52:54:00:aa:00:02"\nip: 10.216.0.12\ninstall: once\n' > "$T/nodes/lab/node-b.yaml"
printf 'mac: "52:54:00:aa:00:03"\nip: 10.216.0.13\ninstall: false\n' > "$T/nodes/lab/node-c.yaml"
# compile_for STATE_DIR OUT_DIR: the tree and fragment for one state directory
compile_for() {
	"$PXEINV" compile -q --ipxe-dir "$T/ipxe-bin" --hook "$HOOK" --state-dir "$1" "$T/nodes" "$2" &&
		chmod -R a+rX "$2"
}
compile() { compile_for "$STATE" "$OUTD"; }
compile || abort "pxeinv compile failed"
if selected fragment; then
if grep -q "^dhcp-script=$HOOK\$" "$OUTD/pxe-inventory.conf" &&
	grep -q "^pxe-inventory=$OUTD/pxe-inventory.cdb,state:$STATE\$" "$OUTD/pxe-inventory.conf"; then
	pass fragment-sets-hook-and-state
else
	fail fragment-sets-hook-and-state "$(grep -E 'dhcp-script|pxe-inventory=' "$OUTD/pxe-inventory.conf")"
fi
fi

# --- dnsmasq control ------------------------------------------------------
# conf NAME STATE_DIR [extra lines...]: a configuration including the
# fragment compiled for STATE_DIR (OUT_DIR's, or $T/out-NAME's for another
# directory); dnsmasq hands the directory to the hook
conf() {
	local name=$1 state=$2 frag=$OUTD
	shift 2
	if [ "$state" != "$STATE" ]; then
		frag=$T/out-$name
		compile_for "$state" "$frag" || abort "pxeinv compile --state-dir $state failed"
	fi
	{
		echo "port=0"
		echo "interface=$VS"
		echo "user=$RUN_USER"
		echo "group=$RUN_GROUP"
		echo "dhcp-authoritative"
		echo "no-ping"
		echo "dhcp-range=10.216.1.0,10.216.254.254,255.255.0.0,1h"
		echo "dhcp-lease-max=${LEASE_MAX:-50000}"
		echo "dhcp-leasefile=$T/leases"
		echo "dhcp-scriptuser=$RUN_USER"
		echo "log-facility=$T/$name.log"
		echo "conf-file=$frag/pxe-inventory.conf"
		printf '%s\n' "$@"
	} > "$T/$name.conf"
}

# start NAME [WRAPPER...]: dnsmasq in the server namespace, without
# $PXEINV_STATE_DIR (or with $DNSMASQ_ENV, NAME=VALUE, when set): the
# hook learns its directory from the fragment
start() {
	local name=$1 i
	shift
	LOG=$T/$name.log
	: > "$LOG"
	"$@" ip netns exec "$NS_S" env -u PXEINV_STATE_DIR ${DNSMASQ_ENV:+"$DNSMASQ_ENV"} \
		"$DNSMASQ" -k --conf-file="$T/$name.conf" 2> "$T/$name.err" &
	DNSMASQ_PID=$!
	proc_wait_log "$LOG" 'pxe-inventory: loaded' "$DNSMASQ_PID" 100
}

# stop: stop the running dnsmasq
stop() { proc_stop DNSMASQ_PID; }

OUT=
dhcp() { OUT=$(C python3 "$DHCPCLIENT" --iface "$VC" "$@" 2>&1); }
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | tail -n1; }
boot() { local o; o=$(val "$1.opt67"); echo "${o:-$(val "$1.file")}"; }
fetch() { C curl -s --max-time 5 "tftp://$SRV/$1"; }
# fetch_from IP PATH: fetch from IP, an address of the client's veth (a
# leased one: the hook marks a boot-once node only when its own address
# fetches its script)
fetch_from() {
	C ip addr replace "$1/16" dev "$VC" || return 1
	C curl -s --max-time 5 --interface "$1" "tftp://$SRV/$2"
}
FW=(--vendor PXEClient:Arch:00007:UNDI:003000 --arch 7)
IPXE=(--vendor PXEClient:Arch:00007:UNDI:003010 --arch 7 --user-class iPXE --ipxe)

# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
	local n=$(( $1 * 10 ))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# jq-like: jline FILE PY-EXPR: last journal line for which PY-EXPR holds
jline() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
hit = None
for line in open(sys.argv[1]):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if eval(sys.argv[2], {}, {"j": j}):
        hit = line.strip()
print(hit or "")
sys.exit(0 if hit else 1)
EOF
}
has_line() { jline "$@" >/dev/null 2>&1; }
kv() { sed -n "s/^$2 //p" "$1" 2>/dev/null; }

J=$STATE/journal.jsonl

# --- main instance --------------------------------------------------------
if selected events; then
conf main "$STATE" "log-dhcp"
start main || abort "dnsmasq did not start: $(head -c 400 "$T/main.err" "$T/main.log")"

# a firmware DORA, then iPXE's: one boot, two journal lines
dhcp --mac 52:54:00:aa:00:01 "${FW[@]}"
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
IP_A=$(val ACK.yiaddr)
if wait_for 10 has_line "$J" 'j["node"] == "node-a" and j["stage"] == "ipxe"' &&
	has_line "$J" 'j["node"] == "node-a" and j["stage"] == "firmware" and j["event"] == "add" and j["mac"] == "52:54:00:aa:00:01" and j["arch"] == "efi-x64" and j["vendor_class"].startswith("PXEClient:Arch:00007")' &&
	has_line "$J" "j['node'] == 'node-a' and j['stage'] == 'ipxe' and j['ip'] == '$IP_A' and j['install'] == 'yes' and j['user_class'] == 'iPXE'"; then
	pass dora-journal-lines
else
	fail dora-journal-lines "$(tail -n 3 "$J" 2>/dev/null) $(grep -i 'script\|hook' "$LOG" | tail -n 3)"
fi
st=$STATE/nodes/node-a
if [ "$(kv "$st" stage)" = ipxe ] && [ "$(kv "$st" boots)" = 1 ] && [ "$(kv "$st" ev_firmware)" = 1 ] &&
	[ "$(kv "$st" ev_ipxe)" = 1 ] && [ "$(kv "$st" ip)" = "$IP_A" ] && [ "$(kv "$st" install)" = yes ]; then
	pass node-state-one-boot-two-stages
else
	fail node-state-one-boot-two-stages "$(tr '\n' '|' < "$st" 2>/dev/null)"
fi
if [ "$(stat -c %U "$J" 2>/dev/null)" = "$RUN_USER" ] && [ "$(stat -c %U "$st")" = "$RUN_USER" ]; then
	pass hook-runs-as-dhcp-scriptuser
else
	fail hook-runs-as-dhcp-scriptuser "journal owned by $(stat -c %U "$J" 2>/dev/null)"
fi
if [ "$(cat "$STATE/leases/$IP_A" 2>/dev/null | cut -d' ' -f2-3)" = "52:54:00:aa:00:01 $IP_A" ]; then
	pass lease-file-per-lease
else
	fail lease-file-per-lease "$(ls "$STATE/leases" 2>/dev/null | head -3)"
fi

# the node's script over TFTP
got=$(fetch pxeinv/nodes/node-a.ipxe)
if [ -n "$got" ] && wait_for 10 has_line "$J" "j['event'] == 'tftp' and j['node'] == 'node-a' and j['file'] == '$TFTP/pxeinv/nodes/node-a.ipxe' and j['ip'] == '10.216.0.2'" &&
	[ "$(kv "$st" fetches)" = 1 ] && [ ! -e "$STATE/once/node-a" ]; then
	pass tftp-fetch-recorded
else
	fail tftp-fetch-recorded "$(tail -n 2 "$J")"
fi

# an unknown machine reporting serials (our iPXE build's user class)
dhcp --mac 52:54:00:cc:00:04 --vendor PXEClient:Arch:00011:UNDI:003010 --arch 11 --ipxe \
	--user-class "pxeinv/1 s=SER%2DX b=BRD.1"
U=$STATE/unknown/52-54-00-cc-00-04
if wait_for 10 test -s "$U.yaml" &&
	has_line "$J" 'j["node"] == "unknown" and j["serial"] == "SER-X" and j["board_serial"] == "BRD.1" and j["arch"] == "efi-arm64"' &&
	grep -qx 'mac: "52:54:00:cc:00:04"' "$U.yaml" && grep -qx 'serial: "SER-X"' "$U.yaml" &&
	grep -qx 'boardSerial: "BRD.1"' "$U.yaml" && grep -qx 'arch: arm64' "$U.yaml"; then
	pass unknown-machine-with-stub
else
	fail unknown-machine-with-stub "$(cat "$U.yaml" 2>/dev/null | tr '\n' '|') $(tail -n1 "$J")"
fi
# the stub is valid YAML that pxeinv check accepts as a node once named
mkdir -p "$T/nodes-stub/lab"
cp "$T/nodes/_defaults.yaml" "$T/nodes-stub/"
cp "$U.yaml" "$T/nodes-stub/lab/new-node.yaml"
if "$PXEINV" check "$T/nodes-stub" >/dev/null 2>"$T/check.err"; then
	pass unknown-stub-passes-pxeinv-check
else
	fail unknown-stub-passes-pxeinv-check "$(head -c 300 "$T/check.err")"
fi

# metrics: the textfile format, the counts
M=$STATE/metrics
if wait_for 5 grep -q 'pxeinv_unknown_machines 1$' "$M/pxeinv.prom" &&
	grep -qx 'pxeinv_boot_events_total{node="node-a",stage="ipxe"} 1' "$M/node-node-a.prom" &&
	grep -qx 'pxeinv_boot_events_total{node="node-a",stage="firmware"} 1' "$M/node-node-a.prom" &&
	grep -qx 'pxeinv_boots_total{node="node-a"} 1' "$M/node-node-a.prom" &&
	grep -qx 'pxeinv_boot_events_total{node="unknown",stage="ipxe"} 1' "$M/pxeinv.prom" &&
	grep -q '^pxeinv_last_boot_timestamp_seconds{node=""} [0-9]\+$' "$M/pxeinv.prom" &&
	! grep -hv '^#' "$M"/*.prom | grep -qvE '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$'; then
	pass metrics-textfile
else
	fail metrics-textfile "$(cat "$M"/*.prom 2>/dev/null | grep -v '^#' | tr '\n' '|')"
fi

# --- boot-once ------------------------------------------------------------
NB=pxeinv/nodes/node-b.ipxe
# For clients dnsmasq cannot identify, a boot-once node's entry in the
# fallback's identity index tries the hook's exit script before its
# installer, through the tree's link to STATE_DIR/installed (the group
# fallback-index boots through it). These nodes are known by MAC only: no
# index entry, and nothing tries an exit script
if [ "$(readlink "$TFTP/pxeinv/installed")" = "$STATE/installed" ] &&
	[ -z "$(find "$TFTP/pxeinv/index" -name '*.ipxe')" ] &&
	! grep -q installed "$TFTP/pxeinv/fallback.ipxe" &&
	[ -z "$(fetch pxeinv/installed/node-b.ipxe)" ]; then
	pass once-fallback-tries-installed-script
else
	fail once-fallback-tries-installed-script "$(ls -l "$TFTP/pxeinv"; grep -rn installed "$TFTP/pxeinv/fallback.ipxe" "$TFTP/pxeinv/index")"
fi
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
f1=$(boot ACK)
IP_B=$(val ACK.yiaddr)
got=$(fetch_from "$IP_B" "$f1")
if [ "$f1" = "$NB" ] && [ -n "$got" ] && wait_for 10 test -e "$STATE/once/node-b"; then
	pass once-installer-then-marked
else
	fail once-installer-then-marked "file '$f1', marker $(ls "$STATE/once" 2>/dev/null)"
fi
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
if [ "$(boot ACK)" = pxeinv/exit.ipxe ] && grep -q 'node=node-b .* install=once (installed) file=pxeinv/exit.ipxe' "$LOG" &&
	[ "$(fetch pxeinv/exit.ipxe)" = "$(cat "$TFTP/pxeinv/exit.ipxe")" ]; then
	pass once-exits-after-fetch
else
	fail once-exits-after-fetch "file '$(boot ACK)'"
fi
# the same mark as an exit script, served by dnsmasq (its own user) over
# TFTP through the link out of the TFTP root
got=$(fetch pxeinv/installed/node-b.ipxe)
if [ -n "$got" ] && [ "$got" = "$(cat "$STATE/installed/node-b.ipxe")" ] &&
	grep -qx 'exit' <<<"$got" && grep -q "^echo pxeinv: node-b was installed" <<<"$got"; then
	pass once-installed-script-served
else
	fail once-installed-script-served "got '$got'; $(ls -l "$STATE/installed" 2>&1)"
fi
if [ "$("$PXEINV" lookup "$OUTD" --mac 52:54:00:aa:00:02 --ipxe --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["file"])')" = "$NB" ]; then
	pass once-lookup-without-state-unchanged
else
	fail once-lookup-without-state-unchanged
fi
# a dnsmasq restart and a recompile keep the node installed
stop
compile
start main || abort "dnsmasq did not restart"
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
if [ "$(boot ACK)" = pxeinv/exit.ipxe ]; then
	pass once-survives-restart-and-recompile
else
	fail once-survives-restart-and-recompile "file '$(boot ACK)'"
fi
"$PXEINV" rearm --state-dir "$STATE" node-b > "$T/rearm.out" 2>&1
rc=$?
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
if [ $rc = 0 ] && [ ! -e "$STATE/once/node-b" ] && [ "$(boot ACK)" = "$NB" ] &&
	[ ! -e "$STATE/installed/node-b.ipxe" ] && [ -z "$(fetch pxeinv/installed/node-b.ipxe)" ] &&
	has_line "$J" 'j["event"] == "rearm" and j["node"] == "node-b"'; then
	pass rearm-gives-installer-again
else
	fail rearm-gives-installer-again "rc=$rc file '$(boot ACK)' $(cat "$T/rearm.out")"
fi
fetch_from "$(val ACK.yiaddr)" "$NB" > /dev/null
if wait_for 10 test -e "$STATE/once/node-b"; then
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
	if [ "$(boot ACK)" = pxeinv/exit.ipxe ]; then pass once-marks-again-after-rearm; else fail once-marks-again-after-rearm "$(boot ACK)"; fi
else
	fail once-marks-again-after-rearm "no marker"
fi
"$PXEINV" rearm --state-dir "$STATE" node-b >/dev/null 2>&1
# A once-node that dnsmasq never identified (no tags, so its state does not
# say "once"), whose script the fallback dispatcher chained, for an iPXE
# dnsmasq could not identify either (the unknown machine above): the
# script's own "# install: once" line marks it
mv "$STATE/nodes/node-b" "$T/node-b.state"
dhcp --mac 52:54:00:cc:00:04 --vendor PXEClient:Arch:00011:UNDI:003010 --arch 11 --ipxe \
	--user-class "pxeinv/1 s=SER%2DX b=BRD.1"
fetch_from "$(val ACK.yiaddr)" "$NB" > /dev/null
if wait_for 10 test -e "$STATE/once/node-b" && [ -n "$(fetch pxeinv/installed/node-b.ipxe)" ] &&
	grep -qx '# install: once' "$TFTP/$NB"; then
	pass once-marked-from-script-without-tags
else
	fail once-marked-from-script-without-tags "$(ls "$STATE/once" "$STATE/installed" 2>&1)"
fi
"$PXEINV" rearm --state-dir "$STATE" node-b >/dev/null 2>&1
mv "$T/node-b.state" "$STATE/nodes/node-b"
out=$("$PXEINV" rearm --state-dir "$STATE" node-b 2>&1); rc1=$?
"$PXEINV" rearm --state-dir "$STATE" ../etc >/dev/null 2>&1; rc2=$?
if [ $rc1 = 0 ] && grep -q 'not marked' <<<"$out" && [ $rc2 = 1 ]; then
	pass rearm-not-marked-and-bad-name
else
	fail rearm-not-marked-and-bad-name "rc=$rc1/$rc2 $out"
fi

# --- pxeinv status --------------------------------------------------------
out=$("$PXEINV" status --state-dir "$STATE" "$OUTD" 2>&1)
if printf '%s\n' "$out" | grep -Eq "^node-a +ipxe +[0-9-]+ [0-9:]+Z +$IP_A +52:54:00:aa:00:01 +1 +yes" &&
	grep -q '^Unknown machines: 1' <<<"$out" &&
	grep -q '^    mac: "52:54:00:cc:00:04"' <<<"$out" &&
	printf '%s\n' "$out" | grep -Eq '^  node-c +never seen'; then
	pass status-table
else
	fail status-table "$out"
fi
out=$("$PXEINV" status --json --state-dir "$STATE" "$OUTD" 2>&1)
if printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
n = {x["node"]: x for x in s["nodes"]}
assert n["node-a"]["boots"] == 1 and n["node-a"]["stage"] == "ipxe", n
assert n["node-b"]["install"] == "once" and n["node-b"]["in_inventory"] is True
assert [x["node"] for x in s["stale"]] == ["node-c"], s["stale"]
assert s["unknown"][0]["mac"] == "52:54:00:cc:00:04" and "serial: \"SER-X\"" in s["unknown"][0]["stub"]
'; then
	pass status-json
else
	fail status-json "$out"
fi
out=$("$PXEINV" status --state-dir "$STATE" node-b 2>&1)
if printf '%s\n' "$out" | grep -Eq ' tftp +- +10\.216\.[0-9.]+ .*pxeinv/nodes/node-b.ipxe$' &&
	printf '%s\n' "$out" | grep -Eq ' rearm ' && printf '%s\n' "$out" | grep -Eq ' (add|old) +ipxe '; then
	pass status-node-history
else
	fail status-node-history "$out"
fi

# --- corrupt state file ---------------------------------------------------
printf 'garbage\x01\n' > "$STATE/nodes/node-a"
chown "$RUN_USER" "$STATE/nodes/node-a"
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
if [ "$(boot ACK)" = pxeinv/nodes/node-a.ipxe ] &&
	wait_for 10 grep -q 'nodes/node-a: corrupt state file, moved to node-a.corrupt' "$LOG" &&
	[ "$(kv "$STATE/nodes/node-a" stage)" = ipxe ] && [ -e "$STATE/nodes/node-a.corrupt" ]; then
	pass corrupt-state-file-reset
else
	fail corrupt-state-file-reset "$(grep hook "$LOG" | tail -n 2)"
fi
out=$("$PXEINV" status --state-dir "$STATE" 2>&1); rc=$?
[ $rc = 0 ] && pass status-ignores-set-aside-files || fail status-ignores-set-aside-files "$out"

# --- a burst of events, with status running meanwhile ----------------------
# PXE firmware requests from about $BURST distinct clients (perfdhcp picks
# each MAC at random among 100 * BURST): every acknowledged client must
# reach the journal and the lease database, while `pxeinv status --json`
# runs in a loop and always answers. dnsmasq runs one script at a time and
# coalesces the changes of one lease made meanwhile, so the journal has a
# line per client at least, not one per ACK. leasefile-ro: the hook is the
# lease database (dnsmasq's own lease file would cost ~18 ms per exchange
# at 10,000 leases).
stop
conf burst "$STATE" "leasefile-ro"
start burst || abort "dnsmasq (burst) did not start"
before=$(wc -l < "$J")
(
	ok=0 bad=0
	while [ ! -e "$T/burst.done" ]; do
		if "$PXEINV" status --json --state-dir "$STATE" 2>/dev/null | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
		sleep 1
	done
	echo "$ok $bad" > "$T/status-loop"
) &
LOOP=$!
VC_HEX=$(printf 'PXEClient:Arch:00007:UNDI:003000' | od -An -tx1 | tr -d ' \n')
t0=$(date +%s)
C timeout 120 perfdhcp -4 -l "$VC" -r 500 -R $((BURST * 100)) -n "$BURST" -p 60 -b mac=52:54:01:00:00:00 \
	-o 60,"$VC_HEX" -o 93,0007 10.216.0.1 > "$T/perfdhcp.out" 2>&1
t_ack=$(date +%s)
sleep 2         # requests dnsmasq still had queued
acks=$(grep -c "DHCPACK($VS)" "$T/burst.log")
grep "DHCPACK($VS)" "$T/burst.log" | grep -o '52:54:01:[0-9a-f:]*' | sort -u > "$T/acked"
macs_acked=$(wc -l < "$T/acked")
# wait for dnsmasq's script queue to drain: every acknowledged client in
# the journal
burst_macs() {
	tail -n +"$((before + 1))" "$J" | grep -o '"mac":"52:54:01:[0-9a-f:]*"' | cut -d'"' -f4 | sort -u > "$T/journaled"
	[ -z "$(comm -23 "$T/acked" "$T/journaled")" ]
}
for _ in $(seq 300); do
	burst_macs && break
	sleep 1
done
t1=$(date +%s)
touch "$T/burst.done"
wait "$LOOP"
sleep 1
burst_macs
lines=$(( $(wc -l < "$J") - before ))
macs_logged=$(wc -l < "$T/journaled")
missing=$(comm -23 "$T/acked" "$T/journaled" | wc -l)
leases=$(cat "$STATE"/leases/* 2>/dev/null | grep -c ' 52:54:01:')
note "burst: $acks ACKs to $macs_acked clients in $((t_ack - t0))s; $lines journal lines ($macs_logged clients), $leases leases stored, $((t1 - t0))s in all"
if [ "$macs_acked" -ge $((BURST / 2)) ] && [ "$missing" = 0 ] && [ "$leases" = "$macs_logged" ] &&
	tail -n "$lines" "$J" | python3 -c '
import json, sys
for l in sys.stdin:
    json.loads(l)'; then
	pass burst-loses-nothing
else
	fail burst-loses-nothing "$acks ACKs, $macs_acked clients acked, $missing of them not in the journal, $macs_logged there, $leases leases; $(grep -i 'sent\|receiv' "$T/perfdhcp.out" | head -4 | tr '\n' ' ')"
fi
read -r sok sbad < "$T/status-loop"
if [ "${sok:-0}" -gt 0 ] && [ "${sbad:-1}" = 0 ]; then
	pass status-during-burst
else
	fail status-during-burst "$sok good, $sbad bad runs"
fi
if [ "$(ls "$STATE/unknown" | grep -cE '^52-54-01(-[0-9a-f]{2}){3}$')" = "$macs_logged" ] &&
	grep -q "^pxeinv_unknown_machines $((macs_logged + 1))\$" "$STATE/metrics/pxeinv.prom"; then
	pass burst-unknown-machines-counted
else
	fail burst-unknown-machines-counted "$(grep unknown_machines "$STATE/metrics/pxeinv.prom")"
fi
stop

# --- lease-database mode: leasefile-ro, the hook answers init ----------------
nleases=$(ls "$STATE/leases" | grep -c '^[0-9.]*$')
LEASE_MAX=$nleases conf ro "$STATE" "leasefile-ro" "log-dhcp"
if start ro; then
	# every lease is back: the pool is full for a new client, and a
	# known one gets its address again
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	ip_again=$(val ACK.yiaddr)
	dhcp --mac 52:54:00:dd:00:01 "${IPXE[@]}" --timeout 2
	if [ "$ip_again" = "$(kv "$STATE/nodes/node-a" ip)" ] && [ -z "$(val ACK.yiaddr)" ] &&
		grep -q 'DHCPNAK.* 52:54:00:dd:00:01 no leases left' "$LOG" &&
		has_line "$J" 'j["event"] == "init"'; then
		pass leasefile-ro-init-restores-leases
	else
		fail leasefile-ro-init-restores-leases "$nleases leases; again '$ip_again', new '$(val ACK.yiaddr)'; $(grep -i 'lease' "$LOG" | tail -n 3)"
	fi
else
	fail leasefile-ro-init-restores-leases "dnsmasq did not start: $(head -c 300 "$T/ro.err")"
fi
stop
fi

# --- the hook follows the fragment's state directory -----------------------
# dnsmasq runs the fragment of `pxeinv compile --hook --state-dir DIR`, with
# no $PXEINV_STATE_DIR in its environment: a boot is journaled into DIR
FRESH=$T/state-fresh
mkdir -p "$FRESH"
chown "$RUN_USER:$RUN_GROUP" "$FRESH"
conf fresh "$FRESH"
start fresh || abort "dnsmasq (fresh state) did not start: $(head -c 400 "$T/fresh.err")"
dhcp --mac 52:54:00:aa:00:03 "${IPXE[@]}"
if [ "$(boot ACK)" = pxeinv/nodes/node-c.ipxe ] &&
	wait_for 10 has_line "$FRESH/journal.jsonl" 'j["node"] == "node-c" and j["stage"] == "ipxe" and j["event"] == "add"' &&
	[ "$(kv "$FRESH/nodes/node-c" stage)" = ipxe ] && [ "$(kv "$FRESH/nodes/node-c" boots)" = 1 ]; then
	pass hook-state-dir-from-fragment-without-environment
else
	fail hook-state-dir-from-fragment-without-environment "file '$(boot ACK)'; in $FRESH: $(ls -A "$FRESH" | tr '\n' ' '); $(grep pxeinv-hook "$LOG" | head -2)"
fi
# pxeinv status finds the same directory from the OUT_DIR alone
out=$(env -u PXEINV_STATE_DIR "$PXEINV" status --json "$T/out-fresh" 2>&1)
if printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
n = {x["node"]: x for x in s["nodes"]}
assert s["state_dir"] == sys.argv[1], s["state_dir"]
assert n["node-c"]["stage"] == "ipxe" and n["node-c"]["boots"] == 1, n["node-c"]
' "$FRESH"; then
	pass status-out-dir-finds-the-hooks-state-dir
else
	fail status-out-dir-finds-the-hooks-state-dir "$out"
fi
stop
# the fragment's directory wins over a $PXEINV_STATE_DIR dnsmasq inherited:
# steering reads boot-once markers there, so the hook must write them there
ENVDIR=$T/state-env
mkdir -p "$ENVDIR"
chown "$RUN_USER:$RUN_GROUP" "$ENVDIR"
DNSMASQ_ENV=PXEINV_STATE_DIR=$ENVDIR start fresh || abort "dnsmasq (fresh state, environment) did not start"
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
if wait_for 10 has_line "$FRESH/journal.jsonl" 'j["node"] == "node-a" and j["stage"] == "ipxe"' &&
	[ "$(kv "$FRESH/nodes/node-a" stage)" = ipxe ] && [ -z "$(ls -A "$ENVDIR")" ]; then
	pass hook-state-dir-fragment-wins-over-environment
else
	fail hook-state-dir-fragment-wins-over-environment "in $ENVDIR: $(ls -A "$ENVDIR" | tr '\n' ' '); $(tail -n 1 "$FRESH/journal.jsonl" 2>/dev/null)"
fi
stop

# --- read-only state directory: DHCP goes on, the hook logs once ------------
if selected readonly-state; then
RO=$T/state-ro
mkdir -p "$RO"
chmod 555 "$RO"
conf rodir "$RO"
start rodir || abort "dnsmasq (read-only state) did not start"
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
f1=$(boot ACK)
dhcp --mac 52:54:00:aa:00:03 "${IPXE[@]}"
f2=$(boot ACK)
wait_for 10 grep -q 'pxeinv-hook: .*Permission denied; events are not recorded' "$LOG"
sleep 1
n=$(grep -c 'pxeinv-hook: .*events are not recorded' "$LOG")
# the flag that says "already logged" is where cleanup() removes it from
flag=/dev/shm/pxeinv-hook.$(id -u $RUN_USER).$(hook_flag_hash "$RO").failing
if [ "$f1" = pxeinv/nodes/node-a.ipxe ] && [ "$f2" = pxeinv/nodes/node-c.ipxe ] && [ "$n" = 1 ] &&
	[ -z "$(ls -A "$RO")" ] && [ -e "$flag" ]; then
	pass readonly-state-dir-logs-once
else
	fail readonly-state-dir-logs-once "files '$f1' '$f2', $n log lines, flag $(ls "$flag" 2>&1): $(grep hook "$LOG" | head -3)"
fi
stop
fi

# --- full disk: a 64 KiB tmpfs in a mount namespace of its own -------------
if selected full-disk; then
FULL=$T/state-full
mkdir -p "$FULL"
conf full "$FULL"
if start full unshare -m --propagation private sh -c \
	"mount -t tmpfs -o size=64k,mode=0755 tmpfs '$FULL' && chown $RUN_USER '$FULL' &&
	 dd if=/dev/zero of='$FULL/fill' bs=4k 2>/dev/null; exec \"\$@\"" sh; then
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	f1=$(boot ACK)
	dhcp --mac 52:54:00:aa:00:03 "${IPXE[@]}"
	f2=$(boot ACK)
	wait_for 10 grep -q 'pxeinv-hook: .*No space left on device; events are not recorded' "$LOG"
	sleep 1
	n=$(grep -c 'pxeinv-hook: .*events are not recorded' "$LOG")
	# make room, from inside dnsmasq's mount namespace: recording resumes
	nsenter -t "$DNSMASQ_PID" -m rm -f "$FULL/fill"
	dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
	if [ "$f1" = pxeinv/nodes/node-a.ipxe ] && [ "$f2" = pxeinv/nodes/node-c.ipxe ] && [ "$n" = 1 ] &&
		wait_for 10 grep -q "pxeinv-hook: $FULL: recording events again" "$LOG" &&
		nsenter -t "$DNSMASQ_PID" -m grep -q '"node":"node-a"' "$FULL/journal.jsonl" &&
		! nsenter -t "$DNSMASQ_PID" -m sh -c "cat '$FULL/journal.jsonl'" | python3 -c '
import json, sys
for l in sys.stdin:
    json.loads(l)' 2>/dev/null; then
		fail full-disk-logs-once-then-recovers "a torn journal line"
	elif [ "$f1" = pxeinv/nodes/node-a.ipxe ] && [ "$f2" = pxeinv/nodes/node-c.ipxe ] && [ "$n" = 1 ] &&
		grep -q "pxeinv-hook: $FULL: recording events again" "$LOG"; then
		pass full-disk-logs-once-then-recovers
	else
		fail full-disk-logs-once-then-recovers "files '$f1' '$f2', $n log lines: $(grep hook "$LOG" | head -3)"
	fi
	stop
else
	fail full-disk-logs-once-then-recovers "dnsmasq did not start: $(head -c 300 "$T/full.err")"
fi
if ! mountpoint -q "$FULL"; then pass full-disk-tmpfs-not-leaked; else fail full-disk-tmpfs-not-leaked; fi
fi

# --- the hook by hand: bad arguments never fail dnsmasq ----------------------
if selected bad-arguments; then
[ -e "$J" ] || : > "$J"  # (when the events group did not run)
lines=$(wc -l < "$J")
PXEINV_STATE_DIR=$STATE "$HOOK" add nonsense 10.0.0.1 < /dev/null > /dev/null 2>&1; r1=$?
PXEINV_STATE_DIR=$STATE "$HOOK" frobnicate < /dev/null > /dev/null 2>&1; r2=$?
PXEINV_STATE_DIR=$STATE "$HOOK" arp-add 52:54:00:00:00:01 10.0.0.1 < /dev/null > /dev/null 2>&1; r3=$?
if [ "$r1$r2$r3" = 000 ] && [ "$(wc -l < "$J")" = "$lines" ]; then
	pass bad-arguments-exit-0-record-nothing
else
	fail bad-arguments-exit-0-record-nothing "rc $r1 $r2 $r3"
fi
fi

# --- boot-once: only the node itself uses up its install ---------------------
# A boot-once node's script fetched from an address that holds no lease, or
# from another machine's lease, leaves the node armed, and the journal and
# status say so; fetched from the node's own leased address, it marks
if selected once-peer; then
PEER=$T/state-peer
mkdir -p "$PEER"
chown "$RUN_USER:$RUN_GROUP" "$PEER"
conf peer "$PEER" "log-dhcp"
start peer || abort "dnsmasq (once-peer) did not start: $(head -c 400 "$T/peer.err")"
JP=$PEER/journal.jsonl
NB=pxeinv/nodes/node-b.ipxe
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
f1=$(boot ACK)
IP_B=$(val ACK.yiaddr)
dhcp --mac 52:54:00:aa:00:01 "${IPXE[@]}"
IP_A=$(val ACK.yiaddr)
# a second address of the client namespace, which never had a lease
got1=$(fetch_from 10.216.0.3 "$NB")
got2=$(fetch_from "$IP_A" "$NB")
wait_for 10 has_line "$JP" "j['event'] == 'tftp' and j['ip'] == '$IP_A' and j.get('peer') == 'other'"
dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
if [ "$f1" = "$NB" ] && [ -n "$got1" ] && [ -n "$got2" ] && [ ! -e "$PEER/once/node-b" ] &&
	[ ! -e "$PEER/installed/node-b.ipxe" ] && [ "$(boot ACK)" = "$NB" ] &&
	[ "$("$PXEINV" lookup "$T/out-peer" --mac 52:54:00:aa:00:02 --ipxe --state-dir "$PEER" --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["file"])')" = "$NB" ] &&
	has_line "$JP" "j['event'] == 'tftp' and j['ip'] == '10.216.0.3' and j['node'] == 'node-b' and j['peer'] == 'other'" &&
	[ "$(kv "$PEER/nodes/node-b" other_fetches)" = 2 ] &&
	grep -q "pxeinv-hook: node-b: installer script fetched from $IP_A, which is not the node's leased address; boot-once: still armed" "$LOG"; then
	pass once-fetch-from-another-address-leaves-node-armed
else
	fail once-fetch-from-another-address-leaves-node-armed "file '$f1' then '$(boot ACK)', marker $(ls "$PEER/once" 2>&1); $(grep tftp "$JP" | tail -n 2)"
fi
out=$("$PXEINV" status --state-dir "$PEER" node-b 2>&1)
if printf '%s\n' "$out" | grep -Eq " tftp +- +$IP_A .*pxeinv/nodes/node-b.ipxe \(not from the node's address\)\$"; then
	pass once-status-shows-other-fetch
else
	fail once-status-shows-other-fetch "$out"
fi
got=$(fetch_from "$IP_B" "$NB")
if [ -n "$got" ] && wait_for 10 test -e "$PEER/once/node-b" &&
	has_line "$JP" "j['event'] == 'tftp' and j['ip'] == '$IP_B' and j['peer'] == 'node'"; then
	dhcp --mac 52:54:00:aa:00:02 "${IPXE[@]}"
	if [ "$(boot ACK)" = pxeinv/exit.ipxe ]; then
		pass once-fetch-from-own-lease-marks
	else
		fail once-fetch-from-own-lease-marks "file '$(boot ACK)'"
	fi
else
	fail once-fetch-from-own-lease-marks "marker $(ls "$PEER/once" 2>&1); $(grep tftp "$JP" | tail -n 1)"
fi
stop
fi

# --- the "already logged" flag: only the hook's own user's counts ------------
# Its name in /dev/shm is predictable: a flag another user created first
# (root here, for the hook's user nobody), or a symbolic link, must not
# silence the hook's errors. The hook runs by hand, as nobody, on a state
# directory it cannot use
if selected flag-owner; then
NOPE=$T/state-flag/missing
mkdir -p "$T/state-flag"
flag=/dev/shm/pxeinv-hook.$(id -u $RUN_USER).$(hook_flag_hash "$NOPE").failing
as_hook() {
	setpriv --reuid "$RUN_USER" --regid "$RUN_GROUP" --clear-groups \
		env PXEINV_STATE_DIR="$NOPE" "$HOOK" add 52:54:00:aa:00:01 10.216.0.9 < /dev/null 2>&1
}
rm -f "$flag"
: > "$flag"             # root's
o1=$(as_hook); o2=$(as_hook)
rm -f "$flag"
ln -s /dev/null "$flag"
o3=$(as_hook)
rm -f "$flag"
o4=$(as_hook); o5=$(as_hook)
rm -f "$flag"
n=0
for o in "$o1" "$o2" "$o3" "$o4"; do
	grep -q "^pxeinv-hook: $NOPE: No such file or directory; events are not recorded" <<<"$o" && n=$((n + 1))
done
if [ "$n" = 4 ] && [ -z "$o5" ]; then
	pass hook-flag-of-another-user-does-not-silence
else
	fail hook-flag-of-another-user-does-not-silence "$n of 4 runs logged; then '$o5'"
fi
fi

# --- the fallback's identity index: fetches through an index entry -----------
# A boot-once node known only by its serial; the client reports none, so
# dnsmasq hands it the fallback dispatcher, whose iPXE would fetch
# index/by-serial/SERIAL.ipxe and chain what that entry names, relative to
# the entry's own URI
if selected fallback-index; then
FBS=$T/state-fb
mkdir -p "$FBS" "$T/nodes-fb/lab"
chown "$RUN_USER:$RUN_GROUP" "$FBS"
cp "$T/nodes/_defaults.yaml" "$T/nodes-fb/"
printf 'serial: HOOK-FB-1\nip: 10.216.0.21\ninstall: once\n' > "$T/nodes-fb/lab/node-s.yaml"
conf fb "$FBS" "log-dhcp"
"$PXEINV" compile -q --ipxe-dir "$T/ipxe-bin" --hook "$HOOK" --state-dir "$FBS" "$T/nodes-fb" "$T/out-fb" &&
	chmod -R a+rX "$T/out-fb" || abort "pxeinv compile of nodes-fb failed"
start fb || abort "dnsmasq (fallback-index) did not start: $(head -c 400 "$T/fb.err")"
JF=$FBS/journal.jsonl
E=pxeinv/index/by-serial/HOOK-FB-1.ipxe
# chained NAME ENTRY-TEXT LINE: the TFTP path of what line LINE of an entry
# fetched as NAME chains, resolved as iPXE resolves a relative URI
chained() {
	local rel
	rel=$(printf '%s\n' "$2" | sed -n "$3p" | sed -n 's/^chain --autofree \([^ ]*\).*$/\1/p')
	[ -n "$rel" ] && python3 -c 'import sys, urllib.parse
print(urllib.parse.urljoin("http://x/" + sys.argv[1], sys.argv[2])[len("http://x/"):])' "$1" "$rel"
}
dhcp --mac 52:54:00:aa:00:09 "${IPXE[@]}"
f1=$(boot ACK)
IP_S=$(val ACK.yiaddr)
fb=$(fetch_from "$IP_S" "$f1")
entry=$(fetch_from "$IP_S" "$E")
exitp=$(chained "$E" "$entry" 2)
nodep=$(chained "$E" "$entry" 3)
miss=$(fetch_from "$IP_S" "$exitp")     # not installed yet: no such file
got=$(fetch_from "$IP_S" "$nodep")
if [ "$f1" = pxeinv/fallback.ipxe ] && grep -q 'index/by-serial/${serial:uristring}.ipxe' <<<"$fb" &&
	[ "$exitp" = pxeinv/installed/node-s.ipxe ] && [ "$nodep" = pxeinv/nodes/node-s.ipxe ] &&
	[ -z "$miss" ] && grep -q '^# install: once$' <<<"$got" &&
	wait_for 10 test -e "$FBS/once/node-s" &&
	has_line "$JF" "j['event'] == 'tftp' and j['file'] == '$T/out-fb/tftp/$E' and not j.get('node') and j['ip'] == '$IP_S'" &&
	has_line "$JF" "j['event'] == 'tftp' and j['node'] == 'node-s' and j['file'] == '$T/out-fb/tftp/$nodep' and j['peer'] == 'node'" &&
	[ "$(kv "$FBS/nodes/node-s" fetches)" = 1 ]; then
	pass fallback-index-fetch-is-journaled-without-node-and-chains-the-node
else
	fail fallback-index-fetch-is-journaled-without-node-and-chains-the-node \
		"file '$f1', entry '$entry', exit '$exitp', node '$nodep', marker $(ls "$FBS/once" 2>&1); $(grep tftp "$JF" | tail -n 3)"
fi
# installed: the same entry's first line now fetches the hook's exit script
dhcp --mac 52:54:00:aa:00:09 "${IPXE[@]}"
f2=$(boot ACK)
entry2=$(fetch_from "$IP_S" "$E")
ex=$(fetch_from "$IP_S" "$(chained "$E" "$entry2" 2)")
if [ "$f2" = pxeinv/fallback.ipxe ] && [ "$entry2" = "$entry" ] && grep -qx exit <<<"$ex" &&
	[ "$(kv "$FBS/nodes/node-s" fetches)" = 1 ]; then
	pass fallback-index-installed-node-gets-its-exit-script
else
	fail fallback-index-installed-node-gets-its-exit-script "file '$f2', exit script '$ex', fetches $(kv "$FBS/nodes/node-s" fetches)"
fi
stop
fi

# --- DHCPv6: leases and TFTP over IPv6, from a real DHCPv6 client -------------
if selected dhcpv6; then
S6=$T/state-v6
V6S=ph6s$$
V6C=ph6c$$
MAC6=52:54:00:aa:00:06
SRV6=fd00:216::1
mkdir -p "$S6" "$T/nodes-v6/lab"
chown "$RUN_USER:$RUN_GROUP" "$S6"
cp "$T/nodes/_defaults.yaml" "$T/nodes-v6/"
printf 'mac: "%s"\nip: 10.216.0.16\ninstall: once\n' "$MAC6" > "$T/nodes-v6/lab/node-v6.yaml"
# a link of its own, the client's MAC set before it is up (its link-local
# address, and dhclient's DUID-LL, come from it); no DAD wait
{ ip link add "$V6S" netns "$NS_S" type veth peer name "$V6C" netns "$NS_C" &&
	ip -n "$NS_C" link set "$V6C" address "$MAC6" &&
	S sysctl -qw "net.ipv6.conf.$V6S.accept_dad=0" && C sysctl -qw "net.ipv6.conf.$V6C.accept_dad=0" &&
	ip -n "$NS_S" addr add "$SRV6/64" dev "$V6S" nodad && ip -n "$NS_S" link set "$V6S" up &&
	ip -n "$NS_C" link set "$V6C" up; } || abort "cannot set up the DHCPv6 link"
conf v6 "$S6" "interface=$V6S" "dhcp-range=fd00:216::100,fd00:216::1ff,64,1h" "log-dhcp"
"$PXEINV" compile -q --ipxe-dir "$T/ipxe-bin" --hook "$HOOK" --state-dir "$S6" "$T/nodes-v6" "$T/out-v6" &&
	chmod -R a+rX "$T/out-v6" || abort "pxeinv compile of nodes-v6 failed"
start v6 || abort "dnsmasq (dhcpv6) did not start: $(head -c 400 "$T/v6.err")"
J6=$S6/journal.jsonl
# the client's link-local address, which dhclient sends from
wait_for 10 sh -c "ip -n '$NS_C' -6 addr show dev '$V6C' scope link | grep -q 'inet6 fe80'" ||
	abort "no link-local address on $V6C"
# dhcp6 NAME [CONF-LINES...]: one dhclient -6 exchange (SOLICIT, REQUEST),
# its lease file $T/NAME.leases; the address leased in ADDR6. dhclient
# configures nothing (-sf /bin/true) and is stopped once it has the lease
dhcp6() {
	local name=$1 pid
	shift
	printf '%s\n' "$@" > "$T/$name.conf"
	rm -f "$T/$name.leases" "$T/$name.pid"
	C timeout 30 dhclient -6 -1 -D LL -cf "$T/$name.conf" -lf "$T/$name.leases" -pf "$T/$name.pid" \
		-sf /bin/true "$V6C" > "$T/$name.out" 2>&1
	pid=$(cat "$T/$name.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	ADDR6=$(sed -n 's/^ *iaaddr \([0-9a-f:]*\) {$/\1/p' "$T/$name.leases" 2>/dev/null | tail -n1)
}
# release6 NAME: dhclient -6 -r, the lease of NAME
release6() {
	C timeout 30 dhclient -6 -r -D LL -cf "$T/$1.conf" -lf "$T/$1.leases" -pf "$T/$1.pid" \
		-sf /bin/true "$V6C" >> "$T/$1.out" 2>&1
}
DUID6=00:03:00:01:$MAC6

# a client the patch does not steer: the lease, with no node
dhcp6 plain
IP6=$ADDR6
if [ -n "$IP6" ] && wait_for 10 has_line "$J6" "j['event'] == 'add' and j.get('family') == 'ipv6' and j['ip'] == '$IP6'" &&
	has_line "$J6" "j['event'] == 'add' and j['ip'] == '$IP6' and j['duid'] == '$DUID6' and j['mac'] == '$MAC6' and j['iaid'] and j['node'] is None and j['stage'] is None"; then
	pass dhcpv6-lease-journaled
else
	fail dhcpv6-lease-journaled "address '$IP6'; $(tail -n 2 "$J6" 2>/dev/null); $(tail -n 3 "$T/plain.out"); $(grep -i 'dhcp\|script\|hook' "$T/v6.log" | tail -n 4)"
fi
# dnsmasq's lease-file line, for init (leasefile-ro)
iaid=$(jline "$J6" "j['event'] == 'add' and j['ip'] == '$IP6'" | python3 -c 'import json,sys; print(json.load(sys.stdin)["iaid"])' 2>/dev/null)
if [ -n "$IP6" ] && grep -Eqx "[0-9]+ $iaid $IP6 [^ ]+ $DUID6" "$S6/leases/$IP6" 2>/dev/null; then
	pass dhcpv6-lease-database-line
else
	fail dhcpv6-lease-database-line "$(cat "$S6/leases/$IP6" 2>&1)"
fi
release6 plain
if wait_for 10 has_line "$J6" "j['event'] == 'del' and j['ip'] == '$IP6' and j.get('family') == 'ipv6'" &&
	[ ! -e "$S6/leases/$IP6" ]; then
	pass dhcpv6-release-journaled
else
	fail dhcpv6-release-journaled "$(tail -n 2 "$J6" 2>/dev/null); $(ls "$S6/leases" 2>&1)"
fi

# iPXE over DHCPv6: steered as node-v6, by its MAC; its arch (7) comes
# from the patch's pxeinv-arch: tag, and its vendor and user class items
# are recorded whole (stock dnsmasq 2.90 hands them to the script without
# their first two bytes, "EClient:Arch:…" and "XE": the series'
# bookworm/ patch fixes that)
IPXE6=('option dhcp6.pxe6-arch code 61 = unsigned integer 16;'
	'option dhcp6.pxe6-vendor code 16 = { unsigned integer 32, unsigned integer 16, string };'
	'option dhcp6.pxe6-user code 15 = { unsigned integer 16, string };'
	'send dhcp6.pxe6-arch 7;'
	'send dhcp6.pxe6-vendor 343 32 "PXEClient:Arch:00007:UNDI:003016";'
	'send dhcp6.pxe6-user 4 "iPXE";')
dhcp6 ipxe "${IPXE6[@]}"
IP6=$ADDR6
if [ -n "$IP6" ] && wait_for 10 has_line "$J6" "j['event'] == 'add' and j['ip'] == '$IP6' and j['node'] == 'node-v6'" &&
	has_line "$J6" "j['event'] == 'add' and j['ip'] == '$IP6' and j['node'] == 'node-v6' and j['stage'] == 'ipxe' and j['install'] == 'once' and j['family'] == 'ipv6' and j['duid'] == '$DUID6' and j.get('arch') == 'efi-x64' and j.get('vendor_class') == 'PXEClient:Arch:00007:UNDI:003016' and j.get('user_class') == 'iPXE'" &&
	[ "$(kv "$S6/nodes/node-v6" ip6)" = "$IP6" ] && [ "$(kv "$S6/nodes/node-v6" via)" = dhcpv6 ] &&
	[ "$(kv "$S6/nodes/node-v6" duid)" = "$DUID6" ]; then
	pass dhcpv6-steered-lease-attributed-to-node
else
	fail dhcpv6-steered-lease-attributed-to-node "address '$IP6'; $(tail -n 1 "$J6" 2>/dev/null); $(grep 'pxe-inventory' "$T/v6.log" | tail -n 3)"
fi
out=$("$PXEINV" status --state-dir "$S6" "$T/out-v6" 2>&1)
outj=$("$PXEINV" status --json --state-dir "$S6" "$T/out-v6" 2>&1)
if printf '%s\n' "$out" | grep -Eq "^node-v6 +ipxe +[0-9-]+ [0-9:]+Z +$IP6 +$MAC6 +1 +once \(armed\)" &&
	printf '%s\n' "$out" | grep -Fqx "                     dhcpv6 $IP6 duid $DUID6 iaid $(kv "$S6/nodes/node-v6" iaid) at $(printf '%s\n' "$out" | sed -n 's/^node-v6 *ipxe *\([0-9-]* [0-9:]*Z\).*/\1/p') (latest lease)" &&
	printf '%s' "$outj" | python3 -c '
import json, sys
n = {x["node"]: x for x in json.load(sys.stdin)["nodes"]}["node-v6"]
assert n["via"] == "dhcpv6" and n["ip6"] == sys.argv[1] and n["duid"] == sys.argv[2], n
assert n["mac6"] == sys.argv[3] and n["ip"] is None and n["last_seen_dhcpv6"] > 0, n
' "$IP6" "$DUID6" "$MAC6"; then
	pass dhcpv6-status-shows-lease
else
	fail dhcpv6-status-shows-lease "$out $outj"
fi
# TFTP over IPv6: from an address without a lease, then from the lease
C ip addr add fd00:216::99/64 dev "$V6C" nodad
C ip addr add "$IP6/64" dev "$V6C" nodad
NV=pxeinv/nodes/node-v6.ipxe
got1=$(C curl -s --max-time 5 --interface fd00:216::99 "tftp://[$SRV6]/$NV")
wait_for 10 has_line "$J6" "j['event'] == 'tftp' and j['ip'] == 'fd00:216::99'"
got2=$(C curl -s --max-time 5 --interface "$IP6" "tftp://[$SRV6]/$NV")
if [ -n "$got1" ] && [ -n "$got2" ] &&
	has_line "$J6" "j['event'] == 'tftp' and j['ip'] == 'fd00:216::99' and j['node'] == 'node-v6' and j['peer'] == 'other' and j['family'] == 'ipv6'" &&
	wait_for 10 test -e "$S6/once/node-v6" &&
	has_line "$J6" "j['event'] == 'tftp' and j['ip'] == '$IP6' and j['node'] == 'node-v6' and j['peer'] == 'node' and j['family'] == 'ipv6'"; then
	pass dhcpv6-tftp-from-own-lease-marks-once
else
	fail dhcpv6-tftp-from-own-lease-marks-once "fetched '${got1:0:20}' '${got2:0:20}'; marker $(ls "$S6/once" 2>&1); $(grep tftp "$J6" | tail -n 2)"
fi
out=$("$PXEINV" status --state-dir "$S6" node-v6 2>&1)
if printf '%s\n' "$out" | grep -Eq " add +ipxe +$IP6 +$MAC6 +dhcpv6 duid $DUID6\$" &&
	printf '%s\n' "$out" | grep -Eq " tftp +- +fd00:216::99 .*node-v6.ipxe \(not from the node's address\)\$"; then
	pass dhcpv6-status-node-history
else
	fail dhcpv6-status-node-history "$out"
fi
stop
fi

finish
