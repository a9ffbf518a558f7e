/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM on one-op models, for what the field goldens (five batch-major int8
 * and float32 models, one invocation each) do not cover: hand-worked int8, int16x8 and float32 steps,
 * the cell clip, state kept across invocations and reset, time-major against batch-major, and the
 * LSTM variants TFLite Micro refuses. Each case names the rule it checks.
 *
 * The hand-worked cases zero every weight, so each gate is its bias: with input scale 2^-4, weight
 * scale 2^-8 the FC rescale is 2^-12 / 2^-12 = 1 and the gate input is the bias in Q3.12. Bias 0
 * gives sigmoid 0.5 (16384 in Q0.15); bias 32767 gives a saturated tanh, 32767. With forget = input =
 * output = 0.5 and cell gate 1 the cell follows c_t = 0.5 c_(t-1) + 0.5 (0.5, 0.75, 0.875, 0.9375:
 * exact in the cell scale 2^-11) and h_t = 0.5 tanh(c_t).
 */
#include <math.h>

#include "kernel_harness.h"

enum { I16 = 7, I64 = 4, OP_LSTM = 44, OPT_LSTM = 71, ACT_TANH = 4, ACT_RELU = 1 };
/* tensors: 0 input, 1..4 input weights (i, f, c, o), 5..8 recurrent weights, 9..12 biases, 13 hidden
 * state, 14 cell state, 15 output, 16 a spare constant for the variants (peephole, projection, norm) */
enum { T_X = 0, T_WX = 1, T_WH = 5, T_B = 9, T_H = 13, T_C = 14, T_OUT = 15, T_SPARE = 16 };

typedef struct {
  int type; /* F32, I8 or I16 activations */
  int batch, steps, n_in, n_cell, time_major;
  const void *wx[4], *wh[4], *bias[4]; /* TFLite's order: input, forget, cell, output gate */
  float s_x, s_h;
  int zp_x, zp_h;
  float cell_clip;
  int act;
  /* variants TFLM refuses */
  int no_input_gate, peephole, projection, layer_norm, per_channel, state_not_variable, cell_int8;
} lstm_t;

static uint32_t xs_state = 12345; /* xorshift32 */
static int32_t rnd(int lo, int hi) {
  xs_state ^= xs_state << 13, xs_state ^= xs_state >> 17, xs_state ^= xs_state << 5;
  return lo + (int32_t)(xs_state % (uint32_t)(hi - lo + 1));
}

