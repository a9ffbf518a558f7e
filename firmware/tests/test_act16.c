/*
 * int16 LOGISTIC, TANH (k_act16.c) and SOFTMAX: the sigmoid table against TFLite Micro's, cases
 * worked out by hand from TFLM's int16 reference arithmetic, and sweeps over every int16 input
 * against the real functions (the rule each case tests is written beside it).
 */
#include <math.h>

#include "int16_harness.h"

void qs_sigmoid_table_u16(uint16_t *t); /* core/src/k_act16.c */

/* Rule: the generated table is TFLM's sigmoid_table_uint16 (common.h). Spot entries read from it:
 * 0 (exactly 0.5), 4 and 8 (where round(65536 * sigmoid(i/24)) alone is 1 too low), 174 (the entry
 * closest to a rounding boundary, 0.004 LSB), 254 and 255 (full scale 65535); every entry within
 * 1.2 of 65536 * sigmoid(i/24) (entry 35 is the farthest, 1.11 above) and the table non-decreasing. */
void test_sigmoid_table(void) {
  static const int idx[7] = {0, 1, 4, 8, 174, 254, 255};
  static const uint16_t want[7] = {32768, 33451, 35493, 38180, 65489, 65534, 65535};
  uint16_t t[256];
  int i;
  qs_sigmoid_table_u16(t);
  for (i = 0; i < 7; i++) CHECK(t[idx[i]] == want[i], "sigmoid table[%d]: got %u want %u", idx[i], t[idx[i]], want[i]);
  for (i = 0; i < 256; i++) {
    double f = 65536.0 / (1.0 + exp(-i / 24.0));
    CHECK(fabs(t[i] - f) < 1.2, "sigmoid table[%d] = %u, far from %.3f", i, t[i], f);
    if (i) CHECK(t[i] >= t[i - 1], "sigmoid table not monotone at %d", i);
  }
}

/* Run LOGISTIC (14) or TANH (28) int16 over xs with the given input and output scales. */
static int run_sig16(int code, float in_scale, float out_scale, int32_t zp, const int16_t *xs, int16_t *out, int n, qs_status_t *st) {
  tb_model_t m;
  const int32_t d[1] = {n};
  const void *in[1] = {xs};
  tb_tensor_t ti = qt(I16, 1, d, in_scale, NULL, 0), to = qt(I16, 1, d, out_scale, NULL, 0);
  ti.zps[0] = zp;
  unary_model(&m, code, ti, to);
  return run(&m, in, out, (size_t)n * sizeof(int16_t), st);
}

