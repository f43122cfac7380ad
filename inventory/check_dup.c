/*
 * The duplicate search: identities that two checked nodes claim (host
 * name, ip, MAC, uuid, the (serial, boardSerial) pair), in two passes,
 * on two threads for a large tree.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check_dup.h"
#include "strtab.h"

/** Longest identity key kept whole */
#define CHECK_KEY_MAX 512

/** Nodes from which the duplicate check runs its two passes on two threads */
#define CHECK_DUPS_THREADED 2000

/** A claimed identity, for duplicate detection */
struct check_claim {
	const struct node *node;
	const struct inv_kv *kv;
	const char *what;
};

/** Room for an identity as a duplicate error names it */
#define CHECK_CLAIM_NAME_MAX 512

/**
 * Name a claimed identity for an error, and say how to fix a duplicate.
 *
 * The (serial, boardSerial) pair is named by its parts: "serial 'S1' (and
 * no boardSerial)" says more than the pair's key.
 *
 * @v claim     Claim
 * @v key       Its key ("p:SERIAL/BOARD", "m:MAC", ...)
 * @v name      Buffer for the name
 * @v size      Size of name
 * @ret fix     How to fix a duplicate of it
 */
static const char *check_claim_name(const struct check_claim *claim,
				    const char *key, char *name, size_t size)
{
	const struct node *n = claim->node;

	if (strncmp(key, "p:", 2) != 0) {
		snprintf(name, size, "%s '%s'", claim->what,
			 strchr(key, ':') + 1);
		return "each identity must be unique";
	}
	if (n->serial && n->board_serial)
		snprintf(name, size, "serial '%s' and boardSerial '%s'",
			 n->serial, n->board_serial);
	else if (n->serial)
		snprintf(name, size, "serial '%s' (and no boardSerial)",
			 n->serial);
	else
		snprintf(name, size, "boardSerial '%s' (and no serial)",
			 n->board_serial);
	return n->serial && !n->board_serial ? "nodes that share a serial "
	       "need distinct boardSerials" : "each identity must be unique";
}

/**
 * Claim an identity for a node; report it when another node has it.
 *
 * @v diags     Diagnostics
 * @v table     Hash table
 * @v key       Identity key
 * @v claim     Claim (kept)
 */
static void check_claim(struct diags *diags, struct strtab *table,
			const char *key, struct check_claim *claim)
{
	const struct check_claim *found = strtab_add(table, key, claim);

	if (!found)
		return;
	if (!claim->what) {
		/* Shared serials are allowed; remember them */
		struct node *first = (struct node *)found->node;
		struct node *self = (struct node *)claim->node;

		if (key[0] == 's')
			first->serial_shared = self->serial_shared = 1;
		else
			first->board_shared = self->board_shared = 1;
		return;
	}
	if (claim->kv && found->node != claim->node &&
	    strncmp(key, "p:", 2) == 0)
		((struct node *)found->node)->pair_duplicate =
			((struct node *)claim->node)->pair_duplicate = 1;
	{
		const struct check_claim *first = found;
		const char *file = claim->kv ? claim->kv->src->shown :
				   claim->node->inv->file->shown;
		unsigned int line = claim->kv ? claim->kv->val->line : 1;
		unsigned int col = claim->kv ? claim->kv->val->col : 1;
		const char *ofile = first->kv ? first->kv->src->shown :
				    first->node->inv->file->shown;
		unsigned int oline = first->kv ? first->kv->val->line : 1;

		char name[CHECK_CLAIM_NAME_MAX];
		const char *fix = check_claim_name(claim, key, name,
						   sizeof(name));

		if (first->node == claim->node)
			diag_add(diags, DIAG_ERROR, file, line, col,
				 "%s is listed twice for node %s (first at "
				 "%s:%u); remove one", name,
				 claim->node->hostname, ofile, oline);
		else
			diag_add(diags, DIAG_ERROR, file, line, col,
				 "duplicate %s: node %s claims it, and node "
				 "%s (%s:%u) already does; %s", name,
				 claim->node->hostname, first->node->hostname,
				 ofile, oline, fix);
	}
}

/**
 * Format an identity key ("P:" + a, or "P:" + a + "/" + b) into a buffer.
 *
 * @v buf       Buffer of CHECK_KEY_MAX bytes
 * @v prefix    Key type letter
 * @v a         First part
 * @v b         Second part, or NULL
 * @ret buf     The key (cut to the buffer)
 */
static const char *check_key(char *buf, char prefix, const char *a,
			     const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;

	if (la > CHECK_KEY_MAX / 2 - 3)
		la = CHECK_KEY_MAX / 2 - 3;
	if (lb > CHECK_KEY_MAX / 2 - 3)
		lb = CHECK_KEY_MAX / 2 - 3;
	buf[0] = prefix;
	buf[1] = ':';
	memcpy(buf + 2, a, la);
	if (b) {
		buf[2 + la] = '/';
		memcpy(buf + 3 + la, b, lb);
		buf[3 + la + lb] = '\0';
	} else {
		buf[2 + la] = '\0';
	}
	return buf;
}

