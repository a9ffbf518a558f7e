/*
 * Hand-computed vectors for the compute-heavy ops, natively (the TypeScript tests sweep them on
 * the WebAssembly build against TFLite Micro's arithmetic): MEAN / SUM / REDUCE_MAX over
 * non-spatial axes, RESIZE_BILINEAR int8 and float32, BATCH_MATMUL int8 / int16 / float32.
 */
#include "kernel_harness.h"
#include "../core/src/flexbuf.h"

enum { I16 = 7 };

static void model1(tb_model_t *m, int code, int n_t, const int *in, int n_in, int n_graph_in) {
  int i;
  memset(m, 0, sizeof(*m));
  m->ntensors = n_t;
  m->nops = 1;
  m->op[0].code = code, m->op[0].nin = n_in, m->op[0].out = n_t - 1;
  for (i = 0; i < n_in; i++) m->op[0].in[i] = in[i];
  m->nin = n_graph_in, m->inputs[0] = 0, m->inputs[1] = 1;
  m->nout = 1, m->outputs[0] = n_t - 1;
}

static tb_tensor_t typed(int ndims, const int32_t *dims, int type, float scale, int zp, const void *data, size_t len) {
  tb_tensor_t t = q8(ndims, dims, scale, zp, data, len);
  t.type = type;
  if (type == F32 || type == I32) t.nscales = 0;
  return t;
}

static void test_reduce(void) {
  /* MEAN int8 over axis 0 of [4], in (0.5, 3) -> out (0.25, 1): TFLM folds 1/4 into the
   * multiplier of 2.0: (2^30, shift 0); 7 - 3*4 = -5 -> SRDHM(-5, 2^30) = -2 -> -2 + 1 = -1 */
  static const int8_t x[4] = {1, 2, 2, 2};
  static const int32_t ax0[1] = {0}, ax1[1] = {1};
  const int32_t d4[1] = {4}, d1[1] = {1}, d23[2] = {2, 3}, d21[2] = {2, 1};
  const int ins[2] = {0, 1};
  tb_model_t m;
  int8_t out8[2];
  int16_t out16[2];
  float outf[1];
  const void *in[1] = {x};
  model1(&m, 40, 3, ins, 2, 1);
  m.t[0] = q8(1, d4, 0.5f, 3, NULL, 0);
  m.t[1] = typed(1, d1, I32, 0, 0, ax0, 4);
  m.t[2] = q8(1, d1, 0.25f, 1, NULL, 0);
  CHECK(run(&m, in, out8, 1, NULL) == 0 && out8[0] == -1, "mean int8 axis 0: got %d want -1", out8[0]);
  {
    /* SUM int16 over axis 1 of [2,3], scales 1 -> 2 (multiplier 2^30, shift 0 halves, rounding
     * half away): 1+2+3 = 6 -> 3; 32767*3 = 98301 -> 49150.5 -> 49151 -> saturates 32767 */
    static const int16_t y[6] = {1, 2, 3, 32767, 32767, 32767};
    const void *iny[1] = {y};
    model1(&m, 74, 3, ins, 2, 1);
    m.t[0] = typed(2, d23, I16, 1.0f, 0, NULL, 0);
    m.t[1] = typed(1, d1, I32, 0, 0, ax1, 4);
    m.t[2] = typed(2, d21, I16, 2.0f, 0, NULL, 0);
    m.op[0].opt_type = 27;
    opt(&m.op[0], 0, 1, 1); /* keep_dims */
    CHECK(run(&m, iny, out16, 4, NULL) == 0 && out16[0] == 3 && out16[1] == 32767, "sum int16: got %d %d want 3 32767",
          out16[0], out16[1]);
  }
  {
    /* REDUCE_MAX int8 over axis 1 of [2,3] */
    static const int8_t z[6] = {-5, 7, 1, -128, -100, -128};
    const void *inz[1] = {z};
    model1(&m, 82, 3, ins, 2, 1);
    m.t[0] = q8(2, d23, 0.5f, 0, NULL, 0);
    m.t[1] = typed(1, d1, I32, 0, 0, ax1, 4);
    m.t[2] = q8(1, (const int32_t[1]){2}, 0.5f, 0, NULL, 0);
    CHECK(run(&m, inz, out8, 2, NULL) == 0 && out8[0] == 7 && out8[1] == -100, "reduce_max: got %d %d", out8[0], out8[1]);
  }
  {
    /* float32 SUM adds in float32 in order: 1e8 + 1 + 1 + 1 + 1 stays 1e8 */
    static const float f[5] = {1e8f, 1, 1, 1, 1};
    const void *inf[1] = {f};
    const int32_t d5[1] = {5};
    model1(&m, 74, 3, ins, 2, 1);
    m.t[0] = typed(1, d5, F32, 0, 0, NULL, 0);
    m.t[1] = typed(1, d1, I32, 0, 0, ax0, 4);
    m.t[2] = typed(1, d1, F32, 0, 0, NULL, 0);
    CHECK(run(&m, inf, outf, 4, NULL) == 0 && outf[0] == 1e8f, "sum float32: got %.1f want 1e8", (double)outf[0]);
  }
}

