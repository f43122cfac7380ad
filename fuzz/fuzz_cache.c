/*
 * Fuzz target: the cache reader (cache/pxeinv_cache.c) on arbitrary
 * files, and the steering on what it accepts.
 *
 * Input: a mode byte, then
 *   mode even: the bytes of the cache file itself (tinycdb structure,
 *              meta record, record count, checksum);
 *   mode odd:  records, each [key length][key][value length][value],
 *              written with the cache writer (pxeinv_cache_writer_add),
 *              so that the checksum is right and the records themselves
 *              are what is fuzzed.
 * The file is a memfd, opened through /proc/self/fd.
 *
 * Invariants: a refused file gets one of the named error codes and a
 * reason that names the file; a file written by the writer with distinct
 * keys, none the meta key, is accepted; in an accepted cache, every node
 * the walk reports has a terminated name and a valid install mode, every
 * record read back is terminated and fits its buffer, and the steering
 * answers or refuses (PXEINV_ERR_RECORD), never more, with terminated
 * strings and a node that the cache holds.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "../cache/pxeinv_cache_write.h"
#include "../cache/pxeinv_steer.h"

/** Most records a writer-mode input adds */
#define CACHE_RECORDS_MAX 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/**
 * Write an input's records through the cache writer.
 *
 * @v fd        Empty file
 * @v p         Records
 * @v end       Their end
 * @ret expect  1 when the keys are distinct and none is the meta key (the
 *              reader must then accept the file), 0 when not, -1 when the
 *              writer failed
 */
static int cache_write_records(int fd, const uint8_t *p, const uint8_t *end)
{
	const uint8_t *keys[CACHE_RECORDS_MAX];
	size_t klens[CACHE_RECORDS_MAX], n = 0, i;
	struct pxeinv_cache_writer *w;
	int distinct = 1;

	if (pxeinv_cache_writer_start(fd, &w) != 0)
		return -1;
	while (p < end && n < CACHE_RECORDS_MAX) {
		size_t klen = *p++, vlen;
		const uint8_t *key = p, *val;

		if ((size_t)(end - p) < klen + 1)
			break;
		p += klen;
		vlen = *p++;
		if ((size_t)(end - p) < vlen)
			break;
		val = p;
		p += vlen;
		if (klen == PXEINV_CACHE_META_KEYLEN &&
		    memcmp(key, PXEINV_CACHE_META_KEY, klen) == 0)
			distinct = 0;
		for (i = 0; i < n; i++)
			if (klens[i] == klen && memcmp(keys[i], key, klen) == 0)
				distinct = 0;
		keys[n] = key;
		klens[n++] = klen;
		if (pxeinv_cache_writer_add(w, key, klen, val, vlen) != 0) {
			pxeinv_cache_writer_abort(w);
			return -1;
		}
	}
	FUZZ_ASSERT(pxeinv_cache_writer_records(w) == n);
	if (pxeinv_cache_writer_finish(w) != 0)
		return -1;
	return distinct;
}

/**
 * Check one node the walk reports, and read it back.
 *
 * @v node      Node
 * @v install   Install mode
 * @v ctx       Cache, and the count of nodes seen
 * @ret stop    0
 */
static int cache_check_node(const char *node, enum pxeinv_install install,
			    void *ctx)
{
	struct { struct pxeinv_cache *cache; unsigned int seen; } *walk = ctx;
	char script[PXEINV_FILE_MAX + 1];
	enum pxeinv_install again;

	FUZZ_ASSERT(strlen(node) < PXEINV_NODE_MAX);
	FUZZ_ASSERT(install == PXEINV_INSTALL_YES ||
		    install == PXEINV_INSTALL_NO ||
		    install == PXEINV_INSTALL_ONCE);
	/* a guard byte past the buffer the reader is promised */
	script[PXEINV_FILE_MAX] = 'X';
	FUZZ_ASSERT(pxeinv_cache_read_node(walk->cache, node, &again, script)
		    == PXEINV_OK);
	FUZZ_ASSERT(again == install);
	FUZZ_ASSERT(memchr(script, '\0', PXEINV_FILE_MAX));
	FUZZ_ASSERT(script[PXEINV_FILE_MAX] == 'X');
	walk->seen++;
	return 0;
}

/**
 * Steer a few fixed requests against an accepted cache.
 *
 * @v cache     Cache
 */
