# Test reporting shared by the suites (sourced): one "PASS name" or
# "FAIL name: why" line per case, and the "N passed, N failed" line that
# tests/run.sh adds up. A suite defines its own abort() when it needs one.

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
note() { echo "# $*"; }
# finish: print the summary and exit 0 only when no case failed
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
