/*
 * `pxeinv compile`: writing the new tree (see compile_tree.h): node
 * scripts on several threads, the cache on one more, and the big files
 * (ipxe.conf, the fallback dispatcher, the dnsmasq fragment) meanwhile on
 * the calling thread.  The threads that write node scripts also write
 * their identity index entries (compile_index.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cache/pxeinv_cache_write.h"
#include "compile_http.h"
#include "compile_index.h"
#include "compile_tree.h"
#include "render.h"
#include "oom.h"

/** Scripts a thread takes from the queue at once */
#define COMPILE_BATCH 32
/** Largest node script */
#define COMPILE_SCRIPT_MAX 65536

/**
 * Count a file put into the new tree.
 *
 * Test hook: with PXEINV_TEST_KILL_AFTER_FILES=N the process dies after
 * N files, as a crash or kill -9 would.
 *
 * @v c         Compile
 */
static void compile_count(struct compile *c)
{
	if (c->kill_after >= 0 && atomic_fetch_add(&c->files, 1) + 1 >
	    c->kill_after)
		raise(SIGKILL);
}

/**
 * Write one whole file into the new tree.
 *
 * @v c         Compile
 * @v name      Path relative to the new tree
 * @v buf       Contents
 * @v len       Length
 * @ret rc      0 or -1
 */
static int compile_put(struct compile *c, const char *name, const char *buf,
		       size_t len)
{
	size_t done = 0;
	int fd;

	fd = openat(c->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return compile_fail(c, "cannot create %s: %s", name,
				    strerror(errno));
	while (done < len) {
		ssize_t got = write(fd, buf + done, len - done);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return compile_fail(c, "cannot write %s: %s", name,
					    strerror(errno));
		}
		done += got;
	}
	if (close(fd) != 0)
		return compile_fail(c, "cannot write %s: %s", name,
				    strerror(errno));
	compile_count(c);
	return 0;
}

/** Stream buffer of a rendered file: the big ones (ipxe.conf is 70 MB at
 * 100,000 nodes) go straight to their file, in large writes */
#define COMPILE_STREAM_BUF (1 << 20)

/** A file of the new tree that one renderer writes through stdio */
struct compile_buf {
	FILE *f;
	const char *name;       /**< path relative to the new tree */
	int err;                /**< errno of a failed create, else 0 */
	char *sink;             /**< stand-in stream's data, after a failure */
	size_t sink_len;
};

/**
 * Create a file in the new tree and open a stream on it.
 *
 * A file that cannot be created gets a memory stream instead, so that the
 * renderer runs to the end; compile_buf_put() then reports the error.
 *
 * @v c         Compile
 * @v b         Buffer
 * @v name      Path relative to the new tree
 * @ret f       Stream
 */
