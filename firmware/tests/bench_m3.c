/*
 * Core benchmark + bit-exactness check on an emulated core (QEMU -icount shift=0; the Cortex-M3
 * on mps2-an385 by default, every emulated board of port/ports.mk with core-bench-<core>): runs
 * each embedded model on its golden input, compares every op output with the golden, and prints
 * ticks per op and instructions per MAC (the port's cpu_hz is the instruction rate under icount,
 * so 1 tick = cpu_hz / tick_hz instructions: 40 at 25 MHz). Ends with a semihosting exit.
 * The models and goldens are linked in by bench_data.S (.incbin, tests/gen_bench_data.sh).
 */
#include <stdint.h>
#include <string.h>

#include "arm_report.h"
#include "qs_interp.h"

#ifndef QS_BENCH_ARENA
#define QS_BENCH_ARENA (512 * 1024)
#endif
extern const uint32_t bench_count;
extern const uint8_t *const bench_models[];
extern const uint32_t bench_model_lens[];
extern const uint8_t *const bench_goldens[];
extern const char *const bench_names[];

static uint8_t g_arena[QS_BENCH_ARENA] __attribute__((aligned(16)));

typedef struct {
  qsg_t golden;
  int mismatches;
  uint64_t ticks[3], macs[3]; /* CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED */
  uint64_t total;
  int last_op; /* the hook runs once per output tensor: an op's ticks are counted and printed once */
  const qs_interp_t *ip;
} bench_t;

static void hook(void *vctx, int op, int tensor, const uint8_t *data, size_t len, uint32_t ticks) {
  bench_t *b = (bench_t *)vctx;
  const uint8_t *rec = qsg_find(&b->golden, tensor);
  qs_op_info_t info;
  int k = -1;
  qs_op_info(b->ip, op, &info);
  if (op != b->last_op) {
    b->last_op = op;
    b->total += ticks;
    if (info.builtin_code == 3) k = 0;
    if (info.builtin_code == 4) k = 1;
    if (info.builtin_code == 9) k = 2;
    if (k >= 0) b->ticks[k] += ticks, b->macs[k] += info.macs;
    puts_("  op ");
    putu((uint64_t)op);
    puts_(" ");
    puts_(info.name);
    puts_(" ticks ");
    putu(ticks);
    puts_(" macs ");
    putu(info.macs);
    puts_("\n");
  }
  if (!rec || qsg_len(rec) != len || memcmp(qsg_data(rec), data, len) != 0) b->mismatches++;
}

static void ratio(const char *what, uint64_t ticks, uint64_t macs) {
  if (!macs) return;
  puts_("  ");
  puts_(what);
  puts_(" instr/MAC x100: ");
  putu(ticks * 100u * qs_port_info()->cpu_hz / ((uint64_t)qs_port_tick_hz() * macs));
  puts_("\n");
}

int main(void) {
  int i, failed = 0;
  qs_port_init();
  puts_("bench on ");
  puts_(qs_port_info()->cpu);
  puts_(": cpu_hz ");
  putu(qs_port_info()->cpu_hz);
  puts_(" tick_hz ");
  putu(qs_port_tick_hz());
  puts_("\n");
  for (i = 0; i < (int)bench_count; i++) {
    qs_interp_t ip;
    bench_t b;
    const uint8_t *g;
    uint32_t j;
    qs_status_t s = qs_load(&ip, bench_models[i], bench_model_lens[i], g_arena, sizeof g_arena);
    puts_(bench_names[i]);
    if (s != QS_OK) {
      puts_(": load failed: ");
      puts_(ip.err.msg);
      puts_("\n");
      failed++;
      continue;
    }
    memset(&b, 0, sizeof b);
    qsg_open(&b.golden, bench_goldens[i]);
    for (j = 0, g = b.golden.in; j < b.golden.n_in; j++, g = qsg_next(g)) /* golden inputs, in graph input order */
      memcpy(qs_input_data(&ip, (int)j), qsg_data(g), qsg_len(g));
    b.last_op = -1;
    b.ip = &ip;
    puts_(": arena ");
    putu(qs_arena_used(&ip));
    puts_("\n");
    qs_invoke(&ip, hook, &b);
    puts_("  total ticks ");
    putu(b.total);
    puts_(b.mismatches ? "  MISMATCH vs golden\n" : "  bit-exact\n");
    ratio("CONV_2D", b.ticks[0], b.macs[0]);
    ratio("DEPTHWISE_CONV_2D", b.ticks[1], b.macs[1]);
    ratio("FULLY_CONNECTED", b.ticks[2], b.macs[2]);
    failed += b.mismatches != 0;
  }
  puts_(failed ? "bench: FAIL\n" : "bench: all bit-exact\n");
  semihost_exit(!failed);
  for (;;) {
  }
}
