/*
 * Walking the nodes/ tree and merging defaults, as merge.py does.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory.h"
#include "oom.h"

/** Directory identity, for symlink loop detection */
struct walk_seen {
	dev_t dev;
	ino_t ino;
};

struct load_pool;

/** Walk state */
struct walk {
	struct inventory *inv;
	const char *filter;
	struct walk_seen seen[INVENTORY_MAX_DEPTH];
	int depth;
	struct inv_file **files;        /**< every file to load, in order */
	size_t nfiles;
	size_t capfiles;
	struct inv_dir **dirs;          /**< every directory, parents first */
	size_t ndirs;
	size_t capdirs;
	struct load_pool *pool;         /**< loading threads, once started */
};

/** Files queued before loading threads start (fewer: load on the caller) */
#define LOAD_THREADS_FROM 1024
/** Most loading threads */
#define LOAD_MAX_THREADS 8
/** Files a thread takes from the queue at once */
#define LOAD_BATCH 32

/** One loading thread */
struct load_thread {
	struct load_pool *pool;
	struct arena arena;
	struct diags diags;
	pthread_t id;
};

/**
 * Loading threads, which load files while the walk still queues them.
 *
 * The lock guards the walk's file queue (w->files may move when it
 * grows) and the fields below it.
 */
struct load_pool {
	struct walk *w;
	pthread_mutex_t lock;
	pthread_cond_t more;            /**< a batch was queued, or walked */
	size_t next;                    /**< first file no thread took */
	int walked;                     /**< the walk queues no more files */
	struct load_thread *threads;
	size_t nthreads;
};

static void load_start(struct walk *w);

/**
 * Tell whether a name ends with a suffix.
 *
 * @v name      Name
 * @v suffix    Suffix
 * @ret match   1 when it does
 */
static int walk_ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

/**
 * Order directory entries by name, for a deterministic walk.
 *
 * @v a         First entry (d_type byte, then the name)
 * @v b         Second entry
 * @ret order   qsort order
 */
static int walk_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/**
 * Merge one mapping into a list of merged keys (the mapping wins).
 *
 * Keys keep the position of their first appearance, as Python's dict
 * union does.
 *
 * @v arena     Arena
 * @v base      Merged keys so far
 * @v nbase     Count
 * @v map       Mapping, or NULL
 * @v src       File of the mapping
 * @v out       Merged result
 * @v nout      Count
 */
static void merge_map(struct arena *arena, const struct inv_kv *base,
		      size_t nbase, const struct yv *map, struct inv_file *src,
		      struct inv_kv **out, size_t *nout)
{
	size_t i, j, n = nbase, extra = map ? map->n : 0;
	struct inv_kv *kv = arena_alloc(arena, (nbase + extra + 1) *
					sizeof(*kv));

	if (nbase)
		memcpy(kv, base, nbase * sizeof(*kv));
	for (i = 0; i < extra; i++) {
		struct yv *key = map->pairs[i].key;

		for (j = 0; j < n; j++) {
			if (kv[j].key->len == key->len &&
			    kv[j].key->type == key->type &&
			    memcmp(kv[j].key->text, key->text, key->len) == 0)
				break;
		}
		kv[j].key = (j == n) ? key : kv[j].key;
		kv[j].val = map->pairs[i].val;
		kv[j].src = src;
		if (j == n)
			n++;
	}
	*out = kv;
	*nout = n;
}

/**
 * Queue a file for loading.
 *
 * @v w         Walk
 * @v path      Path to open
 * @v shown     Path in diagnostics
 * @ret file    File, loaded later by inventory_load()
 */
