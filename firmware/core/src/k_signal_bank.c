/*
 * TFLite Micro's signal library, part 2: the mel filter bank and what follows it.
 * - SignalFilterBank: num_channels + 1 triangular channels over the uint32 energy spectrum, each
 *   bin weighted into its channel (weights) and the next (unweights): uint64 sums of
 *   int16 weight (sign-extended to 64 bits, as the reference's conversion) * energy; channel 0 is
 *   scratch and dropped. The weight and channel tables must be constants (checked at load).
 * - SignalFilterBankSquareRoot: the reference's bit-by-bit integer square root of each uint64
 *   (32-bit form when the high word is 0), rounded up when the remainder exceeds the root, then
 *   >> scale_bits (the FFT auto-scale shift, read at invoke; the shift count is taken mod 32 as
 *   x86 does for the reference's 32-bit shift).
 * - SignalFilterBankSpectralSubtraction: a per-channel noise estimate smoothed over invocations
 *   (even channels `smoothing`, odd ones `alternate_smoothing`, fixed point with
 *   spectral_subtraction_bits), subtracted from the signal (scaled up by smoothing_bits) but never
 *   below min_signal_remaining of it; output 1 is the noise estimate. The estimate is state (zeroed
 *   at load and by qs_reset_state, as TFLM's Reset).
 */
#include <string.h>

#include "k_signal.h"
#if QS_WITH_SIGNAL /* else: left out of the image (k_signal.h) */

/* ---- SignalFilterBank ---- */

typedef struct {
  int32_t channels;
  const int16_t *weights, *unweights, *starts, *wstarts, *widths; /* aligned (qs_alloc copies) */
} bank_params_t;

static void bank_eval(qs_model_t *m, const qs_op_t *op) {
  const bank_params_t *p = (const bank_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint64_t acc = 0, next = 0;
  int32_t c, j;
  for (c = 0; c <= p->channels; c++) {
    const uint8_t *bins = x + 4 * (size_t)p->starts[c];
    const int16_t *w = p->weights + p->wstarts[c], *u = p->unweights + p->wstarts[c];
    for (j = 0; j < p->widths[c]; j++) {
      uint32_t e;
      memcpy(&e, bins + 4 * (size_t)j, 4);
      acc += (uint64_t)(int64_t)w[j] * e;
      next += (uint64_t)(int64_t)u[j] * e;
    }
    if (c > 0) memcpy(out + 8 * (size_t)(c - 1), &acc, 8); /* channel 0 is the reference's scratch */
    acc = next;
    next = 0;
  }
}

/* Constant int16 vector input i with at least `min` entries, as an aligned copy in the arena. */
static const int16_t *table(qs_model_t *m, int oi, const qs_op_t *op, int i, int32_t min) {
  const qs_tensor_t *t = qs_in(m, op, i);
  int16_t *copy;
  if (!t->data) {
    qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[i], "SignalFilterBank: weights and channel tables must be constant");
    return NULL;
  }
  if (t->dims[0] < min) {
    qs_fail(m, QS_ERR_SHAPE, oi, op->in[i], "SignalFilterBank: a channel table is shorter than num_channels + 1");
    return NULL;
  }
  if ((copy = (int16_t *)qs_alloc(m, t->bytes))) memcpy(copy, t->data, t->bytes);
  return copy;
}

