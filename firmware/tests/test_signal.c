/*
 * TFLite Micro's signal-library ops that no field model uses, as one-op models with the values
 * worked out here from each op's rule (signal/micro/kernels and signal/src at 90b983c2): the
 * streaming ops over several invocations (their state carries over, qs_reset_state starts again),
 * SignalIrfft / SignalRfft through kiss_fft's Q15 steps, int32 ADD/SUB/MUL and uint32 CAST, and
 * the refusals. (The front-end ops the micro_speech audio preprocessors use are checked against
 * TFLM's goldens by make core-golden.) Each case names the rule it checks.
 */
#include "kernel_harness.h"

enum { I16 = 7, U32 = 15, BOOL = 6, CUSTOM = 32, OP_ADD = 0, OP_MUL = 18, OP_SUB = 41, OP_CAST = 53 };
enum { OPT_ADD = 11, OPT_MUL = 21, OPT_SUB = 28 };

static uint8_t g_opts[512];

static tb_tensor_t tensor(int ndims, const int32_t *dims, int type) {
  tb_tensor_t t = q8(ndims, dims, 1.0f, 0, NULL, 0);
  t.type = type;
  t.nscales = 0; /* raw integers */
  return t;
}

/* One op over tensors 0 (the graph input) .. n_t - 1; outputs are tensors 1 .. n_out. */
static void one_op(tb_model_t *m, int code, const char *custom, const tb_flex_kv_t *kv, int nkv, int n_out) {
  int k;
  memset(m, 0, sizeof(*m));
  m->nops = 1, m->nin = 1, m->nout = n_out;
  m->op[0].code = code, m->op[0].nin = 1, m->op[0].in[0] = 0, m->op[0].out = 1;
  m->op[0].nout = n_out > 1 ? n_out : 0;
  for (k = 0; k < n_out; k++) m->op[0].outs[k] = m->outputs[k] = 1 + k;
  m->inputs[0] = 0;
  m->op[0].custom_code = custom;
  if (kv) {
    m->op[0].custom_opts = g_opts;
    m->op[0].custom_opts_len = tb_flex_map(kv, nkv, g_opts, sizeof(g_opts));
  }
}

static qs_status_t load(const tb_model_t *tm, qs_interp_t *ip) {
  size_t len = tb_write(tm, g_model, sizeof(g_model));
  qs_status_t s = len ? qs_load(ip, g_model, len, g_arena, sizeof(g_arena)) : QS_ERR_ARG;
  if (s == QS_OK) dump_seed(g_model, len);
  return s;
}

/* Write input 0, invoke, compare output k with want (n int16). */
static void step16(qs_interp_t *ip, const char *what, const int16_t *in, int k, const int16_t *want, int n) {
  qs_tensor_info_t ti;
  int i;
  qs_tensor_info(ip, qs_input_tensor(ip, 0), &ti);
  memcpy(qs_input_data(ip, 0), in, ti.bytes);
  CHECK(qs_invoke(ip, NULL, NULL) == QS_OK, "%s: invoke", what);
  for (i = 0; i < n; i++) {
    int16_t got;
    memcpy(&got, qs_output_data(ip, k) + 2 * i, 2);
    CHECK(got == want[i], "%s: element %d: got %d want %d", what, i, got, want[i]);
  }
}