static void build(const lstm_t *d, tb_model_t *m) {
  static const float zeros[64] = {0};
  const int f = d->type == F32, esz = f ? 4 : 1, bsz = f ? 4 : d->type == I16 ? 8 : 4;
  const int32_t dx[3] = {d->time_major ? d->steps : d->batch, d->time_major ? d->batch : d->steps, d->n_in};
  const int32_t dout[3] = {dx[0], dx[1], d->n_cell}, dwx[2] = {d->n_cell, d->n_in}, dwh[2] = {d->n_cell, d->n_cell};
  const int32_t dst[2] = {d->batch, d->n_cell}, db[1] = {d->n_cell};
  tb_op_t *o;
  int i;
  memset(m, 0, sizeof(*m));
  m->ntensors = 17, m->nops = 1, m->nin = 1, m->nout = 1, m->inputs[0] = T_X, m->outputs[0] = T_OUT;
  m->t[T_X] = q8(3, dx, d->s_x, d->zp_x, NULL, 0);
  m->t[T_OUT] = q8(3, dout, d->s_h, d->zp_h, NULL, 0);
  m->t[T_H] = q8(2, dst, d->s_h, d->zp_h, NULL, 0);
  m->t[T_C] = q8(2, dst, 1.0f / 2048, 0, NULL, 0);
  m->t[T_C].type = d->cell_int8 ? I8 : I16;
  m->t[T_H].is_variable = m->t[T_C].is_variable = !d->state_not_variable;
  if (d->state_not_variable) /* the state passed in as graph inputs (a "stateless" export) */
    m->nin = 3, m->inputs[1] = T_H, m->inputs[2] = T_C;
  for (i = 0; i < 4; i++) {
    m->t[T_WX + i] = q8(2, dwx, 1.0f / 256, 0, d->wx[i], (size_t)(d->n_cell * d->n_in * esz));
    m->t[T_WH + i] = q8(2, dwh, 1.0f / 256, 0, d->wh[i], (size_t)(d->n_cell * d->n_cell * esz));
    m->t[T_B + i] = q8(1, db, 1.0f / 4096 / 16, 0, d->bias[i], (size_t)(d->n_cell * bsz));
    m->t[T_B + i].type = f ? F32 : d->type == I16 ? I64 : I32;
  }
  m->t[T_SPARE] = q8(1, db, 1.0f / 256, 0, zeros, (size_t)(d->n_cell * esz));
  if (d->per_channel) m->t[T_WX + 1].nscales = d->n_cell, m->t[T_WX + 1].scales[1] = 1.0f / 128;
  if (f) /* float32: every tensor, unquantized */
    for (i = 0; i < 17; i++) m->t[i].type = F32, m->t[i].nscales = 0;
  if (d->type == I16) m->t[T_X].type = m->t[T_OUT].type = m->t[T_H].type = I16;
  o = &m->op[0];
  o->code = OP_LSTM, o->nin = 24, o->out = T_OUT, o->opt_type = OPT_LSTM;
  for (i = 0; i < 24; i++) o->in[i] = -1;
  o->in[0] = T_X;
  for (i = 0; i < 4; i++) o->in[1 + i] = T_WX + i, o->in[5 + i] = T_WH + i, o->in[12 + i] = T_B + i;
  o->in[18] = T_H, o->in[19] = T_C;
  if (d->no_input_gate) o->in[1] = o->in[5] = -1;
  if (d->peephole) o->in[10] = T_SPARE;
  if (d->projection) o->in[16] = T_WH;
  if (d->layer_norm) o->in[21] = T_SPARE;
  opt(o, 0, 1, d->act ? d->act : ACT_TANH);
  o->opts[o->nopt].field = 1, o->opts[o->nopt].size = 4, o->opts[o->nopt].is_float = 1, o->opts[o->nopt].fval = d->cell_clip;
  o->nopt++;
  opt(o, 3, 1, d->time_major);
}

static qs_interp_t g_ip;
static qs_status_t load(const lstm_t *d) {
  tb_model_t m;
  size_t len;
  build(d, &m);
  len = tb_write(&m, g_model, sizeof(g_model));
  return len ? qs_load(&g_ip, g_model, len, g_arena, sizeof(g_arena)) : QS_ERR_ARG;
}
/* Write the input, invoke (state carries over), copy the output. */
static int step(const void *x, size_t xlen, void *out, size_t olen) {
  memcpy(qs_input_data(&g_ip, 0), x, xlen);
  if (qs_invoke(&g_ip, NULL, NULL) != QS_OK) return -1;
  memcpy(out, qs_output_data(&g_ip, 0), olen);
  return 0;
}

/* The hand-worked one-cell LSTM of the header, 2 steps per invocation. */
static void constant_gates(lstm_t *d, int type, const void *zero_w, const void *const *bias) {
  int i;
  memset(d, 0, sizeof(*d));
  d->type = type, d->batch = 1, d->steps = 2, d->n_in = 1, d->n_cell = 1;
  d->s_x = 1.0f / 16, d->s_h = 1.0f / 128;
  for (i = 0; i < 4; i++) d->wx[i] = d->wh[i] = zero_w, d->bias[i] = bias[i];
}

