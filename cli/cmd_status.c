/*
 * `pxeinv status`: what the hook has seen.  Nodes (stage, last seen,
 * address, boots, boot-once state), unknown machines with their nodes/
 * stubs, stale nodes, and one node's history from the journal.
 *
 * It only reads the state directory, and never locks it: the hook
 * replaces files with rename() and appends whole lines to the journal, so
 * status may run while events arrive.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../cache/pxeinv_cache.h"
#include "../state/event.h"
#include "../state/journal.h"
#include "../state/kvfile.h"
#include "../state/state.h"
#include "../state/stub.h"
#include "../inventory/json_out.h"
#include "../inventory/oom.h"
#include "cli.h"

/** Default age (days) after which a node counts as stale */
#define STATUS_STALE_DAYS 7

/** One node, from its state and/or the inventory */
struct st_node {
	char name[PXEINV_NODE_MAX];
	char stage[16];
	char install[16];
	char ip[48];
	char mac[64];
	char via[8];            /**< latest lease: "dhcp", "dhcpv6", "" */
	char ip6[48];           /**< latest DHCPv6 lease, or "" */
	char mac6[64];          /**< its MAC (dnsmasq's, or the DUID's) */
	char duid[KV_VAL_MAX];  /**< its client DUID */
	char iaid[16];
	long long last6;        /**< its time, 0 never */
	long long last;         /**< last DHCP event, 0 never */
	long long boots;
	long long fetches;
	long long installed;    /**< boot-once marker time, 0 none */
	int seen;               /**< has a state file */
	int corrupt;            /**< its state file is corrupt */
	int in_inv;             /**< in OUT_DIR's inventory */
	char inv_install[16];   /**< install mode there */
};

/** One unknown machine */
struct st_unknown {
	char mac[64];
	char ip[48];
	char ip6[48];           /**< seen over DHCPv6: its address */
	char duid[KV_VAL_MAX];  /**< and DUID */
	char arch[16];
	char serial[PXEINV_SERIAL_MAX];
	char board_serial[PXEINV_SERIAL_MAX];
	long long first, last, count;
	char *stub;
};

/** Everything status prints */
struct st_report {
	struct st_node *nodes;
	size_t nnodes, cap;
	struct st_unknown *unknown;
	size_t nunknown, ucap;
};

/**
 * Print this command's help.
 */
static void status_help(void)
{
	printf("Usage: pxeinv status [OPTIONS] [OUT_DIR] [NODE]\n\n"
	       "Show what the pxeinv hook recorded: every node (stage, last "
	       "seen, IP, MAC,\nboots, boot-once state; a node leased an "
	       "IPv6 address over DHCPv6 gets a\nsecond line, \"dhcpv6 "
	       "ADDRESS duid DUID iaid IAID at TIME\", and its IP and MAC\n"
	       "are those of that lease when it has no IPv4 one), the "
	       "unknown machines with a\nnodes/ stub for each, and the stale "
	       "nodes (not seen for --stale-days, or\nnever: with OUT_DIR, "
	       "every node of its inventory counts). With NODE, that\nnode's "
	       "history from the journal. --json adds via, ip6, mac6, duid, "
	       "iaid and\nlast_seen_dhcpv6 to each node, ip6 and duid to "
	       "each unknown machine, and\nfamily, duid and iaid to each "
	       "history event.\n\n"
	       "The state directory is --state-dir DIR, else the state:DIR "
	       "that compile\n--hook/--state-dir wrote into "
	       "OUT_DIR/pxe-inventory.conf (the directory\ndnsmasq hands "
	       "the hook), else $%s, else %s.\n\n"
	       "Options:\n"
	       "      --state-dir DIR   state directory\n"
	       "      --stale-days N    default %d\n"
	       "      --json            print JSON\n"
	       "  -h, --help            show this help\n"
	       "  -V, --version         show the version\n\n"
	       "Exit status: 0 shown, 1 invalid value, 2 usage, 3 the state "
	       "directory, the\ncache or OUT_DIR's fragment cannot be "
	       "read.\n",
	       PXEINV_STATE_DIR_ENV, PXEINV_STATE_DIR_DEFAULT, STATUS_STALE_DAYS);
}

/**
 * Format a time stamp (UTC).
 *
 * @v t         Seconds, 0 for never
 * @v out       Buffer, 32 bytes
 * @ret out     out
 */
