#!/usr/bin/env bash
# tests/e2e/demo.sh -- boot one node of the example inventory in QEMU, and show each stage.
#
# Usage: tests/e2e/demo.sh       (as root; `./build.sh demo` runs it after building)
#
# Compiles the repository's nodes/ unchanged except for imageBaseURL (a
# temporary copy points it at a stand-in image factory inside a throwaway
# network namespace), starts the patched dnsmasq and the stand-in factory,
# and PXE-boots a UEFI guest that has k8s-dev/node-01's identity (SMBIOS
# serial ABCDEFGHIJ01). It prints each stage as dnsmasq's log, the HTTP log
# and the serial console show it, then the kernel command line node-01 booted
# with. The "kernel" is a Debian kernel with a busybox initramfs that prints
# /proc/cmdline and powers off (cached in build/e2e/).
#
# node-01 is known only by its chassis serial. An iPXE built by pxeinv reports
# the serial in its DHCP request and dnsmasq hands it node-01.ipxe directly;
# Debian's prebuilt iPXE (the offline fallback) cannot, so dnsmasq hands it
# pxeinv/fallback.ipxe, which finds node-01 by ${serial} in the identity index
# (pxeinv/index/by-serial/SERIAL.ipxe). Both paths end in
# node-01.ipxe; the demo says which one it saw.
#
# Environment: DEMO_NODE (default k8s-dev/node-01), DEMO_SERIAL (default: the
# node's serial), KEEP=1 keeps the temporary directory. Exits 0 on success.
set -uo pipefail

E2E_NET=10.213.91
E2E_NAME=demo
. "$(dirname "$0")/lib.sh"

NODE_PATH=${DEMO_NODE:-k8s-dev/node-01}
NODE=$(basename "$NODE_PATH")
MAC=52:54:00:de:00:01
TIMEOUT=${DEMO_TIMEOUT:-240}

die() { echo "demo: error: $*" >&2; exit 1; }
say() { echo "demo: $*"; }

[ "$(id -u)" = 0 ] || die "run as root (it creates a network namespace and a tap device)"
for f in "$PXEINV" "$DNSMASQ" "$IPXE_DIR/ipxe.efi"; do
	[ -e "$f" ] || die "$f missing: run ./build.sh all first"
done
[ -f "$E2E_ROOT/nodes/$NODE_PATH.yaml" ] || die "no nodes/$NODE_PATH.yaml"
e2e_deps || die "cannot install ${E2E_PKGS[*]}"
e2e_assets || die "no kernel/initramfs (see above)"
e2e_setup || die "cannot set up the network namespace"

# --- the example inventory, pointed at the stand-in factory -----------------
cp -a "$E2E_ROOT/nodes" "$T/nodes"
URL=http://$SRV:$HTTP_PORT/image
# drop any imageBaseURL in the copy, then set it once at the root
find "$T/nodes" -name '*.y*ml' -exec sed -i '/^imageBaseURL:/d' {} +
echo "imageBaseURL: $URL" >>"$T/nodes/_defaults.yaml"
SERIAL=${DEMO_SERIAL:-$("$PXEINV" merge --filter "$NODE_PATH" "$T/nodes" |
	python3 -c 'import json,sys; print(next((str(n.get("serial", "")) for n in json.load(sys.stdin) if n.get("filename") == sys.argv[1]), ""))' "$NODE_PATH" 2>/dev/null)}
say "pxeinv compile nodes/ (imageBaseURL: $URL)"
"$PXEINV" compile --ipxe-dir "$IPXE_DIR" "$T/nodes" "$T/out" 2>&1 | sed 's/^/      /' ||
	die "pxeinv compile failed"
chmod -R a+rX "$T/out"
SCRIPT=$T/out/tftp/pxeinv/nodes/$NODE.ipxe
[ -f "$SCRIPT" ] || die "no $SCRIPT (is $NODE_PATH to be installed?)"
SCH=$(sed -n 's|^kernel [^ ]*/image/\([0-9a-f]*\)/\([^/]*\)/kernel-amd64 .*|\1|p' "$SCRIPT")
VER=$(sed -n 's|^kernel [^ ]*/image/\([0-9a-f]*\)/\([^/]*\)/kernel-amd64 .*|\2|p' "$SCRIPT")
[ -n "$SCH" ] && [ -n "$VER" ] || die "cannot read the image path from $SCRIPT"

cat >"$T/dnsmasq.conf" <<EOF
port=0
interface=br0
bind-interfaces
user=nobody
group=nogroup
dhcp-range=$E2E_NET.100,$E2E_NET.199,255.255.255.0,10m
dhcp-leasefile=$T/leases
log-dhcp
conf-file=$T/out/pxe-inventory.conf
EOF
e2e_http "$SCH" "$VER" || die "the stand-in image factory did not start"
e2e_dnsmasq "$T/dnsmasq.conf" || die "dnsmasq did not start: $(cat "$T/dnsmasq.err")"
say "dnsmasq (patched) on $SRV: $(grep -o 'pxe-inventory: loaded.*' "$DNSMASQ_LOG" | sed 's|/tmp/[^ ]*/||')"
say "stand-in image factory: $URL/$SCH/$VER/{kernel-amd64,initramfs-amd64.xz}"