static void test_int8_steps(void) {
  static const int8_t w0[1] = {0}, x[2] = {5, -7};
  static const int32_t b0[1] = {0}, bsat[1] = {32767};
  const void *bias[4] = {b0, b0, bsat, b0};
  int8_t out[2];
  lstm_t d;
  constant_gates(&d, I8, w0, bias);
  CHECK(load(&d) == QS_OK, "int8 LSTM load: %s", g_ip.err.msg);
  /* rule: c = 0.5, 0.75 (1024, 1536 in 2^-11); h = round(0.5 tanh(c) * 128) = round(29.58) = 30,
   * round(40.65) = 41, whatever the input (zero weights) */
  {
    static const int8_t want[2] = {30, 41};
    CHECK(step(x, 2, out, 2) == 0, "int8 steps: invoke failed");
    expect8("int8 steps", out, want, 2);
  }
  /* rule: the state is kept across invocations: c = 0.875, 0.9375 -> round(45.05) = 45, round(46.99) = 47 */
  CHECK(step(x, 2, out, 2) == 0 && out[0] == 45 && out[1] == 47, "int8 carried state: %d %d, want 45 47", out[0], out[1]);
  /* rule: qs_reset_state sets the hidden state to its zero point and the cell to 0 (TFLM's reset):
   * the next invocation repeats the first */
  CHECK(qs_reset_state(&g_ip) == QS_OK && step(x, 2, out, 2) == 0 && out[0] == 30 && out[1] == 41,
        "int8 after reset: %d %d, want 30 41", out[0], out[1]);
  /* rule: cell_clip 0.8 clips the cell to trunc(0.8 * 2048) = 1638 (0.7998): the third step's
   * 0.875 becomes 0.7998, h = round(0.5 tanh(0.7998) * 128) = round(42.45) = 42, and the fourth
   * step starts from it: c = 0.5 * 1638 + 1024 = 1843 -> 1638 again */
  d.cell_clip = 0.8f, d.steps = 2;
  CHECK(load(&d) == QS_OK, "clip load: %s", g_ip.err.msg);
  step(x, 2, out, 2);
  CHECK(step(x, 2, out, 2) == 0 && out[0] == 42 && out[1] == 42, "int8 clip: %d %d, want 42 42", out[0], out[1]);
}

typedef struct {
  int calls, op[4], step[4], batch[4];
  int16_t gates[4][4], cell[4];
} gate_log_t;
static void gate_hook(void *ctx, int op, int step, int batch, const void *gates, const void *cell, int n, qs_dtype_t dt) {
  gate_log_t *l = (gate_log_t *)ctx;
  if (l->calls < 4 && n == 1 && dt == QS_DT_INT16) {
    l->op[l->calls] = op, l->step[l->calls] = step, l->batch[l->calls] = batch;
    memcpy(l->gates[l->calls], gates, sizeof(l->gates[0]));
    memcpy(&l->cell[l->calls], cell, sizeof(int16_t));
  }
  l->calls++;
}

static void test_gate_hook(void) {
  static const int8_t w0[1] = {0}, x[2] = {5, -7};
  static const int32_t b0[1] = {0}, bsat[1] = {32767};
  const void *bias[4] = {b0, b0, bsat, b0};
  int8_t out[2];
  gate_log_t log;
  lstm_t d;
  int t;
  constant_gates(&d, I8, w0, bias);
  memset(&log, 0, sizeof(log));
  CHECK(load(&d) == QS_OK && qs_set_gate_hook(&g_ip, gate_hook, &log) == QS_OK, "gate hook load: %s", g_ip.err.msg);
  step(x, 2, out, 2);
  /* rule: the gate hook sees every step: forget, input, cell, output gate in Q0.15 (sigmoid(0) =
   * 16384, saturated tanh 32767) and the updated cell state (0.5, 0.75 in steps of 2^-11) */
  CHECK(log.calls == 2, "gate hook calls %d, want 2", log.calls);
  for (t = 0; t < 2; t++)
    CHECK(log.op[t] == 0 && log.step[t] == t && log.batch[t] == 0 && log.gates[t][0] == 16384 && log.gates[t][1] == 16384 &&
              log.gates[t][2] == 32767 && log.gates[t][3] == 16384 && log.cell[t] == (t ? 1536 : 1024),
          "gate hook step %d: op %d step %d gates %d %d %d %d cell %d", t, log.op[t], log.step[t], log.gates[t][0],
          log.gates[t][1], log.gates[t][2], log.gates[t][3], log.cell[t]);
  /* rule: the outputs are the same with the hook on (it only reads) */
  CHECK(out[0] == 30 && out[1] == 41, "outputs with the gate hook: %d %d", out[0], out[1]);
}

static void test_int16x8_steps(void) {
  static const int8_t w0[1] = {0};
  static const int16_t x[2] = {500, -700};
  static const int64_t b0[1] = {0}, bsat[1] = {32767};
  const void *bias[4] = {b0, b0, bsat, b0};
  int16_t out[2];
  lstm_t d;
  constant_gates(&d, I16, w0, bias);
  d.s_h = 1.0f / 256;
  CHECK(load(&d) == QS_OK, "16x8 LSTM load: %s", g_ip.err.msg);
  /* rule: 16x8 (int16 activations, int64 biases, int64 accumulator): the same gates; h in steps of
   * 2^-8: round(0.5 tanh(0.5) * 256) = round(59.15) = 59, round(0.5 tanh(0.75) * 256) = round(81.30) = 81 */
  CHECK(step(x, 4, out, 4) == 0 && out[0] == 59 && out[1] == 81, "16x8 steps: %d %d, want 59 81", out[0], out[1]);
}