static void test_resize_bilinear(void) {
  /* int8 2x2 -> 4x4, 10-bit scale 512: rows/cols 0, 0.5, 1, 1 (clamped) of the source */
  static const int8_t x[4] = {0, 100, -100, 20};
  static const int8_t want[16] = {0, 50, 100, 100, -50, 5, 60, 60, -100, -40, 20, 20, -100, -40, 20, 20};
  static const int32_t size[2] = {4, 4};
  const int32_t din[4] = {1, 2, 2, 1}, dout[4] = {1, 4, 4, 1}, d2[1] = {2};
  const int ins[2] = {0, 1};
  tb_model_t m;
  int8_t out[16];
  float outf[4];
  const void *in[1] = {x};
  model1(&m, 23, 3, ins, 2, 1);
  m.t[0] = q8(4, din, 0.1f, 0, NULL, 0);
  m.t[1] = typed(1, d2, I32, 0, 0, size, 8);
  m.t[2] = q8(4, dout, 0.1f, 0, NULL, 0);
  CHECK(run(&m, in, out, 16, NULL) == 0, "resize bilinear int8 ran");
  expect8("resize_bilinear", out, want, 16);
  {
    /* float32 1x2 -> 1x4 with half-pixel centers: x = (v + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75,
     * 1.25; x0 = max(floor, 0), x1 = min(ceil, 1): -0.25 reads column 0 twice (10 * 1.25 -
     * 10 * 0.25 = 10), 0.25 -> 15, 0.75 -> 25, 1.25 reads column 1 twice (30) */
    static const float xf[2] = {10, 30};
    static const int32_t sz[2] = {1, 4};
    const int32_t di[4] = {1, 1, 2, 1}, dq[4] = {1, 1, 4, 1};
    const void *inf[1] = {xf};
    int i;
    static const float wantf[4] = {10, 15, 25, 30};
    model1(&m, 23, 3, ins, 2, 1);
    m.t[0] = typed(4, di, F32, 0, 0, NULL, 0);
    m.t[1] = typed(1, d2, I32, 0, 0, sz, 8);
    m.t[2] = typed(4, dq, F32, 0, 0, NULL, 0);
    m.op[0].opt_type = 15;
    opt(&m.op[0], 3, 1, 1); /* half_pixel_centers */
    CHECK(run(&m, inf, outf, 16, NULL) == 0, "resize bilinear float32 ran");
    for (i = 0; i < 4; i++) CHECK(outf[i] == wantf[i], "resize f32[%d]: got %g want %g", i, (double)outf[i], (double)wantf[i]);
  }
}

