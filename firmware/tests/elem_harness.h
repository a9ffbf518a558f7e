/* Shared by the element-wise op tests (test_elem.c, test_elem_unary.c): op codes, tensors of any
 * dtype, a one-op runner that reports the load status, comparisons per dtype. */
#ifndef QS_ELEM_HARNESS_H
#define QS_ELEM_HARNESS_H

#include <math.h>

#include "kernel_harness.h"

enum { I64 = 4, BOOL = 6, I16 = 7 };
enum { FLOOR = 8, L2N = 11, DIV = 42, EXP = 47, LOGSM = 50, CAST = 53, PRELU = 54, MAX = 55, MIN = 57, LESS = 58,
       NEG = 59, GT = 61, GE = 62, LE = 63, SIN = 66, EQ = 71, NE = 72, LOG = 73, SQRT = 75, RSQRT = 76, LOR = 84,
       LAND = 86, LNOT = 87, SQUARE = 92, SQDIFF = 99, ABS = 101, CEIL = 104, COS = 108, ELU = 111, ROUND = 116,
       SELECT = 64, SELECT_V2 = 123, FLOOR_DIV = 90, FLOOR_MOD = 95 };

/* A tensor of `type`, quantized when scale > 0, constant when data != NULL. */
static tb_tensor_t T(int type, int nd, int32_t d0, int32_t d1, float scale, int zp, const void *data, size_t len) {
  tb_tensor_t t;
  memset(&t, 0, sizeof(t));
  t.ndims = nd;
  t.dims[0] = d0, t.dims[1] = d1;
  t.type = type;
  t.nscales = scale > 0.0f ? 1 : 0;
  t.scales[0] = scale;
  t.zps[0] = zp;
  t.data = data;
  t.data_len = len;
  return t;
}

/* One op over tensors t[0..n_in) with output t[n_in]; graph inputs are the non-constant inputs,
 * fed from `in` in order; `act` >= 0 attaches an options table of type opt with it at field 0. */
static qs_status_t op1(int code, int n_in, const tb_tensor_t *t, const void *const *in, void *out, size_t out_len,
                       int opt, int act) {
  tb_model_t m;
  qs_status_t s = QS_OK;
  int i;
  memset(&m, 0, sizeof(m));
  m.ntensors = n_in + 1, m.nops = 1;
  m.op[0].code = code, m.op[0].nin = n_in, m.op[0].out = n_in;
  for (i = 0; i <= n_in; i++) m.t[i] = t[i];
  for (i = 0; i < n_in; i++) {
    m.op[0].in[i] = i;
    if (!t[i].data) m.inputs[m.nin++] = i;
  }
  if (act >= 0) {
    m.op[0].opt_type = opt, m.op[0].nopt = 1;
    m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 1, m.op[0].opts[0].ival = act;
  }
  m.nout = 1, m.outputs[0] = n_in;
  { /* a model the core refuses is not run (nor dumped as a fuzz seed: every seed must load) */
    static uint8_t model[1 << 16], arena[1 << 16];
    qs_interp_t ip;
    size_t len = tb_write(&m, model, sizeof(model));
    if (!len) return QS_ERR_STATE;
    if ((s = qs_load(&ip, model, len, arena, sizeof(arena))) != QS_OK) return s;
  }
  if (run(&m, in, out, out_len, &s) != 0 && s == QS_OK) return QS_ERR_STATE;
  return s;
}

static void expect_u8(const char *name, const uint8_t *got, const uint8_t *want, int n) {
  int i;
  for (i = 0; i < n; i++) CHECK(got[i] == want[i], "%s[%d]: got %d want %d", name, i, got[i], want[i]);
}
static void expect_i32(const char *name, const int32_t *got, const int32_t *want, int n) {
  int i;
  for (i = 0; i < n; i++) CHECK(got[i] == want[i], "%s[%d]: got %ld want %ld", name, i, (long)got[i], (long)want[i]);
}
static void expect_i16(const char *name, const int16_t *got, const int16_t *want, int n) {
  int i;
  for (i = 0; i < n; i++) CHECK(got[i] == want[i], "%s[%d]: got %d want %d", name, i, got[i], want[i]);
}
/* float32: bit-equal (NaN equals NaN), or within rel of want when rel > 0 */
static void expect_f(const char *name, const float *got, const double *want, int n, double rel) {
  int i;
  for (i = 0; i < n; i++) {
    int ok = (isnan(got[i]) && isnan(want[i])) || (rel > 0 ? fabs(got[i] - want[i]) <= rel * fabs(want[i]) : got[i] == (float)want[i]);
    CHECK(ok, "%s[%d]: got %.9g want %.9g", name, i, got[i], want[i]);
  }
}

#endif
