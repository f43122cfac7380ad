/*
 * YAML loading: one file into a tree of values that keep their position,
 * resolved the way PyYAML's safe_load resolves them (YAML 1.1).
 */
#ifndef PXEINV_YAML_LOAD_H
#define PXEINV_YAML_LOAD_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"

/** Largest file loaded (an inventory file is a few hundred bytes) */
#define YAML_MAX_FILE_SIZE (1024 * 1024)
/** Most values one document may expand to through aliases */
#define YAML_MAX_NODES 10000
/** Deepest nesting */
#define YAML_MAX_DEPTH 64

/** Value types, as PyYAML constructs them */
enum yv_type {
	YV_NULL,
	YV_BOOL,
	YV_INT,
	YV_FLOAT,
	YV_STR,
	YV_TIMESTAMP,   /**< PyYAML makes a date; JSON cannot hold it */
	YV_SEQ,
	YV_MAP,
};

struct ykv;

/** One value */
struct yv {
	enum yv_type type;
	unsigned int line;      /**< 1-based */
	unsigned int col;       /**< 1-based */
	const char *text;       /**< scalar text after unescaping */
	size_t len;             /**< length of text */
	unsigned char plain;    /**< scalar was plain (unquoted, untagged) */
	unsigned char big;      /**< integer does not fit in 64 bits */
	unsigned char nodigits; /**< "0b_", "0x": PyYAML fails on it */
	int b;                  /**< YV_BOOL */
	long long i;            /**< YV_INT */
	double f;               /**< YV_FLOAT */
	size_t weight;          /**< values in this subtree, expanded */
	size_t n;               /**< items or pairs */
	struct yv **items;      /**< YV_SEQ */
	struct ykv *pairs;      /**< YV_MAP, in file order */
};

/** One mapping entry */
struct ykv {
	struct yv *key;
	struct yv *val;
};

/**
 * Load one YAML file.
 *
 * @v arena     Arena for the tree
 * @v path      File to open
 * @v shown     Name used in diagnostics
 * @v diags     Diagnostics
 * @v root      Document root, on success (NULL for an empty document)
 * @ret rc      0, or after recording an error -EINVAL (not YAML that
 *              PyYAML loads), -EFBIG (over YAML_MAX_FILE_SIZE), or the
 *              -errno of open() or read()
 */
int yaml_load_file(struct arena *arena, const char *path, const char *shown,
		   struct diags *diags, struct yv **root);

/**
 * Load YAML from memory.
 *
 * @v arena     Arena for the tree
 * @v buf       Text
 * @v len       Length
 * @v shown     Name used in diagnostics
 * @v diags     Diagnostics
 * @v root      Document root, on success (NULL for an empty document)
 * @ret rc      0, or -EINVAL after recording an error
 */
int yaml_load_buffer(struct arena *arena, const char *buf, size_t len,
		     const char *shown, struct diags *diags, struct yv **root);

/**
 * Resolve a plain scalar the way PyYAML does (YAML 1.1 implicit types).
 *
 * @v v         Value with text/len set; type and payload are filled
 */
void yaml_resolve_plain(struct yv *v);

/**
 * Construct an explicit !!float the way PyYAML does: whatever Python's
 * float() takes once '_' are removed (so "1", "017", "1e5"), and .inf,
 * .nan and base 60.
 *
 * @v v         Value with text/len set; made a YV_FLOAT on success
 * @ret rc      0, or -EINVAL when PyYAML would fail on the text
 */
int yaml_resolve_tagged_float(struct yv *v);

/**
 * Find a key in a mapping (the last one wins, as in PyYAML).
 *
 * @v map       Mapping
 * @v key       Key
 * @ret val     Value, or NULL
 */
struct yv *yaml_map_get(const struct yv *map, const char *key);

/**
 * Name of a type for messages ("a string", "an integer", ...).
 *
 * @v type      Type
 * @ret name    Static string
 */
const char *yaml_type_name(enum yv_type type);

#endif /* PXEINV_YAML_LOAD_H */
