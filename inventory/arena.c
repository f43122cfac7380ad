/*
 * A bump allocator.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"
#include "oom.h"

/** Default chunk payload size (the fuzz targets take smaller chunks:
 * populating 1 MiB per inventory was most of an execution) */
#ifndef ARENA_CHUNK_SIZE
#define ARENA_CHUNK_SIZE (1024 * 1024 - 64)
#endif

/** One chunk of arena memory */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

void *arena_alloc(struct arena *arena, size_t size)
{
	struct arena_chunk *c = arena->chunk;
	size_t align = sizeof(max_align_t);
	void *p;

	size = (size + align - 1) & ~(align - 1);
	if (!c || c->size - c->used < size) {
		size_t want = size > ARENA_CHUNK_SIZE ? size : ARENA_CHUNK_SIZE;

		/* Fresh anonymous pages are already zero: no memset; and
		 * populated at once, cheaper than a fault per page */
		c = mmap(NULL, sizeof(*c) + want, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (c == MAP_FAILED)
			abort_out_of_memory("an arena chunk");
		c->size = want;
		c->used = 0;
		if (arena->chunk && size > ARENA_CHUNK_SIZE) {
			/* Keep filling the current chunk after a big one */
			c->next = arena->chunk->next;
			arena->chunk->next = c;
		} else {
			c->next = arena->chunk;
			arena->chunk = c;
		}
		arena->total += want;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

char *arena_strndup(struct arena *arena, const char *s, size_t len)
{
	char *copy = arena_alloc(arena, len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

void arena_free(struct arena *arena)
{
	struct arena_chunk *c = arena->chunk, *next;

	for (; c; c = next) {
		next = c->next;
		munmap(c, sizeof(*c) + c->size);
	}
	arena->chunk = NULL;
	arena->total = 0;
}
