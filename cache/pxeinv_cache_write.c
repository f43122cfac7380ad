/*
 * pxeinv lookup cache: writer.
 *
 * Records are written in the order they are added; the meta record comes
 * last and carries the count and crc32 of all the others (see
 * pxeinv_cache.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <cdb.h>
#include <zlib.h>

#include "pxeinv_cache.h"
#include "pxeinv_cache_write.h"

/** A cache being written */
struct pxeinv_cache_writer {
	struct cdb_make make;
	uLong crc;
	unsigned int records;
};

/**
 * Feed a 32-bit length to a running crc32, little-endian.
 *
 * @v crc       Running crc
 * @v len       Length
 * @ret crc     Updated crc
 */
static uLong writer_crc_length(uLong crc, unsigned int len)
{
	unsigned char le[4] = { len & 0xff, (len >> 8) & 0xff,
				(len >> 16) & 0xff, (len >> 24) & 0xff };

	return crc32(crc, le, sizeof(le));
}

int pxeinv_cache_writer_start(int fd, struct pxeinv_cache_writer **writer)
{
	struct pxeinv_cache_writer *w;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (cdb_make_start(&w->make, fd) != 0) {
		int rc = -errno;

		free(w);
		return rc ? rc : -EIO;
	}
	w->crc = crc32(0L, Z_NULL, 0);
	*writer = w;
	return 0;
}

int pxeinv_cache_writer_add(struct pxeinv_cache_writer *w, const void *key,
			    size_t klen, const void *val, size_t vlen)
{
	if (cdb_make_add(&w->make, key, klen, val, vlen) != 0)
		return errno ? -errno : -EIO;
	w->crc = writer_crc_length(w->crc, klen);
	w->crc = crc32(w->crc, key, klen);
	w->crc = writer_crc_length(w->crc, vlen);
	w->crc = crc32(w->crc, val, vlen);
	w->records++;
	return 0;
}

int pxeinv_cache_writer_finish(struct pxeinv_cache_writer *w)
{
	char meta[96];
	int len, rc = 0;

	len = snprintf(meta, sizeof(meta), PXEINV_CACHE_META_PREFIX
		       " %d %u %08lx", PXEINV_CACHE_VERSION, w->records,
		       (unsigned long)w->crc);
	if (cdb_make_add(&w->make, PXEINV_CACHE_META_KEY,
			 PXEINV_CACHE_META_KEYLEN, meta, len) != 0 ||
	    cdb_make_finish(&w->make) != 0)
		rc = errno ? -errno : -EIO;
	free(w);
	return rc;
}

void pxeinv_cache_writer_abort(struct pxeinv_cache_writer *w)
{
	if (!w)
		return;
	/* tinycdb frees its tables only in finish; the file is discarded */
	cdb_make_finish(&w->make);
	free(w);
}
