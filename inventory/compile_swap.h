/*
 * `pxeinv compile`: putting the new tree in place of OUT_DIR.
 *
 * Compiles are serialised by a flock on OUT_DIR's parent.  The new tree is
 * made beside OUT_DIR (a sibling directory, so that one rename moves it),
 * synced with syncfs, and exchanged with OUT_DIR in one
 * renameat2(RENAME_EXCHANGE), or renamed into place when there was none.
 * Only a directory that is empty or that compile wrote (COMPILE_MARKER)
 * is replaced.  The previous tree is removed by a detached `rm -rf`;
 * trees that an interrupted compile left behind are removed by the next.
 */
#ifndef PXEINV_COMPILE_SWAP_H
#define PXEINV_COMPILE_SWAP_H

#include "compile_plan.h"

/** The swap of one compile */
struct compile_swap {
	int lockfd;             /**< OUT_DIR's parent, locked, or -1 */
	int exists;             /**< OUT_DIR exists: exchange, not rename */
	int made;               /**< the new tree exists, not in place */
};

/**
 * Lock OUT_DIR's parent, check that OUT_DIR may be replaced, remove stale
 * trees, read the previous tree's manifest, and make the new tree.
 *
 * @v c         Compile (paths planned); dirfd and old are set
 * @v swap      Swap, { .lockfd = -1 } before
 * @ret rc      0, or -1 (reason recorded); compile_swap_end() either way
 */
int compile_swap_begin(struct compile *c, struct compile_swap *swap);

/**
 * Sync the new tree and put it in place of OUT_DIR; the previous tree is
 * removed in the background.
 *
 * @v c         Compile
 * @v swap      Swap
 * @ret rc      0, or -1 (reason recorded; OUT_DIR untouched)
 */
int compile_swap_finish(struct compile *c, struct compile_swap *swap);

/**
 * Remove a new tree that was not put in place, close the new tree and the
 * previous tree's manifest, and unlock.
 *
 * @v c         Compile
 * @v swap      Swap
 */
void compile_swap_end(struct compile *c, struct compile_swap *swap);

/**
 * Remove a directory tree, as far as it can (also used by the unit tests'
 * temporary trees).
 *
 * @v path      Directory
 */
void compile_rm_tree(const char *path);

#endif /* PXEINV_COMPILE_SWAP_H */
