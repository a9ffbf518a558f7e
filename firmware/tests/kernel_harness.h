/* Shared helpers for the kernel tests: build a one-op model with tfl_build, run it, compare. */
#ifndef QS_KERNEL_HARNESS_H
#define QS_KERNEL_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_interp.h"
#include "tfl_build.h"

static int failures = 0; /* one per test program */
#define CHECK(cond, ...)                         \
  do {                                           \
    if (!(cond)) {                               \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                       \
      printf("\n");                              \
      failures++;                                \
    }                                            \
  } while (0)

enum { F32 = 0, I32 = 2, I8 = 9 };
static uint8_t g_model[1 << 16], g_arena[1 << 16];

static tb_tensor_t q8(int ndims, const int32_t *dims, float scale, int zp, const void *data, size_t len) {
  tb_tensor_t t;
  memset(&t, 0, sizeof(t));
  t.ndims = ndims;
  memcpy(t.dims, dims, sizeof(int32_t) * (size_t)ndims);
  t.type = I8;
  t.nscales = 1;
  t.scales[0] = scale;
  t.zps[0] = zp;
  t.data = data;
  t.data_len = len;
  return t;
}

/* With QS_DUMP_SEEDS=DIR every model built by a test that loads is also written to DIR/NNN.tflite
 * (the next free NNN: several test programs may write into one DIR): the loader fuzzer mutates
 * them too, reaching kernels no fixture model uses. */
static void dump_seed(const uint8_t *model, size_t len) {
  static int n = 0;
  const char *dir = getenv("QS_DUMP_SEEDS");
  char path[512];
  FILE *f;
  if (!dir || !*dir) return;
  for (;;) {
    snprintf(path, sizeof(path), "%s/%03d.tflite", dir, n++);
    if ((f = fopen(path, "rb")) == NULL) break;
    fclose(f);
  }
  if ((f = fopen(path, "wb")) != NULL) {
    fwrite(model, 1, len, f);
    fclose(f);
  }
}

/* Write the model into g_model and load it into ip (arena g_arena): 0 when it loads. A model that
 * does not load prints why, unless the caller asks for the status to judge the refusal itself.
 * Only models that load are seeds: the loader fuzzer requires every unmutated seed to load (the
 * refusal cases of the tests are not). */
static int load_model(const tb_model_t *tm, qs_interp_t *ip, qs_status_t *status) {
  size_t len = tb_write(tm, g_model, sizeof(g_model));
  qs_status_t s;
  if (!len) return -1;
  s = qs_load(ip, g_model, len, g_arena, sizeof(g_arena));
  if (status) *status = s;
  if (s != QS_OK) {
    if (!status) printf("  load failed: %s: %s (op %d tensor %d)\n", qs_status_str(s), ip->err.msg, ip->err.op, ip->err.tensor);
    return -1;
  }
  dump_seed(g_model, len);
  return 0;
}

/* Build, load, set inputs (one per graph input, in order), invoke, copy output 0. */
static int run(const tb_model_t *tm, const void *const *inputs, void *out, size_t out_len, qs_status_t *load_status) {
  qs_interp_t ip;
  size_t i;
  if (load_model(tm, &ip, load_status)) return -1;
  for (i = 0; i < qs_input_count(&ip); i++) {
    qs_tensor_info_t ti;
    qs_tensor_info(&ip, qs_input_tensor(&ip, (int)i), &ti);
    memcpy(qs_input_data(&ip, (int)i), inputs[i], ti.bytes);
  }
  if (qs_invoke(&ip, NULL, NULL) != QS_OK) return -1;
  memcpy(out, qs_output_data(&ip, 0), out_len);
  return 0;
}

static void expect8(const char *name, const int8_t *got, const int8_t *want, int n) {
  int i;
  for (i = 0; i < n; i++) CHECK(got[i] == want[i], "%s[%d]: got %d want %d", name, i, got[i], want[i]);
}

static void opt(tb_op_t *o, int field, int size, int32_t v) {
  o->opts[o->nopt].field = field, o->opts[o->nopt].size = size, o->opts[o->nopt].ival = v;
  o->nopt++;
}

#endif
