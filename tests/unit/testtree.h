/*
 * Unit test helpers: throwaway nodes/ trees on disk, and assertions on the
 * diagnostics pxeinv reports for them.
 */
#ifndef PXEINV_TESTTREE_H
#define PXEINV_TESTTREE_H

#include <stddef.h>

#include "../../inventory/inventory.h"
#include "../../inventory/check.h"

/** A throwaway tree */
struct testtree {
	char root[256];         /**< mkdtemp directory */
	struct inventory inv;
	struct node *nodes;
	size_t errors;
	char *text;             /**< diagnostics as pxeinv prints them */
};

/**
 * Create an empty tree in a new temporary directory.
 *
 * @v t         Tree
 */
void testtree_init(struct testtree *t);

/**
 * Write a file of the tree (parent directories are created).
 *
 * @v t         Tree
 * @v rel       Path relative to the root
 * @v content   File content
 */
void testtree_write(struct testtree *t, const char *rel, const char *content);

/**
 * Load and check the tree; t->text gets the printed diagnostics with the
 * root directory shown as "nodes".
 *
 * @v t         Tree
 * @ret errors  Number of errors
 */
size_t testtree_check(struct testtree *t);

/**
 * Assert the diagnostics contain a line, exactly (cmocka failure if not).
 *
 * @v t         Tree, checked
 * @v line      Expected line, without the newline
 */
void testtree_expect(const struct testtree *t, const char *line);

/**
 * Remove the tree and free everything.
 *
 * @v t         Tree
 */
void testtree_free(struct testtree *t);

/**
 * Make a scratch directory under /tmp for a test program.
 *
 * @v dir       Buffer, 64 bytes, for its path
 * @v name      Part of its name ("hook-unit")
 */
void testtree_scratch(char *dir, const char *name);

/**
 * Remove a scratch directory and everything in it.
 *
 * @v dir       Its path
 */
void testtree_scratch_remove(const char *dir);

#endif /* PXEINV_TESTTREE_H */
