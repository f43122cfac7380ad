/*
 * Unit tests: what the fuzz targets (fuzz/) found in the diagnostics
 * (inventory/diag.c), each with its regression input in fuzz/regress/yaml/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../inventory/diag.h"

/**
 * A diagnostic is one line of text: a value it quotes that holds a line
 * break (a quoted YAML scalar may) or another control character, such as
 * a terminal escape, shows it as '?', so that FILE:LINE:COL: lines stay
 * one per problem.
 *
 * @v state     cmocka state
 */
static void test_diag_is_one_line(void **state)
{
	struct diags d;

	(void)state;
	memset(&d, 0, sizeof(d));
	diag_add(&d, DIAG_ERROR, "n/a.yaml", 2, 6,
		 "mac: '%s' is not a MAC address", "52:54\ngateway:\x1b[31m\x7f");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg,
			    "mac: '52:54?gateway:?[31m?' is not a MAC address");
	assert_int_equal(d.errors, 1);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_is_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
