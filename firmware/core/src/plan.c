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

/* The shared scratch buffer (qs_scratch): the lowest offset clear of every activation alive while an
 * op with a scratch need runs (its own inputs and outputs too), as TFLM plans scratch buffers with
 * their op's lifetime; each op's need sits in op->ticks since its prepare (reset to 0 here). An op
 * of a later subgraph runs inside some main-graph op: it counts as running at every op. Each pass
 * that moves the offset moves it to an activation's end, so the loop ends within n + 1 passes. */
static uint64_t place_scratch(qs_model_t *m, const int16_t *order, uint32_t n) {
  uint64_t x = 0;
  uint32_t oi, j;
  int moved = m->scratch_need > 0;
  while (moved) {
    moved = 0;
    for (oi = 0; oi < m->n_ops_all; oi++) {
      const uint64_t need = aligned(m->ops[oi].ticks);
      const int lo = oi < m->n_ops ? (int)oi : 0, hi = oi < m->n_ops ? (int)oi : 0x7FFF;
      if (!need) continue;
      for (j = 0; j < n; j++) {
        const qs_slot_t *t = &m->slots[order[j]];
        const uint64_t t_end = (uint64_t)t->off + aligned(t->bytes);
        if (t->first_op > hi || t->last_op < lo) continue;
        if (x < t_end && t->off < x + need) x = t_end, moved = 1;
      }
    }
  }
  for (oi = 0; oi < m->n_ops_all; oi++) m->ops[oi].ticks = 0;
  return x;
}

qs_status_t qs_plan(qs_model_t *m) {
  uint32_t n = 0, i, j, k;
  uint64_t end = 0, scratch_off = 0;
  /* Work lists at the top of the arena: that space is the (still empty) activation area, so
   * they cost nothing after load. */
  size_t temp, need;
  int16_t *order, *live;
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
  if (m->scratch_need) {
    scratch_off = place_scratch(m, order, n);
    if (scratch_off + aligned(m->scratch_need) > end) end = scratch_off + aligned(m->scratch_need);
  }
  if (end > 0x7FFFFFF0u) return qs_fail(m, QS_ERR_LIMIT, -1, -1, "activations larger than 2 GiB");
  m->tensor_base = (m->table_used + QS_ALIGN - 1u) & ~(size_t)(QS_ALIGN - 1u);
  m->tensor_bytes = (size_t)end;
  m->scratch = m->scratch_need ? m->arena + m->tensor_base + scratch_off : NULL;
  /* Where the arena itself starts misaligned, qs_load already aligned arena. */
  need = m->tensor_base + end;
  if (need > m->arena_len) {
    qs_fail(m, QS_ERR_ARENA, -1, -1, "arena too small for the activations");
    m->err->needed = need;
    return QS_ERR_ARENA;
  }
  return QS_OK;
}
