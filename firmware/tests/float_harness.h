/* Shared by the float32 kernel tests (test_float.c, test_float_elem.c): float32 tensors, one-op
 * models, bit-exact float comparison. */
#ifndef QS_FLOAT_HARNESS_H
#define QS_FLOAT_HARNESS_H

#include "kernel_harness.h"

static tb_tensor_t f32(int ndims, const int32_t *dims, const float *data) {
  tb_tensor_t t;
  int i;
  size_t n = 1;
  memset(&t, 0, sizeof(t));
  t.ndims = ndims;
  for (i = 0; i < ndims; i++) t.dims[i] = dims[i], n *= (size_t)dims[i];
  t.type = F32;
  t.data = data;
  t.data_len = data ? 4 * n : 0;
  return t;
}

/* One op over tensors t[0..n_t): inputs in[], output the last tensor, graph inputs the first n_gin. */
static void model1(tb_model_t *m, int code, int n_t, const int *in, int n_in, int n_gin) {
  int i;
  m->ntensors = n_t;
  m->nops = 1;
  m->op[0].code = code, m->op[0].nin = n_in, m->op[0].out = n_t - 1;
  for (i = 0; i < n_in; i++) m->op[0].in[i] = in[i];
  m->nin = n_gin;
  for (i = 0; i < n_gin; i++) m->inputs[i] = i;
  m->nout = 1, m->outputs[0] = n_t - 1;
}

/* Bit-exact, except that any NaN matches a NaN. */
static void expectf(const char *name, const float *got, const float *want, int n) {
  int i;
  for (i = 0; i < n; i++)
    CHECK(memcmp(&got[i], &want[i], 4) == 0 || (got[i] != got[i] && want[i] != want[i]),
          "%s[%d]: got %.9g want %.9g", name, i, (double)got[i], (double)want[i]);
}

#if QS_WITH_FLOAT
static const int k_in3[3] = {0, 1, 2};
#endif

#endif
