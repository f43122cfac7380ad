# tests/e2e/lib.sh -- shared by tests/e2e/run.sh, tests/e2e/demo.sh and bench/boot.
#
# Source it after setting E2E_NET (the first three octets of a private /24,
# distinct per script so they can run side by side). It provides:
#   e2e_deps                 install the Debian packages that are missing
#   e2e_assets               the cached Debian kernel and busybox initramfs
#                            (build/e2e/vmlinuz, build/e2e/initramfs-amd64.xz)
#   e2e_setup                temp dir $T, namespace $NS with bridge br0 at $SRV,
#                            cleanup trap (QEMU, dnsmasq, HTTP server, netns, $T)
#   e2e_http SCHEMATIC VER   serve $T/www on $SRV:$HTTP_PORT with the stand-in
#                            image factory at /image/SCHEMATIC/VER/
#   e2e_dnsmasq CONF [BIN]   start dnsmasq (default: the patched one) with CONF
#   e2e_dnsmasq_stop
#   e2e_foreign_dhcp FIRST LAST  another DHCP server on br0 (busybox udhcpd, in
#                            namespace $NS-f at $E2E_NET.2) leasing FIRST..LAST
#                            of $E2E_NET, router $SRV; no boot options
#   e2e_foreign_dhcp_stop
#   e2e_guest NAME FW OPTS   start a QEMU guest (FW: uefi|bios), serial in $T/NAME.serial
#   e2e_wait_guest NAME SECS wait for the guest to power off (or the timeout)
#   e2e_cmdline NAME         the kernel command line the guest's initramfs printed
#   e2e_netns NAME           one more namespace, $NS-NAME, removed by the trap
#   e2e_veth BR NAME ADDR    a veth from bridge BR of $NS into $NS-NAME, ADDR there
#
# Every wait is bounded; every process started here is killed by the trap.

