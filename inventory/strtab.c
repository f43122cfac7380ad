/*
 * A string-keyed hash table (see strtab.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "oom.h"
#include "strtab.h"

/**
 * Hash a key.
 *
 * @v key       Key
 * @v len       Its length, on return
 * @ret hash    64-bit FNV-1a hash
 */
static uint64_t strtab_hash(const char *key, size_t *len)
{
	uint64_t hash = 14695981039346656037ull;
	size_t i;

	for (i = 0; key[i]; i++)
		hash = (hash ^ (unsigned char)key[i]) * 1099511628211ull;
	*len = i;
	return hash;
}

/**
 * Find the slot of a key, or the empty slot where it would go.
 *
 * @v t         Table
 * @v key       Key
 * @v hash      Its hash
 * @ret slot    Slot
 */
static struct strtab_slot *strtab_slot(struct strtab *t, const char *key,
				       uint64_t hash)
{
	size_t i = (hash ^ (hash >> 29)) & t->mask;

	while (t->slots[i].key && (t->slots[i].hash != hash ||
				   strcmp(t->slots[i].key, key) != 0))
		i = (i + 1) & t->mask;
	return &t->slots[i];
}

/**
 * Allocate the slots for a table of at least count keys (load <= 3/4).
 *
 * Fresh anonymous pages are zero, and mapped populated: one page fault
 * per page of a big table cost more than the whole table's probes.
 *
 * @v t         Table
 * @v count     Keys
 */
static void strtab_alloc(struct strtab *t, size_t count)
{
	size_t size = 64;
	void *slots;

	while (size * 3 / 4 < count + 1)
		size *= 2;
	slots = mmap(NULL, size * sizeof(*t->slots), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (slots == MAP_FAILED)
		abort_out_of_memory("a hash table");
	t->slots = slots;
	t->mask = size - 1;
}

/**
 * Free slots from strtab_alloc().
 *
 * @v slots     Slots
 * @v mask      Their count - 1
 */
static void strtab_free_slots(struct strtab_slot *slots, size_t mask)
{
	if (slots)
		munmap(slots, (mask + 1) * sizeof(*slots));
}

/**
 * Double the slots and re-place every key.
 *
 * @v t         Table
 */
static void strtab_grow(struct strtab *t)
{
	struct strtab_slot *old = t->slots;
	size_t i, n = t->mask + 1;

	strtab_alloc(t, n);
	for (i = 0; i < n; i++)
		if (old[i].key)
			*strtab_slot(t, old[i].key, old[i].hash) = old[i];
	strtab_free_slots(old, n - 1);
}

void strtab_init(struct strtab *t, size_t count)
{
	memset(t, 0, sizeof(*t));
	strtab_alloc(t, count);
}

void *strtab_find(struct strtab *t, const char *key)
{
	size_t len;
	struct strtab_slot *s = strtab_slot(t, key, strtab_hash(key, &len));

	return s->key ? s->data : NULL;
}

void *strtab_add(struct strtab *t, const char *key, void *data)
{
	size_t len;
	uint64_t hash = strtab_hash(key, &len);
	struct strtab_slot *s = strtab_slot(t, key, hash);

	if (s->key)
		return s->data;
	if ((t->used + 1) * 4 > (t->mask + 1) * 3) {
		strtab_grow(t);
		s = strtab_slot(t, key, hash);
	}
	s->key = arena_strndup(&t->arena, key, len);
	s->hash = hash;
	s->data = data;
	t->used++;
	return NULL;
}

void strtab_free(struct strtab *t)
{
	strtab_free_slots(t->slots, t->mask);
	arena_free(&t->arena);
	memset(t, 0, sizeof(*t));
}
