/*
 * pxeinv state: metrics for node_exporter's textfile collector.
 *
 * STATE_DIR/metrics/ is meant to be (or to be linked from) the collector's
 * directory.  Each event rewrites only what it changed, atomically (write +
 * rename): node-NODE.prom for that node, and pxeinv.prom for the totals
 * (unknown machines, events of unidentified clients, last boot).  Every
 * file repeats the same HELP and TYPE lines, which lets node_exporter merge
 * a metric family across files.
 *
 *   pxeinv_boot_events_total{node,stage}          counter
 *   pxeinv_boots_total{node}                      counter
 *   pxeinv_script_fetches_total{node}             counter
 *   pxeinv_last_boot_timestamp_seconds{node}      gauge ("" = any node)
 *   pxeinv_unknown_machines                       gauge
 *   pxeinv_hook_events_total                      counter
 */
#ifndef PXEINV_STATE_METRICS_H
#define PXEINV_STATE_METRICS_H

#include <stddef.h>

#include "kvfile.h"

#define METRICS_GLOBAL "pxeinv.prom"

/**
 * Render one node's metrics from its state.
 *
 * @v node      Node
 * @v st        Its state (ev_firmware, ev_httpboot, ev_ipxe, boots,
 *              fetches, last_boot)
 * @v buf       Buffer
 * @v size      Size
 * @ret len     Length, or -ENOSPC when it did not fit
 */
int metrics_render_node(const char *node, const struct kvfile *st, char *buf,
			size_t size);

/**
 * Render the totals from the global state.
 *
 * @v g         Global state (events, unknown_machines, last_boot,
 *              ev_unknown_firmware, ev_unknown_httpboot, ev_unknown_ipxe)
 * @v buf       Buffer
 * @v size      Size
 * @ret len     Length, or -ENOSPC when it did not fit
 */
int metrics_render_global(const struct kvfile *g, char *buf, size_t size);

/**
 * Write a node's metrics file.
 *
 * @v dirfd     State directory
 * @v node      Node
 * @v st        Its state
 * @ret rc      0 or -errno
 */
int metrics_write_node(int dirfd, const char *node, const struct kvfile *st);

/**
 * Write the totals file.
 *
 * @v dirfd     State directory
 * @v g         Global state
 * @ret rc      0 or -errno
 */
int metrics_write_global(int dirfd, const struct kvfile *g);

#endif /* PXEINV_STATE_METRICS_H */
