/*
 * An inventory: the nodes/ tree, walked and merged.
 *
 * Every `_defaults.yaml` gives values for everything below it; every other
 * `*.yaml`/`*.yml` file is one machine whose file stem is its hostname.
 * Values merge key by key from the root down, and the nearest file wins,
 * exactly as the seed's merge.py does it.
 */
#ifndef PXEINV_INVENTORY_H
#define PXEINV_INVENTORY_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "yaml_load.h"

/** Deepest directory nesting walked */
#define INVENTORY_MAX_DEPTH 32

/** One loaded file */
struct inv_file {
	char *path;             /**< path to open */
	char *shown;            /**< path in diagnostics */
	struct yv *root;        /**< document, NULL when empty or broken */
	int broken;             /**< failed to load */
};

/** One merged key */
struct inv_kv {
	struct yv *key;
	struct yv *val;
	struct inv_file *src;   /**< file the value comes from */
};

/** One directory of the tree */
struct inv_dir {
	struct inv_dir *parent;
	char *rel;              /**< relative path, "" at the root */
	struct inv_file *defaults;
	struct inv_kv *merged;  /**< defaults from the root down to here */
	size_t nmerged;
};

/** One machine */
struct inv_node {
	char *hostname;         /**< file stem */
	char *filename;         /**< merge.py's "DIR/STEM" ("./STEM" at root) */
	struct inv_file *file;
	struct inv_dir *dir;
	struct inv_kv *kv;      /**< merged values, merge.py's key order */
	size_t n;
};

/** A whole inventory */
struct inventory {
	struct arena arena;
	struct diags diags;
	char *root;             /**< NODES_DIR as given */
	struct inv_node *nodes;
	size_t n;
	size_t cap;
	struct inv_file **defaults; /**< every _defaults.yaml loaded */
	size_t ndefaults;
	struct arena *arenas;   /**< the loading threads' arenas */
	size_t narenas;
};

/**
 * Walk and load a nodes/ tree, and merge every node.
 *
 * Problems are recorded in inv->diags; the nodes that loaded are kept.
 *
 * @v inv       Inventory (zero-initialised)
 * @v root      NODES_DIR
 * @v filter    merge.py's -f prefix of "DIR/STEM", or NULL
 * @ret rc      0, or a negative errno when NODES_DIR itself cannot be read
 *              (-ENOENT, -ENOTDIR, -EACCES, ...)
 */
int inventory_load(struct inventory *inv, const char *root,
		   const char *filter);

/**
 * Find a merged key of a node.
 *
 * @v node      Node
 * @v key       Key
 * @ret kv      Entry, or NULL
 */
const struct inv_kv *inventory_get(const struct inv_node *node,
				   const char *key);

/**
 * Free an inventory.
 *
 * @v inv       Inventory
 */
void inventory_free(struct inventory *inv);

#endif /* PXEINV_INVENTORY_H */
