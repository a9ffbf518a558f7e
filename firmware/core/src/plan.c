/*
 * Memory plan: activations share one region of the arena by lifetime. Greedy, largest first
 * (the same idea as TFLite Micro's GreedyMemoryPlanner): each tensor goes to the lowest
 * 16-byte-aligned offset that overlaps no already placed tensor whose lifetime intersects.
 * O(n^2) over used activations (n <= QS_MAX_TENSORS), no recursion.
 */
#include "internal.h"

#define QS_ALIGN 16u

static uint32_t aligned(uint32_t n) { return (n + QS_ALIGN - 1u) & ~(QS_ALIGN - 1u); }

static int overlaps(const qs_slot_t *a, const qs_slot_t *b) {
  return a->first_op <= b->last_op && b->first_op <= a->last_op;
}

/* The lowest offset where `need` bytes overlap no activation alive while op oi runs (its own
 * inputs and outputs too), as TFLM plans scratch buffers with their op's lifetime. An op of a later
 * subgraph runs inside some main-graph op: it counts as running at every op. `live` gets the alive
 * activations sorted by offset; then the first gap that fits, as for tensors. */
static uint64_t scratch_gap(qs_model_t *m, const int16_t *order, int16_t *live, uint32_t n, uint32_t oi, uint64_t need) {
  const int lo = oi < m->n_ops ? (int)oi : 0, hi = oi < m->n_ops ? (int)oi : 0x7FFF;
  uint32_t j, k, nl = 0;
  uint64_t x = 0;
  for (j = 0; j < n; j++) {
    const qs_slot_t *t = &m->slots[order[j]];
    if (t->first_op > hi || t->last_op < lo) continue;
    for (k = nl; k > 0 && m->slots[live[k - 1]].off > t->off; k--) live[k] = live[k - 1];
    live[k] = order[j];
    nl++;
  }
  for (j = 0; j < nl; j++) {
    const qs_slot_t *t = &m->slots[live[j]];
    if (x + need <= t->off) break;
    if ((uint64_t)t->off + aligned(t->bytes) > x) x = (uint64_t)t->off + aligned(t->bytes);
  }
  return x;
}

/* Each op's scratch (its need in op->ticks since its prepare; reset to 0 here) at its own lowest
 * free offset: ops never run at the same time, so they share the bytes. An op whose kernel has a
 * lean variant (op->lean: QS_LEAN_CAN) runs it when its usual scratch would end above the arena's
 * floor (the activations' end, or another op's scratch that cannot be avoided), and only then.
 * Moves *end past every scratch. */
static void place_scratch(qs_model_t *m, const int16_t *order, int16_t *live, uint32_t n, uint64_t *end) {
  uint64_t floor = *end;
  uint32_t oi;
  int pass;
  if (!m->scratch_at) {
    for (oi = 0; oi < m->n_ops_all; oi++) m->ops[oi].lean = 0;
    return;
  }
  for (pass = 0; pass < 2; pass++) {
    for (oi = 0; oi < m->n_ops_all; oi++) {
      qs_op_t *op = &m->ops[oi];
      const uint64_t need = op->ticks, x = need ? scratch_gap(m, order, live, n, oi, need) : 0;
      const int can = op->lean != 0;
      /* a lean variant with a smaller scratch of its own: 8 B units above QS_LEAN_CAN */
      const uint64_t ln = op->lean > QS_LEAN_CAN ? 8u * (uint64_t)(op->lean - QS_LEAN_CAN) : 0;
      const uint64_t lx = ln ? scratch_gap(m, order, live, n, oi, ln) : 0;
      if (!pass) { /* the least end this op can have */
        if (!can && x + need > floor) floor = x + need;
        continue;
      }
      if (!can || x + need <= floor || (ln && lx + ln >= x + need)) op->lean = 0;
      else if (op->lean == QS_LEAN_CAN) op->lean = 1;
      if (ln && op->lean) {
        m->scratch_at[oi] = (uint32_t)lx;
        if (lx + ln > *end) *end = lx + ln;
      }
      if (!op->lean) {
        m->scratch_at[oi] = (uint32_t)x; /* < 2^31 when the load succeeds (the plan refuses more) */
        if (x + need > *end) *end = x + need;
      }
    }
  }
  for (oi = 0; oi < m->n_ops_all; oi++) m->ops[oi].ticks = 0;
}

