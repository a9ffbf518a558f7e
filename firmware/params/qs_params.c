/* SL_PARAMSv1 reader (qs_params.h). Every read goes through the bounds-checked fb reader. */
#include "qs_params.h"

#include <string.h>

#include "fb.h"

#define TAG "SL_PARAMSv1"
#define SCHEMA_VERSION 1
/* tflite Model fields */
#define MODEL_BUFFERS 4
#define MODEL_METADATA 6

/* A flatbuffer string referenced by the uoffset at `at`: bounds and NUL terminator checked. */
static int string_at(fb_t *fb, uint32_t at, const uint8_t **s, uint32_t *n) {
  uint64_t target, len;
  if (fb->err || (uint64_t)at + 4 > fb->len) return 0;
  target = (uint64_t)at + fb_load_u32(fb->buf + at);
  if (target + 4 > fb->len) return 0;
  len = fb_load_u32(fb->buf + target);
  if (target + 4 + len + 1 > fb->len || fb->buf[target + 4 + len] != 0) return 0;
  *s = fb->buf + target + 4;
  *n = (uint32_t)len;
  return 1;
}

/* A string field of table t (absent: empty string). */
static int string_field(fb_t *fb, const fb_table_t *t, int field, const uint8_t **s, uint32_t *n) {
  uint32_t p = fb_field(fb, t, field, 4);
  static const uint8_t empty[1] = {0};
  if (fb->err) return 0;
  if (!p) {
    *s = empty;
    *n = 0;
    return 1;
  }
  return string_at(fb, p, s, n);
}

static uint64_t load_u64(const uint8_t *b) {
  return (uint64_t)fb_load_u32(b) | ((uint64_t)fb_load_u32(b + 4) << 32);
}

static const uint8_t scalar_size[17] = {0, 1, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8};

/* Decodes one entry's value (scalars sign/zero-extended, floats widened exactly). */
static qs_params_status_t decode(fb_t *fb, const fb_table_t *e, qs_param_t *out) {
  int type = fb_u8(fb, e, 1, 0);
  fb_table_t v = fb_table(fb, e, 2);
  memset(out, 0, sizeof *out);
  out->type = (qs_param_type_t)type;
  if (fb->err) return QS_PARAMS_ERR_MALFORMED;
  if (type < QS_PARAM_BOOL || type > QS_PARAM_BIN) return QS_PARAMS_OK; /* unknown: skipped */
  if (v.pos == 0) return QS_PARAMS_ERR_MISSING_KEY; /* typed entry without a value (host drops it) */
  if (type <= QS_PARAM_DOUBLE) {
    uint32_t p = fb_field(fb, &v, 0, scalar_size[type]);
    const uint8_t *b = fb->buf + p;
    uint64_t raw = 0;
    uint32_t u32;
    float f32;
    if (fb->err) return QS_PARAMS_ERR_MALFORMED;
    if (p) { /* absent field = schema default 0 */
      switch (scalar_size[type]) {
        case 1: raw = b[0]; break;
        case 2: raw = (uint64_t)(b[0] | (b[1] << 8)); break;
        case 4: raw = fb_load_u32(b); break;
        default: raw = load_u64(b); break;
      }
    }
    switch (type) {
      case QS_PARAM_BOOL: out->i = raw != 0; break;
      case QS_PARAM_INT8: out->i = (int8_t)raw; break;
      case QS_PARAM_INT16: out->i = (int16_t)raw; break;
      case QS_PARAM_INT32: out->i = (int32_t)(uint32_t)raw; break;
      case QS_PARAM_INT64: memcpy(&out->i, &raw, 8); break;
      case QS_PARAM_FLOAT:
        u32 = (uint32_t)raw;
        memcpy(&f32, &u32, 4);
        out->f = f32;
        break;
      case QS_PARAM_DOUBLE: memcpy(&out->f, &raw, 8); break;
      default: out->u = raw; break; /* unsigned types */
    }
    return QS_PARAMS_OK;
  }
  if (type == QS_PARAM_STR) {
    if (!string_field(fb, &v, 0, &out->data, &out->count)) return QS_PARAMS_ERR_MALFORMED;
    return QS_PARAMS_OK;
  }
  {
    uint32_t elem = type == QS_PARAM_BIN ? 1u : 4u, i;
    fb_vec_t vec = fb_vector(fb, &v, 0, elem);
    const uint8_t *s;
    uint32_t n;
    if (fb->err) return QS_PARAMS_ERR_MALFORMED;
    out->data = fb->buf + vec.pos;
    out->count = vec.n;
    if (type == QS_PARAM_STR_LIST)
      for (i = 0; i < vec.n; i++)
        if (!string_at(fb, vec.pos + 4 * i, &s, &n)) return QS_PARAMS_ERR_MALFORMED;
  }
  return QS_PARAMS_OK;
}

qs_params_status_t qs_params_open(qs_params_t *p, const uint8_t *dict, size_t len) {
  fb_t fb;
  fb_table_t root, e;
  fb_vec_t entries;
  qs_param_t v;
  const uint8_t *key;
  uint32_t klen, i;
  int version;
  if (!p || !dict) return QS_PARAMS_ERR_ARG;
  memset(p, 0, sizeof *p);
  fb_init(&fb, dict, len);
  root = fb_root(&fb);
  version = fb_u8(&fb, &root, 0, 0);
  entries = fb_vector(&fb, &root, 1, 4);
  if (fb.err) return QS_PARAMS_ERR_MALFORMED;
  if (version != SCHEMA_VERSION) return QS_PARAMS_ERR_VERSION;
  for (i = 0; i < entries.n; i++) {
    e = fb_vec_table(&fb, &entries, i);
    if (fb.err || !string_field(&fb, &e, 0, &key, &klen)) return QS_PARAMS_ERR_MALFORMED;
    qs_params_status_t s = decode(&fb, &e, &v);
    if (s == QS_PARAMS_ERR_MALFORMED) return s;
  }
  p->dict = dict;
  p->len = fb.len;
  p->entries_pos = entries.pos;
  p->n_entries = entries.n;
  return QS_PARAMS_OK;
}

