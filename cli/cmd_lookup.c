/*
 * `pxeinv lookup OUT_DIR --mac M ...`: what a client would be handed,
 * decided by the same code as the dnsmasq patch (cache/pxeinv_steer.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cache/pxeinv_steer.h"
#include "../inventory/json_out.h"
#include "cli.h"

/**
 * Print this command's help.
 */
static void lookup_help(void)
{
	printf("Usage: pxeinv lookup OUT_DIR IDENTITY... [--arch N] [--ipxe] "
	       "[--v6 [--server ADDR]] [--json]\n\n"
	       "Print what a DHCP client with this identity is handed by "
	       "dnsmasq with\nOUT_DIR/pxe-inventory.cdb, and which key "
	       "matched. It runs the same code\nas the dnsmasq patch.\n\n"
	       "Identity (at least one):\n"
	       "  --mac MAC            hardware address (chaddr)\n"
	       "  --uuid UUID          SMBIOS UUID, as dmidecode prints it "
	       "(sent in option 97)\n"
	       "  --serial S           chassis serial (as our iPXE build "
	       "reports it)\n"
	       "  --board-serial B     board serial (as our iPXE build "
	       "reports it)\n"
	       "  --duid HEX           DHCPv6 client DUID (option 1), hex "
	       "bytes as dnsmasq\n"
	       "                       logs it (00:03:00:01:52:54:00:aa:00:01 "
	       "is a DUID-LL); --v6\n\n"
	       "Client:\n"
	       "  --arch N             firmware PXE client of architecture "
	       "N (option 93:\n"
	       "                       0 BIOS, 7/9 x86-64 UEFI, 11 arm64, 16 "
	       "and 19 HTTP boot)\n"
	       "  --ipxe               an iPXE client (option 175); the "
	       "default without --arch\n"
	       "      --v6             a DHCPv6 client: the request is built as "
	       "a SOLICIT (option\n"
	       "                       61 arch, 16 vendor class, 15 user class, "
	       "1 DUID) and read\n"
	       "                       by the same code as dnsmasq's; --mac is "
	       "then the address\n"
	       "                       dnsmasq learns (neighbour table, relay "
	       "option 79), --uuid\n"
	       "                       a DUID-UUID unless --duid is given, and "
	       "the file is\n"
	       "                       printed as the option 59 URL\n"
	       "      --server ADDR    our IPv6 address in that URL (default: "
	       "SERVER)\n"
	       "      --state-dir DIR  the hook's state directory: a node with "
	       "install: once\n"
	       "                       that was installed gets the exit script, "
	       "as in dnsmasq\n"
	       "      --json           print JSON\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 answered (also for an unknown client), 1 "
	       "invalid value,\n2 usage, 3 the cache cannot be read or is "
	       "corrupt.\n");
}

/**
 * Parse a UUID into option 97 form: type 0, then SMBIOS byte order.
 *
 * @v s         Text 8-4-4-4-12
 * @v opt       17 bytes
 * @v text      16 bytes: the UUID in text (RFC 4122) order
 * @ret ok      1 when valid
 */
static int lookup_parse_uuid(const char *s, unsigned char *opt,
			     unsigned char *text)
{
	static const unsigned char smbios_order[16] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned char b[16];
	int i, k = 0;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		char hex[3] = { 0 };

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]) ||
		    !isxdigit((unsigned char)s[i + 1]))
			return 0;
		hex[0] = s[i];
		hex[1] = s[++i];
		b[k++] = strtoul(hex, NULL, 16);
	}
	opt[0] = 0;
	for (i = 0; i < 16; i++)
		opt[1 + i] = b[smbios_order[i]];
	memcpy(text, b, 16);
	return 1;
}

/**
 * Append a percent-encoded value, as iPXE's :uristring does.
 *
 * @v out       Buffer
 * @v size      Size of out
 * @v s         Value
 */
static void lookup_append_encoded(char *out, size_t size, const char *s)
{
	size_t n = strlen(out);

	for (; *s && n + 4 < size; s++) {
		unsigned char ch = *s;

		if (isalnum(ch) || strchr("-._~", ch))
			out[n++] = ch;
		else
			n += snprintf(out + n, size - n, "%%%02X", ch);
	}
	out[n] = '\0';
}

