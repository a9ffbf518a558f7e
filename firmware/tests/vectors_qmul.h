/*
 * QuantizeMultiplier / MultiplyByQuantizedMultiplier vectors, hand-computed from TFLite's
 * definitions. MBQM(x, m, s) = RoundingDivideByPOT(SRDHM(x * 2^max(s,0), m), max(-s,0)).
 */
#ifndef QS_VECTORS_QMUL_H
#define QS_VECTORS_QMUL_H

#include <stdint.h>

static const struct {
  double real;
  int32_t multiplier;
  int shift;
} k_qm_vectors[] = {
    {0.5, 1 << 30, 0},
    {1.0, 1 << 30, 1},
    {0.75, 1610612736, 0},          /* 0.75 * 2^31 */
    {3.0, 1610612736, 2},           /* 0.75 * 2^2 */
    {0.0, 0, 0},
    {9.094947017729282e-13, 0, 0},  /* 2^-40: shift -39 < -31 flushes to zero */
    {0.99999999999909051, 1 << 30, 1}, /* 1 - 2^-40: significand rounds to 2^31, renormalised */
    {0.0037, 2034096511, -8},       /* 0.0037 = 0.9472 * 2^-8; round(0.9472 * 2^31) */
    {-0.5, -(1 << 30), 0},
};

static const struct {
  int32_t x, multiplier;
  int shift;
  int32_t want;
} k_mbqm_vectors[] = {
    {1000, 1 << 30, -3, 63},           /* 1000 * 0.5 / 8 = 62.5 -> 63 */
    {-1000, 1 << 30, -3, -63},         /* ties away from zero in the final shift */
    {3, 1 << 30, 2, 6},                /* 3 * 4 * 0.5 */
    {INT32_MIN, 1 << 30, 0, -(1 << 30)},
    {123456, 0, 0, 0},
    {24000, 2034096511, -8, 89},       /* 24000 * 0.0037 = 88.8 */
    {-24000, 2034096511, -8, -89},
    {101, 1 << 30, 0, 51},             /* SRDHM: 50.5 rounds up */
    {-101, 1 << 30, 0, -50},           /* SRDHM nudge: -50.5 rounds toward +inf */
    {5, 1 << 30, 0, 3},                /* 2.5 -> 3 */
    {-3, 1 << 30, 0, -1},              /* -1.5 -> -1 */
    {7 << 19, 1 << 30, -18, 7},
};
#endif
