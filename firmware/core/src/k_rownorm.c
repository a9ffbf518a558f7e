/*
 * Ops over the last axis, as TFLite Micro's reference kernels compute them:
 * - LOG_SOFTMAX float32: x - max - logf(sum of expf(x - max)), all in float;
 *   int8 (reference_ops::LogSoftmaxQuantized): the output must be scale 16/256, zero point 127;
 *   differences to the row's maximum in Q5.26 (beta 1), exp summed in Q12.19, the log of the
 *   sum in Q5.26 (gemmlowp's log_x_for_x_greater_than_or_equal_to_1), out = diff - log_sum
 *   rounded to Q4.3 plus 127; differences below the (tightened) radius give -128;
 * - L2_NORMALIZATION float32: x / max(sqrtf(sum of squares), 1e-6f), the sum in float;
 *   int8: x - zp times the inverse square root of the sum of squares (GetInvSqrtQuantized-
 *   MultiplierExp), written in Q0.7 whatever the output's quantization says, as TFLite Micro
 *   does. Input of at most 4 dimensions; no fused activation.
 */
#include <string.h>

#include "ops.h"

#if QS_WITH_FLOAT
#include <math.h>
#endif

typedef struct {
  int32_t code;
  uint32_t outer, depth;
  uint8_t is_float;
  int32_t in_zp, input_multiplier, input_left_shift, reverse_div, reverse_shift, diff_min;
} row_params_t;

static void log_softmax_q8(const row_params_t *p, const int8_t *in, int8_t *out) {
  uint32_t c;
  int32_t max_in = -128, log_sum, adjusted, rescaled_min;
  uint32_t sum = 0; /* Q12.19; gemmlowp's + wraps */
  for (c = 0; c < p->depth; c++) max_in = in[c] > max_in ? in[c] : max_in;
  for (c = 0; c < p->depth; c++) {
    int32_t diff = in[c] - max_in;
    if (diff >= p->diff_min)
      sum += (uint32_t)qs_rdbpot(qs_fp_exp_on_negative_values(qs_mbqm(diff, p->input_multiplier, p->input_left_shift), 5), 12);
  }
  log_sum = qs_fp_log_x_ge_1((int32_t)sum, 12, 5);
  rescaled_min = (int32_t)((uint32_t)log_sum + 0x80000000u);
  adjusted = qs_mbqm(rescaled_min, p->reverse_div, p->reverse_shift);
  if (p->diff_min - 1 > adjusted) adjusted = p->diff_min - 1;
  for (c = 0; c < p->depth; c++) {
    int32_t diff = in[c] - max_in, v = -128;
    if (diff > adjusted) {
      int32_t q5 = qs_mbqm(diff, p->input_multiplier, p->input_left_shift);
      v = qs_rdbpot((int32_t)((uint32_t)q5 - (uint32_t)log_sum), 31 - 5 - 4) + 127;
      v = v > 127 ? 127 : (v < -128 ? -128 : v);
    }
    out[c] = (int8_t)v;
  }
}

static void l2norm_q8(const row_params_t *p, const int8_t *in, int8_t *out) {
  uint32_t c, acc = 0; /* (x - zp)^2 < 2^16: safe for 2^16 terms, wraps (no UB) beyond */
  int32_t inv;
  int shift;
  for (c = 0; c < p->depth; c++) {
    int32_t v = in[c] - p->in_zp;
    acc += (uint32_t)(v * v);
  }
  inv = qs_inv_sqrt_multiplier((int32_t)acc, -1, &shift);
  for (c = 0; c < p->depth; c++) {
    int32_t v = qs_mbqm(in[c] - p->in_zp, inv, shift + 7); /* Q0.7 */
    out[c] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
  }
}

#if QS_WITH_FLOAT
static void log_softmax_f32(const row_params_t *p, const float *in, float *out) {
  float max = -3.40282347e38f, sum = 0.0f, log_sum;
  uint32_t c;
  for (c = 0; c < p->depth; c++) max = max < in[c] ? in[c] : max; /* std::max(max, x) */
  for (c = 0; c < p->depth; c++) sum += expf(in[c] - max);
  log_sum = logf(sum);
  for (c = 0; c < p->depth; c++) out[c] = in[c] - max - log_sum;
}

static void l2norm_f32(const row_params_t *p, const float *in, float *out) {
  float sq = 0.0f, norm;
  uint32_t c;
  for (c = 0; c < p->depth; c++) sq += in[c] * in[c];
  norm = sqrtf(sq);
  norm = norm < 1e-6f ? 1e-6f : norm; /* std::max(norm, epsilon) */
  for (c = 0; c < p->depth; c++) out[c] = in[c] / norm;
}
#endif

