/*
 * Data-movement ops with hand-worked vectors: SPLIT / SPLIT_V / UNPACK (several outputs: every
 * output reaches the hook, in order, each in its own arena place), GATHER, GATHER_ND, SLICE,
 * BROADCAST_TO, FILL, ZEROS_LIKE, DEPTH_TO_SPACE, SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, ARG_MIN,
 * and the TFLite Micro refusals (uint8 CONCATENATION). Each case names the rule it checks.
 */
#include "kernel_harness.h"

enum { I16 = 7, BOOL = 6, U8 = 3 };
enum { OP_SPLIT = 49, OP_SPLIT_V = 102, OP_UNPACK = 88, OP_GATHER = 36, OP_GATHER_ND = 107, OP_SLICE = 65 };
enum { OP_BROADCAST_TO = 130, OP_FILL = 94, OP_ZEROS_LIKE = 93, OP_D2S = 5, OP_S2B = 38, OP_B2S = 37, OP_ARG_MIN = 79 };

static tb_tensor_t typed(int ndims, const int32_t *dims, int type, const void *data, size_t len) {
  tb_tensor_t t = q8(ndims, dims, 0.5f, 0, data, len);
  t.type = type;
  if (type != I8) t.nscales = 0;
  return t;
}

/* Every output the hook hands over: tensor index and bytes. */
typedef struct {
  int n, op[8], tensor[8];
  size_t len[8];
  uint8_t data[8][64];
  const uint8_t *ptr[8];
} taps_t;

static void tap(void *ctx, int op, int tensor, const uint8_t *data, size_t len, uint32_t ticks) {
  taps_t *t = (taps_t *)ctx;
  (void)ticks;
  if (t->n >= 8 || len > 64) return;
  t->op[t->n] = op, t->tensor[t->n] = tensor, t->len[t->n] = len, t->ptr[t->n] = data;
  memcpy(t->data[t->n], data, len);
  t->n++;
}

/* Load the model, write input 0 (and 1), invoke with the tap hook. Returns the load status. */
static qs_status_t run_taps(const tb_model_t *tm, const void *in0, const void *in1, taps_t *taps, qs_interp_t *ip) {
  size_t len = tb_write(tm, g_model, sizeof(g_model));
  qs_status_t s;
  qs_tensor_info_t ti;
  memset(taps, 0, sizeof(*taps));
  if (!len) return QS_ERR_ARG;
  if ((s = qs_load(ip, g_model, len, g_arena, sizeof(g_arena))) != QS_OK) return s;
  dump_seed(g_model, len); /* models that load: seeds for the loader fuzzer */
  qs_tensor_info(ip, qs_input_tensor(ip, 0), &ti);
  memcpy(qs_input_data(ip, 0), in0, ti.bytes);
  if (in1 && qs_input_count(ip) > 1) {
    qs_tensor_info(ip, qs_input_tensor(ip, 1), &ti);
    memcpy(qs_input_data(ip, 1), in1, ti.bytes);
  }
  return qs_invoke(ip, tap, taps);
}

/* A one-op model: tensors t[0..n_t), op inputs in[], outputs outs[] (graph outputs too). */
static void model(tb_model_t *m, int code, int n_t, const int *in, int n_in, const int *outs, int n_out, const int *gin, int n_gin) {
  int i;
  memset(m, 0, sizeof(*m));
  m->ntensors = n_t, m->nops = 1;
  m->op[0].code = code, m->op[0].nin = n_in, m->op[0].out = outs[0], m->op[0].nout = n_out > 1 ? n_out : 0;
  for (i = 0; i < n_in; i++) m->op[0].in[i] = in[i];
  for (i = 0; i < n_out; i++) m->op[0].outs[i] = outs[i], m->outputs[i] = outs[i];
  m->nout = n_out;
  for (i = 0; i < n_gin; i++) m->inputs[i] = gin[i];
  m->nin = n_gin;
}

