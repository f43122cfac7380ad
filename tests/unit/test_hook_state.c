/*
 * Unit tests: pxeinv-hook's state files, journal, lease database, stubs
 * and recording (state/kvfile.c, journal.c, leasedb.c, stub.c, record.c).
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../state/event.h"
#include "../../state/journal.h"
#include "../../state/kvfile.h"
#include "../../state/leasedb.h"
#include "../../state/record.h"
#include "../../state/state.h"
#include "../../state/stub.h"
#include "testtree.h"

/** Scratch state directory */
static char dir[64];

/**
 * Create the scratch directory.
 *
 * @v state     cmocka state
 * @ret rc      0
 */
static int setup(void **state)
{
	(void)state;
	testtree_scratch(dir, "hook-unit");
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

/**
 * Parse a string as a state file.
 *
 * @v s         Contents
 * @ret rc      kv_parse() result
 */
static int kvp(const char *s)
{
	struct kvfile f;

	return kv_parse(&f, s, strlen(s));
}

/**
 * State files: strict parsing.
 *
 * @v state     cmocka state
 */
static void test_kv_parse(void **state)
{
	struct kvfile f;
	const char *ok = "# pxeinv-state 1\nstage ipxe\nboots 3\nempty \n";

	(void)state;
	assert_int_equal(kv_parse(&f, ok, strlen(ok)), 0);
	assert_int_equal(f.count, 3);
	assert_string_equal(kv_get(&f, "stage"), "ipxe");
	assert_int_equal(kv_get_num(&f, "boots"), 3);
	assert_string_equal(kv_get(&f, "empty"), "");
	assert_null(kv_get(&f, "nope"));
	assert_int_equal(kvp(""), -EINVAL);
	assert_int_equal(kvp("# pxeinv-state 2\n"), -EINVAL);
	assert_int_equal(kvp("# pxeinv-state 1\nstage ipxe"), -EINVAL);
	assert_int_equal(kvp("# pxeinv-state 1\nstage\n"), -EINVAL);
	assert_int_equal(kvp("# pxeinv-state 1\nSTAGE x\n"), -EINVAL);
	assert_int_equal(kvp("# pxeinv-state 1\na b\na c\n"), -EINVAL);
	assert_int_equal(kvp("# pxeinv-state 1\na b\x01\n"), -EINVAL);
	assert_int_equal(kvp("# pxeinv-state 1\n\n"), -EINVAL);
}

/**
 * State files: write then read back, and replace.
 *
 * @v state     cmocka state
 */
static void test_kv_roundtrip(void **state)
{
	struct kvfile f = { 0 }, g;
	int fd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(kv_read(fd, "x", &g), -ENOENT);
	assert_int_equal(kv_set(&f, "a", "one\ntwo"), 0);
	assert_int_equal(kv_set_num(&f, "n", 42), 0);
	assert_int_equal(kv_write(fd, "x", &f), 0);
	assert_int_equal(kv_read(fd, "x", &g), 0);
	assert_string_equal(kv_get(&g, "a"), "one?two");
	assert_int_equal(kv_get_num(&g, "n"), 42);
	assert_int_equal(kv_set_num(&g, "n", 43), 0);
	assert_int_equal(kv_write(fd, "x", &g), 0);
	assert_int_equal(kv_read(fd, "x", &f), 0);
	assert_int_equal(kv_get_num(&f, "n"), 43);
	assert_int_equal(f.count, 2);
	close(fd);
}

/**
 * Parse a string as a journal line.
 *
 * @v s         Line
 * @ret rc      journal_parse() result
 */
static int jp(const char *s)
{
	struct journal_rec rec;

	return journal_parse(s, strlen(s), &rec);
}

/**
 * Journal lines: formatted under PIPE_BUF, parsed back.
 *
 * @v state     cmocka state
 */
static void test_journal_format_parse(void **state)
{
	struct event ev;
	struct journal_rec rec;
	char line[JOURNAL_LINE_MAX];
	size_t len;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.action = EVENT_ADD;
	ev.now = 1700000000;
	ev.arch = 11;
	strcpy(ev.node, "node-a");
	strcpy(ev.stage, "ipxe");
	strcpy(ev.mac, "52:54:00:aa:00:01");
	strcpy(ev.ip, "10.0.0.5");
	strcpy(ev.vendor_class, "a\"b\\c");
	/* the longest fields still fit in one atomic write */
	memset(ev.user_class, '"', sizeof(ev.user_class) - 1);
	memset(ev.hostname, '\\', sizeof(ev.hostname) - 1);
	memset(ev.serial, '"', sizeof(ev.serial) - 1);
	memset(ev.board_serial, '"', sizeof(ev.board_serial) - 1);
	memset(ev.file, '"', sizeof(ev.file) - 1);
	len = journal_format(&ev, line);
	assert_true(len < JOURNAL_LINE_MAX);
	assert_int_equal(line[len - 1], '\n');
	assert_int_equal(journal_parse(line, len - 1, &rec), 0);
	assert_int_equal(rec.ts, 1700000000);
	assert_string_equal(rec.event, "add");
	assert_string_equal(rec.node, "node-a");
	assert_string_equal(rec.arch, "efi-arm64");
	assert_string_equal(rec.vendor_class, "a\"b\\c");
	assert_int_equal(strlen(rec.user_class), sizeof(ev.user_class) - 1);
	assert_string_equal(rec.install, "");
	assert_int_equal(jp("{\"ts\":1}"), -EINVAL);
	assert_int_equal(jp("{\"ts\":1,\"event\":\"a\""),
			 -EINVAL);
	assert_int_equal(jp("{\"ts\":1,\"event\":\"a\"}"),
			 0);
	assert_int_equal(jp("{\"ts\":1,\"event\":a}"),
			 -EINVAL);
	assert_int_equal(jp("{\"ts\":1,\"event\":\"\\q\"}"), -EINVAL);
}

/** Lines seen by the walk */
static int walked;

/**
 * Count journal lines.
 *
 * @v rec       Line
 * @v ctx       Unused
 * @ret stop    0
 */
static int count_line(const struct journal_rec *rec, void *ctx)
{
	(void)ctx;
	(void)rec;
	walked++;
	return 0;
}

/**
 * Journal: appends, rotation, torn lines skipped by readers.
 *
 * @v state     cmocka state
 */
static void test_journal_append_rotate(void **state)
{
	char line[JOURNAL_LINE_MAX], path[128];
	struct stat st;
	size_t len, bad;
	int fd, i, jfd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	len = journal_format_note("rearm", "node-a", 1700000000, line);
	for (i = 0; i < 100; i++)
		assert_int_equal(journal_append(fd, line, len, 4096), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_OLD);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size <= 4096);
	snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size <= 4096);
	/* a torn line (a crash mid-write) */
	jfd = open(path, O_WRONLY | O_APPEND);
	assert_true(jfd >= 0);
	assert_int_equal(write(jfd, "{\"ts\":1,\"ev", 11), 11);
	close(jfd);
	walked = 0;
	assert_int_equal(journal_walk(fd, count_line, NULL, &bad), 0);
	assert_int_equal(bad, 1);
	assert_true(walked > 0 && walked < 100);
	assert_int_equal(journal_append(fd, line, 0, 4096), -EINVAL);
	assert_int_equal(journal_append(fd, "x", 1, 4096), -EINVAL);
	close(fd);
}

