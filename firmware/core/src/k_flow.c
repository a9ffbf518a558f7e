/*
 * WHILE and IF, as TFLite Micro runs them (kernels/while.cc, if.cc and kernel_util.cc's
 * CopyOpInputsToSubgraphInputs / CopyOpOutputsToSubgraphInputs / CopySubgraphOutputsToOpOutputs at
 * 0cc6f98):
 * - IF: input 0 is a bool tensor of one element; inputs 1.. are copied to the inputs of the then
 *   subgraph (true) or the else subgraph (false), that subgraph runs, its outputs are copied to the
 *   op's outputs.
 * - WHILE: the inputs are the loop variables, as many as the outputs. They are copied to the cond
 *   subgraph's inputs and to the op's outputs; cond runs; while cond's output 0 is true, the op's
 *   outputs go to the body's inputs, the body runs, its outputs go to the op's outputs and on to the
 *   cond's inputs, and cond runs again.
 * Every copy needs the same dtype and byte size on both sides (TFLM: ValidateAndGetTensorSizes, at
 * eval); shapes are static here (TFLM has no dynamic tensors either), so this core checks them at
 * load, for both branches of an IF and every WHILE edge.
 * Bound: TFLM loops for as long as cond says so (a cond that never turns false hangs the board).
 * This core stops a WHILE after QS_MAX_WHILE_ITERATIONS body runs within one invoke and fails the
 * invoke (QS_ERR_LIMIT, the op of subgraph 0 that was running, a message naming WHILE).
 * Plan: TFLM nests a called subgraph's allocation scopes inside its caller's op, so a subgraph's
 * tensors share memory with each other by lifetime. This core gives every tensor of a called
 * subgraph the lifetime of the main-graph ops that (directly or through nested calls) run it: they
 * share memory with main-graph tensors dead by then, never with each other (more bytes than TFLM when
 * a subgraph has many short-lived tensors, never overlapping ones).
 * Recursion: a subgraph that calls itself (directly or through others) would recurse without end in
 * TFLM's planner and interpreter; it is refused, and so is nesting deeper than QS_MAX_FLOW_DEPTH (the
 * evals nest on the C stack).
 */
#include <string.h>

#include "ops.h"

#ifndef QS_MAX_WHILE_ITERATIONS
#define QS_MAX_WHILE_ITERATIONS 65536
#endif
#define QS_STR_(x) #x
#define QS_STR(x) QS_STR_(x)
#ifndef QS_MAX_FLOW_DEPTH
#define QS_MAX_FLOW_DEPTH 8
#endif

enum { OPT_IF = 92, OPT_WHILE = 93 };

/* One called subgraph: its ops and its input / output tensors (slot indices). */
typedef struct {
  uint32_t begin, end, n_in, n_out;
  int16_t *in, *out;
} flow_sub_t;

typedef struct {
  flow_sub_t a, b; /* IF: then, else; WHILE: cond, body */
} flow_t;

static qs_status_t sub_io(qs_model_t *m, int oi, int32_t k, flow_sub_t *s) {
  fb_t *fb = &m->fb;
  const qs_sub_t *sub;
  uint32_t i;
  if (k <= 0 || (uint32_t)k >= m->n_subs)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "WHILE/IF subgraph index names no subgraph after the main one (0)");
  sub = &m->subs[k];
  s->begin = sub->op_begin, s->end = sub->op_end;
  s->n_in = sub->in_vec.n, s->n_out = sub->out_vec.n;
  if ((s->n_in && !(s->in = (int16_t *)qs_alloc(m, 2u * s->n_in))) || (s->n_out && !(s->out = (int16_t *)qs_alloc(m, 2u * s->n_out))))
    return QS_ERR_ARENA;
  for (i = 0; i < s->n_in + s->n_out; i++) {
    int is_in = i < s->n_in;
    int32_t t = fb_vec_i32(fb, is_in ? &sub->in_vec : &sub->out_vec, is_in ? i : i - s->n_in);
    const qs_slot_t *sl;
    if (fb->err || t < 0 || (uint32_t)t >= sub->n_tensors)
      return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "WHILE/IF subgraph input/output index out of range");
    t += (int32_t)sub->tensor_base;
    sl = &m->slots[t];
    if (is_in && sl->is_const) return qs_fail(m, QS_ERR_SCHEMA, oi, t, "WHILE/IF subgraph input is a constant (the op would write into the model)");
    if (!is_in && !sl->is_const && sl->first_op == -2)
      return qs_fail(m, QS_ERR_SCHEMA, oi, t, "WHILE/IF subgraph output is neither an input, a constant nor written by an op of the subgraph");
    if (is_in) s->in[i] = (int16_t)t;
    else s->out[i - s->n_in] = (int16_t)t;
  }
  return QS_OK;
}