/**
 * Print one JSON string field, or null.
 *
 * @v name      Field name
 * @v value     Value, or NULL
 * @v last      Last field
 */
static void lookup_json_field(const char *name, const char *value, int last)
{
	printf("\"%s\": ", name);
	if (value)
		json_write_string(stdout, value, strlen(value));
	else
		fputs("null", stdout);
	fputs(last ? "}\n" : ", ", stdout);
}

/** What the options say about the client to simulate */
struct lookup_args {
	struct pxeinv_request req;
	unsigned char mac[6];
	unsigned char uuid[17];
	unsigned char uuid_text[16];    /**< --uuid, text order (DUID-UUID) */
	const char *serial;
	const char *board;
	unsigned char duid[PXEINV_DUID_MAX];
	size_t duid_len;        /**< --duid given when not 0 */
	int have_id;            /**< an identity was given */
};

/**
 * Read --mac.
 *
 * @v value     Option value
 * @v ctx       struct lookup_args
 * @ret code    CLI_CONTINUE, or EXIT_INVALID when it is not a MAC
 */
static int lookup_opt_mac(const char *value, void *ctx)
{
	struct lookup_args *a = ctx;

	if (pxeinv_mac_parse(value, a->mac) != 0) {
		fprintf(stderr, "pxeinv lookup: '%s' is not a MAC address "
			"(aa:bb:cc:dd:ee:ff)\n", value);
		return EXIT_INVALID;
	}
	a->req.mac = a->mac;
	a->req.mac_len = sizeof(a->mac);
	a->have_id = 1;
	return CLI_CONTINUE;
}

/**
 * Read --uuid.
 *
 * @v value     Option value
 * @v ctx       struct lookup_args
 * @ret code    CLI_CONTINUE, or EXIT_INVALID when it is not a UUID
 */
static int lookup_opt_uuid(const char *value, void *ctx)
{
	struct lookup_args *a = ctx;

	if (!lookup_parse_uuid(value, a->uuid, a->uuid_text)) {
		fprintf(stderr, "pxeinv lookup: '%s' is not a UUID "
			"(8-4-4-4-12 hex digits)\n", value);
		return EXIT_INVALID;
	}
	a->req.uuid = a->uuid;
	a->req.uuid_len = sizeof(a->uuid);
	a->have_id = 1;
	return CLI_CONTINUE;
}

/**
 * Read --duid: hex bytes, with or without ':' between them.
 *
 * @v value     Option value
 * @v ctx       struct lookup_args
 * @ret code    CLI_CONTINUE, or EXIT_INVALID when it is not one
 */
static int lookup_opt_duid(const char *value, void *ctx)
{
	struct lookup_args *a = ctx;
	const char *p = value;
	int hi, lo;

	a->duid_len = 0;
	while (*p) {
		if ((hi = pxeinv_hex_value(p[0])) < 0 ||
		    (lo = pxeinv_hex_value(p[1])) < 0 ||
		    a->duid_len >= sizeof(a->duid))
			break;
		a->duid[a->duid_len++] = hi << 4 | lo;
		p += 2;
		if (*p == ':' && p[1])
			p++;
	}
	if (*p || a->duid_len < 2) {
		fprintf(stderr, "pxeinv lookup: '%s' is not a DUID (2 to %d "
			"hex bytes, e.g. 00:03:00:01:52:54:00:aa:00:01)\n",
			value, PXEINV_DUID_MAX);
		a->duid_len = 0;
		return EXIT_INVALID;
	}
	a->have_id = 1;
	return CLI_CONTINUE;
}

/**
 * Append one DHCPv6 option to a message being built.
 *
 * @v msg       Message
 * @v len       Its length, updated
 * @v code      Option code
 * @v data      Payload
 * @v data_len  Its length (small: the buffer is sized for lookup's
 *              options)
 */
static void lookup_put6(unsigned char *msg, size_t *len, unsigned int code,
			const void *data, size_t data_len)
{
	msg[(*len)++] = code >> 8;
	msg[(*len)++] = code & 0xff;
	msg[(*len)++] = data_len >> 8;
	msg[(*len)++] = data_len & 0xff;
	memcpy(msg + *len, data, data_len);
	*len += data_len;
}

