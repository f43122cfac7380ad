/*
 * pxeinv lookup cache: format and reader (open, verify, look records up).
 *
 * cache/ is the only code shared between the `pxeinv` CLI (which writes the
 * cache and answers `pxeinv lookup`) and the dnsmasq patch (which reads it
 * for every DHCP request): this file and pxeinv_cache.c (the file and its
 * records), pxeinv_request.{c,h} (decoding a request's options) and
 * pxeinv_steer.{c,h} (the steering policy); pxeinv_record.h is the record
 * layout, shared with the writer (pxeinv_cache_write.c, CLI only).  They
 * depend on libc, tinycdb (-lcdb) and zlib (-lz) only, never print, never
 * exit, and never allocate after pxeinv_cache_open() returns.
 *
 * Format (version 1): a tinycdb constant database.  Every key is ASCII:
 *
 *   "\0meta"          "pxeinv-cache 1 <records> <crc32 hex>"
 *                     records counts every other record; crc32 (zlib) runs
 *                     over each other record in file order, fed as
 *                     klen (4 bytes LE) key vlen (4 bytes LE) value.
 *   "m:" MAC          hostname   MAC as "aa:bb:cc:dd:ee:ff", lower case
 *   "u:" UUID         hostname   "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower
 *                                case, in the text order the operator wrote
 *                                (as `dmidecode` and QEMU `-uuid` print it)
 *   "s:" SERIAL       hostname   only when no other node shares the serial
 *   "b:" BOARDSERIAL  hostname   only when no other node shares it
 *   "p:" SERIAL "\t" BOARDSERIAL  hostname
 *   "h:" HOSTNAME     node record: "<install>\t<arch>\t<script>"
 *                     install is "yes", "no" or "once"; arch "amd64" or
 *                     "arm64"; script is relative to the TFTP root.
 *   "t:" HOSTNAME     "https" when the node's images are fetched over
 *                     HTTPS (absent: HTTP); added after version 1 was
 *                     defined, and ignored by older readers
 *   "c:" NAME         a setting: bios, efi-x64, efi-arm64 (TFTP paths of
 *                     the iPXE binaries), http-x64, http-arm64 (URLs for
 *                     UEFI HTTP boot; absent when not configured),
 *                     fallback, exit (TFTP paths of the two shared scripts).
 *
 * A cache whose meta record is missing, of another version, or whose
 * record count or checksum does not match is refused as a whole.
 */
#ifndef PXEINV_CACHE_H
#define PXEINV_CACHE_H

#include <errno.h>
#include <stddef.h>

#include "pxeinv.h"

#define PXEINV_CACHE_VERSION 1
#define PXEINV_CACHE_META_KEY "\0meta"
#define PXEINV_CACHE_META_KEYLEN 5
#define PXEINV_CACHE_META_PREFIX "pxeinv-cache"

/** Return codes: 0, PXEINV_UNTOUCHED, or a negative errno, named for
 * what it means here (ARCHITECTURE.md, "One error convention") */
enum pxeinv_rc {
	PXEINV_OK = 0,
	PXEINV_UNTOUCHED = 1,   /**< not a PXE or iPXE client: leave alone
	                             (a second kind of success) */
	PXEINV_ERR_IO = -EIO,   /**< cannot open, stat or copy the file,
	                             or it is not a regular file */
	PXEINV_ERR_FORMAT = -EINVAL, /**< not a cdb, too large for one,
	                             truncated, or bad meta */
	PXEINV_ERR_VERSION = -EPROTONOSUPPORT, /**< written by another
	                             format version */
	PXEINV_ERR_CHECKSUM = -EBADMSG, /**< records do not match the
	                             checksum */
	PXEINV_ERR_RECORD = -ENODATA, /**< a record the steering needs is
	                             malformed */
};

/** An opened, verified cache.  Opaque. */
struct pxeinv_cache;

/**
 * Open a cache file and verify it.
 *
 * The file is copied into a sealed memfd (no write, shrink or growth),
 * and that copy is verified and served: nothing done to the file
 * afterwards changes the opened cache.  No descriptor stays open; a
 * child forked meanwhile shares the copy (dnsmasq daemonises after it
 * opened its first cache).
 *
 * @v path      Cache file
 * @v cache     Opened cache, on success
 * @v err       Buffer for a one-line reason that names the file, on
 *              failure (may be NULL)
 * @v errlen    Size of err
 * @ret rc      PXEINV_OK, a negative enum pxeinv_rc, or -ENOMEM
 */
