/*
 * Unit tests: the lookup cache format, its integrity checks, and the
 * steering decision shared with the dnsmasq patch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cdb.h>
#include <errno.h>

#include "../../cache/pxeinv_steer.h"
#include "../../cache/pxeinv_cache_write.h"

/** Test cache path */
static char cache_path[64];

/**
 * Add a record with string key and value.
 *
 * @v w         Writer
 * @v k         Key
 * @v v         Value
 */
static void put(struct pxeinv_cache_writer *w, const char *k, const char *v)
{
	assert_int_equal(pxeinv_cache_writer_add(w, k, strlen(k), v,
						 strlen(v)), 0);
}

/**
 * Write the test cache: two nodes, settings for every arch.
 *
 * @v state     cmocka state
 * @ret rc      0
 */
static int setup(void **state)
{
	struct pxeinv_cache_writer *w;
	int fd;

	(void)state;
	snprintf(cache_path, sizeof(cache_path), "/tmp/pxeinv-cache.XXXXXX");
	fd = mkstemp(cache_path);
	assert_true(fd >= 0);
	assert_int_equal(pxeinv_cache_writer_start(fd, &w), 0);
	put(w, "c:bios", "ipxe.pxe");
	put(w, "c:efi-x64", "ipxe.efi");
	put(w, "c:efi-arm64", "arm64/ipxe.efi");
	put(w, "c:http-x64", "http://10.0.0.1/tftp/ipxe.efi");
	put(w, "c:fallback", "pxeinv/fallback.ipxe");
	put(w, "c:exit", "pxeinv/exit.ipxe");
	put(w, "h:node-01", "yes\tamd64\tpxeinv/nodes/node-01.ipxe");
	put(w, "h:node-02", "no\tamd64\tpxeinv/nodes/node-02.ipxe");
	put(w, "h:node-03", "once\tarm64\tpxeinv/nodes/node-03.ipxe");
	put(w, "m:52:54:00:00:00:01", "node-01");
	put(w, "m:52:54:00:00:00:11", "node-01");
	put(w, "m:52:54:00:00:00:02", "node-02");
	put(w, "u:12345678-9abc-def0-1234-56789abcdef0", "node-02");
	put(w, "s:CHASSIS9", "node-03");
	put(w, "b:BOARD-3", "node-03");
	put(w, "p:SHARED\tBOARD-X", "node-01");
	put(w, "t:node-01", "https");
	assert_int_equal(pxeinv_cache_writer_finish(w), 0);
	close(fd);
	return 0;
}

/**
 * Remove the test cache.
 *
 * @v state     cmocka state
 * @ret rc      0
 */
static int teardown(void **state)
{
	(void)state;
	unlink(cache_path);
	return 0;
}

/**
 * Open a cache that must open.
 *
 * @v path      Cache file
 * @ret cache   Cache
 */
static struct pxeinv_cache *open_cache_at(const char *path)
{
	struct pxeinv_cache *c;
	char err[256];

	assert_int_equal(pxeinv_cache_open(path, &c, err, sizeof(err)),
			 PXEINV_OK);
	return c;
}

/**
 * Open the test cache.
 *
 * @ret cache   Cache
 */
static struct pxeinv_cache *open_cache(void)
{
	return open_cache_at(cache_path);
}

/**
 * Steer a firmware request with option 93.
 *
 * @v c         Cache
 * @v arch      Architecture
 * @v vc        Vendor class
 * @v ans       Answer
 * @ret rc      Steering result
 */
static int firmware(struct pxeinv_cache *c, int arch, const char *vc,
		    struct pxeinv_answer *ans)
{
	static const unsigned char mac[6] = { 0x52, 0x54, 0, 0, 0, 0x99 };
	struct pxeinv_request req = {
		.mac = mac, .mac_len = 6, .arch = arch, .vendor_class = vc,
		.vendor_class_len = vc ? strlen(vc) : 0,
	};

	return pxeinv_steer(c, &req, ans);
}

/**
 * Every firmware architecture gets its binary.
 *
 * @v state     cmocka state
 */