static void test_split(void) {
  /* rule: SPLIT cuts [2,6] int8 along axis 1 into three [2,2]: output k holds columns 2k, 2k+1 of
   * each row; the hook sees all three outputs of op 0, in order, in distinct arena places */
  static const int8_t x[12] = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15};
  static const int8_t want[3][4] = {{0, 1, 10, 11}, {2, 3, 12, 13}, {4, 5, 14, 15}};
  static const int32_t axis[1] = {1};
  const int32_t d26[2] = {2, 6}, d22[2] = {2, 2};
  const int in[2] = {0, 1}, outs[3] = {2, 3, 4}, gin[1] = {1};
  tb_model_t m;
  taps_t t;
  qs_interp_t ip;
  qs_op_info_t info;
  int k;
  model(&m, OP_SPLIT, 5, in, 2, outs, 3, gin, 1);
  m.t[0] = typed(0, d26, I32, axis, 4);
  m.t[1] = q8(2, d26, 0.5f, 0, NULL, 0);
  for (k = 2; k < 5; k++) m.t[k] = q8(2, d22, 0.5f, 0, NULL, 0);
  m.op[0].opt_type = 35; /* SplitOptions */
  opt(&m.op[0], 0, 4, 3);
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_OK, "split ran");
  CHECK(t.n == 3, "split: %d hook calls, want 3", t.n);
  for (k = 0; k < 3 && k < t.n; k++) {
    CHECK(t.op[k] == 0 && t.tensor[k] == 2 + k && t.len[k] == 4, "split tap %d: op %d tensor %d len %zu", k, t.op[k], t.tensor[k], t.len[k]);
    expect8("split", (const int8_t *)t.data[k], want[k], 4);
    CHECK(memcmp(qs_output_data(&ip, k), want[k], 4) == 0, "split graph output %d", k);
  }
  CHECK(t.ptr[0] != t.ptr[1] && t.ptr[1] != t.ptr[2] && t.ptr[0] != t.ptr[2], "split outputs share memory");
  CHECK(qs_op_info(&ip, 0, &info) == QS_OK && info.output_count == 3 && info.output_tensor == 2, "op info output count");
  CHECK(qs_op_output(&ip, 0, 2) == 4 && qs_op_output(&ip, 0, 3) == -1 && qs_op_output(&ip, 1, 0) == -1, "qs_op_output");
  /* rule: num_splits must equal the output count (TFLite Micro writes NumOutputs parts) */
  m.op[0].opts[0].ival = 2;
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_ERR_SCHEMA, "split: num_splits 2 with 3 outputs refused");
  /* rule: only ops that have several outputs may have them */
  m.op[0].code = 19, m.op[0].nin = 1, m.op[0].in[0] = 1, m.op[0].opt_type = 0, m.op[0].nopt = 0;
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_ERR_UNSUPPORTED && strstr(ip.err.msg, "exactly one output"), "RELU with 3 outputs refused");
}

static void test_split_v_unpack(void) {
  /* rule: SPLIT_V int16 [5] by size_splits {2, -1}: [0..2) and the rest */
  static const int16_t x[5] = {-300, 7, 30000, -1, 5}, a[2] = {-300, 7}, b[3] = {30000, -1, 5};
  static const int32_t sizes[2] = {2, -1}, axis[1] = {0};
  /* rule: UNPACK int16 [2,3] along axis 1 gives three [2] columns */
  static const int16_t u[6] = {1, 2, 3, 4, 5, 6}, col[3][2] = {{1, 4}, {2, 5}, {3, 6}};
  const int32_t d5[1] = {5}, d2[1] = {2}, d3[1] = {3}, d23[2] = {2, 3};
  const int in[3] = {0, 1, 2}, outs[3] = {3, 4, 5}, gin[1] = {0}, uin[1] = {0}, uouts[3] = {1, 2, 3};
  tb_model_t m;
  taps_t t;
  qs_interp_t ip;
  int k;
  model(&m, OP_SPLIT_V, 5, in, 3, outs, 2, gin, 1);
  m.t[0] = typed(1, d5, I16, NULL, 0);
  m.t[1] = typed(1, d2, I32, sizes, 8);
  m.t[2] = typed(0, d5, I32, axis, 4);
  m.t[3] = typed(1, d2, I16, NULL, 0);
  m.t[4] = typed(1, d3, I16, NULL, 0);
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_OK && t.n == 2, "split_v ran, 2 taps");
  CHECK(memcmp(t.data[0], a, 4) == 0 && memcmp(t.data[1], b, 6) == 0, "split_v values");
  model(&m, OP_UNPACK, 4, uin, 1, uouts, 3, gin, 1);
  m.t[0] = typed(2, d23, I16, NULL, 0);
  for (k = 1; k < 4; k++) m.t[k] = typed(1, d2, I16, NULL, 0);
  m.op[0].opt_type = 64; /* UnpackOptions */
  opt(&m.op[0], 0, 4, 3);
  opt(&m.op[0], 1, 4, 1);
  CHECK(run_taps(&m, u, NULL, &t, &ip) == QS_OK && t.n == 3, "unpack ran, 3 taps");
  for (k = 0; k < 3; k++) CHECK(memcmp(t.data[k], col[k], 4) == 0, "unpack column %d", k);
}

