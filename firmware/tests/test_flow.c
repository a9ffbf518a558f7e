/*
 * WHILE and IF (k_flow.c) on small multi-subgraph models written with tfl_build: a counter loop
 * adding an int8 constant N times, an IF taking each branch, an IF nested in a WHILE body, the
 * iteration bound on a loop whose condition never turns false, and the refusals. Expected values
 * follow TFLite Micro's rule for each op (while.cc, if.cc), worked out beside each case.
 */
#include "kernel_harness.h"

enum { BOOL = 6, OP_ADD = 0, OPT_ADD = 11, OP_LESS = 58, OP_IF = 118, OP_WHILE = 119, OPT_IF = 92, OPT_WHILE = 93 };

static const int32_t k_d4[2] = {1, 4};
static const int32_t k_zero = 0, k_one = 1, k_two = 2;
static const int8_t k_step[4] = {3, -5, 7, 1}, k_then[4] = {1, 2, 3, 4}, k_else[4] = {-10, -20, -30, -40};
static const uint8_t k_true = 1;

static tb_tensor_t raw(int type, const void *data, size_t len) {
  tb_tensor_t t;
  memset(&t, 0, sizeof(t));
  t.ndims = 1, t.dims[0] = 1, t.type = type, t.data = data, t.data_len = len;
  return t;
}
static tb_tensor_t i32(const int32_t *data) { return raw(I32, data, data ? 4 : 0); }
static tb_tensor_t acc8(const int8_t *data) { return q8(2, k_d4, 1.0f, 0, data, data ? 4 : 0); }

static tb_op_t *add_op(tb_model_t *g, int code, int a, int b, int out) {
  tb_op_t *o = &g->op[g->nops++];
  memset(o, 0, sizeof(*o));
  o->code = code, o->nin = 2, o->in[0] = a, o->in[1] = b, o->out = out;
  if (code == OP_ADD) o->opt_type = OPT_ADD;
  return o;
}

/* A control-flow op with inputs in[0..nin) and outputs outs[0..nout), options (s0, s1). */
static tb_op_t *flow_op(tb_model_t *g, int code, const int *in, int nin, const int *outs, int nout, int s0, int s1) {
  tb_op_t *o = &g->op[g->nops++];
  int i;
  memset(o, 0, sizeof(*o));
  o->code = code, o->nin = nin, o->nout = nout, o->opt_type = code == OP_WHILE ? OPT_WHILE : OPT_IF;
  for (i = 0; i < nin; i++) o->in[i] = in[i];
  for (i = 0; i < nout; i++) o->outs[i] = outs[i];
  o->out = outs[0];
  opt(o, 0, 4, s0);
  opt(o, 1, 4, s1);
  return o;
}

/* cond (i, n, acc) -> i < n */
static void cond_graph(tb_model_t *g) {
  memset(g, 0, sizeof(*g));
  g->ntensors = 4;
  g->t[0] = i32(NULL), g->t[1] = i32(NULL), g->t[2] = acc8(NULL), g->t[3] = raw(BOOL, NULL, 0);
  add_op(g, OP_LESS, 0, 1, 3);
  g->nin = 3, g->inputs[0] = 0, g->inputs[1] = 1, g->inputs[2] = 2;
  g->nout = 1, g->outputs[0] = 3;
}

/* body (i, n, acc) -> (i + 1, n passed through, acc + k_step); with_if: acc + (i < 2 ? k_then : k_else)
 * through an IF on subgraphs 3 (then) and 4 (else) */