#if QS_WITH_INT16 && QS_WITH_FLOAT
static void test_int16x8_vs_float(void) {
  static int8_t w8[8][20];
  static float wf[8][20], bf[4][4], xf[6 * 5], hf[6 * 4];
  static int64_t b64[4][4];
  static int16_t x16[6 * 5], h16[6 * 4];
  lstm_t d;
  int i, k;
  float worst = 0.0f;
  xs_state = 4242;
  for (i = 0; i < 8; i++)
    for (k = 0; k < 20; k++) w8[i][k] = (int8_t)rnd(-127, 127), wf[i][k] = w8[i][k] / 256.0f;
  for (i = 0; i < 4; i++)
    for (k = 0; k < 4; k++) b64[i][k] = rnd(-524288, 524288), bf[i][k] = (float)b64[i][k] / 1048576.0f;
  for (i = 0; i < 30; i++) x16[i] = (int16_t)rnd(-4096, 4096), xf[i] = x16[i] / 4096.0f;
  memset(&d, 0, sizeof(d));
  d.type = I16, d.batch = 1, d.steps = 6, d.n_in = 5, d.n_cell = 4;
  d.s_x = 1.0f / 4096, d.s_h = 1.0f / 16384;
  for (i = 0; i < 4; i++) d.wx[i] = w8[i], d.wh[i] = w8[4 + i], d.bias[i] = b64[i];
  CHECK(load(&d) == QS_OK && step(x16, sizeof(x16), h16, sizeof(h16)) == 0, "16x8 random: %s", g_ip.err.msg);
  d.type = F32;
  for (i = 0; i < 4; i++) d.wx[i] = wf[i], d.wh[i] = wf[4 + i], d.bias[i] = bf[i];
  CHECK(load(&d) == QS_OK && step(xf, sizeof(xf), hf, sizeof(hf)) == 0, "float random: %s", g_ip.err.msg);
  /* rule: with the same real weights, biases (int64 in steps of input x weight scale) and inputs, the
   * 16x8 LSTM computes the float32 LSTM to within its fixed point (Q3.12 gate inputs, Q0.15 gates,
   * cell in 2^-11): every hidden value within 1e-3 (3.3e-4 seen) */
  for (i = 0; i < 24; i++) {
    float e = fabsf(h16[i] / 16384.0f - hf[i]);
    worst = e > worst ? e : worst;
  }
  CHECK(worst <= 1e-3f, "16x8 vs float32: worst hidden difference %g", (double)worst);
}
#endif

static void test_float_steps(void) {
  static const float w0[1] = {0}, x[2] = {0.25f, -3.0f}, b0[1] = {0}, bsat[1] = {20};
  const void *bias[4] = {b0, b0, bsat, b0};
  float out[2], c = 0.0f, g = tanhf(20.0f), want;
  lstm_t d;
  int t;
  constant_gates(&d, F32, w0, bias);
  CHECK(load(&d) == QS_OK, "float LSTM load: %s", g_ip.err.msg);
  step(x, 8, out, 8);
  /* rule: float32: gates sigmoid(0) = 0.5, tanh(20); c = 0.5 c + 0.5 tanh(20), h = tanh(c) * 0.5,
   * each product and sum rounded to float32 as TFLM's float kernel does */
  for (t = 0; t < 2; t++) {
    c = 0.5f * c + 0.5f * g;
    want = tanhf(c) * 0.5f;
    CHECK(out[t] == want, "float step %d: %.9g want %.9g", t, out[t], want);
  }
}

/* Random int8 weights, biases and inputs for the layout cases. */
static int8_t g_w[8][64];
static int32_t g_b[4][8];
static void random_lstm(lstm_t *d, int batch, int steps, int time_major) {
  int i, k;
  memset(d, 0, sizeof(*d));
  d->type = I8, d->batch = batch, d->steps = steps, d->n_in = 5, d->n_cell = 4, d->time_major = time_major;
  d->s_x = 0.05f, d->s_h = 1.0f / 128, d->zp_x = 3, d->zp_h = -2;
  xs_state = 777;
  for (i = 0; i < 8; i++)
    for (k = 0; k < 64; k++) g_w[i][k] = (int8_t)rnd(-127, 127);
  for (i = 0; i < 4; i++)
    for (k = 0; k < 8; k++) g_b[i][k] = rnd(-3000, 3000);
  for (i = 0; i < 4; i++) d->wx[i] = g_w[i], d->wh[i] = g_w[4 + i], d->bias[i] = g_b[i];
}

