/*
 * Arm DSP-extension building blocks for the kernel variants in k_*_dsp.c: the Cortex-M4, M7,
 * M33 and M55 builds (the compiler defines __ARM_FEATURE_DSP for -mcpu=cortex-m4/m7/m33/m55;
 * not for the Cortex-M3, whose build keeps the portable kernels). -DQS_ARM_DSP=0 forces the
 * portable kernels on a DSP core (the equality tests build both).
 *
 * Facts used (Arm v7-M / v8-M architecture reference manuals, ACLE):
 * - SXTB16 Rd, Rm{, ROR #r}: rotate Rm right by r, then sign-extend bytes 0 and 2 into the two
 *   halfwords of Rd. Without rotation a word of int8 (b0 b1 b2 b3) gives (b0, b2); with ROR #8,
 *   (b1, b3).
 * - SMLAD Rd, Rn, Rm, Ra: Rd = Ra + Rn.lo * Rm.lo + Rn.hi * Rm.hi (signed 16 x 16), the sum
 *   kept modulo 2^32 (overflow only sets the Q flag). So accumulating in SMLAD wraps exactly
 *   like the portable kernels' uint32 accumulators, and modular addition does not care about
 *   the order of the terms: any pairing of taps gives the same bits.
 * - The products fit: x + offset is in [-255, 255] (zero points are checked at load) and
 *   weights in [-128, 127], so each halfword operand is a valid int16.
 * - LDR of a word at any address is allowed in Thumb-2 on these cores (unaligned access is
 *   supported for LDR/STR, not LDRD/LDM): weights are read as words wherever they start.
 */
#ifndef QS_ARM_DSP_H
#define QS_ARM_DSP_H

#include <stdint.h>
#include <string.h>

#ifndef QS_ARM_DSP
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define QS_ARM_DSP 1
#else
#define QS_ARM_DSP 0

/* qs_requant without branches on the shift's sign (same bits): the left shift by max(shift, 0)
 * and qs_rdbpot by max(-shift, 0) are no-ops at 0, so both always run (GCC otherwise computes
 * the high multiply twice and selects). */
static inline __attribute__((always_inline)) int8_t qs_requant_dsp(int32_t acc, int32_t mult, int shift, int32_t zp,
                                                                    int32_t lo, int32_t hi) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int32_t x = (int32_t)((uint32_t)acc << left);
  int32_t v = qs_rdbpot((int32_t)(((int64_t)x * mult + (1 << 30)) >> 31), right) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}
#endif
#endif

/* Helium (M-profile Vector Extension, integer): the Cortex-M55 build (k_*_mve.c); with the DSP
 * kernels only, since -DQS_ARM_DSP=0 asks for the portable ones */
#ifndef QS_ARM_MVE
#if QS_ARM_DSP && defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define QS_ARM_MVE 1
#else
#define QS_ARM_MVE 0
#endif
#endif

#if QS_ARM_DSP
#include <arm_acle.h>

#include "qmath.h"

/* 32 bits from any address (one LDR; memcpy keeps C's aliasing rules) */
static inline __attribute__((always_inline)) uint32_t qs_ld32(const void *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* (b0, b2) and (b1, b3) of a word of four int8, as int16 pairs */
static inline __attribute__((always_inline)) uint32_t qs_sx_even(uint32_t w) { return (uint32_t)__sxtb16((int32_t)w); }
static inline __attribute__((always_inline)) uint32_t qs_sx_odd(uint32_t w) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));
  return r;
}
/* acc + a.lo * b.lo + a.hi * b.hi, modulo 2^32 */
static inline __attribute__((always_inline)) uint32_t qs_smlad(uint32_t a, uint32_t b, uint32_t acc) {
  return (uint32_t)__smlad((int16x2_t)a, (int16x2_t)b, (int32_t)acc);
}
/* both halfwords + the same int16 */
static inline __attribute__((always_inline)) uint32_t qs_add16(uint32_t a, uint32_t b) {
  return (uint32_t)__sadd16((int16x2_t)a, (int16x2_t)b);
}

/* qs_requant without branches on the shift's sign (same bits): the left shift by max(shift, 0)
 * and qs_rdbpot by max(-shift, 0) are no-ops at 0, so both always run (GCC otherwise computes
 * the high multiply twice and selects). */
static inline __attribute__((always_inline)) int8_t qs_requant_dsp(int32_t acc, int32_t mult, int shift, int32_t zp,
                                                                    int32_t lo, int32_t hi) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int32_t x = (int32_t)((uint32_t)acc << left);
  int32_t v = qs_rdbpot((int32_t)(((int64_t)x * mult + (1 << 30)) >> 31), right) + zp;
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}
#endif
#endif
