/*
 * `pxeinv mirror NODES_DIR DIR`: download the files the inventory boots
 * into DIR, in the image factory's layout, with a SHA-256 manifest.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../inventory/assets.h"
#include "../inventory/oom.h"
#include "cli.h"
#include "mirror_fetch.h"

/** Defaults and limits of --jobs and --retries, and the first back-off */
#define MIRROR_JOBS_DEFAULT 4
#define MIRROR_JOBS_MAX 64
#define MIRROR_RETRIES_DEFAULT 3
#define MIRROR_RETRIES_MAX 10
#define MIRROR_BACKOFF_MS 1000L

/** Counts of a run */
struct mirror_counts {
	size_t files;           /**< distinct paths */
	size_t verified;        /**< in place, with the manifest's digest */
	size_t fetched;
	size_t failed;          /**< downloads that failed */
	size_t mismatched;      /**< files or downloads not as the manifest */
	size_t missing;         /**< --verify: absent or not in the manifest */
};

/**
 * Print this command's help.
 */
static void mirror_help(void)
{
	printf("Usage: pxeinv mirror [OPTIONS] NODES_DIR DIR\n\n"
	       "Check NODES_DIR (any error stops here, exit 1), then "
	       "download every file its\nnode scripts fetch (the list of "
	       "'pxeinv assets') into DIR, in the image\nfactory's layout "
	       "(DIR/SCHEMATIC/VERSION/FILE): serve DIR at a URL and "
	       "compile\nwith --image-base-url URL. Downloads go to "
	       "FILE" MIRROR_PARTIAL " (resumed by the next run\nwith an "
	       "HTTP Range), are retried with back-off, and are renamed "
	       "into place\nonly when complete. DIR/" MIRROR_MANIFEST
	       " records each file's SHA-256 (sha256sum's\nformat); a "
	       "rerun checks the files against it and fetches only what is "
	       "missing\nor wrong. A checksum mismatch is a file, or a new "
	       "download, whose SHA-256\ndiffers from the manifest's: the "
	       "file is fetched again, the download is\ndiscarded.\n\n"
	       "Options:\n"
	       "  -f, --filter PREFIX  only nodes whose filename (DIR/STEM) "
	       "starts with PREFIX\n"
	       "  -j, --jobs N         downloads at a time (1-%d, default "
	       "%d)\n"
	       "      --retries N      retries of a failed download (0-%d, "
	       "default %d)\n"
	       "      --cacert FILE    CA certificates for HTTPS (a private "
	       "factory), instead\n"
	       "                       of the system's\n"
	       "      --verify         download nothing: check that every "
	       "file is in DIR with\n"
	       "                       the manifest's SHA-256\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Progress: a bar on a terminal, else one line per file (on "
	       "stderr).\nExit status: 0 all files in place, 1 a checksum "
	       "mismatch or (--verify) a\nfile missing, 3 a download "
	       "failed.\n", MIRROR_JOBS_MAX, MIRROR_JOBS_DEFAULT,
	       MIRROR_RETRIES_MAX, MIRROR_RETRIES_DEFAULT);
}

/**
 * Parse a number option.
 *
 * @v s         Text
 * @v min       Smallest value
 * @v max       Largest value
 * @v value     Value
 * @ret rc      0, or -EINVAL when it is not a number in range
 */
static int mirror_parse_count(const char *s, int min, int max, int *value)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*value = (int)v;
	return 0;
}

/**
 * Check a file in place against the manifest.
 *
 * @v dir       Mirror directory
 * @v path      File below it
 * @v expect    The manifest's digest, or NULL
 * @v hex       Its digest, when it exists
 * @ret rc      0 when it matches, -ENOENT when it is absent, -ENODATA when
 *              the manifest has no digest, -EBADMSG on a mismatch, or the
 *              errno of the read that failed
 */
static int mirror_check_file(const char *dir, const char *path,
			     const char *expect,
			     char hex[MIRROR_SHA256_HEX + 1])
{
	char file[PATH_MAX];
	int rc;

	snprintf(file, sizeof(file), "%s/%s", dir, path);
	rc = mirror_sha256_file(file, hex);
	if (rc != 0)
		return rc;
	if (!expect)
		return -ENODATA;
	return strcmp(hex, expect) ? -EBADMSG : 0;
}