qs_status_t qs_prep_sig_filter_bank(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalFilterBank takes 1-D uint32 energy and five 1-D int16 tables; outputs 1-D uint64";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  bank_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t ch, c, nw, nin;
  qs_status_t s;
  int i;
  if ((s = qs_sig_arity(m, oi, op, 6, 1, "SignalFilterBank needs 6 inputs (energy, weights, unweights, channel starts, weight starts, widths)")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_UINT32, 1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_UINT64, 1, msg)))
    return s;
  for (i = 1; i < 6; i++)
    if ((s = qs_sig_need(m, oi, op->in[i], qs_in(m, op, i), QS_DT_INT16, 1, msg))) return s;
  if ((s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "num_channels", 1, 0x7FFF, &ch,
                      "custom option 'num_channels' out of range"))) return s;
  if (out->dims[0] != ch) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalFilterBank: output length is not num_channels");
  if (!(p = (bank_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  p->channels = ch;
  if (!(p->weights = table(m, oi, op, 1, 0)) || !(p->unweights = table(m, oi, op, 2, 0)) ||
      !(p->starts = table(m, oi, op, 3, ch + 1)) || !(p->wstarts = table(m, oi, op, 4, ch + 1)) ||
      !(p->widths = table(m, oi, op, 5, ch + 1)))
    return m->err->status;
  /* every channel's bins and weights inside their tensors */
  nw = qs_in(m, op, 1)->dims[0] < qs_in(m, op, 2)->dims[0] ? qs_in(m, op, 1)->dims[0] : qs_in(m, op, 2)->dims[0];
  nin = in->dims[0];
  for (c = 0; c <= ch; c++)
    if (p->starts[c] < 0 || p->wstarts[c] < 0 || p->widths[c] < 0 || p->starts[c] + p->widths[c] > nin ||
        p->wstarts[c] + p->widths[c] > nw)
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[3], "SignalFilterBank: a channel reaches past the spectrum or the weights");
  op->params = p;
  op->eval = bank_eval;
  return QS_OK;
}

/* ---- SignalFilterBankSquareRoot ---- */

/* Sqrt32: one result bit per step from the top, then round up if the remainder exceeds the root */
static uint16_t sqrt32(uint32_t num) {
  uint32_t res = 0, bit;
  int top, steps;
  if (num == 0) return 0;
  top = (int)(32 - qs_msb32(num)) | 1;
  bit = 1u << (31 - top);
  steps = (31 - top) / 2 + 1;
  while (steps--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != 0xFFFF) ++res;
  return (uint16_t)res;
}

static uint32_t msb64(uint64_t x) {
  uint32_t n = 0;
  while (x) x >>= 1, n++;
  return n;
}

static uint32_t sqrt64(uint64_t num) {
  uint64_t res = 0, bit;
  int top, steps;
  if ((num >> 32) == 0) return sqrt32((uint32_t)num); /* the reference's 32-bit shortcut */
  top = (int)(64 - msb64(num)) | 1;
  bit = 1ull << (63 - top);
  steps = (63 - top) / 2 + 1;
  while (steps--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != 0xFFFFFFFFull) ++res;
  return (uint32_t)res;
}

static void sqrt_eval(qs_model_t *m, const qs_op_t *op) {
  uint32_t n = *(const uint32_t *)op->params, i;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  int32_t bits;
  memcpy(&bits, qs_tdata(m, op->in[1]), 4);
  for (i = 0; i < n; i++) {
    uint64_t v;
    uint32_t r;
    memcpy(&v, x + 8 * (size_t)i, 8);
    r = sqrt64(v) >> ((uint32_t)bits & 31u);
    memcpy(out + 4 * (size_t)i, &r, 4);
  }
}

qs_status_t qs_prep_sig_sqrt(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalFilterBankSquareRoot takes 1-D uint64 and a scalar int32 shift; outputs 1-D uint32";
  const qs_tensor_t *in = qs_in(m, op, 0), *sc = qs_in(m, op, 1), *out = qs_out(m);
  uint32_t *n;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 2, 1, "SignalFilterBankSquareRoot needs 2 inputs (channels, scale bits) and 1 output")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_UINT64, 1, msg)) || (s = qs_sig_need(m, oi, op->in[1], sc, QS_DT_INT32, 0, msg)) ||
      (s = qs_sig_need(m, oi, op->out, out, QS_DT_UINT32, 1, msg)))
    return s;
  if (out->dims[0] < in->dims[0]) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalFilterBankSquareRoot: output shorter than its input");
  if (!(n = (uint32_t *)qs_alloc(m, sizeof(*n)))) return QS_ERR_ARENA;
  *n = (uint32_t)in->dims[0];
  op->params = n;
  op->eval = sqrt_eval;
  return QS_OK;
}

