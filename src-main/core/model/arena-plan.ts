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

export function planArena(sg: Subgraph): ArenaPlan {
  const items = [...tensorLifetimes(sg)].map(([tensor, l]) => ({
    tensor,
    size: tensorBytes(sg.tensors[tensor]),
    first: l.first,
    last: l.last,
  }));
  items.sort((a, b) => b.size - a.size || a.tensor - b.tensor);

  const placed: ArenaEntry[] = [];
  let size = 0;
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
    placed.push({ tensor: it.tensor, offset, size: it.size, first: it.first, last: it.last });
    size = Math.max(size, offset + it.size);
  }
  placed.sort((a, b) => a.tensor - b.tensor);
  return { size: align(size), entries: placed };
}
