/*
 * Resource variables and CALL_ONCE (k_var.c) on two-subgraph models: an accumulator whose variable
 * an init subgraph sets once, streamed over 10 frames and checked frame by frame against TFLite
 * Micro's rule, qs_reset_state back to frame 0, TFLM's default value of a never-assigned variable,
 * and the refusals (unsized variables, bad init subgraph, WHILE over an init subgraph). Each case names its rule.
 */
#include "kernel_harness.h"

enum { RES = 13 /* TensorType RESOURCE */, OP_ADD = 0, OPT_ADD = 11, OP_WHILE = 119, OPT_WHILE = 93 };
enum { OP_CALL_ONCE = 129, OPT_CALL_ONCE = 103, OP_VAR_HANDLE = 142, OPT_VAR_HANDLE = 111 };
enum { OP_READ_VARIABLE = 143, OP_ASSIGN_VARIABLE = 144 };

static const int32_t k_d4[2] = {1, 4};
static const int8_t k_init[4] = {10, -20, 30, 100};

static tb_tensor_t handle_tensor(void) {
  tb_tensor_t t;
  memset(&t, 0, sizeof(t));
  t.type = RES; /* shape []: one resource id */
  return t;
}

static void var_handle(tb_op_t *o, int out, const char *name) {
  memset(o, 0, sizeof(*o));
  o->code = OP_VAR_HANDLE, o->out = out, o->opt_type = OPT_VAR_HANDLE;
  o->opts[0].field = 0, o->opts[0].sval = "";
  o->opts[1].field = 1, o->opts[1].sval = name;
  o->nopt = 2;
}

static void op2(tb_op_t *o, int code, int nin, int a, int b, int out) {
  memset(o, 0, sizeof(*o));
  o->code = code, o->nin = nin, o->in[0] = a, o->in[1] = b, o->out = out;
  if (out < 0) o->nout = -1; /* no outputs */
}

/* Init subgraph: VAR_HANDLE "acc" -> t0; ASSIGN_VARIABLE(t0, constant k_init). */
static void init_graph(tb_model_t *s) {
  memset(s, 0, sizeof(*s));
  s->ntensors = 2;
  s->t[0] = handle_tensor();
  s->t[1] = q8(2, k_d4, 1.0f, 0, k_init, 4);
  s->nops = 2;
  var_handle(&s->op[0], 0, "acc");
  op2(&s->op[1], OP_ASSIGN_VARIABLE, 2, 0, 1, -1);
}

/* Main: [CALL_ONCE(init)], VAR_HANDLE "acc" -> t1, READ -> t2, ADD(t2, x=t0) -> t3, ASSIGN(t1, t3).
 * Output t3, int8 scale 1 everywhere: the sum is exact (clamped to int8). */
static void main_graph(tb_model_t *m, const tb_model_t *init, int with_call_once) {
  int n = 0;
  memset(m, 0, sizeof(*m));
  m->ntensors = 4;
  m->t[0] = q8(2, k_d4, 1.0f, 0, NULL, 0);
  m->t[1] = handle_tensor();
  m->t[2] = q8(2, k_d4, 1.0f, 0, NULL, 0);
  m->t[3] = q8(2, k_d4, 1.0f, 0, NULL, 0);
  if (with_call_once) {
    memset(&m->op[n], 0, sizeof(m->op[n]));
    m->op[n].code = OP_CALL_ONCE, m->op[n].nout = -1, m->op[n].opt_type = OPT_CALL_ONCE;
    opt(&m->op[n], 0, 4, 1);
    n++;
  }
  var_handle(&m->op[n++], 1, "acc");
  op2(&m->op[n++], OP_READ_VARIABLE, 1, 1, 0, 2);
  op2(&m->op[n], OP_ADD, 2, 2, 0, 3);
  m->op[n++].opt_type = OPT_ADD;
  op2(&m->op[n++], OP_ASSIGN_VARIABLE, 2, 1, 3, -1);
  m->nops = n;
  m->nin = 1, m->inputs[0] = 0;
  m->nout = 1, m->outputs[0] = 3;
  m->sub = init;
}

static void frame_input(int k, int8_t *x) {
  int i;
  for (i = 0; i < 4; i++) x[i] = (int8_t)((k * 7 + i * 11) % 23 - 11);
}