static void test_firmware_arches(void **state)
{
	struct pxeinv_cache *c = open_cache();
	struct pxeinv_answer a;

	(void)state;
	assert_int_equal(pxeinv_cache_nodes(c), 3);
	assert_int_equal(firmware(c, 0, "PXEClient:Arch:00000:UNDI:002001",
				  &a), PXEINV_OK);
	assert_string_equal(a.file, "ipxe.pxe");
	assert_int_equal(a.stage, PXEINV_STAGE_FIRMWARE);
	assert_string_equal(a.node, "");
	assert_int_equal(firmware(c, 7, "PXEClient:Arch:00007:UNDI:003000",
				  &a), PXEINV_OK);
	assert_string_equal(a.file, "ipxe.efi");
	assert_int_equal(firmware(c, 9, "PXEClient:Arch:00009:UNDI:003016",
				  &a), PXEINV_OK);
	assert_string_equal(a.file, "ipxe.efi");
	assert_int_equal(firmware(c, 11, "PXEClient:Arch:00011:UNDI:003000",
				  &a), PXEINV_OK);
	assert_string_equal(a.file, "arm64/ipxe.efi");
	assert_int_equal(firmware(c, 16, "HTTPClient:Arch:00016:UNDI:003016",
				  &a), PXEINV_OK);
	assert_string_equal(a.file, "http://10.0.0.1/tftp/ipxe.efi");
	assert_int_equal(a.stage, PXEINV_STAGE_HTTPBOOT);
	assert_int_equal(a.http, 1);
	/* No arm64 HTTP URL configured: left alone */
	assert_int_equal(firmware(c, 19, "HTTPClient:Arch:00019:UNDI:003016",
				  &a), PXEINV_UNTOUCHED);
	/* Option 93 absent: the vendor class says it */
	assert_int_equal(firmware(c, -1, "PXEClient:Arch:00007:UNDI:003000",
				  &a), PXEINV_OK);
	assert_string_equal(a.file, "ipxe.efi");
	/* Not PXE: untouched */
	assert_int_equal(firmware(c, -1, "udhcp 1.35.0", &a),
			 PXEINV_UNTOUCHED);
	assert_int_equal(firmware(c, -1, NULL, &a), PXEINV_UNTOUCHED);
	/* Unknown arch (x86 32-bit EFI): untouched */
	assert_int_equal(firmware(c, 6, "PXEClient:Arch:00006:UNDI:003000",
				  &a), PXEINV_UNTOUCHED);
	pxeinv_cache_close(c);
}

/**
 * iPXE clients are identified by each key in turn.
 *
 * @v state     cmocka state
 */
