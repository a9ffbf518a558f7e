/*
 * Cost of the params library on the emulated Cortex-M3 (QEMU mps2-an385, -icount shift=0,
 * 1 SysTick tick = 40 instructions; soft-float double arithmetic via libgcc/newlib):
 * find + validate SL_PARAMSv1 in rock_paper_scissors.tflite, read the normalization, and
 * normalize an 84x84 sample (uint16 mean/std -> float32 and -> int8; uint8 rescale -> int8).
 * The model is linked in by the .incbin the Makefile generates. Ends with a semihosting exit.
 */
#include <stdint.h>
#include <string.h>

#include "arm_report.h"
#include "qs_normalize.h"

extern const uint8_t bench_rps[];
extern const uint8_t bench_rps_end[];

#define N (84 * 84)
static uint8_t g_raw[N * 2];
static float g_outf[N];
static int8_t g_outq[N];

static void report(const char *what, uint32_t t0, uint32_t t1, uint32_t per) {
  uint64_t instr = (uint64_t)(t1 - t0) * 40u;
  puts_(what);
  puts_(": ");
  putu(instr);
  puts_(" instructions");
  if (per) {
    puts_(" (");
    putu(instr / per);
    puts_(" per sample)");
  }
  puts_("\n");
}

int main(void) {
  qs_params_t p;
  qs_norm_t nm, res = {1.0f / 255.0f, 0};
  qs_norm_target_t tf = {QS_RAW_FLOAT32, 0, 0}, tq = {QS_RAW_INT8, 0.05110617354512215f, -25};
  uint32_t x = 1, i, t0, t1;
  int ok = 1;
  qs_port_init();
  for (i = 0; i < N; i++) { /* xorshift32 uint16 samples */
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    g_raw[2 * i] = (uint8_t)x, g_raw[2 * i + 1] = (uint8_t)(x >> 8);
  }
  t0 = qs_port_ticks();
  ok &= qs_params_find(&p, bench_rps, (size_t)(bench_rps_end - bench_rps)) == QS_PARAMS_OK;
  t1 = qs_port_ticks();
  report("qs_params_find (rps, 12 entries validated)", t0, t1, 0);
  t0 = qs_port_ticks();
  ok &= qs_norm_from_params(&p, &nm) == QS_NORM_OK && nm.mean_and_std;
  t1 = qs_port_ticks();
  report("qs_norm_from_params", t0, t1, 0);
  t0 = qs_port_ticks();
  ok &= qs_normalize(&nm, g_raw, QS_RAW_UINT16, N, &tf, g_outf, 0) == QS_NORM_OK;
  t1 = qs_port_ticks();
  report("mean/std uint16 84x84 -> float32", t0, t1, N);
  t0 = qs_port_ticks();
  ok &= qs_normalize(&nm, g_raw, QS_RAW_UINT16, N, &tq, g_outq, 0) == QS_NORM_OK;
  t1 = qs_port_ticks();
  report("mean/std uint16 84x84 -> int8", t0, t1, N);
  t0 = qs_port_ticks();
  ok &= qs_normalize(&res, g_raw, QS_RAW_UINT8, N, &tq, g_outq, 0) == QS_NORM_OK;
  t1 = qs_port_ticks();
  report("rescale uint8 84x84 -> int8", t0, t1, N);
  puts_(ok ? "params bench: ok\n" : "params bench: FAILED\n");
  semihost_exit(ok);
  return 0;
}
