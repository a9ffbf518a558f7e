/*
 * SOFTMAX and LOGISTIC int8, bit-exact with TFLite Micro (reference_ops::Softmax with gemmlowp
 * fixed point, reference_integer_ops::Logistic). Both need the output quantized with
 * scale 1/256 and zero point -128, as TFLite Micro enforces.
 */
#include "ops.h"
#include "wasm_simd.h"

typedef struct {
  int outer, depth, out16; /* out16: int16 output (TFLM's int8 -> int16 SOFTMAX, Q0.16) */
  int32_t input_multiplier, input_left_shift, diff_min;
} softmax_params_t;

typedef struct {
  uint32_t n;
  int32_t in_zp, radius, multiplier, left_shift;
#if QS_WASM_SIMD
  int8_t lut[256]; /* host build: the output for every int8 input, filled at prepare */
#endif
} logistic_params_t;

static void softmax_eval(qs_model_t *m, const qs_op_t *op) {
  const softmax_params_t *p = (const softmax_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int16_t *out16 = (int16_t *)(void *)out;
  /* the output type's bits, minimum and maximum: Q0.8 (int8) or Q0.16 (int16) steps from min */
  const int bits = p->out16 ? 16 : 8;
  const int32_t omin = p->out16 ? -32768 : -128, omax = p->out16 ? 32767 : 127;
  int i, c;
  for (i = 0; i < p->outer; i++, in += p->depth) {
    int32_t max_in = -128, scale;
    uint32_t sum = 0; /* Q12.19; wraps (instead of UB) only for absurd depths */
    int bits_over_unit;
    for (c = 0; c < p->depth; c++) max_in = in[c] > max_in ? in[c] : max_in;
    for (c = 0; c < p->depth; c++) {
      int32_t diff = in[c] - max_in;
      if (diff >= p->diff_min) {
        /* diff * beta in Q5.26, exp in Q0, accumulated in Q12.19 */
        int32_t scaled = qs_srdhm((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
        sum += (uint32_t)qs_rdbpot(qs_fp_exp_on_negative_values(scaled, 5), 12);
      }
    }
    scale = qs_get_reciprocal((int32_t)sum, 12, &bits_over_unit);
    for (c = 0; c < p->depth; c++) {
      int32_t diff = in[c] - max_in, v = omin;
      if (diff >= p->diff_min) {
        int32_t scaled = qs_srdhm((int32_t)((uint32_t)diff << p->input_left_shift), p->input_multiplier);
        int32_t e = qs_fp_exp_on_negative_values(scaled, 5);
        int sh = bits_over_unit + 31 - bits;
        int32_t prod = qs_srdhm(scale, e);
        v = (sh > 31 ? (prod < 0 ? -1 : 0) : qs_rdbpot(prod, sh)) + omin;
        v = v > omax ? omax : (v < omin ? omin : v);
      }
      if (p->out16)
        out16[(size_t)i * p->depth + c] = (int16_t)v;
      else
        out[(size_t)i * p->depth + c] = (int8_t)v;
    }
  }
}

/* SOFTMAX: TFLite Micro wants zero point -128 and scale 1/256 within 0.1 %. LOGISTIC: only the
 * zero point is checked; the kernel writes Q0.8 whatever the scale says. */
static qs_status_t check_prob_output(qs_model_t *m, int oi, const qs_op_t *op) {
  const qs_tensor_t *out = qs_out(m);
  const float unit = 1.0f / 256.0f;
  if (op->code == OP_LOGISTIC) {
    if (out->zp != -128) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "LOGISTIC output zero point must be -128");
    return QS_OK;
  }
  if (out->zp != -128 || !(out->scale >= unit - 0.001f * unit && out->scale <= unit + 0.001f * unit))
    return qs_fail(m, QS_ERR_QUANT, oi, op->out, "SOFTMAX output must have scale 1/256 and zero point -128");
  return QS_OK;
}

qs_status_t qs_prep_softmax(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  softmax_params_t *p;
  qs_status_t s;
  double beta, real;
  int32_t mult;
  int shift;
  if (op->n_in != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "SOFTMAX needs 1 input");
  if ((s = qs_opts(m, oi, op, OPT_SOFTMAX, 0)) != QS_OK) return s;
#if QS_WITH_INT16
  if (in && in->dtype == QS_DT_INT16) return qs_prep_softmax16(m, oi, op);
#endif
  if ((s = qs_need_q8(m, oi, op, 0, "input"))) return s;
  if (out->dtype == QS_DT_INT16) {
    /* int8 -> int16 (softmax_common.cc): zero point -32768, scale 1/65536 within 0.1 % */
    const float unit = 1.0f / 65536.0f;
    if (!out->quantized || out->zp != -32768 || !(out->scale >= unit - 0.001f * unit && out->scale <= unit + 0.001f * unit))
      return qs_fail(m, QS_ERR_QUANT, oi, op->out, "int16 SOFTMAX output of an int8 input must have scale 1/65536 and zero point -32768");
  } else if ((s = qs_need_q8(m, oi, op, QS_OUT, "output")) || (s = check_prob_output(m, oi, op))) {
    return s;
  }
  if (in->ndims < 1 || qs_elems(in) != qs_elems(out) || in->dims[in->ndims - 1] < 1)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (!(p = (softmax_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->depth = in->dims[in->ndims - 1];
  p->out16 = out->dtype == QS_DT_INT16;
  p->outer = (int)(qs_elems(in) / (uint32_t)p->depth);
  beta = (double)fb_f32(&m->fb, &op->opts, 0, 0.0f);
  /* PreprocessSoftmaxScaling with 5 integer bits for the scaled difference */
  real = beta * (double)in->scale * (double)(1 << 26);
  if (real > 2147483647.0) real = 2147483647.0;
  if (!(real > 1.0)) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "beta * input scale too small for int8 softmax");
  qs_quantize_multiplier(real, &mult, &shift);
  /* TFLM clamps the real multiplier to 2^31 - 1, so the shift can reach 31; the radius is then
   * 0 and only the maximum itself (diff 0) is exponentiated: the kernel stays defined. */
  if (shift < 0 || shift > 31) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "softmax input scale out of range");
  p->input_multiplier = mult;
  p->input_left_shift = shift;
  p->diff_min = -qs_input_radius(5, shift, 31);
  op->params = p;
  op->eval = softmax_eval;
  return QS_OK;
}

static int8_t logistic_one(const logistic_params_t *p, int8_t in) {
  int32_t x = in - p->in_zp, v;
  if (x <= -p->radius) return -128;
  if (x >= p->radius) return 127;
  v = qs_rdbpot(qs_fp_logistic(qs_mbqm(x, p->multiplier, p->left_shift) /* Q4.27 */, 4), 23) - 128; /* 1/256 steps */
  return (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
}

static void logistic_eval(qs_model_t *m, const qs_op_t *op) {
  const logistic_params_t *p = (const logistic_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) out[i] = logistic_one(p, in[i]);
}

#if QS_WASM_SIMD
/* Host build: the fixed-point pipeline once per possible input at prepare, a lookup at eval. */
static void logistic_eval_lut(qs_model_t *m, const qs_op_t *op) {
  const logistic_params_t *p = (const logistic_params_t *)op->params;
  const int8_t *in = (const int8_t *)qs_tdata(m, op->in[0]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) out[i] = p->lut[in[i] + 128];
}
#endif

qs_status_t qs_prep_logistic(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  logistic_params_t *p;
  qs_status_t s;
  double q;
  int shift;
  int64_t qf;
  if (op->n_in != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "LOGISTIC needs 1 input");
#if QS_WITH_INT16
  if (in && in->dtype == QS_DT_INT16) return qs_prep_sigmoid16(m, oi, op);
#endif
  if ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_q8(m, oi, op, QS_OUT, "output"))) return s;
  if ((s = check_prob_output(m, oi, op))) return s;
  if (qs_elems(in) != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (!(p = (logistic_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n = qs_elems(in);
  p->in_zp = in->zp;
  /* input scale in Q4.27: frexp + round, without QuantizeMultiplier's carry fix (as TFLM) */
  q = qs_frexp((double)in->scale * (double)(1 << 27), &shift);
  qf = (int64_t)qs_round(q * 2147483648.0);
  if (qf > INT32_MAX || shift > 30 || shift < -30)
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "logistic input scale out of range");
  p->multiplier = (int32_t)qf;
  p->left_shift = shift;
  p->radius = shift >= 0 ? qs_input_radius(4, shift, 31) : INT32_MAX;
  op->params = p;
  op->eval = logistic_eval;
#if QS_WASM_SIMD
  {
    int v;
    for (v = -128; v < 128; v++) p->lut[v + 128] = logistic_one(p, (int8_t)v);
    op->eval = logistic_eval_lut;
  }
#endif
  return QS_OK;
}
