/*
 * `pxeinv compile`: putting the new tree in place of OUT_DIR (see
 * compile_swap.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile_index.h"
#include "compile_swap.h"
#include "render.h"
#include "oom.h"

/**
 * nftw callback that removes everything.
 *
 * @v path      Path
 * @v st        Status
 * @v flag      Type
 * @v ftw       Position
 * @ret rc      0
 */
static int compile_rm_one(const char *path, const struct stat *st, int flag,
			  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void compile_rm_tree(const char *path)
{
	nftw(path, compile_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/** Names to unlink, shared out between threads */
struct compile_rm_pool {
	int dirfd;
	char **names;
	size_t count;
	atomic_size_t next;
};

/**
 * Unlink names from the queue until it is empty.
 *
 * @v arg       struct compile_rm_pool
 * @ret NULL
 */
static void *compile_rm_run(void *arg)
{
	struct compile_rm_pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->count)
		unlinkat(p->dirfd, p->names[i], 0);
	return NULL;
}

/**
 * Remove a previous tree: its node scripts on several threads, since
 * there is one per node, then whatever is left.
 *
 * @v path      Tree
 */
static void compile_rm_old(const char *path)
{
	struct compile_rm_pool p = { .dirfd = -1 };
	pthread_t ids[COMPILE_MAX_THREADS];
	char nodes[PATH_MAX];
	size_t cap = 0, i;
	struct dirent *de;
	int n, k;
	DIR *d;

	if (compile_path(nodes, sizeof(nodes), "%s/tftp/" PXEINV_TFTP_NODES,
			 path) == 0 && (d = opendir(nodes))) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (p.count == cap) {
				cap = cap ? 2 * cap : 1024;
				p.names = realloc(p.names,
						  cap * sizeof(*p.names));
				if (!p.names)
					abort_out_of_memory("the old tree's "
							    "names");
			}
			p.names[p.count] = strdup(de->d_name);
			if (!p.names[p.count++])
				abort_out_of_memory("a name in the old "
						    "tree");
		}
		p.dirfd = dirfd(d);
		atomic_init(&p.next, 0);
		n = compile_plan_threads(p.count);
		for (k = 0; k < n; k++)
			if (pthread_create(&ids[k], NULL, compile_rm_run, &p))
				abort_out_of_memory("a thread");
		compile_rm_run(&p);
		for (k = 0; k < n; k++)
			pthread_join(ids[k], NULL);
		closedir(d);
		for (i = 0; i < p.count; i++)
			free(p.names[i]);
		free(p.names);
	}
	compile_rm_tree(path);
}

/**
 * Remove the previous tree without making the caller wait for it.
 *
 * The tree is renamed out of the way first (OLD_PREFIX + the same suffix),
 * then `rm -rf` removes it in its own session, with /dev/null as its
 * standard streams and without the lock (O_CLOEXEC): compile returns as
 * soon as the new tree is in place (at 100,000 nodes the removal takes
 * about as long as writing the scripts). If rm cannot be started, the tree
 * is removed here. A removal cut short leaves a tree that the next compile
 * removes.
 *
 * @v old       The previous tree, at its temporary name
 * @v parent    Parent directory of OUT_DIR
 * @v old_prefix Name prefix for trees being removed
 */
static void compile_rm_detached(const char *old, const char *parent,
				const char *old_prefix)
{
	char gone[PATH_MAX], *argv[5];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	const char *path = old;
	pid_t pid;
	int rc;

	if (compile_path(gone, sizeof(gone), "%s/%s%s", parent, old_prefix,
			 old + strlen(old) - 6) == 0 && rename(old, gone) == 0)
		path = gone;
	argv[0] = "rm";
	argv[1] = "-rf";
	argv[2] = "--";
	argv[3] = (char *)path;
	argv[4] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawnattr_init(&attr) != 0)
		abort_out_of_memory("the spawn attributes of rm");
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	rc = posix_spawn(&pid, "/bin/rm", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		compile_rm_old(path);
}

