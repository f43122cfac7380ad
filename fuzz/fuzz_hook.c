/*
 * Fuzz target: the hook's event parser (hook/parse.c), the journal line
 * it writes (state/journal.c) and the readers `pxeinv status` uses on
 * the hook's files (journal_parse, kv_parse).
 *
 * Input: NUL-separated strings: the arguments (after argv[0]) up to an
 * empty string, then the environment ("NAME=VALUE").  The same bytes are
 * also handed whole to journal_parse() and kv_parse().
 *
 * Invariants: an event that parses has only terminated, printable fields,
 * a node that is a valid name or "unknown", a stage and install mode of
 * the known sets; an IPv6 address exactly when the event says IPv6, in
 * inet_ntop()'s form, and then (lease events) a DUID of lower-case hex
 * pairs and an IAID of dnsmasq's form, none for IPv4; its journal line
 * is one line shorter than
 * JOURNAL_LINE_MAX and parses back to the same fields; a journal line or
 * state file that parses has terminated fields, and a state file that
 * parses is written back byte for byte.
 */
#include <arpa/inet.h>

#include "fuzz.h"
#include "../hook/parse.h"
#include "../state/journal.h"
#include "../state/kvfile.h"

/** Most strings taken from one input */
#define HOOK_STRINGS_MAX 64
/** The hook's time: any time after 1970 */
#define HOOK_NOW 1732389000

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/**
 * Tell whether a field is one of a set of names, or empty.
 *
 * @v s         Field
 * @v names     NULL-terminated names
 * @ret ok      1 when it is
 */
static int hook_is_one_of(const char *s, const char *const *names)
{
	if (!s[0])
		return 1;
	for (; *names; names++)
		if (strcmp(s, *names) == 0)
			return 1;
	return 0;
}

/**
 * Check a parsed event's fields.
 *
 * @v ev        Event
 */
static void hook_check_event(const struct event *ev)
{
	static const char *const stages[] = { "firmware", "httpboot", "ipxe",
					      NULL };
	static const char *const installs[] = { "yes", "no", "once",
						"unknown", NULL };
#define TEXT(field) FUZZ_ASSERT(fuzz_is_printable_string(ev->field, \
							sizeof(ev->field)))
	TEXT(mac); TEXT(ip); TEXT(hostname); TEXT(node); TEXT(stage);
	TEXT(install); TEXT(vendor_class); TEXT(user_class); TEXT(serial);
	TEXT(board_serial); TEXT(client_id); TEXT(interface); TEXT(file);
	TEXT(file_node);
#undef TEXT
	FUZZ_ASSERT(!ev->node[0] || strcmp(ev->node, PXEINV_NODE_UNKNOWN) == 0
		    || pxeinv_node_name_is_valid(ev->node));
	FUZZ_ASSERT(!ev->file_node[0] ||
		    pxeinv_node_name_is_valid(ev->file_node));
	FUZZ_ASSERT(hook_is_one_of(ev->stage, stages));
	FUZZ_ASSERT(hook_is_one_of(ev->install, installs));
	FUZZ_ASSERT(strspn(ev->mac, "0123456789abcdef:-") == strlen(ev->mac));
	FUZZ_ASSERT(ev->steered || !ev->node[0]);
	FUZZ_ASSERT(ev->action == EVENT_TFTP || ev->size == -1);
	FUZZ_ASSERT(fuzz_is_printable_string(ev->duid, sizeof(ev->duid)));
	FUZZ_ASSERT(fuzz_is_printable_string(ev->iaid, sizeof(ev->iaid)));
	FUZZ_ASSERT(!!ev->ipv6 == !!strchr(ev->ip, ':'));
	if (ev->ipv6) {
		unsigned char a[16];
		char back[48];

		FUZZ_ASSERT(inet_pton(AF_INET6, ev->ip, a) == 1);
		FUZZ_ASSERT(inet_ntop(AF_INET6, a, back, sizeof(back)));
		FUZZ_ASSERT(strcmp(back, ev->ip) == 0);
	}
	if (ev->ipv6 && ev->action != EVENT_TFTP) {
		const char *d = ev->iaid[0] == 'T' ? ev->iaid + 1 : ev->iaid;

		FUZZ_ASSERT(ev->duid[0]);
		FUZZ_ASSERT(strspn(ev->duid, "0123456789abcdef:") ==
			    strlen(ev->duid));
		FUZZ_ASSERT(strlen(ev->duid) % 3 == 2);
		FUZZ_ASSERT(!ev->iaid[0] || (d[0] &&
			    strspn(d, "0123456789") == strlen(d)));
	} else {
		FUZZ_ASSERT(!ev->duid[0] && !ev->iaid[0]);
	}
}

/**
 * Write an event's journal line and parse it back.
 *
 * @v ev        Event
 */
