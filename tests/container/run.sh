#!/bin/bash
# Container image test: build the Containerfile offline with buildah, run it
# with podman in a network namespace with only NET_ADMIN, NET_RAW and
# NET_BIND_SERVICE, and boot-check it with a DHCP client and TFTP.
#
# Usage: tests/container/run.sh [GROUP | --list]   (as root; every group
#        runs the image the build makes: image, as podman runs it, and
#        kubernetes, as packaging/kubernetes runs it)
#
# Environment:
#   PXEINV_IPXE_DOWNLOAD=1  let the image build try the upstream iPXE source
#                           (default: IPXE_NO_DOWNLOAD=1, Debian's prebuilt iPXE)
#   KEEP=1                  keep the scratch directory and the container
#
# Everything podman/buildah store lives in build/container-test/ (private
# storage.conf and containers.conf, see /work/shared/notes/containers.md):
# the base image debian:bookworm-slim is made with mmdebstrap (cached tarball)
# and `podman import`ed, the build runs with --isolation chroot --pull=never
# from a context holding only the files the Containerfile copies.
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
W=$root/build/container-test
IMAGE=localhost/pxeinv:test
DHCPCLIENT=$root/tests/integration/dhcpclient.py

. "$(dirname "$0")/../lib/report.sh"
. "$(dirname "$0")/../lib/netns.sh"
groups "${1-}" image http kubernetes
abort() { fail "$1" "${2:-}"; finish; }

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; echo "0 passed, 1 failed"; exit 1; }
need=()
for c in buildah:buildah podman:podman runc:runc mmdebstrap:mmdebstrap curl:curl python3:python3 ip:iproute2 rsync:rsync; do
	command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
	note "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
		abort setup "cannot install ${need[*]}"
fi

# --- private container configuration --------------------------------------
mkdir -p "$W/storage" "$W/run"
cat > "$W/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$W/storage"
runroot = "$W/run"
CONF
cat > "$W/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_STORAGE_CONF=$W/storage.conf CONTAINERS_CONF=$W/containers.conf

# --- base image -------------------------------------------------------------
if ! podman image exists docker.io/library/debian:bookworm-slim; then
	if [ ! -s "$W/base-bookworm.tar" ]; then
		note "mmdebstrap: bookworm minbase -> $W/base-bookworm.tar (about a minute)"
		mmdebstrap --variant=minbase --format=tar \
			--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
			bookworm "$W/base-bookworm.tar.tmp" \
			"deb http://deb.debian.org/debian bookworm main" \
			"deb http://deb.debian.org/debian bookworm-updates main" \
			"deb http://deb.debian.org/debian-security bookworm-security main" > "$W/mmdebstrap.log" 2>&1 ||
			{ tail -n 20 "$W/mmdebstrap.log"; abort mmdebstrap; }
		mv "$W/base-bookworm.tar.tmp" "$W/base-bookworm.tar"
	fi
	podman import "$W/base-bookworm.tar" docker.io/library/debian:bookworm-slim >/dev/null ||
		abort "podman import"
fi

# --- build ------------------------------------------------------------------
ctx=$W/context
mkdir -p "$ctx"
(cd "$root" && rsync -a --delete --relative Containerfile Makefile common inventory cache state cli hook nodes \
	patches/dnsmasq ipxe-config packaging/container "$ctx/") || abort "build context"
args=()
[ "${PXEINV_IPXE_DOWNLOAD:-0}" = 1 ] || args+=(--build-arg IPXE_NO_DOWNLOAD=1)
t0=$(date +%s)
if buildah bud --isolation chroot --pull=never --layers --force-rm "${args[@]}" -t "$IMAGE" -f "$ctx/Containerfile" "$ctx" > "$W/build.log" 2>&1; then
	pass "buildah bud (chroot isolation, offline base) in $(($(date +%s) - t0)) s"
else
	tail -n 30 "$W/build.log"
	abort "buildah bud" "log: $W/build.log"
fi

# --- network ----------------------------------------------------------------
T=$(mktemp -d /tmp/pxeinv-ctr.XXXXXX)
chmod 755 "$T"
NS_S=pxeinv-ctrs-$$
NS_C=pxeinv-ctrc-$$
VS=cts$$
VC=ctc$$
SRV=10.215.0.1
NAME=pxeinv-test-$$

cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T and container $NAME (CONTAINERS_STORAGE_CONF=$W/storage.conf)"
	else
		# one at a time: podman removes none of the names when one is missing
		podman rm -f -t 2 "$NAME" >/dev/null 2>&1
		podman rm -f -t 2 "$NAME-k8s" >/dev/null 2>&1
		podman rm -f -t 2 "$NAME-http" >/dev/null 2>&1
		rm -rf "$T"
		# podman leaves its overlay mounts under build/: drop them, so that
		# `rm -rf build` works (podman mounts again on next use)
		grep -o " $W/storage[^ ]*" /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null; done
	fi
	netns_remove "$NS_S" "$NS_C"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

netns_pair "$NS_S" "$NS_C" "$VS" "$VC" "$SRV/24" 10.215.0.250/24 || abort netns
C() { ip netns exec "$NS_C" "$@"; }

OUT=
dhcp() { OUT=$(C python3 "$DHCPCLIENT" --iface "$VC" --timeout 10 --discover-only "$@" 2>&1); }
dora() { OUT=$(C python3 "$DHCPCLIENT" --iface "$VC" --timeout 10 "$@" 2>&1); }
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | tail -n1; }
bootfile() { local f; f=$(val "$1.file"); [ -n "$f" ] || f=$(val "$1.opt67"); echo "$f"; }

# --- run ----------------------------------------------------------------------
if selected image; then
# the inventory mounted (a copy, so that the reload test can change it), and
# the site's dnsmasq settings
cp -a "$root/nodes" "$T/nodes"
mkdir -p "$T/site"
cat > "$T/site/site.conf" <<CONF
dhcp-range=10.215.0.100,10.215.0.150,255.255.255.0,12h
dhcp-host=02:00:00:00:00:42,10.215.0.42,oldhost
CONF
chmod -R a+rX "$T"
if podman run -d --name "$NAME" --network="ns:/run/netns/$NS_S" \
	--cap-drop=ALL --cap-add=NET_ADMIN,NET_RAW,NET_BIND_SERVICE \
	-v "$T/nodes:/etc/pxeinv/nodes:ro" -v "$T/site:/etc/pxeinv/dnsmasq.d:ro" \
	"$IMAGE" --log-dhcp > "$T/run.log" 2>&1; then
	pass "podman run (no --privileged, 3 capabilities)"
else
	abort "podman run" "$(cat "$T/run.log")"
fi
for _ in $(seq 50); do grep -q 'pxe-inventory: loaded' <<<"$(podman logs "$NAME" 2>&1)" && break; sleep 0.2; done
if grep -q 'pxe-inventory: loaded' <<<"$(podman logs "$NAME" 2>&1)"; then
	pass "dnsmasq loaded the compiled inventory"
else
	podman logs "$NAME" 2>&1 | tail -n 20
	abort "dnsmasq loaded the compiled inventory"
fi
pid=
for p in $(podman top "$NAME" hpid 2>/dev/null | tail -n +2); do
	grep -q dnsmasq "/proc/$p/comm" 2>/dev/null && pid=$p
done
uid=$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status" 2>/dev/null)
[ -n "$uid" ] && [ "$uid" != 0 ] && pass "dnsmasq runs as non-root (uid $uid)" || fail "dnsmasq runs as non-root" "uid '$uid'"
capbnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
# NET_BIND_SERVICE (10), NET_ADMIN (12), NET_RAW (13)
[ "$capbnd" = 0000000000003400 ] && pass "bounding set is NET_BIND_SERVICE, NET_ADMIN, NET_RAW" ||
	fail "bounding set is NET_BIND_SERVICE, NET_ADMIN, NET_RAW" "CapBnd $capbnd"
[ "$(podman inspect -f '{{.HostConfig.Privileged}}' "$NAME")" = false ] && pass "not privileged" || fail "not privileged"

dhcp --mac 02:00:00:00:00:42
[ "$(val OFFER.yiaddr)" = 10.215.0.42 ] && pass "site config: dhcp-host gets its fixed address" ||
	fail "site config: dhcp-host gets its fixed address" "$(echo $OUT)"
dhcp --mac 52:54:00:a0:10:01 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7
[ "$(bootfile OFFER)" = snponly.efi ] && [ "$(val OFFER.siaddr)" = "$SRV" ] && pass "UEFI PXE request gets snponly.efi from $SRV" ||
	fail "UEFI PXE request gets snponly.efi from $SRV" "$(echo $OUT)"
