#!/usr/bin/env bash
# Compatibility with the seed (the Enix post): its merge.py and its
# templates, taken from ../shared/seeds at test time, are the oracles.
# Prints PASS/FAIL/SKIP per case and "N passed, N failed".
#
#   tests/compat/run.sh [GROUP | --list]   GROUP: a glob over the group names
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PXEINV=${PXEINV_BIN:-$ROOT/build/bin/pxeinv}
PY=/usr/bin/python3             # Debian's, with python3-yaml
T=$(mktemp -d /tmp/pxeinv-compat.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/../lib/report.sh"
groups "${1-}" merge seed-inventory kernel-lines ipxe-conf
[ -x "$PXEINV" ] || { skip compat "$PXEINV is missing (./build.sh pxeinv)"; finish; }
SEEDS=${PXEINV_SEEDS:-$ROOT/../shared/seeds}
compgen -G "$SEEDS/000_*" >/dev/null ||
	{ skip compat "no seed post 000_* in $SEEDS (set PXEINV_SEEDS)"; finish; }
"$PY" -c 'import yaml' 2>/dev/null ||
	{ skip compat "$PY has no yaml module (python3-yaml; ./build.sh deps)"; finish; }

# Compare two JSON arrays of objects as sets; print the first difference.
same_set() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda o: json.dumps(o, sort_keys=True)
sa, sb = sorted(map(key, a)), sorted(map(key, b))
if sa != sb:
    only_a = [x for x in sa if x not in sb][:1]
    only_b = [x for x in sb if x not in sa][:1]
    print("merge.py only: %s\npxeinv only: %s" % (only_a, only_b))
    sys.exit(1)
PYEOF
}

# merge: pxeinv and merge.py agree on a tree (with merge.py's args).
merge_case() {
	local name=$1 dir=$2
	shift 2
	if ! "$PY" "$HERE/seed.py" merge "$@" "$dir" >"$T/a.json" 2>"$T/a.err"; then
		fail "$name" "merge.py failed: $(tail -n 1 "$T/a.err")"
		return
	fi
	if ! "$PXEINV" merge "$@" "$dir" >"$T/b.json" 2>"$T/b.err"; then
		fail "$name" "pxeinv merge failed: $(head -n 3 "$T/b.err")"
		return
	fi
	if diff=$(same_set "$T/a.json" "$T/b.json"); then pass "$name"; else
		fail "$name" "$diff"; fi
}

if selected merge; then
merge_case "merge nodes/ equals merge.py" "$ROOT/nodes"
merge_case "merge --filter equals merge.py -f" "$ROOT/nodes" -f k8s-dev/node-0
for seed in $(seq 1 20); do
	"$PY" "$HERE/gentree.py" tricky "$T/tricky$seed" "$seed"
	merge_case "merge of YAML 1.1 corner cases (tree $seed)" "$T/tricky$seed"
done
# Large enough to be loaded by several threads
"$PY" "$HERE/gentree.py" fleet "$T/fleet" 2500
merge_case "merge of a 2500-node fleet" "$T/fleet"

# Both refuse what PyYAML cannot construct.
mkdir -p "$T/value"
printf 'k: =\n' >"$T/value/n.yaml"
if ! "$PY" "$HERE/seed.py" merge "$T/value" >/dev/null 2>&1 &&
	! "$PXEINV" merge "$T/value" >/dev/null 2>"$T/err" &&
	grep -q "n.yaml:1:4: error: a plain '=' is YAML 1.1's value key" "$T/err"; then
	pass "both refuse a plain '='"
else fail "both refuse a plain '='" "$(cat "$T/err")"; fi
fi

# The post's own example inventory works unchanged.
if selected seed-inventory; then
"$PY" "$HERE/seed.py" inventory "$T/seedinv"
if "$PXEINV" check "$T/seedinv" 2>"$T/err"; then
	pass "the post's inventory passes pxeinv check"
else fail "the post's inventory passes pxeinv check" "$(cat "$T/err")"; fi
merge_case "merge of the post's inventory equals merge.py" "$T/seedinv"
fi

# Kernel lines: the seed template's arguments, exactly and in order, then
# pxeinv's additions.
"$PXEINV" compile -q "$ROOT/nodes" "$T/out" 2>/dev/null
if selected kernel-lines; then
"$PY" "$HERE/seed.py" kernel "$ROOT/nodes" >"$T/seed-kernel"
n=0
bad=
while IFS=$'\t' read -r host line; do
	n=$((n + 1))
	ours=$(grep '^kernel ' "$T/out/tftp/pxeinv/nodes/$host.ipxe")
	[ "$ours" = "$line talos.halt_if_installed=1" ] || bad="$host: $ours"
done <"$T/seed-kernel"
if [ "$n" -ge 10 ] && [ -z "$bad" ]; then
	pass "kernel lines of $n nodes equal the seed template's, plus additions"
else fail "kernel lines equal the seed template's" "$n lines; $bad"; fi
fi

# The monolithic ipxe.conf: the seed template's output line for line, once
# pxeinv's additions (labels by board serial, UUID and MAC, and the added
# kernel arguments) are taken out.
if selected ipxe-conf; then
"$PXEINV" merge "$ROOT/nodes" >"$T/order.json"
"$PY" "$HERE/seed.py" ipxeconf "$ROOT/nodes" "$T/order.json" >"$T/seed.conf"
grep -v -e '^goto board_' -e '^goto uuid_' -e '^goto mac_' -e '^:board_' \
	-e '^:uuid_' -e '^:mac_' "$T/out/tftp/ipxe.conf" |
	sed 's/ talos\.halt_if_installed=1$//' >"$T/ours.conf"
if diff -u "$T/seed.conf" "$T/ours.conf" >"$T/diff"; then
	pass "ipxe.conf equals the seed template's output, apart from additions"
else fail "ipxe.conf equals the seed template's output" "$(head -n 20 "$T/diff")"; fi
fi

finish
