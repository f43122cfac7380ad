/*
 * Diagnostics: every problem found in an inventory, with its position.
 */
#ifndef PXEINV_DIAG_H
#define PXEINV_DIAG_H

#include <stdio.h>

/** Severity */
enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
};

/** One diagnostic */
struct diag {
	char *file;             /**< path as shown to the operator */
	unsigned int line;      /**< 1-based, 0 when the whole file */
	unsigned int col;       /**< 1-based, 0 when the whole file */
	enum diag_level level;
	char *msg;
	size_t seq;              /**< insertion order */
};

/** A list of diagnostics; zero-initialise before use */
struct diags {
	struct diag *v;
	size_t n;
	size_t cap;
	size_t errors;
	size_t warnings;
};

/**
 * Record a diagnostic.
 *
 * @v d         List
 * @v level     Severity
 * @v file      File (copied)
 * @v line      1-based line, or 0
 * @v col       1-based column, or 0
 * @v fmt       printf format of the message
 */
void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/**
 * Print every diagnostic as "FILE:LINE:COL: error: MSG", sorted by
 * position.
 *
 * @v d         List
 * @v out       Stream
 */
void diag_print(struct diags *d, FILE *out);

/**
 * Print every diagnostic as a JSON array.
 *
 * @v d         List
 * @v out       Stream
 */
void diag_print_json(struct diags *d, FILE *out);

/**
 * Sort a list by position and drop repeated diagnostics (a bad value in a
 * _defaults.yaml is found once per node below it), recounting.
 *
 * @v d         List
 */
void diag_unique(struct diags *d);

/**
 * Move every diagnostic of one list to the end of another.
 *
 * @v d         Destination
 * @v from      Source, left empty
 */
void diag_append(struct diags *d, struct diags *from);

/**
 * Free a list.
 *
 * @v d         List
 */
void diag_free(struct diags *d);

#endif /* PXEINV_DIAG_H */
