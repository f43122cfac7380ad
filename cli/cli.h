/*
 * The pxeinv command line: shared definitions.
 */
#ifndef PXEINV_CLI_H
#define PXEINV_CLI_H

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

#endif /* PXEINV_CLI_H */
