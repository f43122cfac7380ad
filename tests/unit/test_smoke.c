/*
 * Unit tests: the example-shaped tree checks clean, and a typo is found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testtree.h"

/** Defaults as in the seed */
static const char seed_defaults[] =
	"schematicID: 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba\n"
	"talosVersion: v1.9.5\n"
	"kernelArgs: talos.platform=metal console=tty0\n"
	"install: false\n";

/**
 * A clean tree has no diagnostics.
 *
 * @v state     cmocka state
 */
static void test_clean_tree(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", seed_defaults);
	testtree_write(&t, "dev/_defaults.yaml", "netmask: 255.255.255.0\n"
		       "gateway: 10.0.0.1\nvlan: 12\ninterface: ens1\n");
	testtree_write(&t, "dev/node-01.yaml", "serial: S01\nip: 10.0.0.11\n"
		       "install: true\n");
	assert_int_equal(testtree_check(&t), 0);
	assert_int_equal(t.inv.n, 1);
	assert_int_equal(t.nodes[0].vlan, 12);
	assert_string_equal(t.nodes[0].interface, "ens1");
	assert_string_equal(t.text, "");
	testtree_free(&t);
}

/**
 * A misspelt key is reported with a did-you-mean.
 *
 * @v state     cmocka state
 */
static void test_typo(void **state)
{
	struct testtree t;

	(void)state;
	testtree_init(&t);
	testtree_write(&t, "_defaults.yaml", seed_defaults);
	testtree_write(&t, "node-01.yaml", "serial: S01\nschematicId: x\n");
	assert_int_equal(testtree_check(&t), 1);
	testtree_expect(&t, "nodes/node-01.yaml:2:1: error: unknown key "
			"'schematicId'; did you mean 'schematicID'? (keys of "
			"your own start with 'x-')");
	testtree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_tree),
		cmocka_unit_test(test_typo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
