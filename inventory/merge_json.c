/*
 * `pxeinv merge` output.
 */
#include <string.h>

#include "json_out.h"
#include "merge_json.h"

/**
 * Tell whether a key is the string given.
 *
 * @v k         Key
 * @v name      Name
 * @ret match   1 when equal
 */
static int merge_key_is(const struct yv *k, const char *name)
{
	return k->type == YV_STR && k->len == strlen(name) &&
	       memcmp(k->text, name, k->len) == 0;
}

/**
 * Write one node: merged keys, then hostname and filename (which replace
 * keys of those names in place, as Python's dict assignment does).
 *
 * @v out       Stream
 * @v node      Node
 */
static void merge_write_node(FILE *out, const struct inv_node *node)
{
	int has_host = 0, has_file = 0;
	size_t i;

	fputc('{', out);
	for (i = 0; i < node->n; i++) {
		const struct yv *k = node->kv[i].key;

		if (i)
			fputs(", ", out);
		json_write_key(out, k);
		fputs(": ", out);
		if (merge_key_is(k, "hostname")) {
			has_host = 1;
			json_write_string(out, node->hostname,
					  strlen(node->hostname));
		} else if (merge_key_is(k, "filename")) {
			has_file = 1;
			json_write_string(out, node->filename,
					  strlen(node->filename));
		} else {
			json_write_value(out, node->kv[i].val);
		}
	}
	if (!has_host) {
		fputs(node->n ? ", \"hostname\": " : "\"hostname\": ", out);
		json_write_string(out, node->hostname, strlen(node->hostname));
	}
	if (!has_file) {
		fputs(", \"filename\": ", out);
		json_write_string(out, node->filename, strlen(node->filename));
	}
	fputc('}', out);
}

void merge_write_json(FILE *out, const struct inventory *inv)
{
	size_t i, k = 0;

	fputc('[', out);
	for (i = 0; i < inv->n; i++) {
		if (inv->nodes[i].file->broken)
			continue;
		if (k++)
			fputs(", ", out);
		merge_write_node(out, &inv->nodes[i]);
	}
	fputs("]\n", out);
}
