#!/usr/bin/env bash
# Run one libFuzzer target for a bounded time (./build.sh fuzz and
# tests/fuzz run it; `make fuzz` builds the targets first).
#
#   fuzz/run-target.sh TARGET SECONDS
#
# TARGET is steer, cache, yaml, hook or manifest.  The committed seeds
# (fuzz/corpus/TARGET) and regression inputs (fuzz/regress/TARGET) are
# read; new inputs go to build/fuzz/corpus/TARGET, kept between runs and
# never committed; fuzz/TARGET.dict is the dictionary.  Prints
# "TARGET: N executions, R exec/s" from libFuzzer's final stats and exits
# 0, or prints the reproducer's path (build/fuzz/findings/) and exits 1.
set -uo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: fuzz/run-target.sh TARGET SECONDS}
seconds=${2:?usage: fuzz/run-target.sh TARGET SECONDS}
bin=build/fuzz/fuzz_$target
[ -x "$bin" ] || { echo "$target: $bin is missing (make fuzz)" >&2; exit 2; }
work=build/fuzz/corpus/$target
findings=build/fuzz/findings
log=build/fuzz/$target.log
mkdir -p "$work" "$findings"
dict=()
[ ! -f "fuzz/$target.dict" ] || dict=(-dict="fuzz/$target.dict")
seeds=(fuzz/corpus/"$target")
[ ! -d "fuzz/regress/$target" ] || seeds+=(fuzz/regress/"$target")

"$bin" -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$findings/$target-" "${dict[@]}" \
	"$work" "${seeds[@]}" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
finding=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -n 1)
if [ "$rc" -ne 0 ] || [ -n "$finding" ]; then
	grep -E 'invariant broken|ERROR:|SUMMARY:' "$log" | head -n 5 >&2
	echo "$target: FINDING after ${execs:-?} executions:" \
		"${finding:-no reproducer (exit $rc), see $log}" \
		"(replay: $bin ${finding:-FILE})"
	exit 1
fi
echo "$target: ${execs:-?} executions, ${rate:-?} exec/s in ${seconds}s"
