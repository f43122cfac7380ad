/*
 * `pxeinv assets NODES_DIR`: the files the inventory boots.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../inventory/assets.h"
#include "../inventory/json_out.h"
#include "cli.h"

/**
 * Print this command's help.
 */
static void assets_help(void)
{
	printf("Usage: pxeinv assets [OPTIONS] NODES_DIR\n\n"
	       "Check NODES_DIR (any error stops here, exit 1), then list "
	       "every file its\nnode scripts fetch (kernel and initramfs, "
	       "or UKI, per schematic, version\nand arch), once each, one "
	       "line per file:\n\n"
	       "  PATH URL NODE[,NODE...]\n\n"
	       "PATH is the file's place in a mirror "
	       "(SCHEMATIC/VERSION/FILE, the image\nfactory's layout); "
	       "nodes with install: false fetch nothing.\n\n"
	       "Options:\n"
	       "  -f, --filter PREFIX  only nodes whose filename (DIR/STEM) "
	       "starts with PREFIX\n"
	       "      --json           print a JSON array of {\"path\", "
	       "\"url\", \"nodes\"}\n"
	       "  -h, --help           show this help\n"
	       "  -V, --version        show the version\n");
}

/**
 * Print the list as text.
 *
 * @v out       Stream
 * @v list      Files
 */
static void assets_print_text(FILE *out, const struct asset_list *list)
{
	size_t i, j;

	for (i = 0; i < list->n; i++) {
		const struct asset *a = &list->v[i];

		fprintf(out, "%s %s ", a->path, a->url);
		for (j = 0; j < a->nnodes; j++)
			fprintf(out, "%s%s", j ? "," : "",
				a->nodes[j]->hostname);
		fputc('\n', out);
	}
}

/**
 * Print the list as JSON.
 *
 * @v out       Stream
 * @v list      Files
 */
static void assets_print_json(FILE *out, const struct asset_list *list)
{
	size_t i, j;

	fputc('[', out);
	for (i = 0; i < list->n; i++) {
		const struct asset *a = &list->v[i];

		fputs(i ? ",\n {\"path\": " : "\n {\"path\": ", out);
		json_write_string(out, a->path, strlen(a->path));
		fputs(", \"url\": ", out);
		json_write_string(out, a->url, strlen(a->url));
		fputs(", \"nodes\": [", out);
		for (j = 0; j < a->nnodes; j++) {
			if (j)
				fputs(", ", out);
			json_write_string(out, a->nodes[j]->hostname,
					  strlen(a->nodes[j]->hostname));
		}
		fputs("]}", out);
	}
	fputs(list->n ? "\n]\n" : "]\n", out);
}

int cmd_assets(int argc, char **argv)
{
	struct asset_list list = { 0 };
	struct inventory inv = { 0 };
	struct node *nodes = NULL;
	const char *filter = NULL;
	int code, json = 0, rc;
	const struct cli_opt opts[] = {
		{ "filter", 'f', CLI_OPT_TEXT, &filter, NULL },
		{ "json", 0, CLI_OPT_FLAG, &json, NULL },
		{ NULL },
	};

	if ((code = cli_options(argc, argv, "assets", assets_help, opts)) !=
	    CLI_CONTINUE)
		return code;
	if (argc - optind != 1)
		return cli_usage_error("assets", "expected one NODES_DIR");
	rc = cli_load_checked(&inv, argv[optind], filter, &nodes);
	if (rc == EXIT_OK) {
		assets_collect(&list, nodes, inv.n);
		if (json)
			assets_print_json(stdout, &list);
		else
			assets_print_text(stdout, &list);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = EXIT_IO;
	}
	assets_free(&list);
	inventory_free(&inv);
	return rc;
}
