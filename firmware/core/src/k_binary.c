/*
 * Binary (and ternary) element-wise ops with numpy broadcasting, as TFLite Micro's reference
 * kernels compute them:
 * - SQUARED_DIFFERENCE: float32 and int32 (d * d, int32 wrapping); int8 / int16 quantized
 *   (squared_difference.cc: inputs shifted left by 7 (int8) or 0 (int16), rescaled to twice the
 *   larger input scale, the difference squared in int32 and rescaled to the output);
 * - MAXIMUM / MINIMUM: raw values compared (a > b ? a : b), float32, int8, int16, int32, int64;
 * - DIV: float32 (a / b, then the fused activation clamp, whose NONE range is +-FLT_MAX as in
 *   CalculateActivationRange), int32 (truncating, clamped) and int8 (div.h: reciprocal of the
 *   divisor by GetReciprocal, the dividend normalized by its sign bits, one rescale);
 * - PRELU: x >= 0 ? x : x * alpha; int8 and int16 inputs (int8 alpha) with two multipliers;
 * - LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL: bool output; int8 inputs are
 *   compared after rescaling (shifted left by 8, each times its own scale as a multiplier below
 *   one), other types raw;
 * - LOGICAL_AND / LOGICAL_OR over bools; SELECT_V2 (condition ? x : y) for float32, int8, int16;
 * - FLOOR_DIV (floor of the double quotient) and FLOOR_MOD (fmodf, moved to the divisor's sign),
 *   float32 only as in TFLite Micro. A zero divisor stops TFLM's FLOOR_DIV invoke with an error;
 *   this core cannot fail an invoke and writes the IEEE result (+-inf or NaN).
 * Division by zero, which TFLite Micro leaves undefined for integers, is defined here: int32 gives
 * 0, int8 gives the clamp bound of the dividend's sign (the output zero point for 0 / 0).
 */
#include <string.h>

#include "ops.h"

#if QS_WITH_FLOAT
#include <math.h>
#endif

typedef struct {
  int32_t code;
  uint8_t t_a, t_b, t_out, esize, quant, n_in;
  uint32_t n;
  int32_t dims[QS_MAX_DIMS], st[3][QS_MAX_DIMS]; /* output dims; input strides, 0 where broadcast */
  int32_t off1, off2, out_zp, m1, m2, mo, lo, hi;
  int s1, s2, so, left_shift;
  float flo, fhi;
} bin_params_t;

static int64_t ld(const uint8_t *p, uint8_t t, uint32_t i) {
  int16_t h;
  int32_t w;
  int64_t d;
  switch (t) {
    case QS_DT_INT8: return (int8_t)p[i];
    case QS_DT_UINT8: return p[i];
    case QS_DT_BOOL: return p[i] != 0;
    case QS_DT_INT16: memcpy(&h, p + 2 * i, 2); return h;
    case QS_DT_INT32: memcpy(&w, p + 4 * i, 4); return w;
    default: memcpy(&d, p + 8 * i, 8); return d;
  }
}

static void st(uint8_t *p, uint8_t t, uint32_t i, int64_t v) {
  int16_t h = (int16_t)v;
  int32_t w = (int32_t)v;
  switch (t) {
    case QS_DT_INT8: case QS_DT_UINT8: case QS_DT_BOOL: p[i] = (uint8_t)v; break;
    case QS_DT_INT16: memcpy(p + 2 * i, &h, 2); break;
    case QS_DT_INT32: memcpy(p + 4 * i, &w, 4); break;
    default: memcpy(p + 8 * i, &v, 8); break;
  }
}

/* MultiplyByQuantizedMultiplierSmallerThanOneExp */
static int32_t mul_below_one(int32_t x, int32_t mult, int shift) { return qs_rdbpot(qs_srdhm(x, mult), -shift); }

static int compare(int32_t code, int64_t a, int64_t b) {
  switch (code) {
    case OP_LESS: return a < b;
    case OP_LESS_EQUAL: return a <= b;
    case OP_GREATER: return a > b;
    case OP_GREATER_EQUAL: return a >= b;
    case OP_EQUAL: return a == b;
    default: return a != b;
  }
}

