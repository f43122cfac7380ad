/*
 * Unit tests: pxeinv-hook's parsing of dnsmasq dhcp-script events
 * (hook/parse.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hook/parse.h"
#include "../../state/journal.h"

/**
 * Parse an event.
 *
 * @v ev        Event
 * @v argv      NULL-terminated arguments, argv[0] included
 * @v env       NULL-terminated environment
 * @ret rc      enum hook_event_rc
 */
static int parse(struct event *ev, char **argv, char **env)
{
	char err[256];
	int argc = 0;

	while (argv[argc])
		argc++;
	return hook_event_parse(ev, argc, argv, env, 1700000000, err,
				sizeof(err));
}

/**
 * An add event with the tags of the dnsmasq patch.
 *
 * @v state     cmocka state
 */
static void test_add_with_tags(void **state)
{
	char *argv[] = { "hook", "add", "52:54:00:AA:00:01", "10.0.0.5",
			 "host1", NULL };
	char *env[] = {
		"DNSMASQ_TAGS=known " PXEINV_TAG_INSTALL "once "
		PXEINV_TAG_STAGE "ipxe " PXEINV_TAG_NODE "node-b " PXEINV_TAG
		" " PXEINV_TAG_SERIAL "SER%2DX%20Y " PXEINV_TAG_BOARD_SERIAL
		"B1",
		"DNSMASQ_VENDOR_CLASS=PXEClient:Arch:00007:UNDI:003010",
		"DNSMASQ_USER_CLASS0=iPXE", "DNSMASQ_USER_CLASS1=second",
		"DNSMASQ_LEASE_EXPIRES=1700003600",
		"DNSMASQ_CLIENT_ID=01:52:54:00:aa:00:01", NULL };
	struct event ev;

	(void)state;
	assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
	assert_int_equal(ev.action, EVENT_ADD);
	assert_string_equal(ev.mac, "52:54:00:aa:00:01");
	assert_string_equal(ev.ip, "10.0.0.5");
	assert_string_equal(ev.hostname, "host1");
	assert_true(ev.steered);
	assert_string_equal(ev.node, "node-b");
	assert_string_equal(ev.stage, "ipxe");
	assert_string_equal(ev.install, "once");
	assert_string_equal(ev.serial, "SER-X Y");
	assert_string_equal(ev.board_serial, "B1");
	assert_int_equal(ev.arch, 7);
	assert_string_equal(pxeinv_arch_name(ev.arch), "efi-x64");
	assert_string_equal(ev.user_class, "iPXE second");
	assert_int_equal(ev.expires, 1700003600);
	assert_string_equal(ev.client_id, "01:52:54:00:aa:00:01");
}

/**
 * A client the patch did not steer has no node or stage, and values the
 * patch never sets are dropped.
 *
 * @v state     cmocka state
 */
static void test_untagged_and_bad_tags(void **state)
{
	char *argv[] = { "hook", "old", "52:54:00:aa:00:01", "10.0.0.5",
			 NULL };
	char *env1[] = { "DNSMASQ_TAGS=lan " PXEINV_TAG_NODE "node-a", NULL };
	char *env2[] = { "DNSMASQ_TAGS=" PXEINV_TAG " " PXEINV_TAG_NODE
			 "../etc " PXEINV_TAG_STAGE "evil " PXEINV_TAG_INSTALL
			 "maybe " PXEINV_TAG_SERIAL "%zz", NULL };
	struct event ev;

	(void)state;
	assert_int_equal(parse(&ev, argv, env1), HOOK_EVENT_OK);
	assert_false(ev.steered);
	assert_string_equal(ev.node, "");
	assert_string_equal(ev.stage, "");
	assert_int_equal(parse(&ev, argv, env2), HOOK_EVENT_OK);
	assert_true(ev.steered);
	assert_string_equal(ev.node, "unknown");
	assert_string_equal(ev.stage, "");
	assert_string_equal(ev.install, "");
	assert_string_equal(ev.serial, "");
}

/**
 * TFTP events: the node of a node script, nothing for other files.
 *
 * @v state     cmocka state
 */