podman cp "$NAME:/usr/lib/pxeinv/ipxe/snponly.efi" "$T/snponly.efi.want" >/dev/null 2>&1
C curl -s --max-time 5 -o "$T/snponly.efi" "tftp://$SRV/snponly.efi"
[ -s "$T/snponly.efi" ] && cmp -s "$T/snponly.efi" "$T/snponly.efi.want" && pass "snponly.efi over TFTP" || fail "snponly.efi over TFTP"
dora --mac 52:54:00:a0:10:01 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7 --ipxe
f=$(bootfile ACK)
[ "$f" = pxeinv/nodes/node-10.ipxe ] && pass "iPXE request gets pxeinv/nodes/node-10.ipxe" ||
	fail "iPXE request gets pxeinv/nodes/node-10.ipxe" "$(echo $OUT)"
C curl -s --max-time 5 -o "$T/node1.ipxe" "tftp://$SRV/pxeinv/nodes/node-10.ipxe"
grep -q '^#!ipxe' "$T/node1.ipxe" && grep -q 'ip=192.168.200.20' "$T/node1.ipxe" &&
	pass "node-10's script over TFTP" || fail "node-10's script over TFTP" "$(head -c 300 "$T/node1.ipxe")"
for _ in $(seq 30); do podman exec "$NAME" grep -q node-10 /var/lib/pxeinv/journal.jsonl 2>/dev/null && break; sleep 0.2; done
podman exec "$NAME" grep -q node-10 /var/lib/pxeinv/journal.jsonl 2>/dev/null && pass "the hook journals node-10" ||
	fail "the hook journals node-10"

# reload: change the mounted inventory, SIGHUP the container
sed -i 's/^ip: 192.168.200.20/ip: 192.168.200.99/' "$T/nodes/k8s-prod/node-10.yaml"
podman kill -s HUP "$NAME" >/dev/null
for _ in $(seq 30); do grep -q 'pxe-inventory: reloaded' <<<"$(podman logs "$NAME" 2>&1)" && break; sleep 0.2; done
C curl -s --max-time 5 -o "$T/node2.ipxe" "tftp://$SRV/pxeinv/nodes/node-10.ipxe"
grep -q 'ip=192.168.200.99' "$T/node2.ipxe" && grep -q 'pxe-inventory: reloaded' <<<"$(podman logs "$NAME" 2>&1)" &&
	pass "SIGHUP recompiles the mounted inventory and reloads dnsmasq" ||
	fail "SIGHUP recompiles the mounted inventory and reloads dnsmasq" "script: $(grep -o 'ip=[^ ]*' "$T/node2.ipxe"); log: $(podman logs "$NAME" 2>&1 | tail -n 5)"
log=$(podman logs "$NAME" 2>&1)
if grep -qx 'entrypoint: inventory: changed node-10' <<<"$log" &&
	[ "$(grep -c '^entrypoint: inventory: ' <<<"$log")" = 1 ]; then
	pass "the reload logs the one node whose script changed"
else fail "the reload logs the one node whose script changed" "$(grep '^entrypoint' <<<"$log" | tail -n 5)"; fi
[ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] && pass "still running after SIGHUP" || fail "still running after SIGHUP"
podman stop -t 5 "$NAME" >/dev/null 2>&1
[ "$(podman inspect -f '{{.State.ExitCode}}' "$NAME")" = 0 ] && pass "stops cleanly on SIGTERM" ||
	fail "stops cleanly on SIGTERM" "exit $(podman inspect -f '{{.State.ExitCode}}' "$NAME")"
fi

# PXEINV_HTTP_PORT: busybox httpd serves OUT_DIR/tftp, and with
# PXEINV_HTTP_URL every iPXE gets its script as a URL on it (HTTP boot
# without TFTP); a recompile swaps the tree and httpd serves the new one
if selected http; then
H=$NAME-http
cp -a "$root/nodes" "$T/http-nodes"
mkdir -p "$T/http-site"
printf 'dhcp-range=10.215.0.100,10.215.0.150,255.255.255.0,12h\n' > "$T/http-site/site.conf"
chmod -R a+rX "$T"
if podman run -d --name "$H" --network="ns:/run/netns/$NS_S" \
	--cap-drop=ALL --cap-add=NET_ADMIN,NET_RAW,NET_BIND_SERVICE \
	-e PXEINV_HTTP_PORT=8080 -e "PXEINV_HTTP_URL=http://$SRV:8080" \
	-v "$T/http-nodes:/etc/pxeinv/nodes:ro" -v "$T/http-site:/etc/pxeinv/dnsmasq.d:ro" \
	"$IMAGE" --log-dhcp > "$T/http-run.log" 2>&1; then
	pass "http: podman run with PXEINV_HTTP_PORT=8080"
