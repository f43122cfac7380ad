/*
 * `pxeinv compile --dhcp6-range RANGE`: checking RANGE (see
 * compile_dhcp6.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_dhcp6.h"

/** Characters a range may have */
#define DHCP6_RANGE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789:.,_*-"
/** Characters of a tag name or interface name */
#define DHCP6_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789_.-"
/** Longest interface name (IFNAMSIZ without the NUL) */
#define DHCP6_IFNAME_MAX 15
/** Most fields dnsmasq reads in one dhcp-range (its a[8]) */
#define DHCP6_FIELDS_MAX 8
/** The prefix length dnsmasq requires of RA and constructor ranges, and
 * the shortest it takes at all */
#define DHCP6_PREFIX_RA 64

/** What a range says */
struct dhcp6_range {
	struct in6_addr start;
	struct in6_addr end;
	int constructor;        /**< constructor:IFACE given */
	int ra;                 /**< a mode that sends RAs for the range */
	int prefix;             /**< prefix length, -1 when not given */
};

/**
 * Say what is wrong with a range.
 *
 * @v err       Output
 * @v errlen    Size of err
 * @v range     The range
 * @v fmt       What is wrong
 * @ret rc      -EINVAL
 */
static int __attribute__((format(printf, 4, 5)))
dhcp6_fail(char *err, size_t errlen, const char *range, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "--dhcp6-range '%s': %s", range, msg);
	return -EINVAL;
}

/**
 * Tell whether a field is a name of allowed characters after a prefix.
 *
 * @v field     Field
 * @v prefix    "tag:", "set:" or "constructor:"
 * @v max       Longest name
 * @v wildcard  A trailing '*' is allowed (interface names)
 * @ret ok      1 when it is
 */
static int dhcp6_is_named(const char *field, const char *prefix, size_t max,
			  int wildcard)
{
	const char *name = field + strlen(prefix);
	size_t n;

	if (strncmp(field, prefix, strlen(prefix)) != 0)
		return 0;
	n = strspn(name, DHCP6_NAME_CHARS);
	if (wildcard && name[n] == '*' && !name[n + 1])
		n++;
	return n > 0 && n <= max && !name[n];
}

/**
 * Tell whether the first bits of two IPv6 addresses are equal.
 *
 * @v a         Address
 * @v b         Address
 * @v bits      Bits compared, 0-128
 * @ret same    1 when they are
 */
static int dhcp6_same_net(const struct in6_addr *a, const struct in6_addr *b,
			  int bits)
{
	int whole = bits / 8, rest = bits % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	if (memcmp(a->s6_addr, b->s6_addr, whole) != 0)
		return 0;
	return !rest || ((a->s6_addr[whole] ^ b->s6_addr[whole]) & mask) == 0;
}

/**
 * Tell whether a field is a lease time dnsmasq reads: N, N followed by
 * s, m, h, d or w (either case), infinite, or deprecated.
 *
 * @v field     Field
 * @ret ok      1 when it is
 */
static int dhcp6_is_lease(const char *field)
{
	size_t n = strspn(field, "0123456789");

	if (strcmp(field, "infinite") == 0 || strcmp(field, "deprecated") == 0)
		return 1;
	return n > 0 && n <= 10 &&
	       (!field[n] || (strchr("smhdwSMHDW", field[n]) && !field[n + 1]));
}

/**
 * Refuse a mode that gives firmware no address, wherever it is.
 *
 * @v f         Fields
 * @v n         Their number
 * @v range     The whole range, for messages
 * @v err       What is wrong, on failure
 * @v errlen    Size of err
 * @ret rc      0, or -EINVAL
 */
