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
#include <string.h>

#include <cdb.h>
#include <zlib.h>

#include "pxeinv_cache.h"
#include "pxeinv_cache_write.h"
#include "pxeinv_record.h"

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

/**
 * Check a node name: the one rule (pxeinv_node_name_is_valid()).
 *
 * @v host      Node name, or NULL
 * @ret rc      0 or -EINVAL
 */
static int writer_check_host(const char *host)
{
	return host && pxeinv_node_name_is_valid(host) ? 0 : -EINVAL;
}

/**
 * Check a text field: 1 to max - 1 bytes, none of them a control
 * character (a tab would split the field, and the reader never looks up
 * a control character).
 *
 * @v text      Field, or NULL
 * @v max       Size of the reader's buffer for it
 * @ret rc      0, -EINVAL, or -ENAMETOOLONG
 */
static int writer_check_text(const char *text, size_t max)
{
	size_t len;

	if (!text || !text[0])
		return -EINVAL;
	for (len = 0; text[len]; len++)
		if ((unsigned char)text[len] < 0x20 || text[len] == 0x7f)
			return -EINVAL;
	return len < max ? 0 : -ENAMETOOLONG;
}

/**
 * Check a field against a pattern of lower-case hex digits ('x') and
 * literal characters.
 *
 * @v text      Field, or NULL
 * @v pattern   Pattern, e.g. "xx:xx"
 * @ret rc      0 or -EINVAL
 */
static int writer_check_hex(const char *text, const char *pattern)
{
	if (!text)
		return -EINVAL;
	for (; *pattern; pattern++, text++) {
		if (*pattern == 'x' ? !strchr("0123456789abcdef", *text) ||
		    !*text : *text != *pattern)
			return -EINVAL;
	}
	return *text ? -EINVAL : 0;
}

/**
 * Add a record whose key is a prefix and one or two fields (the second
 * after PXEINV_FIELD_SEPARATOR).
 *
 * @v w         Writer
 * @v prefix    Key prefix (PXEINV_KEY_...)
 * @v field     First key field
 * @v field2    Second key field, or NULL
 * @v value     Value
 * @ret rc      0, -ENAMETOOLONG, or -errno
 */
static int writer_put(struct pxeinv_cache_writer *w, const char *prefix,
		      const char *field, const char *field2,
		      const char *value)
{
	char key[PXEINV_KEY_MAX + 1];
	int n;

	if (field2)
		n = snprintf(key, sizeof(key), "%s%s%c%s", prefix, field,
			     PXEINV_FIELD_SEPARATOR, field2);
	else
		n = snprintf(key, sizeof(key), "%s%s", prefix, field);
	if (n < 0 || (size_t)n >= sizeof(key))
		return -ENAMETOOLONG;
	return pxeinv_cache_writer_add(w, key, n, value, strlen(value));
}

int pxeinv_cache_put_setting(struct pxeinv_cache_writer *w,
			     enum pxeinv_setting setting, const char *value)
{
	const char *name = pxeinv_record_setting_name(setting);
	int rc;

	if (!name)
		return -EINVAL;
	if ((rc = writer_check_text(value, PXEINV_FILE_MAX)) != 0)
		return rc;
	return writer_put(w, PXEINV_KEY_SETTING, name, NULL, value);
}

int pxeinv_cache_put_node(struct pxeinv_cache_writer *w, const char *host,
			  enum pxeinv_install install, const char *arch,
			  const char *script)
{
	const char *word = pxeinv_install_name(install);
	char record[PXEINV_NODE_RECORD_MAX];
	int rc, n;

	/* "unknown" names no mode a node record may hold */
	if (pxeinv_install_parse(word, strlen(word)) == PXEINV_INSTALL_UNKNOWN)
		return -EINVAL;
	if ((rc = writer_check_host(host)) != 0 ||
	    (rc = writer_check_text(arch, sizeof(record))) != 0 ||
	    (rc = writer_check_text(script, PXEINV_FILE_MAX)) != 0)
		return rc;
	n = snprintf(record, sizeof(record), "%s%c%s%c%s", word,
		     PXEINV_FIELD_SEPARATOR, arch, PXEINV_FIELD_SEPARATOR,
		     script);
	if (n < 0 || (size_t)n >= sizeof(record))
		return -ENAMETOOLONG;
	return writer_put(w, PXEINV_KEY_NODE, host, NULL, record);
}

int pxeinv_cache_put_https(struct pxeinv_cache_writer *w, const char *host)
{
	int rc;

	if ((rc = writer_check_host(host)) != 0)
		return rc;
	return writer_put(w, PXEINV_KEY_TRANSPORT, host, NULL,
			  PXEINV_TRANSPORT_HTTPS);
}

int pxeinv_cache_put_mac(struct pxeinv_cache_writer *w, const char *host,
			 const char *mac)
{
	int rc;

	if ((rc = writer_check_host(host)) != 0 ||
	    (rc = writer_check_hex(mac, "xx:xx:xx:xx:xx:xx")) != 0)
		return rc;
	return writer_put(w, PXEINV_KEY_MAC, mac, NULL, host);
}

int pxeinv_cache_put_uuid(struct pxeinv_cache_writer *w, const char *host,
			  const char *uuid)
{
	int rc;

	if ((rc = writer_check_host(host)) != 0 ||
	    (rc = writer_check_hex(uuid, "xxxxxxxx-xxxx-xxxx-xxxx-"
				   "xxxxxxxxxxxx")) != 0)
		return rc;
	return writer_put(w, PXEINV_KEY_UUID, uuid, NULL, host);
}

int pxeinv_cache_put_serial(struct pxeinv_cache_writer *w, const char *host,
			    const char *serial)
{
	int rc;

	if ((rc = writer_check_host(host)) != 0 ||
	    (rc = writer_check_text(serial, PXEINV_SERIAL_MAX)) != 0)
		return rc;
	return writer_put(w, PXEINV_KEY_SERIAL, serial, NULL, host);
}

int pxeinv_cache_put_board_serial(struct pxeinv_cache_writer *w,
				  const char *host, const char *board)
{
	int rc;

	if ((rc = writer_check_host(host)) != 0 ||
	    (rc = writer_check_text(board, PXEINV_SERIAL_MAX)) != 0)
		return rc;
	return writer_put(w, PXEINV_KEY_BOARD_SERIAL, board, NULL, host);
}

int pxeinv_cache_put_serial_board(struct pxeinv_cache_writer *w,
				  const char *host, const char *serial,
				  const char *board)
{
	int rc;

	if ((rc = writer_check_host(host)) != 0 ||
	    (rc = writer_check_text(serial, PXEINV_SERIAL_MAX)) != 0 ||
	    (rc = writer_check_text(board, PXEINV_SERIAL_MAX)) != 0)
		return rc;
	return writer_put(w, PXEINV_KEY_SERIAL_BOARD, serial, board, host);
}

unsigned int pxeinv_cache_writer_records(const struct pxeinv_cache_writer *w)
{
	return w->records;
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
