/*
 * A string-keyed hash table over glibc's hsearch_r.
 *
 * hsearch_r hashes only the first few characters of a key, and pxeinv's
 * keys share long prefixes ("m:02:00:…", "node-0…"), so every key is stored
 * behind a FNV-1a hash of itself.
 */
#ifndef PXEINV_STRTAB_H
#define PXEINV_STRTAB_H

#include <search.h>
#include <stddef.h>

#include "arena.h"

/** A table; zero-initialise, then strtab_init() */
struct strtab {
	struct hsearch_data h;
	struct arena arena;     /**< the stored keys */
};

/**
 * Create a table for up to count keys.
 *
 * @v t         Table
 * @v count     Most keys it will hold
 * @ret rc      0, or -1 when out of memory
 */
int strtab_init(struct strtab *t, size_t count);

/**
 * Find a key.
 *
 * @v t         Table
 * @v key       Key
 * @ret data    Its data, or NULL when absent
 */
void *strtab_find(struct strtab *t, const char *key);

/**
 * Add a key unless it is there.
 *
 * @v t         Table
 * @v key       Key (copied)
 * @v data      Data for a new key
 * @ret old     Data of the key already there, or NULL when added
 */
void *strtab_add(struct strtab *t, const char *key, void *data);

/**
 * Free a table.
 *
 * @v t         Table
 */
void strtab_free(struct strtab *t);

#endif /* PXEINV_STRTAB_H */
