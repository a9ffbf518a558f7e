/*
 * SVDF (TFLite Micro's svdf_common.cc) with hand-worked vectors, and streaming: the activation
 * state is a variable tensor that each invoke shifts and extends, so a stream of frames is checked
 * frame by frame against TFLM's state-update rule worked out here, and qs_reset_state() must bring
 * the model back to frame 0. Also the two ops the keyword_scrambled models need beside SVDF: int8 ->
 * int16 SOFTMAX and int16 -> int32 QUANTIZE. Each case names the rule it checks.
 */
#include "kernel_harness.h"

enum { I16 = 7, OP_SVDF = 27, OPT_SVDF = 6, OP_SOFTMAX = 25, OP_QUANTIZE = 114 };

static tb_tensor_t typed(int ndims, const int32_t *dims, int type, float scale, int zp, const void *data, size_t len) {
  tb_tensor_t t = q8(ndims, dims, scale, zp, data, len);
  t.type = type;
  if (type == F32) t.nscales = 0;
  return t;
}

/* A one-SVDF model: 0 input [batch, in], 1 weights_feature [filters, in], 2 weights_time
 * [filters, memory], 3 bias [units], 4 state [batch, filters*memory] (variable), 5 output. */
typedef struct {
  int batch, in, filters, rank, memory, type, state_type, act;
  float in_scale, out_scale, state_scale, bias_scale;
  int in_zp, out_zp, state_zp, with_bias, state_variable;
  const void *wf, *wt, *bias;
} svdf_spec_t;

static void svdf_model(tb_model_t *m, const svdf_spec_t *s) {
  const int units = s->filters / s->rank;
  const int32_t dx[2] = {s->batch, s->in}, dwf[2] = {s->filters, s->in}, dwt[2] = {s->filters, s->memory};
  const int32_t db[1] = {units}, ds[2] = {s->batch, s->filters * s->memory}, dout[2] = {s->batch, units};
  const int f = s->type == F32;
  const size_t wsz = f ? 4u : 1u, tsz = f ? 4u : s->state_type == I16 ? 2u : 1u;
  memset(m, 0, sizeof(*m));
  m->ntensors = 6;
  m->t[0] = typed(2, dx, s->type, s->in_scale, s->in_zp, NULL, 0);
  m->t[1] = typed(2, dwf, s->type, 1.0f, 0, s->wf, wsz * (size_t)(s->filters * s->in));
  m->t[2] = typed(2, dwt, f ? F32 : s->state_type, 1.0f, 0, s->wt, tsz * (size_t)(s->filters * s->memory));
  m->t[3] = typed(1, db, f ? F32 : I32, s->bias_scale, 0, s->bias, 4u * (size_t)units);
  m->t[4] = typed(2, ds, f ? F32 : s->state_type, s->state_scale, s->state_zp, NULL, 0);
  m->t[4].is_variable = s->state_variable;
  m->t[5] = typed(2, dout, s->type, s->out_scale, s->out_zp, NULL, 0);
  m->nops = 1;
  m->op[0].code = OP_SVDF, m->op[0].nin = 5, m->op[0].out = 5, m->op[0].opt_type = OPT_SVDF;
  m->op[0].in[0] = 0, m->op[0].in[1] = 1, m->op[0].in[2] = 2, m->op[0].in[3] = s->with_bias ? 3 : -1, m->op[0].in[4] = 4;
  opt(&m->op[0], 0, 4, s->rank);
  opt(&m->op[0], 1, 1, s->act);
  m->nin = m->nout = 1, m->inputs[0] = 0, m->outputs[0] = 5;
}

static int invoke(qs_interp_t *ip, const void *x, size_t xlen, void *out, size_t olen) {
  memcpy(qs_input_data(ip, 0), x, xlen);
  if (qs_invoke(ip, NULL, NULL) != QS_OK) return -1;
  memcpy(out, qs_output_data(ip, 0), olen);
  return 0;
}

