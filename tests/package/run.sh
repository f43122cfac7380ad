#!/bin/bash
# Package test: upgrade a stock Debian dnsmasq host in place with our .debs,
# then go back.
#
# Usage: tests/package/run.sh [upgrade-downgrade | --list]   (as root: chroot,
#        mounts, netns; the four steps below build on each other, so they
#        are one group)
#
# Environment:
#   PXEINV_DEBS  directory with the .debs to test as they are (default:
#                build/deb/out, brought up to date with packaging/build-deb.sh,
#                which rebuilds only when its inputs changed)
#   KEEP=1       keep the scratch directory (logs) at the end
#
# A bookworm root made with mmdebstrap (minbase + Debian's dnsmasq; cached as
# build/package-test/bookworm-dnsmasq.tar, apt lists and the .debs kept so the
# downgrade needs no download) is unpacked into a scratch directory. dnsmasq
# runs there the way dnsmasq.service runs it (/usr/share/dnsmasq/systemd-helper
# checkconfig + exec, i.e. /etc/dnsmasq.conf and -7 /etc/dnsmasq.d), chrooted
# inside a network namespace; tests/integration/dhcpclient.py and curl (TFTP)
# act as clients from a second namespace over a veth pair.
#   1. stock: a typical config (dhcp-range + dhcp-host) serves;
#   2. apt-get install of our dnsmasq, dnsmasq-base and pxeinv .debs: the
#      running daemon survives, /etc/dnsmasq.conf and /etc/dnsmasq.d are
#      byte-identical, the same config serves the same answers;
#   3. the operator enables pxeinv (example inventory -> /etc/pxeinv/nodes,
#      compile as user pxeinv, the shipped snippet -> /etc/dnsmasq.d):
#      PXE and iPXE requests get the boot files `pxeinv lookup` predicts, and
#      they come over TFTP; SIGHUP reloads a recompiled inventory;
#   4. the snippet is removed, pxeinv purged, dnsmasq downgraded to Debian's
#      version with apt-get --allow-downgrades: the stock config serves again.
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DEBS=${PXEINV_DEBS:-$root/build/deb/out}
CACHE=$root/build/package-test
BASE=$CACHE/bookworm-dnsmasq.tar
DHCPCLIENT=$root/tests/integration/dhcpclient.py

. "$(dirname "$0")/../lib/report.sh"
. "$(dirname "$0")/../lib/netns.sh"
groups "${1-}" upgrade-downgrade
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi; }
abort() { fail "$1" "${2:-}"; finish; }

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; echo "0 passed, 1 failed"; exit 1; }

need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
	note "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
		abort setup "cannot install ${need[*]}"
fi
if [ -z "${PXEINV_DEBS:-}" ]; then
	note "packages in $DEBS (packaging/build-deb.sh: rebuilt if their inputs changed)"
	"$root/packaging/build-deb.sh" "$DEBS" >/dev/null || abort build-deb
fi
ls "$DEBS"/pxeinv_*.deb "$DEBS"/dnsmasq-base_*+pxeinv*.deb >/dev/null 2>&1 ||
	abort setup "no pxeinv and dnsmasq-base .debs in $DEBS"