static int32_t clamp(const bin_params_t *p, int32_t v) { return v < p->lo ? p->lo : (v > p->hi ? p->hi : v); }

static int32_t div_q8(const bin_params_t *p, int32_t a, int32_t b) {
  int32_t num = a + p->off1, den = b + p->off2, inv, q;
  int recip_shift, headroom, total;
  if (den == 0) return clamp(p, num > 0 ? p->hi : (num < 0 ? p->lo : p->out_zp));
  if (den < 0) num = -num, den = -den; /* the reciprocal needs a positive divisor */
  inv = qs_get_reciprocal(den, 31, &recip_shift);
  /* CountLeadingSignBits: the dividend is normalized before the high multiply */
  for (headroom = 0; headroom < 31 && (((uint32_t)(num < 0 ? ~num : num) << headroom) & 0x40000000u) == 0; headroom++) {
  }
  q = qs_srdhm((int32_t)((uint32_t)num << headroom), inv);
  total = p->so - recip_shift - headroom;
  /* a rounding shift of 32 or more, or a negative one, is undefined in the reference (extreme
   * scale ratios only): here it is capped at 31 and floored at 0 */
  if (total < -31) total = -31;
  return clamp(p, p->out_zp + (total < 0 ? mul_below_one(q, p->mo, total) : qs_srdhm(q, p->mo)));
}

static int64_t int_op(const bin_params_t *p, int64_t a, int64_t b) {
  int32_t x, y, d;
  switch (p->code) {
    case OP_MAXIMUM: return a > b ? a : b;
    case OP_MINIMUM: return a < b ? a : b;
    case OP_LOGICAL_AND: return a && b;
    case OP_LOGICAL_OR: return a || b;
    case OP_SQUARED_DIFFERENCE:
      if (!p->quant) {
        d = (int32_t)((uint32_t)a - (uint32_t)b);
        return (int32_t)((uint32_t)d * (uint32_t)d);
      }
      x = mul_below_one((int32_t)(a + p->off1) * (1 << p->left_shift), p->m1, p->s1);
      y = mul_below_one((int32_t)(b + p->off2) * (1 << p->left_shift), p->m2, p->s2);
      d = x - y;
      return clamp(p, qs_mbqm((int32_t)((uint32_t)d * (uint32_t)d), p->mo, p->so) + p->out_zp);
    case OP_PRELU:
      x = (int32_t)a + p->off1;
      if (x >= 0) return clamp(p, qs_mbqm(x, p->m1, p->s1) + p->out_zp);
      return clamp(p, qs_mbqm(x * ((int32_t)b + p->off2), p->m2, p->s2) + p->out_zp);
    default: /* OP_DIV */
      if (p->quant) return div_q8(p, (int32_t)a, (int32_t)b);
      if (b == 0) return 0;
      x = (int32_t)a, y = (int32_t)b;
      return clamp(p, (x == INT32_MIN && y == -1) ? INT32_MIN : x / y);
  }
}

#if QS_WITH_FLOAT
static float ldf(const uint8_t *p, uint32_t i) {
  float f;
  memcpy(&f, p + 4 * i, 4);
  return f;
}

static float float_op(const bin_params_t *p, float a, float b) {
  float r;
  switch (p->code) {
    case OP_MAXIMUM: return a > b ? a : b;
    case OP_MINIMUM: return a < b ? a : b;
    case OP_SQUARED_DIFFERENCE: r = a - b; return r * r;
    case OP_PRELU: return a >= 0.0f ? a : a * b;
    case OP_FLOOR_DIV: return (float)floor((double)a / (double)b);
    case OP_FLOOR_MOD:
      r = fmodf(a, b);
      return (r != 0.0f && ((b < 0.0f) != (r < 0.0f))) ? r + b : r;
    default: /* OP_DIV: std::min(std::max(q, lo), hi); NaN passes through */
      r = a / b;
      r = r < p->flo ? p->flo : r;
      return p->fhi < r ? p->fhi : r;
  }
}
#endif