e2e_tap tap0 || die "cannot create tap0"
say "starting a UEFI guest (OVMF, its own PXE client): MAC $MAC, SMBIOS serial ${SERIAL:-none}"
smbios=()
[ -n "$SERIAL" ] && smbios=(-smbios "type=1,serial=$SERIAL")
e2e_guest demo uefi -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,mac=$MAC,romfile=,bootindex=1 "${smbios[@]}" ||
	die "cannot start QEMU"

# --- follow the boot ----------------------------------------------------------
# Each stage: a regex, the log it appears in, what to print (sed on the line).
t0=$SECONDS
SER=$T/demo.serial
stages=(
	"stage=firmware|$DNSMASQ_LOG|firmware DHCP (PXEClient, no option 175): dnsmasq decides"
	"DHCPOFFER\(br0\) [0-9.]+ $MAC|$DNSMASQ_LOG|DHCP offer to the firmware"
	"sent .*/tftp/snponly\.efi to|$DNSMASQ_LOG|TFTP: firmware fetched snponly.efi"
	"^iPXE [0-9]|$SER|iPXE started"
	"stage=ipxe|$DNSMASQ_LOG|iPXE DHCP (option 175): dnsmasq decides"
	"sent .*/tftp/pxeinv/fallback\.ipxe to|$DNSMASQ_LOG|TFTP: iPXE fetched the fallback dispatcher (finds the node by \${serial})"
	"sent .*/tftp/pxeinv/nodes/$NODE\.ipxe to|$DNSMASQ_LOG|TFTP: iPXE fetched the node script"
	"pxeinv: $NODE:|$SER|the node script runs"
	"GET [^ ]*/kernel-amd64 |$T/http.log|HTTP: kernel fetched"
	"GET [^ ]*/initramfs-amd64\.xz |$T/http.log|HTTP: initramfs fetched"
	"$MARK_START|$SER|kernel started (the initramfs' /init runs)"
	"$MARK_CMDLINE|$SER|kernel command line read from /proc/cmdline"
)
seen=()
show_line() { # the matching line, tidied
	local re=$1 file=$2
	if [ "$file" = "$SER" ]; then
		e2e_serial demo | grep -a -E -m1 "$re"
	else
		grep -a -E -m1 "$re" "$file"
	fi | sed -E 's/^[A-Z][a-z]{2} +[0-9]+ [0-9:]+ //; s|/tmp/pxeinv-demo\.[^/]*/out/||; s/^[0-9.]+ - - \[[^]]*\] //' |
		cut -c1-160
}
done_all=0
while [ $((SECONDS - t0)) -lt "$TIMEOUT" ]; do
	for i in "${!stages[@]}"; do
		[ -n "${seen[$i]:-}" ] && continue
		IFS='|' read -r re file what <<<"${stages[$i]}"
		if grep -a -q -E "$re" "$file" 2>/dev/null ||
			{ [ "$file" = "$SER" ] && e2e_serial demo | grep -a -q -E "$re"; }; then
			seen[$i]=1
			printf 'demo: [%3d s] %s\n' $((SECONDS - t0)) "$what"
			printf '                %s\n' "$(show_line "$re" "$file")"
		fi
	done
	[ -n "${seen[11]:-}" ] && { done_all=1; break; }
	# QEMU gone: take a last look at the logs, then stop
	kill -0 "${GUEST_PID[demo]}" 2>/dev/null || dead=$((${dead:-0} + 1))
	[ "${dead:-0}" -ge 3 ] && break
	sleep 0.25
done
e2e_wait_guest demo 10 >/dev/null
if [ $done_all != 1 ]; then
	echo "demo: the guest did not reach the kernel within $TIMEOUT s" >&2
	e2e_tail demo 25
	exit 1
fi

got=$(e2e_cmdline demo)
want=$(e2e_rendered "$SCRIPT")
if grep -q "pxe-inventory: node=$NODE .*stage=ipxe" "$DNSMASQ_LOG"; then
	path="dnsmasq identified $NODE from what iPXE reported, and handed it $NODE.ipxe"
else
	path="iPXE reported no serial (Debian's prebuilt iPXE), so dnsmasq handed it pxeinv/fallback.ipxe, which chained $NODE.ipxe through its index entry for \${serial}"
fi
say "$path"
say "$NODE's kernel command line (/proc/cmdline):"
echo "$got"
# iPXE EFI puts the image name first (argv[0] of the EFI image); the rest is what pxeinv rendered
if [ "${got#kernel-amd64 }" = "$want" ] || [ "$got" = "$want" ]; then
	say "= the kernel line of $NODE.ipxe (after the image name iPXE passes as argv[0]); booted in $((SECONDS - t0)) s"
	exit 0
fi
echo "demo: error: it differs from the rendered line:" >&2
echo "$want" >&2
exit 1