static FILE *compile_buf_open(struct compile *c, struct compile_buf *b,
			      const char *name)
{
	int fd;

	memset(b, 0, sizeof(*b));
	b->name = name;
	fd = openat(c->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
	if (fd >= 0 && (b->f = fdopen(fd, "w")) != NULL) {
		setvbuf(b->f, NULL, _IOFBF, COMPILE_STREAM_BUF);
		/* one thread writes it: no lock per character */
		__fsetlocking(b->f, FSETLOCKING_BYCALLER);
		return b->f;
	}
	b->err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	b->f = open_memstream(&b->sink, &b->sink_len);
	if (!b->f)
		abort_out_of_memory("a script buffer");
	return b->f;
}

/**
 * Finish a file opened with compile_buf_open().
 *
 * @v c         Compile
 * @v b         Buffer
 * @ret rc      0 or -1
 */
static int compile_buf_put(struct compile *c, struct compile_buf *b)
{
	int failed = ferror(b->f), err;

	if (fclose(b->f) != 0)
		failed = 1;
	err = errno;
	free(b->sink);
	if (b->err)
		return compile_fail(c, "cannot create %s: %s", b->name,
				    strerror(b->err));
	if (failed)
		return compile_fail(c, "cannot write %s: %s", b->name,
				    strerror(err));
	compile_count(c);
	return 0;
}

/**
 * Copy a file from outside into the new tree.
 *
 * @v c         Compile
 * @v from      Source path
 * @v name      Path relative to the new tree
 * @ret rc      0 or -1
 */
static int compile_copy(struct compile *c, const char *from, const char *name)
{
	char *buf;
	long len;
	FILE *f = fopen(from, "rb");
	int rc;

	if (!f)
		return compile_fail(c, "cannot read %s: %s", from,
				    strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return compile_fail(c, "cannot read %s", from);
	}
	buf = malloc(len + 1);
	if (!buf)
		abort_out_of_memory("a file's contents");
	if (fread(buf, 1, len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return compile_fail(c, "cannot read %s", from);
	}
	fclose(f);
	rc = compile_put(c, name, buf, len);
	free(buf);
	return rc;
}

/**
 * Copy the iPXE binaries that the plan found, and autoexec.ipxe if there
 * is one.
 *
 * @v c         Compile
 * @ret rc      0 or -1
 */
static int compile_binaries_copy(struct compile *c)
{
	const char *dir = c->opts->ipxe_dir;
	char path[PATH_MAX], name[PATH_MAX];
	size_t i;

	if (!dir)
		return 0;
	for (i = 0; i < COMPILE_BINARIES; i++) {
		if (!c->have[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, c->source[i]);
		snprintf(name, sizeof(name), "tftp/%s", c->have[i]);
		if (compile_copy(c, path, name))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/" COMPILE_AUTOEXEC, dir);
	if (c->autoexec && compile_copy(c, path, "tftp/" COMPILE_AUTOEXEC))
		return -1;
	return 0;
}

/**
 * Install mode of a node, as the cache says it.
 *
 * @v install   Node's install mode
 * @ret install Cache's install mode
 */
static enum pxeinv_install compile_cache_install(enum pxeinv_install install)
{
	switch (install) {
	case PXEINV_INSTALL_YES:
		return PXEINV_INSTALL_YES;
	case PXEINV_INSTALL_ONCE:
		return PXEINV_INSTALL_ONCE;
	default:
		return PXEINV_INSTALL_NO;
	}
}

/**
 * Link tftp/pxeinv/installed to STATE_DIR/installed, where the hook writes
 * the exit scripts of installed boot-once nodes, for the fallback
 * dispatcher. The directory may not exist yet: the hook creates it.
 *
 * @v c         Compile
 * @ret rc      0 or -1
 */
static int compile_link_installed(struct compile *c)
{
	char target[PATH_MAX];

	if (!c->opts->state_dir)
		return 0;
	if (compile_path(target, sizeof(target), "%s/%s", c->opts->state_dir,
			 PXEINV_STATE_INSTALLED))
		return compile_fail(c, "--state-dir is too long");
	if (symlinkat(target, c->dirfd, "tftp/" PXEINV_TFTP_DIR "/"
		      PXEINV_TFTP_INSTALLED) != 0)
		return compile_fail(c, "cannot link %s: %s", target,
				    strerror(errno));
	return 0;
}

/**
 * Write the lookup cache.
 *
 * @v c         Compile
 * @v nodes     Nodes
 * @v count     Number of nodes
 * @v records   Records written
 * @ret rc      0 or -1
 */
static int compile_cache(struct compile *c, const struct node *nodes,
			 size_t count, size_t *records)
{
	struct pxeinv_cache_writer *w;
	char url[PXEINV_FILE_MAX], script[PXEINV_FILE_MAX];
	const char *bios;
	size_t i;
	int fd, rc = 0, m;

	fd = openat(c->dirfd, "pxe-inventory.cdb",
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return compile_fail(c, "cannot create the cache: %s",
				    strerror(errno));
	if (pxeinv_cache_writer_start(fd, &w) != 0) {
		close(fd);
		return compile_fail(c, "cannot start the cache");
	}
#define PUT(call) do { if ((rc = (call)) != 0) goto fail; } while (0)
	bios = compile_plan_bios(c);
	if (bios)
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_BIOS, bios));
	if (compile_plan_efi_x64(c))
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_EFI_X64,
					     compile_plan_efi_x64(c)));
	if (compile_plan_efi_arm64(c))
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_EFI_ARM64,
					     compile_plan_efi_arm64(c)));
	if (c->opts->http_url && compile_plan_efi_x64(c)) {
		PUT(compile_path(url, sizeof(url), "%s/%s", c->opts->http_url,
				 compile_plan_efi_x64(c)) ? -ENAMETOOLONG : 0);
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_HTTP_X64, url));
	}
	if (c->opts->http_url && compile_plan_efi_arm64(c)) {
		PUT(compile_path(url, sizeof(url), "%s" COMPILE_HTTP_ARM64,
				 c->opts->http_url) ? -ENAMETOOLONG : 0);
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_HTTP_ARM64,
					     url));
	}
	/* What iPXE clients are handed: TFTP paths, or URLs (--http-url) */
	PUT(compile_http_name(c->opts, url, sizeof(url),
			      PXEINV_TFTP_FALLBACK));
	PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_FALLBACK, url));
	PUT(compile_http_name(c->opts, url, sizeof(url), PXEINV_TFTP_EXIT));
	PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_EXIT, url));
	for (i = 0; i < count; i++) {
		const struct node *nd = &nodes[i];

		PUT(compile_path(url, sizeof(url), PXEINV_TFTP_NODES
				 "/%s.ipxe", nd->hostname) ? -ENAMETOOLONG : 0);
		PUT(compile_http_name(c->opts, script, sizeof(script), url));
		PUT(pxeinv_cache_put_node(w, nd->hostname,
					  compile_cache_install(nd->install),
					  nd->arch, script));
		if (!strncmp(nd->image_base ? nd->image_base :
			     NODE_DEFAULT_IMAGE_BASE, "https:", 6))
			PUT(pxeinv_cache_put_https(w, nd->hostname));
		for (m = 0; m < nd->nmacs; m++)
			PUT(pxeinv_cache_put_mac(w, nd->hostname,
						 nd->macs[m]));
		if (nd->uuid)
			PUT(pxeinv_cache_put_uuid(w, nd->hostname, nd->uuid));
		if (nd->serial && !nd->serial_shared)
			PUT(pxeinv_cache_put_serial(w, nd->hostname,
						    nd->serial));
		if (nd->board_serial && !nd->board_shared)
			PUT(pxeinv_cache_put_board_serial(w, nd->hostname,
							  nd->board_serial));
		if (nd->serial && nd->board_serial)
			PUT(pxeinv_cache_put_serial_board(w, nd->hostname,
							  nd->serial,
							  nd->board_serial));
	}
