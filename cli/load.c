/*
 * Loading and checking an inventory for the commands that need it.
 */
#include <stdio.h>

#include "cli.h"

int cli_load_checked(struct inventory *inv, const char *dir,
		     const char *filter, struct node **nodes)
{
	int rc = inventory_load(inv, dir, filter);
	size_t errors;

	if (rc != 0) {
		diag_print(&inv->diags, stderr);
		return EXIT_IO;
	}
	errors = node_check_all(inv, nodes);
	diag_print(&inv->diags, stderr);
	return errors ? EXIT_INVALID : EXIT_OK;
}
