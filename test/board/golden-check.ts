/** Shared assertions: a board's per-op outputs against the TFLite Micro goldens. */
import { expect } from 'vitest';
import type { ProfileResult } from '../../src-main/services/board/session.ts';
import { goldenBytes, readFixture, readGolden } from '../helpers/fixtures.ts';

export function goldenCase(name: string): {
  model: Uint8Array;
  inputs: Uint8Array[];
  expected: Uint8Array[];
  tensors: number[];
} {
  const g = readGolden(name);
  return {
    model: readFixture('models', `${name}.tflite`),
    inputs: g.inputs.map(goldenBytes),
    expected: g.op_outputs.map(goldenBytes),
    tensors: g.op_outputs.map((t) => t.tensor),
  };
}

export function expectMatchesGolden(r: ProfileResult, name: string): void {
  const c = goldenCase(name);
  expect(r.ops.length).toBe(c.expected.length);
  // The golden files list op outputs keyed by tensor index (the graph output comes first), so
  // match each op's output tensor rather than its position.
  for (const op of r.ops) {
    const k = c.tensors.indexOf(op.tensor);
    expect(k, `op ${op.index}: output tensor ${op.tensor} not in the golden`).toBeGreaterThanOrEqual(0);
    const want = c.expected[k];
    expect(op.data.length, `op ${op.index} bytes`).toBe(want.length);
    const firstDiff = op.data.findIndex((v, i) => v !== want[i]);
    expect(firstDiff, `op ${op.index}: first differing byte`).toBe(-1);
  }
}
