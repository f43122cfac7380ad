/*
 * YAML loading with libyaml's event parser.
 *
 * Values keep their position for diagnostics.  Aliases share the anchored
 * value instead of copying it, and every alias adds the size of what it
 * refers to against YAML_MAX_NODES, so an alias bomb is refused without
 * being expanded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "oom.h"
#include "yaml_load.h"

/** A collection being built */
struct load_frame {
	struct yv *v;
	struct yv **items;      /**< for maps: key, value, key, value... */
	size_t n;
	size_t cap;
	char *anchor;
};

/** An anchored value */
struct load_anchor {
	char *name;
	struct yv *v;
};

/** Loader state for one document */
struct loader {
	struct arena *arena;
	struct diags *diags;
	const char *shown;
	struct load_frame stack[YAML_MAX_DEPTH];
	int depth;
	struct load_anchor *anchors;
	size_t nanchors;
	size_t nodes;
	struct yv *root;
	int documents;
};

/**
 * Record an error at a libyaml mark.
 *
 * @v ld        Loader
 * @v mark      Position
 * @v msg       Message
 * @ret rc      -EINVAL
 */
static int load_error(struct loader *ld, const yaml_mark_t *mark,
		      const char *msg)
{
	diag_add(ld->diags, DIAG_ERROR, ld->shown, mark->line + 1,
		 mark->column + 1, "%s", msg);
	return -EINVAL;
}

/**
 * Count a new value against the document budget.
 *
 * @v ld        Loader
 * @v weight    Values it expands to
 * @v mark      Position, for the error
 * @ret rc      0 or -EINVAL
 */
static int load_count(struct loader *ld, size_t weight,
		      const yaml_mark_t *mark)
{
	ld->nodes += weight;
	if (ld->nodes > YAML_MAX_NODES) {
		diag_add(ld->diags, DIAG_ERROR, ld->shown, mark->line + 1,
			 mark->column + 1, "document expands to more than %d "
			 "values through aliases (a YAML alias bomb?); remove "
			 "the aliases and write the values out",
			 YAML_MAX_NODES);
		return -EINVAL;
	}
	return 0;
}

/**
 * Remember an anchor for later aliases.
 *
 * @v ld        Loader
 * @v name      Anchor name (copied)
 * @v v         Value
 * @ret rc      0, or -EINVAL when the name is taken (PyYAML refuses that)
 */
static int load_remember(struct loader *ld, const char *name, struct yv *v)
{
	struct load_anchor *a;
	size_t i;

	for (i = 0; i < ld->nanchors; i++) {
		if (strcmp(ld->anchors[i].name, name) == 0) {
			diag_add(ld->diags, DIAG_ERROR, ld->shown, v->line,
				 v->col, "anchor &%s is defined twice (first "
				 "on line %u); rename one", name,
				 ld->anchors[i].v->line);
			return -EINVAL;
		}
	}
	a = realloc(ld->anchors, (ld->nanchors + 1) * sizeof(*a));
	if (!a)
		abort_out_of_memory("the anchors");
	ld->anchors = a;
	a[ld->nanchors].name = strdup(name);
	a[ld->nanchors].v = v;
	if (!a[ld->nanchors].name)
		abort_out_of_memory("an anchor name");
	ld->nanchors++;
	return 0;
}

/**
 * Attach a finished value to its parent (or make it the root).
 *
 * @v ld        Loader
 * @v v         Value
 */
static void load_attach(struct loader *ld, struct yv *v)
{
	struct load_frame *f;

	if (ld->depth == 0) {
		ld->root = v;
		return;
	}
	f = &ld->stack[ld->depth - 1];
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		struct yv **items = realloc(f->items, cap * sizeof(*items));

		if (!items)
			abort_out_of_memory("a YAML collection");
		f->items = items;
		f->cap = cap;
	}
	f->items[f->n++] = v;
}

/**
 * Write a tag the way it is written in a file ("!!int", not
 * "tag:yaml.org,2002:int").
 *
 * @v tag       Tag, as libyaml resolved it
 * @ret shown   Tag as shown, in a static buffer
 */
static const char *load_tag_shown(const char *tag)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	static char buf[256];

	if (strncmp(tag, prefix, sizeof(prefix) - 1) != 0)
		return tag;
	snprintf(buf, sizeof(buf), "!!%s", tag + sizeof(prefix) - 1);
	return buf;
}

/**
 * Refuse an integer with no digits ("0b_", "0x"), on which PyYAML fails.
 *
 * @v ld        Loader
 * @v v         Scalar
 * @v mark      Position
 * @ret rc      -EINVAL
 */
