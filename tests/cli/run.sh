#!/usr/bin/env bash
# Tests of the pxeinv CLI as operators use it: help, exit codes, compile
# atomicity (invalid input, a compile killed midway, a foreign OUT_DIR),
# lookup answers, and corrupt caches.
# Prints PASS/FAIL/SKIP per case and "N passed, N failed".
#
#   tests/cli/run.sh [GROUP | --list]   GROUP: a glob over the group names
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PXEINV=${PXEINV_BIN:-$ROOT/build/bin/pxeinv}
T=$(mktemp -d /tmp/pxeinv-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/../lib/report.sh"
groups "${1-}" help check merge compile-outputs lookup status compile-atomic \
	large-tree full-disk no-inode corrupt-cache changes node-name state-dir layers completion assets http-url \
	fallback-index ipv6-static http-url-v6 dhcp6-range
[ -x "$PXEINV" ] || { skip cli "$PXEINV is missing (./build.sh pxeinv)"; finish; }

# Run pxeinv, keeping stdout, stderr and the exit code.
run() {
	"$PXEINV" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# Expect an exit code.
expect_rc() {
	local name=$1 want=$2
	if [ "$rc" -eq "$want" ]; then pass "$name"; else
		fail "$name" "exit $rc, expected $want; stderr: $(head -c 400 "$T/err")"
	fi
}

# Expect a file to contain a line exactly.
expect_line() {
	local name=$1 file=$2 line=$3
	if grep -qxF -- "$line" "$file"; then pass "$name"; else
		fail "$name" "missing line: $line; got: $(head -c 600 "$file")"
	fi
}

# Print a fingerprint of a directory: every path, type, mode and content.
snapshot() {
	(cd "$1" && find . -printf '%p %y %m\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# Whether compile finds iPXE binaries without --ipxe-dir (as it looks).
ipxe_default_found() {
	[ -n "${PXEINV_IPXE_DIR:-}" ] ||
		[ -e "$(dirname "$(readlink -f "$PXEINV")")/../ipxe" ] ||
		[ -e /usr/lib/pxeinv/ipxe ]
}

# A tree with two errors (a duplicate serial, a bad IP), from nodes/.
make_bad_tree() {
	cp -r "$ROOT/nodes" "$T/bad"
	printf 'serial: ABCDEFGHIJ02\nip: 192.168.100.300\ninstall: true\n' >"$T/bad/k8s-dev/node-03.yaml"
}

# A tree of one boot-once node, n1 (serial ONCE1), for the lookup and
# state-dir groups.
make_once_tree() {
	mkdir -p "$T/once/k"
	printf 'schematicID: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba\ntalosVersion: v1.9.5\n' >"$T/once/_defaults.yaml"
	printf 'serial: ONCE1\ninstall: once\n' >"$T/once/k/n1.yaml"
}

# Compile nodes/ into $T/out1, which the lookup, atomicity and corrupt
# cache groups start from.
compile_out1() {
	run compile --ipxe-dir "$T/ipxe" --http-url http://10.9.0.1/boot/ "$ROOT/nodes" "$T/out1"
}

# A fake iPXE binary directory, so that firmware steering has files.
mkdir -p "$T/ipxe/arm64"
for f in ipxe.pxe undionly.kpxe ipxe.efi snponly.efi arm64/ipxe.efi; do
	echo "fake $f" >"$T/ipxe/$f"
done

# --- help, version, usage ------------------------------------------------
if selected help; then
for c in check merge compile lookup; do
	run "$c" --help
	if [ "$rc" -eq 0 ] && grep -q "^Usage: pxeinv $c" "$T/out"; then
		pass "$c --help"
	else fail "$c --help" "exit $rc"; fi
	run "$c" --version
	expect_rc "$c --version" 0
done
run --help
expect_line "pxeinv --help lists exit codes" "$T/out" "  3  I/O error (a file could not be read or written)"
run frobnicate
expect_rc "unknown command is a usage error" 2
run compile nodes-only
expect_rc "compile with one argument is a usage error" 2
run check --bogus x
expect_rc "unknown option is a usage error" 2
run lookup "$T/nowhere"
expect_rc "lookup without identity is a usage error" 2
fi

# --- check -----------------------------------------------------------------
if selected check; then
run check "$ROOT/nodes"
expect_rc "check nodes/ passes" 0
run check "$T/missing-dir"
expect_rc "check of a missing directory is an I/O error" 3
make_bad_tree
run check "$T/bad"
expect_rc "check of a bad tree exits 1" 1
expect_line "check names file:line:col" "$T/err" \
	"$T/bad/k8s-dev/node-03.yaml:1:9: error: duplicate serial 'ABCDEFGHIJ02' (and no boardSerial): node node-03 claims it, and node node-02 ($T/bad/k8s-dev/node-02.yaml:1) already does; nodes that share a serial need distinct boardSerials"
expect_line "check reports every problem" "$T/err" \
	"$T/bad/k8s-dev/node-03.yaml:2:5: error: ip: '192.168.100.300' is not an IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or dhcp)"
run check --json "$T/bad"
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==2 and all(e["level"]=="error" for e in d)' "$T/out"; then
	pass "check --json"
else fail "check --json" "$(head -c 300 "$T/out")"; fi

mkdir -p "$T/chassis"
printf 'schematicID: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba\ntalosVersion: v1.9.5\ninstall: true\n' >"$T/chassis/_defaults.yaml"
printf 'serial: S1\nboardSerial: B1\n' >"$T/chassis/a.yaml"
printf 'serial: S1\n' >"$T/chassis/b.yaml"
run check "$T/chassis"
expect_line "a shared chassis serial alone does not identify a node" "$T/err" \
	"$T/chassis/b.yaml:1:9: error: serial 'S1' is shared with another node, so it does not identify node b; set its boardSerial, mac or uuid"

# Control characters in directory names would reach iPXE comment lines
NL=$'\n'
mkdir -p "$T/ctl/rack${NL}chain x"
cp "$ROOT/nodes/_defaults.yaml" "$T/ctl/"
printf 'serial: CTL1\ninstall: true\n' >"$T/ctl/rack${NL}chain x/n1.yaml"
run compile "$T/ctl" "$T/ctl-out"
if [ "$rc" -eq 1 ] && grep -q "has a control character in a directory name" "$T/err" &&
	[ ! -e "$T/ctl-out" ]; then
	pass "a directory name with a newline is refused"
else fail "a directory name with a newline is refused" "exit $rc: $(cat "$T/err")"; fi
mkdir -p "$T/nl${NL}dir"
cp -r "$ROOT/nodes" "$T/nl${NL}dir/nodes"
run compile -q "$T/nl${NL}dir/nodes" "$T/nl-out"
if [ "$rc" -eq 0 ] && ! grep -q '^dir/nodes' "$T/nl-out/pxe-inventory.conf"; then
	pass "a newline in NODES_DIR cannot start a dnsmasq line"
else fail "a newline in NODES_DIR cannot start a dnsmasq line" "exit $rc"; fi

mkdir -p "$T/fifo"
mkfifo "$T/fifo/node-01.yaml"
run check "$T/fifo"
expect_line "a FIFO in the tree is refused, not read" "$T/err" \
	"$T/fifo/node-01.yaml: error: not a regular file or directory; remove it from the tree"
fi

# --- merge -----------------------------------------------------------------
if selected merge; then
run merge --filter k8s-prod "$ROOT/nodes"
n=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), all(o["filename"].startswith("k8s-prod/") for o in d))' "$T/out")
if [ "$rc" -eq 0 ] && [ "$n" = "6 True" ]; then pass "merge --filter"; else fail "merge --filter" "$n"; fi
fi

# --- compile: outputs ------------------------------------------------------
if selected compile-outputs; then
compile_out1
expect_rc "compile nodes/" 0
for f in pxe-inventory.conf pxe-inventory.cdb tftp/ipxe.conf \
	tftp/pxeinv/fallback.ipxe tftp/pxeinv/exit.ipxe \
	tftp/pxeinv/nodes/node-01.ipxe tftp/pxeinv/nodes/node-12.ipxe \
	tftp/ipxe.efi tftp/arm64/ipxe.efi; do
	[ -s "$T/out1/$f" ] || missing="${missing:-} $f"
done
if [ -z "${missing:-}" ]; then pass "compile writes every output"; else
	fail "compile writes every output" "missing:$missing"; fi
expect_line "fragment points at the absolute cache" "$T/out1/pxe-inventory.conf" \
	"pxe-inventory=$T/out1/pxe-inventory.cdb"
# --http-url: every name handed out (the HTTP boot binaries, URL/pxeinv/
# fallback.ipxe, exit.ipxe and each node's script) must fit the 127
# characters of a DHCP reply's file field (proxy-DHCP sends no option 67);
# the error names the longest, and only printable ASCII is taken
long=http://10.9.0.1/$(head -c 85 /dev/zero | tr '\0' a)
run compile -q --ipxe-dir "$T/ipxe" --http-url "$long" "$ROOT/nodes" "$T/url-ok"
r1=$rc
run compile -q --ipxe-dir "$T/ipxe" --http-url "${long}a" "$ROOT/nodes" "$T/url-long"
if [ "$r1" -eq 0 ] && [ "$rc" -eq 2 ] && [ ! -e "$T/url-long" ] &&
	[ "$(sed -n 's/^file: *//p' <("$PXEINV" lookup "$T/url-ok" --serial ABCDEFGHIJ01))" = "$long/pxeinv/nodes/node-01.ipxe" ] &&
	grep -qxF "pxeinv compile: --http-url is too long for node node-01: ${long}a/pxeinv/nodes/node-01.ipxe is 128 characters, and a DHCP reply's file field holds 127; shorten --http-url by 1" "$T/err"; then
	pass "--http-url: a node script URL of 127 characters is taken, one more is a usage error naming the node"
else fail "--http-url length" "exit $r1 and $rc: $(cat "$T/err")"; fi
make_once_tree
long=http://10.9.0.1/$(head -c 90 /dev/zero | tr '\0' a)
run compile -q --ipxe-dir "$T/ipxe" --http-url "$long" "$T/once" "$T/url-ok2"
r1=$rc
run compile -q --ipxe-dir "$T/ipxe" --http-url "${long}a" "$T/once" "$T/url-long2"
if [ "$r1" -eq 0 ] && [ "$rc" -eq 2 ] && [ ! -e "$T/url-long2" ] &&
	grep -qxF "pxeinv compile: --http-url is too long: ${long}a/pxeinv/fallback.ipxe is 128 characters, and a DHCP reply's file field holds 127; shorten --http-url by 1" "$T/err"; then
	pass "--http-url: with short node names, the fallback's URL is the longest name"
else fail "--http-url length, short node names" "exit $r1 and $rc: $(cat "$T/err")"; fi
run compile -q --ipxe-dir "$T/ipxe" --http-url "http://10.9.0.1/a$(printf '\r')b" "$ROOT/nodes" "$T/url-cr"
if [ "$rc" -eq 2 ] && [ ! -e "$T/url-cr" ] &&
	grep -qxF "pxeinv compile: --http-url has a control or non-ASCII character" "$T/err"; then
	pass "--http-url with a carriage return is a usage error"
else fail "--http-url with a carriage return" "exit $rc: $(cat "$T/err")"; fi
expect_line "fragment sets the TFTP root" "$T/out1/pxe-inventory.conf" "tftp-root=$T/out1/tftp"
expect_line "install: false node exits" "$T/out1/tftp/pxeinv/nodes/node-06.ipxe" "exit"
if [ "$(stat -c %a "$T/out1/pxe-inventory.cdb")" = 644 ]; then
	pass "cache is readable after dnsmasq drops privileges (0644)"
else fail "cache mode" "$(stat -c %a "$T/out1/pxe-inventory.cdb")"; fi
[ ! -e "$T/out1/tftp/autoexec.ipxe" ] && pass "no autoexec.ipxe when the iPXE directory has none" ||
	fail "no autoexec.ipxe when the iPXE directory has none"
# the Debian fallback's directory carries autoexec.ipxe: it goes to the TFTP root
cp -a "$T/ipxe" "$T/ipxe-auto"
printf '#!ipxe\necho autoexec test %s\n' "$$" >"$T/ipxe-auto/autoexec.ipxe"
run compile --ipxe-dir "$T/ipxe-auto" "$ROOT/nodes" "$T/out-auto"
if [ "$rc" -eq 0 ] && cmp -s "$T/ipxe-auto/autoexec.ipxe" "$T/out-auto/tftp/autoexec.ipxe"; then
	pass "compile copies autoexec.ipxe into the TFTP root"
else fail "compile copies autoexec.ipxe into the TFTP root" "exit $rc"; fi
fi

# --- lookup ------------------------------------------------------------------
if selected lookup; then
[ -d "$T/out1" ] || compile_out1
lookup_expect() {
	local name=$1 want=$2
	shift 2
	run lookup "$T/out1" --json "$@"
	got=$(cat "$T/out")
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then pass "lookup $name"; else
		fail "lookup $name" "exit $rc: $got"
	fi
}
lookup_expect "second MAC of node-10" \
	'{"steered": true, "stage": "ipxe", "node": "node-10", "matched": "mac", "install": "yes", "http": false, "file": "http://10.9.0.1/boot/pxeinv/nodes/node-10.ipxe"}' \
	--mac 52:54:00:A0:10:02
lookup_expect "UUID" \
	'{"steered": true, "stage": "ipxe", "node": "node-10", "matched": "uuid", "install": "yes", "http": false, "file": "http://10.9.0.1/boot/pxeinv/nodes/node-10.ipxe"}' \
	--uuid 4C4C4544-0010-3010-8010-B4C04F303130
lookup_expect "shared chassis serial + board serial" \
	'{"steered": true, "stage": "ipxe", "node": "node-12", "matched": "serial+board", "install": "yes", "http": false, "file": "http://10.9.0.1/boot/pxeinv/nodes/node-12.ipxe"}' \
	--serial KLMNOPQRST11 --board-serial BRD-A1102
lookup_expect "shared chassis serial alone is not an identity" \
	'{"steered": true, "stage": "ipxe", "node": null, "matched": null, "install": "unknown", "http": false, "file": "http://10.9.0.1/boot/pxeinv/fallback.ipxe"}' \
	--serial KLMNOPQRST11
lookup_expect "install: false" \
	'{"steered": true, "stage": "ipxe", "node": "node-06", "matched": "serial", "install": "no", "http": false, "file": "http://10.9.0.1/boot/pxeinv/nodes/node-06.ipxe"}' \
	--serial ABCDEFGHIJ06
lookup_expect "BIOS firmware" \
	'{"steered": true, "stage": "firmware", "node": null, "matched": null, "install": "unknown", "http": false, "file": "ipxe.pxe"}' \
	--mac 02:00:00:00:00:01 --arch 0
lookup_expect "arm64 firmware" \
	'{"steered": true, "stage": "firmware", "node": null, "matched": null, "install": "unknown", "http": false, "file": "arm64/ipxe.efi"}' \
	--mac 02:00:00:00:00:01 --arch 11
lookup_expect "UEFI HTTP boot" \
	'{"steered": true, "stage": "httpboot", "node": "node-10", "matched": "mac", "install": "yes", "http": true, "file": "http://10.9.0.1/boot/snponly.efi"}' \
	--mac 52:54:00:a0:10:01 --arch 16
lookup_expect "UEFI x86-64 firmware gets snponly.efi" \
	'{"steered": true, "stage": "firmware", "node": "node-10", "matched": "mac", "install": "yes", "http": false, "file": "snponly.efi"}' \
	--mac 52:54:00:a0:10:01 --arch 7
expect_line "the fragment maps UEFI x86-64 to snponly.efi" "$T/out1/pxe-inventory.conf" \
	"dhcp-boot=tag:pxeinv-efi64,tag:!ipxe,snponly.efi"
# --efi-full: ipxe.efi instead; without snponly.efi, ipxe.efi anyway
run compile --efi-full --ipxe-dir "$T/ipxe" "$ROOT/nodes" "$T/out-full"
run lookup "$T/out-full" --mac 52:54:00:a0:10:01 --arch 9
[ "$(sed -n 's/^file: *//p' "$T/out")" = ipxe.efi ] && pass "--efi-full: UEFI x86-64 firmware gets ipxe.efi" ||
	fail "--efi-full: UEFI x86-64 firmware gets ipxe.efi" "$(cat "$T/out")"
cp -a "$T/ipxe" "$T/ipxe-nosnp" && rm "$T/ipxe-nosnp/snponly.efi"
run compile --ipxe-dir "$T/ipxe-nosnp" "$ROOT/nodes" "$T/out-nosnp"
run lookup "$T/out-nosnp" --mac 52:54:00:a0:10:01 --arch 7
[ "$(sed -n 's/^file: *//p' "$T/out")" = ipxe.efi ] && pass "without snponly.efi, UEFI x86-64 firmware gets ipxe.efi" ||
	fail "without snponly.efi, UEFI x86-64 firmware gets ipxe.efi" "$(cat "$T/out")"
make_once_tree
mkdir -p "$T/state/once"
"$PXEINV" compile -q --ipxe-dir "$T/ipxe" "$T/once" "$T/once-out" 2>/dev/null
run lookup "$T/once-out" --serial ONCE1 --state-dir "$T/state"
a=$(sed -n 's/^file: *//p' "$T/out")
touch "$T/state/once/n1"
run lookup "$T/once-out" --serial ONCE1 --state-dir "$T/state"
b=$(sed -n 's/^file: *//p' "$T/out")
if [ "$a" = "pxeinv/nodes/n1.ipxe" ] && [ "$b" = "pxeinv/exit.ipxe" ]; then
	pass "lookup --state-dir: an installed once-node gets the exit script"
else fail "lookup --state-dir" "before '$a', after '$b'"; fi
# The fallback dispatcher's index entries try the hook's exit script of a
# once-node only when there is state to link to
printf 'serial: ALWAYS1\ninstall: true\n' >"$T/once/k/n2.yaml"
"$PXEINV" compile -q --ipxe-dir "$T/ipxe" --state-dir "$T/state" "$T/once" "$T/once-st" 2>/dev/null
ix=$T/once-st/tftp/pxeinv/index/by-serial
if [ "$(readlink "$T/once-st/tftp/pxeinv/installed")" = "$T/state/installed" ] &&
	[ "$(sed -n 2,3p "$ix/ONCE1.ipxe")" = "$(printf '%s\n' 'chain --autofree ../../installed/n1.ipxe && exit ||' \
		'chain --autofree ../../nodes/n1.ipxe')" ] &&
	[ "$(grep -rl 'installed/' "$T/once-st/tftp/pxeinv/index")" = "$ix/ONCE1.ipxe" ] &&
	! grep -rq 'installed' "$T/once-out/tftp/pxeinv/index" &&
	[ ! -e "$T/once-out/tftp/pxeinv/installed" ] && [ ! -L "$T/once-out/tftp/pxeinv/installed" ]; then
	pass "compile --state-dir: fallback tries installed/NODE.ipxe of once-nodes only, through a link"
else fail "compile --state-dir: installed link and fallback" "$(ls -l "$T/once-st/tftp/pxeinv"; grep -rn installed "$T/once-st/tftp/pxeinv/index")"; fi
run compile -q --state-dir "/$(head -c 4093 /dev/zero | tr '\0' s)" "$T/once" "$T/once-long"
expect_rc "compile --state-dir too long to link: exit 3" 3
expect_line "compile --state-dir too long: the reason" "$T/err" \
	"pxeinv compile: --state-dir is too long; $T/once-long left unchanged"
run lookup "$T/out1" --mac 52:54:00:zz:10:01
expect_rc "lookup of a bad MAC exits 1" 1
# --v6: the DHCPv6 client's answer is option 59, a URL: a TFTP URL on our
# address in RFC 3986 brackets ([SERVER] when --server is not given), or
# the URL of compile --http-url (out1's) as it is
lookup_expect "--v6: a DUID-LL names the node, the firmware gets a TFTP URL" \
	'{"steered": true, "stage": "firmware", "node": "node-10", "matched": "duid", "install": "yes", "http": false, "file": "tftp://[fd00::1]/snponly.efi"}' \
	--v6 --server fd00::1 --duid 00:03:00:01:52:54:00:a0:10:02 --arch 7
lookup_expect "--v6 without --server: [SERVER] in the URL" \
	'{"steered": true, "stage": "firmware", "node": "node-10", "matched": "mac", "install": "yes", "http": false, "file": "tftp://[SERVER]/snponly.efi"}' \
	--v6 --mac 52:54:00:a0:10:02 --arch 7
lookup_expect "--v6, iPXE: the URL of compile --http-url as it is" \
	'{"steered": true, "stage": "ipxe", "node": "node-10", "matched": "mac", "install": "yes", "http": false, "file": "http://10.9.0.1/boot/pxeinv/nodes/node-10.ipxe"}' \
	--v6 --server fd00::1 --mac 52:54:00:a0:10:02 --ipxe
run lookup "$T/out1" --v6 --duid 0g:00
expect_rc "lookup --duid that is not hex: exit 1" 1
expect_line "lookup --duid that is not hex: the value and the form" "$T/err" \
	"pxeinv lookup: '0g:00' is not a DUID (2 to 130 hex bytes, e.g. 00:03:00:01:52:54:00:aa:00:01)"
run lookup "$T/out1" --v6 --duid 00
expect_rc "lookup --duid of one byte: exit 1" 1
run lookup "$T/out1" --duid 00:03:00:01:52:54:00:a0:10:02
expect_rc "lookup --duid without --v6: usage error, exit 2" 2
expect_line "lookup --duid without --v6: says to add --v6" "$T/err" \
	"pxeinv lookup: --duid and --server describe a DHCPv6 client: add --v6"
for srv in 10.0.0.1 '[fd00::1]'; do
	run lookup "$T/out1" --v6 --mac 52:54:00:a0:10:02 --server "$srv"
	expect_rc "lookup --server $srv: usage error, exit 2" 2
	expect_line "lookup --server $srv: an IPv6 address without brackets" "$T/err" \
		"pxeinv lookup: --server takes an IPv6 address, without brackets"
done
fi

# --- status without a state directory ----------------------------------------
if selected status; then
run status --state-dir "$T/no-state"
expect_rc "status without a state directory: exit 3" 3
expect_line "status without a state directory: the path, the reason and the source" "$T/err" \
	"pxeinv status: $T/no-state: No such file or directory (the state directory given by --state-dir)"
expect_line "status without a state directory: what makes one" "$T/err" \
	"  the hook makes it at its first event (pxeinv compile --hook); elsewhere, give OUT_DIR or --state-dir DIR, or set \$PXEINV_STATE_DIR"
PXEINV_STATE_DIR=$T/no-state-env run status
expect_line "status without a state directory: \$PXEINV_STATE_DIR is the default" "$T/err" \
	"pxeinv status: $T/no-state-env: No such file or directory (the state directory in \$PXEINV_STATE_DIR)"
PXEINV_STATE_DIR=$T/no-state-env run rearm n1
expect_rc "rearm without a state directory: exit 3" 3
expect_line "rearm without a state directory: the path, the reason and the source" "$T/err" \
	"pxeinv rearm: $T/no-state-env: No such file or directory (the state directory in \$PXEINV_STATE_DIR)"
fi

# --- status and rearm find the state directory as the hook does --------------
# --state-dir, else the state: of OUT_DIR's fragment (which dnsmasq hands
# the hook), else $PXEINV_STATE_DIR, else /var/lib/pxeinv
# make_state_dirs: sd-out (its fragment names the state directory sd-frag),
# sd-nostate (no state: line), and the directories sd-frag, sd-env, sd-opt
make_state_dirs() {
	[ -d "$T/once" ] || make_once_tree
	mkdir -p "$T/sd-frag/once" "$T/sd-env/once" "$T/sd-opt/once"
	"$PXEINV" compile -q --ipxe-dir "$T/ipxe" --hook /usr/sbin/pxeinv-hook --state-dir "$T/sd-frag" \
		"$T/once" "$T/sd-out" 2>/dev/null
	"$PXEINV" compile -q --ipxe-dir "$T/ipxe" "$T/once" "$T/sd-nostate" 2>/dev/null
}
if selected state-dir; then
make_state_dirs
# status_dir ARG...: the state directory that status --json reports
status_dir() {
	"$PXEINV" status --json "$@" 2>"$T/err" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["state_dir"])' 2>/dev/null
}
if [ "$(unset PXEINV_STATE_DIR; status_dir "$T/sd-out")" = "$T/sd-frag" ]; then
	pass "status OUT_DIR: the state directory of OUT_DIR's fragment"
else fail "status OUT_DIR: the state directory of OUT_DIR's fragment" "$(cat "$T/err")"; fi
if [ "$(PXEINV_STATE_DIR=$T/sd-env status_dir "$T/sd-out")" = "$T/sd-frag" ]; then
	pass "status OUT_DIR: the fragment wins over \$PXEINV_STATE_DIR"
else fail "status OUT_DIR: the fragment wins over \$PXEINV_STATE_DIR" "$(cat "$T/err")"; fi
if [ "$(PXEINV_STATE_DIR=$T/sd-env status_dir --state-dir "$T/sd-opt" "$T/sd-out")" = "$T/sd-opt" ]; then
	pass "status OUT_DIR: --state-dir wins over the fragment"
else fail "status OUT_DIR: --state-dir wins over the fragment" "$(cat "$T/err")"; fi
if [ "$(PXEINV_STATE_DIR=$T/sd-env status_dir "$T/sd-nostate")" = "$T/sd-env" ] &&
	[ "$(PXEINV_STATE_DIR=$T/sd-env status_dir)" = "$T/sd-env" ]; then
	pass "status: \$PXEINV_STATE_DIR without OUT_DIR, or when its fragment names no state directory"
else fail "status: \$PXEINV_STATE_DIR without OUT_DIR, or when its fragment names none" "$(cat "$T/err")"; fi
got=$(unset PXEINV_STATE_DIR; status_dir)
if [ -d /var/lib/pxeinv ] && [ "$got" = /var/lib/pxeinv ]; then
	pass "status: /var/lib/pxeinv by default"
elif [ ! -e /var/lib/pxeinv ] && grep -qxF "pxeinv status: /var/lib/pxeinv: No such file or directory (the default state directory)" "$T/err"; then
	pass "status: /var/lib/pxeinv by default"
else fail "status: /var/lib/pxeinv by default" "got '$got'; $(cat "$T/err")"; fi
# rearm: the same order, seen from the marker it removes
touch "$T/sd-frag/once/n1" "$T/sd-env/once/n1" "$T/sd-opt/once/n1"
PXEINV_STATE_DIR=$T/sd-env run rearm "$T/sd-out" n1
if [ "$rc" = 0 ] && [ ! -e "$T/sd-frag/once/n1" ] && [ -e "$T/sd-env/once/n1" ] &&
	grep -qx 'n1: re-armed; its next network boot gets the installer' "$T/out"; then
	pass "rearm OUT_DIR: the fragment's state directory, over \$PXEINV_STATE_DIR"
else fail "rearm OUT_DIR: the fragment's state directory" "rc $rc; $(cat "$T/out" "$T/err"; ls "$T"/sd-*/once)"; fi
touch "$T/sd-frag/once/n1"
PXEINV_STATE_DIR=$T/sd-env run rearm --state-dir "$T/sd-opt" "$T/sd-out" n1
if [ "$rc" = 0 ] && [ ! -e "$T/sd-opt/once/n1" ] && [ -e "$T/sd-frag/once/n1" ] && [ -e "$T/sd-env/once/n1" ]; then
	pass "rearm OUT_DIR: --state-dir wins over the fragment"
else fail "rearm OUT_DIR: --state-dir wins over the fragment" "rc $rc; $(cat "$T/err"; ls "$T"/sd-*/once)"; fi
PXEINV_STATE_DIR=$T/sd-env run rearm "$T/sd-nostate" n1
if [ "$rc" = 0 ] && [ ! -e "$T/sd-env/once/n1" ] && [ -e "$T/sd-frag/once/n1" ]; then
	pass "rearm OUT_DIR: \$PXEINV_STATE_DIR when the fragment names no state directory"
else fail "rearm OUT_DIR: \$PXEINV_STATE_DIR when the fragment names none" "rc $rc; $(cat "$T/err"; ls "$T"/sd-*/once)"; fi
# the state: item is found among the others dnsmasq accepts
mkdir -p "$T/sd-items"
printf '# x\npxe-inventory=%s,tag:lab,state:%s,ping\ndhcp-script=/x\n' "$T/sd-out/pxe-inventory.cdb" "$T/sd-frag" \
	>"$T/sd-items/pxe-inventory.conf"
run rearm "$T/sd-items" n1
if [ "$rc" = 0 ] && [ ! -e "$T/sd-frag/once/n1" ]; then
	pass "rearm OUT_DIR: state: among tag: and ping"
else fail "rearm OUT_DIR: state: among tag: and ping" "rc $rc; $(cat "$T/err")"; fi
# one path argument is a node name (an invalid one), not an OUT_DIR
run rearm "$T/sd-out"
expect_rc "rearm with one path argument: an invalid node name, exit 1" 1
# errors: each says which file or directory, and where it came from
for c in status rearm; do
	run "$c" "$T/sd-none" n1
	expect_rc "$c OUT_DIR without a fragment: exit 3" 3
	expect_line "$c OUT_DIR without a fragment: the file and the reason" "$T/err" \
		"pxeinv $c: $T/sd-none/pxe-inventory.conf: No such file or directory (it names the state directory; or give --state-dir DIR)"
done
mkdir -p "$T/sd-gone-out"
printf 'pxe-inventory=%s,state:%s\n' "$T/sd-out/pxe-inventory.cdb" "$T/sd-gone" >"$T/sd-gone-out/pxe-inventory.conf"
for c in status rearm; do
	run "$c" "$T/sd-gone-out" n1
	expect_rc "$c: a missing state directory named by the fragment: exit 3" 3
	expect_line "$c: a missing state directory named by the fragment: says so" "$T/err" \
		"pxeinv $c: $T/sd-gone: No such file or directory (the state directory of $T/sd-gone-out/pxe-inventory.conf)"
done
mkdir -p "$T/sd-rel" "$T/sd-long" "$T/sd-isdir/pxe-inventory.conf"
printf 'pxe-inventory=x.cdb,tag:lab,state:rel/dir\n' >"$T/sd-rel/pxe-inventory.conf"
printf 'pxe-inventory=x.cdb,state:/%s\n' "$(head -c 4200 /dev/zero | tr '\0' s)" >"$T/sd-long/pxe-inventory.conf"
for d in rel long; do
	run rearm "$T/sd-$d" n1
	expect_rc "rearm: a fragment's state directory that is $d: exit 3" 3
	expect_line "rearm: a fragment's state directory that is $d: says so" "$T/err" \
		"pxeinv rearm: $T/sd-$d/pxe-inventory.conf: the state directory of pxe-inventory= is not an absolute path, or is too long"
done
run rearm "$T/sd-isdir" n1
expect_rc "rearm: an unreadable fragment: exit 3" 3
expect_line "rearm: an unreadable fragment: the file and the reason" "$T/err" \
	"pxeinv rearm: $T/sd-isdir/pxe-inventory.conf: Is a directory"
fi

# --- compile: atomicity ------------------------------------------------------
if selected compile-atomic; then
[ -d "$T/out1" ] || compile_out1
[ -d "$T/bad" ] || make_bad_tree
before=$(snapshot "$T/out1")
run compile --ipxe-dir "$T/ipxe" "$T/bad" "$T/out1"
expect_rc "compile of a bad tree exits 1" 1
expect_line "compile says OUT_DIR is unchanged" "$T/err" "pxeinv compile: 2 errors; $T/out1 left unchanged"
if [ "$(snapshot "$T/out1")" = "$before" ]; then pass "bad input leaves OUT_DIR byte-identical"; else
	fail "bad input leaves OUT_DIR byte-identical"; fi

cp -r "$ROOT/nodes" "$T/changed"
sed -i 's/v1.9.5/v1.10.0/' "$T/changed/_defaults.yaml"
for k in 1 7 20; do
	# (in a child shell, so that its "Killed" notice is not printed)
	PXEINV_TEST_KILL_AFTER_FILES=$k bash -c '"$@"; exit $?' _ "$PXEINV" \
		compile --ipxe-dir "$T/ipxe" "$T/changed" "$T/out1" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 137 ] && [ "$(snapshot "$T/out1")" = "$before" ]; then
		pass "compile killed after $k files leaves OUT_DIR unchanged"
	else fail "compile killed after $k files" "exit $rc"; fi
