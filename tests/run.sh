#!/usr/bin/env bash
# Run every test suite; each prints PASS/FAIL lines and "N passed, N failed".
# Prints the totals the same way and exits non-zero on any failure.
#
#   tests/unit         cmocka unit tests (plain, ASan+UBSan, valgrind)
#   tests/cli          the pxeinv CLI: exit codes, atomic compile, lookup
#   tests/compat       merge.py and the seed's templates as oracles
#   tests/integration  the patched dnsmasq in network namespaces
#   tests/hook         the dhcp-script hook, driven by the patched dnsmasq
#   tests/ipxe         the iPXE build, booted in QEMU
#   tests/e2e          firmware -> iPXE -> node script -> kernel, in QEMU
#   tests/package      the .debs upgrade a stock dnsmasq host in place, and
#                      downgrade back (mmdebstrap root)
#   tests/container    the Containerfile, built offline with buildah and run
#                      with podman and three capabilities
set -uo pipefail
cd "$(dirname "$0")/.."

SUITES=${PXEINV_SUITES:-"unit cli compat integration hook ipxe e2e package container"}
total_passed=0
total_failed=0
for s in $SUITES; do
	echo "=== tests/$s"
	log=$(mktemp)
	"tests/$s/run.sh" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "FAIL tests/$s: no summary line (exit $rc)"
		total_failed=$((total_failed + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL tests/$s: exit $rc"
		total_failed=$((total_failed + 1))
	fi
done
echo "=== all suites"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
