/*
 * Loader/validator tests: malformed and unsupported models must be rejected with the right
 * status, naming the op or tensor; arena sizing must be exact; the plan must be reported.
 * Table-driven over models built with tfl_build plus the real fixtures.
 * Usage: test_loader FIXTURES_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/src/internal.h"
#include "../core/src/k_params.h"
#include "qs_interp.h"
#include "test_util.h"
#include "tfl_build.h"

static int failures = 0;
#define CHECK(cond, ...)                          \
  do {                                            \
    if (!(cond)) {                                \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                        \
      printf("\n");                               \
      failures++;                                 \
    }                                             \
  } while (0)

static uint8_t g_model[1 << 16], g_arena[1 << 18];

/* A valid FC model: in[1,3] int8 -> FULLY_CONNECTED(w[2,3]) -> out[1,2]; tweaks break it. */
static void base_fc(tb_model_t *m) {
  static const int8_t w[6] = {1, 2, 3, 4, 5, 6};
  memset(m, 0, sizeof(*m));
  m->ntensors = 3;
  m->t[0].ndims = 2, m->t[0].dims[0] = 1, m->t[0].dims[1] = 3, m->t[0].type = 9;
  m->t[1].ndims = 2, m->t[1].dims[0] = 2, m->t[1].dims[1] = 3, m->t[1].type = 9, m->t[1].data = w, m->t[1].data_len = 6;
  m->t[2].ndims = 2, m->t[2].dims[0] = 1, m->t[2].dims[1] = 2, m->t[2].type = 9;
  m->t[0].nscales = m->t[1].nscales = m->t[2].nscales = 1;
  m->t[0].scales[0] = 0.5f, m->t[1].scales[0] = 0.25f, m->t[2].scales[0] = 1.0f;
  m->nops = 1;
  m->op[0].code = 9, m->op[0].nin = 2, m->op[0].in[0] = 0, m->op[0].in[1] = 1, m->op[0].out = 2;
  m->nin = m->nout = 1, m->inputs[0] = 0, m->outputs[0] = 2;
}

typedef struct {
  const char *name;
  void (*tweak)(tb_model_t *m);
  qs_status_t want;
  int op, tensor; /* expected error location (-2: don't care) */
} case_t;

static void t_ok(tb_model_t *m) { (void)m; }
static void t_unsupported_op(tb_model_t *m) { m->op[0].code = 16; /* LSTM */ }
static void t_custom_op(tb_model_t *m) { m->op[0].code = 32; }
static void t_float_weights(tb_model_t *m) {
  static const float w[6] = {0};
  m->t[1].type = 0, m->t[1].data = w, m->t[1].data_len = sizeof(w);
}
static void t_bad_out_shape(tb_model_t *m) { m->t[2].dims[1] = 3; }
static void t_short_buffer(tb_model_t *m) { m->t[1].data_len = 5; }
static void t_input_index(tb_model_t *m) { m->op[0].in[0] = 7; }
/* Indices that name no tensor are reported as tensor -1, never as a number that the board
 * protocol (int16) would turn into a real tensor: 70000 arrived as tensor 4464. */
static void t_input_index_wide(tb_model_t *m) { m->op[0].in[0] = 70000; }
/* rule: a builtin code the op record's 16 bits cannot hold is refused, never truncated: 65536 + 9
 * would otherwise load as FULLY_CONNECTED (9). */
static void t_code_wide(tb_model_t *m) { m->op[0].code = 65536 + 9; }
static void t_output_index(tb_model_t *m) { m->op[0].out = -3; }
static void t_graph_output_index(tb_model_t *m) { m->outputs[0] = 65538; }
static void t_unwritten(tb_model_t *m) { m->inputs[0] = 2, m->outputs[0] = 2; }
static void t_no_scale(tb_model_t *m) { m->t[0].nscales = 0; }
static void t_bad_zp(tb_model_t *m) { m->t[2].zps[0] = 300; }
static void t_neg_dim(tb_model_t *m) { m->t[2].dims[0] = -1; }
static void t_scale_ratio(tb_model_t *m) { m->t[2].scales[0] = 1e-30f; }
static void t_const_output(tb_model_t *m) {
  static const int8_t d[2] = {0, 0};
  m->t[2].data = d, m->t[2].data_len = 2;
}
static void t_wrong_options(tb_model_t *m) {
  m->op[0].opt_type = 1; /* Conv2DOptions attached to FULLY_CONNECTED */
  m->op[0].nopt = 1, m->op[0].opts[0].field = 0, m->op[0].opts[0].size = 1;
}