static void test_tftp(void **state)
{
	char *a1[] = { "hook", "tftp", "1234", "10.0.0.5",
		       "/srv/out/tftp/pxeinv/nodes/node-a.ipxe", NULL };
	char *a2[] = { "hook", "tftp", "99", "10.0.0.5",
		       "/srv/out/tftp/pxeinv/exit.ipxe", NULL };
	char *a3[] = { "hook", "tftp", "99", "10.0.0.5",
		       "/srv/pxeinv/nodes/x/pxeinv/nodes/Bad_Node.ipxe", NULL };
	char *a4[] = { "hook", "tftp", "-1", "10.0.0.5", "/x", NULL };
	char *a5[] = { "hook", "tftp", "1", "10.0.0.5", "relative", NULL };
	char *env[] = { NULL };
	struct event ev;

	(void)state;
	assert_int_equal(parse(&ev, a1, env), HOOK_EVENT_OK);
	assert_int_equal(ev.action, EVENT_TFTP);
	assert_int_equal(ev.size, 1234);
	assert_string_equal(ev.file_node, "node-a");
	assert_int_equal(parse(&ev, a2, env), HOOK_EVENT_OK);
	assert_string_equal(ev.file_node, "");
	assert_int_equal(parse(&ev, a3, env), HOOK_EVENT_OK);
	assert_string_equal(ev.file_node, "");
	assert_int_equal(parse(&ev, a4, env), HOOK_EVENT_BAD);
	assert_int_equal(parse(&ev, a5, env), HOOK_EVENT_BAD);
}

/**
 * Malformed arguments are refused, events we do not record ignored.
 *
 * @v state     cmocka state
 */
static void test_bad_and_ignored(void **state)
{
	char *bad_mac[] = { "hook", "add", "52:54:00:aa:00", "10.0.0.5",
			    NULL };
	char *bad_mac2[] = { "hook", "add", "52:54:00:aa:00:0g", "10.0.0.5",
			     NULL };
	char *bad_ip[] = { "hook", "add", "52:54:00:aa:00:01", "10.0.0.256",
			   NULL };
	char *extra[] = { "hook", "add", "52:54:00:aa:00:01", "10.0.0.5",
			  "h", "x", NULL };
	char *init_args[] = { "hook", "init", "x", NULL };
	char *unknown[] = { "hook", "frob", NULL };
	char *arp[] = { "hook", "arp-add", "52:54:00:aa:00:01", "10.0.0.5",
			NULL };
	char *htype[] = { "hook", "add", "06-52:54:00:aa:00:01", "10.0.0.5",
			  NULL };
	char *env[] = { NULL };
	struct event ev;

	(void)state;
	assert_int_equal(parse(&ev, bad_mac2, env), HOOK_EVENT_BAD);
	assert_int_equal(parse(&ev, bad_ip, env), HOOK_EVENT_BAD);
	assert_int_equal(parse(&ev, extra, env), HOOK_EVENT_BAD);
	assert_int_equal(parse(&ev, init_args, env), HOOK_EVENT_BAD);
	assert_int_equal(parse(&ev, unknown, env), HOOK_EVENT_BAD);
	assert_int_equal(parse(&ev, arp, env), HOOK_EVENT_IGNORE);
	assert_int_equal(parse(&ev, htype, env), HOOK_EVENT_OK);
	assert_string_equal(ev.mac, "06-52:54:00:aa:00:01");
	/* five bytes is a valid (non-Ethernet) hardware address */
	assert_int_equal(parse(&ev, bad_mac, env), HOOK_EVENT_OK);
}

/**
 * Free text keeps printable ASCII only.
 *
 * @v state     cmocka state
 */
static void test_free_text(void **state)
{
	char *argv[] = { "hook", "add", "52:54:00:aa:00:01", "10.0.0.5",
			 NULL };
	char *env[] = { "DNSMASQ_VENDOR_CLASS=a\"b\\c\x01\xff", NULL };
	struct event ev;

	(void)state;
	assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
	assert_string_equal(ev.vendor_class, "a\"b\\c??");
	assert_int_equal(ev.arch, -1);
}

/**
 * A hardware address needs two bytes at least: "01-" (a type and no
 * address, as dnsmasq prints a client without one) or a single byte
 * names no machine, and must not reach a lease line or a stub.
 *
 * @v state     cmocka state
 */