static void test_state_split(void) {
  int8_t x[2 * 6 * 5], half[2][2 * 3 * 5], whole[2 * 6 * 4], part[2][2 * 3 * 4];
  lstm_t d;
  int i, b, t;
  random_lstm(&d, 2, 6, 0);
  for (i = 0; i < (int)sizeof(x); i++) x[i] = (int8_t)rnd(-128, 127);
  CHECK(load(&d) == QS_OK && step(x, sizeof(x), whole, sizeof(whole)) == 0, "6-step load/run: %s", g_ip.err.msg);
  /* the same sequences cut in two invocations of 3 steps (batch-major: [b][t][k]) */
  for (b = 0; b < 2; b++)
    for (t = 0; t < 6; t++) memcpy(&half[t / 3][(b * 3 + t % 3) * 5], &x[(b * 6 + t) * 5], 5);
  random_lstm(&d, 2, 3, 0);
  CHECK(load(&d) == QS_OK, "3-step load: %s", g_ip.err.msg);
  step(half[0], sizeof(half[0]), part[0], sizeof(part[0]));
  step(half[1], sizeof(half[1]), part[1], sizeof(part[1]));
  /* rule: hidden and cell state persist between invocations, so two invocations over halves of a
   * sequence give the outputs of one invocation over the whole sequence, for every batch row */
  for (b = 0; b < 2; b++)
    for (t = 0; t < 6; t++)
      for (i = 0; i < 4; i++)
        CHECK(part[t / 3][(b * 3 + t % 3) * 4 + i] == whole[(b * 6 + t) * 4 + i], "state split b%d t%d unit %d: %d want %d", b, t, i,
              part[t / 3][(b * 3 + t % 3) * 4 + i], whole[(b * 6 + t) * 4 + i]);
}

static void test_time_major(void) {
  int8_t x[3 * 4 * 5], xt[4 * 3 * 5], y[3 * 4 * 4], yt[4 * 3 * 4];
  lstm_t d;
  int i, b, t;
  random_lstm(&d, 3, 4, 0);
  for (i = 0; i < (int)sizeof(x); i++) x[i] = (int8_t)rnd(-128, 127);
  for (b = 0; b < 3; b++)
    for (t = 0; t < 4; t++) memcpy(&xt[(t * 3 + b) * 5], &x[(b * 4 + t) * 5], 5);
  {
    tb_model_t m;
    const void *in[1];
    in[0] = x;
    build(&d, &m);
    CHECK(run(&m, in, y, sizeof(y), NULL) == 0, "batch-major run");
  }
  random_lstm(&d, 3, 4, 1);
  CHECK(load(&d) == QS_OK && step(xt, sizeof(xt), yt, sizeof(yt)) == 0, "time-major run: %s", g_ip.err.msg);
  /* rule: time-major ([time, batch, features], TFLM's batched steps) on the transposed input gives
   * the transposed output of batch-major ([batch, time, features]): the batch rows are independent */
  for (b = 0; b < 3; b++)
    for (t = 0; t < 4; t++)
      for (i = 0; i < 4; i++)
        CHECK(yt[(t * 3 + b) * 4 + i] == y[(b * 4 + t) * 4 + i], "time-major b%d t%d unit %d: %d want %d", b, t, i,
              yt[(t * 3 + b) * 4 + i], y[(b * 4 + t) * 4 + i]);
  /* rule: the MACs are 4 gates x (input + recurrent depth) x units per step and batch row */
  {
    qs_op_info_t info;
    CHECK(qs_op_info(&g_ip, 0, &info) == QS_OK && info.macs == 3u * 4u * 4u * 4u * (5u + 4u), "LSTM macs %llu",
          (unsigned long long)info.macs);
  }
}

