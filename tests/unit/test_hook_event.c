/*
 * Unit tests: pxeinv-hook's parsing of dnsmasq dhcp-script events
 * (hook/event.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../hook/event.h"

/**
 * Parse an event.
 *
 * @v ev        Event
 * @v argv      NULL-terminated arguments, argv[0] included
 * @v env       NULL-terminated environment
 * @ret rc      enum hook_event_rc
 */
static int parse(struct hook_event *ev, char **argv, char **env)
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
		"DNSMASQ_TAGS=known pxeinv-install:once pxeinv-stage:ipxe "
		"pxeinv-node:node-b pxeinv pxeinv-serial:SER%2DX%20Y "
		"pxeinv-board-serial:B1",
		"DNSMASQ_VENDOR_CLASS=PXEClient:Arch:00007:UNDI:003010",
		"DNSMASQ_USER_CLASS0=iPXE", "DNSMASQ_USER_CLASS1=second",
		"DNSMASQ_LEASE_EXPIRES=1700003600",
		"DNSMASQ_CLIENT_ID=01:52:54:00:aa:00:01", NULL };
	struct hook_event ev;

	(void)state;
	assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
	assert_int_equal(ev.action, HOOK_ADD);
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
	assert_string_equal(hook_arch_name(ev.arch), "efi-x64");
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
	char *env1[] = { "DNSMASQ_TAGS=lan pxeinv-node:node-a", NULL };
	char *env2[] = { "DNSMASQ_TAGS=pxeinv pxeinv-node:../etc "
			 "pxeinv-stage:evil pxeinv-install:maybe "
			 "pxeinv-serial:%zz", NULL };
	struct hook_event ev;

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
	struct hook_event ev;

	(void)state;
	assert_int_equal(parse(&ev, a1, env), HOOK_EVENT_OK);
	assert_int_equal(ev.action, HOOK_TFTP);
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
	struct hook_event ev;

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
	struct hook_event ev;

	(void)state;
	assert_int_equal(parse(&ev, argv, env), HOOK_EVENT_OK);
	assert_string_equal(ev.vendor_class, "a\"b\\c??");
	assert_int_equal(ev.arch, -1);
}

/**
 * Node names are hostname labels.
 *
 * @v state     cmocka state
 */
static void test_valid_node(void **state)
{
	(void)state;
	assert_true(hook_valid_node("node-01"));
	assert_false(hook_valid_node(""));
	assert_false(hook_valid_node("-a"));
	assert_false(hook_valid_node("a-"));
	assert_false(hook_valid_node("a.b"));
	assert_false(hook_valid_node("A"));
	assert_false(hook_valid_node(".."));
	assert_false(hook_valid_node("a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_with_tags),
		cmocka_unit_test(test_untagged_and_bad_tags),
		cmocka_unit_test(test_tftp),
		cmocka_unit_test(test_bad_and_ignored),
		cmocka_unit_test(test_free_text),
		cmocka_unit_test(test_valid_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