static void test_delay(void) {
  static const int32_t d[2] = {2, 4};
  static const tb_flex_kv_t kv[] = {{"delay_length", 2, 0}};
  static const int16_t f1[8] = {1, 2, 3, 4, 10, 20, 30, 40}, f2[8] = {5, 6, 7, 8, 50, 60, 70, 80};
  static const int16_t f3[8] = {9, 10, 11, 12, 90, 91, 92, 93};
  /* rule: each row of the last axis comes out delay_length samples late, the first ones zeros */
  static const int16_t w1[8] = {0, 0, 1, 2, 0, 0, 10, 20}, w2[8] = {3, 4, 5, 6, 30, 40, 50, 60};
  static const int16_t w3[8] = {7, 8, 9, 10, 70, 80, 90, 91};
  tb_model_t m;
  qs_interp_t ip;
  one_op(&m, CUSTOM, "SignalDelay", kv, 1, 1);
  m.ntensors = 2, m.t[0] = tensor(2, d, I16), m.t[1] = tensor(2, d, I16);
  CHECK(load(&m, &ip) == QS_OK, "delay: load: %s", ip.err.msg);
  step16(&ip, "delay frame 1", f1, 0, w1, 8);
  /* rule: the samples a frame leaves in the delay line come out at the next invocation */
  step16(&ip, "delay frame 2", f2, 0, w2, 8);
  step16(&ip, "delay frame 3", f3, 0, w3, 8);
  /* rule: qs_reset_state refills the delay line with zeros (TFLM's DelayReset) */
  qs_reset_state(&ip);
  step16(&ip, "delay after reset", f1, 0, w1, 8);
}

static void test_framer(void) {
  static const int32_t d1[2] = {1, 4}, d2[3] = {1, 2, 3}, d0[1] = {0};
  static const int16_t f1[4] = {1, 2, 3, 4}, f2[4] = {5, 6, 7, 8};
  tb_flex_kv_t kv[] = {{"frame_size", 3, 0}, {"frame_step", 2, 0}, {"prefill", 0, 1}};
  /* rule: 2 samples pushed per frame; a frame of 3 goes out once 3 are buffered, then 2 are dropped;
   * a frame that is not complete leaves output_valid false (its output: zeros) */
  static const int16_t w1[6] = {0, 0, 0, 1, 2, 3}, w2[6] = {3, 4, 5, 5, 6, 7};
  /* rule: prefill starts the buffer with frame_size - frame_step zeros */
  static const int16_t p1[6] = {0, 1, 2, 2, 3, 4};
  tb_model_t m;
  qs_interp_t ip;
  int pass;
  for (pass = 0; pass < 2; pass++) {
    kv[2].val = pass;
    one_op(&m, CUSTOM, "SignalFramer", kv, 3, 2);
    m.ntensors = 3, m.t[0] = tensor(2, d1, I16), m.t[1] = tensor(3, d2, I16), m.t[2] = tensor(0, d0, BOOL);
    CHECK(load(&m, &ip) == QS_OK, "framer: load: %s", ip.err.msg);
    if (pass == 0) {
      step16(&ip, "framer frame 1", f1, 0, w1, 6);
      CHECK(qs_output_data(&ip, 1)[0] == 0, "framer frame 1: output_valid false");
      step16(&ip, "framer frame 2", f2, 0, w2, 6);
      CHECK(qs_output_data(&ip, 1)[0] == 1, "framer frame 2: output_valid true");
      qs_reset_state(&ip); /* rule: reset empties the buffer: frame 1 again gives frame 1's output */
      step16(&ip, "framer after reset", f1, 0, w1, 6);
    } else {
      step16(&ip, "framer prefill", f1, 0, p1, 6);
      CHECK(qs_output_data(&ip, 1)[0] == 1, "framer prefill: output_valid true");
    }
  }
}

