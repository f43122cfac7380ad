/*
 * Checking an inventory, node by node: every value a node will render,
 * one rule each, turning merged YAML into struct node. The identities two
 * nodes claim are found by check_dup.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "check_dup.h"

/** Keys a node file or a _defaults.yaml may hold */
static const char *const check_known_keys[] = {
	"schematicID", "talosVersion", "kernelArgs", "extraKernelArgs",
	"dns0", "dns1", "ntp", "install", "netmask", "gateway", "vlan",
	"interface", "serial", "boardSerial", "mac", "uuid", "ip", "arch",
	"imageBaseURL", "talosConfig", "uki", "haltIfInstalled", NULL
};

/** Characters allowed in a kernel argument */
#define CHECK_ARG_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789._:/=,+@%~*-"
/** Characters allowed in a serial or board serial */
#define CHECK_SERIAL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789.:+-"
/** Characters allowed in a URL (no quotes, spaces, '$', '{', '}') */
#define CHECK_URL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789._~%/?&=:,+@-"

/** Per-node checking context */
struct check {
	struct inventory *inv;
	struct node *node;
	const struct inv_node *in;
};

/**
 * Report an error at a merged value.
 *
 * @v c         Context
 * @v kv        Value
 * @v offset    Byte offset inside the scalar, or -1 for its start
 * @v fmt       Message
 */
static void __attribute__((format(printf, 4, 5)))
check_error_at(struct check *c, const struct inv_kv *kv, int offset,
	       const char *fmt, ...)
{
	char msg[1024];
	unsigned int col = kv->val->col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Point at the character when the scalar is on one line */
	if (offset >= 0 && !memchr(kv->val->text, '\n', kv->val->len))
		col += offset + (kv->val->plain ? 0 : 1);
	diag_add(&c->inv->diags, DIAG_ERROR, kv->src->shown, kv->val->line,
		 col, "%s", msg);
	c->node->errors++;
}

/**
 * Report an error about the node file as a whole.
 *
 * @v c         Context
 * @v fmt       Message
 */
static void __attribute__((format(printf, 2, 3)))
check_error_node(struct check *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(&c->inv->diags, DIAG_ERROR, c->in->file->shown, 1, 1, "%s",
		 msg);
	c->node->errors++;
}

/**
 * Get a merged key that must be a string.
 *
 * A plain scalar that YAML reads as another type is an error that tells
 * the operator to quote it, unless numbers are acceptable (allow_number),
 * in which case the written text is used and a warning is given.
 *
 * @v c         Context
 * @v key       Key
 * @v allow_number  Accept a number's text, with a warning
 * @v kv_out    Entry, or NULL
 * @ret text    String, or NULL when absent or wrong
 */
static const char *check_string(struct check *c, const char *key,
				int allow_number, const struct inv_kv **kv_out)
{
	const struct inv_kv *kv = inventory_get(c->in, key);

	if (kv_out)
		*kv_out = kv;
	if (!kv || kv->val->type == YV_NULL)
		return NULL;
	if (kv->val->type == YV_STR) {
		if (strlen(kv->val->text) != kv->val->len) {
			/* C code would see only the part before the NUL */
			check_error_at(c, kv, strlen(kv->val->text), "%s: a "
				       "NUL character (\\0) is not allowed",
				       key);
			return NULL;
		}
		return kv->val->text;
	}
	if (kv->val->plain && (kv->val->type == YV_INT ||
			       kv->val->type == YV_FLOAT ||
			       kv->val->type == YV_TIMESTAMP) &&
	    allow_number) {
		char what[64];

		/* Say what merge.py sees: 0012345 is octal, so 5349 */
		if (kv->val->type == YV_INT && !kv->val->big)
			snprintf(what, sizeof(what), "the integer %lld",
				 kv->val->i);
		else
			snprintf(what, sizeof(what), "%s",
				 yaml_type_name(kv->val->type));
		diag_add(&c->inv->diags, DIAG_WARNING, kv->src->shown,
			 kv->val->line, kv->val->col, "%s: YAML reads %s as "
			 "%s, and merge.py and the templates would see that; "
			 "quote it: %s: \"%s\"", key, kv->val->text, what,
			 key, kv->val->text);
		return kv->val->text;
	}
	if (kv->val->plain && kv->val->text)
		check_error_at(c, kv, -1, "%s must be a string, but YAML reads "
			       "'%s' as %s; quote it: %s: \"%s\"", key,
			       kv->val->text, yaml_type_name(kv->val->type),
			       key, kv->val->text);
	else
		check_error_at(c, kv, -1, "%s must be a string, not %s", key,
			       yaml_type_name(kv->val->type));
	return NULL;
}

/**
 * Get a merged boolean.
 *
 * @v c         Context
 * @v key       Key
 * @v dflt      Value when absent
 * @ret value   0 or 1
 */
static int check_bool(struct check *c, const char *key, int dflt)
{
	const struct inv_kv *kv = inventory_get(c->in, key);

	if (!kv || kv->val->type == YV_NULL)
		return dflt;
	if (kv->val->type == YV_BOOL)
		return kv->val->b;
	check_error_at(c, kv, -1, "%s must be true or false, not %s", key,
		       yaml_type_name(kv->val->type));
	return dflt;
}

