/*
 * `pxeinv compile`: the identity index (see compile_index.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile_index.h"
#include "render.h"
#include "oom.h"

/** The index, in the new tree's pxeinv directory */
#define INDEX_DIR "index"
/** Its identity map, written last */
#define INDEX_MAP ".identities"
/** First line of the map: the entries' format */
#define INDEX_MAP_HEAD "pxeinv identity index 1\n"
/** Longest entry name: two serials, the separator, the extension */
#define INDEX_NAME_MAX (2 * 64 + 1 + sizeof(PXEINV_SCRIPT_EXT))
/** Longest line of the map */
#define INDEX_LINE_MAX (32 + INDEX_NAME_MAX + PXEINV_NODE_MAX + 8)
/** Largest entry */
#define INDEX_ENTRY_MAX 512

/** Index directories, in the steering's order */
static const char *const index_kinds[COMPILE_INDEX_KINDS] = {
	PXEINV_INDEX_SERIAL_BOARD,
	PXEINV_INDEX_BOARD_SERIAL,
	PXEINV_INDEX_SERIAL,
};

/**
 * Write a whole buffer.
 *
 * @v fd        File
 * @v buf       Data
 * @v len       Length
 * @ret rc      0, or -1 with errno set (ENOSPC for a write cut short)
 */
static int index_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t got = write(fd, buf, len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = ENOSPC;
			return -1;
		}
		buf += got;
		len -= got;
	}
	return 0;
}

/**
 * Name a node's entry of one kind.
 *
 * @v n         Node
 * @v kind      Index kind (index_kinds)
 * @v name      Buffer of INDEX_NAME_MAX bytes
 * @ret has     1 when the node has an entry of that kind, else 0
 */
static int index_name(const struct node *n, int kind, char *name)
{
	switch (kind) {
	case 0:
		if (!n->serial || !n->board_serial)
			return 0;
		snprintf(name, INDEX_NAME_MAX, "%s" PXEINV_INDEX_PAIR_SEP "%s"
			 PXEINV_SCRIPT_EXT, n->serial, n->board_serial);
		return 1;
	case 1:
		if (!n->board_serial || n->board_shared)
			return 0;
		snprintf(name, INDEX_NAME_MAX, "%s" PXEINV_SCRIPT_EXT,
			 n->board_serial);
		return 1;
	default:
		if (!n->serial || n->serial_shared)
			return 0;
		snprintf(name, INDEX_NAME_MAX, "%s" PXEINV_SCRIPT_EXT,
			 n->serial);
		return 1;
	}
}

/**
 * Tell whether a node's entries try its exit script first.
 *
 * @v c         Compile
 * @v n         Node
 * @ret once    1 or 0
 */
static int index_once(struct compile *c, const struct node *n)
{
	return n->install == PXEINV_INSTALL_ONCE && c->opts->state_dir;
}

/**
 * Write an entry's line of the map: "KIND/NAME NODE once|-".
 *
 * @v line      Buffer of INDEX_LINE_MAX bytes
 * @v c         Compile
 * @v n         Node
 * @v kind      Index kind
 * @v name      Entry name
 */
static void index_line(char *line, struct compile *c, const struct node *n,
		       int kind, const char *name)
{
	snprintf(line, INDEX_LINE_MAX, "%s/%s %s %s", index_kinds[kind], name,
		 n->hostname, index_once(c, n) ? "once" : "-");
}

/**
 * Read the previous tree's index map.
 *
 * @v c         Compile (index.olddirfd open)
 * @v len       Its length
 * @ret map     The map (free() it), or NULL when there is none: no
 *              previous tree, no index directory (a symbolic link is
 *              none), or no complete map in it
 */