static const case_t k_cases[] = {
    {"valid", t_ok, QS_OK, -1, -1},
    {"unsupported op", t_unsupported_op, QS_ERR_UNSUPPORTED, 0, -1},
    {"custom op", t_custom_op, QS_ERR_UNSUPPORTED, 0, -1},
    {"float weights", t_float_weights, QS_ERR_TYPE, 0, 1},
    {"output shape", t_bad_out_shape, QS_ERR_SHAPE, 0, 2},
    {"short buffer", t_short_buffer, QS_ERR_SHAPE, -1, 1},
    {"input index", t_input_index, QS_ERR_SCHEMA, 0, -1},
    {"input index past int16", t_input_index_wide, QS_ERR_SCHEMA, 0, -1},
    {"builtin code past int16", t_code_wide, QS_ERR_UNSUPPORTED, 0, -1},
    {"output index", t_output_index, QS_ERR_SCHEMA, 0, -1},
    {"graph output index", t_graph_output_index, QS_ERR_SCHEMA, -1, -1},
    {"unwritten tensor", t_unwritten, QS_ERR_SCHEMA, -2, -2},
    {"missing scale", t_no_scale, QS_ERR_QUANT, 0, 0},
    {"zero point range", t_bad_zp, QS_ERR_QUANT, -1, 2},
    {"negative dim", t_neg_dim, QS_ERR_SHAPE, -1, 2},
    {"scale ratio", t_scale_ratio, QS_ERR_QUANT, 0, -2},
    {"constant output", t_const_output, QS_ERR_SCHEMA, -2, -2},
    {"wrong options type", t_wrong_options, QS_ERR_SCHEMA, 0, -1},
};

static void test_cases(void) {
  size_t i;
  for (i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
    const case_t *c = &k_cases[i];
    tb_model_t m;
    qs_interp_t ip;
    size_t len;
    qs_status_t s;
    base_fc(&m);
    c->tweak(&m);
    len = tb_write(&m, g_model, sizeof(g_model));
    s = qs_load(&ip, g_model, len, g_arena, sizeof(g_arena));
    CHECK(s == c->want, "%s: got %s (%s), want %s", c->name, qs_status_str(s), ip.err.msg, qs_status_str(c->want));
    if (c->op != -2) CHECK(ip.err.op == c->op, "%s: error op %d, want %d", c->name, ip.err.op, c->op);
    if (c->tensor != -2) CHECK(ip.err.tensor == c->tensor, "%s: error tensor %d, want %d", c->name, ip.err.tensor, c->tensor);
    CHECK(ip.err.msg && ip.err.msg[0], "%s: no message", c->name);
    if (s != QS_OK) CHECK(qs_invoke(&ip, NULL, NULL) == QS_ERR_STATE, "%s: invoke after failed load", c->name);
  }
}

static void test_bytes(void) {
  qs_interp_t ip;
  static const uint8_t junk[16] = {12, 0, 0, 0, 'T', 'F', 'L', '3', 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0};
  uint8_t bad_id[16];
  CHECK(qs_load(&ip, NULL, 10, g_arena, sizeof(g_arena)) == QS_ERR_ARG, "NULL model");
  CHECK(qs_load(&ip, junk, 0, g_arena, sizeof(g_arena)) == QS_ERR_SCHEMA, "empty model");
  CHECK(qs_load(&ip, junk, sizeof(junk), g_arena, sizeof(g_arena)) == QS_ERR_FORMAT, "vtable out of bounds: %s",
        ip.err.msg);
  memcpy(bad_id, junk, 16);
  memcpy(bad_id + 4, "XXXX", 4);
  CHECK(qs_load(&ip, bad_id, sizeof(bad_id), g_arena, sizeof(g_arena)) == QS_ERR_SCHEMA, "identifier");
  CHECK(qs_invoke(&ip, NULL, NULL) == QS_ERR_STATE, "invoke without model");
}

