/*
 * Fuzz target: the reader of a mirror's manifest, DIR/SHA256SUMS
 * (cli/mirror_manifest.c), which `pxeinv mirror` reads back at every run
 * and a disk, an editor or an interrupted copy may have damaged.
 *
 * Input: the bytes of the file.
 *
 * Invariants: the file is accepted (0) or refused with -EINVAL and a
 * reason that names the file and its line; every entry of an accepted
 * manifest has a 64-digit lower-case hex digest and a non-empty path of
 * printable bytes, which find() returns; writing it and reading it back
 * gives the same entries, in the same order.
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "../cli/mirror_manifest.h"

/** Directories the input and its written copy go to (tmpfs: the write
 * fsyncs) */
static char in_dir[] = "/dev/shm/pxeinv-fuzz-manifest.XXXXXX";
static char out_dir[sizeof(in_dir) + sizeof("/out") - 1];

/**
 * Remove the directories and what the last input left in them (atexit).
 */
static void manifest_remove_dirs(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/" MIRROR_MANIFEST, out_dir);
	unlink(path);
	rmdir(out_dir);
	snprintf(path, sizeof(path), "%s/" MIRROR_MANIFEST, in_dir);
	unlink(path);
	rmdir(in_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(in_dir)) {
		perror("fuzz_manifest: mkdtemp");
		exit(1);
	}
	snprintf(out_dir, sizeof(out_dir), "%s/out", in_dir);
	if (mkdir(out_dir, 0700) != 0) {
		perror("fuzz_manifest: mkdir");
		exit(1);
	}
	atexit(manifest_remove_dirs);
	return 0;
}

/**
 * Check one entry of an accepted manifest.
 *
 * @v m         Manifest
 * @v s         Entry
 */
static void manifest_check_entry(const struct mirror_manifest *m,
				 const struct mirror_sum *s)
{
	FUZZ_ASSERT(strlen(s->hex) == MIRROR_SHA256_HEX);
	FUZZ_ASSERT(strspn(s->hex, "0123456789abcdef") == MIRROR_SHA256_HEX);
	FUZZ_ASSERT(s->path && s->path[0]);
	FUZZ_ASSERT(fuzz_is_printable_string(s->path, strlen(s->path) + 1));
	FUZZ_ASSERT(mirror_manifest_find(m, s->path) == s->hex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mirror_manifest m = { 0 }, back = { 0 };
	char path[PATH_MAX], err[PATH_MAX + 128];
	size_t i;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/" MIRROR_MANIFEST, in_dir);
	f = fopen(path, "w");
	FUZZ_ASSERT(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);

	err[0] = '\0';
	rc = mirror_manifest_read(&m, in_dir, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == -EINVAL) {
		FUZZ_ASSERT(strncmp(err, path, strlen(path)) == 0 &&
			    err[strlen(path)] == ':');
		FUZZ_ASSERT(strstr(err, ": not a line of sha256sum's"));
		mirror_manifest_free(&m);
		return 0;
	}
	for (i = 0; i < m.n; i++)
		manifest_check_entry(&m, &m.v[i]);

	/* what is written reads back the same */
	FUZZ_ASSERT(mirror_manifest_write(&m, out_dir) == 0);
	FUZZ_ASSERT(mirror_manifest_read(&back, out_dir, err,
					 sizeof(err)) == 0);
	FUZZ_ASSERT(back.n == m.n);
	for (i = 0; i < m.n; i++) {
		FUZZ_ASSERT(strcmp(back.v[i].path, m.v[i].path) == 0);
		FUZZ_ASSERT(strcmp(back.v[i].hex, m.v[i].hex) == 0);
	}
	mirror_manifest_free(&back);
	mirror_manifest_free(&m);
	return 0;
}