/* Shared weights of the rank-2 cases: batch 1, input 3, filters 4 (units 2), memory 2. */
static const int8_t k_wf8[12] = {1, 2, 3, -1, 0, 1, 2, 2, 2, 0, 1, -1};
static const int16_t k_wt16[8] = {1, 2, 3, -1, 1, 1, 2, 4};
static const int32_t k_bias32[2] = {10, -4};

static void test_svdf_int8_rank2(void) {
  /* rule (svdf_common.cc EvalIntegerSvdfReference): every scale 1 (scale_1 = x*wf/state = 1,
   * scale_2 = state*wt/out = 1: no rounding), x zero point 1, output zero point -3, int16 state.
   * x = [3, 1, -2] -> x - zp = [2, 0, -3]; feature dots per filter: f0 [1,2,3] -> -7,
   * f1 [-1,0,1] -> -5, f2 [2,2,2] -> -2, f3 [0,1,-1] -> 3. Frame 1: the zero state shifts left and
   * each filter's newest slot gets its dot: f0 [0,-7], f1 [0,-5], f2 [0,-2], f3 [0,3]; time dots
   * with wt f0 [1,2] -14, f1 [3,-1] 5, f2 [1,1] -2, f3 [2,4] 12; rank 2 sums filters in pairs:
   * u0 = 10 - 14 + 5 = 1, u1 = -4 - 2 + 12 = 6; + zp -3 -> [-2, 3]. Frame 2 (same x): the shift
   * moves each newest value into its filter's older slot: f0 [-7,-7] -> -21, f1 [-5,-5] -> -10,
   * f2 [-2,-2] -> -4, f3 [3,3] -> 18; u0 = 10-21-10 = -21, u1 = -4-4+18 = 10 -> [-24, 7]. */
  static const int8_t x[3] = {3, 1, -2}, want1[2] = {-2, 3}, want2[2] = {-24, 7};
  svdf_spec_t s = {1, 3, 4, 2, 2, I8, I16, 0, 1.0f, 1.0f, 1.0f, 1.0f, 1, -3, 0, 1, 1, k_wf8, k_wt16, k_bias32};
  tb_model_t m;
  qs_interp_t ip;
  qs_op_info_t info;
  int8_t out[2];
  svdf_model(&m, &s);
  if (load_model(&m, &ip, NULL)) {
    CHECK(0, "int8 SVDF rank 2 loads");
    return;
  }
  CHECK(invoke(&ip, x, 3, out, 2) == 0, "int8 SVDF ran");
  expect8("svdf_i8_frame1", out, want1, 2);
  CHECK(invoke(&ip, x, 3, out, 2) == 0, "int8 SVDF ran twice");
  expect8("svdf_i8_frame2", out, want2, 2);
  /* rule: MACs = batch * filters * (input + memory) = 4 * (3 + 2) */
  CHECK(qs_op_info(&ip, 0, &info) == QS_OK && info.macs == 20, "SVDF MACs %llu, want 20", (unsigned long long)info.macs);
}

#if QS_WITH_FLOAT
static void test_svdf_float_rank2(void) {
  /* rule (EvalFloatSvdfReference): the int8 case's numbers in float32 without zero points,
   * x = [2, 0, -3]: frame 1 [1, 6], frame 2 [-21, 10]; with the fused RELU the negative unit
   * becomes 0 (TFLM applies the activation on the float path only). */
  static const float x[3] = {2.0f, 0.0f, -3.0f}, wf[12] = {1, 2, 3, -1, 0, 1, 2, 2, 2, 0, 1, -1};
  static const float wt[8] = {1, 2, 3, -1, 1, 1, 2, 4}, bias[2] = {10, -4};
  static const float want[2][2] = {{1.0f, 6.0f}, {0.0f, 10.0f}};
  svdf_spec_t s = {1, 3, 4, 2, 2, F32, F32, 1 /* RELU */, 1.0f, 1.0f, 1.0f, 1.0f, 0, 0, 0, 1, 1, wf, wt, bias};
  tb_model_t m;
  qs_interp_t ip;
  float out[2];
  int f, i;
  svdf_model(&m, &s);
  if (load_model(&m, &ip, NULL)) {
    CHECK(0, "float SVDF rank 2 loads");
    return;
  }
  for (f = 0; f < 2; f++) {
    CHECK(invoke(&ip, x, sizeof(x), out, sizeof(out)) == 0, "float SVDF ran");
    for (i = 0; i < 2; i++) CHECK(out[i] == want[f][i], "float SVDF frame %d unit %d: got %g want %g", f + 1, i, out[i], want[f][i]);
  }
}
#endif

