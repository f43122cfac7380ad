#!/bin/sh
# pxeinv container probe (Kubernetes livenessProbe and readinessProbe, or
# podman healthcheck): exits 0 when dnsmasq runs in this container and a
# compiled inventory is there for it to serve, else says what is missing on
# stderr and exits 1. Reads /proc and one file: cheap enough to run often.
set -u

STATE=${PXEINV_STATE_DIR:-/var/lib/pxeinv}

running=
for comm in /proc/[0-9]*/comm; do
	[ "$(cat "$comm" 2>/dev/null)" != dnsmasq ] || { running=1; break; }
done
[ -n "$running" ] || { echo "probe: dnsmasq is not running" >&2; exit 1; }
[ -s "$STATE/out/pxe-inventory.conf" ] || { echo "probe: no compiled inventory in $STATE/out" >&2; exit 1; }
exit 0