static void test_ipxe_identify(void **state)
{
	static const unsigned char mac1[6] = { 0x52, 0x54, 0, 0, 0, 0x11 };
	static const unsigned char unknown[6] = { 0x52, 0x54, 0, 0, 0, 0x77 };
	/* 12345678-9abc-def0-1234-56789abcdef0 in SMBIOS order */
	static const unsigned char uuid[17] = {
		0x00, 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	static const unsigned char uuid_raw[17] = {
		0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	static const unsigned char ff[17] = {
		0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char cid[7] = { 1, 0x52, 0x54, 0, 0, 0, 2 };
	static const char report[] = "pxeinv/1 s=CHASSIS9 b=";
	static const char pair[] = "pxeinv/1 s=SHARED b=BOARD%2DX";
	static const char board[] = "pxeinv/1 s=UNKNOWN b=BOARD-3";
	struct pxeinv_cache *c = open_cache();
	struct pxeinv_request r = { .arch = 7, .is_ipxe = 1 };
	struct pxeinv_answer a;

	(void)state;
	r.mac = mac1;
	r.mac_len = 6;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-01");
	assert_string_equal(a.matched, "mac");
	assert_string_equal(a.file, "pxeinv/nodes/node-01.ipxe");
	assert_int_equal(a.install, PXEINV_INSTALL_YES);
	assert_int_equal(a.stage, PXEINV_STAGE_IPXE);

	r.mac = unknown;
	r.uuid = uuid;
	r.uuid_len = 17;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-02");
	assert_string_equal(a.matched, "uuid");
	assert_int_equal(a.install, PXEINV_INSTALL_NO);
	assert_string_equal(a.file, "pxeinv/nodes/node-02.ipxe");

	r.uuid = uuid_raw;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.matched, "uuid-swapped");

	r.uuid = ff;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "");
	assert_string_equal(a.file, "pxeinv/fallback.ipxe");
	assert_int_equal(a.install, PXEINV_INSTALL_UNKNOWN);

	r.client_id = cid;
	r.client_id_len = sizeof(cid);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-02");
	assert_string_equal(a.matched, "client-id");
	r.client_id = NULL;
	r.client_id_len = 0;

	r.user_class = (const unsigned char *)report;
	r.user_class_len = strlen(report);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-03");
	assert_string_equal(a.matched, "serial");
	assert_int_equal(a.install, PXEINV_INSTALL_ONCE);

	r.user_class = (const unsigned char *)pair;
	r.user_class_len = strlen(pair);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-01");
	assert_string_equal(a.matched, "serial+board");

	r.user_class = (const unsigned char *)board;
	r.user_class_len = strlen(board);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-03");
	assert_string_equal(a.matched, "board-serial");

	/* The identity report alone marks an iPXE client */
	r.is_ipxe = 0;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_int_equal(a.stage, PXEINV_STAGE_IPXE);
	pxeinv_cache_close(c);
}

/**
 * Copy the test cache with a change, and try to open it.
 *
 * @v offset    Byte to flip (when truncate is 0)
 * @v truncate  New length (from the end when negative), or 0
 * @v err       Reason
 * @v errlen    Size of err
 * @ret rc      pxeinv_cache_open() result
 */
static int open_damaged(long offset, long truncate, char *err, size_t errlen)
{
	char path[64], buf[65536];
	struct pxeinv_cache *c = NULL;
	ssize_t n;
	int in, out, rc;

	snprintf(path, sizeof(path), "/tmp/pxeinv-damaged.XXXXXX");
	out = mkstemp(path);
	in = open(cache_path, O_RDONLY);
	assert_true(in >= 0 && out >= 0);
	n = read(in, buf, sizeof(buf));
	assert_true(n > 0 && n < (ssize_t)sizeof(buf));
	close(in);
	if (truncate)
		n = truncate < 0 ? n + truncate : truncate;
	else
		buf[offset < 0 ? n + offset : offset] ^= 0x20;
	assert_int_equal(write(out, buf, n), n);
	close(out);
	rc = pxeinv_cache_open(path, &c, err, errlen);
	pxeinv_cache_close(c);
	unlink(path);
	return rc;
}

/**
 * Truncated or corrupt caches are refused, with a reason.
 *
 * @v state     cmocka state
 */
static void test_damaged(void **state)
{
	struct pxeinv_cache *c;
	char err[256];

	(void)state;
	/* A byte inside a value (records start at 2048) */
	assert_int_equal(open_damaged(2048 + 8 + 6 + 2, 0, err, sizeof(err)),
			 PXEINV_ERR_CHECKSUM);
	/* the reason names the file, once */
	assert_int_equal(strncmp(err, "/tmp/pxeinv-damaged.", 20), 0);
	assert_string_equal(strchr(err, ' '), " checksum mismatch (corrupt)");
	/* Cut inside the hash tables, and inside the records */
	assert_int_equal(open_damaged(0, -10, err, sizeof(err)),
			 PXEINV_ERR_FORMAT);
	assert_int_equal(open_damaged(0, 2100, err, sizeof(err)),
			 PXEINV_ERR_FORMAT);
	assert_int_equal(open_damaged(0, 100, err, sizeof(err)),
			 PXEINV_ERR_FORMAT);
	assert_int_equal(pxeinv_cache_open("/nonexistent/x.cdb", &c, err,
					   sizeof(err)), PXEINV_ERR_IO);
	assert_string_equal(err, "cannot open /nonexistent/x.cdb: No such "
			    "file or directory");
}

/**
 * A cache of another format version is refused.
 *
 * @v state     cmocka state
 */
static void test_version(void **state)
{
	struct pxeinv_cache *c;
	char path[64], err[256];
	int fd;

	(void)state;
	/* Write a cdb whose meta names version 99, with the writer's own
	 * checksum so that only the version differs */
	snprintf(path, sizeof(path), "/tmp/pxeinv-v99.XXXXXX");
	fd = mkstemp(path);
	{
		struct pxeinv_cache_writer *w;

		assert_int_equal(pxeinv_cache_writer_start(fd, &w), 0);
		put(w, "pxeinv-cache-version-test", "x");
		assert_int_equal(pxeinv_cache_writer_finish(w), 0);
	}
	close(fd);
	/* Patch "pxeinv-cache 1 " into "pxeinv-cache 9 " in place */
	{
		char buf[4096];
		int f = open(path, O_RDWR);
		ssize_t n = read(f, buf, sizeof(buf));
		char *p = memmem(buf, n, "pxeinv-cache 1 ", 15);

		assert_non_null(p);
		p[13] = '9';
		assert_int_equal(pwrite(f, buf, n, 0), n);
		close(f);
	}
	assert_int_equal(pxeinv_cache_open(path, &c, err, sizeof(err)),
			 PXEINV_ERR_VERSION);
	assert_non_null(strstr(err, "cache format version 9"));
	unlink(path);
}

/**
 * An identity report that dnsmasq rewrote as RFC 3004 items (it zeroes
 * the length bytes in place) is still understood.
 *
 * @v state     cmocka state
 */
static void test_rfc3004_rewrite(void **state)
{
	struct pxeinv_cache *c = open_cache();
	struct pxeinv_request r = { .is_ipxe = 1, .arch = -1 };
	struct pxeinv_answer a;
	unsigned char uc[256];
	size_t len, j, tmp;
	char text[256];

	(void)state;
	/* 'p' is 112, so bytes 1..112 are item 1 and byte 113 is the next
	 * length; with 'A' (65) there, a 179-byte report chains exactly to
	 * its end, as a real (long) board serial can. */
	snprintf(text, sizeof(text), "pxeinv/1 s=CHASSIS9 b=");
	while (strlen(text) < 179)
		strcat(text, "A");
	len = strlen(text);
	memcpy(uc, text, len);
	assert_int_equal(uc[113], 'A');
	/* What dnsmasq does (rfc2131.c): check the chain, zero the lengths */
	for (j = 0; j < len; j += uc[j] + 1)
		;
	assert_int_equal(j, len);
	for (j = 0; j < len; j = tmp) {
		tmp = j + uc[j] + 1;
		uc[j] = 0;
	}
	r.user_class = uc;
	r.user_class_len = len;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-03");
	assert_string_equal(a.matched, "serial");
	pxeinv_cache_close(c);
}

/**
 * An iPXE without HTTPS (option 175 lacks feature 20) gets an iPXE binary
 * instead of a script whose images are on HTTPS; one with HTTPS, or a
 * node on HTTP, gets the script.
 *
 * @v state     cmocka state
 */
static void test_https_upgrade(void **state)
{
	static const unsigned char mac1[6] = { 0x52, 0x54, 0, 0, 0, 0x01 };
	static const unsigned char mac2[6] = { 0x52, 0x54, 0, 0, 0, 0x02 };
	/* 175: bus-id(177), 19 (HTTP) = 1, no 20 */
	static const unsigned char no_https[] = { 177, 5, 1, 0x80, 0x86, 0x10,
						  0x0e, 19, 1, 1, 0xff };
	static const unsigned char https[] = { 19, 1, 1, 20, 1, 1 };
	struct pxeinv_cache *c = open_cache();
	struct pxeinv_request r = { .mac = mac1, .mac_len = 6, .arch = 0,
				    .is_ipxe = 1 };
	struct pxeinv_answer a;

	(void)state;
	r.ipxe_encap = no_https;
	r.ipxe_encap_len = sizeof(no_https);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "node-01");
	assert_int_equal(a.stage, PXEINV_STAGE_FIRMWARE);
	assert_int_equal(a.upgrade, 1);
	assert_string_equal(a.file, "ipxe.pxe");
	r.arch = 7;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.file, "ipxe.efi");

	r.ipxe_encap = https;
	r.ipxe_encap_len = sizeof(https);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_int_equal(a.stage, PXEINV_STAGE_IPXE);
	assert_int_equal(a.upgrade, 0);
	assert_string_equal(a.file, "pxeinv/nodes/node-01.ipxe");

	/* node-02 is not to be installed: its exit script needs no HTTPS */
	r.mac = mac2;
	r.ipxe_encap = no_https;
	r.ipxe_encap_len = sizeof(no_https);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_int_equal(a.stage, PXEINV_STAGE_IPXE);
	assert_string_equal(a.file, "pxeinv/nodes/node-02.ipxe");
	pxeinv_cache_close(c);
}