static void element(const bin_params_t *p, const uint8_t *x, const uint8_t *y, const uint8_t *z, const uint32_t *o,
                    uint8_t *out, uint32_t i) {
  int64_t a, b;
  int is_cmp = p->t_out == QS_DT_BOOL && p->code != OP_LOGICAL_AND && p->code != OP_LOGICAL_OR;
  if (p->code == OP_SELECT_V2) {
    memcpy(out + (size_t)i * p->esize, x[o[0]] ? y + (size_t)o[1] * p->esize : z + (size_t)o[2] * p->esize, p->esize);
    return;
  }
#if QS_WITH_FLOAT
  if (p->t_a == QS_DT_FLOAT32) {
    float fa = ldf(x, o[0]), fb = ldf(y, o[1]), r;
    if (is_cmp) {
      switch (p->code) {
        case OP_LESS: out[i] = fa < fb; break;
        case OP_LESS_EQUAL: out[i] = fa <= fb; break;
        case OP_GREATER: out[i] = fa > fb; break;
        case OP_GREATER_EQUAL: out[i] = fa >= fb; break;
        case OP_EQUAL: out[i] = fa == fb; break;
        default: out[i] = fa != fb; break;
      }
      return;
    }
    r = float_op(p, fa, fb);
    memcpy(out + 4 * (size_t)i, &r, 4);
    return;
  }
#endif
  a = ld(x, p->t_a, o[0]);
  b = ld(y, p->t_b, o[1]);
  if (is_cmp) {
    if (p->quant) {
      a = mul_below_one((int32_t)(a + p->off1) * (1 << p->left_shift), p->m1, p->s1);
      b = mul_below_one((int32_t)(b + p->off2) * (1 << p->left_shift), p->m2, p->s2);
    }
    out[i] = (uint8_t)compare(p->code, a, b);
    return;
  }
  st(out, p->t_out, i, int_op(p, a, b));
}

static void binary_eval(qs_model_t *m, const qs_op_t *op) {
  const bin_params_t *p = (const bin_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]), *y = qs_tdata(m, op->in[1]);
  const uint8_t *z = p->n_in > 2 ? qs_tdata(m, op->in[2]) : NULL;
  uint8_t *out = qs_tdata(m, op->out);
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, o[3] = {0, 0, 0};
  int d, k;
  for (i = 0; i < p->n; i++) {
    element(p, x, y, z, o, out, i);
    /* odometer over the output index, innermost dimension last */
    for (d = QS_MAX_DIMS - 1; d >= 0; d--) {
      for (k = 0; k < 3; k++) o[k] += (uint32_t)p->st[k][d];
      if (++idx[d] < p->dims[d]) break;
      for (k = 0; k < 3; k++) o[k] -= (uint32_t)p->st[k][d] * (uint32_t)p->dims[d];
      idx[d] = 0;
    }
  }
}

/* Broadcast shape of the inputs (right-aligned, each dimension 1 or the largest; a 0 makes it 0)
 * must be the output's; fills dims and the strides. */
static qs_status_t plan(qs_model_t *m, int oi, const qs_op_t *op, bin_params_t *p) {
  const qs_tensor_t *out = qs_out(m);
  int d, k;
  for (d = 0; d < QS_MAX_DIMS; d++) {
    int32_t want = 1, mn = -1, od = d < QS_MAX_DIMS - out->ndims ? 1 : out->dims[d - (QS_MAX_DIMS - out->ndims)];
    for (k = 0; k < p->n_in; k++) {
      const qs_tensor_t *t = qs_in(m, op, k);
      int32_t v = d < QS_MAX_DIMS - t->ndims ? 1 : t->dims[d - (QS_MAX_DIMS - t->ndims)];
      if (v > want) want = v;
      if (mn < 0 || v < mn) mn = v;
    }
    if (mn == 0) want = 0;
    for (k = 0; k < p->n_in; k++) {
      const qs_tensor_t *t = qs_in(m, op, k);
      int32_t v = d < QS_MAX_DIMS - t->ndims ? 1 : t->dims[d - (QS_MAX_DIMS - t->ndims)];
      if (v != 1 && v != want) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[k], "input shapes do not broadcast");
    }
    if (od != want) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the broadcast shape of the inputs");
    p->dims[d] = want;
  }
  for (k = 0; k < p->n_in; k++) {
    const qs_tensor_t *t = qs_in(m, op, k);
    int32_t s = 1;
    for (d = QS_MAX_DIMS - 1; d >= 0; d--) {
      int32_t v = d < QS_MAX_DIMS - t->ndims ? 1 : t->dims[d - (QS_MAX_DIMS - t->ndims)];
      p->st[k][d] = v == 1 ? 0 : s;
      s *= v;
    }
  }
  p->n = qs_elems(out);
  return QS_OK;
}

