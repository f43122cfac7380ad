/*
 * A string-keyed hash table: open addressing with linear probing over a
 * 64-bit FNV-1a hash of the whole key.
 *
 * pxeinv's keys share long prefixes ("m:02:00:…", "node-0…"), so every
 * byte is hashed; the full hash is stored beside each key, so that a probe
 * only compares strings whose hashes are equal. One call finds or adds.
 */
#ifndef PXEINV_STRTAB_H
#define PXEINV_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/** One slot of a table */
struct strtab_slot {
	uint64_t hash;
	const char *key;        /**< NULL: empty */
	void *data;
};

/** A table; zero-initialise, then strtab_init() */
struct strtab {
	struct strtab_slot *slots;
	size_t mask;            /**< slot count - 1 (a power of two) */
	size_t used;
	struct arena arena;     /**< the stored keys */
};

/**
 * Create a table sized for count keys (it grows if given more). Out of
 * memory ends the process (oom.h).
 *
 * @v t         Table
 * @v count     Keys it is expected to hold
 */
void strtab_init(struct strtab *t, size_t count);

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
