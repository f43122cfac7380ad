/*
 * pxeinv lookup cache: reader and steering decision.
 *
 * Shared, unchanged, by the `pxeinv` CLI and the dnsmasq patch.  See
 * pxeinv_cache.h for the format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdb.h>
#include <zlib.h>

#include "pxeinv_cache.h"

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
		if (klen > 2 && memcmp(key, "h:", 2) == 0)
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

int pxeinv_cache_open(const char *path, struct pxeinv_cache **cache,
		      char *err, size_t errlen)
{
	struct pxeinv_cache *c;
	int fd, rc;

	*cache = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cache_set_error(err, errlen, "cannot open %s: %s", path,
				strerror(errno));
		return PXEINV_ERR_IO;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		cache_set_error(err, errlen, "out of memory");
		close(fd);
		return PXEINV_ERR_IO;
	}
	if (cdb_init(&c->cdb, fd) != 0) {
		cache_set_error(err, errlen, "%s is not a valid cdb file "
				"(truncated or corrupt): %s", path,
				strerror(errno));
		close(fd);
		free(c);
		return PXEINV_ERR_FORMAT;
	}
	/* The mapping outlives the descriptor */
	close(fd);
	rc = cache_verify(c, err, errlen);
	if (rc != PXEINV_OK) {
		cache_name_file(err, errlen, path);
		cdb_free(&c->cdb);
		free(c);
		return rc;
	}
	*cache = c;
	return PXEINV_OK;
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
 * Look up "PREFIX" + key and copy its value as a NUL-terminated string.
 *
 * @v cache     Cache
 * @v prefix    Two-character key prefix, e.g. "m:"
 * @v key       Key bytes
 * @v klen      Key length
 * @v out       Output buffer
 * @v outlen    Size of out
 * @ret found   1 when found and it fits, 0 otherwise
 */
static int cache_get(struct pxeinv_cache *cache, const char *prefix,
		     const void *key, size_t klen, char *out, size_t outlen)
{
	char buf[2 + 2 * PXEINV_SERIAL_MAX + 2];
	unsigned int vlen;

	if (klen > sizeof(buf) - 2)
		return 0;
	memcpy(buf, prefix, 2);
	memcpy(buf + 2, key, klen);
	if (cdb_find(&cache->cdb, buf, 2 + klen) <= 0)
		return 0;
	vlen = cdb_datalen(&cache->cdb);
	if (vlen >= outlen ||
	    cdb_read(&cache->cdb, out, vlen, cdb_datapos(&cache->cdb)))
		return 0;
	out[vlen] = '\0';
	return 1;
}

/**
 * Format 16 UUID bytes as text, optionally swapping the first three
 * fields from SMBIOS (little-endian) order.
 *
 * @v b         16 bytes
 * @v smbios    Bytes are in SMBIOS order
 * @v out       Output, at least 37 bytes
 */
static void cache_format_uuid(const unsigned char *b, int smbios, char *out)
{
	static const unsigned char smbios_order[16] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	int i, n = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		n += sprintf(out + n, "%02x", b[smbios ? smbios_order[i] : i]);
	}
}

/**
 * Tell whether 16 UUID bytes carry no identity (all 0x00 or all 0xff).
 *
 * @v b         16 bytes
 * @ret blank   1 when blank
 */
static int cache_uuid_is_blank(const unsigned char *b)
{
	int i, zero = 1, ones = 1;

	for (i = 0; i < 16; i++) {
		zero &= (b[i] == 0x00);
		ones &= (b[i] == 0xff);
	}
	return zero || ones;
}

/**
 * Look up a node by a 6-byte MAC.
 *
 * @v cache     Cache
 * @v mac       6 bytes
 * @v node      Hostname output
 * @ret found   1 when found
 */
static int cache_find_mac(struct pxeinv_cache *cache, const unsigned char *mac,
			  char *node)
{
	char text[18];

	snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	return cache_get(cache, "m:", text, 17, node, PXEINV_NODE_MAX);
}

/**
 * Decode one percent-encoded field of the iPXE identity report.
 *
 * @v in        Field start
 * @v len       Field length
 * @v out       Output buffer, PXEINV_SERIAL_MAX bytes
 * @ret len     Decoded length, or -1 when malformed or too long
 */
