/*
 * pxeinv lookup cache: reader (open, verify, look records up).
 *
 * Shared, unchanged, by the `pxeinv` CLI and the dnsmasq patch.  See
 * pxeinv_cache.h for the format, and pxeinv_record.h for the layout of
 * its records, which pxeinv_cache_write.c writes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* memfd_create(), F_ADD_SEALS; dnsmasq builds us too */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdb.h>
#include <zlib.h>

#include "pxeinv_cache.h"
#include "pxeinv_record.h"

/** An opened cache */
struct pxeinv_cache {
	struct cdb cdb;
	unsigned int nodes;
};

/**
 * Write a one-line reason into a caller's buffer.
 *
 * @v err       Buffer, or NULL
 * @v errlen    Size of err
 * @v fmt       printf format
 */
static void cache_set_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/**
 * Feed a 32-bit length to a running crc32, little-endian.
 *
 * @v crc       Running crc
 * @v len       Length
 * @ret crc     Updated crc
 */
static uLong cache_crc_length(uLong crc, unsigned int len)
{
	unsigned char le[4] = { len & 0xff, (len >> 8) & 0xff,
				(len >> 16) & 0xff, (len >> 24) & 0xff };

	return crc32(crc, le, sizeof(le));
}

/**
 * Verify the meta record, record count and checksum of a mapped cache.
 *
 * @v cache     Cache with cdb initialised
 * @v err       Reason buffer
 * @v errlen    Size of err
 * @ret rc      PXEINV_OK or a negative enum pxeinv_rc
 */
static int cache_verify(struct pxeinv_cache *cache, char *err, size_t errlen)
{
	struct cdb *cdb = &cache->cdb;
	char meta[96];
	unsigned int version, want_records, records = 0;
	unsigned long want_crc;
	uLong crc = crc32(0L, Z_NULL, 0);
	unsigned int pos, len;
	char tail;

	if (cdb_find(cdb, PXEINV_CACHE_META_KEY,
		     PXEINV_CACHE_META_KEYLEN) <= 0) {
		cache_set_error(err, errlen, "no pxeinv meta record (not a "
				"pxeinv cache, or truncated)");
		return PXEINV_ERR_FORMAT;
	}
	len = cdb_datalen(cdb);
	if (len >= sizeof(meta) || cdb_read(cdb, meta, len, cdb_datapos(cdb))) {
		cache_set_error(err, errlen, "unreadable meta record");
		return PXEINV_ERR_FORMAT;
	}
	meta[len] = '\0';
	if (sscanf(meta, PXEINV_CACHE_META_PREFIX " %u %u %lx%c", &version,
		   &want_records, &want_crc, &tail) != 3) {
		cache_set_error(err, errlen, "malformed meta record");
		return PXEINV_ERR_FORMAT;
	}
	if (version != PXEINV_CACHE_VERSION) {
		cache_set_error(err, errlen, "cache format version %u, this "
				"reader knows version %d: recompile the "
				"inventory with a matching pxeinv", version,
				PXEINV_CACHE_VERSION);
		return PXEINV_ERR_VERSION;
	}

	/* tinycdb writes 2 slots of 8 bytes per record after the records */
	if (want_records > cdb->cdb_fsize ||
	    cdb->cdb_fsize != cdb->cdb_dend + 16 * (want_records + 1)) {
		cache_set_error(err, errlen, "file is %u bytes, its meta record "
				"says %u (truncated or corrupt)",
				cdb->cdb_fsize,
				cdb->cdb_dend + 16 * (want_records + 1));
		return PXEINV_ERR_FORMAT;
	}
	cdb_seqinit(&pos, cdb);
	while (1) {
		const void *key, *val;
		unsigned int klen, vlen;
		int more = cdb_seqnext(&pos, cdb);

		if (more < 0) {
			cache_set_error(err, errlen, "corrupt record list");
			return PXEINV_ERR_FORMAT;
		}
		if (more == 0)
			break;
		klen = cdb_keylen(cdb);
		vlen = cdb_datalen(cdb);
		key = cdb_get(cdb, klen, cdb_keypos(cdb));
		val = cdb_get(cdb, vlen, cdb_datapos(cdb));
		if (!key || !val) {
			cache_set_error(err, errlen, "record out of bounds");
			return PXEINV_ERR_FORMAT;
		}
		if (klen == PXEINV_CACHE_META_KEYLEN &&
		    memcmp(key, PXEINV_CACHE_META_KEY, klen) == 0)
			continue;
		/* The hash tables must lead to this very record */
		{
			unsigned int vpos = cdb_datapos(cdb);

			if (cdb_find(cdb, key, klen) <= 0 ||
			    cdb_datapos(cdb) != vpos) {
				cache_set_error(err, errlen, "hash tables do "
						"not lead to every record "
						"(corrupt)");
				return PXEINV_ERR_FORMAT;
			}
		}
		crc = cache_crc_length(crc, klen);
		crc = crc32(crc, key, klen);
		crc = cache_crc_length(crc, vlen);
		crc = crc32(crc, val, vlen);
		records++;
		if (klen > PXEINV_KEY_PREFIX_LEN &&
		    memcmp(key, PXEINV_KEY_NODE, PXEINV_KEY_PREFIX_LEN) == 0)
			cache->nodes++;
	}
	if (records != want_records) {
		cache_set_error(err, errlen, "%u records, meta says %u "
				"(truncated or corrupt)", records,
				want_records);
		return PXEINV_ERR_CHECKSUM;
	}
	if ((unsigned long)crc != want_crc) {
		cache_set_error(err, errlen, "checksum mismatch (corrupt)");
		return PXEINV_ERR_CHECKSUM;
	}
	return PXEINV_OK;
}

