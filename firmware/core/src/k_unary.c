/*
 * One-input element-wise ops, as TFLite Micro's reference kernels compute them:
 * - CAST between int8, int16, int32, uint32, float32 and bool inputs and int8, int16, int32, uint32,
 *   float32 outputs: static_cast of the raw values (no quantization). Integers narrow modulo
 *   2^bits; a float converts by truncation through int32 as x86 does (cvttss2si: NaN and values
 *   outside int32 give INT32_MIN), then narrows; to uint32 through int64 (the low 32 bits; NaN and
 *   values outside int64 give 0); the goldens come from x86;
 * - ABS: float32 fabsf; int8 and quantized int16: |x - zp_in|, rescaled when the scales differ,
 *   plus zp_out, clamped; unquantized int16: abs wrapping (-32768 stays -32768);
 * - RSQRT: float32 1 / sqrtf(x); int8: GetInvSqrtQuantizedMultiplierExp of x - zp_in, shifted
 *   by 20 to keep it an integer, rescaled by 1 / (sqrt(in_scale) * out_scale); an input at the
 *   zero point gives 127. Below the zero point TFLite Micro stops the invoke with an error; this
 *   core cannot fail an invoke and writes 127 there too;
 * - float32 only: NEG, SQRT, EXP, LOG, SIN, COS (the C library's float functions), SQUARE, FLOOR,
 *   CEIL, ROUND (half to even, RoundToNearest);
 * - ELU: float32 x < 0 ? expm1f(x) : x; int8 through a 256-entry table built at prepare with the
 *   reference's float arithmetic (so int8 ELU needs QS_WITH_FLOAT: it calls expf);
 * - LOGICAL_NOT over bools.
 */
#include <string.h>

#include "ops.h"

#if QS_WITH_FLOAT
#include <math.h>
#endif

typedef struct {
  int32_t code;
  uint32_t n;
  uint8_t t_in, t_out, quant, rescale;
  int32_t in_zp, out_zp, mult, lo, hi;
  int shift;
  int8_t lut[256]; /* ELU int8 */
} unary_params_t;

static int64_t ld(const uint8_t *p, uint8_t t, uint32_t i) {
  int16_t h;
  int32_t w;
  switch (t) {
    case QS_DT_INT8: return (int8_t)p[i];
    case QS_DT_BOOL: return p[i] != 0;
    case QS_DT_INT16: memcpy(&h, p + 2 * i, 2); return h;
    case QS_DT_UINT32: memcpy(&w, p + 4 * i, 4); return (uint32_t)w;
    default: memcpy(&w, p + 4 * i, 4); return w;
  }
}

static void st(uint8_t *p, uint8_t t, uint32_t i, int64_t v) {
  int16_t h = (int16_t)(uint16_t)(uint64_t)v;
  int32_t w = (int32_t)(uint32_t)(uint64_t)v;
  switch (t) {
    case QS_DT_INT8: case QS_DT_BOOL: p[i] = (uint8_t)(uint64_t)v; break;
    case QS_DT_INT16: memcpy(p + 2 * i, &h, 2); break;
    default: memcpy(p + 4 * i, &w, 4); break;
  }
}

static int32_t rsqrt_q(const unary_params_t *p, int32_t x) {
  int32_t v = x - p->in_zp, inv, data, out;
  int ish;
  if (v <= 0) return p->hi;
  inv = qs_inv_sqrt_multiplier(v, -1, &ish);
  data = qs_mbqm(1, inv, ish + 20);
  out = qs_mbqm(data, p->mult, p->shift - 20) + p->out_zp;
  return out < p->lo ? p->lo : (out > p->hi ? p->hi : out);
}

static int32_t abs_q(const unary_params_t *p, int32_t x) {
  int32_t v = x - p->in_zp;
  v = v < 0 ? -v : v;
  v = (p->rescale ? qs_mbqm(v, p->mult, p->shift) : v) + p->out_zp;
  return v < p->lo ? p->lo : (v > p->hi ? p->hi : v);
}

#if QS_WITH_FLOAT
/* static_cast<int32_t>(float) on x86 (cvttss2si): truncation, and the "integer indefinite"
 * INT32_MIN for NaN and out-of-range values */