done
run compile --ipxe-dir "$T/ipxe" "$T/changed" "$T/out1"
expect_rc "compile after a killed one" 0
if grep -q v1.10.0 "$T/out1/tftp/pxeinv/nodes/node-01.ipxe" &&
	[ -z "$(find "$T" -maxdepth 1 -name '.out1.pxeinv-tmp.*')" ]; then
	pass "next compile replaces OUT_DIR and removes leftovers"
else fail "next compile replaces OUT_DIR and removes leftovers"; fi

# Unchanged scripts are shared with the previous tree, changed ones written
ino1=$(stat -c %i "$T/out1/tftp/pxeinv/nodes/node-07.ipxe")
sed -i 's/^ip: 192.168.100.11$/ip: 192.168.100.31/' "$T/changed/k8s-dev/node-01.yaml"
run compile --ipxe-dir "$T/ipxe" "$T/changed" "$T/out1"
ino2=$(stat -c %i "$T/out1/tftp/pxeinv/nodes/node-07.ipxe")
if [ "$rc" -eq 0 ] && [ "$ino1" = "$ino2" ] &&
	grep -q "scripts: 0 added, 1 changed, 0 removed, 11 unchanged;" "$T/err" &&
	grep -q "ip=192.168.100.31:" "$T/out1/tftp/pxeinv/nodes/node-01.ipxe"; then
	pass "a recompile rewrites only the scripts that changed"
