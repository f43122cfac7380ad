# Test reporting shared by the suites (sourced): one "PASS name",
# "FAIL name: why" or "SKIP name: why" line per case, and the
# "N passed, N failed" line that tests/run.sh adds up (", N skipped" follows
# when a case was skipped). A suite defines its own abort() when it needs one.
#
# A suite's cases come in named groups, so that one group can run alone:
#
#	groups "${1-}" help check compile-atomic ...
#	if selected compile-atomic; then
#	...
#	fi
#
# The groups' bodies stay at the left margin, where they were when the
# suites were straight scripts.

passed=0
failed=0
skipped=0
group_filter=
group_names=()
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
# skip NAME WHY: a case whose prerequisite is missing; not a failure
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }
note() { echo "# $*"; }

# groups FILTER NAME...: declare the suite's groups of cases, in the order
# they run, and apply FILTER, the suite's argument: empty runs every group,
# "--list" prints the names and exits 0, anything else is a glob ('*', '?')
# that runs only the groups whose whole name it matches. A FILTER that
# matches no group is a usage error: it says so and exits 2.
groups() {
	local filter=$1 name matched=0
	shift
	group_names=("$@")
	case $filter in
	--list)
		printf '%s\n' "$@"
		exit 0
		;;
	-*)
		echo "$0: unknown option '$filter' (give a group name or --list)" >&2
		exit 2
		;;
	esac
	group_filter=$filter
	[ -n "$filter" ] || return 0
	for name in "$@"; do
		# shellcheck disable=SC2053 # the filter is a glob
		[[ $name == $filter ]] && matched=1
	done
	if [ "$matched" -eq 0 ]; then
		echo "$0: no group matches '$filter'; the groups: $*" >&2
		exit 2
	fi
}

# selected NAME: whether group NAME runs (NAME must have been declared)
selected() {
	local name
	for name in "${group_names[@]}"; do
		[ "$name" = "$1" ] || continue
		# shellcheck disable=SC2053 # the filter is a glob
		[ -z "$group_filter" ] || [[ $1 == $group_filter ]]
		return
	done
	echo "$0: group '$1' is not declared in groups" >&2
	exit 2
}

# finish: print the summary and exit 0 only when no case failed
finish() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
	exit $?
}