# --- base root ------------------------------------------------------------
# Print the Debian mirror (main or security) of the host's apt sources.
mirror_of() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -oE 'https?://[^ ]+' | sed 's:/$::' | {
		if [ "$1" = security ]; then grep -m1 'debian-security$'; else grep -m1 '/debian$'; fi
	}
}
if [ ! -s "$BASE" ]; then
	main=$(mirror_of main); main=${main:-http://deb.debian.org/debian}
	sec=$(mirror_of security); sec=${sec:-http://deb.debian.org/debian-security}
	mkdir -p "$CACHE"
	note "mmdebstrap: bookworm minbase + dnsmasq -> $BASE (about a minute)"
	# cleanup/apt skipped: the apt lists and the stock .debs stay in the root,
	# so the downgrade works whatever the archive carries by then
	mmdebstrap --variant=minbase --include=dnsmasq,libcdb1,libyaml-0-2,adduser \
		--skip=cleanup/apt --format=tar bookworm "$BASE.tmp" \
		"deb $main bookworm main" "deb $main bookworm-updates main" \
		"deb $sec bookworm-security main" > "$CACHE/mmdebstrap.log" 2>&1 ||
		{ tail -n 20 "$CACHE/mmdebstrap.log"; rm -f "$BASE.tmp"; abort mmdebstrap; }
	mv "$BASE.tmp" "$BASE"
fi

T=$(mktemp -d /tmp/pxeinv-pkg.XXXXXX)
R=$T/root
NS_S=pxeinv-pkgs-$$
NS_C=pxeinv-pkgc-$$
VS=pks$$
VC=pkc$$
SRV=10.214.0.1
MOUNTS=()

cleanup() {
	local i
	stop_dnsmasq 2>/dev/null
	netns_remove "$NS_S" "$NS_C"
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[i]}" 2>/dev/null; done
	if [ "${KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$R"
tar -C "$R" -xf "$BASE" || abort unpack
for d in proc dev; do
	case $d in
	proc) mount -t proc proc "$R/proc" ;;
	dev) mount --bind /dev "$R/dev" ;;
	esac && MOUNTS+=("$R/$d") || abort "mount $d"
done
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"

# in the root, without network namespace
CH() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

netns_pair "$NS_S" "$NS_C" "$VS" "$VC" "$SRV/24" 10.214.0.250/24 || abort netns
C() { ip netns exec "$NS_C" "$@"; }

# dnsmasq the way dnsmasq.service runs it, inside the server namespace
start_dnsmasq() {
	mkdir -p "$R/run/dnsmasq"
	ip netns exec "$NS_S" chroot "$R" /usr/share/dnsmasq/systemd-helper checkconfig > "$T/checkconfig.log" 2>&1 || return 1
	ip netns exec "$NS_S" chroot "$R" /usr/share/dnsmasq/systemd-helper exec > "$T/start.log" 2>&1 || return 1
	local i
	for i in $(seq 50); do
		[ -s "$R/run/dnsmasq/dnsmasq.pid" ] && kill -0 "$(cat "$R/run/dnsmasq/dnsmasq.pid")" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
stop_dnsmasq() {
	local pid
	pid=$(cat "$R/run/dnsmasq/dnsmasq.pid" 2>/dev/null) || return 0
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$R/run/dnsmasq/dnsmasq.pid"
}
restart_dnsmasq() { stop_dnsmasq; start_dnsmasq; }
dnsmasq_pid() { cat "$R/run/dnsmasq/dnsmasq.pid" 2>/dev/null; }

OUT=
# dhcp ARGS: DISCOVER (dnsmasq pings an address for 3 s before offering it)
dhcp() { OUT=$(C python3 "$DHCPCLIENT" --iface "$VC" --timeout 10 --discover-only "$@" 2>&1); }
# dora ARGS: DISCOVER + REQUEST (a lease: the dhcp-script runs)
dora() { OUT=$(C python3 "$DHCPCLIENT" --iface "$VC" --timeout 10 "$@" 2>&1); }
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | tail -n1; }
# bootfile REPLY: the boot file, from the header or (when asked) option 67
bootfile() { local f; f=$(val "$1.file"); [ -n "$f" ] || f=$(val "$1.opt67"); echo "$f"; }

# serves_stock NAME: the existing config's answers
serves_stock() {
	dhcp --mac 02:00:00:00:00:42
	[ "$(val OFFER.yiaddr)" = 10.214.0.42 ] && pass "$1: dhcp-host gets its fixed address" ||
		fail "$1: dhcp-host gets its fixed address" "$(val OFFER.yiaddr)"
	dhcp --mac 02:00:00:00:00:77
	case $(val OFFER.yiaddr) in
	10.214.0.1[0-4][0-9] | 10.214.0.150) pass "$1: dhcp-range serves a dynamic address" ;;
	*) fail "$1: dhcp-range serves a dynamic address" "$(val OFFER.yiaddr)" ;;
	esac
}

