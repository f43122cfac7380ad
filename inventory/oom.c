/*
 * Out of memory: the message, then abort().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "oom.h"

void abort_out_of_memory(const char *what)
{
	/* stderr is unbuffered: nothing more is allocated here */
	fprintf(stderr, "%s: out of memory (%s)\n",
		program_invocation_short_name, what);
	abort();
}