else
	abort "http: podman run with PXEINV_HTTP_PORT=8080" "$(cat "$T/http-run.log")"
fi
for _ in $(seq 50); do grep -q 'pxe-inventory: loaded' <<<"$(podman logs "$H" 2>&1)" && break; sleep 0.2; done
dora --mac 52:54:00:a0:10:01 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7 --ipxe
f=$(bootfile ACK)
[ "$f" = "http://$SRV:8080/pxeinv/nodes/node-10.ipxe" ] && pass "http: iPXE request gets node-10's script as a URL" ||
	fail "http: iPXE request gets node-10's script as a URL" "$(echo $OUT)"
C curl -s --max-time 5 -o "$T/http1.ipxe" "http://$SRV:8080/pxeinv/nodes/node-10.ipxe"
grep -q '^#!ipxe' "$T/http1.ipxe" && grep -q 'ip=192.168.200.20' "$T/http1.ipxe" &&
	grep -q 'url:/pxeinv/nodes/node-10.ipxe' <<<"$(podman logs "$H" 2>&1)" &&
	pass "http: busybox httpd serves node-10's script, and logs it" ||
	fail "http: busybox httpd serves node-10's script, and logs it" "$(head -c 300 "$T/http1.ipxe"); $(podman logs "$H" 2>&1 | tail -n 5)"
dhcp --mac 52:54:00:a0:10:01 --vendor HTTPClient:Arch:00016:UNDI:003000 --arch 16
podman cp "$H:/usr/lib/pxeinv/ipxe/snponly.efi" "$T/http-snponly.want" >/dev/null 2>&1
C curl -s --max-time 5 -o "$T/http-snponly.efi" "$(bootfile OFFER)"
[ "$(bootfile OFFER)" = "http://$SRV:8080/snponly.efi" ] && [ -s "$T/http-snponly.efi" ] &&
	cmp -s "$T/http-snponly.efi" "$T/http-snponly.want" &&
	pass "http: HTTP boot gets snponly.efi's URL, and it is served" ||
	fail "http: HTTP boot gets snponly.efi's URL, and it is served" "$(echo $OUT)"
C curl -s --path-as-is --max-time 5 -o /dev/null -w '%{http_code}' "http://$SRV:8080/../pxe-inventory.cdb" > "$T/http-code"
[ "$(cat "$T/http-code")" != 200 ] && pass "http: nothing above the TFTP root is served" ||
	fail "http: nothing above the TFTP root is served" "code $(cat "$T/http-code")"
sed -i 's/^ip: 192.168.200.20/ip: 192.168.200.98/' "$T/http-nodes/k8s-prod/node-10.yaml"
podman kill -s HUP "$H" >/dev/null
for _ in $(seq 30); do grep -q 'pxe-inventory: reloaded' <<<"$(podman logs "$H" 2>&1)" && break; sleep 0.2; done
for _ in $(seq 20); do
	C curl -s --max-time 5 -o "$T/http2.ipxe" "http://$SRV:8080/pxeinv/nodes/node-10.ipxe"
	grep -q 'ip=192.168.200.98' "$T/http2.ipxe" && break
	sleep 0.2
done
grep -q 'ip=192.168.200.98' "$T/http2.ipxe" && pass "http: after SIGHUP, httpd serves the recompiled script" ||
	fail "http: after SIGHUP, httpd serves the recompiled script" "$(head -c 300 "$T/http2.ipxe")"
podman stop -t 5 "$H" >/dev/null 2>&1
[ "$(podman inspect -f '{{.State.ExitCode}}' "$H")" = 0 ] && pass "http: stops cleanly on SIGTERM" ||
	fail "http: stops cleanly on SIGTERM" "exit $(podman inspect -f '{{.State.ExitCode}}' "$H")"