static void test_mac_too_short(void **state)
{
	static const char *const bad[] = { "01-", "01-aa", "aa", "06-" };
	char *env[] = { NULL };
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "hook", "add", (char *)bad[i], "10.0.0.5",
				 NULL };

		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_BAD);
	}
	{
		char *two[] = { "hook", "add", "01-aa:bb", "10.0.0.5", NULL };

		assert_int_equal(parse(&ev, two, env), HOOK_EVENT_OK);
		assert_string_equal(ev.mac, "01-aa:bb");
	}
}

/**
 * A DHCPv6 lease event, as dnsmasq 2.90's helper.c runs the script: the
 * client DUID in argv[2], the IPv6 address in argv[3], DNSMASQ_IAID,
 * DNSMASQ_MAC when dnsmasq learnt it, the vendor class's items in
 * DNSMASQ_VENDOR_CLASS0.. (its enterprise in DNSMASQ_VENDOR_CLASS_ID), and
 * the patch's tags.
 *
 * @v state     cmocka state
 */
static void test_dhcpv6_lease(void **state)
{
	char *argv[] = { "hook", "add", "00:03:00:01:52:54:00:AA:00:01",
			 "FD00:0:0::0005", "host6", NULL };
	char *env[] = {
		"DNSMASQ_TAGS=" PXEINV_TAG_STAGE "firmware " PXEINV_TAG_NODE
		"node-a " PXEINV_TAG " " PXEINV_TAG_INSTALL "yes "
		PXEINV_TAG_ARCH "7",
		"DNSMASQ_IAID=1", "DNSMASQ_MAC=52:54:00:aa:00:99",
		"DNSMASQ_SERVER_DUID=00:01:00:01:2c:d0:00:00:52:54:00:00:00:01",
		"DNSMASQ_VENDOR_CLASS_ID=343",
		/* the items, as dnsmasq 2.93 and the patched 2.90 hand them;
		 * DNSMASQ_VENDOR_CLASS is DHCPv4's, never read for DHCPv6 */
		"DNSMASQ_VENDOR_CLASS0=PXEClient:Arch:00009:UNDI:003016",
		"DNSMASQ_VENDOR_CLASS=PXEClient:Arch:00000:UNDI:002001",
		"DNSMASQ_USER_CLASS0=iPXE", "DNSMASQ_INTERFACE=eth0",
		"DNSMASQ_LEASE_EXPIRES=1700003600", NULL };
	struct event ev;

	(void)state;
	assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
	assert_int_equal(ev.action, EVENT_ADD);
	assert_true(ev.ipv6);
	assert_string_equal(ev.ip, "fd00::5");
	assert_string_equal(ev.duid, "00:03:00:01:52:54:00:aa:00:01");
	assert_string_equal(ev.iaid, "1");
	/* dnsmasq's MAC wins over the DUID's */
	assert_string_equal(ev.mac, "52:54:00:aa:00:99");
	assert_string_equal(ev.hostname, "host6");
	assert_string_equal(ev.node, "node-a");
	assert_string_equal(ev.stage, "firmware");
	assert_string_equal(ev.install, "yes");
	/* the vendor class's item, but the arch from the patch's tag */
	assert_string_equal(ev.vendor_class, "PXEClient:Arch:00009:UNDI:003016");
	assert_int_equal(ev.arch, 7);
	assert_string_equal(ev.user_class, "iPXE");
	assert_string_equal(ev.interface, "eth0");
	assert_int_equal(ev.expires, 1700003600);
	assert_string_equal(ev.client_id, "");
}

/**
 * A DHCPv6 event's architecture is the pxeinv-arch: tag's, never the
 * vendor class's; a malformed tag is none.
 *
 * @v state     cmocka state
 */
static void test_dhcpv6_arch_tag(void **state)
{
	static const char *const tags[] = {
		"DNSMASQ_TAGS=" PXEINV_TAG " " PXEINV_TAG_ARCH "16",
		"DNSMASQ_TAGS=" PXEINV_TAG,
		"DNSMASQ_TAGS=" PXEINV_TAG " " PXEINV_TAG_ARCH "7x",
		"DNSMASQ_TAGS=" PXEINV_TAG " " PXEINV_TAG_ARCH "65536",
		"DNSMASQ_TAGS=" PXEINV_TAG " " PXEINV_TAG_ARCH "1234567",
		"DNSMASQ_TAGS=" PXEINV_TAG " " PXEINV_TAG_ARCH,
	};
	static const int want[] = { 16, -1, -1, -1, -1, -1 };
	char *argv[] = { "hook", "old", "00:03:00:01:52:54:00:aa:00:01",
			 "fd00::5", NULL };
	char *env[3] = { NULL,
		"DNSMASQ_VENDOR_CLASS0=PXEClient:Arch:00007:UNDI:003016", NULL };
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		env[0] = (char *)tags[i];
		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
		assert_int_equal(ev.arch, want[i]);
		assert_string_equal(ev.vendor_class,
				    "PXEClient:Arch:00007:UNDI:003016");
	}
}