static qs_status_t need_quant(qs_model_t *m, int oi, int ti, const qs_tensor_t *t) {
  if (!t->quantized || !(t->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "quantized tensor without a positive scale");
  return QS_OK;
}

/* QuantizeMultiplierSmallerThanOneExp: TFLite aborts unless 0 < real < 1. */
static qs_status_t below_one(qs_model_t *m, int oi, int ti, double real, int32_t *mult, int *shift) {
  qs_quantize_multiplier(real, mult, shift);
  if (!(real > 0.0 && real < 1.0) || *shift > 0 || *shift < -31)
    return qs_fail(m, QS_ERR_QUANT, oi, ti, "input rescale factor outside (0, 1)");
  return QS_OK;
}

static qs_status_t prep_quant(qs_model_t *m, int oi, const qs_op_t *op, bin_params_t *p) {
  const qs_tensor_t *a = qs_in(m, op, 0), *b = qs_in(m, op, 1), *out = qs_out(m);
  qs_status_t s;
  int32_t sh;
  int is_cmp = p->t_out == QS_DT_BOOL;
  if ((s = need_quant(m, oi, op->in[0], a)) || (s = need_quant(m, oi, op->in[1], b))) return s;
  if (!is_cmp && (s = need_quant(m, oi, op->out, out))) return s;
  p->quant = 1;
  p->off1 = -a->zp, p->off2 = -b->zp;
  p->out_zp = is_cmp ? 0 : out->zp;
  p->lo = p->t_out == QS_DT_INT16 ? -32768 : -128;
  p->hi = p->t_out == QS_DT_INT16 ? 32767 : 127;
  if (is_cmp) {
    p->left_shift = 8;
    if ((s = below_one(m, oi, op->in[0], (double)a->scale, &p->m1, &p->s1)) ||
        (s = below_one(m, oi, op->in[1], (double)b->scale, &p->m2, &p->s2)))
      return s;
    return QS_OK;
  }
  if (p->code == OP_SQUARED_DIFFERENCE) {
    double twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    if (p->t_a == QS_DT_INT16 && (a->zp != 0 || b->zp != 0 || out->zp != 0))
      return qs_fail(m, QS_ERR_QUANT, oi, op->out, "int16 SQUARED_DIFFERENCE needs zero points of 0");
    p->left_shift = p->t_a == QS_DT_INT8 ? 7 : 0;
    if ((s = below_one(m, oi, op->in[0], (double)a->scale / twice_max, &p->m1, &p->s1)) ||
        (s = below_one(m, oi, op->in[1], (double)b->scale / twice_max, &p->m2, &p->s2)))
      return s;
    /* the denominator is a float product in the reference: (1 << 2 * left_shift) * output scale */
    if ((s = qs_multiplier(m, oi, op->out, twice_max * twice_max / (double)((float)(1 << (2 * p->left_shift)) * out->scale),
                           &p->mo, &sh)))
      return s;
    p->so = sh;
    return QS_OK;
  }
  if (p->code == OP_PRELU) {
    if ((s = qs_multiplier(m, oi, op->out, (double)a->scale / (double)out->scale, &p->m1, &sh))) return s;
    p->s1 = sh;
    if ((s = qs_multiplier(m, oi, op->out, (double)a->scale * (double)b->scale / (double)out->scale, &p->m2, &sh)))
      return s;
    p->s2 = sh;
    return QS_OK;
  }
  /* DIV int8: the rescale factor is computed in float, then widened */
  if ((s = qs_multiplier(m, oi, op->out, (double)(a->scale / (b->scale * out->scale)), &p->mo, &sh))) return s;
  p->so = sh;
  return qs_act_range(m, oi, fb_u8(&m->fb, &op->opts, 0, 0), out, &p->lo, &p->hi);
}

qs_status_t qs_prep_binary(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *a, *b, *out = qs_out(m);
  bin_params_t *p;
  qs_status_t s;
  int select = op->code == OP_SELECT_V2, k, act;
  int cmp = op->code == OP_LESS || op->code == OP_LESS_EQUAL || op->code == OP_GREATER || op->code == OP_GREATER_EQUAL ||
            op->code == OP_EQUAL || op->code == OP_NOT_EQUAL;
  if (op->n_in != (select ? 3 : 2)) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, select ? "SELECT_V2 needs 3 inputs" : "needs 2 inputs");
  for (k = 0; k < op->n_in; k++)
    if (!qs_in(m, op, k)) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "an input is missing");
  a = qs_in(m, op, select ? 1 : 0);
  b = qs_in(m, op, select ? 2 : 1);
  if (!qs_binary_type_ok(op->code, a->dtype)) {
    int no_float = !QS_WITH_FLOAT && a->dtype == QS_DT_FLOAT32 && op->code != OP_LOGICAL_AND && op->code != OP_LOGICAL_OR;
    return qs_fail(m, no_float ? QS_ERR_UNSUPPORTED : QS_ERR_TYPE, oi, op->in[select ? 1 : 0],
                   no_float ? "float32 kernels are not in this build (QS_WITH_FLOAT=0)" : qs_binary_type_msg(op->code));
  }