/**
 * Build the DHCPv6 SOLICIT the options describe, as UEFI firmware and
 * iPXE send it, and read it back as dnsmasq does.
 *
 * @v a         Options (a->req is replaced)
 * @v ipxe      An iPXE client
 * @v user_class  Identity report, or ""
 * @v msg       Buffer for the message, 1024 bytes
 */
static void lookup_build6(struct lookup_args *a, int ipxe,
			  const char *user_class, unsigned char *msg)
{
	const struct pxeinv_arch *arch = pxeinv_arch_find(a->req.arch);
	const unsigned char *mac = a->req.mac;
	const char *state_dir = a->req.state_dir;
	unsigned char item[2 + 600];
	char vendor[64];
	size_t len = 4, n;

	msg[0] = 1;             /* SOLICIT, transaction id 0x123456 */
	msg[1] = 0x12;
	msg[2] = 0x34;
	msg[3] = 0x56;
	if (a->duid_len) {
		lookup_put6(msg, &len, 1, a->duid, a->duid_len);
	} else if (a->req.uuid) {
		/* DUID-UUID, RFC 6355: text order */
		item[0] = 0;
		item[1] = 4;
		memcpy(item + 2, a->uuid_text, 16);
		lookup_put6(msg, &len, 1, item, 18);
	}
	if (a->req.arch >= 0) {
		item[0] = a->req.arch >> 8;
		item[1] = a->req.arch & 0xff;
		lookup_put6(msg, &len, 61, item, 2);
		n = snprintf(vendor, sizeof(vendor), arch && arch->http ?
			     "HTTPClient:Arch:%05d" :
			     "PXEClient:Arch:%05d:UNDI:003016", a->req.arch);
		memcpy(item, "\0\0\1\x57", 4);     /* enterprise 343 */
		item[4] = 0;
		item[5] = n;
		memcpy(item + 6, vendor, n);
		lookup_put6(msg, &len, 16, item, 6 + n);
	}
	if (ipxe) {
		const char *uc = user_class[0] ? user_class : "iPXE";

		n = strlen(uc);
		item[0] = n >> 8;
		item[1] = n & 0xff;
		memcpy(item + 2, uc, n);
		lookup_put6(msg, &len, 15, item, 2 + n);
	}
	pxeinv_request_scan6(&a->req, msg, len);
	a->req.mac = mac;
	a->req.mac_len = mac ? 6 : 0;
	a->req.state_dir = state_dir;
}

/**
 * Read --serial.
 *
 * @v value     Option value
 * @v ctx       struct lookup_args
 * @ret code    CLI_CONTINUE
 */
static int lookup_opt_serial(const char *value, void *ctx)
{
	struct lookup_args *a = ctx;

	a->serial = value;
	a->have_id = 1;
	return CLI_CONTINUE;
}

/**
 * Read --board-serial.
 *
 * @v value     Option value
 * @v ctx       struct lookup_args
 * @ret code    CLI_CONTINUE
 */
static int lookup_opt_board(const char *value, void *ctx)
{
	struct lookup_args *a = ctx;

	a->board = value;
	a->have_id = 1;
	return CLI_CONTINUE;
}

/**
 * Read --arch.
 *
 * @v value     Option value
 * @v arch      Architecture number, set
 * @ret code    CLI_CONTINUE or EXIT_USAGE
 */
static int lookup_opt_arch(const char *value, void *arch)
{
	char *end;
	long n = strtol(value, &end, 10);

	if (*end || end == value || n < 0 || n > 65535)
		return cli_usage_error("lookup", "--arch takes a number "
				       "0-65535");
	*(int *)arch = (int)n;
	return CLI_CONTINUE;
}