/**
 * Assert that a cache file holds a record, byte for byte.
 *
 * @v cdb       Opened cdb
 * @v key       Key (may hold a tab)
 * @v val       Expected value
 */
static void assert_record(struct cdb *cdb, const char *key, const char *val)
{
	char buf[512];
	unsigned int len;

	assert_true(cdb_find(cdb, key, strlen(key)) > 0);
	len = cdb_datalen(cdb);
	assert_true(len < sizeof(buf));
	assert_int_equal(cdb_read(cdb, buf, len, cdb_datapos(cdb)), 0);
	buf[len] = '\0';
	assert_string_equal(buf, val);
}

/**
 * The typed writer functions build the records of the format, and the
 * reader steers with them.
 *
 * @v state     cmocka state
 */
static void test_typed_writer(void **state)
{
	static const unsigned char mac[6] = { 0x52, 0x54, 0, 0, 0, 0xab };
	static const char pair[] = "pxeinv/1 s=SN-7 b=BRD-7";
	struct pxeinv_cache_writer *w;
	struct pxeinv_request r = { .arch = -1, .is_ipxe = 1 };
	struct pxeinv_answer a;
	struct pxeinv_cache *c;
	char path[64], err[256];
	struct cdb cdb;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/pxeinv-typed.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(pxeinv_cache_writer_start(fd, &w), 0);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_BIOS,
						  "undionly.kpxe"), 0);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_EFI_X64,
						  "snponly.efi"), 0);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_EFI_ARM64,
						  "arm64/ipxe.efi"), 0);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_HTTP_X64,
						  "http://h/snponly.efi"), 0);
	assert_int_equal(pxeinv_cache_put_setting(w,
						  PXEINV_SETTING_HTTP_ARM64,
						  "http://h/arm64/ipxe.efi"), 0);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_FALLBACK,
						  "pxeinv/fallback.ipxe"), 0);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_EXIT,
						  "pxeinv/exit.ipxe"), 0);
	assert_int_equal(pxeinv_cache_put_node(w, "web-1", PXEINV_INSTALL_ONCE,
					       "arm64", "s/web-1.ipxe"), 0);
	assert_int_equal(pxeinv_cache_put_node(w, "web-2", PXEINV_INSTALL_YES,
					       "amd64", "s/web-2.ipxe"), 0);
	assert_int_equal(pxeinv_cache_put_node(w, "web-3", PXEINV_INSTALL_NO,
					       "amd64", "s/web-3.ipxe"), 0);
	assert_int_equal(pxeinv_cache_put_https(w, "web-1"), 0);
	assert_int_equal(pxeinv_cache_put_mac(w, "web-2",
					      "52:54:00:00:00:ab"), 0);
	assert_int_equal(pxeinv_cache_put_uuid(w, "web-3", "0a1b2c3d-4e5f-"
					       "6071-8293-a4b5c6d7e8f9"), 0);
	assert_int_equal(pxeinv_cache_put_serial(w, "web-1", "SN-1"), 0);
	assert_int_equal(pxeinv_cache_put_board_serial(w, "web-1", "BRD-1"),
			 0);
	assert_int_equal(pxeinv_cache_put_serial_board(w, "web-1", "SN-7",
						       "BRD-7"), 0);
	assert_int_equal(pxeinv_cache_writer_records(w), 16);
	assert_int_equal(pxeinv_cache_writer_finish(w), 0);
	close(fd);

	/* The records, as pxeinv_cache.h defines them */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(cdb_init(&cdb, fd), 0);
	assert_record(&cdb, "c:bios", "undionly.kpxe");
	assert_record(&cdb, "c:efi-x64", "snponly.efi");
	assert_record(&cdb, "c:efi-arm64", "arm64/ipxe.efi");
	assert_record(&cdb, "c:http-x64", "http://h/snponly.efi");
	assert_record(&cdb, "c:http-arm64", "http://h/arm64/ipxe.efi");
	assert_record(&cdb, "c:fallback", "pxeinv/fallback.ipxe");
	assert_record(&cdb, "c:exit", "pxeinv/exit.ipxe");
	assert_record(&cdb, "h:web-1", "once\tarm64\ts/web-1.ipxe");
	assert_record(&cdb, "h:web-2", "yes\tamd64\ts/web-2.ipxe");
	assert_record(&cdb, "h:web-3", "no\tamd64\ts/web-3.ipxe");
	assert_record(&cdb, "t:web-1", "https");
	assert_true(cdb_find(&cdb, "t:web-2", 7) == 0);
	assert_record(&cdb, "m:52:54:00:00:00:ab", "web-2");
	assert_record(&cdb, "u:0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
		      "web-3");
	assert_record(&cdb, "s:SN-1", "web-1");
	assert_record(&cdb, "b:BRD-1", "web-1");
	assert_record(&cdb, "p:SN-7\tBRD-7", "web-1");
	cdb_free(&cdb);
	close(fd);

	/* and the reader steers with them */
	assert_int_equal(pxeinv_cache_open(path, &c, err, sizeof(err)),
			 PXEINV_OK);
	assert_int_equal(pxeinv_cache_nodes(c), 3);
	r.mac = mac;
	r.mac_len = 6;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "web-2");
	assert_string_equal(a.file, "s/web-2.ipxe");
	r.mac = NULL;
	r.mac_len = 0;
	r.user_class = (const unsigned char *)pair;
	r.user_class_len = strlen(pair);
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_OK);
	assert_string_equal(a.node, "web-1");
	assert_string_equal(a.matched, "serial+board");
	assert_int_equal(a.install, PXEINV_INSTALL_ONCE);
	pxeinv_cache_close(c);
	unlink(path);
}