static int load_no_digits(struct loader *ld, const struct yv *v,
			  const yaml_mark_t *mark)
{
	diag_add(ld->diags, DIAG_ERROR, ld->shown, mark->line + 1,
		 mark->column + 1, "'%s' is read as an integer with no "
		 "digits, which PyYAML (merge.py) cannot load; quote it, or "
		 "write its digits", v->text);
	return -EINVAL;
}

/**
 * Apply an explicit tag to a scalar.
 *
 * @v ld        Loader
 * @v v         Scalar
 * @v tag       Tag
 * @v mark      Position
 * @ret rc      0 or -EINVAL
 */
static int load_tag_scalar(struct loader *ld, struct yv *v, const char *tag,
			   const yaml_mark_t *mark)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	const char *t = tag;
	enum yv_type want;

	if (strcmp(tag, "!") == 0) {
		/* PyYAML resolves "! 123" and even '! "123"' as if plain */
		yaml_resolve_plain(v);
		return 0;
	}
	if (strncmp(tag, prefix, sizeof(prefix) - 1) != 0)
		goto unknown;
	t += sizeof(prefix) - 1;
	if (strcmp(t, "str") == 0) {
		v->type = YV_STR;
		return 0;
	}
	if (strcmp(t, "null") == 0) {
		/* PyYAML's construct_yaml_null ignores the text */
		v->type = YV_NULL;
		return 0;
	}
	if (strcmp(t, "float") == 0) {
		if (yaml_resolve_tagged_float(v) != 0)
			goto mismatch;
		return 0;
	}
	if (strcmp(t, "int") == 0)
		want = YV_INT;
	else if (strcmp(t, "bool") == 0)
		want = YV_BOOL;
	else
		goto unknown;
	yaml_resolve_plain(v);
	if (v->type == YV_INT && v->nodigits)
		return load_no_digits(ld, v, mark);
	if (v->type == want)
		return 0;
mismatch:
	diag_add(ld->diags, DIAG_ERROR, ld->shown, mark->line + 1,
		 mark->column + 1, "value '%s' does not match its tag %s",
		 v->text, load_tag_shown(tag));
	return -EINVAL;
unknown:
	diag_add(ld->diags, DIAG_ERROR, ld->shown, mark->line + 1,
		 mark->column + 1, "unsupported YAML tag %s; remove it",
		 load_tag_shown(tag));
	return -EINVAL;
}

/**
 * Build a scalar from its event.
 *
 * @v ld        Loader
 * @v ev        Scalar event
 * @ret rc      0 or -EINVAL
 */
static int load_scalar(struct loader *ld, yaml_event_t *ev)
{
	struct yv *v = arena_alloc(ld->arena, sizeof(*v));

	v->line = ev->start_mark.line + 1;
	v->col = ev->start_mark.column + 1;
	v->text = arena_strndup(ld->arena, (char *)ev->data.scalar.value,
				ev->data.scalar.length);
	v->len = ev->data.scalar.length;
	v->weight = 1;
	if (load_count(ld, 1, &ev->start_mark))
		return -EINVAL;
	if (ev->data.scalar.tag &&
	    !(ev->data.scalar.plain_implicit &&
	      ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)) {
		if (load_tag_scalar(ld, v, (char *)ev->data.scalar.tag,
				    &ev->start_mark))
			return -EINVAL;
	} else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		v->plain = 1;
		if (v->len == 1 && v->text[0] == '=')
			return load_error(ld, &ev->start_mark, "a plain '=' is "
					  "YAML 1.1's value key, which PyYAML "
					  "refuses; quote it: \"=\"");
		yaml_resolve_plain(v);
		if (v->type == YV_INT && v->nodigits)
			return load_no_digits(ld, v, &ev->start_mark);
	} else {
		v->type = YV_STR;
	}
	if (ev->data.scalar.anchor &&
	    load_remember(ld, (char *)ev->data.scalar.anchor, v))
		return -EINVAL;
	load_attach(ld, v);
	return 0;
}

/**
 * Open a collection.
 *
 * @v ld        Loader
 * @v ev        Start event
 * @v type      YV_SEQ or YV_MAP
 * @v anchor    Anchor, or NULL
 * @v tag       Explicit tag, or NULL
 * @ret rc      0 or -EINVAL
 */
