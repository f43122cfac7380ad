/*
 * Unit test helper: run only the tests a developer names
 * (./build.sh test unit NAME).
 */
#ifndef PXEINV_UNIT_FILTER_H
#define PXEINV_UNIT_FILTER_H

/** The environment variable holding the test name glob */
#define UNIT_FILTER_ENV "PXEINV_TEST_FILTER"

/**
 * Make the next cmocka group run only the tests whose name matches the
 * glob ('*', '?') in $PXEINV_TEST_FILTER; without it, every test runs.
 * Call it before cmocka_run_group_tests().
 */
void unit_filter_tests(void);

#endif
