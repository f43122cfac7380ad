/*
 * pxeinv-hook: parse one dnsmasq dhcp-script event (see parse.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../state/journal.h"

/** Longest user class list we join */
#define HOOK_USER_CLASSES 8

/**
 * Write a reason into the caller's buffer.
 *
 * @v err       Buffer
 * @v errlen    Size
 * @v fmt       Format
 * @ret rc      HOOK_EVENT_BAD
 */
static int event_bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return HOOK_EVENT_BAD;
}

const char *hook_env_get(char **env, const char *name)
{
	size_t len = strlen(name);

	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

/**
 * Copy free text: printable ASCII kept, anything else becomes '?', cut
 * to the buffer.
 *
 * @v out       Buffer
 * @v size      Size of out
 * @v in        Text, or NULL
 */
static void event_copy_text(char *out, size_t size, const char *in)
{
	size_t n = 0;

	for (; in && *in && n + 1 < size; in++)
		out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
	out[n] = '\0';
}

/**
 * Parse and normalise a MAC address as dnsmasq prints it: hex bytes
 * separated by ':', optionally preceded by "TT-" (hardware type).  Two
 * bytes at least: dnsmasq prints "01-" for a client without a hardware
 * address, and that (or one byte) names no machine.
 *
 * @v in        Text
 * @v out       Lower-case copy, 64 bytes
 * @ret ok      1 when valid
 */
static int event_parse_mac(const char *in, char *out)
{
	size_t i, len = strlen(in), bytes = 0;

	if (len == 0 || len >= 64)
		return 0;
	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'F')
			c += 'a' - 'A';
		out[i] = c;
	}
	out[len] = '\0';
	i = 0;
	/* optional hardware type, "01-" */
	if (len >= 3 && out[2] == '-') {
		if (strspn(out, "0123456789abcdef") != 2)
			return 0;
		i = 3;
	}
	for (;;) {
		if (strspn(out + i, "0123456789abcdef") < 2)
			return 0;
		i += 2;
		bytes++;
		if (i == len)
			return bytes >= 2 && bytes <= 20;
		if (out[i] != ':')
			return 0;
		i++;
	}
}

/**
 * Parse an IPv4 or IPv6 address; an IPv6 one is rewritten in
 * inet_ntop()'s form (dnsmasq's own), so that the same address is always
 * the same text, in the journal and as a lease file name.
 *
 * @v in        Text
 * @v out       Copy, 48 bytes
 * @v ipv6      Set to 1 for an IPv6 address, else 0
 * @ret ok      1 when valid
 */
static int event_parse_ip(const char *in, char *out, int *ipv6)
{
	unsigned char buf[16];

	*ipv6 = 0;
	if (strlen(in) >= 48)
		return 0;
	if (inet_pton(AF_INET, in, buf) == 1) {
		strcpy(out, in);
		return 1;
	}
	if (inet_pton(AF_INET6, in, buf) != 1 ||
	    !inet_ntop(AF_INET6, buf, out, 48))
		return 0;
	*ipv6 = 1;
	return 1;
}

/** Bytes of a DUID dnsmasq writes into argv at most (src/helper.c: "limit
 * to 100 bytes"); a longer DUID is cut there, after a last ':' */
#define HOOK_DUID_ARGV_BYTES 100

/**
 * Parse a client DUID as dnsmasq prints it: hex pairs joined by ':',
 * PXEINV_DUID_MAX at most.  A DUID longer than dnsmasq prints is cut
 * by dnsmasq after HOOK_DUID_ARGV_BYTES bytes, with a ':' after the
 * last; that ':' is dropped.
 *
 * @v in        Text
 * @v out       Lower-case copy, EVENT_DUID_TEXT bytes
 * @ret ok      1 when valid
 */
static int event_parse_duid(const char *in, char *out)
{
	size_t i = 0, len = strlen(in), bytes = 0;

	if (len == 0 || len >= EVENT_DUID_TEXT)
		return 0;
	for (;;) {
		if (strspn(in + i, "0123456789abcdefABCDEF") < 2)
			return 0;
		out[i] = in[i] | 0x20;          /* hex digits: lower case */
		out[i + 1] = in[i + 1] | 0x20;
		i += 2;
		bytes++;
		if (i == len)
			break;
		if (in[i] != ':')
			return 0;
		if (i + 1 == len) {
			/* cut by dnsmasq: only ever at its limit */
			if (bytes != HOOK_DUID_ARGV_BYTES)
				return 0;
			break;
		}
		out[i++] = ':';
	}
	out[i] = '\0';
	return bytes <= PXEINV_DUID_MAX;
}

