/*
 * Checking an inventory: the per-node rules that turn merged YAML into
 * struct node, then the identities that two nodes claim.
 */
#ifndef PXEINV_CHECK_H
#define PXEINV_CHECK_H

#include "node.h"

/**
 * Check every node of an inventory, and the tree as a whole (duplicates).
 *
 * @v inv       Loaded inventory; diagnostics are added to inv->diags
 * @v nodes     Array of inv->n checked nodes, allocated in inv->arena
 * @ret errors  Number of errors in inv->diags afterwards
 */
size_t node_check_all(struct inventory *inv, struct node **nodes);

/**
 * Check an image base URL given outside the inventory (compile
 * --image-base-url) by imageBaseURL's rules: http:// or https://, a host
 * name, and only the characters a URL may have in a script.
 *
 * @v url       URL
 * @ret ok      1 when imageBaseURL would accept it, else 0
 */
int check_image_base_is_valid(const char *url);

#endif /* PXEINV_CHECK_H */
