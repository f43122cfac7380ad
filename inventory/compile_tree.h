/*
 * `pxeinv compile`: writing every file of the new tree that the plan
 * (compile_plan.h) describes: the marker, the iPXE binaries, the node
 * scripts (on several threads; unchanged ones are linked from the previous
 * tree), the cache (on a thread of its own), ipxe.conf, the exit and
 * fallback scripts, the dnsmasq fragment and the manifest.
 */
#ifndef PXEINV_COMPILE_TREE_H
#define PXEINV_COMPILE_TREE_H

#include "compile_plan.h"
#include "node.h"

/**
 * Write every file of the new tree (c->dirfd).
 *
 * @v c         Compile
 * @v inv       Inventory
 * @v nodes     Nodes
 * @v stats     Counts
 * @ret rc      0 or -1 (reason recorded)
 */
int compile_tree(struct compile *c, struct inventory *inv,
		 const struct node *nodes, struct compile_stats *stats);

#endif /* PXEINV_COMPILE_TREE_H */
