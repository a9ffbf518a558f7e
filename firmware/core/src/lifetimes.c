/* The graph's topology check at load: every tensor's first and last op (what plan.c packs), with
 * every activation written once, before any read; no op writes a constant; every output written. */
#include "internal.h"

/* Lifetimes in op order; each activation written once, before any read. */
qs_status_t qs_lifetimes(qs_model_t *m) {
  uint32_t i, j;
  int16_t last = (int16_t)(m->n_ops - 1);
  for (i = 0; i < m->n_tensors; i++) m->slots[i].first_op = m->slots[i].last_op = -2;
  for (i = 0; i < m->n_in; i++) {
    qs_slot_t *t = &m->slots[m->inputs[i]];
    t->first_op = 0;
    t->last_op = 0;
  }
  for (i = 0; i < m->n_vars; i++) { /* state: alive over the whole invocation, every invocation */
    qs_slot_t *t = &m->slots[m->vars[i]];
    t->first_op = 0;
    t->last_op = last < 0 ? 0 : last;
  }
  for (i = 0; i < m->n_ops; i++) {
    qs_op_t *op = &m->ops[i];
    for (j = 0; j < op->n_in; j++) {
      qs_slot_t *t;
      if (op->in[j] < 0) continue;
      t = &m->slots[op->in[j]];
      if (t->is_const) continue;
      if (t->first_op == -2) return qs_fail(m, QS_ERR_SCHEMA, (int)i, op->in[j], "reads a tensor no earlier op writes");
      t->last_op = (int16_t)i;
    }
    for (j = 0; j < op->n_out; j++) {
      qs_slot_t *o = &m->slots[op->outs[j]];
      if (o->is_const) return qs_fail(m, QS_ERR_SCHEMA, (int)i, op->outs[j], "writes a constant tensor");
      if (o->first_op != -2) return qs_fail(m, QS_ERR_SCHEMA, (int)i, op->outs[j], "tensor written twice");
      o->first_op = o->last_op = (int16_t)i;
    }
  }
  for (i = 0; i < m->n_out; i++) {
    qs_slot_t *t = &m->slots[m->outputs[i]];
    if (t->first_op == -2) return qs_fail(m, QS_ERR_SCHEMA, -1, m->outputs[i], "graph output is never written");
    t->last_op = last < 0 ? 0 : last;
  }
  return QS_OK;
}
