/*
 * DEPTHWISE_CONV_2D int8, depth multiplier 1, Arm DSP: one output pixel over every group of four
 * channels in one assembly routine (called by k_dwconv_dsp.c when the fast requantization is
 * exact; facts in arm_dsp.h and k_conv_dsp.c). Per group: the accumulators start at the
 * biases; per listed tap one LDRD of the (input, filter) offsets, a word of four inputs and
 * a word of four weights, SXTB16 into (c0, c2) / (c1, c3), SADD16 of the input offset and
 * SMLABB / SMLATT (15 instructions, 4 MACs); then each channel is requantized in the same
 * registers (SMMULR, CMP/ADC rounding, SSAT), the four bytes clamped with SSUB8 / SEL and
 * stored as one word.
 */
#include "k_conv_dsp.h"

#if QS_ARM_DSP
/* one channel k (0-3) of the group: acc in register A; r4 = rq, r3 = mult, r12 = zp */
#define QS_DW_RQ(A, K)                                                                                  \
  "ldr r1, [r4, #" #K "*8+4]\n"                                                                         \
  "ldr r2, [r3, #" #K "*4]\n"                                                                           \
  "mov r0, #1\n"                                                                                        \
  "lsl r0, r0, r1\n"                                                                                    \
  "sub r0, r0, #1\n"                                                                                    \
  "lsr r9, r0, #1\n"                                                                                    \
  "add r9, r9, #1\n"                                                                                    \
  "lsr r10, r1, #8\n"                                                                                   \
  "lsl " A ", " A ", r10\n"                                                                             \
  "smmulr " A ", " A ", r2\n"                                                                           \
  "and r11, " A ", r0\n"                                                                                \
  "add r9, r9, " A ", lsr #31\n"                                                                        \
  "cmp r11, r9\n"                                                                                       \
  "asr " A ", " A ", r1\n"                                                                              \
  "adc " A ", " A ", r12\n"                                                                             \
  "ssat " A ", #8, " A "\n"

__asm__(".section .text.qs_dw_pix,\"ax\",%progbits\n"
        ".syntax unified\n.thumb\n.balign 4\n"
        ".global qs_dw_pix\n.type qs_dw_pix, %function\n.thumb_func\n"
        "qs_dw_pix:\n"
        "push {r4-r11, lr}\n"
        "mov lr, r0\n"
        "1:\n"
        "ldr r0, [lr, #20]\n" /* rq: biases of the four channels */
        "ldr r5, [r0, #0]\n"
        "ldr r6, [r0, #8]\n"
        "ldr r7, [r0, #16]\n"
        "ldr r8, [r0, #24]\n"
        "ldrd r1, r2, [lr, #0]\n" /* taps, nt */
        "ldrd r3, r4, [lr, #8]\n" /* xb, wb */
        "ldr r12, [lr, #16]\n"    /* off2 */
        "2:\n"
        "ldrd r9, r10, [r1], #8\n"
        "ldr r9, [r3, r9]\n"
        "ldr r10, [r4, r10]\n"
        "sxtb16 r11, r9\n"
        "sadd16 r11, r11, r12\n"
        "sxtb16 r0, r10\n"
        "smlabb r5, r11, r0, r5\n"
        "smlatt r7, r11, r0, r7\n"
        "sxtb16 r11, r9, ror #8\n"
        "sadd16 r11, r11, r12\n"
        "sxtb16 r0, r10, ror #8\n"
        "smlabb r6, r11, r0, r6\n"
        "smlatt r8, r11, r0, r8\n"
        "subs r2, r2, #1\n"
        "bne 2b\n"
        "ldr r12, [lr, #36]\n"
        "ldr r4, [lr, #20]\n"
        "ldr r3, [lr, #24]\n" QS_DW_RQ("r5", 0) QS_DW_RQ("r6", 1) QS_DW_RQ("r7", 2) QS_DW_RQ("r8", 3)
        "add r4, r4, #32\n"
        "add r3, r3, #16\n"
        "str r4, [lr, #20]\n"
        "str r3, [lr, #24]\n"
        "bfi r5, r6, #8, #8\n"
        "bfi r5, r7, #16, #8\n"
        "bfi r5, r8, #24, #8\n"
        "ldrd r0, r1, [lr, #40]\n" /* lo4, hi4 */
        "ssub8 r2, r5, r0\n"
        "sel r5, r5, r0\n"
        "ssub8 r2, r5, r1\n"
        "sel r5, r1, r5\n"
        "ldr r0, [lr, #28]\n"
        "str r5, [r0], #4\n"
        "str r0, [lr, #28]\n"
        "ldrd r3, r4, [lr, #8]\n"
        "add r3, r3, #4\n"
        "add r4, r4, #4\n"
        "strd r3, r4, [lr, #8]\n"
        "ldr r0, [lr, #32]\n"
        "subs r0, r0, #1\n"
        "str r0, [lr, #32]\n"
        "bne 1b\n"
        "pop {r4-r11, pc}\n"
        ".size qs_dw_pix, . - qs_dw_pix\n"
        ".text\n");
#endif
