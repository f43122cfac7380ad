#!/usr/bin/env bash
# Fuzz targets (fuzz/), each run for a bounded time with libFuzzer, ASan
# and UBSan: a target that finds an input breaking an invariant, or
# crashing, fails with the reproducer's path.  (The committed regression
# inputs are replayed by tests/unit, without libFuzzer.)
#
#   tests/fuzz/run.sh [GROUP | --list]
#
# Environment:
#   PXEINV_FUZZ_SECONDS  seconds per target (default 45)
set -uo pipefail
cd "$(dirname "$0")/../.."

. tests/lib/report.sh
groups "${1-}" steer cache yaml hook

seconds=${PXEINV_FUZZ_SECONDS:-45}

# fuzz_target NAME: build and run one target, as a case
fuzz_target() {
	local out
	if ! command -v clang >/dev/null; then
		skip "fuzz-$1" "clang is not installed (./build.sh deps)"
		return
	fi
	if ! out=$(make -s "build/fuzz/fuzz_$1" 2>&1); then
		fail "fuzz-$1" "build: $(tail -n 3 <<<"$out")"
		return
	fi
	if out=$(fuzz/run-target.sh "$1" "$seconds" 2>&1); then
		pass "fuzz-$1 ($(tail -n 1 <<<"$out"))"
	else
		fail "fuzz-$1" "$(tail -n 6 <<<"$out")"
	fi
}

for t in steer cache yaml hook; do
	if selected "$t"; then
		fuzz_target "$t"
	fi
done

finish
