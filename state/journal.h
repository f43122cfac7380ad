/*
 * pxeinv state: the append-only journal, one JSON object per line.
 *
 *   {"ts":1732389000,"time":"2024-11-23T19:10:00Z","event":"add",
 *    "stage":"ipxe","node":"node-a","install":"yes",
 *    "mac":"52:54:00:aa:00:01","ip":"10.0.0.5","arch":"efi-x64",
 *    "vendor_class":"PXEClient:Arch:00007:UNDI:003010","user_class":"iPXE",
 *    "serial":null,"board_serial":null,"hostname":null,"file":null}
 *
 * event is add, old, del, tftp, init or rearm; stage and node are null for
 * clients the dnsmasq patch did not steer (node is "unknown" for steered
 * clients it could not identify); file is the TFTP path of a tftp event,
 * size its bytes, and peer, for a node's script, "node" when the address
 * that fetched it is that node's (only then is a boot-once node marked),
 * "other" when it is not (record.h).
 *
 * A line about IPv6 (a DHCPv6 lease, a TFTP transfer over IPv6) ends with
 * "family":"ipv6", and a DHCPv6 lease's also with the client's DUID and
 * its IAID:
 *
 *   {…,"mac":"52:54:00:aa:00:01","ip":"fd00::5",…,"file":null,
 *    "family":"ipv6","duid":"00:03:00:01:52:54:00:aa:00:01","iaid":"1"}
 *
 * mac is then the MAC dnsmasq learnt, else the one the DUID carries (a
 * DUID-LL or DUID-LLT), else null.  IPv4 lines have none of the three
 * keys: a line without "family" is IPv4, as every line of older journals.
 *
 * Every line is shorter than PIPE_BUF and is appended with one write() on
 * an O_APPEND descriptor: concurrent writers never interleave, and no lock
 * is taken.  A write cut short (disk full) leaves a torn line, which is
 * never cut back (another writer may have appended since); the next
 * append ends it with a newline, in the same write as its own line.  When
 * the file would grow past its limit it is renamed to JOURNAL_FILE ".1"
 * (replacing the previous one) and a new file is started.  Readers skip
 * lines that do not parse.
 */
#ifndef PXEINV_STATE_JOURNAL_H
#define PXEINV_STATE_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "event.h"

#define JOURNAL_FILE "journal.jsonl"
#define JOURNAL_OLD "journal.jsonl.1"
/** Default size limit before rotation */
#define JOURNAL_MAX_DEFAULT (64LL * 1024 * 1024)
/** Most digits of a number in a line (a TFTP size, a time): 18 fit a
 * long long, and the hook accepts no more */
#define JOURNAL_NUM_DIGITS 18
/** Longest line, newline included (PIPE_BUF: appends stay atomic) */
#define JOURNAL_LINE_MAX 4096

/** One journal line, parsed */
struct journal_rec {
	long long ts;
	char event[16];
	char stage[16];
	char node[PXEINV_NODE_MAX];
	char install[16];
	char mac[64];
	char ip[48];
	char arch[16];
	char vendor_class[EVENT_TEXT_MAX];
	char user_class[EVENT_TEXT_MAX];
	char serial[PXEINV_SERIAL_MAX];
	char board_serial[PXEINV_SERIAL_MAX];
	char hostname[EVENT_TEXT_MAX];
	char file[512];
	char peer[8];           /**< tftp: "node", "other", or "" */
	char family[8];         /**< "ipv6", or "" (IPv4) */
	char duid[EVENT_DUID_TEXT]; /**< DHCPv6: client DUID, or "" */
	char iaid[EVENT_IAID_TEXT]; /**< DHCPv6: IAID, or "" */
};

/**
 * Format an event as one journal line (with its newline).
 *
 * @v ev        Event
 * @v buf       Buffer, JOURNAL_LINE_MAX bytes
 * @ret len     Line length
 */
size_t journal_format(const struct event *ev, char *buf);

/**
 * Format a line for an operator action on a node (event "rearm").
 *
 * @v event     Event name
 * @v node      Node
 * @v now       Time
 * @v buf       Buffer, JOURNAL_LINE_MAX bytes
 * @ret len     Line length
 */
size_t journal_format_note(const char *event, const char *node, long long now,
			   char *buf);

/**
 * Append one line, rotating the journal first when it is full.
 *
 * @v dirfd     State directory
 * @v line      Line, with its newline
 * @v len       Length (< JOURNAL_LINE_MAX)
 * @v max       Size limit before rotation
 * @ret rc      0 or -errno
 */
int journal_append(int dirfd, const char *line, size_t len, long long max);

/**
 * Parse one line (without its newline).
 *
 * @v line      Line
 * @v len       Length
 * @v rec       Record, filled (absent and null fields are "", ts 0)
 * @ret rc      0, or -EINVAL when it is not a journal object
 */
int journal_parse(const char *line, size_t len, struct journal_rec *rec);

/**
 * Read the journal (the rotated file first, then the current one) and call
 * a function for every line that parses.
 *
 * @v dirfd     State directory
 * @v fn        Function; a non-zero return stops the walk
 * @v ctx       Its context
 * @v bad       Number of lines that did not parse, or NULL
 * @ret rc      0, or -errno when neither file could be read
 */
int journal_walk(int dirfd, int (*fn)(const struct journal_rec *rec,
				      void *ctx),
		 void *ctx, size_t *bad);

#endif /* PXEINV_STATE_JOURNAL_H */
