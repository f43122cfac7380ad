/*
 * `pxeinv compile`: checked nodes -> OUT_DIR, atomically.
 *
 * OUT_DIR/pxe-inventory.conf    dnsmasq fragment
 * OUT_DIR/pxe-inventory.cdb     lookup cache (cache/pxeinv_cache.h)
 * OUT_DIR/tftp/                 TFTP root: iPXE binaries, ipxe.conf
 *                               (seed-compatible), pxeinv/exit.ipxe,
 *                               pxeinv/fallback.ipxe, pxeinv/nodes/NODE.ipxe,
 *                               pxeinv/index/by-KIND/ID.ipxe
 *                               (compile_index.h)
 *
 * Everything is written into a new sibling directory, synced, and then
 * swapped with OUT_DIR in one rename, so readers see the old tree or the
 * new one and nothing in between; a failed or killed compile leaves OUT_DIR
 * as it was.
 */
#ifndef PXEINV_COMPILE_H
#define PXEINV_COMPILE_H

#include "compile_dhcp6.h"
#include "node.h"

/** What follows --http-url in the arm64 HTTP boot URL, the longest one
 * handed out */
#define COMPILE_HTTP_ARM64 "/arm64/ipxe.efi"

/** Name of the marker file that says a directory is ours to replace */
#define COMPILE_MARKER ".pxeinv-out"

/** Compile settings */
struct compile_opts {
	const char *nodes_dir;
	const char *out_dir;
	const char *ipxe_dir;   /**< where iPXE binaries are, or NULL */
	int efi_full;           /**< UEFI x86-64 gets ipxe.efi (all drivers),
				     not snponly.efi (the firmware's NIC
				     driver) */
	const char *http_url;   /**< base URL of the TFTP root over HTTP */
	const char *hook;       /**< dhcp-script path, or NULL */
	const char *state_dir;  /**< pxeinv state directory (boot-once
				     markers) for pxe-inventory=, or NULL */
	int proxy;              /**< the fragment is for proxy DHCP beside
				     another DHCP server */
	const char *dhcp6_ranges[COMPILE_DHCP6_RANGES_MAX];
				/**< --dhcp6-range, checked
				     (compile_dhcp6_range_check()) */
	size_t ndhcp6_ranges;
	int no_ra;              /**< no enable-ra with the ranges */
	int quiet;
};

/** Counts of what a compile wrote */
struct compile_stats {
	size_t nodes;
	size_t installed;
	size_t records;
	size_t binaries;
	size_t added;           /**< node scripts the previous tree lacked */
	size_t changed;         /**< node scripts that differ from it */
	unsigned char *changes; /**< enum manifest_change of each node */
	char **removed;         /**< nodes of the previous tree gone now */
	size_t nremoved;
};

/**
 * Free what a compile left in its counts.
 *
 * @v stats     Counts from compile_write()
 */
void compile_stats_free(struct compile_stats *stats);

/**
 * Write every output for a checked inventory into opts->out_dir.
 *
 * @v opts      Settings
 * @v inv       Inventory (no errors)
 * @v nodes     Checked nodes
 * @v stats     What was written
 * @v err       Reason on failure
 * @v errlen    Size of err
 * @ret rc      0, or -1 on an I/O failure (OUT_DIR untouched)
 */
int compile_write(const struct compile_opts *opts, struct inventory *inv,
		  const struct node *nodes, struct compile_stats *stats,
		  char *err, size_t errlen);

#endif /* PXEINV_COMPILE_H */
