/* Typed getters and list accessors over qs_params_get (qs_params.h). */
#include <string.h>

#include "fb.h"
#include "qs_params.h"

static int is_signed_int(int t) {
  return t == QS_PARAM_INT8 || t == QS_PARAM_INT16 || t == QS_PARAM_INT32 || t == QS_PARAM_INT64;
}
static int is_unsigned_int(int t) {
  return t == QS_PARAM_UINT8 || t == QS_PARAM_UINT16 || t == QS_PARAM_UINT32 || t == QS_PARAM_UINT64;
}

qs_params_status_t qs_params_get_bool(const qs_params_t *p, const char *key, int *out) {
  qs_param_t v;
  qs_params_status_t s = qs_params_get(p, key, &v);
  if (s != QS_PARAMS_OK) return s;
  if (!out) return QS_PARAMS_ERR_ARG;
  if (v.type != QS_PARAM_BOOL) return QS_PARAMS_ERR_TYPE;
  *out = (int)v.i;
  return QS_PARAMS_OK;
}

qs_params_status_t qs_params_get_int64(const qs_params_t *p, const char *key, int64_t *out) {
  qs_param_t v;
  qs_params_status_t s = qs_params_get(p, key, &v);
  if (s != QS_PARAMS_OK) return s;
  if (!out) return QS_PARAMS_ERR_ARG;
  if (is_signed_int(v.type)) *out = v.i;
  else if (is_unsigned_int(v.type)) {
    if (v.u > (uint64_t)INT64_MAX) return QS_PARAMS_ERR_RANGE;
    *out = (int64_t)v.u;
  } else
    return QS_PARAMS_ERR_TYPE;
  return QS_PARAMS_OK;
}

qs_params_status_t qs_params_get_int32(const qs_params_t *p, const char *key, int32_t *out) {
  int64_t x;
  qs_params_status_t s = qs_params_get_int64(p, key, &x);
  if (s != QS_PARAMS_OK) return s;
  if (!out) return QS_PARAMS_ERR_ARG;
  if (x < INT32_MIN || x > INT32_MAX) return QS_PARAMS_ERR_RANGE;
  *out = (int32_t)x;
  return QS_PARAMS_OK;
}

qs_params_status_t qs_params_get_double(const qs_params_t *p, const char *key, double *out) {
  qs_param_t v;
  qs_params_status_t s = qs_params_get(p, key, &v);
  if (s != QS_PARAMS_OK) return s;
  if (!out) return QS_PARAMS_ERR_ARG;
  if (v.type == QS_PARAM_FLOAT || v.type == QS_PARAM_DOUBLE) *out = v.f;
  else if (is_signed_int(v.type)) *out = (double)v.i;
  else if (is_unsigned_int(v.type)) *out = (double)v.u;
  else
    return QS_PARAMS_ERR_TYPE;
  return QS_PARAMS_OK;
}

/* A stored float comes back exactly; a double is rounded once to nearest float. */
qs_params_status_t qs_params_get_float(const qs_params_t *p, const char *key, float *out) {
  double d;
  qs_params_status_t s = qs_params_get_double(p, key, &d);
  if (s != QS_PARAMS_OK) return s;
  if (!out) return QS_PARAMS_ERR_ARG;
  *out = (float)d;
  return QS_PARAMS_OK;
}

qs_params_status_t qs_params_get_string(const qs_params_t *p, const char *key, const char **out,
                                        uint32_t *len) {
  qs_param_t v;
  qs_params_status_t s = qs_params_get(p, key, &v);
  if (s != QS_PARAMS_OK) return s;
  if (!out) return QS_PARAMS_ERR_ARG;
  if (v.type != QS_PARAM_STR) return QS_PARAMS_ERR_TYPE;
  *out = (const char *)v.data;
  if (len) *len = v.count;
  return QS_PARAMS_OK;
}

qs_params_status_t qs_params_get_list(const qs_params_t *p, const char *key, qs_param_type_t type,
                                      qs_param_t *out) {
  qs_params_status_t s;
  if (type != QS_PARAM_STR_LIST && type != QS_PARAM_INT32_LIST && type != QS_PARAM_FLOAT_LIST &&
      type != QS_PARAM_BIN)
    return QS_PARAMS_ERR_ARG;
  s = qs_params_get(p, key, out);
  if (s != QS_PARAMS_OK) return s;
  return out->type == type ? QS_PARAMS_OK : QS_PARAMS_ERR_TYPE;
}

int32_t qs_param_i32_at(const qs_param_t *v, uint32_t i) {
  if (!v || v->type != QS_PARAM_INT32_LIST || i >= v->count) return 0;
  return (int32_t)fb_load_u32(v->data + 4u * i);
}

float qs_param_f32_at(const qs_param_t *v, uint32_t i) {
  uint32_t u;
  float f;
  if (!v || v->type != QS_PARAM_FLOAT_LIST || i >= v->count) return 0.0f;
  u = fb_load_u32(v->data + 4u * i);
  memcpy(&f, &u, 4);
  return f;
}

/* Strings of a str_list were validated by qs_params_open; bounds are checked again here. */
qs_params_status_t qs_param_str_at(const qs_params_t *p, const qs_param_t *v, uint32_t i,
                                   const char **out, uint32_t *len) {
  uint64_t at, target, n;
  if (!p || !p->dict || !v || !out || v->type != QS_PARAM_STR_LIST || i >= v->count ||
      v->data < p->dict || v->data > p->dict + p->len)
    return QS_PARAMS_ERR_ARG;
  at = (uint64_t)(v->data - p->dict) + 4u * (uint64_t)i;
  if (at + 4 > p->len) return QS_PARAMS_ERR_MALFORMED;
  target = at + fb_load_u32(p->dict + at);
  if (target + 4 > p->len) return QS_PARAMS_ERR_MALFORMED;
  n = fb_load_u32(p->dict + target);
  if (target + 4 + n + 1 > p->len || p->dict[target + 4 + n] != 0) return QS_PARAMS_ERR_MALFORMED;
  *out = (const char *)(p->dict + target + 4);
  if (len) *len = (uint32_t)n;
  return QS_PARAMS_OK;
}
