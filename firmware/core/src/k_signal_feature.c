/*
 * TFLite Micro's signal library, part 5 (signal/micro/kernels and signal/src at 90b983c2): the
 * filter bank's channels turned into features.
 * - SignalFilterBankLog: Log32 of (in << input_correction_bits) in TFLM's fixed point: integer
 *   part from the top bit, fraction by a 128-segment table, times ln 2 (45426 / 2^16), times
 *   output_scale / 2^16, each rounded half up; saturates at 32767; inputs <= 1 give 0.
 * - SignalPCAN: per channel, gain = the gain_lut polynomial at the noise estimate (int16, then read
 *   as uint32 as the reference does), snr = (in * gain) >> snr_shift, out = shrink(snr) with 12
 *   fractional bits in, 6 out (x^2/4 below 2, x - 1 above).
 */
#include <string.h>

#include "k_signal.h"
#if QS_WITH_SIGNAL /* else: left out of the image (k_signal.h) */

/* ---- SignalFilterBankLog ---- */

/* round((log2(1 + i/128) - i/128) * 2^16), i = 0..128: the correction the linear fraction needs */
static const uint16_t k_log_lut[129] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944,
    3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791,
    4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578,
    5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498,
    5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697,
    4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286,
    3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353,
    1224, 1094, 963,  830,  695,  559,  421,  282,  142,  0};

/* ln(x) * out_scale, in 16.16 fixed point steps (x >= 2) */
static uint32_t log32(uint32_t x, uint32_t out_scale) {
  uint32_t ip = qs_msb32(x) - 1, seg, loge;
  /* the part below the top bit, as 16 fractional bits */
  int32_t frac = (int32_t)(x - (uint32_t)(1ull << ip)), c0, c1, rel;
  if (ip < 16) frac <<= 16 - ip;
  else frac >>= ip - 16;
  seg = (uint32_t)frac >> 9; /* 128 segments of 512 */
  c0 = k_log_lut[seg], c1 = k_log_lut[seg + 1];
  rel = ((c1 - c0) * (frac - (int32_t)(512 * seg))) >> 16;
  loge = (uint32_t)((45426ull * ((ip << 16) + (uint32_t)(frac + c0 + rel)) + 32768u) >> 16);
  return (out_scale * loge + 32768u) >> 16; /* modulo 2^32, as the reference's uint32 product */
}

static void log_eval(qs_model_t *m, const qs_op_t *op) {
  const qs_sig_params_t *p = (const qs_sig_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    uint32_t v = qs_sig_u32(x, i) << p->shift, l = v > 1 ? log32(v, (uint32_t)p->scale) : 0;
    int16_t o = (int16_t)(l < 32767u ? l : 32767u);
    memcpy(out + 2 * (size_t)i, &o, 2);
  }
}

qs_status_t qs_prep_sig_log(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalFilterBankLog takes 1-D uint32 and outputs 1-D int16";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  qs_sig_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t bits, scale;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 1, "SignalFilterBankLog needs 1 input and 1 output")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_UINT32, 1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_INT16, 1, msg)) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) ||
      (s = qs_sig_int(m, oi, &fx, &root, "input_correction_bits", 0, 31, &bits,
                      "custom option 'input_correction_bits' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "output_scale", INT32_MIN, INT32_MAX, &scale,
                      "custom option 'output_scale' out of range")))
    return s;
  if (out->dims[0] < in->dims[0]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalFilterBankLog: output shorter than its input");
  if (!(p = qs_sig_new_params(m, op))) return QS_ERR_ARENA;
  p->n = (uint32_t)in->dims[0], p->shift = bits, p->scale = scale;
  op->eval = log_eval;
  return QS_OK;
}

/* ---- SignalPCAN ---- */

/* WideDynamicFunction: the gain at noise level x, a quadratic per octave of x from the table */
static int16_t pcan_gain(uint32_t x, const uint8_t *lut) {
  int32_t iv, frac;
  int64_t r;
  if (x <= 2) return qs_sig_i16(lut, x);
  iv = (int32_t)qs_msb32(x);
  lut += 2 * (4 * iv - 6);
  frac = (int32_t)((iv < 11 ? x << (11 - iv) : x >> (iv - 11)) & 0x3FF);
  r = ((int32_t)qs_sig_i16(lut, 2) * frac) >> 5;
  r += (int32_t)((uint32_t)(int32_t)qs_sig_i16(lut, 1) << 5);
  /* the reference's int32 products may wrap; the int16 result is the same modulo 2^16 either way */
  r *= frac;
  r = (r + (1 << 14)) >> 15;
  r += qs_sig_i16(lut, 0);
  return (int16_t)(uint16_t)(uint64_t)r;
}

static void pcan_eval(qs_model_t *m, const qs_op_t *op) {
  const qs_sig_params_t *p = (const qs_sig_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]), *noise = qs_tdata(m, op->in[1]), *lut = qs_tdata(m, op->in[2]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
  memmove(out, x, 4 * (size_t)p->a); /* TFLM copies the output's bytes from the input first */
  for (i = 0; i < p->n; i++) {
    uint32_t gain = (uint32_t)(int32_t)pcan_gain(qs_sig_u32(noise, i), lut);
    uint32_t snr = (uint32_t)(((uint64_t)qs_sig_u32(out, i) * gain) >> p->shift);
    uint32_t o = snr < (2u << 12) ? (snr * snr) >> 20 : (snr >> 6) - (1u << 6);
    memcpy(out + 4 * (size_t)i, &o, 4);
  }
}

qs_status_t qs_prep_sig_pcan(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalPCAN takes 1-D uint32 signal and noise estimate, a 1-D int16 gain table; outputs 1-D uint32";
  const qs_tensor_t *in = qs_in(m, op, 0), *noise = qs_in(m, op, 1), *lut = qs_in(m, op, 2), *out = qs_out(m);
  qs_sig_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t shift;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 3, 1, "SignalPCAN needs 3 inputs (signal, noise estimate, gain table) and 1 output")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_UINT32, 1, msg)) ||
      (s = qs_sig_need(m, oi, op->in[1], noise, QS_DT_UINT32, 1, msg)) ||
      (s = qs_sig_need(m, oi, op->in[2], lut, QS_DT_INT16, 1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_UINT32, 1, msg)) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "snr_shift", 0, 63, &shift,
                      "custom option 'snr_shift' out of range")))
    return s;
  /* a 32-bit noise level reads entries up to 4 * 32 - 6 + 2 */
  if (lut->dims[0] < 125) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "SignalPCAN: the gain table needs 125 entries");
  if (noise->dims[0] < in->dims[0] || out->dims[0] < in->dims[0] || out->dims[0] > in->dims[0])
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalPCAN: signal, noise estimate and output differ in length");
  if (!(p = qs_sig_new_params(m, op))) return QS_ERR_ARENA;
  p->n = (uint32_t)in->dims[0], p->a = (uint32_t)out->dims[0], p->shift = shift;
  op->eval = pcan_eval;
  return QS_OK;
}
#endif /* QS_WITH_SIGNAL */
