/*
 * Bounded FlexBuffers reader for custom-op options (the map of scalars TFLite converters write,
 * e.g. TFLite_Detection_PostProcess's). The bytes are untrusted model data: every offset and
 * width is checked against the buffer and the first bad read latches fx_t.err; a key that is
 * absent reads as null (0, 0.0, false), as flexbuffers::Map's operator[] does.
 */
#ifndef QS_FLEXBUF_H
#define QS_FLEXBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *buf;
  uint32_t len;
  int err;
} fx_t;

typedef struct {
  uint32_t pos;   /* where the value (or its offset) is stored */
  uint8_t width;  /* bytes of that slot (the parent's byte width) */
  uint8_t bwidth; /* bytes of an indirect value (from the packed type) */
  uint8_t type;   /* FlexBuffers type; 0 = null */
} fx_ref_t;

/* The root value (err if the buffer cannot hold one). */
fx_ref_t fx_root(fx_t *fx, const uint8_t *buf, uint32_t len);
/* Value of `key` in a map (null if absent; err if ref is not a map or the map is malformed). */
fx_ref_t fx_map_get(fx_t *fx, const fx_ref_t *map, const char *key);
/* Conversions as flexbuffers::Reference AsInt64 / AsDouble / AsBool for the scalar types
 * (int, uint, float, bool, their indirect forms, null); other types set err. */
int64_t fx_int(fx_t *fx, const fx_ref_t *r);
double fx_double(fx_t *fx, const fx_ref_t *r);
int fx_bool(fx_t *fx, const fx_ref_t *r);
#endif
