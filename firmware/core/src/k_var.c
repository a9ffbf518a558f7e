/*
 * Resource variables and CALL_ONCE, as TFLite Micro runs them (var_handle.cc, read_variable.cc,
 * assign_variable.cc, call_once.cc, micro_resource_variable.cc at 90b983c2):
 * - VAR_HANDLE names a variable by (container, shared_name); equal names share one resource id
 *   (a handle without a container matches any container), ids in first-prepared order. Its output
 *   tensor holds the id.
 * - ASSIGN_VARIABLE sizes the variable by its value tensor at prepare (the first one to reach it)
 *   and copies the value in at eval; the bytes read before any assign are TFLM's default: the int8
 *   cast of the value tensor's zero point (0 without quantization), memset over the buffer.
 * - READ_VARIABLE copies the variable out (its output must have the variable's size).
 * - CALL_ONCE runs its init subgraph on the first invoke only.
 * The variables and CALL_ONCE's flag live in qs_state_alloc blocks: they persist between invokes,
 * and load and qs_reset_state zero them, which here means "never assigned" (reads give the default
 * again, as TFLM's ResetAll) and "init not run yet". The latter differs from TFLM's Reset, after
 * which CALL_ONCE stays done: qs_reset_state returns to the state right after load, frame 0.
 * Handles must come from a VAR_HANDLE in the same subgraph (TFLM also allows passing them through
 * WHILE/IF subgraph inputs: refused here, the handle must be made where it is used).
 */
#include <string.h>

#include "ops.h"

enum { OPT_CALL_ONCE = 103, OPT_VAR_HANDLE = 111 };

typedef struct qs_res {
  struct qs_res *next;
  fb_vec_t container, name; /* strings in the model (container.pos == 0: none) */
  int32_t id;
  uint8_t *state; /* [0]: assigned since load/reset; the value from byte 8 (qs_state_alloc) */
  uint32_t bytes;
  uint8_t dflt;
} qs_res_t;

static int same_str(const qs_model_t *m, fb_vec_t a, fb_vec_t b) {
  return a.n == b.n && memcmp(m->model + a.pos, m->model + b.pos, a.n) == 0;
}

static void var_handle_eval(qs_model_t *m, const qs_op_t *op) {
  const qs_res_t *r = (const qs_res_t *)op->params;
  uint8_t *out = qs_tdata(m, op->out);
  memcpy(out, &r->id, 4);
}

qs_status_t qs_prep_var_handle(qs_model_t *m, int oi, qs_op_t *op) {
  fb_t *fb = &m->fb;
  fb_vec_t cont, name;
  qs_res_t *r, **tail = &m->res;
  int32_t n = 0;
  qs_status_t s;
  if (op->n_in != 0 || op->n_out != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "VAR_HANDLE has no inputs and one output");
  if ((s = qs_opts(m, oi, op, OPT_VAR_HANDLE, 1)) != QS_OK) return s;
  cont = fb_vector(fb, &op->opts, 0, 1);
  name = fb_vector(fb, &op->opts, 1, 1);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "VAR_HANDLE names out of bounds");
  if (!fb_has(fb, &op->opts, 1)) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "VAR_HANDLE without a shared_name");
  if (qs_out(m)->bytes != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "VAR_HANDLE output must be one resource (or int32) element");
  if (!fb_has(fb, &op->opts, 0)) cont.pos = 0;
  for (r = m->res; r; r = r->next, n++) { /* MicroResourceVariables::FindId */
    tail = &r->next;
    if ((cont.pos == 0 || (r->container.pos != 0 && same_str(m, cont, r->container))) && same_str(m, name, r->name)) break;
  }
  if (!r) {
    if (!(r = (qs_res_t *)qs_alloc(m, sizeof(*r)))) return QS_ERR_ARENA;
    r->container = cont, r->name = name, r->id = n;
    *tail = r;
  }
  op->params = r;
  op->eval = var_handle_eval;
  return QS_OK;
}

/* The resource behind input 0: the VAR_HANDLE of the same subgraph that writes it. */
static qs_res_t *handle_of(qs_model_t *m, int oi, const qs_op_t *op) {
  uint32_t k, begin = 0;
  int i;
  for (k = 1; k < m->n_subs; k++)
    if ((uint32_t)oi >= m->subs[k].op_begin && (uint32_t)oi < m->subs[k].op_end) begin = m->subs[k].op_begin;
  for (i = oi - 1; i >= (int)begin; i--)
    if (m->ops[i].n_out == 1 && m->ops[i].out == op->in[0])
      return m->ops[i].code == OP_VAR_HANDLE ? (qs_res_t *)m->ops[i].params : NULL;
  return NULL;
}