/**
 * The typed writer functions refuse fields that the format cannot carry
 * or the reader would never find, and add nothing then.
 *
 * @v state     cmocka state
 */
static void test_typed_writer_rejects(void **state)
{
	struct pxeinv_cache_writer *w;
	char path[64], longer[PXEINV_FILE_MAX + 1];
	int fd;

	(void)state;
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	snprintf(path, sizeof(path), "/tmp/pxeinv-reject.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(pxeinv_cache_writer_start(fd, &w), 0);

	/* settings: a known name, a printable value that fits */
	assert_int_equal(pxeinv_cache_put_setting(w, (enum pxeinv_setting)99,
						  "x"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_EXIT,
						  "a\tb"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_EXIT, ""),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_EXIT,
						  NULL), -EINVAL);
	assert_int_equal(pxeinv_cache_put_setting(w, PXEINV_SETTING_EXIT,
						  longer), -ENAMETOOLONG);

	/* node records: the tab separates their fields */
	assert_int_equal(pxeinv_cache_put_node(w, "n", PXEINV_INSTALL_UNKNOWN,
					       "amd64", "s"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_node(w, "a\tb", PXEINV_INSTALL_YES,
					       "amd64", "s"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_node(w, "a\nb", PXEINV_INSTALL_YES,
					       "amd64", "s"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_node(w, "n", PXEINV_INSTALL_YES,
					       "amd\t64", "s"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_node(w, "n", PXEINV_INSTALL_YES,
					       "amd64", "s\n"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_node(w, "n", PXEINV_INSTALL_YES,
					       "", "s"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_node(w, "n", PXEINV_INSTALL_YES,
					       "amd64", longer),
			 -ENAMETOOLONG);
	/* node names follow the one rule (pxeinv_node_name_is_valid) */
	longer[PXEINV_NODE_MAX] = '\0';
	assert_int_equal(pxeinv_cache_put_node(w, longer, PXEINV_INSTALL_YES,
					       "amd64", "s"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_https(w, longer), -EINVAL);
	assert_int_equal(pxeinv_cache_put_node(w, "Node-07",
					       PXEINV_INSTALL_YES, "amd64",
					       "s"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_mac(w, PXEINV_NODE_UNKNOWN,
					      "52:54:00:00:00:01"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_https(w, "a\tb"), -EINVAL);

	/* keys: MAC and UUID in the one text form the reader looks up */
	assert_int_equal(pxeinv_cache_put_mac(w, "n", "52:54:00:00:00:AB"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_mac(w, "n", "52-54-00-00-00-ab"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_mac(w, "n", "52:54:00:00:00:a"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_mac(w, "n", "52:54:00:00:00:abc"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_mac(w, "a\nb",
					      "52:54:00:00:00:ab"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_uuid(w, "n", "0A1B2C3D-4E5F-6071-"
					       "8293-A4B5C6D7E8F9"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_uuid(w, "n", "0a1b2c3d4e5f6071"
					       "8293a4b5c6d7e8f9"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_uuid(w, "a\tb", "0a1b2c3d-4e5f-"
					       "6071-8293-a4b5c6d7e8f9"),
			 -EINVAL);

	/* serials: a tab would make the pair key ambiguous */
	assert_int_equal(pxeinv_cache_put_serial(w, "n", "S\tN"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_serial(w, "n", "SN\n"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_serial(w, "a\tb", "SN"), -EINVAL);
	assert_int_equal(pxeinv_cache_put_board_serial(w, "n", "B\tRD"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_board_serial(w, "n\n", "BRD"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_serial_board(w, "n", "S\tN", "B"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_serial_board(w, "n", "SN", "B\t"),
			 -EINVAL);
	assert_int_equal(pxeinv_cache_put_serial_board(w, "\tn", "SN", "B"),
			 -EINVAL);
	memset(longer, 'S', sizeof(longer) - 1);
	longer[PXEINV_SERIAL_MAX] = '\0';
	assert_int_equal(pxeinv_cache_put_serial(w, "n", longer),
			 -ENAMETOOLONG);
	assert_int_equal(pxeinv_cache_put_board_serial(w, "n", longer),
			 -ENAMETOOLONG);
	assert_int_equal(pxeinv_cache_put_serial_board(w, "n", "SN", longer),
			 -ENAMETOOLONG);

	assert_int_equal(pxeinv_cache_writer_records(w), 0);
	pxeinv_cache_writer_abort(w);
	close(fd);
	unlink(path);
}

/**
 * Stop a walk over the nodes at the first one.
 *
 * @v node      Node
 * @v install   Install mode
 * @v ctx       Count of nodes seen
 * @ret stop    1
 */
static int count_first_node(const char *node, enum pxeinv_install install,
			    void *ctx)
{
	(void)node;
	(void)install;
	(*(int *)ctx)++;
	return 1;
}

/**
 * Records that are absent or malformed are reported, never half read.
 *
 * @v state     cmocka state
 */
static void test_bad_records(void **state)
{
	static const unsigned char mac[6] = { 0x52, 0x54, 0, 0, 0, 0x0b };
	struct pxeinv_request r = { .mac = mac, .mac_len = 6, .arch = -1,
				    .is_ipxe = 1 };
	struct pxeinv_cache_writer *w;
	struct pxeinv_cache *c;
	struct pxeinv_answer a;
	enum pxeinv_install install;
	char path[64], err[256], script[PXEINV_FILE_MAX], node[PXEINV_NODE_MAX];
	char longer[PXEINV_FILE_MAX + 16];
	int fd, seen = 0;

	(void)state;
	snprintf(longer, sizeof(longer), "yes\tamd64\t");
	while (strlen(longer) < PXEINV_FILE_MAX + 10)
		strcat(longer, "s");
	snprintf(path, sizeof(path), "/tmp/pxeinv-bad.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(pxeinv_cache_writer_start(fd, &w), 0);
	put(w, "h:maybe", "maybe\tamd64\tm.ipxe");
	put(w, "h:one-field", "yes amd64 o.ipxe");
	put(w, "h:two-fields", "yes\tamd64");
	put(w, "h:long", longer);
	put(w, "h:good", "no\tamd64\tg.ipxe");
	put(w, "m:52:54:00:00:00:0b", "two-fields");
	put(w, "t:good", "http");
	assert_int_equal(pxeinv_cache_writer_finish(w), 0);
	close(fd);
	assert_int_equal(pxeinv_cache_open(path, &c, err, sizeof(err)),
			 PXEINV_OK);

	assert_int_equal(pxeinv_cache_read_node(c, "maybe", &install, script),
			 PXEINV_ERR_RECORD);
	assert_int_equal(pxeinv_cache_read_node(c, "one-field", &install,
						script), PXEINV_ERR_RECORD);
	assert_int_equal(pxeinv_cache_read_node(c, "two-fields", &install,
						script), PXEINV_ERR_RECORD);
	assert_int_equal(pxeinv_cache_read_node(c, "long", &install, script),
			 PXEINV_ERR_RECORD);
	assert_int_equal(pxeinv_cache_read_node(c, "absent", &install,
						script), PXEINV_ERR_RECORD);
	assert_int_equal(pxeinv_cache_read_node(c, "good", &install, script),
			 PXEINV_OK);
	assert_int_equal(install, PXEINV_INSTALL_NO);
	assert_string_equal(script, "g.ipxe");
	/* "t:" says HTTPS only with "https" */
	assert_int_equal(pxeinv_cache_node_uses_https(c, "good"), 0);
	/* settings: absent, or outside the enum */
	assert_int_equal(pxeinv_cache_get_setting(c, PXEINV_SETTING_EXIT,
						  script), 0);
	assert_string_equal(script, "");
	assert_int_equal(pxeinv_cache_get_setting(c, (enum pxeinv_setting)99,
						  script), 0);
	assert_string_equal(script, "");
	/* a miss leaves no name behind */
	strcpy(node, "stale");
	assert_int_equal(pxeinv_cache_find_serial(c, "NOPE", node), 0);
	assert_string_equal(node, "");

	/* the steering reports a matched node's bad record, and an iPXE it
	 * cannot identify when there is no fallback */
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_ERR_RECORD);
	r.mac = NULL;
	r.mac_len = 0;
	assert_int_equal(pxeinv_steer(c, &r, &a), PXEINV_ERR_RECORD);
	/* the walk over the nodes stops at a bad one, or when asked to */
	assert_int_equal(pxeinv_cache_each_node(c, count_first_node, &seen),
			 PXEINV_ERR_RECORD);
	assert_int_equal(seen, 0);
	pxeinv_cache_close(c);
	unlink(path);

	c = open_cache();
	assert_int_equal(pxeinv_cache_each_node(c, count_first_node, &seen),
			 PXEINV_OK);
	assert_int_equal(seen, 1);
	pxeinv_cache_close(c);
}

/**
 * Write a small cache whose node-01 has other MACs and another script:
 * another valid cache, for writing over the test cache in place.
 *
 * @v path      Path template, replaced by the file's path
 * @ret len     Its length
 */
static off_t write_other_cache(char *path)
{
	struct pxeinv_cache_writer *w;
	struct stat st;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(pxeinv_cache_writer_start(fd, &w), 0);
	put(w, "c:fallback", "pxeinv/other.ipxe");
	put(w, "h:node-01", "no\tamd64\tEVIL/../../../etc/passwd");
	put(w, "m:52:54:00:00:00:02", "node-01");
	assert_int_equal(pxeinv_cache_writer_finish(w), 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	return st.st_size;
}

/**
 * Copy a file.
 *
 * @v from      Source
 * @v to        Destination, created or truncated
 */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT |
						  O_TRUNC, 0644);

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

/**
 * Check that an opened copy of the test cache answers as the test cache.
 *
 * @v c         Cache
 */
static void assert_test_cache_answers(struct pxeinv_cache *c)
{
	static const unsigned char mac1[6] = { 0x52, 0x54, 0, 0, 0, 0x01 };
	static const unsigned char mac2[6] = { 0x52, 0x54, 0, 0, 0, 0x02 };
	char node[PXEINV_NODE_MAX], script[PXEINV_FILE_MAX];
	enum pxeinv_install install;

	assert_int_equal(pxeinv_cache_find_mac(c, mac1, node), 1);
	assert_string_equal(node, "node-01");
	assert_int_equal(pxeinv_cache_find_mac(c, mac2, node), 1);
	assert_string_equal(node, "node-02");
	assert_int_equal(pxeinv_cache_read_node(c, "node-01", &install,
						script), PXEINV_OK);
	assert_int_equal(install, PXEINV_INSTALL_YES);
	assert_string_equal(script, "pxeinv/nodes/node-01.ipxe");
	assert_int_equal(pxeinv_cache_get_setting(c, PXEINV_SETTING_FALLBACK,
						  script), 1);
	assert_string_equal(script, "pxeinv/fallback.ipxe");
}

/**
 * An opened cache is a copy: the file rewritten in place with another
 * cache, truncated, or removed changes none of its answers (the shared
 * mapping it replaced showed the first, and died of SIGBUS on the second).
 *
 * @v state     cmocka state
 */
static void test_copy_outlives_file(void **state)
{
	char path[64], other[64], buf[65536];
	struct pxeinv_cache *c;
	off_t len;
	ssize_t n;
	int in, out;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/pxeinv-served.XXXXXX");
	close(mkstemp(path));
	copy_file(cache_path, path);
	snprintf(other, sizeof(other), "/tmp/pxeinv-other.XXXXXX");
	len = write_other_cache(other);
	c = open_cache_at(path);
	assert_test_cache_answers(c);

	/* Another valid cache written over it in place, whole: the file is
	 * now that cache (a reopen says so), the opened copy is not */
	in = open(other, O_RDONLY);
	out = open(path, O_WRONLY);
	assert_true(in >= 0 && out >= 0);
	n = read(in, buf, sizeof(buf));
	assert_int_equal(n, len);
	assert_int_equal(pwrite(out, buf, n, 0), n);
	assert_int_equal(ftruncate(out, n), 0);
	close(in);
	close(out);
	{
		struct pxeinv_cache *now = open_cache_at(path);
		char script[PXEINV_FILE_MAX];
		enum pxeinv_install install;

		assert_int_equal(pxeinv_cache_read_node(now, "node-01",
							&install, script),
				 PXEINV_OK);
		assert_string_equal(script, "EVIL/../../../etc/passwd");
		pxeinv_cache_close(now);
	}
	assert_test_cache_answers(c);

	/* Truncated to nothing, then removed */
	assert_int_equal(truncate(path, 0), 0);
	assert_test_cache_answers(c);
	assert_int_equal(unlink(path), 0);
	assert_test_cache_answers(c);
	assert_int_equal(pxeinv_cache_nodes(c), 3);
	pxeinv_cache_close(c);
	unlink(other);
}

/**
 * A path that is not a regular file is refused without reading it: a
 * directory, and a FIFO, which must not block the caller.
 *
 * @v state     cmocka state
 */
static void test_not_a_regular_file(void **state)
{
	char dir[64], fifo[80], want[128], err[256];
	struct pxeinv_cache *c;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pxeinv-dir.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pxeinv_cache_open(dir, &c, err, sizeof(err)),
			 PXEINV_ERR_IO);
	assert_null(c);
	snprintf(want, sizeof(want), "%s is not a regular file", dir);
	assert_string_equal(err, want);

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(pxeinv_cache_open(fifo, &c, err, sizeof(err)),
			 PXEINV_ERR_IO);
	snprintf(want, sizeof(want), "%s is not a regular file", fifo);
	assert_string_equal(err, want);
	unlink(fifo);
	rmdir(dir);
}

/**
 * A file larger than a cdb file can be (its offsets are 32 bits) is
 * refused before it is read.
 *
 * @v state     cmocka state
 */
static void test_too_large(void **state)
{
	char path[64], want[128], err[256];
	struct pxeinv_cache *c;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/pxeinv-large.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	/* sparse: no block is written */
	assert_int_equal(ftruncate(fd, 0x100000001LL), 0);
	close(fd);
	assert_int_equal(pxeinv_cache_open(path, &c, err, sizeof(err)),
			 PXEINV_ERR_FORMAT);
	snprintf(want, sizeof(want), "%s is 4294967297 bytes, more than a "
		 "cdb file can hold", path);
	assert_string_equal(err, want);
	unlink(path);
}

/**
 * A copy that cannot be made is refused, and says why: here the file
 * size limit (RLIMIT_FSIZE), which the memory file obeys too.
 *
 * @v state     cmocka state
 */
static void test_copy_fails(void **state)
{
	struct rlimit saved, small;
	struct pxeinv_cache *c;
	char want[128], err[256];
	void (*sigxfsz)(int);

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	small = saved;
	small.rlim_cur = 1024;
	sigxfsz = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(pxeinv_cache_open(cache_path, &c, err, sizeof(err)),
			 PXEINV_ERR_IO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, sigxfsz);
	assert_null(c);
	snprintf(want, sizeof(want), "cannot copy %s into memory: %s",
		 cache_path, strerror(EFBIG));
	assert_string_equal(err, want);
	/* and with the limit back, the same file opens */
	c = open_cache();
	pxeinv_cache_close(c);
}

/**
 * Tell whether a process maps a copy of a cache.
 *
 * @v pid       Process
 * @ret mapped  1 when its /proc/PID/maps names a pxeinv-cache memfd, 0
 *              when not, -1 when it cannot be read
 */
static int cache_copy_is_mapped(pid_t pid)
{
	char path[64], line[512];
	int mapped = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/memfd:pxeinv-cache"))
			mapped = 1;
	fclose(f);
	return mapped;
}

/**
 * A child forked while a cache is open shares its copy and answers from
 * it: dnsmasq opens its first cache while it reads its options, then
 * forks into the background and serves from that copy (a mapping not
 * inherited, MADV_DONTFORK, made the daemon crash at its first request).
 *
 * @v state     cmocka state
 */
static void test_copy_inherited(void **state)
{
	struct pxeinv_cache *c;
	int status, answer[2], hold[2];
	char ok = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(cache_copy_is_mapped(getpid()), 0);
	c = open_cache();
	assert_int_equal(cache_copy_is_mapped(getpid()), 1);
	assert_int_equal(pipe(answer), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pxeinv_answer ans;
		char byte;

		/* tell the answer, then wait to be killed: no exit handler
		 * (valgrind's leak check of the copied heap) runs here */
		close(answer[0]);
		close(hold[1]);
		byte = cache_copy_is_mapped(getpid()) &&
		       firmware(c, 7, "PXEClient:Arch:00007:UNDI:003000",
				&ans) == PXEINV_OK && ans.file[0] ? 'y' : 'n';
		if (write(answer[1], &byte, 1) != 1)
			byte = 0;
		while (read(hold[0], &byte, 1) < 0)
			;
		_exit(0);
	}
	close(answer[1]);
	close(hold[0]);
	assert_int_equal(read(answer[0], &ok, 1), 1);
	kill(pid, SIGKILL);
	close(hold[1]);
	close(answer[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(ok, 'y');
	pxeinv_cache_close(c);
	assert_int_equal(cache_copy_is_mapped(getpid()), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_firmware_arches),
		cmocka_unit_test(test_ipxe_identify),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_rfc3004_rewrite),
		cmocka_unit_test(test_https_upgrade),
		cmocka_unit_test(test_typed_writer),
		cmocka_unit_test(test_typed_writer_rejects),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_copy_outlives_file),
		cmocka_unit_test(test_not_a_regular_file),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_copy_fails),
		cmocka_unit_test(test_copy_inherited),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