static char *status_time(long long t, char *out)
{
	time_t tt = t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm))
		strcpy(out, "-");
	else
		strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", &tm);
	return out;
}

/**
 * Copy a state value.
 *
 * @v out       Buffer
 * @v size      Size
 * @v f         State
 * @v key       Key
 */
static void status_copy(char *out, size_t size, const struct kvfile *f,
			const char *key)
{
	const char *v = kv_get(f, key);

	snprintf(out, size, "%s", v ? v : "");
}

/**
 * Find or add a node.
 *
 * @v r         Report
 * @v name      Node
 * @ret n       Node (never NULL: the CLI ends when out of memory)
 */
static struct st_node *status_node(struct st_report *r, const char *name)
{
	struct st_node *n;

	if (r->nnodes == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;

		n = realloc(r->nodes, cap * sizeof(*n));
		if (!n)
			abort_out_of_memory("the node list");
		r->nodes = n;
		r->cap = cap;
	}
	n = &r->nodes[r->nnodes++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	return n;
}

/**
 * Open a state subdirectory to read its records one by one.
 *
 * @v dirfd     State directory
 * @v name      Subdirectory (PXEINV_STATE_NODES, PXEINV_STATE_UNKNOWN)
 * @v dp        Its listing, or NULL when the hook has not made it yet
 * @v fdp       Its descriptor (the listing's), for kv_read()
 * @v fp        A record buffer, for kv_read(); freed by the caller
 * @ret rc      0 or -errno (then nothing is left open)
 */
static int status_scan_open(int dirfd, const char *name, DIR **dp, int *fdp,
			    struct kvfile **fp)
{
	int fd, rc;

