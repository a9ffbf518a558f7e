/*
 * Bounds-checked FlatBuffers reader. The model bytes are untrusted: every offset, vtable and
 * vector length is checked against the buffer before it is dereferenced, and the first
 * failure latches fb_t.err so callers can chain reads and test once.
 */
#ifndef QS_FB_H
#define QS_FB_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *buf;
  uint32_t len;
  int err; /* sticky: nonzero after the first out-of-bounds or malformed read */
} fb_t;

typedef struct {
  uint32_t pos;     /* table start (0 = absent/invalid) */
  uint32_t vt;      /* vtable start */
  uint16_t vt_size; /* vtable bytes */
  uint16_t size;    /* inline table bytes */
} fb_table_t;

typedef struct {
  uint32_t pos; /* first element */
  uint32_t n;   /* element count */
} fb_vec_t;

void fb_init(fb_t *fb, const uint8_t *buf, size_t len);
fb_table_t fb_root(fb_t *fb);

/* Scalar fields with schema defaults (absent -> default). */
uint8_t fb_u8(fb_t *fb, const fb_table_t *t, int field, uint8_t def);
int32_t fb_i32(fb_t *fb, const fb_table_t *t, int field, int32_t def);
uint32_t fb_u32(fb_t *fb, const fb_table_t *t, int field, uint32_t def);
uint64_t fb_u64(fb_t *fb, const fb_table_t *t, int field, uint64_t def);
float fb_f32(fb_t *fb, const fb_table_t *t, int field, float def);

/* Sub-table / vector fields. Absent -> pos 0 (table) or n 0 (vector), not an error. */
fb_table_t fb_table(fb_t *fb, const fb_table_t *t, int field);
fb_vec_t fb_vector(fb_t *fb, const fb_table_t *t, int field, uint32_t elem_size);
int fb_has(fb_t *fb, const fb_table_t *t, int field);
/* Absolute position of a field's inline value of `size` bytes, 0 if absent; a value that overruns
 * its table sets err. For scalar types without a getter here (int16, double, ...). */
uint32_t fb_field(fb_t *fb, const fb_table_t *t, int field, uint32_t size);

/* Elements of vectors (index checked against n). */
fb_table_t fb_vec_table(fb_t *fb, const fb_vec_t *v, uint32_t i);
int32_t fb_vec_i32(fb_t *fb, const fb_vec_t *v, uint32_t i);
int64_t fb_vec_i64(fb_t *fb, const fb_vec_t *v, uint32_t i);
float fb_vec_f32(fb_t *fb, const fb_vec_t *v, uint32_t i);

/* Unaligned little-endian loads (no bounds check: callers checked). */
uint32_t fb_load_u32(const uint8_t *p);
#endif
