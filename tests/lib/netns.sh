# Two network namespaces joined by a veth pair, for the suites that run a
# server in one and its clients in the other (sourced). Addresses are
# private ones that the suite picks; nothing touches the host's network.

# netns_pair NS_S NS_C VS VC SRV_CIDR CLI_CIDR: create the namespaces NS_S
# and NS_C, joined by VS (in NS_S, address SRV_CIDR) and VC (in NS_C,
# address CLI_CIDR), with every link up. Non-zero when a step fails.
netns_pair() {
	ip netns add "$1" && ip netns add "$2" &&
	ip link add "$3" netns "$1" type veth peer name "$4" netns "$2" &&
	ip -n "$1" link set lo up && ip -n "$2" link set lo up &&
	ip -n "$1" addr add "$5" dev "$3" && ip -n "$1" link set "$3" up &&
	ip -n "$2" addr add "$6" dev "$4" && ip -n "$2" link set "$4" up
}

# netns_remove NS...: stop whatever still runs inside each namespace, then
# delete it (and with it the veth pair). Quiet about namespaces that were
# never made.
netns_remove() {
	local ns pid
	for ns in "$@"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