static void test_stacker(void) {
  static const int32_t din[1] = {2}, dout[1] = {6}, d0[1] = {0};
  static const tb_flex_kv_t kv[] = {
      {"num_channels", 2, 0}, {"stacker_left_context", 1, 0}, {"stacker_right_context", 1, 0}, {"stacker_step", 1, 0}};
  static const int16_t f1[2] = {1, 2}, f2[2] = {3, 4}, f3[2] = {5, 6}, zero[6] = {0, 0, 0, 0, 0, 0};
  /* rule: the first frame is repeated left_context more times; once left + 1 + right frames are
   * buffered they go out together and stacker_step frames are dropped */
  static const int16_t w2[6] = {1, 2, 1, 2, 3, 4}, w3[6] = {1, 2, 3, 4, 5, 6};
  tb_model_t m;
  qs_interp_t ip;
  one_op(&m, CUSTOM, "SignalStacker", kv, 4, 2);
  m.ntensors = 3, m.t[0] = tensor(1, din, I16), m.t[1] = tensor(1, dout, I16), m.t[2] = tensor(0, d0, BOOL);
  CHECK(load(&m, &ip) == QS_OK, "stacker: load: %s", ip.err.msg);
  step16(&ip, "stacker frame 1", f1, 0, zero, 6);
  CHECK(qs_output_data(&ip, 1)[0] == 0, "stacker frame 1: output_valid false (2 of 3 frames)");
  step16(&ip, "stacker frame 2", f2, 0, w2, 6);
  CHECK(qs_output_data(&ip, 1)[0] == 1, "stacker frame 2: output_valid true");
  step16(&ip, "stacker frame 3", f3, 0, w3, 6);
  /* rule: qs_reset_state forgets the first frame (TFLM's StackerReset): not valid again */
  qs_reset_state(&ip);
  step16(&ip, "stacker after reset", f3, 0, zero, 6);
  CHECK(qs_output_data(&ip, 1)[0] == 0, "stacker after reset: output_valid false");
}

static void test_overlap_add(void) {
  static const int32_t din[2] = {2, 4}, dout[1] = {4}, din2[2] = {2, 2}, dout2[1] = {2};
  static const tb_flex_kv_t kv[] = {{"T", I16, 0}, {"frame_step", 2, 0}}, kv1[] = {{"T", I16, 0}, {"frame_step", 1, 0}};
  static const int16_t f1[8] = {1, 2, 3, 4, 10, 20, 30, 40}, f2[8] = {1, 1, 1, 1, 2, 2, 2, 2};
  /* rule: each frame adds into a 4-sample accumulator, whose first 2 go out before it shifts by 2:
   * [1 2 3 4] -> out 1 2, keep [3 4 0 0]; + [10 20 30 40] -> out 13 24, keep [30 40 0 0] */
  static const int16_t w1[4] = {1, 2, 13, 24};
  /* rule: the accumulator carries over: [30 40 0 0] + [1 1 1 1] -> 31 41; [1 1 0 0] + [2 2 2 2] -> 3 3 */
  static const int16_t w2[4] = {31, 41, 3, 3};
  /* rule: int16 sums saturate: 20000 + 20000 -> 32767 */
  static const int16_t s1[4] = {20000, 20000, 20000, 20000}, ws[2] = {20000, 32767};
  tb_model_t m;
  qs_interp_t ip;
  one_op(&m, CUSTOM, "SignalOverlapAdd", kv, 2, 1);
  m.ntensors = 2, m.t[0] = tensor(2, din, I16), m.t[1] = tensor(1, dout, I16);
  CHECK(load(&m, &ip) == QS_OK, "overlap-add: load: %s", ip.err.msg);
  step16(&ip, "overlap-add frame 1", f1, 0, w1, 4);
  step16(&ip, "overlap-add frame 2", f2, 0, w2, 4);
  qs_reset_state(&ip); /* rule: reset zeroes the accumulator */
  step16(&ip, "overlap-add after reset", f1, 0, w1, 4);
  one_op(&m, CUSTOM, "SignalOverlapAdd", kv1, 2, 1);
  m.ntensors = 2, m.t[0] = tensor(2, din2, I16), m.t[1] = tensor(1, dout2, I16);
  CHECK(load(&m, &ip) == QS_OK, "overlap-add step 1: load: %s", ip.err.msg);
  step16(&ip, "overlap-add saturates", s1, 0, ws, 2);
#if !defined(QS_WITH_FLOAT) || QS_WITH_FLOAT
  {
    /* rule: float32 frames add without saturation: [0.5 0.25] -> out 0.5, keep [0.25 0];
     * + [1 2] -> out 1.25 */
    static const tb_flex_kv_t kvf[] = {{"T", F32, 0}, {"frame_step", 1, 0}};
    static const float ff[4] = {0.5f, 0.25f, 1.0f, 2.0f};
    float got[2];
    one_op(&m, CUSTOM, "SignalOverlapAdd", kvf, 2, 1);
    m.ntensors = 2, m.t[0] = tensor(2, din2, F32), m.t[1] = tensor(1, dout2, F32);
    CHECK(load(&m, &ip) == QS_OK, "overlap-add float32: load: %s", ip.err.msg);
    memcpy(qs_input_data(&ip, 0), ff, sizeof(ff));
    CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "overlap-add float32: invoke");
    memcpy(got, qs_output_data(&ip, 0), sizeof(got));
    CHECK(got[0] == 0.5f && got[1] == 1.25f, "overlap-add float32: %g %g", (double)got[0], (double)got[1]);
  }
