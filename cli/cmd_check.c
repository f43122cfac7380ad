/*
 * `pxeinv check NODES_DIR`: validate the whole tree.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

/**
 * Print this command's help.
 */
static void check_help(void)
{
	printf("Usage: pxeinv check [OPTIONS] NODES_DIR\n\n"
	       "Validate every file of NODES_DIR and report every problem "
	       "as\nFILE:LINE:COL: error: MESSAGE (on stderr). Exit 1 when "
	       "there is any error.\n\n"
	       "Options:\n"
	       "  -f, --filter PREFIX  only nodes whose filename (DIR/STEM) "
	       "starts with PREFIX\n"
	       "      --json           print the diagnostics as JSON on "
	       "stdout\n"
	       "  -W, --warnings-as-errors  exit 1 on warnings too\n"
	       "  -q, --quiet          no summary line\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n");
}

int cmd_check(int argc, char **argv)
{
	struct inventory inv = { 0 };
	const char *filter = NULL;
	struct node *nodes = NULL;
	int code, json = 0, werror = 0, quiet = 0, rc;
	size_t i, installed = 0;
	const struct cli_opt opts[] = {
		{ "filter", 'f', CLI_OPT_TEXT, &filter, NULL },
		{ "json", 0, CLI_OPT_FLAG, &json, NULL },
		{ "warnings-as-errors", 'W', CLI_OPT_FLAG, &werror, NULL },
		{ "quiet", 'q', CLI_OPT_FLAG, &quiet, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "check", check_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind != 1)
		return cli_usage_error("check", "expected one NODES_DIR");
	if (inventory_load(&inv, argv[optind], filter) != 0) {
		rc = EXIT_IO;
		diag_unique(&inv.diags);
	} else {
		rc = node_check_all(&inv, &nodes) ? EXIT_INVALID : EXIT_OK;
		if (rc == EXIT_OK && werror && inv.diags.warnings)
			rc = EXIT_INVALID;
	}
	if (json)
		diag_print_json(&inv.diags, stdout);
	else
		diag_print(&inv.diags, stderr);
	for (i = 0; nodes && i < inv.n; i++)
		installed += nodes[i].install != PXEINV_INSTALL_NO;
	if (!quiet)
		fprintf(stderr, "%s: %zu nodes (%zu to install), %zu errors, "
			"%zu warnings\n", argv[optind], inv.n, installed,
			inv.diags.errors, inv.diags.warnings);
	inventory_free(&inv);
	return rc;
}
