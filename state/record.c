/*
 * pxeinv state: record one event (see record.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "kvfile.h"
#include "leasedb.h"
#include "metrics.h"
#include "record.h"
#include "state.h"
#include "stub.h"

/** Recording context of one event */
struct rec_ctx {
	const struct record_opts *opts;
	const struct event *ev;
	struct record_notes *notes;
	int dirfd;
	char *err;
	size_t errlen;
};

/**
 * Describe a failure.
 *
 * @v c         Context
 * @v rc        -errno
 * @v fmt       Path format, relative to the state directory
 * @ret rc      rc
 */
static int rec_fail(struct rec_ctx *c, int rc, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s%s%s: %s", c->opts->state_dir,
		 path[0] ? "/" : "", path, strerror(-rc));
	return rc;
}

int record_is_boot(const char *stage, const char *last_stage, long long last,
		   long long now)
{
	if (strcmp(stage, "firmware") == 0 || strcmp(stage, "httpboot") == 0)
		return 1;
	if (strcmp(stage, "ipxe") != 0)
		return 0;
	/* iPXE right after the firmware stage: the same boot */
	if ((strcmp(last_stage, "firmware") == 0 ||
	     strcmp(last_stage, "httpboot") == 0) &&
	    now >= last && now - last <= RECORD_BOOT_WINDOW)
		return 0;
	return 1;
}

/**
 * Load a state file; a corrupt one is set aside (NAME.corrupt) and
 * started afresh, with a warning.
 *
 * @v c         Context
 * @v fd        Directory
 * @v sub       Its name, for messages ("" for the state directory)
 * @v name      File
 * @v f         Contents
 * @v fresh     Set when the file did not exist (or was corrupt)
 * @ret rc      0 or -errno
 */
static int rec_load(struct rec_ctx *c, int fd, const char *sub,
		    const char *name, struct kvfile *f, int *fresh)
{
	char aside[128];
	int rc;

	*fresh = 0;
	rc = kv_read(fd, name, f);
	if (rc == 0)
		return 0;
	if (rc == -ENOENT) {
		*fresh = 1;
		return 0;
	}
	if (rc != -EINVAL)
		return rec_fail(c, rc, "%s%s%s", sub, sub[0] ? "/" : "", name);
	snprintf(aside, sizeof(aside), "%s.corrupt", name);
	renameat(fd, name, fd, aside);
	snprintf(c->notes->warning, sizeof(c->notes->warning),
		 "%s/%s%s%s: corrupt state file, moved to %s and started "
		 "afresh", c->opts->state_dir, sub, sub[0] ? "/" : "", name,
		 aside);
	f->count = 0;
	*fresh = 1;
	return 0;
}

/**
 * Store a state file.
 *
 * @v c         Context
 * @v fd        Directory
 * @v sub       Its name, for messages
 * @v name      File
 * @v f         Contents
 * @ret rc      0 or -errno
 */
static int rec_store(struct rec_ctx *c, int fd, const char *sub,
		     const char *name, const struct kvfile *f)
{
	int rc = kv_write(fd, name, f);

	return rc ? rec_fail(c, rc, "%s%s%s", sub, sub[0] ? "/" : "", name) :
		0;
}

/**
 * Set the identity fields an event reports.  An IPv4 lease sets ip and
 * mac; a DHCPv6 lease sets ip6, duid, iaid and mac6 instead, so that
 * either family's lease leaves the other's alone (the boot-once rule
 * compares a TFTP peer with the lease of its own family).  Both set via,
 * the protocol of the node's latest lease: "dhcp" or "dhcpv6".
 *
 * @v f         State
 * @v ev        Event
 */
