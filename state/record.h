/*
 * pxeinv state: record one event in the state directory (state.h): the
 * journal line, the lease, the node's state or the unknown machine, the
 * boot-once marker, the counters and the metrics.
 *
 * The work per event is a fixed number of small files, whatever the size
 * of the fleet: no directory is listed.  Recorders take turns on one
 * lock per state directory (state_lock()), held for those few files.
 */
#ifndef PXEINV_STATE_RECORD_H
#define PXEINV_STATE_RECORD_H

#include <stddef.h>
#include <stdio.h>

#include "event.h"

/** A boot counts once: an iPXE request this soon after a firmware one
 * (seconds) belongs to the same boot, and so does a lease of the other
 * protocol (DHCPv4, DHCPv6) at the same stage this soon after */
#define RECORD_BOOT_WINDOW 600

/** Settings */
struct record_opts {
	const char *state_dir;
	long long journal_max;          /**< rotate the journal past this */
};

/** What recording found worth telling the operator, besides failures */
struct record_notes {
	char warning[512];              /**< e.g. a corrupt file was reset */
	int once_marked;                /**< a boot-once node was marked */
	int once_refused;               /**< a boot-once node's script was
	                                   fetched from an address not the
	                                   node's: not marked */
	int new_unknown;                /**< first sighting of a machine */
};

/**
 * Record an add, old, del or tftp event.
 *
 * @v opts      Settings
 * @v ev        Event
 * @v notes     Notes, filled
 * @v err       Reason on failure ("PATH: strerror")
 * @v errlen    Size of err
 * @ret rc      0 or -errno (the first failure; the rest is skipped)
 */
int record_event(const struct record_opts *opts, const struct event *ev,
		 struct record_notes *notes, char *err, size_t errlen);

/**
 * Answer `init`: print the stored leases.
 *
 * @v opts      Settings
 * @v out       Stream (dnsmasq reads it)
 * @v err       Reason on failure
 * @v errlen    Size of err
 * @ret rc      0 or -errno
 */
int record_init(const struct record_opts *opts, FILE *out, char *err,
		size_t errlen);

/**
 * Decide whether an event starts a new boot.
 *
 * @v stage     Stage of this event
 * @v last_stage Stage of the node's previous event ("" when none)
 * @v last      Time of that event
 * @v now       Time of this one
 * @ret boot    1 when it counts as a boot
 */
int record_is_boot(const char *stage, const char *last_stage, long long last,
		   long long now);

#endif /* PXEINV_STATE_RECORD_H */
