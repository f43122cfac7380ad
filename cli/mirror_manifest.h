/*
 * A mirror's SHA-256 manifest, DIR/SHA256SUMS, in sha256sum's format
 * ("HEX  PATH" per line, so that `sha256sum -c SHA256SUMS` checks it too).
 */
#ifndef PXEINV_MIRROR_MANIFEST_H
#define PXEINV_MIRROR_MANIFEST_H

#include <stddef.h>

/** The manifest's name in a mirror directory */
#define MIRROR_MANIFEST "SHA256SUMS"

/** Length of a SHA-256 digest in hex, without the NUL */
#define MIRROR_SHA256_HEX 64

/** One line of a manifest */
struct mirror_sum {
	char *path;                             /**< below the mirror */
	char hex[MIRROR_SHA256_HEX + 1];        /**< lower-case digest */
};

/** A manifest */
struct mirror_manifest {
	struct mirror_sum *v;
	size_t n;
	size_t cap;
};

/**
 * Read a manifest; a missing one is empty.  Out of memory ends the
 * process (oom.h).
 *
 * @v m         Manifest (zero-initialised)
 * @v dir       Mirror directory
 * @v err       Reason on failure
 * @v errlen    Size of err
 * @ret rc      0, -EINVAL for a line that is not "HEX  PATH", or the
 *              errno of the read that failed
 */
int mirror_manifest_read(struct mirror_manifest *m, const char *dir,
			 char *err, size_t errlen);

/**
 * Find a file's digest.
 *
 * @v m         Manifest
 * @v path      Path below the mirror
 * @ret hex     Its digest, or NULL when the manifest has none
 */
const char *mirror_manifest_find(const struct mirror_manifest *m,
				 const char *path);

/**
 * Set a file's digest, adding its line when it is new.
 *
 * @v m         Manifest
 * @v path      Path below the mirror
 * @v hex       Digest
 */
void mirror_manifest_set(struct mirror_manifest *m, const char *path,
			 const char *hex);

/**
 * Write a manifest atomically (a temporary file, fsync, rename).
 *
 * @v m         Manifest
 * @v dir       Mirror directory
 * @ret rc      0, or the errno of the call that failed
 */
int mirror_manifest_write(const struct mirror_manifest *m, const char *dir);

/**
 * Free a manifest.
 *
 * @v m         Manifest
 */
void mirror_manifest_free(struct mirror_manifest *m);

/**
 * Compute a file's SHA-256 (OpenSSL's EVP).
 *
 * @v path      File
 * @v hex       Digest, lower-case hex
 * @ret rc      0, -ENOENT when there is no file, or the errno of the call
 *              that failed (-EIO when the digest could not be computed)
 */
int mirror_sha256_file(const char *path, char hex[MIRROR_SHA256_HEX + 1]);

#endif /* PXEINV_MIRROR_MANIFEST_H */
