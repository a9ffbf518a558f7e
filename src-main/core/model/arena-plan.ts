/**
 * Activation arena plan from tensor lifetimes, the way TFLite Micro's greedy planner does it:
 * a non-constant tensor is live from the operator that produces it (graph inputs: from the start)
 * to its last consumer (graph outputs and variables: to the end). Tensors are placed largest first
 * at the lowest 16-byte-aligned offset that does not overlap any already placed tensor whose
 * lifetime intersects its own. The arena size is the highest end offset.
 */
import type { Subgraph } from './ir.ts';
import { tensorBytes } from './tensor-size.ts';

export const ARENA_ALIGNMENT = 16;

export interface ArenaEntry {
  tensor: number;
  /** Byte offset in the arena (multiple of 16). */
  offset: number;
  /** Bytes the tensor needs (before alignment). */
  size: number;
  /** First and last operator index during which the tensor must be kept. */
  first: number;
  last: number;
}

export interface ArenaPlan {
  /** Peak bytes (end of the highest placed tensor). */
  size: number;
  entries: ArenaEntry[];
}

const align = (n: number) => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

/** Lifetimes of the non-constant tensors of a subgraph, in tensor order. */
export function tensorLifetimes(sg: Subgraph): Map<number, { first: number; last: number }> {
  const end = Math.max(sg.operators.length - 1, 0);
  const life = new Map<number, { first: number; last: number }>();
  const touch = (t: number, at: number) => {
    if (t < 0 || t >= sg.tensors.length || sg.tensors[t].data) return;
    const l = life.get(t);
    if (!l) life.set(t, { first: at, last: at });
    else {
      l.first = Math.min(l.first, at);
      l.last = Math.max(l.last, at);
    }
  };
  for (const t of sg.inputs) touch(t, 0);
  sg.operators.forEach((op, i) => {
    for (const t of op.inputs) touch(t, i);
    for (const t of op.outputs) touch(t, i);
    for (const t of op.intermediates) touch(t, i);
  });
  for (const t of sg.outputs) touch(t, end);
  for (const t of sg.tensors) {
    if (t.isVariable && !t.data) {
      touch(t.index, 0);
      touch(t.index, end);
    }
  }
  return life;
}

/** Above this many activation tensors the O(n²) greedy plan gives way to a linear-time one. */
export const GREEDY_PLAN_LIMIT = 2000;

interface Item {
  tensor: number;
  size: number;
  first: number;
  last: number;
}

export function planArena(sg: Subgraph): ArenaPlan {
  const items: Item[] = [...tensorLifetimes(sg)].map(([tensor, l]) => ({
    tensor,
    size: tensorBytes(sg.tensors[tensor]),
    first: l.first,
    last: l.last,
  }));
  const placed = items.length > GREEDY_PLAN_LIMIT ? planLinear(items) : planGreedy(items);
  placed.sort((a, b) => a.tensor - b.tensor);
  const size = placed.reduce((m, e) => Math.max(m, e.offset + e.size), 0);
  return { size: align(size), entries: placed };
}

/** Largest first, each at the lowest offset free during its whole lifetime (TFLM's greedy planner). */
function planGreedy(items: Item[]): ArenaEntry[] {
  items.sort((a, b) => b.size - a.size || a.tensor - b.tensor);
  const placed: ArenaEntry[] = [];
  for (const it of items) {
    // Intervals already occupied during this tensor's lifetime, by offset.
    const busy = placed
      .filter((p) => p.first <= it.last && it.first <= p.last)
      .sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of busy) {
      if (offset + it.size <= p.offset) break; // fits in the gap before p
      offset = Math.max(offset, align(p.offset + p.size));
    }
    placed.push({ ...it, offset });
  }
  return placed;
}

/**
 * For huge (or hostile) graphs: walk operators in time order, reuse a released block of exactly
 * the same aligned size, else grow the arena. O(n log n); never overlaps live tensors, but can be
 * larger than the greedy plan.
 */
function planLinear(items: Item[]): ArenaEntry[] {
  const byFirst = [...items].sort((a, b) => a.first - b.first || a.tensor - b.tensor);
  const byLast = [...items].sort((a, b) => a.last - b.last || a.tensor - b.tensor);
  const offsetOf = new Map<Item, number>();
  const free = new Map<number, number[]>();
  const placed: ArenaEntry[] = [];
  let top = 0;
  let released = 0;
  for (const it of byFirst) {
    while (released < byLast.length && byLast[released].last < it.first) {
      const done = byLast[released++];
      const key = align(done.size);
      const list = free.get(key);
      if (list) list.push(offsetOf.get(done)!);
      else free.set(key, [offsetOf.get(done)!]);
    }
    const key = align(it.size);
    let offset = free.get(key)?.pop();
    if (offset === undefined) {
      offset = top;
      top += key;
    }
    offsetOf.set(it, offset);
    placed.push({ ...it, offset });
  }
  return placed;
}
