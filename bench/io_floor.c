/*
 * io_floor: the file-system work any `pxeinv compile` must do, timed alone.
 *
 *   io_floor TREE SCRATCH THREADS
 *
 * 1. reads every regular file under TREE (one open/read/close each, the
 *    files shared out among THREADS threads), as compile must to see them;
 * 2. creates one small file per file read in SCRATCH/a (one per node, as
 *    compile writes one script per node), on THREADS threads;
 * 3. hard-links each of those into SCRATCH/b, which is what a compile does
 *    for a script that has not changed since the previous one;
 * 4. parses every file read in step 1 with libyaml (events only, nothing
 *    built from them), as compile must, on THREADS threads;
 * 5. and 6., when built with liburing (-DFLOOR_URING -luring): steps 1 and 3
 *    again through io_uring, in batches of FLOOR_BATCH files per thread and
 *    per io_uring_enter (open, read and close linked, on direct
 *    descriptors), in case the syscalls themselves were the floor.
 *
 * Prints "read S", "write S", "link S" and "parse S" (seconds), then
 * "read_uring S" and "link_uring S" when built with liburing, one per line.
 * Steps 1 and 4 run once untimed first. No merging, no checking, no
 * rendering: read + parse + link, each the faster way, is a lower bound
 * for a recompile of TREE on this machine, which bench/compile prints
 * beside the real figures.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>
#ifdef FLOOR_URING
#include <liburing.h>
#endif

/** Most threads */
#define FLOOR_THREADS_MAX 64

/** Bytes per written file (a node script is about this size) */
#define FLOOR_FILE_SIZE 600

/** Bytes kept of each file read (a node file is a few hundred) */
#define FLOOR_READ_MAX 2048

/** Files per io_uring batch (and direct descriptor slots per ring) */
#define FLOOR_BATCH 256

/** Files found under TREE */
static char **paths;
static size_t npaths, cap;

/** What steps 1 and 5 read: FLOOR_READ_MAX bytes per file, and lengths */
static char *data;
static size_t *lens;

/** Directories of the scratch area */
static int dir_a, dir_b, dir_c;

/** Threads and the job they run */
static int nthreads;

/**
 * Collect the regular files under a directory.
 *
 * @v dir       Directory path
 * @ret rc      0 or -1
 */
static int collect(const char *dir)
{
	struct dirent *e;
	char path[4096];
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			if (collect(path)) {
				closedir(d);
				return -1;
			}
		} else if (e->d_type == DT_REG) {
			if (npaths == cap) {
				cap = cap ? cap * 2 : 1024;
				paths = realloc(paths, cap * sizeof(*paths));
				if (!paths)
					abort();
			}
			paths[npaths++] = strdup(path);
		}
	}
	closedir(d);
	return 0;
}

/**
 * Keep what one read gave: its length, or stop if the file was too long.
 *
 * @v i         File index
 * @v len       What read() returned
 */
static void keep_read(size_t i, long len)
{
	if (len < 0 || len >= FLOOR_READ_MAX) {
		fprintf(stderr, "io_floor: %s: unreadable or over %d bytes\n",
			paths[i], FLOOR_READ_MAX - 1);
		exit(3);
	}
	lens[i] = len;
}

/**
 * Step 4: parse one file read in step 1 into libyaml events.
 *
 * @v i         File index
 */
static void parse_file(size_t i)
{
	yaml_parser_t parser;
	yaml_event_t event;
	int type;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser,
				     (unsigned char *)data + i * FLOOR_READ_MAX,
				     lens[i]);
	do {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "io_floor: %s: not YAML\n", paths[i]);
			exit(3);
		}
		type = event.type;
		yaml_event_delete(&event);
	} while (type != YAML_STREAM_END_EVENT);
	yaml_parser_delete(&parser);
}

#ifdef FLOOR_URING
/**
 * Queue step 5 (open, read, close) or 6 (link) of one file on a ring.
 *
 * @v ring      Ring
 * @v step      5 or 6
 * @v i         File index
 * @v slot      Direct descriptor slot of this file in its batch
 * @v name      Name buffer of this slot (64 bytes), for step 6
 * @ret cqes    Completions the file will post
 */
static unsigned queue_uring(struct io_uring *ring, long step, size_t i,
			    int slot, char *name)
{
	struct io_uring_sqe *sqe;

	if (step == 6) {
		snprintf(name, 64, "f%zu", i);
		sqe = io_uring_get_sqe(ring);
		io_uring_prep_linkat(sqe, dir_a, name, dir_c, name, 0);
		return 1;
	}
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, paths[i], O_RDONLY, 0, slot);
	sqe->flags |= IOSQE_IO_LINK;
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_read(sqe, slot, data + i * FLOOR_READ_MAX,
			   FLOOR_READ_MAX, 0);
	/* a short read (every read here) must not cancel the close */
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
	io_uring_sqe_set_data64(sqe, i + 1);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_close_direct(sqe, slot);
	return 3;
}

/**
 * Tell whether io_uring can be used here: a kernel setting
 * (kernel.io_uring_disabled) or a container's seccomp filter may refuse it.
 *
 * @ret ok      1 when a ring can be set up, else 0 (said on stderr)
 */
