/*
 * Unit tests: the one vocabulary every part shares (common/pxeinv.h): the
 * node-name rule, the MAC parser, the architecture table, the install and
 * stage names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pxeinv.h"

/**
 * The node-name rule: lower-case RFC 1123 labels, 1-63 characters.
 *
 * @v state     cmocka state
 */
static void test_node_name(void **state)
{
	static const char *const good[] = { "node-01", "a", "0", "unknown-1",
					     "a-b-c", "0a" };
	static const char *const bad[] = { "", "-a", "a-", "a.b", "A",
					   "Node-07", "..", "a/b", "a_b",
					   "a\nb", "a b", "\xc3\xa9",
					   /* the tag of clients no node
					    * matched */
					   PXEINV_NODE_UNKNOWN };
	char name[PXEINV_NODE_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(pxeinv_node_name_is_valid(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(pxeinv_node_name_is_valid(bad[i]));
	memset(name, 'a', PXEINV_NODE_MAX - 1);
	name[PXEINV_NODE_MAX - 1] = '\0';
	assert_true(pxeinv_node_name_is_valid(name));
	name[PXEINV_NODE_MAX - 1] = 'a';
	name[PXEINV_NODE_MAX] = '\0';
	assert_false(pxeinv_node_name_is_valid(name));
}

/**
 * MACs as operators write them: six hex bytes, ':' or '-' between.
 *
 * @v state     cmocka state
 */
static void test_mac_parse(void **state)
{
	static const unsigned char want[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd,
					       0xef };
	unsigned char mac[6];

	(void)state;
	assert_int_equal(pxeinv_mac_parse("52:54:00:ab:cd:ef", mac), 0);
	assert_memory_equal(mac, want, 6);
	memset(mac, 0, sizeof(mac));
	assert_int_equal(pxeinv_mac_parse("52-54-00-AB-CD-EF", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(pxeinv_mac_parse("52:54:00:ab:cd:e", mac), -EINVAL);
	assert_int_equal(pxeinv_mac_parse("52:54:00:ab:cd:efa", mac),
			 -EINVAL);
	assert_int_equal(pxeinv_mac_parse("52:54:00:ab:cd:eg", mac), -EINVAL);
	assert_int_equal(pxeinv_mac_parse("52.54.00.ab.cd.ef", mac), -EINVAL);
	/* what sscanf("%2x") would have taken */
	assert_int_equal(pxeinv_mac_parse("+2:54:00:ab:cd:ef", mac), -EINVAL);
	assert_int_equal(pxeinv_mac_parse(" 2:54:00:ab:cd:ef", mac), -EINVAL);
	assert_int_equal(pxeinv_mac_parse("", mac), -EINVAL);
}

/**
 * The RFC 4578 table: names, and the binaries pxeinv serves.
 *
 * @v state     cmocka state
 */
static void test_arch_table(void **state)
{
	const struct pxeinv_arch *a;

	(void)state;
	assert_string_equal(pxeinv_arch_name(0), "bios");
	assert_string_equal(pxeinv_arch_name(6), "efi-ia32");
	assert_string_equal(pxeinv_arch_name(7), "efi-x64");
	assert_string_equal(pxeinv_arch_name(9), "efi-x64");
	assert_string_equal(pxeinv_arch_name(11), "efi-arm64");
	assert_string_equal(pxeinv_arch_name(16), "http-x64");
	assert_string_equal(pxeinv_arch_name(19), "http-arm64");
	assert_null(pxeinv_arch_name(-1));
	assert_null(pxeinv_arch_name(1));
	assert_null(pxeinv_arch_name(10));
	/* efi-ia32 is named, not served */
	assert_non_null(a = pxeinv_arch_find(6));
	assert_int_equal(a->binary, PXEINV_SETTING_NONE);
	assert_non_null(a = pxeinv_arch_find(16));
	assert_true(a->http);
	assert_int_equal(a->binary, PXEINV_SETTING_HTTP_X64);
	assert_non_null(a = pxeinv_arch_find(11));
	assert_false(a->http);
}

/**
 * Install modes and stages: names, and names read back.
 *
 * @v state     cmocka state
 */
static void test_names(void **state)
{
	(void)state;
	assert_int_equal(pxeinv_install_parse("yes", 3), PXEINV_INSTALL_YES);
	assert_int_equal(pxeinv_install_parse("no", 2), PXEINV_INSTALL_NO);
	assert_int_equal(pxeinv_install_parse("once", 4), PXEINV_INSTALL_ONCE);
	assert_int_equal(pxeinv_install_parse("on", 2), PXEINV_INSTALL_UNKNOWN);
	assert_int_equal(pxeinv_install_parse("onces", 5),
			 PXEINV_INSTALL_UNKNOWN);
	assert_int_equal(pxeinv_install_parse("unknown", 7),
			 PXEINV_INSTALL_UNKNOWN);
	assert_string_equal(pxeinv_install_name(PXEINV_INSTALL_ONCE), "once");
	assert_string_equal(pxeinv_install_name(PXEINV_INSTALL_UNKNOWN),
			    "unknown");
	assert_string_equal(pxeinv_stage_name(PXEINV_STAGE_HTTPBOOT),
			    "httpboot");
	assert_string_equal(pxeinv_stage_name(PXEINV_STAGE_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_name),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_arch_table),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
