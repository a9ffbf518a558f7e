/*
 * float32 element-wise ops with broadcasting (ADD, SUB, MUL), the activations (RELU, RELU6,
 * LEAKY_RELU, TANH, LOGISTIC, HARD_SWISH: NaN and -0 where they are pinned) and SOFTMAX against
 * hand-computed vectors (values chosen so every step is exact, or the comment works out the one
 * rounding). The other float32 kernels: test_float.c.
 */
#include <math.h>

#include "float_harness.h"

static void test_binary(void) {
  /* [2,2] op [2] broadcast over rows: a = [[1.5,-2],[3,4]], b = [0.25, 2] (constant)
   * ADD + RELU [1.75, 0, 3.25, 6]; SUB [1.25, -4, 2.75, 2]; MUL [0.375, -4, 0.75, 8] */
  static const float a[4] = {1.5f, -2, 3, 4}, b[2] = {0.25f, 2};
  static const float want_add[4] = {1.75f, 0, 3.25f, 6}, want_sub[4] = {1.25f, -4, 2.75f, 2};
  static const float want_mul[4] = {0.375f, -4, 0.75f, 8};
  const int32_t d22[2] = {2, 2}, d2[1] = {2};
  tb_model_t m;
  float out[4];
  const void *in[1] = {a};
  memset(&m, 0, sizeof(m));
  model1(&m, 0, 3, k_in3, 2, 1);
  m.t[0] = f32(2, d22, NULL);
  m.t[1] = f32(1, d2, b);
  m.t[2] = f32(2, d22, NULL);
  m.op[0].opt_type = 11;
  opt(&m.op[0], 0, 1, 1); /* RELU */
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float add ran");
  expectf("add_broadcast_relu", out, want_add, 4);
  m.op[0].code = 41, m.op[0].opt_type = 28, m.op[0].nopt = 0;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float sub ran");
  expectf("sub_broadcast", out, want_sub, 4);
  m.op[0].code = 18, m.op[0].opt_type = 21;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float mul ran");
  expectf("mul_broadcast", out, want_mul, 4);
}

static void test_unary(void) {
  /* RELU: NaN and -0 give +0. RELU6: min(6, max(0, x)) keeps NaN. LEAKY_RELU alpha 0.25.
   * TANH / LOGISTIC: double results rounded once (tanh(0.5) = 0.46211715726000974,
   * 1/(1+e^-2) = 0.8807970779778823). HARD_SWISH: x * min(6, max(0, x+3)) / 6. */
  const int32_t d[1] = {5};
  float x[5], out[5], want[5];
  tb_model_t m;
  const void *in[1] = {x};
  memset(&m, 0, sizeof(m));
  model1(&m, 19, 2, k_in3, 1, 1);
  m.t[0] = f32(1, d, NULL);
  m.t[1] = f32(1, d, NULL);
  x[0] = -1, x[1] = -0.0f, x[2] = 2.5f, x[3] = NAN, x[4] = 7;
  want[0] = 0, want[1] = 0, want[2] = 2.5f, want[3] = 0, want[4] = 7;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float relu ran");
  expectf("relu", out, want, 5);
  CHECK(!signbit(out[1]), "relu(-0) must be +0");
  m.op[0].code = 21;
  want[3] = NAN, want[4] = 6;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float relu6 ran");
  expectf("relu6", out, want, 5);
  CHECK(!signbit(out[1]), "relu6(-0) must be +0");
  m.op[0].code = 98, m.op[0].opt_type = 96, m.op[0].nopt = 1;
  m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 4, m.op[0].opts[0].is_float = 1, m.op[0].opts[0].fval = 0.25f;
  want[0] = -0.25f, want[1] = -0.0f, want[3] = NAN, want[4] = 7;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float leaky relu ran");
  expectf("leaky_relu", out, want, 5);
  m.op[0].code = 28, m.op[0].opt_type = 0, m.op[0].nopt = 0;
  x[0] = 0, x[1] = 0.5f, x[2] = -0.5f, x[3] = 20, x[4] = -INFINITY;
  want[0] = 0, want[1] = 0.46211715726000974f, want[2] = -0.46211715726000974f, want[3] = 1, want[4] = -1;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float tanh ran");
  expectf("tanh", out, want, 5);
  m.op[0].code = 14;
  x[1] = 2, x[2] = -2;
  want[0] = 0.5f, want[1] = 0.8807970779778823f, want[2] = 0.11920292202211755f, want[3] = 0.9999999979388463f, want[4] = 0;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float logistic ran");
  expectf("logistic", out, want, 5);
  m.op[0].code = 117;
  x[0] = -4, x[1] = 1, x[2] = -1, x[3] = 4, x[4] = INFINITY;
  /* -4 -> -4 * 0 / 6 = -0; 1 -> 4/6; -1 -> -2/6; 4 -> 4 * 6 / 6; inf -> inf */
  want[0] = -0.0f, want[1] = (float)(4.0 / 6.0), want[2] = (float)(-2.0 / 6.0), want[3] = 4, want[4] = INFINITY;
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float hard swish ran");
  expectf("hard_swish", out, want, 5);
}

static void test_softmax(void) {
  /* rows [1,1,1,1] -> 0.25 each; [0, 0, ln 2 (float32), -inf]: exp of x - max, beta 1
   * -> 0.5/2, 0.5/2, 1/2, 0 with the float32 rounding of ln 2 cancelling in the ratio;
   * beta 2 on [0, 1]: e^-2 / (1 + e^-2) = 0.11920292202211755, 1 / (1 + e^-2) = 0.8807970779778823 */
  const int32_t d[2] = {2, 4}, d2[2] = {1, 2};
  float x[8], out[8], want[8];
  tb_model_t m;
  const void *in[1] = {x};
  int i;
  for (i = 0; i < 4; i++) x[i] = 1, want[i] = 0.25f;
  x[4] = 0, x[5] = 0, x[6] = 0.6931471805599453f, x[7] = -INFINITY;
  memset(&m, 0, sizeof(m));
  model1(&m, 25, 2, k_in3, 1, 1);
  m.t[0] = f32(2, d, NULL);
  m.t[1] = f32(2, d, NULL);
  CHECK(run(&m, in, out, sizeof(out), NULL) == 0, "float softmax ran");
  expectf("softmax_equal", out, want, 4);
  CHECK(fabsf(out[4] - 0.25f) < 1e-7f && fabsf(out[6] - 0.5f) < 1e-7f && out[7] == 0.0f && out[4] == out[5],
        "softmax: got [%g %g %g %g]", (double)out[4], (double)out[5], (double)out[6], (double)out[7]);
  m.op[0].opt_type = 9, m.op[0].nopt = 1;
  m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 4, m.op[0].opts[0].is_float = 1, m.op[0].opts[0].fval = 2.0f;
  m.t[0] = f32(2, d2, NULL);
  m.t[1] = f32(2, d2, NULL);
  x[0] = 0, x[1] = 1;
  want[0] = 0.11920292202211755f, want[1] = 0.8807970779778823f;
  CHECK(run(&m, in, out, 8, NULL) == 0, "float softmax beta 2 ran");
  expectf("softmax_beta2", out, want, 2);
}

int main(void) {
  (void)q8, (void)expect8; /* harness helpers this file does not need */
  test_binary();
  test_unary();
  test_softmax();
  printf("float element-wise: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
