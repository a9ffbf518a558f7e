/*
 * int16 LOGISTIC and TANH (16x8 quantization), bit-exact with TFLite Micro's
 * reference_integer_ops::Logistic / Tanh for int16 and their prepare (logistic_common.cc,
 * tanh_common.cc). Both tensors are symmetric (zero point 0) and the output scale is 2^-15.
 *
 * Input rescale: the input is brought to steps of 1/(3 * 4096) (so +/-2^17 covers +/-10.7):
 * multiplier = scale * 4096 * 3 in double, doubled (left_shift++) while <= 16383.5 and the shift
 * <= 30, then truncated to int32; x = (in * multiplier + round) >> left_shift. When the scale is
 * exactly 2^-12 (log2 within 1e-3 of -12) the "power of two" case takes multiplier 3, shift 0,
 * which gives the same x.
 *
 * Lookup: a 256-entry uint16 table of sigmoid(i/24) in 0.16 format, interpolated linearly on |x|
 * (9 fractional bits for LOGISTIC; TANH uses tanh(x) = 2 * sigmoid(2x) - 1 with 8 fractional
 * bits), then mirrored for negative x. TFLM ships the table as 256 literal numbers; it is
 * generated here at prepare, with double math, by the rule that reproduces every entry:
 *   F(x) = 65536 * sigmoid(x / 24)
 *   t[i] = round_half_up(F(i) + (F(i + 1/2) - (F(i) + F(i + 1)) / 2) / 2)   for i < 255
 *   t[255] = 65535 (the full-scale 0xFFFF; sigmoid(255/24) alone would round to 65534)
 * i.e. each node is raised by half the chord's sag at the interval midpoint, which halves the
 * interpolation error. The closest entry to a rounding boundary is 0.004 LSB away (i = 174), so a
 * libm exp that is off by a few ulps (any C library) gives the same table.
 */
#include "ops.h"
#include <math.h>

#if QS_WITH_INT16

typedef struct {
  uint32_t n;
  int32_t multiplier, left_shift;
  uint16_t table[256];
} act16_params_t;

static double sig_0_16(double i) { return 65536.0 / (1.0 + exp(-i / 24.0)); }

void qs_sigmoid_table_u16(uint16_t *t) {
  int i;
  for (i = 0; i < 255; i++) {
    double a = sig_0_16(i), b = sig_0_16(i + 1), mid = sig_0_16(i + 0.5);
    t[i] = (uint16_t)floor(a + (mid - (a + b) / 2.0) / 2.0 + 0.5);
  }
  t[255] = 65535;
}

/* Arithmetic shift right of a possibly negative int32 (floor), without relying on the
 * implementation-defined >> of a negative value. */
static int32_t asr(int32_t v, int s) { return v >= 0 ? v >> s : -(int32_t)((uint32_t)(-(v + 1)) >> s) - 1; }

static int32_t rescale(int32_t multiplier, int left_shift, int16_t in) {
  int32_t round = left_shift > 0 ? (int32_t)1 << (left_shift - 1) : 0;
  return asr((int32_t)in * multiplier + round, left_shift);
}

/* The element loops, shared with the LSTM gates (k_lstm.c); in and out may be the same array. */
void qs_logistic16(const uint16_t *table, int32_t multiplier, int left_shift, const int16_t *in, int16_t *out, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    int32_t x = rescale(multiplier, left_shift, in[i]);
    uint32_t a = x >= 0 ? (uint32_t)x : (uint32_t)(-x), uh = a >> 9, r;
    if (uh >= 255) {
      r = 0x7FFFu << 10; /* saturate */
    } else {
      uint32_t ua = table[uh], ub = table[uh + 1];
      r = (ua << 9) + (a & 0x1FFu) * (ub - ua); /* 9 fractional bits of |x| interpolate */
    }
    /* sigmoid(-x) = 1 - sigmoid(x); 0.16 -> 0.15 with rounding (the negative side rounds
     * down: a saturated negative input gives 1, as TFLM) */
    r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    out[i] = (int16_t)(r >> 10);
  }
}

void qs_tanh16(const uint16_t *table, int32_t multiplier, int left_shift, const int16_t *in, int16_t *out, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    int32_t x = rescale(multiplier, left_shift, in[i]), r;
    uint32_t a = x >= 0 ? (uint32_t)x : (uint32_t)(-x), uh = a >> 8;
    if (uh >= 255) {
      r = 0xFFFF << 8;
    } else {
      uint32_t ua = table[uh], ub = table[uh + 1];
      r = (int32_t)((ua << 8) + (a & 0xFFu) * (ub - ua)); /* index 2|x|: 8 fractional bits */
    }
    /* 2 * sigmoid - 1, mirrored for x < 0, 0.16 (x2) -> 0.15 */
    r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    out[i] = (int16_t)asr(r, 8);
  }
}