/**
 * Lease database: one file per lease, dnsmasq's line format.
 *
 * @v state     cmocka state
 */
static void test_leasedb(void **state)
{
	struct event ev;
	char buf[4096];
	unsigned long count;
	FILE *f;
	int fd;

	(void)state;
	assert_true(leasedb_line_is_valid("1700000000 52:54:00:aa:00:01 "
				       "10.0.0.5 host 01:52", "10.0.0.5"));
	assert_true(leasedb_line_is_valid("0 52:54:00:aa:00:01 10.0.0.5 * *",
				       "10.0.0.5"));
	assert_false(leasedb_line_is_valid("0 52:54:00:aa:00:01 10.0.0.5 * *",
					"10.0.0.6"));
	assert_false(leasedb_line_is_valid("0 52:54:00:aa:00:01 10.0.0.5 *",
					"10.0.0.5"));
	assert_false(leasedb_line_is_valid("x 52:54:00:aa:00:01 10.0.0.5 * *",
					"10.0.0.5"));
	assert_false(leasedb_line_is_valid("0 52:54:00:aa:00:01 10.0.0.5 * * "
					"x", "10.0.0.5"));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(leasedb_client(fd, "10.0.0.5", buf), -ENOENT);
	memset(&ev, 0, sizeof(ev));
	ev.action = EVENT_ADD;
	ev.now = 1700000000;
	ev.expires = 1700003600;
	strcpy(ev.mac, "52:54:00:aa:00:01");
	strcpy(ev.ip, "10.0.0.5");
	assert_int_equal(leasedb_update(fd, &ev), 0);
	strcpy(ev.ip, "10.0.0.6");
	ev.expires = -1;
	ev.length = 60;
	strcpy(ev.hostname, "h6");
	assert_int_equal(leasedb_update(fd, &ev), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(leasedb_dump(fd, f, &count), 0);
	fclose(f);
	assert_int_equal(count, 2);
	assert_non_null(strstr(buf, "1700003600 52:54:00:aa:00:01 10.0.0.5 * "
			       "*\n"));
	assert_non_null(strstr(buf, "1700000060 52:54:00:aa:00:01 10.0.0.6 h6 "
			       "*\n"));
	ev.action = EVENT_DEL;
	assert_int_equal(leasedb_update(fd, &ev), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(leasedb_dump(fd, f, &count), 0);
	fclose(f);
	assert_int_equal(count, 1);
	/* the MAC of a stored lease; none, or a malformed line, is none */
	assert_int_equal(leasedb_client(fd, "10.0.0.5", buf), 0);
	assert_string_equal(buf, "52:54:00:aa:00:01");
	assert_int_equal(leasedb_client(fd, "10.0.0.6", buf), -ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(state_put(fd, PXEINV_STATE_LEASES, "10.0.0.7",
				   "0 52:54:00:aa:00:01 10.0.0.8 * *\n", 33), 0);
	assert_int_equal(leasedb_client(fd, "10.0.0.7", buf), -EINVAL);
	assert_int_equal(state_put(fd, PXEINV_STATE_LEASES, "10.0.0.9",
				   "0 52:54:00:aa:00:01 10.0.0.9 * *", 32), 0);
	assert_int_equal(leasedb_client(fd, "10.0.0.9", buf), -EINVAL);
	close(fd);
}

/**
 * Lease database, DHCPv6: dnsmasq's line ("EXPIRES IAID IPV6 HOSTNAME
 * DUID"), dumped for init with the IPv4 ones; the client of a lease is
 * its DUID; a lease without an IAID is not stored.
 *
 * @v state     cmocka state
 */
static void test_leasedb_dhcpv6(void **state)
{
	static const char duid[] = "00:03:00:01:52:54:00:aa:00:01";
	struct event ev;
	char buf[4096];
	unsigned long count;
	FILE *f;
	int fd;

	(void)state;
	assert_true(leasedb_line_is_valid("1700000000 1 fd00::5 host "
					  "00:03:00:01:52:54:00:aa:00:01",
					  "fd00::5"));
	assert_true(leasedb_line_is_valid("0 T4294967295 fd00::5 * *",
					  "fd00::5"));
	assert_false(leasedb_line_is_valid("0 1 fd00::5 * 00:03", "fd00::6"));
	assert_false(leasedb_line_is_valid("0 x1 fd00::5 * 00:03", "fd00::5"));
	assert_false(leasedb_line_is_valid("0 T fd00::5 * 00:03", "fd00::5"));
	assert_false(leasedb_line_is_valid("0 12345678901 fd00::5 * 00:03",
					   "fd00::5"));
	assert_false(leasedb_line_is_valid("0 1 fd00::5 * 00:0G", "fd00::5"));
	/* an IPv4 line's MAC field is no IAID, nor the reverse */
	assert_false(leasedb_line_is_valid("0 52:54:00:aa:00:01 fd00::5 * *",
					   "fd00::5"));
	assert_false(leasedb_line_is_valid("0 T1 10.0.0.5 * *", "10.0.0.5"));
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	memset(&ev, 0, sizeof(ev));
	ev.action = EVENT_ADD;
	ev.now = 1700000000;
	ev.expires = 1700003600;
	ev.length = -1;
	ev.ipv6 = 1;
	strcpy(ev.mac, "52:54:00:aa:00:01");
	strcpy(ev.ip, "fd00::5");
	strcpy(ev.duid, duid);
	strcpy(ev.iaid, "1");
	strcpy(ev.hostname, "h6");
	assert_int_equal(leasedb_update(fd, &ev), 0);
	ev.ipv6 = 0;
	strcpy(ev.ip, "10.0.0.5");
	ev.hostname[0] = '\0';
	assert_int_equal(leasedb_update(fd, &ev), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(leasedb_dump(fd, f, &count), 0);
	fclose(f);
	assert_int_equal(count, 2);
	assert_non_null(strstr(buf, "1700003600 1 fd00::5 h6 "
			       "00:03:00:01:52:54:00:aa:00:01\n"));
	assert_non_null(strstr(buf, "1700003600 52:54:00:aa:00:01 10.0.0.5 * "
			       "*\n"));
	assert_int_equal(leasedb_client(fd, "fd00::5", buf), 0);
	assert_string_equal(buf, duid);
	assert_int_equal(leasedb_client(fd, "10.0.0.5", buf), 0);
	assert_string_equal(buf, "52:54:00:aa:00:01");
	/* no IAID: not in dnsmasq's format, not stored */
	ev.ipv6 = 1;
	strcpy(ev.ip, "fd00::6");
	ev.iaid[0] = '\0';
	assert_int_equal(leasedb_update(fd, &ev), 0);
	assert_int_equal(leasedb_client(fd, "fd00::6", buf), -ENOENT);
	/* released */
	ev.action = EVENT_DEL;
	strcpy(ev.ip, "fd00::5");
	assert_int_equal(leasedb_update(fd, &ev), 0);
	assert_int_equal(leasedb_client(fd, "fd00::5", buf), -ENOENT);
	close(fd);
}

/**
 * Stubs: valid YAML for nodes/, unusable serials commented out.
 *
 * @v state     cmocka state
 */
static void test_stub(void **state)
{
	struct kvfile f = { 0 };
	char buf[2048];

	(void)state;
	kv_set(&f, "mac", "52:54:00:cc:00:04");
	kv_set(&f, "serial", "SER-1");
	kv_set(&f, "board_serial", "B 1");
	kv_set(&f, "arch", "efi-arm64");
	assert_true(stub_render(&f, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\nmac: \"52:54:00:cc:00:04\"\n"));
	assert_non_null(strstr(buf, "\nserial: \"SER-1\"\n"));
	assert_non_null(strstr(buf, "\n# boardSerial: \"B 1\"  (reported"));
	assert_non_null(strstr(buf, "\narch: arm64\ninstall: false\n"));
	assert_int_equal(stub_render(&f, buf, 100), -ENOSPC);
	assert_int_equal(stub_quote("a\"b\\", buf, sizeof(buf)), 8);
	assert_string_equal(buf, "\"a\\\"b\\\\\"");
}

/**
 * Boots: a firmware request starts one, iPXE right after it does not.
 *
 * @v state     cmocka state
 */
static void test_is_boot(void **state)
{
	(void)state;
	assert_true(record_is_boot("firmware", "ipxe", 100, 110));
	assert_true(record_is_boot("httpboot", "", 0, 110));
	assert_false(record_is_boot("ipxe", "firmware", 100, 110));
	assert_true(record_is_boot("ipxe", "firmware", 100,
				   100 + RECORD_BOOT_WINDOW + 1));
	assert_true(record_is_boot("ipxe", "ipxe", 100, 110));
	assert_true(record_is_boot("ipxe", "", 0, 110));
}

/**
 * Recording: a node's events, the boot-once marker, a corrupt file.
 *
 * @v state     cmocka state
 */
static void test_record(void **state)
{
	struct record_opts opts = { dir, JOURNAL_MAX_DEFAULT };
	struct record_notes notes;
	struct event ev;
	struct kvfile f;
	char err[512], path[128];
	long long when;
	int fd;
	FILE *p;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.action = EVENT_ADD;
	ev.now = 1700000000;
	ev.arch = 7;
	ev.expires = -1;
	ev.length = -1;
	ev.steered = 1;
	strcpy(ev.node, "node-b");
	strcpy(ev.stage, "ipxe");
	strcpy(ev.install, "once");
	strcpy(ev.mac, "52:54:00:aa:00:02");
	strcpy(ev.ip, "10.0.0.7");
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	ev.action = EVENT_TFTP;
	strcpy(ev.file, "/srv/tftp/pxeinv/nodes/node-b.ipxe");
	strcpy(ev.file_node, "node-b");
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	assert_true(notes.once_marked);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_true(state_once_is_marked(fd, "node-b", &when));
	assert_int_equal(when, 1700000000);
	assert_int_equal(kv_read(fd, "nodes/node-b", &f), 0);
	assert_int_equal(kv_get_num(&f, "boots"), 1);
	assert_int_equal(kv_get_num(&f, "fetches"), 1);
	/* the same mark as an exit script, for the fallback dispatcher */
	{
		char script[512];
		ssize_t len;
		int sfd = openat(fd, "installed/node-b.ipxe", O_RDONLY);

		assert_true(sfd >= 0);
		len = read(sfd, script, sizeof(script) - 1);
		close(sfd);
		assert_true(len > 0);
		script[len] = '\0';
		assert_non_null(strstr(script, "#!ipxe\n"));
		assert_non_null(strstr(script, "\necho pxeinv: node-b was "
				       "installed"));
		assert_non_null(strstr(script, "\nexit\n"));
	}
	assert_int_equal(state_once_clear(fd, "node-b"), 0);
	assert_int_equal(faccessat(fd, "installed/node-b.ipxe", F_OK, 0), -1);
	assert_int_equal(state_once_clear(fd, "node-b"), -ENOENT);
	assert_false(state_once_is_marked(fd, "node-b", NULL));

	/* a corrupt node file is set aside and started afresh */
	snprintf(path, sizeof(path), "%s/nodes/node-b", dir);
	p = fopen(path, "w");
	assert_non_null(p);
	fputs("junk\n", p);
	fclose(p);
	ev.action = EVENT_OLD;
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	assert_non_null(strstr(notes.warning, "corrupt state file"));
	assert_int_equal(kv_read(fd, "nodes/node-b", &f), 0);
	assert_string_equal(kv_get(&f, "stage"), "ipxe");
	assert_int_equal(kv_read(fd, "nodes/node-b.corrupt", &f), -EINVAL);

	/* an unknown machine */
	strcpy(ev.node, "unknown");
	strcpy(ev.mac, "52:54:00:cc:00:09");
	ev.action = EVENT_ADD;
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	assert_true(notes.new_unknown);
	assert_int_equal(kv_read(fd, "global", &f), 0);
	assert_int_equal(kv_get_num(&f, "unknown_machines"), 1);
	assert_int_equal(kv_get_num(&f, "events"), 4);
	close(fd);

	/* an unusable state directory is an error, with the path */
	opts.state_dir = "/nonexistent/pxeinv";
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "/nonexistent/pxeinv: No such file or "
			    "directory");
}

/**
 * Write a node script under DIR/srv/pxeinv/nodes/.
 *
 * @v node      Node
 * @v text      Content
 * @v path      Its path, 256 bytes
 */
static void write_script(const char *node, const char *text, char *path)
{
	FILE *p;

	snprintf(path, 256, "%s/srv", dir);
	mkdir(path, 0755);
	snprintf(path, 256, "%s/srv/pxeinv", dir);
	mkdir(path, 0755);
	snprintf(path, 256, "%s/srv/pxeinv/nodes", dir);
	mkdir(path, 0755);
	snprintf(path, 256, "%s/srv/pxeinv/nodes/%s.ipxe", dir, node);
	p = fopen(path, "w");
	assert_non_null(p);
	fputs(text, p);
	fclose(p);
}

/**
 * A TFTP fetch: the served script's "# install:" line decides boot-once,
 * over what dnsmasq's tags said, and the tags decide without one.
 *
 * @v state     cmocka state
 */
static void test_record_script_install(void **state)
{
	struct record_opts opts = { dir, JOURNAL_MAX_DEFAULT };
	struct record_notes notes;
	struct event ev;
	char err[512];
	int fd;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.now = 1700000000;
	ev.expires = -1;
	ev.length = -1;
	strcpy(ev.ip, "10.0.0.9");
	ev.action = EVENT_TFTP;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);

	/* a marker from before installed/ existed: rearm still clears it */
	assert_int_equal(state_put(fd, PXEINV_STATE_ONCE, "node-old", "x\n", 2), 0);
	assert_int_equal(faccessat(fd, PXEINV_STATE_INSTALLED, F_OK, 0), -1);
	assert_int_equal(state_once_clear(fd, "node-old"), 0);
	assert_false(state_once_is_marked(fd, "node-old", NULL));

	/* never seen by dnsmasq (no state): the script says once; the
	 * fetch comes from an iPXE that dnsmasq could not identify either,
	 * whose fallback dispatcher chained the script */
	ev.action = EVENT_ADD;
	ev.steered = 1;
	strcpy(ev.node, "unknown");
	strcpy(ev.stage, "ipxe");
	strcpy(ev.mac, "52:54:00:ee:00:09");
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	memset(ev.node, 0, sizeof(ev.node));
	ev.action = EVENT_TFTP;
	write_script("node-s", "#!ipxe\n# node-s (./node-s), generated by "
		     "pxeinv; do not edit\n# install: once\nexit\n", ev.file);
	strcpy(ev.file_node, "node-s");
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	assert_true(notes.once_marked);
	assert_true(state_once_is_marked(fd, "node-s", NULL));

	/* tagged once by dnsmasq, but recompiled to yes: not marked */
	ev.action = EVENT_ADD;
	ev.steered = 1;
	strcpy(ev.node, "node-t");
	strcpy(ev.stage, "ipxe");
	strcpy(ev.install, "once");
	strcpy(ev.mac, "52:54:00:aa:00:07");
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	ev.action = EVENT_TFTP;
	write_script("node-t", "#!ipxe\n# install: yes\nexit\n", ev.file);
	strcpy(ev.file_node, "node-t");
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	assert_false(notes.once_marked);
	assert_false(state_once_is_marked(fd, "node-t", NULL));

	/* no install line (or no script): the tags decide */
	write_script("node-t", "#!ipxe\n# install: maybe\nexit\n", ev.file);
	ev.action = EVENT_ADD;
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	ev.action = EVENT_TFTP;
	assert_int_equal(record_event(&opts, &ev, &notes, err, sizeof(err)),
			 0);
	assert_true(state_once_is_marked(fd, "node-t", NULL));

	/* only a whole word counts: "on" (nor "", "ye") is not a mode, and
	 * the tag "once" still decides; a line cut short by the read either */
	static const char *const partial[] = {
		"#!ipxe\n# install: on\nexit\n",
		"#!ipxe\n# install: \nexit\n",
		"#!ipxe\n# install: ye\nexit\n",
		"#!ipxe\n# install: onces\nexit\n",
		"#!ipxe\n# install: yes",
	};
	for (size_t i = 0; i < sizeof(partial) / sizeof(partial[0]); i++) {
		assert_int_equal(state_once_clear(fd, "node-t"), 0);
		write_script("node-t", partial[i], ev.file);
		ev.action = EVENT_ADD;
		assert_int_equal(record_event(&opts, &ev, &notes, err,
					      sizeof(err)), 0);
		ev.action = EVENT_TFTP;
		assert_int_equal(record_event(&opts, &ev, &notes, err,
					      sizeof(err)), 0);
		assert_true(state_once_is_marked(fd, "node-t", NULL));
	}
	close(fd);
}

/**
 * Record a steered iPXE lease event of a node ("unknown" for a client
 * dnsmasq could not identify).
 *
 * @v opts      Settings
 * @v action    EVENT_ADD, EVENT_OLD or EVENT_DEL
 * @v node      Node
 * @v mac       MAC
 * @v ip        Leased address
 */
static void lease_event(const struct record_opts *opts,
			enum event_action action, const char *node,
			const char *mac, const char *ip)
{
	struct record_notes notes;
	struct event ev;
	char err[512];

	memset(&ev, 0, sizeof(ev));
	ev.action = action;
	ev.now = 1700000000;
	ev.arch = 7;
	ev.expires = ev.length = ev.size = -1;
	ev.steered = node != NULL;
	if (node) {
		strcpy(ev.node, node);
		strcpy(ev.stage, "ipxe");
		strcpy(ev.install, "once");
	}
	strcpy(ev.mac, mac);
	strcpy(ev.ip, ip);
	assert_int_equal(record_event(opts, &ev, &notes, err, sizeof(err)),
			 0);
}

/**
 * Record a steered iPXE DHCPv6 lease event of a node ("unknown" for a
 * client dnsmasq could not identify).
 *
 * @v opts      Settings
 * @v action    EVENT_ADD, EVENT_OLD or EVENT_DEL
 * @v node      Node, or NULL (not steered)
 * @v duid      Client DUID
 * @v ip        Leased IPv6 address
 */
static void lease6_event(const struct record_opts *opts,
			 enum event_action action, const char *node,
			 const char *duid, const char *ip)
{
	struct record_notes notes;
	struct event ev;
	char err[512];

	memset(&ev, 0, sizeof(ev));
	ev.action = action;
	ev.now = 1700000000;
	ev.arch = 7;
	ev.expires = ev.length = ev.size = -1;
	ev.ipv6 = 1;
	ev.steered = node != NULL;
	if (node) {
		strcpy(ev.node, node);
		strcpy(ev.stage, "ipxe");
		strcpy(ev.install, "once");
	}
	strcpy(ev.duid, duid);
	strcpy(ev.iaid, "1");
	event_duid_mac(duid, ev.mac);
	strcpy(ev.ip, ip);
	assert_int_equal(record_event(opts, &ev, &notes, err, sizeof(err)),
			 0);
}

/**
 * Record a TFTP fetch of a node's script.
 *
 * @v opts      Settings
 * @v node      Node
 * @v ip        Peer
 * @v notes     Notes, filled
 */
static void fetch_event(const struct record_opts *opts, const char *node,
			const char *ip, struct record_notes *notes)
{
	struct event ev;
	char err[512];

	memset(&ev, 0, sizeof(ev));
	ev.action = EVENT_TFTP;
	ev.now = 1700000100;
	ev.arch = -1;
	ev.expires = ev.length = -1;
	ev.size = 100;
	strcpy(ev.ip, ip);
	ev.ipv6 = strchr(ip, ':') != NULL;
	snprintf(ev.file, sizeof(ev.file), "/srv/tftp/pxeinv/nodes/%s.ipxe",
		 node);
	strcpy(ev.file_node, node);
	assert_int_equal(record_event(opts, &ev, notes, err, sizeof(err)), 0);
}

/** The peer field of the last tftp journal line walked */
static char last_peer[8];

/**
 * Keep the peer of tftp lines.
 *
 * @v rec       Line
 * @v ctx       Unused
 * @ret stop    0
 */
static int keep_peer(const struct journal_rec *rec, void *ctx)
{
	(void)ctx;
	if (strcmp(rec->event, "tftp") == 0)
		strcpy(last_peer, rec->peer);
	return 0;
}

/**
 * Assert the verdict of the last fetch: marked or not, and journaled so.
 *
 * @v fd        State directory
 * @v notes     Notes of the fetch
 * @v marked    Whether it marked node-p
 */
static void assert_fetch(int fd, const struct record_notes *notes,
			 int marked)
{
	last_peer[0] = '\0';
	assert_int_equal(journal_walk(fd, keep_peer, NULL, NULL), 0);
	assert_string_equal(last_peer, marked ? "node" : "other");
	assert_int_equal(notes->once_marked, marked);
	assert_int_equal(notes->once_refused, !marked);
	assert_int_equal(state_once_is_marked(fd, "node-p", NULL), marked);
}

/**
 * Boot-once: only the node itself uses up its install.  A fetch of its
 * script from an address without a lease, from another machine's lease,
 * from an unidentified iPXE's lease, from the node's former address, or
 * from its address once released or handed to another machine, leaves
 * it armed and is journaled as another peer's; from the address of its
 * latest lease it marks.
 *
 * @v state     cmocka state
 */
static void test_record_once_peer(void **state)
{
	struct record_opts opts = { dir, JOURNAL_MAX_DEFAULT };
	struct record_notes notes;
	struct kvfile f;
	int fd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	lease_event(&opts, EVENT_ADD, "node-p", "52:54:00:aa:00:20",
		    "10.0.0.20");
	fetch_event(&opts, "node-p", "10.0.0.99", &notes);
	assert_fetch(fd, &notes, 0);
	lease_event(&opts, EVENT_ADD, "node-q", "52:54:00:aa:00:21",
		    "10.0.0.21");
	fetch_event(&opts, "node-p", "10.0.0.21", &notes);
	assert_fetch(fd, &notes, 0);
	lease_event(&opts, EVENT_ADD, "unknown", "52:54:00:ee:00:22",
		    "10.0.0.22");
	fetch_event(&opts, "node-p", "10.0.0.22", &notes);
	assert_fetch(fd, &notes, 0);
	assert_int_equal(kv_read(fd, "nodes/node-p", &f), 0);
	assert_int_equal(kv_get_num(&f, "other_fetches"), 3);
	assert_string_equal(kv_get(&f, "last_other_fetch_ip"), "10.0.0.22");

	/* the node moves: its former address is not it any more */
	lease_event(&opts, EVENT_ADD, "node-p", "52:54:00:aa:00:20",
		    "10.0.0.23");
	fetch_event(&opts, "node-p", "10.0.0.20", &notes);
	assert_fetch(fd, &notes, 0);
	/* a renewal keeps it */
	lease_event(&opts, EVENT_OLD, "node-p", "52:54:00:aa:00:20",
		    "10.0.0.23");
	/* released, then handed to an unsteered machine */
	lease_event(&opts, EVENT_DEL, NULL, "52:54:00:aa:00:20", "10.0.0.23");
	fetch_event(&opts, "node-p", "10.0.0.23", &notes);
	assert_fetch(fd, &notes, 0);
	lease_event(&opts, EVENT_ADD, NULL, "52:54:00:bb:00:23", "10.0.0.23");
	fetch_event(&opts, "node-p", "10.0.0.23", &notes);
	assert_fetch(fd, &notes, 0);
	/* a corrupt node file says nothing about the node's address (and,
	 * set aside, nothing about its install mode) */
	lease_event(&opts, EVENT_ADD, "node-p", "52:54:00:aa:00:20",
		    "10.0.0.23");
	assert_int_equal(state_put(fd, PXEINV_STATE_NODES, "node-p", "junk\n",
				   5), 0);
	fetch_event(&opts, "node-p", "10.0.0.23", &notes);
	last_peer[0] = '\0';
	assert_int_equal(journal_walk(fd, keep_peer, NULL, NULL), 0);
	assert_string_equal(last_peer, "other");
	assert_false(state_once_is_marked(fd, "node-p", NULL));
	/* back to the node: the fetch marks */
	lease_event(&opts, EVENT_ADD, "node-p", "52:54:00:aa:00:20",
		    "10.0.0.23");
	fetch_event(&opts, "node-p", "10.0.0.23", &notes);
	assert_fetch(fd, &notes, 1);
	close(fd);
}

/**
 * Boot-once over IPv6: the same rule, with the DHCPv6 lease.  A fetch
 * from the node's own DHCPv6 address marks; from an address without a
 * lease, another client's, a link-local one, or its IPv4 address when
 * its IPv4 lease is gone, it does not.  A DHCPv6 lease leaves the node's
 * IPv4 lease (ip, mac) alone, and the reverse.
 *
 * @v state     cmocka state
 */
static void test_record_once_peer_dhcpv6(void **state)
{
	static const char duid_p[] = "00:01:00:01:2c:d0:00:01:52:54:00:aa:00:30";
	static const char duid_q[] = "00:04:11:22:33:44:55:66:77:88:99:aa:bb:"
				     "cc:dd:ee:ff:00";
	struct record_opts opts = { dir, JOURNAL_MAX_DEFAULT };
	struct record_notes notes;
	struct kvfile f;
	int fd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	lease_event(&opts, EVENT_ADD, "node-p", "52:54:00:aa:00:30",
		    "10.0.0.30");
	lease6_event(&opts, EVENT_ADD, "node-p", duid_p, "fd00::30");
	assert_int_equal(kv_read(fd, "nodes/node-p", &f), 0);
	assert_string_equal(kv_get(&f, "ip"), "10.0.0.30");
	assert_string_equal(kv_get(&f, "mac"), "52:54:00:aa:00:30");
	assert_string_equal(kv_get(&f, "ip6"), "fd00::30");
	assert_string_equal(kv_get(&f, "duid"), duid_p);
	assert_string_equal(kv_get(&f, "iaid"), "1");
	assert_string_equal(kv_get(&f, "mac6"), "52:54:00:aa:00:30");
	assert_string_equal(kv_get(&f, "via"), "dhcpv6");
	assert_int_equal(kv_get_num(&f, "last6"), 1700000000);
	assert_int_equal(kv_get_num(&f, "boots"), 1);

	fetch_event(&opts, "node-p", "fd00::99", &notes);
	assert_fetch(fd, &notes, 0);
	fetch_event(&opts, "node-p", "fe80::5054:ff:feaa:30", &notes);
	assert_fetch(fd, &notes, 0);
	lease6_event(&opts, EVENT_ADD, "node-q", duid_q, "fd00::31");
	fetch_event(&opts, "node-p", "fd00::31", &notes);
	assert_fetch(fd, &notes, 0);
	/* its address handed to another client */
	lease6_event(&opts, EVENT_DEL, NULL, duid_p, "fd00::30");
	lease6_event(&opts, EVENT_ADD, NULL, duid_q, "fd00::30");
	fetch_event(&opts, "node-p", "fd00::30", &notes);
	assert_fetch(fd, &notes, 0);
	lease6_event(&opts, EVENT_DEL, NULL, duid_q, "fd00::30");
	/* its own DHCPv6 lease, back again: marks */
	lease6_event(&opts, EVENT_ADD, "node-p", duid_p, "fd00::30");
	fetch_event(&opts, "node-p", "fd00::30", &notes);
	assert_fetch(fd, &notes, 1);
	assert_int_equal(state_once_clear(fd, "node-p"), 0);
	/* the IPv4 lease still counts, by the IPv4 rule */
	lease_event(&opts, EVENT_OLD, "node-p", "52:54:00:aa:00:30",
		    "10.0.0.30");
	assert_int_equal(kv_read(fd, "nodes/node-p", &f), 0);
	assert_string_equal(kv_get(&f, "via"), "dhcp");
	assert_string_equal(kv_get(&f, "ip6"), "fd00::30");
	fetch_event(&opts, "node-p", "10.0.0.30", &notes);
	assert_fetch(fd, &notes, 1);
	assert_int_equal(state_once_clear(fd, "node-p"), 0);
	close(fd);
}

/**
 * Boot-once over IPv6 for a node dnsmasq never steered: the fallback
 * dispatcher's iPXE client, found by the MAC its lease's DUID carries;
 * a DUID without one leaves the node armed.
 *
 * @v state     cmocka state
 */
static void test_record_once_fallback_dhcpv6(void **state)
{
	static const char duid_u[] = "00:03:00:01:52:54:00:ee:00:40";
	static const char duid_e[] = "00:02:00:00:01:57:01:02";
	struct record_opts opts = { dir, JOURNAL_MAX_DEFAULT };
	struct record_notes notes;
	struct kvfile f;
	int fd;

	(void)state;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	/* a DUID-EN client carries no MAC: it has no unknown/ file, and
	 * its address is not the fallback's client */
	lease6_event(&opts, EVENT_ADD, "unknown", duid_e, "fd00::41");
	assert_int_equal(kv_read(fd, "unknown/52-54-00-ee-00-40", &f),
			 -ENOENT);
	{
		struct event ev;
		char err[512];

		memset(&ev, 0, sizeof(ev));
		ev.action = EVENT_TFTP;
		ev.now = 1700000100;
		ev.arch = -1;
		ev.expires = ev.length = -1;
		ev.ipv6 = 1;
		strcpy(ev.ip, "fd00::41");
		strcpy(ev.file, "/srv/tftp/pxeinv/nodes/node-u.ipxe");
		strcpy(ev.file_node, "node-u");
		assert_int_equal(record_event(&opts, &ev, &notes, err,
					      sizeof(err)), 0);
		last_peer[0] = '\0';
		assert_int_equal(journal_walk(fd, keep_peer, NULL, NULL), 0);
		assert_string_equal(last_peer, "other");
	}
	lease6_event(&opts, EVENT_ADD, "unknown", duid_u, "fd00::40");
	assert_int_equal(kv_read(fd, "unknown/52-54-00-ee-00-40", &f), 0);
	assert_string_equal(kv_get(&f, "mac"), "52:54:00:ee:00:40");
	assert_string_equal(kv_get(&f, "ip6"), "fd00::40");
	assert_string_equal(kv_get(&f, "duid"), duid_u);
	last_peer[0] = '\0';
	fetch_event(&opts, "node-u", "fd00::40", &notes);
	assert_int_equal(journal_walk(fd, keep_peer, NULL, NULL), 0);
	assert_string_equal(last_peer, "node");
	last_peer[0] = '\0';
	fetch_event(&opts, "node-u", "fd00::41", &notes);
	assert_int_equal(journal_walk(fd, keep_peer, NULL, NULL), 0);
	assert_string_equal(last_peer, "other");
	close(fd);
}

/** Concurrent recorders, and events each */
#define RACE_WRITERS 4
#define RACE_EVENTS 100

/**
 * Counters: recorders running at once (two dnsmasq instances sharing a
 * state directory) lose no update of a node's or the global counters.
 *
 * @v state     cmocka state
 */
static void test_record_concurrent_counters(void **state)
{
	struct record_opts opts = { dir, JOURNAL_MAX_DEFAULT };
	struct kvfile f;
	pid_t pid[RACE_WRITERS];
	int i, fd, status;

	(void)state;
	for (i = 0; i < RACE_WRITERS; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			int n;

			for (n = 0; n < RACE_EVENTS; n++)
				lease_event(&opts, EVENT_OLD, "node-r",
					    "52:54:00:aa:00:30", "10.0.0.30");
			_exit(0);
		}
	}
	for (i = 0; i < RACE_WRITERS; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(kv_read(fd, "nodes/node-r", &f), 0);
	assert_int_equal(kv_get_num(&f, "ev_ipxe"), RACE_WRITERS * RACE_EVENTS);
	assert_int_equal(kv_read(fd, "global", &f), 0);
	assert_int_equal(kv_get_num(&f, "events"), RACE_WRITERS * RACE_EVENTS);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_parse),
		cmocka_unit_test_setup_teardown(test_kv_roundtrip, setup,
						teardown),
		cmocka_unit_test(test_journal_format_parse),
		cmocka_unit_test_setup_teardown(test_journal_append_rotate,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_leasedb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leasedb_dhcpv6, setup,
						teardown),
		cmocka_unit_test(test_stub),
		cmocka_unit_test(test_is_boot),
		cmocka_unit_test_setup_teardown(test_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_script_install,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_once_peer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_record_once_peer_dhcpv6,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_once_fallback_dhcpv6,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_concurrent_counters,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
