/*
 * Unit tests: the YAML loader against PyYAML's safe_load (YAML 1.1
 * implicit typing, tags, aliases, positions) and the JSON writer against
 * Python's json.dumps and repr(float).
 *
 * Every expected value here was taken from PyYAML 6 and CPython 3.11
 * (yaml.safe_load, json.dumps, repr), not from pxeinv.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../inventory/json_out.h"
#include "../../inventory/yaml_load.h"

/** A loaded document */
struct doc {
	struct arena arena;
	struct diags diags;
	struct yv *root;
	int rc;
	char *text;             /**< diagnostics as printed */
};

/**
 * Load YAML text; diagnostics are printed into d->text.
 *
 * @v d         Document
 * @v yaml      Text
 */
static void doc_load(struct doc *d, const char *yaml)
{
	size_t len = 0;
	FILE *f;

	memset(d, 0, sizeof(*d));
	d->rc = yaml_load_buffer(&d->arena, yaml, strlen(yaml), "t.yaml",
				 &d->diags, &d->root);
	f = open_memstream(&d->text, &len);
	assert_non_null(f);
	diag_print(&d->diags, f);
	fclose(f);
}

/**
 * Free a document.
 *
 * @v d         Document
 */
static void doc_free(struct doc *d)
{
	diag_free(&d->diags);
	arena_free(&d->arena);
	free(d->text);
}

/**
 * Write a value as JSON into a string.
 *
 * @v v         Value
 * @ret json    Text, to free
 */
static char *json_of(const struct yv *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	json_write_value(f, v);
	fclose(f);
	return buf;
}

/** One row of the typing table */
struct typing {
	const char *yaml;       /**< value as written after "k: " */
	enum yv_type type;
	long long i;            /**< YV_INT, YV_BOOL */
	double f;               /**< YV_FLOAT */
	const char *json;       /**< json.dumps(safe_load(...)["k"]) */
};