static void body_graph(tb_model_t *g, int with_if) {
  memset(g, 0, sizeof(*g));
  g->ntensors = 7;
  g->t[0] = i32(NULL), g->t[1] = i32(NULL), g->t[2] = acc8(NULL), g->t[3] = i32(&k_one);
  g->t[4] = acc8(k_step), g->t[5] = i32(NULL), g->t[6] = acc8(NULL);
  add_op(g, OP_ADD, 0, 3, 5);
  if (with_if) {
    int in[2] = {8, 2}, out[1] = {6};
    g->ntensors = 9;
    g->t[7] = i32(&k_two), g->t[8] = raw(BOOL, NULL, 0);
    add_op(g, OP_LESS, 0, 7, 8);
    flow_op(g, OP_IF, in, 2, out, 1, 3, 4);
  } else {
    add_op(g, OP_ADD, 2, 4, 6);
  }
  g->nin = 3, g->inputs[0] = 0, g->inputs[1] = 1, g->inputs[2] = 2;
  g->nout = 3, g->outputs[0] = 5, g->outputs[1] = 1, g->outputs[2] = 6;
}

/* branch (a) -> a + c (c NULL: a passed through as the output) */
static void branch_graph(tb_model_t *g, const int8_t *c) {
  memset(g, 0, sizeof(*g));
  g->ntensors = c ? 3 : 1;
  g->t[0] = acc8(NULL);
  if (c) {
    g->t[1] = acc8(c), g->t[2] = acc8(NULL);
    add_op(g, OP_ADD, 0, 1, 2);
  }
  g->nin = 1, g->inputs[0] = 0;
  g->nout = 1, g->outputs[0] = c ? 2 : 0;
}

/* main (x int8 [1,4], n int32 [1]): WHILE(i = 0, n, x) -> (i', n', acc); outputs acc, i' */
static void loop_main(tb_model_t *m) {
  int in[3] = {2, 1, 0}, out[3] = {3, 4, 5};
  memset(m, 0, sizeof(*m));
  m->ntensors = 6;
  m->t[0] = acc8(NULL), m->t[1] = i32(NULL), m->t[2] = i32(&k_zero);
  m->t[3] = i32(NULL), m->t[4] = i32(NULL), m->t[5] = acc8(NULL);
  flow_op(m, OP_WHILE, in, 3, out, 3, 1, 2);
  m->nin = 2, m->inputs[0] = 0, m->inputs[1] = 1;
  m->nout = 2, m->outputs[0] = 5, m->outputs[1] = 3;
}

static int8_t sat8(int v) { return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); }

/* Runs the loop model for several n; with_if selects the body with the nested IF. */
static void loop_cases(const char *name, int with_if) {
  static const int32_t ns[] = {0, 1, 2, 5, 37, -3};
  tb_model_t m, cond, body, th, el;
  qs_interp_t ip;
  size_t c;
  int i;
  loop_main(&m);
  cond_graph(&cond), body_graph(&body, with_if), branch_graph(&th, k_then), branch_graph(&el, k_else);
  m.sub = &cond, cond.sub = &body;
  if (with_if) body.sub = &th, th.sub = &el;
  if (load_model(&m, &ip, NULL)) {
    CHECK(0, "%s loads", name);
    return;
  }
  for (c = 0; c < sizeof(ns) / sizeof(ns[0]); c++) {
    int8_t x[4], want[4];
    int32_t n = ns[c], it, got_i;
    for (i = 0; i < 4; i++) x[i] = (int8_t)(i * 9 - 13 + (int)c), want[i] = x[i];
    /* rule (while.cc): cond runs on (0, n, x) first; while i < n the body runs, i counts the body
     * runs, so i ends at max(n, 0); each body run adds its constant to acc with int8 ADD at scale 1
     * and zero point 0 (exact, saturated to [-128, 127] per step); with the IF, the step is k_then
     * while i < 2 (then branch) and k_else after (else branch) */
    for (it = 0; it < n; it++)
      for (i = 0; i < 4; i++) want[i] = sat8(want[i] + (with_if ? (it < 2 ? k_then[i] : k_else[i]) : k_step[i]));
    memcpy(qs_input_data(&ip, 0), x, 4);
    memcpy(qs_input_data(&ip, 1), &n, 4);
    CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "%s n=%d ran: %s", name, (int)n, ip.err.msg);
    expect8(name, (const int8_t *)qs_output_data(&ip, 0), want, 4);
    memcpy(&got_i, qs_output_data(&ip, 1), 4);
    CHECK(got_i == (n > 0 ? n : 0), "%s n=%d: i ends at %d", name, (int)n, (int)got_i);
  }
}