#undef PUT
	*records = pxeinv_cache_writer_records(w);
	rc = pxeinv_cache_writer_finish(w);
	w = NULL;
	if (rc)
		goto fail;
	if (close(fd) != 0)
		return compile_fail(c, "cannot write the cache: %s",
				    strerror(errno));
	return 0;
fail:
	pxeinv_cache_writer_abort(w);
	close(fd);
	return compile_fail(c, "cannot write the cache: %s", strerror(-rc));
}

/** The cache, written on a thread of its own beside the big files */
struct compile_cache_job {
	struct compile *c;
	const struct node *nodes;
	size_t count;
	size_t records;         /**< records written */
	int rc;                 /**< 0 or -1 */
	pthread_t id;
};

/**
 * Cache thread entry point (also called directly for small trees).
 *
 * @v arg       struct compile_cache_job
 * @ret NULL
 */
static void *compile_cache_run(void *arg)
{
	struct compile_cache_job *job = arg;

	job->rc = compile_cache(job->c, job->nodes, job->count,
				&job->records);
	return NULL;
}

/** Node scripts shared out between threads */
struct compile_node_pool {
	struct compile *c;
	const struct node *nodes;
	size_t count;
	atomic_size_t next;
	atomic_int stop;        /**< another part failed */
	struct manifest_entry *prints;  /**< fingerprint of each script */
	unsigned char *changes; /**< enum manifest_change of each script */
};

/** One writing thread */
struct compile_node_thread {
	struct compile_node_pool *pool;
	pthread_t id;
};

/**
 * Render and write node scripts until the queue is empty.
 *
 * @v pool      Queue
 * @ret rc      0 or -1
 */