#endif
}

static void test_fft(void) {
  static const int32_t d4[1] = {4}, d6[1] = {6};
  static const tb_flex_kv_t kv[] = {{"T", I16, 0}, {"fft_length", 4, 0}};
  /* rule (IRFFT, fft_length 4): bin 1 = 8192j. Post-processing: fk = (0, 8192) and conj(bin 1) =
   * (0, -8192) halved (x * 16383 + 2^14 >> 15: 4096 and -4096); their difference (0, 8192) times
   * the inverse post-twiddle (floor(.5 + 32767 cos pi), floor(.5 + 32767 sin pi)) = (-32767, 0)
   * is (0, -8192) (rounded -8191.5 -> -8192); bin 1 = sum - product = (0, 8192), imaginary part
   * negated: (0, -8192). The 2-point inverse FFT halves it to (0, -4096), times twiddle (32767, 0):
   * (0, -4096); outputs (0, 0) + t and (0, 0) - t: samples 0, -4096, 0, 4096. */
  static const int16_t bins[6] = {0, 0, 0, 8192, 0, 0}, wi[4] = {0, -4096, 0, 4096};
  /* rule (RFFT, fft_length 4): [4096, 0, -4096, 0] as 2 complex points, halved: 2048 and -2048
   * (-2047.375 rounds down); times twiddle 32767: -2048; the stage gives (0, 0) and (4096, 0); the
   * DC and Nyquist bins are 0; bin 1: (4096, 0) and its conjugate halved to 2048 each, summed and
   * halved again: 2048 + 0j. */
  static const int16_t sig[4] = {4096, 0, -4096, 0}, wr[6] = {0, 0, 2048, 0, 0, 0};
  static const tb_flex_kv_t bad[] = {{"T", I16, 0}, {"fft_length", 14, 0}};
  tb_model_t m;
  qs_interp_t ip;
  one_op(&m, CUSTOM, "SignalIrfft", kv, 2, 1);
  m.ntensors = 2, m.t[0] = tensor(1, d6, I16), m.t[1] = tensor(1, d4, I16);
  CHECK(load(&m, &ip) == QS_OK, "irfft: load: %s", ip.err.msg);
  step16(&ip, "irfft", bins, 0, wi, 4);
  one_op(&m, CUSTOM, "SignalRfft", kv, 2, 1);
  m.ntensors = 2, m.t[0] = tensor(1, d4, I16), m.t[1] = tensor(1, d6, I16);
  CHECK(load(&m, &ip) == QS_OK, "rfft: load: %s", ip.err.msg);
  step16(&ip, "rfft", sig, 0, wr, 6);
  {
    /* rule: each frame of the last axis is transformed on its own, zero-padded to fft_length:
     * [4096, 0, -4096] padded with 0 is the signal above; an all-zero frame gives zeros */
    static const int32_t d23[2] = {2, 3}, d26[2] = {2, 6};
    static const int16_t two[6] = {4096, 0, -4096, 0, 0, 0}, w2[12] = {0, 0, 2048, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    one_op(&m, CUSTOM, "SignalRfft", kv, 2, 1);
    m.ntensors = 2, m.t[0] = tensor(2, d23, I16), m.t[1] = tensor(2, d26, I16);
    CHECK(load(&m, &ip) == QS_OK, "rfft 2 frames: load: %s", ip.err.msg);
    step16(&ip, "rfft 2 frames, padded", two, 0, w2, 12);
  }
  /* rule: fft_length / 2 = 7 needs kiss_fft's generic radix, which TFLM's build cannot run: refused */
  {
    static const int32_t d14[1] = {14}, d16[1] = {16};
    one_op(&m, CUSTOM, "SignalRfft", bad, 2, 1);
    m.ntensors = 2, m.t[0] = tensor(1, d14, I16), m.t[1] = tensor(1, d16, I16);
    CHECK(load(&m, &ip) == QS_ERR_UNSUPPORTED && strstr(ip.err.msg, "prime factor"), "rfft 14 refused: %s", ip.err.msg);
  }
  {
    /* rule: fft_length 2 (one complex point: kiss_fft's radix-1 generic stage) is refused too */
    static const int32_t d2[1] = {2};
    static const tb_flex_kv_t two[] = {{"T", I16, 0}, {"fft_length", 2, 0}};
    one_op(&m, CUSTOM, "SignalRfft", two, 2, 1);
    m.ntensors = 2, m.t[0] = tensor(1, d2, I16), m.t[1] = tensor(1, d4, I16);
    CHECK(load(&m, &ip) == QS_ERR_UNSUPPORTED, "rfft 2 refused: %s", ip.err.msg);
  }
}

/* int32 ADD / SUB / MUL and uint32 CAST: raw integers as TFLite Micro's reference kernels. */
static void test_int32(void) {
  static const int32_t d2[1] = {2}, d1[1] = {1};
  static const int32_t a[2] = {2147483647, -3}, b[1] = {1}, c[1] = {5};
  tb_model_t m;
  int32_t got[2];
  int8_t got8[2];
  int k;
  static const struct {
    int code, opt, act;
    const int32_t *rhs;
    int32_t want[2];
    const char *rule;
  } cases[] = {
      /* rule: int32 ADD wraps and ignores the fused activation (TFLM sets the whole int32 range) */
      {OP_ADD, OPT_ADD, 1, b, {INT32_MIN, -2}, "ADD wraps, RELU ignored"},
      /* rule: int32 MUL wraps (WrappingMul) and clamps to its fused activation (RELU: from 0) */
      {OP_MUL, OPT_MUL, 1, c, {2147483643, 0}, "MUL wraps, RELU clamps"},
      /* rule: int32 SUB clamps to RELU6's [0, 6], the scalar broadcast to every element */
      {OP_SUB, OPT_SUB, 3, b, {6, 0}, "SUB RELU6"},
  };
  for (k = 0; k < 3; k++) {
    const void *ins[1] = {a};
    memset(&m, 0, sizeof(m));
    m.ntensors = 3, m.nops = 1, m.nin = 1, m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 2;
    m.t[0] = tensor(1, d2, I32), m.t[1] = tensor(1, d1, I32), m.t[2] = tensor(1, d2, I32);
    m.t[1].data = cases[k].rhs, m.t[1].data_len = 4;
    m.op[0].code = cases[k].code, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2;
    m.op[0].opt_type = cases[k].opt;
    opt(&m.op[0], 0, 1, cases[k].act); /* fused_activation_function */
    CHECK(run(&m, ins, got, sizeof(got), NULL) == 0, "%s: runs", cases[k].rule);
    CHECK(got[0] == cases[k].want[0] && got[1] == cases[k].want[1], "%s: got %d %d want %d %d", cases[k].rule, got[0],
          got[1], cases[k].want[0], cases[k].want[1]);
  }
  {
    /* rule: CAST uint32 -> int32 keeps the bits (static_cast): 4294967295 -> -1 */
    static const uint32_t u[2] = {4294967295u, 7u};
    const void *ins[1] = {u};
    memset(&m, 0, sizeof(m));
    m.ntensors = 2, m.nops = 1, m.nin = 1, m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
    m.t[0] = tensor(1, d2, U32), m.t[1] = tensor(1, d2, I32);
    m.op[0].code = OP_CAST, m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1;
    CHECK(run(&m, ins, got, sizeof(got), NULL) == 0 && got[0] == -1 && got[1] == 7, "CAST uint32 -> int32: %d %d", got[0], got[1]);
  }
  {
    /* rule: CAST int32 -> int8 narrows modulo 2^8 (the preprocessor's last op): 300 -> 44, -129 -> 127 */
    static const int32_t v[2] = {300, -129};
    static const int8_t want[2] = {44, 127};
    const void *ins[1] = {v};
    memset(&m, 0, sizeof(m));
    m.ntensors = 2, m.nops = 1, m.nin = 1, m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
    m.t[0] = tensor(1, d2, I32), m.t[1] = tensor(1, d2, I8);
    m.op[0].code = OP_CAST, m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1;
    CHECK(run(&m, ins, got8, sizeof(got8), NULL) == 0, "CAST int32 -> int8 runs");
    expect8("CAST int32 -> int8", got8, want, 2);
  }
}

/* Refusals name the problem (TFLM's circular buffer would assert, compiled out, and overrun). */
static void test_refusals(void) {
  static const int32_t din[1] = {2}, dout[1] = {6}, d0[1] = {0};
  static const tb_flex_kv_t kv[] = {
      {"num_channels", 2, 0}, {"stacker_left_context", 1, 0}, {"stacker_right_context", 1, 0}, {"stacker_step", 0, 0}};
  tb_model_t m;
  qs_interp_t ip;
  /* rule: a stacker that never drops frames would overflow its buffer: refused at load */
  one_op(&m, CUSTOM, "SignalStacker", kv, 4, 2);
  m.ntensors = 3, m.t[0] = tensor(1, din, I16), m.t[1] = tensor(1, dout, I16), m.t[2] = tensor(0, d0, BOOL);
  CHECK(load(&m, &ip) == QS_ERR_UNSUPPORTED && strstr(ip.err.msg, "stacker_step"), "stacker step 0: %s", ip.err.msg);
  /* rule: a signal op without its options map is refused with a clear message */
  one_op(&m, CUSTOM, "SignalStacker", NULL, 0, 2);
  m.ntensors = 3, m.t[0] = tensor(1, din, I16), m.t[1] = tensor(1, dout, I16), m.t[2] = tensor(0, d0, BOOL);
  CHECK(load(&m, &ip) == QS_ERR_SCHEMA && strstr(ip.err.msg, "custom options missing"), "no options: %s", ip.err.msg);
  {
    /* rule: an option out of its range is refused naming the option */
    static const tb_flex_kv_t neg[] = {{"delay_length", -1, 0}};
    one_op(&m, CUSTOM, "SignalDelay", neg, 1, 1);
    m.ntensors = 2, m.t[0] = tensor(1, din, I16), m.t[1] = tensor(1, din, I16);
    CHECK(load(&m, &ip) == QS_ERR_SCHEMA && strstr(ip.err.msg, "'delay_length'"), "delay -1: %s", ip.err.msg);
  }
  /* rule: a float32 input to an int16 op is a type error naming the op's types */
  one_op(&m, CUSTOM, "SignalDelay", NULL, 0, 1);
  m.ntensors = 2, m.t[0] = tensor(1, din, F32), m.t[1] = tensor(1, din, F32);
  CHECK(load(&m, &ip) == QS_ERR_TYPE && strstr(ip.err.msg, "int16"), "delay float32: %s", ip.err.msg);
}

int main(void) {
  test_delay();
  test_framer();
  test_stacker();
  test_overlap_add();
  test_fft();
  test_int32();
  test_refusals();
  printf("signal: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
