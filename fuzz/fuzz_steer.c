/*
 * Fuzz target: the steering (cache/pxeinv_steer.c, pxeinv_request.c)
 * against a small real cache.
 *
 * Input: 9 header bytes, then the DHCP options as they follow the magic
 * cookie of a request:
 *
 *   [0] htype  [1] hlen  [2..7] chaddr  [8] flags  [9..] options
 *
 * flags bit 0: apply dnsmasq's in-place RFC 3004 rewrite of option 77
 * (rfc2131.c) before steering, as the patch sees it; bit 1: steer with the
 * state directory, in which node-c is marked installed.  The options are
 * walked as the patch's inv_scan() walks them (the first of each code,
 * pad skipped, stop at end or at a truncated option).
 *
 * Invariants: the steering never fails on a good cache; every string of
 * the answer is terminated and printable; a node it names is a node of the
 * cache, with that node's install mode; an iPXE answer is the node's own
 * script, the exit script (boot-once, installed) or an iPXE binary (no
 * HTTPS), and the fallback when no node matched; a firmware answer is one
 * of the cache's binaries; a client whose chaddr is a node's MAC is that
 * node; and a printable identity report steers the same whether dnsmasq
 * rewrote it or not.
 *
 * The options bytes (from [9]) are also read as a whole DHCPv6 message
 * (pxeinv_request_scan6(), chaddr as the MAC dnsmasq learnt), with the
 * same invariants, and its boot-file URL must fit and be printable.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "../cache/pxeinv_cache_write.h"
#include "../cache/pxeinv_steer.h"

#define STEER_HEADER 9
#define STEER_REWRITE 0x01
#define STEER_STATE 0x02

/** One node of the fixture */
struct steer_node {
	const char *name;
	enum pxeinv_install install;
	const char *script;
	unsigned char mac[6];
	const char *uuid;
	const char *serial;
	const char *board;
	int https;
};

static const struct steer_node steer_nodes[] = {
	{ "node-a", PXEINV_INSTALL_YES, "pxeinv/nodes/node-a.ipxe",
	  { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x01 },
	  "12345678-9abc-def0-1122-334455667788", "SER-A", "BRD-A", 1 },
	{ "node-b", PXEINV_INSTALL_NO, "pxeinv/nodes/node-b.ipxe",
	  { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x02 }, NULL, "CHASSIS", "BRD-B",
	  0 },
	{ "node-c", PXEINV_INSTALL_ONCE, "pxeinv/nodes/node-c.ipxe",
	  { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x03 },
	  "00112233-4455-6677-8899-aabbccddeeff", NULL, "BRD C", 1 },
};
#define STEER_NODES (sizeof(steer_nodes) / sizeof(steer_nodes[0]))

static const struct {
	enum pxeinv_setting setting;
	const char *value;
} steer_settings[] = {
	{ PXEINV_SETTING_BIOS, "ipxe.pxe" },
	{ PXEINV_SETTING_EFI_X64, "snponly.efi" },
	{ PXEINV_SETTING_EFI_ARM64, "arm64/ipxe.efi" },
	{ PXEINV_SETTING_HTTP_X64, "http://10.0.0.1/snponly.efi" },
	{ PXEINV_SETTING_FALLBACK, PXEINV_TFTP_FALLBACK },
	{ PXEINV_SETTING_EXIT, PXEINV_TFTP_EXIT },
};
#define STEER_SETTINGS (sizeof(steer_settings) / sizeof(steer_settings[0]))

/** The fixture: the cache and the state directory */
static struct pxeinv_cache *steer_cache;
static char steer_state_dir[] = "/tmp/pxeinv-fuzz-steer.XXXXXX";

/** The options the steering reads, in inv_scan()'s order */
enum { O_TYPE, O_ARCH, O_VENDOR, O_UUID, O_CLID, O_USER, O_IPXE, O_MAX };
static const unsigned char steer_codes[O_MAX] = { 53, 93, 60, 97, 61, 77,
						  175 };

/**
 * Write one node's records.
 *
 * @v w         Writer
 * @v n         Node
 * @ret rc      0 or -errno
 */
static int steer_put_node(struct pxeinv_cache_writer *w,
			  const struct steer_node *n)
{
	char mac[18];
	int rc;

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
		 n->mac[5]);
	if ((rc = pxeinv_cache_put_node(w, n->name, n->install, "amd64",
					n->script)) != 0 ||
	    (rc = pxeinv_cache_put_mac(w, n->name, mac)) != 0)
		return rc;
	if (n->uuid && (rc = pxeinv_cache_put_uuid(w, n->name, n->uuid)) != 0)
		return rc;
	if (n->serial &&
	    (rc = pxeinv_cache_put_serial(w, n->name, n->serial)) != 0)
		return rc;
	if (n->board &&
	    (rc = pxeinv_cache_put_board_serial(w, n->name, n->board)) != 0)
		return rc;
	if (n->serial && n->board &&
	    (rc = pxeinv_cache_put_serial_board(w, n->name, n->serial,
						n->board)) != 0)
		return rc;
	if (n->https && (rc = pxeinv_cache_put_https(w, n->name)) != 0)
		return rc;
	return 0;
}