else fail "a recompile rewrites only the scripts that changed" "$ino1 $ino2 $(cat "$T/err")"; fi

# The previous tree is renamed aside and removed by a detached rm -rf: it
# goes away without compile waiting for it; one left behind (the rm was
# killed) is removed by the next compile
old_trees() { find "$T" -maxdepth 1 -name '.out1.pxeinv-old.*' | wc -l; }
for _ in $(seq 50); do [ "$(old_trees)" = 0 ] && break; sleep 0.1; done
[ "$(old_trees)" = 0 ] && pass "the previous tree is removed after the swap" ||
	fail "the previous tree is removed after the swap" "$(old_trees) left"
mkdir -p "$T/.out1.pxeinv-old.AbC123/tftp/pxeinv/nodes"
touch "$T/.out1.pxeinv-old.AbC123/tftp/pxeinv/nodes/x.ipxe"
run compile --ipxe-dir "$T/ipxe" "$T/changed" "$T/out1"
[ "$rc" -eq 0 ] && [ ! -e "$T/.out1.pxeinv-old.AbC123" ] &&
	pass "compile removes a previous tree whose removal was cut short" ||
	fail "compile removes a previous tree whose removal was cut short" "exit $rc"
# without a usable rm (an unexecutable file bound over it, in a private
# mount namespace), compile removes the previous tree itself, before it exits
got=$(unshare -m bash -c 'mount --bind /dev/null /bin/rm || exit 97
	"$1" compile -q --ipxe-dir "$2" "$3" "$4" || exit 98
	find "$5" -maxdepth 1 -name ".out1.pxeinv-old.*" | wc -l' _ \
	"$PXEINV" "$T/ipxe" "$T/changed" "$T/out1" "$T")
rc=$?
[ "$rc" -eq 0 ] && [ "$got" = 0 ] && pass "without rm, compile removes the previous tree itself" ||
	fail "without rm, compile removes the previous tree itself" "exit $rc, $got left"

mkdir -p "$T/precious"
echo keep >"$T/precious/file"
run compile "$ROOT/nodes" "$T/precious"
expect_rc "compile refuses a directory it did not write" 3
if [ "$(cat "$T/precious/file")" = keep ] && [ ! -e "$T/precious/pxe-inventory.conf" ]; then
	pass "a foreign OUT_DIR is untouched"
else fail "a foreign OUT_DIR is untouched"; fi
run compile "$ROOT/nodes" "$T/out,dir"
expect_rc "compile refuses an OUT_DIR that cannot go into a dnsmasq line" 3
expect_line "and says why" "$T/err" "pxeinv compile: OUT_DIR '$T/out,dir' contains a space, comma, quote, '#' or backslash, which cannot go into dnsmasq's configuration; choose another path; $T/out,dir left unchanged"
run compile "$ROOT/nodes" "$T/no/such/parent/out"
expect_rc "compile into a missing parent is an I/O error" 3
fi

# --- a tree large enough for several loading and writing threads ----------
make_fleet() { /usr/bin/python3 "$ROOT/tests/compat/gentree.py" fleet "$T/fleet" 2500; }
if selected large-tree; then
make_fleet
run compile "$T/fleet" "$T/fleet-out"
scripts=$(find "$T/fleet-out/tftp/pxeinv/nodes" -name '*.ipxe' | wc -l)
run lookup "$T/fleet-out" --mac 02:01:00:00:f9:01 --json
if [ "$scripts" -eq 2500 ] && grep -q '"node": "node-002491"' "$T/out" &&
	grep -q '^kernel .* ip=10.17.1.249::10.17.0.1:255.240.0.0:node-002491:ens1.101::' \
		"$T/fleet-out/tftp/pxeinv/nodes/node-002491.ipxe"; then
	pass "a 2500-node fleet compiles on several threads"
else fail "a 2500-node fleet compiles on several threads" "$scripts scripts; $(cat "$T/out")"; fi

# Duplicates in a tree large enough for the two-thread duplicate check: each
# kind is reported at the later node (walk order: cluster-00 before
# cluster-07), against the earlier one
cp -a "$T/fleet" "$T/fleetdup"
D=$T/fleetdup
printf 'serial: SN00000007\nmac: "02:07:00:00:00:01"\nip: 10.23.1.0\nuuid: 4c4c4544-0000-1000-8000-000000000007\n' \
	>"$D/cluster-00/rack-006/node-002400.yaml"
printf 'uuid: 4c4c4544-0000-1000-8000-000000000007\n' >>"$D/cluster-07/rack-000/node-000007.yaml"
mkdir -p "$D/cluster-07/rack-000/spare"
printf 'serial: SN-SPARE\nip: 10.23.1.250\n' >"$D/cluster-07/rack-000/spare/node-002400.yaml"
run check "$D"
first="$D/cluster-00/rack-006/node-002400.yaml"
later="$D/cluster-07/rack-000/node-000007.yaml"
tail="already does; each identity must be unique"
expect_rc "duplicates in a 2500-node tree: exit 1" 1
expect_line "duplicate pair in a large tree" "$T/err" \
	"$later:1:9: error: duplicate serial 'SN00000007' (and no boardSerial): node node-000007 claims it, and node node-002400 ($first:1) already does; nodes that share a serial need distinct boardSerials"
expect_line "duplicate mac in a large tree" "$T/err" \
	"$later:2:6: error: duplicate mac '02:07:00:00:00:01': node node-000007 claims it, and node node-002400 ($first:2) $tail"
expect_line "duplicate ip in a large tree" "$T/err" \
	"$later:3:5: error: duplicate ip '10.23.1.0': node node-000007 claims it, and node node-002400 ($first:3) $tail"
expect_line "duplicate uuid in a large tree" "$T/err" \
	"$later:4:7: error: duplicate uuid '4c4c4544-0000-1000-8000-000000000007': node node-000007 claims it, and node node-002400 ($first:4) $tail"
expect_line "duplicate hostname in a large tree" "$T/err" \
	"$D/cluster-07/rack-000/spare/node-002400.yaml:1:1: error: duplicate hostname 'node-002400': node node-002400 claims it, and node node-002400 ($first:1) $tail"
expect_line "a large tree with duplicates: 5 errors" "$T/err" "$D: 2501 nodes (2501 to install), 5 errors, 0 warnings"

# Broken files in a tree large enough that files load on threads while the
# walk still queues them: every problem is reported, in walk order
cp -a "$T/fleet" "$T/fleetbad"
D=$T/fleetbad
printf -- '- a\n- b\n' >"$D/cluster-00/rack-000/node-000000.yaml"
printf 'serial: [SN\n' >"$D/cluster-09/rack-006/node-002499.yaml"
echo notes >"$D/cluster-05/notes.txt"
run check "$D"
expect_rc "broken files in a 2500-node tree: exit 1" 1
expect_line "not a mapping, loaded on a thread" "$T/err" \
	"$D/cluster-00/rack-000/node-000000.yaml:1:1: error: file must hold a mapping of keys to values, not a list"
expect_line "syntax error, loaded on a thread" "$T/err" \
	"$D/cluster-09/rack-006/node-002499.yaml:2:1: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence (line 1); check the indentation and quote values that contain ': ' or '#'"
expect_line "a large tree with broken files: 2 errors, 1 warning" "$T/err" \
	"$D: 2500 nodes (2498 to install), 2 errors, 1 warnings"
if [ "$(grep -c ': error: \|: warning: ' "$T/err")" -eq 3 ] &&
	grep -n '' "$T/err" | grep -q "^1:$D/cluster-00/" &&
	grep -n '' "$T/err" | grep -q "^2:$D/cluster-05/notes.txt: warning" &&
	grep -n '' "$T/err" | grep -q "^3:$D/cluster-09/"; then
	pass "a large tree: diagnostics of the walk and the loading threads, in walk order"
else fail "a large tree: diagnostics of the walk and the loading threads, in walk order" "$(cat "$T/err")"; fi
fi

# --- a full or read-only filesystem (in a private mount namespace) ----------
if selected full-disk; then
[ -d "$T/fleet" ] || make_fleet
mkdir -p "$T/small"
cat >"$T/full.sh" <<FULL
set -u
mount -t tmpfs -o size=1m pxeinv-test "$T/small" || exit 97
"$PXEINV" compile -q --ipxe-dir "$T/ipxe" "$ROOT/nodes" "$T/small/out" || exit 98
before=\$(cd "$T/small/out" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
"$PXEINV" compile -q --ipxe-dir "$T/ipxe" "$T/fleet" "$T/small/out" 2>"$T/full.err"
rc=\$?
after=\$(cd "$T/small/out" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
left=\$(find "$T/small" -maxdepth 1 -name '.out.pxeinv-tmp.*' | wc -l)
[ "\$before" = "\$after" ] || exit 96
[ "\$left" -eq 0 ] || exit 95
mount -o remount,ro "$T/small"
"$PXEINV" compile -q "$ROOT/nodes" "$T/small/out2" 2>"$T/ro.err"
ro=\$?
umount "$T/small"
echo "\$rc \$ro"
FULL
got=$(unshare -m bash "$T/full.sh")
rc=$?
if [ "$rc" -eq 0 ] && [ "$got" = "3 3" ] && grep -q "No space left on device" "$T/full.err"; then
	pass "a full disk fails the compile (exit 3), OUT_DIR unchanged, nothing left behind"
else fail "a full disk fails the compile" "exit $rc, got '$got': $(cat "$T/full.err" 2>/dev/null)"; fi
if grep -q "Read-only file system" "$T/ro.err" 2>/dev/null; then
	pass "a read-only filesystem fails the compile with the reason"
else fail "a read-only filesystem fails the compile" "$(cat "$T/ro.err" 2>/dev/null)"; fi
fi

# --- no inode left, at every file compile creates ---------------------------
# A tmpfs with room for N inodes, for N = 1, 2, ... until the compile fits:
# each run fails at the next file it creates, and must say which, exit 3
# and leave nothing behind
if selected no-inode; then
mkdir -p "$T/state/once"
cat >"$T/inodes.sh" <<INODES
set -u
mkdir -p "$T/ino"
for n in \$(seq 1 80); do
	mount -t tmpfs -o size=64m,nr_inodes=\$n pxeinv-test "$T/ino" || exit 97
	"$PXEINV" compile -q --ipxe-dir "$T/ipxe" --state-dir "$T/state" "$ROOT/nodes" "$T/ino/out" 2>"$T/ino.err"
	rc=\$?
	echo "\$n \$rc \$(ls -A "$T/ino" | tr '\n' ' ')| \$(cat "$T/ino.err")"
	umount "$T/ino"
	[ \$rc = 0 ] && exit 0
done
exit 96
INODES
unshare -m bash "$T/inodes.sh" >"$T/inodes.out"
rc=$?
bad=$(grep -v ' 0 out |' "$T/inodes.out" | grep -v "^[0-9]* 3 | pxeinv compile: .*: No space left on device; $T/ino/out left unchanged\$")
missing=
for what in "cannot create a directory beside" "cannot create directories" "cannot create tftp/ipxe.pxe" \
	"cannot link $T/state/installed" "cannot create tftp/pxeinv/nodes/node-01.ipxe" \
	"cannot create tftp/pxeinv/exit.ipxe" "cannot create tftp/pxeinv/fallback.ipxe" \
	"cannot create tftp/ipxe.conf" "cannot create pxe-inventory.conf" "cannot create the cache" \
	"cannot create .pxeinv-manifest"; do
	grep -qF "compile: $what" "$T/inodes.out" || missing="$missing [$what]"
done
if [ "$rc" -eq 0 ] && [ -z "$bad" ] && [ -z "$missing" ]; then
	pass "no inode left at each file compile creates: exit 3, the file named, nothing left behind ($(wc -l <"$T/inodes.out") runs)"
else fail "no inode left at each file compile creates" "exit $rc; bad: $bad; missing:$missing"; fi
fi

# --- corrupt caches ------------------------------------------------------------
if selected corrupt-cache; then
[ -d "$T/out1" ] || compile_out1
cp -r "$T/out1" "$T/corrupt"
size=$(stat -c %s "$T/corrupt/pxe-inventory.cdb")
truncate -s $((size - 100)) "$T/corrupt/pxe-inventory.cdb"
run lookup "$T/corrupt" --mac 52:54:00:a0:10:01
expect_rc "truncated cache is refused (exit 3)" 3
if grep -q "truncated or corrupt" "$T/err"; then pass "truncated cache reason"; else
	fail "truncated cache reason" "$(cat "$T/err")"; fi
cp "$T/out1/pxe-inventory.cdb" "$T/corrupt/pxe-inventory.cdb"
printf 'X' | dd of="$T/corrupt/pxe-inventory.cdb" bs=1 seek=2060 conv=notrunc status=none
run lookup "$T/corrupt" --mac 52:54:00:a0:10:01
expect_rc "corrupt cache is refused (exit 3)" 3
cdb=$T/corrupt/pxe-inventory.cdb
if [ "$(wc -l < "$T/err")" = 1 ] && grep -q "^pxeinv lookup: $cdb: .*(corrupt)\$" "$T/err" &&
	[ "$(grep -o "$cdb" "$T/err" | wc -l)" = 1 ]; then
	pass "corrupt cache: one line that names the file once"
else fail "corrupt cache: one line that names the file once" "$(cat "$T/err")"; fi
run status --state-dir "$T" "$T/corrupt"
expect_rc "status with a corrupt cache: exit 3" 3
if grep -q "^pxeinv status: $cdb: .*(corrupt)\$" "$T/err"; then pass "status with a corrupt cache names the file"
else fail "status with a corrupt cache names the file" "$(cat "$T/err")"; fi
run lookup "$T/no-out" --mac 52:54:00:a0:10:01
expect_rc "missing cache: exit 3" 3
expect_line "missing cache: the file and the reason" "$T/err" \
	"pxeinv lookup: cannot open $T/no-out/pxe-inventory.cdb: No such file or directory"
fi

# --- what a recompile changed: --changes and the summary ---------------------
if selected changes; then
cp -r "$ROOT/nodes" "$T/chg"
run compile -q --changes "$T/chg" "$T/out-chg"
if [ "$rc" = 0 ] && [ "$(wc -l < "$T/out")" = 12 ] && [ "$(grep -c '^added node-' "$T/out")" = 12 ]; then
	pass "--changes: a first compile adds every node"
else fail "--changes: a first compile adds every node" "$(cat "$T/out" "$T/err")"; fi
sed -i 's/^ip: 192.168.100.11$/ip: 192.168.100.31/' "$T/chg/k8s-dev/node-01.yaml"
sed 's/ABCDEFGHIJ02/ABCDEFGHIJ13/; s/^ip: 192.168.100.12$/ip: 192.168.100.43/' \
	"$T/chg/k8s-dev/node-02.yaml" > "$T/chg/k8s-dev/node-13.yaml"
rm "$T/chg/k8s-prod/node-11.yaml"
run compile --changes "$T/chg" "$T/out-chg"
if [ "$rc" = 0 ] && [ "$(cat "$T/out")" = "$(printf 'changed node-01\nadded node-13\nremoved node-11')" ]; then
	pass "--changes: changed, added and removed nodes, one line each"
else fail "--changes: changed, added and removed nodes, one line each" "$(cat "$T/out" "$T/err")"; fi
if grep -q "^pxeinv compile: $T/chg -> $T/out-chg: 12 nodes (11 to install); scripts: 1 added, 1 changed, 1 removed, 10 unchanged; " "$T/err"; then
	pass "the summary counts added, changed, removed and unchanged scripts"
else fail "the summary counts added, changed, removed and unchanged scripts" "$(cat "$T/err")"; fi
# (without --ipxe-dir: compile warns on stderr when it finds no binaries)
if ! ipxe_default_found; then
	skip "--changes: nothing for an unchanged tree" \
		"compile finds no iPXE binaries without --ipxe-dir (./build.sh ipxe builds build/ipxe)"
else
run compile -q --changes "$T/chg" "$T/out-chg"
if [ "$rc" = 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; then
	pass "--changes: nothing for an unchanged tree"
else fail "--changes: nothing for an unchanged tree" "$(cat "$T/out" "$T/err")"; fi
fi
# the manifest is read strictly: a name that is no host name is not printed
printf '0000000000000001 5 node-zz\n0000000000000001 5 \033[2Jx\n0000000000000001 5 ../etc\n' \
	>> "$T/out-chg/.pxeinv-manifest"
run compile -q --changes "$T/chg" "$T/out-chg"
if [ "$rc" = 0 ] && [ "$(cat "$T/out")" = "removed node-zz" ]; then
	pass "--changes: manifest lines without a host name are ignored"
else fail "--changes: manifest lines without a host name are ignored" "$(cat -v "$T/out")"; fi
fi

# --- one node-name rule: Node-77 --------------------------------------------
# check, compile, lookup, rearm, status and the hook accept the same names
# (common/pxeinv.h: lower-case RFC 1123 labels) and refuse the same ones.
if selected node-name; then
HOOK=${PXEINV_HOOK_BIN:-$ROOT/build/bin/pxeinv-hook}
cp -r "$ROOT/nodes" "$T/case"
printf 'serial: CASE0077\ninstall: true\n' >"$T/case/k8s-dev/Node-77.yaml"
run check "$T/case"
if [ "$rc" -eq 1 ] && grep -qF "k8s-dev/Node-77.yaml:1:1: error: hostname 'Node-77' (the file name) has upper-case letters: node names are lower case, so that tags, state files and paths cannot tell apart what DNS cannot; rename the file to node-77.yaml" "$T/err"; then
	pass "node name: check refuses Node-77.yaml and says what to rename it to"
else fail "node name: check refuses Node-77.yaml" "exit $rc: $(head -c 400 "$T/err")"; fi
run compile "$T/case" "$T/case-out"
if [ "$rc" -eq 1 ] && [ ! -e "$T/case-out" ]; then
	pass "node name: compile refuses Node-77.yaml and writes nothing"
else fail "node name: compile refuses Node-77.yaml" "exit $rc"; fi
mv "$T/case/k8s-dev/Node-77.yaml" "$T/case/k8s-dev/node-77.yaml"
run compile "$T/case" "$T/case-out"
run lookup "$T/case-out" --serial CASE0077 --ipxe
if [ "$rc" -eq 0 ] && grep -q '^node: *node-77$' "$T/out"; then
	pass "node name: node-77.yaml compiles and lookup finds node-77"
else fail "node name: lookup node-77" "exit $rc: $(cat "$T/out" "$T/err")"; fi
mkdir -p "$T/case-st/once"
run rearm --state-dir "$T/case-st" Node-77
r1=$rc; grep -qF "'Node-77' is not a node name: node names are 1-63 lower-case letters" "$T/err"; g1=$?
touch "$T/case-st/once/node-77"
run rearm --state-dir "$T/case-st" node-77
if [ "$r1" -eq 1 ] && [ "$g1" -eq 0 ] && [ "$rc" -eq 0 ] && [ ! -e "$T/case-st/once/node-77" ]; then
	pass "node name: rearm refuses Node-77 with the rule, and re-arms node-77"
else fail "node name: rearm" "Node-77: exit $r1; node-77: exit $rc: $(cat "$T/err")"; fi
env -i PATH="$PATH" PXEINV_STATE_DIR="$T/case-st" \
	DNSMASQ_TAGS="pxeinv pxeinv-node:node-77 pxeinv-stage:ipxe pxeinv-install:yes" \
	"$HOOK" add 52:54:00:00:00:07 10.9.0.7 && h1=$? || h1=$?
env -i PATH="$PATH" PXEINV_STATE_DIR="$T/case-st" \
	DNSMASQ_TAGS="pxeinv pxeinv-node:Node-77 pxeinv-stage:ipxe pxeinv-install:yes" \
	"$HOOK" add 52:54:00:00:00:08 10.9.0.8 && h2=$? || h2=$?
if [ "$h1" -eq 0 ] && [ "$h2" -eq 0 ] && [ -f "$T/case-st/nodes/node-77" ] &&
	[ ! -e "$T/case-st/nodes/Node-77" ] && [ -f "$T/case-st/unknown/52-54-00-00-00-08" ]; then
	pass "node name: the hook records node-77 as a node, and a Node-77 tag as an unknown machine"
else fail "node name: the hook" "exit $h1 $h2: $(ls -R "$T/case-st")"; fi
run status --state-dir "$T/case-st" node-77
s1=$rc; grep -q 'add  *ipxe  *10.9.0.7  *52:54:00:00:00:07' "$T/out"; g1=$?
run status --state-dir "$T/case-st" Node-77
if [ "$s1" -eq 0 ] && [ "$g1" -eq 0 ] && [ "$rc" -eq 2 ] &&
	grep -qF "'Node-77' is neither an OUT_DIR nor a node name; node names are 1-63 lower-case letters" "$T/err"; then
	pass "node name: status shows node-77 and refuses Node-77 with the rule"
else fail "node name: status" "node-77: exit $s1; Node-77: exit $rc: $(cat "$T/err")"; fi
fi

# --- layers: the includes point one way (ARCHITECTURE.md) --------------------
if selected layers; then
# allowed FOLDER: the folders FOLDER may include from, besides itself and
# common/ (found through -Icommon)
allowed() {
	case $1 in
	common | cache | state) echo "" ;;
	inventory) echo "cache" ;;
	hook) echo "state" ;;
	cli) echo "inventory cache state" ;;
	esac
}
bad=
for d in common cache state inventory hook cli; do
	for used in $(grep -rhoE '#include "(\.\./)+[a-z]+/' "$ROOT/$d" | sed -E 's/.*\.\.\/([a-z]+)\//\1/' | sort -u); do
		case " $(allowed "$d") " in
		*" $used "*) ;;
		*) bad="$bad $d->$used" ;;
		esac
	done
