/*
 * `pxeinv rearm NODE...`: let boot-once nodes be installed again.
 *
 * A node with `install: once` gets its installer script until the script
 * has been fetched; the hook then creates STATE_DIR/once/NODE and dnsmasq
 * hands the node the exit script.  Removing the marker re-arms the node.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../state/event.h"
#include "../state/journal.h"
#include "../state/state.h"
#include "cli.h"

/**
 * Print this command's help.
 */
static void rearm_help(void)
{
	printf("Usage: pxeinv rearm [--state-dir DIR] [OUT_DIR] NODE...\n\n"
	       "Re-arm boot-once nodes (install: once): remove the marker "
	       "the hook set when\nthe node fetched its installer script, "
	       "so that its next network boot gets\nthe installer again. "
	       "No dnsmasq reload is needed.\n\n"
	       "The state directory is --state-dir DIR, else the state:DIR "
	       "that compile\n--hook/--state-dir wrote into "
	       "OUT_DIR/pxe-inventory.conf (the directory\ndnsmasq hands "
	       "the hook), else $%s, else %s.\nOUT_DIR is the "
	       "first of two or more arguments when it has a '/' or is a\n"
	       "directory.\n\n"
	       "Options:\n"
	       "      --state-dir DIR  state directory\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Exit status: 0 re-armed (or was not marked), 1 invalid node "
	       "name, 2 usage,\n3 the state directory or OUT_DIR's fragment "
	       "cannot be read, or the marker\ncould not be removed.\n",
	       PXEINV_STATE_DIR_ENV, PXEINV_STATE_DIR_DEFAULT);
}

/**
 * Re-arm one node.
 *
 * @v dirfd     State directory
 * @v dir       Its path, for messages
 * @v node      Node
 * @ret code    Exit code
 */
static int rearm_one(int dirfd, const char *dir, const char *node)
{
	char line[JOURNAL_LINE_MAX];
	size_t len;
	int rc;

	rc = state_once_clear(dirfd, node);
	if (rc == -ENOENT) {
		printf("%s: not marked as installed; nothing to do\n", node);
		return EXIT_OK;
	}
	if (rc != 0) {
		fprintf(stderr, "pxeinv rearm: %s/%s/%s: %s\n", dir,
			PXEINV_STATE_ONCE, node, strerror(-rc));
		return EXIT_IO;
	}
	/* one O_APPEND write: no lock, the hook may be writing too */
	len = journal_format_note("rearm", node, time(NULL), line);
	journal_append(dirfd, line, len, JOURNAL_MAX_DEFAULT);
	printf("%s: re-armed; its next network boot gets the installer\n",
	       node);
	return EXIT_OK;
}

int cmd_rearm(int argc, char **argv)
{
	struct cli_state_dir sd;
	const char *dir = NULL, *out_dir = NULL;
	int code, i, dirfd, rc = EXIT_OK, one;
	const struct cli_opt opts[] = {
		{ "state-dir", 0, CLI_OPT_TEXT, &dir, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "rearm", rearm_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind >= 2 && cli_is_out_dir(argv[optind]))
		out_dir = argv[optind++];
	if (optind >= argc)
		return cli_usage_error("rearm", "expected NODE");
	for (i = optind; i < argc; i++)
		if (!pxeinv_node_name_is_valid(argv[i])) {
			fprintf(stderr, "pxeinv rearm: '%s' is not a node "
				"name: node names are " PXEINV_NODE_NAME_RULE
				"\n", argv[i]);
			return EXIT_INVALID;
		}
	if ((rc = cli_state_dir_find(&sd, "rearm", dir, out_dir)) != EXIT_OK ||
	    (rc = cli_state_dir_open(&sd, "rearm", &dirfd)) != EXIT_OK)
		return rc;
	dir = sd.path;
	for (i = optind; i < argc; i++) {
		one = rearm_one(dirfd, dir, argv[i]);
		if (one != EXIT_OK)
			rc = one;
	}
	close(dirfd);
	return rc;
}
