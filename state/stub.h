/*
 * pxeinv state: the nodes/ YAML stub for an unknown machine, ready to paste
 * into the inventory (with a hostname and the values to install it).
 */
#ifndef PXEINV_STATE_STUB_H
#define PXEINV_STATE_STUB_H

#include <stddef.h>

#include "kvfile.h"

/**
 * Render the stub of an unknown machine's record (unknown/MAC).
 *
 * @v rec       Record: mac, and optionally serial, board_serial, arch,
 *              ip, first, last, count, vendor_class
 * @v buf       Buffer
 * @v size      Size of buf
 * @ret len     Length written, or -ENOSPC when it did not fit
 */
int stub_render(const struct kvfile *rec, char *buf, size_t size);

/**
 * Write a YAML double-quoted scalar.
 *
 * @v s         Printable ASCII text
 * @v buf       Buffer
 * @v size      Size of buf
 * @ret len     Length written, or -ENOSPC when it did not fit
 */
int stub_quote(const char *s, char *buf, size_t size);

#endif /* PXEINV_STATE_STUB_H */
