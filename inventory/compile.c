/*
 * `pxeinv compile`: writing OUT_DIR atomically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cache/pxeinv_cache.h"
#include "../cache/pxeinv_cache_write.h"
#include "../hook/state.h"
#include "compile.h"
#include "manifest.h"
#include "render.h"

/** iPXE binaries copied into the TFTP root: source name, TFTP name */
static const char *const compile_binaries[][2] = {
	{ "ipxe.pxe", "ipxe.pxe" },
	{ "undionly.kpxe", "undionly.kpxe" },
	{ "ipxe.efi", "ipxe.efi" },
	{ "snponly.efi", "snponly.efi" },
	{ "arm64/ipxe.efi", "arm64/ipxe.efi" },
};

/** Script that UEFI iPXE builds without an embedded script run (optional) */
#define COMPILE_AUTOEXEC "autoexec.ipxe"

/** Compile state */
struct compile {
	const struct compile_opts *opts;
	int dirfd;              /**< the new tree */
	char *err;
	size_t errlen;
	atomic_long files;      /**< files written, for the fault hook */
	pthread_mutex_t lock;   /**< guards err */
	int failed;             /**< err holds a reason */
	long kill_after;        /**< PXEINV_TEST_KILL_AFTER_FILES, or -1 */
	const char *have[5];    /**< TFTP names of binaries present */
	struct manifest old;    /**< the tree being replaced */
};

/**
 * Record a failure reason.
 *
 * @v c         Compile
 * @v fmt       Message
 * @ret rc      -1
 */
static int __attribute__((format(printf, 2, 3)))
compile_fail(struct compile *c, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&c->lock);
	if (!c->failed) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
		c->failed = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return -1;
}

/**
 * Format a path, failing when it does not fit.
 *
 * @v out       Buffer
 * @v size      Size of out
 * @v fmt       printf format
 * @ret rc      0, or -1 when too long
 */
static int __attribute__((format(printf, 3, 4)))
compile_path(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

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
		abort();
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
		abort();
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
 * Copy the iPXE binaries that exist, and autoexec.ipxe if there is one.
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
	for (i = 0; i < sizeof(compile_binaries) / sizeof(*compile_binaries);
	     i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 compile_binaries[i][0]);
		if (access(path, R_OK) != 0)
			continue;
		snprintf(name, sizeof(name), "tftp/%s", compile_binaries[i][1]);
		if (compile_copy(c, path, name))
			return -1;
		c->have[i] = compile_binaries[i][1];
	}
	/* The fallback's (Debian's) UEFI binaries have no embedded script:
	 * they fetch this one from the TFTP server instead of autobooting */
	snprintf(path, sizeof(path), "%s/" COMPILE_AUTOEXEC, dir);
	if (access(path, R_OK) == 0 &&
	    compile_copy(c, path, "tftp/" COMPILE_AUTOEXEC))
		return -1;
	return 0;
}

/**
 * The binary UEFI x86-64 firmware gets: snponly.efi, which drives the NIC
 * through the firmware's own driver (SNP), as OpenStack Ironic does by
 * default; it is a quarter of ipxe.efi's size and starts sooner. ipxe.efi
 * (iPXE's own NIC drivers) with --efi-full, or when snponly.efi is absent.
 *
 * @v c         Compile
 * @ret name    TFTP name, or NULL when there is neither
 */
static const char *compile_efi_x64(const struct compile *c)
{
	if (c->have[3] && (!c->opts->efi_full || !c->have[2]))
		return c->have[3];
	return c->have[2];
}

/**
 * Install mode of a node, as the cache says it.
 *
 * @v install   Node's install mode
 * @ret install Cache's install mode
 */
