/*
 * The duplicate search: identities that two checked nodes claim.
 */
#ifndef PXEINV_CHECK_DUP_H
#define PXEINV_CHECK_DUP_H

#include "node.h"

/**
 * Find the identities (hostname, ip, MAC, uuid, the (serial, boardSerial)
 * pair) that two nodes claim, on two threads for a large tree; set the
 * nodes' serial_shared, board_shared and pair_duplicate flags; then report
 * the nodes to install that a shared serial leaves without an identity of
 * their own.
 *
 * @v inv       Inventory; diagnostics are added to inv->diags
 * @v nodes     Its inv->n nodes, each checked on its own
 */
void check_duplicates(struct inventory *inv, struct node *nodes);

#endif /* PXEINV_CHECK_DUP_H */