static void row_eval(qs_model_t *m, const qs_op_t *op) {
  const row_params_t *p = (const row_params_t *)op->params;
  uint8_t *x = qs_tdata(m, op->in[0]), *y = qs_tdata(m, op->out);
  uint32_t r;
  for (r = 0; r < p->outer; r++) {
#if QS_WITH_FLOAT
    if (p->is_float) {
      const float *in = (const float *)(const void *)x + (size_t)r * p->depth;
      float *out = (float *)(void *)y + (size_t)r * p->depth;
      if (p->code == OP_LOG_SOFTMAX) log_softmax_f32(p, in, out);
      else l2norm_f32(p, in, out);
      continue;
    }
#endif
    if (p->code == OP_LOG_SOFTMAX) log_softmax_q8(p, (const int8_t *)x + (size_t)r * p->depth, (int8_t *)y + (size_t)r * p->depth);
    else l2norm_q8(p, (const int8_t *)x + (size_t)r * p->depth, (int8_t *)y + (size_t)r * p->depth);
  }
}

/* PreprocessLogSoftmaxScalingExp with beta 1 and 5 integer bits, and the input radius. */
static qs_status_t log_softmax_scaling(qs_model_t *m, int oi, const qs_op_t *op, const qs_tensor_t *in, row_params_t *p) {
  double real = (double)in->scale * (double)(1 << 26), rev;
  int32_t mult, div;
  int shift, rshift;
  if (real > 2147483647.0) real = 2147483647.0;
  qs_quantize_multiplier(real, &mult, &shift);
  /* QuantizeMultiplierGreaterThanOne, and a reverse factor (1 << (31 - shift)) / mult in (0, 1) */
  if (shift < 1 || shift > 30) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "LOG_SOFTMAX input scale out of range");
  rev = (double)((int64_t)1 << (31 - shift)) / (double)mult;
  qs_quantize_multiplier(rev, &div, &rshift);
  if (!(rev > 0.0 && rev < 1.0) || rshift > 0 || rshift < -31)
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "LOG_SOFTMAX input scale out of range");
  p->input_multiplier = mult;
  p->input_left_shift = shift;
  p->reverse_div = div;
  p->reverse_shift = rshift;
  p->diff_min = -qs_input_radius(5, shift, 31);
  return QS_OK;
}

qs_status_t qs_prep_rownorm(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  row_params_t *p;
  qs_status_t s;
  int d;
  if (op->n_in != 1 || !in) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "needs 1 input");
  if (in->dtype != QS_DT_INT8 && in->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "input type not supported: LOG_SOFTMAX / L2_NORMALIZATION take float32 or int8 (as TFLite Micro)");
  if (!QS_WITH_FLOAT && in->dtype == QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
  if (out->dtype != in->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from input");
  if (in->ndims < 1 || out->ndims != in->ndims) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  for (d = 0; d < in->ndims; d++)
    if (in->dims[d] != out->dims[d]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (!(p = (row_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  memset(p, 0, sizeof(*p));
  p->code = op->code;
  p->is_float = in->dtype == QS_DT_FLOAT32;
  p->depth = (uint32_t)in->dims[in->ndims - 1];
  p->outer = p->depth ? qs_elems(in) / p->depth : 0;
  op->params = p;
  op->eval = row_eval;
  if (op->code == OP_L2_NORMALIZATION) {
    if (in->ndims > 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "L2_NORMALIZATION input has more than 4 dimensions");
    if (fb_u8(&m->fb, &op->opts, 0, 0) != ACT_NONE || m->fb.err)
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "L2_NORMALIZATION with a fused activation");
    if (!p->is_float) {
      if (!in->quantized) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "int8 input without quantization parameters");
      p->in_zp = in->zp;
    }
    return QS_OK;
  }
  if (p->is_float) return QS_OK;
  if ((s = qs_need_q8(m, oi, op, 0, "input")) || (s = qs_need_q8(m, oi, op, QS_OUT, "output"))) return s;
  if (out->scale != 16.0f / 256.0f || out->zp != 127)
    return qs_fail(m, QS_ERR_QUANT, oi, op->out, "LOG_SOFTMAX int8 output must have scale 16/256 and zero point 127");
  return log_softmax_scaling(m, oi, op, in, p);
}