static int dhcp6_refuse_modes(char **f, int n, const char *range, char *err,
			      size_t errlen)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(f[i], "ra-only") == 0 ||
		    strcmp(f[i], "ra-stateless") == 0)
			return dhcp6_fail(err, errlen, range, "mode %s gives "
					  "no DHCPv6 address, and UEFI PXE "
					  "and iPXE need one (stateful "
					  "DHCPv6); leave the mode out, or "
					  "use slaac to offer both", f[i]);
		if (strcmp(f[i], "static") == 0)
			return dhcp6_fail(err, errlen, range, "mode static "
					  "gives addresses only to machines "
					  "of dhcp-host lines, and firmware "
					  "of any other gets none; leave it "
					  "out");
	}
	return 0;
}

/**
 * Read the fields that follow START,END: constructor, modes, prefix
 * length, lease time, in that order.
 *
 * @v f         Fields after END
 * @v n         Their number
 * @v r         What the range says
 * @v range     The whole range, for messages
 * @v err       What is wrong, on failure
 * @v errlen    Size of err
 * @ret rc      0, or -EINVAL
 */
static int dhcp6_read_tail(char **f, int n, struct dhcp6_range *r,
			   const char *range, char *err, size_t errlen)
{
	static const char *const ra_modes[] = { "slaac", "ra-names",
						"ra-advrouter", NULL };
	int i = 0, m;

	for (; i < n; i++) {
		if (strncmp(f[i], "constructor:", 12) == 0) {
			if (!dhcp6_is_named(f[i], "constructor:",
					    DHCP6_IFNAME_MAX, 1))
				return dhcp6_fail(err, errlen, range, "'%s' "
						  "is not constructor:IFACE "
						  "(an interface name of 1-%d "
						  "letters, digits, '_', '.' "
						  "or '-', '*' at its end)",
						  f[i], DHCP6_IFNAME_MAX);
			r->constructor = 1;
			continue;
		}
		if (strcmp(f[i], "off-link") == 0)
			continue;
		for (m = 0; ra_modes[m]; m++)
			if (strcmp(f[i], ra_modes[m]) == 0)
				break;
		if (!ra_modes[m])
			break;
		r->ra = 1;
	}
	if (i < n && strspn(f[i], "0123456789") == strlen(f[i]) &&
	    strlen(f[i]) <= 3) {
		r->prefix = atoi(f[i]);
		if (r->prefix < DHCP6_PREFIX_RA || r->prefix > 128)
			return dhcp6_fail(err, errlen, range, "prefix length "
					  "%s is not %d-128 (dnsmasq takes "
					  "no shorter one)", f[i],
					  DHCP6_PREFIX_RA);
		if (r->prefix != DHCP6_PREFIX_RA && (r->constructor || r->ra))
			return dhcp6_fail(err, errlen, range, "prefix length "
					  "%s: a range with constructor: or "
					  "a router-advertisement mode must "
					  "be /%d", f[i], DHCP6_PREFIX_RA);
		i++;
	}
	if (i < n && dhcp6_is_lease(f[i]))
		i++;
	if (i < n)
		return dhcp6_fail(err, errlen, range, "'%s' is not understood "
				  "here; write " COMPILE_DHCP6_RANGE_SYNTAX
				  " (modes: slaac, ra-names, ra-advrouter, "
				  "off-link; lease: 1h, 12h, infinite, ...)",
				  f[i]);
	return 0;
}