/* TFLM ValidateAndGetTensorSizes: a copy between two tensors needs one dtype and one byte size. */
static qs_status_t same(qs_model_t *m, int oi, int a, int b) {
  qs_tensor_t ta, tb;
  qs_status_t s;
  if (a < 0 || b < 0) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "WHILE/IF input omitted (-1)");
  if ((s = qs_get_tensor(m, a, &ta)) != QS_OK || (s = qs_get_tensor(m, b, &tb)) != QS_OK) return s;
  if (ta.dtype != tb.dtype) return qs_fail(m, QS_ERR_TYPE, oi, a, "WHILE/IF copies between tensors of different dtypes (op and subgraph inputs/outputs must match)");
  if (ta.bytes != tb.bytes) return qs_fail(m, QS_ERR_SHAPE, oi, a, "WHILE/IF copies between tensors of different sizes (op and subgraph inputs/outputs must match)");
  return QS_OK;
}

static void copy_t(qs_model_t *m, int dst, int src) {
  uint8_t *d = qs_tdata(m, dst);
  const uint8_t *s = qs_tdata(m, src);
  if (d != s) memmove(d, s, m->slots[dst].bytes); /* a body may pass an input through as an output */
}

/* Runs a subgraph's ops; 0 when one of them (a nested WHILE) stopped the invoke. */
static int run_sub(qs_model_t *m, const flow_sub_t *s) {
  uint32_t i;
  for (i = s->begin; i < s->end; i++) {
    qs_run_op(m, &m->ops[i]);
    if (m->halt) return 0;
  }
  return 1;
}

static void if_eval(qs_model_t *m, const qs_op_t *op) {
  const flow_t *p = (const flow_t *)op->params;
  const flow_sub_t *s = qs_tdata(m, op->in[0])[0] ? &p->a : &p->b;
  uint32_t i;
  for (i = 0; i < s->n_in; i++) copy_t(m, s->in[i], op->in[i + 1]);
  if (!run_sub(m, s)) return;
  for (i = 0; i < s->n_out; i++) copy_t(m, op->outs[i], s->out[i]);
}

