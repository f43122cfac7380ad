/*
 * pxeinv lookup cache: decoding a DHCP request's options.
 *
 * Shared, unchanged, by the `pxeinv` CLI and the dnsmasq patch.  See
 * pxeinv_request.h.
 */
#include <stdlib.h>
#include <string.h>

#include "pxeinv_request.h"

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
		if (next - i - 1 > 255 || next - i - 1 < 0x20)
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
	client->lacks_https = request_ipxe_lacks_https(req);
	client->reported = request_decode_identity(req->user_class,
						   req->user_class_len,
						   client->serial,
						   client->board_serial);
	client->is_ipxe = req->is_ipxe || client->reported ||
			  request_user_class_is_ipxe(req->user_class,
						     req->user_class_len);
}
