/*
 * pxeinv fuzz targets: run a target on files, without libFuzzer.
 *
 *   build/fuzz/TARGET-replay FILE|DIR...
 *
 * Calls the target's LLVMFuzzerInitialize() once, then its
 * LLVMFuzzerTestOneInput() on every file given, and on every file of every
 * directory given.  The unit suite runs it on fuzz/regress/TARGET/ and
 * fuzz/corpus/TARGET/; a broken invariant aborts, so any exit but 0 is a
 * failure.  Prints how many inputs ran.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/**
 * Run the target on one file.
 *
 * @v path      File
 * @ret rc      0, or -errno when it cannot be read
 */
static int replay_file(const char *path)
{
	struct stat st;
	uint8_t *data;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	/* one byte more, so that an empty file is a valid allocation */
	data = malloc(st.st_size + 1);
	if (!data) {
		rc = -ENOMEM;
		goto out;
	}
	n = read(fd, data, st.st_size);
	if (n != st.st_size)
		rc = n < 0 ? -errno : -EIO;
	else
		LLVMFuzzerTestOneInput(data, st.st_size);
	free(data);
out:
	close(fd);
	return rc;
}

/**
 * Run the target on a file, or on every file of a directory.
 *
 * @v path      File or directory
 * @v count     Inputs run, incremented
 * @ret rc      0, or -errno when something cannot be read
 */
static int replay_path(const char *path, unsigned int *count)
{
	struct dirent **names;
	char child[4096];
	struct stat st;
	int n, i, rc = 0;

	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		rc = replay_file(path);
		if (rc == 0)
			(*count)++;
		return rc;
	}
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (rc == 0 && names[i]->d_name[0] != '.') {
			snprintf(child, sizeof(child), "%s/%s", path,
				 names[i]->d_name);
			rc = replay_path(child, count);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned int count = 0;
	int i, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		rc = replay_path(argv[i], &count);
		if (rc != 0) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], argv[i],
				strerror(-rc));
			return 1;
		}
	}
	printf("%s: %u inputs\n", argv[0], count);
	return 0;
}