/** PyYAML 6 safe_load of "k: VALUE", and json.dumps of the result */
static const struct typing typing_table[] = {
	{ "yes", YV_BOOL, 1, 0, "true" },
	{ "No", YV_BOOL, 0, 0, "false" },
	{ "on", YV_BOOL, 1, 0, "true" },
	{ "OFF", YV_BOOL, 0, 0, "false" },
	{ "TRUE", YV_BOOL, 1, 0, "true" },
	{ "y", YV_STR, 0, 0, "\"y\"" },
	{ "n", YV_STR, 0, 0, "\"n\"" },
	{ "yEs", YV_STR, 0, 0, "\"yEs\"" },
	{ "~", YV_NULL, 0, 0, "null" },
	{ "null", YV_NULL, 0, 0, "null" },
	{ "NULL", YV_NULL, 0, 0, "null" },
	{ "", YV_NULL, 0, 0, "null" },
	{ "0x1F", YV_INT, 31, 0, "31" },
	{ "-0x1F", YV_INT, -31, 0, "-31" },
	{ "017", YV_INT, 15, 0, "15" },
	{ "0b101", YV_INT, 5, 0, "5" },
	{ "1_000", YV_INT, 1000, 0, "1000" },
	{ "1__0", YV_INT, 10, 0, "10" },
	{ "0_", YV_INT, 0, 0, "0" },
	{ "+12", YV_INT, 12, 0, "12" },
	{ "-0", YV_INT, 0, 0, "0" },
	{ "190:20:30", YV_INT, 685230, 0, "685230" },
	{ "12:30", YV_INT, 750, 0, "750" },
	{ "1_:30", YV_INT, 90, 0, "90" },
	{ "09", YV_STR, 0, 0, "\"09\"" },
	{ "08", YV_STR, 0, 0, "\"08\"" },
	{ "0012345", YV_INT, 5349, 0, "5349" },
	{ "0o17", YV_STR, 0, 0, "\"0o17\"" },
	{ "0b", YV_STR, 0, 0, "\"0b\"" },
	{ "0b2", YV_STR, 0, 0, "\"0b2\"" },
	{ "0x", YV_STR, 0, 0, "\"0x\"" },
	{ "1:60", YV_STR, 0, 0, "\"1:60\"" },
	{ "1_2:3_0", YV_STR, 0, 0, "\"1_2:3_0\"" },
	{ "1.5", YV_FLOAT, 0, 1.5, "1.5" },
	{ "1.", YV_FLOAT, 0, 1.0, "1.0" },
	{ ".5", YV_FLOAT, 0, 0.5, "0.5" },
	{ "-.5", YV_STR, 0, 0, "\"-.5\"" },
	{ "._5", YV_STR, 0, 0, "\"._5\"" },
	{ "1e5", YV_STR, 0, 0, "\"1e5\"" },
	{ "1e+5", YV_STR, 0, 0, "\"1e+5\"" },
	{ "1.0e+5", YV_FLOAT, 0, 100000.0, "100000.0" },
	{ "0.1e-5", YV_FLOAT, 0, 1e-06, "1e-06" },
	{ "685.230_15e+03", YV_FLOAT, 0, 685230.15, "685230.15" },
	{ "190:20:30.15", YV_FLOAT, 0, 685230.15, "685230.15" },
	{ "-1:30.5", YV_FLOAT, 0, -90.5, "-90.5" },
	/* PyYAML adds base-60 parts from the last: not 11166.549 */
	{ "+3:6:6.549", YV_FLOAT, 0, 11166.548999999999, "11166.548999999999" },
	{ ".inf", YV_FLOAT, 0, INFINITY, "Infinity" },
	{ "-.Inf", YV_FLOAT, 0, -INFINITY, "-Infinity" },
	{ ".NaN", YV_FLOAT, 0, NAN, "NaN" },
	{ "1.2.3", YV_STR, 0, 0, "\"1.2.3\"" },
	{ "10.0.0.1", YV_STR, 0, 0, "\"10.0.0.1\"" },
	{ "2001-12-14", YV_TIMESTAMP, 0, 0, "\"2001-12-14\"" },
	{ "2001-12-14t21:59:43.10-05:00", YV_TIMESTAMP, 0, 0,
	  "\"2001-12-14t21:59:43.10-05:00\"" },
	{ "2001-12-14 21:59:43.10 -5", YV_TIMESTAMP, 0, 0,
	  "\"2001-12-14 21:59:43.10 -5\"" },
	{ "2002-1-1", YV_STR, 0, 0, "\"2002-1-1\"" },
	/* 52*60^5 + 54*60^4 + 0*60^3 + 12*60^2 + 34*60 + 56 */
	{ "52:54:00:12:34:56", YV_INT, 41135085296LL, 0, "41135085296" },
	{ "08:00:27:12:34:56", YV_STR, 0, 0, "\"08:00:27:12:34:56\"" },
	{ "\"yes\"", YV_STR, 0, 0, "\"yes\"" },
	{ "'123'", YV_STR, 0, 0, "\"123\"" },
	{ "!!str 123", YV_STR, 0, 0, "\"123\"" },
	{ "!!str yes", YV_STR, 0, 0, "\"yes\"" },
	/* PyYAML resolves a '!' tag as if the value were plain */
	{ "! 123", YV_INT, 123, 0, "123" },
	{ "! \"yes\"", YV_BOOL, 1, 0, "true" },
	{ "!!int \"0x10\"", YV_INT, 16, 0, "16" },
	{ "!!bool \"off\"", YV_BOOL, 0, 0, "false" },
	{ "!!float 2.5", YV_FLOAT, 0, 2.5, "2.5" },
	/* PyYAML's !!float is Python's float() of the text without '_' */
	{ "!!float 1", YV_FLOAT, 0, 1.0, "1.0" },
	{ "!!float \"2\"", YV_FLOAT, 0, 2.0, "2.0" },
	{ "!!float 017", YV_FLOAT, 0, 17.0, "17.0" },
	{ "!!float 1e5", YV_FLOAT, 0, 100000.0, "100000.0" },
	{ "!!float 1_0.5", YV_FLOAT, 0, 10.5, "10.5" },
	{ "!!float 1:30", YV_FLOAT, 0, 90.0, "90.0" },
	{ "!!float \"- 1 \"", YV_FLOAT, 0, -1.0, "-1.0" },
	{ "!!float -.INF", YV_FLOAT, 0, -INFINITY, "-Infinity" },
	{ "!!float infinity", YV_FLOAT, 0, INFINITY, "Infinity" },
	/* construct_yaml_null ignores the text */
	{ "!!null abc", YV_NULL, 0, 0, "null" },
	{ "|\n  yes\n", YV_STR, 0, 0, "\"yes\\n\"" },
	/* Too big for 64 bits: Python writes the integer */
	{ "9223372036854775807", YV_INT, 9223372036854775807LL, 0,
	  "9223372036854775807" },
	{ "9223372036854775808", YV_INT, 0, 0, "9223372036854775808" },
	{ "-9223372036854775808", YV_INT, 0, 0, "-9223372036854775808" },
	{ "99999999999999999999", YV_INT, 0, 0, "99999999999999999999" },
	{ "0777777777777777777777777", YV_INT, 0, 0,
	  "4722366482869645213695" },
	{ "-0x_FFFF_FFFF_FFFF_FFFF_F", YV_INT, 0, 0,
	  "-295147905179352825855" },
	{ "0b1111111111111111111111111111111111111111111111111111111111111111",
	  YV_INT, 0, 0, "18446744073709551615" },
	{ "72057594037927936:00", YV_INT, 0, 0, "4323455642275676160" },
	{ "1000000000000000000000:30", YV_INT, 0, 0,
	  "60000000000000000000030" },
};

