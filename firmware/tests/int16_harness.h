/* Shared by the int16x8 tests (test_int16.c, test_tconv.c, test_act16.c): int16/int64 tensors,
 * int16 comparison, one-input one-output models. */
#ifndef QS_INT16_HARNESS_H
#define QS_INT16_HARNESS_H

#include "kernel_harness.h"

enum { I16 = 7, I64 = 4 };

static tb_tensor_t qt(int type, int ndims, const int32_t *dims, float scale, const void *data, size_t len) {
  tb_tensor_t t = q8(ndims, dims, scale, 0, data, len);
  t.type = type;
  return t;
}

static void expect16(const char *name, const int16_t *got, const int16_t *want, int n) {
  int i;
  for (i = 0; i < n; i++) CHECK(got[i] == want[i], "%s[%d]: got %d want %d", name, i, got[i], want[i]);
}

/* One-input one-output op (code) from tensor 0 to tensor 1, no options. */
static void unary_model(tb_model_t *m, int code, tb_tensor_t in, tb_tensor_t out) {
  memset(m, 0, sizeof(*m));
  m->ntensors = 2, m->nops = 1, m->nin = 1, m->inputs[0] = 0, m->nout = 1, m->outputs[0] = 1;
  m->op[0].code = code, m->op[0].nin = 1, m->op[0].in[0] = 0, m->op[0].out = 1;
  m->t[0] = in, m->t[1] = out;
}

#endif