static void test_gather(void) {
  /* rule: GATHER int8 [3,2] at positions {2, 0, 2} along axis 0 copies whole rows */
  static const int8_t x[6] = {1, 2, 3, 4, 5, 6}, want[6] = {5, 6, 1, 2, 5, 6};
  static const int32_t pos[3] = {2, 0, 2};
  /* rule: GATHER_ND int8 [2,2,2] at index pairs {1,0}, {0,1} copies [2] slices */
  static const int8_t y[8] = {1, 2, 3, 4, 5, 6, 7, 8}, want_nd[4] = {5, 6, 3, 4};
  static const int32_t pairs[4] = {1, 0, 0, 1};
  const int32_t d32[2] = {3, 2}, d3[1] = {3}, d2[1] = {2}, d222[3] = {2, 2, 2}, d22[2] = {2, 2};
  const int in[2] = {0, 1}, outs[1] = {2}, gin[1] = {0};
  tb_model_t m;
  taps_t t;
  qs_interp_t ip;
  int32_t bad = 3;
  model(&m, OP_GATHER, 3, in, 2, outs, 1, gin, 1);
  m.t[0] = q8(2, d32, 0.5f, 0, NULL, 0);
  m.t[1] = typed(1, d3, I32, pos, 12);
  {
    const int32_t d3x2[2] = {3, 2};
    m.t[2] = q8(2, d3x2, 0.5f, 0, NULL, 0);
  }
  m.op[0].opt_type = 23; /* GatherOptions */
  opt(&m.op[0], 0, 4, 0);
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_OK, "gather ran");
  expect8("gather", (const int8_t *)t.data[0], want, 6);
  /* rule: a constant position outside the axis is refused at load */
  m.t[1] = typed(1, d2, I32, NULL, 0);
  m.t[1].dims[0] = 1, m.t[1].data = &bad, m.t[1].data_len = 4;
  m.t[2].dims[0] = 1;
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_ERR_SHAPE, "gather position 3 of 3 refused");
  model(&m, OP_GATHER_ND, 3, in, 2, outs, 1, gin, 1);
  m.t[0] = q8(3, d222, 0.5f, 0, NULL, 0);
  m.t[1] = typed(2, d22, I32, pairs, 16);
  m.t[2] = q8(2, d22, 0.5f, 0, NULL, 0);
  CHECK(run_taps(&m, y, NULL, &t, &ip) == QS_OK, "gather_nd ran");
  expect8("gather_nd", (const int8_t *)t.data[0], want_nd, 4);
}