/* Loads a fixture model; returns the arena it needs (0 if it could not be read). */
static size_t test_fixture(const char *fixtures, const char *name, size_t tflm_arena) {
  char path[1024];
  size_t len, need, i, used;
  uint8_t *model, *copy;
  qs_interp_t ip;
  qs_status_t s;
  snprintf(path, sizeof(path), "%s/models/%s", fixtures, name);
  if (!(model = tu_read_file(path, &len))) {
    failures++;
    return 0;
  }
  /* too small: needed is a lower bound while the tables do not fit (they are discovered as
   * they are built) and exact once only the activations are missing; following it converges
   * to the exact minimum */
  s = qs_load(&ip, model, len, g_arena, 600);
  CHECK(s == QS_ERR_ARENA && ip.err.needed > 600, "%s: small arena: %s needed %zu", name, qs_status_str(s), ip.err.needed);
  need = ip.err.needed;
  for (i = 0; i < 1000 && s == QS_ERR_ARENA; i++) {
    s = qs_load(&ip, model, len, g_arena, need);
    if (s == QS_ERR_ARENA) {
      CHECK(ip.err.needed > need, "%s: needed must grow (%zu after %zu)", name, ip.err.needed, need);
      if (ip.err.needed <= need) break;
      need = ip.err.needed;
    }
  }
  CHECK(s == QS_OK, "%s: load with the reported size %zu: %s", name, need, qs_status_str(s));
  CHECK(qs_load(&ip, model, len, g_arena, need - 1) == QS_ERR_ARENA, "%s: one byte less must fail", name);
  s = qs_load(&ip, model, len, g_arena, sizeof(g_arena));
  CHECK(s == QS_OK && qs_arena_used(&ip) == need, "%s: arena used %zu, minimal %zu", name, qs_arena_used(&ip), need);
  used = qs_arena_used(&ip);
  if (tflm_arena) printf("  %s: arena %zu bytes (TFLM reference: %zu)\n", name, used, tflm_arena);
  else printf("  %s: arena %zu bytes\n", name, qs_arena_used(&ip));
  /* the plan: activations alive at the same time never share bytes, and all fit */
  if (s == QS_OK) {
    const qs_model_t *mm = ip.m;
    uint32_t a, b2, bad = 0;
    for (a = 0; a < mm->n_tensors; a++) {
      const qs_slot_t *x = &mm->slots[a];
      if (x->is_const || x->first_op == -2) continue;
      if (x->off + x->bytes > mm->tensor_bytes) bad++;
      for (b2 = a + 1; b2 < mm->n_tensors; b2++) {
        const qs_slot_t *y = &mm->slots[b2];
        if (y->is_const || y->first_op == -2 || x->first_op > y->last_op || y->first_op > x->last_op) continue;
        if (x->off < y->off + y->bytes && y->off < x->off + x->bytes) bad++;
      }
    }
    CHECK(bad == 0, "%s: %u overlapping or out-of-area tensors in the memory plan", name, bad);
  }
  /* every truncation of the file is rejected without a fault (ASan checks the reads) */
  for (i = 0; i < len; i += (len / 2000) + 1) {
    copy = (uint8_t *)malloc(i + 1);
    memcpy(copy, model, i);
    CHECK(qs_load(&ip, copy, i, g_arena, sizeof(g_arena)) != QS_OK, "%s: truncated to %zu bytes loads", name, i);
    free(copy);
  }
  free(model);
  return used;
}

/* Variable tensors (TFLM's is_variable: LSTM/SVDF state). Model: out = ADD(in, var), all int8 scale
 * 0.5; var has zero point 5. Rules: (1) it loads (a variable tensor is state, not an error);
 * (2) at load and after qs_reset_state an int8 variable holds its zero point (TFLM's
 * ResetVariableTensor), so out == in; (3) its bytes overlap no other tensor in the arena, so what an
 * op leaves there is still there at the next invocation (here written from the test: +1.0 = +2 in
 * out's units, twice in a row), until qs_reset_state. */