/**
 * PyYAML's implicit typing, value by value.
 *
 * @v state     cmocka state
 */
static void test_typing(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(typing_table) / sizeof(typing_table[0]); i++) {
		const struct typing *row = &typing_table[i];
		char yaml[256];
		struct doc d;
		struct yv *v;
		char *json;

		snprintf(yaml, sizeof(yaml), "k: %s\n", row->yaml);
		doc_load(&d, yaml);
		if (d.rc != 0) {
			print_error("%s: %s", row->yaml, d.text);
			fail();
		}
		v = yaml_map_get(d.root, "k");
		assert_non_null(v);
		if (v->type != row->type) {
			print_error("%s: type %s, expected %s\n", row->yaml,
				    yaml_type_name(v->type),
				    yaml_type_name(row->type));
			fail();
		}
		if (row->type == YV_INT && !v->big)
			assert_true(v->i == row->i);
		if (row->type == YV_BOOL)
			assert_int_equal(v->b, row->i);
		if (row->type == YV_FLOAT && isnan(row->f))
			assert_true(isnan(v->f));
		else if (row->type == YV_FLOAT && v->f != row->f) {
			print_error("%s: %.17g, expected %.17g\n", row->yaml,
				    v->f, row->f);
			fail();
		}
		json = json_of(v);
		if (strcmp(json, row->json) != 0) {
			print_error("%s: JSON %s, expected %s\n", row->yaml,
				    json, row->json);
			fail();
		}
		free(json);
		doc_free(&d);
	}
}

/**
 * Values YAML refuses, or pxeinv refuses as PyYAML's safe_load would.
 *
 * @v state     cmocka state
 */
