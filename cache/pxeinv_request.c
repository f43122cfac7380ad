/*
 * pxeinv lookup cache: decoding a DHCP request's options.
 *
 * Shared, unchanged, by the `pxeinv` CLI and the dnsmasq patch.  See
 * pxeinv_request.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pxeinv_request.h"

/* The BOOTP header (RFC 2131 2), before the magic cookie and options */
#define REQUEST_HTYPE 1
#define REQUEST_HLEN 2
#define REQUEST_CHADDR 28
#define REQUEST_SNAME 44
#define REQUEST_SNAME_LEN 64
#define REQUEST_FILE 108
#define REQUEST_FILE_LEN 128
#define REQUEST_OPTIONS 240     /**< after the 4-byte magic cookie */
/** Option 52's bits: options in file, in sname */
#define REQUEST_OVERLOAD_FILE 1
#define REQUEST_OVERLOAD_SNAME 2

/**
 * Tell whether 16 UUID bytes carry no identity (all 0x00 or all 0xff).
 *
 * @v b         16 bytes
 * @ret blank   1 when blank
 */
static int request_uuid_is_blank(const unsigned char *b)
{
	int i, zero = 1, ones = 1;

	for (i = 0; i < 16; i++) {
		zero &= (b[i] == 0x00);
		ones &= (b[i] == 0xff);
	}
	return zero || ones;
}

/**
 * Turn 16 UUID bytes from SMBIOS order (the first three fields
 * little-endian) into text order.
 *
 * @v smbios    16 bytes, SMBIOS order
 * @v text      16 bytes, text order
 */
static void request_uuid_from_smbios(const unsigned char *smbios,
				     unsigned char *text)
{
	static const unsigned char smbios_order[16] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	int i;

	for (i = 0; i < 16; i++)
		text[i] = smbios[smbios_order[i]];
}

/**
 * Decode option 97: type 0 then 16 bytes; some clients omit the type.
 *
 * @v req       Request
 * @v client    Decoded request: has_uuid, uuid and uuid_as_sent
 */
static void request_decode_uuid(const struct pxeinv_request *req,
				struct pxeinv_client *client)
{
	const unsigned char *uuid = NULL;

	if (req->uuid && req->uuid_len == 17 && req->uuid[0] == 0)
		uuid = req->uuid + 1;
	else if (req->uuid && req->uuid_len == 16)
		uuid = req->uuid;
	if (!uuid || request_uuid_is_blank(uuid))
		return;
	client->has_uuid = 1;
	request_uuid_from_smbios(uuid, client->uuid);
	memcpy(client->uuid_as_sent, uuid, 16);
}

/**
 * Decode option 61: hardware type 1 and a MAC, or type 0 and a UUID.
 *
 * @v req       Request
 * @v client    Decoded request: the client_ fields
 */
static void request_decode_client_id(const struct pxeinv_request *req,
				     struct pxeinv_client *client)
{
	const unsigned char *id = req->client_id;

	if (id && req->client_id_len == 7 && id[0] == 1) {
		client->has_client_mac = 1;
		memcpy(client->client_mac, id + 1, 6);
	} else if (id && req->client_id_len == 17 && id[0] == 0 &&
		   !request_uuid_is_blank(id + 1)) {
		client->has_client_uuid = 1;
		request_uuid_from_smbios(id + 1, client->client_uuid);
	}
}

/**
 * Decode the client architecture: option 93, else the vendor class.
 *
 * @v req       Request
 * @v client    Decoded request: arch and http_class
 */
static void request_decode_arch(const struct pxeinv_request *req,
				struct pxeinv_client *client)
{
	static const char pxe[] = "PXEClient", httpc[] = "HTTPClient";
	const char *vc = req->vendor_class;
	size_t len = req->vendor_class_len;
	int pxe_class = 0;

	client->arch = -1;
	if (vc && len >= sizeof(pxe) - 1 && memcmp(vc, pxe, sizeof(pxe) - 1)
	    == 0)
		pxe_class = 1;
	else if (vc && len >= sizeof(httpc) - 1 &&
		 memcmp(vc, httpc, sizeof(httpc) - 1) == 0)
		pxe_class = client->http_class = 1;
	else if (vc || req->arch < 0)
		return;
	if (req->arch >= 0) {
		client->arch = req->arch;
		return;
	}
	/* "PXEClient:Arch:00007:..." */
	if (pxe_class) {
		size_t off = client->http_class ? sizeof(httpc) - 1 :
						  sizeof(pxe) - 1;
		char digits[6];

		if (len >= off + 11 && memcmp(vc + off, ":Arch:", 6) == 0) {
			memcpy(digits, vc + off + 6, 5);
			digits[5] = '\0';
			if (strspn(digits, "0123456789") == 5)
				client->arch = atoi(digits);
		}
	}
}

