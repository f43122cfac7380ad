/*
 * A string-keyed hash table over glibc's hsearch_r.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

/**
 * Make the stored form of a key: its FNV-1a hash in hex, then the key.
 *
 * @v key       Key
 * @v buf       Output
 * @v size      Size of buf
 * @ret out     buf, or NULL when the key does not fit
 */
static char *strtab_hashed(const char *key, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t hash = 2166136261u;
	size_t len = strlen(key);
	int i;

	if (len + 9 > size)
		return NULL;
	for (i = 0; key[i]; i++)
		hash = (hash ^ (unsigned char)key[i]) * 16777619u;
	for (i = 7; i >= 0; i--, hash >>= 4)
		buf[i] = hex[hash & 15];
	memcpy(buf + 8, key, len + 1);
	return buf;
}

int strtab_init(struct strtab *t, size_t count)
{
	memset(t, 0, sizeof(*t));
	/* hsearch_r wants room to spare */
	return hcreate_r(count * 2 + 64, &t->h) ? 0 : -1;
}

void *strtab_find(struct strtab *t, const char *key)
{
	char buf[1024];
	ENTRY e = { .key = strtab_hashed(key, buf, sizeof(buf)) }, *found;

	if (!e.key || !hsearch_r(e, FIND, &found, &t->h))
		return NULL;
	return found->data;
}

void *strtab_add(struct strtab *t, const char *key, void *data)
{
	char buf[1024];
	ENTRY e = { .key = strtab_hashed(key, buf, sizeof(buf)),
		    .data = data }, *found;

	if (!e.key)
		abort();
	if (hsearch_r(e, FIND, &found, &t->h))
		return found->data;
	e.key = arena_strndup(&t->arena, buf, strlen(buf));
	if (!e.key || !hsearch_r(e, ENTER, &found, &t->h))
		abort();
	return NULL;
}

void strtab_free(struct strtab *t)
{
	hdestroy_r(&t->h);
	arena_free(&t->arena);
	memset(t, 0, sizeof(*t));
}
