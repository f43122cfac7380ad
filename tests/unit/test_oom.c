/*
 * Unit tests: the out-of-memory policy (oom.c). An arena or a hash table
 * that cannot be mapped ends the process with SIGABRT and one line on
 * stderr that says what could not be allocated.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../inventory/arena.h"
#include "../../inventory/strtab.h"

/** More bytes than any address space maps: 1 PiB */
#define OOM_TEST_HUGE ((size_t)1 << 50)

/** What a child that ran out of memory left */
struct oom_child {
	int status;             /**< from waitpid() */
	char err[65536];        /**< its stderr */
};

/**
 * Run a function in a child process and collect its stderr and status.
 *
 * @v fn        Function; the child exits 0 if it returns
 * @v child     Status and stderr, filled
 */
static void oom_run_child(void (*fn)(void), struct oom_child *child)
{
	size_t len = 0;
	ssize_t got;
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof(child->err) - 1) {
		got = read(fds[0], child->err + len,
			   sizeof(child->err) - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	child->err[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &child->status, 0), pid);
}

/**
 * Ask an arena for more than can be mapped.
 */
static void oom_arena_alloc_huge(void)
{
	struct arena arena = { 0 };

	arena_alloc(&arena, OOM_TEST_HUGE);
}

/**
 * Create a hash table for more keys than can be mapped.
 */
static void oom_strtab_init_huge(void)
{
	struct strtab t;

	strtab_init(&t, OOM_TEST_HUGE / 64);
}

/**
 * Check that a child was aborted after saying what it could not allocate.
 *
 * @v child     The child
 * @v what      What the message must name
 */
static void oom_assert_aborted(const struct oom_child *child,
			       const char *what)
{
	char line[256];

	snprintf(line, sizeof(line), "%s: out of memory (%s)\n",
		 program_invocation_short_name, what);
	assert_true(WIFSIGNALED(child->status));
	assert_int_equal(WTERMSIG(child->status), SIGABRT);
	assert_non_null(strstr(child->err, line));
}

/**
 * An arena that cannot map a chunk aborts with a message, never returns
 * NULL.
 *
 * @v state     cmocka state
 */
static void test_oom_arena(void **state)
{
	static struct oom_child child;

	(void)state;
	oom_run_child(oom_arena_alloc_huge, &child);
	oom_assert_aborted(&child, "an arena chunk");
}

/**
 * A hash table that cannot map its slots aborts with a message.
 *
 * @v state     cmocka state
 */
static void test_oom_strtab(void **state)
{
	static struct oom_child child;

	(void)state;
	oom_run_child(oom_strtab_init_huge, &child);
	oom_assert_aborted(&child, "a hash table");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_arena),
		cmocka_unit_test(test_oom_strtab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
