#include "fb.h"

#include <string.h>

uint32_t fb_load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint16_t load_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* 1 if [pos, pos+n) lies inside the buffer; 64-bit sum so it cannot wrap. */
static int in_bounds(const fb_t *fb, uint64_t pos, uint64_t n) { return pos + n <= fb->len; }

static fb_table_t bad(fb_t *fb) {
  fb_table_t t = {0, 0, 0, 0};
  fb->err = 1;
  return t;
}

void fb_init(fb_t *fb, const uint8_t *buf, size_t len) {
  fb->buf = buf;
  /* Flatbuffers use 32-bit offsets; larger buffers cannot be addressed. */
  fb->len = len > 0x7FFFFFF0u ? 0 : (uint32_t)len;
  fb->err = (buf == NULL || fb->len == 0 || len > 0x7FFFFFF0u) ? 1 : 0;
}

/* Validate the table at pos: its vtable (pos - soffset) and both sizes must be in bounds. */
static fb_table_t table_at(fb_t *fb, uint64_t pos) {
  fb_table_t t;
  int32_t soff;
  int64_t vt;
  if (fb->err || pos == 0 || !in_bounds(fb, pos, 4)) return bad(fb);
  soff = (int32_t)fb_load_u32(fb->buf + pos);
  vt = (int64_t)pos - (int64_t)soff;
  if (vt < 0 || !in_bounds(fb, (uint64_t)vt, 4)) return bad(fb);
  t.pos = (uint32_t)pos;
  t.vt = (uint32_t)vt;
  t.vt_size = load_u16(fb->buf + vt);
  t.size = load_u16(fb->buf + vt + 2);
  if (t.vt_size < 4 || (t.vt_size & 1) || !in_bounds(fb, t.vt, t.vt_size)) return bad(fb);
  if (t.size < 4 || !in_bounds(fb, pos, t.size)) return bad(fb);
  return t;
}

fb_table_t fb_root(fb_t *fb) {
  if (fb->err || fb->len < 8) return bad(fb);
  return table_at(fb, fb_load_u32(fb->buf));
}

/* Absolute position of a field's inline value, 0 if absent. The value must fit in the table. */
static uint32_t field_pos(fb_t *fb, const fb_table_t *t, int field, uint32_t size) {
  uint32_t vo = 4u + 2u * (uint32_t)field;
  uint16_t off;
  if (fb->err || t->pos == 0 || field < 0) return 0;
  if (vo + 2u > t->vt_size) return 0; /* older schema: field not present */
  off = load_u16(fb->buf + t->vt + vo);
  if (off == 0) return 0;
  if ((uint32_t)off + size > t->size) {
    fb->err = 1;
    return 0;
  }
  return t->pos + off;
}

int fb_has(fb_t *fb, const fb_table_t *t, int field) { return field_pos(fb, t, field, 1) != 0; }
uint32_t fb_field(fb_t *fb, const fb_table_t *t, int field, uint32_t size) {
  return field_pos(fb, t, field, size);
}

uint8_t fb_u8(fb_t *fb, const fb_table_t *t, int field, uint8_t def) {
  uint32_t p = field_pos(fb, t, field, 1);
  return p ? fb->buf[p] : def;
}
int32_t fb_i32(fb_t *fb, const fb_table_t *t, int field, int32_t def) {
  uint32_t p = field_pos(fb, t, field, 4);
  return p ? (int32_t)fb_load_u32(fb->buf + p) : def;
}
uint32_t fb_u32(fb_t *fb, const fb_table_t *t, int field, uint32_t def) {
  uint32_t p = field_pos(fb, t, field, 4);
  return p ? fb_load_u32(fb->buf + p) : def;
}
uint64_t fb_u64(fb_t *fb, const fb_table_t *t, int field, uint64_t def) {
  uint32_t p = field_pos(fb, t, field, 8);
  return p ? ((uint64_t)fb_load_u32(fb->buf + p) | ((uint64_t)fb_load_u32(fb->buf + p + 4) << 32))
           : def;
}
float fb_f32(fb_t *fb, const fb_table_t *t, int field, float def) {
  uint32_t p = field_pos(fb, t, field, 4);
  float f = def;
  uint32_t u;
  if (p) {
    u = fb_load_u32(fb->buf + p);
    memcpy(&f, &u, 4);
  }
  return f;
}

/* Follow the uoffset stored at p. */
static uint64_t deref(fb_t *fb, uint32_t p) {
  uint64_t target = (uint64_t)p + fb_load_u32(fb->buf + p);
  if (!in_bounds(fb, target, 4)) {
    fb->err = 1;
    return 0;
  }
  return target;
}

fb_table_t fb_table(fb_t *fb, const fb_table_t *t, int field) {
  fb_table_t none = {0, 0, 0, 0};
  uint32_t p = field_pos(fb, t, field, 4);
  uint64_t target;
  if (!p) return none;
  target = deref(fb, p);
  return target ? table_at(fb, target) : bad(fb);
}

fb_vec_t fb_vector(fb_t *fb, const fb_table_t *t, int field, uint32_t elem_size) {
  fb_vec_t v = {0, 0};
  uint32_t p = field_pos(fb, t, field, 4);
  uint64_t target, n;
  if (!p) return v;
  target = deref(fb, p);
  if (!target) return v;
  n = fb_load_u32(fb->buf + target);
  if (!in_bounds(fb, target + 4, n * elem_size)) {
    fb->err = 1;
    return v;
  }
  v.pos = (uint32_t)(target + 4);
  v.n = (uint32_t)n;
  return v;
}

fb_table_t fb_vec_table(fb_t *fb, const fb_vec_t *v, uint32_t i) {
  uint64_t target;
  if (fb->err || i >= v->n) return bad(fb);
  target = deref(fb, v->pos + 4 * i);
  return target ? table_at(fb, target) : bad(fb);
}

int32_t fb_vec_i32(fb_t *fb, const fb_vec_t *v, uint32_t i) {
  if (fb->err || i >= v->n) {
    fb->err = 1;
    return 0;
  }
  return (int32_t)fb_load_u32(fb->buf + v->pos + 4 * i);
}

int64_t fb_vec_i64(fb_t *fb, const fb_vec_t *v, uint32_t i) {
  const uint8_t *p;
  if (fb->err || i >= v->n) {
    fb->err = 1;
    return 0;
  }
  p = fb->buf + v->pos + 8 * i;
  return (int64_t)((uint64_t)fb_load_u32(p) | ((uint64_t)fb_load_u32(p + 4) << 32));
}

float fb_vec_f32(fb_t *fb, const fb_vec_t *v, uint32_t i) {
  float f;
  uint32_t u = (uint32_t)fb_vec_i32(fb, v, i);
  memcpy(&f, &u, 4);
  return f;
}
