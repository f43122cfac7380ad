/*
 * The files an inventory boots, from the renderer's own URL builder.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "assets.h"
#include "oom.h"
#include "render.h"

/**
 * Render one of a node's URLs, or its path below the base, into a string.
 *
 * @v base      Image base URL, or NULL for the path
 * @v n         Node
 * @v a         File
 * @ret s       Allocated string
 */
static char *assets_render(const char *base, const struct node *n,
			   enum render_asset a)
{
	char *s = NULL;
	size_t len;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		abort_out_of_memory("an asset URL");
	render_asset_url(f, base, n, a);
	if (fclose(f) != 0 || !s)
		abort_out_of_memory("an asset URL");
	return s;
}

/**
 * Add a node to the file at a URL, adding the file when it is new.
 *
 * @v list      List
 * @v n         Node
 * @v a         File
 */
static void assets_add(struct asset_list *list, const struct node *n,
		       enum render_asset a)
{
	char *url = assets_render(render_image_base(n), n, a);
	uintptr_t at = (uintptr_t)strtab_find(&list->index, url);
	struct asset *as;

	if (at) {
		free(url);
		as = &list->v[at - 1];
	} else {
		if (list->n == list->cap) {
			list->cap = list->cap ? 2 * list->cap : 16;
			list->v = realloc(list->v, list->cap * sizeof(*list->v));
			if (!list->v)
				abort_out_of_memory("the asset list");
		}
		as = &list->v[list->n++];
		as->url = url;
		as->path = assets_render(NULL, n, a);
		as->nodes = NULL;
		as->nnodes = 0;
		strtab_add(&list->index, url, (void *)(uintptr_t)list->n);
	}
	/* a node adds itself once per file: grow at powers of two */
	if ((as->nnodes & (as->nnodes - 1)) == 0) {
		as->nodes = realloc(as->nodes, (as->nnodes ? 2 * as->nnodes :
						1) * sizeof(*as->nodes));
		if (!as->nodes)
			abort_out_of_memory("an asset's nodes");
	}
	as->nodes[as->nnodes++] = n;
}

void assets_collect(struct asset_list *list, const struct node *nodes,
		    size_t count)
{
	enum render_asset a[RENDER_ASSETS_MAX];
	size_t i, j, na;

	strtab_init(&list->index, 64);
	for (i = 0; i < count; i++) {
		na = render_node_assets(&nodes[i], a);
		for (j = 0; j < na; j++)
			assets_add(list, &nodes[i], a[j]);
	}
}

void assets_free(struct asset_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->v[i].url);
		free(list->v[i].path);
		free(list->v[i].nodes);
	}
	free(list->v);
	strtab_free(&list->index);
	list->v = NULL;
	list->n = list->cap = 0;
}