/* main (c bool [1], x int8 [1,4]): IF(c, x) -> y on then (subgraph 1) / else (subgraph 2) */
static void if_cases(const char *name, const int8_t *then_c, const int8_t *else_c) {
  tb_model_t m, th, el;
  qs_interp_t ip;
  int in[2] = {0, 1}, out[1] = {2}, branch, i;
  memset(&m, 0, sizeof(m));
  m.ntensors = 3;
  m.t[0] = raw(BOOL, NULL, 0), m.t[1] = acc8(NULL), m.t[2] = acc8(NULL);
  flow_op(&m, OP_IF, in, 2, out, 1, 1, 2);
  m.nin = 2, m.inputs[0] = 0, m.inputs[1] = 1;
  m.nout = 1, m.outputs[0] = 2;
  branch_graph(&th, then_c), branch_graph(&el, else_c);
  m.sub = &th, th.sub = &el;
  if (load_model(&m, &ip, NULL)) {
    CHECK(0, "%s loads", name);
    return;
  }
  for (branch = 1; branch >= 0; branch--) {
    int8_t x[4] = {100, -100, 5, -7}, want[4];
    const int8_t *c = branch ? then_c : else_c;
    uint8_t b = (uint8_t)branch;
    /* rule (if.cc): a true condition runs then_subgraph, a false one else_subgraph, on inputs 1..;
     * the branch's output is the op's (here x + its constant, saturated int8; a branch without a
     * constant passes x through) */
    for (i = 0; i < 4; i++) want[i] = c ? sat8(x[i] + c[i]) : x[i];
    memcpy(qs_input_data(&ip, 0), &b, 1);
    memcpy(qs_input_data(&ip, 1), x, 4);
    CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "%s cond %d ran", name, branch);
    expect8(name, (const int8_t *)qs_output_data(&ip, 0), want, 4);
  }
}

static void test_endless(void) {
  tb_model_t m, cond, body;
  qs_interp_t ip;
  int in[1] = {0}, out[1] = {1}, k;
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = acc8(NULL), m.t[1] = acc8(NULL);
  flow_op(&m, OP_WHILE, in, 1, out, 1, 1, 2);
  m.nin = 1, m.inputs[0] = 0, m.nout = 1, m.outputs[0] = 1;
  memset(&cond, 0, sizeof(cond)); /* cond (acc) -> a constant true */
  cond.ntensors = 2, cond.t[0] = acc8(NULL), cond.t[1] = raw(BOOL, &k_true, 1);
  cond.nin = 1, cond.inputs[0] = 0, cond.nout = 1, cond.outputs[0] = 1;
  branch_graph(&body, k_step);
  m.sub = &cond, cond.sub = &body;
  if (load_model(&m, &ip, NULL)) {
    CHECK(0, "endless loop loads");
    return;
  }
  /* rule: TFLM loops as long as cond is true (forever here); this core stops after
   * QS_MAX_WHILE_ITERATIONS body runs and fails the invoke with QS_ERR_LIMIT naming WHILE, at the
   * main-graph op that ran it; the next invoke is bounded the same way */
  for (k = 0; k < 2; k++) {
    qs_status_t s = qs_invoke(&ip, NULL, NULL);
    CHECK(s == QS_ERR_LIMIT && ip.err.op == 0 && strstr(ip.err.msg, "WHILE") && strstr(ip.err.msg, "65536"),
          "endless WHILE stopped (%d): %s", (int)s, ip.err.msg);
  }
}

static void refused(const tb_model_t *m, qs_status_t want, const char *text, const char *rule) {
  qs_interp_t ip;
  qs_status_t s = QS_OK;
  CHECK(load_model(m, &ip, &s) != 0 && s == want && strstr(ip.err.msg, text), "%s: got %s: %s", rule, qs_status_str(s),
        s == QS_OK ? "loaded" : ip.err.msg);
}