/**
 * Sort the files into those in place and those to fetch.
 *
 * @v dir       Mirror directory
 * @v list      Files of the inventory
 * @v m         Manifest
 * @v verify    --verify: report, fetch nothing
 * @v jobs      Files to fetch, filled in
 * @v njobs     Number of them
 * @v counts    Counts
 * @ret code    EXIT_OK, or EXIT_IO when a file cannot be read
 */
static int mirror_plan(const char *dir, const struct asset_list *list,
		       const struct mirror_manifest *m, int verify,
		       struct mirror_job *jobs, size_t *njobs,
		       struct mirror_counts *counts)
{
	char hex[MIRROR_SHA256_HEX + 1], file[PATH_MAX];
	const char *expect;
	size_t i, k;
	int rc;

	for (i = 0; i < list->n; i++) {
		const struct asset *a = &list->v[i];

		/* one path from two image bases: the first base's copy */
		for (k = 0; k < i; k++)
			if (!strcmp(list->v[k].path, a->path))
				break;
		if (k < i)
			continue;
		counts->files++;
		expect = mirror_manifest_find(m, a->path);
		rc = mirror_check_file(dir, a->path, expect, hex);
		if (rc == 0) {
			counts->verified++;
			continue;
		}
		if (rc == -EBADMSG) {
			counts->mismatched += verify;
			fprintf(stderr, "pxeinv mirror: %s: checksum mismatch: "
				"the file's SHA-256 is %s, the manifest's %s%s\n",
				a->path, hex, expect, verify ? "" :
				"; fetching it again");
			snprintf(file, sizeof(file), "%s/%s", dir, a->path);
			if (!verify && unlink(file) != 0) {
				fprintf(stderr, "pxeinv mirror: %s: %s\n", file,
					strerror(errno));
				return EXIT_IO;
			}
		} else if (rc != -ENOENT && rc != -ENODATA) {
			fprintf(stderr, "pxeinv mirror: %s/%s: %s\n", dir,
				a->path, strerror(-rc));
			return EXIT_IO;
		} else if (verify) {
			counts->missing++;
			fprintf(stderr, "pxeinv mirror: %s: %s\n", a->path,
				rc == -ENOENT ? "missing" : "not in "
				MIRROR_MANIFEST);
		}
		if (verify)
			continue;
		memset(&jobs[*njobs], 0, sizeof(jobs[*njobs]));
		jobs[*njobs].url = a->url;
		jobs[*njobs].path = a->path;
		jobs[*njobs].expect = expect;
		(*njobs)++;
	}
	return EXIT_OK;
}

/**
 * Download the files to fetch and record them in the manifest.
 *
 * @v opts      Download settings
 * @v jobs      Files to fetch
 * @v njobs     Number of them
 * @v m         Manifest, updated
 * @v counts    Counts
 * @ret code    EXIT_OK, or EXIT_IO when libcurl could not start
 */
static int mirror_download(const struct mirror_fetch_opts *opts,
			   struct mirror_job *jobs, size_t njobs,
			   struct mirror_manifest *m,
			   struct mirror_counts *counts)
{
	size_t i;

	if (njobs == 0)
		return EXIT_OK;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "pxeinv mirror: libcurl could not start\n");
		return EXIT_IO;
	}
	if (mirror_fetch_all(opts, jobs, njobs) != 0) {
		fprintf(stderr, "pxeinv mirror: libcurl could not start\n");
		curl_global_cleanup();
		return EXIT_IO;
	}
	curl_global_cleanup();
	for (i = 0; i < njobs; i++) {
		if (jobs[i].state == MIRROR_JOB_DONE) {
			counts->fetched++;
			mirror_manifest_set(m, jobs[i].path, jobs[i].hex);
			continue;
		}
		fprintf(stderr, "pxeinv mirror: error: %s\n", jobs[i].error);
		if (jobs[i].mismatch)
			counts->mismatched++;
		else
			counts->failed++;
	}
	return EXIT_OK;
}

/**
 * Read --jobs.
 *
 * @v value     Option value
 * @v jobs      Downloads at a time, set
 * @ret code    CLI_CONTINUE or EXIT_USAGE
 */
static int mirror_opt_jobs(const char *value, void *jobs)
{
	if (mirror_parse_count(value, 1, MIRROR_JOBS_MAX, jobs) != 0)
		return cli_usage_error("mirror", "--jobs must be 1 to %d",
				       MIRROR_JOBS_MAX);
	return CLI_CONTINUE;
}