/** One pass of the duplicate check: a set of identity kinds, one table */
struct check_dups {
	struct inventory *inv;
	struct node *nodes;
	int serials;            /**< uuid and serials, else hostname, ip, MAC */
	struct diags diags;     /**< what this pass found */
	pthread_t id;
};

/**
 * Claim one kind set of identities of every node, in node order (so the
 * first node to claim an identity is the one the others are reported
 * against). The serials pass alone writes the nodes' shared/duplicate
 * flags, so that the two passes can run at once.
 *
 * @v arg       struct check_dups
 * @ret NULL
 */
static void *check_dups_run(void *arg)
{
	struct check_dups *d = arg;
	struct inventory *inv = d->inv;
	struct arena claims = { 0 };
	struct strtab table;
	char key[CHECK_KEY_MAX];
	size_t i, count = 64;
	int m;

	/* Room for exactly the claims of this pass, so the table never
	 * grows and stays as small as it can (fewer pages to fault in) */
	for (i = 0; i < inv->n; i++) {
		const struct node *n = &d->nodes[i];

		if (d->serials)
			count += !!n->uuid + !!(n->serial || n->board_serial) +
				 !!n->serial + !!n->board_serial;
		else
			count += 1 + !!n->ip + n->nmacs;
	}
	strtab_init(&table, count);
	for (i = 0; i < inv->n; i++) {
		struct node *n = &d->nodes[i];
		const struct inv_node *in = n->inv;
		struct check_claim *cl;

		if (in->file->broken)
			continue;
		cl = arena_alloc(&claims, (4 + n->nmacs) * sizeof(*cl));
		if (!d->serials) {
			cl[0] = (struct check_claim){ n, NULL, "hostname" };
			check_claim(&d->diags, &table, check_key(key, 'h',
				    n->hostname, NULL), &cl[0]);
			if (n->ip) {
				cl[1] = (struct check_claim){
					n, inventory_get(in, "ip"), "ip" };
				check_claim(&d->diags, &table, check_key(key,
					    'i', n->ip, NULL), &cl[1]);
			}
			for (m = 0; m < n->nmacs; m++) {
				cl[4 + m] = (struct check_claim){
					n, n->mac_kv[m], "mac" };
				check_claim(&d->diags, &table, check_key(key,
					    'm', n->macs[m], NULL), &cl[4 + m]);
			}
			continue;
		}
		if (n->uuid) {
			cl[0] = (struct check_claim){
				n, inventory_get(in, "uuid"), "uuid" };
			check_claim(&d->diags, &table, check_key(key, 'u',
				    n->uuid, NULL), &cl[0]);
		}
		if (n->serial || n->board_serial) {
			cl[1] = (struct check_claim){
				n, inventory_get(in, n->board_serial ?
						 "boardSerial" : "serial"),
				"(serial, boardSerial) pair" };
			check_claim(&d->diags, &table, check_key(key, 'p',
				    n->serial ? n->serial : "",
				    n->board_serial ? n->board_serial : ""),
				    &cl[1]);
		}
		if (n->serial) {
			cl[2] = (struct check_claim){ n, NULL, NULL };
			check_claim(&d->diags, &table, check_key(key, 's',
				    n->serial, NULL), &cl[2]);
		}
		if (n->board_serial) {
			cl[3] = (struct check_claim){ n, NULL, NULL };
			check_claim(&d->diags, &table, check_key(key, 'b',
				    n->board_serial, NULL), &cl[3]);
		}
	}
	strtab_free(&table);
	arena_free(&claims);
	return NULL;
}

/**
 * Check that a node to install keeps an identity of its own once shared
 * serials are set aside (two boards of one chassis share its serial).
 *
 * @v inv       Inventory
 * @v n         Checked node
 */
static void check_identifiable(struct inventory *inv, const struct node *n)
{
	const struct inv_kv *kv;

	if (n->inv->file->broken || n->install == PXEINV_INSTALL_NO ||
	    n->nmacs || n->uuid || !n->serial || n->board_serial ||
	    !n->serial_shared || n->pair_duplicate)
		return;
	kv = inventory_get(n->inv, "serial");
	diag_add(&inv->diags, DIAG_ERROR, kv->src->shown, kv->val->line,
		 kv->val->col, "serial '%s' is shared with another node, so "
		 "it does not identify node %s; set its boardSerial, mac or "
		 "uuid", n->serial, n->hostname);
}

void check_duplicates(struct inventory *inv, struct node *nodes)
{
	struct check_dups pass[2] = {
		{ .inv = inv, .nodes = nodes, .serials = 0 },
		{ .inv = inv, .nodes = nodes, .serials = 1 },
	};
	int threaded = inv->n >= CHECK_DUPS_THREADED;
	size_t i;

	if (threaded && pthread_create(&pass[1].id, NULL, check_dups_run,
				       &pass[1]) != 0)
		threaded = 0;
	check_dups_run(&pass[0]);
	if (threaded)
		pthread_join(pass[1].id, NULL);
	else
		check_dups_run(&pass[1]);
	diag_append(&inv->diags, &pass[0].diags);
	diag_append(&inv->diags, &pass[1].diags);
	for (i = 0; i < inv->n; i++)
		check_identifiable(inv, &nodes[i]);
}