static void test_refused(void **state)
{
	static const struct {
		const char *yaml;
		const char *line;
	} refused[] = {
		{ "k: !!int abc\n", "t.yaml:1:4: error: value 'abc' does not "
		  "match its tag !!int" },
		/* PyYAML (merge.py) fails on each of these */
		{ "k: !!float 0x10\n", "t.yaml:1:4: error: value '0x10' does "
		  "not match its tag !!float" },
		{ "k: !!float nan(1)\n", "t.yaml:1:4: error: value 'nan(1)' "
		  "does not match its tag !!float" },
		{ "k: !!float \"1 2\"\n", "t.yaml:1:4: error: value '1 2' does "
		  "not match its tag !!float" },
		{ "k: 0b_\n", "t.yaml:1:4: error: '0b_' is read as an integer "
		  "with no digits, which PyYAML (merge.py) cannot load; quote "
		  "it, or write its digits" },
		{ "k: -0x_\n", "t.yaml:1:4: error: '-0x_' is read as an "
		  "integer with no digits, which PyYAML (merge.py) cannot "
		  "load; quote it, or write its digits" },
		{ "k: !!int 0x_\n", "t.yaml:1:4: error: '0x_' is read as an "
		  "integer with no digits, which PyYAML (merge.py) cannot "
		  "load; quote it, or write its digits" },
		{ "k: !!int 0x\n", "t.yaml:1:4: error: value '0x' does not "
		  "match its tag !!int" },
		{ "k: !!binary aGk=\n", "t.yaml:1:4: error: unsupported YAML "
		  "tag !!binary; remove it" },
		{ "k: !local x\n", "t.yaml:1:4: error: unsupported YAML tag "
		  "!local; remove it" },
		{ "k: !!omap [a: 1]\n", "t.yaml:1:4: error: unsupported YAML "
		  "tag !!omap; remove it" },
		{ "a: 1\nk: *nope\n", "t.yaml:2:4: error: alias *nope names no "
		  "anchor defined before it" },
		{ "a: 1\n--- 2\n", "t.yaml:2:1: error: a second YAML document "
		  "('---'); a node file holds exactly one" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct doc d;
		char want[256];

		doc_load(&d, refused[i].yaml);
		assert_int_equal(d.rc, -1);
		assert_null(d.root);
		assert_int_equal(d.diags.errors, 1);
		snprintf(want, sizeof(want), "%s\n", refused[i].line);
		assert_string_equal(d.text, want);
		doc_free(&d);
	}
}

/**
 * Values keep their position (1-based line and column of their start).
 *
 * @v state     cmocka state
 */
static void test_positions(void **state)
{
	static const char yaml[] =
		"# comment\n"
		"a: 1\n"
		"b:\n"
		"  c:   x\n"
		"  d: [p,  \"q\"]\n"
		"  e:\n"
		"    - 'r'\n"
		"f: |\n"
		"  text\n";
	struct yv *b, *c, *d2, *e;
	struct doc d;

	(void)state;
	doc_load(&d, yaml);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.root->type, YV_MAP);
	assert_int_equal(d.root->line, 2);
	assert_int_equal(d.root->col, 1);
	assert_int_equal(d.root->n, 3);
	assert_int_equal(d.root->pairs[0].key->line, 2);
	assert_int_equal(d.root->pairs[0].key->col, 1);
	assert_int_equal(d.root->pairs[0].val->col, 4);
	b = yaml_map_get(d.root, "b");
	assert_int_equal(b->line, 4);
	assert_int_equal(b->col, 3);
	c = yaml_map_get(b, "c");
	assert_int_equal(c->line, 4);
	assert_int_equal(c->col, 8);
	assert_string_equal(c->text, "x");
	d2 = yaml_map_get(b, "d");
	assert_int_equal(d2->type, YV_SEQ);
	assert_int_equal(d2->line, 5);
	assert_int_equal(d2->col, 6);
	assert_int_equal(d2->items[0]->col, 7);
	assert_int_equal(d2->items[0]->plain, 1);
	assert_int_equal(d2->items[1]->col, 11);
	assert_int_equal(d2->items[1]->plain, 0);
	e = yaml_map_get(b, "e");
	assert_int_equal(e->items[0]->line, 7);
	assert_int_equal(e->items[0]->col, 7);
	assert_int_equal(yaml_map_get(d.root, "f")->line, 8);
	assert_int_equal(yaml_map_get(d.root, "f")->col, 4);
	assert_string_equal(yaml_map_get(d.root, "f")->text, "text\n");
	doc_free(&d);
}

/**
 * Repeated keys: the last value wins (PyYAML), at the first key's place
 * in JSON (a Python dict).
 *
 * @v state     cmocka state
 */
static void test_mapping_json(void **state)
{
	static const char yaml[] =
		"b: 1.0e+5\n"
		"a: [yes, ~, 0x1F, '017', 017, 1_000, .inf]\n"
		"b: 2\n"
		"3: x\n"
		"null: y\n"
		"true: z\n"
		"1.5: w\n"
		"e: []\n"
		"f: {}\n";
	struct doc d;
	char *json;

	(void)state;
	doc_load(&d, yaml);
	assert_int_equal(d.rc, 0);
	assert_int_equal(yaml_map_get(d.root, "b")->i, 2);
	json = json_of(d.root);
	/* json.dumps(yaml.safe_load(yaml)) */
	assert_string_equal(json, "{\"b\": 2, \"a\": [true, null, 31, \"017\", "
			    "15, 1000, Infinity], \"3\": \"x\", \"null\": "
			    "\"y\", \"true\": \"z\", \"1.5\": \"w\", \"e\": [], "
			    "\"f\": {}}");
	free(json);
	doc_free(&d);
}