static void logistic16_eval(qs_model_t *m, const qs_op_t *op) {
  const act16_params_t *p = (const act16_params_t *)op->params;
  qs_logistic16(p->table, p->multiplier, p->left_shift, (const int16_t *)qs_tdata(m, op->in[0]),
                (int16_t *)qs_tdata(m, op->out), p->n);
}

static void tanh16_eval(qs_model_t *m, const qs_op_t *op) {
  const act16_params_t *p = (const act16_params_t *)op->params;
  qs_tanh16(p->table, p->multiplier, p->left_shift, (const int16_t *)qs_tdata(m, op->in[0]),
            (int16_t *)qs_tdata(m, op->out), p->n);
}

/* TFLite's CheckedLog2: log2 rounded, and whether the scale is within 1e-3 of that power of two */
static int checked_log2(float x, int *l2) {
  float v = (float)(log((double)x) / log(2.0)), r = (float)floor((double)v + 0.5);
  *l2 = (int)r;
  return fabsf(v - r) < 1e-3f;
}

qs_status_t qs_prep_sigmoid16(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  act16_params_t *p;
  qs_status_t s;
  int l2, pot;
  if (op->n_in != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "activation needs 1 input");
  if ((s = qs_need_q16(m, oi, op, 0, "input", 1)) || (s = qs_need_q16(m, oi, op, QS_OUT, "output", 1))) return s;
  if (qs_elems(in) != qs_elems(out)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (!checked_log2(out->scale, &l2) || l2 != -15)
    return qs_fail(m, QS_ERR_QUANT, oi, op->out, "int16 LOGISTIC/TANH output scale must be 2^-15 (1/32768), as TFLite Micro requires");
  if (!(p = (act16_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->n = qs_elems(in);
  pot = checked_log2(in->scale, &l2) && 12 + l2 == 0;
  if (pot) {
    p->multiplier = 3; /* TFLM: multiplier 0 at prepare, 3 << 0 at eval */
    p->left_shift = 0;
  } else {
    double mult = (double)in->scale * 4096.0 * 3.0;
    int sh = 0;
    while (mult <= 32767.0 / 2.0 && sh <= 30) {
      sh++;
      mult *= 2.0;
    }
    /* in * multiplier must fit int32 (TFLM's product would overflow): scales above ~5.3 */
    if (mult >= 65536.0)
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0],
                     "int16 LOGISTIC/TANH input scale too large (over 65535/12288): TFLite Micro's int32 rescale would overflow");
    p->multiplier = (int32_t)mult;
    p->left_shift = sh;
  }
  qs_sigmoid_table_u16(p->table);
  op->params = p;
  op->eval = op->code == OP_TANH ? tanh16_eval : logistic16_eval;
  return QS_OK;
}

/* ---- SOFTMAX int16 (TFLM reference_ops::SoftmaxInt16, softmax_common.cc) ----
 * Two 513-entry int16 tables filled at prepare exactly as TFLM's LUTPopulate<int16_t>: float32
 * arithmetic throughout, exp via expf: exp on [-10, 0] and 1/(1+x) on [0, 1], output steps of
 * 2/65535; each of the 512 nodes is corrected by half the rounding-aware midpoint error, the
 * 513th is the function at the right end (slope only). */
typedef struct {
  int outer, depth;
  int32_t mult;
  int shift;
  int16_t exp_lut[513], one_lut[513];
} softmax16_params_t;

static float f_exp(float v) { return expf(v); }
static float f_one_over_one_plus(float v) { return 1.0f / (1.0f + v); }

static int16_t clamp_q15f(float v) { return (int16_t)(v < -32768.0f ? -32768.0f : (v > 32767.0f ? 32767.0f : v)); }

static void lut_populate16(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp, float (*fn)(float), int16_t *lut) {
  const float in_min = in_scale * (float)(-32768 - in_zp), in_max = in_scale * (float)(32767 - in_zp);
  const float out_min = out_scale * (float)(-32768 - out_zp), out_max = out_scale * (float)(32767 - out_zp);
  const float step = (in_max - in_min) / 512.0f, half = step / 2.0f;
  const float inv = 65536.0f / (out_max - out_min);
  int i;
  for (i = 0; i < 512; i++) {
    const float x = in_min + (float)i * step;
    const float val = fn(x), mid = fn(x + half), next = fn(in_min + (float)(i + 1) * step);
    const float sample = roundf(val * inv);
    const float interp = roundf((next * inv + roundf(val * inv)) / 2.0f);
    const float err = interp - roundf(mid * inv);
    lut[i] = clamp_q15f(sample - roundf(err / 2.0f));
  }
  lut[512] = clamp_q15f(roundf(fn(in_max) * inv));
}

/* TFLM's int16 table lookup: 9-bit index, 7 fractional bits interpolated, rounded half up. */
static int16_t lut_lookup16(int16_t v, const int16_t *lut) {
  const int idx = 256 + asr(v, 7), off = (int)((uint16_t)v & 0x7Fu);
  const int16_t base = lut[idx], slope = (int16_t)(lut[idx + 1] - lut[idx]);
  return (int16_t)(base + asr(slope * off + 64, 7));
}

static int16_t sat16(int32_t v) { return (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v)); }

static int clz32(uint32_t x) {
  int n = 0;
  if (!x) return 32;
  while (!(x & 0x80000000u)) x <<= 1, n++;
  return n;
}

static void softmax16_eval(qs_model_t *m, const qs_op_t *op) {
  const softmax16_params_t *p = (const softmax16_params_t *)op->params;
  const int16_t *in = (const int16_t *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)qs_tdata(m, op->out);
  int i, c;
  for (i = 0; i < p->outer; i++, in += p->depth, out += p->depth) {
    int16_t mx = INT16_MIN, recip;
    int32_t sum = 0, shifted;
    int h, rs;
    for (c = 0; c < p->depth; c++) mx = in[c] > mx ? in[c] : mx;
    for (c = 0; c < p->depth; c++) { /* exp(x - max): [-65535, 0] steps map to [-10, 0] */
      int32_t d = qs_mbqm(in[c] - mx, p->mult, p->shift);
      out[c] = lut_lookup16(sat16(d + 32767), p->exp_lut); /* cached in the output, as TFLM */
      sum += out[c];
    }
    /* 1/sum: normalize sum (Q16.15) to [1, 2) in Q1.15 steps, x = sum - 1 recentred to int16 */
    h = clz32((uint32_t)sum);
    shifted = (int32_t)((((int64_t)sum << (h - 1)) + (1 << 13)) >> 14);
    recip = lut_lookup16(sat16(shifted - ((1 << 15) + (1 << 16))), p->one_lut);
    rs = 31 - h;
    for (c = 0; c < p->depth; c++) {
      int64_t r = ((int64_t)out[c] * recip + ((int64_t)1 << (rs - 1))) >> rs;
      out[c] = (int16_t)(r < 0 ? 0 : (r > 32767 ? 32767 : r));
    }
  }
}

qs_status_t qs_prep_softmax16(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  softmax16_params_t *p;
  qs_status_t s;
  double beta, real;
  int32_t mult;
  int shift;
  if ((s = qs_need_q16(m, oi, op, 0, "input", 0)) || (s = qs_need_q16(m, oi, op, QS_OUT, "output", 1))) return s;
  if (fabs((double)out->scale - 1.0 / 32768.0) > 0.001 / 32768.0)
    return qs_fail(m, QS_ERR_QUANT, oi, op->out, "int16 SOFTMAX output scale must be 1/32768, as TFLite Micro requires");
  if (in->ndims < 1 || qs_elems(in) != qs_elems(out) || in->dims[in->ndims - 1] < 1)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape differs from input");
  if (in->dims[in->ndims - 1] > 65536)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "int16 SOFTMAX over more than 65536 values (the int32 sum of exps would overflow)");
  beta = (double)fb_f32(&m->fb, &op->opts, 0, 0.0f);
  real = (double)in->scale * beta / (10.0 / 65535.0); /* [-65535, 0] input steps -> [-10, 0] */
  if (!(real > 0.0) || real > 1.0e9)
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "int16 SOFTMAX beta * input scale out of range");
  qs_quantize_multiplier(real, &mult, &shift);
  if (shift > 30 || shift < -31) return qs_fail(m, QS_ERR_QUANT, oi, op->in[0], "int16 SOFTMAX beta * input scale out of range");
  if (!(p = (softmax16_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->depth = in->dims[in->ndims - 1];
  p->outer = (int)(qs_elems(in) / (uint32_t)p->depth);
  p->mult = mult;
  p->shift = shift;
  lut_populate16(10.0f / 65535.0f, 32767, 2.0f / 65535.0f, 0, f_exp, p->exp_lut);
  lut_populate16(1.0f / 65535.0f, -32768, 2.0f / 65535.0f, 0, f_one_over_one_plus, p->one_lut);
  op->params = p;
  op->eval = softmax16_eval;
  return QS_OK;
}

#endif
