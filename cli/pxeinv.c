/*
 * pxeinv: the command line entry point.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"
#include "cli.h"

/** Most options one command has */
#define CLI_OPTS_MAX 16
/** getopt value of a command's first long option (past every letter) */
#define CLI_LONG_BASE 256

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

int cli_options(int argc, char **argv, const char *cmd, void (*help)(void),
		const struct cli_opt *opts)
{
	struct option lopts[CLI_OPTS_MAX + 3];
	char shortopts[2 * CLI_OPTS_MAX + 3];
	size_t n, s = 0;
	int c, code;

	for (n = 0; opts[n].name; n++) {
		if (n == CLI_OPTS_MAX)
			abort();        /* a command with too many options */
		lopts[n].name = opts[n].name;
		lopts[n].has_arg = opts[n].kind == CLI_OPT_FLAG ?
				   no_argument : required_argument;
		lopts[n].flag = NULL;
		lopts[n].val = CLI_LONG_BASE + (int)n;
		if (opts[n].letter) {
			shortopts[s++] = (char)opts[n].letter;
			if (opts[n].kind != CLI_OPT_FLAG)
				shortopts[s++] = ':';
		}
	}
	lopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n + 1] = (struct option){ "version", no_argument, NULL, 'V' };
	lopts[n + 2] = (struct option){ NULL, 0, NULL, 0 };
	memcpy(shortopts + s, "hV", 3);
	while ((c = getopt_long(argc, argv, shortopts, lopts, NULL)) != -1) {
		const struct cli_opt *o = NULL;
		size_t k;

		if (c == 'h') {
			help();
			return EXIT_OK;
		}
		if (c == 'V') {
			printf("pxeinv %s\n", PXEINV_VERSION);
			return EXIT_OK;
		}
		if (c >= CLI_LONG_BASE && c < CLI_LONG_BASE + (int)n)
			o = &opts[c - CLI_LONG_BASE];
		for (k = 0; !o && k < n; k++)
			if (opts[k].letter && opts[k].letter == c)
				o = &opts[k];
		if (!o)
			return cli_usage_error(cmd, "bad option '%s'",
					       argv[optind - 1]);
		switch (o->kind) {
		case CLI_OPT_FLAG:
			*(int *)o->target = 1;
			break;
		case CLI_OPT_TEXT:
			*(const char **)o->target = optarg;
			break;
		case CLI_OPT_CALL:
			if ((code = o->call(optarg, o->target)) != CLI_CONTINUE)
				return code;
			break;
		}
	}
	return CLI_CONTINUE;
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
			/* each command reads its options with
			 * cli_options(), which reports bad ones itself */
			optind = 1;
			opterr = 0;
			return cli_commands[i].run(argc - 1, argv + 1);
		}
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