static struct inv_file *walk_queue(struct walk *w, const char *path,
				   const char *shown)
{
	struct inventory *inv = w->inv;
	struct inv_file *f = arena_alloc(&inv->arena, sizeof(*f));

	memset(f, 0, sizeof(*f));
	f->path = arena_strndup(&inv->arena, path, strlen(path));
	f->shown = strcmp(shown, path) == 0 ? f->path :
		   arena_strndup(&inv->arena, shown, strlen(shown));
	if (w->pool)
		pthread_mutex_lock(&w->pool->lock);
	if (w->nfiles == w->capfiles) {
		w->capfiles = w->capfiles ? 2 * w->capfiles : 256;
		w->files = realloc(w->files, w->capfiles * sizeof(*w->files));
		if (!w->files)
			abort_out_of_memory("the file list");
	}
	w->files[w->nfiles++] = f;
	if (w->pool) {
		if ((w->nfiles - w->pool->next) % LOAD_BATCH == 0)
			pthread_cond_signal(&w->pool->more);
		pthread_mutex_unlock(&w->pool->lock);
	} else if (w->nfiles == LOAD_THREADS_FROM) {
		load_start(w);
	}
	return f;
}

/**
 * Load a YAML file that must hold a mapping.
 *
 * @v arena     Arena for the tree
 * @v diags     Diagnostics
 * @v f         File; root and broken are set
 */
static void load_file(struct arena *arena, struct diags *diags,
		      struct inv_file *f)
{
	if (yaml_load_file(arena, f->path, f->shown, diags, &f->root) != 0) {
		f->broken = 1;
		f->root = NULL;
		return;
	}
	if (!f->root) {
		diag_add(diags, DIAG_ERROR, f->shown, 0, 0, "file is empty; "
			 "write at least one key, or delete it");
		f->broken = 1;
	} else if (f->root->type != YV_MAP) {
		diag_add(diags, DIAG_ERROR, f->shown, f->root->line,
			 f->root->col, "file must hold a mapping of keys to "
			 "values, not %s", yaml_type_name(f->root->type));
		f->broken = 1;
		f->root = NULL;
	}
}

/**
 * Loading thread: take batches of files from the queue as the walk
 * fills it, until the walk is over and the queue is empty.
 *
 * @v arg       struct load_thread
 * @ret NULL
 */
static void *load_thread_run(void *arg)
{
	struct load_thread *t = arg;
	struct load_pool *pool = t->pool;
	struct walk *w = pool->w;
	struct inv_file *batch[LOAD_BATCH];
	size_t i, n;

	do {
		pthread_mutex_lock(&pool->lock);
		while (w->nfiles - pool->next < LOAD_BATCH && !pool->walked)
			pthread_cond_wait(&pool->more, &pool->lock);
		n = w->nfiles - pool->next;
		if (n > LOAD_BATCH)
			n = LOAD_BATCH;
		memcpy(batch, &w->files[pool->next], n * sizeof(*batch));
		pool->next += n;
		pthread_mutex_unlock(&pool->lock);
		for (i = 0; i < n; i++)
			load_file(&t->arena, &t->diags, batch[i]);
	} while (n);
	return NULL;
}

/**
 * Start the loading threads, once the walk has queued enough files to
 * share out; they load while the walk goes on.
 *
 * @v w         Walk, with LOAD_THREADS_FROM files queued
 */
static void load_start(struct walk *w)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct load_pool *pool;
	size_t i;

	if (cpus <= 1)
		return;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		abort_out_of_memory("the load threads");
	pool->w = w;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->more, NULL);
	pool->nthreads = cpus > LOAD_MAX_THREADS ? LOAD_MAX_THREADS :
			 (size_t)cpus;
	pool->threads = calloc(pool->nthreads, sizeof(*pool->threads));
	if (!pool->threads)
		abort_out_of_memory("the load threads");
	/* From here on the walk queues under the lock */
	w->pool = pool;
	for (i = 0; i < pool->nthreads; i++) {
		pool->threads[i].pool = pool;
		if (pthread_create(&pool->threads[i].id, NULL,
				   load_thread_run, &pool->threads[i]))
			abort_out_of_memory("a thread");
	}
}

/**
 * Load every queued file: wait for the loading threads when the walk
 * started them, else load on the calling thread.
 *
 * Each thread has its own arena and diagnostics; the arenas become the
 * inventory's, and the diagnostics are appended to it.
 *
 * @v w         Walk, over
 * @v load      Load what is still queued (0: the walk failed)
 */
