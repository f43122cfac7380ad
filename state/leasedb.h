/*
 * pxeinv state: the DHCP lease database, for dnsmasq's leasefile-ro mode.
 *
 * With leasefile-ro, dnsmasq keeps no lease file: it runs `SCRIPT init` at
 * start and reads the leases from its standard output, then reports every
 * change to the script.  We keep one file per lease, STATE_DIR/leases/IP,
 * holding the line dnsmasq's own lease file would hold:
 *
 *   EXPIRES MAC IP HOSTNAME|* CLIENT-ID|*
 *   EXPIRES IAID IPV6 HOSTNAME|* DUID          (DHCPv6)
 *
 * (dnsmasq's own file also has a "duid SERVER-DUID" line before the
 * DHCPv6 leases; we do not keep it, and dnsmasq started with leasefile-ro
 * then makes itself a new server DUID.)
 *
 * add/old replace that one file (write + rename), del removes it: the work
 * per event does not depend on the number of leases, and a crash leaves
 * every lease either old or new.
 */
#ifndef PXEINV_STATE_LEASEDB_H
#define PXEINV_STATE_LEASEDB_H

#include <stdio.h>

#include "event.h"

/**
 * Apply a lease event (add, old: store; del: remove).
 *
 * @v dirfd     State directory
 * @v ev        Event
 * @ret rc      0 or -errno
 */
int leasedb_update(int dirfd, const struct event *ev);

/**
 * Print every stored lease, for `init`.
 *
 * @v dirfd     State directory
 * @v out       Stream
 * @v count     Leases printed
 * @ret rc      0 or -errno (no lease directory is not an error)
 */
int leasedb_dump(int dirfd, FILE *out, unsigned long *count);

/**
 * Check one stored lease line.
 *
 * @v line      Line, without its newline
 * @v ip        The IP address the file is named after
 * @ret ok      1 when it is a well-formed lease for ip
 */
int leasedb_line_is_valid(const char *line, const char *ip);

/**
 * Read the client of the lease stored for an address: its MAC (IPv4) or
 * its DUID (IPv6).
 *
 * @v dirfd     State directory
 * @v ip        Address (as checked by the hook)
 * @v client    Output, EVENT_DUID_TEXT bytes ("" unless 0 is returned)
 * @ret rc      0, -ENOENT when no lease is stored, -EINVAL when the
 *              stored line is malformed, or another -errno
 */
int leasedb_client(int dirfd, const char *ip, char *client);

#endif /* PXEINV_STATE_LEASEDB_H */