done
if [ -z "$bad" ] && [ "$(grep -rlE '#include "[^"]*(cli|hook)/' "$ROOT/inventory" "$ROOT/cache" "$ROOT/state" "$ROOT/common" | wc -l)" = 0 ]; then
	pass "layers: cli -> inventory -> cache -> common, cli -> state, hook -> state, nothing back"
else fail "layers: includes that point the wrong way" "$bad"; fi
fi

# --- bash completion ---------------------------------------------------------
if selected completion; then
# comp WORD...: what the completion offers for the last word, sorted
comp() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pxeinv
		printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/cli/pxeinv.bash-completion" "$@" | sort
}
cmds=$("$PXEINV" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }' | sort)
if [ -n "$cmds" ] && [ "$(comp pxeinv '' | grep -v '^--')" = "$cmds" ]; then
	pass "completion: the commands of pxeinv --help"
else fail "completion: the commands of pxeinv --help" "help: $cmds; completion: $(comp pxeinv '')"; fi
for c in $cmds; do
	want=$("$PXEINV" "$c" --help | grep -oE '^ +(-[A-Za-z], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+' | sort -u)
	got=$(comp pxeinv "$c" --)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then pass "completion: the options of pxeinv $c --help"
	else fail "completion: the options of pxeinv $c --help" "help: $(echo $want); completion: $(echo $got)"; fi