static void test_variable_tensor(void) {
  tb_model_t m;
  qs_interp_t ip;
  static const int8_t in[3] = {-4, 0, 9};
  uint8_t *var;
  size_t len, i, k, run;
  memset(&m, 0, sizeof(m));
  m.ntensors = 3;
  for (i = 0; i < 3; i++) {
    m.t[i].ndims = 2, m.t[i].dims[0] = 1, m.t[i].dims[1] = 3, m.t[i].type = 9;
    m.t[i].nscales = 1, m.t[i].scales[0] = 0.5f;
  }
  m.t[1].zps[0] = 5, m.t[1].is_variable = 1;
  m.nops = 1;
  m.op[0].code = 0, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 2;
  len = tb_write(&m, g_model, sizeof(g_model));
  CHECK(qs_load(&ip, g_model, len, g_arena, sizeof(g_arena)) == QS_OK, "variable tensor: load: %s", ip.err.msg);
  if (!ip.m) return;
  var = qs_tdata(ip.m, 1);
  for (i = 0; i < 3; i++) CHECK((int8_t)var[i] == 5, "variable tensor: byte %zu is %d at load, want zp 5", i, (int8_t)var[i]);
  for (k = 0; k < 3; k++) /* no other tensor shares the variable's bytes */
    if (k != 1) CHECK(ip.m->slots[k].off >= ip.m->slots[1].off + 16 || ip.m->slots[k].off + 16 <= ip.m->slots[1].off,
                      "variable tensor overlaps tensor %zu", k);
  memcpy(qs_input_data(&ip, 0), in, 3);
  CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "variable tensor: invoke");
  for (i = 0; i < 3; i++) CHECK((int8_t)qs_output_data(&ip, 0)[i] == in[i], "variable tensor: out[%zu] at zp", i);
  memset(var, 7, 3); /* the state an op would leave: 7 - 5 = 2 steps = +1.0 */
  for (run = 0; run < 2; run++) {
    memcpy(qs_input_data(&ip, 0), in, 3);
    CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "variable tensor: invoke %zu", run);
    for (i = 0; i < 3; i++)
      CHECK((int8_t)qs_output_data(&ip, 0)[i] == in[i] + 2, "variable tensor: run %zu out[%zu] = %d, want %d", run, i,
            (int8_t)qs_output_data(&ip, 0)[i], in[i] + 2);
  }
  CHECK(qs_reset_state(&ip) == QS_OK, "qs_reset_state");
  for (i = 0; i < 3; i++) CHECK((int8_t)var[i] == 5, "variable tensor: byte %zu after reset", i);
}

/* rule: each op's scratch is planned inside the activation area (not in the persistent tables), clear
 * of every tensor alive while that op runs; an op whose scratch would raise the arena runs its lean
 * variant instead (no scratch), and only that op: keyword_spotting's CONV_2D #1 sits at the
 * activation peak (its input and output fill the area), #0 and #2 keep the im2col patch (portable
 * kernels: 2 * kh * kw * kc bytes) in the free bytes below the peak */
static void test_scratch_plan(const char *fixtures) {
  static uint8_t model[1 << 16];
  char path[1024];
  size_t len;
  qs_interp_t ip;
  const qs_model_t *m;
  uint32_t i, t;
  FILE *f;
  snprintf(path, sizeof(path), "%s/models/keyword_spotting_on_off.tflite", fixtures);
  f = fopen(path, "rb");
  CHECK(f != NULL, "scratch plan: cannot open %s", path);
  if (!f) return;
  len = fread(model, 1, sizeof(model), f);
  fclose(f);
  CHECK(qs_load(&ip, model, len, g_arena, sizeof(g_arena)) == QS_OK, "scratch plan: load: %s", ip.err.msg);
  if (!ip.m) return;
  m = ip.m;
  CHECK(m->scratch_at != NULL, "scratch plan: keyword_spotting's convolutions need scratch");
  if (!m->scratch_at) return;
  CHECK(m->n_ops == 7 && m->ops[0].lean == 0 && m->ops[1].lean == 1 && m->ops[2].lean == 0,
        "scratch plan: lean ops %d %d %d, want only op 1 (the activation peak)", m->ops[0].lean, m->ops[1].lean,
        m->ops[2].lean);
  for (i = 0; i < m->n_ops; i++) {
    const qs_op_t *op = &m->ops[i];
    const conv_params_t *p = (const conv_params_t *)op->params;
    const size_t need = op->code == OP_CONV_2D && !op->lean ? 2u * (size_t)p->kh * p->kw * p->kc : 0;
    const uint8_t *s = m->arena + m->tensor_base + m->scratch_at[i];
    if (!need) continue;
    CHECK(m->scratch_at[i] + need <= m->tensor_bytes, "scratch plan: op %u's scratch is not inside the activation area", i);
    for (t = 0; t < m->n_tensors; t++) {
      const qs_slot_t *sl = &m->slots[t];
      const uint8_t *d = qs_tdata((qs_model_t *)m, (int)t);
      if (sl->is_const || sl->first_op == -2 || sl->first_op > (int)i || sl->last_op < (int)i) continue;
      CHECK(d + sl->bytes <= s || s + need <= d, "scratch plan: op %u's scratch overlaps tensor %u, alive at that op", i, t);
    }
  }
  /* the lean op's output is still the golden's: the whole model is checked by core-golden */
  CHECK(m->tensor_bytes == 3200u + 1664u, "scratch plan: activation area %zu bytes, want 4864 (CONV_2D #1's input + output)",
        m->tensor_bytes);
}

