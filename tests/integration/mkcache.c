/*
 * mkcache: write a pxeinv lookup cache from records on stdin, with the
 * shared writer (cache/pxeinv_cache_write.c).  Test and bench helper only;
 * `pxeinv compile` is the real producer.
 *
 * Input: one record per line, "KEY<TAB>VALUE"; VALUE is the rest of the
 * line and may contain further tabs (node records "h:NAME\tyes\tamd64\tS").
 * Blank lines and lines starting with '#' are skipped.
 *
 * Usage: mkcache OUT < records
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxeinv_cache_write.h"

/**
 * Main.
 *
 * @v argc      Argument count
 * @v argv      OUT
 * @ret status  0 on success
 */
int main(int argc, char **argv)
{
	struct pxeinv_cache_writer *w;
	char *line = NULL, *tab;
	size_t cap = 0;
	ssize_t len;
	int fd, rc;
	unsigned long n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT < records\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (rc = pxeinv_cache_writer_start(fd, &w)) != 0) {
		fprintf(stderr, "mkcache: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "mkcache: no tab in '%s'\n", line);
			pxeinv_cache_writer_abort(w);
			return 1;
		}
		rc = pxeinv_cache_writer_add(w, line, tab - line, tab + 1,
					     len - (tab + 1 - line));
		if (rc) {
			fprintf(stderr, "mkcache: add: %s\n", strerror(-rc));
			pxeinv_cache_writer_abort(w);
			return 1;
		}
		n++;
	}
	free(line);
	rc = pxeinv_cache_writer_finish(w);
	if (rc || close(fd)) {
		fprintf(stderr, "mkcache: finish: %s\n", strerror(rc ? -rc : errno));
		return 1;
	}
	return 0;
}
