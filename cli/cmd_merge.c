/*
 * `pxeinv merge [--filter PREFIX] NODES_DIR`: merge.py's output.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../inventory/merge_json.h"
#include "cli.h"

/**
 * Print this command's help.
 */
static void merge_help(void)
{
	printf("Usage: pxeinv merge [--filter PREFIX] NODES_DIR\n\n"
	       "Print every node of NODES_DIR with its defaults merged, as "
	       "one JSON array,\nexactly as the seed's merge.py prints it "
	       "(hostname and filename included).\n\n"
	       "Options:\n"
	       "  -f, --filter PREFIX  only nodes whose filename (DIR/STEM) "
	       "starts with PREFIX\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n\n"
	       "Only load errors stop it (exit 1); run 'pxeinv check' for "
	       "the full validation.\n");
}

int cmd_merge(int argc, char **argv)
{
	struct inventory inv = { 0 };
	const char *filter = NULL;
	size_t i;
	int code, rc = EXIT_OK;
	const struct cli_opt opts[] = {
		{ "filter", 'f', CLI_OPT_TEXT, &filter, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "merge", merge_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind != 1)
		return cli_usage_error("merge", "expected one NODES_DIR");
	if (inventory_load(&inv, argv[optind], filter) != 0) {
		rc = EXIT_IO;
	} else {
		for (i = 0; i < inv.n; i++)
			if (inv.nodes[i].file->broken)
				rc = EXIT_INVALID;
		for (i = 0; i < inv.ndefaults; i++)
			if (inv.defaults[i]->broken)
				rc = EXIT_INVALID;
	}
	diag_unique(&inv.diags);
	diag_print(&inv.diags, stderr);
	if (rc == EXIT_OK)
		merge_write_json(stdout, &inv);
	inventory_free(&inv);
	if (rc == EXIT_OK && (fflush(stdout) != 0 || ferror(stdout)))
		rc = EXIT_IO;
	return rc;
}