static int32_t f2i_x86(float f) {
  if (f >= -2147483648.0f && f < 2147483648.0f) return (int32_t)f;
  return INT32_MIN;
}
/* static_cast<uint32_t>(float) on x86-64: a 64-bit cvttss2si, low 32 bits */
static uint32_t f2u_x86(float f) {
  if (f > -9.2e18f && f < 9.2e18f) return (uint32_t)(uint64_t)(int64_t)f;
  return 0;
}

static float round_half_even(float v) {
  float fl = floorf(v), diff = v - fl;
  if (diff < 0.5f || (diff == 0.5f && ((int32_t)fl % 2) == 0)) return fl;
  return fl + 1.0f;
}

static float float_op(int32_t code, float x) {
  switch (code) {
    case OP_ABS: return fabsf(x);
    case OP_NEG: return -x;
    case OP_SQRT: return sqrtf(x);
    case OP_RSQRT: return 1.0f / sqrtf(x);
    case OP_EXP: return expf(x);
    case OP_LOG: return logf(x);
    case OP_SIN: return sinf(x);
    case OP_COS: return cosf(x);
    case OP_SQUARE: return x * x;
    case OP_FLOOR: return floorf(x);
    case OP_CEIL: return ceilf(x);
    case OP_ROUND: return round_half_even(x);
    default: /* OP_ELU */ return x < 0.0f ? expm1f(x) : x;
  }
}
#endif