/**
 * Put the cache's path in front of a reason, so that every reason that
 * pxeinv_cache_open() gives names the file once.
 *
 * @v err       Reason buffer, or NULL
 * @v errlen    Size of err
 * @v path      Cache file
 */
static void cache_name_file(char *err, size_t errlen, const char *path)
{
	char reason[256];       /* the longest reason is about 110 bytes */

	if (!err || !errlen)
		return;
	snprintf(reason, sizeof(reason), "%s", err);
	snprintf(err, errlen, "%s: %s", path, reason);
}

/**
 * Copy a cache file into a sealed memory file.  What is served is that
 * copy: nothing done to the file afterwards (truncated, rewritten in
 * place, replaced, removed) reaches it, and the copy, not the file, is
 * what pxeinv_cache_open() verifies.
 *
 * @v path      Cache file
 * @v copy      Sealed memory file, on success; the caller closes it
 * @v err       Reason buffer
 * @v errlen    Size of err
 * @ret rc      PXEINV_OK, PXEINV_ERR_IO or PXEINV_ERR_FORMAT
 */
static int cache_copy_file(const char *path, int *copy, char *err,
			   size_t errlen)
{
	struct stat st;
	off_t copied = 0;
	ssize_t len;
	int fd, memfd, rc;

	/* O_NONBLOCK: a FIFO put in the file's place must not block */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		cache_set_error(err, errlen, "cannot open %s: %s", path,
				strerror(errno));
		return PXEINV_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		cache_set_error(err, errlen, "cannot stat %s: %s", path,
				strerror(errno));
		rc = PXEINV_ERR_IO;
		goto err_stat;
	}
	if (!S_ISREG(st.st_mode)) {
		cache_set_error(err, errlen, "%s is not a regular file", path);
		rc = PXEINV_ERR_IO;
		goto err_stat;
	}
	/* tinycdb's offsets are 32 bits */
	if ((unsigned long long)st.st_size > UINT32_MAX) {
		cache_set_error(err, errlen, "%s is %lld bytes, more than a "
				"cdb file can hold", path,
				(long long)st.st_size);
		rc = PXEINV_ERR_FORMAT;
		goto err_stat;
	}
	memfd = memfd_create("pxeinv-cache", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0)
		goto err_copy;
	/* A file that shrinks meanwhile leaves a short copy, which the
	 * verification refuses */
	while (copied < st.st_size) {
		len = sendfile(memfd, fd, NULL, st.st_size - copied);
		if (len < 0)
			goto err_copy;
		if (len == 0)
			break;
		copied += len;
	}
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_WRITE | F_SEAL_SEAL) != 0)
		goto err_copy;
	close(fd);
	*copy = memfd;
	return PXEINV_OK;

 err_copy:
	cache_set_error(err, errlen, "cannot copy %s into memory: %s", path,
			strerror(errno));
	rc = PXEINV_ERR_IO;
	if (memfd >= 0)
		close(memfd);
 err_stat:
	close(fd);
	return rc;
}