static void test_slice_fill_broadcast(void) {
  /* rule: SLICE bool [2,3] begin {0,1} size {2,-1}: columns 1..2 of both rows */
  static const uint8_t b[6] = {1, 0, 1, 0, 1, 1}, want_b[4] = {0, 1, 1, 1};
  static const int32_t begin[2] = {0, 1}, size[2] = {2, -1};
  /* rule: FILL int8 dims {2,2} with the scalar -5 everywhere */
  static const int8_t v[1] = {-5}, want_f[4] = {-5, -5, -5, -5};
  static const int32_t dims[2] = {2, 2};
  /* rule: BROADCAST_TO int32 [2,1] -> [2,3] repeats each row's value */
  static const int32_t bx[2] = {7, -9}, shape[2] = {2, 3}, want_bc[6] = {7, 7, 7, -9, -9, -9};
  const int32_t d23[2] = {2, 3}, d22[2] = {2, 2}, d2[1] = {2}, d21[2] = {2, 1};
  const int in3[3] = {0, 1, 2}, out3[1] = {3}, in2[2] = {0, 1}, out2[1] = {2}, g0[1] = {0}, g1[1] = {1};
  tb_model_t m;
  taps_t t;
  qs_interp_t ip;
  model(&m, OP_SLICE, 4, in3, 3, out3, 1, g0, 1);
  m.t[0] = typed(2, d23, BOOL, NULL, 0);
  m.t[1] = typed(1, d2, I32, begin, 8);
  m.t[2] = typed(1, d2, I32, size, 8);
  m.t[3] = typed(2, d22, BOOL, NULL, 0);
  CHECK(run_taps(&m, b, NULL, &t, &ip) == QS_OK && memcmp(t.data[0], want_b, 4) == 0, "slice bool");
  model(&m, OP_FILL, 3, in2, 2, out2, 1, g1, 1);
  m.t[0] = typed(1, d2, I32, dims, 8);
  m.t[1] = q8(0, d2, 0.5f, 0, NULL, 0);
  m.t[2] = q8(2, d22, 0.5f, 0, NULL, 0);
  CHECK(run_taps(&m, v, NULL, &t, &ip) == QS_OK, "fill ran");
  expect8("fill", (const int8_t *)t.data[0], want_f, 4);
  /* rule: ZEROS_LIKE int8 writes zero bytes */
  {
    const int zin[1] = {0}, zout[1] = {1};
    static const int8_t z[4] = {0, 0, 0, 0}, xin[4] = {3, -3, 9, 1};
    model(&m, OP_ZEROS_LIKE, 2, zin, 1, zout, 1, g0, 1);
    m.t[0] = q8(2, d22, 0.5f, 0, NULL, 0);
    m.t[1] = q8(2, d22, 0.5f, 0, NULL, 0);
    int8_t got[4] = {1, 1, 1, 1};
    const void *ins[1] = {xin};
    CHECK(run(&m, ins, got, 4, NULL) == 0, "zeros_like ran");
    expect8("zeros_like", got, z, 4);
  }
  model(&m, OP_BROADCAST_TO, 3, in2, 2, out2, 1, g0, 1);
  m.t[0] = typed(2, d21, I32, NULL, 0);
  m.t[1] = typed(1, d2, I32, shape, 8);
  m.t[2] = typed(2, d23, I32, NULL, 0);
  CHECK(run_taps(&m, bx, NULL, &t, &ip) == QS_OK && memcmp(t.data[0], want_bc, 24) == 0, "broadcast_to int32");
}

