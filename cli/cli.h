/*
 * The pxeinv command line: shared definitions.
 */
#ifndef PXEINV_CLI_H
#define PXEINV_CLI_H

#include <getopt.h>
#include <limits.h>

#include "../inventory/inventory.h"
#include "../inventory/check.h"

/** Exit codes, documented in `pxeinv --help` and README.md */
enum cli_exit {
	EXIT_OK = 0,            /**< success */
	EXIT_INVALID = 1,       /**< the inventory (or an input) is invalid */
	EXIT_USAGE = 2,         /**< bad command line */
	EXIT_IO = 3,            /**< a file could not be read or written */
};

/**
 * Print a usage error and a pointer to --help.
 *
 * @v cmd       Command name
 * @v fmt       Message
 * @ret code    EXIT_USAGE
 */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** cli_options(): the options are read, the command goes on */
#define CLI_CONTINUE -1

/** What an option does */
enum cli_opt_kind {
	CLI_OPT_FLAG,           /**< sets *(int *)target to 1 */
	CLI_OPT_TEXT,           /**< sets *(const char **)target to its value */
	CLI_OPT_CALL,           /**< calls call(value, target) */
};

/** One option of a command (--help and --version are every command's) */
struct cli_opt {
	const char *name;       /**< long name, without "--"; NULL ends a list */
	int letter;             /**< short option, or 0 */
	enum cli_opt_kind kind;
	void *target;           /**< what it sets, or call()'s context */
	int (*call)(const char *value, void *target); /**< CLI_OPT_CALL: reads
				     the value, says what is wrong with it
				     on stderr, and returns CLI_CONTINUE or
				     the exit code */
};

/**
 * Read a command's options, answering --help, --version and a bad option
 * the same way for every command.  main() resets getopt (optind, opterr)
 * before it runs the command; optind is at the first operand afterwards.
 *
 * @v argc      Argument count
 * @v argv      Arguments (argv[0] is the command)
 * @v cmd       Command name, for messages
 * @v help      Prints the command's help on stdout
 * @v opts      The command's options, ending with a NULL name
 * @ret code    CLI_CONTINUE, or the exit code the command ends with
 */
int cli_options(int argc, char **argv, const char *cmd, void (*help)(void),
		const struct cli_opt *opts);

/**
 * Load and check an inventory, printing diagnostics to stderr.
 *
 * @v inv       Inventory (zero-initialised)
 * @v dir       NODES_DIR
 * @v filter    Prefix filter, or NULL
 * @v nodes     Checked nodes
 * @ret code    EXIT_OK, EXIT_INVALID or EXIT_IO
 */
int cli_load_checked(struct inventory *inv, const char *dir,
		     const char *filter, struct node **nodes);

/** Where a state directory came from (cli_state_dir_find()) */
enum cli_state_source {
	CLI_STATE_OPTION,       /**< --state-dir */
	CLI_STATE_FRAGMENT,     /**< `state:` in OUT_DIR's fragment */
	CLI_STATE_ENV,          /**< $PXEINV_STATE_DIR */
	CLI_STATE_DEFAULT,      /**< /var/lib/pxeinv */
};

/** The state directory a command reads, and where it came from */
struct cli_state_dir {
	const char *path;               /**< the directory */
	enum cli_state_source source;   /**< where it came from */
	char from[PATH_MAX];            /**< the fragment, for messages */
	char buf[PATH_MAX];             /**< the directory, when read there */
};

/**
 * Find the state directory: --state-dir, else the `state:` of OUT_DIR's
 * fragment (when OUT_DIR is given and the fragment names one), else
 * $PXEINV_STATE_DIR, else the default; status and rearm use this alone.
 *
 * @v sd        State directory, filled in
 * @v cmd       Command name, for messages
 * @v option    --state-dir, or NULL
 * @v out_dir   OUT_DIR, or NULL
 * @ret code    EXIT_OK, or EXIT_IO (the fragment cannot be read, or its
 *              directory is not absolute) after saying why
 */
int cli_state_dir_find(struct cli_state_dir *sd, const char *cmd,
		       const char *option, const char *out_dir);

/**
 * Open the state directory, saying on failure which path failed, why,
 * and where the path came from.
 *
 * @v sd        State directory (cli_state_dir_find())
 * @v cmd       Command name, for messages
 * @v dirfd     Directory descriptor, on success
 * @ret code    EXIT_OK or EXIT_IO
 */
int cli_state_dir_open(const struct cli_state_dir *sd, const char *cmd,
		       int *dirfd);

/**
 * Tell an OUT_DIR argument from a node name: a path with a '/', or an
 * existing directory.
 *
 * @v arg       Argument
 * @ret is_dir  Non-zero for an OUT_DIR
 */
int cli_is_out_dir(const char *arg);

/**
 * `pxeinv merge`.
 *
 * @v argc      Arguments after the command name, with argv[0] the command
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_merge(int argc, char **argv);

/**
 * `pxeinv check`.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_check(int argc, char **argv);

/**
 * `pxeinv compile`.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_compile(int argc, char **argv);

/**
 * `pxeinv lookup`.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_lookup(int argc, char **argv);

/**
 * `pxeinv status`.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_status(int argc, char **argv);

/**
 * `pxeinv rearm`.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_rearm(int argc, char **argv);

/**
 * `pxeinv assets`.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_assets(int argc, char **argv);

/**
 * `pxeinv mirror`.
 *
 * @v argc      Argument count
 * @v argv      Arguments
 * @ret code    Exit code
 */
int cmd_mirror(int argc, char **argv);

#endif /* PXEINV_CLI_H */