static int uring_works(void)
{
	struct io_uring ring;
	int rc = io_uring_queue_init(8, &ring, 0);

	if (rc != 0) {
		fprintf(stderr, "io_floor: io_uring unavailable (%s): plain "
			"syscalls only\n", strerror(-rc));
		return 0;
	}
	io_uring_queue_exit(&ring);
	return 1;
}

/**
 * Thread body of steps 5 and 6: batches through one ring per thread.
 *
 * @v step      5 or 6
 * @v t         Thread index
 */
static void work_uring(long step, long t)
{
	static __thread char names[FLOOR_BATCH][64];
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned want, k;
	size_t i = t;

	if (io_uring_queue_init(FLOOR_BATCH * 4, &ring, 0) != 0 ||
	    (step == 5 && io_uring_register_files_sparse(&ring,
							 FLOOR_BATCH) != 0))
		abort();
	while (i < npaths) {
		for (want = 0, k = 0; k < FLOOR_BATCH && i < npaths;
		     k++, i += nthreads)
			want += queue_uring(&ring, step, i, k, names[k]);
		if (io_uring_submit(&ring) < 0)
			abort();
		for (; want; want--) {
			if (io_uring_wait_cqe(&ring, &cqe) != 0 || cqe->res < 0)
				abort();
			if (cqe->user_data)
				keep_read(cqe->user_data - 1, cqe->res);
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
}
#endif

/**
 * Thread body: step 1 to 4 (5, 6) for every THREADS-th file.
 *
 * @v arg       (step << 8) | thread index
 * @ret NULL
 */
static void *work(void *arg)
{
	long v = (long)arg, step = v >> 8, t = v & 0xff;
	char buf[FLOOR_FILE_SIZE], name[64];
	size_t i;
	int fd;

#ifdef FLOOR_URING
	if (step >= 5) {
		work_uring(step, t);
		return NULL;
	}
#endif
	memset(buf, 'x', FLOOR_FILE_SIZE);
	for (i = t; i < npaths; i += nthreads) {
		snprintf(name, sizeof(name), "f%zu", i);
		if (step == 1) {
			fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				abort();
			keep_read(i, read(fd, data + i * FLOOR_READ_MAX,
					  FLOOR_READ_MAX));
			close(fd);
		} else if (step == 2) {
			fd = openat(dir_a, name, O_WRONLY | O_CREAT | O_EXCL |
				    O_CLOEXEC, 0644);
			if (fd < 0 ||
			    write(fd, buf, FLOOR_FILE_SIZE) != FLOOR_FILE_SIZE)
				abort();
			close(fd);
		} else if (step == 3) {
			if (linkat(dir_a, name, dir_b, name, 0) != 0)
				abort();
		} else {
			parse_file(i);
		}
	}
	return NULL;
}

/**
 * Run one step on every thread.
 *
 * @v step      1 to 6
 * @ret s       Wall time in seconds
 */
static double run_step(long step)
{
	pthread_t id[FLOOR_THREADS_MAX];
	struct timespec a, b;
	int t;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&id[t], NULL, work, (void *)(step << 8 | t)))
			abort();
	for (t = 0; t < nthreads; t++)
		pthread_join(id[t], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	char a[4096], b[4096], c[4096];

	if (argc != 4 || (nthreads = atoi(argv[3])) < 1 ||
	    nthreads > FLOOR_THREADS_MAX) {
		fprintf(stderr, "usage: io_floor TREE SCRATCH THREADS\n");
		return 2;
	}
	snprintf(a, sizeof(a), "%s/a", argv[2]);
	snprintf(b, sizeof(b), "%s/b", argv[2]);
	snprintf(c, sizeof(c), "%s/c", argv[2]);
	mkdir(argv[2], 0755); /* may exist: a, b and c must not */
	if (collect(argv[1]) || mkdir(a, 0755) || mkdir(b, 0755) ||
	    mkdir(c, 0755) ||
	    (dir_a = open(a, O_RDONLY | O_DIRECTORY)) < 0 ||
	    (dir_b = open(b, O_RDONLY | O_DIRECTORY)) < 0 ||
	    (dir_c = open(c, O_RDONLY | O_DIRECTORY)) < 0) {
		perror("io_floor");
		return 3;
	}
	/* the read buffers, touched before any step is timed */
	data = calloc(npaths, FLOOR_READ_MAX);
	lens = calloc(npaths, sizeof(*lens));
	if (!data || !lens)
		abort();
	memset(data, 0, npaths * FLOOR_READ_MAX);
	/* untimed: the first pass in a process pays for fresh thread arenas
	 * and for input pages that went cold, which a lower bound leaves out */
	run_step(1);
	run_step(4);
	printf("read %.4f\n", run_step(1));
	printf("write %.4f\n", run_step(2));
	printf("link %.4f\n", run_step(3));
	printf("parse %.4f\n", run_step(4));
#ifdef FLOOR_URING
	if (uring_works()) {
		printf("read_uring %.4f\n", run_step(5));
		printf("link_uring %.4f\n", run_step(6));
	}
#endif
	return 0;
}
