/* Public API: load (parse + prepare + plan), accessors, invoke with per-op ticks and hook. */
#include <string.h>

#include "../include/qs_port.h"
#include "internal.h"

qs_status_t qs_fail(qs_model_t *m, qs_status_t s, int op, int tensor, const char *msg) {
  /* keep the first error: later ones are usually consequences */
  if (m->err->status == QS_OK) {
    m->err->status = s;
    m->err->op = op;
    m->err->tensor = tensor;
    m->err->msg = msg;
  }
  return s;
}

void *qs_alloc(qs_model_t *m, size_t bytes) {
  size_t at = (m->table_used + 7u) & ~(size_t)7u;
  if (bytes > m->arena_len || at > m->arena_len - bytes) {
    qs_fail(m, QS_ERR_ARENA, -1, -1, "arena too small for the interpreter tables");
    m->err->needed = at + bytes;
    return NULL;
  }
  m->table_used = at + bytes;
  memset(m->arena + at, 0, bytes); /* params start zeroed: optional fields default to NULL/0 */
  return m->arena + at;
}

void *qs_state_alloc(qs_model_t *m, size_t bytes) {
  qs_state_t *st = (qs_state_t *)qs_alloc(m, sizeof(qs_state_t));
  void *p;
  if (!st || !(p = qs_alloc(m, bytes))) return NULL;
  st->data = p;
  st->bytes = bytes;
  st->next = m->states;
  m->states = st;
  return p;
}

void qs_reset_vars(qs_model_t *m) {
  uint32_t i;
  qs_state_t *st;
  for (i = 0; i < m->n_vars; i++) {
    qs_tensor_t t;
    int v = 0;
    if (qs_get_tensor(m, m->vars[i], &t) == QS_OK && t.dtype == QS_DT_INT8) v = (int)t.zp;
    memset(qs_tdata(m, m->vars[i]), v, m->slots[m->vars[i]].bytes);
  }
  for (st = m->states; st; st = st->next) memset(st->data, 0, st->bytes);
}

static void set_err(qs_interp_t *ip, qs_status_t s, const char *msg) {
  ip->err.status = s;
  ip->err.op = -1;
  ip->err.tensor = -1;
  ip->err.msg = msg;
  ip->err.needed = 0;
}

qs_status_t qs_load(qs_interp_t *ip, const uint8_t *model, size_t model_len, uint8_t *arena,
                    size_t arena_len) {
  qs_model_t *m;
  size_t pad;
  uint32_t i;
  qs_status_t s;
  if (!ip) return QS_ERR_ARG;
  ip->m = NULL;
  set_err(ip, QS_OK, "ok");
  if (!model || !arena) {
    set_err(ip, QS_ERR_ARG, "model or arena is NULL");
    return QS_ERR_ARG;
  }
  if (model_len > 0x7FFFFFF0u) {
    set_err(ip, QS_ERR_LIMIT, "model larger than 2 GiB");
    return QS_ERR_LIMIT;
  }
  pad = (16u - ((uintptr_t)arena & 15u)) & 15u;
  if (arena_len < pad + sizeof(qs_model_t)) {
    set_err(ip, QS_ERR_ARENA, "arena smaller than the interpreter header");
    ip->err.needed = pad + sizeof(qs_model_t);
    return QS_ERR_ARENA;
  }
  m = (qs_model_t *)(void *)(arena + pad);
  memset(m, 0, sizeof(*m));
  m->model = model;
  m->model_len = (uint32_t)model_len;
  m->arena = arena + pad;
  m->arena_len = arena_len - pad;
  m->table_used = sizeof(qs_model_t);
  m->err = &ip->err;
  if ((s = qs_parse(m)) != QS_OK) return s;
  if ((s = qs_tflm_gaps(m)) != QS_OK) return s;
  for (i = 0; i < m->n_ops_all; i++) { /* every subgraph's ops (CALL_ONCE runs the later ones) */
    /* the op's own scratch need, kept in op->ticks (0 until the first invoke) until qs_plan places
     * it among the activations; above 4 GiB it is capped (the plan then refuses > 2 GiB) */
    size_t before = m->scratch_need;
    m->scratch_need = 0;
    if ((s = qs_prepare_op(m, (int)i)) != QS_OK) return s;
    if (m->scratch_need > 0xFFFFFFF0u) m->scratch_need = 0xFFFFFFF0u;
    m->ops[i].ticks = (uint32_t)m->scratch_need;
    if (before > m->scratch_need) m->scratch_need = before;
  }
  if (m->res && (s = qs_var_check(m)) != QS_OK) return s;
  if ((s = qs_flow_plan(m)) != QS_OK) return s;
  if ((s = qs_plan(m)) != QS_OK) {
    if (s == QS_ERR_ARENA) ip->err.needed += pad;
    return s;
  }
  qs_reset_vars(m);
  ip->m = m;
  return QS_OK;
}

