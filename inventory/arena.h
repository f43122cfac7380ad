/*
 * A bump allocator: everything loaded from one inventory is freed at once.
 */
#ifndef PXEINV_ARENA_H
#define PXEINV_ARENA_H

#include <stddef.h>

/** One arena; zero-initialise before use */
struct arena {
	struct arena_chunk *chunk;
	size_t total;
};

/**
 * Allocate zeroed memory that lives until arena_free(). Out of memory
 * ends the process (oom.h).
 *
 * @v arena     Arena
 * @v size      Bytes
 * @ret ptr     Memory, never NULL
 */
void *arena_alloc(struct arena *arena, size_t size);

/**
 * Copy a byte string into the arena and NUL-terminate it.
 *
 * @v arena     Arena
 * @v s         Bytes
 * @v len       Length
 * @ret copy    Copy, never NULL
 */
char *arena_strndup(struct arena *arena, const char *s, size_t len);

/**
 * Free every allocation of an arena.
 *
 * @v arena     Arena
 */
void arena_free(struct arena *arena);

#endif /* PXEINV_ARENA_H */