int pxeinv_cache_open(const char *path, struct pxeinv_cache **cache,
		      char *err, size_t errlen);

/**
 * Close a cache opened by pxeinv_cache_open().
 *
 * @v cache     Cache, or NULL
 */
void pxeinv_cache_close(struct pxeinv_cache *cache);

/**
 * Number of nodes in a cache.
 *
 * @v cache     Cache
 * @ret count   Node records
 */
unsigned int pxeinv_cache_nodes(const struct pxeinv_cache *cache);

/**
 * Call a function for every node of a cache (not on the DHCP path).
 *
 * @v cache     Cache
 * @v fn        Function: node, install mode; non-zero stops the walk
 * @v ctx       Its context
 * @ret rc      PXEINV_OK or PXEINV_ERR_RECORD
 */
int pxeinv_cache_each_node(struct pxeinv_cache *cache,
			   int (*fn)(const char *node,
				     enum pxeinv_install install, void *ctx),
			   void *ctx);

/**
 * Look up the node of a MAC ("m:" record).
 *
 * @v cache     Cache
 * @v mac       6 bytes
 * @v node      Hostname output, PXEINV_NODE_MAX bytes ("" when not found)
 * @ret found   1 when found
 */
int pxeinv_cache_find_mac(struct pxeinv_cache *cache,
			  const unsigned char *mac, char *node);

/**
 * Look up the node of a UUID ("u:" record).
 *
 * @v cache     Cache
 * @v uuid      16 bytes, in the UUID's text order
 * @v node      Hostname output, PXEINV_NODE_MAX bytes ("" when not found)
 * @ret found   1 when found
 */
int pxeinv_cache_find_uuid(struct pxeinv_cache *cache,
			   const unsigned char *uuid, char *node);

/**
 * Look up the node of a serial that no other node shares ("s:" record).
 *
 * @v cache     Cache
 * @v serial    Serial
 * @v node      Hostname output, PXEINV_NODE_MAX bytes ("" when not found)
 * @ret found   1 when found
 */
int pxeinv_cache_find_serial(struct pxeinv_cache *cache, const char *serial,
			     char *node);

/**
 * Look up the node of a board serial that no other node shares ("b:").
 *
 * @v cache     Cache
 * @v board     Board serial
 * @v node      Hostname output, PXEINV_NODE_MAX bytes ("" when not found)
 * @ret found   1 when found
 */
int pxeinv_cache_find_board_serial(struct pxeinv_cache *cache,
				   const char *board, char *node);

/**
 * Look up the node of a serial and board serial pair ("p:" record).
 *
 * @v cache     Cache
 * @v serial    Serial
 * @v board     Board serial
 * @v node      Hostname output, PXEINV_NODE_MAX bytes ("" when not found)
 * @ret found   1 when found
 */
int pxeinv_cache_find_serial_board(struct pxeinv_cache *cache,
				   const char *serial, const char *board,
				   char *node);

/**
 * Read a node's record ("h:"): install mode and script.
 *
 * @v cache     Cache
 * @v node      Hostname
 * @v install   Install mode output
 * @v script    Script output, PXEINV_FILE_MAX bytes
 * @ret rc      PXEINV_OK, or PXEINV_ERR_RECORD when the record is absent
 *              or malformed
 */
int pxeinv_cache_read_node(struct pxeinv_cache *cache, const char *node,
			   enum pxeinv_install *install, char *script);

/**
 * Tell whether a node's images are fetched over HTTPS ("t:" record).
 *
 * @v cache     Cache
 * @v node      Hostname
 * @ret https   1 when they are
 */
int pxeinv_cache_node_uses_https(struct pxeinv_cache *cache,
				 const char *node);

/**
 * Read a setting ("c:" record).
 *
 * @v cache     Cache
 * @v setting   Setting
 * @v value     Output, PXEINV_FILE_MAX bytes
 * @ret found   1 when the setting is there (it is configured)
 */
int pxeinv_cache_get_setting(struct pxeinv_cache *cache,
			     enum pxeinv_setting setting, char *value);

#endif /* PXEINV_CACHE_H */
