/*
 * Unit tests: decoding a DHCP request's options (cache/pxeinv_request.c),
 * apart from any cache or steering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../cache/pxeinv_request.h"

/**
 * Decode a request that has only a vendor class and option 93.
 *
 * @v arch      Option 93, or -1
 * @v vc        Vendor class, or NULL
 * @v client    Decoded request
 */
static void decode_arch(int arch, const char *vc, struct pxeinv_client *client)
{
	struct pxeinv_request req = {
		.arch = arch, .vendor_class = vc,
		.vendor_class_len = vc ? strlen(vc) : 0,
	};

	pxeinv_request_decode(&req, client);
}

/**
 * The architecture comes from option 93, else from the vendor class of a
 * PXE or HTTP boot client; any other client is not PXE.
 *
 * @v state     cmocka state
 */
static void test_arch(void **state)
{
	struct pxeinv_client c;

	(void)state;
	decode_arch(7, NULL, &c);
	assert_int_equal(c.arch, 7);
	assert_int_equal(c.http_class, 0);
	decode_arch(9, "PXEClient:Arch:00007:UNDI:003016", &c);
	assert_int_equal(c.arch, 9);
	decode_arch(-1, "PXEClient:Arch:00011:UNDI:003000", &c);
	assert_int_equal(c.arch, 11);
	decode_arch(-1, "HTTPClient:Arch:00016:UNDI:003001", &c);
	assert_int_equal(c.arch, 16);
	assert_int_equal(c.http_class, 1);
	/* no Arch field, or not five digits */
	decode_arch(-1, "PXEClient", &c);
	assert_int_equal(c.arch, -1);
	decode_arch(-1, "PXEClient:Arch:0007x:UNDI:003000", &c);
	assert_int_equal(c.arch, -1);
	/* another vendor class overrides option 93 */
	decode_arch(0, "udhcp 1.35.0", &c);
	assert_int_equal(c.arch, -1);
	decode_arch(-1, NULL, &c);
	assert_int_equal(c.arch, -1);
}

/**
 * Option 97 and option 61 give a UUID in text order, from the SMBIOS
 * order firmware sends (and as sent, for option 97); blank UUIDs and
 * other lengths or types give none.
 *
 * @v state     cmocka state
 */
static void test_uuid_and_client_id(void **state)
{
	/* 12345678-9abc-def0-1234-56789abcdef0 in SMBIOS order */
	static const unsigned char opt97[17] = {
		0x00, 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	static const unsigned char text[16] = {
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	static const unsigned char zero[17] = { 0 };
	unsigned char ones[17], typed[17];
	static const unsigned char cid_mac[7] = { 1, 0x52, 0x54, 0, 0, 0, 2 };
	static const unsigned char mac[6] = { 0x52, 0x54, 0, 0, 0, 9 };
	struct pxeinv_request r = { .arch = -1 };
	struct pxeinv_client c;

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	ones[0] = 0;
	r.uuid = opt97;
	r.uuid_len = 17;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_uuid, 1);
	assert_memory_equal(c.uuid, text, 16);
	assert_memory_equal(c.uuid_as_sent, opt97 + 1, 16);
	/* without the type byte */
	r.uuid = opt97 + 1;
	r.uuid_len = 16;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_uuid, 1);
	assert_memory_equal(c.uuid, text, 16);
	/* a type other than 0, a wrong length, blank UUIDs */
	memcpy(typed, opt97, 17);
	typed[0] = 1;
	r.uuid = typed;
	r.uuid_len = 17;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_uuid, 0);
	r.uuid = opt97;
	r.uuid_len = 15;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_uuid, 0);
	r.uuid = zero;
	r.uuid_len = 17;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_uuid, 0);
	r.uuid = ones;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_uuid, 0);
	r.uuid = NULL;
	r.uuid_len = 0;

	/* option 61: type 0 and a UUID, type 1 and a MAC */
	r.client_id = opt97;
	r.client_id_len = 17;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_client_uuid, 1);
	assert_int_equal(c.has_client_mac, 0);
	assert_memory_equal(c.client_uuid, text, 16);
	r.client_id = ones;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_client_uuid, 0);
	r.client_id = cid_mac;
	r.client_id_len = 7;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_client_mac, 1);
	assert_int_equal(c.has_client_uuid, 0);
	assert_memory_equal(c.client_mac, cid_mac + 1, 6);
	r.client_id_len = 6;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_client_mac, 0);

	/* chaddr: only a 6-byte address */
	r.mac = mac;
	r.mac_len = 6;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_mac, 1);
	assert_memory_equal(c.mac, mac, 6);
	r.mac_len = 16;
	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.has_mac, 0);
}