int cmd_lookup(int argc, char **argv)
{
	struct lookup_args a = { .req = { .arch = -1 } };
	struct pxeinv_answer ans;
	struct pxeinv_cache *cache;
	char user_class[600] = "", path[PATH_MAX], err[PATH_MAX + 128];
	char url[PXEINV_FILE_MAX + 64];
	unsigned char msg6[1024];
	const char *server = NULL;
	struct in6_addr server6;
	int code, json = 0, ipxe = 0, v6 = 0, rc;
	const struct cli_opt opts[] = {
		{ "mac", 0, CLI_OPT_CALL, &a, lookup_opt_mac },
		{ "uuid", 0, CLI_OPT_CALL, &a, lookup_opt_uuid },
		{ "serial", 0, CLI_OPT_CALL, &a, lookup_opt_serial },
		{ "board-serial", 0, CLI_OPT_CALL, &a, lookup_opt_board },
		{ "duid", 0, CLI_OPT_CALL, &a, lookup_opt_duid },
		{ "v6", 0, CLI_OPT_FLAG, &v6, NULL },
		{ "server", 0, CLI_OPT_TEXT, &server, NULL },
		{ "arch", 0, CLI_OPT_CALL, &a.req.arch, lookup_opt_arch },
		{ "ipxe", 0, CLI_OPT_FLAG, &ipxe, NULL },
		{ "json", 0, CLI_OPT_FLAG, &json, NULL },
		{ "state-dir", 0, CLI_OPT_TEXT, &a.req.state_dir, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "lookup", lookup_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind != 1)
		return cli_usage_error("lookup", "expected one OUT_DIR");
	if (!a.have_id)
		return cli_usage_error("lookup", "give at least one of --mac, "
				       "--uuid, --serial, --board-serial, "
				       "--duid");
	if (!v6 && (a.duid_len || server))
		return cli_usage_error("lookup", "--duid and --server describe "
				       "a DHCPv6 client: add --v6");
	if (server && inet_pton(AF_INET6, server, &server6) != 1)
		return cli_usage_error("lookup", "--server takes an IPv6 "
				       "address, without brackets");
	if (a.serial || a.board) {
		strcpy(user_class, "pxeinv/1 s=");
		lookup_append_encoded(user_class, sizeof(user_class),
				      a.serial ? a.serial : "");
		strcat(user_class, " b=");
		lookup_append_encoded(user_class, sizeof(user_class),
				      a.board ? a.board : "");
		a.req.user_class = (const unsigned char *)user_class;
		a.req.user_class_len = strlen(user_class);
	}
	a.req.is_ipxe = ipxe || a.req.arch < 0;
	if (!a.req.is_ipxe) {
		/* A firmware client: its identity report is not there yet */
		a.req.user_class = NULL;
		a.req.user_class_len = 0;
	}

	if (v6)
		lookup_build6(&a, a.req.is_ipxe, user_class, msg6);
	snprintf(path, sizeof(path), "%s/pxe-inventory.cdb", argv[optind]);
	rc = pxeinv_cache_open(path, &cache, err, sizeof(err));
	if (rc != PXEINV_OK) {
		fprintf(stderr, "pxeinv lookup: %s\n", err);
		return EXIT_IO;
	}
	rc = pxeinv_steer(cache, &a.req, &ans);
	pxeinv_cache_close(cache);
	if (rc < 0) {
		fprintf(stderr, "pxeinv lookup: %s: a record is malformed; "
			"recompile the inventory\n", path);
		return EXIT_IO;
	}
	if (rc == PXEINV_UNTOUCHED) {
		if (json)
			printf("{\"steered\": false}\n");
		else
			printf("not steered: not a PXE client of a known "
			       "architecture, or no iPXE binary for it\n");
		return EXIT_OK;
	}
	/* DHCPv6: the file as option 59 carries it */
	snprintf(url, sizeof(url), "%s", ans.file);
	if (v6 && pxeinv_answer_url6(url, sizeof(url), server ? server :
				     "SERVER", ans.file) < 0)
		url[0] = '\0';
	if (json) {
		printf("{\"steered\": true, ");
		lookup_json_field("stage", pxeinv_stage_name(ans.stage), 0);
		lookup_json_field("node", ans.node[0] ? ans.node : NULL, 0);
		lookup_json_field("matched", ans.matched[0] ? ans.matched :
				  NULL, 0);
		lookup_json_field("install", pxeinv_install_name(ans.install),
				  0);
		printf("\"http\": %s, ", ans.http ? "true" : "false");
		lookup_json_field("file", url, 1);
	} else {
		printf("stage:   %s\nnode:    %s\nmatched: %s\ninstall: %s\n"
		       "file:    %s%s\n", pxeinv_stage_name(ans.stage),
		       ans.node[0] ? ans.node : PXEINV_NODE_UNKNOWN,
		       ans.matched[0] ? ans.matched : "-",
		       pxeinv_install_name(ans.install), url,
		       ans.http ? " (HTTP boot URL)" : "");
	}
	return EXIT_OK;
}
