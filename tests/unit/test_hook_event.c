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
	char *v6[] = { "hook", "add", "00:01:00:01", "fd00::5", NULL };
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
	assert_int_equal(parse(&ev, v6, env), HOOK_EVENT_IGNORE);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