/**
 * Decode option 175 alone.
 *
 * @v encap     Payload, or NULL
 * @v len       Length
 * @ret lacks   lacks_https
 */
static int lacks_https(const unsigned char *encap, size_t len)
{
	struct pxeinv_request r = { .arch = -1, .is_ipxe = 1,
				    .ipxe_encap = encap, .ipxe_encap_len = len };
	struct pxeinv_client c;

	pxeinv_request_decode(&r, &c);
	assert_int_equal(c.is_ipxe, 1);
	return c.lacks_https;
}

/**
 * Option 175 says whether iPXE has HTTPS (feature 20, non-zero); a
 * malformed one, an item cut off in its length or its data, says nothing.
 *
 * @v state     cmocka state
 */
static void test_ipxe_features(void **state)
{
	static const unsigned char https[] = { 19, 1, 1, 20, 1, 1 };
	static const unsigned char padded[] = { 0, 0, 20, 1, 1, 0xff };
	static const unsigned char off[] = { 19, 1, 1, 20, 1, 0 };
	static const unsigned char none[] = { 19, 1, 1, 0xff, 20, 1, 1 };
	static const unsigned char cut[] = { 19, 1, 1, 177, 9, 1 };
	static const unsigned char no_length[] = { 19, 1, 1, 20 };
	static const unsigned char pad_last[] = { 19, 1, 1, 0 };

	(void)state;
	assert_int_equal(lacks_https(NULL, 0), 0);
	assert_int_equal(lacks_https(https, sizeof(https)), 0);
	assert_int_equal(lacks_https(padded, sizeof(padded)), 0);
	assert_int_equal(lacks_https(off, sizeof(off)), 1);
	/* feature 20 after the end option does not count */
	assert_int_equal(lacks_https(none, sizeof(none)), 1);
	/* malformed: assume nothing */
	assert_int_equal(lacks_https(cut, sizeof(cut)), 0);
	assert_int_equal(lacks_https(no_length, sizeof(no_length)), 0);
	/* a pad byte last is no cut item */
	assert_int_equal(lacks_https(pad_last, sizeof(pad_last)), 1);
}

/**
 * Decode option 77 alone.
 *
 * @v uc        Payload
 * @v len       Length
 * @v client    Decoded request
 */
static void decode_user_class(const void *uc, size_t len,
			      struct pxeinv_client *client)
{
	struct pxeinv_request r = { .arch = -1, .user_class = uc,
				    .user_class_len = len };

	pxeinv_request_decode(&r, client);
}

/**
 * Option 77: "iPXE" raw or as an RFC 3004 item, and the identity report,
 * percent-decoded, raw or as an RFC 3004 item; malformed fields are left
 * empty, and other user classes are not iPXE.
 *
 * @v state     cmocka state
 */