void test_logistic_tanh16(void) {
  /* Rule (TFLM reference_integer_ops::Logistic int16, worked by hand): scale 2^-12 is the
   * power-of-two case, x = in * 3; in = 0: 0.5 -> 16384; in = 4096 (1.0): x = 12288, entry 24
   * exactly (47911), (47911 << 9 + 512) >> 10 = 23956; in = -4096: ((1 << 25) - (47911 << 9) + 511)
   * >> 10 = 8812; in = 1: x = 3, 32768 * 512 + 3 * (33451 - 32768) + 512 >> 10 = 16386. */
  static const int16_t x[4] = {0, 4096, -4096, 1}, want_l[4] = {16384, 23956, 8812, 16386};
  /* Rule (Tanh int16): x = 12288 indexes entry 48 (57724) with 8 fractional bits: (57724 << 8)
   * - (1 << 23) + 128 >> 8 = 24956; its mirror (-r + (1 << 23) + 127) >> 8 (floor) = -24956. */
  static const int16_t want_t[4] = {0, 24956, -24956, 1};
  /* Rule (prepare's rescale): scale 1e-4 is not a power of two: multiplier 1.2288 doubled 14 times
   * = 20132 (truncated), in = 10000: (10000 * 20132 + 8192) >> 14 = 12288, the same 1.0 -> 23956. */
  static const int16_t x2[2] = {10000, -10000}, want2[2] = {23956, 8812};
  /* Rule (saturation): scale 2^-11 gives x = 6 * in; |x| >> 9 >= 255 saturates: LOGISTIC to
   * 32767 and, on the negative side, to 1 (TFLM's rounding there), TANH to +/-32767. */
  static const int16_t xs[2] = {32767, -32768}, want_ls[2] = {32767, 1}, want_ts[2] = {32767, -32767};
  const float q15 = 1.0f / 32768.0f;
  int16_t out[4];
  qs_status_t st = QS_OK;
  CHECK(run_sig16(14, 1.0f / 4096.0f, q15, 0, x, out, 4, NULL) == 0, "logistic16 ran");
  expect16("logistic16", out, want_l, 4);
  CHECK(run_sig16(28, 1.0f / 4096.0f, q15, 0, x, out, 4, NULL) == 0, "tanh16 ran");
  /* in = 1: x = 3, entry 0 + 3 * 683 / 256 steps: (32768 * 256 + 2049 - (1 << 23) + 128) >> 8 = 8 */
  {
    int16_t w[4] = {want_t[0], want_t[1], want_t[2], 8};
    expect16("tanh16", out, w, 4);
  }
  CHECK(run_sig16(14, 1.0e-4f, q15, 0, x2, out, 2, NULL) == 0, "logistic16 scale 1e-4 ran");
  expect16("logistic16 scale 1e-4", out, want2, 2);
  CHECK(run_sig16(14, 1.0f / 2048.0f, q15, 0, xs, out, 2, NULL) == 0, "logistic16 saturation ran");
  expect16("logistic16 saturation", out, want_ls, 2);
  CHECK(run_sig16(28, 1.0f / 2048.0f, q15, 0, xs, out, 2, NULL) == 0, "tanh16 saturation ran");
  expect16("tanh16 saturation", out, want_ts, 2);
  /* Rule: TFLM requires the int16 output scale 2^-15 and zero points 0; anything else is refused
   * at load with a quantization error naming it. */
  CHECK(run_sig16(14, 1.0f / 4096.0f, 1.0f / 256.0f, 0, x, out, 4, &st) != 0 && st == QS_ERR_QUANT,
        "logistic16 output scale 1/256: status %s", qs_status_str(st));
  CHECK(run_sig16(28, 1.0f / 4096.0f, q15, 3, x, out, 4, &st) != 0 && st == QS_ERR_QUANT,
        "tanh16 input zero point 3: status %s", qs_status_str(st));
}

/* Rule: over every int16 input, at three input scales, LOGISTIC stays within 2 output steps of
 * 32768 * sigmoid(in * scale) and TANH within 3 of 32768 * tanh(in * scale), both non-decreasing in
 * the input (the table interpolation's accuracy; a wrong table entry or shift breaks it). */
void test_logistic_tanh16_sweep(void) {
  static int16_t xs[65536], out[65536];
  static const float scales[3] = {1.0f / 4096.0f, 3.0e-4f, 1.0e-3f};
  int si, i, code;
  for (i = 0; i < 65536; i++) xs[i] = (int16_t)(i - 32768);
  for (code = 0; code < 2; code++)
    for (si = 0; si < 3; si++) {
      int worst = 0, worst_i = 0;
      for (i = 0; i < 65536; i += 4096) /* chunks that fit the harness arena */
        CHECK(run_sig16(code ? 28 : 14, scales[si], 1.0f / 32768.0f, 0, xs + i, out + i, 4096, NULL) == 0, "sweep ran");
      for (i = 0; i < 65536; i++) {
        double r = (double)xs[i] * scales[si];
        double f = code ? 32768.0 * tanh(r) : 32768.0 / (1.0 + exp(-r));
        int e = (int)fabs(out[i] - f + 0.0);
        if (e > worst) worst = e, worst_i = i;
        if (i) CHECK(out[i] >= out[i - 1], "%s not monotone at %d", code ? "tanh16" : "logistic16", xs[i]);
      }
      CHECK(worst <= (code ? 3 : 2), "%s scale %g: error %d at input %d", code ? "tanh16" : "logistic16", scales[si], worst, xs[worst_i]);
    }
}

