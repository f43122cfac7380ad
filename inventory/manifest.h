/*
 * The manifest of an OUT_DIR: the length and hash of every node script.
 *
 * A compile reads the manifest of the OUT_DIR it replaces, and when a
 * node's new script has the same length and hash it hard-links the old
 * file into the new tree instead of writing it again.  Files are never
 * modified in place, so sharing them between the two trees is safe.
 */
#ifndef PXEINV_MANIFEST_H
#define PXEINV_MANIFEST_H

#include <stdint.h>
#include <stdio.h>

#include "strtab.h"

/** Manifest file name in OUT_DIR */
#define MANIFEST_NAME ".pxeinv-manifest"

/** A script's fingerprint */
struct manifest_entry {
	uint64_t hash;
	size_t len;
};

/** A loaded manifest */
struct manifest {
	struct strtab tab;      /**< hostname -> struct manifest_entry */
	struct manifest_entry *entries;
	const char **hosts;     /**< hostname of each entry */
	unsigned char *seen;    /**< per entry: compared with a new script */
	size_t count;           /**< entries */
	int dirfd;              /**< the previous OUT_DIR, or -1 */
};

/** How a node's new script compares with the previous tree's */
enum manifest_change {
	MANIFEST_ADDED,         /**< no script for that node before */
	MANIFEST_CHANGED,       /**< a different script */
	MANIFEST_SAME,          /**< the same script */
};

/**
 * Load the manifest of a previous OUT_DIR.  A missing or malformed
 * manifest loads as empty: everything is then written afresh.
 *
 * @v m         Manifest
 * @v out_dir   Previous OUT_DIR (may not exist)
 */
void manifest_load(struct manifest *m, const char *out_dir);

/**
 * Fingerprint a script.
 *
 * @v buf       Script
 * @v len       Length
 * @ret entry   Fingerprint
 */
struct manifest_entry manifest_fingerprint(const char *buf, size_t len);

/**
 * Compare a node's new script with the previous tree's, and mark that
 * node of the previous tree as seen. Safe to call from several threads at
 * once, for distinct hosts.
 *
 * @v m         Manifest
 * @v host      Hostname
 * @v e         Fingerprint of the new script
 * @ret change  Added, changed or the same
 */
enum manifest_change manifest_compare(struct manifest *m, const char *host,
				      const struct manifest_entry *e);

/**
 * Write a manifest line.
 *
 * @v out       Stream
 * @v host      Hostname
 * @v e         Fingerprint
 */
void manifest_write_line(FILE *out, const char *host,
			 const struct manifest_entry *e);

/**
 * Free a manifest and close the previous tree.
 *
 * @v m         Manifest
 */
void manifest_free(struct manifest *m);

#endif /* PXEINV_MANIFEST_H */