/**
 * A DHCPv6 client's MAC: dnsmasq's when well-formed, else the one a
 * DUID-LLT or DUID-LL of Ethernet carries, else none.
 *
 * @v state     cmocka state
 */
static void test_dhcpv6_mac(void **state)
{
	static const struct {
		const char *duid, *env_mac, *mac;
	} cases[] = {
		/* DUID-LLT: type 1, hardware 1, a time, the MAC */
		{ "00:01:00:01:2c:d0:11:22:52:54:00:aa:00:02", NULL,
		  "52:54:00:aa:00:02" },
		{ "00:03:00:01:52:54:00:aa:00:03", NULL, "52:54:00:aa:00:03" },
		/* a malformed DNSMASQ_MAC is not taken */
		{ "00:03:00:01:52:54:00:aa:00:04", "52:54:00:zz:00:01",
		  "52:54:00:aa:00:04" },
		{ "00:03:00:01:52:54:00:aa:00:05", "01-", "52:54:00:aa:00:05" },
		/* DUID-UUID, DUID-EN: no MAC; DUID-LL of another hardware
		 * type (6, IEEE 802), or cut short: none */
		{ "00:04:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00",
		  NULL, "" },
		{ "00:02:00:00:01:57:01:02", NULL, "" },
		{ "00:03:00:06:52:54:00:aa:00:06", NULL, "" },
		{ "00:03:00:01:52:54:00:aa:00", NULL, "" },
		{ "00:04:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00",
		  "06-52:54:00:aa:00:07", "06-52:54:00:aa:00:07" },
	};
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "hook", "old", (char *)cases[i].duid,
				 "fd00::6", NULL };
		char mac[80];
		char *env[] = { mac, "DNSMASQ_IAID=7", NULL };

		snprintf(mac, sizeof(mac), "DNSMASQ_MAC=%s",
			 cases[i].env_mac ? cases[i].env_mac : "");
		if (!cases[i].env_mac)
			env[0] = "DNSMASQ_IAID=7";
		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
		assert_string_equal(ev.mac, cases[i].mac);
	}
}

/**
 * A DUID is hex pairs joined by ':', 130 bytes at most; dnsmasq cuts one
 * longer than 100 bytes after its 100th byte and a ':', which is dropped.
 * Anything else is refused: the event is not recorded.
 *
 * @v state     cmocka state
 */
static void test_dhcpv6_bad_duid(void **state)
{
	static const char *const bad[] = { "", "0", "00:1", "00::01", "zz",
					   "00:01:", "00:01:02-03", "00 01",
					   ":00:01", "000:01" };
	char *env[] = { "DNSMASQ_IAID=1", NULL };
	char duid[400], err[256];
	struct event ev;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "hook", "add", (char *)bad[i], "fd00::5",
				 NULL };

		assert_int_equal(hook_event_parse(&ev, 4, argv, env, 1, err,
						  sizeof(err)),
				 HOOK_EVENT_BAD);
		assert_string_equal(err, "add: bad DUID");
	}
	/* 100 bytes and a ':', as dnsmasq cuts a longer one */
	for (n = 0, i = 0; i < 100; i++)
		n += sprintf(duid + n, "%s%02X", i ? ":" : "", (unsigned)i);
	strcpy(duid + n, ":");
	{
		char *argv[] = { "hook", "add", duid, "fd00::5", NULL };

		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
		assert_int_equal(strlen(ev.duid), 100 * 3 - 1);
		assert_memory_equal(ev.duid, "00:01:02", 8);
		assert_string_equal(ev.duid + strlen(ev.duid) - 2, "63");
		/* not cut at 99 bytes: malformed */
		duid[99 * 3 - 1] = ':';
		duid[99 * 3] = '\0';
		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_BAD);
	}
	/* 130 bytes is the longest; 131 is refused */
	for (n = 0, i = 0; i < 131; i++)
		n += sprintf(duid + n, "%s%02x", i ? ":" : "", (unsigned)i);
	{
		char *argv[] = { "hook", "add", duid, "fd00::5", NULL };

		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_BAD);
		duid[130 * 3 - 1] = '\0';
		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
		assert_int_equal(strlen(ev.duid), 130 * 3 - 1);
	}
}

