/* Bounded FlexBuffers reader (see flexbuf.h). Format facts from the FlexBuffers spec: the root is
 * the last bytes (value, packed type, byte width); a packed type is type << 2 | log2(width); a map
 * is stored as [keys offset, keys width, size] before its values, then one packed type per value. */
#include "flexbuf.h"

#include <string.h>

enum {
  FX_NULL = 0, FX_INT = 1, FX_UINT = 2, FX_FLOAT = 3, FX_IND_INT = 6, FX_IND_UINT = 7, FX_IND_FLOAT = 8,
  FX_MAP = 9, FX_BOOL = 26
};

static int fits(const fx_t *fx, uint64_t pos, uint64_t n) { return pos <= fx->len && n <= fx->len - pos; }

static uint64_t rd_uint(fx_t *fx, uint64_t pos, unsigned w) {
  uint64_t v = 0;
  unsigned i;
  if ((w != 1 && w != 2 && w != 4 && w != 8) || !fits(fx, pos, w)) {
    fx->err = 1;
    return 0;
  }
  for (i = 0; i < w; i++) v |= (uint64_t)fx->buf[pos + i] << (8 * i);
  return v;
}

static int64_t rd_int(fx_t *fx, uint64_t pos, unsigned w) {
  uint64_t v = rd_uint(fx, pos, w);
  if (w < 8 && (v >> (8 * w - 1)) & 1) v |= ~(uint64_t)0 << (8 * w); /* sign-extend */
  return (int64_t)v;
}

static double rd_float(fx_t *fx, uint64_t pos, unsigned w) {
  uint64_t v = rd_uint(fx, pos, w);
  if (w == 4) {
    uint32_t u = (uint32_t)v;
    float f;
    memcpy(&f, &u, 4);
    return f;
  }
  if (w == 8) {
    double d;
    memcpy(&d, &v, 8);
    return d;
  }
  fx->err = 1; /* half-precision floats: not written by TFLite */
  return 0.0;
}

/* Target of an offset stored at pos (offsets point backwards). */
static uint64_t indirect(fx_t *fx, uint64_t pos, unsigned w) {
  uint64_t off = rd_uint(fx, pos, w);
  if (off > pos) {
    fx->err = 1;
    return 0;
  }
  return pos - off;
}

static fx_ref_t make_ref(uint64_t pos, unsigned width, uint8_t packed) {
  fx_ref_t r;
  r.pos = (uint32_t)pos;
  r.width = (uint8_t)width;
  r.bwidth = (uint8_t)(1u << (packed & 3u));
  r.type = (uint8_t)(packed >> 2);
  return r;
}

fx_ref_t fx_root(fx_t *fx, const uint8_t *buf, uint32_t len) {
  fx_ref_t null_ref = {0, 1, 1, FX_NULL};
  unsigned w;
  fx->buf = buf, fx->len = len, fx->err = 0;
  if (!buf || len < 3) {
    fx->err = 1;
    return null_ref;
  }
  w = buf[len - 1];
  if ((w != 1 && w != 2 && w != 4 && w != 8) || len < 2u + w) {
    fx->err = 1;
    return null_ref;
  }
  return make_ref(len - 2u - w, w, buf[len - 2]);
}

fx_ref_t fx_map_get(fx_t *fx, const fx_ref_t *map, const char *key) {
  fx_ref_t null_ref = {0, 1, 1, FX_NULL};
  uint64_t data, size, keys, i;
  unsigned bw = map->bwidth, kw;
  size_t klen = strlen(key);
  if (fx->err || map->type != FX_MAP) {
    fx->err = 1;
    return null_ref;
  }
  data = indirect(fx, map->pos, map->width);
  if (fx->err || data < 3u * bw) {
    fx->err = 1;
    return null_ref;
  }
  size = rd_uint(fx, data - bw, bw);
  kw = (unsigned)rd_uint(fx, data - 2u * bw, bw);
  keys = indirect(fx, data - 3u * bw, bw);
  /* the values and their packed types must be inside the buffer, and so must the key offsets */
  if (fx->err || size > fx->len || !fits(fx, data, size * bw + size) || (kw != 1 && kw != 2 && kw != 4 && kw != 8) ||
      !fits(fx, keys, size * kw)) {
    fx->err = 1;
    return null_ref;
  }
  for (i = 0; i < size; i++) {
    uint64_t k = indirect(fx, keys + i * kw, kw);
    if (fx->err) return null_ref;
    if (fits(fx, k, klen + 1) && memcmp(fx->buf + k, key, klen) == 0 && fx->buf[k + klen] == 0)
      return make_ref(data + i * bw, bw, fx->buf[data + size * bw + i]);
  }
  return null_ref;
}

int64_t fx_int(fx_t *fx, const fx_ref_t *r) {
  double d;
  switch (r->type) {
    case FX_NULL: return 0;
    case FX_INT: return rd_int(fx, r->pos, r->width);
    case FX_UINT: case FX_BOOL: return (int64_t)rd_uint(fx, r->pos, r->width);
    case FX_IND_INT: return rd_int(fx, indirect(fx, r->pos, r->width), r->bwidth);
    case FX_IND_UINT: return (int64_t)rd_uint(fx, indirect(fx, r->pos, r->width), r->bwidth);
    case FX_FLOAT: case FX_IND_FLOAT:
      d = fx_double(fx, r);
      /* (int64_t) of an out-of-range double is undefined in C: saturate instead */
      if (!(d > -9.2e18 && d < 9.2e18)) return d > 0 ? INT64_MAX : INT64_MIN;
      return (int64_t)d;
    default: fx->err = 1; return 0;
  }
}

double fx_double(fx_t *fx, const fx_ref_t *r) {
  switch (r->type) {
    case FX_FLOAT: return rd_float(fx, r->pos, r->width);
    case FX_IND_FLOAT: return rd_float(fx, indirect(fx, r->pos, r->width), r->bwidth);
    case FX_NULL: case FX_INT: case FX_UINT: case FX_BOOL: case FX_IND_INT: case FX_IND_UINT: return (double)fx_int(fx, r);
    default: fx->err = 1; return 0.0;
  }
}

int fx_bool(fx_t *fx, const fx_ref_t *r) {
  if (r->type == FX_BOOL) return rd_uint(fx, r->pos, r->width) != 0;
  return fx_int(fx, r) != 0;
}