static void cache_check_steering(struct pxeinv_cache *cache)
{
	static const unsigned char mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00,
					      0x01 };
	static const unsigned char report[] = "pxeinv/1 s=SER-A b=BRD-A";
	struct pxeinv_request req;
	struct pxeinv_answer ans;
	enum pxeinv_install install;
	char script[PXEINV_FILE_MAX];
	int ipxe, rc;

	for (ipxe = 0; ipxe < 2; ipxe++) {
		memset(&req, 0, sizeof(req));
		req.mac = mac;
		req.mac_len = 6;
		req.arch = ipxe ? -1 : 7;
		req.is_ipxe = ipxe;
		req.user_class = ipxe ? report : NULL;
		req.user_class_len = ipxe ? sizeof(report) - 1 : 0;
		rc = pxeinv_steer(cache, &req, &ans);
		FUZZ_ASSERT(rc == PXEINV_OK || rc == PXEINV_UNTOUCHED ||
			    rc == PXEINV_ERR_RECORD);
		if (rc != PXEINV_OK)
			continue;
		FUZZ_ASSERT(memchr(ans.node, '\0', sizeof(ans.node)));
		FUZZ_ASSERT(memchr(ans.file, '\0', sizeof(ans.file)));
		FUZZ_ASSERT(ans.stage == (ipxe ? PXEINV_STAGE_IPXE :
					  PXEINV_STAGE_FIRMWARE));
		if (!ans.node[0])
			continue;
		/* a node it names is one the cache holds */
		FUZZ_ASSERT(pxeinv_cache_read_node(cache, ans.node, &install,
						   script) == PXEINV_OK);
		FUZZ_ASSERT(install == ans.install);
		FUZZ_ASSERT(!ipxe || ans.upgrade || ans.installed ||
			    strcmp(ans.file, script) == 0);
	}
}

/**
 * Check an accepted cache.
 *
 * @v cache     Cache
 */
static void cache_check_accepted(struct pxeinv_cache *cache)
{
	struct { struct pxeinv_cache *cache; unsigned int seen; } walk = {
		cache, 0 };
	char value[PXEINV_FILE_MAX + 1], node[PXEINV_NODE_MAX + 1];
	static const unsigned char id[16] = { 0x12, 0x34, 0x56, 0x78 };
	enum pxeinv_setting s;

	if (pxeinv_cache_each_node(cache, cache_check_node, &walk) ==
	    PXEINV_OK)
		FUZZ_ASSERT(walk.seen <= pxeinv_cache_nodes(cache));
	for (s = PXEINV_SETTING_BIOS; s <= PXEINV_SETTING_EXIT; s++) {
		value[PXEINV_FILE_MAX] = 'X';
		if (pxeinv_cache_get_setting(cache, s, value))
			FUZZ_ASSERT(memchr(value, '\0', PXEINV_FILE_MAX));
		FUZZ_ASSERT(value[PXEINV_FILE_MAX] == 'X');
	}
	node[PXEINV_NODE_MAX] = 'X';
	if (pxeinv_cache_find_uuid(cache, id, node))
		FUZZ_ASSERT(memchr(node, '\0', PXEINV_NODE_MAX));
	if (pxeinv_cache_find_serial(cache, "SER-A", node))
		FUZZ_ASSERT(memchr(node, '\0', PXEINV_NODE_MAX));
	if (pxeinv_cache_find_board_serial(cache, "BRD-A", node))
		FUZZ_ASSERT(memchr(node, '\0', PXEINV_NODE_MAX));
	FUZZ_ASSERT(node[PXEINV_NODE_MAX] == 'X');
	cache_check_steering(cache);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pxeinv_cache *cache;
	char path[64], err[512];
	int fd, rc, expect = -1;

	if (size < 1)
		return 0;
	fd = memfd_create("pxeinv-fuzz.cdb", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (data[0] & 1) {
		expect = cache_write_records(fd, data + 1, data + size);
		if (expect < 0)
			goto out;
	} else if (size > 1 &&
		   write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	rc = pxeinv_cache_open(path, &cache, err, sizeof(err));
	if (rc != PXEINV_OK) {
		FUZZ_ASSERT(rc == PXEINV_ERR_FORMAT ||
			    rc == PXEINV_ERR_VERSION ||
			    rc == PXEINV_ERR_CHECKSUM);
		FUZZ_ASSERT(!cache);
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
		FUZZ_ASSERT(strstr(err, path));
		FUZZ_ASSERT(expect != 1);
		goto out;
	}
	cache_check_accepted(cache);
	pxeinv_cache_close(cache);
out:
	close(fd);
	return 0;
}