/**
 * Find the first character of a string outside a set.
 *
 * @v s         String
 * @v set       Allowed characters
 * @ret offset  Offset of the first bad character, or -1
 */
static int check_bad_char(const char *s, const char *set)
{
	size_t n = strspn(s, set);

	return s[n] ? (int)n : -1;
}

/**
 * Describe a character for a message.
 *
 * @v ch        Character
 * @v buf       Output, at least 8 bytes
 * @ret buf     Description
 */
static const char *check_char_name(unsigned char ch, char *buf)
{
	if (ch == '\n')
		return "a newline";
	if (ch == ' ')
		return "a space";
	if (ch == '\t')
		return "a tab";
	if (ch == '"')
		return "a double quote";
	if (ch == '\'')
		return "a single quote";
	if (ch < 0x20 || ch >= 0x7f) {
		snprintf(buf, 8, "0x%02x", ch);
		return buf;
	}
	snprintf(buf, 8, "'%c'", ch);
	return buf;
}

/**
 * Check a kernel argument list.
 *
 * @v c         Context
 * @v key       Key
 * @ret args    Arguments, or NULL
 */
static const char *check_kernel_args(struct check *c, const char *key)
{
	const struct inv_kv *kv;
	const char *s = check_string(c, key, 0, &kv);
	char name[8];
	int bad;

	if (!s)
		return NULL;
	bad = check_bad_char(s, CHECK_ARG_CHARS " ");
	if (bad >= 0) {
		if (s[bad] == '$' && s[bad + 1] == '{')
			check_error_at(c, kv, bad, "%s: '${' would be expanded "
				       "by iPXE; write the value itself", key);
		else
			check_error_at(c, kv, bad, "%s: %s is not allowed in "
				       "kernel arguments (it could break the "
				       "iPXE script); allowed are letters, "
				       "digits, spaces and ._:/=,+@%%~*-", key,
				       check_char_name(s[bad], name));
		return NULL;
	}
	return s;
}

/** Characters an IPv6 address is written with (no zone, no brackets) */
#define CHECK_IPV6_CHARS "0123456789abcdefABCDEF:."

/** An IPv4 or IPv6 address */
struct check_addr {
	int family;                     /**< AF_INET or AF_INET6 */
	unsigned char bytes[16];        /**< network order; 4 or 16 used */
};

/**
 * Get the number of bits of an address family.
 *
 * @v family    AF_INET or AF_INET6
 * @ret bits    32 or 128
 */
static unsigned int check_family_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

/**
 * Name an address family for a message.
 *
 * @v family    AF_INET or AF_INET6
 * @ret name    "IPv4" or "IPv6"
 */
static const char *check_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/**
 * Parse a dotted IPv4 address.
 *
 * @v s         Text
 * @v addr      Address, host order
 * @ret rc      0, or -EINVAL when it is not one
 */
static int check_parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr in;

	if (strspn(s, "0123456789.") != strlen(s) ||
	    inet_pton(AF_INET, s, &in) != 1)
		return -EINVAL;
	*addr = ntohl(in.s_addr);
	return 0;
}

/**
 * Parse an IPv4 address (dotted) or an IPv6 unicast address (RFC 4291
 * text, no zone).  The IPv6 unspecified address, multicast addresses
 * and IPv4-mapped ones are refused: no node, gateway or server has one.
 *
 * @v s         Text
 * @v addr      Address
 * @ret rc      0, -EINVAL when it is neither, or -EADDRNOTAVAIL for an
 *              IPv6 address that is not a unicast one
 */
static int check_parse_ip(const char *s, struct check_addr *addr)
{
	struct in6_addr in6;
	uint32_t v4;

	memset(addr, 0, sizeof(*addr));
	if (check_parse_ipv4(s, &v4) == 0) {
		v4 = htonl(v4);
		addr->family = AF_INET;
		memcpy(addr->bytes, &v4, 4);
		return 0;
	}
	if (!strchr(s, ':') || strspn(s, CHECK_IPV6_CHARS) != strlen(s) ||
	    inet_pton(AF_INET6, s, &in6) != 1)
		return -EINVAL;
	if (IN6_IS_ADDR_UNSPECIFIED(&in6) || IN6_IS_ADDR_MULTICAST(&in6) ||
	    IN6_IS_ADDR_V4MAPPED(&in6))
		return -EADDRNOTAVAIL;
	addr->family = AF_INET6;
	memcpy(addr->bytes, &in6, 16);
	return 0;
}

/**
 * Write an address back as text: an IPv4 address as it was written (it
 * is already canonical: inet_pton() takes no leading zeros), an IPv6
 * address in its canonical form (RFC 5952: lower case, "::" for the
 * longest run of zeros), so that the same address is the same text.
 *
 * @v c         Context (arena)
 * @v s         Text as written
 * @v addr      Address parsed from it
 * @ret text    Canonical text
 */