static void test_user_class(void **state)
{
	static const char item[] = "\x16pxeinv/1 s=S%201 b=B-1";
	char longer[200];
	struct pxeinv_client c;

	(void)state;
	decode_user_class("iPXE", 4, &c);
	assert_int_equal(c.is_ipxe, 1);
	assert_int_equal(c.reported, 0);
	decode_user_class("\x04iPXE", 5, &c);
	assert_int_equal(c.is_ipxe, 1);
	decode_user_class("iPXE2", 5, &c);
	assert_int_equal(c.is_ipxe, 0);
	decode_user_class("pxeinv/2 s=A", 12, &c);
	assert_int_equal(c.is_ipxe, 0);
	assert_int_equal(c.reported, 0);

	decode_user_class("pxeinv/1 s=CH%2D9 b=BRD", 23, &c);
	assert_int_equal(c.is_ipxe, 1);
	assert_int_equal(c.reported, 1);
	assert_string_equal(c.serial, "CH-9");
	assert_string_equal(c.board_serial, "BRD");
	/* as one RFC 3004 item: its length byte first */
	decode_user_class(item, sizeof(item) - 1, &c);
	assert_int_equal(c.reported, 1);
	assert_string_equal(c.serial, "S 1");
	assert_string_equal(c.board_serial, "B-1");
	/* a field that is not percent-encoded right, or decodes to a
	 * control character, is left empty; the other one is kept */
	decode_user_class("pxeinv/1 s=A%4 b=B", 18, &c);
	assert_int_equal(c.reported, 1);
	assert_string_equal(c.serial, "");
	assert_string_equal(c.board_serial, "B");
	decode_user_class("pxeinv/1 s=A%zz1 b=B", 20, &c);
	assert_string_equal(c.serial, "");
	decode_user_class("pxeinv/1 s=A%09 b=B", 19, &c);
	assert_string_equal(c.serial, "");
	assert_string_equal(c.board_serial, "B");
	/* longer than PXEINV_SERIAL_MAX - 1 once decoded */
	strcpy(longer, "pxeinv/1 b=");
	while (strlen(longer) < 11 + PXEINV_SERIAL_MAX)
		strcat(longer, "X");
	decode_user_class(longer, strlen(longer), &c);
	assert_int_equal(c.reported, 1);
	assert_string_equal(c.board_serial, "");
	longer[strlen(longer) - 1] = '\0';
	decode_user_class(longer, strlen(longer), &c);
	assert_int_equal(strlen(c.board_serial), PXEINV_SERIAL_MAX - 1);
	/* a payload with NULs that is no RFC 3004 rewrite is no report */
	decode_user_class("\0pxeinv/1 s=A\0", 14, &c);
	assert_int_equal(c.reported, 0);
	assert_int_equal(c.is_ipxe, 0);
}

/**
 * An identity report sent as one RFC 3004 item, whose length byte
 * dnsmasq zeroed in place, is rebuilt whatever its length: a short one
 * (a length byte under 0x20) too.
 *
 * @v state     cmocka state
 */
static void test_user_class_rewritten_item(void **state)
{
	/* "\x0dpxeinv/1 s=S1" and a 40-byte item, as dnsmasq leaves them */
	static const char shorter[] = "\0pxeinv/1 s=S1";
	static const char longer[] = "\0pxeinv/1 s=SERIAL-0123456789 b=BOARD-42";
	struct pxeinv_client c;

	(void)state;
	decode_user_class(shorter, sizeof(shorter) - 1, &c);
	assert_int_equal(c.reported, 1);
	assert_int_equal(c.is_ipxe, 1);
	assert_string_equal(c.serial, "S1");
	decode_user_class(longer, sizeof(longer) - 1, &c);
	assert_int_equal(c.reported, 1);
	assert_string_equal(c.serial, "SERIAL-0123456789");
	assert_string_equal(c.board_serial, "BOARD-42");
	/* one empty item: nothing to rebuild into a report */
	decode_user_class("\0", 1, &c);
	assert_int_equal(c.reported, 0);
}

/**
 * Build a DHCP request: an Ethernet chaddr, the magic cookie, then the
 * given options field, and file and sname contents.
 *
 * @v msg       Buffer, 300 bytes
 * @v opts      Options field
 * @v opts_len  Its length
 * @v file      file field contents, or NULL
 * @v file_len  Their length (<= 128)
 * @v sname     sname field contents, or NULL
 * @v sname_len Their length (<= 64)
 * @ret len     Message length
 */
static size_t build_msg(unsigned char *msg, const void *opts, size_t opts_len,
			const void *file, size_t file_len, const void *sname,
			size_t sname_len)
{
	static const unsigned char mac[6] = { 0x52, 0x54, 0, 0xaa, 0, 1 };

	memset(msg, 0, 300);
	msg[0] = 1;
	msg[1] = 1;
	msg[2] = 6;
	memcpy(msg + 28, mac, 6);
	if (sname)
		memcpy(msg + 44, sname, sname_len);
	if (file)
		memcpy(msg + 108, file, file_len);
	memcpy(msg + 236, "\x63\x82\x53\x63", 4);
	memcpy(msg + 240, opts, opts_len);
	return 240 + opts_len;
}

/**
 * The options of a raw request: first occurrences, and with option
 * overload (52) the file and sname fields too, as dnsmasq's dhcp-match
 * finds them: a known iPXE whose option 175 is in file is iPXE.
 *
 * @v state     cmocka state
 */
