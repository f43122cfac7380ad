/*
 * `pxeinv compile`: the identity index that the fallback dispatcher reads.
 *
 * tftp/pxeinv/index/by-serial-board/SERIAL_BOARD.ipxe,
 * .../by-board-serial/BOARD.ipxe and .../by-serial/SERIAL.ipxe: one entry
 * per identity that the steering would match from a reported serial
 * (pxeinv_steer.c: a client reaches the fallback only when its chaddr and
 * option 97 matched no node, so MACs and UUIDs have no entries), each a
 * two-line script that chains ../../nodes/NODE.ipxe (a boot-once node
 * first tries ../../installed/NODE.ipxe, and exits when that ran).  Names
 * are serials as check.c let them through: letters, digits and .:+-.
 *
 * The index's identity map (every entry, its node and whether it tries the
 * exit script) is written last, as index/.identities.  When the previous
 * tree's map is the same, its index directory is moved into the new tree
 * instead of being written again: the new tree holds a symlink in its
 * place, and just before the swap one renameat2(RENAME_EXCHANGE) trades
 * the two, so that the tree dnsmasq still serves reaches the directory
 * through that symlink until the swap.  When the map changed, the entries
 * whose map line is in the previous map are hard-linked from the previous
 * index, as unchanged node scripts are (entry files are never modified in
 * place), and only the others are written.
 */
#ifndef PXEINV_COMPILE_INDEX_H
#define PXEINV_COMPILE_INDEX_H

#include "compile_plan.h"
#include "node.h"

/**
 * Work out the index's map, compare it with the previous tree's, and make
 * the new tree's index directories (or the symlink that stands for the
 * previous tree's until the swap).
 *
 * @v c         Compile (new tree made; tftp/pxeinv exists)
 * @v nodes     Nodes
 * @v count     Number of nodes
 * @ret rc      0 or -1 (reason recorded)
 */
int compile_index_plan(struct compile *c, const struct node *nodes,
		       size_t count);

/**
 * Write a node's index entries (nothing when the index is reused).  Safe
 * to call from several threads at once, for distinct nodes.
 *
 * @v c         Compile
 * @v n         Node
 * @ret rc      0 or -1 (reason recorded)
 */
int compile_index_node(struct compile *c, const struct node *n);

/**
 * Write the index's map, once every entry is written (nothing when the
 * index is reused).
 *
 * @v c         Compile
 * @ret rc      0 or -1 (reason recorded)
 */
int compile_index_finish(struct compile *c);

/**
 * Move a reused index from the previous tree into the new one, leaving the
 * new tree's symlink in its place; called just before the swap.
 *
 * @v c         Compile
 * @ret rc      0 or -1 (reason recorded; nothing moved)
 */
int compile_index_move(struct compile *c);

/**
 * Move a reused index back into the previous tree, when the swap failed.
 *
 * @v c         Compile
 */
void compile_index_unmove(struct compile *c);

/**
 * Close the index's directories and free its map.
 *
 * @v c         Compile
 */
void compile_index_free(struct compile *c);

#endif /* PXEINV_COMPILE_INDEX_H */