/* A variant TFLM refuses: load fails with status s and a message containing `word`. */
static void refused(const char *what, lstm_t *d, qs_status_t s, const char *word) {
  qs_status_t got = load(d);
  CHECK(got == s && strstr(g_ip.err.msg, word) != NULL, "%s: %s '%s', want %s '%s'", what, qs_status_str(got),
        got == QS_OK ? "" : g_ip.err.msg, qs_status_str(s), word);
}

static void test_refusals(void) {
  lstm_t d;
  /* rule: TFLM's LSTM runs only the standard cell (ValidateTensorStatus): each variant is refused
   * with the reason */
  random_lstm(&d, 1, 2, 0), d.no_input_gate = 1;
  refused("CIFG", &d, QS_ERR_UNSUPPORTED, "CIFG");
  random_lstm(&d, 1, 2, 0), d.peephole = 1;
  refused("peephole", &d, QS_ERR_UNSUPPORTED, "peephole");
  random_lstm(&d, 1, 2, 0), d.projection = 1;
  refused("projection", &d, QS_ERR_UNSUPPORTED, "projection");
  random_lstm(&d, 1, 2, 0), d.layer_norm = 1;
  refused("layer norm", &d, QS_ERR_UNSUPPORTED, "layer norm");
  /* rule: the state tensors must be variable (TFLM: TF_LITE_ENSURE is_variable), also when the
   * model feeds them as graph inputs */
  random_lstm(&d, 1, 2, 0), d.state_not_variable = 1;
  refused("state not variable", &d, QS_ERR_SCHEMA, "variable tensor");
  /* rule: the quantized LSTM's cell state is int16 (TFLM: "only support int16 cell state") */
  random_lstm(&d, 1, 2, 0), d.cell_int8 = 1;
  refused("int8 cell", &d, QS_ERR_TYPE, "int16 cell state");
  /* rule: per-channel weight scales are refused (TFLM's gate parameters would ignore them) */
  random_lstm(&d, 1, 2, 0), d.per_channel = 1;
  refused("per-channel", &d, QS_ERR_UNSUPPORTED, "per-channel");
  /* rule: the cell gate activation is tanh (TFLM's gate computes only sigmoid and tanh) */
  random_lstm(&d, 1, 2, 0), d.act = ACT_RELU;
  refused("RELU cell gate", &d, QS_ERR_UNSUPPORTED, "TANH");
}

static void test_unregistered(void) {
  static const int codes[5] = {16, 52, 24, 35, 46};
  static const char *const words[5] = {"LSTM (the single-step op)", "BIDIRECTIONAL_SEQUENCE_LSTM", "RNN:",
                                       "UNIDIRECTIONAL_SEQUENCE_RNN", "BIDIRECTIONAL_SEQUENCE_RNN"};
  const int32_t dims[3] = {1, 2, 3};
  tb_model_t m;
  size_t len;
  qs_status_t s;
  int i;
  /* rule: the recurrent builtins TFLite Micro has no kernel for are refused at load, naming the op and
   * what to convert to (TFLM: "Didn't find op for builtin opcode") */
  for (i = 0; i < 5; i++) {
    memset(&m, 0, sizeof(m));
    m.ntensors = 2, m.nops = 1, m.nin = 1, m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
    m.t[0] = q8(3, dims, 0.5f, 0, NULL, 0), m.t[1] = q8(3, dims, 0.5f, 0, NULL, 0);
    m.op[0].code = codes[i], m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1;
    len = tb_write(&m, g_model, sizeof(g_model));
    s = qs_load(&g_ip, g_model, len, g_arena, sizeof(g_arena));
    CHECK(s == QS_ERR_UNSUPPORTED && g_ip.err.op == 0 && strstr(g_ip.err.msg, words[i]) && strstr(g_ip.err.msg, "TFLite Micro"),
          "builtin %d: %s '%s'", codes[i], qs_status_str(s), s == QS_OK ? "" : g_ip.err.msg);
  }
}

int main(void) {
  test_int8_steps();
  test_gate_hook();
#if QS_WITH_INT16
  test_int16x8_steps();
#endif
#if QS_WITH_FLOAT
  test_float_steps();
#endif
#if QS_WITH_INT16 && QS_WITH_FLOAT
  test_int16x8_vs_float();
#endif
  test_state_split();
  test_time_major();
  test_refusals();
  test_unregistered();
  if (failures) {
    printf("test_lstm: %d FAILED\n", failures);
    return 1;
  }
  printf("test_lstm: all passed\n");
  return 0;
}
