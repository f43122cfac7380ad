#!/usr/bin/env bash
# Tests of `pxeinv mirror` against a stand-in image factory
# (tests/lib/factory.py: byte ranges, a request log, injected faults) in a
# network namespace, pxeinv in another: every file fetched with the right
# SHA-256, a rerun that fetches nothing, resume of a .partial, retries,
# and a truncated body, a 404, a 500 and a checksum mismatch, each with a
# clear error and no file that looks complete. The nginx group runs
# packaging/mirror/nginx.conf in Debian's nginx: the compiled TFTP root
# (compile --http-url) and a mirror, from one server.
#
#   tests/mirror/run.sh [GROUP | --list]   (as root: network namespaces)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PXEINV=${PXEINV_BIN:-$ROOT/build/bin/pxeinv}
FACTORY=$ROOT/tests/lib/factory.py

. "$(dirname "$0")/../lib/report.sh"
. "$(dirname "$0")/../lib/netns.sh"
groups "${1-}" fetch rerun faults mismatch usage nginx
[ -x "$PXEINV" ] || { skip mirror "$PXEINV is missing (./build.sh pxeinv)"; finish; }
[ "$(id -u)" = 0 ] || { skip mirror "needs root (network namespaces)"; finish; }

T=$(mktemp -d /tmp/pxeinv-mirror.XXXXXX)
NS_S=pxmir-s$$
NS_C=pxmir-c$$
trap 'netns_remove "$NS_S" "$NS_C"; rm -rf "$T"' EXIT
netns_pair "$NS_S" "$NS_C" pxmir-vs$$ pxmir-vc$$ 10.78.0.1/24 10.78.0.2/24 ||
	{ fail "namespaces" "could not create $NS_S and $NS_C"; finish; }

S1=376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba
S2=ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515
BASE=http://10.78.0.1:8080/image
# The factory's files: two versions, a UKI; random bytes, a few MiB
for f in "$S1/v1.9.5/kernel-amd64:3000001" "$S1/v1.9.5/initramfs-amd64.xz:5000003" \
	"$S2/v1.10.0/metal-arm64-uki.efi:2000000"; do
	mkdir -p "$T/www/image/$(dirname "${f%:*}")"
	head -c "${f#*:}" /dev/urandom >"$T/www/image/${f%:*}"
done
K=$S1/v1.9.5/kernel-amd64
I=$S1/v1.9.5/initramfs-amd64.xz
U=$S2/v1.10.0/metal-arm64-uki.efi
mkdir -p "$T/nodes/a"
printf 'schematicID: %s\ntalosVersion: v1.9.5\ninstall: true\nimageBaseURL: %s\n' "$S1" "$BASE" >"$T/nodes/_defaults.yaml"
printf 'serial: A1\n' >"$T/nodes/a/n1.yaml"
printf 'serial: A2\ninstall: once\n' >"$T/nodes/a/n2.yaml"
printf 'serial: A3\nschematicID: %s\ntalosVersion: v1.10.0\narch: arm64\nuki: true\n' "$S2" >"$T/nodes/a/n3.yaml"
printf 'serial: A4\ninstall: false\ntalosVersion: v1.8.0\n' >"$T/nodes/a/off.yaml"