int compile_dhcp6_range_check(const char *range, char *err, size_t errlen)
{
	struct dhcp6_range r = { .prefix = -1 };
	char copy[COMPILE_DHCP6_RANGE_LEN_MAX + 1], *f[DHCP6_FIELDS_MAX + 1];
	char *p, name[16];
	size_t bad, len = strlen(range);
	int n = 0, i = 0, rc, prefix;

	if (len == 0 || len > COMPILE_DHCP6_RANGE_LEN_MAX)
		return dhcp6_fail(err, errlen, range, "must be 1 to %d "
				  "characters", COMPILE_DHCP6_RANGE_LEN_MAX);
	bad = strspn(range, DHCP6_RANGE_CHARS);
	if (range[bad]) {
		unsigned char ch = (unsigned char)range[bad];

		if (ch == '\n')
			snprintf(name, sizeof(name), "a newline");
		else if (ch == ' ')
			snprintf(name, sizeof(name), "a space");
		else if (ch < 0x21 || ch >= 0x7f)
			snprintf(name, sizeof(name), "0x%02x", ch);
		else
			snprintf(name, sizeof(name), "'%c'", ch);
		snprintf(err, errlen, "--dhcp6-range: %s at character %zu is "
			 "not allowed (it could change dnsmasq's configuration);"
			 " write " COMPILE_DHCP6_RANGE_SYNTAX " with letters, "
			 "digits and :.,_*-", name, bad + 1);
		return -EINVAL;
	}
	memcpy(copy, range, len + 1);
	for (p = copy; n <= DHCP6_FIELDS_MAX; n++) {
		f[n] = p;
		p = strchr(p, ',');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (p)
		return dhcp6_fail(err, errlen, range, "more than %d fields",
				  DHCP6_FIELDS_MAX);
	for (i = 0; i < n; i++)
		if (!f[i][0])
			return dhcp6_fail(err, errlen, range, "field %d is "
					  "empty", i + 1);
	if ((rc = dhcp6_refuse_modes(f, n, range, err, errlen)) != 0)
		return rc;
	for (i = 0; i < n && (!strncmp(f[i], "tag:", 4) ||
			      !strncmp(f[i], "set:", 4)); i++)
		if (!dhcp6_is_named(f[i], strncmp(f[i], "tag:", 4) ? "set:" :
				    "tag:", 64, 0))
			return dhcp6_fail(err, errlen, range, "'%s' is not "
					  "tag:NAME or set:NAME (letters, "
					  "digits, '_', '.' or '-')", f[i]);
	if (i >= n || !strchr(f[i], ':') ||
	    inet_pton(AF_INET6, f[i], &r.start) != 1)
		return dhcp6_fail(err, errlen, range, "'%s' is not an IPv6 "
				  "start address; write "
				  COMPILE_DHCP6_RANGE_SYNTAX, i < n ? f[i] : "");
	if (i + 1 >= n || !strchr(f[i + 1], ':') ||
	    inet_pton(AF_INET6, f[i + 1], &r.end) != 1)
		return dhcp6_fail(err, errlen, range, "the start address "
				  "needs an end address (START,END): UEFI PXE "
				  "and iPXE need an address from stateful "
				  "DHCPv6, which only a range with an end "
				  "hands out");
	if ((rc = dhcp6_read_tail(&f[i + 2], n - i - 2, &r, range, err,
				  errlen)) != 0)
		return rc;
	prefix = r.prefix < 0 ? DHCP6_PREFIX_RA : r.prefix;
	if (r.constructor) {
		static const struct in6_addr zero;

		if (!dhcp6_same_net(&zero, &r.start, prefix) ||
		    !dhcp6_same_net(&zero, &r.end, prefix))
			return dhcp6_fail(err, errlen, range, "with "
					  "constructor:, START and END are "
					  "host parts (::100,::1ff): their "
					  "first %d bits must be zero",
					  prefix);
		return 0;
	}
	if (dhcp6_same_net(&(struct in6_addr){ 0 }, &r.start, DHCP6_PREFIX_RA))
		return dhcp6_fail(err, errlen, range, "%s is only a host part; "
				  "add constructor:IFACE, or write the "
				  "network's own addresses (fd00::100,"
				  "fd00::1ff)", f[i]);
	if (IN6_IS_ADDR_MULTICAST(&r.start) || IN6_IS_ADDR_LINKLOCAL(&r.start))
		return dhcp6_fail(err, errlen, range, "%s is a multicast or "
				  "link-local address; a range hands out "
				  "global or unique-local ones", f[i]);
	if (!dhcp6_same_net(&r.start, &r.end, prefix))
		return dhcp6_fail(err, errlen, range, "%s and %s are not in "
				  "one /%d network", f[i], f[i + 1], prefix);
	return 0;
}