static void test_batch_matmul(void) {
  /* int8 [2,3] x [3,2]: (L - 1)(R + 2) with scale 0.5*0.25/0.125 = 1, out zp 3 */
  static const int8_t l[6] = {1, 2, 3, 4, 5, 6}, r[6] = {-1, 0, 1, 2, 3, 4}, want[4] = {16, 19, 43, 55};
  const int32_t d23[2] = {2, 3}, d32[2] = {3, 2}, d22[2] = {2, 2};
  const int ins[2] = {0, 1};
  tb_model_t m;
  int8_t out[4];
  int16_t out16[4];
  float outf[4];
  const void *in[2] = {l, r};
  model1(&m, 126, 3, ins, 2, 2);
  m.t[0] = q8(2, d23, 0.5f, 1, NULL, 0);
  m.t[1] = q8(2, d32, 0.25f, -2, NULL, 0);
  m.t[2] = q8(2, d22, 0.125f, 3, NULL, 0);
  CHECK(run(&m, in, out, 4, NULL) == 0, "batch_matmul int8 ran");
  expect8("batch_matmul", out, want, 4);
  {
    /* int16 with adj_y: R given as [2 cols, 3 depth]; scales 1 * 1 / 4: sums / 4 rounded
     * (15-bit multiplier, half up): [[1,2,3],[4,5,6]] x [[1,1,1],[2,0,-2]]^T = [[6,-4],[15,-4]]
     * -> 1.5 -> 2, -1 -> -1, 3.75 -> 4, -1 */
    static const int16_t l16[6] = {1, 2, 3, 4, 5, 6}, r16[6] = {1, 1, 1, 2, 0, -2};
    static const int16_t want16[4] = {2, -1, 4, -1};
    const void *in16[2] = {l16, r16};
    int i;
    model1(&m, 126, 3, ins, 2, 2);
    m.t[0] = typed(2, d23, I16, 1.0f, 0, NULL, 0);
    m.t[1] = typed(2, d23, I16, 1.0f, 0, NULL, 0);
    m.t[2] = typed(2, d22, I16, 4.0f, 0, NULL, 0);
    m.op[0].opt_type = 101;
    opt(&m.op[0], 1, 1, 1); /* adj_y */
    CHECK(run(&m, in16, out16, 8, NULL) == 0, "batch_matmul int16 ran");
    for (i = 0; i < 4; i++) CHECK(out16[i] == want16[i], "bmm int16[%d]: got %d want %d", i, out16[i], want16[i]);
  }
  {
    /* float32 with adj_x: L given as [3 depth, 2 rows] */
    static const float lf[6] = {1, 4, 2, 5, 3, 6}, rf[6] = {1, 0, 0, 1, 1, 1}, wantf[4] = {4, 5, 10, 11};
    const void *inf[2] = {lf, rf};
    int i;
    model1(&m, 126, 3, ins, 2, 2);
    m.t[0] = typed(2, d32, F32, 0, 0, NULL, 0);
    m.t[1] = typed(2, d32, F32, 0, 0, NULL, 0);
    m.t[2] = typed(2, d22, F32, 0, 0, NULL, 0);
    m.op[0].opt_type = 101;
    opt(&m.op[0], 0, 1, 1); /* adj_x */
    CHECK(run(&m, inf, outf, 16, NULL) == 0, "batch_matmul float32 ran");
    for (i = 0; i < 4; i++) CHECK(outf[i] == wantf[i], "bmm f32[%d]: got %g want %g", i, (double)outf[i], (double)wantf[i]);
  }
}

/* FlexBuffers options of TFLite_Detection_PostProcess, as test/helpers/compute-op-models.ts
 * flexMap (the C++ builder's layout) writes them: {max_detections: 10, max_classes_per_detection: 1,
 * use_regular_nms: true, nms_iou_threshold: 0.5, nms_score_threshold: -0.25, num_classes: 3,
 * y_scale: 10.5, h_scale: 5}. */