static const char *check_addr_text(struct check *c, const char *s,
				   const struct check_addr *addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (addr->family == AF_INET ||
	    !inet_ntop(AF_INET6, addr->bytes, buf, sizeof(buf)))
		return s;
	return arena_strndup(&c->inv->arena, buf, strlen(buf));
}

/**
 * Tell whether two addresses of one family share their first bits.
 *
 * @v a         Address
 * @v b         Address of the same family
 * @v prefix    Bits compared (at most the family's)
 * @ret same    1 when they do
 */
static int check_same_prefix(const struct check_addr *a,
			     const struct check_addr *b, unsigned int prefix)
{
	unsigned int whole = prefix / 8, rest = prefix % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	if (memcmp(a->bytes, b->bytes, whole) != 0)
		return 0;
	return !rest || ((a->bytes[whole] ^ b->bytes[whole]) & mask) == 0;
}

/**
 * Get a merged IPv4 or IPv6 address.
 *
 * @v c         Context
 * @v key       Key
 * @v addr      Address
 * @v kv_out    Entry, or NULL
 * @ret text    Address text (IPv6 canonical), or NULL when absent or
 *              invalid
 */
static const char *check_ip(struct check *c, const char *key,
			    struct check_addr *addr,
			    const struct inv_kv **kv_out)
{
	const struct inv_kv *kv;
	const char *s = check_string(c, key, 0, &kv);
	int rc;

	if (kv_out)
		*kv_out = kv;
	if (!s)
		return NULL;
	rc = check_parse_ip(s, addr);
	if (rc == -EADDRNOTAVAIL) {
		check_error_at(c, kv, -1, "%s: '%s' is not a unicast IPv6 "
			       "address (not ::, multicast ff00::/8 or "
			       "IPv4-mapped ::ffff:0:0/96; write an IPv4 "
			       "address as such)", key, s);
		return NULL;
	}
	if (rc != 0) {
		check_error_at(c, kv, -1, "%s: '%s' is not an IPv4 or IPv6 "
			       "address (write 192.0.2.1 or 2001:db8::1%s)",
			       key, s, strcmp(key, "ip") == 0 ? ", or dhcp" :
			       "");
		return NULL;
	}
	return check_addr_text(c, s, addr);
}

/**
 * Check the hostname, which comes from the file name, against the one
 * node-name rule (pxeinv_node_name_is_valid()).  A name that is only
 * wrong by its case is told how to rename the file.
 *
 * @v c         Check context
 */
static void check_hostname(struct check *c)
{
	const char *host = c->in->hostname;
	const char *base = strrchr(c->in->file->shown, '/'), *ext;
	char lower[PXEINV_NODE_MAX];
	size_t i, n = strlen(host);

	if (pxeinv_node_name_is_valid(host))
		return;
	ext = strrchr(base ? base : c->in->file->shown, '.');
	if (n < sizeof(lower)) {
		for (i = 0; i <= n; i++)
			lower[i] = (char)tolower((unsigned char)host[i]);
		if (pxeinv_node_name_is_valid(lower)) {
			check_error_node(c, "hostname '%s' (the file name) has "
					 "upper-case letters: node names are "
					 "lower case, so that tags, state "
					 "files and paths cannot tell apart "
					 "what DNS cannot; rename the file to "
					 "%s%s", host, lower, ext ? ext : "");
			return;
		}
	}
	check_error_node(c, "hostname '%s' (the file name) is not a valid "
			 "node name: use " PXEINV_NODE_NAME_RULE, host);
}

/**
 * Tell whether text is a run of hex digits of a given length.
 *
 * @v s         Text
 * @v n         Digits
 * @ret ok      1 when it is
 */
static int check_is_hex(const char *s, size_t n)
{
	return strlen(s) >= n &&
	       strspn(s, "0123456789abcdefABCDEF") >= n;
}

/**
 * Normalise a MAC address to "aa:bb:cc:dd:ee:ff".
 *
 * @v s         Text, ':' or '-' separated (pxeinv_mac_parse())
 * @v out       Output, 18 bytes
 * @ret rc      0, or -EINVAL when it is not a MAC
 */
static int check_normalise_mac(const char *s, char *out)
{
	unsigned char mac[6];
	int rc;

	if ((rc = pxeinv_mac_parse(s, mac)) != 0)
		return rc;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return 0;
}

/**
 * Tell whether a normalised MAC is a placeholder: all zero or broadcast.
 *
 * @v mac       MAC, as check_normalise_mac() writes it
 * @ret placeholder 1 when it is one
 */
static int check_mac_is_placeholder(const char *mac)
{
	return strcmp(mac, "00:00:00:00:00:00") == 0 ||
	       strcmp(mac, "ff:ff:ff:ff:ff:ff") == 0;
}

/**
 * Check one MAC value and add it to the node.
 *
 * @v c         Context
 * @v kv        Entry
 * @v v         The value (the entry's, or one item of its list)
 */