static void test_scan_overload(void **state)
{
	/* 53 = REQUEST, 52 = both, 93 = 7, 60 twice: the first wins */
	static const unsigned char opts[] = {
		53, 1, 3, 52, 1, 3, 0, 93, 2, 0, 7, 60, 3, 'a', 'b', 'c',
		60, 1, 'x', 255 };
	/* 175 (feature 20, HTTPS, is 1), then 97 */
	static const unsigned char file[] = {
		175, 3, 20, 1, 1, 97, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15, 16, 255 };
	/* 77 "iPXE", and an option that 52 = 1 leaves unread */
	static const unsigned char sname[] = { 77, 4, 'i', 'P', 'X', 'E', 255 };
	static const unsigned char no_overload[] = { 53, 1, 1, 255 };
	static const unsigned char file_only[] = { 53, 1, 1, 52, 1, 1, 255 };
	static const unsigned char runs_past[] = { 53, 1, 1, 60, 9, 'a' };
	/* 175, then 77 running past the field: the field is ignored */
	static const unsigned char file_runs_past[] = { 175, 1, 0, 77, 200, 1 };
	/* empty instances are skipped: the first with a payload counts */
	static const unsigned char empty_first[] = {
		53, 1, 1, 175, 0, 60, 0, 60, 2, 'v', 'c', 175, 1, 0, 255 };
	struct pxeinv_request req;
	struct pxeinv_client c;
	unsigned char msg[300];
	size_t len;

	(void)state;
	len = build_msg(msg, opts, sizeof(opts), file, sizeof(file), sname,
			sizeof(sname));
	assert_int_equal(pxeinv_request_scan(&req, msg, len), 0);
	assert_int_equal(req.msg_type, 3);
	assert_int_equal(req.arch, 7);
	assert_int_equal(req.vendor_class_len, 3);
	assert_memory_equal(req.vendor_class, "abc", 3);
	assert_true(req.is_ipxe);
	assert_ptr_equal(req.ipxe_encap, msg + 108 + 2);
	assert_int_equal(req.ipxe_encap_len, 3);
	assert_int_equal(req.uuid_len, 17);
	assert_int_equal(req.user_class_len, 4);
	assert_int_equal(req.mac_len, 6);
	assert_ptr_equal(req.mac, msg + 28);
	assert_null(req.state_dir);
	pxeinv_request_decode(&req, &c);
	assert_int_equal(c.is_ipxe, 1);
	assert_int_equal(c.lacks_https, 0);
	assert_int_equal(c.has_uuid, 1);
	assert_int_equal(c.has_mac, 1);

	/* without 52, file and sname are names, not options */
	len = build_msg(msg, no_overload, sizeof(no_overload), file,
			sizeof(file), sname, sizeof(sname));
	assert_int_equal(pxeinv_request_scan(&req, msg, len), 0);
	assert_int_equal(req.msg_type, 1);
	assert_false(req.is_ipxe);
	assert_null(req.uuid);
	assert_null(req.user_class);
	assert_int_equal(req.arch, -1);
	/* 52 = 1: file only */
	len = build_msg(msg, file_only, sizeof(file_only), file, sizeof(file),
			sname, sizeof(sname));
	assert_int_equal(pxeinv_request_scan(&req, msg, len), 0);
	assert_true(req.is_ipxe);
	assert_null(req.user_class);

	/* malformed: too short, an option past the end of the message */
	assert_int_equal(pxeinv_request_scan(&req, msg, 239), -EINVAL);
	len = build_msg(msg, runs_past, sizeof(runs_past), NULL, 0, NULL, 0);
	assert_int_equal(pxeinv_request_scan(&req, msg, len), -EINVAL);
	/* garbage in an overloaded field: that field says nothing */
	len = build_msg(msg, file_only, sizeof(file_only), file_runs_past,
			sizeof(file_runs_past), NULL, 0);
	assert_int_equal(pxeinv_request_scan(&req, msg, len), 0);
	assert_int_equal(req.msg_type, 1);
	assert_false(req.is_ipxe);
	assert_null(req.user_class);
	len = build_msg(msg, empty_first, sizeof(empty_first), NULL, 0, NULL,
			0);
	assert_int_equal(pxeinv_request_scan(&req, msg, len), 0);
	assert_true(req.is_ipxe);
	assert_int_equal(req.ipxe_encap_len, 1);
	assert_int_equal(req.vendor_class_len, 2);
	/* not Ethernet: no MAC */
	len = build_msg(msg, no_overload, sizeof(no_overload), NULL, 0, NULL,
			0);
	msg[1] = 6;
	assert_int_equal(pxeinv_request_scan(&req, msg, len), 0);
	assert_null(req.mac);
}

