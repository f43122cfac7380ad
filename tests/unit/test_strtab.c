/*
 * Unit tests: the string table (strtab.c), including growth past its size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../inventory/strtab.h"

/** Keys added: far more than the table was sized for, so it grows */
#define STRTAB_TEST_KEYS 5000

/**
 * Every key added is found with its own data, a second add returns the
 * first data, and an absent key is not found, across several growths.
 *
 * @v state     cmocka state
 */
static void test_strtab_grows(void **state)
{
	static int data[STRTAB_TEST_KEYS];
	struct strtab t;
	char key[64];
	int i;

	(void)state;
	assert_int_equal(strtab_init(&t, 4), 0);
	for (i = 0; i < STRTAB_TEST_KEYS; i++) {
		/* long shared prefixes, as identity keys have */
		snprintf(key, sizeof(key), "m:02:00:00:00:%02x:%02x", i >> 8,
			 i & 255);
		assert_null(strtab_add(&t, key, &data[i]));
	}
	for (i = 0; i < STRTAB_TEST_KEYS; i++) {
		snprintf(key, sizeof(key), "m:02:00:00:00:%02x:%02x", i >> 8,
			 i & 255);
		assert_ptr_equal(strtab_find(&t, key), &data[i]);
		assert_ptr_equal(strtab_add(&t, key, &data[0]), &data[i]);
	}
	assert_null(strtab_find(&t, "m:02:00:00:00:ff:ff"));
	assert_null(strtab_find(&t, ""));
	assert_null(strtab_add(&t, "", &data[1]));
	assert_ptr_equal(strtab_find(&t, ""), &data[1]);
	strtab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strtab_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
