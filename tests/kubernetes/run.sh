#!/bin/bash
# Kubernetes manifests test, offline (no cluster): packaging/kubernetes
# parses, and agrees with the image it deploys (check.py reads the image's
# name, user, capabilities and paths from the Containerfile, the entrypoint
# and dnsmasq.conf); and each known drift between the two fails its check.
#
# Usage: tests/kubernetes/run.sh [GROUP | --list]
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/report.sh
. "$here/../lib/report.sh"
groups "${1-}" manifests drift

# run check.py ARGS, and count its PASS/FAIL lines
checks() {
	local out line rc
	out=$(python3 "$here/check.py" "$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case $line in
		"PASS "*) pass "${line#PASS }" ;;
		"FAIL "*) line=${line#FAIL }; fail "${line%%: *}" "${line#*: }" ;;
		*) note "$line" ;;
		esac
	done <<<"$out"
	[ "$rc" -eq 0 ] || grep -q '^FAIL ' <<<"$out" || fail "check.py $*" "exit $rc"
}

python3 -c 'import yaml' 2>/dev/null || {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-yaml >/dev/null 2>&1 ||
		{ fail setup "python3-yaml is missing and cannot be installed"; finish; }
}

if selected manifests; then
checks
fi

if selected drift; then
checks --drift
fi

finish