static enum pxeinv_install compile_cache_install(enum node_install install)
{
	switch (install) {
	case NODE_INSTALL_YES:
		return PXEINV_INSTALL_YES;
	case NODE_INSTALL_ONCE:
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
			 STATE_INSTALLED))
		return compile_fail(c, "--state-dir is too long");
	if (symlinkat(target, c->dirfd, "tftp/" RENDER_SCRIPT_DIR "/"
		      RENDER_INSTALLED) != 0)
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
	bios = c->have[0] ? c->have[0] : c->have[1];
	if (bios)
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_BIOS, bios));
	if (compile_efi_x64(c))
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_EFI_X64,
					     compile_efi_x64(c)));
	if (c->have[4])
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_EFI_ARM64,
					     c->have[4]));
	if (c->opts->http_url && compile_efi_x64(c)) {
		PUT(compile_path(url, sizeof(url), "%s/%s", c->opts->http_url,
				 compile_efi_x64(c)) ? -ENAMETOOLONG : 0);
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_HTTP_X64, url));
	}
	if (c->opts->http_url && c->have[4]) {
		PUT(compile_path(url, sizeof(url), "%s/arm64/ipxe.efi",
				 c->opts->http_url) ? -ENAMETOOLONG : 0);
		PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_HTTP_ARM64,
					     url));
	}
	PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_FALLBACK,
				     RENDER_FALLBACK));
	PUT(pxeinv_cache_put_setting(w, PXEINV_SETTING_EXIT, RENDER_EXIT));
	for (i = 0; i < count; i++) {
		const struct node *nd = &nodes[i];

		PUT(compile_path(script, sizeof(script), RENDER_NODE_DIR
				 "/%s.ipxe", nd->hostname) ? -ENAMETOOLONG : 0);
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

/** Fewest node scripts per writing thread */
#define COMPILE_NODES_PER_THREAD 512
/** Most writing threads */
#define COMPILE_MAX_THREADS 8
/** Scripts a thread takes from the queue at once */
#define COMPILE_BATCH 32
/** Largest node script */
#define COMPILE_SCRIPT_MAX 65536

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
		abort();
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
			snprintf(name, sizeof(name), "tftp/" RENDER_NODE_DIR
				 "/%s.ipxe", n->hostname);
			pool->prints[i] = manifest_fingerprint(buf, len);
			pool->changes[i] = manifest_compare(&pool->c->old,
							    n->hostname,
							    &pool->prints[i]);
			/* Unchanged since the last compile: share the file */
			if (pool->changes[i] == MANIFEST_SAME &&
			    linkat(pool->c->old.dirfd, name, pool->c->dirfd,
				   name, 0) == 0) {
				compile_count(pool->c);
				continue;
			}
			rc = compile_put(pool->c, name, buf, len);
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
 * Number of writing threads for a tree (0: write on the calling thread).
 *
 * @v count     Nodes
 * @ret n       Threads
 */
static int compile_threads(size_t count)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = count / COMPILE_NODES_PER_THREAD;

	if (n <= 1)
		return 0;
	if (cpus > 0 && n > (size_t)cpus)
		n = cpus;
	return n > COMPILE_MAX_THREADS ? COMPILE_MAX_THREADS : (int)n;
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
		abort();
	stats->nremoved = 0;
	for (i = 0; i < c->old.count; i++)
		if (!c->old.seen[i] &&
		    !(stats->removed[stats->nremoved++] =
		      strdup(c->old.hosts[i])))
			abort();
}

void compile_stats_free(struct compile_stats *stats)
{
	size_t i;

	for (i = 0; i < stats->nremoved; i++)
		free(stats->removed[i]);
	free(stats->removed);
	free(stats->changes);
	memset(stats, 0, sizeof(*stats));
}

/**
 * Write every file of the new tree.
 *
 * @v c         Compile
 * @v inv       Inventory
 * @v nodes     Nodes
 * @v stats     Counts
 * @v tftp_root Absolute final TFTP root
 * @v cache     Absolute final cache path
 * @ret rc      0 or -1
 */
