/*
 * The manifest of an OUT_DIR.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "pxeinv.h"
#include "oom.h"

/** Longest manifest line */
#define MANIFEST_LINE_MAX 128

void manifest_load(struct manifest *m, const char *out_dir)
{
	char path[4096], line[MANIFEST_LINE_MAX];
	size_t count = 0, cap = 0;
	FILE *f;

	memset(m, 0, sizeof(*m));
	m->dirfd = -1;
	if (snprintf(path, sizeof(path), "%s/" MANIFEST_NAME, out_dir) >=
	    (int)sizeof(path))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	/* First pass counts, so that the table is sized once */
	while (fgets(line, sizeof(line), f))
		cap++;
	rewind(f);
	m->entries = calloc(cap + 1, sizeof(*m->entries));
	m->hosts = calloc(cap + 1, sizeof(*m->hosts));
	m->seen = calloc(cap + 1, 1);
	if (!m->entries || !m->hosts || !m->seen)
		abort_out_of_memory("the manifest");
	strtab_init(&m->tab, cap);
	while (count < cap && fgets(line, sizeof(line), f)) {
		struct manifest_entry *e = &m->entries[count];
		char host[MANIFEST_LINE_MAX];
		unsigned long long hash;
		unsigned long len;

		/* only host names: they are printed as removed nodes */
		if (sscanf(line, "%16llx %lu %127s", &hash, &len, host) != 3 ||
		    !pxeinv_node_name_is_valid(host))
			continue;
		e->hash = hash;
		e->len = len;
		if (strtab_add(&m->tab, host, e))
			continue;       /* listed twice: the first counts */
		m->hosts[count] = arena_strndup(&m->tab.arena, host,
						strlen(host));
		count++;
	}
	m->count = count;
	fclose(f);
	m->dirfd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct manifest_entry manifest_fingerprint(const char *buf, size_t len)
{
	struct manifest_entry e = { 14695981039346656037ull, len };
	size_t i;

	for (i = 0; i < len; i++)
		e.hash = (e.hash ^ (unsigned char)buf[i]) * 1099511628211ull;
	return e;
}

enum manifest_change manifest_compare(struct manifest *m, const char *host,
				      const struct manifest_entry *e)
{
	const struct manifest_entry *old;

	if (m->dirfd < 0 || !m->entries)
		return MANIFEST_ADDED;
	old = strtab_find(&m->tab, host);
	if (!old)
		return MANIFEST_ADDED;
	m->seen[old - m->entries] = 1;
	return old->hash == e->hash && old->len == e->len ? MANIFEST_SAME :
	       MANIFEST_CHANGED;
}

void manifest_write_line(FILE *out, const char *host,
			 const struct manifest_entry *e)
{
	fprintf(out, "%016llx %lu %s\n", (unsigned long long)e->hash,
		(unsigned long)e->len, host);
}

void manifest_free(struct manifest *m)
{
	if (m->entries)
		strtab_free(&m->tab);
	free(m->entries);
	free(m->hosts);
	free(m->seen);
	if (m->dirfd >= 0)
		close(m->dirfd);
	memset(m, 0, sizeof(*m));
	m->dirfd = -1;
}