/**
 * Parse an IAID as dnsmasq prints it (DNSMASQ_IAID): "T" for a temporary
 * address, then a 32-bit number in decimal.
 *
 * @v in        Text, or NULL
 * @v out       Copy, EVENT_IAID_TEXT bytes
 * @ret ok      1 when valid
 */
static int event_parse_iaid(const char *in, char *out)
{
	const char *digits = in;
	size_t len;

	if (!in)
		return 0;
	if (*digits == 'T')
		digits++;
	len = strlen(digits);
	if (len == 0 || len > 10 || strspn(digits, "0123456789") != len ||
	    (len > 1 && digits[0] == '0') ||
	    strtoull(digits, NULL, 10) > 0xffffffffULL)
		return 0;
	strcpy(out, in);
	return 1;
}

/**
 * Parse a non-negative decimal number.
 *
 * @v in        Text
 * @v out       Value
 * @ret ok      1 when valid
 */
static int event_parse_num(const char *in, long long *out)
{
	char *end;

	if (!in || !*in || strspn(in, "0123456789") != strlen(in) ||
	    strlen(in) > JOURNAL_NUM_DIGITS)
		return 0;
	errno = 0;
	*out = strtoll(in, &end, 10);
	return errno == 0 && *end == '\0';
}

/**
 * Decode a percent-encoded serial from a tag (the patch encodes every
 * byte outside [A-Za-z0-9._-]).
 *
 * @v in        Encoded text
 * @v len       Length
 * @v out       Output, PXEINV_SERIAL_MAX bytes ("" when malformed)
 */
static void event_decode_serial(const char *in, size_t len, char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned int c = (unsigned char)in[i];

		if (c == '%') {
			char hex[3] = { 0, 0, 0 };

			if (i + 2 >= len)
				goto bad;
			hex[0] = in[i + 1];
			hex[1] = in[i + 2];
			if (strspn(hex, "0123456789abcdefABCDEF") != 2)
				goto bad;
			c = strtoul(hex, NULL, 16);
			i += 2;
		}
		if (c < 0x20 || c >= 0x7f || n + 1 >= PXEINV_SERIAL_MAX)
			goto bad;
		out[n++] = c;
	}
	out[n] = '\0';
	return;
bad:
	out[0] = '\0';
}

/**
 * Read the tags the dnsmasq patch set (space-separated DNSMASQ_TAGS).
 *
 * @v ev        Event
 * @v tags      Tag list, or NULL
 */
static void event_parse_tags(struct event *ev, const char *tags)
{
	const char *p = tags, *end;

	while (p && *p) {
		size_t len;

		while (*p == ' ')
			p++;
		end = strchr(p, ' ');
		len = end ? (size_t)(end - p) : strlen(p);
#define IS(prefix) (len > sizeof(prefix) - 1 && \
		    strncmp(p, prefix, sizeof(prefix) - 1) == 0)
#define VAL(prefix, out) do { \
		size_t vl = len - (sizeof(prefix) - 1); \
		if (vl < sizeof(out)) { \
			memcpy(out, p + sizeof(prefix) - 1, vl); \
			out[vl] = '\0'; \
		} \
	} while (0)
		if (len == sizeof(PXEINV_TAG) - 1 &&
		    strncmp(p, PXEINV_TAG, len) == 0) {
			ev->steered = 1;
		} else if (IS(PXEINV_TAG_NODE)) {
			VAL(PXEINV_TAG_NODE, ev->node);
		} else if (IS(PXEINV_TAG_STAGE)) {
			VAL(PXEINV_TAG_STAGE, ev->stage);
		} else if (IS(PXEINV_TAG_INSTALL)) {
			VAL(PXEINV_TAG_INSTALL, ev->install);
		} else if (IS(PXEINV_TAG_SERIAL)) {
			event_decode_serial(p + sizeof(PXEINV_TAG_SERIAL) - 1,
					    len - (sizeof(PXEINV_TAG_SERIAL) - 1),
					    ev->serial);
		} else if (IS(PXEINV_TAG_ARCH)) {
			char digits[6] = "";

			VAL(PXEINV_TAG_ARCH, digits);
			if (digits[0] && strspn(digits, "0123456789") ==
			    strlen(digits) && atoi(digits) <= 65535)
				ev->tag_arch = atoi(digits);
		} else if (IS(PXEINV_TAG_BOARD_SERIAL)) {
			event_decode_serial(p + sizeof(PXEINV_TAG_BOARD_SERIAL) - 1,
					    len - (sizeof(PXEINV_TAG_BOARD_SERIAL) - 1),
					    ev->board_serial);
		}
