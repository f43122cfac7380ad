/*
 * pxeinv state directory: layout, shared by pxeinv-hook (which writes it),
 * `pxeinv status` and `pxeinv rearm`, and read by the dnsmasq patch (the
 * boot-once markers).
 *
 *   STATE_DIR/journal.jsonl[.1]   the journal (journal.h)
 *   STATE_DIR/global              counters over every node (kvfile.h)
 *   STATE_DIR/nodes/NODE          per-node state (kvfile.h)
 *   STATE_DIR/unknown/MAC         one unknown machine (MAC with '-')
 *   STATE_DIR/unknown/MAC.yaml    its ready-to-paste nodes/ stub
 *   STATE_DIR/once/NODE           boot-once marker: the installer script
 *                                 was fetched; dnsmasq now hands out
 *                                 pxeinv/exit.ipxe (`pxeinv rearm NODE`
 *                                 removes it)
 *   STATE_DIR/installed/NODE.ipxe the same mark as an exit script, for
 *                                 iPXE clients dnsmasq could not
 *                                 identify: the fallback dispatcher
 *                                 tries it through OUT_DIR/tftp/pxeinv/
 *                                 installed, a symlink to this directory
 *   STATE_DIR/leases/IP           one DHCP lease, in dnsmasq's lease-file
 *                                 format (lease-database mode)
 *   STATE_DIR/metrics/NAME.prom   for node_exporter's textfile collector
 *   STATE_DIR/lock                empty; recorders take turns on its flock
 *
 * Every file is replaced with a rename, so readers never see half a file
 * and take no lock.  Recorders (the hook) hold the lock while they read,
 * change and rename a file back, so that two of them (two dnsmasq
 * instances sharing the directory) lose no count.
 */
#ifndef PXEINV_STATE_STATE_H
#define PXEINV_STATE_STATE_H

#include <stddef.h>
#include <time.h>

#include "pxeinv.h"

/**
 * The state directory to use: $PXEINV_STATE_DIR, else the default.
 *
 * @ret dir     Directory
 */
const char *state_dir_default(void);

/**
 * Open a subdirectory of the state directory, creating it (mode 0755, so
 * that dnsmasq's own user can look markers up) when asked.
 *
 * @v dirfd     State directory
 * @v sub       Subdirectory
 * @v create    Create it when missing
 * @ret fd      Directory descriptor, or -errno
 */
int state_subdir(int dirfd, const char *sub, int create);

/**
 * Take the recorders' lock of a state directory (STATE_DIR/lock, created
 * when missing), waiting for it.
 *
 * @v dirfd     State directory
 * @ret fd      Descriptor holding the lock (close it to release), or
 *              -errno
 */
int state_lock(int dirfd);

/**
 * Replace a whole file in a subdirectory (created when missing) by rename.
 *
 * @v dirfd     State directory
 * @v sub       Subdirectory
 * @v name      File name
 * @v buf       Content
 * @v len       Its length
 * @ret rc      0 or -errno
 */
int state_put(int dirfd, const char *sub, const char *name, const char *buf,
	      size_t len);

/**
 * File name for a MAC address ("52:54:00:aa:00:01" -> "52-54-00-aa-00-01").
 *
 * @v mac       MAC (as checked by event.c)
 * @v out       Buffer, 64 bytes
 */
void state_mac_name(const char *mac, char *out);

/**
 * Mark a boot-once node as installed: its exit script, then its marker.
 *
 * @v dirfd     State directory
 * @v node      Node (valid)
 * @v now       Time
 * @v ip        Address the script was fetched from
 * @ret rc      0 or -errno
 */
int state_once_mark(int dirfd, const char *node, time_t now, const char *ip);

/**
 * Re-arm a boot-once node: remove its marker and its exit script.
 *
 * @v dirfd     State directory
 * @v node      Node (valid)
 * @ret rc      0, -ENOENT when it was not marked, or -errno
 */
int state_once_clear(int dirfd, const char *node);

/**
 * Tell whether a node is marked as installed.
 *
 * @v dirfd     State directory
 * @v node      Node
 * @v when      Time of the mark, or NULL
 * @ret marked  1 or 0
 */
int state_once_is_marked(int dirfd, const char *node, long long *when);

#endif /* PXEINV_STATE_STATE_H */