static char *index_old_map(struct compile *c, size_t *len)
{
	struct compile_index *ix = &c->index;
	size_t done = 0;
	struct stat st;
	char *buf;
	int dfd, fd;

	if (ix->olddirfd < 0)
		return NULL;
	dfd = openat(ix->olddirfd, INDEX_DIR, O_RDONLY | O_DIRECTORY |
		     O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return NULL;
	fd = openat(dfd, INDEX_MAP, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort_out_of_memory("the previous index's map");
	while (done < (size_t)st.st_size) {
		ssize_t got = read(fd, buf + done, st.st_size - done);

		if (got <= 0)
			break;
		done += got;
	}
	close(fd);
	if (done != (size_t)st.st_size) {
		free(buf);
		return NULL;
	}
	buf[done] = '\0';
	*len = done;
	return buf;
}

/**
 * Keep the previous map's entries, so that the entries that did not
 * change are hard-linked from the previous index (its files are never
 * modified in place), when the entries' format is the same.
 *
 * @v c         Compile
 * @v old       Previous map, NUL-terminated (changed in place)
 */
static void index_old_load(struct compile *c, char *old)
{
	struct compile_index *ix = &c->index;
	size_t head = sizeof(INDEX_MAP_HEAD) - 1, lines = 0;
	char *p, *nl;
	int k, dfd;

	if (strncmp(old, INDEX_MAP_HEAD, head) != 0)
		return;
	dfd = openat(ix->olddirfd, INDEX_DIR, O_RDONLY | O_DIRECTORY |
		     O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return;
	for (k = 0; k < COMPILE_INDEX_KINDS; k++)
		ix->oldkindfd[k] = openat(dfd, index_kinds[k], O_RDONLY |
					  O_DIRECTORY | O_NOFOLLOW |
					  O_CLOEXEC);
	close(dfd);
	for (p = old + head; *p; p++)
		lines += *p == '\n';
	strtab_init(&ix->old_entries, lines + 1);
	for (p = old + head; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		strtab_add(&ix->old_entries, p, ix);
	}
	ix->has_old = 1;
}

/**
 * Link the new tree's index to the previous tree's directory, as the
 * previous tree will see it once the two are exchanged: from the previous
 * tree's pxeinv directory, ../../../ is OUT_DIR's parent, where the new
 * tree is until the swap.
 *
 * @v c         Compile
 * @ret rc      0 or -1
 */
static int index_link_placeholder(struct compile *c)
{
	const char *base = strrchr(c->paths.tmp, '/');
	char target[PATH_MAX];

	base = base ? base + 1 : c->paths.tmp;
	if (compile_path(target, sizeof(target), "../../../%s/tftp/"
			 PXEINV_TFTP_INDEX, base))
		return compile_fail(c, "%s is too long", c->paths.tmp);
	if (symlinkat(target, c->index.newdirfd, INDEX_DIR) != 0)
		return compile_fail(c, "cannot link %s: %s", PXEINV_TFTP_INDEX,
				    strerror(errno));
	return 0;
}

/**
 * Make the new index's directories.
 *
 * @v c         Compile
 * @ret rc      0 or -1
 */
static int index_make_dirs(struct compile *c)
{
	struct compile_index *ix = &c->index;
	int k, dfd;

	if (mkdirat(ix->newdirfd, INDEX_DIR, 0755) != 0)
		return compile_fail(c, "cannot create %s: %s",
				    PXEINV_TFTP_INDEX, strerror(errno));
	dfd = openat(ix->newdirfd, INDEX_DIR, O_RDONLY | O_DIRECTORY |
		     O_CLOEXEC);
	if (dfd < 0)
		return compile_fail(c, "cannot open %s: %s", PXEINV_TFTP_INDEX,
				    strerror(errno));
	for (k = 0; k < COMPILE_INDEX_KINDS; k++) {
		if (mkdirat(dfd, index_kinds[k], 0755) != 0 ||
		    (ix->kindfd[k] = openat(dfd, index_kinds[k], O_RDONLY |
					    O_DIRECTORY | O_CLOEXEC)) < 0) {
			close(dfd);
			return compile_fail(c, "cannot create %s/%s: %s",
					    PXEINV_TFTP_INDEX, index_kinds[k],
					    strerror(errno));
		}
	}
	close(dfd);
	return 0;
}

int compile_index_plan(struct compile *c, const struct node *nodes,
		       size_t count)
{
	struct compile_index *ix = &c->index;
	char name[INDEX_NAME_MAX], line[INDEX_LINE_MAX], *old;
	size_t i, old_len = 0;
	FILE *f;
	int k;

	ix->olddirfd = ix->newdirfd = -1;
	for (k = 0; k < COMPILE_INDEX_KINDS; k++)
		ix->kindfd[k] = ix->oldkindfd[k] = -1;
	f = open_memstream(&ix->map, &ix->map_len);
	if (!f)
		abort_out_of_memory("the index's map");
	fputs(INDEX_MAP_HEAD, f);
	for (i = 0; i < count; i++)
		for (k = 0; k < COMPILE_INDEX_KINDS; k++)
			if (index_name(&nodes[i], k, name)) {
				index_line(line, c, &nodes[i], k, name);
				fprintf(f, "%s\n", line);
			}
	if (fclose(f) != 0)
		abort_out_of_memory("the index's map");

	ix->newdirfd = openat(c->dirfd, "tftp/" PXEINV_TFTP_DIR, O_RDONLY |
			      O_DIRECTORY | O_CLOEXEC);
	if (ix->newdirfd < 0)
		return compile_fail(c, "cannot open tftp/%s: %s",
				    PXEINV_TFTP_DIR, strerror(errno));
	if (c->old.dirfd >= 0)
		ix->olddirfd = openat(c->old.dirfd, "tftp/" PXEINV_TFTP_DIR,
				      O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				      O_CLOEXEC);
	old = index_old_map(c, &old_len);
	ix->reuse = old && old_len == ix->map_len &&
		    memcmp(old, ix->map, old_len) == 0;
	if (old && !ix->reuse)
		index_old_load(c, old);
	free(old);
	if (ix->reuse)
		return index_link_placeholder(c);
	return index_make_dirs(c);
}

int compile_index_node(struct compile *c, const struct node *n)
{
	struct compile_index *ix = &c->index;
	char name[INDEX_NAME_MAX], buf[INDEX_ENTRY_MAX], line[INDEX_LINE_MAX];
	ssize_t len = -1;
	FILE *f;
	int k, fd;

	if (ix->reuse)
		return 0;
	for (k = 0; k < COMPILE_INDEX_KINDS; k++) {
		if (!index_name(n, k, name))
			continue;
		/* The same entry in the previous index: share its file */
		if (ix->has_old && ix->oldkindfd[k] >= 0) {
			index_line(line, c, n, k, name);
			if (strtab_find(&ix->old_entries, line) &&
			    linkat(ix->oldkindfd[k], name, ix->kindfd[k], name,
				   0) == 0)
				continue;
		}
		if (len < 0) {
			f = fmemopen(buf, sizeof(buf), "w");
			if (!f)
				abort_out_of_memory("an index entry");
			render_index_entry(f, n->hostname, index_once(c, n));
			len = ftell(f);
			if (fclose(f) != 0 || len <= 0 ||
			    (size_t)len >= sizeof(buf))
				return compile_fail(c, "the index entry of %s "
						    "is too long", n->hostname);
		}
		fd = openat(ix->kindfd[k], name, O_WRONLY | O_CREAT | O_EXCL |
			    O_CLOEXEC, 0644);
		if (fd < 0)
			return compile_fail(c, "cannot create %s/%s/%s: %s",
					    PXEINV_TFTP_INDEX, index_kinds[k],
					    name, strerror(errno));
		if (index_write(fd, buf, len) != 0) {
			close(fd);
			return compile_fail(c, "cannot write %s/%s/%s: %s",
					    PXEINV_TFTP_INDEX, index_kinds[k],
					    name, strerror(errno));
		}
		if (close(fd) != 0)
			return compile_fail(c, "cannot write %s/%s/%s: %s",
					    PXEINV_TFTP_INDEX, index_kinds[k],
					    name, strerror(errno));
	}
	return 0;
}

int compile_index_finish(struct compile *c)
{
	struct compile_index *ix = &c->index;
	int fd;

	if (ix->reuse)
		return 0;
	fd = openat(ix->newdirfd, INDEX_DIR "/" INDEX_MAP, O_WRONLY | O_CREAT |
		    O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return compile_fail(c, "cannot create %s/%s: %s",
				    PXEINV_TFTP_INDEX, INDEX_MAP,
				    strerror(errno));
	if (index_write(fd, ix->map, ix->map_len) != 0) {
		close(fd);
		return compile_fail(c, "cannot write %s/%s: %s",
				    PXEINV_TFTP_INDEX, INDEX_MAP,
				    strerror(errno));
	}
	if (close(fd) != 0)
		return compile_fail(c, "cannot write %s/%s: %s",
				    PXEINV_TFTP_INDEX, INDEX_MAP,
				    strerror(errno));
	return 0;
}

int compile_index_move(struct compile *c)
{
	struct compile_index *ix = &c->index;

	if (!ix->reuse)
		return 0;
	if (renameat2(ix->olddirfd, INDEX_DIR, ix->newdirfd, INDEX_DIR,
		      RENAME_EXCHANGE) != 0)
		return compile_fail(c, "cannot move the previous tree's %s: %s",
				    PXEINV_TFTP_INDEX, strerror(errno));
	ix->moved = 1;
	return 0;
}

void compile_index_unmove(struct compile *c)
{
	struct compile_index *ix = &c->index;

	if (ix->moved &&
	    renameat2(ix->olddirfd, INDEX_DIR, ix->newdirfd, INDEX_DIR,
		      RENAME_EXCHANGE) == 0)
		ix->moved = 0;
}

void compile_index_free(struct compile *c)
{
	struct compile_index *ix = &c->index;
	int k;

	for (k = 0; k < COMPILE_INDEX_KINDS; k++) {
		if (ix->kindfd[k] >= 0)
			close(ix->kindfd[k]);
		if (ix->oldkindfd[k] >= 0)
			close(ix->oldkindfd[k]);
		ix->kindfd[k] = ix->oldkindfd[k] = -1;
	}
	if (ix->has_old)
		strtab_free(&ix->old_entries);
	ix->has_old = 0;
	if (ix->olddirfd >= 0)
		close(ix->olddirfd);
	if (ix->newdirfd >= 0)
		close(ix->newdirfd);
	ix->olddirfd = ix->newdirfd = -1;
	free(ix->map);
	ix->map = NULL;
}
