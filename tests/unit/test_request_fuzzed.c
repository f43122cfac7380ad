/*
 * Unit tests: what the fuzz targets (fuzz/) found in the request decoder
 * (cache/pxeinv_request.c), each with its regression input in
 * fuzz/regress/steer/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../cache/pxeinv_request.h"

/**
 * Decode a request that has only a user class.
 *
 * @v uc        Option 77 payload
 * @v client    Decoded request
 */
static void decode_report(const char *uc, struct pxeinv_client *client)
{
	struct pxeinv_request req = {
		.arch = -1, .user_class = (const unsigned char *)uc,
		.user_class_len = strlen(uc),
	};

	pxeinv_request_decode(&req, client);
}

/**
 * A reported serial is printable ASCII, as the cache's serials (check.c)
 * and the hook's tag decoder want it: a field with a byte outside, raw or
 * percent-encoded, is dropped, and a field whose percent sign is not
 * followed by two hex digits ("%-1", "% 1", "%+1", which strtoul() read
 * as numbers) is malformed.
 *
 * @v state     cmocka state
 */
static void test_report_fields_are_ascii(void **state)
{
	struct pxeinv_client c;

	(void)state;
	decode_report("pxeinv/1 s=CHASSI\xad\xdf b=B", &c);
	assert_int_equal(c.reported, 1);
	assert_string_equal(c.serial, "");
	assert_string_equal(c.board_serial, "B");
	decode_report("pxeinv/1 s=A%7F b=%C3%A9", &c);
	assert_string_equal(c.serial, "");
	assert_string_equal(c.board_serial, "");
	decode_report("pxeinv/1 s=%-1 b=%+41", &c);
	assert_string_equal(c.serial, "");
	assert_string_equal(c.board_serial, "");
	decode_report("pxeinv/1 s=% 41 b=%4 ", &c);
	assert_string_equal(c.serial, "");
	assert_string_equal(c.board_serial, "");
	/* what stays valid */
	decode_report("pxeinv/1 s=%41%7e b=%7E%20x", &c);
	assert_string_equal(c.serial, "A~");
	assert_string_equal(c.board_serial, "~ x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_fields_are_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
