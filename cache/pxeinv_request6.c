/*
 * pxeinv lookup cache: finding the options of a DHCPv6 request.
 *
 * Shared, unchanged, by the `pxeinv` CLI and the dnsmasq patch.  See
 * pxeinv_request.h: the options found here fill the struct pxeinv_request
 * that pxeinv_request_decode() reads for DHCPv4 too.
 */
#include <errno.h>
#include <string.h>

#include "pxeinv_request.h"

/* RFC 8415 21 and RFC 5970: the options the steering looks at */
#define REQUEST6_HEADER 4               /**< message type, transaction id */
#define REQUEST6_CLIENT_ID 1
#define REQUEST6_USER_CLASS 15
#define REQUEST6_VENDOR_CLASS 16
#define REQUEST6_CLIENT_ARCH 61
/* RFC 8415 11: DUID types; RFC 6355: DUID-UUID */
#define REQUEST6_DUID_LLT 1
#define REQUEST6_DUID_LL 3
#define REQUEST6_DUID_UUID 4
#define REQUEST6_HWTYPE_ETHER 1

/**
 * Read a 16-bit big-endian value.
 *
 * @v p         Two bytes
 * @ret value   Value
 */
static unsigned int request6_u16(const unsigned char *p)
{
	return (p[0] << 8) | p[1];
}

/**
 * Find the first item of a user or vendor class option's item list
 * (each item a 16-bit length, then its data).
 *
 * @v p         Item list
 * @v len       Its length
 * @v data      First item's data, or NULL when it is empty or malformed
 * @v data_len  Its length
 */
static void request6_first_item(const unsigned char *p, size_t len,
				const unsigned char **data, size_t *data_len)
{
	size_t n;

	*data = NULL;
	*data_len = 0;
	if (len < 2)
		return;
	n = request6_u16(p);
	if (n == 0 || 2 + n > len)
		return;
	*data = p + 2;
	*data_len = n;
}

/**
 * Keep what a DUID says of the client: an Ethernet MAC (DUID-LLT,
 * DUID-LL) or a UUID (DUID-UUID).
 *
 * @v req       Request: duid_mac, or uuid and uuid_len
 * @v duid      DUID
 * @v len       Its length
 */
static void request6_keep_duid(struct pxeinv_request *req,
			       const unsigned char *duid, size_t len)
{
	if (len < 2)
		return;
	switch (request6_u16(duid)) {
	case REQUEST6_DUID_LLT:
		/* type, hardware type, time (4), address */
		if (len == 2 + 2 + 4 + 6 &&
		    request6_u16(duid + 2) == REQUEST6_HWTYPE_ETHER)
			req->duid_mac = duid + 8;
		break;
	case REQUEST6_DUID_LL:
		if (len == 2 + 2 + 6 &&
		    request6_u16(duid + 2) == REQUEST6_HWTYPE_ETHER)
			req->duid_mac = duid + 4;
		break;
	case REQUEST6_DUID_UUID:
		/* as option 97 without its type byte: both byte orders are
		 * tried, since firmware and iPXE differ */
		if (len == 2 + 16) {
			req->uuid = duid + 2;
			req->uuid_len = 16;
		}
		break;
	}
}

/**
 * Keep the first instance of an option the steering looks at.
 *
 * @v req       Request
 * @v seen      Bit per option already seen
 * @v code      Option code
 * @v data      Payload
 * @v len       Its length
 */
static void request6_keep(struct pxeinv_request *req, unsigned int *seen,
			  unsigned int code, const unsigned char *data,
			  size_t len)
{
	const unsigned char *item;
	size_t item_len;
	unsigned int bit;

	switch (code) {
	case REQUEST6_CLIENT_ID:
		bit = 1;
		break;
	case REQUEST6_USER_CLASS:
		bit = 2;
		break;
	case REQUEST6_VENDOR_CLASS:
		bit = 4;
		break;
	case REQUEST6_CLIENT_ARCH:
		bit = 8;
		break;
	default:
		return;
	}
	if (*seen & bit)
		return;
	*seen |= bit;
	switch (code) {
	case REQUEST6_CLIENT_ID:
		request6_keep_duid(req, data, len);
		break;
	case REQUEST6_USER_CLASS:
		request6_first_item(data, len, &item, &item_len);
		req->user_class = item;
		req->user_class_len = item_len;
		break;
	case REQUEST6_VENDOR_CLASS:
		/* enterprise number, then the items */
		if (len < 4)
			break;
		request6_first_item(data + 4, len - 4, &item, &item_len);
		req->vendor_class = (const char *)item;
		req->vendor_class_len = item_len;
		break;
	case REQUEST6_CLIENT_ARCH:
		if (len >= 2)
			req->arch = request6_u16(data);
		break;
	}
}

int pxeinv_request_scan6(struct pxeinv_request *req, const unsigned char *msg,
			 size_t len)
{
	unsigned int seen = 0;
	size_t i;

	memset(req, 0, sizeof(*req));
	req->arch = -1;
	req->msg_type = -1;
	if (len < REQUEST6_HEADER)
		return -EINVAL;
	req->msg_type = msg[0];
	for (i = REQUEST6_HEADER; i < len;) {
		size_t olen;

		if (i + 4 > len)
			return -EINVAL;
		olen = request6_u16(msg + i + 2);
		if (i + 4 + olen > len)
			return -EINVAL;
		request6_keep(req, &seen, request6_u16(msg + i), msg + i + 4,
			      olen);
		i += 4 + olen;
	}
	return 0;
}
