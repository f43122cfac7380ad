/*
 * Where `pxeinv status` and `pxeinv rearm` find the state directory.
 *
 * The hook writes where dnsmasq tells it: the patched dnsmasq hands the
 * `state:DIR` of the fragment's `pxe-inventory=` line to its dhcp-script
 * as $PXEINV_STATE_DIR.  The commands that read the directory follow the
 * same chain, first match wins:
 *
 *   1. --state-dir DIR
 *   2. OUT_DIR/pxe-inventory.conf, its `pxe-inventory=…,state:DIR`, when
 *      an OUT_DIR is given and the line has one
 *   3. $PXEINV_STATE_DIR (an absolute path)
 *   4. /var/lib/pxeinv
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../state/state.h"
#include "cli.h"

/** OUT_DIR's dnsmasq fragment, as compile.c names it */
#define FRAGMENT_FILE "pxe-inventory.conf"

/** The fragment's option line, as render.c writes it */
#define FRAGMENT_OPTION "pxe-inventory="

/** The item of that line that names the state directory */
#define FRAGMENT_STATE "state:"

/**
 * Find the `state:` item of a `pxe-inventory=` line.
 *
 * @v line      Line, without its newline (modified: items are cut)
 * @ret dir     The directory, or NULL when the line has none
 */
static char *state_dir_of_option(char *line)
{
	char *item, *next;

	/* the first item is the cache file */
	for (item = strchr(line, ','); item; item = next) {
		*item++ = '\0';
		next = strchr(item, ',');
		if (next)
			*next = '\0';
		if (strncmp(item, FRAGMENT_STATE,
			    strlen(FRAGMENT_STATE)) == 0)
			return item + strlen(FRAGMENT_STATE);
	}
	return NULL;
}

/**
 * Read the state directory from OUT_DIR's dnsmasq fragment.
 *
 * @v sd        State directory: buf and from are filled in
 * @v cmd       Command name, for messages
 * @v out_dir   OUT_DIR
 * @ret code    EXIT_OK (sd->buf empty when the fragment names none), or
 *              EXIT_IO after printing why
 */
static int state_dir_from_fragment(struct cli_state_dir *sd, const char *cmd,
				   const char *out_dir)
{
	char *line = NULL, *dir = NULL;
	size_t cap = 0, nl;
	int rc = EXIT_OK;
	FILE *f;

	snprintf(sd->from, sizeof(sd->from), "%s/%s", out_dir,
		 FRAGMENT_FILE);
	f = fopen(sd->from, "re");
	if (!f) {
		fprintf(stderr, "pxeinv %s: %s: %s (it names the state "
			"directory; or give --state-dir DIR)\n", cmd,
			sd->from, strerror(errno));
		return EXIT_IO;
	}
	while (getline(&line, &cap, f) != -1) {
		nl = strcspn(line, "\n");
		line[nl] = '\0';
		if (strncmp(line, FRAGMENT_OPTION,
			    strlen(FRAGMENT_OPTION)) == 0) {
			dir = state_dir_of_option(line);
			break;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "pxeinv %s: %s: %s\n", cmd, sd->from,
			strerror(errno));
		rc = EXIT_IO;
	} else if (dir && (dir[0] != '/' || strlen(dir) >= sizeof(sd->buf))) {
		fprintf(stderr, "pxeinv %s: %s: the state directory of "
			"%s is not an absolute path, or is too long\n", cmd,
			sd->from, FRAGMENT_OPTION);
		rc = EXIT_IO;
	} else if (dir) {
		strcpy(sd->buf, dir);
	}
	free(line);
	fclose(f);
	return rc;
}

int cli_state_dir_find(struct cli_state_dir *sd, const char *cmd,
		       const char *option, const char *out_dir)
{
	const char *env = getenv(PXEINV_STATE_DIR_ENV);
	int rc;

	sd->buf[0] = '\0';
	sd->from[0] = '\0';
	if (option) {
		sd->path = option;
		sd->source = CLI_STATE_OPTION;
		return EXIT_OK;
	}
	if (out_dir) {
		rc = state_dir_from_fragment(sd, cmd, out_dir);
		if (rc != EXIT_OK)
			return rc;
		if (sd->buf[0]) {
			sd->path = sd->buf;
			sd->source = CLI_STATE_FRAGMENT;
			return EXIT_OK;
		}
	}
	/* the hook's own rule: $PXEINV_STATE_DIR when absolute */
	sd->path = state_dir_default();
	sd->source = (sd->path == env) ? CLI_STATE_ENV : CLI_STATE_DEFAULT;
	return EXIT_OK;
}

int cli_state_dir_open(const struct cli_state_dir *sd, const char *cmd,
		       int *dirfd)
{
	static const char *const hints[] = {
		[CLI_STATE_OPTION] = "the state directory given by "
				     "--state-dir",
		[CLI_STATE_FRAGMENT] = "the state directory of ",
		[CLI_STATE_ENV] = "the state directory in $" PXEINV_STATE_DIR_ENV,
		[CLI_STATE_DEFAULT] = "the default state directory",
	};
	int err;

	*dirfd = open(sd->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd >= 0)
		return EXIT_OK;
	err = errno;
	fprintf(stderr, "pxeinv %s: %s: %s (%s%s)\n", cmd, sd->path,
		strerror(err), hints[sd->source],
		sd->source == CLI_STATE_FRAGMENT ? sd->from : "");
	if (err == ENOENT)
		fprintf(stderr, "  the hook makes it at its first event "
			"(pxeinv compile --hook); elsewhere, give OUT_DIR "
			"or --state-dir DIR, or set $%s\n", PXEINV_STATE_DIR_ENV);
	return EXIT_IO;
}

int cli_is_out_dir(const char *arg)
{
	struct stat st;

	return strchr(arg, '/') ||
	       (stat(arg, &st) == 0 && S_ISDIR(st.st_mode));
}
