/*
 * bench/cache_reload.c: what serving a private, sealed copy of the cache
 * costs (see bench/cache-reload, which builds and runs it).
 *
 *   cache_reload CACHE NODES REPEAT
 *
 * Times pxeinv_cache_open() (copy into a sealed memfd, verify the copy),
 * which is what dnsmasq does at startup and on every SIGHUP, and the copy
 * alone (the part the private copy adds), against the I/O floor: read()
 * of the whole file into memory, which any loader must do.  Measures the memory of one served copy as the growth of this
 * process's RSS and PSS (/proc/self/smaps_rollup), and of two, the peak
 * of a reload (the new copy is verified while the previous one serves).
 * Prints one line per figure: name: value unit (goal: ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pxeinv_cache.h"

/** Memory of this process, in kB */
struct bench_memory {
	long rss;               /**< resident pages */
	long pss;               /**< resident pages, shared ones divided */
};

/**
 * Read this process's RSS and PSS.
 *
 * @v mem       Memory, filled
 * @ret rc      0, or -errno when smaps_rollup cannot be read
 */
static int bench_read_memory(struct bench_memory *mem)
{
	char line[256];
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -errno;
	mem->rss = mem->pss = -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Rss: %ld kB", &mem->rss);
		sscanf(line, "Pss: %ld kB", &mem->pss);
	}
	fclose(f);
	return (mem->rss < 0 || mem->pss < 0) ? -EINVAL : 0;
}

/**
 * Seconds on the monotonic clock.
 *
 * @ret t       Seconds
 */
static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * Read a whole file into memory with read(), and free it: the floor.
 *
 * @v path      File
 * @v size      Its size
 * @ret t       Seconds, or -1 on failure
 */
static double bench_read_file(const char *path, size_t size)
{
	double start = bench_now(), t;
	char *buf = malloc(size ? size : 1);
	size_t done = 0;
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf)
		goto err;
	while (done < size && (len = read(fd, buf + done, size - done)) > 0)
		done += len;
	if (done != size)
		goto err;
	t = bench_now() - start;
	close(fd);
	free(buf);
	return t;
 err:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

/**
 * Copy a whole file into a sealed memfd, as pxeinv_cache_open() does
 * before it verifies the copy, and close it: the part of the open that
 * the private copy adds.
 *
 * @v path      File
 * @v size      Its size
 * @ret t       Seconds, or -1 on failure
 */
static double bench_copy_file(const char *path, size_t size)
{
	double start = bench_now(), t = -1;
	size_t done = 0;
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int memfd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || memfd < 0)
		goto out;
	while (done < size && (len = sendfile(memfd, fd, NULL,
					      size - done)) > 0)
		done += len;
	if (done == size &&
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_WRITE | F_SEAL_SEAL) == 0)
		t = bench_now() - start;
 out:
	if (fd >= 0)
		close(fd);
	if (memfd >= 0)
		close(memfd);
	return t;
}

/**
 * Open a cache, or say why not and exit.
 *
 * @v path      Cache file
 * @ret cache   Cache
 */
static struct pxeinv_cache *bench_open(const char *path)
{
	struct pxeinv_cache *cache;
	char err[256];

	if (pxeinv_cache_open(path, &cache, err, sizeof(err)) != PXEINV_OK) {
		fprintf(stderr, "cache_reload: %s\n", err);
		exit(1);
	}
	return cache;
}

int main(int argc, char **argv)
{
	struct bench_memory before, one, two;
	struct pxeinv_cache *cache, *next;
	double floor_s = 1e9, copy_s = 1e9, open_s = 1e9, t;
	unsigned long nodes;
	struct stat st;
	int i, repeat;

	if (argc != 4 || stat(argv[1], &st) != 0) {
		fprintf(stderr, "usage: cache_reload CACHE NODES REPEAT\n");
		return 2;
	}
	nodes = strtoul(argv[2], NULL, 10);
	repeat = atoi(argv[3]);
	for (i = 0; i < repeat; i++) {
		t = bench_read_file(argv[1], st.st_size);
		if (t < 0) {
			fprintf(stderr, "cache_reload: cannot read %s\n",
				argv[1]);
			return 1;
		}
		if (t < floor_s)
			floor_s = t;
		t = bench_copy_file(argv[1], st.st_size);
		if (t < 0) {
			fprintf(stderr, "cache_reload: cannot copy %s\n",
				argv[1]);
			return 1;
		}
		if (t < copy_s)
			copy_s = t;
		t = bench_now();
		cache = bench_open(argv[1]);
		t = bench_now() - t;
		pxeinv_cache_close(cache);
		if (t < open_s)
			open_s = t;
	}
	if (bench_read_memory(&before) != 0)
		return 1;
	cache = bench_open(argv[1]);
	if (bench_read_memory(&one) != 0)
		return 1;
	next = bench_open(argv[1]);
	if (bench_read_memory(&two) != 0)
		return 1;
	if (pxeinv_cache_nodes(cache) != nodes ||
	    pxeinv_cache_nodes(next) != nodes) {
		fprintf(stderr, "cache_reload: %u nodes in the cache, want "
			"%lu\n", pxeinv_cache_nodes(cache), nodes);
		return 1;
	}
	pxeinv_cache_close(next);
	pxeinv_cache_close(cache);

	printf("cache_file_size_%lu: %.1f MB (goal: none; reference)\n",
	       nodes, st.st_size / 1e6);
	printf("cache_served_rss_%lu: %.1f MB (goal: <= 1.1 x the file: one "
	       "private copy)\n", nodes, (one.rss - before.rss) * 1024 / 1e6);
	printf("cache_served_pss_%lu: %.1f MB (goal: <= 1.1 x the file)\n",
	       nodes, (one.pss - before.pss) * 1024 / 1e6);
	printf("cache_reload_peak_rss_%lu: %.1f MB (goal: <= 2.2 x the file: "
	       "the new copy is verified while the old one serves)\n", nodes,
	       (two.rss - before.rss) * 1024 / 1e6);
	printf("cache_read_floor_time_%lu: %.2f ms (goal: none; reference: "
	       "read() of the whole file)\n", nodes, floor_s * 1e3);
	printf("cache_private_copy_time_%lu: %.2f ms (goal: none; reference: "
	       "the file into a sealed memfd, the part of the open it adds)\n", nodes, copy_s * 1e3);
	printf("cache_open_verify_time_%lu: %.2f ms (goal: < 500 ms: dnsmasq "
	       "answers nothing while it reloads)\n", nodes,
	       open_s * 1e3);
	printf("cache_private_copy_share_%lu: %.1f %% (goal: none; of the "
	       "open, the rest is the checks the reader always made)\n", nodes, 100 * copy_s / open_s);
	return 0;
}