static void load_finish(struct walk *w, int load)
{
	struct inventory *inv = w->inv;
	struct load_pool *pool = w->pool;
	size_t i;

	if (!pool) {
		for (i = 0; load && i < w->nfiles; i++)
			load_file(&inv->arena, &inv->diags, w->files[i]);
		return;
	}
	pthread_mutex_lock(&pool->lock);
	pool->walked = 1;
	pthread_cond_broadcast(&pool->more);
	pthread_mutex_unlock(&pool->lock);
	inv->arenas = calloc(pool->nthreads, sizeof(*inv->arenas));
	if (!inv->arenas)
		abort_out_of_memory("the load threads' arenas");
	for (i = 0; i < pool->nthreads; i++) {
		pthread_join(pool->threads[i].id, NULL);
		inv->arenas[i] = pool->threads[i].arena;
		diag_append(&inv->diags, &pool->threads[i].diags);
	}
	inv->narenas = pool->nthreads;
	pthread_cond_destroy(&pool->more);
	pthread_mutex_destroy(&pool->lock);
	free(pool->threads);
	free(pool);
	w->pool = NULL;
}

/**
 * Add one machine file to the inventory.
 *
 * @v w         Walk
 * @v dir       Its directory
 * @v path      Path to open
 * @v shown     Path in diagnostics
 * @v name      File name
 */
static void walk_add_node(struct walk *w, struct inv_dir *dir,
			  const char *path, const char *shown,
			  const char *name)
{
	struct inventory *inv = w->inv;
	struct inv_node *node;
	const char *dot = strrchr(name, '.');
	char *filename;

	{
		const char *rel = dir->rel[0] ? dir->rel : ".";
		size_t lr = strlen(rel), ln = dot - name;

		filename = arena_alloc(&inv->arena, lr + ln + 2);
		memcpy(filename, rel, lr);
		filename[lr] = '/';
		memcpy(filename + lr + 1, name, ln);
		filename[lr + 1 + ln] = '\0';
	}
	if (w->filter && strncmp(filename, w->filter, strlen(w->filter)) != 0)
		return;
	if (inv->n == inv->cap) {
		size_t cap = inv->cap ? 2 * inv->cap : 64;
		struct inv_node *v = realloc(inv->nodes, cap * sizeof(*v));

		if (!v)
			abort_out_of_memory("the node list");
		inv->nodes = v;
		inv->cap = cap;
	}
	node = &inv->nodes[inv->n++];
	memset(node, 0, sizeof(*node));
	node->hostname = arena_strndup(&inv->arena, name, dot - name);
	node->filename = filename;
	node->dir = dir;
	node->file = walk_queue(w, path, shown);
}

/**
 * Join an entry's name to its directory's three paths, in one allocation
 * (readdir loops run once per node: no printf, one malloc).
 *
 * @v path      Directory path to open
 * @v shown     Directory path in diagnostics
 * @v rel       Directory path relative to the root ("" at the root)
 * @v name      Entry name
 * @v subshown  Entry path in diagnostics, on return
 * @v subrel    Entry path relative to the root, on return
 * @ret sub     Entry path to open; free() it (the other two go with it)
 */
static char *walk_join3(const char *path, const char *shown, const char *rel,
			const char *name, char **subshown, char **subrel)
{
	size_t lp = strlen(path), ls = strlen(shown), lr = strlen(rel),
	       ln = strlen(name);
	char *b = malloc(lp + ls + lr + 3 * ln + 6), *p = b;

	if (!b)
		abort_out_of_memory("a path");
	memcpy(p, path, lp);
	p[lp] = '/';
	memcpy(p + lp + 1, name, ln + 1);
	p += lp + ln + 2;
	*subshown = p;
	memcpy(p, shown, ls);
	p[ls] = '/';
	memcpy(p + ls + 1, name, ln + 1);
	p += ls + ln + 2;
	*subrel = p;
	if (lr) {
		memcpy(p, rel, lr);
		p[lr++] = '/';
	}
	memcpy(p + lr, name, ln + 1);
	return b;
}