/**
 * DNSMASQ_IAID: "T" for a temporary address, then a 32-bit decimal
 * number; anything else is dropped (the event is still recorded).
 *
 * @v state     cmocka state
 */
static void test_dhcpv6_iaid(void **state)
{
	static const struct {
		const char *env, *iaid;
	} cases[] = {
		{ "DNSMASQ_IAID=0", "0" },
		{ "DNSMASQ_IAID=T5", "T5" },
		{ "DNSMASQ_IAID=4294967295", "4294967295" },
		{ "DNSMASQ_IAID=4294967296", "" },
		{ "DNSMASQ_IAID=99999999999", "" },
		{ "DNSMASQ_IAID=007", "" },
		{ "DNSMASQ_IAID=T", "" },
		{ "DNSMASQ_IAID=-1", "" },
		{ "DNSMASQ_IAID=", "" },
		{ "DNSMASQ_OTHER=1", "" },
	};
	char *argv[] = { "hook", "del", "00:03:00:01:52:54:00:aa:00:01",
			 "fd00::5", NULL };
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *env[] = { (char *)cases[i].env, NULL };

		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
		assert_string_equal(ev.iaid, cases[i].iaid);
	}
}

/**
 * A TFTP transfer over IPv6: the peer in inet_ntop's form; a scoped or
 * malformed one is refused.
 *
 * @v state     cmocka state
 */
static void test_dhcpv6_tftp(void **state)
{
	char *ok[] = { "hook", "tftp", "1234", "FD00:0::0:5",
		       "/srv/out/tftp/pxeinv/nodes/node-a.ipxe", NULL };
	char *scoped[] = { "hook", "tftp", "1", "fe80::1%eth0", "/x", NULL };
	char *bad[] = { "hook", "tftp", "1", "fd00:::5", "/x", NULL };
	char *env[] = { NULL };
	struct event ev;

	(void)state;
	assert_int_equal(parse(&ev, ok, env), HOOK_EVENT_OK);
	assert_true(ev.ipv6);
	assert_string_equal(ev.ip, "fd00::5");
	assert_string_equal(ev.file_node, "node-a");
	assert_string_equal(ev.duid, "");
	assert_int_equal(parse(&ev, scoped, env), HOOK_EVENT_BAD);
	assert_int_equal(parse(&ev, bad, env), HOOK_EVENT_BAD);
	/* a lease event's IPv6 address is checked the same way */
	{
		char *lease[] = { "hook", "add", "00:03:00:01:52:54:00:aa:00:01",
				  "fe80::1%eth0", NULL };
		char err[256];

		assert_int_equal(hook_event_parse(&ev, 4, lease, env, 1, err,
						  sizeof(err)),
				 HOOK_EVENT_BAD);
		/* not an IPv6 address: read as IPv4, whose address is bad */
		assert_string_equal(err, "add: bad IP address");
	}
}

/**
 * Journal lines: an IPv4 event's line is what it always was; an IPv6
 * one adds the family, the DUID and the IAID, and reads back; a line of
 * an older journal reads as IPv4.
 *
 * @v state     cmocka state
 */