/* A 1x1 CONV_2D over a [1, 1, w, 1] input (one int8 weight, stride 1). */
static qs_status_t conv_width(int32_t w, qs_interp_t *ip) {
  static const int8_t f[1] = {3};
  tb_model_t m;
  size_t len;
  int i;
  memset(&m, 0, sizeof(m));
  m.ntensors = 3;
  for (i = 0; i < 3; i++) {
    m.t[i].ndims = 4, m.t[i].dims[0] = m.t[i].dims[1] = m.t[i].dims[3] = 1, m.t[i].dims[2] = i == 1 ? 1 : w;
    m.t[i].type = 9, m.t[i].nscales = 1, m.t[i].scales[0] = i == 0 ? 0.5f : i == 1 ? 0.25f : 1.0f;
  }
  m.t[1].data = f, m.t[1].data_len = 1;
  m.nops = 1;
  m.op[0].code = 3, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2, m.op[0].opt_type = 1;
  m.op[0].nopt = 2;
  m.op[0].opts[0].field = 1, m.op[0].opts[0].size = 4, m.op[0].opts[0].ival = 1;
  m.op[0].opts[1].field = 2, m.op[0].opts[1].size = 4, m.op[0].opts[1].ival = 1;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 2;
  len = tb_write(&m, g_model, sizeof(g_model));
  return qs_load(ip, g_model, len, g_arena, sizeof(g_arena));
}

/* rule: CONV_2D keeps its geometry in 16 bits (the parameter block is 72 bytes on Cortex-M): a
 * dimension above 32767 is refused at load, naming the limit, never truncated; 32767 still runs */
static void test_conv_limit(void) {
  qs_interp_t ip;
  qs_status_t s = conv_width(40000, &ip);
  CHECK(s == QS_ERR_LIMIT && strstr(ip.err.msg, "32767") && ip.err.op == 0, "conv 40000 wide: status %d (%s)", (int)s,
        ip.err.msg);
  s = conv_width(32767, &ip);
  CHECK(s == QS_OK, "conv 32767 wide: status %d (%s)", (int)s, ip.err.msg);
  if (s == QS_OK) {
    int8_t *x = (int8_t *)qs_input_data(&ip, 0);
    x[0] = 8, x[32766] = -40;
    CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "conv 32767 wide: invoke");
    /* x * 3 * (0.5 * 0.25 / 1.0): 8 -> 3, -40 -> -15 (exact: no rounding) */
    CHECK((int8_t)qs_output_data(&ip, 0)[0] == 3 && (int8_t)qs_output_data(&ip, 0)[32766] == -15,
          "conv 32767 wide: out %d %d, want 3 -15", (int8_t)qs_output_data(&ip, 0)[0], (int8_t)qs_output_data(&ip, 0)[32766]);
  }
}

int main(int argc, char **argv) {
  const char *fixtures = argc > 1 ? argv[1] : tu_fixtures();
  test_cases();
  test_bytes();
  test_variable_tensor();
  test_fixture(fixtures, "hello_world_int8.tflite", 676);
  /* rule: the arena is no larger than TFLite Micro's for the same model (TFLM's 82,292 B measured
   * on Cortex-M, ../shared/ANCHORS.md; this 64-bit host build has the larger, 8-byte-pointer tables,
   * so passing here bounds the 32-bit builds too) */
  {
    size_t pd = test_fixture(fixtures, "person_detect.tflite", 82292);
    CHECK(pd > 0 && pd <= 82292, "person_detect: arena %zu bytes, TFLM's is 82292", pd);
  }
  test_fixture(fixtures, "rock_paper_scissors.tflite", 0);
  test_fixture(fixtures, "simple_add_model.tflite", 0);
  test_scratch_plan(fixtures);
  test_conv_limit();
  printf("loader: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