/**
 * Walk one directory.
 *
 * @v w         Walk
 * @v parent    Parent directory, NULL at the root
 * @v path      Path to open
 * @v shown     Path in diagnostics
 * @v rel       Path relative to the root ("" at the root)
 * @ret rc      0, or the -errno of stat() or opendir() (-ENOTDIR for a
 *              file) when the directory cannot be read
 */
static int walk_dir(struct walk *w, struct inv_dir *parent, const char *path,
		    const char *shown, const char *rel)
{
	struct inventory *inv = w->inv;
	struct inv_dir *dir;
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	char *sub = NULL, *subshown = NULL;
	DIR *d;
	int k, rc;

	if (stat(path, &st) != 0) {
		rc = -errno;
		diag_add(&inv->diags, DIAG_ERROR, shown, 0, 0,
			 "not a readable directory: %s", strerror(-rc));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		diag_add(&inv->diags, DIAG_ERROR, shown, 0, 0,
			 "not a readable directory: not a directory");
		return -ENOTDIR;
	}
	for (k = 0; k < w->depth; k++) {
		if (w->seen[k].dev == st.st_dev && w->seen[k].ino == st.st_ino) {
			diag_add(&inv->diags, DIAG_ERROR, shown, 0, 0,
				 "symlink loop: this directory is already "
				 "being read higher up the tree; remove the "
				 "link");
			return 0;
		}
	}
	if (w->depth >= INVENTORY_MAX_DEPTH) {
		diag_add(&inv->diags, DIAG_ERROR, shown, 0, 0, "directory "
			 "tree is deeper than %d levels", INVENTORY_MAX_DEPTH);
		return 0;
	}
	d = opendir(path);
	if (!d) {
		rc = -errno;
		diag_add(&inv->diags, DIAG_ERROR, shown, 0, 0,
			 "cannot read directory: %s", strerror(-rc));
		return rc;
	}
	w->seen[w->depth].dev = st.st_dev;
	w->seen[w->depth].ino = st.st_ino;
	w->depth++;

	dir = arena_alloc(&inv->arena, sizeof(*dir));
	dir->parent = parent;
	dir->rel = arena_strndup(&inv->arena, rel, strlen(rel));
	if (w->ndirs == w->capdirs) {
		w->capdirs = w->capdirs ? 2 * w->capdirs : 64;
		w->dirs = realloc(w->dirs, w->capdirs * sizeof(*w->dirs));
		if (!w->dirs)
			abort_out_of_memory("the directory list");
	}
	w->dirs[w->ndirs++] = dir;
	while ((de = readdir(d))) {
		/* Hidden entries (.git, editor files) are skipped, but not
		 * a hidden machine file: merge.py reads it, so its name
		 * must meet the hostname rule like any other */
		if (de->d_name[0] == '.' &&
		    !walk_ends_with(de->d_name, ".yaml") &&
		    !walk_ends_with(de->d_name, ".yml"))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort_out_of_memory("a directory listing");
		}
		/* The type rides in front of the name, so that one string
		 * per entry is sorted and freed */
		names[n] = malloc(strlen(de->d_name) + 2);
		if (!names[n])
			abort_out_of_memory("a directory listing");
		names[n][0] = de->d_type;
		strcpy(names[n++] + 1, de->d_name);
	}
	closedir(d);
	if (n)          /* an empty directory: names is NULL */
		qsort(names, n, sizeof(*names), walk_compare);

	/* Defaults first: they apply to every node of this directory */
	for (i = 0; i < n; i++) {
		if (strcmp(names[i] + 1, "_defaults.yaml") != 0)
			continue;
		if (asprintf(&sub, "%s/%s", path, names[i] + 1) < 0 ||
		    asprintf(&subshown, "%s/%s", shown, names[i] + 1) < 0)
			abort_out_of_memory("a path");
		dir->defaults = walk_queue(w, sub, subshown);
		inv->defaults = realloc(inv->defaults, (inv->ndefaults + 1) *
					 sizeof(*inv->defaults));
		if (!inv->defaults)
			abort_out_of_memory("the defaults list");
		inv->defaults[inv->ndefaults++] = dir->defaults;
		free(sub);
		free(subshown);
	}

	for (i = 0; i < n; i++) {
		const char *name = names[i] + 1;
		unsigned char type = names[i][0];
		char *subrel;

		/* One allocation for the three paths of an entry */
		sub = walk_join3(path, shown, rel, name, &subshown, &subrel);
		/* readdir's type spares a stat for plain files */
		if (type == DT_REG) {
			st.st_mode = S_IFREG;
		} else if (stat(sub, &st) != 0) {
			st.st_mode = 0;
			if (name[0] == '.')
				goto next;
		}
		if (name[0] == '.' && !S_ISREG(st.st_mode)) {
			/* An editor's lock link, or a directory */
		} else if (!st.st_mode) {
			diag_add(&inv->diags, DIAG_ERROR, subshown, 0, 0,
				 "cannot read: %s (a dangling symlink?)",
				 strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			walk_dir(w, dir, sub, subshown, subrel);
		} else if (!S_ISREG(st.st_mode)) {
			diag_add(&inv->diags, DIAG_ERROR, subshown, 0, 0,
				 "not a regular file or directory; remove it "
				 "from the tree");
		} else if (name[0] == '_') {
			if (strcmp(name, "_defaults.yaml") != 0 &&
			    (walk_ends_with(name, ".yaml") ||
			     walk_ends_with(name, ".yml")))
				diag_add(&inv->diags, DIAG_WARNING, subshown,
					 0, 0, "ignored: only _defaults.yaml "
					 "gives defaults, and other names "
					 "starting with '_' are skipped");
		} else if (walk_ends_with(name, ".yaml") ||
			   walk_ends_with(name, ".yml")) {
			walk_add_node(w, dir, sub, subshown, name);
		} else {
			diag_add(&inv->diags, DIAG_WARNING, subshown, 0, 0,
				 "ignored: not a .yaml or .yml file (rename "
				 "it with a leading '_' or move it out of the "
				 "tree)");
		}
next:
		free(sub);
		free(names[i]);
	}
	free(names);
	w->depth--;
	return 0;
}