/** A DHCPv6 message being built */
struct msg6 {
	unsigned char b[512];
	size_t len;
};

/**
 * Start a DHCPv6 message (type, transaction id 0x010203).
 *
 * @v m         Message
 * @v type      Message type
 */
static void msg6_start(struct msg6 *m, int type)
{
	m->b[0] = type;
	m->b[1] = 1;
	m->b[2] = 2;
	m->b[3] = 3;
	m->len = 4;
}

/**
 * Append an option whose length field says LEN while DATA_LEN bytes follow.
 *
 * @v m         Message
 * @v code      Option code
 * @v len       Length field
 * @v data      Payload
 * @v data_len  Payload bytes appended
 */
static void msg6_put_raw(struct msg6 *m, int code, size_t len, const void *data,
			 size_t data_len)
{
	m->b[m->len++] = code >> 8;
	m->b[m->len++] = code & 0xff;
	m->b[m->len++] = len >> 8;
	m->b[m->len++] = len & 0xff;
	memcpy(m->b + m->len, data, data_len);
	m->len += data_len;
}

/**
 * Append an option.
 *
 * @v m         Message
 * @v code      Option code
 * @v data      Payload
 * @v len       Its length
 */
static void msg6_put(struct msg6 *m, int code, const void *data, size_t len)
{
	msg6_put_raw(m, code, len, data, len);
}

/**
 * Append a user class (15) or vendor class (16, enterprise 343) of one
 * item.
 *
 * @v m         Message
 * @v code      15 or 16
 * @v text      The item
 */
static void msg6_put_class(struct msg6 *m, int code, const char *text)
{
	unsigned char p[300];
	size_t n = strlen(text), off = 0;

	if (code == 16) {
		memcpy(p, "\0\0\1\x57", 4);
		off = 4;
	}
	p[off] = n >> 8;
	p[off + 1] = n & 0xff;
	memcpy(p + off + 2, text, n);
	msg6_put(m, code, p, off + 2 + n);
}

/**
 * Scan and decode a DHCPv6 message.
 *
 * @v m         Message
 * @v client    Decoded request
 * @ret rc      pxeinv_request_scan6()'s
 */
static int msg6_decode(struct msg6 *m, struct pxeinv_client *client)
{
	struct pxeinv_request req;
	int rc = pxeinv_request_scan6(&req, m->b, m->len);

	memset(client, 0, sizeof(*client));
	if (rc == 0)
		pxeinv_request_decode(&req, client);
	return rc;
}