static void test_refusals(void) {
  tb_model_t m, cond, body, th, el;
  loop_main(&m);
  cond_graph(&cond), body_graph(&body, 0);
  m.sub = &cond, cond.sub = &body;
  /* rule (while.cc Prepare): cond and body must be subgraphs of the model; index 0 is the main
   * graph itself (a loop calling its own graph): refused too */
  m.op[0].opts[1].ival = 3;
  refused(&m, QS_ERR_SCHEMA, "subgraph index", "WHILE body index past the subgraphs");
  m.op[0].opts[1].ival = 0;
  refused(&m, QS_ERR_SCHEMA, "subgraph index", "WHILE body index 0");
  m.op[0].opts[1].ival = 2;
  /* rule (while.cc Prepare): as many outputs as inputs (the loop variables) */
  m.op[0].nout = 2, m.nout = 1, m.outputs[0] = 3;
  refused(&m, QS_ERR_SCHEMA, "as many inputs as outputs", "WHILE with 3 inputs, 2 outputs");
  m.op[0].nout = 3, m.nout = 2, m.outputs[0] = 5;
  /* rule (while.cc Eval: cond_subgraph_output->data.b[0]): cond's output 0 is a bool */
  cond.t[3] = i32(NULL);
  cond.op[0].code = OP_ADD, cond.op[0].opt_type = OPT_ADD;
  refused(&m, QS_ERR_TYPE, "bool", "WHILE cond giving an int32");
  cond_graph(&cond);
  cond.sub = &body;
  /* rule (ValidateAndGetTensorSizes): the loop variable copies need one dtype and one size */
  body.t[2].dims[1] = 3, body.t[6].dims[1] = 3, body.t[4].dims[1] = 3, body.t[4].data_len = 3;
  refused(&m, QS_ERR_SHAPE, "different sizes", "WHILE body acc of 3 elements against 4");
  body_graph(&body, 0);
  /* rule: a subgraph that runs itself recurses without end in TFLM: the body holds a WHILE whose
   * body is that same body */
  {
    int in[3] = {5, 1, 6}, out[3] = {7, 8, 9};
    body.ntensors = 10;
    body.t[7] = i32(NULL), body.t[8] = i32(NULL), body.t[9] = acc8(NULL);
    flow_op(&body, OP_WHILE, in, 3, out, 3, 1, 2);
    body.outputs[0] = 7, body.outputs[1] = 8, body.outputs[2] = 9;
    refused(&m, QS_ERR_UNSUPPORTED, "calls itself", "WHILE body running itself");
    body_graph(&body, 0);
  }
  /* rule (if.cc Prepare): the condition is a bool tensor of one element */
  {
    int in[2] = {0, 1}, out[1] = {2};
    memset(&m, 0, sizeof(m));
    m.ntensors = 3;
    m.t[0] = acc8(NULL), m.t[1] = acc8(NULL), m.t[2] = acc8(NULL);
    flow_op(&m, OP_IF, in, 2, out, 1, 1, 2);
    m.nin = 2, m.inputs[0] = 0, m.inputs[1] = 1, m.nout = 1, m.outputs[0] = 2;
    branch_graph(&th, k_then), branch_graph(&el, k_else);
    m.sub = &th, th.sub = &el;
    refused(&m, QS_ERR_TYPE, "bool tensor of one element", "IF on an int8 condition");
    m.t[0] = raw(BOOL, NULL, 0);
    /* rule (if.cc Prepare, and Eval's copies for else): each branch takes the inputs after the
     * condition; an else branch with two inputs for one is refused */
    el.ntensors = 4, el.t[3] = acc8(NULL), el.nin = 2, el.inputs[1] = 3;
    refused(&m, QS_ERR_SCHEMA, "then/else", "IF else branch with 2 inputs for 1");
  }
}

int main(void) {
  (void)run;
  if_cases("if_both_branches", k_then, k_else);
  if_cases("if_then_passes_through", NULL, k_else);
  loop_cases("while_counter", 0);
  loop_cases("while_nested_if", 1);
  test_endless();
  test_refusals();
  printf("flow: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
