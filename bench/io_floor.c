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
 *    for a script that has not changed since the previous one.
 *
 * Prints "read S", "write S" and "link S" (seconds) on three lines. No
 * parsing, no checking, no rendering: the sum of read and write (or link)
 * is a lower bound for a compile of TREE on this machine, which bench/compile
 * prints beside the real figures.
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

/** Most threads */
#define FLOOR_THREADS_MAX 64

/** Bytes per written file (a node script is about this size) */
#define FLOOR_FILE_SIZE 600

/** Files found under TREE */
static char **paths;
static size_t npaths, cap;

/** Directories of the scratch area */
static int dir_a, dir_b;

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
 * Thread body: step 1, 2 or 3 for every THREADS-th file.
 *
 * @v arg       (step << 8) | thread index
 * @ret NULL
 */
static void *work(void *arg)
{
	long v = (long)arg, step = v >> 8, t = v & 0xff;
	char buf[65536], name[64];
	size_t i;
	int fd;

	memset(buf, 'x', FLOOR_FILE_SIZE);
	for (i = t; i < npaths; i += nthreads) {
		snprintf(name, sizeof(name), "f%zu", i);
		if (step == 1) {
			fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
				abort();
			close(fd);
		} else if (step == 2) {
			fd = openat(dir_a, name, O_WRONLY | O_CREAT | O_EXCL |
				    O_CLOEXEC, 0644);
			if (fd < 0 ||
			    write(fd, buf, FLOOR_FILE_SIZE) != FLOOR_FILE_SIZE)
				abort();
			close(fd);
		} else if (linkat(dir_a, name, dir_b, name, 0) != 0) {
			abort();
		}
	}
	return NULL;
}

/**
 * Run one step on every thread.
 *
 * @v step      1, 2 or 3
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
	char a[4096], b[4096];

	if (argc != 4 || (nthreads = atoi(argv[3])) < 1 ||
	    nthreads > FLOOR_THREADS_MAX) {
		fprintf(stderr, "usage: io_floor TREE SCRATCH THREADS\n");
		return 2;
	}
	snprintf(a, sizeof(a), "%s/a", argv[2]);
	snprintf(b, sizeof(b), "%s/b", argv[2]);
	mkdir(argv[2], 0755); /* may exist: a and b must not */
	if (collect(argv[1]) || mkdir(a, 0755) || mkdir(b, 0755) ||
	    (dir_a = open(a, O_RDONLY | O_DIRECTORY)) < 0 ||
	    (dir_b = open(b, O_RDONLY | O_DIRECTORY)) < 0) {
		perror("io_floor");
		return 3;
	}
	printf("read %.4f\n", run_step(1));
	printf("write %.4f\n", run_step(2));
	printf("link %.4f\n", run_step(3));
	return 0;
}