/**
 * Aliases share the anchored value, and count its size.
 *
 * @v state     cmocka state
 */
static void test_alias_sharing(void **state)
{
	struct doc d;
	char *json;

	(void)state;
	doc_load(&d, "a: &x {k: v, l: [1, 2]}\nb: *x\nc: &s str\nd: *s\n");
	assert_int_equal(d.rc, 0);
	assert_ptr_equal(yaml_map_get(d.root, "a"), yaml_map_get(d.root, "b"));
	assert_ptr_equal(yaml_map_get(d.root, "c"), yaml_map_get(d.root, "d"));
	/* The mapping, k, v, l, the list, 1 and 2 */
	assert_int_equal(yaml_map_get(d.root, "a")->weight, 7);
	json = json_of(d.root);
	assert_string_equal(json, "{\"a\": {\"k\": \"v\", \"l\": [1, 2]}, "
			    "\"b\": {\"k\": \"v\", \"l\": [1, 2]}, \"c\": "
			    "\"str\", \"d\": \"str\"}");
	free(json);
	doc_free(&d);

	/* PyYAML: "found duplicate anchor 'x'", second at line 2 col 4 */
	doc_load(&d, "a: &x 1\nb: &x 2\nc: *x\n");
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.text, "t.yaml:2:4: error: anchor &x is defined "
			    "twice (first on line 1); rename one\n");
	doc_free(&d);
	doc_load(&d, "a: &x [1]\nb: &x {c: 2}\n");
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.text, "t.yaml:2:4: error: anchor &x is defined "
			    "twice (first on line 1); rename one\n");
	doc_free(&d);
}

/**
 * The alias budget: YAML_MAX_NODES values per document, counting what
 * aliases expand to; refused fast, without expanding.
 *
 * @v state     cmocka state
 */
static void test_alias_budget(void **state)
{
	static const char bomb[] =
		"a: &a [x,x,x,x,x,x,x,x,x]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	struct timespec t0, t1;
	char *buf;
	struct doc d;
	size_t i, n;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	doc_load(&d, bomb);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.text, "t.yaml:5:8: error: document expands to "
			    "more than 10000 values through aliases (a YAML "
			    "alias bomb?); remove the aliases and write the "
			    "values out\n");
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000 < 500);
	doc_free(&d);

	/* A flow list of n items is n + 1 values: 9999 items fit */
	buf = malloc(3 * 10001 + 8);
	assert_non_null(buf);
	for (n = 9999; n <= 10000; n++) {
		size_t len = 0;

		buf[len++] = '[';
		for (i = 0; i < n; i++)
			len += sprintf(buf + len, i ? ",x" : "x");
		strcpy(buf + len, "]\n");
		doc_load(&d, buf);
		assert_int_equal(d.rc, n == 9999 ? 0 : -1);
		if (n == 9999)
			assert_int_equal(d.root->n, 9999);
		doc_free(&d);
	}
	free(buf);

	/* The same through aliases: a list of m items is m + 1 values,
	 * and it appears 9 times: 1 + 9 * (1110 + 1) = 10000 fits */
	buf = malloc(64 * 1024);
	assert_non_null(buf);
	for (n = 1110; n <= 1111; n++) {
		size_t len = sprintf(buf, "- &a [");

		for (i = 0; i < n; i++)
			len += sprintf(buf + len, i ? ",x" : "x");
		len += sprintf(buf + len, "]\n");
		for (i = 1; i < 9; i++)
			len += sprintf(buf + len, "- *a\n");
		doc_load(&d, buf);
		assert_int_equal(d.rc, n == 1110 ? 0 : -1);
		doc_free(&d);
	}
	free(buf);
}

/**
 * Nesting deeper than YAML_MAX_DEPTH is refused.
 *
 * @v state     cmocka state
 */
