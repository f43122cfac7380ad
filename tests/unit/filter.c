/*
 * Unit test helper: run only the tests a developer names
 * (./build.sh test unit NAME). Linked into every test program, as every
 * helper in tests/unit is, so that no test program's main() has to ask.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

/** The environment variable holding the test name glob */
#define UNIT_FILTER_ENV "PXEINV_TEST_FILTER"

/**
 * Before main(), make every cmocka group of the program run only the tests
 * whose name matches the glob ('*', '?') in $PXEINV_TEST_FILTER; without
 * it, every test runs.
 */
static void __attribute__((constructor)) unit_filter_tests(void)
{
	const char *filter = getenv(UNIT_FILTER_ENV);

	if (filter && *filter)
		cmocka_set_test_filter(filter);
}