static void test_space(void) {
  /* rule: DEPTH_TO_SPACE int8 [1,1,1,4] block 2 -> [1,2,2,1]: depth d goes to (d/2, d%2) */
  static const int8_t x[4] = {1, 2, 3, 4};
  /* rule: SPACE_TO_BATCH_ND int8 [1,2,2,1] block {2,2}, paddings {{0,0},{0,2}}, zero point 3: the
   * padded columns hold byte 0 (TFLite Micro never sets the pad value), not the zero point;
   * batch b = shift_h * 2 + shift_w holds input (shift_h, shift_w), then a padded column */
  static const int8_t want_s2b[8] = {1, 0, 2, 0, 3, 0, 4, 0};
  static const int32_t block[2] = {2, 2}, pads[4] = {0, 0, 0, 2}, crops[4] = {0, 0, 0, 2};
  const int32_t d1114[4] = {1, 1, 1, 4}, d1221[4] = {1, 2, 2, 1}, d4121[4] = {4, 1, 2, 1}, d2[1] = {2}, d22[2] = {2, 2};
  const int in1[1] = {0}, out1[1] = {1}, in3[3] = {0, 1, 2}, out3[1] = {3}, g0[1] = {0};
  tb_model_t m;
  taps_t t;
  qs_interp_t ip;
  model(&m, OP_D2S, 2, in1, 1, out1, 1, g0, 1);
  m.t[0] = q8(4, d1114, 0.5f, 0, NULL, 0);
  m.t[1] = q8(4, d1221, 0.5f, 0, NULL, 0);
  m.op[0].opt_type = 94; /* DepthToSpaceOptions */
  opt(&m.op[0], 0, 4, 2);
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_OK, "depth_to_space ran");
  expect8("depth_to_space", (const int8_t *)t.data[0], x, 4);
  model(&m, OP_S2B, 4, in3, 3, out3, 1, g0, 1);
  m.t[0] = q8(4, d1221, 0.5f, 3, NULL, 0);
  m.t[1] = typed(1, d2, I32, block, 8);
  m.t[2] = typed(2, d22, I32, pads, 16);
  m.t[3] = q8(4, d4121, 0.5f, 3, NULL, 0);
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_OK, "space_to_batch ran");
  expect8("space_to_batch", (const int8_t *)t.data[0], want_s2b, 8);
  /* rule: BATCH_TO_SPACE_ND with the same block and crops undoes it */
  model(&m, OP_B2S, 4, in3, 3, out3, 1, g0, 1);
  m.t[0] = q8(4, d4121, 0.5f, 3, NULL, 0);
  m.t[1] = typed(1, d2, I32, block, 8);
  m.t[2] = typed(2, d22, I32, crops, 16);
  m.t[3] = q8(4, d1221, 0.5f, 3, NULL, 0);
  CHECK(run_taps(&m, want_s2b, NULL, &t, &ip) == QS_OK, "batch_to_space ran");
  expect8("batch_to_space", (const int8_t *)t.data[0], x, 4);
}

static void test_argmin_refusals(void) {
  /* rule: ARG_MIN int8 [2,3] along axis 1: the first index of the smallest (ties keep the first) */
  static const int8_t x[6] = {4, -2, -2, 0, 9, -7};
  static const int32_t axis[1] = {1}, want[2] = {1, 2};
  const int32_t d23[2] = {2, 3}, d2[1] = {2}, d1[1] = {1};
  const int in2[2] = {0, 1}, out2[1] = {2}, g0[1] = {0}, g01[2] = {0, 1};
  tb_model_t m;
  taps_t t;
  qs_interp_t ip;
  model(&m, OP_ARG_MIN, 3, in2, 2, out2, 1, g0, 1);
  m.t[0] = q8(2, d23, 0.5f, 0, NULL, 0);
  m.t[1] = typed(0, d2, I32, axis, 4);
  m.t[2] = typed(1, d2, I32, NULL, 0);
  CHECK(run_taps(&m, x, NULL, &t, &ip) == QS_OK && memcmp(t.data[0], want, 8) == 0, "arg_min");
  /* rule: uint8 CONCATENATION is refused by name (TFLite Micro has no uint8 kernel for it) */
  model(&m, 2, 3, in2, 2, out2, 1, g01, 2);
  m.t[0] = q8(1, d1, 0.5f, 128, NULL, 0), m.t[0].type = U8;
  m.t[1] = q8(1, d1, 0.5f, 128, NULL, 0), m.t[1].type = U8;
  m.t[2] = q8(1, d2, 0.5f, 128, NULL, 0), m.t[2].type = U8;
  m.op[0].opt_type = 10;
  opt(&m.op[0], 0, 4, 0);
  CHECK(run_taps(&m, x, x, &t, &ip) != QS_OK && strstr(ip.err.msg, "uint8") && strstr(ip.err.msg, "CONCATENATION"),
        "uint8 concat: %s", ip.err.msg);
}

int main(void) {
  test_split();
  test_split_v_unpack();
  test_gather();
  test_slice_fill_broadcast();
  test_space();
  test_argmin_refusals();
  printf("move: %s (%d failures)\n", failures ? "FAILED" : "ok", failures);
  return failures ? 1 : 0;
}