E2E_ROOT=${E2E_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=tests/lib/proc.sh
. "$E2E_ROOT/tests/lib/proc.sh"
E2E_CACHE=$E2E_ROOT/build/e2e
PXEINV=${PXEINV_BIN:-$E2E_ROOT/build/bin/pxeinv}
DNSMASQ=${PXEINV_DNSMASQ:-$E2E_ROOT/build/bin/dnsmasq}
IPXE_DIR=${PXEINV_IPXE_DIR:-$E2E_ROOT/build/ipxe}
SRV=$E2E_NET.1
HTTP_PORT=8080
MARK_START=PXEINV-E2E-KERNEL-STARTED
MARK_CMDLINE=PXEINV-E2E-CMDLINE
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
E2E_PKGS=(qemu-system-x86 ipxe-qemu ovmf seabios dnsmasq-base busybox-static xz-utils iproute2 python3 procps openssl)

declare -A GUEST_PID=()
E2E_MORE_NS=()
HTTP_PID=
DNSMASQ_PID=

e2e_log() { echo "# $*" >&2; }

# Install the Debian packages that are missing (quietly).
e2e_deps() {
	local missing=() p
	for p in "${E2E_PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	e2e_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }
}

# The Debian kernel (cached) and the busybox initramfs (rebuilt when /init changes).
e2e_assets() {
	mkdir -p "$E2E_CACHE"
	if [ ! -s "$E2E_CACHE/vmlinuz" ]; then
		local pkg deb tmp
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
		[ -n "$pkg" ] || { e2e_log "no linux-image-6.1.0-*-amd64 in apt-cache depends linux-image-amd64"; return 1; }
		e2e_log "downloading $pkg (once; cached in $E2E_CACHE)"
		tmp=$(mktemp -d "$E2E_CACHE/dl.XXXXXX")
		(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) ||
			{ apt-get update -qq >/dev/null 2>&1 && (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1); } ||
			{ rm -rf "$tmp"; e2e_log "apt-get download $pkg failed"; return 1; }
		deb=$(ls "$tmp"/*.deb | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' ||
			{ rm -rf "$tmp"; return 1; }
		mv "$tmp"/boot/vmlinuz-* "$E2E_CACHE/vmlinuz.new" && mv "$E2E_CACHE/vmlinuz.new" "$E2E_CACHE/vmlinuz"
		basename "$deb" >"$E2E_CACHE/vmlinuz.source"
		rm -rf "$tmp"
	fi
	e2e_initramfs amd64 /bin/busybox ttyS0 || return 1
	[ -s "$E2E_CACHE/vmlinuz" ] && [ -s "$E2E_CACHE/initramfs-amd64.xz" ]
}

# e2e_initramfs ARCH BUSYBOX TTY: $E2E_CACHE/initramfs-ARCH.xz, a busybox
# initramfs whose /init prints the markers and /proc/cmdline on TTY (the
# serial port) and powers off; rebuilt when /init or BUSYBOX changes.
e2e_initramfs() {
	local arch=$1 busybox=$2 tty=$3 init sum root out=$E2E_CACHE/initramfs-$1.xz
	init='#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
echo "'$MARK_START'" >/dev/'$tty'
echo "'$MARK_CMDLINE':[$(/bin/busybox cat /proc/cmdline)]" >/dev/'$tty'
/bin/busybox poweroff -f
'
	sum=$( (printf '%s' "$init"; sha256sum "$busybox") | sha256sum | cut -c1-16)
	[ "$(cat "$E2E_CACHE/initramfs-$arch.sum" 2>/dev/null)" = "$sum" ] && [ -s "$out" ] && return 0
	root=$(mktemp -d "$E2E_CACHE/initramfs.XXXXXX")
	mkdir -p "$root/bin" "$root/proc" "$root/dev"
	install -m 755 "$busybox" "$root/bin/busybox"
	printf '%s' "$init" >"$root/init"
	chmod 755 "$root/init"
	# the kernel's xz decoder wants crc32 (or no) check
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) |
		xz --check=crc32 -9 >"$out.new" && mv "$out.new" "$out"
	rm -rf "$root"
	echo "$sum" >"$E2E_CACHE/initramfs-$arch.sum"
	[ -s "$out" ]
}

e2e_cleanup() {
	local n p
	for n in "${!GUEST_PID[@]}"; do
		p=${GUEST_PID[$n]}
		[ -n "$p" ] && kill "$p" 2>/dev/null
	done
	[ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
	[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
	[ -n "${NS:-}" ] && e2e_foreign_dhcp_stop
	# anything else of ours still inside the namespaces
	for n in "${E2E_MORE_NS[@]}" ${NS:+"$NS"}; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	sleep 0.3
	for n in "${E2E_MORE_NS[@]}" ${NS:+"$NS"}; do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	done
	wait 2>/dev/null
	for n in "${E2E_MORE_NS[@]}" ${NS:+"$NS"}; do ip netns del "$n" 2>/dev/null; done
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ -n "${KEEP:-}" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi
	fi
}

# Temp dir, namespace, bridge br0 ($SRV/24), cleanup trap.
e2e_setup() {
	T=$(mktemp -d "/tmp/pxeinv-${E2E_NAME:-e2e}.XXXXXX")
	chmod 755 "$T"
	NS=pxeinv-${E2E_NAME:-e2e}-$$
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
	ip netns add "$NS" &&
		ip -n "$NS" link set lo up &&
		ip -n "$NS" link add br0 type bridge &&
		ip -n "$NS" link set br0 type bridge forward_delay 0 stp_state 0 &&
		ip -n "$NS" addr add "$SRV/24" dev br0 &&
		ip -n "$NS" link set br0 up
}

# e2e_netns NAME: one more namespace, $NS-NAME (a router, a second server),
# with lo up; the trap kills what runs in it and removes it.
e2e_netns() {
	ip netns add "$NS-$1" || return 1
	E2E_MORE_NS+=("$NS-$1")
	ip -n "$NS-$1" link set lo up
}

# e2e_veth BRIDGE NAME ADDR/LEN [IFNAME]: a veth pair from BRIDGE (a bridge of
# $NS, used as a switch) into namespace $NS-NAME, where it is IFNAME (eth0)
# with ADDR/LEN.
e2e_veth() {
	local br=$1 n=$NS-$2 addr=$3 ifn=${4:-eth0} host
	host=v$2-$ifn
	host=${host:0:15}
	ip -n "$NS" link add "$host" type veth peer name "$ifn" netns "$n" &&
		ip -n "$NS" link set "$host" master "$br" &&
		ip -n "$NS" link set "$host" up &&
		ip -n "$n" addr add "$addr" dev "$ifn" &&
		ip -n "$n" link set "$ifn" up
}

# e2e_bridge NAME: one more bridge in $NS (a switch: no address).
e2e_bridge() {
	ip -n "$NS" link add "$1" type bridge &&
		ip -n "$NS" link set "$1" type bridge forward_delay 0 stp_state 0 &&
		ip -n "$NS" link set "$1" up
}

# e2e_tap NAME [BRIDGE]: a tap device for a guest, on br0 (or another bridge, "none" for none).
e2e_tap() {
	local tap=$1 br=${2:-br0}
	ip -n "$NS" tuntap add dev "$tap" mode tap || return 1
	[ "$br" = none ] || ip -n "$NS" link set "$tap" master "$br" || return 1
	ip -n "$NS" link set "$tap" up
}

# e2e_http SCHEMATIC VERSION: HTTP server for $T/www with the stand-in factory.
e2e_http() {
	local d=$T/www/image/$1/$2 i
	mkdir -p "$d"
	ln -f "$E2E_CACHE/vmlinuz" "$d/kernel-amd64" 2>/dev/null || cp "$E2E_CACHE/vmlinuz" "$d/kernel-amd64"
	ln -f "$E2E_CACHE/initramfs-amd64.xz" "$d/initramfs-amd64.xz" 2>/dev/null ||
		cp "$E2E_CACHE/initramfs-amd64.xz" "$d/initramfs-amd64.xz"
	chmod -R a+rX "$T/www"
	[ -n "$HTTP_PID" ] && return 0
	# python's access log goes to stderr, unbuffered
	ip netns exec "$NS" python3 -u -m http.server "$HTTP_PORT" --bind "$SRV" --directory "$T/www" \
		</dev/null >"$T/http.log" 2>&1 &
	HTTP_PID=$!
	proc_wait_log "$T/http.log" 'Serving HTTP' "$HTTP_PID"
}

# e2e_dnsmasq CONF [BINARY]: start dnsmasq in the foreground; log in $T/dnsmasq.log.
e2e_dnsmasq() {
	local conf=$1 bin=${2:-$DNSMASQ} i
	DNSMASQ_LOG=$T/dnsmasq.log
	: >"$DNSMASQ_LOG"
	chmod 666 "$DNSMASQ_LOG"
	rm -f "$T/leases"
	ip netns exec "$NS" "$bin" -k --conf-file="$conf" --pid-file="$T/dnsmasq.pid" \
		--log-facility="$DNSMASQ_LOG" </dev/null >"$T/dnsmasq.err" 2>&1 &
	DNSMASQ_PID=$!
	for i in $(seq 50); do
		grep -q 'DHCP, IP range\|DHCP, proxy on subnet' "$DNSMASQ_LOG" 2>/dev/null && return 0
		kill -0 "$DNSMASQ_PID" 2>/dev/null || { cat "$T/dnsmasq.err" >&2; return 1; }
		sleep 0.1
	done
	return 1
}

e2e_dnsmasq_stop() { proc_stop DNSMASQ_PID; }

FOREIGN_PID=
# e2e_foreign_dhcp FIRST LAST: busybox udhcpd as somebody else's DHCP server
# on the segment (addresses, mask, router; no next-server, no boot file), in
# its own namespace $NS-f joined to br0 by a veth pair; log in $T/udhcpd.log.
e2e_foreign_dhcp() {
	local ns=$NS-f
	ip netns add "$ns" && ip -n "$ns" link set lo up &&
		ip link add fdh0 netns "$ns" type veth peer name fdh1 netns "$NS" &&
		ip -n "$ns" addr add "$E2E_NET.2/24" dev fdh0 && ip -n "$ns" link set fdh0 up &&
		ip -n "$NS" link set fdh1 master br0 && ip -n "$NS" link set fdh1 up || return 1
	printf '%s\n' "start $E2E_NET.$1" "end $E2E_NET.$2" "interface fdh0" \
		"lease_file $T/udhcpd.leases" "option subnet 255.255.255.0" \
		"option router $SRV" "option lease 600" >"$T/udhcpd.conf"
	: >"$T/udhcpd.leases"
	ip netns exec "$ns" busybox udhcpd -f "$T/udhcpd.conf" </dev/null >"$T/udhcpd.log" 2>&1 &
	FOREIGN_PID=$!
	sleep 0.5
	kill -0 "$FOREIGN_PID" 2>/dev/null
}

e2e_foreign_dhcp_stop() {
	proc_stop FOREIGN_PID
	ip netns del "$NS-f" 2>/dev/null
	return 0
}

# e2e_dnsmasq_hup: SIGHUP (reload, no restart) and wait for the reload line.
e2e_dnsmasq_hup() {
	local before i
	before=$(grep -c 'pxe-inventory: reloaded\|keeping the previous inventory' "$DNSMASQ_LOG")
	kill -HUP "$DNSMASQ_PID" || return 1
	for i in $(seq 50); do
		[ "$(grep -c 'pxe-inventory: reloaded\|keeping the previous inventory' "$DNSMASQ_LOG")" -gt "$before" ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# e2e_guest NAME FIRMWARE ARGS...: start QEMU (TCG) in the namespace.
# FIRMWARE: uefi (OVMF) or bios (SeaBIOS). ARGS: NICs, -smbios, -uuid...
# The serial console goes to $T/NAME.serial; QEMU exits when the guest powers off.
# Every guest has a hardware RNG (virtio-rng; OVMF turns it into
# EFI_RNG_PROTOCOL), as real servers have RDRAND: without one, iPXE's HTTPS
# build seeds its DRBG from EFI timer jitter, which takes ~4 s under TCG.
# E2E_RNG=0 leaves it out.
e2e_guest() {
	local name=$1 fw=$2 fwargs=() rng=(-device virtio-rng-pci)
	shift 2
	[ "${E2E_RNG:-1}" = 0 ] && rng=()
	if [ "$fw" = uefi ]; then
		cp "$OVMF_VARS" "$T/$name.vars.fd"
		fwargs=(-drive if=pflash,format=raw,readonly=on,file="$OVMF_CODE"
			-drive if=pflash,format=raw,file="$T/$name.vars.fd")
	fi
	: >"$T/$name.serial"
	ip netns exec "$NS" timeout "${E2E_QEMU_TIMEOUT:-240}" qemu-system-x86_64 -accel tcg -M q35 -m 512 -smp 1 \
		-nographic -serial file:"$T/$name.serial" -monitor none -no-reboot \
		"${fwargs[@]}" "${rng[@]}" "$@" </dev/null >"$T/$name.qemu" 2>&1 &
	GUEST_PID[$name]=$!
}

# e2e_wait_for NAME REGEX SECS: wait for REGEX on the guest's serial console.
e2e_wait_for() {
	local name=$1 re=$2 secs=$3 end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		grep -a -q -E "$re" "$T/$name.serial" 2>/dev/null && return 0
		kill -0 "${GUEST_PID[$name]}" 2>/dev/null || break
		sleep 0.25
	done
	grep -a -q -E "$re" "$T/$name.serial" 2>/dev/null
}

# e2e_wait_guest NAME SECS: wait until QEMU exits (guest powered off), else kill it.
# Returns 0 if it exited by itself; 1 if it was killed, here or by the
# timeout QEMU runs under (E2E_QEMU_TIMEOUT: exit status 124, said on stderr).
e2e_wait_guest() {
	local name=$1 end=$((SECONDS + $2)) p=${GUEST_PID[$1]} rc
	while [ $SECONDS -lt $end ]; do
		if ! kill -0 "$p" 2>/dev/null; then
			wait "$p" 2>/dev/null
			rc=$?
			GUEST_PID[$name]=
			[ "$rc" -ne 124 ] && return 0
			echo "# $name: QEMU killed by its timeout (${E2E_QEMU_TIMEOUT:-240} s), the guest did not power off" >&2
			return 1
		fi
		sleep 0.25
	done
	e2e_kill_guest "$name"
	return 1
}

e2e_kill_guest() {
	local p=${GUEST_PID[$1]}
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	GUEST_PID[$1]=
}

# The serial console without CRs and ANSI escapes.
e2e_serial() { tr -d '\r' <"$T/$1.serial" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][A-Z0-9]//g'; }

# The kernel command line printed by the initramfs (without the brackets).
e2e_cmdline() { e2e_serial "$1" | sed -n "s/^.*$MARK_CMDLINE:\[\(.*\)\]\$/\1/p" | tail -n 1; }

# The rendered kernel arguments of a node script (the kernel line minus its URL).
e2e_rendered() { sed -n 's/^kernel [^ ]* //p' "$1"; }

# e2e_tail NAME: the last lines of the guest's console, dnsmasq's log and the HTTP log.
e2e_tail() {
	echo "--- $1 serial (tail)" >&2
	e2e_serial "$1" | grep -a -v '^\s*$' | tail -n "${2:-15}" | sed 's/^/    /' >&2
	echo "--- dnsmasq (tail)" >&2
	tail -n "${2:-15}" "$T/dnsmasq.log" | sed 's/^/    /' >&2
	echo "--- http (tail)" >&2
	tail -n 5 "$T/http.log" 2>/dev/null | sed 's/^/    /' >&2
	[ -s "$T/$1.qemu" ] && { echo "--- qemu" >&2; tail -n 5 "$T/$1.qemu" | sed 's/^/    /' >&2; }
	return 0
}

# --- arm64 and UKI guests (cases arm64, uki of tests/e2e/run.sh) ----------
#   e2e_assets_arm64         Debian's arm64 kernel and a busybox initramfs of
#                            Debian's arm64 busybox-static, fetched with a
#                            private apt configuration (build/e2e/vmlinuz-arm64,
#                            build/e2e/initramfs-arm64.xz)
#   e2e_guest_arm64 NAME ARGS  an AAVMF guest (qemu-system-aarch64 -M virt, TCG)
#   e2e_uki OUT              a UKI of the amd64 kernel and initramfs, built with
#                            systemd-boot's EFI stub and objcopy
AAVMF_CODE=/usr/share/AAVMF/AAVMF_CODE.fd
AAVMF_VARS=/usr/share/AAVMF/AAVMF_VARS.fd
UKI_STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
E2E_PKGS_ARM64=(qemu-system-arm qemu-efi-aarch64)
E2E_PKGS_UKI=(systemd-boot-efi binutils)

# e2e_apt_arm64 ARGS...: apt-get (or apt-cache with APT=apt-cache) on a
# private configuration for Debian's arm64 packages: its own sources, lists
# and cache under build/e2e/apt-arm64, no dpkg status. The system's apt and
# dpkg configuration is neither read for sources nor changed.
e2e_apt_arm64() {
	local d=$E2E_CACHE/apt-arm64 mirror
	if [ ! -f "$d/sources/arm64.sources" ]; then
		mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
			2>/dev/null | grep -v '^[[:space:]]*#' |
			grep -oE '(https?|file)://[^[:space:]]+/debian/?([[:space:]]|$)' | head -n 1 | tr -d '[:space:]')
		mirror=${mirror:-http://deb.debian.org/debian}
		mirror=${mirror%/}
		mkdir -p "$d/sources" "$d/lists/partial" "$d/cache/archives/partial"
		cat >"$d/sources/arm64.sources.new" <<-SRC
			Types: deb
			URIs: $mirror
			Suites: bookworm bookworm-updates
			Components: main
			Architectures: arm64
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

			Types: deb
			URIs: ${mirror}-security
			Suites: bookworm-security
			Components: main
			Architectures: arm64
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		SRC
		mv "$d/sources/arm64.sources.new" "$d/sources/arm64.sources"
	fi
	"${APT:-apt-get}" -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$d/sources" \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o Dir::State::Status=/dev/null \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o APT::Sandbox::User=root "$@"
}

# e2e_assets_arm64: the arm64 kernel (cached) and busybox initramfs (rebuilt
# when /init or busybox changes). Debian's arm64 vmlinuz is an uncompressed
# EFI-stub Image ("ARMd" at 0x38), the format the Talos factory serves as
# kernel-arm64 (siderolabs/pkgs kernel/kernel/pkg.yaml copies
# arch/arm64/boot/Image); a gzip-compressed one is unpacked to that format.
# (iPXE's arm64 EFI build, trixie's too, also boots a gzip-compressed Image:
# IMAGE_GZIP is in its defaults, and the extracted image keeps the name
# and arguments; tried once by hand, the test serves what the factory does.)
e2e_assets_arm64() {
	local pkg tmp deb
	mkdir -p "$E2E_CACHE"
	if [ ! -s "$E2E_CACHE/vmlinuz-arm64" ] || [ ! -s "$E2E_CACHE/busybox-arm64" ]; then
		e2e_apt_arm64 -q update >/dev/null 2>&1 || { e2e_log "apt-get update (private, arm64) failed"; return 1; }
		pkg=$(APT=apt-cache e2e_apt_arm64 depends linux-image-arm64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-arm64\)$/\1/p' | head -n 1)
		[ -n "$pkg" ] || { e2e_log "no linux-image-*-arm64 in the private arm64 apt-cache depends linux-image-arm64"; return 1; }
		e2e_log "downloading $pkg and busybox-static (arm64, once; cached in $E2E_CACHE)"
		tmp=$(mktemp -d "$E2E_CACHE/dl.XXXXXX")
		(cd "$tmp" && e2e_apt_arm64 -q download "$pkg" busybox-static >/dev/null 2>&1) ||
			{ rm -rf "$tmp"; e2e_log "apt-get download $pkg busybox-static (arm64) failed"; return 1; }
		deb=$(ls "$tmp"/linux-image-*_arm64.deb | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' || { rm -rf "$tmp"; return 1; }
		mv "$tmp"/boot/vmlinuz-* "$tmp/vmlinuz"
		if [ "$(head -c 2 "$tmp/vmlinuz" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
			gzip -dc <"$tmp/vmlinuz" >"$tmp/Image" && mv "$tmp/Image" "$tmp/vmlinuz"
		fi
		[ "$(dd if="$tmp/vmlinuz" bs=1 skip=56 count=4 2>/dev/null)" = ARMd ] ||
			{ rm -rf "$tmp"; e2e_log "$deb: vmlinuz is not an arm64 Image"; return 1; }
		dpkg-deb --fsys-tarfile "$tmp"/busybox-static_*_arm64.deb | tar -x -C "$tmp" ./bin/busybox ||
			{ rm -rf "$tmp"; return 1; }
		mv "$tmp/bin/busybox" "$E2E_CACHE/busybox-arm64"
		mv "$tmp/vmlinuz" "$E2E_CACHE/vmlinuz-arm64"
		basename "$deb" >"$E2E_CACHE/vmlinuz-arm64.source"
		rm -rf "$tmp"
	fi
	e2e_initramfs arm64 "$E2E_CACHE/busybox-arm64" ttyAMA0 || return 1
	[ -s "$E2E_CACHE/vmlinuz-arm64" ] && [ -s "$E2E_CACHE/initramfs-arm64.xz" ]
}

# e2e_guest_arm64 NAME ARGS...: start an arm64 guest (TCG, -M virt, cortex-a57,
# AAVMF with its own copy of the VARS file) in the namespace; serial console
# (PL011, ttyAMA0) in $T/NAME.serial, virtio-rng as for the x86 guests.
e2e_guest_arm64() {
	local name=$1 rng=(-device virtio-rng-pci)
	shift
	[ "${E2E_RNG:-1}" = 0 ] && rng=()
	cp "$AAVMF_VARS" "$T/$name.vars.fd"
	: >"$T/$name.serial"
	ip netns exec "$NS" timeout "${E2E_QEMU_TIMEOUT_ARM64:-600}" qemu-system-aarch64 -accel tcg \
		-M virt -cpu cortex-a57 -m 768 -smp 1 \
		-nographic -serial file:"$T/$name.serial" -monitor none -no-reboot \
		-drive if=pflash,format=raw,readonly=on,file="$AAVMF_CODE" \
		-drive if=pflash,format=raw,file="$T/$name.vars.fd" \
		"${rng[@]}" "$@" </dev/null >"$T/$name.qemu" 2>&1 &
	GUEST_PID[$name]=$!
}

# e2e_uki OUT CMDLINE: a UKI of the amd64 kernel and busybox initramfs.
# bookworm has no ukify: objcopy adds systemd-boot's documented sections
# (.osrel, .cmdline, .linux, .initrd) to its EFI stub (systemd 252). Each
# section starts where the previous one ends, rounded up to the stub's
# SectionAlignment and to 4 KiB, after the stub's last section. CMDLINE is
# the embedded command line: without Secure Boot, systemd-stub replaces it
# with the loader's (iPXE's) options, so a Talos UKI's own arguments do not
# reach the kernel when iPXE boots it (with Secure Boot they would).
e2e_uki() {
	local out=$1 cmdline=$2 align next args=() s f sz
	local vma size
	align=$(objdump -p "$UKI_STUB" | awk '$1 == "SectionAlignment" { print $2 }')
	[ -n "$align" ] && align=$((16#$align))
	[ -n "$align" ] && [ "$align" -gt 0 ] || { e2e_log "$UKI_STUB: no SectionAlignment"; return 1; }
	[ "$align" -lt 4096 ] && align=4096
	# the end of the stub's last section (VMA + size; ImageBase included)
	next=0
	while read -r size vma; do
		[ $((16#$vma + 16#$size)) -gt "$next" ] && next=$((16#$vma + 16#$size))
	done < <(objdump -h "$UKI_STUB" | awk '$1 ~ /^[0-9]+$/ { print $3, $4 }')
	[ "$next" -gt 0 ] || { e2e_log "$UKI_STUB: no sections"; return 1; }
	printf 'ID=pxeinv-e2e\nNAME="pxeinv e2e UKI"\nVERSION_ID=1\n' >"$T/uki.osrel"
	printf '%s' "$cmdline" >"$T/uki.cmdline"
	for s in osrel:"$T/uki.osrel" cmdline:"$T/uki.cmdline" linux:"$E2E_CACHE/vmlinuz" \
		initrd:"$E2E_CACHE/initramfs-amd64.xz"; do
		f=${s#*:}
		s=.${s%%:*}
		next=$(((next + align - 1) / align * align))
		args+=(--add-section "$s=$f" --change-section-vma "$s=$(printf '0x%x' "$next")")
		sz=$(stat -c %s "$f") || return 1
		next=$((next + sz))
	done
	objcopy "${args[@]}" "$UKI_STUB" "$out" 2>"$T/uki.err" ||
		{ e2e_log "objcopy: $(cat "$T/uki.err")"; return 1; }
}