qs_status_t qs_set_gate_hook(qs_interp_t *ip, qs_gate_hook hook, void *ctx) {
  if (!ip) return QS_ERR_ARG;
  if (!ip->m) return QS_ERR_STATE;
  ip->m->gate_hook = hook;
  ip->m->gate_ctx = ctx;
  return QS_OK;
}

qs_status_t qs_reset_state(qs_interp_t *ip) {
  if (!ip) return QS_ERR_ARG;
  if (!ip->m) {
    set_err(ip, QS_ERR_STATE, "no model loaded");
    return QS_ERR_STATE;
  }
  qs_reset_vars(ip->m);
  return QS_OK;
}

/* The state bytes, in one fixed order: the variable tensors (model order), then the state blocks
 * (list order). Copies the state out to buf and/or in from src (either may be NULL); returns the byte count. */
static size_t state_walk(qs_model_t *m, uint8_t *buf, const uint8_t *src) {
  size_t at = 0;
  uint32_t i;
  const qs_state_t *st;
  for (i = 0; i < m->n_vars; i++) {
    uint8_t *d = qs_tdata(m, m->vars[i]);
    size_t n = m->slots[m->vars[i]].bytes;
    if (buf) memcpy(buf + at, d, n);
    if (src) memcpy(d, src + at, n);
    at += n;
  }
  for (st = m->states; st; st = st->next) {
    if (buf) memcpy(buf + at, st->data, st->bytes);
    if (src) memcpy(st->data, src + at, st->bytes);
    at += st->bytes;
  }
  return at;
}

size_t qs_state_bytes(const qs_interp_t *ip) {
  return ip && ip->m ? state_walk(ip->m, NULL, NULL) : 0;
}

qs_status_t qs_state_save(const qs_interp_t *ip, uint8_t *dst, size_t cap) {
  if (!ip || !ip->m) return QS_ERR_STATE;
  if (!dst || cap < state_walk(ip->m, NULL, NULL)) return QS_ERR_ARG;
  state_walk(ip->m, dst, NULL);
  return QS_OK;
}

qs_status_t qs_state_restore(qs_interp_t *ip, const uint8_t *src, size_t len) {
  if (!ip || !ip->m) return QS_ERR_STATE;
  if (!src || len != state_walk(ip->m, NULL, NULL)) return QS_ERR_ARG;
  state_walk(ip->m, NULL, src);
  return QS_OK;
}

size_t qs_input_count(const qs_interp_t *ip) { return ip && ip->m ? ip->m->n_in : 0; }
size_t qs_output_count(const qs_interp_t *ip) { return ip && ip->m ? ip->m->n_out : 0; }
size_t qs_op_count(const qs_interp_t *ip) { return ip && ip->m ? ip->m->n_ops : 0; }
size_t qs_tensor_count(const qs_interp_t *ip) { return ip && ip->m ? ip->m->n_tensors : 0; }

int qs_input_tensor(const qs_interp_t *ip, int i) {
  return ip && ip->m && i >= 0 && (uint32_t)i < ip->m->n_in ? ip->m->inputs[i] : -1;
}
int qs_output_tensor(const qs_interp_t *ip, int i) {
  return ip && ip->m && i >= 0 && (uint32_t)i < ip->m->n_out ? ip->m->outputs[i] : -1;
}

qs_status_t qs_tensor_info(const qs_interp_t *ip, int tensor, qs_tensor_info_t *out) {
  qs_tensor_t t;
  int i;
  if (!ip || !ip->m) return QS_ERR_STATE;
  if (!out || tensor < 0 || (uint32_t)tensor >= ip->m->n_tensors) return QS_ERR_ARG;
  /* re-decoded from the validated model: the arena keeps only a small slot per tensor */
  if (qs_get_tensor(ip->m, tensor, &t) != QS_OK) return QS_ERR_FORMAT;
  memset(out, 0, sizeof(*out));
  out->dtype = (qs_dtype_t)t.dtype;
  out->ndims = t.ndims;
  for (i = 0; i < t.ndims; i++) out->dims[i] = t.dims[i];
  out->scale = t.quantized ? t.scale : 0.0f;
  out->zero_point = t.zp;
  out->bytes = t.bytes;
  out->is_constant = t.data != NULL;
  return QS_OK;
}