# start_factory: (re)start the stand-in with an empty log and no faults
FPID=
start_factory() {
	[ -z "$FPID" ] || { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; }
	: >"$T/log"
	: >"$T/faults"
	ip netns exec "$NS_S" python3 "$FACTORY" "$T/www" 8080 "$T/log" "$T/faults" &
	FPID=$!
	for _ in $(seq 50); do
		ip netns exec "$NS_C" bash -c 'exec 3<>/dev/tcp/10.78.0.1/8080' 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# fault PATH FAULT: inject a fault for a file below /image
fault() { echo "/image/$1 $2" >>"$T/faults"; }
# mirror ARGS...: run pxeinv mirror in the client namespace
mirror() {
	ip netns exec "$NS_C" "$PXEINV" mirror "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# requests PATH: how many GETs the factory saw for a file
requests() { grep -c "^/image/$1 " "$T/log"; }
# same FILE: whether DIR's copy of FILE has the factory's bytes
same() { cmp -s "$T/www/image/$1" "$T/m/$1"; }
# check NAME CMD...: pass when CMD succeeds, else fail with the exit code and stderr
check() {
	local name=$1; shift
	if "$@"; then pass "$name"; else
		fail "$name" "exit $rc; stderr: $(head -c 700 "$T/err")"
	fi
}
start_factory || { fail "factory" "the stand-in did not start"; finish; }

# --- fetch ------------------------------------------------------------------
if selected fetch; then
rm -rf "$T/m"
mirror "$T/nodes" "$T/m"
check "mirror: fetches every file the scripts fetch, in the factory's layout" \
	eval '[ "$rc" -eq 0 ] && same "$K" && same "$I" && same "$U" &&
	[ "$(cd "$T/m" && find . -type f | sort)" = "$(printf "./%s\n" SHA256SUMS "$I" "$K" "$U" | sort)" ]'
"$PXEINV" assets "$T/nodes" | awk '{ print $1 }' | sort >"$T/paths"
check "mirror: DIR holds exactly the paths of pxeinv assets" \
	eval '[ "$(cd "$T/m" && find . -type f ! -name SHA256SUMS | sed "s|^\./||" | sort)" = "$(cat "$T/paths")" ]'
check "mirror: the manifest is the factory's SHA-256 of each file, as sha256sum -c reads it" \
	eval '[ "$(sort "$T/m/SHA256SUMS")" = "$(cd "$T/www/image" && sha256sum "$K" "$I" "$U" | sort)" ] &&
	(cd "$T/m" && sha256sum --quiet -c SHA256SUMS)'
check "mirror: each file fetched once, no .partial left" \
	eval '[ "$(requests "$K")$(requests "$I")$(requests "$U")" = 111 ] && [ -z "$(find "$T/m" -name "*.partial")" ]'
check "mirror: one progress line per file when stderr is no terminal" \
	eval '[ "$(grep -c "^pxeinv mirror: fetched " "$T/err")" -eq 3 ]'
rm -rf "$T/mt"
ip netns exec "$NS_C" script -qec "$PXEINV mirror $T/nodes $T/mt" /dev/null >"$T/tty" 2>&1
check "mirror: a progress bar on a terminal, no per-file lines" \
	eval 'grep -q "\[#*-*\] [0-3]/3 files" "$T/tty" && grep -q "\[##############################\] 3/3 files" "$T/tty" &&
	! grep -q "^pxeinv mirror: fetched" "$T/tty" && cmp -s "$T/m/SHA256SUMS" "$T/mt/SHA256SUMS"'
rm -rf "$T/m1"
mirror --jobs 1 "$T/nodes" "$T/m1"
check "mirror --jobs 1: the same files and manifest" \
	eval '[ "$rc" -eq 0 ] && [ "$(sort "$T/m/SHA256SUMS")" = "$(sort "$T/m1/SHA256SUMS")" ]'
fi

# --- rerun ------------------------------------------------------------------
if selected rerun; then
start_factory
rm -rf "$T/m"
mirror "$T/nodes" "$T/m"
: >"$T/log"
mirror "$T/nodes" "$T/m"
check "mirror: a rerun checks the files and downloads nothing" \
	eval '[ "$rc" -eq 0 ] && [ ! -s "$T/log" ] && grep -q "3 files: 3 verified, 0 fetched" "$T/err"'
mirror --verify "$T/nodes" "$T/m"
check "mirror --verify: a complete mirror exits 0, without a request" \
	eval '[ "$rc" -eq 0 ] && [ ! -s "$T/log" ] && grep -q "3 verified, 0 missing, 0 checksum" "$T/err"'
rm "$T/m/$U"
mirror --verify "$T/nodes" "$T/m"
check "mirror --verify: a missing file exits 1 and names it, fetching nothing" \
	eval '[ "$rc" -eq 1 ] && grep -qF "$U: missing" "$T/err" && [ ! -s "$T/log" ] && [ ! -e "$T/m/$U" ]'
mirror "$T/nodes" "$T/m"
check "mirror: a rerun fetches only the missing file" \
	eval '[ "$rc" -eq 0 ] && same "$U" && [ "$(wc -l <"$T/log")" -eq 1 ] && [ "$(requests "$U")" -eq 1 ]'
fi

# --- faults -----------------------------------------------------------------
if selected faults; then
start_factory
rm -rf "$T/m"
fault "$K" 500once
fault "$I" truncateonce
mirror "$T/nodes" "$T/m"
check "mirror: a 500 is retried, and a truncated transfer resumes with a Range" \
	eval '[ "$rc" -eq 0 ] && same "$K" && same "$I" && [ "$(requests "$K")" -eq 2 ] &&
	grep -qE "^/image/$I bytes=[1-9][0-9]*-$" "$T/log" && grep -qF "$K: HTTP 500; retrying" "$T/err"'
start_factory
rm -rf "$T/m"
fault "$K" truncate
mirror --retries 1 "$T/nodes" "$T/m"
check "mirror: a body shorter than its Content-Length fails clearly (exit 3) and leaves only K.partial" \
	eval '[ "$rc" -eq 3 ] && [ ! -e "$T/m/$K" ] && [ -s "$T/m/$K.partial" ] &&
	grep -qF "error: $K: $BASE/$K: Transferred a partial file" "$T/err" && ! grep -qF "$K" "$T/m/SHA256SUMS" &&
	same "$I" && same "$U"'
: >"$T/faults"
: >"$T/log"
mirror "$T/nodes" "$T/m"
check "mirror: the next run resumes the .partial and completes it" \
	eval '[ "$rc" -eq 0 ] && same "$K" && [ ! -e "$T/m/$K.partial" ] && [ "$(wc -l <"$T/log")" -eq 1 ] &&
	grep -qE "^/image/$K bytes=[1-9][0-9]*-$" "$T/log"'
start_factory
rm -rf "$T/m"
fault "$K" 404
mirror "$T/nodes" "$T/m"
check "mirror: a 404 fails at once (exit 3), without retries, and leaves no file" \
	eval '[ "$rc" -eq 3 ] && [ "$(requests "$K")" -eq 1 ] && [ ! -e "$T/m/$K" ] && [ ! -e "$T/m/$K.partial" ] &&
	grep -qF "error: $K: $BASE/$K: HTTP 404 (1 attempt)" "$T/err" && same "$I"'
start_factory
rm -rf "$T/m"
fault "$K" 500
mirror --retries 2 "$T/nodes" "$T/m"
check "mirror: a lasting 500 is tried 1 + --retries times (exit 3) and leaves no file" \
	eval '[ "$rc" -eq 3 ] && [ "$(requests "$K")" -eq 3 ] && [ ! -e "$T/m/$K" ] && [ ! -e "$T/m/$K.partial" ] &&
	grep -qF "error: $K: $BASE/$K: HTTP 500 (3 attempts)" "$T/err"'
start_factory
rm -rf "$T/m"
mkdir -p "$T/m/$(dirname "$K")"
head -c 1000 /dev/urandom >"$T/m/$K.partial"
fault "$K" norange
mirror "$T/nodes" "$T/m"
check "mirror: a server that ignores the Range (200) restarts the .partial from zero" \
	eval '[ "$rc" -eq 0 ] && same "$K" && grep -qE "^/image/$K bytes=1000-$" "$T/log"'
fi

# --- mismatch ---------------------------------------------------------------
if selected mismatch; then
start_factory
rm -rf "$T/m"
mirror "$T/nodes" "$T/m"
printf 'X' | dd of="$T/m/$K" bs=1 seek=100 conv=notrunc 2>/dev/null
: >"$T/log"
mirror --verify "$T/nodes" "$T/m"
check "mirror --verify: a file that differs from the manifest is a checksum mismatch (exit 1)" \
	eval '[ "$rc" -eq 1 ] && grep -qF "$K: checksum mismatch: the file" "$T/err" && [ ! -s "$T/log" ]'
mirror "$T/nodes" "$T/m"
check "mirror: a file that differs from the manifest is fetched again (exit 0)" \
	eval '[ "$rc" -eq 0 ] && same "$K" && grep -qF "$K: checksum mismatch: the file" "$T/err" &&
	grep -qF "fetching it again" "$T/err" && [ "$(requests "$K")" -eq 1 ]'
cp "$T/m/SHA256SUMS" "$T/sums.before"
cp "$T/www/image/$K" "$T/kernel.orig"
head -c 3000001 /dev/urandom >"$T/www/image/$K"
rm "$T/m/$K"
mirror "$T/nodes" "$T/m"
check "mirror: a download that differs from the manifest is discarded (exit 1), the manifest kept" \
	eval '[ "$rc" -eq 1 ] && [ ! -e "$T/m/$K" ] && [ ! -e "$T/m/$K.partial" ] &&
	grep -qF "error: $K: checksum mismatch: the download" "$T/err" && cmp -s "$T/m/SHA256SUMS" "$T/sums.before"'
cp "$T/kernel.orig" "$T/www/image/$K"
# a damaged manifest (a line cut short; a path with a control byte) stops
# the run before any download, names its line, says what to do, and is
# left as it was
for bad in "cut:$(head -c 40 "$T/m/SHA256SUMS")" "ctl:$(sed -n 1p "$T/m/SHA256SUMS" | cut -c1-66)image/a$(printf '\001')b"; do
	name=${bad%%:*}
	cp "$T/m/SHA256SUMS" "$T/sums.good"
	{ sed -n 1p "$T/sums.good"; printf '%s\n' "${bad#*:}"; } >"$T/m/SHA256SUMS"
	cp "$T/m/SHA256SUMS" "$T/sums.bad"
	: >"$T/log"
	mirror "$T/nodes" "$T/m"
	check "mirror: a damaged manifest ($name) stops the run (exit 3), names its line, is left as it was" \
		eval '[ "$rc" -eq 3 ] && grep -qF "pxeinv mirror: $T/m/SHA256SUMS:2: not a line of sha256sum'"'"'s \"HEX  PATH\"" "$T/err" &&
		grep -qF "remove the file, and the next run fetches every file again" "$T/err" &&
		[ ! -s "$T/log" ] && cmp -s "$T/m/SHA256SUMS" "$T/sums.bad"'
	cp "$T/sums.good" "$T/m/SHA256SUMS"
done
fi

# --- usage ------------------------------------------------------------------
if selected usage; then
for bad in "--jobs 0" "--jobs 65" "--jobs x" "--retries 11" "--retries -1"; do
	# shellcheck disable=SC2086
	mirror $bad "$T/nodes" "$T/mu"
	check "mirror $bad: usage error (exit 2), no DIR" eval '[ "$rc" -eq 2 ] && [ ! -e "$T/mu" ]'
done
mirror "$T/nodes"
check "mirror without DIR: usage error (exit 2)" eval '[ "$rc" -eq 2 ]'
mirror --cacert "$T/no-such-ca.pem" "$T/nodes" "$T/mu"
check "mirror --cacert that cannot be read: exit 3, no DIR" eval '[ "$rc" -eq 3 ] && [ ! -e "$T/mu" ] && grep -qF "no-such-ca.pem" "$T/err"'
cp -r "$T/nodes" "$T/badnodes"
printf 'serial: A1\n' >"$T/badnodes/a/dup.yaml"
mirror "$T/badnodes" "$T/mu"
check "mirror of an invalid tree: exit 1, no DIR" eval '[ "$rc" -eq 1 ] && [ ! -e "$T/mu" ] && grep -q "error:" "$T/err"'
mkdir -p "$T/mu"
printf 'not a manifest\n' >"$T/mu/SHA256SUMS"
mirror "$T/nodes" "$T/mu"
check "mirror: a manifest that is not sha256sum's format: exit 3, nothing fetched" \
	eval '[ "$rc" -eq 3 ] && grep -qF "SHA256SUMS:1: not a line" "$T/err" && [ "$(find "$T/mu" -type f | wc -l)" -eq 1 ]'
fi

# --- packaging/mirror/nginx.conf, in Debian's nginx (downloaded with apt-get
# download and unpacked under build/, not installed: no service starts):
# /boot/ serves OUT_DIR/tftp (a node script and a binary, and a recompiled
# script without a reload), /talos/ the mirror, and no .partial file
if selected nginx; then
rc=0
NGX_DIR=$ROOT/build/nginx
if [ ! -x "$NGX_DIR/usr/sbin/nginx" ]; then
	mkdir -p "$NGX_DIR/dl"
	(cd "$NGX_DIR/dl" && apt-get download nginx >/dev/null 2>&1) &&
		dpkg-deb -x "$(ls "$NGX_DIR"/dl/nginx_*.deb | head -n 1)" "$NGX_DIR" ||
		{ rm -rf "$NGX_DIR"; fail "nginx: apt-get download nginx" "no Debian nginx"; }
fi
if [ -x "$NGX_DIR/usr/sbin/nginx" ]; then
	N=$T/nginx
	mkdir -p "$N/tmp" "$T/ngmirror/$S1/v1.9.5"
	cp "$T/www/image/$K" "$T/ngmirror/$K"
	echo partial >"$T/ngmirror/$K.partial"
	"$PXEINV" compile -q --http-url http://10.78.0.1:8090/boot "$T/nodes" "$T/ngout" 2>"$T/err" ||
		fail "nginx: compile --http-url" "$(cat "$T/err")"
	echo "test binary snponly.efi" >"$T/ngout/tftp/snponly.efi"
	# the shipped server block, with this test's port and directories
	sed -e 's|^\tlisten 8080;|\tlisten 10.78.0.1:8090;|' \
		-e "s|alias /var/lib/pxeinv/out/tftp/;|alias $T/ngout/tftp/;|" \
		-e "s|alias /srv/pxeinv-mirror/;|alias $T/ngmirror/;|" \
		"$ROOT/packaging/mirror/nginx.conf" >"$N/pxeinv.conf"
	check "nginx: the config has its port and two directories where the test expects them" \
		eval '[ "$(diff "$ROOT/packaging/mirror/nginx.conf" "$N/pxeinv.conf" | grep -c "^>")" = 3 ]'
	cat >"$N/nginx.conf" <<EOF
pid $N/nginx.pid;
error_log $N/error.log;
worker_processes 1;
user nobody nogroup;
events {}
http {
	access_log $N/access.log;
	client_body_temp_path $N/tmp/body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	include $N/pxeinv.conf;
}
EOF
	chmod 755 "$T" && chmod -R a+rX "$T/ngout" "$T/ngmirror"
	ip netns exec "$NS_S" "$NGX_DIR/usr/sbin/nginx" -e "$N/error.log" -p "$N" -c "$N/nginx.conf" -g 'daemon off;' &
	NGX_PID=$!
	for _ in $(seq 50); do
		ip netns exec "$NS_C" bash -c 'exec 3<>/dev/tcp/10.78.0.1/8090' 2>/dev/null && break
		sleep 0.1
	done
	get() { ip netns exec "$NS_C" curl -s --path-as-is --max-time 5 -o "$T/got" -w '%{http_code}' "http://10.78.0.1:8090$1"; }
	url=$(sed -n 's/^file: *//p' <("$PXEINV" lookup "$T/ngout" --serial A1))
	check "nginx: lookup hands iPXE the node script's URL below /boot/" \
		eval '[ "$url" = "http://10.78.0.1:8090/boot/pxeinv/nodes/n1.ipxe" ]'
	code=$(get /boot/pxeinv/nodes/n1.ipxe)
	check "nginx: /boot/ serves a node script of OUT_DIR/tftp" \
		eval '[ "$code" = 200 ] && cmp -s "$T/got" "$T/ngout/tftp/pxeinv/nodes/n1.ipxe"'
	code=$(get /boot/snponly.efi)
	check "nginx: /boot/ serves an iPXE binary" eval '[ "$code" = 200 ] && cmp -s "$T/got" "$T/ngout/tftp/snponly.efi"'
	code=$(get "/talos/$K")
	check "nginx: /talos/ serves the mirror" eval '[ "$code" = 200 ] && cmp -s "$T/got" "$T/ngmirror/$K"'
	code=$(get "/talos/$K.partial")
	check "nginx: a .partial file is not served" eval '[ "$code" = 404 ]'
	code=$(get /boot/../pxe-inventory.cdb)
	check "nginx: nothing above OUT_DIR/tftp is served" eval '[ "$code" != 200 ]'
	cp "$T/nodes/a/n1.yaml" "$T/n1.yaml.saved"
	printf 'extraKernelArgs: nginx.recompiled=1\n' >>"$T/nodes/a/n1.yaml"
	"$PXEINV" compile -q --http-url http://10.78.0.1:8090/boot "$T/nodes" "$T/ngout" 2>"$T/err"
	chmod -R a+rX "$T/ngout"
	code=$(get /boot/pxeinv/nodes/n1.ipxe)
	check "nginx: a recompiled script is served at once, without a reload" \
		eval '[ "$code" = 200 ] && grep -q "nginx.recompiled=1" "$T/got"'
	check "nginx: the access log has both script fetches" \
		eval '[ "$(grep -c "GET /boot/pxeinv/nodes/n1.ipxe HTTP/1.1\" 200" "$N/access.log")" = 2 ]'
	mv "$T/n1.yaml.saved" "$T/nodes/a/n1.yaml"
	kill "$NGX_PID" 2>/dev/null
	wait "$NGX_PID" 2>/dev/null
fi
fi

finish