static void rec_identity(struct kvfile *f, const struct event *ev)
{
	const char *arch = pxeinv_arch_name(ev->arch);

	if (ev->ipv6) {
		kv_set(f, "ip6", ev->ip);
		kv_set(f, "duid", ev->duid);
		kv_set(f, "iaid", ev->iaid);
		kv_set(f, "mac6", ev->mac);
		kv_set_num(f, "last6", ev->now);
		kv_set(f, "via", "dhcpv6");
	} else {
		kv_set(f, "ip", ev->ip);
		kv_set(f, "mac", ev->mac);
		kv_set(f, "via", "dhcp");
	}
	if (arch)
		kv_set(f, "arch", arch);
	if (ev->vendor_class[0])
		kv_set(f, "vendor_class", ev->vendor_class);
	if (ev->user_class[0])
		kv_set(f, "user_class", ev->user_class);
	if (ev->serial[0])
		kv_set(f, "serial", ev->serial);
	if (ev->board_serial[0])
		kv_set(f, "board_serial", ev->board_serial);
	if (ev->hostname[0])
		kv_set(f, "hostname", ev->hostname);
}

/**
 * Count a stage event in a state file.
 *
 * @v f         State
 * @v prefix    Counter prefix ("ev_" or "ev_unknown_")
 * @v stage     Stage
 */
static void rec_count_stage(struct kvfile *f, const char *prefix,
			    const char *stage)
{
	char key[KV_KEY_MAX];

	snprintf(key, sizeof(key), "%s%s", prefix, stage);
	kv_set_num(f, key, kv_get_num(f, key) + 1);
}

/**
 * Record a DHCP event of a known node.
 *
 * @v c         Context
 * @v g         Global state
 * @ret rc      0 or -errno
 */
static int rec_node(struct rec_ctx *c, struct kvfile *g)
{
	const struct event *ev = c->ev;
	struct kvfile st;
	const char *ls, *via;
	int fd, rc, fresh, boot;

	fd = state_subdir(c->dirfd, PXEINV_STATE_NODES, 1);
	if (fd < 0)
		return rec_fail(c, fd, PXEINV_STATE_NODES);
	if ((rc = rec_load(c, fd, PXEINV_STATE_NODES, ev->node, &st, &fresh)))
		goto out;
	if (fresh) {
		kv_set(&st, "node", ev->node);
		kv_set_num(&st, "first", ev->now);
	}
	ls = kv_get(&st, "stage");
	boot = record_is_boot(ev->stage, ls ? ls : "",
			      kv_get_num(&st, "last"), ev->now);
	/* a firmware or iPXE that asks over both protocols: the other
	 * protocol's lease of the same stage, just before, is this boot */
	via = kv_get(&st, "via");
	if (boot && ls && strcmp(ls, ev->stage) == 0 && via &&
	    strcmp(via, ev->ipv6 ? "dhcp" : "dhcpv6") == 0 &&
	    ev->now >= kv_get_num(&st, "last") &&
	    ev->now - kv_get_num(&st, "last") <= RECORD_BOOT_WINDOW)
		boot = 0;
	kv_set(&st, "stage", ev->stage);
	kv_set(&st, "install", ev->install);
	kv_set(&st, "event", event_action_name(ev->action));
	kv_set_num(&st, "last", ev->now);
	rec_identity(&st, ev);
	rec_count_stage(&st, "ev_", ev->stage);
	if (boot) {
		kv_set_num(&st, "boots", kv_get_num(&st, "boots") + 1);
		kv_set_num(&st, "last_boot", ev->now);
		kv_set_num(g, "last_boot", ev->now);
	}
	if ((rc = rec_store(c, fd, PXEINV_STATE_NODES, ev->node, &st)))
		goto out;
	if ((rc = metrics_write_node(c->dirfd, ev->node, &st)))
		rc = rec_fail(c, rc, PXEINV_STATE_METRICS "/node-%s.prom", ev->node);
out:
	close(fd);
	return rc;
}

/**
 * Record a DHCP event of a machine the inventory does not know.
 *
 * @v c         Context
 * @v g         Global state
 * @ret rc      0 or -errno
 */