/**
 * Read --retries.
 *
 * @v value     Option value
 * @v retries   Retries, set
 * @ret code    CLI_CONTINUE or EXIT_USAGE
 */
static int mirror_opt_retries(const char *value, void *retries)
{
	if (mirror_parse_count(value, 0, MIRROR_RETRIES_MAX, retries) != 0)
		return cli_usage_error("mirror", "--retries must be 0 to %d",
				       MIRROR_RETRIES_MAX);
	return CLI_CONTINUE;
}

int cmd_mirror(int argc, char **argv)
{
	struct mirror_fetch_opts fo = {
		.jobs = MIRROR_JOBS_DEFAULT,
		.retries = MIRROR_RETRIES_DEFAULT,
		.backoff_ms = MIRROR_BACKOFF_MS,
	};
	struct mirror_manifest m = { 0 };
	struct mirror_counts counts = { 0 };
	struct asset_list list = { 0 };
	struct inventory inv = { 0 };
	struct mirror_job *jobs = NULL;
	struct node *nodes = NULL;
	const char *filter = NULL;
	char err[PATH_MAX + 128];
	int code, verify = 0, rc;
	size_t njobs = 0;
	const struct cli_opt opts[] = {
		{ "filter", 'f', CLI_OPT_TEXT, &filter, NULL },
		{ "jobs", 'j', CLI_OPT_CALL, &fo.jobs, mirror_opt_jobs },
		{ "retries", 0, CLI_OPT_CALL, &fo.retries, mirror_opt_retries },
		{ "cacert", 0, CLI_OPT_TEXT, &fo.cacert, NULL },
		{ "verify", 0, CLI_OPT_FLAG, &verify, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "mirror", mirror_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind != 2)
		return cli_usage_error("mirror", "expected NODES_DIR and DIR");
	fo.dir = argv[optind + 1];
	fo.bar = isatty(STDERR_FILENO);
	if (fo.cacert && access(fo.cacert, R_OK) != 0) {
		fprintf(stderr, "pxeinv mirror: --cacert %s: %s\n", fo.cacert,
			strerror(errno));
		return EXIT_IO;
	}
	rc = cli_load_checked(&inv, argv[optind], filter, &nodes);
	if (rc != EXIT_OK)
		goto out;
	if (!verify && mkdir(fo.dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "pxeinv mirror: %s: %s\n", fo.dir,
			strerror(errno));
		rc = EXIT_IO;
		goto out;
	}
	if (mirror_manifest_read(&m, fo.dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "pxeinv mirror: %s\n", err);
		rc = EXIT_IO;
		goto out;
	}
	assets_collect(&list, nodes, inv.n);
	jobs = calloc(list.n ? list.n : 1, sizeof(*jobs));
	if (!jobs)
		abort_out_of_memory("the mirror's downloads");
	rc = mirror_plan(fo.dir, &list, &m, verify, jobs, &njobs, &counts);
	if (rc == EXIT_OK && !verify)
		rc = mirror_download(&fo, jobs, njobs, &m, &counts);
	if (rc == EXIT_OK && !verify && (code = mirror_manifest_write(&m,
							fo.dir)) != 0) {
		fprintf(stderr, "pxeinv mirror: %s/" MIRROR_MANIFEST ": %s\n",
			fo.dir, strerror(-code));
		rc = EXIT_IO;
	}
	if (rc != EXIT_OK)
		goto out;
	if (verify)
		fprintf(stderr, "pxeinv mirror: %s: %zu files: %zu verified, "
			"%zu missing, %zu checksum mismatches\n", fo.dir,
			counts.files, counts.verified, counts.missing,
			counts.mismatched);
	else
		fprintf(stderr, "pxeinv mirror: %s: %zu files: %zu verified, "
			"%zu fetched, %zu failed, %zu checksum mismatches\n",
			fo.dir, counts.files, counts.verified, counts.fetched,
			counts.failed, counts.mismatched);
	if (counts.failed)
		rc = EXIT_IO;
	else if (counts.mismatched || counts.missing)
		rc = EXIT_INVALID;
out:
	free(jobs);
	assets_free(&list);
	mirror_manifest_free(&m);
	inventory_free(&inv);
	return rc;
}