static void assign_eval(qs_model_t *m, const qs_op_t *op) {
  qs_res_t *r = (qs_res_t *)op->params;
  memcpy(r->state + 8, qs_tdata(m, op->in[1]), r->bytes);
  r->state[0] = 1;
}

qs_status_t qs_prep_assign_variable(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *v = qs_in(m, op, 1);
  qs_res_t *r;
  if (op->n_in != 2 || op->n_out != 0 || !v) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "ASSIGN_VARIABLE takes a handle and a value, and has no output");
  if (!(r = handle_of(m, oi, op)))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "ASSIGN_VARIABLE's handle must come from a VAR_HANDLE of the same subgraph");
  if (!r->state) { /* MicroResourceVariables::Allocate: the first assign sizes it */
    if (!(r->state = (uint8_t *)qs_state_alloc(m, 8u + v->bytes))) return QS_ERR_ARENA;
    r->bytes = v->bytes;
    r->dflt = v->quantized ? (uint8_t)(int8_t)v->zp : 0u; /* TFLM: int8_t zero_point, memset */
  } else if (r->bytes != v->bytes) {
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "ASSIGN_VARIABLE value size differs from the variable's");
  }
  op->params = r;
  op->eval = assign_eval;
  return QS_OK;
}

static void read_eval(qs_model_t *m, const qs_op_t *op) {
  const qs_res_t *r = (const qs_res_t *)op->params;
  uint8_t *out = qs_tdata(m, op->out);
  if (r->state[0]) memcpy(out, r->state + 8, r->bytes);
  else memset(out, r->dflt, r->bytes); /* never assigned since load or reset: TFLM's default */
}

qs_status_t qs_prep_read_variable(qs_model_t *m, int oi, qs_op_t *op) {
  qs_res_t *r;
  if (op->n_in != 1 || op->n_out != 1) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "READ_VARIABLE takes a handle and has one output");
  if (!(r = handle_of(m, oi, op)))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "READ_VARIABLE's handle must come from a VAR_HANDLE of the same subgraph");
  op->params = r; /* sized by an ASSIGN_VARIABLE, maybe one prepared later: qs_var_check */
  op->eval = read_eval;
  return QS_OK;
}

qs_status_t qs_var_check(qs_model_t *m) {
  uint32_t i;
  for (i = 0; i < m->n_ops_all; i++) {
    const qs_op_t *op = &m->ops[i];
    const qs_res_t *r = (const qs_res_t *)op->params;
    if (op->code != OP_READ_VARIABLE) continue;
    if (!r->state) return qs_fail(m, QS_ERR_SCHEMA, (int)i, op->in[0], "READ_VARIABLE of a variable no ASSIGN_VARIABLE writes");
    if (m->slots[op->out].bytes != r->bytes)
      return qs_fail(m, QS_ERR_SHAPE, (int)i, op->out, "READ_VARIABLE output size differs from the variable's");
  }
  return QS_OK;
}

typedef struct {
  uint32_t begin, end;
  uint8_t *ran; /* qs_state_alloc: 0 after load and qs_reset_state */
} call_once_t;

static void call_once_eval(qs_model_t *m, const qs_op_t *op) {
  const call_once_t *p = (const call_once_t *)op->params;
  uint32_t i;
  if (*p->ran) return;
  for (i = p->begin; i < p->end; i++) qs_run_op(m, &m->ops[i]);
  *p->ran = 1;
}

qs_status_t qs_prep_call_once(qs_model_t *m, int oi, qs_op_t *op) {
  call_once_t *p;
  int32_t k;
  qs_status_t s;
  if (op->n_in != 0 || op->n_out != 0) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "CALL_ONCE has no inputs or outputs");
  if ((s = qs_opts(m, oi, op, OPT_CALL_ONCE, 1)) != QS_OK) return s;
  k = fb_i32(&m->fb, &op->opts, 0, 0);
  if ((uint32_t)oi >= m->n_ops) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "CALL_ONCE inside an init subgraph");
  if (k <= 0 || (uint32_t)k >= m->n_subs) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "CALL_ONCE init_subgraph_index names no other subgraph");
  if (m->subs[k].n_inputs != 0) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "CALL_ONCE init subgraph with inputs (CALL_ONCE passes none)");
  if (!(p = (call_once_t *)qs_alloc(m, sizeof(*p))) || !(p->ran = (uint8_t *)qs_state_alloc(m, 1))) return QS_ERR_ARENA;
  p->begin = m->subs[k].op_begin, p->end = m->subs[k].op_end;
  op->params = p;
  op->eval = call_once_eval;
  return QS_OK;
}
