/*
 * Golden check on an emulated core (make core-goldens-<core>, port/goldens.mk): every golden linked
 * into the image (golden_data.S, scripts/golden-image-data.mjs: the model and the QSG1 golden of
 * scripts/golden-to-bin.mjs, .incbin) is loaded, fed its golden inputs and run once; every op output
 * is compared with TFLite Micro's, byte for byte (the Arm builds have no float32 kernels, so a model
 * with float32 ops is refused at load and says so). One line per golden, parsed by
 * bench/firmware-goldens.ts:
 *   ID: bit-exact outputs N arena A
 *   ID: refused: STATUS (op O, tensor T[, needs N arena bytes]): MESSAGE
 *   ID: MISMATCH op O NAME tensor T element E of N: got G want W (D elements differ)
 *   ID: MISMATCH op O NAME tensor T: LEN bytes, golden has GLEN | no golden | K of N op outputs checked
 * Ends with a semihosting exit: success when no golden mismatched (refusals are the caller's to judge).
 */
#include <stdint.h>
#include <string.h>

#include "arm_report.h"
#include "qs_interp.h"

#ifndef QS_GOLDEN_ARENA
#define QS_GOLDEN_ARENA (3u << 20)
#endif
extern const uint32_t golden_count;
extern const uint8_t *const golden_models[];
extern const uint32_t golden_model_lens[];
extern const uint8_t *const golden_bins[];
extern const char *const golden_ids[];

static uint8_t g_arena[QS_GOLDEN_ARENA] __attribute__((aligned(16)));

static size_t elem_size(qs_dtype_t t) {
  switch (t) {
  case QS_DT_INT16: return 2;
  case QS_DT_INT32: case QS_DT_UINT32: case QS_DT_FLOAT32: return 4;
  case QS_DT_INT64: case QS_DT_UINT64: return 8;
  default: return 1;
  }
}

/* element k of a little-endian tensor as a signed (or, for the unsigned types, unsigned) integer */
static int64_t elem(const uint8_t *p, size_t k, qs_dtype_t t) {
  size_t n = elem_size(t), i;
  uint64_t v = 0;
  for (i = 0; i < n; i++) v |= (uint64_t)p[k * n + i] << (8 * i);
  if (t == QS_DT_UINT8 || t == QS_DT_UINT32 || t == QS_DT_UINT64 || t == QS_DT_BOOL) return (int64_t)v;
  if (n < 8 && (v >> (8 * n - 1)) & 1) v |= ~(uint64_t)0 << (8 * n);
  return (int64_t)v;
}

typedef struct {
  const char *id;
  const qsg_t *golden;
  int failed, checked;
  const qs_interp_t *ip;
} check_t;

static void fail_head(check_t *c, int op, const char *name, int tensor) {
  c->failed = 1;
  puts_(c->id);
  puts_(": MISMATCH op ");
  puti(op);
  puts_(" ");
  puts_(name);
  puts_(" tensor ");
  puti(tensor);
}

static void hook(void *vctx, int op, int tensor, const uint8_t *data, size_t len, uint32_t ticks) {
  check_t *c = (check_t *)vctx;
  const uint8_t *rec, *want;
  qs_op_info_t info;
  qs_tensor_info_t ti;
  size_t k, es, diff = 0, first = 0;
  (void)ticks;
  if (c->failed) return; /* the first difference is the one that matters */
  qs_op_info(c->ip, op, &info);
  if ((rec = qsg_find(c->golden, tensor)) == NULL) {
    fail_head(c, op, info.name, tensor);
    puts_(": no golden\n");
    return;
  }
  c->checked++;
  if (qsg_len(rec) != len) {
    fail_head(c, op, info.name, tensor);
    puts_(": ");
    puti((int64_t)len);
    puts_(" bytes, golden has ");
    puti(qsg_len(rec));
    puts_("\n");
    return;
  }
  want = qsg_data(rec);
  if (memcmp(want, data, len) == 0) return;
  qs_tensor_info(c->ip, tensor, &ti);
  es = elem_size(ti.dtype);
  for (k = len / es; k-- > 0;)
    if (memcmp(want + k * es, data + k * es, es) != 0) diff++, first = k;
  fail_head(c, op, info.name, tensor);
  puts_(" element ");
  puti((int64_t)first);
  puts_(" of ");
  puti((int64_t)(len / es));
  puts_(": got ");
  puti(elem(data, first, ti.dtype));
  puts_(" want ");
  puti(elem(want, first, ti.dtype));
  puts_(" (");
  puti((int64_t)diff);
  puts_(" elements differ)\n");
}

static int run_one(int i) {
  qs_interp_t ip;
  check_t c;
  qsg_t golden;
  const uint8_t *g;
  uint32_t j;
  size_t k, n_outputs = 0;
  qs_status_t s = qs_load(&ip, golden_models[i], golden_model_lens[i], g_arena, sizeof g_arena);
  if (s != QS_OK) {
    const qs_error_t *e = qs_last_error(&ip);
    puts_(golden_ids[i]);
    puts_(": refused: ");
    puts_(qs_status_str(s));
    puts_(" (op ");
    puti(e->op);
    puts_(", tensor ");
    puti(e->tensor);
    if (e->needed) puts_(", needs "), puti((int64_t)e->needed), puts_(" arena bytes");
    puts_("): ");
    puts_(e->msg);
    puts_("\n");
    return 0;
  }
  qsg_open(&golden, golden_bins[i]);
  for (j = 0, g = golden.in; j < golden.n_in; j++, g = qsg_next(g)) {
    int32_t t = qsg_tensor(g);
    size_t x;
    for (x = 0; x < qs_input_count(&ip) && qs_input_tensor(&ip, (int)x) != t; x++) {
    }
    if (x == qs_input_count(&ip)) {
      puts_(golden_ids[i]);
      puts_(": MISMATCH golden input tensor ");
      puti(t);
      puts_(" is not a graph input\n");
      return 1;
    }
    memcpy(qs_input_data(&ip, (int)x), qsg_data(g), qsg_len(g));
  }
  memset(&c, 0, sizeof c);
  c.id = golden_ids[i];
  c.golden = &golden;
  c.ip = &ip;
  s = qs_invoke(&ip, hook, &c);
  if (c.failed) return 1;
  for (k = 0; k < qs_op_count(&ip); k++) {
    qs_op_info_t info;
    qs_op_info(&ip, (int)k, &info);
    n_outputs += (size_t)info.output_count;
  }
  if (s != QS_OK || (size_t)c.checked != n_outputs || golden.n_out != n_outputs) {
    puts_(c.id);
    puts_(": MISMATCH invoke ");
    puts_(qs_status_str(s));
    puts_(", ");
    puti(c.checked);
    puts_(" of ");
    puti((int64_t)n_outputs);
    puts_(" op outputs checked, golden has ");
    puti(golden.n_out);
    puts_("\n");
    return 1;
  }
  puts_(c.id);
  puts_(": bit-exact outputs ");
  puti((int64_t)n_outputs);
  puts_(" arena ");
  puti((int64_t)qs_arena_used(&ip));
  puts_("\n");
  return 0;
}

int main(void) {
  int i, failed = 0;
  qs_port_init();
  puts_("goldens on ");
  puts_(qs_port_info()->cpu);
  puts_(": arena ");
  puti(QS_GOLDEN_ARENA);
  puts_("\n");
  for (i = 0; i < (int)golden_count; i++) failed += run_one(i);
  puts_(failed ? "goldens: FAIL\n" : "goldens: done\n");
  semihost_exit(!failed);
  for (;;) {
  }
}