# conf_sum: hash of /etc/dnsmasq.conf and everything under /etc/dnsmasq.d
conf_sum() { (cd "$R/etc" && find dnsmasq.conf dnsmasq.d -print0 | LC_ALL=C sort -z | xargs -0 stat -c '%n %a %U %s' && find dnsmasq.conf dnsmasq.d -type f -print0 | LC_ALL=C sort -z | xargs -0 cat) | sha256sum; }

# --- 1. stock Debian dnsmasq with an existing config ---------------------
stock_version=$(CH dpkg-query -W -f='${Version}' dnsmasq-base)
our_version=$(dpkg-deb -f "$(ls "$DEBS"/dnsmasq-base_*+pxeinv*_*.deb | head -n1)" Version)
note "stock dnsmasq $stock_version, ours $our_version"
if dpkg --compare-versions "$our_version" gt "$stock_version"; then
	pass "our version $our_version is newer than Debian's $stock_version"
else
	fail "our version $our_version is newer than Debian's $stock_version" "rebuild from the current Debian source (rm -rf build/dnsmasq/src-bookworm)"
fi
cat > "$R/etc/dnsmasq.d/lan.conf" <<CONF
# an existing site config
port=0
interface=$VS
dhcp-range=10.214.0.100,10.214.0.150,255.255.255.0,12h
dhcp-host=02:00:00:00:00:42,10.214.0.42,oldhost
dhcp-option=option:router,10.214.0.1
log-dhcp
log-facility=/var/log/dnsmasq.log
CONF
sum0=$(conf_sum)
check "stock: dnsmasq --test" CH dnsmasq --test
start_dnsmasq && pass "stock: dnsmasq starts as the service does" || abort "stock: dnsmasq starts" "$(cat "$T/checkconfig.log" "$T/start.log")"
serves_stock stock
pid_before=$(dnsmasq_pid)

# --- 2. in-place upgrade -------------------------------------------------
mkdir -p "$R/tmp/debs"
cp "$DEBS"/dnsmasq_*+pxeinv*_all.deb "$DEBS"/dnsmasq-base_*+pxeinv*_*.deb "$DEBS"/pxeinv_*.deb "$R/tmp/debs/"
debs=$(cd "$R/tmp/debs" && ls *.deb | sed 's:^:/tmp/debs/:')
# shellcheck disable=SC2086
if CH apt-get install -y -q $debs > "$T/install.log" 2>&1; then
	pass "upgrade: apt-get install of dnsmasq, dnsmasq-base, pxeinv"
else
	tail -n 20 "$T/install.log"
	abort "upgrade: apt-get install of dnsmasq, dnsmasq-base, pxeinv"
fi
[ "$(CH dpkg-query -W -f='${Version}' dnsmasq-base)" = "$our_version" ] && pass "upgrade: dnsmasq-base is $our_version" ||
	fail "upgrade: dnsmasq-base is $our_version"
check "upgrade: dnsmasq --help lists --pxe-inventory" sh -c "chroot '$R' dnsmasq --help | grep -q -- --pxe-inventory"
[ "$(conf_sum)" = "$sum0" ] && pass "upgrade: /etc/dnsmasq.conf and /etc/dnsmasq.d untouched" ||
	fail "upgrade: /etc/dnsmasq.conf and /etc/dnsmasq.d untouched" "$(ls -la "$R/etc/dnsmasq.d")"
[ "$(dnsmasq_pid)" = "$pid_before" ] && kill -0 "$pid_before" 2>/dev/null &&
	pass "upgrade: the running dnsmasq kept running" || fail "upgrade: the running dnsmasq kept running"
serves_stock "upgrade, old process"
check "upgrade: dnsmasq --test with the old config" CH dnsmasq --test
restart_dnsmasq && pass "upgrade: the patched dnsmasq starts with the old config" ||
	fail "upgrade: the patched dnsmasq starts with the old config" "$(cat "$T/checkconfig.log" "$T/start.log")"
