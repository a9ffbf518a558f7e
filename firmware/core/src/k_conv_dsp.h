/*
 * Shared by the Arm DSP CONV_2D kernel (k_conv_dsp.c) and its assembly routine
 * (k_conv_dsp_pix2.c): the per-channel constants and the job of one pixel pair.
 */
#ifndef QS_K_CONV_DSP_H
#define QS_K_CONV_DSP_H

#include "k_params.h"

#if QS_ARM_DSP
/* per output channel: bias (0 without one) and the shifts: right in bits 0-7, left + 1 in
 * bits 8-15 (register shifts read bits 0-7). 8 bytes, so the scratch stays small; the
 * multiplier is read from the prepared params, the rounding mask computed per block. */
typedef struct {
  int32_t bias;
  uint32_t sh;
} conv_rq_t;

/* One pixel pair over `pairs` channel pairs in assembly (k % 4 == 0, fast requantization): the
 * C block of k_conv_dsp.c spends most of its instructions moving the four accumulators and the channel
 * constants through the stack. Here the MAC loop holds 14 registers (r0-r12, lr: lr points at
 * this job), and the requantization reuses them. After the loop of a pair the second row's
 * pointer is the next pair's first row (rows are k = 4n bytes apart). */
typedef struct {
  const int16_t *patch;
  const int8_t *w;      /* row of the first channel; advanced by the routine */
  int32_t n, k;         /* groups of four taps (k / 4), row stride */
  const conv_rq_t *rq;  /* advanced */
  const int32_t *mult;  /* advanced */
  int8_t *o0, *o1;      /* advanced */
  int32_t pairs, zp;
  uint32_t lo4, hi4;    /* activation range in every byte */
} conv_job_t;
void qs_conv_pix2(conv_job_t *j);

/* The lean CONV_2D of an op qs_plan made lean (k_conv_dsp_lean.c): one pixel's patch in scratch.
 * mode 0: fast requantization, full int8 range; 1: fast, narrower activation range; 2: qs_requant. */
void qs_conv_dsp_lean(const conv_params_t *p, const int8_t *in, int8_t *out, int16_t *patch, int mode);

/* requantized output before the activation clamp, saturated to int8 (facts in k_conv_dsp.c) */
static inline __attribute__((always_inline)) int32_t rq_fast(uint32_t acc, int32_t mult, uint32_t lsh, uint32_t rsh,
                                                             int32_t mask, int32_t half1, int32_t zp) {
  int32_t x, r, t;
  __asm__("lsl %[x], %[acc], %[lsh]\n\t"
          "smmulr %[x], %[x], %[mult]\n\t"
          "and %[r], %[x], %[mask]\n\t"
          "add %[t], %[half1], %[x], lsr #31\n\t"
          "cmp %[r], %[t]\n\t"
          "asr %[x], %[x], %[rsh]\n\t"
          "adc %[x], %[x], %[zp]\n\t"
          "ssat %[x], #8, %[x]"
          : [x] "=&r"(x), [r] "=&r"(r), [t] "=&r"(t)
          : [acc] "r"(acc), [lsh] "r"(lsh), [mult] "r"(mult), [mask] "r"(mask), [half1] "r"(half1), [rsh] "r"(rsh),
            [zp] "r"(zp)
          : "cc");
  return x;
}

/* per byte: max(v, lo4), then min(v, hi4) */
static inline __attribute__((always_inline)) uint32_t clamp4(uint32_t v, uint32_t lo4, uint32_t hi4) {
  uint32_t t;
  __asm__("ssub8 %[t], %[v], %[lo]\n\t"
          "sel %[v], %[v], %[lo]\n\t"
          "ssub8 %[t], %[v], %[hi]\n\t"
          "sel %[v], %[hi], %[v]"
          : [v] "+r"(v), [t] "=&r"(t)
          : [lo] "r"(lo4), [hi] "r"(hi4)
          : "cc");
  return v;
}

/* DEPTHWISE_CONV_2D, multiplier 1: one output pixel over `groups` groups of four channels in
 * assembly (k_dwconv_dsp_pix.c); nt >= 1 listed taps (input offset, filter offset) */
typedef struct {
  const int32_t *taps;
  int32_t nt;
  const int8_t *xb, *wb; /* input pixel base + c, weights + c; advanced */
  uint32_t off2;         /* input offset in both halfwords */
  const conv_rq_t *rq;   /* advanced */
  const int32_t *mult;   /* advanced */
  int8_t *out;           /* advanced */
  int32_t groups, zp;
  uint32_t lo4, hi4;
} dw_job_t;
void qs_dw_pix(dw_job_t *j);

#if QS_ARM_MVE
/* Helium CONV_2D (k_conv_mve.c), tried first by qs_conv_dsp_prepare on the Cortex-M55: 1 when
 * it takes the op */
int qs_conv_mve_prepare(qs_model_t *m, qs_op_t *op, const conv_params_t *p);
/* Helium DEPTHWISE_CONV_2D, multiplier 1 or 4n (k_dwconv_mve.c), tried first by qs_dwconv_dsp_prepare */
int qs_dwconv_mve_prepare(qs_op_t *op, const dw_params_t *p);
#endif
#endif
#endif