/**
 * Write the fixture's cache with the typed writer into a memfd and open it.
 *
 * @ret rc      0 or a negative errno or enum pxeinv_rc
 */
static int steer_make_cache(void)
{
	struct pxeinv_cache_writer *w;
	char path[64], err[256];
	size_t i;
	int fd, rc;

	fd = memfd_create("pxeinv-fuzz-steer.cdb", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((rc = pxeinv_cache_writer_start(fd, &w)) != 0)
		goto out;
	for (i = 0; i < STEER_NODES && rc == 0; i++)
		rc = steer_put_node(w, &steer_nodes[i]);
	for (i = 0; i < STEER_SETTINGS && rc == 0; i++)
		rc = pxeinv_cache_put_setting(w, steer_settings[i].setting,
					      steer_settings[i].value);
	if (rc != 0) {
		pxeinv_cache_writer_abort(w);
		goto out;
	}
	if ((rc = pxeinv_cache_writer_finish(w)) != 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = pxeinv_cache_open(path, &steer_cache, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "fuzz_steer: %s\n", err);
out:
	close(fd);
	return rc;
}

/**
 * Make the state directory, with node-c's boot-once marker.
 *
 * @ret rc      0 or -errno
 */
static int steer_make_state(void)
{
	char path[sizeof(steer_state_dir) + 32];
	int fd;

	if (!mkdtemp(steer_state_dir))
		return -errno;
	snprintf(path, sizeof(path), "%s/" PXEINV_STATE_ONCE, steer_state_dir);
	if (mkdir(path, 0755) != 0)
		return -errno;
	snprintf(path, sizeof(path), "%s/" PXEINV_STATE_ONCE "/node-c",
		 steer_state_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/**
 * Remove the state directory at exit.
 */
static void steer_remove_state(void)
{
	char path[sizeof(steer_state_dir) + 32];

	snprintf(path, sizeof(path), "%s/" PXEINV_STATE_ONCE "/node-c",
		 steer_state_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" PXEINV_STATE_ONCE, steer_state_dir);
	rmdir(path);
	rmdir(steer_state_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = steer_make_cache()) != 0 || (rc = steer_make_state()) != 0) {
		fprintf(stderr, "fuzz_steer: fixture: %s\n", strerror(-rc));
		exit(1);
	}
	atexit(steer_remove_state);
	return 0;
}

/**
 * Find the options the steering reads, as the patch's inv_scan() does.
 *
 * @v p         Options
 * @v end       Their end
 * @v opt       Payload of each, or NULL
 * @v len       Length of each
 * @ret ok      1, or 0 when an option runs past the end (the patch then
 *              leaves the request alone)
 */
static int steer_scan(unsigned char *p, unsigned char *end,
		      unsigned char **opt, size_t *len)
{
	int i;

	for (i = 0; i < O_MAX; i++) {
		opt[i] = NULL;
		len[i] = 0;
	}
	while (p < end && *p != 255) {
		if (*p == 0) {
			p++;
			continue;
		}
		if (p + 2 > end || p + 2 + p[1] > end)
			return 0;
		for (i = 0; i < O_MAX; i++)
			if (*p == steer_codes[i] && !opt[i]) {
				opt[i] = p + 2;
				len[i] = p[1];
			}
		p += p[1] + 2;
	}
	return 1;
}

/**
 * Rewrite a user class in place as dnsmasq does (rfc2131.c): when it
 * parses as RFC 3004 items, zero every length byte.
 *
 * @v ucp       Payload
 * @v len       Length
 * @ret rewritten 1 when it was rewritten
 */
static int steer_rewrite_rfc3004(unsigned char *ucp, size_t len)
{
	size_t j, tmp;

	for (j = 0; j < len; j += ucp[j] + 1)
		;
	if (j != len)
		return 0;
	for (j = 0; j < len; j = tmp) {
		tmp = j + ucp[j] + 1;
		ucp[j] = 0;
	}
	return 1;
}

/**
 * Fill a request from the scanned options, as the patch does.
 *
 * @v req       Request
 * @v chaddr    Header: htype, hlen, chaddr
 * @v opt       Payloads
 * @v len       Lengths
 */
static void steer_fill(struct pxeinv_request *req, const unsigned char *hdr,
		       unsigned char **opt, const size_t *len)
{
	memset(req, 0, sizeof(*req));
	req->mac = hdr + 2;
	req->mac_len = hdr[0] == 1 ? hdr[1] : 0;
	req->arch = (opt[O_ARCH] && len[O_ARCH] >= 2) ?
		    (opt[O_ARCH][0] << 8) | opt[O_ARCH][1] : -1;
	req->vendor_class = (const char *)opt[O_VENDOR];
	req->vendor_class_len = len[O_VENDOR];
	req->uuid = opt[O_UUID];
	req->uuid_len = len[O_UUID];
	req->client_id = opt[O_CLID];
	req->client_id_len = len[O_CLID];
	req->user_class = opt[O_USER];
	req->user_class_len = len[O_USER];
	req->is_ipxe = opt[O_IPXE] != NULL;
	req->ipxe_encap = opt[O_IPXE];
	req->ipxe_encap_len = len[O_IPXE];
}

/**
 * Find a fixture node by name.
 *
 * @v name      Name
 * @ret node    Node, or NULL
 */
static const struct steer_node *steer_find_node(const char *name)
{
	size_t i;

	for (i = 0; i < STEER_NODES; i++)
		if (strcmp(steer_nodes[i].name, name) == 0)
			return &steer_nodes[i];
	return NULL;
}

/**
 * Find a fixture setting's value.
 *
 * @v setting   Setting
 * @ret value   Value, or NULL
 */
static const char *steer_setting(enum pxeinv_setting setting)
{
	size_t i;

	for (i = 0; i < STEER_SETTINGS; i++)
		if (steer_settings[i].setting == setting)
			return steer_settings[i].value;
	return NULL;
}

/**
 * Tell whether a file is one of the fixture's iPXE binaries.
 *
 * @v file      File
 * @ret binary  1 when it is
 */
static int steer_is_binary(const char *file)
{
	size_t i;

	for (i = 0; i < STEER_SETTINGS; i++)
		if (steer_settings[i].setting != PXEINV_SETTING_FALLBACK &&
		    steer_settings[i].setting != PXEINV_SETTING_EXIT &&
		    strcmp(steer_settings[i].value, file) == 0)
			return 1;
	return 0;
}

/**
 * Check one answer against the fixture.
 *
 * @v req       Request
 * @v rc        pxeinv_steer()'s result
 * @v ans       Answer
 */
static void steer_check_answer(const struct pxeinv_request *req, int rc,
			       const struct pxeinv_answer *ans)
{
	static const char *const keys[] = { "", "mac", "uuid", "uuid-swapped",
		"client-id", "duid", "serial+board", "board-serial",
		"serial" };
	const struct steer_node *node;
	int known_key = 0;
	size_t i;

	FUZZ_ASSERT(rc == PXEINV_OK || rc == PXEINV_UNTOUCHED);
	if (rc == PXEINV_UNTOUCHED)
		return;
	FUZZ_ASSERT(fuzz_is_printable_string(ans->node, sizeof(ans->node)));
	FUZZ_ASSERT(fuzz_is_printable_string(ans->file, sizeof(ans->file)));
	FUZZ_ASSERT(fuzz_is_printable_string(ans->serial,
					     sizeof(ans->serial)));
	FUZZ_ASSERT(fuzz_is_printable_string(ans->board_serial,
					     sizeof(ans->board_serial)));
	FUZZ_ASSERT(ans->matched);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		known_key |= strcmp(ans->matched, keys[i]) == 0;
	FUZZ_ASSERT(known_key);
	FUZZ_ASSERT((ans->node[0] != '\0') == (ans->matched[0] != '\0'));

	node = ans->node[0] ? steer_find_node(ans->node) : NULL;
	FUZZ_ASSERT(!ans->node[0] || node);
	FUZZ_ASSERT(node ? ans->install == node->install :
		    ans->install == PXEINV_INSTALL_UNKNOWN);
	/* chaddr comes first: a node's MAC is that node */
	for (i = 0; i < STEER_NODES; i++)
		if (req->mac_len == 6 &&
		    memcmp(req->mac, steer_nodes[i].mac, 6) == 0)
			FUZZ_ASSERT(node == &steer_nodes[i]);

	switch (ans->stage) {
	case PXEINV_STAGE_IPXE:
		FUZZ_ASSERT(!ans->upgrade && !ans->http);
		if (!node) {
			FUZZ_ASSERT(strcmp(ans->file, PXEINV_TFTP_FALLBACK)
				    == 0);
		} else if (ans->installed) {
			FUZZ_ASSERT(node->install == PXEINV_INSTALL_ONCE &&
				    req->state_dir);
			FUZZ_ASSERT(strcmp(ans->file, PXEINV_TFTP_EXIT) == 0);
		} else {
			FUZZ_ASSERT(strcmp(ans->file, node->script) == 0);
			FUZZ_ASSERT(!(node->install == PXEINV_INSTALL_ONCE &&
				      req->state_dir));
		}
		break;
	case PXEINV_STAGE_FIRMWARE:
	case PXEINV_STAGE_HTTPBOOT:
		FUZZ_ASSERT(steer_is_binary(ans->file));
		FUZZ_ASSERT(!ans->installed);
		/* an upgrade: a known iPXE without HTTPS, whose node is to
		 * be installed from HTTPS images */
		FUZZ_ASSERT(!ans->upgrade ||
			    (node && node->https &&
			     node->install != PXEINV_INSTALL_NO));
		/* a URL is only ever handed to HTTP boot */
		FUZZ_ASSERT(ans->http ||
			    strncmp(ans->file, "http://", 7) != 0);
		FUZZ_ASSERT(ans->http == (ans->stage ==
					  PXEINV_STAGE_HTTPBOOT));
		break;
	default:
		FUZZ_ASSERT(!"stage");
	}
	FUZZ_ASSERT(steer_setting(PXEINV_SETTING_FALLBACK));
}

/**
 * Tell whether a payload is printable ASCII (as our iPXE build sends its
 * identity report, percent-encoded).
 *
 * @v p         Payload
 * @v len       Length
 * @ret printable 1 when it is
 */
static int steer_is_printable(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return 0;
	return 1;
}

/**
 * Steer the option bytes read as a DHCPv6 message.
 *
 * @v hdr       Header bytes (chaddr, flags)
 * @v msg       Message, in a buffer of its own size
 * @v size      Its length
 */
static void steer_fuzz_v6(const unsigned char *hdr, const unsigned char *msg,
			  size_t size)
{
	struct pxeinv_request req;
	struct pxeinv_answer ans;
	char url[PXEINV_FILE_MAX + 64];
	int rc;

	if (pxeinv_request_scan6(&req, msg, size) != 0)
		return;
	if (hdr[0] == 1 && hdr[1] == 6) {
		req.mac = hdr + 2;
		req.mac_len = 6;
	}
	if (hdr[8] & STEER_STATE)
		req.state_dir = steer_state_dir;
	rc = pxeinv_steer(steer_cache, &req, &ans);
	steer_check_answer(&req, rc, &ans);
	if (rc != PXEINV_OK)
		return;
	rc = pxeinv_answer_url6(url, sizeof(url),
				"fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
				ans.file);
	FUZZ_ASSERT(rc > 0 && fuzz_is_printable_string(url, sizeof(url)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *opt[O_MAX], *copy;
	size_t len[O_MAX];
	struct pxeinv_request req;
	struct pxeinv_answer ans, raw;
	int rc, rc_raw, rewritten = 0;

	if (size < STEER_HEADER)
		return 0;
	/* options the steering may look at, in a buffer of their own size,
	 * so that ASan sees any read past them */
	copy = malloc(size - STEER_HEADER + 1);
	if (!copy)
		return 0;
	memcpy(copy, data + STEER_HEADER, size - STEER_HEADER);
	steer_fuzz_v6(data, copy, size - STEER_HEADER);
	if (!steer_scan(copy, copy + size - STEER_HEADER, opt, len))
		goto out;
	steer_fill(&req, data, opt, len);
	if (data[8] & STEER_STATE)
		req.state_dir = steer_state_dir;
	rc_raw = pxeinv_steer(steer_cache, &req, &raw);
	steer_check_answer(&req, rc_raw, &raw);
	if ((data[8] & STEER_REWRITE) && opt[O_USER] && len[O_USER] &&
	    steer_is_printable(opt[O_USER], len[O_USER])) {
		rewritten = steer_rewrite_rfc3004(opt[O_USER], len[O_USER]);
	}
	if (!rewritten)
		goto out;
	rc = pxeinv_steer(steer_cache, &req, &ans);
	steer_check_answer(&req, rc, &ans);
	/* the patch undoes dnsmasq's rewrite: the same answer */
	FUZZ_ASSERT(rc == rc_raw);
	if (rc == PXEINV_OK) {
		FUZZ_ASSERT(ans.stage == raw.stage);
		FUZZ_ASSERT(strcmp(ans.node, raw.node) == 0);
		FUZZ_ASSERT(strcmp(ans.file, raw.file) == 0);
		FUZZ_ASSERT(strcmp(ans.serial, raw.serial) == 0);
		FUZZ_ASSERT(strcmp(ans.board_serial, raw.board_serial) == 0);
	}
out:
	free(copy);
	return 0;
}