serves_stock "upgrade, new binary"
check "upgrade: user pxeinv exists" CH getent passwd pxeinv
check "upgrade: /var/lib/pxeinv owned by pxeinv" test "$(CH stat -c %U "/var/lib/pxeinv")" = pxeinv
check "upgrade: man page" test -f "$R/usr/share/man/man1/pxeinv.1.gz"
check "upgrade: bash completion completes the commands" sh -c "chroot '$R' bash -c '. /usr/share/bash-completion/completions/pxeinv; COMP_WORDS=(pxeinv com); COMP_CWORD=1; _pxeinv; echo \${COMPREPLY[*]}' | grep -qx compile"
check "upgrade: systemd units shipped, not enabled" sh -c "test -f '$R/lib/systemd/system/pxeinv-compile.path' && ! ls '$R'/etc/systemd/system/*/pxeinv* >/dev/null 2>&1"

# --- 3. enable pxe-inventory -----------------------------------------------
cp -a "$R/usr/share/pxeinv/nodes/." "$R/etc/pxeinv/nodes/"
# what pxeinv-compile.service runs
if CH runuser -u pxeinv -- pxeinv compile --hook /usr/lib/pxeinv/pxeinv-hook --state-dir /var/lib/pxeinv \
	/etc/pxeinv/nodes /var/lib/pxeinv/out > "$T/compile.log" 2>&1; then
	pass "enable: pxeinv compile as user pxeinv"
else
	fail "enable: pxeinv compile as user pxeinv" "$(cat "$T/compile.log")"
fi
cp "$R/usr/share/doc/pxeinv/examples/pxe-inventory.conf" "$R/etc/dnsmasq.d/"
check "enable: dnsmasq --test with the snippet" CH dnsmasq --test
restart_dnsmasq && pass "enable: dnsmasq starts with the snippet" ||
	fail "enable: dnsmasq starts with the snippet" "$(cat "$T/checkconfig.log" "$T/start.log")"
serves_stock enable
want_fw=$(CH pxeinv lookup /var/lib/pxeinv/out --mac 52:54:00:a0:10:01 --arch 7 | sed -n 's/^file: *//p')
want_ipxe=$(CH pxeinv lookup /var/lib/pxeinv/out --mac 52:54:00:a0:10:01 --arch 7 --ipxe | sed -n 's/^file: *//p')
note "lookup: firmware -> $want_fw, iPXE -> $want_ipxe"
dhcp --mac 52:54:00:a0:10:01 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7
[ -n "$want_fw" ] && [ "$(bootfile OFFER)" = "$want_fw" ] && pass "enable: UEFI PXE request gets $want_fw" ||
	fail "enable: UEFI PXE request gets $want_fw" "$(echo $OUT)"
[ "$(val OFFER.siaddr)" = "$SRV" ] && pass "enable: next-server is $SRV" || fail "enable: next-server is $SRV" "$(val OFFER.siaddr)"
dora --mac 52:54:00:a0:10:01 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7 --ipxe
[ "$(bootfile ACK)" = pxeinv/nodes/node-10.ipxe ] && [ "$want_ipxe" = pxeinv/nodes/node-10.ipxe ] &&
	pass "enable: iPXE request gets pxeinv/nodes/node-10.ipxe" ||
	fail "enable: iPXE request gets pxeinv/nodes/node-10.ipxe" "$(echo $OUT) (lookup: $want_ipxe)"
C curl -s --max-time 5 -o "$T/fw.bin" "tftp://$SRV/$want_fw"
cmp -s "$T/fw.bin" "$R/var/lib/pxeinv/out/tftp/$want_fw" && pass "enable: $want_fw over TFTP" || fail "enable: $want_fw over TFTP"
C curl -s --max-time 5 -o "$T/node.ipxe" "tftp://$SRV/pxeinv/nodes/node-10.ipxe"
cmp -s "$T/node.ipxe" "$R/var/lib/pxeinv/out/tftp/pxeinv/nodes/node-10.ipxe" && grep -q '^#!ipxe' "$T/node.ipxe" &&
	pass "enable: node script over TFTP" || fail "enable: node script over TFTP"
