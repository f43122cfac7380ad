/*
 * Unit tests: the journal's append when a write is cut short
 * (state/journal.c), with another writer appending meanwhile (a second
 * dnsmasq instance sharing the state directory, `pxeinv rearm`).
 *
 * This program replaces write(): the journal calls it, and on request it
 * lets the other writer append first, then writes half of the line and
 * reports a short write, as a full disk would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../state/journal.h"
#include "testtree.h"

/** Scratch state directory */
static char dir[64];

/** The other writer's line, appended during the next write, or NULL */
static const char *other_line;

/**
 * write(), as the journal sees it: the real one, unless other_line is
 * set; then the other writer appends its line, and half of this write
 * is done and reported.
 *
 * @v fd        Descriptor
 * @v buf       Bytes
 * @v count     How many
 * @ret n       Bytes written, or -1
 */
ssize_t write(int fd, const void *buf, size_t count)
{
	char path[128];
	int ofd;

	if (!other_line || count < 2)
		return syscall(SYS_write, fd, buf, count);
	snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_FILE);
	ofd = open(path, O_WRONLY | O_APPEND);
	if (ofd >= 0) {
		syscall(SYS_write, ofd, other_line, strlen(other_line));
		close(ofd);
	}
	other_line = NULL;
	return syscall(SYS_write, fd, buf, count / 2);
}

/**
 * Create the scratch directory.
 *
 * @v state     cmocka state
 * @ret rc      0
 */
static int setup(void **state)
{
	(void)state;
	testtree_scratch(dir, "journal-unit");
	return 0;
}

/**
 * Remove the scratch directory.
 *
 * @v state     cmocka state
 * @ret rc      0
 */
static int teardown(void **state)
{
	(void)state;
	testtree_scratch_remove(dir);
	return 0;
}

/** Nodes of the lines walked, in order */
static char walked[8][PXEINV_NODE_MAX];
static size_t nwalked;

/**
 * Keep a line's node.
 *
 * @v rec       Line
 * @v ctx       Unused
 * @ret stop    0
 */
static int keep_node(const struct journal_rec *rec, void *ctx)
{
	(void)ctx;
	if (nwalked < 8)
		strcpy(walked[nwalked++], rec->node);
	return 0;
}

/**
 * A short write keeps what others appended meanwhile: nothing is cut
 * back to a size taken before the write, and the torn line is ended by
 * the next append, so that only it is lost.
 *
 * @v state     cmocka state
 */
static void test_journal_short_write_keeps_others(void **state)
{
	char line[JOURNAL_LINE_MAX], other[JOURNAL_LINE_MAX];
	size_t len, bad;
	int fd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	len = journal_format_note("rearm", "node-a", 1700000000, line);
	assert_int_equal(journal_append(fd, line, len, JOURNAL_MAX_DEFAULT), 0);
	journal_format_note("rearm", "node-other", 1700000001, other);
	other_line = other;
	len = journal_format_note("rearm", "node-torn", 1700000002, line);
	assert_int_equal(journal_append(fd, line, len, JOURNAL_MAX_DEFAULT),
			 -ENOSPC);
	assert_null(other_line);
	len = journal_format_note("rearm", "node-next", 1700000003, line);
	assert_int_equal(journal_append(fd, line, len, JOURNAL_MAX_DEFAULT), 0);
	nwalked = 0;
	assert_int_equal(journal_walk(fd, keep_node, NULL, &bad), 0);
	assert_int_equal(nwalked, 3);
	assert_string_equal(walked[0], "node-a");
	assert_string_equal(walked[1], "node-other");
	assert_string_equal(walked[2], "node-next");
	assert_int_equal(bad, 1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_journal_short_write_keeps_others, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
