/*
 * pxeinv-hook: one dnsmasq dhcp-script event, parsed from argv and the
 * environment.
 *
 * dnsmasq calls the script as
 *
 *   SCRIPT add|old|del MAC IP [HOSTNAME]    (DNSMASQ_* in the environment)
 *   SCRIPT tftp SIZE PEER-IP ABSOLUTE-PATH  (successful transfers only)
 *   SCRIPT init                             (with leasefile-ro: print leases)
 *
 * Everything is checked here, at the boundary: a value that is later used
 * in a file name (node, MAC, IP) has a strict character set, and free text
 * (vendor and user class, hostname) is printable ASCII, truncated to fit.
 */
#ifndef PXEINV_HOOK_EVENT_H
#define PXEINV_HOOK_EVENT_H

#include <stddef.h>
#include <time.h>

#include "pxeinv.h"

/** Longest free-text field kept, plus NUL */
#define HOOK_TEXT_MAX 256

/** Event types */
enum hook_action {
	HOOK_ADD = 0,
	HOOK_OLD,
	HOOK_DEL,
	HOOK_TFTP,
	HOOK_INIT,
};

/** One event */
struct hook_event {
	enum hook_action action;
	time_t now;                     /**< when the hook ran */
	char mac[64];                   /**< "aa:bb:…", lower case; "" tftp */
	char ip[48];                    /**< client IP (tftp: the peer) */
	char hostname[HOOK_TEXT_MAX];   /**< argv hostname, or "" */
	int steered;                    /**< the "pxeinv" tag was present */
	char node[PXEINV_NODE_MAX];     /**< pxeinv-node: value, or "" */
	char stage[16];                 /**< firmware, httpboot, ipxe, or "" */
	char install[16];               /**< yes, no, once, unknown, or "" */
	char vendor_class[HOOK_TEXT_MAX];
	char user_class[HOOK_TEXT_MAX]; /**< DNSMASQ_USER_CLASS0.. joined */
	int arch;                       /**< from the vendor class, -1 none */
	char serial[PXEINV_SERIAL_MAX]; /**< reported by iPXE, via tags */
	char board_serial[PXEINV_SERIAL_MAX];
	char client_id[HOOK_TEXT_MAX];  /**< DNSMASQ_CLIENT_ID, or "" */
	char interface[32];             /**< DNSMASQ_INTERFACE, or "" */
	long long expires;              /**< DNSMASQ_LEASE_EXPIRES, -1 none */
	long long length;               /**< DNSMASQ_LEASE_LENGTH, -1 none */
	char file[512];                 /**< tftp: absolute path */
	long long size;                 /**< tftp: bytes */
	char file_node[PXEINV_NODE_MAX];/**< tftp: NODE of .../nodes/NODE.ipxe */
};

/** Parse results */
enum hook_event_rc {
	HOOK_EVENT_OK = 0,
	HOOK_EVENT_IGNORE = 1,          /**< an event we do not record
					     (arp-add, relay-snoop, IPv6) */
	HOOK_EVENT_BAD = -1,            /**< malformed arguments */
};

/**
 * Parse one event.
 *
 * @v ev        Event, filled
 * @v argc      Argument count (argv[0] is the program)
 * @v argv      Arguments
 * @v env       Environment (NULL-terminated "NAME=VALUE" array)
 * @v now       Current time
 * @v err       Reason on HOOK_EVENT_BAD
 * @v errlen    Size of err
 * @ret rc      enum hook_event_rc
 */
int hook_event_parse(struct hook_event *ev, int argc, char **argv,
		     char **env, time_t now, char *err, size_t errlen);

/**
 * Look a variable up in an environment array.
 *
 * @v env       Environment
 * @v name      Variable name
 * @ret value   Value, or NULL when absent
 */
const char *hook_env_get(char **env, const char *name);

/**
 * Name of an action ("add", "old", "del", "tftp", "init").
 *
 * @v action    Action
 * @ret name    Static string
 */
const char *hook_action_name(enum hook_action action);

#endif /* PXEINV_HOOK_EVENT_H */
