/*
 * Golden test: for every converted golden (build/golden/NAME.bin, build/golden/field/NAME.bin:
 * the MUST_RUN list of test/helpers/golden-must-run.txt, converted by scripts/golden-to-bin.mjs),
 * load the fixture model, feed the golden inputs, and compare every op's output with TFLite
 * Micro's, all bytes equal.
 * float32 outputs may instead differ by at most FLOAT_TOL (TFLite Micro sums in float32, the
 * core in double); the largest difference is reported.
 * A failure names the first differing op, its tensor and the first differing element.
 * Usage: test_golden FIXTURES_DIR GOLDEN.bin...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs_interp.h"
#include "test_util.h"

#define ARENA_BYTES (8u << 20) /* the virtual board's arena */
#define FLOAT_TOL 1.2e-7
/* float32 outputs from the first float op that calls libm's exp/tanh on (UNIDIRECTIONAL_SEQUENCE_LSTM,
 * LOGISTIC, TANH, EXP, SOFTMAX, ...) may instead differ by a relative FLOAT_REL_TOL: TFLM's goldens ran
 * on glibc, the core links the C library of its target (wasi-libc, newlib), whose expf/tanhf may
 * round an ulp the other way, and the recurrence carries that on (the field-models issue's rule). */
#define FLOAT_REL_TOL 1e-5

typedef struct {
  const tu_golden_t *g;
  const qs_interp_t *ip;
  int failed, checked, inexact; /* inexact: float32 outputs within FLOAT_TOL, not bit-equal */
  int transcendental;           /* a float op calling exp/tanh has run: FLOAT_REL_TOL from here on */
  double max_diff, max_rel;
  uint64_t ticks;
} ctx_t;

/* float32 outputs: every value within FLOAT_TOL (NaN only against NaN). Returns 1 if so. */
static int floats_close(ctx_t *c, const uint8_t *got, const uint8_t *want, size_t len) {
  size_t i;
  for (i = 0; i + 4 <= len; i += 4) {
    float a, b;
    double d;
    memcpy(&a, got + i, 4);
    memcpy(&b, want + i, 4);
    if (a != a || b != b) {
      if (a == a || b == b) return 0;
      continue;
    }
    d = a > b ? (double)a - (double)b : (double)b - (double)a;
    if (d <= FLOAT_TOL) {
      if (d > c->max_diff) c->max_diff = d;
      continue;
    }
    if (!c->transcendental || !(d <= FLOAT_REL_TOL * (b < 0 ? -(double)b : (double)b))) return 0;
    if (d / (b < 0 ? -(double)b : (double)b) > c->max_rel) c->max_rel = d / (b < 0 ? -(double)b : (double)b);
  }
  return 1;
}

static void hook(void *vctx, int op, int tensor, const uint8_t *data, size_t len, uint32_t ticks) {
  ctx_t *c = (ctx_t *)vctx;
  uint32_t i;
  qs_op_info_t info;
  c->ticks += ticks;
  qs_op_info(c->ip, op, &info);
  {
    static const char *const libm_ops[] = {"UNIDIRECTIONAL_SEQUENCE_LSTM", "LOGISTIC", "TANH", "EXP", "LOG", "SOFTMAX",
                                           "LOG_SOFTMAX", "ELU", "SIN", "COS"};
    qs_tensor_info_t oi;
    size_t j;
    for (j = 0; j < sizeof(libm_ops) / sizeof(libm_ops[0]); j++)
      if (strcmp(info.name, libm_ops[j]) == 0 && qs_tensor_info(c->ip, tensor, &oi) == QS_OK && oi.dtype == QS_DT_FLOAT32)
        c->transcendental = 1;
  }
  for (i = 0; i < c->g->n_out; i++) {
    const tu_tensor_t *t = &c->g->out[i];
    size_t k;
    if (t->tensor != tensor) continue;
    c->checked++;
    if (t->len != len) {
      if (!c->failed) printf("  FAIL op %d (%s) tensor %d: %zu bytes, golden has %u\n", op, info.name, tensor, len, t->len);
      c->failed = 1;
      return;
    }
    if (memcmp(data, t->data, len) != 0) {
      qs_tensor_info_t ti;
      if (qs_tensor_info(c->ip, tensor, &ti) == QS_OK && ti.dtype == QS_DT_FLOAT32 && floats_close(c, data, t->data, len)) {
        c->inexact++;
        return;
      }
    }
    for (k = 0; k < len; k++) {
      if (data[k] != t->data[k]) {
        size_t n = 0, j;
        for (j = 0; j < len; j++) n += data[j] != t->data[j];
        if (!c->failed)
          printf("  FAIL op %d (%s) tensor %d: %zu of %zu bytes differ, first at byte %zu: got %d want %d\n", op,
                 info.name, tensor, n, len, k, (int8_t)data[k], (int8_t)t->data[k]);
        c->failed = 1;
        return;
      }
    }
    return;
  }
  if (!c->failed) printf("  FAIL op %d (%s): output tensor %d has no golden\n", op, info.name, tensor);
  c->failed = 1;
}

