/*
 * A mirror's SHA-256 manifest, and the digest of a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../inventory/oom.h"
#include "mirror_manifest.h"

/**
 * Tell whether a manifest line's path is printable ASCII (no NUL, no
 * control byte: the paths are those of URLs).
 *
 * @v p         Path
 * @v len       Its length in the line
 * @ret ok      1 when every byte is printable ASCII
 */
static int manifest_path_is_printable(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	return 1;
}

int mirror_manifest_read(struct mirror_manifest *m, const char *dir,
			 char *err, size_t errlen)
{
	char path[PATH_MAX], *line = NULL;
	size_t size = 0, lineno = 0;
	ssize_t len;
	int rc = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" MIRROR_MANIFEST, dir);
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while ((len = getline(&line, &size, f)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len < MIRROR_SHA256_HEX + 3 ||
		    strspn(line, "0123456789abcdef") != MIRROR_SHA256_HEX ||
		    strncmp(line + MIRROR_SHA256_HEX, "  ", 2) != 0 ||
		    !manifest_path_is_printable(line + MIRROR_SHA256_HEX + 2,
						len - MIRROR_SHA256_HEX - 2)) {
			snprintf(err, errlen, "%s:%zu: not a line of "
				 "sha256sum's \"HEX  PATH\" (64 lower-case "
				 "hex digits, two spaces, a path of printable "
				 "ASCII); remove the file, and the next run "
				 "fetches every file again", path, lineno);
			rc = -EINVAL;
			break;
		}
		line[MIRROR_SHA256_HEX] = '\0';
		mirror_manifest_set(m, line + MIRROR_SHA256_HEX + 2, line);
	}
	if (rc == 0 && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	free(line);
	fclose(f);
	return rc;
}

const char *mirror_manifest_find(const struct mirror_manifest *m,
				 const char *path)
{
	size_t i;

	/* a mirror holds a few files per schematic and version */
	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].path, path) == 0)
			return m->v[i].hex;
	return NULL;
}

void mirror_manifest_set(struct mirror_manifest *m, const char *path,
			 const char *hex)
{
	struct mirror_sum *s = NULL;
	size_t i;

	for (i = 0; i < m->n && !s; i++)
		if (strcmp(m->v[i].path, path) == 0)
			s = &m->v[i];
	if (!s) {
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 16;
			m->v = realloc(m->v, m->cap * sizeof(*m->v));
			if (!m->v)
				abort_out_of_memory("the mirror manifest");
		}
		s = &m->v[m->n++];
		s->path = strdup(path);
		if (!s->path)
			abort_out_of_memory("the mirror manifest");
	}
	memcpy(s->hex, hex, MIRROR_SHA256_HEX);
	s->hex[MIRROR_SHA256_HEX] = '\0';
}

int mirror_manifest_write(const struct mirror_manifest *m, const char *dir)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int rc = 0;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" MIRROR_MANIFEST, dir);
	snprintf(tmp, sizeof(tmp), "%s/." MIRROR_MANIFEST ".tmp", dir);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	for (i = 0; i < m->n; i++)
		fprintf(f, "%s  %s\n", m->v[i].hex, m->v[i].path);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
		rc = errno ? -errno : -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

void mirror_manifest_free(struct mirror_manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int mirror_sha256_file(const char *path, char hex[MIRROR_SHA256_HEX + 1])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	ssize_t got;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		rc = -EIO;
	while (rc == 0 && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0)
			rc = -errno;
		else if (!EVP_DigestUpdate(ctx, buf, got))
			rc = -EIO;
	}
	if (rc == 0 && (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32))
		rc = -EIO;
	for (i = 0; rc == 0 && i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}