done
mkdir -p "$T/cst/once" "$T/cst/nodes" "$T/cdir/nodes-a" "$T/cdir/nodes-b"
touch "$T/cst/once/node-a" "$T/cst/once/node-b" "$T/cst/once/node-c.tmp" "$T/cst/nodes/node-z" "$T/cdir/nodes-file"
if [ "$(comp pxeinv rearm --state-dir "$T/cst" node-)" = "$(printf 'node-a\nnode-b')" ] &&
	[ "$(PXEINV_STATE_DIR=$T/cst comp pxeinv rearm '')" = "$(printf 'node-a\nnode-b')" ]; then
	pass "completion: rearm offers the boot-once nodes of the state directory"
else fail "completion: rearm offers the boot-once nodes of the state directory" "$(comp pxeinv rearm --state-dir "$T/cst" node-)"; fi
[ -d "$T/sd-out" ] || make_state_dirs
touch "$T/sd-frag/once/node-f" "$T/sd-env/once/node-e"
if [ "$(PXEINV_STATE_DIR=$T/sd-env comp pxeinv rearm "$T/sd-out" node-)" = node-f ] &&
	[ "$(PXEINV_STATE_DIR=$T/sd-env comp pxeinv rearm "$T/sd-nostate" node-)" = node-e ] &&
	[ "$(comp pxeinv rearm --state-dir "$T/cst" "$T/sd-out" node-)" = "$(printf 'node-a\nnode-b')" ]; then
	pass "completion: rearm OUT_DIR offers the nodes of its fragment's state directory"
else fail "completion: rearm OUT_DIR offers the nodes of its fragment's state directory" "$(PXEINV_STATE_DIR=$T/sd-env comp pxeinv rearm "$T/sd-out" node-)"; fi
if [ "$(comp pxeinv compile "$T/cdir/no")" = "$(printf '%s\n' "$T/cdir/nodes-a" "$T/cdir/nodes-b")" ] &&
	[ "$(comp pxeinv status --state-dir "$T/cst" node-)" = node-z ] &&
	[ "$(comp pxeinv lookup x --arch 1)" = "$(printf '11\n16\n19')" ]; then
	pass "completion: directories for NODES_DIR and OUT_DIR, node names for status, arch numbers"
else fail "completion: directories, status nodes, arch numbers" "$(comp pxeinv compile "$T/cdir/no"; comp pxeinv status --state-dir "$T/cst" node-)"; fi
fi