static int run_one(const char *fixtures, const char *path, uint8_t *arena) {
  tu_golden_t g;
  qs_interp_t ip;
  ctx_t c;
  char model_path[1024];
  uint8_t *model;
  size_t model_len, in_i, n_outputs;
  uint32_t i;
  int rc = 1;
  qs_status_t s;
  if (tu_read_golden(path, &g)) return 1;
  snprintf(model_path, sizeof(model_path), "%s/%s", fixtures, g.model);
  if (!(model = tu_read_file(model_path, &model_len))) goto done_g;
  s = qs_load(&ip, model, model_len, arena, ARENA_BYTES);
  if (s != QS_OK) {
    const qs_error_t *e = qs_last_error(&ip);
    printf("FAIL %s: load: %s (op %d, tensor %d): %s\n", g.model, qs_status_str(s), e->op, e->tensor, e->msg);
    goto done_m;
  }
  if (g.n_in != qs_input_count(&ip)) {
    printf("FAIL %s: golden has %u inputs, model %zu\n", g.model, g.n_in, qs_input_count(&ip));
    goto done_m;
  }
  for (i = 0; i < g.n_in; i++) {
    qs_tensor_info_t ti;
    int found = 0;
    for (in_i = 0; in_i < qs_input_count(&ip); in_i++) {
      if (qs_input_tensor(&ip, (int)in_i) != g.in[i].tensor) continue;
      qs_tensor_info(&ip, g.in[i].tensor, &ti);
      if (ti.bytes != g.in[i].len) break;
      memcpy(qs_input_data(&ip, (int)in_i), g.in[i].data, g.in[i].len);
      found = 1;
    }
    if (!found) {
      printf("FAIL %s: golden input tensor %d is not a graph input of that size\n", g.model, g.in[i].tensor);
      goto done_m;
    }
  }
  memset(&c, 0, sizeof(c));
  c.g = &g;
  c.ip = &ip;
  qs_invoke(&ip, hook, &c);
  {
    /* a second invoke on re-written inputs must give the same bytes (no state leaks
     * between runs, e.g. through buffers the plan shares) */
    int first_failed = c.failed;
    for (i = 0; i < g.n_in; i++)
      for (in_i = 0; in_i < qs_input_count(&ip); in_i++)
        if (qs_input_tensor(&ip, (int)in_i) == g.in[i].tensor) memcpy(qs_input_data(&ip, (int)in_i), g.in[i].data, g.in[i].len);
    c.checked = c.inexact = c.transcendental = 0;
    qs_reset_state(&ip); /* stateful models (SVDF, LSTM): back to the state TFLM's golden starts from */
    qs_invoke(&ip, hook, &c);
    if (c.failed && !first_failed) printf("  FAIL: second invoke differs\n");
  }
  {
    /* one golden per op output (several for SPLIT, SignalFftAutoScale, ...) */
    size_t k;
    n_outputs = 0;
    for (k = 0; k < qs_op_count(&ip); k++) {
      qs_op_info_t info;
      qs_op_info(&ip, (int)k, &info);
      n_outputs += (size_t)info.output_count;
    }
  }
  if (!c.failed && (size_t)c.checked != n_outputs) {
    printf("  FAIL: %d of %zu op outputs checked\n", c.checked, n_outputs);
    c.failed = 1;
  }
  if (!c.failed && g.n_out != n_outputs) {
    printf("  FAIL: golden has %u op outputs, model %zu\n", g.n_out, n_outputs);
    c.failed = 1;
  }
  printf("%s %s: %zu ops, arena %zu bytes (activations %zu), %llu us\n", c.failed ? "FAIL" : "ok  ", g.model,
         qs_op_count(&ip), qs_arena_used(&ip), qs_arena_tensor_bytes(&ip), (unsigned long long)c.ticks);
  if (c.inexact)
    printf("     %d float32 op outputs within %g (or, after exp/tanh, relative %g) of the golden, not bit-equal (max "
           "difference %g, max relative %g)\n",
           c.inexact, FLOAT_TOL, FLOAT_REL_TOL, c.max_diff, c.max_rel);
  rc = c.failed;
done_m:
  free(model);
done_g:
  free(g.raw);
  return rc;
}

int main(int argc, char **argv) {
  int i, failed = 0;
  uint8_t *arena = (uint8_t *)malloc(ARENA_BYTES);
  if (argc < 3) {
    fprintf(stderr, "usage: test_golden FIXTURES_DIR GOLDEN.bin...\n");
    return 2;
  }
  for (i = 2; i < argc; i++) failed += run_one(argv[1], argv[i], arena);
  free(arena);
  printf("golden: %d of %d models match (bit-exact; float32 within %g)\n", argc - 2 - failed, argc - 2, FLOAT_TOL);
  return failed ? 1 : 0;
}