/* rule: acc starts at `start` (CALL_ONCE's init assign, or TFLM's default: the zero point, 0),
 * each frame acc = clamp(acc + x, -128, 127) and the output is the new acc */
static void stream(const char *name, int with_call_once, const int8_t *start) {
  tb_model_t m, init;
  qs_interp_t ip;
  int8_t acc[4], x[4], first[4];
  int k, i;
  init_graph(&init);
  main_graph(&m, &init, with_call_once);
  if (load_model(&m, &ip, NULL)) {
    CHECK(0, "%s loads", name);
    return;
  }
  memcpy(acc, start, 4);
  for (k = 0; k < 10; k++) {
    const int8_t *got;
    frame_input(k, x);
    for (i = 0; i < 4; i++) {
      int v = acc[i] + x[i];
      acc[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    memcpy(qs_input_data(&ip, 0), x, 4);
    CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "%s frame %d ran", name, k);
    got = (const int8_t *)qs_output_data(&ip, 0);
    for (i = 0; i < 4; i++) CHECK(got[i] == acc[i], "%s frame %d [%d]: got %d want %d", name, k, i, got[i], acc[i]);
    if (k == 0) memcpy(first, acc, 4);
  }
  /* rule: qs_reset_state returns to the state after load: the variable unassigned, CALL_ONCE's
   * init not run, so frame 0 again gives frame 0's output */
  CHECK(qs_reset_state(&ip) == QS_OK, "%s reset", name);
  frame_input(0, x);
  memcpy(qs_input_data(&ip, 0), x, 4);
  CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "%s after reset ran", name);
  expect8(name, (const int8_t *)qs_output_data(&ip, 0), first, 4);
}

static void test_accumulator(void) {
  static const int8_t zero[4] = {0, 0, 0, 0};
  stream("call_once_accumulator", 1, k_init);
  /* rule (MicroResourceVariables::Allocate): without CALL_ONCE the first READ sees the buffer
   * memset to the assigned tensor's int8 zero point (0 here) */
  stream("default_value_accumulator", 0, zero);
}

static void test_var_refusals(void) {
  tb_model_t m, init;
  qs_interp_t ip;
  qs_status_t st;
  init_graph(&init);
  /* rule (call_once.cc): init_subgraph_index must name a subgraph; this core also refuses 0 (the
   * main graph calling itself) */
  main_graph(&m, &init, 1);
  m.op[0].opts[0].ival = 2;
  CHECK(load_model(&m, &ip, &st) != 0 && st == QS_ERR_SCHEMA && strstr(ip.err.msg, "init_subgraph_index"), "CALL_ONCE to subgraph 2 refused: %s", ip.err.msg);
  /* rule: a READ_VARIABLE of a variable no ASSIGN_VARIABLE sizes has no buffer in TFLM (a DCHECK):
   * refused at load. Main graph without its ASSIGN, no init subgraph. */
  main_graph(&m, NULL, 0);
  m.nops = 3;
  CHECK(load_model(&m, &ip, &st) != 0 && st == QS_ERR_SCHEMA && strstr(ip.err.msg, "no ASSIGN_VARIABLE"), "unassigned READ_VARIABLE refused: %s", ip.err.msg);
  /* rule (while.cc Prepare): WHILE's cond and body take its loop variables; an init subgraph
   * without inputs as both is refused (WHILE and IF themselves run: test_flow.c) */
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = q8(2, k_d4, 1.0f, 0, NULL, 0);
  m.t[1] = q8(2, k_d4, 1.0f, 0, NULL, 0);
  m.nops = 1;
  op2(&m.op[0], OP_WHILE, 1, 0, 0, 1);
  m.op[0].opt_type = OPT_WHILE;
  opt(&m.op[0], 0, 4, 1);
  opt(&m.op[0], 1, 4, 1);
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
  m.sub = &init;
  CHECK(load_model(&m, &ip, &st) != 0 && st == QS_ERR_SCHEMA && strstr(ip.err.msg, "loop variables"), "WHILE over an init subgraph refused: %s", ip.err.msg);
}

int main(void) {
  (void)run; /* the harness's one-op runner: these models need the state between invokes */
  test_accumulator();
  test_var_refusals();
  printf("var: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