	*dp = NULL;
	*fp = NULL;
	*fdp = fd = state_subdir(dirfd, name, 0);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (!(*dp = fdopendir(fd))) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (!(*fp = malloc(sizeof(**fp))))
		abort_out_of_memory("a state file");
	return 0;
}

/**
 * Read every node state file.
 *
 * @v r         Report
 * @v dirfd     State directory
 * @ret rc      0 or -errno
 */
static int status_read_nodes(struct st_report *r, int dirfd)
{
	struct kvfile *f;
	struct dirent *de;
	DIR *d;
	int fd, rc;

	rc = status_scan_open(dirfd, PXEINV_STATE_NODES, &d, &fd, &f);
	if (rc != 0 || !d)
		return rc;
	while ((de = readdir(d))) {
		struct st_node *n;

		if (!pxeinv_node_name_is_valid(de->d_name))
			continue;       /* ".", tmp and .corrupt files */
		n = status_node(r, de->d_name);
		n->seen = 1;
		if (kv_read(fd, de->d_name, f) != 0) {
			n->corrupt = 1;
			continue;
		}
		status_copy(n->stage, sizeof(n->stage), f, "stage");
		status_copy(n->install, sizeof(n->install), f, "install");
		status_copy(n->ip, sizeof(n->ip), f, "ip");
		status_copy(n->mac, sizeof(n->mac), f, "mac");
		status_copy(n->via, sizeof(n->via), f, "via");
		status_copy(n->ip6, sizeof(n->ip6), f, "ip6");
		status_copy(n->mac6, sizeof(n->mac6), f, "mac6");
		status_copy(n->duid, sizeof(n->duid), f, "duid");
		status_copy(n->iaid, sizeof(n->iaid), f, "iaid");
		n->last6 = kv_get_num(f, "last6");
		n->last = kv_get_num(f, "last");
		n->boots = kv_get_num(f, "boots");
		n->fetches = kv_get_num(f, "fetches");
		state_once_is_marked(dirfd, n->name, &n->installed);
	}
	free(f);
	closedir(d);
	return 0;
}

/**
 * Read every unknown machine.
 *
 * @v r         Report
 * @v dirfd     State directory
 * @ret rc      0 or -errno
 */
static int status_read_unknown(struct st_report *r, int dirfd)
{
	struct kvfile *f;
	struct dirent *de;
	char stub[2048];
	DIR *d;
	int fd, len, rc;

	rc = status_scan_open(dirfd, PXEINV_STATE_UNKNOWN, &d, &fd, &f);
	if (rc != 0 || !d)
		return rc;
	while ((de = readdir(d))) {
		struct st_unknown *u;

		if (strchr(de->d_name, '.') || kv_read(fd, de->d_name, f))
			continue;
		if (r->nunknown == r->ucap) {
			size_t cap = r->ucap ? 2 * r->ucap : 16;

			u = realloc(r->unknown, cap * sizeof(*u));
			if (!u)
				abort_out_of_memory("the unknown machines");
			r->unknown = u;
			r->ucap = cap;
		}
		u = &r->unknown[r->nunknown];
		memset(u, 0, sizeof(*u));
		status_copy(u->mac, sizeof(u->mac), f, "mac");
		if (!u->mac[0])
			continue;
		status_copy(u->ip, sizeof(u->ip), f, "ip");
		status_copy(u->ip6, sizeof(u->ip6), f, "ip6");
		status_copy(u->duid, sizeof(u->duid), f, "duid");
		status_copy(u->arch, sizeof(u->arch), f, "arch");
		status_copy(u->serial, sizeof(u->serial), f, "serial");
		status_copy(u->board_serial, sizeof(u->board_serial), f,
			    "board_serial");
		u->first = kv_get_num(f, "first");
		u->last = kv_get_num(f, "last");
		u->count = kv_get_num(f, "count");
		len = stub_render(f, stub, sizeof(stub));
		if (!(u->stub = strdup(len > 0 ? stub : "")))
			abort_out_of_memory("a YAML stub");
		r->nunknown++;
	}
	free(f);
	closedir(d);
	return 0;
}

/** Context of the inventory walk */
struct status_inv {
	struct st_report *r;
	size_t nstate;          /**< nodes read from the state, sorted */
};

/**
 * Compare nodes by name.
 *
 * @v a         Node
 * @v b         Node
 * @ret cmp     strcmp order
 */
static int status_cmp(const void *a, const void *b)
{
	return strcmp(((const struct st_node *)a)->name,
		      ((const struct st_node *)b)->name);
}

/**
 * Merge one inventory node into the report.
 *
 * @v node      Node
 * @v install   Install mode
 * @v ctx       struct status_inv
 * @ret stop    1 when out of memory
 */
static int status_inv_node(const char *node, enum pxeinv_install install,
			   void *ctx)
{
	struct status_inv *si = ctx;
	struct st_node key, *n;

	snprintf(key.name, sizeof(key.name), "%s", node);
	n = bsearch(&key, si->r->nodes, si->nstate, sizeof(key), status_cmp);
	if (!n)
		n = status_node(si->r, node);
	n->in_inv = 1;
	snprintf(n->inv_install, sizeof(n->inv_install), "%s",
		 pxeinv_install_name(install));
	return 0;
}

/**
 * Mark the nodes of OUT_DIR's inventory.
 *
 * @v r         Report
 * @v out_dir   OUT_DIR
 * @ret code    Exit code
 */
static int status_read_inventory(struct st_report *r, const char *out_dir)
{
	struct status_inv si = { r, r->nnodes };
	struct pxeinv_cache *cache;
	char path[PATH_MAX], err[512];

	snprintf(path, sizeof(path), "%s/pxe-inventory.cdb", out_dir);
	if (pxeinv_cache_open(path, &cache, err, sizeof(err)) != PXEINV_OK) {
		fprintf(stderr, "pxeinv status: %s\n", err);
		return EXIT_IO;
	}
	if (r->nodes)
		qsort(r->nodes, r->nnodes, sizeof(*r->nodes), status_cmp);
	if (pxeinv_cache_each_node(cache, status_inv_node, &si) !=
	    PXEINV_OK) {
		fprintf(stderr, "pxeinv status: %s: cannot list the nodes\n",
			path);
		pxeinv_cache_close(cache);
		return EXIT_IO;
	}
	pxeinv_cache_close(cache);
	return EXIT_OK;
}

/**
 * Tell whether a node is stale.
 *
 * @v n         Node
 * @v now       Time
 * @v days      Age limit
 * @v inv       An inventory was given (only its nodes can be stale)
 * @ret stale   1 when stale
 */
static int status_is_stale(const struct st_node *n, long long now, int days,
			   int inv)
{
	if (inv && !n->in_inv)
		return 0;
	return n->last <= 0 || now - n->last > (long long)days * 86400;
}

/**
 * Write a JSON key and string (null when empty).
 *
 * @v key       Key
 * @v val       Value
 * @v first     No comma before
 */
static void status_jstr(const char *key, const char *val, int first)
{
	printf("%s\"%s\": ", first ? "" : ", ", key);
	if (val && *val)
		json_write_string(stdout, val, strlen(val));
	else
		fputs("null", stdout);
}

/**
 * Write a JSON key and number (null when 0 and nullable).
 *
 * @v key       Key
 * @v val       Value
 * @v nullable  Write null for 0
 */
static void status_jnum(const char *key, long long val, int nullable)
{
	if (nullable && val <= 0)
		printf(", \"%s\": null", key);
	else
		printf(", \"%s\": %lld", key, val);
}

/**
 * Print the report as JSON.
 *
 * @v r         Report
 * @v dir       State directory
 * @v now       Time
 * @v days      Stale limit
 * @v inv       An inventory was given
 */
static void status_print_json(const struct st_report *r, const char *dir,
			      long long now, int days, int inv)
{
	size_t i;
	int first = 1;

	printf("{");
	status_jstr("state_dir", dir, 1);
	printf(", \"nodes\": [");
	for (i = 0; i < r->nnodes; i++) {
		const struct st_node *n = &r->nodes[i];

		printf("%s{", i ? ", " : "");
		status_jstr("node", n->name, 1);
		status_jstr("stage", n->stage, 0);
		status_jnum("last_seen", n->last, 1);
		status_jstr("ip", n->ip, 0);
		status_jstr("mac", n->mac, 0);
		status_jstr("via", n->via, 0);
		status_jstr("ip6", n->ip6, 0);
		status_jstr("mac6", n->mac6, 0);
		status_jstr("duid", n->duid, 0);
		status_jstr("iaid", n->iaid, 0);
		status_jnum("last_seen_dhcpv6", n->last6, 1);
		status_jnum("boots", n->boots, 0);
		status_jnum("script_fetches", n->fetches, 0);
		status_jstr("install", n->in_inv ? n->inv_install :
			    n->install, 0);
		status_jnum("installed", n->installed, 1);
		printf(", \"in_inventory\": %s", inv ? (n->in_inv ? "true" :
							"false") : "null");
		printf(", \"corrupt\": %s}", n->corrupt ? "true" : "false");
	}
	printf("], \"unknown\": [");
	for (i = 0; i < r->nunknown; i++) {
		const struct st_unknown *u = &r->unknown[i];

		printf("%s{", i ? ", " : "");
		status_jstr("mac", u->mac, 1);
		status_jstr("ip", u->ip, 0);
		status_jstr("ip6", u->ip6, 0);
		status_jstr("duid", u->duid, 0);
		status_jstr("arch", u->arch, 0);
		status_jstr("serial", u->serial, 0);
		status_jstr("board_serial", u->board_serial, 0);
		status_jnum("first_seen", u->first, 1);
		status_jnum("last_seen", u->last, 1);
		status_jnum("count", u->count, 0);
		status_jstr("stub", u->stub, 0);
		printf("}");
	}
	printf("], \"stale_days\": %d, \"stale\": [", days);
	for (i = 0; i < r->nnodes; i++) {
		const struct st_node *n = &r->nodes[i];

		if (!status_is_stale(n, now, days, inv))
			continue;
		printf("%s{", first ? "" : ", ");
		first = 0;
		status_jstr("node", n->name, 1);
		status_jnum("last_seen", n->last, 1);
		printf("}");
	}
	printf("]}\n");
}

/**
 * Print the report as text.
 *
 * @v r         Report
 * @v dir       State directory
 * @v now       Time
 * @v days      Stale limit
 * @v inv       An inventory was given
 */
static void status_print_text(const struct st_report *r, const char *dir,
			      long long now, int days, int inv)
{
	char t[32], inst[64];
	size_t i, stale = 0;

	printf("state: %s\n\n", dir);
	printf("%-20s %-9s %-21s %-15s %-17s %5s  %s\n", "NODE", "STAGE",
	       "LAST SEEN", "IP", "MAC", "BOOTS", "INSTALL");
	for (i = 0; i < r->nnodes; i++) {
		const struct st_node *n = &r->nodes[i];
		const char *mode = n->in_inv ? n->inv_install : n->install;

		if (!n->seen)
			continue;
		if (strcmp(mode, "once") == 0)
			snprintf(inst, sizeof(inst), "once (%s)", n->installed ?
				 "installed: exits" : "armed");
		else
			snprintf(inst, sizeof(inst), "%s", *mode ? mode : "-");
		/* IP and MAC: the IPv4 lease's, else the DHCPv6 one's */
		printf("%-20s %-9s %-21s %-15s %-17s %5lld  %s%s%s\n", n->name,
		       n->corrupt ? "?" : (*n->stage ? n->stage : "-"),
		       status_time(n->last, t),
		       *n->ip ? n->ip : *n->ip6 ? n->ip6 : "-",
		       *n->mac ? n->mac : *n->mac6 ? n->mac6 : "-", n->boots,
		       inst, n->corrupt ? " (corrupt state file)" : "",
		       inv && !n->in_inv ? " (not in the inventory)" : "");
		if (*n->ip6)
			printf("%-20s dhcpv6 %s duid %s iaid %s at %s%s\n", "",
			       n->ip6, *n->duid ? n->duid : "-",
			       *n->iaid ? n->iaid : "-",
			       status_time(n->last6, t),
			       strcmp(n->via, "dhcpv6") == 0 ?
			       " (latest lease)" : "");
	}
	printf("\nUnknown machines: %zu\n", r->nunknown);
	for (i = 0; i < r->nunknown; i++) {
		const struct st_unknown *u = &r->unknown[i];
		const char *p, *nl;

		printf("\n  %s  last %s  seen %lld times  ip %s  %s%s%s\n",
		       u->mac, status_time(u->last, t), u->count,
		       *u->ip ? u->ip : "-", *u->arch ? u->arch : "-",
		       *u->serial ? "  serial " : "", u->serial);
		if (*u->ip6)
			printf("  dhcpv6 %s duid %s\n", u->ip6,
			       *u->duid ? u->duid : "-");
		for (p = u->stub; p && *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (!nl)
				break;
			printf("    %.*s\n", (int)(nl - p), p);
		}
	}
	for (i = 0; i < r->nnodes; i++)
		stale += status_is_stale(&r->nodes[i], now, days, inv);
	printf("\nStale nodes (not seen for %d days, or never): %zu\n", days,
	       stale);
	for (i = 0; i < r->nnodes; i++) {
		const struct st_node *n = &r->nodes[i];

		if (!status_is_stale(n, now, days, inv))
			continue;
		if (n->last <= 0)
			printf("  %-20s never seen\n", n->name);
		else
			printf("  %-20s last seen %s (%lld days ago)\n",
			       n->name, status_time(n->last, t),
			       (now - n->last) / 86400);
	}
}

/** Context of a node's history walk */
struct status_hist {
	const char *node;
	int json;
	size_t count;
};

/**
 * Print one journal line of a node.
 *
 * @v rec       Line
 * @v ctx       struct status_hist
 * @ret stop    0
 */
static int status_hist_line(const struct journal_rec *rec, void *ctx)
{
	struct status_hist *h = ctx;
	char t[32];

	if (strcmp(rec->node, h->node) != 0)
		return 0;
	if (h->json) {
		printf("%s{\"ts\": %lld", h->count ? ", " : "", rec->ts);
		status_jstr("event", rec->event, 0);
		status_jstr("stage", rec->stage, 0);
		status_jstr("install", rec->install, 0);
		status_jstr("ip", rec->ip, 0);
		status_jstr("mac", rec->mac, 0);
		status_jstr("arch", rec->arch, 0);
		status_jstr("serial", rec->serial, 0);
		status_jstr("board_serial", rec->board_serial, 0);
		status_jstr("file", rec->file, 0);
		status_jstr("peer", rec->peer, 0);
		status_jstr("family", rec->family, 0);
		status_jstr("duid", rec->duid, 0);
		status_jstr("iaid", rec->iaid, 0);
		printf("}");
	} else {
		printf("%-21s %-6s %-9s %-15s %-17s %s%s%s%s\n",
		       status_time(rec->ts, t), rec->event,
		       *rec->stage ? rec->stage : "-",
		       *rec->ip ? rec->ip : "-", *rec->mac ? rec->mac : "-",
		       *rec->file ? rec->file : "",
		       strcmp(rec->peer, "other") == 0 ?
		       " (not from the node's address)" : "",
		       *rec->duid ? "dhcpv6 duid " : "", rec->duid);
	}
	h->count++;
	return 0;
}

/**
 * Print a node's history.
 *
 * @v dirfd     State directory
 * @v dir       Its path
 * @v node      Node
 * @v json      JSON output
 * @ret code    Exit code
 */
static int status_history(int dirfd, const char *dir, const char *node,
			  int json)
{
	struct status_hist h = { node, json, 0 };
	long long installed = 0;
	size_t bad = 0;
	int rc, marked;

	marked = state_once_is_marked(dirfd, node, &installed);
	if (json)
		printf("{\"node\": \"%s\", \"installed\": ", node);
	else
		printf("%-21s %-6s %-9s %-15s %-17s %s\n", "TIME", "EVENT",
		       "STAGE", "IP", "MAC", "FILE");
	if (json && marked)
		printf("%lld, \"events\": [", installed);
	else if (json)
		printf("null, \"events\": [");
	rc = journal_walk(dirfd, status_hist_line, &h, &bad);
	if (json)
		printf("], \"unreadable_lines\": %zu}\n", bad);
	if (rc < 0 && rc != -ENOENT) {
		fprintf(stderr, "pxeinv status: %s/%s: %s\n", dir,
			JOURNAL_FILE, strerror(-rc));
		return EXIT_IO;
	}
	if (!json) {
		char t[32];

		if (!h.count)
			printf("(no events for %s in the journal)\n", node);
		if (marked)
			printf("boot-once: installed %s; 'pxeinv rearm %s' to "
			       "install again\n", status_time(installed, t),
			       node);
		if (bad)
			printf("(%zu unreadable journal lines skipped)\n",
			       bad);
	}
	return EXIT_OK;
}

/**
 * Free a report.
 *
 * @v r         Report
 */
static void status_free(struct st_report *r)
{
	size_t i;

	for (i = 0; i < r->nunknown; i++)
		free(r->unknown[i].stub);
	free(r->unknown);
	free(r->nodes);
}

/**
 * Read --stale-days.
 *
 * @v value     Option value
 * @v days      Days, set
 * @ret code    CLI_CONTINUE, or EXIT_INVALID when it is not a number of days
 */
static int status_opt_days(const char *value, void *days)
{
	char *end;
	long n = strtol(value, &end, 10);

	if (!*value || *end || n < 0 || n > 36500) {
		fprintf(stderr, "pxeinv status: --stale-days: '%s' is not a "
			"number of days\n", value);
		return EXIT_INVALID;
	}
	*(int *)days = (int)n;
	return CLI_CONTINUE;
}

int cmd_status(int argc, char **argv)
{
	struct st_report r = { 0 };
	struct cli_state_dir sd;
	const char *dir = NULL, *out_dir = NULL, *node = NULL;
	int c, code, i, json = 0, days = STATUS_STALE_DAYS, dirfd;
	int rc = EXIT_OK;
	long long now = time(NULL);
	const struct cli_opt opts[] = {
		{ "state-dir", 0, CLI_OPT_TEXT, &dir, NULL },
		{ "stale-days", 0, CLI_OPT_CALL, &days, status_opt_days },
		{ "json", 0, CLI_OPT_FLAG, &json, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "status", status_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind > 2)
		return cli_usage_error("status", "expected [OUT_DIR] [NODE]");
	for (i = optind; i < argc; i++) {
		if (!out_dir && !node && cli_is_out_dir(argv[i]))
			out_dir = argv[i];
		else if (!node && pxeinv_node_name_is_valid(argv[i]))
			node = argv[i];
		else
			return cli_usage_error("status", "'%s' is neither an "
					       "OUT_DIR nor a node name; node "
					       "names are "
					       PXEINV_NODE_NAME_RULE,
					       argv[i]);
	}
	if ((rc = cli_state_dir_find(&sd, "status", dir, out_dir)) != EXIT_OK ||
	    (rc = cli_state_dir_open(&sd, "status", &dirfd)) != EXIT_OK)
		return rc;
	dir = sd.path;
	if (node) {
		rc = status_history(dirfd, dir, node, json);
		goto out;
	}
	if ((c = status_read_nodes(&r, dirfd)) ||
	    (c = status_read_unknown(&r, dirfd))) {
		fprintf(stderr, "pxeinv status: %s: %s\n", dir, strerror(-c));
		rc = EXIT_IO;
		goto out;
	}
	if (out_dir && (rc = status_read_inventory(&r, out_dir)) != EXIT_OK)
		goto out;
	if (r.nodes)
		qsort(r.nodes, r.nnodes, sizeof(*r.nodes), status_cmp);
	if (json)
		status_print_json(&r, dir, now, days, out_dir != NULL);
	else
		status_print_text(&r, dir, now, days, out_dir != NULL);
out:
	status_free(&r);
	close(dirfd);
	return rc;
}