static int rec_unknown(struct rec_ctx *c, struct kvfile *g)
{
	const struct event *ev = c->ev;
	struct kvfile u;
	char name[64], yname[80], stub[2048];
	const char *ls;
	int fd, rc, fresh, len;

	/* unknown/ is by MAC: a DHCPv6 client whose MAC neither dnsmasq
	 * nor its DUID tells is in the journal only */
	if (!ev->mac[0])
		return 0;
	state_mac_name(ev->mac, name);
	fd = state_subdir(c->dirfd, PXEINV_STATE_UNKNOWN, 1);
	if (fd < 0)
		return rec_fail(c, fd, PXEINV_STATE_UNKNOWN);
	if ((rc = rec_load(c, fd, PXEINV_STATE_UNKNOWN, name, &u, &fresh)))
		goto out;
	if (fresh) {
		kv_set_num(&u, "first", ev->now);
		kv_set_num(g, "unknown_machines",
			   kv_get_num(g, "unknown_machines") + 1);
		c->notes->new_unknown = 1;
	}
	ls = kv_get(&u, "stage");
	if (record_is_boot(ev->stage, ls ? ls : "", kv_get_num(&u, "last"),
			   ev->now))
		kv_set_num(g, "last_boot", ev->now);
	kv_set_num(&u, "count", kv_get_num(&u, "count") + 1);
	kv_set_num(&u, "last", ev->now);
	kv_set(&u, "stage", ev->stage);
	rec_identity(&u, ev);
	if (ev->ipv6)
		kv_set(&u, "mac", ev->mac);     /* the stub's identity */
	rec_count_stage(g, "ev_unknown_", ev->stage);
	if ((rc = rec_store(c, fd, PXEINV_STATE_UNKNOWN, name, &u)))
		goto out;
	len = stub_render(&u, stub, sizeof(stub));
	snprintf(yname, sizeof(yname), "%s.yaml", name);
	if (len > 0 && (rc = kv_write_raw(fd, yname, stub, len)))
		rc = rec_fail(c, rc, PXEINV_STATE_UNKNOWN "/%s", yname);
out:
	close(fd);
	return rc;
}

/** How much of a node script is read for its "# install: MODE" line */
#define REC_SCRIPT_HEAD 512

/**
 * Read the install mode a node script declares ("# install: once").
 *
 * The fetched script is the compiled truth even for a node that dnsmasq
 * did not identify (no tags), whose script the fallback dispatcher
 * chained.
 *
 * @v path      Absolute path dnsmasq served
 * @v mode      Output, 8 bytes ("" when none)
 */
