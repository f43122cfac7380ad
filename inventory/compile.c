/*
 * `pxeinv compile`: writing OUT_DIR atomically.
 *
 * compile_write() plans the compile (compile_plan.c: paths, binaries),
 * makes the new tree beside OUT_DIR (compile_swap.c), writes it
 * (compile_tree.c), and swaps it into place (compile_swap.c).
 */
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "compile_plan.h"
#include "compile_swap.h"
#include "compile_index.h"
#include "compile_tree.h"

void compile_stats_free(struct compile_stats *stats)
{
	size_t i;

	for (i = 0; i < stats->nremoved; i++)
		free(stats->removed[i]);
	free(stats->removed);
	free(stats->changes);
	memset(stats, 0, sizeof(*stats));
}

int compile_write(const struct compile_opts *opts, struct inventory *inv,
		  const struct node *nodes, struct compile_stats *stats,
		  char *err, size_t errlen)
{
	struct compile c = { .opts = opts, .dirfd = -1, .err = err,
			     .errlen = errlen, .kill_after = -1,
			     .lock = PTHREAD_MUTEX_INITIALIZER,
			     .old = { .dirfd = -1 },
			     .index = { .olddirfd = -1, .newdirfd = -1,
					.kindfd = { -1, -1, -1 },
					.oldkindfd = { -1, -1, -1 } } };
	struct compile_swap swap = { .lockfd = -1 };
	const char *env = getenv("PXEINV_TEST_KILL_AFTER_FILES");
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (env)
		c.kill_after = atol(env);

	if (compile_plan_paths(&c))
		return -1;
	compile_plan_binaries(&c);
	rc = compile_swap_begin(&c, &swap);
	if (rc == 0)
		rc = compile_tree(&c, inv, nodes, stats);
	if (rc == 0)
		rc = compile_swap_finish(&c, &swap);
	compile_swap_end(&c, &swap);
	compile_index_free(&c);
	return rc;
}