static int compile_tree(struct compile *c, struct inventory *inv,
			const struct node *nodes, struct compile_stats *stats,
			const char *tftp_root, const char *cache)
{
	struct render_conf conf = { 0 };
	struct compile_node_pool pool = { 0 };
	struct compile_node_thread workers[COMPILE_MAX_THREADS];
	struct compile_cache_job cache_job = { .c = c, .nodes = nodes,
					       .count = inv->n };
	struct compile_buf b;
	size_t i;
	int k, nthreads, rc, cache_threaded;

	if (mkdirat(c->dirfd, "tftp", 0755) ||
	    mkdirat(c->dirfd, "tftp/arm64", 0755) ||
	    mkdirat(c->dirfd, "tftp/" RENDER_SCRIPT_DIR, 0755) ||
	    mkdirat(c->dirfd, "tftp/" RENDER_NODE_DIR, 0755))
		return compile_fail(c, "cannot create directories: %s",
				    strerror(errno));
	if (compile_put(c, COMPILE_MARKER, "pxeinv compile output\n", 22) ||
	    compile_binaries_copy(c) || compile_link_installed(c))
		return -1;
	for (i = 0; i < 5; i++)
		stats->binaries += c->have[i] != NULL;

	/* Node scripts on worker threads, shared files meanwhile here */
	pool.c = c;
	pool.nodes = nodes;
	pool.count = inv->n;
	pool.prints = calloc(inv->n + 1, sizeof(*pool.prints));
	pool.changes = calloc(inv->n + 1, 1);
	if (!pool.prints || !pool.changes)
		abort();
	atomic_init(&pool.next, 0);
	nthreads = compile_threads(inv->n);
	for (k = 0; k < nthreads; k++) {
		workers[k].pool = &pool;
		if (pthread_create(&workers[k].id, NULL, compile_nodes_run,
				   &workers[k]))
			abort();
	}
	if (nthreads == 0)
		compile_nodes(&pool);
	/* The cache needs neither the scripts nor the big files: with
	 * threads, write it beside them */
	cache_threaded = nthreads > 0 &&
			 pthread_create(&cache_job.id, NULL, compile_cache_run,
					&cache_job) == 0;
	for (i = 0; i < inv->n; i++)
		stats->installed += nodes[i].install != NODE_INSTALL_NO;
	stats->nodes = inv->n;
	render_exit_script(compile_buf_open(c, &b, "tftp/" RENDER_EXIT));
	rc = compile_buf_put(c, &b);
	if (rc == 0) {
		render_fallback_script(compile_buf_open(c, &b, "tftp/"
						       RENDER_FALLBACK),
				       nodes, inv->n,
				       c->opts->state_dir != NULL);
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
		conf.tftp_root = tftp_root;
		conf.cache = cache;
		conf.hook = c->opts->hook;
		conf.state_dir = c->opts->state_dir;
		conf.bios = c->have[0] ? c->have[0] : c->have[1];
		conf.efi_x64 = compile_efi_x64(c);
		conf.efi_arm64 = c->have[4];
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

/**
 * Remove a directory tree.
 *
 * @v path      Directory
 */
static void compile_rm_tree(const char *path)
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

	if (compile_path(nodes, sizeof(nodes), "%s/tftp/" RENDER_NODE_DIR,
			 path) == 0 && (d = opendir(nodes))) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (p.count == cap) {
				cap = cap ? 2 * cap : 1024;
				p.names = realloc(p.names,
						  cap * sizeof(*p.names));
				if (!p.names)
					abort();
			}
			p.names[p.count] = strdup(de->d_name);
			if (!p.names[p.count++])
				abort();
		}
		p.dirfd = dirfd(d);
		atomic_init(&p.next, 0);
		n = compile_threads(p.count);
		for (k = 0; k < n; k++)
			if (pthread_create(&ids[k], NULL, compile_rm_run, &p))
				abort();
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
	if (posix_spawn_file_actions_init(&fa) != 0)
		abort();
	if (posix_spawnattr_init(&attr) != 0)
		abort();
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

int compile_write(const struct compile_opts *opts, struct inventory *inv,
		  const struct node *nodes, struct compile_stats *stats,
		  char *err, size_t errlen)
{
	struct compile c = { .opts = opts, .dirfd = -1, .err = err,
			     .errlen = errlen, .kill_after = -1,
			     .lock = PTHREAD_MUTEX_INITIALIZER,
			     .old = { .dirfd = -1 } };
	char parent[PATH_MAX], base[NAME_MAX + 1], final[PATH_MAX];
	char tmp[PATH_MAX], prefix[NAME_MAX + 1], old_prefix[NAME_MAX + 1], tftp[PATH_MAX];
	char cache[PATH_MAX], *copy;
	int lockfd = -1, exists, rc = -1;
	const char *env = getenv("PXEINV_TEST_KILL_AFTER_FILES");

	memset(stats, 0, sizeof(*stats));
	if (env)
		c.kill_after = atol(env);

	/* Absolute paths: they go into the dnsmasq fragment */
	copy = strdup(opts->out_dir);
	if (!copy)
		abort();
	snprintf(base, sizeof(base), "%s", basename(copy));
	strcpy(copy, opts->out_dir);
	if (!realpath(dirname(copy), parent)) {
		rc = compile_fail(&c, "cannot use %s: parent directory: %s",
				  opts->out_dir, strerror(errno));
		free(copy);
		return rc;
	}
	free(copy);
	if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/"))
		return compile_fail(&c, "OUT_DIR must name a directory, not "
				    "'%s'", opts->out_dir);
	/* The paths go into dnsmasq lines: no separators or comments */
	if (strcspn(parent, " \t\n\r,#\"'\\") != strlen(parent) ||
	    strcspn(base, " \t\n\r,#\"'\\") != strlen(base))
		return compile_fail(&c, "OUT_DIR '%s/%s' contains a space, "
				    "comma, quote, '#' or backslash, which "
				    "cannot go into dnsmasq's configuration; "
				    "choose another path", parent, base);
	if (compile_path(final, sizeof(final), "%s/%s", parent, base) ||
	    compile_path(tftp, sizeof(tftp), "%s/tftp", final) ||
	    compile_path(cache, sizeof(cache), "%s/pxe-inventory.cdb",
			 final) ||
	    compile_path(prefix, sizeof(prefix), ".%s.pxeinv-tmp.", base) ||
	    compile_path(old_prefix, sizeof(old_prefix), ".%s.pxeinv-old.",
			 base) ||
	    compile_path(tmp, sizeof(tmp), "%s/%sXXXXXX", parent, prefix))
		return compile_fail(&c, "OUT_DIR path is too long");

	/* One compile at a time per parent directory */
	lockfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lockfd < 0 || flock(lockfd, LOCK_EX) != 0) {
		rc = compile_fail(&c, "cannot lock %s: %s", parent,
				  strerror(errno));
		goto out;
	}
	if (compile_check_target(&c, final, &exists))
		goto out;
	compile_clean_stale(parent, prefix);
	compile_clean_stale(parent, old_prefix);
	if (exists)
		manifest_load(&c.old, final);

	if (!mkdtemp(tmp)) {
		compile_fail(&c, "cannot create a directory beside %s: %s",
			     final, strerror(errno));
		goto out;
	}
	chmod(tmp, 0755);
	c.dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.dirfd < 0) {
		compile_fail(&c, "cannot open %s: %s", tmp, strerror(errno));
		goto out_rm;
	}
	if (compile_tree(&c, inv, nodes, stats, tftp, cache))
		goto out_rm;
	if (syncfs(c.dirfd) != 0) {
		compile_fail(&c, "cannot sync %s: %s", tmp, strerror(errno));
		goto out_rm;
	}
	if (exists) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final,
			      RENAME_EXCHANGE) != 0) {
			compile_fail(&c, "cannot swap %s into place: %s", final,
				     strerror(errno));
			goto out_rm;
		}
		/* tmp now holds the previous tree */
	} else if (rename(tmp, final) != 0) {
		compile_fail(&c, "cannot move %s into place: %s", final,
			     strerror(errno));
		goto out_rm;
	} else {
		rc = 0;
		fsync(lockfd);
		goto out;
	}
	rc = 0;
	fsync(lockfd);
	compile_rm_detached(tmp, parent, old_prefix);
	goto out;
out_rm:
	compile_rm_tree(tmp);
out:
	manifest_free(&c.old);
	if (c.dirfd >= 0)
		close(c.dirfd);
	if (lockfd >= 0)
		close(lockfd);
	return rc;
}
