/*
 * pxeinv state: node_exporter textfile metrics (see metrics.h).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "metrics.h"
#include "state.h"

/** HELP and TYPE lines, the same in every file */
#define H_EVENTS "# HELP pxeinv_boot_events_total DHCP boot events seen " \
	"by the pxeinv hook, by node and stage.\n" \
	"# TYPE pxeinv_boot_events_total counter\n"
#define H_BOOTS "# HELP pxeinv_boots_total Boots seen by the pxeinv hook " \
	"(a firmware or HTTP boot request, or an iPXE one not right after " \
	"it).\n# TYPE pxeinv_boots_total counter\n"
#define H_FETCH "# HELP pxeinv_script_fetches_total Node scripts fetched " \
	"over TFTP.\n# TYPE pxeinv_script_fetches_total counter\n"
#define H_LAST "# HELP pxeinv_last_boot_timestamp_seconds Time of the " \
	"last boot event, by node (\"\": any).\n" \
	"# TYPE pxeinv_last_boot_timestamp_seconds gauge\n"

int metrics_render_node(const char *node, const struct kvfile *st, char *buf,
			size_t size)
{
	int n;

	n = snprintf(buf, size,
		     H_EVENTS
		     "pxeinv_boot_events_total{node=\"%s\",stage=\"firmware\"}"
		     " %lld\n"
		     "pxeinv_boot_events_total{node=\"%s\",stage=\"httpboot\"}"
		     " %lld\n"
		     "pxeinv_boot_events_total{node=\"%s\",stage=\"ipxe\"}"
		     " %lld\n"
		     H_BOOTS "pxeinv_boots_total{node=\"%s\"} %lld\n"
		     H_FETCH "pxeinv_script_fetches_total{node=\"%s\"} %lld\n"
		     H_LAST "pxeinv_last_boot_timestamp_seconds{node=\"%s\"} "
		     "%lld\n",
		     node, kv_get_num(st, "ev_firmware"),
		     node, kv_get_num(st, "ev_httpboot"),
		     node, kv_get_num(st, "ev_ipxe"),
		     node, kv_get_num(st, "boots"),
		     node, kv_get_num(st, "fetches"),
		     node, kv_get_num(st, "last_boot"));
	return (n < 0 || (size_t)n >= size) ? -ENOSPC : n;
}

int metrics_render_global(const struct kvfile *g, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size,
		     H_EVENTS
		     "pxeinv_boot_events_total{node=\"unknown\","
		     "stage=\"firmware\"} %lld\n"
		     "pxeinv_boot_events_total{node=\"unknown\","
		     "stage=\"httpboot\"} %lld\n"
		     "pxeinv_boot_events_total{node=\"unknown\","
		     "stage=\"ipxe\"} %lld\n"
		     H_LAST "pxeinv_last_boot_timestamp_seconds{node=\"\"} "
		     "%lld\n"
		     "# HELP pxeinv_unknown_machines Machines the inventory "
		     "does not know that asked to boot.\n"
		     "# TYPE pxeinv_unknown_machines gauge\n"
		     "pxeinv_unknown_machines %lld\n"
		     "# HELP pxeinv_hook_events_total Events the pxeinv hook "
		     "recorded.\n# TYPE pxeinv_hook_events_total counter\n"
		     "pxeinv_hook_events_total %lld\n",
		     kv_get_num(g, "ev_unknown_firmware"),
		     kv_get_num(g, "ev_unknown_httpboot"),
		     kv_get_num(g, "ev_unknown_ipxe"),
		     kv_get_num(g, "last_boot"),
		     kv_get_num(g, "unknown_machines"),
		     kv_get_num(g, "events"));
	return (n < 0 || (size_t)n >= size) ? -ENOSPC : n;
}

/**
 * Write a rendered file into STATE_DIR/metrics.
 *
 * @v dirfd     State directory
 * @v name      File name
 * @v buf       Contents
 * @v len       Length, or the -errno of a rendering that failed
 * @ret rc      0 or -errno
 */
static int metrics_write(int dirfd, const char *name, const char *buf,
			 int len)
{
	if (len < 0)
		return len;
	return state_put(dirfd, PXEINV_STATE_METRICS, name, buf, len);
}

int metrics_write_node(int dirfd, const char *node, const struct kvfile *st)
{
	char buf[4096], name[96];

	snprintf(name, sizeof(name), "node-%s.prom", node);
	return metrics_write(dirfd, name, buf,
			     metrics_render_node(node, st, buf, sizeof(buf)));
}

int metrics_write_global(int dirfd, const struct kvfile *g)
{
	char buf[4096];

	return metrics_write(dirfd, METRICS_GLOBAL, buf,
			     metrics_render_global(g, buf, sizeof(buf)));
}
