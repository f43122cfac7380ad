#!/usr/bin/env bash
# Unit tests (cmocka), three times: plain, under ASan+UBSan, and under
# valgrind. Ends with "N passed, N failed" (one count per test per mode).
set -uo pipefail
cd "$(dirname "$0")/../.."

passed=0
failed=0
for mode in unit unit-asan unit-valgrind; do
	log=$(mktemp)
	make -s "$mode" >"$log" 2>&1
	rc=$?
	ok=$(grep -c '^\[       OK \]' "$log")
	bad=$(grep -c '^\[  FAILED  \] test' "$log" || true)
	# A crash or sanitizer abort counts as a failure of the mode
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
	fi
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $mode"
		tail -n 40 "$log"
	else
		echo "PASS $mode ($ok tests)"
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	rm -f "$log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