podman rm -f -t 2 "$H" >/dev/null 2>&1
out=$(podman run --rm -e PXEINV_HTTP_PORT=80 "$IMAGE" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -qx "entrypoint: PXEINV_HTTP_PORT must be a port number from 1024 to 65535, not '80'" <<<"$out" &&
	pass "http: PXEINV_HTTP_PORT=80 is refused" || fail "http: PXEINV_HTTP_PORT=80 is refused" "exit $rc: $out"
fi

if selected kubernetes; then
# The image as packaging/kubernetes runs it: no ambient capabilities (setpriv
# clears them before the entrypoint, as Kubernetes never sets them for a
# non-root container), a read-only root, the state in a directory of the
# host owned by the image's user, and the inventory in git-sync's layout:
# revisions under /git/.worktrees, /git/inventory a link swapped from one to
# the next, PXEINV_WATCH=1.
K=$NAME-k8s
G=$T/git
mkdir -p "$G/.worktrees/rev1" "$G/.worktrees/rev2" "$T/k8s-site" "$T/k8s-state"
cp -a "$root/nodes" "$G/.worktrees/rev1/nodes"
cp -a "$root/nodes" "$G/.worktrees/rev2/nodes"
sed -i 's/^ip: 192.168.200.20/ip: 192.168.200.77/' "$G/.worktrees/rev2/nodes/k8s-prod/node-10.yaml"
ln -s .worktrees/rev1 "$G/inventory"
printf 'interface=%s\ndhcp-range=10.215.0.100,10.215.0.150,255.255.255.0,12h\n' "$VS" > "$T/k8s-site/site.conf"
chmod -R a+rX "$T"
uid=$(podman run --rm --entrypoint /usr/bin/id "$IMAGE" -u 2>&1)
gid=$(podman run --rm --entrypoint /usr/bin/id "$IMAGE" -g 2>&1)
chown "$uid:$gid" "$T/k8s-state"
k8s=(--network="ns:/run/netns/$NS_S" --read-only --read-only-tmpfs=false
	--cap-drop=ALL --cap-add=NET_ADMIN,NET_RAW,NET_BIND_SERVICE
	-e PXEINV_NODES=/git/inventory/nodes -e PXEINV_WATCH=1
	-v "$G:/git:ro" -v "$T/k8s-site:/etc/pxeinv/dnsmasq.d:ro" -v "$T/k8s-state:/var/lib/pxeinv"
	--entrypoint /usr/bin/setpriv "$IMAGE" --inh-caps=-all --ambient-caps=-all -- /usr/lib/pxeinv/entrypoint)
if podman run -d --name "$K" "${k8s[@]}" --log-dhcp > "$T/k8s-run.log" 2>&1; then
	pass "podman run as Kubernetes does (user $uid:$gid, no ambient capabilities, read-only root)"
else
	abort "podman run as Kubernetes does" "$(cat "$T/k8s-run.log")"
fi
for _ in $(seq 50); do grep -q 'pxe-inventory: loaded' <<<"$(podman logs "$K" 2>&1)" && break; sleep 0.2; done
grep -q 'pxe-inventory: loaded' <<<"$(podman logs "$K" 2>&1)" && pass "k8s: dnsmasq loaded the inventory from git-sync's link" ||
	abort "k8s: dnsmasq loaded the inventory from git-sync's link" "$(podman logs "$K" 2>&1 | tail -n 5)"
init=$(podman inspect -f '{{.State.Pid}}' "$K")
dpid=
for p in $(podman top "$K" hpid 2>/dev/null | tail -n +2); do
	grep -q dnsmasq "/proc/$p/comm" 2>/dev/null && dpid=$p
done
caps() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
[ "$(caps "$init" CapAmb)" = 0000000000000000 ] && [ "$(caps "$init" CapPrm)" = 0000000000000000 ] &&
	pass "k8s: the entrypoint holds no capability, ambient or permitted" ||
	fail "k8s: the entrypoint holds no capability, ambient or permitted" "CapAmb $(caps "$init" CapAmb) CapPrm $(caps "$init" CapPrm)"
# NET_BIND_SERVICE (10), NET_ADMIN (12), NET_RAW (13), from the file
[ "$(caps "$dpid" CapPrm)" = 0000000000003400 ] && [ "$(caps "$dpid" CapAmb)" = 0000000000000000 ] &&
	pass "k8s: dnsmasq holds its three capabilities from its file capabilities" ||
	fail "k8s: dnsmasq holds its three capabilities from its file capabilities" "pid '$dpid' CapPrm $(caps "$dpid" CapPrm) CapAmb $(caps "$dpid" CapAmb)"
podman exec "$K" /usr/lib/pxeinv/probe > "$T/probe.log" 2>&1 && pass "k8s: the probe passes" ||
	fail "k8s: the probe passes" "$(cat "$T/probe.log")"
dora --mac 52:54:00:a0:10:01 --vendor PXEClient:Arch:00007:UNDI:003016 --arch 7 --ipxe
C curl -s --max-time 5 -o "$T/k8s1.ipxe" "tftp://$SRV/$(bootfile ACK)"
grep -q 'ip=192.168.200.20' "$T/k8s1.ipxe" && pass "k8s: node-10 gets the first revision's script" ||
	fail "k8s: node-10 gets the first revision's script" "$(echo $OUT) $(head -c 300 "$T/k8s1.ipxe")"
# what git-sync does: a new revision, then the link renamed over the old one
ln -s .worktrees/rev2 "$G/inventory.new" && mv -T "$G/inventory.new" "$G/inventory"
for _ in $(seq 50); do grep -q 'pxe-inventory: reloaded' <<<"$(podman logs "$K" 2>&1)" && break; sleep 0.2; done
log=$(podman logs "$K" 2>&1)
if grep -qx 'entrypoint: /git/inventory/nodes is now /git/.worktrees/rev2/nodes: recompiling' <<<"$log" &&
	grep -qx 'entrypoint: inventory: changed node-10' <<<"$log" && grep -q 'pxe-inventory: reloaded' <<<"$log"; then
	pass "k8s: PXEINV_WATCH recompiles the new revision and reloads dnsmasq"
else fail "k8s: PXEINV_WATCH recompiles the new revision and reloads dnsmasq" "$(tail -n 5 <<<"$log")"; fi
C curl -s --max-time 5 -o "$T/k8s2.ipxe" "tftp://$SRV/pxeinv/nodes/node-10.ipxe"
grep -q 'ip=192.168.200.77' "$T/k8s2.ipxe" && pass "k8s: node-10 gets the new revision's script" ||
	fail "k8s: node-10 gets the new revision's script" "$(grep -o 'ip=[^ ]*' "$T/k8s2.ipxe")"
sleep 2
[ "$(grep -c 'recompiling' <<<"$(podman logs "$K" 2>&1)")" = 1 ] && pass "k8s: an unchanged link is not recompiled" ||
	fail "k8s: an unchanged link is not recompiled" "$(podman logs "$K" 2>&1 | grep recompiling)"
podman stop -t 5 "$K" >/dev/null 2>&1
[ "$(podman inspect -f '{{.State.ExitCode}}' "$K")" = 0 ] && pass "k8s: stops cleanly on SIGTERM while watching" ||
	fail "k8s: stops cleanly on SIGTERM while watching" "exit $(podman inspect -f '{{.State.ExitCode}}' "$K")"
podman rm -f -t 2 "$K" >/dev/null 2>&1

# the error paths: no_new_privs (allowPrivilegeEscalation: false) voids the
# file capabilities, and dnsmasq's exit ends the container with its status
out=$(timeout 60 podman run --rm --security-opt no-new-privileges "${k8s[@]}" 2>&1)
rc=$?
[ "$rc" != 0 ] && grep -q 'failed to bind DHCP server socket: Permission denied' <<<"$out" &&
	pass "k8s: with no_new_privs dnsmasq cannot bind port 67 and the container fails (exit $rc)" ||
	fail "k8s: with no_new_privs dnsmasq cannot bind port 67 and the container fails" "exit $rc: $(tail -n 3 <<<"$out")"
out=$(podman run --rm -e PXEINV_WATCH=5s "$IMAGE" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -qx "entrypoint: PXEINV_WATCH must be a number of seconds (1 or more), not '5s'" <<<"$out" &&
	pass "k8s: PXEINV_WATCH=5s is refused" || fail "k8s: PXEINV_WATCH=5s is refused" "exit $rc: $out"
out=$(podman run --rm --entrypoint /usr/lib/pxeinv/probe "$IMAGE" 2>&1)
rc=$?
[ "$rc" = 1 ] && [ "$out" = "probe: dnsmasq is not running" ] && pass "k8s: the probe fails without dnsmasq" ||
	fail "k8s: the probe fails without dnsmasq" "exit $rc: $out"
out=$(podman run --rm -e PXEINV_STATE_DIR=/tmp --entrypoint /bin/sh "$IMAGE" \
	-c 'cp /bin/sleep /tmp/dnsmasq && { /tmp/dnsmasq 30 & } && sleep 0.5 && exec /usr/lib/pxeinv/probe' 2>&1)
rc=$?
[ "$rc" = 1 ] && [ "$out" = "probe: no compiled inventory in /tmp/out" ] && pass "k8s: the probe fails without a compiled inventory" ||
	fail "k8s: the probe fails without a compiled inventory" "exit $rc: $out"
fi

finish
