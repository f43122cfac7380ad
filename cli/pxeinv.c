/*
 * pxeinv: the command line entry point.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "version.h"
#include "cli.h"

/** One command */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct cli_command cli_commands[] = {
	{ "check", cmd_check, "validate a nodes/ tree and report every problem" },
	{ "merge", cmd_merge, "print the merged nodes as JSON (like merge.py)" },
	{ "compile", cmd_compile, "check, then write iPXE scripts, the dnsmasq "
	  "fragment and the lookup cache" },
	{ "lookup", cmd_lookup, "show what a client with an identity is "
	  "handed" },
	{ "status", cmd_status, "show what the hook saw: nodes, unknown "
	  "machines, history" },
	{ "rearm", cmd_rearm, "let a boot-once node be installed again" },
	{ "assets", cmd_assets, "list the kernels, initramfs and UKIs the "
	  "inventory boots" },
	{ "mirror", cmd_mirror, "download them into a directory to serve "
	  "(an air-gapped mirror)" },
};

/**
 * Print the top-level help.
 *
 * @v out       Stream
 */
static void cli_help(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: pxeinv COMMAND [OPTIONS] ...\n\n"
		"Turn a nodes/ tree of YAML files into network-boot "
		"configuration for\nTalos Linux: per-node iPXE scripts, a "
		"dnsmasq fragment and a lookup cache.\n\nCommands:\n");
	for (i = 0; i < sizeof(cli_commands) / sizeof(*cli_commands); i++)
		fprintf(out, "  %-9s %s\n", cli_commands[i].name,
			cli_commands[i].summary);
	fprintf(out, "\nRun 'pxeinv COMMAND --help' for a command's options.\n"
		"\nOptions:\n  -h, --help     show this help\n"
		"  -V, --version  show the version\n"
		"\nExit status:\n  0  success\n  1  invalid input (the "
		"inventory has errors, or a value given is invalid)\n"
		"  2  usage error\n  3  I/O error (a file could not be read "
		"or written)\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pxeinv%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pxeinv%s%s --help'.\n", cmd ? " " : "",
		cmd ? cmd : "");
	return EXIT_USAGE;
}

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *opts, const char *cmd,
	       void (*help)(void), int *code)
{
	int c;

	c = getopt_long(argc, argv, shortopts, opts, NULL);
	switch (c) {
	case 'h':
		help();
		*code = EXIT_OK;
		return CLI_OPT_EXIT;
	case 'V':
		printf("pxeinv %s\n", PXEINV_VERSION);
		*code = EXIT_OK;
		return CLI_OPT_EXIT;
	case '?':
	case ':':
		*code = cli_usage_error(cmd, "bad option '%s'",
					argv[optind - 1]);
		return CLI_OPT_EXIT;
	default:
		return c;
	}
}

/**
 * Main entry point.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cli_usage_error(NULL, "missing command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		cli_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version") ||
	    !strcmp(argv[1], "version")) {
		printf("pxeinv %s\n", PXEINV_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cli_commands) / sizeof(*cli_commands); i++)
		if (!strcmp(argv[1], cli_commands[i].name)) {
			/* each command reads its options with cli_getopt(),
			 * which reports bad ones itself */
			optind = 1;
			opterr = 0;
			return cli_commands[i].run(argc - 1, argv + 1);
		}
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
