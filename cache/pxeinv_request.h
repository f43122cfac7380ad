/*
 * pxeinv lookup cache: decoding a DHCP request's options.
 *
 * dnsmasq's src/pxe-inventory.c hands the raw request to
 * pxeinv_request_scan(), which finds the options the steering looks at
 * (in file and sname too, under option overload), and `pxeinv lookup`
 * builds the same struct pxeinv_request from its arguments; they are decoded
 * here, each once, into one struct pxeinv_client: the client architecture
 * (option 93, else the vendor class), the UUID (option 97, in either byte
 * order), the client-id (option 61: a MAC or a UUID), iPXE's feature flags
 * (option 175) and the user class (option 77: "iPXE", or the identity
 * report of pxeinv's iPXE build, "pxeinv/1 s=SERIAL b=BOARD",
 * percent-encoded, raw or as an RFC 3004 item, also after dnsmasq zeroed
 * its RFC 3004 length bytes in place).  A DHCPv6 request
 * (pxeinv_request_scan6(), pxeinv_request6.c) fills the same struct: its
 * client architecture (option 61), vendor and user class (16 and 15, their
 * first item) and DUID (option 1: a DUID-LL or DUID-LLT's Ethernet MAC, a
 * DUID-UUID's UUID) take the places of their DHCPv4 counterparts.  No
 * policy is applied here: that is pxeinv_steer()'s (pxeinv_steer.h).
 */
#ifndef PXEINV_REQUEST_H
#define PXEINV_REQUEST_H

#include <stddef.h>

#include "pxeinv_cache.h"

/** The parts of one DHCP request the steering looks at.
 * Every pointer may be NULL (with length 0) when the option is absent.
 */
struct pxeinv_request {
	const unsigned char *mac;       /**< chaddr */
	size_t mac_len;                 /**< hlen; only 6 is looked up */
	int arch;                       /**< option 93, first entry; -1 absent */
	const char *vendor_class;       /**< option 60, not NUL-terminated */
	size_t vendor_class_len;
	const unsigned char *uuid;      /**< option 97 payload (type byte + 16) */
	size_t uuid_len;
	const unsigned char *client_id; /**< option 61 payload */
	size_t client_id_len;
	const unsigned char *duid_mac;  /**< DHCPv6: the 6-byte Ethernet
	                                   address of a DUID-LL or DUID-LLT
	                                   (option 1), or NULL */
	const unsigned char *user_class;/**< option 77 payload, raw */
	size_t user_class_len;
	int is_ipxe;                    /**< option 175 present */
	const unsigned char *ipxe_encap;/**< option 175 payload: iPXE's
	                                   feature flags, or NULL */
	size_t ipxe_encap_len;
	const char *state_dir;          /**< pxeinv state directory, for
	                                   boot-once markers, or NULL */
	int msg_type;                   /**< option 53, or the DHCPv6
	                                   message type, for the caller
	                                   (pxeinv_request_scan(),
	                                   pxeinv_request_scan6()); -1
	                                   absent */
};

/** A request, decoded */
struct pxeinv_client {
	int arch;                       /**< option 93, else the vendor
	                                   class's "Arch:" field; -1 for a
	                                   client that is not PXE */
	int http_class;                 /**< vendor class "HTTPClient" */
	int is_ipxe;                    /**< option 175, user class "iPXE",
	                                   or an identity report */
	int lacks_https;                /**< option 175 is there and lacks
	                                   the HTTPS feature (20) */
	int has_mac;                    /**< chaddr is a 6-byte MAC */
	unsigned char mac[6];
	int has_uuid;                   /**< option 97 holds a UUID that is
	                                   not blank (all 0x00 or 0xff) */
	unsigned char uuid[16];         /**< text order, from the SMBIOS
	                                   order firmware sends */
	unsigned char uuid_as_sent[16]; /**< the bytes as sent, for clients
	                                   that send text order */
	int has_client_mac;             /**< option 61 is type 1 + a MAC */
	unsigned char client_mac[6];
	int has_client_uuid;            /**< option 61 is type 0 + a UUID
	                                   that is not blank */
	unsigned char client_uuid[16];  /**< text order, from SMBIOS order */
	int has_duid_mac;               /**< DHCPv6 DUID-LL(T) of a MAC */
	unsigned char duid_mac[6];
	int reported;                   /**< option 77 holds an identity
	                                   report */
	char serial[PXEINV_SERIAL_MAX]; /**< reported serial, decoded, or ""
	                                   when absent or malformed */
	char board_serial[PXEINV_SERIAL_MAX]; /**< the same for the board */
};

/**
 * Find the options the steering looks at in a raw DHCP message: the
 * first instance that is not empty of options 53, 60, 61, 77, 93, 97 and
 * 175 in the options field, then, when option 52 (overload) says so, in
 * the file field and the sname field (RFC 2131 4.1: in that order), as
 * dnsmasq's option_find(..., 1) finds them; a file or sname field with an
 * option running past its end is ignored as a whole.  And chaddr, for an
 * Ethernet client.
 *
 * @v req       Request, filled (state_dir NULL); it points into msg
 * @v msg       Message: BOOTP header, magic cookie, options
 * @v len       Its length
 * @ret rc      0, or -EINVAL when the message is shorter than a header
 *              and cookie, or an option runs past the end of the message
 */
int pxeinv_request_scan(struct pxeinv_request *req, const unsigned char *msg,
			size_t len);

/**
 * Find the options the steering looks at in a raw DHCPv6 message (RFC
 * 8415: message type, 3-byte transaction id, options; not a relay
 * message, whose inner message the caller passes): the first instance
 * of options 1 (its DUID-LL or DUID-LLT Ethernet MAC, or its DUID-UUID as
 * the UUID), 15 and 16 (the first item of each; 16 after its enterprise
 * number) and 61 (its first entry).  An option that is malformed inside
 * (an item running past the option) is ignored; the client's own MAC,
 * which the server learns elsewhere, is left for the caller to set.
 *
 * @v req       Request, filled (state_dir NULL, mac NULL); it points
 *              into msg
 * @v msg       Message
 * @v len       Its length
 * @ret rc      0, or -EINVAL when the message is shorter than its header
 *              or an option runs past the end of the message
 */
int pxeinv_request_scan6(struct pxeinv_request *req, const unsigned char *msg,
			 size_t len);

/**
 * Decode a request's options.
 *
 * @v req       Request
 * @v client    Decoded request
 */
void pxeinv_request_decode(const struct pxeinv_request *req,
			   struct pxeinv_client *client);

#endif /* PXEINV_REQUEST_H */
