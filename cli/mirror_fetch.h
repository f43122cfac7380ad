/*
 * Downloading a mirror's files with libcurl's multi interface: several at
 * a time, into PATH.partial (resumed with an HTTP Range), retried with
 * back-off, checked against the manifest, then renamed into place.
 */
#ifndef PXEINV_MIRROR_FETCH_H
#define PXEINV_MIRROR_FETCH_H

#include <curl/curl.h>
#include <stddef.h>

#include "mirror_manifest.h"

/** Suffix of a file being downloaded */
#define MIRROR_PARTIAL ".partial"

/** Where a download stands */
enum mirror_job_state {
	MIRROR_JOB_WAITING,     /**< to start, or to retry at next_try */
	MIRROR_JOB_RUNNING,
	MIRROR_JOB_DONE,        /**< in place, digest in hex */
	MIRROR_JOB_FAILED,      /**< why in error; no file at path */
};

/** One file to download */
struct mirror_job {
	const char *url;
	const char *path;               /**< below the mirror directory */
	const char *expect;             /**< the manifest's digest, or NULL */
	enum mirror_job_state state;
	int mismatch;                   /**< failed: the download's digest
					     is not the manifest's */
	char hex[MIRROR_SHA256_HEX + 1];/**< digest of the file fetched */
	char error[512];                /**< why it failed */
	curl_off_t bytes;               /**< bytes in the file */
	/* the engine's own */
	int attempts;
	long long next_try;             /**< monotonic ms */
	int fd;                         /**< the .partial, while running */
	curl_off_t offset;              /**< where this attempt started */
	curl_off_t got, total;          /**< this attempt's progress */
	int first_write;                /**< no byte written in this attempt */
	CURL *easy;
	char curl_error[CURL_ERROR_SIZE];
};

/** Settings of a download run */
struct mirror_fetch_opts {
	const char *dir;                /**< mirror directory */
	const char *cacert;             /**< CA bundle, or NULL: the system's */
	int jobs;                       /**< downloads at a time */
	int retries;                    /**< retries after a failed attempt */
	long backoff_ms;                /**< first retry delay, then doubled */
	int bar;                        /**< a progress bar, else lines */
};

/**
 * Download files, each into opts->dir/PATH.  A file is renamed into
 * place only when its transfer completed and, when the manifest has its
 * digest, the digest matches; a failed one leaves at most PATH.partial,
 * which the next run resumes.
 *
 * @v opts      Settings
 * @v jobs      Files (state MIRROR_JOB_WAITING); outcome per file
 * @v count     Number of files
 * @ret rc      0 when every file was tried (see each job's state), or
 *              -EIO when libcurl could not be set up
 */
int mirror_fetch_all(const struct mirror_fetch_opts *opts,
		     struct mirror_job *jobs, size_t count);

#endif /* PXEINV_MIRROR_FETCH_H */