static void unary_eval(qs_model_t *m, const qs_op_t *op) {
  const unary_params_t *p = (const unary_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
#if QS_WITH_FLOAT
  if (p->t_in == QS_DT_FLOAT32 || p->t_out == QS_DT_FLOAT32) {
    for (i = 0; i < p->n; i++) {
      float f;
      if (p->t_in != QS_DT_FLOAT32) { /* CAST int -> float */
        f = (float)ld(x, p->t_in, i); /* int64 holds every input exactly: one rounding, as static_cast */
        memcpy(out + 4 * (size_t)i, &f, 4);
        continue;
      }
      memcpy(&f, x + 4 * (size_t)i, 4);
      if (p->code == OP_CAST && p->t_out != QS_DT_FLOAT32) {
        st(out, p->t_out, i, p->t_out == QS_DT_UINT32 ? (int64_t)f2u_x86(f) : f2i_x86(f));
        continue;
      }
      if (p->code != OP_CAST) f = float_op(p->code, f);
      memcpy(out + 4 * (size_t)i, &f, 4);
    }
    return;
  }
#endif
  for (i = 0; i < p->n; i++) {
    int64_t v = ld(x, p->t_in, i);
    switch (p->code) {
      case OP_CAST: break;
      case OP_LOGICAL_NOT: v = !v; break;
      case OP_ELU: v = p->lut[(uint8_t)(int8_t)v]; break;
      case OP_RSQRT: v = rsqrt_q(p, (int32_t)v); break;
      default: /* OP_ABS */
        v = p->quant ? abs_q(p, (int32_t)v) : (v < 0 ? -v : v);
        break;
    }
    st(out, p->t_out, i, v);
  }
}

static int cast_in_ok(uint8_t t) {
  return t == QS_DT_INT8 || t == QS_DT_INT16 || t == QS_DT_INT32 || t == QS_DT_UINT32 || t == QS_DT_FLOAT32 ||
         t == QS_DT_BOOL;
}

/* input types per op, as TFLite Micro's prepare and eval accept them */
static int type_ok(int32_t code, uint8_t t) {
  switch (code) {
    case OP_CAST: return cast_in_ok(t);
    case OP_ABS: return t == QS_DT_FLOAT32 || t == QS_DT_INT8 || t == QS_DT_INT16;
    case OP_RSQRT: case OP_ELU: return t == QS_DT_FLOAT32 || t == QS_DT_INT8;
    case OP_LOGICAL_NOT: return t == QS_DT_BOOL;
    default: return t == QS_DT_FLOAT32;
  }
}

/* The refusal names the input types TFLite Micro's kernel takes. */
static const char *type_msg(int32_t code) {
  switch (code) {
    case OP_CAST: return "input type not supported: CAST takes int8, int16, int32, uint32, float32 or bool (as TFLite Micro)";
    case OP_ABS: return "input type not supported: ABS takes float32, int8 or int16 (as TFLite Micro)";
    case OP_RSQRT: return "input type not supported: RSQRT takes float32 or int8 (as TFLite Micro)";
    case OP_ELU: return "input type not supported: ELU takes float32 or int8 (as TFLite Micro)";
    case OP_LOGICAL_NOT: return "input type not supported: LOGICAL_NOT takes bool";
    default: return "input type not supported: TFLite Micro has this op for float32 only";
  }
}

#if QS_WITH_FLOAT
/* PopulateLookupTable (elu.cc): dequantize in float, transform, TfLiteRound(y / out_scale) + zp */
static void elu_table(unary_params_t *p, const qs_tensor_t *in, const qs_tensor_t *out) {
  const float inverse_scale = 1.0f / out->scale;
  int32_t v;
  for (v = -128; v <= 127; v++) {
    float dq = in->scale * (float)(v - in->zp);
    float y = dq < 0.0f ? expf(dq) - 1.0f : dq;
    float r = qs_roundf(y * inverse_scale) + (float)out->zp;
    int32_t q = r >= 127.0f ? 127 : (r <= -128.0f ? -128 : (int32_t)r);
    p->lut[(uint8_t)(int8_t)v] = (int8_t)q;
  }
}
#endif

qs_status_t qs_prep_unary(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  unary_params_t *p;
  qs_status_t s;
  int32_t sh;
  if (op->n_in != 1 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "needs 1 input");
  if (!type_ok(op->code, in->dtype)) return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], type_msg(op->code));
  if (op->code == OP_CAST ? !(out->dtype == QS_DT_INT8 || out->dtype == QS_DT_INT16 || out->dtype == QS_DT_INT32 ||
                              out->dtype == QS_DT_UINT32 || out->dtype == QS_DT_FLOAT32)
                          : out->dtype != in->dtype)
    return qs_fail(m, QS_ERR_TYPE, oi, op->out, op->code == OP_CAST ? "CAST output type not supported" : "output type differs from input");
  if (!QS_WITH_FLOAT && (in->dtype == QS_DT_FLOAT32 || out->dtype == QS_DT_FLOAT32 || op->code == OP_ELU))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
  if (qs_elems(in) != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (!(p = (unary_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  memset(p, 0, sizeof(*p));
  p->code = op->code;
  p->n = qs_elems(in);
  p->t_in = in->dtype, p->t_out = out->dtype;
  p->lo = in->dtype == QS_DT_INT16 ? -32768 : -128;
  p->hi = in->dtype == QS_DT_INT16 ? 32767 : 127;
  op->params = p;
  op->eval = unary_eval;
  if (op->code == OP_CAST || in->dtype == QS_DT_FLOAT32 || in->dtype == QS_DT_BOOL) return QS_OK;
  /* int8 ABS / RSQRT / ELU and quantized int16 ABS need affine quantization on both sides */
  if (in->dtype == QS_DT_INT16 && !in->quantized) return QS_OK; /* plain integer ABS */
  if (!in->quantized || !out->quantized || !(in->scale > 0.0f) || !(out->scale > 0.0f))
    return qs_fail(m, QS_ERR_QUANT, oi, in->quantized ? op->out : op->in[0], "quantized tensor without a positive scale");
  p->quant = 1;
  p->in_zp = in->zp, p->out_zp = out->zp;
  if (in->dtype == QS_DT_INT16 && (in->zp != 0 || out->zp != 0))
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "int16 ABS needs zero points of 0");
  if (op->code == OP_ABS) {
    p->rescale = in->scale != out->scale;
    if (p->rescale && (s = qs_multiplier(m, oi, op->out, (double)(in->scale / out->scale), &p->mult, &sh))) return s;
    p->shift = p->rescale ? sh : 0;
    return QS_OK;
  }
  if (op->code == OP_RSQRT) {
    /* 1 / (sqrt(in_scale) * out_scale): the product in float, its inverse in double */
    if ((s = qs_multiplier(m, oi, op->out, 1.0 / (double)(qs_sqrtf(in->scale) * out->scale), &p->mult, &sh))) return s;
    if (sh - 20 < -31) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "RSQRT scales out of range");
    p->shift = sh;
    return QS_OK;
  }
#if QS_WITH_FLOAT
  elu_table(p, in, out);
#endif
  return QS_OK;
}