static const uint8_t k_flex[] = {
    104, 95, 115, 99, 97, 108, 101, 0, 109, 97, 120, 95, 99, 108, 97, 115, 115, 101, 115, 95, 112, 101, 114, 95,
    100, 101, 116, 101, 99, 116, 105, 111, 110, 0, 109, 97, 120, 95, 100, 101, 116, 101, 99, 116, 105, 111, 110, 115,
    0, 110, 109, 115, 95, 105, 111, 117, 95, 116, 104, 114, 101, 115, 104, 111, 108, 100, 0, 110, 109, 115, 95, 115,
    99, 111, 114, 101, 95, 116, 104, 114, 101, 115, 104, 111, 108, 100, 0, 110, 117, 109, 95, 99, 108, 97, 115, 115,
    101, 115, 0, 117, 115, 101, 95, 114, 101, 103, 117, 108, 97, 114, 95, 110, 109, 115, 0, 121, 95, 115, 99, 97,
    108, 101, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 136, 0, 0, 0, 0, 0, 0, 0,
    136, 0, 0, 0, 0, 0, 0, 0, 118, 0, 0, 0, 0, 0, 0, 0, 111, 0, 0, 0, 0, 0, 0, 0,
    101, 0, 0, 0, 0, 0, 0, 0, 89, 0, 0, 0, 0, 0, 0, 0, 85, 0, 0, 0, 0, 0, 0, 0,
    77, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0,
    8, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 224, 63, 0, 0, 0, 0, 0, 0, 208, 191,
    3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 37, 64,
    7, 7, 7, 15, 15, 7, 107, 15, 72, 0, 0, 0, 0, 0, 0, 0, 39, 8,
};

static void test_flexbuf(void) {
  static const char *const keys[] = {"max_detections", "max_classes_per_detection", "use_regular_nms",
                                     "nms_iou_threshold", "nms_score_threshold", "num_classes", "y_scale",
                                     "h_scale", "w_scale", "detections_per_class"};
  uint8_t buf[sizeof(k_flex)];
  uint32_t x = 12345;
  fx_t fx;
  fx_ref_t root, v;
  int i, k;
  /* the values as written; absent keys read as null: 0 */
  root = fx_root(&fx, k_flex, sizeof(k_flex));
  v = fx_map_get(&fx, &root, "max_detections");
  CHECK(fx_int(&fx, &v) == 10, "flex max_detections");
  v = fx_map_get(&fx, &root, "use_regular_nms");
  CHECK(fx_bool(&fx, &v) == 1, "flex use_regular_nms");
  v = fx_map_get(&fx, &root, "nms_score_threshold");
  CHECK(fx_double(&fx, &v) == -0.25, "flex nms_score_threshold");
  v = fx_map_get(&fx, &root, "y_scale");
  CHECK(fx_double(&fx, &v) == 10.5, "flex y_scale");
  v = fx_map_get(&fx, &root, "h_scale");
  CHECK(fx_double(&fx, &v) == 5.0, "flex h_scale (an int read as a number)");
  v = fx_map_get(&fx, &root, "w_scale");
  CHECK(v.type == 0 && fx_double(&fx, &v) == 0.0 && !fx.err, "flex absent key is null");
  /* untrusted bytes: 20,000 mutants (1-4 bytes changed, sometimes truncated) read every key
   * without reading outside the buffer (ASan) and without looping */
  for (i = 0; i < 20000; i++) {
    uint32_t len = sizeof(buf), m;
    memcpy(buf, k_flex, sizeof(buf));
    for (m = 0; m < 1u + (uint32_t)(i % 4); m++) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      buf[x % sizeof(buf)] = (uint8_t)(x >> 8);
    }
    if (i % 7 == 0) len = 1 + (x >> 16) % (uint32_t)sizeof(buf);
    root = fx_root(&fx, buf, len);
    for (k = 0; k < (int)(sizeof(keys) / sizeof(keys[0])); k++) {
      v = fx_map_get(&fx, &root, keys[k]);
      (void)fx_int(&fx, &v), (void)fx_double(&fx, &v), (void)fx_bool(&fx, &v);
    }
  }
}

int main(void) {
  test_flexbuf();
  test_reduce();
  test_resize_bilinear();
  test_batch_matmul();
  printf("compute: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
