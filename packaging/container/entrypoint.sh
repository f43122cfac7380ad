#!/bin/sh
# pxeinv container entrypoint: compile the inventory, run dnsmasq, reload on
# SIGHUP.
#
# The whole container runs as user pxeinv (the image's USER); podman gives it
# NET_ADMIN, NET_RAW and NET_BIND_SERVICE as ambient capabilities, which is
# all dnsmasq needs to bind ports 67/69 and answer DHCP.
#
#   /etc/pxeinv/nodes     the inventory (baked in at build time, or mounted)
#   /etc/pxeinv/dnsmasq.d extra dnsmasq config (*.conf), e.g. a dhcp-range
#   /var/lib/pxeinv       state (hook journal, boot-once), out/ = compiled tree
#
# SIGHUP (podman kill -s HUP NAME): recompile /etc/pxeinv/nodes, then SIGHUP
# dnsmasq, which rereads the cache (a failed compile keeps the old tree).
# A compile that replaces a previous tree logs the nodes whose scripts it
# added, changed or removed ("entrypoint: inventory: changed node-01").
# PXEINV_IMAGE_BASE_URL: compile --image-base-url (a `pxeinv mirror`).
# Arguments are passed to dnsmasq (e.g. --dhcp-range=...,  --log-dhcp).
set -u

NODES=${PXEINV_NODES:-/etc/pxeinv/nodes}
STATE=${PXEINV_STATE_DIR:-/var/lib/pxeinv}
OUT=$STATE/out
export PXEINV_STATE_DIR=$STATE

compile() {
	local changes rc
	if [ -d "$NODES" ] && [ -n "$(ls -A "$NODES" 2>/dev/null)" ]; then
		# what changed, when there is a previous tree to compare with
		changes=$(pxeinv compile --ipxe-dir /usr/lib/pxeinv/ipxe --hook /usr/lib/pxeinv/pxeinv-hook \
			--state-dir "$STATE" ${PXEINV_HTTP_URL:+--http-url "$PXEINV_HTTP_URL"} \
			${PXEINV_IMAGE_BASE_URL:+--image-base-url "$PXEINV_IMAGE_BASE_URL"} \
			$([ -f "$OUT/.pxeinv-manifest" ] && echo --changes) "$NODES" "$OUT")
		rc=$?
		[ -z "$changes" ] || printf '%s\n' "$changes" | sed 's/^/entrypoint: inventory: /' >&2
		return $rc
	else
		echo "entrypoint: no inventory in $NODES" >&2
		return 1
	fi
}

compile || [ -f "$OUT/pxe-inventory.conf" ] || { echo "entrypoint: nothing compiled, exiting" >&2; exit 1; }

dnsmasq --keep-in-foreground --log-facility=- --conf-file=/etc/pxeinv/dnsmasq.conf "$@" &
pid=$!

reload() {
	echo "entrypoint: SIGHUP: recompiling $NODES" >&2
	compile && kill -HUP "$pid"
}
trap reload HUP
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT

# wait returns early when a trapped signal arrives; loop until dnsmasq exits
while kill -0 "$pid" 2>/dev/null; do
	wait "$pid"
	rc=$?
done
exit "${rc:-0}"
