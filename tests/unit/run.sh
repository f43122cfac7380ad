#!/usr/bin/env bash
# Unit tests (cmocka), three times: plain, under ASan+UBSan, and under
# valgrind; then the fuzz targets' regression inputs and seeds
# (fuzz/regress/TARGET, fuzz/corpus/TARGET), replayed under ASan+UBSan
# without libFuzzer (cases fuzz_regress_TARGET). Ends with "N passed,
# N failed" (one count per test per mode, one per replayed target).
#
#   tests/unit/run.sh [NAME | --list]
#
# NAME is a glob ('*', '?', as cmocka's test filter reads it) over the test
# functions' names: only the matching tests are built and run. --list prints
# the names.
set -uo pipefail
cd "$(dirname "$0")/../.."

skipped=0

# Print "FILE NAME" for every test function registered in a cmocka group.
test_names() {
	grep -oE 'cmocka_unit_test[a-z_]*\( *[A-Za-z0-9_]+' tests/unit/test_*.c |
		sed -E 's/^tests\/unit\/([a-z0-9_]+)\.c:.*\( */\1 /'
}

# Print "fuzz_TARGET fuzz_regress_TARGET" for every fuzz target.
fuzz_names() {
	local f
	for f in fuzz/fuzz_*.c; do
		[ -f "$f" ] || continue
		f=${f#fuzz/}
		f=${f%.c}
		echo "$f fuzz_regress_${f#fuzz_}"
	done
}

filter=${1:-}
case $filter in
--list)
	{ test_names; fuzz_names; } | cut -d ' ' -f 2
	exit 0
	;;
-*)
	echo "$0: unknown option '$filter' (give a test name or --list)" >&2
	exit 2
	;;
esac
# The tests that match, and the programs that hold them
matches=$(test_names | while read -r prog name; do
	# shellcheck disable=SC2053 # the filter is a glob
	[ -z "$filter" ] || [[ $name == $filter ]] && echo "$prog"
done)
programs=$(sort -u <<<"$matches" | paste -sd ' ')
# The fuzz targets whose regression inputs replay
replays=$(fuzz_names | while read -r prog name; do
	# shellcheck disable=SC2053 # the filter is a glob
	[ -z "$filter" ] || [[ $name == $filter ]] && echo "$prog"
done | paste -sd ' ')
if [ -z "$programs" ] && [ -z "$replays" ]; then
	echo "$0: no unit test matches '$filter' (tests/unit/run.sh --list)" >&2
	exit 2
fi
export PXEINV_TEST_FILTER=$filter

passed=0
failed=0
for mode in unit unit-asan unit-valgrind; do
	[ -n "$programs" ] || break
	if [ ! -f /usr/include/cmocka.h ]; then
		echo "SKIP $mode: libcmocka-dev is not installed (./build.sh deps)"
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$mode" = unit-valgrind ] && ! command -v valgrind >/dev/null; then
		echo "SKIP $mode: valgrind is not installed (./build.sh deps)"
		skipped=$((skipped + 1))
		continue
	fi
	log=$(mktemp)
	make -s "$mode" TESTS="$programs" >"$log" 2>&1
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
	elif [ "$ok" -ne "$(wc -l <<<"$matches")" ]; then
		# cmocka ran other tests than the sources register
		echo "FAIL $mode: $ok tests ran, $(wc -l <<<"$matches") expected"
		bad=1
	else
		echo "PASS $mode ($ok tests)"
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	rm -f "$log"
done
# The fuzz targets' regression inputs and seeds, without libFuzzer
for prog in $replays; do
	name=fuzz_regress_${prog#fuzz_}
	if ! out=$(make -s "build/fuzz-replay/$prog" 2>&1); then
		echo "FAIL $name: build"
		tail -n 20 <<<"$out"
		failed=$((failed + 1))
		continue
	fi
	dirs=()
	for d in "fuzz/regress/${prog#fuzz_}" "fuzz/corpus/${prog#fuzz_}"; do
		[ ! -d "$d" ] || dirs+=("$d")
	done
	if out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		"build/fuzz-replay/$prog" "${dirs[@]}" 2>&1); then
		echo "PASS $name (${out##*: })"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		tail -n 20 <<<"$out"
		failed=$((failed + 1))
	fi
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
