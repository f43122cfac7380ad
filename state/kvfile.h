/*
 * pxeinv state: small "key value" state files, read strictly and replaced
 * atomically.
 *
 * Format:
 *
 *   # pxeinv-state 1
 *   key value to the end of the line
 *   ...
 *
 * Keys are [a-z0-9_], 1-31 characters, each at most once; values are
 * printable ASCII (no control characters), at most 255 bytes; the file is
 * at most KV_FILE_MAX bytes and ends with a newline.  Anything else makes
 * the whole file corrupt.  A file is replaced by writing NAME.tmp.PID and
 * renaming it over NAME, so a reader sees the old file or the new one,
 * never a mix; a crash leaves at most a stray .tmp file.
 */
#ifndef PXEINV_STATE_KVFILE_H
#define PXEINV_STATE_KVFILE_H

#include <stddef.h>

#define KV_HEADER "# pxeinv-state 1"
#define KV_KEY_MAX 32
#define KV_VAL_MAX 256
#define KV_MAX 40
#define KV_FILE_MAX 12288

/** One entry */
struct kv {
	char key[KV_KEY_MAX];
	char val[KV_VAL_MAX];
};

/** A whole file */
struct kvfile {
	size_t count;
	struct kv kv[KV_MAX];
};

/**
 * Parse a file's contents.
 *
 * @v f         Entries, filled
 * @v buf       Contents
 * @v len       Length
 * @ret rc      0, or -EINVAL when malformed
 */
int kv_parse(struct kvfile *f, const char *buf, size_t len);

/**
 * Read a file.
 *
 * @v dirfd     Directory
 * @v name      File name in dirfd
 * @v f         Entries, filled (empty unless 0 is returned)
 * @ret rc      0, -ENOENT, -EINVAL (corrupt), or another -errno
 */
int kv_read(int dirfd, const char *name, struct kvfile *f);

/**
 * Replace a file atomically (write NAME.tmp.PID, rename).
 *
 * @v dirfd     Directory
 * @v name      File name in dirfd
 * @v f         Entries
 * @ret rc      0 or -errno
 */
int kv_write(int dirfd, const char *name, const struct kvfile *f);

/**
 * Replace a file atomically with raw contents.
 *
 * @v dirfd     Directory
 * @v name      File name in dirfd
 * @v buf       Contents
 * @v len       Length
 * @ret rc      0 or -errno
 */
int kv_write_raw(int dirfd, const char *name, const char *buf, size_t len);

/**
 * Get a value.
 *
 * @v f         Entries
 * @v key       Key
 * @ret val     Value, or NULL
 */
const char *kv_get(const struct kvfile *f, const char *key);

/**
 * Get a number (decimal, non-negative).
 *
 * @v f         Entries
 * @v key       Key
 * @ret val     Value, or 0 when absent or not a number
 */
long long kv_get_num(const struct kvfile *f, const char *key);

/**
 * Set a value (control characters become '?', too long values are cut).
 *
 * @v f         Entries
 * @v key       Key (valid)
 * @v val       Value
 * @ret rc      0, or -ENOSPC when the file is full
 */
int kv_set(struct kvfile *f, const char *key, const char *val);

/**
 * Set a number.
 *
 * @v f         Entries
 * @v key       Key
 * @v val       Value
 * @ret rc      0 or -ENOSPC
 */
int kv_set_num(struct kvfile *f, const char *key, long long val);

#endif /* PXEINV_STATE_KVFILE_H */