qs_status_t qs_op_info(const qs_interp_t *ip, int op, qs_op_info_t *out) {
  const qs_op_t *o;
  int i;
  if (!ip || !ip->m) return QS_ERR_STATE;
  if (!out || op < 0 || (uint32_t)op >= ip->m->n_ops) return QS_ERR_ARG;
  o = &ip->m->ops[op];
  memset(out, 0, sizeof(*out));
  out->builtin_code = o->code;
  out->name = qs_op_name(o->code);
  out->output_tensor = o->out;
  out->output_count = o->n_out;
  out->input_count = o->n_in;
  for (i = 0; i < o->n_in && i < QS_MAX_IO; i++) out->inputs[i] = o->in[i]; /* the first QS_MAX_IO */
  out->macs = o->macs;
  return QS_OK;
}

int qs_op_output(const qs_interp_t *ip, int op, int k) {
  const qs_op_t *o;
  if (!ip || !ip->m || op < 0 || (uint32_t)op >= ip->m->n_ops) return -1;
  o = &ip->m->ops[op];
  return k >= 0 && k < o->n_out ? o->outs[k] : -1;
}

uint8_t *qs_input_data(qs_interp_t *ip, int i) {
  int t = qs_input_tensor(ip, i);
  return t < 0 ? NULL : qs_tdata(ip->m, t);
}

const uint8_t *qs_output_data(const qs_interp_t *ip, int i) {
  int t = qs_output_tensor(ip, i);
  return t < 0 ? NULL : qs_tdata(ip->m, t);
}

qs_status_t qs_invoke(qs_interp_t *ip, qs_op_hook hook, void *ctx) {
  qs_model_t *m;
  uint32_t i;
  if (!ip) return QS_ERR_ARG;
  if (!ip->m) {
    set_err(ip, QS_ERR_STATE, "no model loaded");
    return QS_ERR_STATE;
  }
  m = ip->m;
  for (i = 0; i < m->n_ops; i++) {
    qs_op_t *op = &m->ops[i];
    uint32_t t0 = qs_port_ticks();
    qs_run_op(m, op);
    op->ticks = qs_port_ticks() - t0; /* modulo 2^32: wrap-safe */
    if (m->halt) { /* an eval stopped the run (WHILE's iteration bound) */
      set_err(ip, QS_ERR_LIMIT, m->halt);
      ip->err.op = (int)i;
      m->halt = NULL;
      return QS_ERR_LIMIT;
    }
    if (hook) {
      int k;
      for (k = 0; k < op->n_out; k++) {
        int t = op->outs[k];
        hook(ctx, (int)i, t, qs_tdata(m, t), m->slots[t].bytes, op->ticks);
      }
    }
  }
  return QS_OK;
}

uint32_t qs_op_ticks(const qs_interp_t *ip, int op) {
  return ip && ip->m && op >= 0 && (uint32_t)op < ip->m->n_ops ? ip->m->ops[op].ticks : 0;
}

const char *qs_status_str(qs_status_t s) {
  switch (s) {
    case QS_OK: return "ok";
    case QS_ERR_ARG: return "bad argument";
    case QS_ERR_FORMAT: return "malformed flatbuffer";
    case QS_ERR_SCHEMA: return "invalid TFLite model";
    case QS_ERR_UNSUPPORTED: return "unsupported";
    case QS_ERR_TYPE: return "wrong tensor type";
    case QS_ERR_SHAPE: return "inconsistent shapes";
    case QS_ERR_QUANT: return "bad quantization parameters";
    case QS_ERR_ARENA: return "arena too small";
    case QS_ERR_LIMIT: return "exceeds a build limit";
    case QS_ERR_STATE: return "no model loaded";
  }
  return "unknown status";
}

const qs_error_t *qs_last_error(const qs_interp_t *ip) { return ip ? &ip->err : NULL; }

size_t qs_arena_used(const qs_interp_t *ip) {
  if (!ip || !ip->m) return 0;
  {
    size_t after = ip->m->tensor_base + ip->m->tensor_bytes;
    return after > ip->m->plan_peak ? after : ip->m->plan_peak; /* the minimum arena for qs_load */
  }
}
size_t qs_arena_tensor_bytes(const qs_interp_t *ip) { return ip && ip->m ? ip->m->tensor_bytes : 0; }