static int cache_decode_field(const unsigned char *in, size_t len, char *out)
{
	size_t i;
	int n = 0;

	for (i = 0; i < len; i++) {
		unsigned int c = in[i];

		if (c == '%') {
			char hex[3];
			char *end;

			if (i + 2 >= len)
				return -1;
			hex[0] = in[i + 1];
			hex[1] = in[i + 2];
			hex[2] = '\0';
			c = strtoul(hex, &end, 16);
			if (*end)
				return -1;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || c == '\t')
			return -1;
		if (n >= PXEINV_SERIAL_MAX - 1)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/**
 * Undo dnsmasq's in-place RFC 3004 rewrite of option 77.
 *
 * When a user class happens to parse as RFC 3004 items (length byte, then
 * data), dnsmasq zeroes every length byte before the steering sees it.
 * Our report ("pxeinv/1 s=... b=...", percent-encoded, so never holding a
 * NUL) parses that way when its first byte, 'p' (112), and the following
 * bytes chain to the end.  Every NUL is then a former length byte, and
 * each length is the distance to the next NUL (or the end), so the
 * original text can be rebuilt exactly.
 *
 * @v uc        Rewritten payload (starts with a NUL)
 * @v len       Length, at most 256
 * @v out       Rebuilt payload, len bytes
 * @ret rc      0, or -1 when the payload is not such a rewrite
 */
static int cache_undo_rfc3004(const unsigned char *uc, size_t len,
			      unsigned char *out)
{
	size_t i = 0, next;

	memcpy(out, uc, len);
	while (i < len) {
		if (uc[i] != 0)
			return -1;
		for (next = i + 1; next < len && uc[next] != 0; next++)
			;
		if (next - i - 1 > 255 || next - i - 1 < 0x20)
			return -1;
		out[i] = next - i - 1;
		i = next;
	}
	return 0;
}

/**
 * Find the pxeinv identity report in a raw option 77 payload.
 *
 * iPXE sends "pxeinv/1 s=SERIAL b=BOARD" either raw or as one RFC 3004
 * item (a length byte first).
 *
 * @v uc        Option 77 payload
 * @v len       Length
 * @v serial    Decoded serial output ("" when absent)
 * @v board     Decoded board serial output ("" when absent)
 * @ret found   1 when a report was found
 */
static int cache_parse_identity(const unsigned char *uc, size_t len,
				char *serial, char *board)
{
	static const char tag[] = "pxeinv/1";
	size_t taglen = sizeof(tag) - 1, i, start;
	unsigned char fixed[256];

	serial[0] = board[0] = '\0';
	if (!uc)
		return 0;
	if (len > 0 && uc[0] == 0 && len <= sizeof(fixed)) {
		if (cache_undo_rfc3004(uc, len, fixed) != 0)
			return 0;
		uc = fixed;
	}
	if (len >= taglen && memcmp(uc, tag, taglen) == 0)
		start = 0;
	else if (len >= taglen + 1 && uc[0] == len - 1 &&
		 memcmp(uc + 1, tag, taglen) == 0)
		start = 1;
	else
		return 0;
	i = start + taglen;
	while (i < len) {
		size_t end;
		char *out;

		while (i < len && uc[i] == ' ')
			i++;
		for (end = i; end < len && uc[end] != ' '; end++)
			;
		if (end - i >= 2 && uc[i + 1] == '=' &&
		    (uc[i] == 's' || uc[i] == 'b')) {
			out = (uc[i] == 's') ? serial : board;
			if (cache_decode_field(uc + i + 2, end - i - 2,
					       out) < 0)
				out[0] = '\0';
		}
		i = end;
	}
	return 1;
}

/**
 * Tell whether a serial is a placeholder firmware puts in place of one.
 *
 * @v s         Serial
 * @ret blank   1 when it identifies nothing
 */
static int cache_serial_is_blank(const char *s)
{
	return s[0] == '\0';
}

/**
 * Identify the node a request comes from.
 *
 * @v cache     Cache
 * @v req       Request
 * @v ans       Answer: node and matched are filled
 */
static void cache_identify(struct pxeinv_cache *cache,
			   const struct pxeinv_request *req,
			   struct pxeinv_answer *ans)
{
	char text[40];
	char serial[PXEINV_SERIAL_MAX], board[PXEINV_SERIAL_MAX];
	char pair[2 * PXEINV_SERIAL_MAX + 1];
	const unsigned char *uuid = NULL;

	ans->node[0] = '\0';
	ans->matched = "";

	if (req->mac && req->mac_len == 6 &&
	    cache_find_mac(cache, req->mac, ans->node)) {
		ans->matched = "mac";
		return;
	}
	/* Option 97: type 0 then 16 bytes; some clients omit the type */
	if (req->uuid && req->uuid_len == 17 && req->uuid[0] == 0)
		uuid = req->uuid + 1;
	else if (req->uuid && req->uuid_len == 16)
		uuid = req->uuid;
	if (uuid && !cache_uuid_is_blank(uuid)) {
		cache_format_uuid(uuid, 1, text);
		if (cache_get(cache, "u:", text, 36, ans->node,
			      PXEINV_NODE_MAX)) {
			ans->matched = "uuid";
			return;
		}
		cache_format_uuid(uuid, 0, text);
		if (cache_get(cache, "u:", text, 36, ans->node,
			      PXEINV_NODE_MAX)) {
			ans->matched = "uuid-swapped";
			return;
		}
	}
	/* Option 61: hardware type 1 + MAC, or type 0 + a UUID */
	if (req->client_id && req->client_id_len == 7 &&
	    req->client_id[0] == 1 &&
	    cache_find_mac(cache, req->client_id + 1, ans->node)) {
		ans->matched = "client-id";
		return;
	}
	if (req->client_id && req->client_id_len == 17 &&
	    req->client_id[0] == 0 &&
	    !cache_uuid_is_blank(req->client_id + 1)) {
		cache_format_uuid(req->client_id + 1, 1, text);
		if (cache_get(cache, "u:", text, 36, ans->node,
			      PXEINV_NODE_MAX)) {
			ans->matched = "client-id";
			return;
		}
	}
	if (!cache_parse_identity(req->user_class, req->user_class_len,
				  serial, board))
		return;
	if (!cache_serial_is_blank(serial) && !cache_serial_is_blank(board)) {
		int n = snprintf(pair, sizeof(pair), "%s\t%s", serial, board);

		if (cache_get(cache, "p:", pair, n, ans->node,
			      PXEINV_NODE_MAX)) {
			ans->matched = "serial+board";
			return;
		}
	}
	if (!cache_serial_is_blank(board) &&
	    cache_get(cache, "b:", board, strlen(board), ans->node,
		      PXEINV_NODE_MAX)) {
		ans->matched = "board-serial";
		return;
	}
	if (!cache_serial_is_blank(serial) &&
	    cache_get(cache, "s:", serial, strlen(serial), ans->node,
		      PXEINV_NODE_MAX)) {
		ans->matched = "serial";
		return;
	}
	ans->node[0] = '\0';
}

/**
 * Read a matched node's record: install mode and script.
 *
 * @v cache     Cache
 * @v ans       Answer with node set; install and file are filled
 * @ret rc      PXEINV_OK or PXEINV_ERR_RECORD
 */
static int cache_read_node(struct pxeinv_cache *cache,
			   struct pxeinv_answer *ans)
{
	char rec[16 + PXEINV_FILE_MAX];
	char *arch, *script;

	if (!cache_get(cache, "h:", ans->node, strlen(ans->node), rec,
		       sizeof(rec)))
		return PXEINV_ERR_RECORD;
	arch = strchr(rec, '\t');
	if (!arch)
		return PXEINV_ERR_RECORD;
	*arch++ = '\0';
	script = strchr(arch, '\t');
	if (!script)
		return PXEINV_ERR_RECORD;
	*script++ = '\0';
	ans->install = pxeinv_install_parse(rec, strlen(rec));
	if (ans->install == PXEINV_INSTALL_UNKNOWN)
		return PXEINV_ERR_RECORD;
	if (strlen(script) >= sizeof(ans->file))
		return PXEINV_ERR_RECORD;
	strcpy(ans->file, script);
	return PXEINV_OK;
}

/**
 * Read the client architecture: option 93, else the vendor class.
 *
 * @v req       Request
 * @v http      Set when the vendor class says HTTPClient
 * @ret arch    Architecture number, or -1 for a non-PXE client
 */
static int cache_client_arch(const struct pxeinv_request *req, int *http)
{
	static const char pxe[] = "PXEClient", httpc[] = "HTTPClient";
	const char *vc = req->vendor_class;
	size_t len = req->vendor_class_len;
	int pxe_class = 0;

	*http = 0;
	if (vc && len >= sizeof(pxe) - 1 && memcmp(vc, pxe, sizeof(pxe) - 1)
	    == 0)
		pxe_class = 1;
	else if (vc && len >= sizeof(httpc) - 1 &&
		 memcmp(vc, httpc, sizeof(httpc) - 1) == 0)
		pxe_class = *http = 1;
	else if (vc || req->arch < 0)
		return -1;
	if (req->arch >= 0)
		return req->arch;
	/* "PXEClient:Arch:00007:..." */
	if (pxe_class) {
		size_t off = *http ? sizeof(httpc) - 1 : sizeof(pxe) - 1;
		char digits[6];

		if (len >= off + 11 && memcmp(vc + off, ":Arch:", 6) == 0) {
			memcpy(digits, vc + off + 6, 5);
			digits[5] = '\0';
			if (strspn(digits, "0123456789") == 5)
				return atoi(digits);
		}
	}
	return -1;
}

/**
 * Tell whether option 77 says iPXE ("iPXE", raw or RFC 3004) or carries
 * our identity report.
 *
 * @v uc        Option 77 payload
 * @v len       Length
 * @ret ipxe    1 when it is iPXE
 */
static int cache_user_class_is_ipxe(const unsigned char *uc, size_t len)
{
	char s[PXEINV_SERIAL_MAX], b[PXEINV_SERIAL_MAX];

	if (!uc)
		return 0;
	if (len == 4 && memcmp(uc, "iPXE", 4) == 0)
		return 1;
	if (len >= 5 && uc[0] == 4 && memcmp(uc + 1, "iPXE", 4) == 0)
		return 1;
	return cache_parse_identity(uc, len, s, b);
}

int pxeinv_cache_each_node(struct pxeinv_cache *cache,
			   int (*fn)(const char *node,
				     enum pxeinv_install install, void *ctx),
			   void *ctx)
{
	struct pxeinv_answer ans;
	unsigned int pos;
	unsigned klen;

	cdb_seqinit(&pos, &cache->cdb);
	while (cdb_seqnext(&pos, &cache->cdb) > 0) {
		klen = cdb_keylen(&cache->cdb);
		if (klen < 3 || klen - 2 >= sizeof(ans.node))
			continue;
		if (cdb_read(&cache->cdb, ans.node, 2, cdb_keypos(&cache->cdb))
		    != 0 || memcmp(ans.node, "h:", 2) != 0)
			continue;
		if (cdb_read(&cache->cdb, ans.node, klen - 2,
			     cdb_keypos(&cache->cdb) + 2) != 0)
			return PXEINV_ERR_RECORD;
		ans.node[klen - 2] = '\0';
		if (cache_read_node(cache, &ans) != PXEINV_OK)
			return PXEINV_ERR_RECORD;
		if (fn(ans.node, ans.install, ctx))
			break;
	}
	return PXEINV_OK;
}

/**
 * Hand a boot-once node that was installed the exit script.
 *
 * @v cache     Cache
 * @v req       Request (state_dir)
 * @v ans       Answer of a matched node, updated
 * @ret rc      PXEINV_OK or PXEINV_ERR_RECORD
 */
static int cache_check_once(struct pxeinv_cache *cache,
			    const struct pxeinv_request *req,
			    struct pxeinv_answer *ans)
{
	char path[4096];
	int n;

	if (ans->install != PXEINV_INSTALL_ONCE || !req->state_dir)
		return PXEINV_OK;
	n = snprintf(path, sizeof(path), "%s/" PXEINV_STATE_ONCE "/%s",
		     req->state_dir, ans->node);
	/* unreadable state: the node's script, whose kernel line halts an
	 * installed machine (talos.halt_if_installed) */
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    faccessat(AT_FDCWD, path, F_OK, 0) != 0)
		return PXEINV_OK;
	if (!cache_get(cache, "c:", "exit", 4, ans->file, sizeof(ans->file)))
		return PXEINV_ERR_RECORD;
	ans->installed = 1;
	return PXEINV_OK;
}

/**
 * Tell whether an iPXE says it lacks HTTPS (option 175, feature 20).
 *
 * @v req       Request
 * @ret lacks   1 when option 175 is there and has no HTTPS flag
 */
static int cache_ipxe_lacks_https(const struct pxeinv_request *req)
{
	const unsigned char *p = req->ipxe_encap;
	size_t i = 0, len = req->ipxe_encap_len;

	if (!p)
		return 0;
	while (i + 1 < len) {
		unsigned int code = p[i], l = p[i + 1];

		if (code == 0xff)
			break;
		if (code == 0) {
			i++;
			continue;
		}
		if (i + 2 + l > len)
			return 0;       /* malformed: assume nothing */
		if (code == 20 && l >= 1 && p[i + 2])
			return 0;
		i += 2 + l;
	}
	return 1;
}

/**
 * Hand an iPXE without HTTPS an iPXE binary, when its node's script would
 * fetch its images over HTTPS.
 *
 * @v cache     Cache
 * @v req       Request
 * @v ans       Answer of a matched node that gets its installer script
 */
static void cache_check_https(struct pxeinv_cache *cache,
			      const struct pxeinv_request *req,
			      struct pxeinv_answer *ans)
{
	char scheme[8], file[PXEINV_FILE_MAX];
	const struct pxeinv_arch *arch;
	int http;

	if (ans->install == PXEINV_INSTALL_NO || ans->installed ||
	    !cache_ipxe_lacks_https(req) ||
	    !cache_get(cache, "t:", ans->node, strlen(ans->node), scheme,
		       sizeof(scheme)) || strcmp(scheme, "https") != 0)
		return;
	arch = pxeinv_arch_find(cache_client_arch(req, &http));
	/* PXE firmware only: HTTP boot loads no iPXE of ours to replace */
	if (!arch || !arch->binary || arch->http)
		return;
	if (!cache_get(cache, "c:", arch->binary, strlen(arch->binary), file,
		       sizeof(file)))
		return;
	memcpy(ans->file, file, sizeof(file));
	ans->stage = PXEINV_STAGE_FIRMWARE;
	ans->upgrade = 1;
}

int pxeinv_steer(struct pxeinv_cache *cache, const struct pxeinv_request *req,
		 struct pxeinv_answer *ans)
{
	const struct pxeinv_arch *arch;
	const char *setting;
	int http, rc;

	memset(ans, 0, sizeof(*ans));
	ans->matched = "";

	if (req->is_ipxe ||
	    cache_user_class_is_ipxe(req->user_class, req->user_class_len)) {
		ans->stage = PXEINV_STAGE_IPXE;
		/* reported identity, for the tags (the dhcp-script) */
		cache_parse_identity(req->user_class, req->user_class_len,
				     ans->serial, ans->board_serial);
		cache_identify(cache, req, ans);
		/* A known node gets its own script: it boots the installer,
		 * or exits to disk when the node is not to be installed (or
		 * is to be installed once, and was) */
		if (ans->node[0]) {
			rc = cache_read_node(cache, ans);
			if (rc == PXEINV_OK)
				rc = cache_check_once(cache, req, ans);
			if (rc == PXEINV_OK)
				cache_check_https(cache, req, ans);
			return rc;
		}
		ans->install = PXEINV_INSTALL_UNKNOWN;
		setting = "fallback";
		if (!cache_get(cache, "c:", setting, strlen(setting),
			       ans->file, sizeof(ans->file)))
			return PXEINV_ERR_RECORD;
		return PXEINV_OK;
	}

	arch = pxeinv_arch_find(cache_client_arch(req, &http));
	if (!arch || !(setting = arch->binary))
		return PXEINV_UNTOUCHED;
	if (arch->http)
		http = 1;
	ans->stage = http ? PXEINV_STAGE_HTTPBOOT : PXEINV_STAGE_FIRMWARE;
	ans->http = http;
	/* Not configured (no binary for that arch, or no HTTP URL) */
	if (!cache_get(cache, "c:", setting, strlen(setting), ans->file,
		       sizeof(ans->file)))
		return PXEINV_UNTOUCHED;
	cache_identify(cache, req, ans);
	if (ans->node[0]) {
		char file[PXEINV_FILE_MAX];

		/* Keep the binary; read the record for the install tag */
		memcpy(file, ans->file, sizeof(file));
		rc = cache_read_node(cache, ans);
		memcpy(ans->file, file, sizeof(file));
		if (rc != PXEINV_OK)
			return rc;
	}
	return PXEINV_OK;
}