int inventory_load(struct inventory *inv, const char *root,
		   const char *filter)
{
	struct walk w = { .inv = inv, .filter = filter };
	size_t len = strlen(root), i;
	int rc;

	while (len > 1 && root[len - 1] == '/')
		len--;
	inv->root = arena_strndup(&inv->arena, root, len);
	rc = walk_dir(&w, NULL, inv->root, inv->root, "");
	load_finish(&w, rc == 0);
	if (rc == 0) {
		/* Parents come before their children in w.dirs */
		for (i = 0; i < w.ndirs; i++) {
			struct inv_dir *dir = w.dirs[i], *parent = dir->parent;

			merge_map(&inv->arena, parent ? parent->merged : NULL,
				  parent ? parent->nmerged : 0,
				  dir->defaults ? dir->defaults->root : NULL,
				  dir->defaults, &dir->merged, &dir->nmerged);
		}
		for (i = 0; i < inv->n; i++) {
			struct inv_node *node = &inv->nodes[i];

			merge_map(&inv->arena, node->dir->merged,
				  node->dir->nmerged, node->file->root,
				  node->file, &node->kv, &node->n);
		}
	}
	free(w.files);
	free(w.dirs);
	return rc;
}

const struct inv_kv *inventory_get(const struct inv_node *node,
				   const char *key)
{
	size_t i, klen = strlen(key);

	for (i = 0; i < node->n; i++) {
		const struct yv *k = node->kv[i].key;

		if (k->type == YV_STR && k->len == klen &&
		    memcmp(k->text, key, klen) == 0)
			return &node->kv[i];
	}
	return NULL;
}

void inventory_free(struct inventory *inv)
{
	size_t i;

	free(inv->nodes);
	free(inv->defaults);
	diag_free(&inv->diags);
	arena_free(&inv->arena);
	for (i = 0; i < inv->narenas; i++)
		arena_free(&inv->arenas[i]);
	free(inv->arenas);
	memset(inv, 0, sizeof(*inv));
}