int pxeinv_cache_open(const char *path, struct pxeinv_cache **cache,
		      char *err, size_t errlen)
{
	struct pxeinv_cache *c;
	int copy, rc;

	*cache = NULL;
	rc = cache_copy_file(path, &copy, err, errlen);
	if (rc != PXEINV_OK)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c) {
		cache_set_error(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto err_alloc;
	}
	if (cdb_init(&c->cdb, copy) != 0) {
		cache_set_error(err, errlen, "%s is not a valid cdb file "
				"(truncated or corrupt): %s", path,
				strerror(errno));
		rc = PXEINV_ERR_FORMAT;
		goto err_init;
	}
	/* The mapping keeps the copy alive: no descriptor stays open */
	close(copy);
	c->cdb.cdb_fd = -1;
	/* Children inherit the mapping: dnsmasq opens the first copy while
	 * it reads its options, then forks into the background, and the
	 * daemon serves that copy (MADV_DONTFORK would leave it unmapped
	 * there).  Its script helper, forked once, keeps that first copy
	 * after a reload: one copy's memory, shared, not one per reload. */
	rc = cache_verify(c, err, errlen);
	if (rc != PXEINV_OK) {
		cache_name_file(err, errlen, path);
		cdb_free(&c->cdb);
		free(c);
		return rc;
	}
	*cache = c;
	return PXEINV_OK;

 err_init:
	free(c);
 err_alloc:
	close(copy);
	return rc;
}

void pxeinv_cache_close(struct pxeinv_cache *cache)
{
	if (!cache)
		return;
	cdb_free(&cache->cdb);
	free(cache);
}

unsigned int pxeinv_cache_nodes(const struct pxeinv_cache *cache)
{
	return cache->nodes;
}

/**
 * Look up a record whose key is a prefix and one or two fields (the
 * second after PXEINV_FIELD_SEPARATOR), and copy its value as a
 * NUL-terminated string.
 *
 * @v cache     Cache
 * @v prefix    Key prefix (PXEINV_KEY_...)
 * @v field     First key field
 * @v len       Its length
 * @v field2    Second key field, or NULL
 * @v out       Output buffer, "" when not found
 * @v outlen    Size of out
 * @ret found   1 when found and it fits, 0 otherwise
 */
static int cache_get(struct pxeinv_cache *cache, const char *prefix,
		     const void *field, size_t len, const char *field2,
		     char *out, size_t outlen)
{
	char key[PXEINV_KEY_MAX + 2];
	size_t klen = PXEINV_KEY_PREFIX_LEN + len;
	size_t len2 = field2 ? strlen(field2) : 0;
	unsigned int vlen;

	out[0] = '\0';
	if (klen + (field2 ? 1 + len2 : 0) > sizeof(key))
		return 0;
	memcpy(key, prefix, PXEINV_KEY_PREFIX_LEN);
	memcpy(key + PXEINV_KEY_PREFIX_LEN, field, len);
	if (field2) {
		key[klen++] = PXEINV_FIELD_SEPARATOR;
		memcpy(key + klen, field2, len2);
		klen += len2;
	}
	if (cdb_find(&cache->cdb, key, klen) <= 0)
		return 0;
	vlen = cdb_datalen(&cache->cdb);
	if (vlen >= outlen ||
	    cdb_read(&cache->cdb, out, vlen, cdb_datapos(&cache->cdb))) {
		out[0] = '\0';
		return 0;
	}
	out[vlen] = '\0';
	return 1;
}

int pxeinv_cache_find_mac(struct pxeinv_cache *cache,
			  const unsigned char *mac, char *node)
{
	char text[PXEINV_MAC_TEXT_LEN + 1];

	snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	return cache_get(cache, PXEINV_KEY_MAC, text, PXEINV_MAC_TEXT_LEN,
			 NULL, node, PXEINV_NODE_MAX);
}

int pxeinv_cache_find_uuid(struct pxeinv_cache *cache,
			   const unsigned char *uuid, char *node)
{
	char text[PXEINV_UUID_TEXT_LEN + 1];
	int i, n = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			text[n++] = '-';
		n += sprintf(text + n, "%02x", uuid[i]);
	}
	return cache_get(cache, PXEINV_KEY_UUID, text, PXEINV_UUID_TEXT_LEN,
			 NULL, node, PXEINV_NODE_MAX);
}