static int load_open(struct loader *ld, yaml_event_t *ev, enum yv_type type,
		     const unsigned char *anchor, const unsigned char *tag)
{
	const char *plain = type == YV_SEQ ? "tag:yaml.org,2002:seq" :
			    "tag:yaml.org,2002:map";
	struct load_frame *f;
	struct yv *v;

	/* safe_load refuses !!python/... and json.dumps a !!set */
	if (tag && strcmp((const char *)tag, "!") != 0 &&
	    strcmp((const char *)tag, plain) != 0) {
		diag_add(ld->diags, DIAG_ERROR, ld->shown,
			 ev->start_mark.line + 1, ev->start_mark.column + 1,
			 "unsupported YAML tag %s; remove it",
			 load_tag_shown((const char *)tag));
		return -EINVAL;
	}
	if (ld->depth >= YAML_MAX_DEPTH)
		return load_error(ld, &ev->start_mark, "nesting is too deep");
	if (load_count(ld, 1, &ev->start_mark))
		return -EINVAL;
	v = arena_alloc(ld->arena, sizeof(*v));
	v->type = type;
	v->line = ev->start_mark.line + 1;
	v->col = ev->start_mark.column + 1;
	f = &ld->stack[ld->depth++];
	memset(f, 0, sizeof(*f));
	f->v = v;
	if (anchor) {
		f->anchor = strdup((const char *)anchor);
		if (!f->anchor)
			abort_out_of_memory("an anchor name");
	}
	return 0;
}

/**
 * Close the innermost collection and attach it.
 *
 * @v ld        Loader
 * @v ev        End event
 * @ret rc      0 or -EINVAL
 */
static int load_close(struct loader *ld, yaml_event_t *ev)
{
	struct load_frame *f = &ld->stack[ld->depth - 1];
	struct yv *v = f->v;
	size_t i;
	int rc = 0;

	v->weight = 1;
	for (i = 0; i < f->n; i++)
		v->weight += f->items[i]->weight;
	if (v->type == YV_SEQ) {
		v->n = f->n;
		v->items = arena_alloc(ld->arena, f->n * sizeof(*v->items) + 1);
		if (f->n)       /* an empty list has no items array */
			memcpy(v->items, f->items, f->n * sizeof(*v->items));
	} else {
		v->n = f->n / 2;
		v->pairs = arena_alloc(ld->arena, v->n * sizeof(*v->pairs) + 1);
		for (i = 0; i < v->n; i++) {
			struct yv *key = f->items[2 * i];

			v->pairs[i].key = key;
			v->pairs[i].val = f->items[2 * i + 1];
			if (key->type == YV_SEQ || key->type == YV_MAP) {
				diag_add(ld->diags, DIAG_ERROR, ld->shown,
					 key->line, key->col, "mapping keys "
					 "must be plain words; found a %s",
					 key->type == YV_SEQ ? "list" :
					 "mapping");
				rc = -EINVAL;
			}
		}
	}
	(void)ev;
	free(f->items);
	ld->depth--;
	if (f->anchor) {
		if (load_remember(ld, f->anchor, v))
			rc = -EINVAL;
		free(f->anchor);
	}
	load_attach(ld, v);
	return rc;
}

/**
 * Resolve an alias to the value it names.
 *
 * @v ld        Loader
 * @v ev        Alias event
 * @ret rc      0 or -EINVAL
 */
static int load_alias(struct loader *ld, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t i;

	for (i = ld->nanchors; i-- > 0;) {
		if (strcmp(ld->anchors[i].name, name) == 0) {
			if (load_count(ld, ld->anchors[i].v->weight,
				       &ev->start_mark))
				return -EINVAL;
			load_attach(ld, ld->anchors[i].v);
			return 0;
		}
	}
	diag_add(ld->diags, DIAG_ERROR, ld->shown, ev->start_mark.line + 1,
		 ev->start_mark.column + 1, "alias *%s names no anchor "
		 "defined before it", name);
	return -EINVAL;
}

/**
 * Record libyaml's own syntax error.
 *
 * @v ld        Loader
 * @v parser    Parser in error
 */
static void load_syntax_error(struct loader *ld, yaml_parser_t *parser)
{
	const char *problem = parser->problem ? parser->problem :
			      "unreadable YAML";

	if (parser->context)
		diag_add(ld->diags, DIAG_ERROR, ld->shown,
			 parser->problem_mark.line + 1,
			 parser->problem_mark.column + 1,
			 "YAML syntax error: %s %s (line %zu); check the "
			 "indentation and quote values that contain ': ' or "
			 "'#'", problem, parser->context,
			 parser->context_mark.line + 1);
	else
		diag_add(ld->diags, DIAG_ERROR, ld->shown,
			 parser->problem_mark.line + 1,
			 parser->problem_mark.column + 1,
			 "YAML syntax error: %s; check the indentation and "
			 "quote values that contain ': ' or '#'", problem);
}