#if !QS_WITH_FLOAT
  if (a->dtype == QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
#endif
  /* PRELU's alpha is int8 for int8 and int16 inputs; every other pair has one type */
  if ((op->code == OP_PRELU && (a->dtype == QS_DT_INT8 || a->dtype == QS_DT_INT16)) ? b->dtype != QS_DT_INT8
                                                                                     : b->dtype != a->dtype)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[select ? 2 : 1], "input types differ");
  if (select && qs_in(m, op, 0)->dtype != QS_DT_BOOL) return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "SELECT_V2 condition must be bool");
  if (cmp ? out->dtype != QS_DT_BOOL : out->dtype != a->dtype)
    return qs_fail(m, QS_ERR_TYPE, oi, op->out, cmp ? "comparison output must be bool" : "output type differs from the inputs");
  if (!(p = (bin_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  memset(p, 0, sizeof(*p));
  p->code = op->code;
  p->n_in = op->n_in;
  p->t_a = a->dtype, p->t_b = b->dtype, p->t_out = out->dtype;
  p->esize = (uint8_t)(a->dtype == QS_DT_FLOAT32 ? 4 : (a->dtype == QS_DT_INT16 ? 2 : 1));
  if ((s = plan(m, oi, op, p))) return s;
  p->lo = INT32_MIN, p->hi = INT32_MAX;
  act = fb_u8(&m->fb, &op->opts, 0, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  /* quantized arithmetic: int8 and int16 except MAXIMUM / MINIMUM and SELECT_V2 (raw values) */
  if (!select && op->code != OP_MAXIMUM && op->code != OP_MINIMUM && (a->dtype == QS_DT_INT8 || a->dtype == QS_DT_INT16)) {
    if ((s = prep_quant(m, oi, op, p))) return s;
  } else if (op->code == OP_DIV && a->dtype == QS_DT_INT32) {
    /* CalculateActivationRange<int32_t> */
    if (act < ACT_NONE || act > ACT_RELU6) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
    if (act != ACT_NONE) p->lo = act == ACT_RELU_N1_TO_1 ? -1 : 0;
    if (act == ACT_RELU6 || act == ACT_RELU_N1_TO_1) p->hi = act == ACT_RELU6 ? 6 : 1;
  }
#if QS_WITH_FLOAT
  if (op->code == OP_DIV && a->dtype == QS_DT_FLOAT32) {
    p->flo = -3.40282347e38f, p->fhi = 3.40282347e38f;
    switch (act) {
      case ACT_NONE: break;
      case ACT_RELU: p->flo = 0.0f; break;
      case ACT_RELU6: p->flo = 0.0f, p->fhi = 6.0f; break;
      case ACT_RELU_N1_TO_1: p->flo = -1.0f, p->fhi = 1.0f; break;
      default: return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
    }
  }
#endif
  op->params = p;
  op->eval = binary_eval;
  return QS_OK;
}
