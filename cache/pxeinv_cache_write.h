/*
 * pxeinv lookup cache: writer.  Used by `pxeinv compile` only.
 *
 * The typed functions build each record of the format (pxeinv_cache.h) and
 * refuse a field that the format cannot carry or the reader would not
 * find: a control character (such as the tab that separates fields), or
 * one longer than the reader's buffers.
 */
#ifndef PXEINV_CACHE_WRITE_H
#define PXEINV_CACHE_WRITE_H

#include <stddef.h>

#include "pxeinv_cache.h"

/** A cache being written.  Opaque. */
struct pxeinv_cache_writer;

/**
 * Start writing a cache into an open, empty, seekable file.
 *
 * @v fd        File descriptor, owned by the caller
 * @v writer    New writer, on success
 * @ret rc      0 or -errno
 */
int pxeinv_cache_writer_start(int fd, struct pxeinv_cache_writer **writer);

/**
 * Add one raw record (for tools that write test caches; `pxeinv compile`
 * uses the typed functions below).  Keys must be unique; the caller
 * guarantees it.
 *
 * @v writer    Writer
 * @v key       Key bytes
 * @v klen      Key length
 * @v val       Value bytes
 * @v vlen      Value length
 * @ret rc      0 or -errno
 */
int pxeinv_cache_writer_add(struct pxeinv_cache_writer *writer,
			    const void *key, size_t klen,
			    const void *val, size_t vlen);

/**
 * Add a setting ("c:" record).
 *
 * @v writer    Writer
 * @v setting   Setting
 * @v value     TFTP path or URL, shorter than PXEINV_FILE_MAX, printable
 * @ret rc      0, -EINVAL for a bad setting or value, or -errno
 */
int pxeinv_cache_put_setting(struct pxeinv_cache_writer *writer,
			     enum pxeinv_setting setting, const char *value);

/**
 * Add a node record ("h:").
 *
 * @v writer    Writer
 * @v host      Hostname, shorter than PXEINV_NODE_MAX, printable
 * @v install   PXEINV_INSTALL_YES, _NO or _ONCE
 * @v arch      Architecture, e.g. "amd64", printable
 * @v script    Node script, relative to the TFTP root, printable
 * @ret rc      0, -EINVAL for a bad field, -ENAMETOOLONG when the record
 *              would not fit the reader's buffer, or -errno
 */
int pxeinv_cache_put_node(struct pxeinv_cache_writer *writer,
			  const char *host, enum pxeinv_install install,
			  const char *arch, const char *script);

/**
 * Say that a node's images are fetched over HTTPS ("t:" record).
 *
 * @v writer    Writer
 * @v host      Hostname
 * @ret rc      0, -EINVAL for a bad hostname, or -errno
 */
int pxeinv_cache_put_https(struct pxeinv_cache_writer *writer,
			   const char *host);

/**
 * Add a MAC of a node ("m:" record).
 *
 * @v writer    Writer
 * @v host      Hostname
 * @v mac       "aa:bb:cc:dd:ee:ff", lower case
 * @ret rc      0, -EINVAL for a bad hostname or MAC, or -errno
 */
int pxeinv_cache_put_mac(struct pxeinv_cache_writer *writer,
			 const char *host, const char *mac);

/**
 * Add the UUID of a node ("u:" record).
 *
 * @v writer    Writer
 * @v host      Hostname
 * @v uuid      "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case
 * @ret rc      0, -EINVAL for a bad hostname or UUID, or -errno
 */
int pxeinv_cache_put_uuid(struct pxeinv_cache_writer *writer,
			  const char *host, const char *uuid);

/**
 * Add the serial of a node that no other node shares ("s:" record).
 *
 * @v writer    Writer
 * @v host      Hostname
 * @v serial    Serial, shorter than PXEINV_SERIAL_MAX, printable
 * @ret rc      0, -EINVAL for a bad hostname or serial, or -errno
 */
int pxeinv_cache_put_serial(struct pxeinv_cache_writer *writer,
			    const char *host, const char *serial);

/**
 * Add the board serial of a node that no other node shares ("b:" record).
 *
 * @v writer    Writer
 * @v host      Hostname
 * @v board     Board serial, as a serial
 * @ret rc      0, -EINVAL for a bad hostname or board serial, or -errno
 */
int pxeinv_cache_put_board_serial(struct pxeinv_cache_writer *writer,
				  const char *host, const char *board);

/**
 * Add the serial and board serial pair of a node ("p:" record).
 *
 * @v writer    Writer
 * @v host      Hostname
 * @v serial    Serial
 * @v board     Board serial
 * @ret rc      0, -EINVAL for a bad hostname or serial, or -errno
 */
int pxeinv_cache_put_serial_board(struct pxeinv_cache_writer *writer,
				  const char *host, const char *serial,
				  const char *board);

/**
 * Number of records added so far (the meta record aside).
 *
 * @v writer    Writer
 * @ret records Records
 */
unsigned int pxeinv_cache_writer_records(const struct pxeinv_cache_writer
					 *writer);

/**
 * Add the meta record, write the hash tables and free the writer.
 *
 * @v writer    Writer (freed whatever the result)
 * @ret rc      0 or -errno
 */
int pxeinv_cache_writer_finish(struct pxeinv_cache_writer *writer);

/**
 * Free a writer without finishing (the file is left incomplete).
 *
 * @v writer    Writer, or NULL
 */
void pxeinv_cache_writer_abort(struct pxeinv_cache_writer *writer);

#endif /* PXEINV_CACHE_WRITE_H */