/* ---- SignalFilterBankSpectralSubtraction ---- */

typedef struct {
  uint32_t n, smoothing[2], one_minus[2], min_remaining, smoothing_bits, bits;
  int clamping;
  uint32_t *noise; /* state: num_channels estimates */
} subtract_params_t;

static void subtract_eval(qs_model_t *m, const qs_op_t *op) {
  const subtract_params_t *p = (const subtract_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  uint32_t i;
  for (i = 0; i < p->n; i++) {
    uint32_t v, up, est, floor_, sub, o;
    memcpy(&v, x + 4 * (size_t)i, 4);
    up = v << p->smoothing_bits;
    p->noise[i] = (uint32_t)(((uint64_t)up * p->smoothing[i & 1] + (uint64_t)p->noise[i] * p->one_minus[i & 1]) >> p->bits);
    est = p->noise[i];
    if (est > up) { /* the estimate never takes the signal below 0 */
      est = up;
      if (p->clamping) p->noise[i] = est;
    }
    floor_ = (uint32_t)(((uint64_t)v * p->min_remaining) >> p->bits);
    sub = (up - est) >> p->smoothing_bits;
    o = sub > floor_ ? sub : floor_;
    memcpy(out + 4 * (size_t)i, &o, 4);
  }
  memcpy(qs_tdata(m, op->outs[1]), p->noise, 4 * (size_t)p->n);
}

qs_status_t qs_prep_sig_spectral_sub(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalFilterBankSpectralSubtraction takes 1-D uint32; outputs 1-D uint32 signal and noise estimate";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  qs_tensor_t noise;
  subtract_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t ch, v[8];
  fx_ref_t r;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 2, "SignalFilterBankSpectralSubtraction needs 1 input and 2 outputs")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_UINT32, 1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_UINT32, 1, msg)) ||
      (s = qs_out_k(m, op, 1, &noise)) || (s = qs_sig_need(m, oi, op->outs[1], &noise, QS_DT_UINT32, 1, msg)) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "num_channels", 1, 0x7FFF, &ch,
                      "custom option 'num_channels' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "smoothing", INT32_MIN, INT32_MAX, &v[0],
                      "custom option 'smoothing' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "alternate_smoothing", INT32_MIN, INT32_MAX, &v[1],
                      "custom option 'alternate_smoothing' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "one_minus_smoothing", INT32_MIN, INT32_MAX, &v[2],
                      "custom option 'one_minus_smoothing' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "alternate_one_minus_smoothing", INT32_MIN, INT32_MAX, &v[3],
                      "custom option 'alternate_one_minus_smoothing' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "min_signal_remaining", INT32_MIN, INT32_MAX, &v[4],
                      "custom option 'min_signal_remaining' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "smoothing_bits", 0, 31, &v[5],
                      "custom option 'smoothing_bits' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "spectral_subtraction_bits", 0, 63, &v[6],
                      "custom option 'spectral_subtraction_bits' out of range")))
    return s;
  r = fx_map_get(&fx, &root, "clamping");
  v[7] = fx_bool(&fx, &r);
  if (fx.err) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options are not a valid FlexBuffers map of numbers");
  if (in->dims[0] < ch || out->dims[0] != ch || noise.dims[0] != ch)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalFilterBankSpectralSubtraction: input or outputs differ from num_channels");
  if (!(p = (subtract_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  if (!(p->noise = (uint32_t *)qs_state_alloc(m, 4 * (size_t)ch))) return QS_ERR_ARENA;
  p->n = (uint32_t)ch;
  p->smoothing[0] = (uint32_t)v[0], p->smoothing[1] = (uint32_t)v[1];
  p->one_minus[0] = (uint32_t)v[2], p->one_minus[1] = (uint32_t)v[3];
  p->min_remaining = (uint32_t)v[4], p->smoothing_bits = (uint32_t)v[5], p->bits = (uint32_t)v[6];
  p->clamping = v[7];
  op->params = p;
  op->eval = subtract_eval;
  return QS_OK;
}
#endif /* QS_WITH_SIGNAL */