# --- assets, compile --image-base-url ------------------------------------------
if selected assets; then
# script_urls OUT_DIR: every URL the node scripts of OUT_DIR fetch, sorted
script_urls() {
	cat "$1"/tftp/pxeinv/nodes/*.ipxe | awk '$1 == "kernel" || $1 == "initrd" { print $2 }' | sort -u
}
# A tree of every kind of node: UKI and arm64, another version, install:
# once, install: false, and a second image base: 7 files (2 + 2 + 2 + 1)
mkdir -p "$T/amix/a"
S1=376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba
S2=ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515
printf 'schematicID: %s\ntalosVersion: v1.9.5\ninstall: true\n' "$S1" >"$T/amix/_defaults.yaml"
printf 'serial: A1\n' >"$T/amix/a/plain1.yaml"
printf 'serial: A2\ninstall: once\n' >"$T/amix/a/plain2.yaml"
printf 'serial: A3\nuki: true\narch: arm64\n' >"$T/amix/a/uki.yaml"
printf 'serial: A4\ntalosVersion: v1.10.0\nschematicID: %s\n' "$S2" >"$T/amix/a/newer.yaml"
printf 'serial: A5\nimageBaseURL: http://mirror.example/img/\n' >"$T/amix/a/other-base.yaml"
printf 'serial: A6\ntalosVersion: v1.8.0\ninstall: false\n' >"$T/amix/a/off.yaml"
run assets "$ROOT/nodes"
expect_rc "assets: the example tree" 0
if run compile -q "$ROOT/nodes" "$T/aout" && [ "$(script_urls "$T/aout")" = "$("$PXEINV" assets "$ROOT/nodes" | awk '{ print $2 }' | sort)" ] &&
	[ "$(script_urls "$T/aout" | wc -l)" -eq 2 ]; then
	pass "assets: the example tree lists exactly the URLs its compiled scripts fetch"
else fail "assets: the example tree lists exactly the URLs its compiled scripts fetch" "$(cat "$T/out")"; fi
# node-06 is install: false; every other node fetches both files
if [ "$("$PXEINV" assets "$ROOT/nodes" | awk '{ print $3 }' | sort -u)" = \
	"node-01,node-02,node-03,node-04,node-05,node-07,node-08,node-09,node-10,node-11,node-12" ]; then
	pass "assets: each file names the nodes that fetch it, without the install: false ones"
else fail "assets: each file names the nodes that fetch it, without the install: false ones" "$("$PXEINV" assets "$ROOT/nodes")"; fi
run assets "$T/amix"
cp "$T/out" "$T/amix.txt"
if [ "$rc" -eq 0 ] && run compile -q "$T/amix" "$T/amixout" && [ "$(script_urls "$T/amixout")" = "$(awk '{ print $2 }' "$T/amix.txt" | sort)" ] &&
	[ "$(wc -l <"$T/amix.txt")" -eq 7 ]; then
	pass "assets: UKI, arm64, another version, install: once and a second base list exactly the scripts' URLs"
else fail "assets: UKI, arm64, another version, install: once and a second base list exactly the scripts' URLs" "$(cat "$T/amix.txt")"; fi
expect_line "assets: a UKI is one file, with the factory's layout" "$T/amix.txt" \
	"$S1/v1.9.5/metal-arm64-uki.efi https://pxe.factory.talos.dev/image/$S1/v1.9.5/metal-arm64-uki.efi uki"
expect_line "assets: one file fetched by two nodes is listed once, with both" "$T/amix.txt" \
	"$S1/v1.9.5/initramfs-amd64.xz https://pxe.factory.talos.dev/image/$S1/v1.9.5/initramfs-amd64.xz plain1,plain2"
expect_line "assets: the same path from another image base is its own URL" "$T/amix.txt" \
	"$S1/v1.9.5/kernel-amd64 http://mirror.example/img/$S1/v1.9.5/kernel-amd64 other-base"
if ! grep -q 'v1.8.0\|off' "$T/amix.txt"; then pass "assets: install: false fetches nothing"
else fail "assets: install: false fetches nothing" "$(cat "$T/amix.txt")"; fi
run assets --json "$T/amix"
if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
got = [" ".join([a["path"], a["url"], ",".join(a["nodes"])]) for a in json.load(open(sys.argv[1]))]
want = open(sys.argv[2]).read().splitlines()
sys.exit(0 if got == want and len(got) == 7 else 1)' "$T/out" "$T/amix.txt"; then
	pass "assets --json: the same files, paths, URLs and nodes as the text"
else fail "assets --json: the same files, paths, URLs and nodes as the text" "$(head -c 600 "$T/out")"; fi
mkdir -p "$T/aempty"
run assets --json "$T/aempty"
if [ "$rc" -eq 0 ] && [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$T/out")" = "[]" ]; then
	pass "assets --json: an empty tree is an empty array"
else fail "assets --json: an empty tree is an empty array" "$(cat "$T/out")"; fi
make_bad_tree
run assets "$T/bad"
if [ "$rc" -eq 1 ] && [ ! -s "$T/out" ] && grep -q 'error:' "$T/err"; then pass "assets: an invalid tree exits 1 and lists nothing"
else fail "assets: an invalid tree exits 1 and lists nothing" "exit $rc; $(head -c 300 "$T/out")"; fi
run assets "$T/no-such-dir"
expect_rc "assets: a missing NODES_DIR exits 3" 3
run assets
expect_rc "assets: no NODES_DIR is a usage error" 2
run assets --bogus "$ROOT/nodes"
expect_rc "assets: a bad option is a usage error" 2
run assets -f k8s-prod/node-1 "$ROOT/nodes"
if [ "$rc" -eq 0 ] && [ "$(awk '{ print $3 }' "$T/out" | sort -u)" = "node-10,node-11,node-12" ]; then
	pass "assets --filter: only the nodes selected"
else fail "assets --filter: only the nodes selected" "$(cat "$T/out")"; fi
run compile -q --image-base-url http://10.9.0.1:8080/mirror/ "$T/amix" "$T/amirror"
if [ "$rc" -eq 0 ] && [ "$(script_urls "$T/amirror")" = "$(awk '{ print "http://10.9.0.1:8080/mirror/" $1 }' "$T/amix.txt" | sort -u)" ]; then
	pass "compile --image-base-url: every script fetches the assets' paths below the mirror"
else fail "compile --image-base-url: every script fetches the assets' paths below the mirror" "$(script_urls "$T/amirror")"; fi
for bad in ftp://10.9.0.1/m 'http://10.9.0.1/m x' 'http://10.9.0.1/$m' 'http://10.9.0.1/{m}' "http://10.9.0.1/m'" http:///m 'http://' mirror; do
	run compile -q --image-base-url "$bad" "$T/amix" "$T/abad"
	if [ "$rc" -eq 2 ] && [ ! -e "$T/abad" ] && grep -q -- '--image-base-url must be' "$T/err"; then
		pass "compile --image-base-url '$bad' is a usage error, before any output"
	else fail "compile --image-base-url '$bad' is a usage error, before any output" "exit $rc; $(head -c 300 "$T/err")"; fi
done
fi

# --- --http-url: what iPXE clients are handed, and the warnings --------------
if selected http-url; then
make_once_tree
run compile --ipxe-dir "$T/ipxe" --http-url http://10.9.0.1:8080/boot/ "$T/once" "$T/http-once"
expect_rc "compile --http-url of a tree with a boot-once node: exit 0" 0
expect_line "compile --http-url warns that a boot-once node is never marked over HTTP" "$T/err" \
	"pxeinv compile: warning: --http-url: 1 install: once node (n1) fetches its script over HTTP, which the hook does not see: never marked installed, it boots the installer at every network boot; use install: true, then false"
if ! grep -q 'no --http-url' "$T/err"; then pass "compile --http-url: no warning about HTTP boot clients"
else fail "compile --http-url: no warning about HTTP boot clients" "$(cat "$T/err")"; fi
expect_line "compile --http-url: the fragment hands iPXE the fallback's URL" "$T/http-once/pxe-inventory.conf" \
	"dhcp-boot=tag:ipxe,http://10.9.0.1:8080/boot/pxeinv/fallback.ipxe"
expect_line "compile --http-url: firmware PXE still gets its binary over TFTP" "$T/http-once/pxe-inventory.conf" \
	"dhcp-boot=tag:pxeinv-efi64,tag:!ipxe,snponly.efi"
mkdir -p "$T/http-state/once"
run lookup "$T/http-once" --serial ONCE1 --state-dir "$T/http-state"
a=$(sed -n 's/^file: *//p' "$T/out")
touch "$T/http-state/once/n1"
run lookup "$T/http-once" --serial ONCE1 --state-dir "$T/http-state"
b=$(sed -n 's/^file: *//p' "$T/out")
run lookup "$T/http-once" --serial NOBODY
c=$(sed -n 's/^file: *//p' "$T/out")
run lookup "$T/http-once" --serial ONCE1 --arch 7
d=$(sed -n 's/^file: *//p' "$T/out")
if [ "$a" = "http://10.9.0.1:8080/boot/pxeinv/nodes/n1.ipxe" ] && [ "$b" = "http://10.9.0.1:8080/boot/pxeinv/exit.ipxe" ] &&
	[ "$c" = "http://10.9.0.1:8080/boot/pxeinv/fallback.ipxe" ] && [ "$d" = "snponly.efi" ]; then
	pass "lookup after compile --http-url: iPXE gets URLs (node, exit, fallback), firmware PXE a TFTP path"
else fail "lookup after compile --http-url" "node '$a', exit '$b', fallback '$c', firmware '$d'"; fi
missing=
for f in nodes/n1.ipxe exit.ipxe fallback.ipxe; do
	[ -s "$T/http-once/tftp/pxeinv/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then pass "compile --http-url still writes the scripts below OUT_DIR/tftp/pxeinv"
else fail "compile --http-url still writes the scripts below OUT_DIR/tftp/pxeinv" "missing:$missing"; fi
run compile --ipxe-dir "$T/ipxe" "$T/once" "$T/tftp-once"
expect_line "compile without --http-url warns that HTTP boot clients get nothing" "$T/err" \
	"pxeinv compile: warning: no --http-url: UEFI HTTP boot clients (arch 16 and 19) get no boot file; add --http-url http://HOST/PATH, where HOST serves OUT_DIR/tftp over HTTP"
expect_line "compile without --http-url: the fragment hands iPXE the fallback's TFTP path" "$T/tftp-once/pxe-inventory.conf" \
	"dhcp-boot=tag:ipxe,pxeinv/fallback.ipxe"
if ! grep -q 'install: once' "$T/err"; then pass "compile without --http-url: no boot-once warning"
else fail "compile without --http-url: no boot-once warning" "$(cat "$T/err")"; fi
run lookup "$T/tftp-once" --serial ONCE1 --arch 16
if grep -qx "not steered: .*" "$T/out"; then pass "without --http-url, an HTTP boot client is not steered (what the warning says)"
else fail "without --http-url, an HTTP boot client is not steered" "$(cat "$T/out")"; fi
run compile -q --ipxe-dir "$T/ipxe" "$T/once" "$T/tftp-once-q"
if [ "$rc" -eq 0 ] && [ ! -s "$T/err" ]; then pass "compile -q: no warning about HTTP boot"
else fail "compile -q: no warning about HTTP boot" "$(cat "$T/err")"; fi
run compile -q --ipxe-dir "$T/ipxe" --http-url http://10.9.0.1/ "$ROOT/nodes" "$T/http-nodes"
if [ "$rc" -eq 0 ] && [ ! -s "$T/err" ]; then pass "compile --http-url of a tree without boot-once nodes: no warning"
else fail "compile --http-url of a tree without boot-once nodes: no warning" "$(cat "$T/err")"; fi
fi

# --- the fallback's identity index -------------------------------------------
# tftp/pxeinv/index/KIND/ID.ipxe for the identities a client that dnsmasq could
# not identify reports through iPXE's SMBIOS settings; fallback.ipxe stays
# small. idx_entry KIND ID: the path of an entry in OUT_DIR $T/fbi-out
idx_entry() { echo "$T/fbi-out/tftp/pxeinv/index/$1/$2.ipxe"; }
# idx_target KIND ID: the node script the entry's last line chains, resolved
# against the entry's own path as iPXE resolves it against its URI ("" when
# the line is not a chain of ../../nodes/NODE.ipxe or the file is missing)
idx_target() {
	local e l
	e=$(idx_entry "$1" "$2")
	l=$(tail -n 1 "$e" 2>/dev/null)
	[[ $l =~ ^chain\ --autofree\ (\.\./\.\./nodes/[a-z0-9-]+\.ipxe)$ ]] || return 0
	realpath -e "$(dirname "$e")/${BASH_REMATCH[1]}" 2>/dev/null
}
fbi_node() { # fbi_node NAME LINES...
	local n=$1
	shift
	printf '%s\n' "$@" >"$T/fbi/lab/$n.yaml"
}
if selected fallback-index; then
mkdir -p "$T/fbi/lab"
cp "$ROOT/nodes/_defaults.yaml" "$T/fbi/" 2>/dev/null ||
	printf 'schematicID: %s\ntalosVersion: v1.9.5\n' \
		376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba >"$T/fbi/_defaults.yaml"
fbi_node solo 'serial: FBI-S1' 'install: true'
fbi_node blade-a 'serial: FBI-CH' 'boardSerial: FBI-BA' 'install: true'
fbi_node blade-b 'serial: FBI-CH' 'boardSerial: FBI-BB' 'install: true'
fbi_node once 'serial: FBI-O1' 'install: once'
fbi_node bymac 'mac: "52:54:00:fb:00:01"' 'uuid: 11111111-2222-3333-4444-0000000000fb' 'install: true'
fbi_node dots 'serial: ..' 'boardSerial: ...' 'install: true'
run compile -q --state-dir "$T/fbi-state" "$T/fbi" "$T/fbi-out"
N=$T/fbi-out/tftp/pxeinv/nodes
if [ "$rc" = 0 ] && [ "$(idx_target by-serial FBI-S1)" = "$N/solo.ipxe" ] &&
	[ "$(idx_target by-board-serial FBI-BA)" = "$N/blade-a.ipxe" ] &&
	[ "$(idx_target by-serial-board FBI-CH_FBI-BB)" = "$N/blade-b.ipxe" ] &&
	[ "$(idx_target by-serial-board FBI-CH_FBI-BA)" = "$N/blade-a.ipxe" ]; then
	pass "index: serial, board serial and pair entries chain their node's script"
else fail "index: serial, board serial and pair entries chain their node's script" \
	"exit $rc; $(cat "$T/err"; ls -R "$T/fbi-out/tftp/pxeinv/index" 2>&1 | head -20)"; fi
if [ ! -e "$(idx_entry by-serial FBI-CH)" ] && [ "$(ls "$T/fbi-out/tftp/pxeinv/index")" = "$(printf 'by-board-serial\nby-serial\nby-serial-board')" ]; then
	pass "index: no entry for a shared chassis serial, none by MAC or UUID"
else fail "index: no entry for a shared chassis serial, none by MAC or UUID" "$(ls "$T/fbi-out/tftp/pxeinv/index")"; fi
e=$(idx_entry by-serial FBI-O1)
if [ "$(sed -n 2p "$e")" = "chain --autofree ../../installed/once.ipxe && exit ||" ] &&
	[ "$(readlink "$(dirname "$e")/../../installed")" = "$T/fbi-state/installed" ] &&
	[ "$(idx_target by-serial FBI-O1)" = "$N/once.ipxe" ]; then
	pass "index: a boot-once node's entry tries its exit script in the state directory, then its script"
else fail "index: a boot-once node's entry tries its exit script in the state directory, then its script" "$(cat "$e")"; fi
# serials of dots are allowed: their entries are plain names inside by-serial/
if [ "$(idx_target by-serial ..)" = "$N/dots.ipxe" ] && [ "$(idx_target by-board-serial ...)" = "$N/dots.ipxe" ] &&
	[ "$(idx_target by-serial-board .._...)" = "$N/dots.ipxe" ] &&
	[ "$(find "$T/fbi-out" -type f -name '*.ipxe' ! -path "$T/fbi-out/tftp/pxeinv/nodes/*" \
		! -path "$T/fbi-out/tftp/pxeinv/index/by-*/*" ! -name autoexec.ipxe | sed "s|^$T/fbi-out/||" | sort | tr '\n' ' ')" = \
		"tftp/pxeinv/exit.ipxe tftp/pxeinv/fallback.ipxe " ]; then
	pass "index: serials '..' and '...' stay file names inside their directory"
else fail "index: serials '..' and '...' stay file names inside their directory" "$(ls -a "$T/fbi-out/tftp/pxeinv/index/by-serial")"; fi
size=$(stat -c %s "$T/fbi-out/tftp/pxeinv/fallback.ipxe")
if [ "$size" -lt 2048 ] && ! grep -q -e FBI- -e solo "$T/fbi-out/tftp/pxeinv/fallback.ipxe"; then
	pass "fallback.ipxe names no node and no identity ($size bytes)"
else fail "fallback.ipxe names no node and no identity" "$size bytes"; fi
# hostile identities are refused at the boundary, before any output
for bad in ../etc a/b 'x y' 'a\b' 'S$1' '${x}' "$(printf 'a\tb')"; do
	mkdir -p "$T/fbi-bad/lab"
	printf 'serial: "%s"\ninstall: true\n' "$bad" >"$T/fbi-bad/lab/n1.yaml"
	run compile -q "$T/fbi-bad" "$T/fbi-bad-out"
	if [ "$rc" = 1 ] && [ ! -e "$T/fbi-bad-out" ] && grep -q "serial: .* is not allowed in a serial" "$T/err"; then
		pass "index: serial '$bad' is refused with a reason, nothing written"
	else fail "index: serial '$bad' is refused with a reason, nothing written" "exit $rc; $(head -c 300 "$T/err")"; fi
	run compile -q "$T/fbi-bad" "$T/fbi-bad-out"
done
# a recompile whose identities did not change keeps the index directory (it
# is moved into the new tree, not rewritten); the scripts follow the change
ino=$(stat -c %i "$T/fbi-out/tftp/pxeinv/index")
printf 'extraKernelArgs: fbi.changed=1\n' >>"$T/fbi/lab/solo.yaml"
run compile -q --state-dir "$T/fbi-state" "$T/fbi" "$T/fbi-out"
if [ "$rc" = 0 ] && [ "$(stat -c '%i %F' "$T/fbi-out/tftp/pxeinv/index")" = "$ino directory" ] &&
	grep -q 'fbi.changed=1' "$(idx_target by-serial FBI-S1)" && [ "$(idx_target by-serial FBI-O1)" = "$N/once.ipxe" ]; then
	pass "index: a recompile with the same identities reuses the index directory"
else fail "index: a recompile with the same identities reuses the index directory" "exit $rc; inode $ino -> $(stat -c '%i %F' "$T/fbi-out/tftp/pxeinv/index")"; fi
# one node's serial changes: its old entry is gone, the others are as they
# were, and shared with the previous index (hard links), not written again
sed -i 's/^serial: FBI-S1$/serial: FBI-S2/' "$T/fbi/lab/solo.yaml"
bb=$(stat -c %i "$(idx_entry by-serial-board FBI-CH_FBI-BB)")
run compile -q --state-dir "$T/fbi-state" "$T/fbi" "$T/fbi-out"
if [ "$rc" = 0 ] && [ ! -e "$(idx_entry by-serial FBI-S1)" ] && [ "$(idx_target by-serial FBI-S2)" = "$N/solo.ipxe" ] &&
	[ "$(idx_target by-serial-board FBI-CH_FBI-BB)" = "$N/blade-b.ipxe" ] &&
	[ "$(stat -c %i "$T/fbi-out/tftp/pxeinv/index")" != "$ino" ]; then
	pass "index: a node's changed serial removes its old entry and adds the new one"
else fail "index: a node's changed serial removes its old entry and adds the new one" "exit $rc; $(ls "$T/fbi-out/tftp/pxeinv/index/by-serial")"; fi
if [ "$(stat -c %i "$(idx_entry by-serial-board FBI-CH_FBI-BB)")" = "$bb" ]; then
	pass "index: an entry that did not change is linked from the previous index"
else fail "index: an entry that did not change is linked from the previous index" "inode $bb -> $(stat -c %i "$(idx_entry by-serial-board FBI-CH_FBI-BB)")"; fi
# install: once -> true changes the entry (no exit script to try)
sed -i 's/^install: once$/install: true/' "$T/fbi/lab/once.yaml"
run compile -q --state-dir "$T/fbi-state" "$T/fbi" "$T/fbi-out"
if [ "$rc" = 0 ] && ! grep -q installed "$(idx_entry by-serial FBI-O1)"; then
	pass "index: a node no longer boot-once no longer tries an exit script"
else fail "index: a node no longer boot-once no longer tries an exit script" "$(cat "$(idx_entry by-serial FBI-O1)")"; fi
# an index that is not a directory (left by a crash between the move and the
# swap) is not reused: the new tree gets a directory written afresh
rm -rf "$T/fbi-out/tftp/pxeinv/index.real"
mv "$T/fbi-out/tftp/pxeinv/index" "$T/fbi-out/tftp/pxeinv/index.real"
ln -s index.real "$T/fbi-out/tftp/pxeinv/index"
run compile -q --state-dir "$T/fbi-state" "$T/fbi" "$T/fbi-out"
if [ "$rc" = 0 ] && [ -d "$T/fbi-out/tftp/pxeinv/index" ] && [ ! -L "$T/fbi-out/tftp/pxeinv/index" ] &&
	[ "$(idx_target by-serial FBI-S2)" = "$N/solo.ipxe" ]; then
	pass "index: a symbolic link in the previous tree is not reused"
else fail "index: a symbolic link in the previous tree is not reused" "exit $rc; $(ls -l "$T/fbi-out/tftp/pxeinv/")"; fi
# a previous index whose map was tampered with is written again
echo "by-serial/FBI-X.ipxe solo -" >>"$T/fbi-out/tftp/pxeinv/index/.identities"
ino=$(stat -c %i "$T/fbi-out/tftp/pxeinv/index")
run compile -q --state-dir "$T/fbi-state" "$T/fbi" "$T/fbi-out"
if [ "$rc" = 0 ] && [ "$(stat -c %i "$T/fbi-out/tftp/pxeinv/index")" != "$ino" ] &&
	! grep -q FBI-X "$T/fbi-out/tftp/pxeinv/index/.identities"; then
	pass "index: a previous index with another map is written afresh"
else fail "index: a previous index with another map is written afresh" "exit $rc"; fi
fi

# --- IPv6 static addresses: ip= as Talos documents it ------------------------
# Expected lines are written from Talos's documented ip= format (IPv6 in
# brackets, the netmask a prefix length), not copied from output.
if selected ipv6-static; then
mkdir -p "$T/v6/lab"
printf 'schematicID: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba\ntalosVersion: v1.9.5\ninstall: true\n' >"$T/v6/_defaults.yaml"
printf 'serial: V6CP1\nip: 2001:DB8:0:0::A\nnetmask: 64\ngateway: fe80::1\ninterface: eth1\ndns0: 2001:4860:4860::6464\ndns1: 2001:4860:4860::64\nntp: ntp.example\n' >"$T/v6/lab/controlplane1.yaml"
printf 'serial: V6W1\nip: 2001:db8::b\nnetmask: 64\ngateway: 2001:db8::1\ninterface: eth0\nvlan: 20\ndns0: 192.0.2.53\nntp: 2001:db8::123\n' >"$T/v6/lab/worker1.yaml"
printf 'serial: V4W2\nip: 192.0.2.20\nnetmask: 24\ngateway: 192.0.2.1\ndns0: 2001:db8::53\n' >"$T/v6/lab/worker2.yaml"
printf 'serial: V4W3\nip: 192.0.2.30\nnetmask: 255.255.255.0\ngateway: 192.0.2.1\ndns0: 1.1.1.1\n' >"$T/v6/lab/worker3.yaml"
printf 'serial: DHCP1\n' >"$T/v6/lab/dhcp1.yaml"
run compile -q --ipxe-dir "$T/ipxe" "$T/v6" "$T/v6-out"
expect_rc "compile of a tree with IPv6 nodes: exit 0" 0
kargs() { sed -n 's/^kernel [^ ]* //p' "$T/v6-out/tftp/pxeinv/nodes/$1.ipxe"; }
if [ "$(kargs controlplane1)" = "ip=[2001:db8::a]::[fe80::1]:64:controlplane1:eth1::[2001:4860:4860::6464]:[2001:4860:4860::64]:ntp.example talos.halt_if_installed=1" ]; then
	pass "ipv6-static: ip= of Talos's documented example (canonical address, brackets, prefix length)"
else fail "ipv6-static: ip= of Talos's example" "$(kargs controlplane1)"; fi
if [ "$(kargs worker1)" = "ip=[2001:db8::b]::[2001:db8::1]:64:worker1:eth0.20::192.0.2.53::[2001:db8::123] vlan=eth0.20:eth0 talos.halt_if_installed=1" ]; then
	pass "ipv6-static: a VLAN, an IPv4 DNS server and an IPv6 NTP server"
else fail "ipv6-static: VLAN, mixed DNS, IPv6 NTP" "$(kargs worker1)"; fi
if [ "$(kargs worker2)" = "ip=192.0.2.20::192.0.2.1:24:worker2:::[2001:db8::53]:: talos.halt_if_installed=1" ] &&
	[ "$(kargs worker3)" = "ip=192.0.2.30::192.0.2.1:255.255.255.0:worker3:::1.1.1.1:: talos.halt_if_installed=1" ]; then
	pass "ipv6-static: IPv4 nodes: a prefix length or a dotted netmask, rendered as written"
else fail "ipv6-static: IPv4 nodes" "$(kargs worker2) / $(kargs worker3)"; fi
if [ "$(kargs dhcp1)" = "ip=dhcp talos.halt_if_installed=1" ]; then
	pass "ipv6-static: a node without ip still gets ip=dhcp"
else fail "ipv6-static: a node without ip" "$(kargs dhcp1)"; fi
if grep -qxF "kernel https://pxe.factory.talos.dev/image/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/v1.9.5/kernel-amd64 ip=[2001:db8::a]::[fe80::1]:64:controlplane1:eth1::[2001:4860:4860::6464]:[2001:4860:4860::64]:ntp.example talos.halt_if_installed=1" "$T/v6-out/tftp/ipxe.conf"; then
	pass "ipv6-static: the seed-compatible ipxe.conf has the same line"
else fail "ipv6-static: ipxe.conf" "$(grep controlplane1 -A3 "$T/v6-out/tftp/ipxe.conf")"; fi
# merge prints the YAML values, as merge.py does: not canonicalised
run merge "$T/v6"
if [ "$rc" = 0 ] && grep -qF '"ip": "2001:DB8:0:0::A"' "$T/out" && grep -qF '"netmask": 64' "$T/out"; then
	pass "ipv6-static: merge prints the values as written (merge.py's JSON)"
else fail "ipv6-static: merge" "exit $rc: $(head -c 400 "$T/out")"; fi
# each error, at its file:line:column, exit 1
v6_err() {
	local name=$1 yaml=$2 want=$3
	rm -rf "$T/v6e"; mkdir -p "$T/v6e"
	printf '%s' "$yaml" >"$T/v6e/n1.yaml"
	run check "$T/v6e"
	if [ "$rc" = 1 ] && grep -qxF -- "$T/v6e/n1.yaml:$want" "$T/err"; then pass "ipv6-static: $name"
	else fail "ipv6-static: $name" "exit $rc: $(cat "$T/err")"; fi
}
v6_err "a bad IPv6 address" $'ip: 2001:db8::g\nnetmask: 64\n' \
	"1:5: error: ip: '2001:db8::g' is not an IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or dhcp)"
v6_err "a multicast address" $'ip: ff02::1\nnetmask: 64\n' \
	"1:5: error: ip: 'ff02::1' is not a unicast IPv6 address (not ::, multicast ff00::/8 or IPv4-mapped ::ffff:0:0/96; write an IPv4 address as such)"
v6_err "a gateway of the other family, at the gateway" $'ip: 2001:db8::a\nnetmask: 64\ngateway: 10.0.0.1\n' \
	"3:10: error: gateway: 10.0.0.1 is an IPv4 address, but ip 2001:db8::a is IPv6; the gateway must be of the same family as ip: write an IPv6 gateway (such as fe80::1)"
v6_err "an IPv6 gateway for an IPv4 ip" $'ip: 10.0.0.5\nnetmask: 24\ngateway: fe80::1\n' \
	"3:10: error: gateway: fe80::1 is an IPv6 address, but ip 10.0.0.5 is IPv4; the gateway must be of the same family as ip: write an IPv4 gateway"
v6_err "a gateway outside the prefix" $'ip: 2001:db8::a\nnetmask: 64\ngateway: 2001:db9::1\n' \
	"3:10: error: gateway 2001:db9::1 is outside the node's subnet 2001:db8::a/64 (an IPv6 gateway may also be link-local, in fe80::/10)"
v6_err "a prefix length over 128" $'ip: 2001:db8::a\nnetmask: 129\n' \
	"2:10: error: netmask: '129' is not a prefix length of an IPv6 ip (0-128, such as 64)"
v6_err "an IPv4 prefix length over 32" $'ip: 10.0.0.5\nnetmask: 33\n' \
	"2:10: error: netmask: '33' is not a prefix length of an IPv4 ip (0-32, such as 24)"
v6_err "a dotted netmask for an IPv6 ip" $'ip: 2001:db8::a\nnetmask: 255.255.255.0\n' \
	"2:10: error: netmask: '255.255.255.0' is not a prefix length; the netmask of an IPv6 ip is its number of network bits, 0-128 (such as 64)"
v6_err "a bracketed address (brackets are pxeinv's to write)" $'ip: "[2001:db8::a]"\nnetmask: 64\n' \
	"1:5: error: ip: '[2001:db8::a]' is not an IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1, or dhcp)"
v6_err "a DNS server with a zone" $'dns0: "fe80::1%eth0"\n' \
	"1:7: error: dns0: 'fe80::1%eth0' is not an IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1)"
v6_err "a newline in a DNS server (shown as '?')" $'dns1: "2001:db8::1\\n"\n' \
	"1:7: error: dns1: '2001:db8::1?' is not an IPv4 or IPv6 address (write 192.0.2.1 or 2001:db8::1)"
# the same address written two ways is one address: a duplicate
mkdir -p "$T/v6d"
printf 'netmask: 64\n' >"$T/v6d/_defaults.yaml"
printf 'ip: 2001:db8::a\n' >"$T/v6d/a.yaml"
printf 'ip: 2001:DB8:0:0:0:0:0:a\n' >"$T/v6d/b.yaml"
run check "$T/v6d"
if [ "$rc" = 1 ] && grep -qF "$T/v6d/b.yaml:1:5: error: duplicate ip '2001:db8::a': node b claims it, and node a ($T/v6d/a.yaml:1) already does" "$T/err"; then
	pass "ipv6-static: one IPv6 address written two ways is a duplicate"
else fail "ipv6-static: duplicate IPv6" "exit $rc: $(cat "$T/err")"; fi
fi

# --- --http-url, --image-base-url and imageBaseURL with an IPv6 host -----------
if selected http-url-v6; then
make_once_tree
run compile -q --ipxe-dir "$T/ipxe" --http-url 'http://[2001:db8::1]:8080/boot/' --image-base-url 'http://[2001:db8::2]/talos/' "$T/once" "$T/hv6"
expect_rc "http-url-v6: compile --http-url http://[2001:db8::1]:8080/boot/: exit 0" 0
if grep -q "warning: --http-url \[2001:db8::1\] is an IPv6 address: DHCPv4 clients" "$T/err"; then
	pass "http-url-v6: an IPv6 literal --http-url warns that DHCPv4 clients get it too"
else fail "http-url-v6: IPv6 literal warning" "$(cat "$T/err")"; fi
expect_line "http-url-v6: the fragment hands iPXE the fallback's URL" "$T/hv6/pxe-inventory.conf" \
	"dhcp-boot=tag:ipxe,http://[2001:db8::1]:8080/boot/pxeinv/fallback.ipxe"
run lookup "$T/hv6" --serial ONCE1 --ipxe
a=$(sed -n 's/^file: *//p' "$T/out")
run lookup "$T/hv6" --mac 52:54:00:00:00:99 --arch 16
b=$(sed -n 's/^file: *//p' "$T/out")
if [ "$a" = "http://[2001:db8::1]:8080/boot/pxeinv/nodes/n1.ipxe" ] && [ "$b" = "http://[2001:db8::1]:8080/boot/snponly.efi (HTTP boot URL)" ]; then
	pass "http-url-v6: the cache holds URLs with the bracketed host (node script, HTTP boot binary)"
else fail "http-url-v6: cache URLs" "node '$a', httpboot '$b'"; fi
if grep -q '^kernel http://\[2001:db8::2\]/talos/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/v1.9.5/kernel-amd64 ' "$T/hv6/tftp/pxeinv/nodes/n1.ipxe"; then
	pass "http-url-v6: --image-base-url with a bracketed IPv6 host"
else fail "http-url-v6: --image-base-url" "$(grep kernel "$T/hv6/tftp/pxeinv/nodes/n1.ipxe")"; fi
if [ -x "$ROOT/build/bin/dnsmasq" ] && "$ROOT/build/bin/dnsmasq" --test -C "$T/hv6/pxe-inventory.conf" >/dev/null 2>&1; then
	pass "http-url-v6: the patched dnsmasq accepts the fragment (--test)"
else fail "http-url-v6: dnsmasq --test" "$("$ROOT/build/bin/dnsmasq" --test -C "$T/hv6/pxe-inventory.conf" 2>&1)"; fi
# the URL's family against the fragment's: an IPv6 literal reaches DHCPv4
# clients too; an IPv4 literal with --dhcp6-range reaches DHCPv6 clients
run compile -q --ipxe-dir "$T/ipxe" --http-url 'http://192.0.2.1:8080/' --dhcp6-range 'fd00::100,fd00::1ff,64,1h' "$T/once" "$T/hv6w"
if [ "$rc" = 0 ] && grep -q "warning: --http-url 192.0.2.1 is an IPv4 address, but --dhcp6-range serves DHCPv6" "$T/err"; then
	pass "http-url-v6: an IPv4 literal --http-url with --dhcp6-range warns"
else fail "http-url-v6: IPv4 literal with --dhcp6-range" "exit $rc: $(cat "$T/err")"; fi
for u in 'http://192.0.2.1:8080/' 'http://boot.example:8080/'; do
	if [ "$u" = 'http://192.0.2.1:8080/' ]; then
		run compile -q --ipxe-dir "$T/ipxe" --http-url "$u" "$T/once" "$T/hv6w"
	else
		run compile -q --ipxe-dir "$T/ipxe" --http-url "$u" --dhcp6-range 'fd00::100,fd00::1ff,64,1h' "$T/once" "$T/hv6w"
	fi
	if [ "$rc" = 0 ] && ! grep -q "warning: --http-url .* is an IPv" "$T/err"; then
		pass "http-url-v6: no family warning for $u$([ "$u" = 'http://192.0.2.1:8080/' ] && echo ' without --dhcp6-range' || echo ' (a host name)')"
	else fail "http-url-v6: no family warning for $u" "exit $rc: $(cat "$T/err")"; fi
done
mkdir -p "$T/hv6n"
printf 'schematicID: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba\ntalosVersion: v1.9.5\ninstall: true\nserial: U1\nimageBaseURL: http://[fd00::5]:8080/img/\n' >"$T/hv6n/u1.yaml"
run compile -q --ipxe-dir "$T/ipxe" "$T/hv6n" "$T/hv6n-out"
if [ "$rc" = 0 ] && grep -q '^kernel http://\[fd00::5\]:8080/img/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/' "$T/hv6n-out/tftp/pxeinv/nodes/u1.ipxe"; then
	pass "http-url-v6: imageBaseURL with a bracketed IPv6 host"
else fail "http-url-v6: imageBaseURL" "exit $rc: $(cat "$T/err")"; fi
printf 'imageBaseURL: http://[fd00::zz]/img\n' >"$T/hv6n/u1.yaml"
run check "$T/hv6n"
expect_line "http-url-v6: imageBaseURL with a bad bracketed host names the column" "$T/err" \
	"$T/hv6n/u1.yaml:1:22: error: imageBaseURL: a host in brackets must be an IPv6 address, such as http://[2001:db8::1]:8080/PATH"
for bad in 'http://[2001:db8::g]/boot' 'http://[10.0.0.1]/boot' 'http://[2001:db8::1/boot'; do
	run compile -q --ipxe-dir "$T/ipxe" --http-url "$bad" "$T/once" "$T/hv6-bad"
	if [ "$rc" = 2 ] && grep -qxF "pxeinv compile: --http-url: a host in brackets must be an IPv6 address, such as http://[2001:db8::1]:8080/PATH" "$T/err" && [ ! -e "$T/hv6-bad" ]; then
		pass "http-url-v6: --http-url $bad is a usage error"
	else fail "http-url-v6: --http-url $bad" "exit $rc: $(cat "$T/err")"; fi
done
run compile -q --ipxe-dir "$T/ipxe" --http-url 'http://10.0.0.1/a,b' "$T/once" "$T/hv6-bad"
if [ "$rc" = 2 ] && grep -qxF "pxeinv compile: --http-url must be an http:// or https:// URL without spaces, quotes or commas" "$T/err"; then
	pass "http-url-v6: a comma in --http-url (it would split the dhcp-boot line) is a usage error"
else fail "http-url-v6: comma in --http-url" "exit $rc: $(cat "$T/err")"; fi
run compile -q --ipxe-dir "$T/ipxe" --image-base-url 'http://[fd00::1/x' "$T/once" "$T/hv6-bad"
if [ "$rc" = 2 ] && grep -q "^pxeinv compile: --image-base-url must be an http:// or https:// URL with a host name or an IPv6 address in brackets" "$T/err"; then
	pass "http-url-v6: --image-base-url with an unclosed bracket is a usage error"
else fail "http-url-v6: --image-base-url unclosed bracket" "exit $rc: $(cat "$T/err")"; fi
fi

# --- --dhcp6-range and --no-ra: the fragment for an IPv6 segment ---------------
if selected dhcp6-range; then
make_once_tree
DNSMASQ=$ROOT/build/bin/dnsmasq
run compile -q --ipxe-dir "$T/ipxe" --dhcp6-range fd00::100,fd00::1ff,64,1h \
	--dhcp6-range ::100,::1ff,constructor:eth0,64,1h --dhcp6-range tag:lab,fd00:1::10,fd00:1::20,slaac,64,infinite \
	"$T/once" "$T/d6"
expect_rc "dhcp6-range: compile with three ranges: exit 0" 0
if [ "$(grep -E '^(dhcp-range|enable-ra)' "$T/d6/pxe-inventory.conf")" = "dhcp-range=fd00::100,fd00::1ff,64,1h
dhcp-range=::100,::1ff,constructor:eth0,64,1h
dhcp-range=tag:lab,fd00:1::10,fd00:1::20,slaac,64,infinite
enable-ra" ]; then pass "dhcp6-range: one dhcp-range= line per range, then enable-ra"
else fail "dhcp6-range: the lines" "$(cat "$T/d6/pxe-inventory.conf")"; fi
if grep -q '^# .*M flag' "$T/d6/pxe-inventory.conf" && grep -q '^# .*stateful DHCPv6' "$T/d6/pxe-inventory.conf"; then
	pass "dhcp6-range: a comment says why (stateful DHCPv6, the RA's M flag)"
else fail "dhcp6-range: comment" "$(cat "$T/d6/pxe-inventory.conf")"; fi
if [ -x "$DNSMASQ" ] && "$DNSMASQ" --test -C "$T/d6/pxe-inventory.conf" >"$T/dt" 2>&1; then
	pass "dhcp6-range: the patched dnsmasq accepts the fragment (--test)"
else fail "dhcp6-range: dnsmasq --test" "$(cat "$T/dt")"; fi
# the checker can fail: dnsmasq itself refuses what it refuses
printf 'dhcp-range=fd00::1,fd00::9,48\n' >"$T/d6-bad.conf"
if ! "$DNSMASQ" --test -C "$T/d6-bad.conf" >/dev/null 2>&1; then
	pass "dhcp6-range: (dnsmasq --test does refuse a /48 range)"
else fail "dhcp6-range: dnsmasq --test refuses /48" "it accepted it"; fi
run compile -q --ipxe-dir "$T/ipxe" --dhcp6-range fd00::100,fd00::1ff --no-ra "$T/once" "$T/d6n"
if [ "$rc" = 0 ] && grep -qx 'dhcp-range=fd00::100,fd00::1ff' "$T/d6n/pxe-inventory.conf" && ! grep -q '^enable-ra' "$T/d6n/pxe-inventory.conf"; then
	pass "dhcp6-range: --no-ra leaves enable-ra out"
else fail "dhcp6-range: --no-ra" "exit $rc: $(cat "$T/err")"; fi
run compile -q --ipxe-dir "$T/ipxe" "$T/once" "$T/d6none"
if [ "$rc" = 0 ] && ! grep -qE '^(dhcp-range|enable-ra)|DHCPv6' "$T/d6none/pxe-inventory.conf"; then
	pass "dhcp6-range: without it, the fragment has no DHCPv6 line"
else fail "dhcp6-range: without it" "$(cat "$T/d6none/pxe-inventory.conf")"; fi
# each refusal: exit 2, nothing written
d6_bad() {
	local name=$1 range=$2 want=$3
	run compile -q --ipxe-dir "$T/ipxe" --dhcp6-range "$range" "$T/once" "$T/d6-bad"
	if [ "$rc" = 2 ] && grep -qxF -- "pxeinv compile: $want" "$T/err" && [ ! -e "$T/d6-bad" ]; then pass "dhcp6-range: $name"
	else fail "dhcp6-range: $name" "exit $rc: $(cat "$T/err")"; fi
}
SYN='[tag:T,][set:T,]START,END[,constructor:IFACE][,MODE][,PREFIX-LEN][,LEASE]'
d6_bad "a newline cannot start a dnsmasq line" $'fd00::1,fd00::9\nenable-tftp' \
	"--dhcp6-range: a newline at character 16 is not allowed (it could change dnsmasq's configuration); write $SYN with letters, digits and :.,_*-"
d6_bad "a quote is refused" 'fd00::1,fd00::9,"1h"' \
	"--dhcp6-range: '\"' at character 17 is not allowed (it could change dnsmasq's configuration); write $SYN with letters, digits and :.,_*-"
d6_bad "an extra comma (an empty field) is refused" 'fd00::1,fd00::9,,1h' \
	"--dhcp6-range 'fd00::1,fd00::9,,1h': field 3 is empty"
d6_bad "ra-only (no address) is refused" 'fd00::,ra-only' \
	"--dhcp6-range 'fd00::,ra-only': mode ra-only gives no DHCPv6 address, and UEFI PXE and iPXE need one (stateful DHCPv6); leave the mode out, or use slaac to offer both"
d6_bad "a range without an end is refused" 'fd00::100,64' \
	"--dhcp6-range 'fd00::100,64': the start address needs an end address (START,END): UEFI PXE and iPXE need an address from stateful DHCPv6, which only a range with an end hands out"
d6_bad "an IPv4 range is refused" '10.0.0.10,10.0.0.99' \
	"--dhcp6-range '10.0.0.10,10.0.0.99': '10.0.0.10' is not an IPv6 start address; write $SYN"
d6_bad "::N without constructor: is refused" '::100,::1ff,64' \
	"--dhcp6-range '::100,::1ff,64': ::100 is only a host part; add constructor:IFACE, or write the network's own addresses (fd00::100,fd00::1ff)"
d6_bad "a prefix length under 64 is refused" 'fd00::1,fd00::9,48' \
	"--dhcp6-range 'fd00::1,fd00::9,48': prefix length 48 is not 64-128 (dnsmasq takes no shorter one)"
run compile -q --ipxe-dir "$T/ipxe" --proxy --dhcp6-range fd00::100,fd00::1ff "$T/once" "$T/d6-bad"
if [ "$rc" = 2 ] && grep -qF "pxeinv compile: --dhcp6-range cannot go with --proxy: dnsmasq has no DHCPv6 proxy mode" "$T/err"; then
	pass "dhcp6-range: with --proxy it is a usage error (dnsmasq has no DHCPv6 proxy mode)"
else fail "dhcp6-range: with --proxy" "exit $rc: $(cat "$T/err")"; fi
run compile -q --ipxe-dir "$T/ipxe" --no-ra "$T/once" "$T/d6-bad"
if [ "$rc" = 2 ] && grep -qF "pxeinv compile: --no-ra needs --dhcp6-range" "$T/err"; then
	pass "dhcp6-range: --no-ra alone is a usage error"
else fail "dhcp6-range: --no-ra alone" "exit $rc: $(cat "$T/err")"; fi
args=()
for i in $(seq 1 17); do args+=(--dhcp6-range "fd00:$i::10,fd00:$i::20"); done
run compile -q --ipxe-dir "$T/ipxe" "${args[@]}" "$T/once" "$T/d6-bad"
if [ "$rc" = 2 ] && grep -qF "pxeinv compile: more than 16 --dhcp6-range options" "$T/err"; then
	pass "dhcp6-range: more than 16 ranges is a usage error"
else fail "dhcp6-range: 17 ranges" "exit $rc: $(cat "$T/err")"; fi
fi

finish