static void check_one_mac(struct check *c, const struct inv_kv *kv,
			  const struct yv *v)
{
	struct inv_kv item = { kv->key, (struct yv *)v, kv->src };
	char mac[18], *copy;

	if (v->type != YV_STR) {
		if (v->plain && v->text && v->type == YV_INT && !v->big &&
		    strchr(v->text, ':'))
			check_error_at(c, &item, -1, "mac: YAML 1.1 reads %s "
				       "as the base-60 integer %lld; quote it: "
				       "\"%s\"", v->text, v->i, v->text);
		else if (v->plain && v->text)
			check_error_at(c, &item, -1, "mac: YAML reads %s as "
				       "%s; quote it: \"%s\"", v->text,
				       yaml_type_name(v->type), v->text);
		else
			check_error_at(c, &item, -1, "mac must be a string or "
				       "a list of strings, not %s",
				       yaml_type_name(v->type));
		return;
	}
	if (check_normalise_mac(v->text, mac) != 0) {
		check_error_at(c, &item, -1, "mac: '%s' is not a MAC address "
			       "(write six hex pairs: aa:bb:cc:dd:ee:ff)",
			       v->text);
		return;
	}
	if (check_mac_is_placeholder(mac)) {
		check_error_at(c, &item, -1, "mac: '%s' is a placeholder (all "
			       "zero or broadcast), not a network card's "
			       "address", v->text);
		return;
	}
	if (c->node->nmacs >= NODE_MAX_MACS) {
		check_error_at(c, &item, -1, "mac: more than %d MAC addresses",
			       NODE_MAX_MACS);
		return;
	}
	copy = arena_strndup(&c->inv->arena, mac, 17);
	c->node->mac_kv[c->node->nmacs] = arena_alloc(&c->inv->arena,
						      sizeof(item));
	memcpy((void *)c->node->mac_kv[c->node->nmacs], &item, sizeof(item));
	c->node->macs[c->node->nmacs++] = copy;
}

/**
 * Check the mac key: one MAC or a list.
 *
 * @v c         Context
 */
static void check_macs(struct check *c)
{
	const struct inv_kv *kv = inventory_get(c->in, "mac");
	size_t i;

	if (!kv || kv->val->type == YV_NULL)
		return;
	if (kv->val->type == YV_SEQ) {
		for (i = 0; i < kv->val->n; i++)
			check_one_mac(c, kv, kv->val->items[i]);
		return;
	}
	check_one_mac(c, kv, kv->val);
}

/**
 * Check a serial or board serial.
 *
 * @v c         Context
 * @v key       Key
 * @ret serial  Serial, or NULL
 */
static const char *check_serial(struct check *c, const char *key)
{
	static const char *const placeholders[] = {
		"To Be Filled By O.E.M.", "Default string", "Not Specified",
		"System Serial Number", "0123456789", "None", "N/A",
		"Not Applicable", "0", NULL };
	const struct inv_kv *kv;
	const char *s = check_string(c, key, 1, &kv);
	char name[8];
	int i, bad;

	if (!s)
		return NULL;
	for (i = 0; placeholders[i]; i++) {
		if (strcasecmp(s, placeholders[i]) == 0) {
			check_error_at(c, kv, -1, "%s: '%s' is a firmware "
				       "placeholder, not an identity; use "
				       "%s, mac or uuid instead", key, s,
				       strcmp(key, "serial") == 0 ?
				       "boardSerial" : "serial");
			return NULL;
		}
	}
	if (strlen(s) == 0 || strlen(s) > 64) {
		check_error_at(c, kv, -1, "%s must be 1 to 64 characters", key);
		return NULL;
	}
	bad = check_bad_char(s, CHECK_SERIAL_CHARS);
	if (bad >= 0) {
		check_error_at(c, kv, bad, "%s: %s is not allowed in a serial "
			       "(it could break the iPXE script); allowed are "
			       "letters, digits and .:+-", key,
			       check_char_name(s[bad], name));
		return NULL;
	}
	return s;
}

/**
 * Check the uuid key.
 *
 * @v c         Context
 * @ret uuid    Lower-case UUID, or NULL
 */
static const char *check_uuid(struct check *c)
{
	const struct inv_kv *kv;
	const char *s = check_string(c, "uuid", 0, &kv);
	char *low;
	size_t i;

	if (!s)
		return NULL;
	if (strlen(s) != 36 || !check_is_hex(s, 8) || s[8] != '-' ||
	    !check_is_hex(s + 9, 4) || s[13] != '-' ||
	    !check_is_hex(s + 14, 4) || s[18] != '-' ||
	    !check_is_hex(s + 19, 4) || s[23] != '-' ||
	    !check_is_hex(s + 24, 12)) {
		check_error_at(c, kv, -1, "uuid: '%s' is not a UUID (write "
			       "8-4-4-4-12 hex digits, as dmidecode prints "
			       "it)", s);
		return NULL;
	}
	low = arena_strndup(&c->inv->arena, s, 36);
	for (i = 0; i < 36; i++)
		low[i] = tolower((unsigned char)low[i]);
	if (strcmp(low, "00000000-0000-0000-0000-000000000000") == 0 ||
	    strcmp(low, "ffffffff-ffff-ffff-ffff-ffffffffffff") == 0) {
		check_error_at(c, kv, -1, "uuid: an all-zero or all-FF UUID is "
			       "a firmware placeholder, not an identity");
		return NULL;
	}
	return low;
}

