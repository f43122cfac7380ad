/*
 * JSON output, byte-compatible with Python's json.dumps defaults (the seed's
 * merge.py output): ", " and ": " separators, ASCII-only escaping.
 */
#ifndef PXEINV_JSON_OUT_H
#define PXEINV_JSON_OUT_H

#include <stdio.h>

#include "yaml_load.h"

/**
 * Write a JSON string, escaping as json.dumps(ensure_ascii=True) does.
 *
 * @v out       Stream
 * @v s         UTF-8 bytes
 * @v len       Length
 */
void json_write_string(FILE *out, const char *s, size_t len);

/**
 * Write a value as json.dumps writes what PyYAML constructs from it.
 *
 * @v out       Stream
 * @v v         Value
 */
void json_write_value(FILE *out, const struct yv *v);

/**
 * Write a mapping key as json.dumps converts keys to strings.
 *
 * @v out       Stream
 * @v k         Key
 */
void json_write_key(FILE *out, const struct yv *k);

/**
 * Write a float as Python's repr() writes it.
 *
 * @v out       Stream
 * @v f         Value
 */
void json_write_float(FILE *out, double f);

#endif /* PXEINV_JSON_OUT_H */