qs_status_t qs_plan(qs_model_t *m) {
  uint32_t n = 0, i, j, k;
  uint64_t end = 0;
  /* Work lists at the top of the arena: that space is the (still empty) activation area, so
   * they cost nothing after load. */
  size_t temp, need;
  int16_t *order, *live;
  /* the ops' scratch offsets (persistent), when some op has scratch */
  for (i = 0; i < m->n_ops_all && !m->ops[i].ticks; i++) {
  }
  if (i < m->n_ops_all && !(m->scratch_at = (uint32_t *)qs_alloc(m, 4u * m->n_ops_all))) return QS_ERR_ARENA;
  for (i = 0; i < m->n_tensors_all; i++) /* the lists hold the activations only */
    n += !m->slots[i].is_const && m->slots[i].first_op != -2;
  temp = 2u * sizeof(int16_t) * n;
  n = 0;
  if (m->table_used + temp + 2u > m->arena_len) {
    qs_fail(m, QS_ERR_ARENA, -1, -1, "arena too small for the memory planner");
    m->err->needed = m->table_used + temp + 2u;
    return QS_ERR_ARENA;
  }
  m->plan_peak = m->table_used + temp + 2u;
  order = (int16_t *)(void *)(m->arena + ((m->arena_len - temp) & ~(size_t)1u));
  live = order + temp / (2u * sizeof(int16_t));
  for (i = 0; i < m->n_tensors_all; i++) { /* every subgraph's */
    const qs_slot_t *t = &m->slots[i];
    if (t->is_const || t->first_op == -2) continue;
    /* insertion sort by size, descending; ties by index for a stable plan */
    for (j = n; j > 0 && m->slots[order[j - 1]].bytes < t->bytes; j--) order[j] = order[j - 1];
    order[j] = (int16_t)i;
    n++;
  }
  for (i = 0; i < n; i++) {
    qs_slot_t *t = &m->slots[order[i]];
    uint32_t nl = 0;
    uint64_t off = 0, size = aligned(t->bytes); /* 64-bit: hostile sizes cannot wrap */
    /* placed tensors that are alive at the same time, sorted by offset */
    for (j = 0; j < i; j++) {
      const qs_slot_t *p = &m->slots[order[j]];
      if (!overlaps(t, p)) continue;
      for (k = nl; k > 0 && m->slots[live[k - 1]].off > p->off; k--) live[k] = live[k - 1];
      live[k] = order[j];
      nl++;
    }
    for (j = 0; j < nl; j++) {
      const qs_slot_t *p = &m->slots[live[j]];
      if (off + size <= p->off) break; /* fits in the gap below p */
      if ((uint64_t)p->off + aligned(p->bytes) > off) off = (uint64_t)p->off + aligned(p->bytes);
    }
    t->off = (uint32_t)off & 0x7FFFFFFFu; /* if off >= 2^31, end below fails the load */
    if (off + size > end) end = off + size;
  }
  place_scratch(m, order, live, n, &end);
  if (end > 0x7FFFFFF0u) return qs_fail(m, QS_ERR_LIMIT, -1, -1, "activations larger than 2 GiB");
  m->tensor_base = (m->table_used + QS_ALIGN - 1u) & ~(size_t)(QS_ALIGN - 1u);
  m->tensor_bytes = (size_t)end;
  /* Where the arena itself starts misaligned, qs_load already aligned arena. */
  need = m->tensor_base + end;
  if (need > m->arena_len) {
    qs_fail(m, QS_ERR_ARENA, -1, -1, "arena too small for the activations");
    m->err->needed = need;
    return QS_ERR_ARENA;
  }
  return QS_OK;
}
