/*
 * pxeinv-hook: the dnsmasq dhcp-script of pxeinv.
 *
 * Set by the fragment `pxeinv compile --hook PATH` writes (dhcp-script=).
 * Records every add/old/del/tftp event in the state directory
 * ($PXEINV_STATE_DIR, which the patched dnsmasq sets to the state:DIR of
 * its pxe-inventory= option; default /var/lib/pxeinv; see state.h) and
 * answers `init` with the stored leases when dnsmasq runs with leasefile-ro.
 *
 * It never holds DHCP up: a fixed, small amount of work per event, no
 * network, no shell, a lock only other hooks hold, briefly, and a hard
 * time limit.  Whatever goes wrong
 * (state directory missing, read-only, full) it logs once, to syslog and
 * to dnsmasq's log (standard error), and exits 0.  It is meant to run as
 * an unprivileged user (dnsmasq's dhcp-scriptuser) owning the state
 * directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "version.h"
#include "parse.h"
#include "../state/journal.h"
#include "../state/record.h"
#include "../state/state.h"

extern char **environ;

/** Seconds after which the hook gives up on an event */
#define HOOK_TIME_LIMIT 10

/**
 * Log a message to syslog and to standard error (which dnsmasq copies
 * into its own log).
 *
 * @v prio      syslog priority
 * @v msg       Message
 */
static void hook_log(int prio, const char *msg)
{
	openlog("pxeinv-hook", LOG_PID, LOG_DAEMON);
	syslog(prio, "%s", msg);
	closelog();
	fprintf(stderr, "pxeinv-hook: %s\n", msg);
}

/**
 * Name of the flag that says a failure was already logged: a file in
 * /dev/shm (the state directory may be the thing that fails), one per
 * user and state directory.  Only a flag of this user's counts
 * (hook_flag_is_ours()).
 *
 * @v dir       State directory
 * @v out       Buffer, 128 bytes
 */
static void hook_flag_name(const char *dir, char *out)
{
	uint32_t h = 2166136261u;       /* FNV-1a */

	for (; *dir; dir++)
		h = (h ^ (unsigned char)*dir) * 16777619u;
	snprintf(out, 128, "/dev/shm/pxeinv-hook.%ld.%08lx.failing",
		 (long)getuid(), (unsigned long)h);
}

/**
 * Tell whether the flag is one this user made: its name is predictable,
 * and /dev/shm is writable by everyone, so a flag another user created
 * first (or a link) must not silence the hook.
 *
 * @v flag      Flag path
 * @ret ours    1 when it is a regular file, owned by this user, one link
 */
static int hook_flag_is_ours(const char *flag)
{
	struct stat st;

	return lstat(flag, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_uid == geteuid() && st.st_nlink == 1;
}

/**
 * Log a failure, once until the next success.
 *
 * @v dir       State directory
 * @v msg       Message
 */
static void hook_failed(const char *dir, const char *msg)
{
	char flag[128], line[1024];
	int fd;

	hook_flag_name(dir, flag);
	fd = open(flag, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0 && errno == EEXIST && hook_flag_is_ours(flag))
		return;         /* already said */
	if (fd >= 0)
		close(fd);
	snprintf(line, sizeof(line), "%s; events are not recorded until "
		 "this is fixed (DHCP is not affected)", msg);
	hook_log(LOG_ERR, line);
}

/**
 * Clear the failure flag after a success, saying so once.
 *
 * @v dir       State directory
 */
static void hook_recovered(const char *dir)
{
	char flag[128], line[600];

	hook_flag_name(dir, flag);
	if (unlink(flag) == 0) {
		snprintf(line, sizeof(line), "%s: recording events again",
			 dir);
		hook_log(LOG_NOTICE, line);
	}
}

/**
 * Read the journal size limit ($PXEINV_JOURNAL_MAX, bytes).
 *
 * @ret max     Limit
 */
static long long hook_journal_max(void)
{
	const char *v = getenv("PXEINV_JOURNAL_MAX");
	char *end;
	long long n;

	if (!v || !*v)
		return JOURNAL_MAX_DEFAULT;
	n = strtoll(v, &end, 10);
	return (*end || n < 4096) ? JOURNAL_MAX_DEFAULT : n;
}

/**
 * Print the usage (when run by hand).
 */
static void hook_usage(void)
{
	printf("Usage: pxeinv-hook add|old|del MAC IP [HOSTNAME]\n"
	       "       pxeinv-hook add|old|del DUID IPV6 [HOSTNAME]  (DHCPv6)\n"
	       "       pxeinv-hook tftp SIZE PEER-IP PATH\n"
	       "       pxeinv-hook init\n\n"
	       "The dnsmasq dhcp-script of pxeinv (dhcp-script=, set by "
	       "'pxeinv compile --hook').\nRecords events in $%s "
	       "(default %s), which the patched\ndnsmasq sets to the "
	       "state:DIR of pxe-inventory=: journal.jsonl, nodes/,\n"
	       "unknown/, once/, installed/, leases/, metrics/. 'init' "
	       "prints the stored\nleases (leasefile-ro).\nRun it as "
	       "dnsmasq's dhcp-scriptuser, the owner of the state "
	       "directory.\nSee 'pxeinv status' and 'pxeinv rearm'.\n",
	       PXEINV_STATE_DIR_ENV, PXEINV_STATE_DIR_DEFAULT);
}

/**
 * Main entry point.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    0, always, for dnsmasq (2 for a usage error by hand)
 */
int main(int argc, char **argv)
{
	struct record_opts opts;
	struct record_notes notes;
	struct event ev;
	char err[1024], msg[1200];
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		hook_usage();
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") ||
			  !strcmp(argv[1], "-V"))) {
		printf("pxeinv-hook %s\n", PXEINV_VERSION);
		return 0;
	}
	alarm(HOOK_TIME_LIMIT);
	umask(022);
	opts.state_dir = state_dir_default();
	opts.journal_max = hook_journal_max();

	rc = hook_event_parse(&ev, argc, argv, environ, time(NULL), err,
			      sizeof(err));
	if (rc == HOOK_EVENT_IGNORE)
		return 0;
	if (rc == HOOK_EVENT_BAD) {
		snprintf(msg, sizeof(msg), "event ignored: %s", err);
		hook_log(LOG_WARNING, msg);
		return isatty(STDIN_FILENO) ? 2 : 0;
	}
	if (ev.action == EVENT_INIT) {
		/* dnsmasq refuses to start when init fails: an unreadable
		 * lease database is logged and counts as empty */
		if (record_init(&opts, stdout, err, sizeof(err)) != 0)
			hook_failed(opts.state_dir, err);
		fflush(stdout);
		return 0;
	}
	if (record_event(&opts, &ev, &notes, err, sizeof(err)) != 0) {
		hook_failed(opts.state_dir, err);
		return 0;
	}
	hook_recovered(opts.state_dir);
	if (notes.warning[0])
		hook_log(LOG_WARNING, notes.warning);
	if (notes.once_marked) {
		snprintf(msg, sizeof(msg), "%s: installer script fetched from "
			 "%s; boot-once: it now gets pxeinv/exit.ipxe "
			 "('pxeinv rearm %s' to install again)", ev.file_node,
			 ev.ip, ev.file_node);
		hook_log(LOG_NOTICE, msg);
	}
	if (notes.once_refused) {
		snprintf(msg, sizeof(msg), "%s: installer script fetched from "
			 "%s, which is not the node's leased address; "
			 "boot-once: still armed", ev.file_node, ev.ip);
		hook_log(LOG_NOTICE, msg);
	}
	return 0;
}
