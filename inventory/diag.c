/*
 * Diagnostics.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "json_out.h"
#include "oom.h"

/**
 * Make a message one line of text: a control character that a quoted
 * value brought in (a line break, a terminal escape) becomes '?'.
 *
 * @v msg       Message, changed in place
 */
static void diag_make_one_line(char *msg)
{
	for (; *msg; msg++)
		if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
			*msg = '?';
}

void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned int line, unsigned int col, const char *fmt, ...)
{
	struct diag *g;
	va_list ap;
	int len;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			abort_out_of_memory("the diagnostics");
		d->v = v;
		d->cap = cap;
	}
	g = &d->v[d->n];
	g->file = strdup(file);
	g->line = line;
	g->col = col;
	g->level = level;
	g->seq = d->n;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	g->msg = malloc(len + 1);
	if (!g->file || !g->msg)
		abort_out_of_memory("a diagnostic");
	va_start(ap, fmt);
	vsnprintf(g->msg, len + 1, fmt, ap);
	va_end(ap);
	diag_make_one_line(g->msg);
	d->n++;
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

/**
 * Order diagnostics by file, line, column, then insertion.
 *
 * @v a         First
 * @v b         Second
 * @ret order   qsort order
 */
static int diag_compare(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/**
 * Sort a list in place, stably.
 *
 * @v d         List
 */
static void diag_sort(struct diags *d)
{
	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), diag_compare);
}

/**
 * Tell whether a diagnostic repeats one already kept at its position.
 *
 * Several messages can share a position (a value in a _defaults.yaml can
 * have a warning and an error, once per node below it), so every kept
 * diagnostic at the same position is compared, not only the last one.
 *
 * @v d         List, sorted, with k kept
 * @v k         Number kept
 * @v g         Candidate
 * @ret repeat  1 when it repeats one
 */
static int diag_repeats(const struct diags *d, size_t k, const struct diag *g)
{
	while (k-- > 0) {
		const struct diag *o = &d->v[k];

		if (strcmp(o->file, g->file) != 0 || o->line != g->line ||
		    o->col != g->col)
			return 0;
		if (o->level == g->level && strcmp(o->msg, g->msg) == 0)
			return 1;
	}
	return 0;
}

void diag_unique(struct diags *d)
{
	size_t i, k = 0;

	diag_sort(d);
	d->errors = d->warnings = 0;
	for (i = 0; i < d->n; i++) {
		struct diag *g = &d->v[i];

		if (diag_repeats(d, k, g)) {
			free(g->file);
			free(g->msg);
			continue;
		}
		d->v[k++] = *g;
		if (g->level == DIAG_ERROR)
			d->errors++;
		else
			d->warnings++;
	}
	d->n = k;
}

void diag_print(struct diags *d, FILE *out)
{
	size_t i;

	diag_sort(d);
	for (i = 0; i < d->n; i++) {
		struct diag *g = &d->v[i];
		const char *level = g->level == DIAG_ERROR ? "error" :
				    "warning";

		if (g->line)
			fprintf(out, "%s:%u:%u: %s: %s\n", g->file, g->line,
				g->col, level, g->msg);
		else
			fprintf(out, "%s: %s: %s\n", g->file, level, g->msg);
	}
}

void diag_print_json(struct diags *d, FILE *out)
{
	size_t i;

	diag_sort(d);
	fputc('[', out);
	for (i = 0; i < d->n; i++) {
		struct diag *g = &d->v[i];

		fputs(i ? ", {\"file\": " : "{\"file\": ", out);
		json_write_string(out, g->file, strlen(g->file));
		fprintf(out, ", \"line\": %u, \"column\": %u, \"level\": "
			"\"%s\", \"message\": ", g->line, g->col,
			g->level == DIAG_ERROR ? "error" : "warning");
		json_write_string(out, g->msg, strlen(g->msg));
		fputc('}', out);
	}
	fputs("]\n", out);
}

void diag_append(struct diags *d, struct diags *from)
{
	size_t i;

	for (i = 0; i < from->n; i++) {
		struct diag *g = &from->v[i];

		if (d->n == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 16;
			d->v = realloc(d->v, d->cap * sizeof(*d->v));
			if (!d->v)
				abort_out_of_memory("the diagnostics");
		}
		d->v[d->n] = *g;
		d->v[d->n].seq = d->n;
		d->n++;
		if (g->level == DIAG_ERROR)
			d->errors++;
		else
			d->warnings++;
	}
	free(from->v);
	memset(from, 0, sizeof(*from));
}

void diag_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