/**
 * Check a URL (imageBaseURL or talosConfig).
 *
 * talosConfig may carry Talos's own ${uuid}, ${serial}, ${mac} and
 * ${hostname} in its query; they are percent-encoded so that iPXE leaves
 * them alone and Talos, which decodes the query first, still sees them.
 *
 * @v c         Context
 * @v key       Key
 * @v talos_vars Allow Talos variables in the query
 * @ret url     URL as rendered, or NULL
 */
static const char *check_url(struct check *c, const char *key,
			     int talos_vars)
{
	static const char *const vars[] = { "${uuid}", "${serial}", "${mac}",
					    "${hostname}", NULL };
	const struct inv_kv *kv;
	const char *s = check_string(c, key, 0, &kv);
	const char *query;
	char *out, *o, name[8];
	size_t i, host, hlen;
	int v, rc;

	if (!s)
		return NULL;
	rc = check_url_host(s, &host, &hlen);
	if (rc == -EPROTONOSUPPORT) {
		check_error_at(c, kv, -1, "%s: '%s' must start with https:// "
			       "or http://", key, s);
		return NULL;
	}
	if (rc == -EDESTADDRREQ) {
		check_error_at(c, kv, host, "%s: URL has no host name", key);
		return NULL;
	}
	if (rc != 0) {
		check_error_at(c, kv, host, "%s: " CHECK_URL_IPV6_HINT, key);
		return NULL;
	}
	query = strchr(s, '?');
	out = o = arena_alloc(&c->inv->arena, 3 * strlen(s) + 1);
	for (i = 0; s[i];) {
		if (s[i] == '$' && talos_vars && query && s + i > query) {
			for (v = 0; vars[v]; v++)
				if (strncmp(s + i, vars[v], strlen(vars[v])) ==
				    0)
					break;
			if (vars[v]) {
				o += sprintf(o, "%%24%%7B%.*s%%7D",
					     (int)strlen(vars[v]) - 3,
					     vars[v] + 2);
				i += strlen(vars[v]);
				continue;
			}
		}
		/* A bracketed IPv6 host was checked whole */
		if (s[host] == '[' && i >= host && i < host + hlen) {
			*o++ = s[i++];
			continue;
		}
		if (!strchr(CHECK_URL_CHARS, s[i]) || s[i] == '\0') {
			if (s[i] == '$' && talos_vars)
				check_error_at(c, kv, i, "%s: only ${uuid}, "
					       "${serial}, ${mac} and "
					       "${hostname} may appear, and "
					       "only in the query (after "
					       "'?')", key);
			else
				check_error_at(c, kv, i, "%s: %s is not "
					       "allowed in a URL here; "
					       "percent-encode it", key,
					       check_char_name(s[i], name));
			return NULL;
		}
		*o++ = s[i++];
	}
	*o = '\0';
	while (o > out && o[-1] == '/' && !talos_vars)
		*--o = '\0';
	return out;
}

int check_url_host(const char *url, size_t *host, size_t *len)
{
	struct in6_addr in6;
	char literal[INET6_ADDRSTRLEN];
	const char *h, *end;

	if (strncmp(url, "https://", 8) == 0)
		h = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		h = url + 7;
	else
		return -EPROTONOSUPPORT;
	*host = h - url;
	*len = 0;
	if (h[0] != '[') {
		if (!isalnum((unsigned char)h[0]))
			return -EDESTADDRREQ;
		*len = strcspn(h, ":/?#");
		return 0;
	}
	/* RFC 3986 IP-literal: "[" IPv6address "]", then a port, a path,
	 * a query or the end */
	end = strchr(h, ']');
	if (!end || (size_t)(end - h - 1) >= sizeof(literal) ||
	    (end[1] && !strchr(":/?", end[1])))
		return -EINVAL;
	memcpy(literal, h + 1, end - h - 1);
	literal[end - h - 1] = '\0';
	if (!strchr(literal, ':') ||
	    strspn(literal, CHECK_IPV6_CHARS) != strlen(literal) ||
	    inet_pton(AF_INET6, literal, &in6) != 1)
		return -EINVAL;
	*len = end + 1 - h;
	return 0;
}

int check_image_base_is_valid(const char *url)
{
	size_t host, len, i;

	if (check_url_host(url, &host, &len) != 0)
		return 0;
	for (i = 0; url[i]; i++)
		if (!strchr(CHECK_URL_CHARS, url[i]) &&
		    !(url[host] == '[' && i >= host && i < host + len))
			return 0;
	return 1;
}

/**
 * Check the install key.
 *
 * @v c         Context
 * @ret mode    Install mode
 */
static enum pxeinv_install check_install(struct check *c)
{
	const struct inv_kv *kv = inventory_get(c->in, "install");

	if (!kv || kv->val->type == YV_NULL)
		return PXEINV_INSTALL_NO;
	if (kv->val->type == YV_BOOL)
		return kv->val->b ? PXEINV_INSTALL_YES : PXEINV_INSTALL_NO;
	if (kv->val->type == YV_STR && strcmp(kv->val->text, "once") == 0)
		return PXEINV_INSTALL_ONCE;
	check_error_at(c, kv, -1, "install must be true, false or once, not "
		       "'%s'", kv->val->text ? kv->val->text : "a collection");
	return PXEINV_INSTALL_NO;
}

