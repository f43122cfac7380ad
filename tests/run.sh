#!/usr/bin/env bash
# Run the test suites; each prints PASS/FAIL/SKIP lines and "N passed,
# N failed" (", N skipped" after it when it skipped cases). Prints the
# totals the same way and exits non-zero on any failure.
#
#   tests/run.sh                every suite (or those in $PXEINV_SUITES)
#   tests/run.sh SUITE [CASE]   one suite; with CASE, only its groups of
#                               cases (unit: its test functions) whose name
#                               the glob CASE matches; none is exit 2
#   tests/run.sh [SUITE] --list the names CASE can match
#
#   tests/unit         cmocka unit tests (plain, ASan+UBSan, valgrind)
#   tests/cli          the pxeinv CLI: exit codes, atomic compile, lookup
#   tests/compat       merge.py and the seed's templates as oracles
#   tests/integration  the patched dnsmasq in network namespaces
#   tests/hook         the dhcp-script hook, driven by the patched dnsmasq
#   tests/mirror       pxeinv mirror against a stand-in factory with faults
#   tests/fuzz         the libFuzzer targets of fuzz/, 45 s each, two at a time
#   tests/ipxe         the iPXE build, booted in QEMU
#   tests/e2e          firmware -> iPXE -> node script -> kernel, in QEMU
#   tests/package      the .debs upgrade a stock dnsmasq host in place, and
#                      downgrade back (mmdebstrap root)
#   tests/container    the Containerfile, built offline with buildah and run
#                      with podman and three capabilities
#   tests/kubernetes   packaging/kubernetes against the image, offline
set -uo pipefail
cd "$(dirname "$0")/.."

ALL="unit cli compat integration hook mirror kubernetes fuzz ipxe e2e package container"
SUITES=${PXEINV_SUITES:-$ALL}
CASE=
if [ "${1:-}" = --list ]; then
	for s in $ALL; do
		echo "$s: $("tests/$s/run.sh" --list | paste -sd ' ')"
	done
	exit 0
elif [ $# -gt 0 ]; then
	if [ $# -gt 2 ] || [[ " $ALL " != *" $1 "* ]]; then
		echo "usage: tests/run.sh [SUITE [CASE | --list]]; suites: $ALL" >&2
		exit 2
	fi
	SUITES=$1
	CASE=${2:-}
	[ "$CASE" != --list ] || exec "tests/$1/run.sh" --list
fi
total_passed=0
total_failed=0
total_skipped=0
for s in $SUITES; do
	echo "=== tests/$s${CASE:+ $CASE}"
	log=$(mktemp)
	start=$SECONDS
	"tests/$s/run.sh" ${CASE:+"$CASE"} 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "# tests/$s: $((SECONDS - start)) s"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ] && [ -n "$CASE" ] && [ "$rc" -eq 2 ]; then
		exit 2  # no group matches CASE: the suite said so
	fi
	if [ -z "$line" ]; then
		echo "FAIL tests/$s: no summary line (exit $rc)"
		total_failed=$((total_failed + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	k=0
	[[ $line != *" skipped"* ]] || { k=${line#*failed, }; k=${k%% skipped*}; }
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	total_skipped=$((total_skipped + k))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL tests/$s: exit $rc"
		total_failed=$((total_failed + 1))
	fi
done
echo "=== all suites"
if [ "$total_skipped" -gt 0 ]; then
	echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
else
	echo "$total_passed passed, $total_failed failed"
fi
[ "$total_failed" -eq 0 ]