static int compile_nodes(struct compile_node_pool *pool)
{
	char *buf = malloc(COMPILE_SCRIPT_MAX), name[PATH_MAX];
	FILE *f = buf ? fmemopen(buf, COMPILE_SCRIPT_MAX, "w+") : NULL;
	size_t i, start;
	long len;
	int rc = 0;

	if (!f)
		abort_out_of_memory("a script buffer");
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	while (rc == 0 && !atomic_load(&pool->stop) &&
	       (start = atomic_fetch_add(&pool->next, COMPILE_BATCH)) <
	       pool->count) {
		for (i = start; rc == 0 && i < start + COMPILE_BATCH &&
		     i < pool->count; i++) {
			const struct node *n = &pool->nodes[i];

			rewind(f);
			render_node_script(f, n);
			fflush(f);
			len = ftell(f);
			if (len < 0 || len >= COMPILE_SCRIPT_MAX - 1) {
				rc = compile_fail(pool->c, "the script of %s "
						  "is too long", n->hostname);
				break;
			}
			snprintf(name, sizeof(name), "tftp/" PXEINV_TFTP_NODES
				 "/%s.ipxe", n->hostname);
			pool->prints[i] = manifest_fingerprint(buf, len);
			pool->changes[i] = manifest_compare(&pool->c->old,
							    n->hostname,
							    &pool->prints[i]);
			/* Unchanged since the last compile: share the file */
			if (pool->changes[i] == MANIFEST_SAME &&
			    linkat(pool->c->old.dirfd, name, pool->c->dirfd,
				   name, 0) == 0)
				compile_count(pool->c);
			else
				rc = compile_put(pool->c, name, buf, len);
			if (rc == 0)
				rc = compile_index_node(pool->c, n);
		}
	}
	if (rc)
		atomic_store(&pool->stop, 1);
	fclose(f);
	free(buf);
	return rc;
}

/**
 * Writing thread entry point.
 *
 * @v arg       struct compile_node_thread
 * @ret NULL
 */
static void *compile_nodes_run(void *arg)
{
	struct compile_node_thread *t = arg;

	compile_nodes(t->pool);
	return NULL;
}

/**
 * Count the added and changed scripts, and list the nodes of the previous
 * tree that are gone.
 *
 * @v c         Compile
 * @v changes   enum manifest_change of each node (kept in stats)
 * @v count     Nodes
 * @v stats     Counts
 */
static void compile_count_changes(struct compile *c, unsigned char *changes,
				  size_t count, struct compile_stats *stats)
{
	size_t i;

	stats->changes = changes;
	for (i = 0; i < count; i++) {
		stats->added += changes[i] == MANIFEST_ADDED;
		stats->changed += changes[i] == MANIFEST_CHANGED;
	}
	if (c->old.dirfd < 0 || !c->old.entries)
		return;
	for (i = 0; i < c->old.count; i++)
		stats->nremoved += !c->old.seen[i];
	stats->removed = calloc(stats->nremoved + 1, sizeof(*stats->removed));
	if (!stats->removed)
		abort_out_of_memory("the removed nodes");
	stats->nremoved = 0;
	for (i = 0; i < c->old.count; i++)
		if (!c->old.seen[i] &&
		    !(stats->removed[stats->nremoved++] =
		      strdup(c->old.hosts[i])))
			abort_out_of_memory("a removed node's name");
}