/**
 * Levenshtein distance, case-insensitive, capped.
 *
 * @v a         First word
 * @v b         Second word
 * @ret dist    Edit distance (at most 99)
 */
static int check_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			int cost = tolower((unsigned char)a[i - 1]) !=
				   tolower((unsigned char)b[j - 1]);

			tmp = row[j];
			row[j] = row[j] + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (prev + cost < row[j])
				row[j] = prev + cost;
			prev = tmp;
		}
	}
	return row[lb];
}

/**
 * Check the keys of one file's mapping: known, unique, string keys.
 *
 * @v inv       Inventory
 * @v f         File
 */
static void check_file_keys(struct inventory *inv, const struct inv_file *f)
{
	const struct yv *map = f ? f->root : NULL;
	size_t i, j;

	if (!map)
		return;
	for (i = 0; i < map->n; i++) {
		const struct yv *k = map->pairs[i].key;
		const char *best = NULL;
		int bestd = 99, d;

		for (j = 0; j < i; j++) {
			const struct yv *o = map->pairs[j].key;

			if (o->len == k->len && k->text &&
			    memcmp(o->text, k->text, k->len) == 0) {
				diag_add(&inv->diags, DIAG_ERROR, f->shown,
					 k->line, k->col, "key '%s' appears "
					 "twice (first on line %u); only the "
					 "last value would be used", k->text,
					 o->line);
				break;
			}
		}
		if (k->type != YV_STR) {
			diag_add(&inv->diags, DIAG_ERROR, f->shown, k->line,
				 k->col, "key '%s' is %s to YAML; keys are "
				 "names such as schematicID", k->text ? k->text :
				 "", yaml_type_name(k->type));
			continue;
		}
		if (strcmp(k->text, "hostname") == 0 ||
		    strcmp(k->text, "filename") == 0) {
			diag_add(&inv->diags, DIAG_ERROR, f->shown, k->line,
				 k->col, "key '%s' is set from the file name; "
				 "remove it (rename the file instead)",
				 k->text);
			continue;
		}
		if (strcmp(k->text, "<<") == 0) {
			diag_add(&inv->diags, DIAG_ERROR, f->shown, k->line,
				 k->col, "YAML merge keys ('<<') are not "
				 "supported; use a _defaults.yaml instead");
			continue;
		}
		if (strncmp(k->text, "x-", 2) == 0)
			continue;
		for (j = 0; check_known_keys[j]; j++)
			if (strcmp(k->text, check_known_keys[j]) == 0)
				break;
		if (check_known_keys[j])
			continue;
		for (j = 0; check_known_keys[j]; j++) {
			d = check_distance(k->text, check_known_keys[j]);
			if (d < bestd) {
				bestd = d;
				best = check_known_keys[j];
			}
		}
		if (best && bestd <= 3)
			diag_add(&inv->diags, DIAG_ERROR, f->shown, k->line,
				 k->col, "unknown key '%s'; did you mean "
				 "'%s'? (keys of your own start with 'x-')",
				 k->text, best);
		else
			diag_add(&inv->diags, DIAG_ERROR, f->shown, k->line,
				 k->col, "unknown key '%s' (keys of your own "
				 "start with 'x-')", k->text);
	}
}

/**
 * Get the merged netmask: a prefix length (0-32 for an IPv4 ip, 0-128
 * for an IPv6 one; Talos reads a number in either family), or for an
 * IPv4 ip a dotted contiguous netmask.  It is rendered as written.
 *
 * @v c         Context
 * @v family    The static ip's family, or 0 when the node has none
 * @v prefix    Prefix length
 * @v kv_out    Entry
 * @ret text    Netmask as rendered, or NULL when absent or invalid
 */
static const char *check_netmask(struct check *c, int family,
				 unsigned int *prefix,
				 const struct inv_kv **kv_out)
{
	const struct inv_kv *kv = inventory_get(c->in, "netmask");
	unsigned int bits = family ? check_family_bits(family) : 128;
	const char *s;
	uint32_t mask;
	unsigned long len;

	/* netmask: 64 is a YAML integer: its text is the prefix length */
	if (kv && kv->val->type == YV_INT && kv->val->plain &&
	    !kv->val->big && kv->val->text &&
	    strspn(kv->val->text, "0123456789") == strlen(kv->val->text))
		s = kv->val->text;
	else
		s = check_string(c, "netmask", 0, &kv);
	*kv_out = kv;
	if (!s)
		return NULL;
	if (s[0] && strspn(s, "0123456789") == strlen(s)) {
		len = strlen(s) <= 3 ? strtoul(s, NULL, 10) : bits + 1;
		if ((s[0] == '0' && s[1]) || len > bits) {
			check_error_at(c, kv, -1, "netmask: '%s' is not a "
				       "prefix length %s(0-%u, such as %s)",
				       s, family == AF_INET6 ? "of an IPv6 ip " :
				       family == AF_INET ? "of an IPv4 ip " :
				       "", bits, family == AF_INET ? "24" :
				       "64");
			return NULL;
		}
		*prefix = len;
		return s;
	}
	if (family == AF_INET6) {
		check_error_at(c, kv, -1, "netmask: '%s' is not a prefix "
			       "length; the netmask of an IPv6 ip is its "
			       "number of network bits, 0-128 (such as 64)",
			       s);
		return NULL;
	}
	if (check_parse_ipv4(s, &mask) != 0) {
		check_error_at(c, kv, -1, "netmask: '%s' is not a netmask "
			       "(write 255.255.255.0, or a prefix length such "
			       "as 24)", s);
		return NULL;
	}
	if (mask != 0 && (~mask & (~mask + 1)) != 0) {
		check_error_at(c, kv, -1, "netmask: '%s' is not a contiguous "
			       "netmask (such as 255.255.255.0)", s);
		return NULL;
	}
	for (*prefix = 0; mask; mask <<= 1)
		(*prefix)++;
	return s;
}