/**
 * Decode option 175: does iPXE say it lacks HTTPS (feature 20)?
 *
 * @v req       Request
 * @ret lacks   1 when option 175 is there and has no HTTPS flag
 */
static int request_ipxe_lacks_https(const struct pxeinv_request *req)
{
	const unsigned char *p = req->ipxe_encap;
	size_t i = 0, len = req->ipxe_encap_len;

	if (!p)
		return 0;
	while (i < len) {
		unsigned int code = p[i], l;

		if (code == 0xff)
			break;
		if (code == 0) {
			i++;
			continue;
		}
		/* malformed (an item's length, or its data, cut off):
		 * assume nothing */
		if (i + 1 >= len)
			return 0;
		l = p[i + 1];
		if (i + 2 + l > len)
			return 0;
		if (code == 20 && l >= 1 && p[i + 2])
			return 0;
		i += 2 + l;
	}
	return 1;
}

/**
 * Decode one percent-encoded field of the iPXE identity report.
 *
 * @v in        Field start
 * @v len       Field length
 * @v out       Output buffer, PXEINV_SERIAL_MAX bytes
 * @ret len     Decoded length, or -1 when malformed (a '%' without two
 *              hex digits, a byte outside printable ASCII) or too long
 */
static int request_decode_field(const unsigned char *in, size_t len,
				char *out)
{
	size_t i;
	int n = 0;

	for (i = 0; i < len; i++) {
		unsigned int c = in[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len ||
			    (hi = pxeinv_hex_value(in[i + 1])) < 0 ||
			    (lo = pxeinv_hex_value(in[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		/* printable ASCII, as the cache's serials and the hook's
		 * tags are */
		if (c < 0x20 || c >= 0x7f)
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
 * NUL) parses that way when it is sent as one item (its length byte,
 * any value, first), or raw when its first byte, 'p' (112), and the
 * following bytes chain to the end.  Every NUL is then a former length
 * byte, and each length is the distance to the next NUL (or the end), so
 * the original text can be rebuilt exactly.
 *
 * @v uc        Rewritten payload (starts with a NUL)
 * @v len       Length, at most 256
 * @v out       Rebuilt payload, len bytes
 * @ret rc      0, or -1 when the payload is not such a rewrite
 */
static int request_undo_rfc3004(const unsigned char *uc, size_t len,
				unsigned char *out)
{
	size_t i = 0, next;

	memcpy(out, uc, len);
	while (i < len) {
		if (uc[i] != 0)
			return -1;
		for (next = i + 1; next < len && uc[next] != 0; next++)
			;
		if (next - i - 1 > 255)
			return -1;
		out[i] = next - i - 1;
		i = next;
	}
	return 0;
}

/**
 * Decode the pxeinv identity report in a raw option 77 payload.
 *
 * iPXE sends "pxeinv/1 s=SERIAL b=BOARD" either raw or as one RFC 3004
 * item (a length byte first).
 *
 * @v uc        Option 77 payload, or NULL
 * @v len       Length
 * @v serial    Decoded serial output ("" when absent)
 * @v board     Decoded board serial output ("" when absent)
 * @ret found   1 when a report was found
 */
static int request_decode_identity(const unsigned char *uc, size_t len,
				   char *serial, char *board)
{
	static const char tag[] = "pxeinv/1";
	size_t taglen = sizeof(tag) - 1, i, start;
	unsigned char fixed[256];

	serial[0] = board[0] = '\0';
	if (!uc)
		return 0;
	if (len > 0 && uc[0] == 0 && len <= sizeof(fixed)) {
		if (request_undo_rfc3004(uc, len, fixed) != 0)
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
			if (request_decode_field(uc + i + 2, end - i - 2,
						 out) < 0)
				out[0] = '\0';
		}
		i = end;
	}
	return 1;
}

/**
 * Tell whether option 77 says "iPXE", raw or as one RFC 3004 item.
 *
 * @v uc        Option 77 payload, or NULL
 * @v len       Length
 * @ret ipxe    1 when it does
 */
static int request_user_class_is_ipxe(const unsigned char *uc, size_t len)
{
	if (!uc)
		return 0;
	if (len == 4 && memcmp(uc, "iPXE", 4) == 0)
		return 1;
	return len >= 5 && uc[0] == 4 && memcmp(uc + 1, "iPXE", 4) == 0;
}

/** A scan of a message's options */
struct request_scan {
	struct pxeinv_request *req;
	int overload;           /**< option 52's value; -1 absent */
	int arch_seen;          /**< option 93 was there */
};

/**
 * Keep the first instance of an option the steering looks at that is not
 * empty, as dnsmasq's option_find(..., 1) and dhcp-match read it (an
 * empty option 175 is no iPXE, an empty vendor class no vendor class).
 *
 * @v scan      Scan
 * @v code      Option code
 * @v data      Payload
 * @v len       Its length
 */
static void request_keep(struct request_scan *scan, unsigned int code,
			 const unsigned char *data, size_t len)
{
	struct pxeinv_request *req = scan->req;

	if (len == 0)
		return;
	switch (code) {
	case 52:
		if (scan->overload < 0)
			scan->overload = data[0];
		break;
	case 53:
		if (req->msg_type < 0 && len == 1)
			req->msg_type = data[0];
		break;
	case 60:
		if (!req->vendor_class) {
			req->vendor_class = (const char *)data;
			req->vendor_class_len = len;
		}
		break;
	case 61:
		if (!req->client_id) {
			req->client_id = data;
			req->client_id_len = len;
		}
		break;
	case 77:
		if (!req->user_class) {
			req->user_class = data;
			req->user_class_len = len;
		}
		break;
	case 93:
		/* the first entry of the first occurrence */
		if (!scan->arch_seen && len >= 2)
			req->arch = (data[0] << 8) | data[1];
		scan->arch_seen = 1;
		break;
	case 97:
		if (!req->uuid) {
			req->uuid = data;
			req->uuid_len = len;
		}
		break;
	case 175:
		if (!req->is_ipxe) {
			req->is_ipxe = 1;
			req->ipxe_encap = data;
			req->ipxe_encap_len = len;
		}
		break;
	}
}

/**
 * Walk one field of options (the options field, file or sname) up to its
 * end option, or only check it.
 *
 * @v scan      Scan, or NULL to check the field only
 * @v p         Field
 * @v len       Its length
 * @ret rc      0, or -EINVAL when an option runs past the field (options
 *              before it are kept)
 */
static int request_walk(struct request_scan *scan, const unsigned char *p,
			size_t len)
{
	size_t i = 0;

	while (i < len && p[i] != 255) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + p[i + 1] > len)
			return -EINVAL;
		if (scan)
			request_keep(scan, p[i], p + i + 2, p[i + 1]);
		i += 2 + p[i + 1];
	}
	return 0;
}

/**
 * Walk an overloaded field (file or sname) when it is well-formed: one
 * that holds garbage is ignored as a whole, and the request still counts.
 *
 * @v scan      Scan
 * @v p         Field
 * @v len       Its length
 */
static void request_walk_overloaded(struct request_scan *scan,
				    const unsigned char *p, size_t len)
{
	if (request_walk(NULL, p, len) == 0)
		request_walk(scan, p, len);
}

int pxeinv_request_scan(struct pxeinv_request *req, const unsigned char *msg,
			size_t len)
{
	struct request_scan scan = { req, -1, 0 };
	int rc;

	memset(req, 0, sizeof(*req));
	req->arch = -1;
	req->msg_type = -1;
	if (len < REQUEST_OPTIONS)
		return -EINVAL;
	if (msg[REQUEST_HTYPE] == 1 && msg[REQUEST_HLEN] <= 16) {
		req->mac = msg + REQUEST_CHADDR;
		req->mac_len = msg[REQUEST_HLEN];
	}
	rc = request_walk(&scan, msg + REQUEST_OPTIONS, len - REQUEST_OPTIONS);
	if (rc != 0)
		return rc;
	if (scan.overload > 0 && (scan.overload & REQUEST_OVERLOAD_FILE))
		request_walk_overloaded(&scan, msg + REQUEST_FILE,
					REQUEST_FILE_LEN);
	if (scan.overload > 0 && (scan.overload & REQUEST_OVERLOAD_SNAME))
		request_walk_overloaded(&scan, msg + REQUEST_SNAME,
					REQUEST_SNAME_LEN);
	return 0;
}

void pxeinv_request_decode(const struct pxeinv_request *req,
			   struct pxeinv_client *client)
{
	memset(client, 0, sizeof(*client));
	if (req->mac && req->mac_len == 6) {
		client->has_mac = 1;
		memcpy(client->mac, req->mac, 6);
	}
	request_decode_arch(req, client);
	request_decode_uuid(req, client);
	request_decode_client_id(req, client);
	if (req->duid_mac) {
		client->has_duid_mac = 1;
		memcpy(client->duid_mac, req->duid_mac, 6);
	}
	client->lacks_https = request_ipxe_lacks_https(req);
	client->reported = request_decode_identity(req->user_class,
						   req->user_class_len,
						   client->serial,
						   client->board_serial);
	client->is_ipxe = req->is_ipxe || client->reported ||
			  request_user_class_is_ipxe(req->user_class,
						     req->user_class_len);
}
