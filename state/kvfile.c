/*
 * pxeinv state: "key value" state files (see kvfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvfile.h"

/**
 * Tell whether a key is valid.
 *
 * @v key       Key
 * @v len       Length
 * @ret ok      1 when valid
 */
static int kv_valid_key(const char *key, size_t len)
{
	size_t i;

	if (len == 0 || len >= KV_KEY_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') ||
		      (key[i] >= '0' && key[i] <= '9') || key[i] == '_'))
			return 0;
	return 1;
}

int kv_parse(struct kvfile *f, const char *buf, size_t len)
{
	size_t hl = sizeof(KV_HEADER) - 1, pos;

	f->count = 0;
	if (len > KV_FILE_MAX || len < hl + 1 || memcmp(buf, KV_HEADER, hl) ||
	    buf[hl] != '\n' || buf[len - 1] != '\n')
		return -EINVAL;
	pos = hl + 1;
	while (pos < len) {
		const char *line = buf + pos, *nl, *sp;
		size_t ll, kl, vl, i;

		nl = memchr(line, '\n', len - pos);
		ll = nl - line;
		sp = memchr(line, ' ', ll);
		if (!sp)
			goto bad;
		kl = sp - line;
		vl = ll - kl - 1;
		if (!kv_valid_key(line, kl) || vl >= KV_VAL_MAX ||
		    f->count >= KV_MAX)
			goto bad;
		for (i = 0; i < vl; i++)
			if ((unsigned char)sp[1 + i] < 0x20 ||
			    (unsigned char)sp[1 + i] >= 0x7f)
				goto bad;
		memcpy(f->kv[f->count].key, line, kl);
		f->kv[f->count].key[kl] = '\0';
		if (kv_get(f, f->kv[f->count].key))
			goto bad;
		memcpy(f->kv[f->count].val, sp + 1, vl);
		f->kv[f->count].val[vl] = '\0';
		f->count++;
		pos += ll + 1;
	}
	return 0;
bad:
	f->count = 0;
	return -EINVAL;
}

int kv_read(int dirfd, const char *name, struct kvfile *f)
{
	char buf[KV_FILE_MAX + 1];
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	f->count = 0;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			close(fd);
			return rc;
		}
		if (n == 0)
			break;
		len += n;
		if (len == sizeof(buf))
			break;
	}
	close(fd);
	return kv_parse(f, buf, len);
}

int kv_write_raw(int dirfd, const char *name, const char *buf, size_t len)
{
	char tmp[300];
	size_t off = 0;
	ssize_t n;
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", name, (long)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		off += n;
	}
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
		rc = -errno;
	if (rc != 0)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

int kv_write(int dirfd, const char *name, const struct kvfile *f)
{
	char buf[KV_FILE_MAX];
	size_t len, i;
	int n;

	len = snprintf(buf, sizeof(buf), "%s\n", KV_HEADER);
	for (i = 0; i < f->count; i++) {
		n = snprintf(buf + len, sizeof(buf) - len, "%s %s\n",
			     f->kv[i].key, f->kv[i].val);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			return -EFBIG;
		len += n;
	}
	return kv_write_raw(dirfd, name, buf, len);
}

const char *kv_get(const struct kvfile *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (strcmp(f->kv[i].key, key) == 0)
			return f->kv[i].val;
	return NULL;
}

long long kv_get_num(const struct kvfile *f, const char *key)
{
	const char *v = kv_get(f, key);
	char *end;
	long long n;

	if (!v || !*v || strspn(v, "0123456789") != strlen(v) ||
	    strlen(v) > 18)
		return 0;
	n = strtoll(v, &end, 10);
	return *end ? 0 : n;
}

int kv_set(struct kvfile *f, const char *key, const char *val)
{
	struct kv *e = NULL;
	size_t i, n = 0;

	for (i = 0; i < f->count; i++)
		if (strcmp(f->kv[i].key, key) == 0)
			e = &f->kv[i];
	if (!e) {
		if (f->count >= KV_MAX)
			return -ENOSPC;
		e = &f->kv[f->count++];
		snprintf(e->key, sizeof(e->key), "%s", key);
	}
	for (; val && *val && n + 1 < sizeof(e->val); val++)
		e->val[n++] = ((unsigned char)*val >= 0x20 &&
			       (unsigned char)*val < 0x7f) ? *val : '?';
	e->val[n] = '\0';
	return 0;
}

int kv_set_num(struct kvfile *f, const char *key, long long val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", val);
	return kv_set(f, key, buf);
}