int compile_tree(struct compile *c, struct inventory *inv,
		 const struct node *nodes, struct compile_stats *stats)
{
	char fallback[PXEINV_FILE_MAX];
	struct render_conf conf = { .fallback = fallback };
	struct compile_node_pool pool = { 0 };
	struct compile_node_thread workers[COMPILE_MAX_THREADS];
	struct compile_cache_job cache_job = { .c = c, .nodes = nodes,
					       .count = inv->n };
	struct compile_buf b;
	size_t i;
	int k, nthreads, rc, cache_threaded;

	if (mkdirat(c->dirfd, "tftp", 0755) ||
	    mkdirat(c->dirfd, "tftp/arm64", 0755) ||
	    mkdirat(c->dirfd, "tftp/" PXEINV_TFTP_DIR, 0755) ||
	    mkdirat(c->dirfd, "tftp/" PXEINV_TFTP_NODES, 0755))
		return compile_fail(c, "cannot create directories: %s",
				    strerror(errno));
	if (compile_put(c, COMPILE_MARKER, "pxeinv compile output\n", 22) ||
	    compile_binaries_copy(c) || compile_link_installed(c) ||
	    compile_index_plan(c, nodes, inv->n))
		return -1;
	for (i = 0; i < COMPILE_BINARIES; i++)
		stats->binaries += c->have[i] != NULL;

	/* Node scripts on worker threads, shared files meanwhile here */
	pool.c = c;
	pool.nodes = nodes;
	pool.count = inv->n;
	pool.prints = calloc(inv->n + 1, sizeof(*pool.prints));
	pool.changes = calloc(inv->n + 1, 1);
	if (!pool.prints || !pool.changes)
		abort_out_of_memory("the script fingerprints");
	atomic_init(&pool.next, 0);
	nthreads = compile_plan_threads(inv->n);
	for (k = 0; k < nthreads; k++) {
		workers[k].pool = &pool;
		if (pthread_create(&workers[k].id, NULL, compile_nodes_run,
				   &workers[k]))
			abort_out_of_memory("a thread");
	}
	if (nthreads == 0)
		compile_nodes(&pool);
	/* The cache needs neither the scripts nor the big files: with
	 * threads, write it beside them */
	cache_threaded = nthreads > 0 &&
			 pthread_create(&cache_job.id, NULL, compile_cache_run,
					&cache_job) == 0;
	for (i = 0; i < inv->n; i++)
		stats->installed += nodes[i].install != PXEINV_INSTALL_NO;
	stats->nodes = inv->n;
	render_exit_script(compile_buf_open(c, &b, "tftp/" PXEINV_TFTP_EXIT));
	rc = compile_buf_put(c, &b);
	if (rc == 0) {
		render_fallback_script(compile_buf_open(c, &b, "tftp/"
						       PXEINV_TFTP_FALLBACK));
		rc = compile_buf_put(c, &b);
	}
	if (rc == 0) {
		render_monolithic(compile_buf_open(c, &b, "tftp/ipxe.conf"),
				  nodes, inv->n);
		rc = compile_buf_put(c, &b);
	}
	/* The fragment does not need the scripts either */
	if (rc == 0) {
		conf.nodes_dir = c->opts->nodes_dir;
		conf.tftp_root = c->paths.tftp;
		conf.cache = c->paths.cache;
		conf.hook = c->opts->hook;
		conf.state_dir = c->opts->state_dir;
		conf.proxy = c->opts->proxy;
		conf.dhcp6_ranges = c->opts->dhcp6_ranges;
		conf.ndhcp6_ranges = c->opts->ndhcp6_ranges;
		conf.ra = !c->opts->no_ra;
		conf.bios = compile_plan_bios(c);
		conf.efi_x64 = compile_plan_efi_x64(c);
		conf.efi_arm64 = compile_plan_efi_arm64(c);
		rc = compile_http_name(c->opts, fallback, sizeof(fallback),
				       PXEINV_TFTP_FALLBACK) ?
		     compile_fail(c, "--http-url is too long") : 0;
	}
	if (rc == 0) {
		render_dnsmasq_conf(compile_buf_open(c, &b,
						     "pxe-inventory.conf"),
				    &conf, inv->n);
		rc = compile_buf_put(c, &b);
	}
	if (cache_threaded)
		pthread_join(cache_job.id, NULL);
	else if (rc == 0)
		compile_cache_run(&cache_job);
	if (rc == 0)
		rc = cache_job.rc;
	stats->records = cache_job.records;
	if (rc)
		atomic_store(&pool.stop, 1);
	for (k = 0; k < nthreads; k++)
		pthread_join(workers[k].id, NULL);
	if (rc == 0 && !c->failed)
		rc = compile_index_finish(c);
	if (rc == 0 && !c->failed) {
		FILE *f = compile_buf_open(c, &b, MANIFEST_NAME);

		for (i = 0; i < inv->n; i++)
			manifest_write_line(f, nodes[i].hostname,
					    &pool.prints[i]);
		rc = compile_buf_put(c, &b);
	}
	free(pool.prints);
	if (rc || c->failed) {
		free(pool.changes);
		return -1;
	}
	compile_count_changes(c, pool.changes, inv->n, stats);
	return 0;
}