/* TFLM's integer state-update rule, written out for the streaming test (state zero point zs,
 * every scale 1, so the rescales are exact): shift the whole state left one element; each
 * filter's newest slot = (clamp(dot(wf, x - zx), state type range) + zs) stored in the state type
 * (it wraps there: TFLM adds the zero point after the clamp); t_f = sum_j wt[f][j] *
 * (state[f][j] - zs); out_u = clamp(bias_u + sum over the rank's filters + zo, -128, 127). */
static void rule_frame(const svdf_spec_t *s, int32_t *state, const int8_t *x, int8_t *out) {
  const int n = s->filters * s->memory, units = s->filters / s->rank;
  const int32_t lo = s->state_type == I16 ? -32768 : -128, hi = -lo - 1;
  const int8_t *wf = (const int8_t *)s->wf, *wt8 = (const int8_t *)s->wt;
  const int16_t *wt16 = (const int16_t *)s->wt;
  int32_t t[16];
  int i, f, j;
  for (i = 0; i + 1 < n; i++) state[i] = state[i + 1];
  for (f = 0; f < s->filters; f++) {
    int32_t dot = 0, v;
    for (j = 0; j < s->in; j++) dot += wf[f * s->in + j] * (x[j] - s->in_zp);
    v = (dot < lo ? lo : dot > hi ? hi : dot) + s->state_zp;
    if (s->state_type == I16) v = (int16_t)(uint16_t)(v & 0xFFFF);
    else v = (int8_t)(uint8_t)(v & 0xFF);
    state[f * s->memory + s->memory - 1] = v;
  }
  for (f = 0; f < s->filters; f++) {
    t[f] = 0;
    for (j = 0; j < s->memory; j++)
      t[f] += (s->state_type == I16 ? wt16[f * s->memory + j] : wt8[f * s->memory + j]) * (state[f * s->memory + j] - s->state_zp);
  }
  for (i = 0; i < units; i++) {
    int32_t acc = ((const int32_t *)s->bias)[i];
    for (j = 0; j < s->rank; j++) acc += t[i * s->rank + j];
    acc += s->out_zp;
    out[i] = (int8_t)(acc < -128 ? -128 : acc > 127 ? 127 : acc);
  }
}

static void stream_case(const char *name, const svdf_spec_t *s) {
  /* 10 frames of a varying input, each output compared with rule_frame's; then qs_reset_state
   * and frame 0 again must give frame 0's output (the state is back to the zero point) */
  tb_model_t m;
  qs_interp_t ip;
  int32_t state[64] = {0};
  int8_t x[4], got[8], want[8], first[8];
  int frame, i, units = s->filters / s->rank;
  for (i = 0; i < s->filters * s->memory; i++) state[i] = s->state_zp;
  svdf_model(&m, s);
  if (load_model(&m, &ip, NULL)) {
    CHECK(0, "%s loads", name);
    return;
  }
  for (frame = 0; frame < 10; frame++) {
    for (i = 0; i < s->in; i++) x[i] = (int8_t)((frame * 3 + i * 5) % 7 - 3);
    rule_frame(s, state, x, want);
    CHECK(invoke(&ip, x, (size_t)s->in, got, (size_t)units) == 0, "%s frame %d ran", name, frame);
    for (i = 0; i < units; i++) CHECK(got[i] == want[i], "%s frame %d unit %d: got %d want %d", name, frame, i, got[i], want[i]);
    if (frame == 0) memcpy(first, want, (size_t)units);
  }
  CHECK(qs_reset_state(&ip) == QS_OK, "%s reset", name);
  for (i = 0; i < s->in; i++) x[i] = (int8_t)((i * 5) % 7 - 3);
  CHECK(invoke(&ip, x, (size_t)s->in, got, (size_t)units) == 0, "%s after reset ran", name);
  expect8(name, got, first, units);
}