/**
 * Free what a loader holds outside the arena.
 *
 * @v ld        Loader
 */
static void load_cleanup(struct loader *ld)
{
	size_t i;

	while (ld->depth > 0) {
		struct load_frame *f = &ld->stack[--ld->depth];

		free(f->items);
		free(f->anchor);
	}
	for (i = 0; i < ld->nanchors; i++)
		free(ld->anchors[i].name);
	free(ld->anchors);
}

int yaml_load_buffer(struct arena *arena, const char *buf, size_t len,
		     const char *shown, struct diags *diags, struct yv **root)
{
	struct loader ld = { .arena = arena, .diags = diags, .shown = shown };
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&parser))
		abort_out_of_memory("a YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			load_syntax_error(&ld, &parser);
			rc = -EINVAL;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ld.documents > 1)
				rc = load_error(&ld, &ev.start_mark,
						"a second YAML document "
						"('---'); a node file holds "
						"exactly one");
			break;
		case YAML_SCALAR_EVENT:
			rc = load_scalar(&ld, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = load_open(&ld, &ev, YV_SEQ,
				       ev.data.sequence_start.anchor,
				       ev.data.sequence_start.tag);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = load_open(&ld, &ev, YV_MAP,
				       ev.data.mapping_start.anchor,
				       ev.data.mapping_start.tag);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = load_close(&ld, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = load_alias(&ld, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	load_cleanup(&ld);
	if (rc == 0)
		*root = ld.root;
	return rc;
}

int yaml_load_file(struct arena *arena, const char *path, const char *shown,
		   struct diags *diags, struct yv **root)
{
	size_t len = 0, size = 4096;
	char *buf;
	ssize_t got;
	int fd, rc;

	*root = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		diag_add(diags, DIAG_ERROR, shown, 0, 0, "cannot read: %s",
			 strerror(-rc));
		return rc;
	}
	/* Inventory files are small: one read() usually does.  A short read
	 * of a regular file is its end, which spares an fstat() per file
	 * (the walk only hands regular files here). */
	buf = malloc(size + 1);
	if (!buf)
		abort_out_of_memory("a file buffer");
	while (1) {
		got = read(fd, buf + len, size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			diag_add(diags, DIAG_ERROR, shown, 0, 0, "cannot read: "
				 "%s", strerror(-rc));
			close(fd);
			free(buf);
			return rc;
		}
		len += got;
		if (len < size || got == 0)
			break;
		if (len > YAML_MAX_FILE_SIZE) {
			struct stat st;

			/* Only now is the exact size worth a syscall */
			if (fstat(fd, &st) != 0)
				st.st_size = len;
			diag_add(diags, DIAG_ERROR, shown, 0, 0, "file is %lld "
				 "bytes, more than the %d allowed for an "
				 "inventory file", (long long)st.st_size,
				 YAML_MAX_FILE_SIZE);
			close(fd);
			free(buf);
			return -EFBIG;
		}
		/* Grow to the limit plus one byte, to see a file over it */
		size = size * 2 > YAML_MAX_FILE_SIZE ? YAML_MAX_FILE_SIZE + 1 :
		       size * 2;
		buf = realloc(buf, size + 1);
		if (!buf)
			abort_out_of_memory("a file buffer");
	}
	close(fd);
	buf[len] = '\0';
	rc = yaml_load_buffer(arena, buf, len, shown, diags, root);
	free(buf);
	return rc;
}

struct yv *yaml_map_get(const struct yv *map, const char *key)
{
	size_t i, klen = strlen(key);

	if (!map || map->type != YV_MAP)
		return NULL;
	for (i = map->n; i-- > 0;) {
		const struct yv *k = map->pairs[i].key;

		if (k->text && k->len == klen && memcmp(k->text, key, klen) == 0)
			return map->pairs[i].val;
	}
	return NULL;
}

const char *yaml_type_name(enum yv_type type)
{
	switch (type) {
	case YV_NULL:
		return "null";
	case YV_BOOL:
		return "a boolean";
	case YV_INT:
		return "an integer";
	case YV_FLOAT:
		return "a float";
	case YV_STR:
		return "a string";
	case YV_TIMESTAMP:
		return "a date";
	case YV_SEQ:
		return "a list";
	case YV_MAP:
		return "a mapping";
	}
	return "a value";
}