for _ in $(seq 30); do [ -s "$R/var/lib/pxeinv/journal.jsonl" ] && break; sleep 0.1; done
grep -q node-10 "$R/var/lib/pxeinv/journal.jsonl" 2>/dev/null && pass "enable: the hook (user pxeinv) journals node-10" ||
	fail "enable: the hook (user pxeinv) journals node-10" "$(ls -la "$R/var/lib/pxeinv" 2>&1 | tr '\n' ' ')"
# recompile with node-10 not to be installed, then SIGHUP (systemctl reload)
sed -i 's/^install: true/install: false/' "$R/etc/pxeinv/nodes/k8s-prod/node-10.yaml"
CH runuser -u pxeinv -- pxeinv compile -q --hook /usr/lib/pxeinv/pxeinv-hook --state-dir /var/lib/pxeinv \
	/etc/pxeinv/nodes /var/lib/pxeinv/out > "$T/compile2.log" 2>&1
kill -HUP "$(dnsmasq_pid)"
sleep 0.5
dhcp --mac 52:54:00:a0:10:01 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7 --ipxe
C curl -s --max-time 5 -o "$T/node2.ipxe" "tftp://$SRV/$(bootfile OFFER)"
if cmp -s "$T/node2.ipxe" "$R/var/lib/pxeinv/out/tftp/pxeinv/nodes/node-10.ipxe" && ! cmp -s "$T/node.ipxe" "$T/node2.ipxe" &&
	grep -q 'install=no' "$R/var/log/dnsmasq.log"; then
	pass "enable: SIGHUP reloads the recompiled inventory (node-10 now install: false)"
else
	fail "enable: SIGHUP reloads the recompiled inventory" "$(echo $OUT)"
fi

# --- 4. back to Debian's dnsmasq ------------------------------------------
rm -f "$R/etc/dnsmasq.d/pxe-inventory.conf"
[ "$(conf_sum)" = "$sum0" ] || fail "downgrade: config back to the original before the downgrade"
if CH apt-get purge -y -q pxeinv > "$T/purge.log" 2>&1; then
	pass "downgrade: apt-get purge pxeinv"
else
	fail "downgrade: apt-get purge pxeinv" "$(tail -n 5 "$T/purge.log")"
fi
left=$(cd "$R" && ls -d usr/bin/pxeinv usr/lib/pxeinv usr/share/pxeinv var/lib/pxeinv lib/systemd/system/pxeinv-compile.* usr/share/bash-completion/completions/pxeinv 2>/dev/null)
[ -z "$left" ] && pass "downgrade: no pxeinv files left" || fail "downgrade: no pxeinv files left" "$left"
if CH apt-get install -y -q --allow-downgrades "dnsmasq=$stock_version" "dnsmasq-base=$stock_version" > "$T/downgrade.log" 2>&1; then
	pass "downgrade: apt-get install dnsmasq=$stock_version --allow-downgrades"
else
	fail "downgrade: apt-get install dnsmasq=$stock_version --allow-downgrades" "$(tail -n 5 "$T/downgrade.log")"
fi
[ "$(CH dpkg-query -W -f='${Version}' dnsmasq-base)" = "$stock_version" ] && pass "downgrade: dnsmasq-base is $stock_version" ||
	fail "downgrade: dnsmasq-base is $stock_version"
check "downgrade: dnsmasq --help has no --pxe-inventory" sh -c "! chroot '$R' dnsmasq --help | grep -q -- --pxe-inventory"
[ "$(conf_sum)" = "$sum0" ] && pass "downgrade: /etc/dnsmasq.conf and /etc/dnsmasq.d untouched" ||
	fail "downgrade: /etc/dnsmasq.conf and /etc/dnsmasq.d untouched"
restart_dnsmasq && pass "downgrade: stock dnsmasq starts with the old config" ||
	fail "downgrade: stock dnsmasq starts with the old config" "$(cat "$T/checkconfig.log" "$T/start.log")"
serves_stock downgrade
CH dpkg --audit > "$T/audit.log" 2>&1
[ ! -s "$T/audit.log" ] && pass "downgrade: dpkg --audit clean" || fail "downgrade: dpkg --audit clean" "$(cat "$T/audit.log")"

finish
