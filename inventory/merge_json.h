/*
 * `pxeinv merge` output: the merged nodes as merge.py prints them.
 */
#ifndef PXEINV_MERGE_JSON_H
#define PXEINV_MERGE_JSON_H

#include <stdio.h>

#include "inventory.h"

/**
 * Write every loaded node as one JSON array, like merge.py.
 *
 * @v out       Stream
 * @v inv       Inventory
 */
void merge_write_json(FILE *out, const struct inventory *inv);

#endif /* PXEINV_MERGE_JSON_H */