static void rec_script_install(const char *path, char *mode)
{
	static const char line[] = "\n# install: ";
	char head[REC_SCRIPT_HEAD + 1], *p;
	ssize_t len;
	size_t n;
	int fd;

	mode[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	len = read(fd, head, REC_SCRIPT_HEAD);
	close(fd);
	if (len <= 0)
		return;
	head[len] = '\0';
	p = strstr(head, line);
	if (!p)
		return;
	p += sizeof(line) - 1;
	n = strcspn(p, "\n");
	if (p[n] != '\n')
		return;         /* cut by the read: not a whole line */
	p[n] = '\0';
	/* the whole word: "on" is not "once" */
	if (pxeinv_install_parse(p, strlen(p)) != PXEINV_INSTALL_UNKNOWN)
		strcpy(mode, p);
}

/**
 * Tell whether the peer of a TFTP transfer is the node whose script it
 * fetched.
 *
 * It is when the peer's address is the one dnsmasq last leased to the
 * client it steered as that node (nodes/NODE "ip", or "ip6" for an IPv6
 * peer, which add and old events write: dnsmasq's main loop queues a
 * pending lease event before any finished transfer, and its helper runs
 * one script at a time, in order, so the node's add comes before its
 * fetch), and that lease is still that client's (leases/IP holds its MAC,
 * or for IPv6 its DUID, the same as nodes/NODE "mac" or "duid": not
 * released, not handed to another machine).
 * For a node that dnsmasq never steered (it could not identify it), it is
 * when the address's lease belongs to an iPXE client that dnsmasq could
 * not identify either (unknown/MAC at that address, stage ipxe): the
 * fallback dispatcher chained the script.  For IPv6 that MAC is the one
 * the lease's DUID carries (DUID-LL, DUID-LLT): the lease database keeps
 * a DHCPv6 lease's DUID, not its MAC.  An address with no lease is never
 * the node (nor is a link-local one, which no lease holds).
 *
 * @v c         Context
 * @ret is_node 1 or 0
 */
static int rec_peer_is_node(struct rec_ctx *c)
{
	const struct event *ev = c->ev;
	const char *ipkey = ev->ipv6 ? "ip6" : "ip";
	const char *idkey = ev->ipv6 ? "duid" : "mac";
	char client[EVENT_DUID_TEXT], mac[64], name[64];
	const char *ip, *own;
	struct kvfile f;
	int fd, rc;

	if (leasedb_client(c->dirfd, ev->ip, client) != 0)
		return 0;
	fd = state_subdir(c->dirfd, PXEINV_STATE_NODES, 0);
	rc = fd < 0 ? fd : kv_read(fd, ev->file_node, &f);
	if (fd >= 0)
		close(fd);
	if (rc != 0 && rc != -ENOENT)
		return 0;
	if (rc == 0 && (ip = kv_get(&f, ipkey))) {
		own = kv_get(&f, idkey);
		return strcmp(ip, ev->ip) == 0 && own &&
		       strcmp(own, client) == 0;
	}
	/* never steered as this node: the fallback dispatcher's client */
	if (ev->ipv6 && !event_duid_mac(client, mac))
		return 0;
	state_mac_name(ev->ipv6 ? mac : client, name);
	fd = state_subdir(c->dirfd, PXEINV_STATE_UNKNOWN, 0);
	rc = fd < 0 ? fd : kv_read(fd, name, &f);
	if (fd >= 0)
		close(fd);
	return rc == 0 && (ip = kv_get(&f, ipkey)) &&
	       strcmp(ip, ev->ip) == 0 &&
	       (own = kv_get(&f, "stage")) && strcmp(own, "ipxe") == 0;
}

/**
 * Record a TFTP transfer: a node's own script, fetched by that node,
 * marks a boot-once node as installed; fetched from another address, it
 * is counted as such and marks nothing.
 *
 * @v c         Context
 * @ret rc      0 or -errno
 */
static int rec_tftp(struct rec_ctx *c)
{
	const struct event *ev = c->ev;
	const char *inst;
	struct kvfile st;
	char mode[8];
	int fd, rc, fresh;

	if (!ev->file_node[0])
		return 0;
	fd = state_subdir(c->dirfd, PXEINV_STATE_NODES, 1);
	if (fd < 0)
		return rec_fail(c, fd, PXEINV_STATE_NODES);
	if ((rc = rec_load(c, fd, PXEINV_STATE_NODES, ev->file_node, &st, &fresh)))
		goto out;
	if (fresh) {
		kv_set(&st, "node", ev->file_node);
		kv_set_num(&st, "first", ev->now);
	}
	kv_set_num(&st, "fetches", kv_get_num(&st, "fetches") + 1);
	kv_set_num(&st, "last_fetch", ev->now);
	kv_set(&st, "last_fetch_ip", ev->ip);
	if (strcmp(ev->peer, "node") != 0) {
		kv_set_num(&st, "other_fetches",
			   kv_get_num(&st, "other_fetches") + 1);
		kv_set(&st, "last_other_fetch_ip", ev->ip);
	}
	/* What the script says, else what dnsmasq's tags said */
	rec_script_install(ev->file, mode);
	if (mode[0])
		kv_set(&st, "install", mode);
	inst = kv_get(&st, "install");
	/* The script of a boot-once node was fetched by that node: dnsmasq
	 * hands out the exit script from now on.  Another address's fetch
	 * leaves it armed */
	if (inst && strcmp(inst, "once") == 0 &&
	    strcmp(ev->peer, "node") != 0) {
		c->notes->once_refused = 1;
	} else if (inst && strcmp(inst, "once") == 0) {
		if ((rc = state_once_mark(c->dirfd, ev->file_node, ev->now,
					  ev->ip))) {
			rc = rec_fail(c, rc, PXEINV_STATE_ONCE "/%s", ev->file_node);
			goto out;
		}
		c->notes->once_marked = 1;
	}
	if ((rc = rec_store(c, fd, PXEINV_STATE_NODES, ev->file_node, &st)))
		goto out;
	if ((rc = metrics_write_node(c->dirfd, ev->file_node, &st)))
		rc = rec_fail(c, rc, PXEINV_STATE_METRICS "/node-%s.prom",
			      ev->file_node);
out:
	close(fd);
	return rc;
}

int record_event(const struct record_opts *opts, const struct event *ev,
		 struct record_notes *notes, char *err, size_t errlen)
{
	struct rec_ctx c = { opts, ev, notes, -1, err, errlen };
	char line[JOURNAL_LINE_MAX];
	struct event tftp;
	struct kvfile g;
	size_t len;
	int rc, fresh, lockfd = -1;

	memset(notes, 0, sizeof(*notes));
	err[0] = '\0';
	c.dirfd = open(opts->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.dirfd < 0)
		return rec_fail(&c, -errno, "");
	/* one recorder at a time: counters are read, changed and renamed
	 * back (two dnsmasq instances may share the directory) */
	lockfd = state_lock(c.dirfd);
	if (lockfd < 0) {
		rc = rec_fail(&c, lockfd, PXEINV_STATE_LOCK);
		goto out;
	}
	if (ev->action == EVENT_TFTP && ev->file_node[0]) {
		tftp = *ev;
		strcpy(tftp.peer, rec_peer_is_node(&c) ? "node" : "other");
		c.ev = ev = &tftp;
	}
	len = journal_format(ev, line);
	if ((rc = journal_append(c.dirfd, line, len, opts->journal_max))) {
		rec_fail(&c, rc, JOURNAL_FILE);
		goto out;
	}
	if (ev->action != EVENT_TFTP &&
	    (rc = leasedb_update(c.dirfd, ev))) {
		rec_fail(&c, rc, PXEINV_STATE_LEASES "/%s", ev->ip);
		goto out;
	}
	if ((rc = rec_load(&c, c.dirfd, "", PXEINV_STATE_GLOBAL, &g, &fresh)))
		goto out;
	kv_set_num(&g, "events", kv_get_num(&g, "events") + 1);
	kv_set_num(&g, "last_event", ev->now);
	if (ev->action == EVENT_TFTP)
		rc = rec_tftp(&c);
	else if (ev->steered && ev->stage[0] && ev->action != EVENT_DEL)
		rc = strcmp(ev->node, PXEINV_NODE_UNKNOWN) == 0 ? rec_unknown(&c, &g) :
			rec_node(&c, &g);
	if (rc)
		goto out;
	if ((rc = rec_store(&c, c.dirfd, "", PXEINV_STATE_GLOBAL, &g)))
		goto out;
	if ((rc = metrics_write_global(c.dirfd, &g)))
		rec_fail(&c, rc, PXEINV_STATE_METRICS "/" METRICS_GLOBAL);
out:
	if (lockfd >= 0)
		close(lockfd);
	close(c.dirfd);
	return rc;
}

int record_init(const struct record_opts *opts, FILE *out, char *err,
		size_t errlen)
{
	unsigned long count = 0;
	char line[JOURNAL_LINE_MAX];
	int dirfd, rc;
	size_t len;

	err[0] = '\0';
	dirfd = open(opts->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rc = -errno;
		/* no state yet: no leases */
		if (rc == -ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", opts->state_dir,
			 strerror(-rc));
		return rc;
	}
	rc = leasedb_dump(dirfd, out, &count);
	if (rc)
		snprintf(err, errlen, "%s/" PXEINV_STATE_LEASES ": %s",
			 opts->state_dir, strerror(-rc));
	/* a note in the journal; not being able to write it is no reason
	 * to refuse dnsmasq its leases */
	len = journal_format_note("init", NULL, time(NULL), line);
	journal_append(dirfd, line, len, opts->journal_max);
	close(dirfd);
	return rc;
}
