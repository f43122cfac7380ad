# perfdhcp floods for the benchmarks (sourced): pinning the server and the
# flood to separate CPUs, reading perfdhcp's report, and waiting until
# dnsmasq's script helper has run its last hook.

# perfdhcp_pin: set PIN_S and PIN_C (taskset prefixes for the server and
# for perfdhcp) and PERF_MODE (perfdhcp's single-thread mode) when there
# are 2+ CPUs and BENCH_PIN is not 0; empty otherwise. Pinned, the
# server's capacity is what saturates, not perfdhcp's own threads.
perfdhcp_pin() {
	PIN_S='' PIN_C='' PERF_MODE=''
	if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null && [ "${BENCH_PIN:-1}" = 1 ]; then
		PIN_S="taskset -c 0"
		PIN_C="taskset -c 1"
		PERF_MODE="-g single"
	fi
}

# perfdhcp_acks REPORT [EXCHANGE]: the answers to the second exchange that
# perfdhcp's final REPORT counts: DHCPACKs (EXCHANGE REQUEST-ACK, the
# default) or, for perfdhcp -6, REPLYs (REQUEST-REPLY); 0 when it has none
perfdhcp_acks() {
	local n
	n=$(printf '%s\n' "$1" | awk -v x="Statistics for: ${2:-REQUEST-ACK}***" 'index($0, x) { f = 1 } f && /received packets:/ { print $3; exit }')
	echo "${n:-0}"
}

# perfdhcp_hooks_idle NS HOOK: wait (30 s at most) until nothing runs in
# the namespace NS (dnsmasq's script helper outlives dnsmasq until its
# queue is drained) and no process runs the executable HOOK, so that no
# run pays for the one before. Non-zero when the time runs out.
perfdhcp_hooks_idle() {
	local i p busy
	for i in $(seq 300); do
		busy=$(ip netns pids "$1" 2>/dev/null | head -n1)
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/exe" 2>/dev/null)" = "$2" ] && busy=1 && break
		done
		[ -z "$busy" ] && return 0
		sleep 0.1
	done
	return 1
}