#undef IS
#undef VAL
		p = end;
	}
	/* Values we do not know are dropped, never passed on */
	if (ev->node[0] && strcmp(ev->node, PXEINV_NODE_UNKNOWN) != 0 &&
	    !pxeinv_node_name_is_valid(ev->node))
		ev->node[0] = '\0';
	if (ev->stage[0] && strcmp(ev->stage, "firmware") != 0 &&
	    strcmp(ev->stage, "httpboot") != 0 &&
	    strcmp(ev->stage, "ipxe") != 0)
		ev->stage[0] = '\0';
	if (ev->install[0] && strcmp(ev->install, pxeinv_install_name(
		    pxeinv_install_parse(ev->install, strlen(ev->install)))))
		ev->install[0] = '\0';
	if (!ev->steered)
		ev->node[0] = ev->stage[0] = ev->install[0] = '\0';
	else if (!ev->node[0])
		strcpy(ev->node, PXEINV_NODE_UNKNOWN);
}

/**
 * Read the architecture from a PXE vendor class
 * ("PXEClient:Arch:00007:UNDI:003010", or HTTPClient:…).
 *
 * @v vc        Vendor class
 * @ret arch    Number, or -1
 */
static int event_parse_arch(const char *vc)
{
	char digits[6];
	size_t off;

	if (strncmp(vc, "PXEClient:Arch:", 15) == 0)
		off = 15;
	else if (strncmp(vc, "HTTPClient:Arch:", 16) == 0)
		off = 16;
	else
		return -1;
	if (strlen(vc) < off + 5)
		return -1;
	memcpy(digits, vc + off, 5);
	digits[5] = '\0';
	if (strspn(digits, "0123456789") != 5)
		return -1;
	return atoi(digits);
}

/**
 * Find the node of a TFTP path ".../pxeinv/nodes/NODE.ipxe".
 *
 * @v path      Absolute path
 * @v node      Output, PXEINV_NODE_MAX bytes ("" when it is not one)
 */
static void event_file_node(const char *path, char *node)
{
	static const char dir[] = "/" PXEINV_TFTP_NODES "/",
			  ext[] = PXEINV_SCRIPT_EXT;
	const char *p = strstr(path, dir), *q;
	size_t len;

	node[0] = '\0';
	if (!p)
		return;
	/* the last occurrence: the TFTP root may itself contain the name */
	while ((q = strstr(p + 1, dir)))
		p = q;
	p += sizeof(dir) - 1;
	len = strlen(p);
	if (len <= sizeof(ext) - 1 || strcmp(p + len - (sizeof(ext) - 1), ext))
		return;
	len -= sizeof(ext) - 1;
	if (len >= PXEINV_NODE_MAX)
		return;
	memcpy(node, p, len);
	node[len] = '\0';
	if (!pxeinv_node_name_is_valid(node))
		node[0] = '\0';
}

/**
 * Read the user classes of a lease event (DNSMASQ_USER_CLASS0..),
 * space-separated.
 *
 * @v ev        Event: user_class
 * @v env       Environment
 */
static void event_parse_user_class(struct event *ev, char **env)
{
	const char *v;
	char name[32];
	int i;

	for (i = 0; i < HOOK_USER_CLASSES; i++) {
		size_t n = strlen(ev->user_class);

		snprintf(name, sizeof(name), "DNSMASQ_USER_CLASS%d", i);
		if (!(v = hook_env_get(env, name)))
			break;
		if (n && n + 1 < sizeof(ev->user_class))
			ev->user_class[n++] = ' ';
		event_copy_text(ev->user_class + n, sizeof(ev->user_class) - n,
				v);
	}
}

/**
 * Parse a lease event: add, old or del.
 *
 * @v ev        Event
 * @v argc      Argument count
 * @v argv      Arguments
 * @v env       Environment
 * @v err       Reason
 * @v errlen    Size of err
 * @ret rc      enum hook_event_rc
 */