static void test_svdf_streaming(void) {
  /* int16 state (keyword_scrambled's layout): input 2, filters 2, rank 1, memory 3; feature dots
   * up to 70*3 + 60*3 = 390 stay in int16 range */
  static const int8_t wf[4] = {60, 70, -3, 1};
  static const int16_t wt16[6] = {1, -2, 3, 2, 1, -1};
  static const int8_t wt8[6] = {1, -2, 3, 2, 1, -1};
  static const int32_t bias[2] = {-5, 7};
  svdf_spec_t s16 = {1, 2, 2, 1, 3, I8, I16, 0, 1.0f, 1.0f, 1.0f, 1.0f, 0, 0, 0, 1, 1, wf, wt16, bias};
  /* int8 state with zero point 5 (keyword_scrambled_8bit's layout): dots above 127 clamp to 127
   * and + 5 wrap to -124 in the state, as TFLM's store does */
  svdf_spec_t s8 = {1, 2, 2, 1, 3, I8, I8, 0, 1.0f, 1.0f, 1.0f, 1.0f, 0, 0, 5, 1, 1, wf, wt8, bias};
  stream_case("svdf_stream_state16", &s16);
  stream_case("svdf_stream_state8_zp5", &s8);
}

static void test_svdf_refusals(void) {
  /* rules (PrepareSvdf): the state must be a variable tensor; an int8 SVDF reads the bias scale
   * (TFLM dereferences the bias), which must equal state scale * weights_time scale within 1e-5;
   * the state has the weights_time type; rank must divide the filters */
  svdf_spec_t s = {1, 3, 4, 2, 2, I8, I16, 0, 1.0f, 1.0f, 1.0f, 1.0f, 1, -3, 0, 1, 1, k_wf8, k_wt16, k_bias32};
  tb_model_t m;
  qs_interp_t ip;
  qs_status_t st;
  s.state_variable = 0;
  svdf_model(&m, &s);
  m.nin = 2, m.inputs[1] = 4; /* a state fed as a graph input instead of kept in a variable tensor */
  CHECK(load_model(&m, &ip, &st) != 0 && st == QS_ERR_SCHEMA && strstr(ip.err.msg, "variable"), "non-variable state refused: %s", ip.err.msg);
  s.state_variable = 1, s.with_bias = 0;
  svdf_model(&m, &s);
  CHECK(load_model(&m, &ip, &st) != 0 && strstr(ip.err.msg, "bias"), "int8 SVDF without bias refused: %s", ip.err.msg);
  s.with_bias = 1, s.bias_scale = 0.5f;
  svdf_model(&m, &s);
  CHECK(load_model(&m, &ip, &st) != 0 && st == QS_ERR_QUANT && strstr(ip.err.msg, "bias scale"), "bias scale mismatch refused: %s", ip.err.msg);
  s.bias_scale = 1.0f;
  svdf_model(&m, &s);
  m.t[4].type = I8; /* int16 weights_time, int8 state */
  m.t[4].zps[0] = 0;
  CHECK(load_model(&m, &ip, &st) != 0 && st == QS_ERR_TYPE, "state type differing from weights_time refused: %s", ip.err.msg);
  s.rank = 3;
  svdf_model(&m, &s);
  CHECK(load_model(&m, &ip, &st) != 0 && st == QS_ERR_SHAPE && strstr(ip.err.msg, "rank"), "rank not dividing filters refused: %s", ip.err.msg);
}

