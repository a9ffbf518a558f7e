/**
 * WHILE and IF (issue 15) on the interpreter core compiled to WebAssembly: small multi-subgraph
 * models written with the project's TFLite writer (test/helpers/flow-models.ts), outputs checked
 * against TFLite Micro's rule for each (while.cc, if.cc), the iteration bound on an endless loop,
 * and the official HAR LSTM conversion (WHILE over Flex TensorList ops) still refused by name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { summarize } from '../../../src-main/core/model/summary.ts';
import { formatSummary } from '../../../src-main/cli/commands/summary.ts';
import { interpreterVerdict, invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import {
  ifBranchBytes,
  ifBranchExpected,
  whileCounterBytes,
  whileCounterExpected,
  whileEndlessBytes,
} from '../../helpers/flow-models.ts';
import { fixturePath } from '../../helpers/fixtures.ts';
import { oneOpIr, type TensorSpec } from '../../helpers/ir-models.ts';

const nums = (d: ArrayLike<number | bigint>): number[] => Array.from(d, Number);
const load = (bytes: Uint8Array) => prepare(readTflite(bytes), 0, { bytes });

describe('WHILE and IF on the WASM core', () => {
  it('a WHILE counter loop adds its int8 step max(n, 0) times', () => {
    // rule (while.cc): cond (i < n) runs first, then body (i + 1, n, acc + step) while it is true,
    // so i ends at max(n, 0) and acc = x + step that many times, int8 ADD saturating per step
    const pm = load(whileCounterBytes());
    for (const n of [0, 1, 5, 37, -3]) {
      const x = Int8Array.from([-13, -4, 5, 14 + n]);
      const want = whileCounterExpected(x, n);
      const r = invoke(pm, [x, Int32Array.of(n)], { taps: false });
      expect(nums(r.outputs[0].data), `acc, n=${n}`).toEqual(want.acc);
      expect(nums(r.outputs[1].data), `i, n=${n}`).toEqual([want.i]);
    }
  });

  it('IF runs the then branch on true and the else branch on false', () => {
    // rule (if.cc): a true bool condition runs then_subgraph on the inputs after it, false runs else
    const pm = load(ifBranchBytes());
    const x = Int8Array.from([100, -100, 5, -7]);
    for (const cond of [true, false]) {
      const r = invoke(pm, [Uint8Array.of(cond ? 1 : 0), x], { taps: true });
      expect(nums(r.outputs[0].data), `cond ${cond}`).toEqual(ifBranchExpected(cond, x));
    }
  });

  it('a WHILE whose condition never turns false stops with an error naming WHILE', () => {
    // rule: TFLM loops as long as cond is true; the core stops after QS_MAX_WHILE_ITERATIONS (65536)
    // body runs and the invoke fails with a message that names WHILE and the bound
    const pm = load(whileEndlessBytes());
    expect(() => invoke(pm, [new Int8Array(4)], { taps: false })).toThrow(/WHILE.*65536/);
  });

  it('the official HAR LSTM conversion stays refused: its TensorList tensors of Flex ops', () => {
    // rule: TFLM refuses the variant (TensorList) tensor type before the Flex TensorList ops it
    // lacks; the verdict names both
    const bytes = new Uint8Array(readFileSync(fixturePath('keras3', 'har_lstm_float32.tflite')));
    const v = interpreterVerdict(readTflite(bytes), bytes);
    expect(v.runs).toBe(false);
    expect(v.runs === false && v.message).toMatch(/tensor 15 .*variant.*Flex TensorList ops/);
  });

  it('the summary of a multi-subgraph model lists subgraph 0 and counts the others', () => {
    // rule: the summary describes the main graph (what runs) and says how many subgraphs the file
    // has, with each one's op count (the WHILE's cond and body)
    const s = summarize(readTflite(whileCounterBytes()));
    expect(s.layers.map((l) => l.op)).toEqual(['WHILE']);
    expect(s.subgraphs?.map((g) => g.ops)).toEqual([1, 1, 2]);
    expect(formatSummary('loop.tflite', 'tflite', s)).toContain('Subgraphs 3 (ops 1, 1, 2)');
    // rule: a one-subgraph model's summary has no subgraphs entry (its JSON keys stay as they were)
    const relu: TensorSpec = { dtype: 'int8', shape: [1, 4], q: [1, 0] };
    expect(summarize(oneOpIr('RELU', [relu, relu], [0], [1])).subgraphs).toBeUndefined();
  });
});
