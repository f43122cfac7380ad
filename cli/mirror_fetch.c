/*
 * Downloading a mirror's files with libcurl's multi interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "version.h"
#include "mirror_fetch.h"

/** Seconds to connect, and the slowest transfer (bytes/s over a minute)
 * before an attempt is given up */
#define MIRROR_CONNECT_TIMEOUT 30L
#define MIRROR_LOW_SPEED 1024L
#define MIRROR_LOW_SPEED_TIME 60L

/** Width of the progress bar */
#define MIRROR_BAR_WIDTH 30

/**
 * Read the monotonic clock.
 *
 * @ret ms      Milliseconds
 */
static long long mirror_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * Say why a job failed.
 *
 * @v j         Job
 * @v fmt       Message
 */
static void __attribute__((format(printf, 2, 3)))
mirror_error(struct mirror_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->error, sizeof(j->error), fmt, ap);
	va_end(ap);
}

/**
 * Name a file of the mirror.
 *
 * @v buf       Buffer, PATH_MAX bytes
 * @v dir       Mirror directory
 * @v path      File below it
 * @v suffix    "" or MIRROR_PARTIAL
 * @ret rc      0, or -ENAMETOOLONG
 */
static int mirror_file(char *buf, const char *dir, const char *path,
		       const char *suffix)
{
	int len = snprintf(buf, PATH_MAX, "%s/%s%s", dir, path, suffix);

	return len < 0 || len >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/**
 * Make the directories above a file of the mirror.
 *
 * @v dir       Mirror directory
 * @v path      File below it
 * @ret rc      0, or the errno of the mkdir that failed
 */
static int mirror_make_parents(const char *dir, const char *path)
{
	char buf[PATH_MAX];
	size_t i, start;

	if (mirror_file(buf, dir, path, "") != 0)
		return -ENAMETOOLONG;
	start = strlen(dir) + 1;
	for (i = start; buf[i]; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		buf[i] = '/';
	}
	return 0;
}

/**
 * Write what a transfer received to the .partial file (libcurl's write
 * callback).  A server that answers a Range request with the whole file
 * (200, not 206) starts the file over.
 *
 * @v data      Bytes
 * @v size      1
 * @v nmemb     Number of bytes
 * @v userp     Job
 * @ret len     nmemb, or 0 to fail the transfer on a write error
 */
static size_t mirror_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct mirror_job *j = userp;
	size_t len = size * nmemb, done = 0;
	ssize_t w;
	long code = 0;

	if (j->first_write) {
		j->first_write = 0;
		curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
		if (j->offset > 0 && code != 206) {
			if (ftruncate(j->fd, 0) != 0)
				return 0;
			j->offset = 0;
		}
	}
	while (done < len) {
		w = write(j->fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;
		done += w;
	}
	return len;
}

/**
 * Record a transfer's progress (libcurl's transfer-info callback).
 *
 * @v clientp   Job
 * @v dltotal   Bytes expected in this attempt, or 0 while unknown
 * @v dlnow     Bytes received in this attempt
 * @v ultotal   Unused
 * @v ulnow     Unused
 * @ret rc      0: go on
 */
static int mirror_progress(void *clientp, curl_off_t dltotal,
			   curl_off_t dlnow, curl_off_t ultotal,
			   curl_off_t ulnow)
{
	struct mirror_job *j = clientp;

	(void)ultotal;
	(void)ulnow;
	j->got = dlnow;
	j->total = dltotal;
	return 0;
}

/**
 * Print a line about a file, above the progress bar when there is one.
 *
 * @v opts      Settings
 * @v fmt       Message
 */
static void __attribute__((format(printf, 2, 3)))
mirror_say(const struct mirror_fetch_opts *opts, const char *fmt, ...)
{
	va_list ap;

	if (opts->bar)
		fputs("\r\033[K", stderr);
	fputs("pxeinv mirror: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * Draw the progress bar: files done, and bytes received.
 *
 * @v jobs      Files
 * @v count     Number of files
 */
static void mirror_draw_bar(const struct mirror_job *jobs, size_t count)
{
	char bar[MIRROR_BAR_WIDTH + 1];
	curl_off_t bytes = 0;
	size_t i, done = 0, fill;

	for (i = 0; i < count; i++) {
		if (jobs[i].state == MIRROR_JOB_DONE ||
		    jobs[i].state == MIRROR_JOB_FAILED)
			done++;
		if (jobs[i].state == MIRROR_JOB_DONE)
			bytes += jobs[i].bytes;
		else if (jobs[i].state == MIRROR_JOB_RUNNING)
			bytes += jobs[i].offset + jobs[i].got;
	}
	fill = count ? done * MIRROR_BAR_WIDTH / count : MIRROR_BAR_WIDTH;
	memset(bar, '#', fill);
	memset(bar + fill, '-', MIRROR_BAR_WIDTH - fill);
	bar[MIRROR_BAR_WIDTH] = '\0';
	fprintf(stderr, "\r\033[K[%s] %zu/%zu files, %.1f MiB", bar, done,
		count, (double)bytes / (1024 * 1024));
}

/**
 * Start one attempt at a file.
 *
 * @v opts      Settings
 * @v multi     Multi handle
 * @v j         Job
 * @ret rc      0, or a negative errno (the job's error says why)
 */
static int mirror_start(const struct mirror_fetch_opts *opts, CURLM *multi,
			struct mirror_job *j)
{
	char partial[PATH_MAX], range[32];
	struct stat st;
	int rc;

	j->fd = -1;
	rc = mirror_make_parents(opts->dir, j->path);
	if (rc == 0)
		rc = mirror_file(partial, opts->dir, j->path, MIRROR_PARTIAL);
	if (rc != 0) {
		mirror_error(j, "%s: cannot make its directory: %s", j->path,
			     strerror(-rc));
		return rc;
	}
	j->fd = open(partial, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		     0644);
	if (j->fd < 0 || fstat(j->fd, &st) != 0) {
		rc = -errno;
		mirror_error(j, "%s: %s", partial, strerror(errno));
		goto fail;
	}
	j->offset = st.st_size;
	j->got = j->total = 0;
	j->first_write = 1;
	j->curl_error[0] = '\0';
	j->easy = curl_easy_init();
	if (!j->easy) {
		rc = -EIO;
		mirror_error(j, "%s: libcurl could not start a transfer",
			     j->path);
		goto fail;
	}
	curl_easy_setopt(j->easy, CURLOPT_URL, j->url);
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, mirror_write);
	curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_XFERINFOFUNCTION, mirror_progress);
	curl_easy_setopt(j->easy, CURLOPT_XFERINFODATA, j);
	curl_easy_setopt(j->easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(j->easy, CURLOPT_ERRORBUFFER, j->curl_error);
	curl_easy_setopt(j->easy, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(j->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(j->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(j->easy, CURLOPT_CONNECTTIMEOUT, MIRROR_CONNECT_TIMEOUT);
	curl_easy_setopt(j->easy, CURLOPT_LOW_SPEED_LIMIT, MIRROR_LOW_SPEED);
	curl_easy_setopt(j->easy, CURLOPT_LOW_SPEED_TIME, MIRROR_LOW_SPEED_TIME);
	curl_easy_setopt(j->easy, CURLOPT_USERAGENT, "pxeinv/" PXEINV_VERSION);
	if (opts->cacert)
		curl_easy_setopt(j->easy, CURLOPT_CAINFO, opts->cacert);
	/* a Range of our own: the write callback starts over on a 200 */
	if (j->offset > 0) {
		snprintf(range, sizeof(range), "%lld-", (long long)j->offset);
		curl_easy_setopt(j->easy, CURLOPT_RANGE, range);
	}
	if (curl_multi_add_handle(multi, j->easy) != CURLM_OK) {
		rc = -EIO;
		mirror_error(j, "%s: libcurl could not start a transfer",
			     j->path);
		curl_easy_cleanup(j->easy);
		j->easy = NULL;
		goto fail;
	}
	j->attempts++;
	j->state = MIRROR_JOB_RUNNING;
	return 0;
fail:
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	return rc;
}

/**
 * Put a downloaded file in place: check its digest against the
 * manifest's, then rename it.
 *
 * @v opts      Settings
 * @v j         Job, its .partial complete and closed
 * @ret rc      0, -EBADMSG on a digest mismatch (the .partial removed), or
 *              the errno of the call that failed
 */
static int mirror_install(const struct mirror_fetch_opts *opts,
			  struct mirror_job *j)
{
	char partial[PATH_MAX], final[PATH_MAX];
	struct stat st;
	int rc;

	rc = mirror_file(final, opts->dir, j->path, "");
	if (rc == 0)
		rc = mirror_file(partial, opts->dir, j->path, MIRROR_PARTIAL);
	if (rc == 0)
		rc = mirror_sha256_file(partial, j->hex);
	if (rc != 0) {
		mirror_error(j, "%s: %s", j->path, strerror(-rc));
		return rc;
	}
	if (j->expect && strcmp(j->expect, j->hex) != 0) {
		unlink(partial);
		j->mismatch = 1;
		mirror_error(j, "%s: checksum mismatch: the download's "
			     "SHA-256 is %s, the manifest's %s; the download "
			     "is discarded (remove its line from "
			     MIRROR_MANIFEST " to accept a new build)",
			     j->path, j->hex, j->expect);
		return -EBADMSG;
	}
	if (stat(partial, &st) != 0 || rename(partial, final) != 0) {
		rc = -errno;
		mirror_error(j, "%s: %s", final, strerror(errno));
		return rc;
	}
	j->bytes = st.st_size;
	return 0;
}

/**
 * End an attempt: put the file in place, or schedule a retry, or fail.
 *
 * @v opts      Settings
 * @v multi     Multi handle
 * @v j         Job
 * @v res       The transfer's result
 */
static void mirror_finish(const struct mirror_fetch_opts *opts, CURLM *multi,
			  struct mirror_job *j, CURLcode res)
{
	char partial[PATH_MAX], why[CURL_ERROR_SIZE + 64];
	int permanent = 0, synced;
	long code = 0;

	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(multi, j->easy);
	curl_easy_cleanup(j->easy);
	j->easy = NULL;
	synced = res == CURLE_OK && fdatasync(j->fd) == 0;
	if (close(j->fd) != 0)
		synced = 0;
	j->fd = -1;
	if (mirror_file(partial, opts->dir, j->path, MIRROR_PARTIAL) != 0)
		partial[0] = '\0';     /* mirror_start() named it before */
	if (res == CURLE_OK && synced) {
		if (mirror_install(opts, j) == 0) {
			j->state = MIRROR_JOB_DONE;
			if (!opts->bar)
				mirror_say(opts, "fetched %s (%lld bytes)",
					   j->path, (long long)j->bytes);
		} else {
			j->state = MIRROR_JOB_FAILED;
		}
		return;
	}
	if (res == CURLE_OK)
		snprintf(why, sizeof(why), "writing the .partial failed");
	else if (res == CURLE_HTTP_RETURNED_ERROR)
		snprintf(why, sizeof(why), "HTTP %ld", code);
	else
		snprintf(why, sizeof(why), "%s%s%s", curl_easy_strerror(res),
			 j->curl_error[0] ? ": " : "", j->curl_error);
	if (res == CURLE_HTTP_RETURNED_ERROR) {
		/* 416: the .partial is no prefix of the file; start over.
		 * Other 4xx but timeouts and rate limits will not change */
		permanent = code >= 400 && code < 500 && code != 408 &&
			    code != 416 && code != 429;
		if (code == 416 || permanent)
			unlink(partial);
	}
	if (permanent || j->attempts > opts->retries) {
		struct stat st;

		/* keep a .partial only when it has bytes to resume from */
		if (stat(partial, &st) == 0 && st.st_size == 0)
			unlink(partial);
		j->state = MIRROR_JOB_FAILED;
		mirror_error(j, "%s: %s: %s (%d attempt%s)%s", j->path,
			     j->url, why, j->attempts,
			     j->attempts == 1 ? "" : "s",
			     access(partial, F_OK) == 0 ? "; the next run "
			     "resumes its .partial" : "");
		return;
	}
	j->state = MIRROR_JOB_WAITING;
	j->next_try = mirror_now_ms() +
		      (opts->backoff_ms << (j->attempts - 1));
	mirror_say(opts, "%s: %s; retrying in %.1f s (attempt %d of %d)",
		   j->path, why, (double)(opts->backoff_ms <<
					  (j->attempts - 1)) / 1000,
		   j->attempts + 1, opts->retries + 1);
}

int mirror_fetch_all(const struct mirror_fetch_opts *opts,
		     struct mirror_job *jobs, size_t count)
{
	size_t i, remaining = count;
	int running = 0, still;
	long long now, wait;
	CURLMsg *msg;
	CURLM *multi;

	multi = curl_multi_init();
	if (!multi)
		return -EIO;
	for (i = 0; i < count; i++)
		jobs[i].fd = -1;
	while (remaining > 0) {
		now = mirror_now_ms();
		wait = 200;
		for (i = 0; i < count && running < opts->jobs; i++) {
			struct mirror_job *j = &jobs[i];

			if (j->state != MIRROR_JOB_WAITING)
				continue;
			if (j->next_try > now) {
				if (j->next_try - now < wait)
					wait = j->next_try - now;
				continue;
			}
			if (mirror_start(opts, multi, j) == 0) {
				running++;
			} else {
				j->state = MIRROR_JOB_FAILED;
				remaining--;
			}
		}
		curl_multi_perform(multi, &still);
		while ((msg = curl_multi_info_read(multi, &still)) != NULL) {
			struct mirror_job *j = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  (char **)&j);
			mirror_finish(opts, multi, j, msg->data.result);
			running--;
			if (j->state != MIRROR_JOB_WAITING)
				remaining--;
		}
		if (opts->bar)
			mirror_draw_bar(jobs, count);
		if (remaining > 0)
			curl_multi_poll(multi, NULL, 0, wait > 0 ? wait : 1,
					NULL);
	}
	if (opts->bar)
		fputc('\n', stderr);
	curl_multi_cleanup(multi);
	return 0;
}
