/*
 * The files an inventory boots: every kernel, initramfs and UKI its
 * scripts fetch, once each, with the nodes that fetch it.
 */
#ifndef PXEINV_ASSETS_H
#define PXEINV_ASSETS_H

#include <stddef.h>

#include "node.h"
#include "strtab.h"

/** One file the inventory boots */
struct asset {
	char *url;              /**< the URL the scripts fetch */
	char *path;             /**< SCHEMATIC/VERSION/FILE below the base */
	const struct node **nodes;      /**< the nodes that fetch it */
	size_t nnodes;
};

/** The files of an inventory, in the order of their first node */
struct asset_list {
	struct asset *v;
	size_t n;
	size_t cap;
	struct strtab index;    /**< URL -> index + 1 in v */
};

/**
 * List the files that checked nodes fetch, once per URL.  Out of memory
 * ends the process (oom.h).
 *
 * @v list      List (zero-initialised)
 * @v nodes     Checked nodes
 * @v count     Number of nodes
 */
void assets_collect(struct asset_list *list, const struct node *nodes,
		    size_t count);

/**
 * Free a list.
 *
 * @v list      List
 */
void assets_free(struct asset_list *list);

#endif /* PXEINV_ASSETS_H */
