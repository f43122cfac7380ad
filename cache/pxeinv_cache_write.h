/*
 * pxeinv lookup cache: writer.  Used by `pxeinv compile` only.
 */
#ifndef PXEINV_CACHE_WRITE_H
#define PXEINV_CACHE_WRITE_H

#include <stddef.h>

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
 * Add one record.  Keys must be unique; the caller guarantees it.
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