/** DHCPv6: what UEFI PXEv6 and iPXE send, read as in DHCPv4 */
static void test_scan6(void **state)
{
	static const unsigned char duid_ll[] = { 0, 3, 0, 1, 0x52, 0x54, 0, 0xaa, 0, 1 };
	static const unsigned char duid_llt[] = { 0, 1, 0, 1, 9, 9, 9, 9, 0x52, 0x54, 0, 0xaa, 0, 2 };
	static const unsigned char duid_ll_ib[] = { 0, 3, 0, 32, 0x52, 0x54, 0, 0xaa, 0, 1 };
	static const unsigned char duid_uuid[] = { 0, 4, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	static const unsigned char arch7[] = { 0, 7 }, arch16[] = { 0, 16 };
	static const unsigned char mac1[] = { 0x52, 0x54, 0, 0xaa, 0, 1 };
	struct pxeinv_request req;
	struct pxeinv_client c;
	struct msg6 m;

	(void)state;
	/* UEFI PXEv6 firmware: DUID-LL, arch 7, PXEClient */
	msg6_start(&m, 1);
	msg6_put(&m, 1, duid_ll, sizeof(duid_ll));
	msg6_put(&m, 61, arch7, 2);
	msg6_put_class(&m, 16, "PXEClient:Arch:00007:UNDI:003016");
	assert_int_equal(pxeinv_request_scan6(&req, m.b, m.len), 0);
	assert_int_equal(req.msg_type, 1);
	assert_null(req.mac);
	assert_int_equal(msg6_decode(&m, &c), 0);
	assert_int_equal(c.arch, 7);
	assert_false(c.is_ipxe);
	assert_false(c.http_class);
	assert_true(c.has_duid_mac);
	assert_memory_equal(c.duid_mac, mac1, 6);
	assert_false(c.has_mac);

	/* iPXE: DUID-LLT, user class iPXE */
	msg6_start(&m, 3);
	msg6_put(&m, 1, duid_llt, sizeof(duid_llt));
	msg6_put_class(&m, 15, "iPXE");
	assert_int_equal(msg6_decode(&m, &c), 0);
	assert_true(c.is_ipxe);
	assert_true(c.has_duid_mac);
	assert_int_equal(c.duid_mac[5], 2);
	assert_int_equal(c.arch, -1);

	/* a DUID-LL of another hardware type is no MAC */
	msg6_start(&m, 1);
	msg6_put(&m, 1, duid_ll_ib, sizeof(duid_ll_ib));
	assert_int_equal(msg6_decode(&m, &c), 0);
	assert_false(c.has_duid_mac);

	/* DUID-UUID: the UUID, both byte orders tried */
	msg6_start(&m, 11);
	msg6_put(&m, 1, duid_uuid, sizeof(duid_uuid));
	assert_int_equal(msg6_decode(&m, &c), 0);
	assert_true(c.has_uuid);
	assert_memory_equal(c.uuid_as_sent, duid_uuid + 2, 16);
	assert_int_equal(c.uuid[0], 0x78);

	/* HTTPv6 firmware; the identity report of pxeinv's iPXE */
	msg6_start(&m, 1);
	msg6_put(&m, 61, arch16, 2);
	msg6_put_class(&m, 16, "HTTPClient:Arch:00016");
	msg6_put_class(&m, 15, "pxeinv/1 s=SER%201 b=B");
	assert_int_equal(msg6_decode(&m, &c), 0);
	assert_int_equal(c.arch, 16);
	assert_true(c.http_class);
	assert_true(c.reported);
	assert_true(c.is_ipxe);
	assert_string_equal(c.serial, "SER 1");
	assert_string_equal(c.board_serial, "B");

	/* the first instance of an option counts */
	msg6_start(&m, 1);
	msg6_put_class(&m, 15, "other");
	msg6_put_class(&m, 15, "iPXE");
	assert_int_equal(msg6_decode(&m, &c), 0);
	assert_false(c.is_ipxe);
}

/** DHCPv6: malformed messages and options */
static void test_scan6_malformed(void **state)
{
	static const unsigned char item_past[] = { 0, 0, 1, 0x57, 0, 40, 'P', 'X', 'E' };
	static const unsigned char short_duid[] = { 0, 3, 0, 1, 0x52 };
	static const unsigned char empty_item[] = { 0, 0 };
	struct pxeinv_request req;
	struct pxeinv_client c;
	struct msg6 m;

	(void)state;
	msg6_start(&m, 1);
	assert_int_equal(pxeinv_request_scan6(&req, m.b, 3), -EINVAL);
	/* an option running past the message */
	msg6_start(&m, 1);
	msg6_put_raw(&m, 15, 20, "\0\4iPXE", 6);
	assert_int_equal(pxeinv_request_scan6(&req, m.b, m.len), -EINVAL);
	/* an option header cut short */
	msg6_start(&m, 1);
	m.b[m.len++] = 0;
	m.b[m.len++] = 15;
	m.b[m.len++] = 0;
	assert_int_equal(pxeinv_request_scan6(&req, m.b, m.len), -EINVAL);
	/* inside an option: an item past its end, a short DUID, an empty
	 * item, an arch of one byte: ignored, the rest is read */
	msg6_start(&m, 1);
	msg6_put(&m, 16, item_past, sizeof(item_past));
	msg6_put(&m, 1, short_duid, sizeof(short_duid));
	msg6_put(&m, 15, empty_item, sizeof(empty_item));
	msg6_put(&m, 61, "\7", 1);
	assert_int_equal(pxeinv_request_scan6(&req, m.b, m.len), 0);
	assert_null(req.vendor_class);
	assert_null(req.duid_mac);
	assert_null(req.user_class);
	assert_int_equal(req.arch, -1);
	assert_int_equal(msg6_decode(&m, &c), 0);
	assert_false(c.is_ipxe);
	assert_int_equal(c.arch, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arch),
		cmocka_unit_test(test_uuid_and_client_id),
		cmocka_unit_test(test_ipxe_features),
		cmocka_unit_test(test_user_class),
		cmocka_unit_test(test_user_class_rewritten_item),
		cmocka_unit_test(test_scan_overload),
		cmocka_unit_test(test_scan6),
		cmocka_unit_test(test_scan6_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
