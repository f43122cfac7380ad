/*
 * Unit test helper: cmocka's test filter, taken from the environment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "filter.h"

/**
 * Make the next cmocka group run only the tests $PXEINV_TEST_FILTER names.
 */
void unit_filter_tests(void)
{
	const char *filter = getenv(UNIT_FILTER_ENV);

	if (filter && *filter)
		cmocka_set_test_filter(filter);
}