/**
 * Check the network values of a node.
 *
 * @v c         Context
 */
static void check_network(struct check *c)
{
	struct node *n = c->node;
	const struct inv_kv *ip_kv, *mask_kv, *gw_kv, *vlan_kv, *if_kv, *ntp_kv;
	struct check_addr ip = { 0 }, gw, dns;
	unsigned int prefix = 0;
	const char *s;
	char name[8];
	int bad;

	s = check_string(c, "ip", 0, &ip_kv);
	if (s && strcmp(s, "dhcp") != 0)
		n->ip = check_ip(c, "ip", &ip, NULL);
	if (!n->ip)
		ip.family = 0;
	n->netmask = check_netmask(c, ip.family, &prefix, &mask_kv);
	n->gateway = check_ip(c, "gateway", &gw, &gw_kv);
	if (n->ip && n->gateway && gw.family != ip.family) {
		check_error_at(c, gw_kv, -1, "gateway: %s is an %s address, "
			       "but ip %s is %s; the gateway must be of the "
			       "same family as ip: write an %s gateway%s",
			       n->gateway, check_family_name(gw.family),
			       n->ip, check_family_name(ip.family),
			       check_family_name(ip.family),
			       ip.family == AF_INET6 ? " (such as fe80::1)" :
			       "");
		n->gateway = NULL;
	}
	if (n->ip && n->netmask && n->gateway) {
		/* An IPv6 router is commonly its link-local address */
		if (!check_same_prefix(&ip, &gw, prefix) &&
		    !(gw.family == AF_INET6 && gw.bytes[0] == 0xfe &&
		      (gw.bytes[1] & 0xc0) == 0x80))
			check_error_at(c, gw_kv, -1, "gateway %s is outside "
				       "the node's subnet %s/%s%s", n->gateway,
				       n->ip, n->netmask,
				       gw.family == AF_INET6 ? " (an IPv6 "
				       "gateway may also be link-local, in "
				       "fe80::/10)" : "");
		else if (memcmp(gw.bytes, ip.bytes, sizeof(ip.bytes)) == 0)
			diag_add(&c->inv->diags, DIAG_WARNING,
				 gw_kv->src->shown, gw_kv->val->line,
				 gw_kv->val->col, "gateway %s is also the "
				 "address of node %s", n->gateway,
				 n->hostname);
	}
	if (n->ip && !n->netmask && !mask_kv)
		check_error_node(c, "static ip %s needs a netmask; set "
				 "netmask here or in a _defaults.yaml above%s",
				 n->ip, ip.family == AF_INET6 ? " (a prefix "
				 "length, such as 64)" : "");
	n->dns0 = check_ip(c, "dns0", &dns, NULL);
	n->dns1 = check_ip(c, "dns1", &dns, NULL);
	s = check_string(c, "ntp", 0, &ntp_kv);
	if (s && strchr(s, ':')) {
		/* Only an IPv6 address has a ':' */
		n->ntp = check_ip(c, "ntp", &dns, NULL);
	} else if (s) {
		bad = check_bad_char(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789.-");
		if (bad >= 0 || !s[0])
			check_error_at(c, ntp_kv, bad, "ntp: %s is not allowed "
				       "in a host name or address",
				       s[0] ? check_char_name(s[bad], name) :
				       "an empty value");
		else
			n->ntp = s;
	}
	vlan_kv = inventory_get(c->in, "vlan");
	if (vlan_kv && vlan_kv->val->type != YV_NULL) {
		if (vlan_kv->val->type != YV_INT || vlan_kv->val->big ||
		    vlan_kv->val->i < 1 || vlan_kv->val->i > 4094)
			check_error_at(c, vlan_kv, -1, "vlan must be a number "
				       "from 1 to 4094, not '%s'",
				       vlan_kv->val->text ? vlan_kv->val->text :
				       "a collection");
		else
			n->vlan = vlan_kv->val->i;
	}
	s = check_string(c, "interface", 0, &if_kv);
	if (s) {
		bad = check_bad_char(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789_-");
		if (bad >= 0 || strlen(s) == 0 || strlen(s) > 15)
			check_error_at(c, if_kv, bad, "interface: '%s' is not "
				       "a Linux interface name (1-15 letters, "
				       "digits, '_' or '-')", s);
		else
			n->interface = s;
	}
	if (n->vlan && !n->interface && !if_kv)
		check_error_at(c, vlan_kv, -1, "vlan %d needs an interface to "
			       "tag; set interface", n->vlan);
}

/**
 * Check the Talos values of a node.
 *
 * @v c         Context
 */
static void check_talos(struct check *c)
{
	struct node *n = c->node;
	const struct inv_kv *kv;
	const char *s;

	s = check_string(c, "schematicID", 0, &kv);
	if (s) {
		if (strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64)
			check_error_at(c, kv, -1, "schematicID must be 64 "
				       "lower-case hex digits, as the image "
				       "factory prints it");
		else
			n->schematic = s;
	}
	s = check_string(c, "talosVersion", 0, &kv);
	if (s) {
		const char *p = s + 1;
		int dots = 0, ok = s[0] == 'v' && isdigit((unsigned char)*p);

		while (ok && *p && *p != '-') {
			if (*p == '.')
				dots++, ok = isdigit((unsigned char)p[1]);
			else
				ok = isdigit((unsigned char)*p);
			p++;
		}
		if (ok && *p == '-')
			ok = p[1] && check_bad_char(p + 1, "ABCDEFGHIJKLMNOPQRS"
				"TUVWXYZabcdefghijklmnopqrstuvwxyz0123456789."
				"-") < 0;
		if (!ok || dots != 2)
			check_error_at(c, kv, -1, "talosVersion: '%s' is not a "
				       "version such as v1.9.5", s);
		else
			n->version = s;
	}
	s = check_string(c, "arch", 0, &kv);
	n->arch = "amd64";
	if (s) {
		if (strcmp(s, "amd64") && strcmp(s, "arm64"))
			check_error_at(c, kv, -1, "arch must be amd64 or "
				       "arm64, not '%s'", s);
		else
			n->arch = s;
	}
	n->image_base = check_url(c, "imageBaseURL", 0);
	if (!n->image_base && !inventory_get(c->in, "imageBaseURL"))
		n->image_base = NODE_DEFAULT_IMAGE_BASE;
	n->talos_config = check_url(c, "talosConfig", 1);
	n->kernel_args = check_kernel_args(c, "kernelArgs");
	n->extra_args = check_kernel_args(c, "extraKernelArgs");
	n->uki = check_bool(c, "uki", 0);
	n->halt_if_installed = check_bool(c, "haltIfInstalled", 1);
}

/**
 * Check one node.
 *
 * @v inv       Inventory
 * @v in        Loaded node
 * @v n         Checked node output
 */
static void check_node(struct inventory *inv, const struct inv_node *in,
		       struct node *n)
{
	struct check c = { .inv = inv, .node = n, .in = in };

	n->inv = in;
	n->hostname = in->hostname;
	n->install = PXEINV_INSTALL_NO;
	if (in->file->broken) {
		n->errors++;
		return;
	}
	if (strcspn(in->filename, "\x01\x02\x03\x04\x05\x06\x07\x08\t\n"
		    "\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
		    "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f") !=
	    strlen(in->filename))
		check_error_node(&c, "the path '%s' has a control character "
				 "in a directory name, which would end up in "
				 "the iPXE scripts; rename the directory",
				 in->filename);
	check_hostname(&c);
	n->install = check_install(&c);
	check_talos(&c);
	check_network(&c);
	n->serial = check_serial(&c, "serial");
	n->board_serial = check_serial(&c, "boardSerial");
	n->uuid = check_uuid(&c);
	check_macs(&c);
	if (n->install == PXEINV_INSTALL_NO)
		return;
	if (!n->schematic && !inventory_get(in, "schematicID"))
		check_error_node(&c, "node will be installed but has no "
				 "schematicID; set it here or in a "
				 "_defaults.yaml above");
	if (!n->version && !inventory_get(in, "talosVersion"))
		check_error_node(&c, "node will be installed but has no "
				 "talosVersion; set it here or in a "
				 "_defaults.yaml above");
	if (!n->serial && !n->board_serial && !n->uuid && !n->nmacs &&
	    !inventory_get(in, "serial") && !inventory_get(in, "boardSerial") &&
	    !inventory_get(in, "uuid") && !inventory_get(in, "mac"))
		check_error_node(&c, "node will be installed but cannot be "
				 "identified; set serial, boardSerial, mac or "
				 "uuid");
}

size_t node_check_all(struct inventory *inv, struct node **nodes_out)
{
	struct node *nodes = arena_alloc(&inv->arena,
					 (inv->n + 1) * sizeof(*nodes));
	size_t i;

	for (i = 0; i < inv->n; i++) {
		check_node(inv, &inv->nodes[i], &nodes[i]);
		check_file_keys(inv, inv->nodes[i].file);
	}
	for (i = 0; i < inv->ndefaults; i++)
		check_file_keys(inv, inv->defaults[i]);
	check_duplicates(inv, nodes);
	diag_unique(&inv->diags);
	*nodes_out = nodes;
	return inv->diags.errors;
}