qs_status_t qs_prep_if(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *cond = qs_in(m, op, 0);
  flow_t *p;
  int k;
  uint32_t i;
  qs_status_t s;
  if ((s = qs_opts(m, oi, op, OPT_IF, 1)) != QS_OK) return s;
  if (!cond) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "IF needs a condition input");
  if (cond->dtype != QS_DT_BOOL || qs_elems(cond) != 1)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "IF condition must be a bool tensor of one element (TFLM if.cc)");
  if (!(p = (flow_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  for (k = 0; k < 2; k++) {
    flow_sub_t *b = k ? &p->b : &p->a;
    if ((s = sub_io(m, oi, fb_i32(&m->fb, &op->opts, k, 0), b)) != QS_OK) return s;
    if (b->n_in != (uint32_t)op->n_in - 1u || b->n_out != op->n_out)
      return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "IF then/else subgraph must take the op's inputs after the condition and give its outputs");
    for (i = 0; i < b->n_in; i++)
      if ((s = same(m, oi, op->in[i + 1], b->in[i])) != QS_OK) return s;
    for (i = 0; i < b->n_out; i++)
      if ((s = same(m, oi, op->outs[i], b->out[i])) != QS_OK) return s;
  }
  op->params = p;
  op->eval = if_eval;
  return QS_OK;
}

static void while_eval(qs_model_t *m, const qs_op_t *op) {
  const flow_t *p = (const flow_t *)op->params;
  const flow_sub_t *c = &p->a, *b = &p->b;
  uint32_t i, n = 0;
  for (i = 0; i < op->n_in; i++) {
    copy_t(m, c->in[i], op->in[i]);
    copy_t(m, op->outs[i], op->in[i]);
  }
  if (!run_sub(m, c)) return;
  while (qs_tdata(m, c->out[0])[0]) {
    if (++n > (uint32_t)QS_MAX_WHILE_ITERATIONS) {
      m->halt = "WHILE ran its body " QS_STR(QS_MAX_WHILE_ITERATIONS) " times in one invoke and its condition is still true: stopped (TFLM "
                "would loop on; QS_MAX_WHILE_ITERATIONS)";
      return;
    }
    for (i = 0; i < op->n_in; i++) copy_t(m, b->in[i], op->outs[i]);
    if (!run_sub(m, b)) return;
    for (i = 0; i < op->n_in; i++) copy_t(m, op->outs[i], b->out[i]);
    for (i = 0; i < op->n_in; i++) copy_t(m, c->in[i], op->outs[i]);
    if (!run_sub(m, c)) return;
  }
}

qs_status_t qs_prep_while(qs_model_t *m, int oi, qs_op_t *op) {
  flow_t *p;
  qs_tensor_t t;
  uint32_t i;
  qs_status_t s;
  if ((s = qs_opts(m, oi, op, OPT_WHILE, 1)) != QS_OK) return s;
  if (op->n_in != op->n_out) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "WHILE must have as many inputs as outputs (its loop variables)");
  if (!(p = (flow_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  if ((s = sub_io(m, oi, fb_i32(&m->fb, &op->opts, 0, 0), &p->a)) != QS_OK) return s;
  if ((s = sub_io(m, oi, fb_i32(&m->fb, &op->opts, 1, 0), &p->b)) != QS_OK) return s;
  if (p->a.n_in != op->n_in || p->b.n_in != op->n_in || p->b.n_out != op->n_out)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "WHILE cond and body subgraphs must take the loop variables, and the body give them back");
  if (p->a.n_out < 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "WHILE cond subgraph has no output");
  if ((s = qs_get_tensor(m, p->a.out[0], &t)) != QS_OK) return s;
  if (t.dtype != QS_DT_BOOL || t.bytes < 1)
    return qs_fail(m, QS_ERR_TYPE, oi, p->a.out[0], "WHILE cond subgraph output 0 must be a bool tensor (TFLM reads its first element)");
  for (i = 0; i < op->n_in; i++) {
    if ((s = same(m, oi, op->in[i], op->outs[i])) != QS_OK || (s = same(m, oi, op->outs[i], p->a.in[i])) != QS_OK ||
        (s = same(m, oi, op->outs[i], p->b.in[i])) != QS_OK || (s = same(m, oi, op->outs[i], p->b.out[i])) != QS_OK)
      return s;
  }
  op->params = p;
  op->eval = while_eval;
  return QS_OK;
}

/* The subgraphs op i runs (-1: none). */
static int callees(const qs_model_t *m, uint32_t i, int32_t *a, int32_t *b) {
  const qs_op_t *op = &m->ops[i];
  fb_t fb = m->fb; /* a copy: the options were validated by the op's prepare */
  *a = *b = -1;
  if (op->code != OP_WHILE && op->code != OP_IF && op->code != OP_CALL_ONCE) return 0;
  *a = fb_i32(&fb, &op->opts, 0, -1);
  if (op->code != OP_CALL_ONCE) *b = fb_i32(&fb, &op->opts, 1, -1);
  return 1;
}

qs_status_t qs_flow_plan(qs_model_t *m) {
  int16_t *lo, *hi;
  uint8_t *depth;
  uint32_t i, k, n = m->n_subs;
  int changed = 1;
  if (n < 2) return QS_OK;
  if (!(lo = (int16_t *)qs_alloc(m, 2u * n)) || !(hi = (int16_t *)qs_alloc(m, 2u * n)) || !(depth = (uint8_t *)qs_alloc(m, n)))
    return QS_ERR_ARENA;
  for (k = 0; k < n; k++) lo[k] = INT16_MAX, hi[k] = -1;
  for (i = 0; i < m->n_ops; i++) { /* called from the main graph: depth 1, that op's lifetime */
    int32_t c[2];
    int j;
    if (!callees(m, i, &c[0], &c[1])) continue;
    for (j = 0; j < 2; j++) {
      if (c[j] <= 0 || (uint32_t)c[j] >= n) continue; /* refused by the op's prepare */
      depth[c[j]] = 1;
      if (lo[c[j]] > (int16_t)i) lo[c[j]] = (int16_t)i;
      if (hi[c[j]] < (int16_t)i) hi[c[j]] = (int16_t)i;
    }
  }
  while (changed) { /* nested calls inherit their caller's lifetime; each round goes one level deeper */
    changed = 0;
    for (k = 1; k < n; k++) {
      if (!depth[k]) continue;
      for (i = m->subs[k].op_begin; i < m->subs[k].op_end; i++) {
        int32_t c[2];
        int j;
        if (!callees(m, i, &c[0], &c[1])) continue;
        for (j = 0; j < 2; j++) {
          if (c[j] <= 0 || (uint32_t)c[j] >= n) continue;
          if (depth[c[j]] <= depth[k]) {
            if (depth[k] >= QS_MAX_FLOW_DEPTH)
              return qs_fail(m, QS_ERR_UNSUPPORTED, (int)i, -1,
                             "a subgraph calls itself (directly or through others), or control flow nests deeper than "
                             "QS_MAX_FLOW_DEPTH (" QS_STR(QS_MAX_FLOW_DEPTH) ") subgraphs: TFLM would recurse without end");
            depth[c[j]] = (uint8_t)(depth[k] + 1), changed = 1;
          }
          if (lo[c[j]] > lo[k]) lo[c[j]] = lo[k], changed = 1;
          if (hi[c[j]] < hi[k]) hi[c[j]] = hi[k], changed = 1;
        }
      }
    }
  }
  for (k = 1; k < n; k++) { /* a subgraph nothing runs keeps the whole-invocation lifetime */
    const qs_sub_t *sub = &m->subs[k];
    if (!depth[k]) continue;
    for (i = sub->tensor_base; i < sub->tensor_base + sub->n_tensors; i++) {
      qs_slot_t *sl = &m->slots[i];
      if (sl->is_const || sl->first_op == -2) continue;
      sl->first_op = lo[k], sl->last_op = hi[k];
    }
  }
  return QS_OK;
}
