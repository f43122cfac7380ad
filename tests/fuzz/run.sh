#!/usr/bin/env bash
# Fuzz targets (fuzz/), each run for a bounded time with libFuzzer, ASan
# and UBSan: a target that finds an input breaking an invariant, or
# crashing, fails with the reproducer's path.  (The committed regression
# inputs are replayed by tests/unit, without libFuzzer.)
#
#   tests/fuzz/run.sh [GROUP | --list]
#
# Environment:
#   PXEINV_FUZZ_SECONDS  seconds per target (default 45; manifest, a line
#                        parser whose coverage saturates in seconds, gets
#                        a third of it)
set -uo pipefail
cd "$(dirname "$0")/../.."

. tests/lib/report.sh
groups "${1-}" steer cache yaml hook manifest

seconds=${PXEINV_FUZZ_SECONDS:-45}

# fuzz_target NAME: build and run one target, as a case
# fuzz_build TARGET: build it; a failure is reported here
fuzz_build() {
	local out
	if ! out=$(make -s "build/fuzz/fuzz_$1" 2>&1); then
		fail "fuzz-$1" "build: $(tail -n 3 <<<"$out")"
		return 1
	fi
}

# fuzz_report TARGET OUT RC: the result of a run whose output is in OUT
fuzz_report() {
	if [ "$3" = 0 ]; then
		pass "fuzz-$1 ($(tail -n 1 "$2"))"
	else
		fail "fuzz-$1" "$(tail -n 6 "$2")"
	fi
}

# The targets run two at a time (the machines have two cores), each for
# the same $seconds: a run takes half the time, not half the fuzzing.
targets=()
for t in steer cache yaml hook manifest; do
	selected "$t" || continue
	if ! command -v clang >/dev/null; then
		skip "fuzz-$t" "clang is not installed (./build.sh deps)"
		continue
	fi
	fuzz_build "$t" && targets+=("$t")
done
out=$(mktemp -d)
i=0
while [ $i -lt ${#targets[@]} ]; do
	pids=()
	for t in "${targets[@]:$i:2}"; do
		secs=$seconds
		[ "$t" != manifest ] || secs=$(((seconds + 2) / 3))
		fuzz/run-target.sh "$t" "$secs" >"$out/$t" 2>&1 &
		pids+=($!)
	done
	k=0
	for t in "${targets[@]:$i:2}"; do
		wait "${pids[$k]}"
		fuzz_report "$t" "$out/$t" $?
		k=$((k + 1))
	done
	i=$((i + 2))
done
rm -rf "$out"

finish