/* SOFTMAX (25) int16 over [outer, depth] with beta 1. */
static int run_softmax16(float in_scale, float out_scale, int outer, int depth, const int16_t *xs, int16_t *out, qs_status_t *st) {
  tb_model_t m;
  const int32_t d[2] = {outer, depth};
  const void *in[1] = {xs};
  unary_model(&m, 25, qt(I16, 2, d, in_scale, NULL, 0), qt(I16, 2, d, out_scale, NULL, 0));
  m.op[0].opt_type = 9; /* SoftmaxOptions */
  m.op[0].nopt = 1;
  m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 4, m.op[0].opts[0].is_float = 1, m.op[0].opts[0].fval = 1.0f;
  return run(&m, in, out, (size_t)outer * depth * sizeof(int16_t), st);
}

/* Rule (TFLM SoftmaxInt16): a row of equal values gives 1/depth in Q0.15 (the exp table's top
 * entry, normalized by the 1/(1+x) table); inputs 10 or more below the row maximum (real
 * terms) all read exp(-10); random rows stay within 24 steps (0.07 %) of
 * float softmax and sum to 32768 within depth steps; the output is 0..32767. A wrong table node,
 * a lost normalization shift or an off-by-one index breaks one of them. */
void test_softmax16(void) {
  static int16_t x[8 * 16], out[8 * 16];
  const float sc = 1.0f / 1024.0f;
  int i, c, depth = 16, outer = 8;
  uint32_t seed = 12345;
  qs_status_t st = QS_OK;
  for (i = 0; i < 16; i++) x[i] = 500;
  CHECK(run_softmax16(sc, 1.0f / 32768.0f, 1, 16, x, out, NULL) == 0, "softmax16 ran");
  for (i = 0; i < 16; i++) CHECK(abs(out[i] - 2048) <= 1, "uniform row[%d]: got %d want 2048 +/- 1", i, out[i]);
  x[0] = 32767, x[1] = 0, x[2] = -32768;
  /* values 10 or more below the max (real terms) all read exp(-10), the exp table's first node
   * (about 1.5 steps): an equal small share each, 2, and the max the rest */
  CHECK(run_softmax16(sc, 1.0f / 32768.0f, 1, 3, x, out, NULL) == 0 && out[0] == 32764 && out[1] == 2 && out[2] == 2,
        "dominant max: got %d %d %d", out[0], out[1], out[2]);
  for (i = 0; i < outer * depth; i++) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = (int16_t)((int32_t)(seed >> 16) - 32768) / 8; /* +/- 4 in real terms */
  }
  CHECK(run_softmax16(sc, 1.0f / 32768.0f, outer, depth, x, out, NULL) == 0, "softmax16 random ran");
  for (i = 0; i < outer; i++) {
    double mx = -1e9, sum = 0.0;
    int total = 0;
    for (c = 0; c < depth; c++) mx = x[i * depth + c] * sc > mx ? x[i * depth + c] * sc : mx;
    for (c = 0; c < depth; c++) sum += exp(x[i * depth + c] * sc - mx);
    for (c = 0; c < depth; c++) {
      double want = 32768.0 * exp(x[i * depth + c] * sc - mx) / sum;
      int got = out[i * depth + c];
      total += got;
      CHECK(got >= 0 && fabs(got - want) <= 24.0, "row %d col %d: got %d, float %.1f", i, c, got, want);
    }
    CHECK(abs(total - 32768) <= depth, "row %d sums to %d", i, total);
  }
  /* Rule: TFLM requires int16 output scale 1/32768 (within 0.1 %) and zero point 0 */
  CHECK(run_softmax16(sc, 1.0f / 16384.0f, 1, 3, x, out, &st) != 0 && st == QS_ERR_QUANT, "softmax16 output scale 1/16384: status %s",
        qs_status_str(st));
}

int main(void) {
  (void)expect8, (void)opt; /* harness helpers this file does not need */
  test_sigmoid_table();
  test_logistic_tanh16();
  test_logistic_tanh16_sweep();
  test_softmax16();
  printf("int16 activations: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
