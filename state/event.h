/*
 * pxeinv state: one event that dnsmasq reported (a lease change, a TFTP
 * transfer, the lease-database start), as the hook parsed it
 * (hook/parse.c) and as the state library records it (record.h).
 *
 * Every field was checked at the boundary: a value that is later used in
 * a file name (node, MAC, IP) has a strict character set, and free text
 * (vendor and user class, hostname) is printable ASCII, truncated to fit.
 */
#ifndef PXEINV_STATE_EVENT_H
#define PXEINV_STATE_EVENT_H

#include <stddef.h>
#include <time.h>

#include "pxeinv.h"

/** Longest free-text field kept, plus NUL */
#define EVENT_TEXT_MAX 256

/** A DUID as dnsmasq prints it, hex pairs joined by ':', plus NUL */
#define EVENT_DUID_TEXT (3 * PXEINV_DUID_MAX)
/** An IAID as dnsmasq prints it ("T" for a temporary address, then up
 * to 10 digits), plus NUL */
#define EVENT_IAID_TEXT 12

/** Event types */
enum event_action {
	EVENT_ADD = 0,
	EVENT_OLD,
	EVENT_DEL,
	EVENT_TFTP,
	EVENT_INIT,
};

/** One event */
struct event {
	enum event_action action;
	time_t now;                     /**< when the hook ran */
	int ipv6;                       /**< ip is an IPv6 address: a
	                                   DHCPv6 lease, or a TFTP transfer
	                                   over IPv6 */
	char mac[64];                   /**< "aa:bb:…", lower case; "" tftp.
	                                   DHCPv6: DNSMASQ_MAC, else the
	                                   Ethernet address of a DUID-LL or
	                                   DUID-LLT, else "" */
	char ip[48];                    /**< client IP (tftp: the peer),
	                                   IPv6 in inet_ntop's form */
	char duid[EVENT_DUID_TEXT];     /**< DHCPv6: the client's DUID
	                                   (argv[2]), lower case; else "" */
	char iaid[EVENT_IAID_TEXT];     /**< DHCPv6: DNSMASQ_IAID; else "" */
	char hostname[EVENT_TEXT_MAX];   /**< argv hostname, or "" */
	int steered;                    /**< the "pxeinv" tag was present */
	char node[PXEINV_NODE_MAX];     /**< pxeinv-node: value, or "" */
	char stage[16];                 /**< firmware, httpboot, ipxe, or "" */
	char install[16];               /**< yes, no, once, unknown, or "" */
	char vendor_class[EVENT_TEXT_MAX];
	char user_class[EVENT_TEXT_MAX]; /**< DNSMASQ_USER_CLASS0.. joined */
	int arch;                       /**< from the vendor class (DHCPv6:
	                                   the pxeinv-arch: tag), -1 none */
	int tag_arch;                   /**< pxeinv-arch: tag, -1 none */
	char serial[PXEINV_SERIAL_MAX]; /**< reported by iPXE, via tags */
	char board_serial[PXEINV_SERIAL_MAX];
	char client_id[EVENT_TEXT_MAX];  /**< DNSMASQ_CLIENT_ID, or "" */
	char interface[32];             /**< DNSMASQ_INTERFACE, or "" */
	long long expires;              /**< DNSMASQ_LEASE_EXPIRES, -1 none */
	long long length;               /**< DNSMASQ_LEASE_LENGTH, -1 none */
	char file[512];                 /**< tftp: absolute path */
	long long size;                 /**< tftp: bytes */
	char file_node[PXEINV_NODE_MAX];/**< tftp: NODE of .../nodes/NODE.ipxe */
	char peer[8];                   /**< tftp of a node script: "node"
	                                   when the peer is that node,
	                                   "other" when not (record.c
	                                   decides), else "" */
};

/**
 * Name an action, as the journal writes it.
 *
 * @v action    Action
 * @ret name    "add", "old", "del", "tftp", "init", or "?"
 */
const char *event_action_name(enum event_action action);

/**
 * Read the Ethernet address a DUID carries: a DUID-LLT (type 1) or a
 * DUID-LL (type 3) of hardware type 1, as RFC 8415 11.2 and 11.4 lay them
 * out.
 *
 * @v duid      DUID, as event.duid holds it (lower-case hex pairs and ':')
 * @v mac       Output, 18 bytes ("aa:bb:cc:dd:ee:ff"; "" when none)
 * @ret ok      1 when the DUID carries one
 */
int event_duid_mac(const char *duid, char *mac);

#endif /* PXEINV_STATE_EVENT_H */
