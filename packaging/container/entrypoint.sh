#!/bin/sh
# pxeinv container entrypoint: compile the inventory, run dnsmasq, reload on
# SIGHUP.
#
# The whole container runs as user pxeinv (the image's USER). dnsmasq needs
# NET_ADMIN, NET_RAW and NET_BIND_SERVICE to bind ports 67/69 and answer
# DHCP: /usr/sbin/dnsmasq holds them as file capabilities, so it gets them
# from the bounding set whether or not the runtime passes them as ambient
# capabilities (podman does, Kubernetes does not).
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
#
# Environment: PXEINV_NODES (the inventory, default /etc/pxeinv/nodes),
# PXEINV_STATE_DIR (/var/lib/pxeinv), PXEINV_HTTP_URL (compile --http-url),
# PXEINV_WATCH=SECONDS: every SECONDS, resolve PXEINV_NODES's symlinks and,
# when the path has changed (git-sync swapped its link to a new revision),
# recompile and reload as on SIGHUP. Unset: no polling.
# PXEINV_HTTP_PORT=PORT: also serve OUT_DIR/tftp over HTTP on PORT (1024 or
# more: the entrypoint holds no capability), with busybox httpd: static
# files only (no CGI: an empty config, and the tree has no cgi-bin), one
# line per request on stderr. Set PXEINV_HTTP_URL=http://HOST:PORT to
# match, so that HTTP boot and every iPXE script fetch use it. httpd is
# restarted after each compile: it serves the directory it started in,
# and a compile swaps in a new one.
set -u

NODES=${PXEINV_NODES:-/etc/pxeinv/nodes}
STATE=${PXEINV_STATE_DIR:-/var/lib/pxeinv}
OUT=$STATE/out
WATCH=${PXEINV_WATCH:-}
HTTP_PORT=${PXEINV_HTTP_PORT:-}
export PXEINV_STATE_DIR=$STATE

case $WATCH in
'' | *[!0-9]* | 0*)
	[ -z "$WATCH" ] || { echo "entrypoint: PXEINV_WATCH must be a number of seconds (1 or more), not '$WATCH'" >&2; exit 1; }
	;;
esac

case $HTTP_PORT in
'') ;;
*[!0-9]* | 0* | ?????? | [1-9] | [1-9]? | [1-9]?? | 10[01]? | 102[0-3])
	echo "entrypoint: PXEINV_HTTP_PORT must be a port number from 1024 to 65535, not '$HTTP_PORT'" >&2
	exit 1
	;;
*)
	[ "$HTTP_PORT" -le 65535 ] ||
		{ echo "entrypoint: PXEINV_HTTP_PORT must be a port number from 1024 to 65535, not '$HTTP_PORT'" >&2; exit 1; }
	;;
esac

# (re)start the HTTP server on the tree just compiled (PXEINV_HTTP_PORT)
http_pid=
http_start() {
	[ -n "$HTTP_PORT" ] || return 0
	if [ -n "$http_pid" ]; then
		kill "$http_pid" 2>/dev/null
		wait "$http_pid" 2>/dev/null
	fi
	busybox httpd -f -vv -p "$HTTP_PORT" -h "$OUT/tftp" -c /etc/pxeinv/httpd.conf &
	http_pid=$!
	echo "entrypoint: serving $OUT/tftp over HTTP on port $HTTP_PORT (busybox httpd)" >&2
}

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

watched=$(readlink -f "$NODES")
compile || [ -f "$OUT/pxe-inventory.conf" ] || { echo "entrypoint: nothing compiled, exiting" >&2; exit 1; }

http_start
dnsmasq --keep-in-foreground --log-facility=- --conf-file=/etc/pxeinv/dnsmasq.conf "$@" &
pid=$!

reload() {
	echo "entrypoint: SIGHUP: recompiling $NODES" >&2
	compile && kill -HUP "$pid" && http_start
}
trap reload HUP
stopping=
trap 'stopping=1; kill -TERM "$pid" 2>/dev/null; [ -z "$http_pid" ] || kill "$http_pid" 2>/dev/null' TERM INT

# PXEINV_WATCH: recompile when the inventory's resolved path changes
watch() {
	local now
	now=$(readlink -f "$NODES")
	[ "$now" != "$watched" ] || return 0
	echo "entrypoint: $NODES is now ${now:-missing}: recompiling" >&2
	watched=$now
	compile && kill -HUP "$pid" && http_start
}
if [ -n "$WATCH" ]; then
	while [ -z "$stopping" ] && kill -0 "$pid" 2>/dev/null; do
		sleep "$WATCH" &
		wait $!
		[ -n "$stopping" ] || watch
	done
	kill $! 2>/dev/null
fi

# dnsmasq's exit status. wait returns 128+N when a trapped signal
# interrupts it: dnsmasq may still run, or have exited without its status
# being reported yet, so wait again; 127 means the status was reported
# already (dnsmasq itself died of a signal), and rc holds it.
rc=0
while :; do
	wait "$pid"
	st=$?
	[ "$st" != 127 ] || break
	rc=$st
	[ "$st" -gt 128 ] || break
done
[ -z "$http_pid" ] || { kill "$http_pid" 2>/dev/null; wait "$http_pid" 2>/dev/null; }
exit "${rc:-0}"