static void test_dhcpv6_journal(void **state)
{
	char *v4[] = { "hook", "add", "52:54:00:aa:00:01", "10.0.0.5", NULL };
	char *v6[] = { "hook", "add", "00:03:00:01:52:54:00:aa:00:01",
		       "fd00::5", NULL };
	char *t6[] = { "hook", "tftp", "7", "fd00::5",
		       "/srv/tftp/pxeinv/exit.ipxe", NULL };
	char *env[] = { "DNSMASQ_IAID=T9",
			"DNSMASQ_TAGS=" PXEINV_TAG " " PXEINV_TAG_NODE "node-a "
			PXEINV_TAG_STAGE "ipxe", NULL };
	static const char old[] = "{\"ts\":1700000000,\"event\":\"add\","
				  "\"ip\":\"10.0.0.5\",\"peer\":null}";
	char line[JOURNAL_LINE_MAX];
	struct journal_rec rec;
	struct event ev;
	size_t len;

	(void)state;
	assert_int_equal(parse(&ev, v4, env), HOOK_EVENT_OK);
	len = journal_format(&ev, line);
	line[len] = '\0';
	assert_string_equal(line, "{\"ts\":1700000000,\"time\":"
			    "\"2023-11-14T22:13:20Z\",\"event\":\"add\","
			    "\"stage\":\"ipxe\",\"node\":\"node-a\","
			    "\"install\":null,\"mac\":\"52:54:00:aa:00:01\","
			    "\"ip\":\"10.0.0.5\",\"arch\":null,"
			    "\"vendor_class\":null,\"user_class\":null,"
			    "\"serial\":null,\"board_serial\":null,"
			    "\"hostname\":null,\"file\":null}\n");
	assert_int_equal(parse(&ev, v6, env), HOOK_EVENT_OK);
	len = journal_format(&ev, line);
	line[len] = '\0';
	assert_non_null(strstr(line, ",\"mac\":\"52:54:00:aa:00:01\","
			       "\"ip\":\"fd00::5\","));
	assert_non_null(strstr(line, ",\"file\":null,\"family\":\"ipv6\","
			       "\"duid\":\"00:03:00:01:52:54:00:aa:00:01\","
			       "\"iaid\":\"T9\"}\n"));
	assert_int_equal(journal_parse(line, len - 1, &rec), 0);
	assert_string_equal(rec.family, "ipv6");
	assert_string_equal(rec.duid, "00:03:00:01:52:54:00:aa:00:01");
	assert_string_equal(rec.iaid, "T9");
	assert_string_equal(rec.node, "node-a");
	assert_string_equal(rec.ip, "fd00::5");
	assert_int_equal(parse(&ev, t6, env), HOOK_EVENT_OK);
	len = journal_format(&ev, line);
	line[len] = '\0';
	assert_non_null(strstr(line, ",\"size\":7,\"family\":\"ipv6\"}\n"));
	assert_null(strstr(line, "duid"));
	assert_int_equal(journal_parse(old, sizeof(old) - 1, &rec), 0);
	assert_string_equal(rec.family, "");
	assert_string_equal(rec.duid, "");
}

/**
 * A TFTP size the hook accepts is one the journal reads back, up to the
 * hook's limit of 18 digits.
 *
 * @v state     cmocka state
 */
static void test_tftp_size_round_trip(void **state)
{
	static char *const sizes[] = { "10000000000000000",
				       "999999999999999999" };
	char *env[] = { NULL };
	char line[JOURNAL_LINE_MAX];
	struct journal_rec rec;
	struct event ev;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *argv[] = { "hook", "tftp", sizes[i], "10.0.0.5",
				 "/srv/tftp/pxeinv/exit.ipxe", NULL };

		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
		assert_int_equal(ev.size, strtoll(sizes[i], NULL, 10));
		len = journal_format(&ev, line);
		assert_int_equal(journal_parse(line, len - 1, &rec), 0);
		assert_string_equal(rec.event, "tftp");
	}
	{
		char *argv[] = { "hook", "tftp", "1000000000000000000",
				 "10.0.0.5", "/srv/tftp/x", NULL };

		assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_BAD);
	}
	/* a number longer than the journal keeps is refused, not cut */
	{
		static const char big[] = "{\"ts\":1,\"event\":\"tftp\","
					  "\"size\":1000000000000000000}";

		assert_int_equal(journal_parse(big, sizeof(big) - 1, &rec),
				 -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_with_tags),
		cmocka_unit_test(test_untagged_and_bad_tags),
		cmocka_unit_test(test_tftp),
		cmocka_unit_test(test_bad_and_ignored),
		cmocka_unit_test(test_free_text),
		cmocka_unit_test(test_mac_too_short),
		cmocka_unit_test(test_tftp_size_round_trip),
		cmocka_unit_test(test_dhcpv6_lease),
		cmocka_unit_test(test_dhcpv6_arch_tag),
		cmocka_unit_test(test_dhcpv6_mac),
		cmocka_unit_test(test_dhcpv6_bad_duid),
		cmocka_unit_test(test_dhcpv6_iaid),
		cmocka_unit_test(test_dhcpv6_tftp),
		cmocka_unit_test(test_dhcpv6_journal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
