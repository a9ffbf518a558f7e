/** Property test of the arena planner on random graphs (fast-check, seeded). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GREEDY_PLAN_LIMIT,
  planArena,
  tensorLifetimes,
  type Subgraph,
  type Tensor,
} from '../../../src-main/core/model/index.ts';

/** A random DAG: op i reads 1–3 earlier tensors (inputs, constants or earlier outputs), writes one. */
const subgraphArb = fc
  .record({
    nInputs: fc.integer({ min: 1, max: 3 }),
    ops: fc.array(
      fc.record({
        reads: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        size: fc.integer({ min: 0, max: 5000 }),
      }),
      { minLength: 1, maxLength: 40 },
    ),
    withConst: fc.boolean(),
  })
  .map(({ nInputs, ops, withConst }): Subgraph => {
    const tensors: Tensor[] = [];
    const add = (size: number, data: Uint8Array | null = null) => {
      tensors.push({
        index: tensors.length,
        name: `t${tensors.length}`,
        dtype: 'int8',
        shape: [size],
        buffer: data ? 1 : 0,
        data,
        quantization: null,
        isVariable: false,
      });
      return tensors.length - 1;
    };
    const inputs = Array.from({ length: nInputs }, () => add(100));
    const constant = withConst ? add(64, new Uint8Array(64)) : -1;
    const operators = ops.map((o, i) => {
      const pool = tensors.map((t) => t.index);
      const reads = o.reads.map((r) => pool[r % pool.length]);
      if (constant >= 0) reads.push(constant);
      const out = add(o.size);
      return {
        index: i,
        opcodeIndex: 0,
        builtinCode: 0,
        op: 'ADD',
        known: true,
        inputs: reads,
        outputs: [out],
        intermediates: [],
        options: {},
      };
    });
    return { name: '', tensors, operators, inputs, outputs: [tensors.length - 1] };
  });

describe('planArena on random graphs', () => {
  it('never overlaps two tensors that are live at the same time; 16-byte aligned; constants excluded', () => {
    fc.assert(
      fc.property(subgraphArb, (sg) => {
        const plan = planArena(sg);
        const life = tensorLifetimes(sg);
        for (const e of plan.entries) {
          expect(e.offset % 16).toBe(0);
          expect(sg.tensors[e.tensor].data).toBeNull();
          expect(life.get(e.tensor)).toEqual({ first: e.first, last: e.last });
        }
        for (const a of plan.entries)
          for (const b of plan.entries) {
            if (a.tensor >= b.tensor || a.size === 0 || b.size === 0) continue;
            const together = a.first <= b.last && b.first <= a.last;
            const overlap = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
            expect(together && overlap).toBe(false);
          }
        // Lower bound: the bytes live during any single operator.
        sg.operators.forEach((_, i) => {
          const live = plan.entries
            .filter((e) => e.first <= i && i <= e.last)
            .reduce((n, e) => n + e.size, 0);
          expect(plan.size).toBeGreaterThanOrEqual(live);
        });
        // Graph inputs live from the start, outputs to the end.
        for (const t of sg.inputs) expect(life.get(t)!.first).toBe(0);
        for (const t of sg.outputs) expect(life.get(t)!.last).toBe(sg.operators.length - 1);
      }),
      { seed: 2026, numRuns: 300 },
    );
  });
});

describe('planArena on a huge graph (linear-time plan)', () => {
  it(`${GREEDY_PLAN_LIMIT * 10} activations: fast, aligned, no live overlap`, () => {
    const n = GREEDY_PLAN_LIMIT * 10;
    const tensors: Tensor[] = Array.from({ length: n + 1 }, (_, i) => ({
      index: i,
      name: '',
      dtype: 'int8',
      shape: [1 + ((i * 37) % 300)],
      buffer: 0,
      data: null,
      quantization: null,
      isVariable: false,
    }));
    // Op i reads tensor i and a tensor from up to 9 ops back (skip connections), writes i + 1.
    const operators = Array.from({ length: n }, (_, i) => ({
      index: i,
      opcodeIndex: 0,
      builtinCode: 0,
      op: 'ADD',
      known: true,
      inputs: [i, Math.max(0, i - (i % 10))],
      outputs: [i + 1],
      intermediates: [],
      options: {},
    }));
    const sg: Subgraph = { name: '', tensors, operators, inputs: [0], outputs: [n] };
    const t0 = performance.now();
    const plan = planArena(sg);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(plan.entries.length).toBe(n + 1);
    // Sweep over time: the tensors live at each step must be disjoint in memory.
    const byStep = new Map<number, typeof plan.entries>();
    for (const e of plan.entries) {
      expect(e.offset % 16).toBe(0);
      for (let s = e.first; s <= e.last; s++) (byStep.get(s) ?? byStep.set(s, []).get(s)!).push(e);
    }
    for (const live of byStep.values()) {
      live.sort((a, b) => a.offset - b.offset);
      for (let k = 1; k < live.length; k++)
        expect(live[k - 1].offset + live[k - 1].size).toBeLessThanOrEqual(live[k].offset);
    }
    expect(plan.size).toBeLessThan(300 * 16 * 4); // block reuse keeps it near the live set, not n·size
  });
});
