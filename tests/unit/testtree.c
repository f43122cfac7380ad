/*
 * Unit test helpers: throwaway trees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testtree.h"
#include "../../inventory/compile_swap.h"

void testtree_init(struct testtree *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "/tmp/pxeinv-unit.XXXXXX");
	assert_non_null(mkdtemp(t->root));
	/* Diagnostics show "nodes/..." whatever the temporary name */
	strcat(t->root, "/nodes");
	assert_int_equal(mkdir(t->root, 0755), 0);
}

void testtree_write(struct testtree *t, const char *rel, const char *content)
{
	char path[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	for (p = path + strlen(t->root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

size_t testtree_check(struct testtree *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	char cwd[512];

	/* Load as "nodes" from the parent, so messages are stable */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	*strrchr(t->root, '/') = '\0';
	assert_int_equal(chdir(t->root), 0);
	strcat(t->root, "/nodes");
	if (inventory_load(&t->inv, "nodes", NULL) == 0)
		t->errors = node_check_all(&t->inv, &t->nodes);
	else
		t->errors = t->inv.diags.errors;
	assert_int_equal(chdir(cwd), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	diag_print(&t->inv.diags, f);
	fclose(f);
	free(t->text);
	t->text = buf;
	return t->errors;
}

void testtree_expect(const struct testtree *t, const char *line)
{
	const char *p = t->text;
	size_t n = strlen(line);

	while (p && (p = strstr(p, line))) {
		if ((p == t->text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return;
		p += n;
	}
	print_error("expected diagnostic:\n  %s\ngot:\n%s", line,
		    t->text ? t->text : "(none)");
	fail();
}

void testtree_free(struct testtree *t)
{
	*strrchr(t->root, '/') = '\0';
	compile_rm_tree(t->root);
	inventory_free(&t->inv);
	free(t->text);
	t->text = NULL;
}

void testtree_scratch(char *dir, const char *name)
{
	snprintf(dir, 64, "/tmp/pxeinv-%s.XXXXXX", name);
	assert_non_null(mkdtemp(dir));
}

void testtree_scratch_remove(const char *dir)
{
	struct stat st;

	compile_rm_tree(dir);
	assert_int_not_equal(stat(dir, &st), 0);
}