int pxeinv_cache_find_serial(struct pxeinv_cache *cache, const char *serial,
			     char *node)
{
	return cache_get(cache, PXEINV_KEY_SERIAL, serial, strlen(serial),
			 NULL, node, PXEINV_NODE_MAX);
}

int pxeinv_cache_find_board_serial(struct pxeinv_cache *cache,
				   const char *board, char *node)
{
	return cache_get(cache, PXEINV_KEY_BOARD_SERIAL, board, strlen(board),
			 NULL, node, PXEINV_NODE_MAX);
}

int pxeinv_cache_find_serial_board(struct pxeinv_cache *cache,
				   const char *serial, const char *board,
				   char *node)
{
	return cache_get(cache, PXEINV_KEY_SERIAL_BOARD, serial,
			 strlen(serial), board, node, PXEINV_NODE_MAX);
}

int pxeinv_cache_read_node(struct pxeinv_cache *cache, const char *node,
			   enum pxeinv_install *install, char *script)
{
	char rec[PXEINV_NODE_RECORD_MAX];
	char *arch, *file;

	if (!cache_get(cache, PXEINV_KEY_NODE, node, strlen(node), NULL, rec,
		       sizeof(rec)))
		return PXEINV_ERR_RECORD;
	arch = strchr(rec, PXEINV_FIELD_SEPARATOR);
	if (!arch)
		return PXEINV_ERR_RECORD;
	*arch++ = '\0';
	file = strchr(arch, PXEINV_FIELD_SEPARATOR);
	if (!file)
		return PXEINV_ERR_RECORD;
	*file++ = '\0';
	*install = pxeinv_install_parse(rec, strlen(rec));
	if (*install == PXEINV_INSTALL_UNKNOWN)
		return PXEINV_ERR_RECORD;
	if (strlen(file) >= PXEINV_FILE_MAX)
		return PXEINV_ERR_RECORD;
	strcpy(script, file);
	return PXEINV_OK;
}

int pxeinv_cache_node_uses_https(struct pxeinv_cache *cache,
				 const char *node)
{
	char transport[sizeof(PXEINV_TRANSPORT_HTTPS) + 2];

	return cache_get(cache, PXEINV_KEY_TRANSPORT, node, strlen(node), NULL,
			 transport, sizeof(transport)) &&
	       strcmp(transport, PXEINV_TRANSPORT_HTTPS) == 0;
}

int pxeinv_cache_get_setting(struct pxeinv_cache *cache,
			     enum pxeinv_setting setting, char *value)
{
	const char *name = pxeinv_record_setting_name(setting);

	if (!name) {
		value[0] = '\0';
		return 0;
	}
	return cache_get(cache, PXEINV_KEY_SETTING, name, strlen(name), NULL,
			 value, PXEINV_FILE_MAX);
}

int pxeinv_cache_each_node(struct pxeinv_cache *cache,
			   int (*fn)(const char *node,
				     enum pxeinv_install install, void *ctx),
			   void *ctx)
{
	char node[PXEINV_NODE_MAX], script[PXEINV_FILE_MAX];
	enum pxeinv_install install;
	unsigned int pos;
	unsigned klen;

	cdb_seqinit(&pos, &cache->cdb);
	while (cdb_seqnext(&pos, &cache->cdb) > 0) {
		klen = cdb_keylen(&cache->cdb);
		if (klen <= PXEINV_KEY_PREFIX_LEN ||
		    klen - PXEINV_KEY_PREFIX_LEN >= sizeof(node))
			continue;
		if (cdb_read(&cache->cdb, node, PXEINV_KEY_PREFIX_LEN,
			     cdb_keypos(&cache->cdb)) != 0 ||
		    memcmp(node, PXEINV_KEY_NODE, PXEINV_KEY_PREFIX_LEN) != 0)
			continue;
		if (cdb_read(&cache->cdb, node, klen - PXEINV_KEY_PREFIX_LEN,
			     cdb_keypos(&cache->cdb) + PXEINV_KEY_PREFIX_LEN)
		    != 0)
			return PXEINV_ERR_RECORD;
		node[klen - PXEINV_KEY_PREFIX_LEN] = '\0';
		if (pxeinv_cache_read_node(cache, node, &install, script) !=
		    PXEINV_OK)
			return PXEINV_ERR_RECORD;
		if (fn(node, install, ctx))
			break;
	}
	return PXEINV_OK;
}