static void test_softmax_int16_out(void) {
  /* rule (softmax_common.cc, reference Softmax<int8, int16>): output zero point -32768, scale
   * 1/65536; 4 equal values -> 0.25 * 65536 = 16384 -> -32768 + 16384 = -16384; [100, -128] with
   * input scale 1: exp(-228) vanishes -> 65536 - 32768 clamps to 32767, the other -32768 */
  static const int8_t xs[4] = {7, 7, 7, 7}, xs2[2] = {100, -128};
  static const int16_t want[4] = {-16384, -16384, -16384, -16384}, want2[2] = {32767, -32768};
  const int32_t d4[2] = {1, 4}, d2[2] = {1, 2};
  tb_model_t m;
  int16_t out[4];
  const void *in[1] = {xs};
  qs_status_t st;
  int i;
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = q8(2, d4, 1.0f, 0, NULL, 0);
  m.t[1] = typed(2, d4, I16, 1.0f / 65536.0f, -32768, NULL, 0);
  m.nops = 1;
  m.op[0].code = OP_SOFTMAX, m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1, m.op[0].opt_type = 9;
  m.op[0].opts[0].field = 0, m.op[0].opts[0].size = 4, m.op[0].opts[0].is_float = 1, m.op[0].opts[0].fval = 1.0f;
  m.op[0].nopt = 1;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
  CHECK(run(&m, in, out, 8, NULL) == 0, "int8 -> int16 softmax ran");
  for (i = 0; i < 4; i++) CHECK(out[i] == want[i], "softmax16 uniform[%d]: got %d want %d", i, out[i], want[i]);
  m.t[0] = q8(2, d2, 1.0f, 0, NULL, 0);
  m.t[1] = typed(2, d2, I16, 1.0f / 65536.0f, -32768, NULL, 0);
  in[0] = xs2;
  CHECK(run(&m, in, out, 4, NULL) == 0, "int8 -> int16 softmax 2 ran");
  for (i = 0; i < 2; i++) CHECK(out[i] == want2[i], "softmax16 peaked[%d]: got %d want %d", i, out[i], want2[i]);
  /* rule: the int16 output must have zero point -32768 (TFLM's TF_LITE_ENSURE_EQ) */
  m.t[1].zps[0] = 0;
  CHECK(run(&m, in, out, 4, &st) != 0 && st == QS_ERR_QUANT, "int16 softmax output with zero point 0 refused");
}

static void test_quantize_int16_int32(void) {
  /* rule (quantize_common.cc Requantize<int16, int32>): (x - in_zp) * (in_scale / out_scale) +
   * out_zp; in scale 0.5, out scale 0.25 -> multiplier 2, exact: x = [-32768, -1, 0, 32767] ->
   * 2x + 3 = [-65533, 1, 3, 65537] (no int16 clamp on an int32 output) */
  static const int16_t x[4] = {-32768, -1, 0, 32767};
  static const int32_t want[4] = {-65533, 1, 3, 65537};
  const int32_t d4[1] = {4};
  tb_model_t m;
  int32_t out[4];
  const void *in[1] = {x};
  int i;
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = typed(1, d4, I16, 0.5f, 0, NULL, 0);
  m.t[1] = typed(1, d4, I32, 0.25f, 3, NULL, 0);
  m.nops = 1;
  m.op[0].code = OP_QUANTIZE, m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
  CHECK(run(&m, in, out, 16, NULL) == 0, "int16 -> int32 quantize ran");
  for (i = 0; i < 4; i++) CHECK(out[i] == want[i], "quantize i16->i32[%d]: got %d want %d", i, out[i], want[i]);
}

int main(void) {
  test_svdf_int8_rank2();
#if QS_WITH_FLOAT
  test_svdf_float_rank2();
#endif
  test_svdf_streaming();
  test_svdf_refusals();
  test_softmax_int16_out();
  test_quantize_int16_int32();
  printf("svdf: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
