/*
 * pxeinv-hook: parse one dnsmasq dhcp-script event from argv and the
 * environment, strictly, into a struct event (state/event.h).
 *
 * dnsmasq calls the script as
 *
 *   SCRIPT add|old|del MAC IP [HOSTNAME]    (DNSMASQ_* in the environment)
 *   SCRIPT add|old|del DUID IPV6 [HOSTNAME] (DHCPv6: DNSMASQ_IAID,
 *                                           DNSMASQ_MAC when known,
 *                                           DNSMASQ_VENDOR_CLASS0..)
 *   SCRIPT tftp SIZE PEER-IP ABSOLUTE-PATH  (successful transfers only;
 *                                           PEER-IP IPv4 or IPv6)
 *   SCRIPT init                             (with leasefile-ro: print leases)
 */
#ifndef PXEINV_HOOK_PARSE_H
#define PXEINV_HOOK_PARSE_H

#include <errno.h>
#include <stddef.h>
#include <time.h>

#include "../state/event.h"

/** Parse results */
enum hook_event_rc {
	HOOK_EVENT_OK = 0,
	HOOK_EVENT_IGNORE = 1,          /**< an event we do not record
					     (arp-add, arp-del,
					     relay-snoop) */
	HOOK_EVENT_BAD = -EINVAL,       /**< malformed arguments */
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
int hook_event_parse(struct event *ev, int argc, char **argv,
		     char **env, time_t now, char *err, size_t errlen);

/**
 * Look a variable up in an environment array.
 *
 * @v env       Environment
 * @v name      Variable name
 * @ret value   Value, or NULL when absent
 */
const char *hook_env_get(char **env, const char *name);

#endif /* PXEINV_HOOK_PARSE_H */