static int event_parse_lease(struct event *ev, int argc, char **argv,
			     char **env, char *err, size_t errlen)
{
	const char *v;
	int ip_ok;

	if (argc < 4 || argc > 5)
		return event_bad(err, errlen, "%s: expected MAC IP [HOSTNAME] "
				 "or DUID IPV6 [HOSTNAME]", argv[1]);
	ip_ok = event_parse_ip(argv[3], ev->ip, &ev->ipv6);
	if (ip_ok && ev->ipv6) {
		/* DHCPv6: a DUID, and the MAC when dnsmasq knows it */
		if (!event_parse_duid(argv[2], ev->duid))
			return event_bad(err, errlen, "%s: bad DUID", argv[1]);
		if (!event_parse_iaid(hook_env_get(env, "DNSMASQ_IAID"),
				      ev->iaid))
			ev->iaid[0] = '\0';
		v = hook_env_get(env, "DNSMASQ_MAC");
		if (!v || !event_parse_mac(v, ev->mac))
			event_duid_mac(ev->duid, ev->mac);
	} else {
		if (!event_parse_mac(argv[2], ev->mac))
			return event_bad(err, errlen, "%s: bad MAC address",
					 argv[1]);
		if (!ip_ok)
			return event_bad(err, errlen, "%s: bad IP address",
					 argv[1]);
	}
	if (argc == 5)
		event_copy_text(ev->hostname, sizeof(ev->hostname), argv[4]);
	event_parse_tags(ev, hook_env_get(env, "DNSMASQ_TAGS"));
	/* DHCPv6: the vendor class's first item (its enterprise number is
	 * apart, in DNSMASQ_VENDOR_CLASS_ID), as dnsmasq 2.93, and 2.90 with
	 * the series' bookworm/ fix, hand it; the architecture comes from
	 * the patch's pxeinv-arch: tag, which option 61 decided */
	event_copy_text(ev->vendor_class, sizeof(ev->vendor_class),
			hook_env_get(env, ev->ipv6 ? "DNSMASQ_VENDOR_CLASS0" :
				     "DNSMASQ_VENDOR_CLASS"));
	ev->arch = ev->ipv6 ? ev->tag_arch : event_parse_arch(ev->vendor_class);
	event_parse_user_class(ev, env);
	event_copy_text(ev->client_id, sizeof(ev->client_id),
			hook_env_get(env, "DNSMASQ_CLIENT_ID"));
	if (strspn(ev->client_id, "0123456789abcdefABCDEF:") !=
	    strlen(ev->client_id))
		ev->client_id[0] = '\0';
	event_copy_text(ev->interface, sizeof(ev->interface),
			hook_env_get(env, "DNSMASQ_INTERFACE"));
	if (!event_parse_num(hook_env_get(env, "DNSMASQ_LEASE_EXPIRES"),
			     &ev->expires))
		ev->expires = -1;
	if (!event_parse_num(hook_env_get(env, "DNSMASQ_LEASE_LENGTH"),
			     &ev->length))
		ev->length = -1;
	return HOOK_EVENT_OK;
}

int hook_event_parse(struct event *ev, int argc, char **argv,
		     char **env, time_t now, char *err, size_t errlen)
{
	memset(ev, 0, sizeof(*ev));
	ev->now = now;
	ev->arch = ev->tag_arch = -1;
	ev->expires = ev->length = ev->size = -1;
	if (err && errlen)
		err[0] = '\0';

	if (argc < 2)
		return event_bad(err, errlen, "no event");
	if (strcmp(argv[1], "add") == 0) {
		ev->action = EVENT_ADD;
	} else if (strcmp(argv[1], "old") == 0) {
		ev->action = EVENT_OLD;
	} else if (strcmp(argv[1], "del") == 0) {
		ev->action = EVENT_DEL;
	} else if (strcmp(argv[1], "tftp") == 0) {
		ev->action = EVENT_TFTP;
		if (argc != 5)
			return event_bad(err, errlen, "tftp: expected SIZE "
					 "PEER PATH");
		if (!event_parse_num(argv[2], &ev->size))
			return event_bad(err, errlen, "tftp: bad size");
		if (!event_parse_ip(argv[3], ev->ip, &ev->ipv6))
			return event_bad(err, errlen, "tftp: bad peer "
					 "address");
		if (argv[4][0] != '/' || strlen(argv[4]) >= sizeof(ev->file))
			return event_bad(err, errlen, "tftp: bad path");
		event_copy_text(ev->file, sizeof(ev->file), argv[4]);
		event_file_node(ev->file, ev->file_node);
		return HOOK_EVENT_OK;
	} else if (strcmp(argv[1], "init") == 0) {
		ev->action = EVENT_INIT;
		if (argc != 2)
			return event_bad(err, errlen, "init: no arguments "
					 "expected");
		return HOOK_EVENT_OK;
	} else if (strcmp(argv[1], "arp-add") == 0 ||
		   strcmp(argv[1], "arp-del") == 0 ||
		   strcmp(argv[1], "relay-snoop") == 0) {
		return HOOK_EVENT_IGNORE;
	} else {
		return event_bad(err, errlen, "unknown event");
	}
	return event_parse_lease(ev, argc, argv, env, err, errlen);
}