static void hook_check_journal(const struct event *ev)
{
	static char line[JOURNAL_LINE_MAX];
	static struct journal_rec rec;
	const char *arch = pxeinv_arch_name(ev->arch);
	size_t len;

	len = journal_format(ev, line);
	FUZZ_ASSERT(len >= 2 && len < JOURNAL_LINE_MAX);
	FUZZ_ASSERT(line[len - 1] == '\n');
	FUZZ_ASSERT(!memchr(line, '\n', len - 1));
	line[len] = '\0';             /* for strstr() below */
	FUZZ_ASSERT(journal_parse(line, len - 1, &rec) == 0);
	FUZZ_ASSERT(rec.ts == HOOK_NOW);
	FUZZ_ASSERT(strcmp(rec.event, event_action_name(ev->action)) == 0);
	FUZZ_ASSERT(strcmp(rec.stage, ev->stage) == 0);
	FUZZ_ASSERT(strcmp(rec.node, ev->action == EVENT_TFTP ?
			   ev->file_node : ev->node) == 0);
	FUZZ_ASSERT(strcmp(rec.install, ev->install) == 0);
	FUZZ_ASSERT(strcmp(rec.mac, ev->mac) == 0);
	FUZZ_ASSERT(strcmp(rec.ip, ev->ip) == 0);
	FUZZ_ASSERT(strcmp(rec.arch, arch ? arch : "") == 0);
	FUZZ_ASSERT(strcmp(rec.vendor_class, ev->vendor_class) == 0);
	FUZZ_ASSERT(strcmp(rec.user_class, ev->user_class) == 0);
	FUZZ_ASSERT(strcmp(rec.serial, ev->serial) == 0);
	FUZZ_ASSERT(strcmp(rec.board_serial, ev->board_serial) == 0);
	FUZZ_ASSERT(strcmp(rec.hostname, ev->hostname) == 0);
	FUZZ_ASSERT(strcmp(rec.file, ev->file) == 0);
	FUZZ_ASSERT(strcmp(rec.family, ev->ipv6 ? "ipv6" : "") == 0);
	FUZZ_ASSERT(strcmp(rec.duid, ev->duid) == 0);
	FUZZ_ASSERT(strcmp(rec.iaid, ev->iaid) == 0);
	/* IPv4 lines are as they were before IPv6: none of its keys */
	FUZZ_ASSERT(ev->ipv6 || !strstr(line, "\"family\":"));
}

/**
 * Parse the input as an event and check it.
 *
 * @v data      Input, NUL-terminated at data[size]
 * @v size      Length
 */
static void hook_check_parse(char *data, size_t size)
{
	char *argv[HOOK_STRINGS_MAX + 2], *env[HOOK_STRINGS_MAX + 1];
	char *p = data, *end = data + size, err[256];
	static struct event ev;
	int argc = 1, envc = 0, rc;

	argv[0] = "pxeinv-hook";
	while (p < end && *p && argc <= HOOK_STRINGS_MAX) {
		argv[argc++] = p;
		p += strlen(p) + 1;
	}
	argv[argc] = NULL;
	if (p < end && !*p)
		p++;
	while (p < end && envc < HOOK_STRINGS_MAX) {
		env[envc++] = p;
		p += strlen(p) + 1;
	}
	env[envc] = NULL;

	memset(err, 'X', sizeof(err));
	rc = hook_event_parse(&ev, argc, argv, env, HOOK_NOW, err,
			      sizeof(err));
	FUZZ_ASSERT(rc == HOOK_EVENT_OK || rc == HOOK_EVENT_IGNORE ||
		    rc == HOOK_EVENT_BAD);
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
	if (rc == HOOK_EVENT_BAD)
		FUZZ_ASSERT(err[0]);
	if (rc != HOOK_EVENT_OK)
		return;
	hook_check_event(&ev);
	hook_check_journal(&ev);
}

/**
 * Parse the input as a journal line and as a state file.
 *
 * @v data      Input
 * @v size      Length
 */
static void hook_check_readers(const char *data, size_t size)
{
	static struct journal_rec rec;
	static struct kvfile kv;
	static char back[KV_FILE_MAX + 1];
	size_t i, n;

	if (journal_parse(data, size, &rec) == 0) {
		FUZZ_ASSERT(rec.ts > 0 && rec.event[0]);
#define TERMINATED(field) FUZZ_ASSERT(memchr(rec.field, '\0', \
					     sizeof(rec.field)))
		TERMINATED(event); TERMINATED(stage); TERMINATED(node);
		TERMINATED(install); TERMINATED(mac); TERMINATED(ip);
		TERMINATED(arch); TERMINATED(vendor_class);
		TERMINATED(user_class); TERMINATED(serial);
		TERMINATED(board_serial); TERMINATED(hostname);
		TERMINATED(file); TERMINATED(peer); TERMINATED(family);
		TERMINATED(duid); TERMINATED(iaid);
#undef TERMINATED
	}
	if (kv_parse(&kv, data, size) != 0) {
		FUZZ_ASSERT(kv.count == 0);
		return;
	}
	/* a state file that parses is exactly its entries */
	FUZZ_ASSERT(kv.count <= KV_MAX);
	n = snprintf(back, sizeof(back), "%s\n", KV_HEADER);
	for (i = 0; i < kv.count; i++) {
		FUZZ_ASSERT(fuzz_is_printable_string(kv.kv[i].key,
						     sizeof(kv.kv[i].key)));
		FUZZ_ASSERT(fuzz_is_printable_string(kv.kv[i].val,
						     sizeof(kv.kv[i].val)));
		FUZZ_ASSERT(kv_get(&kv, kv.kv[i].key) == kv.kv[i].val);
		n += snprintf(back + n, sizeof(back) - n, "%s %s\n",
			      kv.kv[i].key, kv.kv[i].val);
		FUZZ_ASSERT(n < sizeof(back));
	}
	FUZZ_ASSERT(n == size && memcmp(back, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	hook_check_readers(copy, size);
	hook_check_parse(copy, size);
	free(copy);
	return 0;
}