qs_params_status_t qs_params_find(qs_params_t *p, const uint8_t *model, size_t model_len) {
  fb_t fb;
  fb_table_t root, meta, buf;
  fb_vec_t metas, bufs, data;
  const uint8_t *name;
  uint32_t nlen, i, index;
  if (!p || !model) return QS_PARAMS_ERR_ARG;
  memset(p, 0, sizeof *p);
  fb_init(&fb, model, model_len);
  root = fb_root(&fb);
  metas = fb_vector(&fb, &root, MODEL_METADATA, 4);
  bufs = fb_vector(&fb, &root, MODEL_BUFFERS, 4);
  if (fb.err) return QS_PARAMS_ERR_MODEL;
  for (i = 0; i < metas.n; i++) {
    meta = fb_vec_table(&fb, &metas, i);
    if (fb.err || !string_field(&fb, &meta, 0, &name, &nlen)) return QS_PARAMS_ERR_MODEL;
    if (nlen != sizeof TAG - 1 || memcmp(name, TAG, nlen) != 0) continue;
    index = fb_u32(&fb, &meta, 1, 0);
    if (fb.err || index >= bufs.n) return QS_PARAMS_ERR_MODEL;
    buf = fb_vec_table(&fb, &bufs, index);
    data = fb_vector(&fb, &buf, 0, 1);
    if (fb.err) return QS_PARAMS_ERR_MODEL;
    if (data.n > 0) return qs_params_open(p, model + data.pos, data.n);
    {
      /* Models over 2 GB keep buffers after the flatbuffer: offset/size (fields 1, 2). */
      uint64_t off = fb_u64(&fb, &buf, 1, 0), size = fb_u64(&fb, &buf, 2, 0);
      if (fb.err || off <= 1 || size == 0 || off > model_len || size > model_len - off)
        return QS_PARAMS_ERR_MALFORMED; /* empty or unreachable dictionary */
      return qs_params_open(p, model + off, (size_t)size);
    }
  }
  return QS_PARAMS_ERR_NO_PARAMS;
}

/* The entry table i of a validated dictionary (through a fresh checked reader). */
static fb_table_t entry_at(const qs_params_t *p, fb_t *fb, uint32_t i) {
  fb_vec_t entries;
  fb_init(fb, p->dict, p->len);
  entries.pos = p->entries_pos;
  entries.n = p->n_entries;
  return fb_vec_table(fb, &entries, i);
}

qs_params_status_t qs_params_entry(const qs_params_t *p, uint32_t i, const char **key, uint32_t *len,
                                   int *type) {
  fb_t fb;
  fb_table_t e;
  const uint8_t *k;
  uint32_t n;
  if (!p || !p->dict || i >= p->n_entries) return QS_PARAMS_ERR_ARG;
  e = entry_at(p, &fb, i);
  if (fb.err || !string_field(&fb, &e, 0, &k, &n)) return QS_PARAMS_ERR_MALFORMED;
  if (key) *key = (const char *)k;
  if (len) *len = n;
  if (type) *type = fb_u8(&fb, &e, 1, 0);
  return fb.err ? QS_PARAMS_ERR_MALFORMED : QS_PARAMS_OK;
}

qs_params_status_t qs_params_get(const qs_params_t *p, const char *key, qs_param_t *out) {
  fb_t fb;
  fb_table_t e;
  const char *k;
  uint32_t n, i;
  int type, found = -1;
  size_t want;
  if (!p || !p->dict || !key || !out) return QS_PARAMS_ERR_ARG;
  want = strlen(key);
  for (i = 0; i < p->n_entries; i++) {
    qs_params_status_t s = qs_params_entry(p, i, &k, &n, &type);
    if (s != QS_PARAMS_OK) return s;
    if (n == want && memcmp(k, key, n) == 0 && type >= QS_PARAM_BOOL && type <= QS_PARAM_BIN)
      found = (int)i;
  }
  if (found < 0) return QS_PARAMS_ERR_MISSING_KEY;
  e = entry_at(p, &fb, (uint32_t)found);
  return decode(&fb, &e, out);
}

const char *qs_params_status_str(qs_params_status_t s) {
  switch (s) {
    case QS_PARAMS_OK: return "ok";
    case QS_PARAMS_ERR_ARG: return "bad argument";
    case QS_PARAMS_ERR_MODEL: return "malformed .tflite flatbuffer";
    case QS_PARAMS_ERR_NO_PARAMS: return "model has no SL_PARAMSv1 parameters";
    case QS_PARAMS_ERR_MALFORMED: return "SL_PARAMSv1 dictionary truncated or corrupted";
    case QS_PARAMS_ERR_VERSION: return "unsupported SL_PARAMSv1 schema_version";
    case QS_PARAMS_ERR_MISSING_KEY: return "no parameter with that key";
    case QS_PARAMS_ERR_TYPE: return "parameter has another type";
    case QS_PARAMS_ERR_RANGE: return "parameter value out of range for the requested type";
  }
  return "unknown status";
}