/**
 * Remove temporary trees that an interrupted compile left behind.
 *
 * @v parent    Parent directory of OUT_DIR
 * @v prefix    Temporary name prefix
 */
static void compile_clean_stale(const char *parent, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(parent);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (compile_path(path, sizeof(path), "%s/%s", parent,
				 de->d_name) == 0)
			compile_rm_tree(path);
	}
	closedir(d);
}

/**
 * Tell whether OUT_DIR may be replaced: absent, empty, or ours.
 *
 * @v c         Compile
 * @v out       OUT_DIR
 * @v exists    Set when it exists
 * @ret rc      0 or -1
 */
static int compile_check_target(struct compile *c, const char *out,
				int *exists)
{
	struct stat st;
	struct dirent *de;
	char marker[PATH_MAX];
	int empty = 1;
	DIR *d;

	*exists = 0;
	if (lstat(out, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return compile_fail(c, "cannot read %s: %s", out,
				    strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return compile_fail(c, "%s exists and is not a directory", out);
	*exists = 1;
	if (compile_path(marker, sizeof(marker), "%s/" COMPILE_MARKER, out) ==
	    0 && access(marker, F_OK) == 0)
		return 0;
	d = opendir(out);
	if (!d)
		return compile_fail(c, "cannot read %s: %s", out,
				    strerror(errno));
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	if (!empty)
		return compile_fail(c, "%s is not empty and was not written by "
				    "pxeinv compile; refusing to replace it "
				    "(choose an empty or new directory)", out);
	return 0;
}

int compile_swap_begin(struct compile *c, struct compile_swap *swap)
{
	struct compile_paths *p = &c->paths;

	/* One compile at a time per parent directory */
	swap->lockfd = open(p->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (swap->lockfd < 0 || flock(swap->lockfd, LOCK_EX) != 0)
		return compile_fail(c, "cannot lock %s: %s", p->parent,
				    strerror(errno));
	if (compile_check_target(c, p->final, &swap->exists))
		return -1;
	compile_clean_stale(p->parent, p->tmp_prefix);
	compile_clean_stale(p->parent, p->old_prefix);
	if (swap->exists)
		manifest_load(&c->old, p->final);

	if (!mkdtemp(p->tmp))
		return compile_fail(c, "cannot create a directory beside %s: "
				    "%s", p->final, strerror(errno));
	swap->made = 1;
	chmod(p->tmp, 0755);
	c->dirfd = open(p->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0)
		return compile_fail(c, "cannot open %s: %s", p->tmp,
				    strerror(errno));
	return 0;
}

int compile_swap_finish(struct compile *c, struct compile_swap *swap)
{
	struct compile_paths *p = &c->paths;

	if (syncfs(c->dirfd) != 0)
		return compile_fail(c, "cannot sync %s: %s", p->tmp,
				    strerror(errno));
	if (swap->exists) {
		/* A reused identity index: the tree dnsmasq serves reaches
		 * it through the new tree until the swap */
		if (compile_index_move(c))
			return -1;
		if (renameat2(AT_FDCWD, p->tmp, AT_FDCWD, p->final,
			      RENAME_EXCHANGE) != 0) {
			compile_index_unmove(c);
			return compile_fail(c, "cannot swap %s into place: %s",
					    p->final, strerror(errno));
		}
		/* tmp now holds the previous tree */
	} else if (rename(p->tmp, p->final) != 0) {
		return compile_fail(c, "cannot move %s into place: %s",
				    p->final, strerror(errno));
	}
	swap->made = 0;
	fsync(swap->lockfd);
	if (swap->exists)
		compile_rm_detached(p->tmp, p->parent, p->old_prefix);
	return 0;
}

void compile_swap_end(struct compile *c, struct compile_swap *swap)
{
	if (swap->made)
		compile_rm_tree(c->paths.tmp);
	manifest_free(&c->old);
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
	if (swap->lockfd >= 0)
		close(swap->lockfd);
	swap->lockfd = -1;
}