static void test_depth(void **state)
{
	char buf[256];
	struct doc d;
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		buf[i] = '[';
	for (i = 0; i < 64; i++)
		buf[64 + i] = ']';
	buf[128] = '\0';
	doc_load(&d, buf);
	assert_int_equal(d.rc, 0);
	doc_free(&d);
	for (i = 0; i < 65; i++)
		buf[i] = '[';
	for (i = 0; i < 65; i++)
		buf[65 + i] = ']';
	buf[130] = '\0';
	doc_load(&d, buf);
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.text, "t.yaml:1:65: error: nesting is too "
			    "deep\n");
	doc_free(&d);
}

/**
 * Write a float into a string.
 *
 * @v f         Value
 * @ret text    Static buffer
 */
static const char *float_text(double f)
{
	static char buf[64];
	FILE *out = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(out);
	json_write_float(out, f);
	fclose(out);
	return buf;
}

/**
 * repr(float) as Python 3 writes it (and so json.dumps).
 *
 * @v state     cmocka state
 */
static void test_float_repr(void **state)
{
	(void)state;
	assert_string_equal(float_text(1.0), "1.0");
	assert_string_equal(float_text(0.0), "0.0");
	assert_string_equal(float_text(-0.0), "-0.0");
	assert_string_equal(float_text(0.0001), "0.0001");
	assert_string_equal(float_text(1e-05), "1e-05");
	assert_string_equal(float_text(-2.5e-7), "-2.5e-07");
	assert_string_equal(float_text(1e16), "1e+16");
	assert_string_equal(float_text(1e15), "1000000000000000.0");
	assert_string_equal(float_text(9999999999999998.0),
			    "9999999999999998.0");
	assert_string_equal(float_text(9007199254740992.0),
			    "9007199254740992.0");
	assert_string_equal(float_text(123456789012345678.0),
			    "1.2345678901234568e+17");
	assert_string_equal(float_text(1e22), "1e+22");
	assert_string_equal(float_text(0.1), "0.1");
	assert_string_equal(float_text(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(float_text(1.0 / 3), "0.3333333333333333");
	assert_string_equal(float_text(123456.789), "123456.789");
	assert_string_equal(float_text(100000.0), "100000.0");
	assert_string_equal(float_text(5e-324), "5e-324");
	assert_string_equal(float_text(2.2250738585072014e-308),
			    "2.2250738585072014e-308");
	assert_string_equal(float_text(1.7976931348623157e308),
			    "1.7976931348623157e+308");
	/* Powers of two, where the gap below is half the gap above: the
	 * nearest 16-digit string misses, the one above reads back */
	assert_string_equal(float_text(ldexp(1, -1017)),
			    "7.120236347223045e-307");
	assert_string_equal(float_text(ldexp(1, -1006)),
			    "1.4582244039112795e-303");
	assert_string_equal(float_text(ldexp(1, 54)),
			    "1.8014398509481984e+16");
	assert_string_equal(float_text(ldexp(1, 1023)),
			    "8.98846567431158e+307");
	assert_string_equal(float_text(INFINITY), "Infinity");
	assert_string_equal(float_text(-INFINITY), "-Infinity");
	assert_string_equal(float_text(NAN), "NaN");
}

/**
 * json.dumps string escaping (ensure_ascii).
 *
 * @v state     cmocka state
 */
static void test_string_escape(void **state)
{
	static const char in[] = "\xc3\xa9\xf0\x9f\x98\x80\x01\x7f\b\f\n\r\t"
		"\"\\/\xef\xbb\xbf~ \0";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	json_write_string(f, in, sizeof(in) - 1);
	fclose(f);
	/* json.dumps("é😀\x01\x7f\b\f\n\r\t\"\\/\ufeff~ \x00") */
	assert_string_equal(buf, "\"\\u00e9\\ud83d\\ude00\\u0001\\u007f\\b\\f"
			    "\\n\\r\\t\\\"\\\\/\\ufeff~ \\u0000\"");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typing),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_mapping_json),
		cmocka_unit_test(test_alias_sharing),
		cmocka_unit_test(test_alias_budget),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_float_repr),
		cmocka_unit_test(test_string_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
